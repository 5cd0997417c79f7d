//! Stage 1: find the records root, walk it, read and parse every file.
//!
//! The loader owns the records folder on disk. It routes each `*.toml` by
//! its first folder to a record kind and keeps the parsed TOML with its
//! spans (so every later finding can name a line and column); the model
//! looks up the attachments records name, and the site reads its template
//! overrides, through the loader's [`Guard`]. It never trusts the folder:
//! a file over 1 MiB, bytes that are not UTF-8, an empty file, TOML nested
//! past the parser's limit, or a symbolic link that leaves the records root
//! or leads to a hidden file each become a finding, and the walk goes on.
//! Every file is read through [`Guard`], the one check of where a path
//! really leads, so nothing read from outside the root (or from `.git`)
//! reaches the model. A `docket.toml` or `people.toml` that the guard
//! refuses stops the run: nothing can be judged without them.
//!
//! Parsing is independent per file, so it runs on all cores (rayon); the
//! result is put back in path order so output stays deterministic.

mod filestat;
mod folder;
mod guard;
mod kept;
mod lines;
mod names;
mod paths;
mod refused;
mod value;

pub use filestat::{FileStat, Source};
pub use folder::more_open_files;
pub use guard::{Attached, Guard};
pub use lines::LineIndex;
pub use names::{attachment_path, is_active};
pub use paths::rel_path;
pub use refused::Refused;
pub use value::{Node, Span, Table, Value};

use crate::error::{Error, Result};
use crate::finding::{Finding, RuleId};
use crate::kind::Kind;
use crate::msg;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use toml::de::DeTable;

/// Files larger than this are not read: no real record comes close, and a
/// huge file is either a mistake or an attack on the parser.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A byte-order mark: skipped before parsing, and not counted in a
/// position (editors do not show it).
const BOM: &str = "\u{feff}";

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
    /// The one door for reading anything else below the root.
    pub guard: Guard,
    pub config: Option<Doc>,
    pub people: Option<Doc>,
    /// Record files in path order.
    pub records: Vec<Doc>,
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
    /// Each file the walk found to read, and what reading it found.
    pub sources: crate::Lookup<String, Source>,
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
    load_keeping(root, None)
}

/// [`load`], taking the text of each file unchanged since the last run
/// from, and keeping this run's texts in, the cache folder `keep`
/// (`kept.rs`).
pub fn load_keeping(root: &Path, keep: Option<&Path>) -> Result<Loaded> {
    if !root.join("docket.toml").is_file() {
        return Err(Error::NotARecordsRoot(root.to_path_buf()));
    }
    let guard = Guard::new(root).map_err(|e| Error::io(root, e))?;
    // Begun before the first file is read: its time says when reading began.
    let keeper = keep.and_then(kept::Keeper::start);
    // Nothing is taken where nothing would be kept (`kept::local`). What
    // was kept (139 MB at 50,000 orders) is read and checked beside the
    // walk of the folders, which leaves a core idle.
    let read = keep.filter(|_| keeper.is_some());
    let files = std::sync::OnceLock::new();
    std::thread::scope(|s| {
        let texts = s.spawn(|| {
            files
                .get_or_init(|| read.map(kept::KeptFiles::read).unwrap_or_default())
                .texts()
        });
        load_from(root, guard, keeper, || crate::joined(texts))
    })
}

/// The rest of [`load_keeping`]: walk, then parse each file or take its
/// kept text (`texts`, called once the walk is done).
fn load_from<'f>(
    root: &Path,
    guard: Guard,
    keeper: Option<kept::Keeper>,
    texts: impl FnOnce() -> kept::Kept<'f>,
) -> Result<Loaded> {
    let mut loaded = Loaded::default();
    let mut to_parse: Vec<(String, FileRole)> = Vec::new();
    // Read through their targets: nothing of them is kept (`kept.rs`).
    let mut links: crate::LookupSet<String> = Default::default();

    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by(paths::by_name)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !(is_hidden(e.file_name()) || e.depth() == 1 && is_skipped_folder(e))
        });
    let mut walker = walker;
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let rel = err.path().map(|p| rel_path(root, p)).unwrap_or_default();
                loaded.findings.push(Finding::new(
                    RuleId::Parse,
                    rel,
                    None,
                    msg!("cannot be read: {err}", "無法讀取：{err}"),
                ));
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let rel = rel_path(root, entry.path());
        // A name that is not UTF-8 cannot be named by a record, a finding
        // or a link, and would be shown as another name (two such names
        // can even look alike): refused, and nothing below it read.
        if entry.file_name().to_str().is_none() {
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            loaded.findings.push(not_utf8_name(rel, entry.file_name()));
            continue;
        }
        let top = rel.split('/').next().unwrap_or_default().to_string();
        let top = top.as_str();
        let kind = Kind::from_folder(top);
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            links.insert(rel.clone());
        }

        if entry.depth() == 1 && KNOWN_TOP.contains(&top) {
            match rel.as_str() {
                "docket.toml" => to_parse.push((rel, FileRole::Config)),
                "people.toml" => to_parse.push((rel, FileRole::People)),
                "procedure.md" => match guard.read_text(&rel, Some(MAX_FILE_BYTES)) {
                    Ok(text) => loaded.procedure = text,
                    Err(why) => loaded.findings.push(Finding::new(
                        RuleId::Parse,
                        rel,
                        None,
                        msg!(
                            "{en}; the procedure is not shown",
                            "{zh}；程序書不顯示";
                            en = why.why(),
                            zh = why.reason().zh
                        ),
                    )),
                },
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
                    msg!(
                        "folder `{top}` is not a record kind, so nothing in it is checked \
                         (record folders: {folders})",
                        "資料夾 `{top}` 不是紀錄類別，其中的檔案都不檢查（紀錄資料夾：{folders}）";
                        folders = Kind::ALL.map(|k| k.folder()).join(", ")
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
                    msg!(
                        "file at the top of the records root is not read by docket \
                         (records go in their kind's folder, e.g. orders/2026/)",
                        "位於紀錄庫最上層的檔案，docket 不讀取（紀錄請放在其類別的資料夾，例如 orders/2026/）"
                    ),
                ));
            }
            continue;
        };
        if file_type.is_symlink() {
            match guard.check(&rel) {
                Ok(_) => {}
                // A link to a folder inside the root: not followed.
                Err(Refused::NotAFile) => continue,
                Err(why) => {
                    loaded
                        .findings
                        .push(Finding::new(RuleId::Parse, rel, None, why.reason()));
                    continue;
                }
            }
        }
        // Attachments are looked up by name when a record lists one.
        if rel.ends_with(".toml") {
            to_parse.push((rel, FileRole::Record(kind)));
        }
    }
    // Without these two nothing can be judged; one that leads outside the
    // root, or into .git, is not a file docket may read.
    for (rel, _) in to_parse
        .iter()
        .filter(|(_, r)| !matches!(r, FileRole::Record(_)))
    {
        if let Err(why) = guard.check(rel)
            && why.is_unsafe()
        {
            return Err(guard.refusal(rel, &why));
        }
    }

    let mut kept = texts();
    let summary = kept.summary();
    let jobs: Vec<_> = to_parse
        .into_iter()
        .map(|(rel, role)| {
            let taken = kept.take(&rel);
            let link = links.contains(&rel);
            (rel, role, taken, link)
        })
        .collect();
    drop(kept);
    let parsed: Vec<Parsed> = jobs
        .into_par_iter()
        .map(|(rel, role, taken, link)| {
            let keeper = keeper.as_ref().filter(|_| !link);
            let mut parsed = read_doc(&guard, rel, role, taken, keeper);
            parsed.stat = parsed.stat.filter(|s| !link && s.is_file());
            parsed
        })
        .collect();
    let from_files = parsed
        .iter()
        .filter(|p| p.keep.is_some_and(|k| k.1 != kept::Source::File));
    crate::timing::count("records kept from last run", from_files.count());
    if let Some(keeper) = keeper {
        let written: Vec<kept::Written> = parsed
            .iter()
            .filter_map(|p| {
                let ((keep, source), doc) = (p.keep?, p.doc.as_ref().ok()?);
                Some((doc.rel.as_str(), keep, source, doc.lines.text(), &doc.root))
            })
            .collect();
        keeper.finish(summary, &written);
    }
    let mut fingerprint = crate::fingerprint::Fingerprint::new(4);
    for Parsed {
        hash, doc, stat, ..
    } in &parsed
    {
        let rel = match doc {
            Ok(d) => &d.rel,
            Err(f) => &f.file,
        };
        fingerprint.str(rel).u64(*hash);
        let source = Source {
            hash: *hash,
            stat: *stat,
        };
        loaded.sources.insert(rel.clone(), source);
    }
    loaded.fingerprint = fingerprint.finish();
    loaded.guard = guard;
    for Parsed { role, doc, .. } in parsed {
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

/// One file read and parsed.
struct Parsed {
    role: FileRole,
    /// The hash of the file's bytes (0 when it could not be read).
    hash: u64,
    doc: Result<Doc, Finding>,
    /// What to keep of its text for the next run, and where it came from.
    keep: Option<(kept::Keep, kept::Source)>,
    /// Its stat as read (`Source::stat`).
    stat: Option<FileStat>,
}

fn read_doc(
    guard: &Guard,
    rel: String,
    role: FileRole,
    taken: Option<kept::Taken<'_>>,
    keeper: Option<&kept::Keeper>,
) -> Parsed {
    let now = taken.as_ref().and_then(|_| guard.plain_metadata(&rel));
    if let Some(held) = taken.zip(now).and_then(|(taken, now)| taken.holds(&now)) {
        let hash = xxhash_rust::xxh3::xxh3_64(held.text.as_bytes());
        let doc = Doc {
            rel,
            role,
            root: held.tree,
            lines: LineIndex::owning(held.text),
        };
        let keep = Some((held.keep, held.source));
        return Parsed {
            role,
            hash,
            doc: Ok(doc),
            keep,
            stat: now,
        };
    }
    match guard.read_stat(&rel, Some(MAX_FILE_BYTES)) {
        Ok((bytes, md)) => {
            // A text that starts with a byte-order mark is kept without
            // it (`parse_text`): not the file's bytes, so not kept.
            let keep = keeper
                .filter(|_| !bytes.starts_with(BOM.as_bytes()))
                .and_then(|k| k.keep(&md))
                .map(|k| (k, kept::Source::File));
            let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
            let doc = parse_owned(rel, role, bytes);
            Parsed {
                role,
                hash,
                doc,
                keep,
                stat: Some(md),
            }
        }
        Err(why) => Parsed {
            role,
            hash: 0,
            doc: Err(Finding::new(RuleId::Parse, &rel, None, why.reason())),
            keep: None,
            stat: None,
        },
    }
}

/// Parse one file's bytes. Public because the history stage parses old
/// revisions of a file the same way.
pub fn parse_bytes(rel: String, role: FileRole, bytes: &[u8]) -> Result<Doc, Finding> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_text(rel, role, text.to_owned()),
        Err(e) => Err(not_utf8(rel, bytes, e.valid_up_to())),
    }
}

/// [`parse_bytes`] of bytes read for this parse alone: the text the
/// document keeps is the buffer read, not a copy of it.
fn parse_owned(rel: String, role: FileRole, bytes: Vec<u8>) -> Result<Doc, Finding> {
    match String::from_utf8(bytes) {
        Ok(text) => parse_text(rel, role, text),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            Err(not_utf8(rel, e.as_bytes(), valid))
        }
    }
}

fn not_utf8(rel: String, bytes: &[u8], valid: usize) -> Finding {
    // Placed in the text after a byte-order mark, as a TOML error is (an
    // editor does not show the mark).
    let start = if bytes[..valid].starts_with(BOM.as_bytes()) {
        BOM.len()
    } else {
        0
    };
    let pos = LineIndex::new(&String::from_utf8_lossy(&bytes[start..valid])).pos(valid - start);
    Finding::new(
        RuleId::Parse,
        rel,
        Some(pos),
        msg!(
            "is not UTF-8 text: save the file as UTF-8 (the byte at this position is not valid UTF-8)",
            "不是 UTF-8 文字：請以 UTF-8 儲存檔案（此位置的位元組不是有效的 UTF-8）"
        ),
    )
}

fn parse_text(rel: String, role: FileRole, mut text: String) -> Result<Doc, Finding> {
    if text.starts_with(BOM) {
        text.drain(..BOM.len());
    }
    if text.trim().is_empty() {
        return Err(Finding::new(
            RuleId::Parse,
            rel,
            None,
            msg!(
                "is empty: a record file must hold at least its id",
                "是空檔案：紀錄檔至少要有編號"
            ),
        ));
    }
    let (table, errors) = DeTable::parse_recoverable(&text);
    // Later errors after a syntax error are mostly echoes of the first.
    if let Some(err) = errors.first() {
        let pos = err.span().map(|s| LineIndex::new(&text).pos(s.start));
        return Err(Finding::new(
            RuleId::Parse,
            rel,
            pos,
            msg!(
                "invalid TOML: {parser}",
                "TOML 格式錯誤（解析器訊息：{parser}）";
                parser = err.message()
            ),
        ));
    }
    let root = value::table_from(table.into_inner());
    Ok(Doc {
        rel,
        role,
        root,
        lines: LineIndex::owning(text),
    })
}

/// The finding for a file or folder whose name is not UTF-8 text: its
/// path shows U+FFFD where the bytes are not, and the message spells the
/// name with those bytes escaped, so two such names are two findings.
fn not_utf8_name(rel: String, name: &std::ffi::OsStr) -> Finding {
    let mut spelled = String::new();
    for chunk in name.as_encoded_bytes().utf8_chunks() {
        spelled.push_str(chunk.valid());
        for b in chunk.invalid() {
            spelled.push_str(&format!("\\x{b:02X}"));
        }
    }
    Finding::new(
        RuleId::Parse,
        rel,
        None,
        msg!(
            "the name `{spelled}` is not UTF-8 text, so docket does not read it or anything \
             in it: rename it in UTF-8",
            "名稱 `{spelled}` 不是 UTF-8 文字，docket 不讀取它及其中的任何檔案：請以 UTF-8 重新命名"
        ),
    )
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

/// Whether `rel` (as written in docket.toml) names a file below the
/// records root that the guard could read: relative, `/`-separated, no
/// `..`, `.`, empty or hidden part. A check of the name alone; reading it
/// goes through [`read_inside`].
pub fn inside_root(rel: &str) -> bool {
    names::plain_name(rel)
}

/// Read `rel` below the records root for a later stage (the TSA
/// certificates, the timestamp tokens) through the guard, like every
/// other read: no link leaving the root, no hidden file, at most
/// [`MAX_FILE_BYTES`]. `Ok(None)` when there is no such file; `Err` says
/// why it cannot be read.
pub fn read_inside(guard: &Guard, rel: &str) -> Result<Option<Vec<u8>>, String> {
    match guard.read(rel, Some(MAX_FILE_BYTES)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(Refused::Missing) => Ok(None),
        Err(why) => Err(format!("{rel} {}", why.why())),
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

fn is_readme(rel: &str) -> bool {
    let upper = rel.to_ascii_uppercase();
    upper.starts_with("README") || upper.starts_with("LICENSE")
}
