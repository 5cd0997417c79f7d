//! Verified tokens, kept between runs in `<git dir>/docket/tokens.json`.
//!
//! Verifying a token is the costliest part of reading it (an ECDSA or RSA
//! verification and a certificate chain: about 0.6 ms each, 9 s for the
//! 15,000 tokens of a 10,000-order company), and its result depends on
//! nothing but three things: the token's bytes, the commit object it must
//! stamp, and the certificates trusted. No clock enters it (validity is
//! judged at the token's own time) and there is no network. So a result
//! is kept under exactly those: the git blob id of the token file, the
//! commit id, and a seed made of docket's version and every trusted
//! certificate, in order. A token replaced, a commit rewritten (a new
//! id), a certificate added, removed or swapped, or a new docket: the
//! result is not found and the token is verified again. Only valid tokens
//! are kept; a token that does not verify is verified again each run (they
//! are few, and the reason then always comes from the verifier).
//!
//! Both are git's ids, hashes of the objects' bytes, because git can then
//! vouch for them without docket reading anything: the commit id is the
//! commit object's hash, and a token file that git's index vouches for by
//! its size, times and inode (`crate::history::StatCache`, as `git status`
//! trusts it) holds the blob the index names, so a warm run neither
//! inflates 15,000 commit objects nor reads and hashes 60 MB of tokens
//! (290 MB at 50,000 orders). A file the index cannot vouch for (changed,
//! new, racily clean, no index) is read and hashed as git would hash it.
//! The index's blob is the hash of the file's bytes only where git
//! converts nothing: a token that git checks out through a filter, or
//! with other line endings (`.gitattributes`, `core.autocrlf`), holds
//! other bytes than the blob the index names, which may be the very
//! blob whose result was kept before the conversion took effect. So
//! where git may convert a file docket reads, the index vouches for
//! nothing (`crate::history::StatCache`) and every token is read. Behind
//! that, a result is kept with the token's size, and a token taken on
//! the index's word must have that size on disk (its `lstat`): a
//! conversion set where docket does not look (an `includeIf` libgit2
//! does not follow) changes the bytes, and one that changes them almost
//! always changes their length.
//! git's SHA-1 is computed with collision detection by libgit2 and by git,
//! so the known collision attacks are refused; and a collision would only
//! show one valid token's result for another file. Until 2026-12 the
//! SHA-256 of the token and of the commit object were kept instead.
//!
//! The file is trusted as `.git` is, like the history caches beside it:
//! whoever can write there can rewrite the repository itself. It never
//! travels with a clone, so CI verifies every token; `--no-cache` reads
//! and writes none. A missing, stale or garbled file means every token is
//! verified, with the same result. Failing to write it is not an error.

use super::certs::Trust;
use super::verdict::TrustedTime;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Raised whenever what is kept or how it is read changes (4: each token's
/// size is kept).
const FORMAT: u32 = 4;

/// The verified tokens, by commit id.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verified {
    format: u32,
    seed: String,
    tokens: BTreeMap<String, Entry>,
}

/// One verified token: what it was verified as, and what it proves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The git blob id of the token file, hex.
    pub token: String,
    /// The token's length in bytes: a token taken on git's index's word
    /// must be as long on disk (below).
    pub size: u64,
    pub time: TrustedTime,
}

fn path(git_dir: &Path) -> PathBuf {
    git_dir.join("docket").join("tokens.json")
}

/// What a kept result depends on besides the token and the commit:
/// docket's version and every trusted certificate, in order.
pub fn seed(trust: &Trust) -> String {
    let mut h = sha2::Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    for c in trust.anchors() {
        h.update((c.der.len() as u64).to_be_bytes());
        h.update(&c.der);
    }
    crate::hex::hex(&h.finalize())
}

impl Verified {
    /// The file as it is, of this format, whatever its seed (`None` if
    /// it is missing, unreadable or of another format): read before the
    /// seed is known (beside the proofs, `cmd::judge`), then
    /// [`Verified::under`] it.
    pub fn read(git_dir: &Path) -> Option<Verified> {
        std::fs::read(path(git_dir))
            .ok()
            .and_then(|b| serde_json::from_slice::<Verified>(&b).ok())
            .filter(|v| v.format == FORMAT)
    }

    /// What [`Verified::read`] found, if it was made under `seed`; else
    /// nothing kept.
    pub fn under(read: Option<Verified>, seed: &str) -> Verified {
        read.filter(|v| v.seed == seed).unwrap_or_else(|| Verified {
            format: FORMAT,
            seed: seed.to_string(),
            tokens: BTreeMap::new(),
        })
    }

    /// What the token of commit `id` proves, if it was verified before as
    /// these very bytes (the blob id `token`, `size` bytes long) over this
    /// very commit.
    pub fn get(&self, id: &str, token: &str, size: u64) -> Option<&TrustedTime> {
        self.tokens
            .get(id)
            .filter(|e| e.token == token && e.size == size)
            .map(|e| &e.time)
    }

    /// Whether keeping `entry` for commit `id` (or forgetting it, `None`)
    /// would change what is kept.
    pub fn differs(&self, id: &str, entry: Option<&Entry>) -> bool {
        self.tokens.get(id) != entry
    }

    /// Keep (`Some`) or forget (`None`) commit `id`'s result; whether
    /// that changed what is kept.
    pub fn set(&mut self, id: &str, entry: Option<Entry>) -> bool {
        match entry {
            Some(e) if self.tokens.get(id) == Some(&e) => false,
            Some(e) => {
                self.tokens.insert(id.to_string(), e);
                true
            }
            None => self.tokens.remove(id).is_some(),
        }
    }

    /// Write the file (then rename, so a reader never sees half of it).
    pub fn save(&self, git_dir: &Path) {
        crate::atomic::write_atomic(&path(git_dir), |w| serde_json::to_writer(w, self).is_ok());
    }
}
