//! The records' texts, and what they parsed to, as the last runs read
//! them, kept in the git folder.
//!
//! Opening, reading and closing a hundred thousand small files, then
//! parsing them, is most of what loading a big company costs however
//! little changed since the last run: five system calls a file, each
//! dearer on a virtual machine, a disk read for every file the page cache
//! let go, and a TOML parse. So a run keeps the text of every file it
//! parsed, with the spanned tree it parsed to and the file's own metadata,
//! and the next run takes a file's text and tree from there instead of
//! opening the file, when:
//!
//! - the file is a regular file in its own name (`lstat`, through the
//!   loader's [`Guard`](super::Guard): no link, the same checks of its
//!   folder as a read), and its device, inode, kind and permissions,
//!   size, modification time and change time are all the ones recorded
//!   when it was read;
//! - and it last changed (its change time) before the run that read it
//!   began reading ([`Keeper::start`] takes that moment from the file
//!   system's own clock, by the time it gives a new file). A file changed
//!   again in the same tick of the clock as the recorded change would
//!   otherwise keep all of its metadata; one that changed before the run
//!   began cannot change again in that tick.
//!
//! Every write, copy (`cp -p` included) or restore of a file moves its
//! change time, and nobody can set it back short of the system clock:
//! the test git applies to its index, which docket already trusts to
//! tell whether a file still holds `HEAD`'s blob (`history/stat.rs`).
//! That holds on Linux's local file systems, and only there is anything
//! kept ([`local`]): NFS and SMB clients may answer `lstat` from a cache
//! for a minute, FAT keeps no change time. And only for a file on the
//! cache folder's own file system, whose clock `since` was read from (a
//! worktree on another disk, a mount inside the records root): one that
//! keeps whole seconds beside one that keeps nanoseconds would let a
//! second edit in the same second pass for the first. A link is read
//! through its target every time, and not kept.
//!
//! One kind of write escapes the change time, for git as for docket:
//! through a shared memory mapping, Linux moves the times when a page is
//! first written after it was written back, not at every store, so a
//! second edit through one mapping within the writeback interval keeps
//! every field. Editors and git write with `write(2)` or by renaming a
//! new file; `--no-cache` reads every file.
//!
//! Two files in `<git dir>/docket/`: `records.bin`, the base, every file
//! as some run read it; and `records.tail`, the files read since, which
//! names the base it continues (a tail of another base is ignored). A
//! run after one commit rewrites the tail, a few entries, not the base's
//! tens of megabytes; when the tail and the base's entries no longer read
//! outweigh an eighth of the base, the run writes a new base instead.
//! Both are kept under a seed of docket's version and the loader's own
//! source (`mod.rs`, `value.rs`, and `Cargo.lock` for the TOML parser's
//! version): a docket that could parse a text otherwise reads nothing
//! another one kept. Each ends with a hash of the rest, so a file damaged
//! on disk keeps nothing, rather than other records.
//!
//! They live inside `.git` and are trusted as `.git` is: whoever can
//! write there can rewrite the repository itself. They never travel with
//! a clone, so CI reads every file. `--no-cache` neither reads nor writes
//! them; a missing, truncated, garbled or foreign file is as none;
//! failing to write them is not an error. A run writes its next file
//! under a temporary name and renames it ([`crate::atomic`]); what a run
//! killed first leaves behind, the next one sweeps.

use super::value::Table;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Raised whenever what is kept or how it is read changes.
const FORMAT: u64 = 1;
const BASE: &str = "records.bin";
const TAIL: &str = "records.tail";

/// What the kept trees were parsed by: docket's version, the loader's
/// source (this file's too, for the layout), and the crates' versions and
/// features (the TOML parser's).
fn seed() -> u64 {
    crate::fingerprint::Fingerprint::new(FORMAT)
        .str(env!("CARGO_PKG_VERSION"))
        .str(include_str!("mod.rs"))
        .str(include_str!("value.rs"))
        .str(include_str!("kept.rs"))
        .str(include_str!("filestat.rs"))
        .str(include_str!("../../Cargo.toml"))
        .str(include_str!("../../Cargo.lock"))
        .finish()
}

use super::filestat::{FileStat as Stat, Time};

/// The stat of a regular file; `None` for anything else, and off Unix,
/// where nothing is kept.
fn plain(md: &Stat) -> Option<Stat> {
    (cfg!(unix) && md.is_file()).then_some(*md)
}

/// Either file's layout, before the hash that ends it, as it is read
/// (borrowing from the file's bytes); written as [`Writing`].
#[derive(Deserialize)]
struct Stored<'a> {
    /// [`seed`]: another docket may parse a text otherwise.
    seed: u64,
    /// For a tail, the hash of the base it continues; 0 in a base.
    base: u64,
    #[serde(borrow)]
    entries: Vec<Entry<'a>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    /// Below the records root, `/`-separated.
    rel: &'a str,
    /// What the file must still be for `text` to be its text.
    keep: Keep,
    text: &'a str,
    /// The text's tree, encoded apart: decoded on all cores, and only if
    /// the file is unchanged.
    #[serde(borrow, with = "serde_bytes")]
    tree: Cow<'a, [u8]>,
}

/// A file's stat when it was read, and when the run that read it began
/// reading, by the file system's clock.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Keep {
    stat: Stat,
    since: Time,
}

/// Where a file's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Base,
    Tail,
    /// Read from the file in this run.
    File,
}

/// The bytes of the two files, each checked whole.
#[derive(Default)]
pub struct KeptFiles {
    /// The base's bytes, and its hash.
    base: Option<(Vec<u8>, u64)>,
    tail: Option<Vec<u8>>,
}

use crate::atomic::read_checked;

impl KeptFiles {
    /// The files in the cache folder `dir`.
    pub fn read(dir: &Path) -> KeptFiles {
        KeptFiles {
            base: read_checked(&dir.join(BASE)),
            tail: read_checked(&dir.join(TAIL)).map(|(bytes, _)| bytes),
        }
    }

    /// Their texts by path, the tail's over the base's; none from a file
    /// another docket wrote, or a tail of another base.
    pub fn texts(&self) -> Kept<'_> {
        let seed = seed();
        let mut kept = Kept::default();
        let Some((base, hash)) = &self.base else {
            return kept;
        };
        // All of the bytes, or none: a file longer than what it encodes is
        // not the file that was written.
        let decode = |bytes| match postcard::take_from_bytes::<Stored>(bytes) {
            Ok((stored, [])) => Some(stored),
            _ => None,
        };
        let Some(stored) = decode(base).filter(|s| s.seed == seed && s.base == 0) else {
            return kept;
        };
        kept.summary.base = Some((*hash, stored.entries.len()));
        kept.texts = stored
            .entries
            .into_iter()
            .map(|e| (e.rel, (e, Source::Base)))
            .collect();
        let tail = self.tail.as_deref().and_then(decode);
        if let Some(tail) = tail.filter(|t| t.seed == seed && t.base == *hash) {
            kept.summary.tail = tail.entries.len();
            for e in tail.entries {
                kept.texts.insert(e.rel, (e, Source::Tail));
            }
        }
        kept
    }
}

/// The texts previous runs kept, by path.
#[derive(Default)]
pub struct Kept<'a> {
    texts: crate::Lookup<&'a str, (Entry<'a>, Source)>,
    summary: Summary,
}

impl<'a> Kept<'a> {
    /// Take the kept text of `rel`, to be given back if the file is still
    /// what it was ([`Taken::holds`]).
    pub fn take(&mut self, rel: &str) -> Option<Taken<'a>> {
        self.texts
            .remove(rel)
            .map(|(entry, source)| Taken { entry, source })
    }

    /// What was read, to decide what to write ([`Keeper::finish`]).
    pub fn summary(&self) -> Summary {
        self.summary
    }
}

/// One file's kept text.
pub struct Taken<'a> {
    entry: Entry<'a>,
    source: Source,
}

/// A kept text, its tree, and what to keep of it again.
pub struct Held {
    pub text: String,
    pub tree: Table,
    pub keep: Keep,
    pub source: Source,
}

impl Taken<'_> {
    /// The text and its tree, if the file is still what it was when it
    /// was read: `now` is its metadata as it is now (`lstat`).
    pub fn holds(self, now: &Stat) -> Option<Held> {
        let Entry {
            keep, text, tree, ..
        } = self.entry;
        if plain(now) != Some(keep.stat) || keep.stat.ctime >= keep.since {
            return None;
        }
        Some(Held {
            text: text.to_owned(),
            tree: postcard::from_bytes(&tree).ok()?,
            keep,
            source: self.source,
        })
    }
}

/// What a run keeps, from when it began reading, by the clock of the
/// cache folder's file system.
pub struct Keeper {
    dir: PathBuf,
    since: Time,
    /// The device of the cache folder: `since` is its file system's time.
    dev: u64,
}

/// One file's entry to write: path, what to keep, text and tree.
pub type Written<'a> = (&'a str, Keep, Source, &'a str, &'a Table);

impl Keeper {
    /// Begin, before the first record is read: the time the file system
    /// gives a new file in the cache folder `dir` is when reading began.
    /// `None` where no file can be made there (a read-only repository
    /// keeps nothing), or on a file system whose change times docket does
    /// not rely on ([`local`]).
    pub fn start(dir: &Path) -> Option<Keeper> {
        std::fs::create_dir_all(dir).ok()?;
        crate::atomic::sweep(dir);
        let probe = dir.join(format!("records.{}", std::process::id()));
        let file = std::fs::File::create(&probe).ok()?;
        let stat = file.metadata().ok().and_then(|md| plain(&Stat::of(&md)));
        let local = local(&file);
        let _ = std::fs::remove_file(&probe);
        let stat = stat.filter(|_| local)?;
        Some(Keeper {
            dir: dir.to_path_buf(),
            since: stat.mtime,
            dev: stat.dev,
        })
    }

    /// What to keep of a file read now, whose metadata the open file gave:
    /// nothing if it changed since this run began reading, or if it is on
    /// another file system than the cache folder (whose clock says when
    /// that was: a file system that keeps whole seconds, beside one that
    /// keeps nanoseconds, would let a second change in the same second
    /// pass for the first).
    pub fn keep(&self, md: &Stat) -> Option<Keep> {
        let stat = plain(md)?;
        (stat.dev == self.dev && stat.ctime < self.since).then_some(Keep {
            stat,
            since: self.since,
        })
    }

    /// Write what `files` keeps: a new tail while the tail and the base's
    /// entries no longer read stay small beside the base, else a new
    /// base. Nothing is written when the tail read holds it all already;
    /// nothing is left half-written if writing fails.
    pub fn finish(self, read: Summary, files: &[Written<'_>]) {
        let count = |s| files.iter().filter(|f| f.2 == s).count();
        let (fresh, tail) = (count(Source::File), count(Source::Tail));
        let (name, base, entries): (_, _, Vec<&Written>) = match read.base {
            Some((hash, len))
                if (len - count(Source::Base).min(len) + fresh + tail) * 8 <= len + 512 =>
            {
                if fresh == 0 && tail == read.tail {
                    return;
                }
                let entries = files.iter().filter(|f| f.2 != Source::Base).collect();
                (TAIL, hash, entries)
            }
            _ => (BASE, 0, files.iter().collect()),
        };
        // A tail names the base it continues; one left beside a new base
        // would only be ignored.
        if name == BASE {
            let _ = std::fs::remove_file(self.dir.join(TAIL));
        }
        crate::atomic::write_atomic(&self.dir.join(name), |w| {
            Keeper::write(base, &entries, w).is_ok()
        });
    }

    /// The file of `entries`, and the hash of it that ends it.
    fn write(base: u64, entries: &[&Written], w: &mut impl Write) -> std::io::Result<()> {
        let stored = Writing {
            seed: seed(),
            base,
            entries: entries
                .iter()
                .map(|(rel, keep, _, text, tree)| WritingEntry {
                    rel,
                    keep: *keep,
                    text,
                    tree: TreeBytes(tree),
                })
                .collect(),
        };
        crate::atomic::write_checked(w, &stored)
    }
}

/// [`Stored`] as it is written: each tree encoded as it is reached, so a
/// new base never holds the encoding of every tree at once.
#[derive(Serialize)]
struct Writing<'a> {
    seed: u64,
    base: u64,
    entries: Vec<WritingEntry<'a>>,
}

/// [`Entry`] as it is written.
#[derive(Serialize)]
struct WritingEntry<'a> {
    rel: &'a str,
    keep: Keep,
    text: &'a str,
    tree: TreeBytes<'a>,
}

/// A tree, written as the bytes of its own encoding.
struct TreeBytes<'a>(&'a Table);

impl Serialize for TreeBytes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes = postcard::to_allocvec(self.0).map_err(serde::ser::Error::custom)?;
        s.serialize_bytes(&bytes)
    }
}

/// What a run read of the kept files, to decide what it writes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    /// The base's hash and number of entries.
    base: Option<(u64, usize)>,
    /// The number of entries in the tail.
    tail: usize,
}

/// Whether the file system `file` is on keeps change times docket relies
/// on: one of Linux's local file systems, where every write moves a
/// file's change time (one through a shared mapping only after
/// writeback, as the module's essay says) and `lstat` asks the disk, not
/// a cache of another machine's answer (NFS and SMB may answer from one
/// for a minute; FAT keeps no change time). Nothing is kept elsewhere,
/// nor off Linux.
#[cfg(target_os = "linux")]
fn local(file: &std::fs::File) -> bool {
    const LOCAL: [u32; 7] = [
        0xEF53,      // ext2, ext3, ext4
        0x5846_5342, // xfs
        0x9123_683E, // btrfs
        0x0102_1994, // tmpfs
        0xF2F5_2010, // f2fs
        0x2FC1_2FC1, // zfs
        0x794C_7630, // overlayfs (containers)
    ];
    rustix::fs::fstatfs(file).is_ok_and(|s| LOCAL.contains(&(s.f_type as u32)))
}

#[cfg(not(target_os = "linux"))]
fn local(_: &std::fs::File) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file that changed after the run began reading is not kept, and a
    /// kept text whose file changed at or after that moment is not given.
    #[test]
    #[cfg(unix)]
    fn a_file_changed_while_the_run_reads_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let keeper = Keeper::start(dir.path()).unwrap();
        let file = dir.path().join("o.toml");
        std::fs::write(&file, "id = \"A\"\n").unwrap();
        let md = Stat::of(&std::fs::symlink_metadata(&file).unwrap());
        assert!(keeper.keep(&md).is_none(), "changed after the run began");
        let stat = md;
        let entry = |since| Taken {
            entry: Entry {
                rel: "o.toml",
                keep: Keep { stat, since },
                text: "id = \"A\"\n",
                tree: Cow::Owned(postcard::to_allocvec(&Table::new()).unwrap()),
            },
            source: Source::Base,
        };
        assert!(
            entry(stat.ctime).holds(&md).is_none(),
            "changed in the tick it was read"
        );
        assert!(entry((stat.ctime.0 + 1, 0)).holds(&md).is_some());
        let other = Stat {
            ino: stat.ino + 1,
            ..stat
        };
        let moved = Taken {
            entry: Entry {
                keep: Keep {
                    stat: other,
                    since: (i64::MAX, 0),
                },
                ..entry((0, 0)).entry
            },
            source: Source::Base,
        };
        assert!(moved.holds(&md).is_none(), "another inode");
        // Read in the tick the run began: not kept.
        let same_tick = Keeper {
            dir: dir.path().to_path_buf(),
            since: stat.ctime,
            dev: stat.dev,
        };
        assert!(
            same_tick.keep(&md).is_none(),
            "changed in the tick reading began"
        );
        let later = Keeper {
            dir: dir.path().to_path_buf(),
            since: (stat.ctime.0 + 1, 0),
            dev: stat.dev,
        };
        assert!(later.keep(&md).is_some(), "changed before reading began");
        drop(keeper);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    /// A file on another file system than the cache folder is not kept,
    /// however long ago it changed: its clock is not the one `since` was
    /// read from. The same file in the cache's file system is (control).
    #[test]
    #[cfg(target_os = "linux")]
    fn a_file_on_another_file_system_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let here = dir.path().join("o.toml");
        std::fs::write(&here, "id = \"A\"\n").unwrap();
        let there = tempfile::NamedTempFile::new_in("/dev/shm").ok();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let keeper = Keeper::start(&dir.path().join("cache")).expect("a local file system");
        assert!(
            keeper
                .keep(&Stat::of(&std::fs::metadata(&here).unwrap()))
                .is_some()
        );
        let md = there.map(|f| Stat::of(&f.as_file().metadata().unwrap()));
        if let Some(md) = md.filter(|m| m.dev != keeper.dev) {
            assert!(keeper.keep(&md).is_none());
        }
    }

    /// A killed run's temporary file is removed by the next run; the kept
    /// files and a running process's are not.
    #[test]
    #[cfg(target_os = "linux")]
    fn what_a_killed_run_left_is_swept() {
        let dir = tempfile::tempdir().unwrap();
        let name = |n: &str| dir.path().join(n);
        // Above Linux's largest process id: no process has it.
        std::fs::write(name("records.999999999"), "a probe").unwrap();
        std::fs::write(name("records.bin.999999999"), "half a base").unwrap();
        std::fs::write(name("records.1"), "init's").unwrap();
        std::fs::write(name(BASE), "a base").unwrap();
        let _keeper = Keeper::start(dir.path()).unwrap();
        assert!(!name("records.999999999").exists());
        assert!(!name("records.bin.999999999").exists());
        assert!(name("records.1").exists() && name(BASE).exists());
    }
}
