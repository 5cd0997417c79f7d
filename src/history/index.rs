//! The history index: what one pass over git leaves behind, as plain
//! data. Commits with their authors, times and signature kinds; every
//! record file's revisions, newest first, followed across moves; the
//! working tree's differences from `HEAD`; and, once proven, what the
//! history says about the signed sections.
//!
//! It holds no git handle, so it is `Sync` (the rules and the site read it
//! from every core) and can be cached by head commit (`cache.rs`). Reading
//! the repository is `walk.rs` and `repo.rs`; this file only describes and
//! looks up.

use super::fields::Revised;
use super::governance::Governance;
use super::proof::Proofs;
use super::sig::{CommitSignature, SignatureCheck};
use std::collections::BTreeMap;
use std::path::PathBuf;

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
        super::clock::time_at(self.time, offset_seconds)
    }

    /// The calendar date at `offset_seconds`.
    pub fn date_at(&self, offset_seconds: i32) -> Option<jiff::civil::Date> {
        super::clock::date_at(self.time, offset_seconds)
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
    /// The commit's position on the first-parent line of `HEAD` (the root
    /// commit is 0), when it is on that line. Positions count from the
    /// root, so they stay the same as commits are added.
    pub line: Option<usize>,
    /// For a commit a merge brought in (a branch commit): the position of
    /// that merge.
    pub via: Option<usize>,
    /// For a branch commit: the position of the newest first-parent commit
    /// it descends from (where its branch left the line, or last merged
    /// it in). The policy in force for it is the one at that commit.
    pub fork: Option<usize>,
}

impl Commit {
    pub fn short(&self) -> &str {
        short(&self.id)
    }

    /// What the index keeps of a git commit; `merge` when it is a merge
    /// on the first-parent line.
    pub(super) fn from_git(c: &git2::Commit, merge: bool) -> Commit {
        Commit {
            id: c.id().to_string(),
            author: Stamp::from_git(&c.author()),
            committer: Stamp::from_git(&c.committer()),
            summary: String::from_utf8_lossy(c.summary_bytes().unwrap_or_default()).into_owned(),
            signature: CommitSignature::of(c),
            merge,
            line: None,
            via: None,
            fork: None,
        }
    }

    /// The signing time's calendar date at `offset_seconds`: a commit's
    /// committer time is when it was made (docs/history.md).
    pub fn signed_on(&self, offset_seconds: i32) -> Option<jiff::civil::Date> {
        self.committer.date_at(offset_seconds)
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
    /// [`History::revisions_key`], made on first use: the proofs and the
    /// site's pages both ask for most files' (a fifth of a second of
    /// work at 50,000 orders, each time).
    #[serde(skip)]
    pub key: Memo,
}

/// A value made from the rest of its struct on first use: no part of
/// what the struct is, so equal to any other.
#[derive(Debug, Clone, Default)]
pub struct Memo(std::sync::OnceLock<u64>);

impl PartialEq for Memo {
    fn eq(&self, _: &Memo) -> bool {
        true
    }
}

impl Eq for Memo {}

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
    /// Every commit of the first-parent line (the whole line: commit times
    /// are checked along it), and the commits merges brought in that
    /// touched a file below the records root; newest first.
    pub commits: Vec<Commit>,
    /// Every `*.toml` file that ever existed, and the other controlled
    /// documents (`procedure.md`, `tsa/*.pem`), by current (or last) path.
    pub files: BTreeMap<String, FileHistory>,
    /// Working-tree files that differ from `HEAD`, by path.
    pub worktree: BTreeMap<String, Dirty>,
    /// Why there is no history, when there is none; everything else is
    /// then empty.
    pub unavailable: Option<Unavailable>,
    /// What the history proves about the model's signed sections and
    /// orders, filled by [`prove`](super::prove).
    pub proofs: Proofs,
    /// The changes to the controlled documents and the policy in force
    /// after each, filled by [`govern`](super::govern).
    pub governance: Governance,
    /// The RFC 3161 token of every signing commit, verified: filled after
    /// the proofs by [`crate::tsa::stamps()`] when timestamps are on.
    pub stamps: crate::tsa::verdict::Stamps,
    /// Whether this run read and wrote the caches in `<git dir>/docket`
    /// (`false` with `--no-cache`, and without a repository).
    pub caches: bool,
    /// The repository's grafts (`repo::grafts`, 0 without): what the
    /// caches of the walk and the proofs are kept under.
    pub grafts: u64,
    /// Commits a published site was built from that are no longer in the
    /// history of `HEAD`, filled by [`rewrites`](super::rewrite::rewrites)
    /// when the command was given the site.
    pub rewrites: Vec<super::lost::Rewrite>,
    /// Each commit's checked signature, by index, filled on first use:
    /// verifying costs more than anything else about a commit, and a
    /// commit appears on several pages. A commit is always checked
    /// against the keys of the policy in force for it, so one check per
    /// commit holds.
    pub(super) checks: Vec<std::sync::OnceLock<SignatureCheck>>,
    /// Each commit's SSH signature as the walk verified it, by index, when
    /// the walk was asked to (a build that renders every page shows every
    /// commit's signature; the walk leaves a core idle that verifying
    /// fills); `None` for a commit to verify when first asked.
    pub(super) sealed: Vec<Option<std::sync::Arc<super::sig::Sealed>>>,
    /// The Ed25519 keys met by the signatures verified when first asked,
    /// each decompressed once (as the walk's are, `sig::Keys`): a build
    /// that lays out every page after a walk that continued the cache
    /// verifies every signature of the history there.
    pub(super) keys: std::sync::Arc<super::sig::Keys>,
    /// How many SSH signatures were verified when first asked, not by
    /// the walk (for `DOCKET_TIMINGS`).
    pub(super) verified_when_asked: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// What each revision of a file did, newest first, for the site's
    /// timelines: kept by [`prove`](super::prove) for each file it read
    /// revision by revision, when [`History::keep_revised`] asks, so that
    /// a build does not read and parse every old revision twice.
    pub revised: KeptRevisions,
    /// Whether [`prove`](super::prove) keeps [`History::revised`]: a build
    /// shows timelines, a check does not.
    pub keep_revised: bool,
    /// `proofs.json` as read beside the working tree's check, with the
    /// seed it was written under, for [`prove`](super::prove) to take if
    /// the seed is its own (`None`: not read then, read by the proofs).
    pub(super) proofs_read:
        Option<Option<(super::proofs_file::Made, super::proofs_file::ProofsRead)>>,
    /// git's index as a stat cache, read for the working tree's check and
    /// kept for the timestamp tokens; `None` for a history of another
    /// commit than `HEAD`, which has no working tree.
    pub stat: Option<std::sync::Arc<super::stat::StatCache>>,
    /// Whether this run's walk read every commit itself, continuing no
    /// cached history: each revision is then what git's trees said a
    /// moment ago, and anchoring most first-parent commits against git
    /// (`anchor.rs`) would only read the same trees again.
    pub fresh: bool,
    /// The commit at each first-parent position, made on first use
    /// (`History::positions`), once the walk has made the index.
    pub(super) by_position: std::sync::OnceLock<Vec<Option<usize>>>,
}

impl History {
    /// The history of a record by id (its file stem) or by path: a file
    /// that exists before a deleted one of the same id. Only TOML files
    /// are records (`procedure.md` is followed for governance only).
    pub fn find_record(&self, id: &str) -> Option<&FileHistory> {
        self.files
            .values()
            .filter(|f| f.path.ends_with(".toml"))
            .filter(|f| crate::load::stem(&f.path) == id || f.path == id)
            .min_by_key(|f| f.deleted())
    }

    /// The commits of the first-parent line, root first (index into
    /// [`History::commits`]).
    pub fn line(&self) -> Vec<usize> {
        self.positions().iter().flatten().copied().collect()
    }

    /// The commit at first-parent position `p` (index into
    /// [`History::commits`]).
    pub fn at_position(&self, p: usize) -> Option<usize> {
        self.positions().get(p).copied().flatten()
    }

    /// How long the first-parent line is: one past the newest position.
    pub fn line_length(&self) -> usize {
        self.positions().len()
    }

    /// The commit at each first-parent position: positions count the line
    /// from its root, and the line is among the commits, so a list by
    /// position, made once the walk has made the index (a map of 300,000
    /// commits at 50,000 orders took longer to fill than the governance
    /// it served).
    fn positions(&self) -> &[Option<usize>] {
        self.by_position.get_or_init(|| {
            let len = self.commits.iter().filter_map(|c| c.line).max();
            let mut table = vec![None; len.map_or(0, |p| p + 1)];
            for (i, c) in self.commits.iter().enumerate() {
                if let Some(p) = c.line {
                    table[p] = Some(i);
                }
            }
            table
        })
    }

    /// A fingerprint of the revisions of the file now at `path` (commit
    /// ids, paths, blobs, how it changed) and of where each commit stands
    /// (on the main line, or brought in by which merge from where): what
    /// anything derived from its history alone depends on. By commit id
    /// and first-parent positions, which stay as commits are added; a
    /// commit whose standing changes (a merge put another line first) is
    /// judged under other rules. `None` for a file without history.
    pub fn revisions_key(&self, path: &str) -> Option<u64> {
        self.file(path).map(|f| self.revisions_key_of(f))
    }

    /// [`History::revisions_key`] of a file already found.
    pub fn revisions_key_of(&self, f: &FileHistory) -> u64 {
        let key = *f.key.0.get_or_init(|| self.key_of(f));
        // Made once per file, after the walk made the index: nothing
        // changes the revisions after it (a test build checks).
        debug_assert_eq!(key, self.key_of(f), "{}", f.path);
        key
    }

    fn key_of(&self, f: &FileHistory) -> u64 {
        let mut fp = crate::fingerprint::Fingerprint::new(3);
        let pos = |p: Option<usize>| p.map_or(u64::MAX, |p| p as u64);
        for r in &f.revisions {
            let c = &self.commits[r.commit];
            fp.str(&c.id)
                .u64(pos(c.line))
                .u64(pos(c.via))
                .u64(pos(c.fork))
                .str(&r.path)
                .str(r.blob.as_deref().unwrap_or("-"));
            // A branch commit is judged by the rules of the merge that
            // brought it in too, and its proof names that merge.
            if let Some(merge) = c.via.and_then(|v| self.at_position(v)) {
                fp.str(&self.commits[merge].id);
            }
            // Each kind by a name of its own, not through serde: this runs
            // for every revision of every file twice a build.
            match &r.change {
                Change::Added => fp.str("added"),
                Change::Modified => fp.str("modified"),
                Change::Moved(from) => fp.str("moved").str(from),
                Change::Deleted => fp.str("deleted"),
            };
        }
        fp.finish()
    }

    /// The history of the file now at `path`.
    pub fn file(&self, path: &str) -> Option<&FileHistory> {
        self.files.get(path)
    }

    pub fn commit(&self, rev: &Revision) -> &Commit {
        &self.commits[rev.commit]
    }
}

/// Short commit ids of the form git prints.
pub fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}

/// What each revision of a file did, by file, kept for the one page that
/// shows it: [`KeptRevisions::take`] hands a file's list over, so the
/// memory goes as the pages are written (at 10,000 orders the lists
/// together hold about 12 MiB, and a build's peak is reached while the
/// record pages are written).
#[derive(Debug, Default)]
pub struct KeptRevisions(std::sync::Mutex<BTreeMap<String, Vec<Revised>>>);

impl KeptRevisions {
    pub fn insert(&mut self, file: String, revised: Vec<Revised>) {
        self.0
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .insert(file, revised);
    }

    /// The list of `file`, taken: a second call finds none.
    pub fn take(&self, file: &str) -> Option<Vec<Revised>> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(file)
    }
}

impl Clone for KeptRevisions {
    fn clone(&self) -> Self {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        KeptRevisions(std::sync::Mutex::new(kept))
    }
}
