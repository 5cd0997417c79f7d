//! The demo's timestamping authority: a root and a TSA certificate made
//! from the seed, whose root the demo writes into the repository
//! (`tsa/tsa-chain.pem`, trusted by `[timestamps]` in its docket.toml),
//! and the tokens it signs for every signing commit, committed at the end
//! of the story as a CI job would have.
//!
//! Everything derives from the seed without touching the story's random
//! numbers, so the same seed tells the same story as before and gives the
//! same tokens: each is dated a few minutes after its commit's committer
//! time, with nonce and serial taken from the commit's digest, and signed
//! deterministically (RFC 6979).

use super::cast::{PEOPLE, QC};
use super::git::{Author, Writer};
use crate::error::{Error, Result};
use crate::tsa::issue::{CertSpec, Signer, issue, key_from_seed, pem};
use crate::tsa::stamping::{Tsa, stamp};
use ssh_key::PrivateKey;
use std::path::Path;

/// 2024-01-01, 2031-01-01 and 2036-01-01 (seconds since 1970): the
/// certificates' validity, around the story (2025-2026).
const FROM: i64 = 1_704_067_200;
const TSA_UNTIL: i64 = 1_924_992_000;
const ROOT_UNTIL: i64 = 2_082_758_400;

/// Seconds from a signing commit to its token, before the few more that
/// vary by commit: the CI job that stamps runs minutes after each push.
const DELAY: i64 = 120;

/// The demo TSA of `seed`: its signer, and the PEM the repository trusts.
pub fn authority(seed: u64) -> Result<(Signer, String)> {
    let err = |e: String| Error::Git(format!("demo TSA: {e}"));
    let root_key = key_from_seed(seed, "docket demo timestamping root");
    let root = issue(
        &CertSpec::ca(
            "CN=Acme Demo Timestamping Root,O=docket demo",
            1,
            FROM,
            ROOT_UNTIL,
        ),
        &root_key,
        None,
    )
    .map_err(err)?;
    let key = key_from_seed(seed, "docket demo TSA");
    let cert = issue(
        &CertSpec::tsa("CN=Acme Demo TSA,O=docket demo", 2, FROM, TSA_UNTIL),
        &key,
        Some((&root_key, &root)),
    )
    .map_err(err)?;
    let chain = format!("{}{}", pem(&cert), pem(&root));
    Ok((Signer::new(key, cert, vec![]), chain))
}

/// Stamp every signing commit of the repository in `dir` (checked out)
/// with the demo TSA, and commit the tokens as QC on the last evening of
/// the story; the number of tokens.
pub fn stamp_all(
    dir: &Path,
    signer: &Signer,
    w: &mut Writer,
    keys: &[PrivateKey],
) -> Result<usize> {
    let loaded = crate::load::load(dir)?;
    let (model, _) = crate::model::build(loaded);
    let done = stamp(
        dir,
        &model,
        &Tsa::Local {
            signer,
            after: DELAY,
        },
    )?;
    let mut tokens: Vec<String> = done.stamped.clone();
    tokens.sort();
    for id in &tokens {
        let rel = crate::tsa::token_path(id);
        let bytes = std::fs::read(dir.join(&rel)).map_err(|e| Error::io(dir.join(&rel), e))?;
        w.put_bytes(&rel, &bytes)?;
    }
    let evening = super::plan::AS_OF.at(18, 30, 0, 0);
    let seconds = jiff::tz::Offset::constant(8)
        .to_timestamp(evening)
        .map_err(|e| Error::Git(format!("time: {e}")))?
        .as_second();
    let qc = &PEOPLE[QC];
    w.commit(
        &Author {
            name: qc.name,
            email: qc.email,
            seconds,
            offset_minutes: 480,
            key: Some(&keys[QC]),
        },
        &format!(
            "Timestamp tokens for {} signing commits (docket stamp)\n\nFrom the demo TSA, each a few minutes after its commit.\n",
            tokens.len()
        ),
    )?;
    Ok(tokens.len())
}
