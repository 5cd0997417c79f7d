//! Reading the git repository itself: finding it above the records root,
//! the files of a commit, blobs and commit objects at need, and the check
//! of a commit's signature (read from the commit object, never from the
//! cached index).
//!
//! A git handle is not `Sync`, so everything that reads objects goes
//! through an [`Objects`], one per thread; the index ([`History`]) stays
//! plain data.

use super::fields::parse_table;
use super::index::{Commit, FileHistory, History, Revision};
use super::sig::{Keyring, SignatureCheck};
use crate::error::{Error, Result};
use crate::load::Table;
use std::collections::BTreeMap;
use std::path::Path;

impl History {
    /// How commit `i` is signed, checked against the keys of `people`
    /// (the same people every call: the keys are parsed once). The
    /// signature is read from the commit object, never from the cache.
    pub fn signature(
        &self,
        objects: &Objects,
        i: usize,
        people: &[crate::model::Person],
    ) -> SignatureCheck {
        let keyring = self.keyring.get_or_init(|| Keyring::new(people));
        let c = &self.commits[i];
        let verify = || keyring.check(&objects.repo, &c.id, c.signature);
        match self.checks.get(i) {
            Some(cell) => cell.get_or_init(verify).clone(),
            None => verify(),
        }
    }

    /// A reader of file contents at revisions.
    pub fn objects(&self) -> Result<Objects> {
        Ok(Objects {
            repo: git2::Repository::open(&self.git_dir)?,
        })
    }
}

/// The git repository holding `root` and the root's path inside its work
/// tree (`""` or `records/`); `None` without a (non-bare) repository.
pub fn discover(root: &Path) -> Result<Option<(git2::Repository, String)>> {
    let repo = match git2::Repository::discover(root) {
        Ok(r) => r,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let Some(workdir) = repo.workdir() else {
        return Ok(None);
    };
    let (Ok(workdir), Ok(canon_root)) = (workdir.canonicalize(), root.canonicalize()) else {
        return Ok(None);
    };
    let prefix = match canon_root.strip_prefix(&workdir) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", crate::load::rel_path(Path::new(""), rel)),
        Err(_) => return Ok(None),
    };
    Ok(Some((repo, prefix)))
}

/// Every file below the records root in a commit: path -> blob id.
pub fn files_at(
    repo: &git2::Repository,
    commit: git2::Oid,
    prefix: &str,
) -> Result<BTreeMap<String, git2::Oid>> {
    let mut out = BTreeMap::new();
    let tree = repo.find_commit(commit)?.tree()?;
    let sub = match prefix.trim_end_matches('/') {
        "" => tree,
        p => match tree.get_path(Path::new(p)) {
            Ok(e) => repo.find_tree(e.id())?,
            Err(_) => return Ok(out),
        },
    };
    sub.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
            out.insert(
                format!("{dir}{}", String::from_utf8_lossy(entry.name_bytes())),
                entry.id(),
            );
        }
        git2::TreeWalkResult::Ok
    })?;
    Ok(out)
}

/// Reads blobs out of the repository, one handle per user (a git handle is
/// not `Sync`).
pub struct Objects {
    pub repo: git2::Repository,
}

impl Objects {
    /// The bytes of a blob.
    pub fn blob(&self, id: &str) -> Result<Vec<u8>> {
        let oid = git2::Oid::from_str(id)?;
        Ok(self.repo.find_blob(oid)?.content().to_vec())
    }

    /// The parsed TOML of a revision; `None` when deleted or unparsable.
    pub fn table(&self, rev: &Revision) -> Option<Table> {
        let bytes = self.blob(rev.blob.as_deref()?).ok()?;
        parse_table(&rev.path, &bytes)
    }

    /// Every revision's parsed TOML, newest first, like `file.revisions`.
    pub fn tables(&self, file: &FileHistory) -> Vec<Option<Table>> {
        file.revisions.iter().map(|r| self.table(r)).collect()
    }

    /// A commit's author, committer and signature read from the commit
    /// object itself (not from the cached index).
    pub fn commit(&self, id: &str) -> Option<Commit> {
        let c = self.repo.find_commit(git2::Oid::from_str(id).ok()?).ok()?;
        Some(Commit::from_git(&c, c.parent_count() > 1))
    }
}

/// Resolve a revision (`HEAD~2`, a branch, a commit id) to a commit id; a
/// revision that names no commit is the user's to fix, so it is a usage
/// error.
pub fn resolve(repo: &git2::Repository, rev: &str) -> Result<git2::Oid> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map(|c| c.id())
        .map_err(|e| Error::Usage(format!("cannot find revision \"{rev}\": {}", e.message())))
}
