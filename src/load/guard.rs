//! The one door into the records root.
//!
//! Everything docket reads from the records folder (the configuration,
//! `people.toml`, `procedure.md`, every record, the site's template
//! overrides, the attachments it copies) goes through [`Guard::check`]
//! (a read opens the file first and looks at what it opened, to the same
//! verdict).
//! It resolves the real path, links and all, and refuses anything whose
//! real path leaves the records root or has a hidden component below it
//! (`.git`, `.env`, any dotfile or dotfolder).
//!
//! Why one function: a repository is written by many people and built on
//! machines that hold secrets. A committed link `templates/site.css ->
//! /proc/self/environ` or an attachment `po.txt -> ../../.git/config` (a
//! CI checkout's credential) would otherwise be published on the
//! intranet. Two checks that disagree (one lexical, one on disk; one
//! treating `\` as a separator, the other not) are how such a file slips
//! through, so the rule that reports an attachment and the site that
//! copies it ask the same question here, and get the same answer, with a
//! reason a person can act on ("is a link leaving the records root",
//! "hidden files are not read or published"), never just "not there".
//!
//! Names given in records (attachments) are resolved lexically first
//! ([`super::names`]): relative to the record's folder, `/` only (a `\`
//! would name different files on Windows and Unix), no absolute paths or
//! drive letters, no `..` above the root. Then the real path is checked.
//! Each folder's real path, once checked, is walked to from a handle on
//! the root with no link followed (`folder.rs`), and its files are opened
//! there by name: a folder swapped for a link while docket runs is
//! refused, not followed, and a file that cannot be opened so is never
//! opened again by path.
//! The loader's walk lists the folder without following links and skips
//! hidden entries; what it lists is still read through here. The one read
//! that does not pass is the history stage hashing working-tree records to
//! compare them with `HEAD`: its walk follows no link and skips hidden
//! entries too, and a hash says nothing of the content.

use super::filestat::FileStat;
use super::folder::Folder;
use super::names::{attachment_path, check_name, is_active};
use super::refused::Refused;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The records root, as given and as resolved.
#[derive(Debug, Default)]
pub struct Guard {
    given: PathBuf,
    /// The root at its real path. `None` (only in a default, empty
    /// model) refuses everything.
    top: Option<Arc<Folder>>,
    /// Folders below the root (`""`: the root) already resolved: the
    /// folder, or why nothing in it is read. Thousands of records share a
    /// few year folders; resolving each folder once makes a file's check
    /// one `lstat` of its name in the folder (the loader reads every
    /// record through here).
    folders: Mutex<crate::Lookup<String, Result<Arc<Folder>, Refused>>>,
    /// How many of them keep a handle open ([`super::folder::handles`]).
    handles: usize,
}

/// An attachment that passed the guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    /// Its path below the records root, `/`-separated (as named, not as
    /// resolved: the site publishes it under this name).
    pub rel: String,
    pub size: u64,
}

impl Attached {
    /// Content a browser would run on the site's own origin (a page, an
    /// image with scripts, a script): kept in the repository, not published.
    pub fn is_active(&self) -> bool {
        is_active(&self.rel)
    }
}

impl Guard {
    pub fn new(root: &Path) -> std::io::Result<Guard> {
        Guard::holding(root, super::folder::handles())
    }

    /// A guard that keeps a handle on `handles` folders at most.
    fn holding(root: &Path, handles: usize) -> std::io::Result<Guard> {
        Ok(Guard {
            given: root.to_path_buf(),
            top: Some(Arc::new(Folder::root(root.canonicalize()?)?)),
            folders: Mutex::default(),
            handles,
        })
    }

    /// The error that stops the run when `rel`, a file docket cannot do
    /// without, was refused: it names the file and why.
    pub fn refusal(&self, rel: &str, why: &Refused) -> crate::error::Error {
        crate::error::Error::Refused {
            path: self.given.join(rel),
            why: why.why(),
        }
    }

    /// The real path of `rel` (`/`-separated, below the root), if it is a
    /// regular file whose real path is inside the records root and has no
    /// hidden component there. The one check every read goes through.
    pub fn check(&self, rel: &str) -> Result<PathBuf, Refused> {
        let (real, own) = self.named(rel)?;
        if own.is_file() {
            return Ok(real);
        }
        if !own.is_symlink() {
            return Err(Refused::NotAFile);
        }
        let (target, _) = self.inside(&real)?;
        match std::fs::metadata(&target) {
            Ok(m) if m.is_file() => Ok(target),
            Ok(_) => Err(Refused::NotAFile),
            Err(e) => Err(Refused::Unreadable(e.to_string())),
        }
    }

    /// The stat of `rel` when it passes [`Guard::check`] as a regular
    /// file in its own name, not a link: what git's index can vouch for
    /// by its stat without the file being read.
    pub fn plain_metadata(&self, rel: &str) -> Option<FileStat> {
        let (folder, name) = self.place(rel).ok()?;
        folder.lstat(name).ok().filter(FileStat::is_file)
    }

    /// The path of `rel` with its folder's links resolved (inside the
    /// root, not hidden), and the stat of the name itself: a link is a
    /// link here.
    fn named(&self, rel: &str) -> Result<(PathBuf, FileStat), Refused> {
        let (folder, name) = self.place(rel)?;
        let stat = folder.lstat(name).map_err(lost)?;
        Ok((folder.path(name), stat))
    }

    /// The checked folder `rel` is in (its links resolved, inside the
    /// root, not hidden), and its name there; the name itself is not
    /// looked at.
    fn place<'r>(&self, rel: &'r str) -> Result<(Arc<Folder>, &'r str), Refused> {
        check_name(rel)?;
        // One pass; a part that climbs outranks a hidden one.
        let mut hidden = false;
        for part in rel.split('/') {
            if part.is_empty() || part == "." || part == ".." {
                return Err(Refused::Outside);
            }
            hidden |= part.starts_with('.');
        }
        if hidden {
            return Err(Refused::Hidden);
        }
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        // The folder's real path is checked (inside, not hidden); then
        // the file itself, if it is no link, is where it seems to be.
        Ok((self.folder(dir)?, name))
    }

    /// The folder `dir` below the root (`""`: the root), checked by
    /// [`Guard::inside`] once.
    fn folder(&self, dir: &str) -> Result<Arc<Folder>, Refused> {
        let Some(top) = &self.top else {
            return Err(Refused::LinkOutside);
        };
        if dir.is_empty() {
            return Ok(top.clone());
        }
        let mut folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = folders.get(dir) {
            return known.clone();
        }
        let hold = folders.len() < self.handles;
        // Resolved, then walked to from the root no link followed: a
        // folder swapped in between is refused, not followed.
        let found = self
            .inside(&self.given.join(dir))
            .and_then(|(real, below)| {
                let folder = top.child(real, Path::new(&below), hold).map_err(lost)?;
                Ok(Arc::new(folder))
            });
        folders.insert(dir.to_string(), found.clone());
        found
    }

    /// `path` with every link resolved, and that real path below the
    /// root (`/`-separated), if it stays inside the records root and
    /// shows no hidden component there.
    fn inside(&self, path: &Path) -> Result<(PathBuf, String), Refused> {
        let Some(root) = self.top.as_ref().map(|top| top.real()) else {
            return Err(Refused::LinkOutside);
        };
        let real = match path.canonicalize() {
            Ok(p) => p,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A dangling link is a link to nowhere, not a missing file.
                let link =
                    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
                return Err(if link {
                    Refused::LinkOutside
                } else {
                    Refused::Missing
                });
            }
            Err(e) => return Err(Refused::Unreadable(e.to_string())),
        };
        let Ok(below) = real.strip_prefix(root) else {
            return Err(Refused::LinkOutside);
        };
        let below = super::paths::rel_path(Path::new(""), below);
        if below.split('/').any(|p| p.starts_with('.')) {
            return Err(Refused::LinkHidden(below));
        }
        Ok((real, below))
    }

    /// Read `rel` through [`Guard::check`], at most `limit` bytes (a
    /// longer file is refused, not truncated); `read_stat` gives the
    /// metadata of the file opened (`fstat`) too, as it was once read:
    /// a write during the read moves its change time past anything git's
    /// index or the kept records recorded, so the bytes are never
    /// vouched for by a stat from before they changed.
    pub fn read(&self, rel: &str, limit: Option<u64>) -> Result<Vec<u8>, Refused> {
        self.read_stat(rel, limit).map(|(bytes, _)| bytes)
    }
    pub fn read_stat(&self, rel: &str, limit: Option<u64>) -> Result<(Vec<u8>, FileStat), Refused> {
        let (file, md) = self.open(rel)?;
        if let Some(n) = limit.filter(|&n| md.size > n) {
            return Err(Refused::TooLarge(n));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(md.size).unwrap_or(0).saturating_add(1));
        let read = match limit {
            Some(n) => (&file).take(n + 1).read_to_end(&mut bytes),
            None => (&file).read_to_end(&mut bytes),
        };
        read.map_err(|e| Refused::Unreadable(e.to_string()))?;
        if let Some(n) = limit.filter(|&n| bytes.len() as u64 > n) {
            return Err(Refused::TooLarge(n));
        }
        let (_, after) = opened(file)?;
        Ok((bytes, after))
    }

    /// Open `rel` as [`Guard::check`] allows, with its size. A file in
    /// its own name is opened first, in its checked folder
    /// ([`Folder::open`]), then checked as the open file: one call fewer
    /// per record than a look before the open, and nothing can be put in
    /// its place between the look and the read. When the open fails, the
    /// name is looked at to say why; a link is followed only to a target
    /// the guard checks, opened in its own checked folder the same way.
    /// Nothing is opened again by path. (A device node is opened before
    /// it is refused; git cannot hold one, so only the machine's
    /// administrator can put one here.)
    fn open(&self, rel: &str) -> Result<(std::fs::File, FileStat), Refused> {
        let (folder, name) = self.place(rel)?;
        // Off Unix a link cannot be refused by the open: the long way only.
        #[cfg(not(unix))]
        {
            let _ = (folder, name);
            let real = self.check(rel)?;
            return opened(super::folder::open_path(&real).map_err(lost)?);
        }
        #[cfg(unix)]
        {
            let failed = match folder.open(name) {
                Ok(file) => return opened(file),
                Err(e) => e,
            };
            let own = folder.lstat(name).map_err(lost)?;
            if own.is_file() {
                return Err(Refused::Unreadable(failed.to_string()));
            }
            if !own.is_symlink() {
                return Err(Refused::NotAFile);
            }
            let (_, target) = self.inside(&folder.path(name))?;
            let (folder, name) = self.place(&target)?;
            opened(folder.open(name).map_err(lost)?)
        }
    }

    /// Read `rel` as text; `Ok(None)` when it is not there.
    pub fn read_text(&self, rel: &str, limit: Option<u64>) -> Result<Option<String>, Refused> {
        match self.read(rel, limit) {
            Ok(bytes) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| Refused::Unreadable("it is not UTF-8 text".into())),
            Err(Refused::Missing) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// An attachment named `name` by the record in `record_file`: where it
    /// is and how big, or why it is refused.
    pub fn attachment(&self, record_file: &str, name: &str) -> Result<Attached, Refused> {
        let rel = attachment_path(record_file, name)?;
        // Opened, not looked up by path: the size is the checked file's.
        let (_, stat) = self.open(&rel)?;
        Ok(Attached {
            rel,
            size: stat.size,
        })
    }
}

/// Why a name cannot be looked at: not there, or the system's reason.
fn lost(e: std::io::Error) -> Refused {
    match e.kind() {
        std::io::ErrorKind::NotFound => Refused::Missing,
        _ => Refused::Unreadable(e.to_string()),
    }
}

/// What was opened (through [`Folder::open`]), with its
/// stat (its size sizes the read's buffer), or why it is no file to read
/// (a folder or a pipe opens too).
fn opened(file: std::fs::File) -> Result<(std::fs::File, FileStat), Refused> {
    match file.metadata() {
        Ok(md) if md.is_file() => Ok((file, FileStat::of(&md))),
        Ok(_) => Err(Refused::NotAFile),
        Err(e) => Err(Refused::Unreadable(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name given straight to the guard (not through `names::join`) that
    /// climbs or starts at `/` is refused by its name, before any link is
    /// resolved: the reason then says what is wrong with the name.
    #[test]
    fn a_name_that_climbs_or_starts_at_the_top_is_refused_as_outside() {
        let root = tempfile::tempdir().unwrap();
        let guard = Guard::new(root.path()).unwrap();
        for name in [
            "/etc/passwd",
            "orders//x.toml",
            "orders/./x.toml",
            "orders/../x.toml",
        ] {
            assert_eq!(guard.check(name), Err(Refused::Outside), "{name}");
        }
    }

    /// The limit holds at its edge now that the file's size is asked
    /// first: a file of exactly the limit is read whole, one byte more is
    /// refused, and without a limit nothing is.
    #[test]
    fn a_file_is_read_whole_up_to_the_limit_and_no_further() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("edge.toml"), "x".repeat(10)).unwrap();
        std::fs::write(root.path().join("over.toml"), "x".repeat(11)).unwrap();
        std::fs::write(root.path().join("empty.toml"), "").unwrap();
        let g = Guard::new(root.path()).unwrap();
        assert_eq!(
            g.read("edge.toml", Some(10)),
            Ok("x".repeat(10).into_bytes())
        );
        assert_eq!(g.read("over.toml", Some(10)), Err(Refused::TooLarge(10)));
        assert_eq!(g.read("over.toml", None).map(|b| b.len()), Ok(11));
        assert_eq!(g.read("empty.toml", Some(10)), Ok(Vec::new()));
    }

    #[cfg(unix)]
    #[test]
    fn real_paths_must_stay_inside_and_visible() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("records");
        let outside = dir.path().join("secret.txt");
        std::fs::write(&outside, "secret").unwrap();
        std::fs::create_dir_all(root.join("orders/.hidden")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/config"), "[core]").unwrap();
        std::fs::write(root.join("orders/po.pdf"), "pdf").unwrap();
        std::fs::write(root.join("orders/.hidden/x.pdf"), "x").unwrap();
        let link = |target: &Path, name: &str| {
            std::os::unix::fs::symlink(target, root.join(name)).unwrap()
        };
        link(&outside, "orders/out.pdf");
        link(Path::new("../.git/config"), "orders/git.pdf");
        link(Path::new("po.pdf"), "orders/same.pdf");
        link(Path::new(".hidden/x.pdf"), "orders/via-hidden.pdf");
        link(Path::new("nowhere.pdf"), "orders/dangling.pdf");
        link(Path::new("/proc/self/environ"), "orders/env.pdf");
        let g = Guard::new(&root).unwrap();
        assert!(g.check("orders/po.pdf").is_ok());
        assert!(g.check("orders/same.pdf").is_ok());
        assert_eq!(g.check("orders/out.pdf"), Err(Refused::LinkOutside));
        assert_eq!(g.check("orders/env.pdf"), Err(Refused::LinkOutside));
        assert_eq!(g.check("orders/dangling.pdf"), Err(Refused::LinkOutside));
        assert_eq!(
            g.check("orders/git.pdf"),
            Err(Refused::LinkHidden(".git/config".into()))
        );
        assert!(matches!(
            g.check("orders/via-hidden.pdf"),
            Err(Refused::LinkHidden(_))
        ));
        assert_eq!(g.check(".git/config"), Err(Refused::Hidden));
        assert_eq!(g.check("orders"), Err(Refused::NotAFile));
        assert_eq!(g.check("orders/none.pdf"), Err(Refused::Missing));
        assert_eq!(g.read("orders/po.pdf", Some(2)), Err(Refused::TooLarge(2)));
        assert_eq!(g.read("orders/po.pdf", Some(3)).unwrap(), b"pdf");
        // Reading opens first and looks after; its verdict is the check's.
        for name in [
            "orders/po.pdf",
            "orders/same.pdf",
            "orders/out.pdf",
            "orders/env.pdf",
            "orders/dangling.pdf",
            "orders/git.pdf",
            "orders/via-hidden.pdf",
            ".git/config",
            "orders/.hidden/x.pdf",
            "orders",
            "orders/none.pdf",
        ] {
            let read = g.read(name, None);
            assert_eq!(
                read.as_ref().map(|_| ()),
                g.check(name).as_ref().map(|_| ()),
                "{name}"
            );
            if let Ok(bytes) = read {
                assert_eq!(bytes, b"pdf", "{name}");
            }
        }
        // A root that is itself reached through a link is fine.
        link(&root, "../alias");
        let g = Guard::new(&dir.path().join("alias")).unwrap();
        assert!(g.check("orders/po.pdf").is_ok());
        assert_eq!(g.check("orders/out.pdf"), Err(Refused::LinkOutside));
    }

    /// The guard past its handles: 300 folders, each read once (256 held,
    /// as under the common limit of 1,024 open files; the last 44 are
    /// walked to on every use), then the first and the last
    /// swapped for links out of the root. Neither read reaches the
    /// outside file, and neither does an attachment's size.
    #[test]
    #[cfg(target_os = "linux")]
    fn the_guard_follows_no_swapped_folder_with_or_without_a_handle() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(
            outside.path().join("o.toml"),
            "secret = \"outside, longer\"\n",
        )
        .unwrap();
        let name = |i: usize| format!("orders/f{i:03}");
        for i in 0..300 {
            std::fs::create_dir_all(root.path().join(name(i))).unwrap();
            std::fs::write(root.path().join(name(i)).join("o.toml"), "id = 1\n").unwrap();
        }
        let guard = Guard::holding(root.path(), 256).unwrap();
        for i in 0..300 {
            assert_eq!(
                guard.read(&format!("{}/o.toml", name(i)), None).unwrap(),
                b"id = 1\n"
            );
        }
        for i in [0, 299] {
            let dir = root.path().join(name(i));
            std::fs::rename(&dir, root.path().join(format!("orders/moved{i}"))).unwrap();
            std::os::unix::fs::symlink(outside.path(), &dir).unwrap();
        }
        let first = guard.read(&format!("{}/o.toml", name(0)), None);
        assert_eq!(first.unwrap(), b"id = 1\n");
        let last = guard.read(&format!("{}/o.toml", name(299)), None);
        let changed = Refused::Unreadable(super::super::folder::CHANGED.into());
        assert_eq!(last, Err(changed), "{last:?}");
        let size = guard.attachment(&format!("{}/o.toml", name(299)), "o.toml");
        assert!(size.is_err(), "{size:?}");
        assert_eq!(
            guard
                .attachment(&format!("{}/r.toml", name(0)), "o.toml")
                .unwrap()
                .size,
            7
        );
    }
}
