//! Stage 3: git history, read once.
//!
//! Commits are the signatures and the audit trail of the records (DESIGN.md
//! section 3; 21 CFR 11.10(e) and 11.50/11.70). This stage turns the git
//! repository above the records root into plain data that the rules and
//! the site can use without touching git again:
//!
//! - [`History::commits`]: every commit that touched a `*.toml` file below
//!   the records root, with author, committer, times and offsets, and how
//!   the commit is signed;
//! - [`History::files`]: for every file that ever existed, its revisions,
//!   newest first (commit, path at that commit, blob), following moves;
//! - [`History::worktree`]: files whose working copy differs from `HEAD`.
//!
//! The walk ([`walk`]) goes down the first-parent line of `HEAD` once and
//! compares trees itself, descending only into the records root and into
//! subtrees whose ids differ: libgit2's `diff_tree_to_tree` expands every
//! subtree and is 30-50 times slower on a long history. Changes a merge
//! brings in are attributed to the commits of the merged branch that made
//! them (docs/history.md has the decisions).
//!
//! The index holds no git handle, so it is `Sync` (the rules run in
//! parallel) and could be serialised and cached by head commit. What needs
//! the people of the model (is this signature valid, whose key is it) is
//! computed afterwards in [`proof`], and what needs file contents reads
//! blobs through [`Objects`].

mod cache;
pub mod fields;
pub mod proof;
pub mod sig;
pub mod timeline;
mod walk;
mod worktree;

pub use fields::{FieldChange, diff_tables};
pub use proof::{
    OrderHistory, Proof, ProofStatus, Proofs, SignatureBlock, SubstanceChange, prove, prove_only,
    substance,
};
pub use sig::{CommitSignature, Keyring, SignatureCheck};
pub use timeline::{Entry, timeline};

use crate::error::{Error, Result};
use crate::load::{Role, Table};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A person and moment as git records them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub name: String,
    pub email: String,
    /// Seconds since 1970, UTC.
    pub time: i64,
    /// The offset the person's clock had, in minutes east of UTC.
    pub offset_minutes: i32,
}

impl Stamp {
    fn from_git(s: &git2::Signature) -> Stamp {
        Stamp {
            name: String::from_utf8_lossy(s.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(s.email_bytes()).into_owned(),
            time: s.when().seconds(),
            offset_minutes: s.when().offset_minutes(),
        }
    }

    /// The time shown at `offset_seconds` (the company's time zone), like
    /// `2026-03-03 09:15:00 +08:00`.
    pub fn display_at(&self, offset_seconds: i32) -> String {
        let offset =
            jiff::tz::Offset::from_seconds(offset_seconds).unwrap_or(jiff::tz::Offset::UTC);
        match jiff::Timestamp::from_second(self.time) {
            Ok(ts) => {
                let (sign, secs) = if offset_seconds < 0 {
                    ('-', -offset_seconds)
                } else {
                    ('+', offset_seconds)
                };
                let zone = format!("{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60);
                format!(
                    "{} {zone}",
                    offset.to_datetime(ts).strftime("%Y-%m-%d %H:%M:%S")
                )
            }
            Err(_) => self.time.to_string(),
        }
    }

    /// The calendar date at `offset_seconds`.
    pub fn date_at(&self, offset_seconds: i32) -> Option<jiff::civil::Date> {
        let offset =
            jiff::tz::Offset::from_seconds(offset_seconds).unwrap_or(jiff::tz::Offset::UTC);
        jiff::Timestamp::from_second(self.time)
            .ok()
            .map(|ts| offset.to_datetime(ts).date())
    }
}

/// One commit of the audit trail.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Commit {
    /// The full hex id.
    pub id: String,
    pub author: Stamp,
    pub committer: Stamp,
    /// The first line of the message.
    pub summary: String,
    pub signature: CommitSignature,
    /// Whether this is a merge commit on the first-parent line.
    pub merge: bool,
}

impl Commit {
    pub fn short(&self) -> &str {
        &self.id[..self.id.len().min(10)]
    }
}

/// How a file came to be at a revision.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "from")]
pub enum Change {
    Added,
    Modified,
    /// Moved or renamed from this path (relative to the records root).
    Moved(String),
    Deleted,
}

/// One revision of one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Revision {
    /// Index into [`History::commits`].
    pub commit: usize,
    /// The file's path at this revision, relative to the records root.
    pub path: String,
    /// The blob id (hex) of the file after the commit; `None` when deleted.
    pub blob: Option<String>,
    pub change: Change,
}

/// The revisions of one file, followed across moves.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileHistory {
    /// The path now (or, for a deleted file, its last path).
    pub path: String,
    /// Newest first. A file that exists at `HEAD` never has a `Deleted`
    /// revision first.
    pub revisions: Vec<Revision>,
}

impl FileHistory {
    /// Whether the file is gone from `HEAD`.
    pub fn deleted(&self) -> bool {
        self.revisions
            .first()
            .is_some_and(|r| r.change == Change::Deleted)
    }
}

/// How a working-tree file differs from `HEAD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dirty {
    /// Changed since `HEAD`.
    Modified,
    /// Not in `HEAD` at all.
    Untracked,
    /// In `HEAD`, gone from the working tree.
    Deleted,
}

/// Why history is missing, when it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// No git repository above the records root.
    NoRepository,
    /// A shallow clone: the oldest commits are missing, so the first writer
    /// of a section cannot be known.
    Shallow,
}

impl Unavailable {
    pub fn describe(&self) -> &'static str {
        match self {
            Unavailable::NoRepository => "no git repository above the records root",
            Unavailable::Shallow => "the repository is a shallow clone",
        }
    }
}

/// The history index of a records root.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The repository's git folder, for reading blobs later.
    pub git_dir: PathBuf,
    /// The records root's path inside the work tree, `""` or `records/`.
    pub prefix: String,
    /// The commit `HEAD` points at, if any.
    pub head: Option<String>,
    pub shallow: bool,
    /// Commits that touched a file below the records root, newest first.
    pub commits: Vec<Commit>,
    /// Every `*.toml` file that ever existed, by its current (or last) path.
    pub files: BTreeMap<String, FileHistory>,
    /// Working-tree files that differ from `HEAD`, by path.
    pub worktree: BTreeMap<String, Dirty>,
    /// Why there is no history, when there is none; everything else is
    /// then empty.
    pub unavailable: Option<Unavailable>,
    /// What the history proves about the model's signed sections and
    /// orders, filled by [`prove`].
    pub proofs: Proofs,
    /// Each commit's checked signature, by index, filled on first use:
    /// verifying costs more than anything else about a commit, and a
    /// commit appears on several pages.
    checks: Vec<std::sync::OnceLock<SignatureCheck>>,
    keyring: std::sync::OnceLock<Keyring>,
}

impl History {
    /// Read the history of the git repository holding `root`; without one
    /// (or with a shallow one) the result says so in `unavailable`. `Err`
    /// is a repository git itself cannot read.
    pub fn open(root: &Path) -> Result<History> {
        let none = |why| {
            Ok(History {
                unavailable: Some(why),
                ..History::default()
            })
        };
        let Some((repo, prefix)) = discover(root)? else {
            return none(Unavailable::NoRepository);
        };
        if repo.is_shallow() {
            return none(Unavailable::Shallow);
        }
        use crate::timing::stage;
        let base = stage("history cache load", || cache::load(repo.path(), &prefix));
        let cached_head = base.as_ref().map(|b| b.head.to_string());
        let mut history = stage("history walk only", || walk::walk(&repo, &prefix, base))?;
        history.git_dir = repo.path().to_path_buf();
        history.checks = vec![std::sync::OnceLock::new(); history.commits.len()];
        if history.head != cached_head {
            stage("history cache save", || cache::save(&history));
        }
        history.worktree = stage("history worktree", || {
            worktree::worktree(&repo, &history, root)
        })?;
        Ok(history)
    }

    /// The history of a record by id (its file stem) or by path: a file
    /// that exists before a deleted one of the same id.
    pub fn find_record(&self, id: &str) -> Option<&FileHistory> {
        self.files
            .values()
            .filter(|f| stem(&f.path) == id || f.path == id)
            .min_by_key(|f| f.deleted())
    }

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

    /// A fingerprint of the revisions of the file now at `path` (commit
    /// ids, paths, blobs, how it changed): what anything derived from its
    /// history alone depends on. By commit id, since an index shifts with
    /// every new commit. `None` for a file without history.
    pub fn revisions_key(&self, path: &str) -> Option<u64> {
        let f = self.file(path)?;
        let mut fp = crate::fingerprint::Fingerprint::new(3);
        for r in &f.revisions {
            fp.str(&self.commits[r.commit].id)
                .str(&r.path)
                .str(r.blob.as_deref().unwrap_or("-"))
                .json(&r.change);
        }
        Some(fp.finish())
    }

    /// The history of the file now at `path`.
    pub fn file(&self, path: &str) -> Option<&FileHistory> {
        self.files.get(path)
    }

    pub fn commit(&self, rev: &Revision) -> &Commit {
        &self.commits[rev.commit]
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
    let c = repo
        .find_commit(commit)
        .map_err(|e| Error::object("commit", commit, "", &e))?;
    let tree = repo
        .find_tree(c.tree_id())
        .map_err(|e| Error::object("tree", c.tree_id(), format!("commit {commit}"), &e))?;
    let sub = match prefix.trim_end_matches('/') {
        "" => tree.id(),
        p => match tree.get_path(Path::new(p)) {
            Ok(e) => e.id(),
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(out),
            Err(e) => return Err(Error::object("tree", tree.id(), p, &e)),
        },
    };
    collect(repo, sub, "", &mut out)?;
    Ok(out)
}

/// The blobs below tree `id` (at `dir` below the records root).
fn collect(
    repo: &git2::Repository,
    id: git2::Oid,
    dir: &str,
    out: &mut BTreeMap<String, git2::Oid>,
) -> Result<()> {
    let shown = if dir.is_empty() {
        "the records root"
    } else {
        dir
    };
    let tree = repo
        .find_tree(id)
        .map_err(|e| Error::object("tree", id, shown, &e))?;
    for entry in tree.iter() {
        let name = String::from_utf8_lossy(entry.name_bytes());
        match entry.kind() {
            Some(git2::ObjectType::Tree) => {
                collect(repo, entry.id(), &format!("{dir}{name}/"), out)?;
            }
            Some(git2::ObjectType::Blob) => {
                out.insert(format!("{dir}{name}"), entry.id());
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads blobs out of the repository, one handle per user (a git handle is
/// not `Sync`).
///
/// Old revisions get the limits of the working tree: a blob larger than
/// [`crate::load::MAX_FILE_BYTES`] is refused by its size in the object
/// header, unread, so a 50 MB record committed years ago costs nothing.
/// An object that cannot be read at all is an error ([`Error::Object`],
/// exit 2) naming it and the file: a damaged repository must never look
/// like a record that was never signed.
pub struct Objects {
    pub repo: git2::Repository,
}

/// A file at one revision, as docket reads it.
#[derive(Debug, Clone)]
pub enum State {
    /// Not there (deleted by this revision).
    Deleted,
    Parsed(Table),
    /// There, but not read: too large, not UTF-8, not TOML. The message
    /// is the `parse` finding's.
    Unreadable(String),
}

impl State {
    pub fn table(&self) -> Option<&Table> {
        match self {
            State::Parsed(t) => Some(t),
            _ => None,
        }
    }

    pub fn into_table(self) -> Option<Table> {
        match self {
            State::Parsed(t) => Some(t),
            _ => None,
        }
    }

    /// Why the revision could not be read, if it could not.
    pub fn problem(&self) -> Option<&str> {
        match self {
            State::Unreadable(why) => Some(why),
            _ => None,
        }
    }
}

impl Objects {
    /// The bytes of the blob `id`, met as `path`; `Ok(Err(why))` when it
    /// is larger than docket reads.
    pub fn blob(&self, id: &str, path: &str) -> Result<Result<Vec<u8>, String>> {
        let oid = git2::Oid::from_str(id).map_err(|e| Error::object("blob", id, path, &e))?;
        read_blob(&self.repo, oid, path)
    }

    /// The file at a revision.
    pub fn state(&self, rev: &Revision) -> Result<State> {
        let Some(id) = rev.blob.as_deref() else {
            return Ok(State::Deleted);
        };
        Ok(match self.blob(id, &rev.path)? {
            Ok(bytes) => parse_state(&rev.path, &bytes),
            Err(why) => State::Unreadable(why),
        })
    }

    /// The parsed TOML of a revision; `None` when deleted or unreadable.
    pub fn table(&self, rev: &Revision) -> Result<Option<Table>> {
        Ok(self.state(rev)?.into_table())
    }

    /// Every revision's state, newest first, like `file.revisions`.
    pub fn states(&self, file: &FileHistory) -> Result<Vec<State>> {
        file.revisions.iter().map(|r| self.state(r)).collect()
    }

    /// A commit's author, committer and signature read from the commit
    /// object itself (not from the cached index).
    pub fn commit(&self, id: &str) -> Result<Commit> {
        let oid = git2::Oid::from_str(id).map_err(|e| Error::object("commit", id, "", &e))?;
        let c = self
            .repo
            .find_commit(oid)
            .map_err(|e| Error::object("commit", id, "", &e))?;
        Ok(walk::info(&c, c.parent_count() > 1))
    }

    /// Resolve a revision (`HEAD~2`, a branch, a commit id) to a commit id.
    pub fn resolve(&self, rev: &str) -> Result<git2::Oid> {
        let obj = self.repo.revparse_single(rev).map_err(|e| {
            Error::Usage(format!("cannot find revision \"{rev}\": {}", e.message()))
        })?;
        Ok(obj.peel_to_commit()?.id())
    }
}

/// Read a blob met as `path`, refusing one larger than the loader reads by
/// the size in its header (nothing is inflated). `Ok(Err(why))` is a blob
/// that is too large; `Err` one that cannot be read.
pub fn read_blob(
    repo: &git2::Repository,
    oid: git2::Oid,
    path: &str,
) -> Result<Result<Vec<u8>, String>> {
    let err = |e: git2::Error| Error::object("blob", oid, path, &e);
    let size = blob_size(repo, oid, path)?;
    if size > crate::load::MAX_FILE_BYTES {
        return Ok(Err(crate::load::Refused::TooLarge(
            crate::load::MAX_FILE_BYTES,
        )
        .why()));
    }
    let blob = repo.find_blob(oid).map_err(err)?;
    Ok(Ok(blob.content().to_vec()))
}

/// The size of a blob, from its object header.
pub fn blob_size(repo: &git2::Repository, oid: git2::Oid, path: &str) -> Result<u64> {
    let err = |e: git2::Error| Error::object("blob", oid, path, &e);
    let (size, kind) = repo.odb().map_err(err)?.read_header(oid).map_err(err)?;
    if kind != git2::ObjectType::Blob {
        return Err(Error::Object {
            kind: "blob",
            id: oid.to_string(),
            path: path.to_string(),
            message: format!("it is a {kind}, not a blob"),
        });
    }
    Ok(size as u64)
}

/// A revision's bytes parsed as the loader parses a file.
pub fn parse_state(path: &str, bytes: &[u8]) -> State {
    match crate::load::parse_bytes(path.to_string(), Role::Config, bytes) {
        Ok(d) => State::Parsed(d.root),
        Err(f) => State::Unreadable(f.message),
    }
}

/// A path's file name without `.toml`: a record's id.
pub fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".toml").unwrap_or(name)
}

/// Short commit ids of the form git prints.
pub fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}
