//! The memo of verified tokens, `<git dir>/docket/stamps.json`: a warm
//! run pays for the tokens it has not seen, not for every token again.
//!
//! Verifying a token is an ECDSA or RSA verification and a certificate
//! path, about 0.6 ms of CPU each; at 10,000 orders (15,000 signing
//! commits) that was the largest stage of a warm check. What a
//! verification depends on is fixed by its inputs: the commit object's
//! bytes, the token's bytes and the certificates trusted (a certificate's
//! validity is judged at the token's time, never "now"). So the memo keys
//! each result by the SHA-256 of the commit object and of the token, under
//! a seed of docket's version and the trusted certificates' DER; a change
//! to any of them is a miss, and a miss is verified in full.
//!
//! Only valid tokens are kept: a rejected one is rare, and its reason is
//! worked out afresh. The memo is trusted as `.git` is, like the proofs'
//! cache: whoever can write it could as well rewrite the repository, and
//! `--no-cache` (and CI's fresh clone) verifies every token. It is
//! rewritten only when the set of valid tokens changed.

use super::certs::Trust;
use super::token::hex;
use super::verdict::TrustedTime;
use crate::fingerprint::Fingerprint;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bumped when what a memo entry means changes.
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct MemoFile {
    format: u32,
    seed: u64,
    /// `<SHA-256 of the commit object>:<SHA-256 of the token>` -> the time.
    tokens: BTreeMap<String, TrustedTime>,
}

/// The valid tokens of the last run, and those of this one.
pub struct Memo {
    path: Option<PathBuf>,
    seed: u64,
    known: BTreeMap<String, TrustedTime>,
}

/// What a memo entry is looked up by.
pub fn key(commit_digest: &[u8; 32], token: &[u8]) -> String {
    use sha2::Digest;
    format!(
        "{}:{}",
        hex(commit_digest),
        hex(&sha2::Sha256::digest(token))
    )
}

impl Memo {
    /// The memo of the repository at `git_dir` for `trust`; an empty one
    /// that is never written when `git_dir` is `None` (`--no-cache`).
    pub fn open(git_dir: Option<&Path>, trust: &Trust) -> Memo {
        let mut seed = Fingerprint::new(FORMAT.into());
        seed.str(env!("CARGO_PKG_VERSION"));
        for anchor in trust.anchors() {
            seed.u64(anchor.der.len() as u64);
            seed.hash(&anchor.der);
        }
        let seed = seed.finish();
        let path = git_dir.map(|d| d.join("docket").join("stamps.json"));
        let known = path
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice::<MemoFile>(&b).ok())
            .filter(|f| f.format == FORMAT && f.seed == seed)
            .map(|f| f.tokens)
            .unwrap_or_default();
        Memo { path, seed, known }
    }

    /// The time a token verified with `key` proved in an earlier run.
    pub fn get(&self, key: &str) -> Option<&TrustedTime> {
        self.known.get(key)
    }

    /// Keep this run's valid tokens, if they are not those already kept.
    pub fn save(self, now: BTreeMap<String, TrustedTime>) {
        let Some(path) = self.path else { return };
        if now == self.known {
            return;
        }
        let file = MemoFile {
            format: FORMAT,
            seed: self.seed,
            tokens: now,
        };
        crate::history::write_atomic(&path, |w| serde_json::to_writer(w, &file).is_ok());
    }
}
