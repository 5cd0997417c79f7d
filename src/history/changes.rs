//! What changed in the records between two commits: for `docket diff`
//! (records added, changed field by field, moved and deleted, and the
//! signatures the change invalidates) and for `docket check --base` (the
//! files a pull request touched).
//!
//! Both compare the files of two commits as git stores them, without
//! walking the history between: a pull request is judged by what it does
//! to the records, whichever commits it took to get there. Blobs are read
//! as the working tree is: one larger than a record may be is refused by
//! the size in its header (never inflated) and its fields are not
//! compared; an object git cannot read stops the comparison (exit 2)
//! naming it.

use super::fields::{FieldChange, diff_tables, section, signer};
use super::index::History;
use super::repo::{discover, read_state, resolve};
use super::substance::substance;
use super::trees::files_at;
use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::load::{Table, Value, stem};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A record added, changed or deleted.
#[derive(Debug, Serialize)]
pub struct RecordChange {
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

/// A signature the change no longer lets stand.
#[derive(Debug, Serialize)]
pub struct Invalidated {
    pub file: String,
    pub section: String,
    pub by: String,
    pub reason: String,
}

/// The records of one commit against another's.
#[derive(Debug, Default)]
pub struct Changes {
    pub added: Vec<RecordChange>,
    pub changed: Vec<RecordChange>,
    pub deleted: Vec<RecordChange>,
    pub invalidated: Vec<Invalidated>,
}

/// Whether `path` (below the records root) is a record file.
fn is_record(path: &str) -> bool {
    path.ends_with(".toml") && Kind::of_path(path).is_some()
}

/// Compare the records at commit `from` with those at `to`. A record
/// deleted at one path and added at another with the same id is a move.
pub fn compare(
    repo: &git2::Repository,
    prefix: &str,
    from: git2::Oid,
    to: git2::Oid,
) -> Result<Changes> {
    let fa = files_at(repo, from, prefix)?;
    let fb = files_at(repo, to, prefix)?;
    let entry = |file: &str, moved_from, changes, parse| RecordChange {
        file: file.to_string(),
        record: stem(file).to_string(),
        moved_from,
        changes,
        parse,
    };
    let mut out = Changes::default();
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
        let new = read_state(repo, *id, path)?;
        let Some(old_path) = old_path else {
            let parse = new.problem().map(str::to_string);
            out.added.push(entry(path, None, Vec::new(), parse));
            continue;
        };
        let old = read_state(repo, fa[&old_path], &old_path)?;
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
            invalidated(path, old, new, &mut out.invalidated);
        }
        let moved_from = (old_path != *path).then_some(old_path);
        out.changed.push(entry(path, moved_from, changes, parse));
    }
    for g in gone {
        out.deleted.push(entry(g, None, Vec::new(), None));
    }
    Ok(out)
}

/// Signed sections whose content changed, and reviews the change made stale.
fn invalidated(file: &str, old: &Table, new: &Table, out: &mut Vec<Invalidated>) {
    let by = |v: &Value| signer(v).unwrap_or_default().to_string();
    for key in crate::model::signed_keys() {
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
                by: by(was),
                reason,
            });
        }
    }
    let is_order = file.starts_with("orders/");
    if let (true, Some(review_old), Some(review_new)) =
        (is_order, section(old, "review"), section(new, "review"))
    {
        let changed = diff_tables(Some(&substance(old)), Some(&substance(new)));
        if review_old.same(review_new) && !changed.is_empty() {
            out.push(Invalidated {
                file: file.to_string(),
                section: "review".into(),
                by: by(review_old),
                reason: format!(
                    "the order changed under it ({} fields): review is stale",
                    changed.len()
                ),
            });
        }
    }
}

/// Files below the records root that differ between `base` and `HEAD`,
/// or in the working tree: what a pull request touched.
pub fn changed_since(root: &Path, history: &History, base: &str) -> Result<BTreeSet<String>> {
    let Some((repo, prefix)) = discover(root)? else {
        return Err(Error::Usage(format!(
            "--base {base} needs a git repository above the records root"
        )));
    };
    let base_id = resolve(&repo, base)?;
    let old = files_at(&repo, base_id, &prefix)?;
    let new = match repo.head().ok().and_then(|h| h.target()) {
        Some(head) => files_at(&repo, head, &prefix)?,
        None => BTreeMap::new(),
    };
    let mut changed: BTreeSet<String> = old
        .iter()
        .filter(|(p, id)| new.get(*p) != Some(id))
        .map(|(p, _)| p.clone())
        .collect();
    changed.extend(
        new.iter()
            .filter(|(p, id)| old.get(*p) != Some(id))
            .map(|(p, _)| p.clone()),
    );
    changed.extend(history.worktree.keys().cloned());
    Ok(changed)
}
