//! Getting tokens: for every signing commit without one, ask a TSA, check
//! the reply exactly as a check will (against the certificates
//! `docket.toml` trusts, the nonce included), and keep it as
//! `timestamps/<commit id>.tsr`.
//!
//! A token that would not count is never stored. Each is written to a
//! temporary file and renamed, so an interrupted run leaves whole tokens
//! or none. A token already there is never replaced, even when it does not
//! verify: it is reported, and deleting it asks for a new one (a new token
//! would carry a later time). `docket stamp` asks a TSA over HTTP; the demo
//! signs with docket's own TSA ([`issue`](super::issue)) the same way.

use super::certs::Trust;
use super::issue::Signer;
use super::request::request;
use super::stamps::{commit_digest, signing_commits, token_path, trust, verify_commit};
use super::token;
use super::verdict::Reject;
use crate::error::{Error, Result};
use crate::history::{Commit, History};
use rayon::prelude::*;
use std::path::Path;

/// Where tokens come from.
pub enum Tsa<'a> {
    /// A TSA reached by HTTP POST at this URL.
    Http(&'a str),
    /// docket's own TSA (the demo): each token dated `after` seconds past
    /// the commit's committer time, nonce and serial taken from the
    /// commit's digest, so the same commits give the same tokens.
    Local { signer: &'a Signer, after: i64 },
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Stamped {
    /// Commits stamped now (full ids, oldest first).
    pub stamped: Vec<String>,
    /// Signing commits that already had a valid token.
    pub had: usize,
    /// Signing commits with a token that does not verify, and why.
    pub invalid: Vec<(String, Reject)>,
}

/// Stamp every signing commit of the records below `root` without a
/// token, from `tsa`.
pub fn stamp(root: &Path, model: &crate::model::Model, tsa: &Tsa) -> Result<Stamped> {
    let mut history = History::open(root)?;
    if let Some(why) = &history.unavailable {
        return Err(Error::Usage(format!(
            "nothing can be stamped: {} (docket stamp needs the full git history)",
            why.describe()
        )));
    }
    crate::history::prove(&mut history, model)?.save();
    let trust = trust(&model.guard, &model.config.timestamps).map_err(|e| {
        Error::Timestamp(format!(
            "cannot check the TSA's replies, so nothing was asked: {e}"
        ))
    })?;
    let repo = git2::Repository::open(&history.git_dir)?;
    let mut done = Stamped::default();
    let mut todo = Vec::new();
    // Oldest first: if the TSA goes away halfway, the oldest are covered.
    for i in signing_commits(&history).into_iter().rev() {
        let id = &history.commits[i].id;
        match crate::load::read_inside(&model.guard, &token_path(id)) {
            Ok(None) => todo.push(i),
            Ok(Some(bytes)) => match verify_commit(&repo, id, &bytes, &trust) {
                Ok(_) => done.had += 1,
                Err(why) => done.invalid.push((id.clone(), why)),
            },
            Err(e) => done.invalid.push((id.clone(), Reject::Malformed(e))),
        }
    }
    if todo.is_empty() {
        return Ok(done);
    }
    tokens_dir(root)?;
    let one =
        |repo: &git2::Repository, i: usize| stamp_one(root, repo, &history.commits[i], tsa, &trust);
    let results: Vec<Result<String>> = match tsa {
        // One request at a time: a public TSA is a shared service.
        Tsa::Http(_) => {
            let mut out = Vec::new();
            for i in todo {
                let r = one(&repo, i);
                let failed = r.is_err();
                out.push(r);
                if failed {
                    break;
                }
            }
            out
        }
        Tsa::Local { .. } => todo
            .into_par_iter()
            .map_init(
                || git2::Repository::open(&history.git_dir),
                |repo, i| match repo {
                    Ok(repo) => one(repo, i),
                    Err(e) => Err(Error::Git(e.message().to_string())),
                },
            )
            .collect(),
    };
    for r in results {
        match r {
            Ok(id) => done.stamped.push(id),
            Err(e) => {
                return Err(match e {
                    Error::Timestamp(msg) if !done.stamped.is_empty() => Error::Timestamp(format!(
                        "{msg} ({} tokens were stored before this and are complete)",
                        done.stamped.len()
                    )),
                    other => other,
                });
            }
        }
    }
    Ok(done)
}

/// `timestamps/`, made if missing; refused if it is a link, which could
/// put tokens outside the records root.
fn tokens_dir(root: &Path) -> Result<()> {
    let dir = root.join("timestamps");
    match std::fs::symlink_metadata(&dir) {
        Ok(md) if md.file_type().is_symlink() || !md.is_dir() => Err(Error::Usage(format!(
            "{} is not a folder (a link or a file): tokens are written only into a real timestamps/ folder",
            dir.display()
        ))),
        Ok(_) => Ok(()),
        Err(_) => std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e)),
    }
}

/// Ask for, verify and store the token of one commit; its id.
fn stamp_one(
    root: &Path,
    repo: &git2::Repository,
    c: &Commit,
    tsa: &Tsa,
    trust: &Trust,
) -> Result<String> {
    let digest = commit_digest(repo, &c.id).map_err(Error::Git)?;
    let (nonce, reply) = match tsa {
        Tsa::Http(url) => {
            let nonce = fastrand::u64(..);
            let reply =
                crate::tsa::http::post(url, &request(&digest, nonce)).map_err(Error::Timestamp)?;
            (nonce, reply)
        }
        Tsa::Local { signer, after } => {
            let word =
                |at: usize| u64::from_be_bytes(digest[at..at + 8].try_into().expect("8 bytes"));
            let nonce = word(0);
            let serial = word(8) >> 1;
            let time = c.committer.time + after + i64::from(digest[16] % 120);
            (
                nonce,
                signer.respond(&request(&digest, nonce), time, serial),
            )
        }
    };
    let verified = token::verify(&reply, &digest, trust).map_err(|why| {
        Error::Timestamp(format!(
            "the TSA's reply for commit {} was not stored: {why}",
            c.id
        ))
    })?;
    if verified.nonce.as_deref() != Some(token::strip_zeros(&nonce.to_be_bytes())) {
        return Err(Error::Timestamp(format!(
            "the TSA's reply for commit {} answers another request (its nonce differs); it was not stored",
            c.id
        )));
    }
    write_atomic(root, &token_path(&c.id), &reply)?;
    Ok(c.id.clone())
}

/// Write `bytes` to `rel` below `root` through a temporary file and a
/// rename: a reader sees the whole file or none.
fn write_atomic(root: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = root.join(rel);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = (|| {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(&path, e));
    }
    Ok(())
}
