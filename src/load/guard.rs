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
//! ([`Guard::join`]): relative to the record's folder, `/` only (a `\`
//! would name different files on Windows and Unix), no absolute paths or
//! drive letters, no `..` above the root. Then the real path is checked.
//! The loader's walk lists the folder without following links and skips
//! hidden entries; what it lists is still read through here. The one read
//! that does not pass is the history stage hashing working-tree records to
//! compare them with `HEAD`: its walk follows no link and skips hidden
//! entries too, and a hash says nothing of the content.

use super::filestat::FileStat;
use super::folder::{Folder, MAX_HANDLES, open_path};
use crate::finding::Message;
use crate::kind::Kind;
use crate::msg;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The records root, as given and as resolved.
#[derive(Debug, Default)]
pub struct Guard {
    given: PathBuf,
    /// `None` (only in a default, empty model) refuses everything.
    canonical: Option<PathBuf>,
    /// Folders below the root (`""`: the root) already resolved: the
    /// folder, or why nothing in it is read. Thousands of records share a
    /// few year folders; resolving each folder once makes a file's check
    /// one `lstat` of its name in the folder (the loader reads every
    /// record through here).
    folders: Mutex<crate::Lookup<String, Result<Arc<Folder>, Refused>>>,
}

/// Why a file below the records root is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// An absolute path, or `..` above the records root.
    Outside,
    /// Not below a record kind's folder (attachments live there).
    NotInRecords,
    /// A character that means different things on different systems.
    BadName(&'static str),
    /// A hidden file or folder (`.git`, `.env`, ...) named directly.
    Hidden,
    /// A link (anywhere on the path) whose target is outside the root.
    LinkOutside,
    /// A link whose target is a hidden file or folder inside the root.
    LinkHidden(String),
    Missing,
    /// A folder, a device, a pipe: nothing docket reads.
    NotAFile,
    /// Larger than the limit asked for (bytes).
    TooLarge(u64),
    Unreadable(String),
}

impl Refused {
    /// Why, as the end of a sentence that starts with the file's name.
    pub fn why(&self) -> String {
        self.reason().en
    }

    /// Why, in both languages: the end of a sentence after the file's name.
    pub fn reason(&self) -> Message {
        match self {
            Refused::Outside => msg!("points outside the records root", "指向紀錄庫之外"),
            Refused::NotInRecords => msg!(
                "points outside the record folders (orders/, capa/, ...); \
                 keep attachments beside the record",
                "指向紀錄資料夾（orders/、capa/ 等）之外；附件請放在紀錄旁"
            ),
            Refused::BadName(what) => msg!(
                "uses {what} in its name; separate folders with /",
                "名稱中使用了 {what}；資料夾請以 / 分隔"
            ),
            Refused::Hidden => msg!(
                "is a hidden file or folder: hidden files are not read or published",
                "是隱藏檔案或資料夾：隱藏檔案不讀取也不發佈"
            ),
            Refused::LinkOutside => msg!(
                "is a link leaving the records root: docket reads nothing outside \
                 the records root; replace the link with the file itself",
                "是指向紀錄庫之外的連結：docket 不讀取紀錄庫以外的任何內容；請以檔案本身取代連結"
            ),
            Refused::LinkHidden(target) => msg!(
                "is a link to a hidden file ({target}): hidden files are not read or published",
                "是指向隱藏檔案（{target}）的連結：隱藏檔案不讀取也不發佈"
            ),
            Refused::Missing => msg!("is not there", "不存在"),
            Refused::NotAFile => msg!("is not a file", "不是檔案"),
            Refused::TooLarge(limit) => msg!(
                "is larger than {kib} KiB, the most docket reads; a record is a few KiB \
                 (keep large documents as attachments, not TOML)",
                "超過 docket 可讀取的上限 {kib} KiB；一筆紀錄只有幾 KiB（大型文件請以附件保存，不要寫成 TOML）";
                kib = limit / 1024
            ),
            Refused::Unreadable(e) => msg!("cannot be read: {e}", "無法讀取：{e}"),
        }
    }

    /// Whether the file is refused for what it is or where it leads, not
    /// for being absent or unreadable: a configuration file refused so
    /// stops the run.
    pub fn is_unsafe(&self) -> bool {
        matches!(
            self,
            Refused::Outside
                | Refused::Hidden
                | Refused::LinkOutside
                | Refused::LinkHidden(_)
                | Refused::NotAFile
                | Refused::BadName(_)
        )
    }
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

/// Extensions of active content, lower case.
const ACTIVE: &[&str] = &["html", "htm", "xhtml", "svg", "xml", "js", "mjs"];

/// Whether a file name has an active extension (case does not matter).
pub fn is_active(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    file.rsplit_once('.')
        .is_some_and(|(_, ext)| ACTIVE.iter().any(|a| a.eq_ignore_ascii_case(ext)))
}

impl Guard {
    pub fn new(root: &Path) -> std::io::Result<Guard> {
        Ok(Guard {
            given: root.to_path_buf(),
            canonical: Some(root.canonicalize()?),
            folders: Mutex::default(),
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
        let target = self.inside(&real)?;
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
        match folder.lstat(name) {
            Ok(stat) => Ok((folder.path(name), stat)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Refused::Missing),
            Err(e) => Err(Refused::Unreadable(e.to_string())),
        }
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
        let Some(root) = &self.canonical else {
            return Err(Refused::LinkOutside);
        };
        let mut folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = folders.get(dir) {
            return known.clone();
        }
        let real = if dir.is_empty() {
            Ok(root.clone())
        } else {
            self.inside(&self.given.join(dir))
        };
        let handle = folders.len() < MAX_HANDLES;
        let found = real.map(|real| Arc::new(Folder::new(real, handle)));
        folders.insert(dir.to_string(), found.clone());
        found
    }

    /// `path` with every link resolved, if that stays inside the records
    /// root and shows no hidden component there.
    fn inside(&self, path: &Path) -> Result<PathBuf, Refused> {
        let Some(root) = &self.canonical else {
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
        Ok(real)
    }

    /// Read `rel` through [`Guard::check`], at most `limit` bytes (a
    /// longer file is refused, not truncated); `read_stat` gives the
    /// metadata of the file opened (`fstat`) too.
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
            Some(n) => file.take(n + 1).read_to_end(&mut bytes),
            None => (&file).read_to_end(&mut bytes),
        };
        read.map_err(|e| Refused::Unreadable(e.to_string()))?;
        match limit {
            Some(n) if bytes.len() as u64 > n => Err(Refused::TooLarge(n)),
            _ => Ok((bytes, md)),
        }
    }

    /// Open `rel` as [`Guard::check`] allows, with its size. A file in
    /// its own name is opened first, in its checked folder
    /// ([`Folder::open`]), then checked as the open file: one call fewer per record than a look before the open,
    /// and nothing can be put in its place between the look and the read.
    /// A link, or any failure, goes the long way, through
    /// [`Guard::check`], which says why; its checked target is opened
    /// the same way ([`open_path`]). (A device node is opened before it is refused; git cannot
    /// hold one, so only the machine's administrator can put one here.)
    fn open(&self, rel: &str) -> Result<(std::fs::File, FileStat), Refused> {
        // Off Unix a link cannot be refused by the open: the long way only.
        #[cfg(unix)]
        {
            let (folder, name) = self.place(rel)?;
            if let Ok(file) = folder.open(name) {
                return opened(file);
            }
        }
        // The link's target as checked is opened the same way: one put in
        // its place since is refused, not followed.
        let real = self.check(rel)?;
        open_path(&real)
            .map(opened)
            .map_err(|e| Refused::Unreadable(e.to_string()))?
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
        let real = self.check(&rel)?;
        let size = std::fs::metadata(real)
            .map_err(|e| Refused::Unreadable(e.to_string()))?
            .len();
        Ok(Attached { rel, size })
    }
}

/// What was opened (through [`Folder::open`] or [`open_path`]), with its
/// stat (its size sizes the read's buffer), or why it is no file to read
/// (a folder or a pipe opens too).
fn opened(file: std::fs::File) -> Result<(std::fs::File, FileStat), Refused> {
    match file.metadata() {
        Ok(md) if md.is_file() => Ok((file, FileStat::of(&md))),
        Ok(_) => Err(Refused::NotAFile),
        Err(e) => Err(Refused::Unreadable(e.to_string())),
    }
}

/// Characters refused in any name: `\` (a separator on Windows, a letter
/// on Unix), `:` (drive letters, Windows streams) and NUL.
fn check_name(name: &str) -> Result<(), Refused> {
    if name.contains('\\') {
        return Err(Refused::BadName("\\"));
    }
    if name.contains(':') {
        return Err(Refused::BadName(":"));
    }
    if name.contains('\0') {
        return Err(Refused::BadName("a NUL character"));
    }
    Ok(())
}

/// The path below the root of the attachment `name` of the record in
/// `record_file` (names are relative to the record's folder), without
/// touching the disk; or why it names none.
pub fn attachment_path(record_file: &str, name: &str) -> Result<String, Refused> {
    let dir = record_file.rsplit_once('/').map_or("", |(d, _)| d);
    join(dir, name)
}

/// Whether `rel` is a plain name of a file below the root: relative,
/// `/`-separated, no `..`, `.`, empty or hidden part, no character that
/// means different things on different systems.
pub fn plain_name(rel: &str) -> bool {
    check_name(rel).is_ok()
        && !rel.starts_with('/')
        && rel
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != ".." && !p.starts_with('.'))
}

/// `name` resolved against the folder `dir` (both `/`-separated, below the
/// root) without touching the disk: the path below the root it names, or
/// why it names none. It must lie below a record kind's folder.
pub fn join(dir: &str, name: &str) -> Result<String, Refused> {
    check_name(name)?;
    if name.starts_with('/') {
        return Err(Refused::Outside);
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in name.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or(Refused::Outside)?;
            }
            s => parts.push(s),
        }
    }
    if parts.iter().any(|p| p.starts_with('.')) {
        return Err(Refused::Hidden);
    }
    // A kind folder itself, or anything outside the kind folders, is not
    // an attachment.
    if parts.len() < 2 || Kind::from_folder(parts[0]).is_none() {
        return Err(Refused::NotInRecords);
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_resolved_below_the_record_folders() {
        let dir = "orders/2026";
        assert_eq!(
            join(dir, "SO-2026-0001/po.pdf").as_deref(),
            Ok("orders/2026/SO-2026-0001/po.pdf")
        );
        assert_eq!(join(dir, "./../po.pdf").as_deref(), Ok("orders/po.pdf"));
        assert_eq!(join(dir, "../../po.pdf"), Err(Refused::NotInRecords));
        assert_eq!(
            join(dir, "../../templates/x.css"),
            Err(Refused::NotInRecords)
        );
        assert_eq!(join(dir, "../../../../etc/passwd"), Err(Refused::Outside));
        assert_eq!(join(dir, "/etc/passwd"), Err(Refused::Outside));
        assert_eq!(join(dir, "C:/x.pdf"), Err(Refused::BadName(":")));
        assert_eq!(join(dir, "SO-1\\po.pdf"), Err(Refused::BadName("\\")));
        assert_eq!(join(dir, "SO-1/.env"), Err(Refused::Hidden));
        assert_eq!(join(dir, "../.git/config"), Err(Refused::Hidden));
    }

    /// A name given straight to the guard (not through [`join`]) that
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

    #[test]
    fn active_content_is_known_by_extension_in_any_case() {
        for name in [
            "a/po.html",
            "a/x.HTM",
            "a/d.Svg",
            "a/f.xhtml",
            "a/f.xml",
            "a/s.js",
            "a/m.MJS",
        ] {
            assert!(is_active(name), "{name}");
        }
        for name in [
            "a/po.pdf",
            "a/html",
            "a/x.html.pdf",
            "a/scan.png",
            "a/noext",
        ] {
            assert!(!is_active(name), "{name}");
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
}
