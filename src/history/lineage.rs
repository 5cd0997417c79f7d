//! Every file's revisions chained into one history: a deleted and an
//! added file of one commit paired as a move, then the events of the
//! walk (`walk.rs`), newest first, followed back across moves and
//! re-creations.

use super::controlled::{CONTROLLED, is_certificate};
use super::index::{Change, FileHistory, Revision};
use super::trees::Raw;
use crate::load::stem;
use git2::Oid;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One file change with moves paired.
#[derive(Debug, Clone)]
pub(super) struct Event {
    /// The path after the commit (before it, for a deletion).
    pub path: String,
    pub blob: Option<Oid>,
    pub change: Change,
}

/// Pair a deleted and an added file of one commit as a move: the same file
/// name (the record id) first, else the same content. A controlled
/// document is never one side of a move: governance judges the history
/// at its path, so people.toml moved aside and a new one written would
/// otherwise start a history of its own, judged by nobody (a second
/// bootstrap), and a file moved onto it would bring a history that was
/// never people.toml's.
pub(super) fn pair_moves(raw: Vec<Raw>) -> Vec<Event> {
    let movable = |path: &str| !(CONTROLLED.contains(&path) || is_certificate(path));
    let mut deleted: Vec<&Raw> = raw.iter().filter(|r| r.new.is_none()).collect();
    let mut out = Vec::new();
    for r in &raw {
        match (r.old, r.new) {
            (Some(_), Some(b)) => out.push(Event {
                path: r.path.clone(),
                blob: Some(b),
                change: Change::Modified,
            }),
            (None, Some(b)) if !movable(&r.path) => out.push(Event {
                path: r.path.clone(),
                blob: Some(b),
                change: Change::Added,
            }),
            (None, Some(b)) => {
                let by_name = deleted
                    .iter()
                    .position(|d| movable(&d.path) && stem(&d.path) == stem(&r.path));
                let by_blob = || {
                    deleted
                        .iter()
                        .position(|d| movable(&d.path) && d.old == Some(b))
                };
                let change = match by_name.or_else(by_blob) {
                    Some(i) => Change::Moved(deleted.remove(i).path.clone()),
                    None => Change::Added,
                };
                out.push(Event {
                    path: r.path.clone(),
                    blob: Some(b),
                    change,
                });
            }
            _ => {}
        }
    }
    for d in deleted {
        out.push(Event {
            path: d.path.clone(),
            blob: None,
            change: Change::Deleted,
        });
    }
    out
}

/// Chain the events (newest first) into one history per file.
pub(super) type LineageState = (
    Vec<FileHistory>,
    HashMap<String, usize>,
    HashMap<String, usize>,
);

/// Chain the events (newest first) into one history per file; also return
/// where the chains lead on, older than the events: each path before the
/// oldest event -> its history (`alias`), and each path whose history began
/// with an addition (`began`), for continuing with older histories.
pub(super) fn lineage_state(events: Vec<(usize, Vec<Event>)>) -> LineageState {
    let mut lines: Vec<FileHistory> = Vec::new();
    // path before the events seen so far -> the lineage it continues into
    let mut alias: HashMap<String, usize> = HashMap::new();
    // paths whose lineage began (was added) in a newer commit: a deletion
    // of the same path further back is the same file, re-created.
    let mut began: HashMap<String, usize> = HashMap::new();
    let new_line = |lines: &mut Vec<FileHistory>, path: &str| {
        lines.push(FileHistory {
            path: path.to_string(),
            revisions: Vec::new(),
            key: Default::default(),
        });
        lines.len() - 1
    };
    for (commit, evs) in events {
        for ev in evs {
            let rev = Revision {
                commit,
                path: ev.path.clone(),
                blob: ev.blob.map(|b| b.to_string()),
                change: ev.change.clone(),
            };
            match &ev.change {
                Change::Deleted => {
                    let ix = began
                        .remove(&ev.path)
                        .unwrap_or_else(|| new_line(&mut lines, &ev.path));
                    lines[ix].revisions.push(rev);
                    alias.insert(ev.path, ix);
                }
                Change::Added => {
                    let ix = alias
                        .remove(&ev.path)
                        .unwrap_or_else(|| new_line(&mut lines, &ev.path));
                    lines[ix].revisions.push(rev);
                    began.insert(ev.path, ix);
                }
                Change::Modified => {
                    let ix = match alias.get(&ev.path) {
                        Some(&ix) => ix,
                        None => new_line(&mut lines, &ev.path),
                    };
                    lines[ix].revisions.push(rev);
                    alias.insert(ev.path, ix);
                }
                Change::Moved(from) => {
                    let ix = alias
                        .remove(&ev.path)
                        .unwrap_or_else(|| new_line(&mut lines, &ev.path));
                    lines[ix].revisions.push(rev);
                    alias.insert(from.clone(), ix);
                }
            }
        }
    }
    (lines, alias, began)
}

/// The histories by their current path (a rare second history of one path
/// gets the commit it ended in appended).
pub(super) fn keyed(lines: Vec<FileHistory>) -> BTreeMap<String, FileHistory> {
    // The keys first, then the map built whole from them in order: a
    // hundred thousand files inserted one by one compared each path with
    // a dozen others, twice.
    let mut seen: HashSet<&str> = HashSet::with_capacity(lines.len());
    let keys: Vec<String> = lines
        .iter()
        .map(|line| {
            if seen.insert(&line.path) {
                line.path.clone()
            } else {
                format!(
                    "{}@{}",
                    line.path,
                    line.revisions.first().map_or(0, |r| r.commit)
                )
            }
        })
        .collect();
    keys.into_iter().zip(lines).collect()
}

#[cfg(test)]
mod tests;
