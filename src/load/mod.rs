//! Stage 1: find the records root, walk it, read and parse every file.
//!
//! The loader is the only code that touches the records folder on disk. It
//! routes each `*.toml` by its first folder to a record kind, keeps the
//! parsed TOML with its spans (so every later finding can name a line and
//! column), and notes every other file below a kind folder as a possible
//! attachment. It never trusts the folder: a file over 1 MiB, bytes that are
//! not UTF-8, an empty file, TOML nested past the parser's limit, or a
//! symbolic link that leaves the records root each become a finding, and the
//! walk goes on. Nothing read from outside the root reaches the model.
//!
//! Parsing is independent per file, so it runs on all cores (rayon); the
//! result is put back in path order so output stays deterministic.

mod lines;
mod value;

pub use lines::LineIndex;
pub use value::{Node, Span, Table, Value};

use crate::error::{Error, Result};
use crate::finding::{Finding, RuleId};
use crate::kind::Kind;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use toml::de::DeTable;

/// Files larger than this are not read: no real record comes close, and a
/// huge file is either a mistake or an attack on the parser.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// What a parsed file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    Config,
    People,
    Record(Kind),
}

/// One parsed TOML file.
#[derive(Debug)]
pub struct Doc {
    /// Relative to the records root, `/`-separated.
    pub rel: String,
    pub role: FileRole,
    pub root: Table,
    pub lines: LineIndex,
}

impl Doc {
    /// The file name without `.toml`: a record's id must equal it.
    pub fn stem(&self) -> &str {
        stem(&self.rel)
    }
}

/// A path's file name without `.toml`: the id of the record it holds. The
/// one place that says how a file name and an id relate.
pub fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".toml").unwrap_or(name)
}

/// Everything the loader found below the records root.
#[derive(Debug, Default)]
pub struct Loaded {
    pub root: PathBuf,
    pub config: Option<Doc>,
    pub people: Option<Doc>,
    /// Record files in path order.
    pub records: Vec<Doc>,
    /// Non-TOML files below the kind folders, relative, `/`-separated.
    pub attachments: BTreeSet<String>,
    /// Record files that could not be parsed: their names still say which
    /// records exist, so references to them are not reported as unknown.
    pub unreadable: Vec<(Kind, String)>,
    /// The text of `procedure.md`, if present and readable.
    pub procedure: Option<String>,
    /// Problems met while reading: parse errors, unreadable or stray files.
    pub findings: Vec<Finding>,
    /// A fingerprint of every TOML file read (path and bytes): what the
    /// model is a function of, so a build can tell that anything made from
    /// the model alone is unchanged without making it again.
    pub fingerprint: u64,
}

/// Top-level entries that belong to a records repository but hold no records.
/// `timestamps/` holds RFC 3161 tokens and `tsa/` the certificates of the
/// TSAs trusted to sign them (docs/timestamps.md): read when the
/// timestamps are checked, not by the walk.
const KNOWN_TOP: &[&str] = &[
    "docket.toml",
    "people.toml",
    "procedure.md",
    "templates",
    "site",
    "timestamps",
    "tsa",
];

/// Find the records root for `--records DIR`, or from the current folder:
/// the folder itself if it has `docket.toml`, else its `records/` child.
pub fn find_root(given: Option<&Path>) -> Result<PathBuf> {
    let base = match given {
        Some(p) => p.to_path_buf(),
        None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    if base.join("docket.toml").is_file() {
        return Ok(base);
    }
    if given.is_none() && base.join("records/docket.toml").is_file() {
        return Ok(base.join("records"));
    }
    Err(Error::NotARecordsRoot(base))
}

/// Walk `root` and parse everything in it.
pub fn load(root: &Path) -> Result<Loaded> {
    if !root.join("docket.toml").is_file() {
        return Err(Error::NotARecordsRoot(root.to_path_buf()));
    }
    let canonical_root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let mut loaded = Loaded {
        root: root.to_path_buf(),
        ..Loaded::default()
    };
    let mut to_parse: Vec<(String, FileRole, PathBuf)> = Vec::new();

    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !(is_hidden(e.file_name()) || e.depth() == 1 && is_skipped_folder(e))
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let rel = err.path().map(|p| rel_path(root, p)).unwrap_or_default();
                loaded.findings.push(Finding::new(
                    RuleId::Parse,
                    rel,
                    None,
                    format!("cannot be read: {err}"),
                ));
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let rel = rel_path(root, entry.path());
        let top = rel.split('/').next().unwrap_or_default().to_string();
        let top = top.as_str();
        let kind = Kind::from_folder(top);
        let file_type = entry.file_type();

        if entry.depth() == 1 && KNOWN_TOP.contains(&top) {
            match rel.as_str() {
                "docket.toml" => to_parse.push((rel, FileRole::Config, entry.into_path())),
                "people.toml" => to_parse.push((rel, FileRole::People, entry.into_path())),
                "procedure.md" => loaded.procedure = std::fs::read_to_string(entry.path()).ok(),
                _ => {}
            }
            continue;
        }
        if file_type.is_dir() {
            if kind.is_none() && entry.depth() == 1 {
                loaded.findings.push(Finding::new(
                    RuleId::UnknownFile,
                    rel,
                    None,
                    format!(
                        "folder `{top}` is not a record kind, so nothing in it is checked \
                         (record folders: {})",
                        Kind::ALL.map(|k| k.folder()).join(", ")
                    ),
                ));
            }
            continue;
        }
        // Anything in an unknown top folder was reported with the folder.
        let Some(kind) = kind else {
            if entry.depth() == 1 && !is_readme(&rel) {
                loaded.findings.push(Finding::new(
                    RuleId::UnknownFile,
                    rel,
                    None,
                    "file at the top of the records root is not read by docket \
                     (records go in their kind's folder, e.g. orders/2026/)",
                ));
            }
            continue;
        };
        if file_type.is_symlink() {
            match resolve_link(entry.path(), &canonical_root) {
                Some(target) if target.is_file() => {}
                Some(_) => continue, // a link to a folder inside the root: not followed
                None => {
                    loaded.findings.push(Finding::new(
                        RuleId::Parse,
                        rel,
                        None,
                        "is a symbolic link that leads outside the records root (or nowhere); \
                         it is not read. Replace it with the file itself",
                    ));
                    continue;
                }
            }
        }
        if rel.ends_with(".toml") {
            to_parse.push((rel, FileRole::Record(kind), entry.into_path()));
        } else {
            loaded.attachments.insert(rel);
        }
    }

    let parsed: Vec<(FileRole, u64, Result<Doc, Finding>)> = to_parse
        .into_par_iter()
        .map(|(rel, role, path)| {
            let (hash, doc) = read_doc(rel, role, &path);
            (role, hash, doc)
        })
        .collect();
    let mut fingerprint = crate::fingerprint::Fingerprint::new(4);
    for (_, hash, doc) in &parsed {
        let rel = match doc {
            Ok(d) => &d.rel,
            Err(f) => &f.file,
        };
        fingerprint.str(rel).u64(*hash);
    }
    loaded.fingerprint = fingerprint.finish();
    for (role, _, doc) in parsed {
        match doc {
            Err(f) => {
                if let FileRole::Record(kind) = role {
                    loaded.unreadable.push((kind, f.file.clone()));
                }
                loaded.findings.push(f)
            }
            Ok(doc) => match doc.role {
                FileRole::Config => loaded.config = Some(doc),
                FileRole::People => loaded.people = Some(doc),
                FileRole::Record(_) => loaded.records.push(doc),
            },
        }
    }
    Ok(loaded)
}

/// The file's parsed document, and a hash of its bytes (0 if unreadable).
fn read_doc(rel: String, role: FileRole, path: &Path) -> (u64, Result<Doc, Finding>) {
    match read_limited(path) {
        Ok(bytes) => (
            xxhash_rust::xxh3::xxh3_64(&bytes),
            parse_bytes(rel, role, &bytes),
        ),
        Err(msg) => (0, Err(Finding::new(RuleId::Parse, &rel, None, msg))),
    }
}

/// Parse one file's bytes. Public because the history stage parses old
/// revisions of a file the same way.
pub fn parse_bytes(rel: String, role: FileRole, bytes: &[u8]) -> Result<Doc, Finding> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let pos = LineIndex::new(&String::from_utf8_lossy(&bytes[..e.valid_up_to()]))
                .pos(e.valid_up_to());
            return Err(Finding::new(
                RuleId::Parse,
                rel,
                Some(pos),
                "is not UTF-8 text: save the file as UTF-8 (the byte at this position is not valid UTF-8)",
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Finding::new(
            RuleId::Parse,
            rel,
            None,
            "is empty: a record file must hold at least its id",
        ));
    }
    let lines = LineIndex::new(text);
    let (table, errors) = DeTable::parse_recoverable(text);
    // Later errors after a syntax error are mostly echoes of the first.
    if let Some(err) = errors.first() {
        let pos = err.span().map(|s| lines.pos(s.start));
        return Err(Finding::new(
            RuleId::Parse,
            rel,
            pos,
            format!("invalid TOML: {}", err.message()),
        ));
    }
    let root = value::table_from(table.into_inner());
    Ok(Doc {
        rel,
        role,
        root,
        lines,
    })
}

/// Read at most `MAX_FILE_BYTES`; a longer file is refused, not truncated.
fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "is larger than {} KiB, the most docket reads; a record is a few KiB \
             (keep large documents as attachments, not TOML)",
            MAX_FILE_BYTES / 1024
        ));
    }
    Ok(bytes)
}

/// The canonical target of a link, if it stays inside the records root.
fn resolve_link(path: &Path, canonical_root: &Path) -> Option<PathBuf> {
    let target = path.canonicalize().ok()?;
    target.starts_with(canonical_root).then_some(target)
}

/// `templates/` holds site overrides, `site/` a built site, `timestamps/`
/// and `tsa/` tokens and certificates: none holds records.
fn is_skipped_folder(e: &walkdir::DirEntry) -> bool {
    e.file_type().is_dir()
        && matches!(
            e.file_name().to_str(),
            Some("templates" | "site" | "timestamps" | "tsa")
        )
}

/// Whether `rel` (as written in docket.toml) names a path inside the
/// records root: relative, `/`-separated, with no `..`, `.` or empty part.
pub fn inside_root(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.contains('\\')
        && !rel.contains(':')
        && rel.split('/').all(|p| !matches!(p, "" | "." | ".."))
}

/// Read the file `rel` below the records root for a later stage (the TSA
/// certificates, the timestamp tokens): only a path [`inside_root`], never
/// through a symbolic link that leaves the root, and no larger than
/// [`MAX_FILE_BYTES`]. `Ok(None)` when there is no such file; `Err` says
/// why it cannot be read.
pub fn read_inside(root: &Path, rel: &str) -> Result<Option<Vec<u8>>, String> {
    if !inside_root(rel) {
        return Err(format!("\"{rel}\" is not a path inside the records root"));
    }
    let path = root.join(rel);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{rel} cannot be read: {e}")),
        Ok(_) => {}
    }
    let canonical_root = root
        .canonicalize()
        .map_err(|e| format!("the records root cannot be read: {e}"))?;
    match resolve_link(&path, &canonical_root) {
        Some(target) if target.is_file() => read_limited(&target)
            .map(Some)
            .map_err(|msg| format!("{rel} {msg}")),
        Some(_) => Err(format!("{rel} is not a file")),
        None => Err(format!(
            "{rel} leads outside the records root (a symbolic link); it is not read"
        )),
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

fn is_readme(rel: &str) -> bool {
    let upper = rel.to_ascii_uppercase();
    upper.starts_with("README") || upper.starts_with("LICENSE")
}

/// `path` relative to `root`, with `/` separators on every platform.
pub fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
