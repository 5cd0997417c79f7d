//! Reading the git repository itself: finding it above the records root,
//! the files of a commit, blobs and commit objects at need, and the check
//! of a commit's signature (read from the commit object, never from the
//! cached index).
//!
//! A git handle is not `Sync`, so everything that reads objects goes
//! through an [`Objects`], one per thread; the index ([`History`]) stays
//! plain data.
//!
//! Old revisions get the limits of the working tree: a blob larger than
//! [`crate::load::MAX_FILE_BYTES`] is refused unread, so a 50 MB record
//! committed years ago costs nothing. Where docket gave libgit2 its
//! allocator, a blob is read with libgit2 unable to allocate more than a
//! record's size (one larger fails before anything is inflated), and
//! only a failed read asks the size in the object header; elsewhere the
//! header is asked first.
//! An object that cannot be read at all is an error ([`Error::Object`],
//! exit 2) naming it and the file: a damaged repository must never look
//! like a record that was never signed, nor a missing parent like a root
//! commit that added everything.

use super::fields::{State, parse_state};
use super::index::{Commit, FileHistory, History, Revision};
use super::sig::{CommitSignature, Keyring, SignatureCheck};
use crate::error::{Error, Result};
use crate::load::{MAX_FILE_BYTES, Refused};
use std::borrow::Cow;
use std::path::Path;

impl History {
    /// How commit `i` is signed, checked against the keys of the policy in
    /// force for it ([`History::regime_for`]; each policy's keys are
    /// parsed once). The signature is read from the commit object, never
    /// from the cache.
    pub fn signature(&self, objects: &Objects, i: usize) -> SignatureCheck {
        let keyring = self.regime_for(i).keyring();
        let c = &self.commits[i];
        let verify = || self.check_by(keyring, objects, i, c);
        match self.checks.get(i) {
            Some(cell) => cell.get_or_init(verify).clone(),
            None => verify(),
        }
    }

    /// Commit `i`'s signature judged by `keyring`, `c` being the commit as
    /// the caller read it: from the walk's verification when it made one
    /// (it depends on no policy), else verified now, and counted.
    pub(super) fn check_by(
        &self,
        keyring: &Keyring,
        objects: &Objects,
        i: usize,
        c: &Commit,
    ) -> SignatureCheck {
        let ssh = c.signature == CommitSignature::Ssh;
        match self.sealed.get(i) {
            Some(Some(sealed)) if ssh => keyring.judge(sealed),
            _ => {
                if ssh {
                    let asked = &self.verified_when_asked;
                    asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                keyring.check(&objects.repo, &c.id, c.signature, &self.keys)
            }
        }
    }

    /// Commit `i` as its object says: who made it, when, and how it is
    /// signed. After a walk of this run that continued no cached history
    /// ([`History::fresh`]), the index's entry is what the object says
    /// (the walk made it with `Commit::from_git` from that object, and
    /// an object never changes under its id), so it is not read again: at
    /// 50,000 orders a fifth of the proofs' waits on libgit2's locks were
    /// these reads. An index continued from the cache is never trusted
    /// for this: the object is read. (Where the two differ, in `merge`
    /// and the positions, callers use neither.)
    pub fn commit_object(&self, objects: &Objects, i: usize) -> Result<Cow<'_, Commit>> {
        let c = &self.commits[i];
        if self.fresh {
            return Ok(Cow::Borrowed(c));
        }
        objects.commit(&c.id).map(Cow::Owned)
    }

    /// How many SSH signatures the walk verified, how many were verified
    /// when first asked since, and how many blobs' sizes were asked of
    /// their headers: printed with `DOCKET_TIMINGS`.
    pub fn counts(&self) {
        let walked = self.sealed.iter().flatten().count();
        crate::timing::count("signatures in the walk", walked);
        let asked = self
            .verified_when_asked
            .load(std::sync::atomic::Ordering::Relaxed);
        crate::timing::count("signatures when asked", asked);
        let sizes = SIZES_ASKED.load(std::sync::atomic::Ordering::Relaxed);
        crate::timing::count("blob sizes asked", sizes);
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
    tune_libgit2();
    let repo = match git2::Repository::discover(root) {
        Ok(r) => r,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    apart_from_its_git_folder(&repo, root)?;
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

/// A work tree whose `.git` is a file naming a git folder elsewhere
/// (`git init --separate-git-dir`, `git clone --separate-git-dir`), with
/// no `core.worktree`: git's work tree is the folder holding that file,
/// where libgit2 takes the git folder's parent, and would read the
/// records from the wrong folder. A linked worktree and a submodule say
/// where their work tree is, and libgit2 finds it.
fn apart_from_its_git_folder(repo: &git2::Repository, root: &Path) -> Result<()> {
    let Some(holder) = root.ancestors().find(|d| d.join(".git").exists()) else {
        return Ok(());
    };
    let gitlink = std::fs::symlink_metadata(holder.join(".git")).is_ok_and(|m| m.is_file());
    let named = repo
        .config()
        .and_then(|c| c.get_entry("core.worktree").map(drop))
        .is_ok();
    let found = repo.workdir().and_then(|w| w.canonicalize().ok());
    if gitlink && !named && !repo.is_worktree() && found != holder.canonicalize().ok() {
        repo.set_workdir(holder, false)?;
    }
    Ok(())
}

/// Settings for long read-only passes, made once per process before the
/// first repository is opened: libgit2 sizes a pack's mapped window when it
/// first reads from it, so settings made after `HEAD` was read came too
/// late (the walk of 50,000 orders kept 900 MiB of the pack resident
/// through one 1 GiB window; BENCHMARKS.md).
///
/// Object ids are not re-hashed on every read (strict verification cost a
/// third of the walk; `git fsck` is the tool for checking a repository's
/// integrity).
fn tune_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        // libgit2 maps pack files in 1 GiB windows and keeps up to 8 GiB
        // mapped, every page read resident, and caches 256 MiB of objects.
        tune_for(Reading::Walk);
    });
}

/// How libgit2 reads for the kind of reading about to start: how it maps
/// pack files, and how much it caches of the objects it has read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// The walk: a pack read mostly front to back, once. Big windows, a
    /// few kept (smaller ones made the walk of 50,000 orders twice as
    /// slow, in the kernel), and almost nothing kept in libgit2's cache.
    /// Its size is counted across every handle of the process, and once
    /// it is full every object stored evicts others first, by a scan of
    /// its table from the start that grows with the table: keeping each
    /// year folder's tree for the next commit cost more than reading it
    /// again. Without the cache, the listing of the first-parent line at
    /// 50,000 orders took 2.3-2.6 s against 4.5-5.7, the walk 35-38 s
    /// against 41-46 and 60-80 MiB less; at 10,000 orders a run took 7%
    /// less of the cores (BENCHMARKS.md). Only commits are kept, in 64
    /// KiB, where the scan is short: the walk extracts a commit's
    /// signature, then reads the commit, which libgit2 parses from the
    /// object it kept rather than inflating it again (at 10,000 orders,
    /// 128,000 fewer inflates and 1% less CPU). At most 256 MiB mapped: each
    /// of the walk's threads maps the pack for itself ([`apart`]), and
    /// with less the walk of 50,000 orders (a 255 MB pack) unmapped a
    /// window every few commits, each unmapping a stop of the other core
    /// to flush its address cache. With 128 MiB it took 21 s against
    /// 15.7 s with 192; with 192, 13.0-13.2 s against 11.3-11.4 s with
    /// 256 and a third more system time (6.0-6.3 s against 4.6 in the
    /// whole build), the walk ending near the record pages' peak (the
    /// build's rose by about 10 MiB). 320 was no faster and moved the
    /// build's peak into the walk (BENCHMARKS.md).
    ///
    /// [`apart`]: super::apart::apart
    Walk,
    /// The proofs of a history over [`SMALL_PACKS`]: every old revision
    /// of every signed file, from all over the pack. With 32 MiB mapped
    /// (the sparse reading's, until the twenty-seventh sitting), the
    /// proofs of 50,000 orders spent a third of their time unmapping
    /// windows (17-40 s); with 128 MiB in small windows, 7.5 s. The windows are closed when the
    /// proofs' handles are. A build that lays out every record page reads
    /// its timelines this way too (`History::reading_every_timeline`).
    Proofs,
    /// Everything after it: a commit or a blob here and there (the tokens'
    /// commits, a rebuild's few timelines). Every page touched in a
    /// mapped window stays resident until the window is closed, and
    /// libgit2's cache of objects was C memory the system allocator kept
    /// once it had grown (libgit2 allocates through mimalloc since
    /// December 2026, `super::alloc`): at 50,000 orders the walk's 128 MiB of
    /// windows and 32 MiB of cache, filled by these reads, were 60 to 80
    /// and 85 MiB of the build's peak. Small windows, a small cache, and
    /// 64 MiB mapped: with 32, the timelines of a first build of 50,000
    /// orders spent a tenth of their time finding each old revision's
    /// size through its delta chain, a window unmapped every few steps
    /// (11.2-11.4 s against 10.1-10.2 s, 20 MiB more at the peak;
    /// BENCHMARKS.md).
    Sparse,
}

/// Pack files this small, together, are read after the walk as the walk
/// read them, and walked beside the records on a first run: the walk's
/// windows hold them whole. A bigger history is where a build's memory is
/// tightest, its peak in the record pages, which then read with the
/// proofs' windows rather than the walk's.
/// (Below the walk's 256 MiB mapped: 128 MiB until the twenty-seventh
/// sitting, and the peaks measured then were kept.)
const SMALL_PACKS: u64 = 128 << 20;

impl Reading {
    /// How to read after the walk, in the repository at `git_dir`: as
    /// the walk did when its pack files are at most [`SMALL_PACKS`] (at
    /// 10,000 orders, 63 MB), sparsely otherwise. The proofs and the
    /// tokens read blobs and commits from all over the pack: with a
    /// quarter of a 63 MB pack mapped at a time, a window was unmapped
    /// and another mapped for every few reads, and the proofs took a
    /// third longer (2.0-2.8 s against 1.5-1.6 s; the cold build 1.0-1.2
    /// s longer), for 15-20 MiB less at the peak (BENCHMARKS.md).
    pub(super) fn after_walk(git_dir: &Path) -> Reading {
        let packs = std::fs::read_dir(git_dir.join("objects/pack"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "pack"))
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum();
        Reading::after_walk_of(packs)
    }

    fn after_walk_of(pack_bytes: u64) -> Reading {
        if pack_bytes <= SMALL_PACKS {
            Reading::Walk
        } else {
            Reading::Sparse
        }
    }

    /// How the proofs read after the walk read as `self`: a sparse
    /// reading with more mapped.
    pub(super) fn proving(self) -> Reading {
        match self {
            Reading::Sparse => Reading::Proofs,
            other => other,
        }
    }

    /// The size of a window and how much may be mapped, in mebibytes;
    /// how many bytes of the objects read may be kept; whether trees are
    /// kept at all.
    fn limits(self) -> (usize, u64, isize, bool) {
        match self {
            Reading::Walk => (32, 256, 64 << 10, false),
            Reading::Proofs => (8, 128, 8 << 20, true),
            Reading::Sparse => (8, 64, 8 << 20, true),
        }
    }
}

/// libgit2 set up for one reading while this lives, and for the next
/// when it is dropped (an error returned early included).
pub(super) struct Tuned {
    after: Reading,
}

impl Tuned {
    pub(super) fn during(now: Reading, after: Reading) -> Tuned {
        tune_for(now);
        Tuned { after }
    }
}

impl Drop for Tuned {
    fn drop(&mut self) {
        tune_for(self.after);
    }
}

/// Set libgit2 up for `reading`. Called between passes, while no other
/// thread reads a repository: libgit2 reads these settings as it maps a
/// window or caches an object, and sets them without a lock. The walk
/// may run on a thread of its own beside the loading of the records
/// (`cmd::analyse_with`), which must therefore never read git.
pub(super) fn tune_for(reading: Reading) {
    let (window, mapped, cached, trees) = reading.limits();
    // libgit2's default for commits; trees up to 1 MiB, a year folder of
    // a big company.
    let (commit, tree) = (4096, if trees { 1 << 20 } else { 0 });
    let mapped = mapped as usize;
    // SAFETY: libgit2's global settings, changed between passes, while no
    // other thread of this process reads a repository (see above).
    unsafe {
        let _ = git2::opts::set_mwindow_size(window << 20);
        let _ = git2::opts::set_mwindow_mapped_limit(mapped << 20);
        let _ = git2::opts::set_cache_max_size(cached);
        let _ = git2::opts::set_cache_object_limit(git2::ObjectType::Commit, commit);
        let _ = git2::opts::set_cache_object_limit(git2::ObjectType::Tree, tree);
    }
}

/// A folder below the records root (`""`: the root), as an error names it.
pub(super) fn shown_dir(dir: &str) -> &str {
    if dir.is_empty() {
        "the records root"
    } else {
        dir
    }
}

/// A commit, or the error that names it.
pub(super) fn find_commit(repo: &git2::Repository, id: git2::Oid) -> Result<git2::Commit<'_>> {
    repo.find_commit(id)
        .map_err(|e| Error::object("commit", id, "", &e))
}

/// The first parent and the tree of commit `id`, for listing the
/// first-parent line (the tree is what the walk compares the next commit
/// with, so no thread reads the parent commit again): read from the
/// commit object's header as git writes it (a `tree` line, then its
/// `parent` lines), without building libgit2's commit, which parses the
/// people, dates and message the listing has no use for: at 50,000
/// orders, 3.8 s of one core against 5.2 before the walk's threads can
/// start (2.3 s with nothing cached, [`Reading::Walk`]). Anything else
/// than that plain header (an object that is not a commit, a header in
/// another form) is left to libgit2, whose answer or error stands: the
/// listing never follows a parent libgit2 would not. Without `headers`,
/// the repository's objects where their headers name the parents libgit2
/// reads ([`headers`]), every commit is libgit2's.
pub(super) fn first_parent_and_tree(
    repo: &git2::Repository,
    id: git2::Oid,
    headers: Option<&git2::Odb>,
) -> Result<(Option<git2::Oid>, git2::Oid)> {
    let plain = headers
        .and_then(|odb| odb.read(id).ok())
        .filter(|o| o.kind() == git2::ObjectType::Commit)
        .and_then(|o| plain_header(o.data()));
    match plain {
        Some((tree, parent)) => Ok((parent, tree)),
        None => {
            let c = find_commit(repo, id)?;
            Ok((c.parent_id(0).ok(), c.tree_id()))
        }
    }
}

/// The repository's objects, to read commit headers from, where those
/// headers name the parents libgit2 reads: not where it has [`grafted`].
pub(super) fn headers(repo: &git2::Repository) -> Option<git2::Odb<'_>> {
    if grafted(repo) {
        return None;
    }
    repo.odb().ok()
}

/// Whether the repository has grafts (`info/grafts` in its common folder),
/// which libgit2 reads in place of the parents a commit names (a shallow
/// repository's grafts are refused before any walk).
pub(super) fn grafted(repo: &git2::Repository) -> bool {
    grafts(repo) != Some(0)
}

/// What the repository's grafts say, as a fingerprint: 0 without grafts;
/// `None` for grafts that cannot be read, of unknown parents, under which
/// nothing may be kept or taken. The parents libgit2 reads depend on
/// them, so whatever is kept of a walk (the index, the proofs) is kept
/// under them: grafts written, edited or removed under a head an index
/// was kept for would otherwise keep yesterday's parents.
pub(super) fn grafts(repo: &git2::Repository) -> Option<u64> {
    match std::fs::read(repo.commondir().join("info/grafts")) {
        Ok(text) => Some(xxhash_rust::xxh3::xxh3_64(&text) | 1),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(0),
        Err(_) => None,
    }
}

/// The tree and the first parent named by a commit object's header, when
/// the header begins as git writes it: `tree <id>` then, unless it is a
/// root commit, `parent <id>`, each id 40 lowercase hex digits. `None`
/// for anything else; no parent for a root commit.
fn plain_header(data: &[u8]) -> Option<(git2::Oid, Option<git2::Oid>)> {
    let id = |line: &[u8], key: &[u8]| {
        let hex = line.strip_prefix(key)?;
        let plain = hex.len() == 40 && hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        plain.then(|| git2::Oid::from_str(std::str::from_utf8(hex).ok()?).ok())?
    };
    let mut lines = data.split(|b| *b == b'\n');
    let tree = id(lines.next()?, b"tree ")?;
    let second = lines.next()?;
    if second.starts_with(b"parent ") {
        return Some((tree, Some(id(second, b"parent ")?)));
    }
    // A root commit: the header goes on with its author.
    second.starts_with(b"author ").then_some((tree, None))
}

/// A commit's first parent: `None` only for a root commit.
pub(super) fn first_parent<'r>(
    repo: &'r git2::Repository,
    c: &git2::Commit,
) -> Result<Option<git2::Commit<'r>>> {
    match c.parent_id(0) {
        Ok(id) => find_commit(repo, id).map(Some),
        Err(_) => Ok(None),
    }
}

/// Reads blobs out of the repository, one handle per user (a git handle is
/// not `Sync`).
pub struct Objects {
    pub repo: git2::Repository,
}

impl Objects {
    /// The file at a revision.
    pub fn state(&self, rev: &Revision) -> Result<State> {
        let Some(id) = rev.blob.as_deref() else {
            return Ok(State::Deleted);
        };
        let oid = git2::Oid::from_str(id).map_err(|e| Error::object("blob", id, &rev.path, &e))?;
        read_state(&self.repo, oid, &rev.path)
    }

    /// Every revision's state, newest first, like `file.revisions`.
    pub fn states(&self, file: &FileHistory) -> Result<Vec<State>> {
        file.revisions.iter().map(|r| self.state(r)).collect()
    }

    /// A commit's author, committer and signature read from the commit
    /// object itself (not from the cached index).
    pub fn commit(&self, id: &str) -> Result<Commit> {
        let oid = git2::Oid::from_str(id).map_err(|e| Error::object("commit", id, "", &e))?;
        let c = find_commit(&self.repo, oid)?;
        Ok(Commit::from_git(&c, c.parent_count() > 1))
    }
}

/// The blob `oid`, met as `path`, read and parsed as the loader reads a
/// file; one larger than the loader reads is [`State::Unreadable`],
/// refused without being inflated ([`read_blob`]).
pub fn read_state(repo: &git2::Repository, oid: git2::Oid, path: &str) -> Result<State> {
    Ok(match read_blob(repo, oid, path)? {
        Ok(bytes) => parse_state(path, &bytes),
        Err(why) => State::Unreadable(why),
    })
}

/// How many blobs [`read_blob`] asked the size of (all of them where
/// libgit2 cannot be capped): a count for `DOCKET_TIMINGS`, by which tests
/// see that the cap spares the rest.
static SIZES_ASKED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Read a blob met as `path`, refusing one larger than the loader reads
/// without inflating it (see the module's documentation). `Ok(Err(why))` is a blob
/// that is too large; `Err` one that cannot be read.
pub fn read_blob(
    repo: &git2::Repository,
    oid: git2::Oid,
    path: &str,
) -> Result<Result<Vec<u8>, String>> {
    // Read first, with libgit2 unable to allocate a block larger than a
    // record plus its terminating NUL (`super::alloc`): a larger blob
    // fails, uninflated. Only a failure asks the header, which both says
    // why and keeps the messages of a blob that is no blob.
    // Never below libgit2's copy of a cached delta base (`alloc::capped`).
    const _: () = assert!(MAX_FILE_BYTES >= 1 << 20, "a cap below a cached base");
    let limit = usize::try_from(MAX_FILE_BYTES + 1).unwrap_or(usize::MAX);
    // The bytes read decide, whichever way they were read: after the
    // header, they may come from another copy of the object than it did
    // (two packs, with hashes not verified).
    let within = |blob: git2::Blob| {
        if blob.size() as u64 > MAX_FILE_BYTES {
            Err(Refused::TooLarge(MAX_FILE_BYTES).why())
        } else {
            Ok(blob.content().to_vec())
        }
    };
    if let Some((Ok(blob), false)) = super::alloc::capped(limit, || repo.find_blob(oid)) {
        return Ok(within(blob));
    }
    SIZES_ASKED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if blob_size(repo, oid, path)? > MAX_FILE_BYTES {
        return Ok(Err(Refused::TooLarge(MAX_FILE_BYTES).why()));
    }
    let blob = repo
        .find_blob(oid)
        .map_err(|e| Error::object("blob", oid, path, &e))?;
    Ok(within(blob))
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

/// Resolve a revision (`HEAD~2`, a branch, a commit id) to a commit id; a
/// revision that names no commit is the user's to fix, so it is a usage
/// error.
pub fn resolve(repo: &git2::Repository, rev: &str) -> Result<git2::Oid> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map(|c| c.id())
        .map_err(|e| Error::Usage(format!("cannot find revision \"{rev}\": {}", e.message())))
}

#[cfg(test)]
mod tests;
