//! `docket diff REV1..REV2`: what a pull request does to the records.
//!
//! Records added, changed (field by field) and deleted; the signatures the
//! change invalidates (a signed section whose content changed, an order
//! whose substance changed under its review); and the findings it adds or
//! resolves. Findings come from running the checks on each revision's files,
//! read from git objects into a temporary folder, so the working tree is
//! never touched. History rules are not part of this comparison: they
//! judge commits, which `docket check --base` covers. Blobs are read as
//! the working tree is: one larger than a record may be is refused by the
//! size in its header (never inflated), and an object git cannot read
//! stops the command (exit 2) naming it.
//!
//! Markdown by default, to paste as a pull-request comment; `--format json`.

use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::history::fields::section;
use crate::history::{FieldChange, State, diff_tables, parse_state, read_blob};
use crate::kind::Kind;
use crate::load::{Table, Value};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

#[derive(Serialize, Default)]
pub struct Diff {
    pub from: String,
    pub to: String,
    pub added: Vec<Entry>,
    pub changed: Vec<Entry>,
    pub deleted: Vec<Entry>,
    pub invalidated: Vec<Invalidated>,
    pub new_findings: Vec<DiffFinding>,
    pub resolved_findings: Vec<DiffFinding>,
}

#[derive(Serialize)]
pub struct Entry {
    pub file: String,
    pub record: String,
    /// For a move, the old path.
    pub moved_from: Option<String>,
    pub changes: Vec<FieldChange>,
    /// Why one side could not be read (the `parse` finding's message):
    /// its fields are then not compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse: Option<String>,
}

#[derive(Serialize)]
pub struct Invalidated {
    pub file: String,
    pub section: String,
    pub by: String,
    pub reason: String,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
pub struct DiffFinding {
    pub rule: String,
    pub file: String,
    pub record: Option<String>,
    pub message: String,
}

/// The signed sections of DESIGN.md section 3, by key.
const SIGNED: &[&str] = &[
    "review",
    "extra_review",
    "gm_signed",
    "investigation",
    "verification",
    "confirmation",
    "feedback",
    "analysis",
    "verified",
];

pub fn run(root: &Path, range: &str, format: Format, as_of: Option<Date>) -> Result<String> {
    let (a, b) = match range.split_once("..") {
        Some((a, b)) => (a, if b.is_empty() { "HEAD" } else { b }),
        None => {
            return Err(Error::Usage(format!(
                "\"{range}\" is not a range like main..HEAD"
            )));
        }
    };
    let (repo, prefix) = crate::history::discover(root)?
        .ok_or_else(|| Error::Git("no git repository above the records root".into()))?;
    let resolve = |rev: &str| -> Result<git2::Oid> {
        let obj = repo.revparse_single(rev).map_err(|e| {
            Error::Usage(format!("cannot find revision \"{rev}\": {}", e.message()))
        })?;
        Ok(obj.peel_to_commit()?.id())
    };
    let (ia, ib) = (resolve(a)?, resolve(b)?);
    let fa = crate::history::files_at(&repo, ia, &prefix)?;
    let fb = crate::history::files_at(&repo, ib, &prefix)?;
    let state = |id: git2::Oid, path: &str| -> Result<State> {
        Ok(match read_blob(&repo, id, path)? {
            Ok(bytes) => parse_state(path, &bytes),
            Err(why) => State::Unreadable(why),
        })
    };
    let is_record = |p: &str| {
        p.ends_with(".toml")
            && p.split_once('/')
                .is_some_and(|(top, _)| Kind::from_folder(top).is_some())
    };
    let stem = |p: &str| {
        p.rsplit('/')
            .next()
            .unwrap_or(p)
            .trim_end_matches(".toml")
            .to_string()
    };

    let mut diff = Diff {
        from: a.to_string(),
        to: b.to_string(),
        ..Diff::default()
    };
    let mut gone: Vec<&String> = fa
        .keys()
        .filter(|p| is_record(p) && !fb.contains_key(*p))
        .collect();
    for (path, id) in fb.iter().filter(|(p, _)| is_record(p)) {
        let old_path = match fa.get(path) {
            Some(old) if old == id => continue,
            Some(_) => Some(path.clone()),
            None => gone
                .iter()
                .position(|g| stem(g) == stem(path))
                .map(|i| gone.remove(i).clone()),
        };
        let new = state(*id, path)?;
        let Some(old_path) = old_path else {
            diff.added.push(Entry {
                file: path.clone(),
                record: stem(path),
                moved_from: None,
                changes: Vec::new(),
                parse: new.problem().map(str::to_string),
            });
            continue;
        };
        let old = state(fa[&old_path], &old_path)?;
        let parse = new
            .problem()
            .map(|p| format!("{path}: {p}"))
            .or_else(|| old.problem().map(|p| format!("{old_path}: {p}")));
        let changes = if parse.is_some() {
            Vec::new()
        } else {
            diff_tables(old.table(), new.table())
        };
        if let (Some(old), Some(new)) = (old.table(), new.table()) {
            invalidated(path, old, new, &mut diff.invalidated);
        }
        let moved_from = (old_path != *path).then_some(old_path);
        diff.changed.push(Entry {
            file: path.clone(),
            record: stem(path),
            moved_from,
            changes,
            parse,
        });
    }
    for g in gone {
        diff.deleted.push(Entry {
            file: g.clone(),
            record: stem(g),
            moved_from: None,
            changes: Vec::new(),
            parse: None,
        });
    }

    let before = findings_at(&repo, &fa, as_of)?;
    let after = findings_at(&repo, &fb, as_of)?;
    diff.new_findings = after
        .iter()
        .filter(|f| !before.contains(f))
        .cloned()
        .collect();
    diff.resolved_findings = before
        .iter()
        .filter(|f| !after.contains(f))
        .cloned()
        .collect();
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(&diff).expect("diff serializes") + "\n",
        Format::Markdown => markdown(&diff),
    })
}

fn by_of(v: &Value) -> String {
    match v {
        Value::Table(t) => match t.get("by").map(|x| &x.1.value) {
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// Signed sections whose content changed, and reviews the change made stale.
fn invalidated(file: &str, old: &Table, new: &Table, out: &mut Vec<Invalidated>) {
    for key in SIGNED {
        let mut paths = vec![key.to_string()];
        if let Some((_, n)) = old.get(key)
            && let Value::Array(a) = &n.value
        {
            paths = (0..a.len()).map(|i| format!("{key}[{i}]")).collect();
        }
        for path in paths {
            let Some(was) = section(old, &path) else {
                continue;
            };
            let reason = match section(new, &path) {
                None => "removed".to_string(),
                Some(now) if now.same(was) => continue,
                Some(_) => "changed after signing".to_string(),
            };
            out.push(Invalidated {
                file: file.to_string(),
                section: path,
                by: by_of(was),
                reason,
            });
        }
    }
    let is_order = file.starts_with("orders/");
    if let (true, Some(review_old), Some(review_new)) =
        (is_order, section(old, "review"), section(new, "review"))
    {
        use crate::history::substance;
        let changed = diff_tables(Some(&substance(old)), Some(&substance(new)));
        if review_old.same(review_new) && !changed.is_empty() {
            out.push(Invalidated {
                file: file.to_string(),
                section: "review".into(),
                by: by_of(review_old),
                reason: format!(
                    "the order changed under it ({} fields): review is stale",
                    changed.len()
                ),
            });
        }
    }
}

/// Check the files of one revision: write them to a temporary folder and
/// run load, model and rules (without history) on it.
fn findings_at(
    repo: &git2::Repository,
    files: &BTreeMap<String, git2::Oid>,
    as_of: Option<Date>,
) -> Result<Vec<DiffFinding>> {
    let dir = TempDir::new()?;
    for (path, id) in files {
        let target = dir.0.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let size = crate::history::blob_size(repo, *id, path)?;
        match read_blob(repo, *id, path)? {
            Ok(bytes) => std::fs::write(&target, bytes).map_err(|e| Error::io(&target, e))?,
            // Too large to read: a sparse file of its size, which the
            // loader refuses unread with the working tree's own finding.
            Err(_) => std::fs::File::create(&target)
                .and_then(|f| f.set_len(size))
                .map_err(|e| Error::io(&target, e))?,
        }
    }
    if !dir.0.join("docket.toml").is_file() {
        return Ok(Vec::new());
    }
    let loaded = crate::load::load(&dir.0)?;
    let (model, findings) = crate::model::build(loaded);
    let report = super::check_model(&model, None, findings, as_of)?;
    let mut out: Vec<DiffFinding> = report
        .findings
        .into_iter()
        .map(|r| key(r.finding))
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

fn key(f: Finding) -> DiffFinding {
    DiffFinding {
        rule: f.rule.as_str().to_string(),
        file: f.file,
        record: f.record,
        message: f.message,
    }
}

/// A folder removed when dropped (tempfile is only a dev-dependency).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "docket-diff-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn markdown(d: &Diff) -> String {
    let mut out = format!("## docket diff `{}..{}`\n\n", d.from, d.to);
    out.push_str(&format!(
        "{} added, {} changed, {} deleted; {} signatures invalidated; {} new findings, {} resolved.\n",
        d.added.len(),
        d.changed.len(),
        d.deleted.len(),
        d.invalidated.len(),
        d.new_findings.len(),
        d.resolved_findings.len()
    ));
    let mut list = |title: &str, entries: &[Entry]| {
        if entries.is_empty() {
            return;
        }
        out.push_str(&format!("\n### {title}\n\n"));
        for e in entries {
            let moved = e
                .moved_from
                .as_ref()
                .map(|m| format!(" (moved from `{m}`)"))
                .unwrap_or_default();
            out.push_str(&format!("- **{}** `{}`{moved}\n", e.record, e.file));
            if let Some(p) = &e.parse {
                out.push_str(&format!("  - not read (parse): {p}\n"));
            }
            for c in &e.changes {
                out.push_str(&format!("  - `{c}`\n"));
            }
        }
    };
    list("Added", &d.added);
    list("Changed", &d.changed);
    list("Deleted", &d.deleted);
    if !d.invalidated.is_empty() {
        out.push_str("\n### Signatures invalidated\n\n");
        for i in &d.invalidated {
            out.push_str(&format!(
                "- `{}` `{}` signed by {}: {}\n",
                i.file, i.section, i.by, i.reason
            ));
        }
    }
    for (title, fs) in [
        ("New findings", &d.new_findings),
        ("Resolved findings", &d.resolved_findings),
    ] {
        if fs.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {title}\n\n"));
        for f in fs {
            out.push_str(&format!(
                "- `{}` `{}`: {}\n",
                f.rule,
                f.file,
                f.message.replace('\n', " ")
            ));
        }
    }
    out
}
