//! `docket log ID`: one record's audit trail, newest first.
//!
//! Each revision shows what 21 CFR 11.10(e) asks of an audit trail: who
//! (author name and email), when (at the company's time zone, so everyone
//! reads the same clock), how the commit is signed, and what changed, field
//! by field, with the old value kept next to the new one. Below them, the
//! proof of each signed section of the record as it is now.

use crate::error::{Error, Result};
use crate::history::{Change, FieldChange, History, Proof, SignatureCheck, Stamp, diff_tables};
use crate::model::Model;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Serialize)]
pub struct Log {
    pub record: String,
    pub file: String,
    /// Newest first; an uncommitted working copy comes first, with no commit.
    pub revisions: Vec<LogRevision>,
    pub signatures: Vec<Proof>,
}

#[derive(Serialize)]
pub struct LogRevision {
    pub commit: Option<String>,
    pub author: Option<Stamp>,
    /// The author time at the company's offset.
    pub time: Option<String>,
    pub summary: String,
    pub signature: Option<SignatureCheck>,
    pub change: Change,
    pub changes: Vec<FieldChange>,
}

/// Build the log of the record `id` (or of a file path below the root).
pub fn log(model: &Model, history: &History, id: &str) -> Result<Log> {
    if let Some(why) = &history.unavailable {
        return Err(Error::Git(format!(
            "no history to show: {why:?} (docket log needs the full git history)"
        )));
    }
    let stem = |p: &str| {
        p.rsplit('/')
            .next()
            .unwrap_or(p)
            .trim_end_matches(".toml")
            .to_string()
    };
    let file = history
        .files
        .values()
        .filter(|f| stem(&f.path) == id || f.path == id)
        // a live file before a deleted one of the same id
        .min_by_key(|f| f.deleted())
        .ok_or_else(|| {
            Error::Usage(format!(
                "no record {id} in the git history of this records repository"
            ))
        })?;
    let objects = history.objects()?;
    let tables = objects.tables(file);
    let offset = model.config.company.offset_seconds;
    let mut revisions = Vec::new();
    if history.worktree.contains_key(&file.path) {
        let now = std::fs::read(model.root.join(&file.path))
            .ok()
            .and_then(|b| crate::history::parse_table(&file.path, &b));
        let head = tables.first().and_then(|t| t.as_ref());
        revisions.push(LogRevision {
            commit: None,
            author: None,
            time: None,
            summary: "uncommitted changes in the working tree".into(),
            signature: None,
            change: if now.is_some() {
                Change::Modified
            } else {
                Change::Deleted
            },
            changes: diff_tables(head, now.as_ref()),
        });
    }
    for (i, rev) in file.revisions.iter().enumerate() {
        let c = history.commit(rev);
        let older = tables.get(i + 1).and_then(|t| t.as_ref());
        let changes = match rev.change {
            Change::Deleted => Vec::new(),
            _ => diff_tables(older, tables[i].as_ref()),
        };
        revisions.push(LogRevision {
            commit: Some(c.id.clone()),
            author: Some(c.author.clone()),
            time: Some(c.author.display_at(offset)),
            summary: c.summary.clone(),
            signature: Some(c.signature.check(&model.people)),
            change: rev.change.clone(),
            changes,
        });
    }
    let signatures = history
        .proofs
        .sections
        .iter()
        .filter(|p| p.file == file.path)
        .cloned()
        .collect();
    Ok(Log {
        record: stem(&file.path),
        file: file.path.clone(),
        revisions,
        signatures,
    })
}

/// `docket log`: load, read the history, and print the log.
pub fn run(root: &Path, id: &str, format: Format) -> Result<String> {
    let loaded = crate::load::load(root)?;
    let (model, _) = crate::model::build(loaded);
    let mut history = History::open(root)?;
    crate::history::prove(&mut history, &model)?;
    let log = log(&model, &history, id)?;
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(&log).expect("log serializes") + "\n",
        Format::Human => human(&log, &history, model.config.company.offset_seconds),
    })
}

fn human(log: &Log, history: &History, offset: i32) -> String {
    let mut out = format!("{}  {}\n", log.record, log.file);
    for r in &log.revisions {
        out.push('\n');
        match (&r.commit, &r.author) {
            (Some(id), Some(a)) => out.push_str(&format!(
                "commit {}  {}  {} <{}>  {}\n",
                crate::history::short(id),
                r.time.as_deref().unwrap_or_default(),
                a.name,
                a.email,
                r.signature
                    .as_ref()
                    .map(|s| s.describe())
                    .unwrap_or_default()
            )),
            _ => out.push_str("working tree (not committed)\n"),
        }
        out.push_str(&format!("    {}\n", r.summary));
        match &r.change {
            Change::Added => out.push_str("    added the file\n"),
            Change::Deleted => out.push_str("    deleted the file\n"),
            Change::Moved(from) => out.push_str(&format!("    moved from {from}\n")),
            Change::Modified => {}
        }
        for c in &r.changes {
            out.push_str(&format!("    {c}\n"));
        }
    }
    if !log.signatures.is_empty() {
        out.push_str("\nsignatures:\n");
        for p in &log.signatures {
            let when = p
                .commit
                .map(|c| {
                    let c = &history.commits[c];
                    format!(
                        " in commit {} at {}",
                        c.short(),
                        c.author.display_at(offset)
                    )
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "  {} by {} ({}){when}: {}\n",
                p.section,
                p.by,
                p.meaning,
                describe(&p.status)
            ));
        }
    }
    out
}

/// A proof status in words, for people.
pub fn describe(s: &crate::history::ProofStatus) -> String {
    use crate::history::ProofStatus as P;
    match s {
        P::Proven(how) => format!("proven by {how}"),
        P::Recorded => "recorded, not verified".into(),
        P::Uncommitted => "not committed, not signed".into(),
        P::Unproven(why) => format!("unproven: {why}"),
        P::Broken { changed_by, .. } => format!("broken: changed after signing by {changed_by}"),
    }
}
