//! The working tree against `HEAD`: which files below the records root
//! (records, configuration, the procedure) are modified, untracked or
//! deleted. The working tree is what `check`
//! reads, so the history rules must know where it is ahead of the commits.

use super::index::{Dirty, History};
use super::stat::StatCache;
use super::trees::PROCEDURE;
use crate::error::Result;
use crate::{Lookup, LookupSet};
use git2::{ObjectType, Oid};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Which files below the records root differ from `HEAD`, with git's
/// index as a stat cache (`stat`, read before: an entry staged since then
/// is newer than the one read, and a file that matches the older one
/// still holds that one's blob).
pub(super) fn worktree(
    history: &History,
    stat: &StatCache,
    root: &Path,
) -> Result<BTreeMap<String, Dirty>> {
    let mut out = BTreeMap::new();
    // An untracked file matters where docket reads it: a record, or a
    // controlled document. One git ignores matters most, since it will
    // never be committed (a careless `*.toml` in .gitignore would
    // otherwise let every new record go unrecorded without a word).
    let relevant = |rel: &str| {
        matches!(rel, "docket.toml" | "people.toml" | PROCEDURE)
            || crate::kind::Kind::of_path(rel).is_some()
    };
    let mut at_head: Lookup<&str, &str> = Lookup::default();
    for (path, f) in &history.files {
        // A second history of one path (`path@commit`) is not what the
        // path holds at HEAD.
        if *path != f.path {
            continue;
        }
        if let Some(rev) = f.revisions.first().filter(|_| !f.deleted()) {
            at_head.insert(path.as_str(), rev.blob.as_deref().unwrap_or_default());
        }
    }
    // The stat of each file, and the hash of one the index cannot vouch
    // for, are spread over all threads.
    let walk = || -> Vec<(String, walkdir::DirEntry)> {
        walkdir::WalkDir::new(root)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| {
                // Hidden names, and names that are not UTF-8, are read
                // nowhere else either.
                e.depth() == 0 || e.file_name().to_str().is_some_and(|n| !n.starts_with('.'))
            })
            .flatten()
            .filter(|entry| {
                let followed = entry.path().extension().is_some_and(|e| e == "toml")
                    || (entry.depth() == 1 && entry.file_name() == PROCEDURE);
                entry.file_type().is_file() && followed
            })
            .map(|entry| (crate::load::rel_path(root, entry.path()), entry))
            .collect()
    };
    let followed = walk();
    let found: Vec<Result<Option<Dirty>>> = followed
        .par_iter()
        .map(|(rel, entry)| {
            let Some(blob) = at_head.get(rel.as_str()) else {
                return Ok(relevant(rel).then_some(Dirty::Untracked));
            };
            let known = entry
                .metadata()
                .ok()
                .and_then(|md| stat.unchanged(rel, &crate::load::FileStat::of(&md)));
            let now = match known {
                Some(id) => id,
                None => match hash_now(entry.path())? {
                    Some(id) => id,
                    None => return Ok(Some(Dirty::Deleted)),
                },
            };
            Ok((now.to_string() != *blob).then_some(Dirty::Modified))
        })
        .collect();
    let mut seen = LookupSet::default();
    for ((rel, _), dirty) in followed.iter().zip(found) {
        if let Some(dirty) = dirty? {
            out.insert(rel.clone(), dirty);
        }
        seen.insert(rel.as_str());
    }
    for path in at_head.keys() {
        if !seen.contains(*path) {
            out.insert(path.to_string(), Dirty::Deleted);
        }
    }
    Ok(out)
}

/// The blob the file at `path` holds now, or `None` if it was removed
/// since the walk saw it: a file deleted while docket runs is deleted, not
/// a failure. Any other error (a file that cannot be read) is one.
fn hash_now(path: &Path) -> Result<Option<Oid>> {
    match Oid::hash_file(ObjectType::Blob, path) {
        Ok(id) => Ok(Some(id)),
        Err(_)
            if std::fs::symlink_metadata(path)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_removed_after_the_walk_is_deleted_and_an_unreadable_one_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("o.toml");
        std::fs::write(&file, "id = 1\n").unwrap();
        let blob = Oid::hash_object(ObjectType::Blob, b"id = 1\n").unwrap();
        assert_eq!(hash_now(&file).unwrap(), Some(blob));
        // The walk saw it; then it went: what the race leaves behind.
        std::fs::remove_file(&file).unwrap();
        assert_eq!(hash_now(&file).unwrap(), None);
        // A folder where a file was is there, and cannot be hashed.
        std::fs::create_dir(&file).unwrap();
        assert!(hash_now(&file).is_err());
    }
}
