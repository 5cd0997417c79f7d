//! Publishing the site: all or nothing, and as little as possible.
//!
//! Pages are written into a fresh folder beside the output
//! (`.<name>.docket-new`) while they render, and the folder is swapped in
//! only when the last page is written: the intranet never serves a
//! half-written site, and a failed build (or a panic, or an error in the
//! middle) leaves yesterday's site in place and no temporary folder
//! behind ([`Publisher`] removes it when dropped unfinished).
//!
//! Rebuilding a big site after one commit should cost that commit, and an
//! rsync mirror should copy only what changed. Two mechanisms serve that:
//!
//! - Every page has a *fingerprint*: a hash of everything its bytes depend
//!   on (the templates, the global context, the page's view, and for a
//!   record page the inputs of its timeline: its revisions and the people
//!   who made them). The previous build's fingerprints are kept in the
//!   site (`.docket-manifest`). A page whose fingerprint is unchanged is
//!   hard-linked from the previous site without being rendered at all;
//!   this is what skips the costly part, reading old revisions out of git
//!   for the timeline.
//! - A page that is rendered but comes out byte-identical to the previous
//!   one is hard-linked too, so it keeps its modification time.
//!
//! Both are optimisations only: a missing, stale or garbled manifest, or
//! a file system without hard links, means pages are rendered and
//! written, and the output is the same bytes either way (tested).

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Marks a folder as a docket site, so `--out` never replaces anything else.
pub const MARKER: &str = ".docket-site";
/// The previous build's page fingerprints.
const MANIFEST: &str = ".docket-manifest";

/// A site being written; see the module documentation.
pub struct Publisher {
    out: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
    /// The published site, when there is one docket built.
    previous: Option<PathBuf>,
    /// Its fingerprints, by page path.
    manifest: HashMap<String, u64>,
    finished: bool,
}

impl Publisher {
    /// Prepare to replace `out`; refuses a non-empty folder that is not a
    /// docket site.
    pub fn open(out: &Path) -> Result<Publisher> {
        let name = out
            .file_name()
            .ok_or_else(|| Error::Usage(format!("--out {} must name a folder", out.display())))?;
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let is_site = out.join(MARKER).is_file();
        if out.exists() && !is_site {
            let empty = std::fs::read_dir(out)
                .map_err(|e| Error::io(out, e))?
                .next()
                .is_none();
            if !empty {
                return Err(Error::Usage(format!(
                    "{} exists and is not a site docket built (no {MARKER}); refusing to replace it",
                    out.display()
                )));
            }
        }
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let tmp = parent.join(format!(".{}.docket-new", name.to_string_lossy()));
        let old = parent.join(format!(".{}.docket-old", name.to_string_lossy()));
        for stale in [&tmp, &old] {
            if stale.exists() {
                std::fs::remove_dir_all(stale).map_err(|e| Error::io(stale, e))?;
            }
        }
        std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let manifest = if is_site {
            read_manifest(&out.join(MANIFEST))
        } else {
            HashMap::new()
        };
        Ok(Publisher {
            out: out.to_path_buf(),
            tmp,
            old,
            previous: is_site.then(|| out.to_path_buf()),
            manifest,
            finished: false,
        })
    }

    /// Take the previous build's page `rel` as it is, when its
    /// fingerprint is `fp`; false when it must be rendered.
    pub fn reuse(&self, rel: &str, fp: u64) -> bool {
        let Some(previous) = &self.previous else {
            return false;
        };
        if self.manifest.get(rel) != Some(&fp) {
            return false;
        }
        let new = self.tmp.join(rel);
        let linked = std::fs::hard_link(previous.join(rel), &new);
        if linked.is_err()
            && let Some(dir) = new.parent()
            && std::fs::create_dir_all(dir).is_ok()
        {
            return std::fs::hard_link(previous.join(rel), &new).is_ok();
        }
        linked.is_ok()
    }

    /// Write `bytes` as `rel`, or hard-link the previous site's file when
    /// it holds exactly these bytes.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let old = self.previous.as_ref().map(|p| p.join(rel));
        if !same_file(old.as_deref(), bytes, &path) {
            std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    }

    /// Write `rel` through `write`, for a file too large to hold in memory.
    pub fn write_streamed(
        &self,
        rel: &str,
        write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
    ) -> Result<()> {
        use std::io::Write;
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        let mut w = std::io::BufWriter::new(file);
        write(&mut w)
            .and_then(|()| w.flush())
            .map_err(|e| Error::io(&path, e))
    }

    /// Write the manifest and swap the new site in.
    pub fn finish(mut self, mut manifest: Vec<(String, u64)>) -> Result<()> {
        manifest.sort();
        let mut text = String::new();
        for (path, fp) in &manifest {
            text.push_str(&format!("{fp:016x} {path}\n"));
        }
        self.write(MANIFEST, text.as_bytes())?;
        let (out, tmp, old) = (&self.out, &self.tmp, &self.old);
        if out.exists() {
            std::fs::rename(out, old).map_err(|e| Error::io(out, e))?;
        }
        if let Err(e) = std::fs::rename(tmp, out) {
            // Put the previous site back before reporting.
            let _ = std::fs::rename(old, out);
            return Err(Error::io(out, e));
        }
        self.finished = true;
        if old.exists() {
            remove_tree(old)?;
        }
        Ok(())
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// `remove_dir_all`, one top-level entry per thread: the previous site
/// has a folder per kind, and unlinking tens of thousands of files is
/// most of an incremental build's system time.
fn remove_tree(dir: &Path) -> Result<()> {
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

/// Hard-link `old` to `new` if `old` is a plain file holding exactly
/// `bytes`; false (and nothing done) otherwise.
fn same_file(old: Option<&Path>, bytes: &[u8], new: &Path) -> bool {
    let Some(old) = old else { return false };
    let same = std::fs::symlink_metadata(old)
        .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(old).is_ok_and(|b| b == bytes);
    same && std::fs::hard_link(old, new).is_ok()
}

/// The fingerprints of a previous build; anything unreadable or garbled
/// gives none (every page is then rendered).
fn read_manifest(path: &Path) -> HashMap<String, u64> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    let mut out = HashMap::new();
    for line in text.lines() {
        let parsed = line
            .split_once(' ')
            .and_then(|(fp, rel)| Some((u64::from_str_radix(fp, 16).ok()?, rel)));
        match parsed {
            // Only paths docket itself writes: plain, relative, no `..`.
            Some((fp, rel))
                if !rel.is_empty()
                    && !rel.starts_with('/')
                    && rel
                        .split('/')
                        .all(|s| !s.is_empty() && s != "." && s != "..") =>
            {
                out.insert(rel.to_string(), fp);
            }
            _ => return HashMap::new(),
        }
    }
    out
}
