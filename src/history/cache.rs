//! The history index, kept between runs.
//!
//! Reading the whole history costs time in proportion to the number of
//! commits; a check after one new commit should cost that commit. The index
//! is plain data, so after each walk it is written to
//! `<git dir>/docket/history.json`, keyed by the head commit and the
//! records root's place in the work tree. The next walk stops when it
//! reaches that head on the first-parent line and continues the cached
//! histories (see [`super::walk`]); if the head is not on the line any more
//! (history rewritten), or the file is unreadable or of another format, the
//! walk reads everything, as without a cache.
//!
//! The cache lives inside `.git` and is trusted as `.git` is. What proves a
//! signature (the signature commit's author and SSH signature) is read
//! again from the commit object when proving (see [`super::proof`]), so a
//! doctored cache cannot make an unsigned commit look signed. CI runs from
//! a fresh clone never have a cache. Failing to write it is not an error.

use super::sig::CommitSignature;
use super::walk::Base;
use super::{Commit, FileHistory, History, Stamp};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Raised whenever what is cached or how it is read changes.
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    prefix: String,
    head: String,
    commits: Vec<CachedCommit>,
    files: Vec<FileHistory>,
}

#[derive(Serialize, Deserialize)]
struct CachedCommit {
    id: String,
    author: Stamp,
    committer: Stamp,
    summary: String,
    merge: bool,
    /// "unsigned", "ssh", "openpgp" or "unknown".
    signature: String,
    armor: Option<String>,
    /// The signed payload, hex.
    payload: Option<String>,
}

fn path(git_dir: &Path) -> PathBuf {
    git_dir.join("docket").join("history.json")
}

/// The cached index for this records root, if there is a usable one.
pub(super) fn load(git_dir: &Path, prefix: &str) -> Option<Base> {
    let bytes = std::fs::read(path(git_dir)).ok()?;
    let file: CacheFile = serde_json::from_slice(&bytes).ok()?;
    if file.format != FORMAT || file.prefix != prefix {
        return None;
    }
    let mut commits = Vec::with_capacity(file.commits.len());
    for c in file.commits {
        let signature = match (c.signature.as_str(), c.armor, c.payload) {
            ("unsigned", ..) => CommitSignature::Unsigned,
            ("ssh", Some(armor), Some(payload)) => CommitSignature::Ssh {
                armor,
                payload: unhex(&payload)?,
            },
            ("openpgp", ..) => CommitSignature::OpenPgp,
            ("unknown", ..) => CommitSignature::Other,
            _ => return None,
        };
        commits.push(Commit {
            id: c.id,
            author: c.author,
            committer: c.committer,
            summary: c.summary,
            signature,
            merge: c.merge,
        });
    }
    let count = commits.len();
    let valid = file
        .files
        .iter()
        .flat_map(|f| &f.revisions)
        .all(|r| r.commit < count);
    valid.then_some(Base {
        head: git2::Oid::from_str(&file.head).ok()?,
        commits,
        files: file.files,
    })
}

/// Write the index for the next run; failures are ignored (a read-only
/// repository simply gets no cache).
pub(super) fn save(history: &History) {
    let Some(head) = &history.head else { return };
    let file = CacheFile {
        format: FORMAT,
        prefix: history.prefix.clone(),
        head: head.clone(),
        commits: history
            .commits
            .iter()
            .map(|c| {
                let (armor, payload) = match &c.signature {
                    CommitSignature::Ssh { armor, payload } => {
                        (Some(armor.clone()), Some(hex(payload)))
                    }
                    _ => (None, None),
                };
                CachedCommit {
                    id: c.id.clone(),
                    author: c.author.clone(),
                    committer: c.committer.clone(),
                    summary: c.summary.clone(),
                    merge: c.merge,
                    signature: c.signature.kind().to_string(),
                    armor,
                    payload,
                }
            })
            .collect(),
        files: history.files.values().cloned().collect(),
    };
    let Ok(json) = serde_json::to_vec(&file) else {
        return;
    };
    let target = path(&history.git_dir);
    let Some(dir) = target.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    // Write then rename, so a reader never sees half a file.
    let tmp = dir.join(format!("history.json.{}", std::process::id()));
    if std::fs::write(&tmp, json).is_ok() && std::fs::rename(&tmp, &target).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
