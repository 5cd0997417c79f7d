//! The working tree against `HEAD`: which files below the records root
//! are modified, untracked or deleted. The working tree is what `check`
//! reads, so the history rules must know where it is ahead of the commits.

use super::{Dirty, History};
use crate::error::Result;
use git2::{ObjectType, Oid, Repository};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Which files below the records root differ from `HEAD`.
pub(super) fn worktree(
    repo: &Repository,
    history: &History,
    root: &Path,
) -> Result<BTreeMap<String, Dirty>> {
    let mut out = BTreeMap::new();
    // An untracked file matters only where docket reads records, and not
    // when git is told to ignore it.
    let relevant = |rel: &str| {
        let readable = matches!(rel, "docket.toml" | "people.toml")
            || rel
                .split_once('/')
                .is_some_and(|(top, _)| crate::kind::Kind::from_folder(top).is_some());
        readable
            && !repo
                .status_should_ignore(Path::new(&format!("{}{rel}", history.prefix)))
                .unwrap_or(false)
    };
    let mut at_head: HashMap<&str, &str> = HashMap::new();
    for (path, f) in &history.files {
        if let Some(rev) = f.revisions.first().filter(|_| !f.deleted()) {
            at_head.insert(path.as_str(), rev.blob.as_deref().unwrap_or_default());
        }
    }
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    let mut seen = HashSet::new();
    for entry in walker.flatten() {
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let rel = crate::load::rel_path(root, entry.path());
        match at_head.get(rel.as_str()) {
            Some(blob) => {
                let now = Oid::hash_file(ObjectType::Blob, entry.path())?;
                if now.to_string() != *blob {
                    out.insert(rel.clone(), Dirty::Modified);
                }
            }
            None if relevant(&rel) => {
                out.insert(rel.clone(), Dirty::Untracked);
            }
            None => {}
        }
        seen.insert(rel);
    }
    for path in at_head.keys() {
        if !seen.contains(*path) {
            out.insert(path.to_string(), Dirty::Deleted);
        }
    }
    Ok(out)
}
