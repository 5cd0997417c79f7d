//! A record's audit trail as people read it: one entry per revision,
//! newest first, with who, when (at the company's time zone), how the
//! commit is signed, and the field-level changes. `docket log` prints it;
//! the site's record pages show it as the timeline.
//!
//! 21 CFR 11.10(e) asks that an audit trail not obscure earlier values, so
//! every change keeps the old value beside the new one, and a file's first
//! revision lists every field it was created with. A revision docket
//! cannot read (larger than a record may be, not TOML) says so, as the
//! `parse` finding it would be in the working tree, instead of looking
//! like a revision that removed every field.

use super::fields::{FieldChange, diff_tables, working_table};
use super::index::{Change, FileHistory, History, Stamp};
use super::sig::SignatureCheck;
use crate::error::Result;
use crate::model::Model;
use serde::Serialize;

/// One revision of a record in its audit trail.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The full commit id; `None` for uncommitted changes in the working tree.
    pub commit: Option<String>,
    pub author: Option<Stamp>,
    /// The author time at the company's offset, `2026-03-03 10:00:00 +08:00`.
    pub time: Option<String>,
    pub summary: String,
    pub signature: Option<SignatureCheck>,
    pub change: Change,
    pub changes: Vec<FieldChange>,
    /// Why this revision could not be read (the `parse` finding's
    /// message), when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse: Option<String>,
}

/// The audit trail of one file, newest first; uncommitted changes in the
/// working tree, if any, come first.
pub fn timeline(history: &History, model: &Model, file: &FileHistory) -> Result<Vec<Entry>> {
    let objects = history.objects()?;
    let states = objects.states(file)?;
    let offset = model.config.company.offset_seconds;
    let mut out = Vec::new();
    if history.worktree.contains_key(&file.path) {
        let now = working_table(&model.guard, &file.path);
        let head = states.first().and_then(|t| t.table());
        out.push(Entry {
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
            parse: None,
        });
    }
    for (i, rev) in file.revisions.iter().enumerate() {
        let c = history.commit(rev);
        let older = states.get(i + 1).and_then(|t| t.table());
        let parse = states[i].problem().map(str::to_string);
        let changes = match rev.change {
            Change::Deleted => Vec::new(),
            _ if parse.is_some() => Vec::new(),
            _ => diff_tables(older, states[i].table()),
        };
        out.push(Entry {
            commit: Some(c.id.clone()),
            author: Some(c.author.clone()),
            time: Some(c.author.display_at(offset)),
            summary: c.summary.clone(),
            signature: Some(history.signature(&objects, rev.commit)),
            change: rev.change.clone(),
            changes,
            parse,
        });
    }
    Ok(out)
}
