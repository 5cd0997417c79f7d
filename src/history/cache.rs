//! The history index and the proofs, kept between runs.
//!
//! Reading the whole history costs time in proportion to the number of
//! commits; a check after one new commit should cost that commit. The index
//! is plain data, so after a walk it is written to
//! `<git dir>/docket/history.bin` (when the walk read everything, or
//! more than [`WALK_PAST`] commits past it), keyed by the head commit and the
//! records root's place in the work tree. The next walk stops when it
//! reaches that head on the first-parent line and continues the cached
//! histories (see `walk.rs`); if the head is not on the line any more
//! (history rewritten), or the file is unreadable or of another format, the
//! walk reads everything, as without a cache.
//!
//! Proving signatures reads every revision of every signed file and
//! verifies SSH signatures: the costliest part of a run after the walk. A
//! file's proofs depend only on its revisions (commit ids, blobs and
//! positions on the first-parent line), the policies in force for them
//! and the configuration, so they are kept too, in
//! `<git dir>/docket/proofs.json`, keyed by a fingerprint of those
//! revisions, under a seed made of docket's version, the configuration,
//! the policies in force before the line's length when they were made
//! (every revision of a file kept is before it) and what the policy in
//! force now adds to every proof: the keys it revokes, its `signatures`
//! (`Governance::fingerprint_before`). A policy that comes in force
//! later, such as a new employee's, keeps every file's proofs. A file
//! changed in the working tree is never cached.
//!
//! Both files live inside `.git` and are trusted as `.git` is: whoever can
//! write there can rewrite the repository itself. They never travel with a
//! clone, so a CI check (the gate for pull requests) always proves
//! everything from the commit objects; deleting `.git/docket` does the
//! same anywhere. A missing, stale, truncated or garbled file means a full
//! run with the same result (tested). Failing to write them is not an
//! error, and they are written only when something changed: the index
//! only when the walk read everything or more than [`WALK_PAST`] commits
//! past it.

use super::covers::Covers;
use super::index::{Change, Commit, FileHistory, History, Revision, Stamp};
use super::proof::{Proof, ProofStatus};
use super::proofs_file::ProofsRead;
pub(super) use super::proofs_file::{Made, ProofEntry};
use super::sig::CommitSignature;
use super::substance::OrderHistory;
use super::walk::Base;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Raised whenever what is cached or how it is read changes, in either
/// file, or what the walk makes of the commits: both `history.bin` and
/// `proofs.json` are then read again (10: a controlled document is never
/// one side of a move; and an index continued before this format could
/// have joined two histories of one path; 11: proofs.json lists each text
/// once; 12: proofs are made under the policies before a position; 13:
/// the index is kept under the repository's grafts; 14: the index in
/// postcard, `history.bin`, not JSON, `history.json`).
const FORMAT: u32 = 14;

/// Where dockets before format 14 kept the index (as JSON): removed when
/// the index is next written, so that 70 MB of a big company's history
/// is not left behind in `.git/docket`.
const OLD_JSON: &str = "history.json";

/// The index in a compact form: tens of thousands of commits by a few
/// dozen people, so people are listed once and referred to by position,
/// and rows are tuples, in postcard, ending with a hash of the rest
/// (`atomic::write_checked`). Reading it is on the path of every
/// incremental run: at 50,000 orders, JSON took 0.27-0.32 s of one core,
/// postcard 0.15 (BENCHMARKS.md).
#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    prefix: String,
    /// The repository's grafts when the index was kept (`repo::grafts`).
    grafts: u64,
    head: String,
    /// (name, email)
    people: Vec<(String, String)>,
    /// (id, author, committer, summary, signature, merge, line, via,
    /// fork); a stamp is (person, time, offset); line, via and fork are
    /// first-parent positions (index.rs), which stay valid as commits are
    /// added.
    commits: Vec<CachedCommit>,
    /// (path, revisions); a revision is (commit, path if not the file's
    /// path, blob, change): change 0 added, 1 modified, 2 deleted, 3 moved
    /// from the next field.
    files: Vec<(String, Vec<CachedRevision>)>,
}

/// (person, time, offset)
type CachedStamp = (usize, i64, i32);
type CachedCommit = (
    String,
    CachedStamp,
    CachedStamp,
    String,
    CommitSignature,
    bool,
    Positions,
);
/// (line, via, fork)
type Positions = (Option<usize>, Option<usize>, Option<usize>);
type CachedRevision = (usize, Option<String>, Option<String>, u8, Option<String>);

/// Where the index is cached, in the git folder `git_dir`.
pub(super) fn path(git_dir: &Path) -> PathBuf {
    git_dir.join("docket").join("history.bin")
}

/// The cached index for this records root, if there is a usable one.
pub(super) fn load(git_dir: &Path, prefix: &str, grafts: Option<u64>) -> Option<Base> {
    let file = read(git_dir)?;
    if file.format != FORMAT || file.prefix != prefix || Some(file.grafts) != grafts {
        return None;
    }
    let people = &file.people;
    let stamp = |(who, time, offset_minutes): CachedStamp| {
        let (name, email) = people.get(who)?.clone();
        Some(Stamp {
            name,
            email,
            time,
            offset_minutes,
        })
    };
    let mut commits = Vec::with_capacity(file.commits.len());
    for (id, author, committer, summary, signature, merge, (line, via, fork)) in file.commits {
        // The walk takes cached ids as they are (`walk.rs`): one that is
        // not a commit id makes the file unusable, not the run.
        if id.len() != 40 || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        commits.push(Commit {
            id,
            author: stamp(author)?,
            committer: stamp(committer)?,
            summary,
            signature,
            merge,
            line,
            via,
            fork,
        });
    }
    let mut files = Vec::with_capacity(file.files.len());
    for (path, revs) in file.files {
        let mut revisions = Vec::with_capacity(revs.len());
        for (commit, at, blob, change, from) in revs {
            if commit >= commits.len() {
                return None;
            }
            let change = match (change, from) {
                (0, None) => Change::Added,
                (1, None) => Change::Modified,
                (2, None) => Change::Deleted,
                (3, Some(from)) => Change::Moved(from),
                _ => return None,
            };
            revisions.push(Revision {
                commit,
                path: at.unwrap_or_else(|| path.clone()),
                blob,
                change,
            });
        }
        files.push(FileHistory {
            path,
            revisions,
            key: Default::default(),
        });
    }
    Some(Base {
        head: git2::Oid::from_str(&file.head).ok()?,
        commits,
        files,
    })
}

/// The file of the cached index in the git folder `git_dir`, whatever
/// its records root; `None` when there is none, or it is damaged. Its
/// bytes are let go once decoded: at 50,000 orders they are 50 MiB that
/// would otherwise be held through the walk, at the build's peak.
fn read(git_dir: &Path) -> Option<CacheFile> {
    let (bytes, _) = crate::atomic::read_checked(&path(git_dir))?;
    // All of the bytes, or none: a file longer than what it encodes is
    // not the file that was written.
    match postcard::take_from_bytes(&bytes) {
        Ok((file, [])) => Some(file),
        _ => None,
    }
}

/// The cached index in `git_dir` as JSON ([`read`]), for the tests that
/// doctor it (`tests/cli/fixture.rs`).
pub(super) fn as_json(git_dir: &Path) -> Option<serde_json::Value> {
    serde_json::to_value(read(git_dir)?).ok()
}

/// Write `index` (as [`as_json`] gave it, edited) as the cached index in
/// `git_dir`; false if it is not an index.
pub(super) fn from_json(git_dir: &Path, index: serde_json::Value) -> bool {
    let Ok(file) = serde_json::from_value::<CacheFile>(index) else {
        return false;
    };
    let mut written = false;
    crate::atomic::write_atomic(&path(git_dir), |w| {
        written = crate::atomic::write_checked(w, &file).is_ok();
        written
    });
    written
}

/// How many commits past the cached index a walk reads before the index
/// is written again. Writing it costs what the whole history costs (52
/// MB at 50,000 orders, a fifth of a second of a core), reading
/// a commit past it a few milliseconds; a site rebuilt on every push,
/// one commit at a time, writes it once every 32 pushes.
const WALK_PAST: usize = 32;

/// How many files may differ from the cached proofs before they are
/// written again: each is proved again by every run until then.
const PROVE_AGAIN: usize = 32;

/// The proofs to write after a whole-repository run, if they should be:
/// when there were none, or more than [`PROVE_AGAIN`] files differ from
/// them. The next run proves each file that differs again, a few
/// milliseconds each, where writing every proof after each commit costs
/// a core a tenth of a second at 50,000 orders. A file differs when it
/// was proved anew (`made`) under another key than the cached one, or
/// when the cache has it and this run keeps nothing of it. `hits`, the
/// files whose cached entry held, are moved over, not copied.
pub(super) fn proofs_to_write(
    cached: ProofsRead,
    hits: Vec<String>,
    mut made: ProofsRead,
) -> Option<ProofsRead> {
    let anew = made.keys().filter(|f| cached.contains_key(*f)).count();
    let differ = made
        .iter()
        .filter(|(f, e)| cached.get(*f).is_none_or(|c| c.key != e.key))
        .count()
        + cached.len().saturating_sub(hits.len() + anew);
    let none_yet = cached.is_empty() && !made.is_empty();
    if differ <= PROVE_AGAIN && !none_yet {
        return None;
    }
    let mut cached = cached;
    for file in hits {
        if let Some(e) = cached.remove(&file) {
            made.insert(file, e);
        }
    }
    Some(made)
}

/// Whether the index should be written after this walk, given the number
/// of commits of the cached one (`None`: there was none): when there was
/// none or it could not be continued (the walk read everything), or the
/// walk read more than [`WALK_PAST`] new ones (none when the head is the
/// cached one).
pub(super) fn stale(history: &History, cached: Option<usize>) -> bool {
    match cached {
        Some(count) if !history.fresh => history.commits.len() > count + WALK_PAST,
        _ => true,
    }
}

/// Write the index for the next run; failures are ignored (a read-only
/// repository simply gets no cache).
pub(super) fn save<'h>(history: &'h History) {
    /// [`CacheFile`] borrowing from the history: writing the cache must
    /// not double the memory the index takes.
    #[derive(Serialize)]
    struct Out<'h> {
        format: u32,
        prefix: &'h str,
        grafts: u64,
        head: &'h str,
        people: Vec<(&'h str, &'h str)>,
        commits: Vec<(
            &'h str,
            CachedStamp,
            CachedStamp,
            &'h str,
            CommitSignature,
            bool,
            Positions,
        )>,
        #[allow(clippy::type_complexity)]
        files: Vec<(
            &'h str,
            Vec<(usize, Option<&'h str>, Option<&'h str>, u8, Option<&'h str>)>,
        )>,
    }
    let Some(head) = &history.head else { return };
    let mut people: Vec<(&str, &str)> = Vec::new();
    let mut known: HashMap<(&'h str, &'h str), usize> = HashMap::new();
    let mut stamp = |s: &'h Stamp| {
        let n = people.len();
        let who = *known.entry((&s.name, &s.email)).or_insert_with(|| {
            people.push((&s.name, &s.email));
            n
        });
        (who, s.time, s.offset_minutes)
    };
    let commits = history
        .commits
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                stamp(&c.author),
                stamp(&c.committer),
                c.summary.as_str(),
                c.signature,
                c.merge,
                (c.line, c.via, c.fork),
            )
        })
        .collect();
    let files = history
        .files
        .values()
        .map(|f| {
            let revs = f
                .revisions
                .iter()
                .map(|r| {
                    let (change, from) = match &r.change {
                        Change::Added => (0, None),
                        Change::Modified => (1, None),
                        Change::Deleted => (2, None),
                        Change::Moved(from) => (3, Some(from.as_str())),
                    };
                    let at = (r.path != f.path).then_some(r.path.as_str());
                    (r.commit, at, r.blob.as_deref(), change, from)
                })
                .collect();
            (f.path.as_str(), revs)
        })
        .collect();
    let file = Out {
        format: FORMAT,
        prefix: &history.prefix,
        grafts: history.grafts,
        head,
        people,
        commits,
        files,
    };
    crate::atomic::write_atomic(&path(&history.git_dir), |w| {
        crate::atomic::write_checked(w, &file).is_ok()
    });
    let _ = std::fs::remove_file(history.git_dir.join("docket").join(OLD_JSON));
}

fn proofs_path(git_dir: &Path) -> PathBuf {
    git_dir.join("docket").join("proofs.json")
}

/// The cached proofs, with what they were made under; `None` if missing,
/// unreadable or of another format.
pub(super) fn read_proofs(git_dir: &Path) -> Option<(Made, ProofsRead)> {
    let bytes = std::fs::read(proofs_path(git_dir)).ok()?;
    super::proofs_file::read(&bytes, FORMAT)
}

/// The cached proofs (read now, or before as `read`
/// ([`History::proofs_read`])) if they were made under the seed that
/// `seed_at` gives for the line they were made at; none otherwise.
pub(super) fn load_proofs(
    git_dir: &Path,
    seed_at: impl FnOnce(usize) -> u64,
    read: Option<Option<(Made, ProofsRead)>>,
) -> ProofsRead {
    match read.unwrap_or_else(|| read_proofs(git_dir)) {
        Some((made, proofs)) if made.seed == seed_at(made.line) => proofs,
        _ => ProofsRead::new(),
    }
}

pub(super) fn save_proofs(
    git_dir: &Path,
    made: Made,
    files: std::collections::BTreeMap<String, ProofEntry>,
) {
    crate::atomic::write_atomic(&proofs_path(git_dir), |w| {
        super::proofs_file::write(w, FORMAT, made, &files)
    });
}

/// The cache key of a file whose proofs depend on its commits alone: it
/// has history and the working tree has not changed it. `None` (not
/// cached) otherwise.
pub(super) fn clean_key(h: &History, file: &str) -> Option<u64> {
    if h.worktree.contains_key(file) {
        return None;
    }
    h.revisions_key(file)
}

/// Every commit index in `proofs` and `order`, mapped through `f`; `None`
/// if one does not map.
fn remap(
    proofs: &mut [Proof],
    order: Option<&mut OrderHistory>,
    f: impl Fn(usize) -> Option<usize>,
) -> Option<()> {
    for p in proofs {
        if let Some(c) = &mut p.commit {
            *c = f(*c)?;
        }
        if let ProofStatus::Broken { signed, .. } = &mut p.status {
            *signed = f(*signed)?;
        }
        if let Covers::Stale { since: Some(c), .. } = &mut p.covers {
            *c = f(*c)?;
        }
    }
    if let Some(o) = order {
        if let Some(c) = &mut o.review_commit {
            *c = f(*c)?;
        }
        for s in &mut o.after_approval {
            if let Some(c) = &mut s.commit {
                *c = f(*c)?;
            }
        }
    }
    Some(())
}

/// A file's results in the cache's form (commits as positions in the
/// file's revisions).
pub(super) fn keep(
    h: &History,
    file: &str,
    key: u64,
    proofs: &[Proof],
    order: &Option<OrderHistory>,
) -> Option<ProofEntry> {
    let revs = &h.file(file)?.revisions;
    let mut entry = ProofEntry {
        key,
        proofs: proofs.to_vec(),
        order: order.clone(),
    };
    remap(&mut entry.proofs, entry.order.as_mut(), |c| {
        revs.iter().rev().position(|r| r.commit == c)
    })?;
    Some(entry)
}

/// A cache entry back in this history's commit indices.
pub(super) fn restore(
    h: &History,
    file: &str,
    entry: &ProofEntry,
) -> Option<(Vec<Proof>, Option<OrderHistory>)> {
    let revs = &h.file(file)?.revisions;
    let (mut proofs, mut order) = (entry.proofs.clone(), entry.order.clone());
    // Positions count from the oldest revision; a garbled one past the
    // newest (however large) is no revision, and the file is proved again.
    remap(&mut proofs, order.as_mut(), |pos| {
        revs.iter().rev().nth(pos).map(|r| r.commit)
    })?;
    Some((proofs, order))
}
