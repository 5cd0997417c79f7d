//! `docket diff REV1..REV2`: what a pull request does to the records.
//!
//! First the changes to the controlled documents (people.toml,
//! docket.toml, procedure.md), proven or not, commit by commit; then
//! records added, changed (field by field) and deleted; the signatures the
//! change invalidates (a signed section whose content changed, an order
//! whose substance changed under its review), both compared by
//! [`crate::history::compare`]; and the findings it adds or resolves.
//! Findings come from running the checks on each revision's files, read
//! from git objects into a temporary folder, so the working tree is never
//! touched. History rules are not part of this comparison: they judge
//! commits, which `docket check --base` covers. A revision's blob larger
//! than a record may be is refused by the size in its header (never
//! inflated), and an object git cannot read stops the command (exit 2)
//! naming it. This file is the command: the range, the runs of the
//! checks, and the Markdown.
//!
//! Markdown by default, to paste as a pull-request comment; `--format json`.

use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::history::{self, History, Invalidated, Listed, RecordChange};
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
    /// Changes to the controlled documents in the range, proven or not:
    /// listed first, as they change how everything else is judged.
    pub governance: Vec<Listed>,
    pub added: Vec<RecordChange>,
    pub changed: Vec<RecordChange>,
    pub deleted: Vec<RecordChange>,
    pub invalidated: Vec<Invalidated>,
    pub new_findings: Vec<DiffFinding>,
    pub resolved_findings: Vec<DiffFinding>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
pub struct DiffFinding {
    pub rule: String,
    pub file: String,
    pub record: Option<String>,
    pub message: String,
}

pub fn run(root: &Path, range: &str, format: Format, as_of: Option<Date>) -> Result<String> {
    let (a, b) = match range.split_once("..") {
        Some((a, b)) => (a, if b.is_empty() { "HEAD" } else { b }),
        None => {
            return Err(Error::Usage(format!(
                "\"{range}\" is not a range like main..HEAD"
            )));
        }
    };
    // Nothing is judged under a configuration docket cannot read.
    let (model, findings) = crate::model::build(crate::load::load(root)?);
    super::fail_closed(&findings)?;
    let (repo, prefix) = history::discover(root)?
        .ok_or_else(|| Error::Git("no git repository above the records root".into()))?;
    let (ia, ib) = (history::resolve(&repo, a)?, history::resolve(&repo, b)?);
    let offset = model.config.company.offset_seconds;
    let mut at_b = History::open_with(root, Some(ib), false)?;
    history::govern(&mut at_b, offset)?;
    let governance = at_b.governance_since(&repo, ia, offset)?;
    let mut changes = history::compare(&repo, &prefix, ia, ib)?;
    let before = at_revision(root, &repo, &prefix, ia, as_of)?;
    let after = at_revision(root, &repo, &prefix, ib, as_of)?;
    // A signed section changed in the range and signed again in it by the
    // same person (the GM re-signing a stale review) is not invalidated:
    // its new content carries his signature, made after the base. Signed
    // over by someone else, the first signature is still gone.
    changes.invalidated.retain(|i| {
        let resigned = after.signed.get(&(i.file.clone(), i.section.clone()));
        !resigned.is_some_and(|(c, by)| {
            *by == i.by && *c != ia && !repo.graph_descendant_of(ia, *c).unwrap_or(true)
        })
    });
    let (before, after) = (before.findings, after.findings);
    let diff = Diff {
        from: a.to_string(),
        to: b.to_string(),
        governance,
        added: changes.added,
        changed: changes.changed,
        deleted: changes.deleted,
        invalidated: changes.invalidated,
        new_findings: after
            .iter()
            .filter(|f| !before.contains(f))
            .cloned()
            .collect(),
        resolved_findings: before
            .iter()
            .filter(|f| !after.contains(f))
            .cloned()
            .collect(),
    };
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(&diff).expect("diff serializes") + "\n",
        Format::Markdown => markdown(&diff),
    })
}

/// What the check says about one revision.
struct AtRevision {
    /// Its findings, history included: what `check` says at that commit.
    findings: Vec<DiffFinding>,
    /// Each signed section (file, section) whose signature its commit
    /// proves (or records, under policy `none`), with that commit and the
    /// signer.
    signed: BTreeMap<(String, String), (git2::Oid, String)>,
}

/// Check the files of one revision as `check` would at that commit: its
/// files written to a temporary folder for load and model, the history of
/// that commit for the proofs, the policy in force and the history rules.
fn at_revision(
    root: &Path,
    repo: &git2::Repository,
    prefix: &str,
    rev: git2::Oid,
    as_of: Option<Date>,
) -> Result<AtRevision> {
    let files = history::files_at(repo, rev, prefix)?;
    let dir = TempDir::new()?;
    for (path, id) in &files {
        let target = dir.0.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        match history::read_blob(repo, *id, path)? {
            Ok(bytes) => std::fs::write(&target, bytes).map_err(|e| Error::io(&target, e))?,
            // Too large to read: a sparse file of its size, which the
            // loader refuses unread with the working tree's own finding.
            Err(_) => {
                let size = history::blob_size(repo, *id, path)?;
                std::fs::File::create(&target)
                    .and_then(|f| f.set_len(size))
                    .map_err(|e| Error::io(&target, e))?
            }
        }
    }
    if !dir.0.join("docket.toml").is_file() {
        return Ok(AtRevision {
            findings: Vec::new(),
            signed: BTreeMap::new(),
        });
    }
    let loaded = crate::load::load(&dir.0)?;
    let (mut model, findings) = crate::model::build(loaded);
    // diff judges commits other than HEAD: it reads and writes no cache.
    let mut history = History::open_with(root, Some(rev), false)?;
    let report = super::judge(&mut model, &mut history, findings, as_of)?;
    let mut out: Vec<DiffFinding> = report
        .findings
        .into_iter()
        .map(|r| key(r.finding))
        .collect();
    out.sort();
    out.dedup();
    let signed = history
        .proofs
        .sections
        .iter()
        .filter(|p| {
            matches!(
                p.status.state(),
                history::ProofState::Proven | history::ProofState::Unverified
            )
        })
        .filter_map(|p| {
            let id = git2::Oid::from_str(&history.commits[p.commit?].id).ok()?;
            Some(((p.file.clone(), p.section.clone()), (id, p.by.clone())))
        })
        .collect();
    Ok(AtRevision {
        findings: out,
        signed,
    })
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
        "{} added, {} changed, {} deleted; {} invalidated; {}, {} resolved.\n",
        d.added.len(),
        d.changed.len(),
        d.deleted.len(),
        crate::words::count(d.invalidated.len(), "signature"),
        crate::words::count(d.new_findings.len(), "new finding"),
        d.resolved_findings.len()
    ));
    if !d.governance.is_empty() {
        out.push_str(&format!(
            "\n### Governance changes\n\npeople.toml, docket.toml and procedure.md decide how \
             everything else is judged; {}:\n\n",
            crate::words::count(d.governance.len(), "change")
        ));
        for g in &d.governance {
            out.push_str(&format!("- {}\n", g.headline()));
            for c in &g.changes {
                out.push_str(&format!("  - {c}\n"));
            }
        }
    }
    let mut list = |title: &str, entries: &[RecordChange]| {
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
