//! The timestamps of a repository: for every signing commit, its token in
//! `timestamps/<commit id>.tsr` below the records root, verified against
//! the certificates `docket.toml` trusts (once, with the cache of
//! verified tokens: [`super::cache`]).
//!
//! A signing commit is the signature commit of some signed section (the
//! proofs name them). What a token covers is the commit object itself,
//! the exact bytes `git cat-file commit <id>` prints, its `gpgsig` header
//! included, hashed with SHA-256: not the SHA-1 commit id, which is weak,
//! and not the tree, which would leave the author, dates and signature out.
//! Tokens are read through the loader's guarded read: nothing outside the
//! records root, no file over 1 MiB. A token verified before, in a file
//! git's index vouches for by its stat, is taken from the cache without
//! being read; the guard's checks of its name and folder still apply.

use super::cache::{self, Entry, Verified};
use super::certs::{self, Cert, Trust};
use super::token;
use super::verdict::{Reject, Stamps, Token, TrustedTime};
use crate::history::{History, StatCache};
use crate::load::Guard;
use crate::model::{Config, TimestampPolicy, Timestamps};
use rayon::prelude::*;
use sha2::Digest;

/// Where the token of commit `id` is kept, relative to the records root.
pub fn token_path(id: &str) -> String {
    format!("timestamps/{id}.tsr")
}

/// Each file `[timestamps] certificates` names, in its order, with the
/// certificates it holds or why they cannot be read: what the trust is
/// made of, and what the audit page lists.
pub fn certificate_files(
    guard: &Guard,
    config: &Timestamps,
) -> Vec<(String, Result<Vec<Cert>, String>)> {
    config
        .certificates
        .iter()
        .map(|rel| {
            let certs = crate::load::read_inside(guard, rel).and_then(|bytes| {
                let bytes = bytes.ok_or_else(|| {
                    format!("{rel} (in docket.toml, [timestamps] certificates) does not exist")
                })?;
                certs::from_pem(&bytes).map_err(|e| format!("{rel}: {e}"))
            });
            (rel.clone(), certs)
        })
        .collect()
}

/// The certificates `[timestamps] certificates` names, read from the
/// records root.
pub fn trust(guard: &Guard, config: &Timestamps) -> Result<Trust, String> {
    let mut anchors = Vec::new();
    for (_, certs) in certificate_files(guard, config) {
        anchors.extend(certs?);
    }
    if anchors.is_empty() {
        return Err("docket.toml lists no TSA certificate ([timestamps] certificates)".into());
    }
    Ok(Trust::new(anchors))
}

/// SHA-256 of commit `id`'s raw object, as `git cat-file commit` prints it.
pub fn commit_digest(repo: &git2::Repository, id: &str) -> Result<[u8; 32], String> {
    let oid = git2::Oid::from_str(id).map_err(|e| format!("{id} is not a commit id: {e}"))?;
    let odb = repo.odb().map_err(|e| e.message().to_string())?;
    let object = odb
        .read(oid)
        .map_err(|e| format!("commit {id} cannot be read: {}", e.message()))?;
    if object.kind() != git2::ObjectType::Commit {
        return Err(format!("{id} is not a commit"));
    }
    Ok(sha2::Sha256::digest(object.data()).into())
}

/// Verify `token` (a DER `TimeStampResp`) as a timestamp of commit
/// `commit_id` of `repo`, trusting `trust`: the function the history and
/// rules stages call for one commit.
pub fn verify_commit(
    repo: &git2::Repository,
    commit_id: &str,
    token: &[u8],
    trust: &Trust,
) -> Result<TrustedTime, Reject> {
    let digest = commit_digest(repo, commit_id).map_err(Reject::Malformed)?;
    token::verify(token, &digest, trust).map(|v| v.time)
}

/// The signing commits of the history, each once, by index into its
/// commits (newest first, as the history lists them).
pub fn signing_commits(history: &History) -> Vec<usize> {
    let mut out: Vec<usize> = history
        .proofs
        .sections
        .iter()
        .filter_map(|p| p.commit)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The token of every signing commit, verified: what the rules read.
/// Empty when `[timestamps] policy` is off or there is no history. A
/// token verified in an earlier run as the same bytes over the same
/// commit under the same certificates is taken from the cache
/// ([`super::cache`]) unless the run uses no caches.
pub fn stamps(guard: &Guard, history: &History, config: &Config) -> Stamps {
    stamps_read(guard, history, config, None)
}

/// [`stamps`], with the cache of verified tokens read ahead if it was
/// (`Some`, [`Verified::read`]): at 50,000 orders 17 MB of JSON, a
/// twelfth of a second of one core, which the proofs before leave idle.
pub fn stamps_read(
    guard: &Guard,
    history: &History,
    config: &Config,
    ahead: Option<Option<Verified>>,
) -> Stamps {
    if config.timestamps.policy == TimestampPolicy::Off || history.unavailable.is_some() {
        return Stamps::default();
    }
    let trust = trust(guard, &config.timestamps);
    let mut kept = match (&trust, history.caches) {
        (Ok(t), true) => {
            let read = ahead.unwrap_or_else(|| Verified::read(&history.git_dir));
            Some(Verified::under(read, &cache::seed(t)))
        }
        _ => None,
    };
    let results: Vec<(usize, Token, Option<Option<Entry>>)> = signing_commits(history)
        .into_par_iter()
        .map_init(
            || git2::Repository::open(&history.git_dir).ok(),
            |repo, i| {
                let id = &history.commits[i].id;
                let rel = token_path(id);
                // A token verified before, in a file git's index vouches
                // for, is taken without reading it.
                let vouched = kept
                    .as_ref()
                    .zip(history.stat.as_deref())
                    .and_then(|(k, stat)| {
                        let (blob, size) = vouched(guard, stat, &rel)?;
                        k.get(id, &blob, size).cloned()
                    });
                if let Some(time) = vouched {
                    // As the cache keeps it: nothing to change there.
                    return (i, Token::Trusted(time), None);
                }
                let (token, hashes) = match crate::load::read_inside(guard, &rel) {
                    Ok(None) => (Token::Missing, None),
                    Err(e) => (Token::Rejected(Reject::Malformed(e)), None),
                    Ok(Some(bytes)) => match (&trust, repo.as_ref()) {
                        (Err(e), _) => (
                            Token::Rejected(Reject::UntrustedTsa(format!(
                                "the configured certificates cannot be read: {e}"
                            ))),
                            None,
                        ),
                        (Ok(_), None) => (
                            Token::Rejected(Reject::Malformed(
                                "the git repository cannot be opened".into(),
                            )),
                            None,
                        ),
                        (Ok(t), Some(repo)) => verify_kept(repo, id, &bytes, t, kept.as_ref()),
                    },
                };
                // With a cache, the valid ones are kept, and what it
                // keeps is compared here, on every core: at 50,000 orders
                // the comparisons took a tenth of a second on one.
                let change = kept.as_ref().and_then(|k| {
                    let entry = match (&token, hashes) {
                        (Token::Trusted(time), Some((token, size))) => Some(Entry {
                            token,
                            size,
                            time: time.clone(),
                        }),
                        _ => None,
                    };
                    k.differs(id, entry.as_ref()).then_some(entry)
                });
                (i, token, change)
            },
        )
        .collect();
    // The results go to the rules, moved, not copied: a big company has
    // tens of thousands of tokens, and this stage is near the build's
    // peak of memory. In order, so the map is built whole at once.
    let mut changed = false;
    let commits = results
        .into_iter()
        .map(|(i, token, change)| {
            if let (Some(kept), Some(entry)) = (kept.as_mut(), change) {
                changed |= kept.set(&history.commits[i].id, entry);
            }
            (i, token)
        })
        .collect();
    if let Some(kept) = kept.filter(|_| changed) {
        kept.save(&history.git_dir);
    }
    Stamps { commits }
}

/// The blob id of the token file `rel` when git's index vouches for it: a regular file in its own name (a
/// link is read, even one the guard follows), inside the records root,
/// whose size, times, inode and kind are those the index recorded; with
/// the file's size on disk.
fn vouched(guard: &Guard, stat: &StatCache, rel: &str) -> Option<(String, u64)> {
    let md = guard.plain_metadata(rel)?;
    stat.unchanged(rel, &md).map(|id| (id.to_string(), md.size))
}

/// Verify the token `bytes` of commit `id`, or take its result from
/// `kept` when it was verified before as these bytes over this commit;
/// with the blob id and size to keep it under (valid tokens, and only when
/// there is a cache to keep them in). A result taken from `kept` reads no commit
/// object: the id is that object's hash ([`super::cache`]).
fn verify_kept(
    repo: &git2::Repository,
    id: &str,
    bytes: &[u8],
    trust: &Trust,
    kept: Option<&Verified>,
) -> (Token, Option<(String, u64)>) {
    let size = bytes.len() as u64;
    let blob = kept.and_then(|_| {
        git2::Oid::hash_object(git2::ObjectType::Blob, bytes)
            .ok()
            .map(|b| (b.to_string(), size))
    });
    if let (Some(k), Some((blob, _))) = (kept, &blob)
        && let Some(time) = k.get(id, blob, size)
    {
        return (Token::Trusted(time.clone()), Some((blob.clone(), size)));
    }
    let digest = match commit_digest(repo, id) {
        Ok(d) => d,
        Err(e) => return (Token::Rejected(Reject::Malformed(e)), None),
    };
    match token::verify(bytes, &digest, trust) {
        Ok(v) => (Token::Trusted(v.time), blob),
        Err(why) => (Token::Rejected(why), None),
    }
}
