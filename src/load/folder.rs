//! A folder below the records root that the guard has checked, and the
//! files looked up in it.
//!
//! Once the guard has resolved a folder (inside the root, not hidden), a
//! file in it is looked at by its name alone: on Linux through a handle on
//! the folder (`O_PATH`), so that `statx` and `openat` resolve one name
//! instead of walking every folder from `/` again (at 50,000 orders the
//! loader's `lstat` of every record spent most of its time there), and
//! so that a folder renamed or replaced by a link after the check is not
//! followed to wherever the new path leads. Elsewhere, and where a handle
//! cannot be had, by the folder's real path joined with the name, as
//! before.

use super::filestat::FileStat;
use std::path::{Path, PathBuf};

/// How many folders get a handle: a company's kinds and years many times
/// over. Past that (a repository with a folder per record's attachments),
/// folders are used by path, so that docket never holds enough open files
/// to starve the rest of the run.
pub(super) const MAX_HANDLES: usize = 256;

/// A checked folder: its real path, and on Linux a handle on it.
#[derive(Debug)]
pub(super) struct Folder {
    real: PathBuf,
    #[cfg(target_os = "linux")]
    handle: Option<std::os::fd::OwnedFd>,
}

impl Folder {
    /// The folder at the real path `real`, with a handle if `handle` and
    /// one can be opened (a folder, not a link put there since the check).
    pub(super) fn new(real: PathBuf, handle: bool) -> Folder {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let handle = handle
                .then(|| rustix::fs::open(&real, flags, Mode::empty()).ok())
                .flatten();
            Folder { real, handle }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = handle;
            Folder { real }
        }
    }

    /// The real path of `name` in this folder.
    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.real.join(name)
    }

    /// What `lstat` says of `name` in this folder: a link is a link.
    pub(super) fn lstat(&self, name: &str) -> std::io::Result<FileStat> {
        #[cfg(target_os = "linux")]
        if let Some(h) = &self.handle {
            use std::os::fd::AsFd;
            match FileStat::at(h.as_fd(), name) {
                Ok(stat) => return Ok(stat),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(e),
                // Anything else (a kernel or sandbox without `statx`) is
                // asked again the standard library's way, which says why.
                Err(_) => {}
            }
        }
        std::fs::symlink_metadata(self.path(name)).map(|md| FileStat::of(&md))
    }

    /// Open `name` in this folder for reading, no link followed
    /// (`O_NOFOLLOW`) and no wait on a pipe's writer (`O_NONBLOCK`).
    #[cfg(unix)]
    pub(super) fn open(&self, name: &str) -> std::io::Result<std::fs::File> {
        #[cfg(target_os = "linux")]
        if let Some(h) = &self.handle {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
            let fd = rustix::fs::openat(h, name, flags, Mode::empty())?;
            return Ok(std::fs::File::from(fd));
        }
        open_path(&self.path(name))
    }
}

/// Open `path` as [`Folder::open`] opens a name.
pub(super) fn open_path(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        options.custom_flags(flags.bits() as i32);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::Folder;
    use std::io::Read;

    /// A folder renamed and replaced by a link to elsewhere after the
    /// guard checked it: through the handle, a file in it is still looked
    /// up in the folder that was checked, never behind the link. By path
    /// (no handle), the same name reaches the link's target: the control
    /// that the swap took place.
    #[test]
    #[cfg(target_os = "linux")]
    fn a_folder_swapped_for_a_link_after_its_check_is_not_followed() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let dir = root.path().join("orders/2026");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("o.toml"), "id = \"in\"\n").unwrap();
        std::fs::write(outside.path().join("o.toml"), "secret = \"outside\"\n").unwrap();
        let real = dir.canonicalize().unwrap();
        let checked = Folder::new(real.clone(), true);
        std::fs::rename(&dir, root.path().join("orders/moved")).unwrap();
        std::os::unix::fs::symlink(outside.path(), &dir).unwrap();
        let read = |folder: &Folder| {
            let mut text = String::new();
            folder
                .open("o.toml")
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        };
        assert_eq!(read(&checked), "id = \"in\"\n");
        assert_eq!(checked.lstat("o.toml").unwrap().size, 10);
        let by_path = Folder::new(real, false);
        assert_eq!(read(&by_path), "secret = \"outside\"\n");
    }
}
