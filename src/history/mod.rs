//! Stage 3: git history, read once.
//!
//! Commits are the signatures and the audit trail of the records
//! (docs/history.md; 21 CFR 11.10(e) and 11.50/11.70). This stage turns
//! the git repository above the records root into plain data that the
//! rules and the site can use without touching git again:
//!
//! - [`History::commits`]: every commit that touched a `*.toml` file below
//!   the records root, with author, committer, times and offsets, and how
//!   the commit is signed;
//! - [`History::files`]: for every file that ever existed, its revisions,
//!   newest first (commit, path at that commit, blob), following moves;
//! - [`History::worktree`]: files whose working copy differs from `HEAD`;
//! - [`History::proofs`]: after [`prove`], the signature commit and status
//!   of every signed section and each order's substance history.
//!
//! The walk (`walk.rs`) goes down the first-parent line of `HEAD` once and
//! compares trees itself (`trees.rs`), descending only into the records
//! root and into subtrees whose ids differ: libgit2's `diff_tree_to_tree`
//! expands every subtree and is 30-50 times slower on a long history.
//! Changes a merge brings in are attributed to the commits of the merged
//! branch that made them (docs/history.md has the decisions).
//!
//! The parts, each in its own file: the index ([`index`]: the plain data
//! and its lookups), reading the repository (`repo.rs`: blobs within the
//! loader's size limit, commits, signature checks; an object git cannot
//! read is an error naming it, never a finding), the walk and its tree
//! comparison, the working tree, the cache, what a proof is (`proof.rs`),
//! proving (`prove.rs`), a file's states over time (`states.rs`), an
//! order's substance (`substance.rs`), field-level differences and a
//! revision as read ([`fields`]), the audit trail ([`timeline()`]) and the
//! comparison of two commits (`changes.rs`, for `diff` and `check
//! --base`). This file only declares them and opens the history.

mod alloc;
mod anchor;
mod apart;
mod cache;
pub mod changes;
mod clock;
mod controlled;
mod converts;
pub mod covers;
pub mod fields;
mod govern;
pub mod governance;
pub mod index;
mod index_file;
mod lineage;
mod lost;
pub mod proof;
mod proofs_file;
mod prove;
pub mod regime;
mod repo;
mod revoked;
pub mod rewrite;
pub mod sig;
pub mod signers;
mod stat;
mod states;
pub mod substance;
pub mod timeline;
mod trees;
mod walk;
mod worktree;

pub use alloc::libgit2_uses_mimalloc;
pub use changes::{Changes, Invalidated, RecordChange, changed_since, compare};
pub use clock::{date_at, time_at};
pub use covers::{COVERAGE, Covers};
pub use fields::{FieldChange, Revised, State, diff_tables, parse_state, revisions_changed};
pub use govern::govern;
pub use governance::{Event, FileChange, Governance, Listed, Status};
pub use index::{Change, Commit, Dirty, FileHistory, History, Revision, Stamp, Unavailable, short};
pub use lost::{LOST_READ, LOST_SHOWN, LeftLine, LostCommit, LostRecord, Published, Rewrite};
pub use proof::{Proof, ProofState, ProofStatus, Proofs, Shown, SshVerdict};
pub use prove::{Unsaved, prove, prove_only};
pub use regime::{Regime, SIGNATURE_RULES};
pub use repo::{Objects, blob_size, discover, read_blob, read_state, resolve};
pub use revoked::judge_revoked_on_trusted_time;
pub use sig::{CommitSignature, Keyring, SignatureCheck};
pub use stat::StatCache;
pub use substance::{OrderHistory, SubstanceChange, substance};
pub use timeline::{Entry, timeline};
pub use trees::files_at;
pub use walk::FirstParents;

use crate::error::Result;
use std::path::Path;

/// Put the governed policy in force at `HEAD` in place of the working
/// tree's signature settings: `policy.signatures`, the tolerance, the
/// governance roles and the `[rules]` overrides of the signature rules.
/// An uncommitted or ungoverned change to them is never in force; every
/// other setting (company, deadlines, the other rules) still comes from
/// the working tree, so a local edit previews. Without history the
/// working tree's settings stand.
pub fn apply_governed(config: &mut crate::model::Config, history: &History) {
    if !history.governance.ready {
        return;
    }
    let r = history.governance.current();
    config.policy.signatures = r.signatures;
    config.policy.date_tolerance_days = r.tolerance_days;
    config.policy.governance = r.governance.clone();
    for rule in SIGNATURE_RULES {
        match r.rules.get(rule) {
            Some(level) => config.rules.insert(*rule, *level),
            None => config.rules.remove(rule),
        };
    }
}

impl History {
    /// Read the history of the git repository holding `root`; without one
    /// (or with a shallow one) the result says so in `unavailable`. `Err`
    /// is a repository git itself cannot read.
    pub fn open(root: &Path) -> Result<History> {
        History::open_with(root, None, true)
    }

    /// [`History::open`] for the history of `start` instead of `HEAD`
    /// when given (`docket diff` judges the range it is given; only
    /// `HEAD`'s history is cached, and only `HEAD` has a working tree),
    /// reading and writing the caches in `<git dir>/docket` only when
    /// `caches` is true (`--no-cache`: everything is read from git,
    /// nothing is written).
    pub fn open_with(root: &Path, start: Option<git2::Oid>, caches: bool) -> Result<History> {
        History::walk(root, start, caches, false, None, None)?.worktree(root, None)
    }

    /// The first half of [`History::open_with`]: the commits and git's
    /// index, read from what git writes whole (objects that never change,
    /// `HEAD`, the index) and from docket's cache, so it may run beside
    /// the loading of the records. The working tree is compared with
    /// `HEAD` by [`Walked::worktree`], after the records were read, by
    /// the stat each record had as it was read: what is judged is the
    /// text that was checked, not what the file holds a moment later.
    ///
    /// With `seal`, the walk also verifies the SSH signature of every
    /// commit it reads (a build about to show every commit's signature).
    /// `listed` is `HEAD`'s first-parent line as [`list_beside_load`]
    /// listed it, used if `HEAD` is still that commit and no cached index
    /// is continued. `index` is git's index as [`git_index`] read it,
    /// if it was (else it is read here, beside the walk).
    pub fn walk(
        root: &Path,
        start: Option<git2::Oid>,
        caches: bool,
        seal: bool,
        listed: Option<FirstParents>,
        index: Option<StatCache>,
    ) -> Result<Walked> {
        let none = |why| {
            Ok(Walked {
                history: History {
                    unavailable: Some(why),
                    ..History::default()
                },
                rest: None,
            })
        };
        let Some((repo, prefix)) = discover(root)? else {
            return none(Unavailable::NoRepository);
        };
        if repo.is_shallow() {
            return none(Unavailable::Shallow);
        }
        let grafts = repo::grafts(&repo);
        let caches = caches && grafts.is_some();
        use crate::timing::stage;
        // git's index is read beside the cached index and the walk, which
        // keep one core busy (a quarter of a second at 50,000 orders);
        // the files are compared with it after.
        let git_dir = repo.path().to_path_buf();
        let top = repo.workdir().map(Path::to_path_buf);
        // A second history in one process walks as the first did. Set
        // before any thread reads a repository (`repo::tune_for`).
        repo::tune_for(repo::Reading::Walk);
        let index = index.filter(|_| start.is_none());
        let (base, history, stat) = std::thread::scope(|s| {
            let stat = (start.is_none() && index.is_none()).then(|| {
                s.spawn(|| {
                    stage("history index", || {
                        StatCache::new(&git_dir, top.as_deref(), &prefix)
                    })
                })
            });
            let base = caches
                .then(|| {
                    stage("history cache load", || {
                        cache::load(repo.path(), &prefix, grafts)
                    })
                })
                .flatten();
            let cached = base.as_ref().map(|b| b.commits.len());
            let history = stage("history walk only", || {
                walk::walk(&repo, &prefix, base, start, seal, listed)
            });
            let stat = stat.map(crate::joined).or(index);
            (cached, history, stat)
        });
        let mut history = history?;
        history.git_dir = git_dir;
        history.caches = caches;
        history.grafts = grafts.unwrap_or_default();
        history.checks = vec![std::sync::OnceLock::new(); history.commits.len()];
        let rest = stat.map(|stat| (base, stat));
        Ok(Walked { history, rest })
    }
}

/// The largest cached index (`history.bin`) whose history is read
/// beside the records. Both are then held at once. Measured with the
/// index in JSON (15 MB at 10,000 orders, 73 at 50,000; in postcard,
/// since format 14, 52 MB at 50,000): at 10,000 orders that costs 20-30
/// MiB and saves a tenth of a second; at 50,000 it saved 0.3 s of a 4.6
/// s rebuild once the records' texts were kept between runs
/// (`load/kept.rs`), and raised the rebuild's peak from
/// 830-870 MiB to 975-985, too near issue 16's 1 GiB. Beside the model
/// instead it saved nothing and peaked at 1,050 MiB (BENCHMARKS.md).
const BESIDE_MAX_BYTES: u64 = 32 << 20;

/// The folder of docket's caches for the records at `root`: `docket` in
/// the git folder, where the loader keeps the records' texts too
/// (`load/kept.rs`). `None` outside a git repository.
pub fn cache_dir(root: &Path) -> Option<std::path::PathBuf> {
    let Ok(Some((repo, _))) = discover(root) else {
        return None;
    };
    cache::path(repo.path()).parent().map(Path::to_path_buf)
}

/// Whether [`History::walk`] should run beside the loading of the
/// records below `root`: with a cached index small enough, or without
/// one when the whole history is small (its pack files at most 128 MiB,
/// `Reading::after_walk` in `repo.rs`: at 10,000 orders, 63 MB). A cache
/// that turns out unusable (another format, another records root) still
/// means one whole walk beside the records; it is then rewritten.
///
/// Why the whole walk too: two threads reading git are little faster
/// than one (libgit2 takes a lock on the pack file for every object),
/// so the walk leaves a core mostly idle that the loading can use.
pub fn walk_beside_load(root: &Path) -> bool {
    let Ok(Some((repo, _))) = discover(root) else {
        return false;
    };
    // `DOCKET_CACHED_INDEX_AFTER=1` takes any cached index for a big one:
    // for the tests, whose histories are small, of what a big company's
    // rebuild does (git's index read beside the records, the cached
    // index after them).
    let most = if crate::env_flag("DOCKET_CACHED_INDEX_AFTER") {
        0
    } else {
        BESIDE_MAX_BYTES
    };
    match std::fs::metadata(cache::path(repo.path())) {
        Ok(m) => m.len() <= most,
        Err(_) => repo::Reading::after_walk(repo.path()) == repo::Reading::Walk,
    }
}

/// `HEAD`'s first-parent line below `root`, listed on a thread beside the
/// loading of the records when the walk is not ([`walk_beside_load`]: a
/// history too big to hold beside the records) and will read everything
/// (no cached index, or `caches` off). The listing is one commit after
/// another, which no other thread can share: at 50,000 orders 2.6 s of
/// one core before the walk's threads start, with the other idle. `None`
/// where a cached index may be continued (the walk then lists only the
/// commits past it) or the line cannot be listed (the walk lists it
/// again, and reports why in its place).
pub fn list_beside_load(root: &Path, caches: bool) -> Option<FirstParents> {
    let (repo, _) = discover(root).ok()??;
    if !lists(&repo, caches) {
        return None;
    }
    let head = repo.head().ok()?.peel_to_commit().ok()?.id();
    // The walk's settings: with commits cached, the listing of 50,000
    // orders took twice as long (`Reading::Walk`). Nothing else reads git
    // while the records are loaded.
    repo::tune_for(repo::Reading::Walk);
    walk::list(&repo, head).ok()
}

/// Whether [`list_beside_load`] lists anything for the records at
/// `root` (the walk will read everything): decided before it starts, so
/// that what is done while it runs does not depend on how long it takes.
pub fn lists_beside_load(root: &Path, caches: bool) -> bool {
    matches!(discover(root), Ok(Some((repo, _))) if lists(&repo, caches))
}

/// The cached index (`history.bin`) in the git folder `git_dir`, as
/// JSON: for the tests that doctor it, as someone with write access to
/// `.git` could. Not part of docket's interface.
#[doc(hidden)]
pub fn cached_index_json(git_dir: &Path) -> Option<serde_json::Value> {
    cache::as_json(git_dir)
}

/// Replace the cached index in `git_dir` with `index`, an edit of what
/// [`cached_index_json`] gave; false if it is not an index. Not part of
/// docket's interface.
#[doc(hidden)]
pub fn write_cached_index_json(git_dir: &Path, index: serde_json::Value) -> bool {
    cache::from_json(git_dir, index)
}

/// Whether a previous run kept the history's index for the records at
/// `root` (`history.bin`, usable or not).
pub fn keeps_index(root: &Path) -> bool {
    matches!(discover(root), Ok(Some((repo, _))) if kept_index(&repo))
}

fn kept_index(repo: &git2::Repository) -> bool {
    cache::path(repo.path()).exists()
}

fn lists(repo: &git2::Repository, caches: bool) -> bool {
    !(repo.is_shallow() || caches && kept_index(repo))
}

/// git's index for the working tree of the records at `root`, read now
/// for [`History::walk`]: on the thread that waits for the first-parent
/// line to be listed ([`list_beside_load`]) once the records are read,
/// which would otherwise leave a core idle, instead of beside the walk,
/// which keeps both busy. `None` outside a git repository.
pub fn git_index(root: &Path) -> Option<StatCache> {
    let (repo, prefix) = discover(root).ok()??;
    Some(StatCache::new(repo.path(), repo.workdir(), &prefix))
}

/// libgit2 set up, while this lives, to read every record's timeline:
/// old revisions and commits from all over the pack, as the proofs read
/// them ([`History::reading_every_timeline`]).
pub struct EveryTimeline(#[allow(dead_code)] repo::Tuned);

impl History {
    /// Read as the proofs do until the returned value is dropped: for a
    /// build that lays out every record page, whose timelines then read
    /// every revision and every signed commit not kept from the walk
    /// (all of them after a walk that continued the cache). With the
    /// few windows kept for a rebuild's few pages, libgit2 unmapped a
    /// window for every few reads: at 50,000 orders the record pages of
    /// such a build spent a quarter of their time in `munmap`. A history
    /// whose packs fit the walk's windows reads as it did. Made between
    /// stages, while no other thread reads git (`repo::tune_for`).
    pub fn reading_every_timeline(&self) -> EveryTimeline {
        let after = repo::Reading::after_walk(&self.git_dir);
        EveryTimeline(repo::Tuned::during(after.proving(), after))
    }
}

/// The history's commits, read; its working tree not yet compared.
pub struct Walked {
    history: History,
    /// The number of commits of the cached index the walk read, and
    /// git's index, when `HEAD`'s working tree is still to be compared.
    rest: Option<(Option<usize>, StatCache)>,
}

impl Walked {
    /// The second half of [`History::open_with`]: which files of the
    /// working tree differ from `HEAD`, judging each file the loader read
    /// by its stat as read (`read`, `Model::sources`) when given, and
    /// walking the root when not.
    pub fn worktree(
        self,
        root: &Path,
        read: Option<&crate::Lookup<String, crate::load::Source>>,
    ) -> Result<History> {
        use crate::timing::stage;
        let Walked { mut history, rest } = self;
        let Some((cached, stat)) = rest else {
            return Ok(history);
        };
        // Writing the cache is one thread of JSON: beside the working
        // tree's check, which reads the same history and writes nothing.
        // So is reading the cached proofs, whose seed is known only
        // later; not after a walk of everything (a new docket, whose
        // proofs are of another seed), where memory peaks.
        let preload = history.caches && !history.fresh;
        let (worktree, proofs_read) = std::thread::scope(|s| {
            let save = (history.caches && cache::stale(&history, cached))
                .then(|| s.spawn(|| stage("history cache save", || cache::save(&history))));
            let proofs = preload.then(|| {
                s.spawn(|| {
                    stage("history proofs read", || {
                        cache::read_proofs(&history.git_dir)
                    })
                })
            });
            let worktree = stage("history worktree", || {
                worktree::worktree(&history, &stat, root, read)
            });
            save.map(crate::joined);
            (worktree, proofs.map(crate::joined))
        });
        history.worktree = worktree?;
        history.proofs_read = proofs_read;
        history.stat = Some(std::sync::Arc::new(stat));
        // What reads git from here on reads a little of it at a time.
        repo::tune_for(repo::Reading::after_walk(&history.git_dir));
        Ok(history)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Commit a new order `SO-n` in the work tree at `dir`.
    fn commit(repo: &git2::Repository, dir: &Path, n: i64) -> git2::Oid {
        std::fs::create_dir_all(dir.join("orders/2026")).unwrap();
        let file = dir.join(format!("orders/2026/SO-{n}.toml"));
        std::fs::write(file, format!("id = \"SO-{n}\"\n")).unwrap();
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let when = git2::Time::new(1_700_000_000 + n, 0);
        let who = git2::Signature::new("A", "a@example.com", &when).unwrap();
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<_> = parent.iter().collect();
        let message = format!("order {n}");
        repo.commit(Some("HEAD"), &who, &who, &message, &tree, &parents)
            .unwrap()
    }

    /// What a walk read: the commits, newest first, and each file's
    /// revisions.
    fn read(walked: Walked) -> (Vec<String>, Vec<(String, Vec<usize>)>) {
        let h = walked.history;
        let commits = h.commits.iter().map(|c| c.id.clone()).collect();
        let files = h.files.iter();
        let files = files.map(|(p, f)| (p.clone(), f.revisions.iter().map(|r| r.commit).collect()));
        (commits, files.collect())
    }

    /// The line listed beside the records is the walk's own, used while
    /// `HEAD` is the commit it was listed from; a commit made in between
    /// is read as if nothing had been listed. A cached index to continue
    /// means nothing is listed beside: the walk lists only what is past it.
    #[test]
    fn a_line_listed_beside_the_records_serves_the_walk_of_the_same_head_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let repo = git2::Repository::init(root).unwrap();
        for n in 1..=3 {
            commit(&repo, root, n);
        }
        let walk = |listed| History::walk(root, None, false, false, listed, None).unwrap();
        let listed = list_beside_load(root, false).expect("the line is listed");
        assert_eq!(listed.listing.0.len(), 3);
        assert!(!listed.listing.2);
        let (commits, files) = read(walk(Some(listed)));
        assert_eq!(commits.len(), 3);
        assert_eq!(files.len(), 3);
        assert_eq!((commits.clone(), files.clone()), read(walk(None)));

        let stale = list_beside_load(root, false).unwrap();
        let newest = commit(&repo, root, 4);
        let (commits, files) = read(walk(Some(stale)));
        assert_eq!(commits.len(), 4);
        assert_eq!(commits[0], newest.to_string());
        assert_eq!((commits, files), read(walk(None)));

        // The cache written, the walk continues it; without caches, it
        // reads everything, and the line is listed beside.
        History::open_with(root, None, true).unwrap();
        assert!(list_beside_load(root, true).is_none());
        assert!(list_beside_load(root, false).is_some());
    }
}
