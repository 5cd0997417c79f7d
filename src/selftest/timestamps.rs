//! The timestamp scenarios: one valid token, then each way a token can
//! fail to prove a signing time (docs/timestamps.md). Every scenario is
//! the clean company under `[timestamps] policy = "required"`, trusting
//! a TSA whose root the bootstrap commit keeps in `tsa/tsa-chain.pem`,
//! with every signing commit stamped two minutes after it was made; the
//! attack then replaces the GM review's token.
//!
//! The suite stays offline: tokens are signed here by docket's own TSA
//! (the demo's, made from a seed), exactly as a TSA would sign them, and
//! judged by the binary under validation, which knows nothing of how
//! they were made.

use super::company::{Company, ORDER, ORDER_PATH};
use super::run::Probe;
use super::scenarios::{Scenario, gm, unreviewed_with};
use crate::error::{Error, Result};
use crate::tsa::issue::Signer;
use crate::tsa::stamping::{Tsa, stamp};
use std::path::Path;

/// The seed of the TSA the company trusts, and of a stranger's.
const TRUSTED: u64 = 15;
const STRANGER: u64 = 16;

/// Seconds from a signing commit to its token: CI stamps minutes after.
const AFTER: i64 = 120;

/// The timestamp scenarios, in the report's order.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "timestamp-valid",
            clause: "3",
            attack: "none: every signing commit carries a token from the trusted TSA, made two minutes \
                     after it; nothing may be reported",
            exit: 0,
            rules: &[],
            setup: |dir, _| Ok(Probe::check(stamped(dir)?.0)),
        },
        Scenario {
            id: "timestamp-other-commit",
            clause: "3",
            attack: "the GM's review carries a valid token of another commit (the bootstrap's): it proves \
                     nothing about the review, which counts as not stamped",
            exit: 1,
            rules: &["timestamp-missing"],
            setup: |dir, _| {
                let (c, review, signer) = stamped(dir)?;
                let repo = c.repo()?;
                let first = repo
                    .find_commit(git2::Oid::from_str(&review).map_err(git)?)
                    .and_then(|r| r.parent_id(0))
                    .map_err(git)?
                    .to_string();
                let at = made(&c, &review)? + AFTER;
                let token = signer.token(&digest(&c, &first)?, None, true, at, 90);
                replace(&c, &review, &token)?;
                Ok(Probe::check(c))
            },
        },
        Scenario {
            id: "timestamp-tampered",
            clause: "3",
            attack: "the GM review's token is edited after the TSA signed it (its time moved a day \
                     earlier): its signature no longer verifies and it counts as not stamped",
            exit: 1,
            rules: &["timestamp-missing"],
            setup: |dir, _| {
                let (c, review, _) = stamped(dir)?;
                let path = c.root.join(crate::tsa::token_path(&review));
                let mut token = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
                // genTime is 2026-03-03 at 02:02 UTC and some seconds
                // (GeneralizedTime, `20260303020...Z`); make it the 2nd.
                let at = token
                    .windows(15)
                    .position(|w| w.starts_with(b"20260303") && w[14] == b'Z')
                    .ok_or_else(|| Error::Usage("the token's time was not found".into()))?;
                token[at + 7] = b'2';
                replace(&c, &review, &token)?;
                Ok(Probe::check(c))
            },
        },
        Scenario {
            id: "timestamp-untrusted-tsa",
            clause: "3",
            attack: "the GM review's token is signed by a TSA the company does not list (a stranger's, \
                     well formed and over the right commit): it counts as not stamped",
            exit: 1,
            rules: &["timestamp-missing"],
            setup: |dir, _| {
                let (c, review, _) = stamped(dir)?;
                let (stranger, _) = crate::demo::tsa::authority(STRANGER)?;
                let at = made(&c, &review)? + AFTER;
                let token = stranger.token(&digest(&c, &review)?, None, true, at, 91);
                replace(&c, &review, &token)?;
                Ok(Probe::check(c))
            },
        },
        Scenario {
            id: "timestamp-before-commit",
            clause: "3",
            attack: "the GM's review commit says 2026-03-03, but its valid token proves it existed on \
                     2026-02-28: the commit was dated after it was stamped (GIT_COMMITTER_DATE set \
                     forward)",
            exit: 1,
            rules: &["signature-time"],
            setup: |dir, _| {
                let (c, review, signer) = stamped(dir)?;
                let at = made(&c, &review)? - 3 * 86_400;
                let token = signer.token(&digest(&c, &review)?, None, true, at, 92);
                replace(&c, &review, &token)?;
                Ok(Probe::check(c))
            },
        },
    ]
}

fn git(e: git2::Error) -> Error {
    Error::Git(e.message().to_string())
}

/// The clean company under policy `ssh` and `[timestamps] policy =
/// "required"`, every signing commit stamped [`AFTER`] seconds after it
/// was made by the trusted TSA; with the GM review's commit id and the
/// TSA.
fn stamped(dir: &Path) -> Result<(Company, String, Signer)> {
    let (signer, chain) = crate::demo::tsa::authority(TRUSTED)?;
    let c = unreviewed_with(dir, |c| {
        c.append(
            "docket.toml",
            "\n[timestamps]\npolicy = \"required\"\ncertificates = [\"tsa/tsa-chain.pem\"]\n\
             within_days = 2\n",
        )?;
        c.write("tsa/tsa-chain.pem", &chain)
    })?;
    c.write(ORDER_PATH, ORDER)?;
    let review = c
        .commit_on("wang.gm", "2026-03-03", "Review SO-2026-0001", gm())?
        .to_string();
    let (model, _) = crate::model::build(crate::load::load(&c.root)?);
    stamp(
        &c.root,
        &model,
        &Tsa::Local {
            signer: &signer,
            after: AFTER,
        },
    )?;
    Ok((c, review, signer))
}

/// The committer time of commit `id`.
fn made(c: &Company, id: &str) -> Result<i64> {
    let repo = c.repo()?;
    let commit = repo
        .find_commit(git2::Oid::from_str(id).map_err(git)?)
        .map_err(git)?;
    Ok(commit.committer().when().seconds())
}

/// What a token of commit `id` stamps: the SHA-256 of its raw object.
fn digest(c: &Company, id: &str) -> Result<[u8; 32]> {
    crate::tsa::commit_digest(&c.repo()?, id).map_err(Error::Git)
}

/// Put `token` in place of commit `id`'s.
fn replace(c: &Company, id: &str, token: &[u8]) -> Result<()> {
    let path = c.root.join(crate::tsa::token_path(id));
    std::fs::write(&path, token).map_err(|e| Error::io(&path, e))
}
