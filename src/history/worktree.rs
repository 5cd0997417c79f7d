//! The working tree against `HEAD`: which files below the records root
//! (records, configuration, the procedure) are modified, untracked or
//! deleted. The working tree is what `check`
//! reads, so the history rules must know where it is ahead of the commits.

use super::controlled::CONTROLLED;
use super::index::{Dirty, History};
use super::stat::StatCache;
use super::trees::PROCEDURE;
use crate::error::Result;
use crate::load::{FileStat, Source};
use crate::{Lookup, LookupSet};
use git2::{ObjectType, Oid};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Which files below the records root differ from `HEAD`, with git's
/// index as a stat cache (`stat`, read before: an entry staged since then
/// is newer than the one read, and a file that matches the older one
/// still holds that one's blob).
///
/// `read` is what the loader knows of each file it read: its stat as it
/// was read stands for a look at the disk, so the check judges the text
/// that was checked, and a big company's hundred thousand records are
/// neither walked nor looked at again (0.25 s of a 50,000-order rebuild).
/// Every other file the walk below would follow (one the loader could not
/// read or read through a link, a tracked file outside the record
/// folders, the controlled files) is looked at as the walk would. Without
/// `read`, the root is walked.
pub(super) fn worktree(
    history: &History,
    stat: &StatCache,
    root: &Path,
    read: Option<&Lookup<String, Source>>,
) -> Result<BTreeMap<String, Dirty>> {
    let mut out = BTreeMap::new();
    let at_head = at_head(history);
    let followed = match read {
        Some(read) => read_or_looked_at(&at_head, read, root),
        None => walk(root),
    };
    // An untracked file matters where docket reads it: a record, or a
    // controlled document. One git ignores matters most, since it will
    // never be committed (a careless `*.toml` in .gitignore would
    // otherwise let every new record go unrecorded without a word).
    let relevant =
        |rel: &str| CONTROLLED.contains(&rel) || crate::kind::Kind::of_path(rel).is_some();
    // The hash of a file the index cannot vouch for is spread over all
    // threads.
    let found: Vec<Result<Option<Dirty>>> = followed
        .par_iter()
        .map(|(rel, md)| {
            let Some(blob) = at_head.get(rel.as_ref()) else {
                return Ok(relevant(rel).then_some(Dirty::Untracked));
            };
            let now = match md.and_then(|md| stat.unchanged(rel, &md)) {
                Some(id) => id,
                None => match hash_now(&root.join(&**rel))? {
                    Some(id) => id,
                    None => return Ok(Some(Dirty::Deleted)),
                },
            };
            Ok((Oid::from_str(blob).ok() != Some(now)).then_some(Dirty::Modified))
        })
        .collect();
    let mut seen = LookupSet::default();
    for ((rel, _), dirty) in followed.iter().zip(found) {
        if let Some(dirty) = dirty? {
            out.insert(rel.to_string(), dirty);
        }
        seen.insert(rel.as_ref());
    }
    for path in at_head.keys() {
        if !seen.contains(*path) {
            out.insert(path.to_string(), Dirty::Deleted);
        }
    }
    Ok(out)
}

/// Each path `HEAD` holds, and its blob.
fn at_head(history: &History) -> Lookup<&str, &str> {
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
    at_head
}

/// Whether the walk follows `rel`: a TOML file anywhere, or the procedure
/// at the top; nothing hidden.
fn follows(rel: &str) -> bool {
    (rel.ends_with(".toml") || rel == PROCEDURE) && !rel.split('/').any(|n| n.starts_with('.'))
}

/// Every file below `root` the check follows (`follows`), with its own
/// stat (`lstat`). Hidden names, and names that are not UTF-8, are read
/// nowhere else either; links are not followed.
fn walk(root: &Path) -> Vec<(Cow<'static, str>, Option<FileStat>)> {
    walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || e.file_name().to_str().is_some_and(|n| !n.starts_with('.'))
        })
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let rel = crate::load::rel_path(root, entry.path());
            let md = entry.metadata().ok().map(|md| FileStat::of(&md));
            (Cow::Owned(rel), md)
        })
        .filter(|(rel, _)| follows(rel))
        .collect()
}

/// What [`walk`] would find, from the loader's stats (`read`) and a look
/// at each other file the walk could find that matters: one `HEAD` holds,
/// a controlled file, one the loader read without a stat of its own.
fn read_or_looked_at<'a>(
    at_head: &Lookup<&'a str, &str>,
    read: &'a Lookup<String, Source>,
    root: &Path,
) -> Vec<(Cow<'a, str>, Option<FileStat>)> {
    let mut followed: Vec<(Cow<str>, Option<FileStat>)> = Vec::with_capacity(read.len());
    let mut others: BTreeSet<&str> = BTreeSet::new();
    for (rel, source) in read {
        match source.stat {
            Some(md) if follows(rel) => followed.push((Cow::Borrowed(rel), Some(md))),
            _ => {
                others.insert(rel);
            }
        }
    }
    others.extend(at_head.keys().filter(|p| !read.contains_key(**p)));
    others.extend(CONTROLLED.iter().filter(|p| !read.contains_key(**p)));
    let looked: Vec<_> = others
        .into_par_iter()
        .filter(|rel| follows(rel))
        .filter_map(|rel| Some((Cow::Borrowed(rel), Some(walked_to(root, rel)?))))
        .collect();
    followed.extend(looked);
    followed
}

/// The stat of `rel` if [`walk`] would find it: a regular file, reached
/// through folders that are folders, not links.
fn walked_to(root: &Path, rel: &str) -> Option<FileStat> {
    let look = |path: &Path| Some(FileStat::of(&std::fs::symlink_metadata(path).ok()?));
    let mut path = root.to_path_buf();
    let (folders, _) = rel.rsplit_once('/').unwrap_or_default();
    for name in folders.split('/').filter(|n| !n.is_empty()) {
        path.push(name);
        if !look(&path)?.is_dir() {
            return None;
        }
    }
    look(&root.join(rel)).filter(FileStat::is_file)
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
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(["-c", "user.name=A", "-c", "user.email=a@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A repository holding `files`, committed.
    fn committed(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        for (rel, text) in files {
            write(dir.path(), rel, text);
        }
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-qm", "first"]);
        dir
    }

    /// The working tree both ways: from the loader's stats, and walked.
    fn both(root: &Path) -> [BTreeMap<String, Dirty>; 2] {
        let loaded = crate::load::load(root).unwrap();
        let judge = |read: Option<&Lookup<String, Source>>| {
            let walked = History::walk(root, None, false, false, None, None).unwrap();
            let (_, stat) = walked.rest.as_ref().unwrap();
            worktree(&walked.history, stat, root, read).unwrap()
        };
        [judge(Some(&loaded.sources)), judge(None)]
    }

    /// A working tree with every kind of difference the walk can find, and
    /// the files it must not follow: the loader's stats stand in for the
    /// walk without changing one answer.
    #[cfg(unix)]
    #[test]
    fn what_the_loader_read_finds_what_a_walk_finds() {
        use std::os::unix::fs::symlink;
        let order = |n: u32| format!("id = \"SO-{n}\"\n");
        let orders: Vec<(String, String)> = (1..=9)
            .map(|n| match n {
                9 => ("orders/.draft/SO-9.toml".to_string(), order(n)),
                n => (format!("orders/2026/SO-{n}.toml"), order(n)),
            })
            .collect();
        let mut files = vec![
            ("docket.toml", "[company]\nname = \"A\"\n"),
            (PROCEDURE, "# Procedure\n"),
            ("misc/a.toml", "a = 1\n"),
            ("misc/b.toml", "b = 1\n"),
            ("site/x.toml", "x = 1\n"),
            ("tsa/x.pem", "not a certificate\n"),
            ("notes.toml", "n = 1\n"),
        ];
        files.extend(orders.iter().map(|(r, t)| (r.as_str(), t.as_str())));
        let dir = committed(&files);
        let root = dir.path();
        let huge = format!("note = \"{}\"\n", "x".repeat(1 << 21));
        let changes: [(&str, Option<&str>); 9] = [
            (
                "orders/2026/SO-2.toml",
                Some("id = \"SO-2\"\nnote = \"edited\"\n"),
            ),
            ("orders/2026/SO-3.toml", None),
            ("orders/2026/SO-4.toml", Some(&huge)),
            ("orders/2026/SO-10.toml", Some(&order(10))),
            ("misc/b.toml", Some("b = 2\n")),
            ("site/x.toml", Some("x = 2\n")),
            (PROCEDURE, Some("# Procedure, edited\n")),
            ("people.toml", Some("")),
            ("orders/.draft/SO-9.toml", Some("edited = true\n")),
        ];
        for (rel, text) in changes {
            match text {
                Some(text) => write(root, rel, text),
                None => std::fs::remove_file(root.join(rel)).unwrap(),
            }
        }
        // A record replaced by a link, a new one that is a link, a record
        // replaced by a folder, a folder of records that is a link, one
        // staged and never committed, an attachment.
        std::fs::remove_file(root.join("orders/2026/SO-5.toml")).unwrap();
        symlink("SO-1.toml", root.join("orders/2026/SO-5.toml")).unwrap();
        symlink("SO-1.toml", root.join("orders/2026/SO-11.toml")).unwrap();
        std::fs::remove_file(root.join("orders/2026/SO-6.toml")).unwrap();
        std::fs::create_dir(root.join("orders/2026/SO-6.toml")).unwrap();
        symlink("2026", root.join("orders/2025")).unwrap();
        write(root, "orders/2026/SO-12.toml", &order(12));
        git(root, &["add", "orders/2026/SO-12.toml"]);
        write(root, "orders/2026/SO-1.pdf", "%PDF");
        let [read, walked] = both(root);
        assert_eq!(read, walked);
        let dirty = |rel: &str| read.get(rel).copied();
        use Dirty::*;
        let expected = [
            ("orders/2026/SO-1.toml", None),
            ("orders/2026/SO-2.toml", Some(Modified)),
            ("orders/2026/SO-3.toml", Some(Deleted)),
            ("orders/2026/SO-4.toml", Some(Modified)),
            ("orders/2026/SO-5.toml", Some(Deleted)),
            ("orders/2026/SO-6.toml", Some(Deleted)),
            ("orders/2026/SO-7.toml", None),
            ("orders/2026/SO-10.toml", Some(Untracked)),
            ("orders/2026/SO-11.toml", None),
            ("orders/2026/SO-12.toml", Some(Untracked)),
            ("misc/a.toml", None),
            ("misc/b.toml", Some(Modified)),
            ("site/x.toml", Some(Modified)),
            (PROCEDURE, Some(Modified)),
            ("people.toml", Some(Untracked)),
            ("docket.toml", None),
        ];
        for (rel, want) in expected {
            assert_eq!(dirty(rel), want, "{rel}");
        }
    }

    /// The procedure is read by the loader as text, without a stat, and a
    /// new one is named nowhere in `HEAD`: it is looked for by name, and
    /// found untracked both ways.
    #[test]
    fn a_new_procedure_is_found_untracked_without_the_loader() {
        let dir = committed(&[("docket.toml", "[company]\nname = \"A\"\n")]);
        let root = dir.path();
        write(root, PROCEDURE, "# Procedure\n");
        let [read, walked] = both(root);
        assert_eq!(read, walked);
        assert_eq!(read.get(PROCEDURE), Some(&Dirty::Untracked));
        assert_eq!(read.len(), 1, "{read:?}");
    }

    /// A record edited after the loader read it is judged as it was read:
    /// the text that was checked is the committed one. The walk, which
    /// looks later, sees the edit.
    #[cfg(unix)]
    #[test]
    fn a_record_is_judged_as_it_was_read() {
        let dir = committed(&[
            ("docket.toml", "[company]\nname = \"A\"\n"),
            ("orders/2026/SO-1.toml", "id = \"SO-1\"\n"),
        ]);
        let root = dir.path();
        // git's index must vouch for the file: written after it.
        std::thread::sleep(std::time::Duration::from_millis(20));
        git(root, &["update-index", "--really-refresh"]);
        let loaded = crate::load::load(root).unwrap();
        write(
            root,
            "orders/2026/SO-1.toml",
            "id = \"SO-1\"\nnote = \"later\"\n",
        );
        let walked = History::walk(root, None, false, false, None, None).unwrap();
        let (_, stat) = walked.rest.as_ref().unwrap();
        let judged = |read| worktree(&walked.history, stat, root, read).unwrap();
        assert_eq!(
            judged(Some(&loaded.sources)).get("orders/2026/SO-1.toml"),
            None
        );
        assert_eq!(
            judged(None).get("orders/2026/SO-1.toml"),
            Some(&Dirty::Modified)
        );
    }

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
