//! One build at a time per output folder, and a swap that never leaves
//! the folder missing.
//!
//! - **Lock.** A build holds an exclusive lock (`File::lock`) on
//!   `.<name>.docket-lock` beside the output folder from before it looks at
//!   the folder until the new site is in place. A second build waits
//!   (saying so once) and then builds over the first one's site. The lock
//!   file stays: removing it would let a third build lock a fresh file
//!   while the second still holds the old one.
//! - **Swap.** The new site is written to `.<name>.docket-new.<pid>` (one
//!   per process, never shared) and exchanged with the published folder in
//!   one `renameat2(RENAME_EXCHANGE)` on Linux, so `<out>/index.html`
//!   exists at every instant once a site was published. Where the file
//!   system cannot exchange (other systems, some network file systems),
//!   two renames: `<out> -> .<name>.docket-old`, then the new folder to
//!   `<out>`.
//! - **Spare.** The folder swapped out (the site before this one) is not
//!   removed but kept as `.<name>.docket-spare`, and the next build
//!   writes into it (renamed to its own temporary name) instead of into a
//!   fresh folder: only the files that differ between that site and the
//!   new one are written or removed, and removing tens of thousands of
//!   links after each swap, and making as many again in the next build,
//!   is no longer most of a rebuild. The spare is taken up only beside a
//!   published site, and only when its manifest accounts for every file
//!   in it and every file it lists is there, as checked for the published
//!   folder ([`super::accept::check_contents`]); otherwise it is removed
//!   and the build starts from an empty folder. Inside a git work tree
//!   the spare is kept only where git ignores its name
//!   (`accept::check_place`); a folder of that name is then neither taken
//!   up nor removed.
//! - **Recovery.** A build killed at any point leaves one of a few states;
//!   the next build, holding the lock, repairs it before anything else:
//!   `.<name>.docket-old` with `<out>` missing (killed between the two
//!   renames) is put back as `<out>`; a leftover `.<name>.docket-new.*`
//!   (killed while writing, or after the exchange) and a leftover
//!   `.<name>.docket-old` are removed. These names are docket's own: a
//!   link found under one is removed as a link, never followed.

use crate::error::{Error, Result};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The names docket keeps beside an output folder `name`.
pub struct Beside {
    pub parent: PathBuf,
    pub out: PathBuf,
    pub lock: PathBuf,
    pub old: PathBuf,
    /// `None` where the spare may not be kept (a git work tree that does
    /// not ignore it).
    pub spare: Option<PathBuf>,
    /// The prefix of every temporary folder's name.
    new_prefix: String,
}

impl Beside {
    pub fn new(out: &Path) -> Option<Beside> {
        let name = out.file_name()?.to_string_lossy().into_owned();
        let parent = out.parent()?.to_path_buf();
        Some(Beside {
            lock: parent.join(format!(".{name}.docket-lock")),
            old: parent.join(format!(".{name}.docket-old")),
            spare: Some(parent.join(super::accept::spare_name(&name))),
            new_prefix: format!(".{name}.docket-new"),
            out: out.to_path_buf(),
            parent,
        })
    }

    /// This process's temporary folder.
    pub fn tmp(&self) -> PathBuf {
        self.parent
            .join(format!("{}.{}", self.new_prefix, std::process::id()))
    }
}

/// Take the build lock of the output folder; `waiting` is called once if
/// another build holds it.
pub fn lock(b: &Beside, waiting: impl FnOnce()) -> Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        // A link planted under the lock's name is not followed.
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let file = opts.open(&b.lock).map_err(|e| Error::io(&b.lock, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            waiting();
            file.lock().map_err(|e| Error::io(&b.lock, e))?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&b.lock, e)),
    }
    Ok(file)
}

/// Repair what an interrupted build left (see the module documentation).
/// Call with the lock held.
pub fn recover(b: &Beside) -> Result<()> {
    let entries = std::fs::read_dir(&b.parent).map_err(|e| Error::io(&b.parent, e))?;
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        // `.site.docket-new` (an older docket's) or `.site.docket-new.<pid>`.
        let ours = name
            .strip_prefix(&b.new_prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'));
        if ours {
            remove(&e.path())?;
        }
    }
    let Ok(old) = std::fs::symlink_metadata(&b.old) else {
        return Ok(());
    };
    let out_missing = std::fs::symlink_metadata(&b.out).is_err();
    if out_missing && old.is_dir() {
        std::fs::rename(&b.old, &b.out).map_err(|e| Error::io(&b.out, e))
    } else {
        remove(&b.old)
    }
}

/// Remove a leftover of docket's own: a folder with what is in it, or
/// (a link, a file) just the entry itself.
fn remove(path: &Path) -> Result<()> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        remove_tree(path)
    } else {
        std::fs::remove_file(path).map_err(|e| Error::io(path, e))
    }
}

/// Put the finished site `tmp` in place of `b.out`.
pub fn swap(b: &Beside, tmp: &Path) -> Result<()> {
    if std::fs::symlink_metadata(&b.out).is_err() {
        return std::fs::rename(tmp, &b.out).map_err(|e| Error::io(&b.out, e));
    }
    match exchange(tmp, &b.out) {
        // `tmp` now holds the previous site: the next build's spare. The
        // new one is published whatever happens next; what is not put
        // aside now, the next build removes.
        Ok(()) => {
            keep_spare(b, tmp);
            return Ok(());
        }
        Err(e) if !exchange_unsupported(&e) => return Err(Error::io(&b.out, e)),
        Err(_) => {}
    }
    swap_by_renames(b, tmp)
}

/// The fallback: two renames, with `<out>` missing in between.
pub fn swap_by_renames(b: &Beside, tmp: &Path) -> Result<()> {
    std::fs::rename(&b.out, &b.old).map_err(|e| Error::io(&b.out, e))?;
    if let Err(e) = std::fs::rename(tmp, &b.out) {
        // Put the previous site back before reporting.
        let _ = std::fs::rename(&b.old, &b.out);
        return Err(Error::io(&b.out, e));
    }
    keep_spare(b, &b.old);
    Ok(())
}

/// Keep the site just swapped out (now at `previous`) as the spare.
fn keep_spare(b: &Beside, previous: &Path) {
    let kept = b
        .spare
        .as_ref()
        .is_some_and(|spare| std::fs::rename(previous, spare).is_ok());
    if !kept {
        let _ = remove_tree(previous);
    }
}

/// Take up the spare as the folder `tmp` to write the new site into:
/// its manifest (every file in it, which the new build replaces or
/// removes as it must), or `None` when there is no spare to take up: no
/// spare, no `published` site beside it (a site deleted by hand asks for a
/// build from nothing, and gets one), not a folder, a listed file missing
/// or anything its manifest does not list. Then it is removed, and `tmp`
/// is not made. Call with the lock held.
pub fn take_spare(
    b: &Beside,
    tmp: &Path,
    published: bool,
) -> Result<Option<super::accept::Manifest>> {
    let Some(spare) = &b.spare else {
        return Ok(None);
    };
    let Ok(meta) = std::fs::symlink_metadata(spare) else {
        return Ok(None);
    };
    if !meta.is_dir() || !published {
        remove(spare)?;
        return Ok(None);
    }
    std::fs::rename(spare, tmp).map_err(|e| Error::io(tmp, e))?;
    match super::accept::check_contents(tmp, tmp) {
        Ok(Some(manifest)) if manifest.missing == 0 => {
            // From here on the folder is half of one build and half of
            // another: if this build stops, recovery removes it.
            let listed = tmp.join(super::accept::MANIFEST);
            std::fs::remove_file(&listed).map_err(|e| Error::io(&listed, e))?;
            Ok(Some(manifest))
        }
        Ok(None) => Ok(Some(Default::default())),
        // A file gone from it would leave its folder behind, empty and
        // unlisted, for the next build to refuse.
        Ok(Some(_)) | Err(_) => {
            remove(tmp)?;
            Ok(None)
        }
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Errors that mean "this kernel or file system cannot exchange", not
/// "this rename failed".
fn exchange_unsupported(e: &std::io::Error) -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::io::Errno;
        let errno = Errno::from_io_error(e);
        if matches!(errno, Some(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP)) {
            return true;
        }
    }
    e.kind() == std::io::ErrorKind::Unsupported
}

/// `remove_dir_all`, one top-level entry per thread: a site has a folder
/// per kind, and unlinking tens of thousands of files is most of the
/// system time of a build that cannot take up a spare.
pub fn remove_tree(dir: &Path) -> Result<()> {
    use rayon::prelude::*;
    let entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok())
        .collect();
    entries.par_iter().try_for_each(|e| {
        let path = e.path();
        let removed = match e.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
        removed.map_err(|err| Error::io(&path, err))
    })?;
    std::fs::remove_dir(dir).map_err(|e| Error::io(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(dir: &Path, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("index.html"), text).unwrap();
    }

    fn index(b: &Beside) -> String {
        std::fs::read_to_string(b.out.join("index.html")).unwrap()
    }

    #[test]
    fn both_swaps_put_the_new_site_in_place_and_keep_the_previous_as_the_spare() {
        let dir = tempfile::tempdir().unwrap();
        let b = Beside::new(&dir.path().join("site")).unwrap();
        let spare =
            || std::fs::read_to_string(b.spare.as_ref().unwrap().join("index.html")).unwrap();
        site(&b.out, "old");
        site(&b.tmp(), "new");
        swap(&b, &b.tmp()).unwrap();
        assert_eq!((index(&b), spare()), ("new".into(), "old".into()));
        // The spare is taken up by the next build, as `tmp`.
        std::fs::rename(b.spare.as_ref().unwrap(), b.tmp()).unwrap();
        std::fs::write(b.tmp().join("index.html"), "newer").unwrap();
        swap_by_renames(&b, &b.tmp()).unwrap();
        assert_eq!((index(&b), spare()), ("newer".into(), "new".into()));
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(left, [".site.docket-spare", "site"]);
    }

    #[test]
    fn recovery_puts_the_published_site_back() {
        let dir = tempfile::tempdir().unwrap();
        let b = Beside::new(&dir.path().join("site")).unwrap();
        // Killed between the two renames of the fallback.
        site(&b.old, "published");
        site(&b.tmp(), "half");
        std::fs::write(dir.path().join(".site.docket-newsletter"), "mine").unwrap();
        recover(&b).unwrap();
        assert_eq!(index(&b), "published");
        assert!(!b.old.exists() && !b.tmp().exists());
        assert!(
            dir.path().join(".site.docket-newsletter").exists(),
            "not ours"
        );
        // Killed before removing the old site: it goes, the site stays.
        site(&b.old, "older");
        recover(&b).unwrap();
        assert_eq!(index(&b), "published");
        assert!(!b.old.exists());
    }
}
