//! Publishing the site: only into a folder docket may replace, one build
//! at a time, all or nothing, and as little as possible.
//!
//! [`Publisher::open`] decides whether `--out` may be replaced at all
//! ([`accept`]: never the records, never a git repository or anything git
//! tracks, never a folder holding a file docket did not write), then takes
//! the folder's build lock and repairs what an interrupted build left
//! ([`swap`]). Pages are written into a folder beside the output while
//! they render (the site before the published one, kept as the spare, or
//! a fresh folder), and swapped in only when the last page is written:
//! the intranet never serves a half-written site, and a failed build (or a
//! panic, or an error in the middle) leaves yesterday's site in place and
//! no temporary folder behind ([`Publisher`] removes it when dropped
//! unfinished). Every file written is listed in the site's
//! `.docket-manifest` (pages by their fingerprints, the rest as the
//! publisher writes them): what lets the next build replace it.
//!
//! Rebuilding a big site after one commit should cost that commit, and an
//! rsync mirror should copy only what changed. Two mechanisms serve that:
//!
//! - Every page has a *fingerprint*: a hash of everything its bytes depend
//!   on (the templates, the global context, the page's view, and for a
//!   record page the inputs of its timeline: its revisions and the people
//!   who made them). The previous build's fingerprints are in its
//!   manifest. A page whose fingerprint is unchanged is hard-linked from
//!   the previous site without being rendered at all; this is what skips
//!   the costly part, reading old revisions out of git for the timeline.
//! - A page that is rendered but comes out byte-identical to the previous
//!   one is hard-linked too, so it keeps its modification time.
//! - When the folder written into is the spare (the site before the
//!   published one), a file whose fingerprint is the same in the spare,
//!   the published site and this build is left as it is: it is the
//!   published file already (a hard link), so there is no link to make
//!   and none to remove after the swap. Any other file is made anew.
//!
//! All three are optimisations only: a stale fingerprint, or a file
//! system without hard links, means pages are rendered and written, and
//! the output is the same bytes either way (tested).
//!
//! One rule holds for every file written ([`Publisher::create`]): it is
//! created new, and what is in its place is removed first, never written
//! into. A file taken by a hard link is the published site's own inode,
//! in the spare as in a fresh folder, and writing into it would change
//! the page being served.

mod accept;
mod built;
mod swap;

use crate::error::{Error, Result};
use crate::fingerprint::Hashing;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use accept::MANIFEST;
pub use built::Built;

/// Marks a folder as a docket site, for people. It proves nothing: the
/// manifest does.
pub const MARKER: &str = ".docket-site";

/// A site being written; see the module documentation.
pub struct Publisher {
    beside: swap::Beside,
    tmp: PathBuf,
    /// The published site, when there is one docket built.
    previous: Option<PathBuf>,
    /// Its files, with the fingerprints of its pages.
    manifest: accept::Manifest,
    /// The files `tmp` already holds when it is the spare taken up (the
    /// site before the published one), by its manifest; `None` for a
    /// fresh folder.
    staged: Option<accept::Manifest>,
    /// The files written into `tmp` that have no fingerprint, for the
    /// manifest (pages come with theirs in [`Publisher::finish`]).
    written: Mutex<Vec<String>>,
    /// What this build records about itself in the manifest.
    built: Built,
    finished: bool,
    /// Held until the new site is in place (dropped last).
    _lock: std::fs::File,
}

/// An output folder accepted by its place and locked for one build, not
/// yet looked into ([`Publisher::lock`]).
pub struct Locked {
    /// `--out` as given, for messages.
    out: PathBuf,
    real: PathBuf,
    beside: swap::Beside,
    lock: std::fs::File,
}

impl Locked {
    /// Whether [`Publisher::renders_everything`] will say so once the
    /// folder is opened: there is no site in it (or [`Locked::open`] will
    /// refuse what is there).
    pub fn renders_everything(&self) -> bool {
        std::fs::read_dir(&self.real).map_or(true, |mut d| d.next().is_none())
    }

    /// The second half of [`Publisher::open`]: refuse a folder holding
    /// a file docket did not write (`accept.rs`), and take up the spare.
    /// It reads every name in the published site and in the spare (tens
    /// of thousands at 50,000 orders), so a build does it beside the
    /// loading of the records.
    pub fn open(self) -> Result<Publisher> {
        let Locked {
            out,
            real,
            beside,
            lock,
        } = self;
        let previous = if real.exists() {
            accept::check_contents(&real, &out)?
        } else {
            None
        };
        let tmp = beside.tmp();
        let staged = swap::take_spare(&beside, &tmp, previous.is_some())?;
        if staged.is_none() {
            std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
        }
        Ok(Publisher {
            previous: previous.is_some().then_some(real),
            manifest: previous.unwrap_or_default(),
            staged,
            beside,
            tmp,
            written: Mutex::new(Vec::new()),
            built: Built::default(),
            finished: false,
            _lock: lock,
        })
    }
}

impl Publisher {
    /// Prepare to replace `out` with a site built from the records at
    /// `root`; refuses a folder docket may not replace (see `accept.rs`).
    /// `waiting` is called once if another build into `out` is running;
    /// this one then waits for it.
    pub fn open(out: &Path, root: &Path, waiting: impl FnOnce()) -> Result<Publisher> {
        Publisher::lock(out, root, waiting)?.open()
    }

    /// The first half of [`Publisher::open`], which does not look into
    /// the folder: refuse a place docket may not write to (a link, the
    /// records, a git work tree), take the build lock and repair what an
    /// interrupted build left. Quick, so a wrong `--out` is refused and a
    /// second build waits before anything else is done.
    pub fn lock(out: &Path, root: &Path, waiting: impl FnOnce()) -> Result<Locked> {
        let real = accept::physical(out)?;
        let link = std::fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink());
        if link {
            return Err(Error::Out {
                out: out.to_path_buf(),
                why: "it is a link; pass the folder it leads to".into(),
            });
        }
        let spare = accept::check_place(out, &real, &accept::physical(root)?)?;
        let mut beside = swap::Beside::new(&real)
            .ok_or_else(|| Error::Usage(format!("--out {} must name a folder", out.display())))?;
        if !spare {
            beside.spare = None;
        }
        std::fs::create_dir_all(&beside.parent).map_err(|e| Error::io(&beside.parent, e))?;
        let lock = swap::lock(&beside, waiting)?;
        swap::recover(&beside)?;
        Ok(Locked {
            out: out.to_path_buf(),
            real,
            beside,
            lock,
        })
    }

    /// Whether every page will be rendered: there is no published site to
    /// take an unchanged page from.
    pub fn renders_everything(&self) -> bool {
        self.previous.is_none()
    }

    /// What the published site recorded about its build (the default for
    /// a new folder, or a site whose manifest records none).
    pub fn previous_build(&self) -> Built {
        self.manifest.built.clone().unwrap_or_default()
    }

    /// What this build records about itself, written with the manifest.
    pub fn set_build(&mut self, built: Built) {
        self.built = built;
    }

    fn record(&self, rel: &str) {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(rel.to_string());
    }

    /// Take the previous build's fingerprinted file `rel` (a page,
    /// `data.json`) as it is, when its fingerprint is `fp`; false when it
    /// must be made. The caller lists it with `fp` in [`Publisher::finish`].
    pub fn reuse(&self, rel: &str, fp: u64) -> bool {
        let Some(previous) = &self.previous else {
            return false;
        };
        if self.manifest.get(rel) != Some(Some(fp)) {
            return false;
        }
        // Unchanged in the spare too: the same bytes, and the same file,
        // modification time included. (One that changed and changed back
        // is made again: its older time would tell a browser's
        // If-Modified-Since, or `rsync -u`, that nothing changed.)
        if self
            .staged
            .as_ref()
            .is_some_and(|s| s.get(rel) == Some(Some(fp)))
        {
            return true;
        }
        let new = self.tmp.join(rel);
        self.create(rel, &new, || std::fs::hard_link(previous.join(rel), &new))
            .is_ok()
    }

    /// The bytes of a file the previous build wrote and listed, if any.
    pub fn previous_file(&self, rel: &str) -> Option<Vec<u8>> {
        let previous = self.previous.as_ref()?;
        self.manifest.get(rel)?;
        std::fs::read(previous.join(rel)).ok()
    }

    /// Write the fingerprinted file `rel` (a page); the caller lists it
    /// with its fingerprint in [`Publisher::finish`]. The previous site's
    /// file is hard-linked instead when it holds exactly these bytes.
    pub fn write_page(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.tmp.join(rel);
        let old = self.previous.as_ref().map(|p| p.join(rel));
        let same = old.as_deref().filter(|old| same_bytes(old, bytes));
        let write = || write_new(&path, bytes);
        self.create(rel, &path, || match same {
            // Where no hard link can be made (no such file system, the
            // old file gone), the bytes are written.
            // (One in the way makes the write fail too, and `create`
            // clears it and links again.)
            Some(old) => std::fs::hard_link(old, &path).or_else(|_| write()),
            None => write(),
        })
        .map_err(|e| Error::io(&path, e))
    }

    /// Write any other file (an asset, the feed, an attachment): the
    /// publisher lists it in the manifest itself.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.write_page(rel, bytes)?;
        self.record(rel);
        Ok(())
    }

    /// [`Publisher::write`] through `write`, as the file is made: for a
    /// file as large as the company (the kept reads).
    pub fn write_other(
        &self,
        rel: &str,
        write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
    ) -> Result<()> {
        self.write_streamed(rel, write)?;
        self.record(rel);
        Ok(())
    }

    /// Write the fingerprinted file `rel` through `write`, for a file too
    /// large to hold in memory (`data.json`).
    pub fn write_streamed(
        &self,
        rel: &str,
        write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
    ) -> Result<()> {
        use std::io::Write;
        let path = self.tmp.join(rel);
        let file = self
            .create(rel, &path, || std::fs::File::create_new(&path))
            .map_err(|e| Error::io(&path, e))?;
        // data.json is tens of megabytes: written in large pieces, not in
        // 8 KiB system calls.
        let mut w = std::io::BufWriter::with_capacity(1 << 18, file);
        write(&mut w)
            .and_then(|()| w.flush())
            .map_err(|e| Error::io(&path, e))
    }

    /// [`Publisher::write_streamed`], returning the SHA-256 (hex) of the
    /// bytes written: `data.json`, whose hash the audit page names, is
    /// hashed as it is written, beside the pages, instead of read back
    /// after them (a tenth of a second at 50,000 orders).
    pub fn write_hashed(
        &self,
        rel: &str,
        write: impl FnOnce(
            &mut std::io::BufWriter<Hashing<std::fs::File, sha2::Sha256>>,
        ) -> std::io::Result<()>,
    ) -> Result<String> {
        use sha2::Digest;
        use std::io::Write;
        let path = self.tmp.join(rel);
        let file = self
            .create(rel, &path, || std::fs::File::create_new(&path))
            .map_err(|e| Error::io(&path, e))?;
        let mut w = std::io::BufWriter::with_capacity(
            1 << 18,
            Hashing {
                inner: file,
                hash: sha2::Sha256::new(),
            },
        );
        write(&mut w)
            .and_then(|()| w.flush())
            .map_err(|e| Error::io(&path, e))?;
        let hashing = w.into_parts().0;
        Ok(crate::hex::hex(&hashing.hash.finalize()))
    }

    /// The SHA-256 (hex) of the file `rel` as this build publishes it
    /// (written or taken from the previous build), read back in pieces.
    pub fn sha256(&self, rel: &str) -> Result<String> {
        use sha2::Digest;
        use std::io::Read;
        let path = self.tmp.join(rel);
        let mut file = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
        let mut hash = sha2::Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = file.read(&mut buf).map_err(|e| Error::io(&path, e))?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
        }
        Ok(crate::hex::hex(&hash.finalize()))
    }

    /// Write the manifest and swap the new site in. The manifest lists
    /// the fingerprinted files (`fingerprints`, from the caller) and every
    /// other file written: everything in the folder.
    pub fn finish(mut self, mut fingerprints: Vec<(String, u64)>) -> Result<()> {
        let mut others =
            std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        others.sort_unstable();
        others.dedup();
        fingerprints.sort_unstable();
        fingerprints.dedup_by(|a, b| a.0 == b.0);
        // Both sorted by path: merge them.
        let mut pages = fingerprints
            .iter()
            .map(|(p, fp)| (p.as_str(), Some(*fp)))
            .peekable();
        let mut rest = others.iter().map(|p| (p.as_str(), None)).peekable();
        let files = std::iter::from_fn(|| match (pages.peek(), rest.peek()) {
            (Some(a), Some(b)) if a.0 == b.0 => {
                rest.next();
                pages.next()
            }
            (Some(a), Some(b)) if b.0 < a.0 => rest.next(),
            (Some(_), _) => pages.next(),
            (None, _) => rest.next(),
        });
        let files: Vec<(&str, Option<u64>)> = files.collect();
        if let Some(staged) = &self.staged {
            self.remove_stale(staged, &files)?;
        }
        let text = accept::manifest_text(files.into_iter(), &self.built);
        let path = self.tmp.join(MANIFEST);
        self.create(MANIFEST, &path, || write_new(&path, text.as_bytes()))
            .map_err(|e| Error::io(&path, e))?;
        swap::swap(&self.beside, &self.tmp)?;
        self.finished = true;
        Ok(())
    }
}

impl Publisher {
    /// Run `make`, which creates `path` (the file `rel`) and fails if
    /// something is there already: that is removed, and `make` runs again.
    /// A file is never written into (see the module documentation). When
    /// `make` fails for want of the folder, the folder is made: asking for
    /// every page's folder first costs a locked `mkdir` of an existing
    /// folder per page (7,191 calls for 7,182 pages, the two writers
    /// queuing on the lock). In a spare, a file of the spare where this
    /// build needs a folder (an attachment `scan` that is now a folder
    /// `scan/`), or a folder where it needs a file, is removed too;
    /// anything else in the way is an error.
    fn create<T>(
        &self,
        rel: &str,
        path: &Path,
        make: impl Fn() -> std::io::Result<T>,
    ) -> std::io::Result<T> {
        use std::io::ErrorKind;
        let err = match make() {
            Ok(t) => return Ok(t),
            Err(e) => e,
        };
        let in_the_way = match err.kind() {
            // (A file where a folder is needed is "not a folder", below.)
            ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                return make();
            }
            ErrorKind::AlreadyExists => match std::fs::remove_file(path) {
                Ok(()) => return make(),
                Err(e) => e,
            },
            _ => err,
        };
        let Some(staged) = &self.staged else {
            return Err(in_the_way);
        };
        // A file of the spare's where this build needs a folder: one its
        // manifest lists, so docket's own.
        let mut prefix = rel;
        let mut cleared = false;
        while let Some((dir, _)) = prefix.rsplit_once('/') {
            let at = self.tmp.join(dir);
            if staged.get(dir).is_some()
                && std::fs::symlink_metadata(&at).is_ok_and(|m| !m.is_dir())
            {
                std::fs::remove_file(at)?;
                cleared = true;
            }
            prefix = dir;
        }
        // A folder where this build needs a file: in a spare taken up,
        // every file below it is one the manifest lists (it was checked).
        if path.is_dir() {
            std::fs::remove_dir_all(path)?;
            cleared = true;
        }
        if !cleared {
            return Err(in_the_way);
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        make()
    }

    /// Remove from a spare taken up what this build did not write
    /// (`files`, sorted): the pages of records gone since, and the folders
    /// left empty.
    fn remove_stale(&self, staged: &accept::Manifest, files: &[(&str, Option<u64>)]) -> Result<()> {
        let mut new = files.iter().map(|f| f.0).peekable();
        let mut emptied = std::collections::BTreeSet::new();
        let mut folded: Option<std::collections::HashMap<String, &str>> = None;
        for (rel, _) in staged.files() {
            while new.next_if(|n| *n < rel).is_some() {}
            if new.peek() == Some(&rel) {
                continue;
            }
            let path = self.tmp.join(rel);
            // Where names are compared without case (macOS, Windows), the
            // spare's `Scan.PDF` is this build's `scan.pdf`: not removed.
            let twin = folded
                .get_or_insert_with(|| files.iter().map(|f| (f.0.to_lowercase(), f.0)).collect())
                .get(&rel.to_lowercase())
                .copied();
            if twin.is_some_and(|t| t != rel && same_file(&self.tmp.join(t), &path)) {
                continue;
            }
            match std::fs::remove_file(&path) {
                // Gone already (its folder too, made a file by this
                // build), or a folder this build made of the name.
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) || path.is_dir() => {}
                Err(e) => return Err(Error::io(&path, e)),
                Ok(()) => {}
            }
            let mut dir = rel;
            while let Some((parent, _)) = dir.rsplit_once('/') {
                emptied.insert(parent);
                dir = parent;
            }
        }
        // Deepest first; a folder still holding a file stays.
        for dir in emptied.iter().rev() {
            let _ = std::fs::remove_dir(self.tmp.join(dir));
        }
        Ok(())
    }
}

/// Write `bytes` to a new file at `path`; an error if anything is there.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::File::create_new(path)?.write_all(bytes)
}

/// Whether two names lead to one file (the same inode).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::symlink_metadata(a), std::fs::symlink_metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether two names lead to one file: names that differ only in case,
/// and both there, do on the file systems of other systems.
#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path) -> bool {
    a.exists() && b.exists()
}

/// What the site at `site` recorded about its build, for `docket check
/// --published`: `None` when it records none (built by an earlier docket).
/// A folder that is not a site docket built is an error saying so.
pub fn published(site: &Path) -> Result<Option<Built>> {
    let not_a_site = |why: String| {
        Err(Error::Usage(format!(
            "--published {}: {why}; pass the folder `docket build --out` wrote",
            site.display()
        )))
    };
    match std::fs::metadata(site) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return not_a_site("it is not a folder".into()),
        Err(e) => return not_a_site(format!("it cannot be read ({e})")),
    }
    let path = site.join(MANIFEST);
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).ok(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return not_a_site(format!(
                "it is not a site docket built (it has no {MANIFEST})"
            ));
        }
        Err(e) => return Err(Error::io(&path, e)),
    };
    match text.map(accept::parse_manifest) {
        Some(Ok(m)) => Ok(m.built),
        Some(Err(accept::BadManifest::OldFormat)) => Ok(None),
        _ => not_a_site(format!(
            "its {MANIFEST} is damaged, so what it was built from cannot be told"
        )),
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Whether `old` is a plain file holding exactly `bytes` (so the new
/// site can hard-link it instead of writing them again).
fn same_bytes(old: &Path, bytes: &[u8]) -> bool {
    std::fs::symlink_metadata(old).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(old).is_ok_and(|b| b == bytes)
}

#[cfg(test)]
mod tests;
