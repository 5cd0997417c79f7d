//! git's index as a stat cache, as `git status` uses it: what the working
//! tree's check reads instead of hashing every record, and what the
//! timestamp stage reads instead of hashing every token
//! (`crate::tsa::stamps`).

use super::index_file::{self, Stat};
use crate::Lookup;
use crate::load::FileStat;
use git2::Oid;
use std::path::Path;

/// git's index as a stat cache, as `git status` uses it: a file whose size,
/// modification and change times and inode are those recorded when it was
/// staged still holds the staged blob, so it need not be read and hashed.
/// The change time is what makes this safe: anyone can put a modification
/// time back (`touch -r`), but every write moves the change time (through
/// a shared memory mapping, only the first after writeback: `kept.rs`),
/// and nothing short of the system clock sets it (git compares it too,
/// `core.trustctime`). Files modified no earlier than the index was
/// written ("racily clean") are hashed anyway. Without an index (or off
/// Unix), and where git may convert a file docket reads (`converts.rs`),
/// every file is hashed.
pub struct StatCache {
    /// The records root's path in the work tree (`""` or `records/`):
    /// the index names files from the work tree's top.
    prefix: String,
    entries: Lookup<Vec<u8>, Stat>,
    /// When the index was written (seconds, nanoseconds).
    written: (i64, i64),
}

/// The staged files of the index file `file`, read as git lays them out
/// (`index_file.rs`), or by libgit2 where that reader declines; `None`
/// when neither can read it.
pub(super) fn staged(file: &Path) -> Option<Vec<(Vec<u8>, Stat)>> {
    let read = std::fs::read(file).ok()?;
    if let Some(entries) = index_file::entries(&read) {
        crate::timing::count("index entries read by docket", entries.len());
        return Some(entries);
    }
    let index = git2::Index::open(file).ok()?;
    let entries: Vec<_> = index.iter().filter_map(from_libgit2).collect();
    crate::timing::count("index entries read by libgit2", entries.len());
    Some(entries)
}

/// A staged file (stage 0: not a conflict's side) as libgit2 read it.
pub(super) fn from_libgit2(e: git2::IndexEntry) -> Option<(Vec<u8>, Stat)> {
    index_file::is_staged(e.flags).then(|| {
        let stat = Stat {
            id: e.id,
            size: e.file_size,
            mtime: (e.mtime.seconds(), e.mtime.nanoseconds()),
            ctime: (e.ctime.seconds(), e.ctime.nanoseconds()),
            ino: e.ino,
            mode: e.mode,
        };
        (e.path, stat)
    })
}

impl StatCache {
    /// The index of the repository whose git folder is `git_dir` (read
    /// from its file, so that it can be read beside other work: a
    /// repository handle cannot be shared between threads), for the
    /// records root at `prefix` in its work tree `top`.
    pub fn new(git_dir: &Path, top: Option<&Path>, prefix: &str) -> StatCache {
        let mut cache = StatCache {
            prefix: prefix.to_string(),
            entries: Lookup::default(),
            written: (0, 0),
        };
        let file = git_dir.join("index");
        // The time first: an index git rewrites between the two reads then
        // looks older than its entries, which only makes more of them
        // racily clean (hashed), never fewer.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let Ok(md) = std::fs::metadata(&file) else {
                return cache;
            };
            cache.written = (md.mtime(), md.mtime_nsec());
        }
        let Some(staged) = staged(&file) else {
            return cache;
        };
        cache.entries.extend(staged);
        // Where git may store a file as other bytes than it holds, the
        // index's blob is not the hash of what docket reads.
        let converts = git2::Repository::open(git_dir).map_or(true, |repo| {
            let entries = cache.entries.iter().map(|(p, e)| (p.as_slice(), e.id));
            super::converts::may_convert(&repo, top, prefix, entries)
        });
        if converts {
            cache.entries.clear();
        }
        cache
    }

    /// The blob `rel` (relative to the records root) holds, if the index
    /// vouches for it; `md` is the file's own metadata (`lstat`: a link is
    /// a link).
    #[cfg(unix)]
    pub fn unchanged(&self, rel: &str, md: &FileStat) -> Option<Oid> {
        // Records at the work tree's top (the usual layout) need no path
        // made for each of the hundred thousand lookups of a big company.
        let e = if self.prefix.is_empty() {
            self.entries.get(rel.as_bytes())
        } else {
            self.entries.get(format!("{}{rel}", self.prefix).as_bytes())
        }?;
        // git keeps these fields truncated to 32 bits.
        let time = |(secs, nanos): (i32, u32)| (i64::from(secs), i64::from(nanos));
        let staged = (e.size, time(e.mtime), time(e.ctime), e.ino);
        let now = (md.size as u32, md.mtime, md.ctime, md.ino as u32);
        let racy = md.mtime >= self.written;
        // The kind of file too, as git compares it: a link staged where a
        // file is now (or the other way) vouches for nothing.
        let same_kind = e.mode & 0o170000 == md.kind();
        (staged == now && same_kind && !racy).then_some(e.id)
    }

    #[cfg(not(unix))]
    pub fn unchanged(&self, _rel: &str, _md: &FileStat) -> Option<Oid> {
        None
    }
}

impl std::fmt::Debug for StatCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StatCache({} entries)", self.entries.len())
    }
}

// The stat cache vouches for nothing off Unix, so its tests are Unix's.
#[cfg(test)]
mod tests {
    #[cfg(unix)]
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::MetadataExt;

    /// A cache whose one entry, `o.toml`, records `md` as git would, with
    /// the given mode, and an index written after the file's last change.
    #[cfg(unix)]
    fn staged(md: &std::fs::Metadata, mode: u32) -> StatCache {
        let mut entries = Lookup::default();
        entries.insert(
            b"o.toml".to_vec(),
            Stat {
                id: Oid::hash_object(git2::ObjectType::Blob, b"id = 1\n").unwrap(),
                size: md.len() as u32,
                mtime: (md.mtime() as i32, md.mtime_nsec() as u32),
                ctime: (md.ctime() as i32, md.ctime_nsec() as u32),
                ino: md.ino() as u32,
                mode,
            },
        );
        StatCache {
            prefix: String::new(),
            entries,
            written: (md.mtime() + 1, 0),
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_index_vouches_for_a_file_of_the_kind_it_staged_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("o.toml");
        std::fs::write(&file, "id = 1\n").unwrap();
        let md = std::fs::symlink_metadata(&file).unwrap();
        let now = FileStat::of(&md);
        assert!(staged(&md, 0o100644).unchanged("o.toml", &now).is_some());
        // The same stat staged as a link (or a submodule) is not this file.
        assert!(staged(&md, 0o120000).unchanged("o.toml", &now).is_none());
        assert!(staged(&md, 0o160000).unchanged("o.toml", &now).is_none());
        // Racily clean: modified as the index was written.
        let mut racy = staged(&md, 0o100644);
        racy.written = (md.mtime(), md.mtime_nsec());
        assert!(racy.unchanged("o.toml", &now).is_none());
        assert!(
            staged(&md, 0o100644)
                .unchanged("other.toml", &now)
                .is_none()
        );
    }
}
