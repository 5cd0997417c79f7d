//! A folder below the records root that the guard has checked, and the
//! files looked up in it.
//!
//! Once the guard has resolved a folder (inside the root, not hidden), a
//! file in it is looked at by its name alone. On Linux the folder is
//! reached from a handle on the root (`O_PATH`), one name at a time with
//! no link followed (`O_NOFOLLOW`): `statx` and `openat` then resolve one
//! name instead of walking every folder from `/` again (at 50,000 orders
//! the loader's `lstat` of every record spent most of its time there), and
//! a folder renamed or replaced by a link after its check (or while it is
//! being checked: the real path is resolved first, then walked) is never
//! followed to wherever the new path leads. The first folders (as many
//! as [`handles`] says) keep their handle for the run; the others are
//! walked to again for each use. A failure through a handle says why; it
//! is never asked again by path. Elsewhere, by the folder's real path
//! joined with the name, where `O_NOFOLLOW` covers the last name only.

use super::filestat::FileStat;
use std::path::{Path, PathBuf};

/// How many folders keep a handle: a quarter of the open files the
/// process may hold (256 under the common limit of 1,024; docket asks for
/// more at start), at most 16,384. Past that (a company with more folders
/// than that), a folder is walked to from the root for each use, so that
/// docket never holds enough open files to starve the rest of the run.
pub(super) fn handles() -> usize {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Resource, getrlimit};
        let soft = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
        usize::try_from(soft / 4).map_or(MAX_HANDLES, |n| n.min(MAX_HANDLES))
    }
    #[cfg(not(target_os = "linux"))]
    0
}

const MAX_HANDLES: usize = 16_384;

/// Ask for the hard limit of open files, up to 65,536, as `ulimit -n`
/// would: the soft limit is often 1,024 where the hard one is far higher,
/// and the guard keeps a handle on as many folders as a quarter of it (a
/// 50,000-order company has 1,115 folders). `docket` calls it once,
/// before anything is opened.
pub fn more_open_files() {
    // Refused, the guard holds fewer handles and walks to the rest.
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let now = getrlimit(Resource::Nofile);
        let want = now.maximum.unwrap_or(u64::MAX).min(65_536);
        if now.current.is_some_and(|soft| soft < want) {
            let more = Rlimit {
                current: Some(want),
                maximum: now.maximum,
            };
            let _ = setrlimit(Resource::Nofile, more);
        }
    }
}

/// A checked folder: its real path, and on Linux the way to it from the
/// root's handle.
#[derive(Debug)]
pub(super) struct Folder {
    real: PathBuf,
    #[cfg(target_os = "linux")]
    root: std::sync::Arc<std::os::fd::OwnedFd>,
    /// The folder's real path below the root (empty: the root).
    #[cfg(target_os = "linux")]
    below: PathBuf,
    #[cfg(target_os = "linux")]
    held: Option<std::os::fd::OwnedFd>,
}

#[cfg(target_os = "linux")]
const FOLDER: rustix::fs::OFlags = rustix::fs::OFlags::PATH
    .union(rustix::fs::OFlags::DIRECTORY)
    .union(rustix::fs::OFlags::NOFOLLOW)
    .union(rustix::fs::OFlags::CLOEXEC);

impl Folder {
    /// The records root, at its real path.
    pub(super) fn root(real: PathBuf) -> std::io::Result<Folder> {
        #[cfg(target_os = "linux")]
        {
            let root = rustix::fs::open(&real, FOLDER, rustix::fs::Mode::empty())?;
            Ok(Folder {
                real,
                root: std::sync::Arc::new(root),
                below: PathBuf::new(),
                held: None,
            })
        }
        #[cfg(not(target_os = "linux"))]
        Ok(Folder { real })
    }

    /// The folder at `real`, `below` the root (this folder); `hold` keeps
    /// its handle for the run. On Linux it is walked to now, so a folder
    /// changed since its real path was resolved is refused here.
    pub(super) fn child(&self, real: PathBuf, below: &Path, hold: bool) -> std::io::Result<Folder> {
        #[cfg(target_os = "linux")]
        {
            let handle = walk(&self.root, below)?;
            Ok(Folder {
                real,
                root: self.root.clone(),
                below: below.to_path_buf(),
                held: hold.then_some(handle),
            })
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = (below, hold);
            Ok(Folder { real })
        }
    }

    pub(super) fn real(&self) -> &Path {
        &self.real
    }

    /// The real path of `name` in this folder.
    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.real.join(name)
    }

    /// `f` given a handle on this folder: the one held, the root's, or
    /// one walked to for this call.
    #[cfg(target_os = "linux")]
    fn with<T>(
        &self,
        f: impl FnOnce(std::os::fd::BorrowedFd<'_>) -> std::io::Result<T>,
    ) -> std::io::Result<T> {
        use std::os::fd::AsFd;
        match &self.held {
            Some(h) => f(h.as_fd()),
            None if self.below.as_os_str().is_empty() => f(self.root.as_fd()),
            None => f(walk(&self.root, &self.below)?.as_fd()),
        }
    }

    /// What `lstat` says of `name` in this folder: a link is a link.
    pub(super) fn lstat(&self, name: &str) -> std::io::Result<FileStat> {
        #[cfg(target_os = "linux")]
        return self.with(|h| FileStat::at(h, name));
        #[cfg(not(target_os = "linux"))]
        std::fs::symlink_metadata(self.path(name)).map(|md| FileStat::of(&md))
    }

    /// Open `name` in this folder for reading, no link followed
    /// (`O_NOFOLLOW`) and no wait on a pipe's writer (`O_NONBLOCK`).
    #[cfg(unix)]
    pub(super) fn open(&self, name: &str) -> std::io::Result<std::fs::File> {
        #[cfg(target_os = "linux")]
        return self.with(|h| {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
            Ok(std::fs::File::from(rustix::fs::openat(
                h,
                name,
                flags,
                Mode::empty(),
            )?))
        });
        #[cfg(not(target_os = "linux"))]
        open_path(&self.path(name))
    }
}

/// What a walk says when a part of the path is no longer the folder
/// that was checked: a person can only run docket again.
#[cfg(target_os = "linux")]
pub(super) const CHANGED: &str =
    "a folder on its path was replaced (by a link or a file) while docket ran; run docket again";

/// The folder `below` the root, one name at a time, no link followed: a
/// part that is now a link or no folder fails (`ENOTDIR`, or `ELOOP`),
/// and says so in [`CHANGED`]'s words.
#[cfg(target_os = "linux")]
fn walk(root: &std::os::fd::OwnedFd, below: &Path) -> std::io::Result<std::os::fd::OwnedFd> {
    use rustix::io::Errno;
    use std::path::Component;
    let mut here: Option<std::os::fd::OwnedFd> = None;
    for part in below.components() {
        let Component::Normal(name) = part else {
            return Err(std::io::Error::other("not a plain folder name"));
        };
        let from = here.as_ref().unwrap_or(root);
        let next = rustix::fs::openat(from, name, FOLDER, rustix::fs::Mode::empty());
        here = Some(next.map_err(|e| match e {
            Errno::NOTDIR | Errno::LOOP => std::io::Error::other(CHANGED),
            e => e.into(),
        })?);
    }
    match here {
        Some(h) => Ok(h),
        None => Ok(rustix::fs::openat(
            root,
            ".",
            FOLDER,
            rustix::fs::Mode::empty(),
        )?),
    }
}

/// Open `path` as [`Folder::open`] opens a name.
#[cfg(not(target_os = "linux"))]
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
#[cfg(target_os = "linux")]
mod tests {
    use super::Folder;
    use std::io::Read;
    use std::path::Path;

    fn read(folder: &Folder) -> std::io::Result<String> {
        let mut text = String::new();
        folder.open("o.toml")?.read_to_string(&mut text)?;
        Ok(text)
    }

    /// `root/orders/2026/o.toml` and, outside the root, `2026/o.toml`
    /// with other words: what a swapped folder would lead to.
    fn company() -> (tempfile::TempDir, tempfile::TempDir) {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        for (top, text) in [
            (&root, "id = \"in\"\n"),
            (&outside, "secret = \"outside\"\n"),
        ] {
            let dir = top.path().join("orders/2026");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("o.toml"), text).unwrap();
        }
        (root, outside)
    }

    /// A folder renamed and replaced by a link to elsewhere after the
    /// guard checked it: with its handle held, a file in it is still
    /// looked up in the folder that was checked; walked to again (past
    /// the handles held), the link is met and refused. Never the link's
    /// target, which the same name by path reaches: the control that the
    /// swap took place.
    #[test]
    fn a_folder_swapped_for_a_link_after_its_check_is_not_followed() {
        let (root, outside) = company();
        let top = Folder::root(root.path().canonicalize().unwrap()).unwrap();
        let dir = root.path().join("orders/2026");
        let real = dir.canonicalize().unwrap();
        let below = Path::new("orders/2026");
        let held = top.child(real.clone(), below, true).unwrap();
        let again = top.child(real.clone(), below, false).unwrap();
        assert_eq!(read(&again).unwrap(), "id = \"in\"\n");
        std::fs::rename(&dir, root.path().join("orders/moved")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("orders/2026"), &dir).unwrap();
        assert_eq!(read(&held).unwrap(), "id = \"in\"\n");
        assert_eq!(held.lstat("o.toml").unwrap().size, 10);
        assert_eq!(read(&again).unwrap_err().to_string(), super::CHANGED);
        assert_eq!(
            again.lstat("o.toml").unwrap_err().to_string(),
            super::CHANGED
        );
        let by_path = std::fs::read_to_string(real.join("o.toml")).unwrap();
        assert_eq!(by_path, "secret = \"outside\"\n");
    }

    /// A parent folder swapped for a link between the moment the guard
    /// resolves a folder's real path and the moment it opens it: the walk
    /// from the root meets the link and fails, where an open of the real
    /// path would have held a handle on a folder outside the root.
    #[test]
    fn a_folder_swapped_while_it_is_checked_is_refused() {
        let (root, outside) = company();
        let top = Folder::root(root.path().canonicalize().unwrap()).unwrap();
        let real = root.path().join("orders/2026").canonicalize().unwrap();
        std::fs::rename(root.path().join("orders"), root.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("orders"), root.path().join("orders"))
            .unwrap();
        let walked = top.child(real.clone(), Path::new("orders/2026"), true);
        assert_eq!(walked.unwrap_err().to_string(), super::CHANGED);
        assert_eq!(
            std::fs::read_to_string(real.join("o.toml")).unwrap(),
            "secret = \"outside\"\n"
        );
    }
}
