//! What the file system says of a file, in docket's own type.
//!
//! `std::fs::Metadata` can only come from the standard library's own
//! calls, which take a whole path: each one walks every folder from `/`
//! down again. The guard looks a file up in its folder's handle instead
//! (`statx` relative to that folder, on Linux), so the loader's `lstat` of
//! a hundred thousand records costs one name each, and the answers of
//! both kinds of call must compare as equals: the kept records
//! (`kept.rs`) and git's index (`history/stat.rs`) are judged against
//! this one type, whichever call filled it.

use serde::{Deserialize, Serialize};

/// A time as the file system gives it: seconds and nanoseconds.
pub type Time = (i64, i64);

/// The file's kind in `mode`, as `stat(2)` encodes it.
const KIND: u32 = 0o170000;
const FILE: u32 = 0o100000;
const LINK: u32 = 0o120000;
const FOLDER: u32 = 0o040000;

/// What `lstat` (or `fstat`) says of a file that a change to it would
/// move, with its kind and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStat {
    pub dev: u64,
    pub ino: u64,
    /// Kind and permissions, as `st_mode`.
    pub mode: u32,
    pub size: u64,
    pub mtime: Time,
    pub ctime: Time,
}

impl FileStat {
    /// A regular file (not a link, folder, device or pipe).
    pub fn is_file(&self) -> bool {
        self.mode & KIND == FILE
    }

    pub fn is_symlink(&self) -> bool {
        self.mode & KIND == LINK
    }

    pub fn is_dir(&self) -> bool {
        self.mode & KIND == FOLDER
    }

    /// The kind bits of `mode` alone, to compare with git's.
    pub fn kind(&self) -> u32 {
        self.mode & KIND
    }

    /// The standard library's answer. Off Unix only the kind and size are
    /// known; nothing there is judged by the rest.
    pub fn of(md: &std::fs::Metadata) -> FileStat {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileStat {
                dev: md.dev(),
                ino: md.ino(),
                mode: md.mode(),
                size: md.size(),
                mtime: (md.mtime(), md.mtime_nsec()),
                ctime: (md.ctime(), md.ctime_nsec()),
            }
        }
        #[cfg(not(unix))]
        {
            let t = md.file_type();
            let kind = if t.is_symlink() {
                LINK
            } else if t.is_file() {
                FILE
            } else {
                FOLDER
            };
            FileStat {
                dev: 0,
                ino: 0,
                mode: kind,
                size: md.len(),
                mtime: (0, 0),
                ctime: (0, 0),
            }
        }
    }

    /// `name` in the folder `dir`, not following a link, as `statx(2)`
    /// gives it: the fields the standard library reads, the device
    /// number made as it makes it (so the two compare equal). `Err` when
    /// the file cannot be looked at, for the caller to say why.
    #[cfg(target_os = "linux")]
    pub fn at(dir: std::os::fd::BorrowedFd, name: &str) -> std::io::Result<FileStat> {
        use rustix::fs::{AtFlags, StatxFlags};
        use rustix::io::Errno;
        let want = StatxFlags::TYPE
            | StatxFlags::MODE
            | StatxFlags::INO
            | StatxFlags::SIZE
            | StatxFlags::MTIME
            | StatxFlags::CTIME;
        let s = match rustix::fs::statx(dir, name, AtFlags::SYMLINK_NOFOLLOW, want) {
            Ok(s) if want.bits() & !s.stx_mask == 0 => s,
            // A file system that leaves a field out of the mask, or a
            // kernel or sandbox without `statx`: still in this folder,
            // never by path.
            Ok(_) | Err(Errno::NOSYS | Errno::PERM) => return FileStat::opened_at(dir, name),
            Err(e) => return Err(e.into()),
        };
        let time = |t: rustix::fs::StatxTimestamp| (t.tv_sec, i64::from(t.tv_nsec));
        Ok(FileStat {
            dev: rustix::fs::makedev(s.stx_dev_major, s.stx_dev_minor),
            ino: s.stx_ino,
            mode: u32::from(s.stx_mode),
            size: s.stx_size,
            mtime: time(s.stx_mtime),
            ctime: time(s.stx_ctime),
        })
    }

    /// `name` in the folder `dir`, not following a link, the long way:
    /// opened as itself (`O_PATH`, a link as a link) and asked as the
    /// standard library asks an open file.
    #[cfg(target_os = "linux")]
    pub fn opened_at(dir: std::os::fd::BorrowedFd, name: &str) -> std::io::Result<FileStat> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let file = std::fs::File::from(rustix::fs::openat(dir, name, flags, Mode::empty())?);
        Ok(FileStat::of(&file.metadata()?))
    }
}

/// What the loader knows of one file it read.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    /// The hash of its bytes (0 when it could not be read): what
    /// `Loaded::fingerprint` is made of.
    pub hash: u64,
    /// The file's own stat as it was read, when it was a regular file in
    /// its own name (not reached through a link): what the history's
    /// check of the working tree judges by git's index, instead of
    /// looking at each of a hundred thousand files again (and at the file
    /// as it was read, not as it is a moment later).
    pub stat: Option<FileStat>,
}

#[cfg(test)]
mod tests {
    /// The same file, asked both ways, is the same: a kept record read by
    /// one call and looked at by the other must not be read again for a
    /// difference in encoding, nor pass for another file.
    #[test]
    #[cfg(target_os = "linux")]
    fn statx_in_a_folder_agrees_with_the_standard_library() {
        use super::FileStat;
        use std::os::fd::AsFd;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("o.toml"), "id = 1\n").unwrap();
        std::os::unix::fs::symlink("o.toml", dir.path().join("l.toml")).unwrap();
        let handle = std::fs::File::open(dir.path()).unwrap();
        for (name, file) in [("o.toml", true), ("l.toml", false)] {
            let std = FileStat::of(&std::fs::symlink_metadata(dir.path().join(name)).unwrap());
            let at = FileStat::at(handle.as_fd(), name).unwrap();
            assert_eq!(at, std, "{name}");
            assert_eq!(
                FileStat::opened_at(handle.as_fd(), name).unwrap(),
                std,
                "{name}"
            );
            assert_eq!((at.is_file(), at.is_symlink()), (file, !file), "{name}");
        }
        let missing = FileStat::at(handle.as_fd(), "none.toml").unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
        let missing = FileStat::opened_at(handle.as_fd(), "none.toml").unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    }
}
