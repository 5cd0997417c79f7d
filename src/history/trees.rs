//! What one commit changed below the records root: its tree compared with
//! its parent's, by the walk (`walk.rs`) for every commit it reads.
//!
//! Why not `git2::Diff`: `diff_tree_to_tree` loads and compares every
//! subtree of both commits, so its cost grows with the repository, not with
//! the change; on 50,000 commits it took 92 s. Here two trees are compared
//! entry by entry and only subtrees whose ids differ are opened, starting
//! at the records root's own subtree, so a commit costs about the depth of
//! the files it changed (a few tree reads with year folders). A tree that
//! cannot be read is [`Error::Object`], naming it and the folder where it
//! was met.

use super::repo::{find_commit, shown_dir};
use crate::error::{Error, Result};
use git2::{ObjectType, Oid, Repository, TreeEntry};
use std::collections::BTreeMap;
use std::path::Path;

/// The procedure, followed as a controlled document (not a record).
pub(super) const PROCEDURE: &str = "procedure.md";

/// One file changed by one commit, before moves are paired.
#[derive(Debug, Clone)]
pub(super) struct Raw {
    pub path: String,
    pub old: Option<Oid>,
    pub new: Option<Oid>,
}

/// The `*.toml` files below the records root, and the root's
/// `procedure.md` (a controlled document), that `commit` changed against
/// `parent` (its first parent; `None` for a root commit).
pub(super) fn changed_files(
    repo: &Repository,
    commit: &git2::Commit,
    parent: Option<&git2::Commit>,
    prefix: &str,
) -> Result<Vec<Raw>> {
    let new_root = root_of(repo, commit, prefix)?;
    let old_root = match parent {
        Some(p) => root_of(repo, p, prefix)?,
        None => None,
    };
    let mut raw = Vec::new();
    compare(repo, old_root, new_root, "", &mut raw)?;
    Ok(raw)
}

/// Every file below the records root in a commit, path -> blob id: what
/// `docket diff` and `check --base` compare. Hidden files and folders are
/// left out here as in the walk and the loader: none of them is read.
pub fn files_at(repo: &Repository, commit: Oid, prefix: &str) -> Result<BTreeMap<String, Oid>> {
    let mut out = BTreeMap::new();
    if let Some(root) = root_of(repo, &find_commit(repo, commit)?, prefix)? {
        collect(repo, root, "", &mut out)?;
    }
    Ok(out)
}

/// The blobs below tree `id` (at `dir` below the records root).
fn collect(repo: &Repository, id: Oid, dir: &str, out: &mut BTreeMap<String, Oid>) -> Result<()> {
    let tree = repo
        .find_tree(id)
        .map_err(|e| Error::object("tree", id, shown_dir(dir), &e))?;
    for entry in tree.iter().filter(is_read) {
        let Some(name) = utf8_name(entry.name_bytes()) else {
            continue;
        };
        if entry.kind() == Some(ObjectType::Tree) {
            collect(repo, entry.id(), &format!("{dir}{name}/"), out)?;
        } else {
            out.insert(format!("{dir}{name}"), entry.id());
        }
    }
    Ok(())
}

/// Whether docket reads a tree entry: a file or a folder (not a submodule's
/// commit), not hidden (`.git`, `.gitignore`, an editor's `.#draft.toml`).
fn is_read(e: &TreeEntry) -> bool {
    matches!(e.kind(), Some(ObjectType::Tree | ObjectType::Blob))
        && !e.name_bytes().starts_with(b".")
}

/// The records root's tree in a commit.
fn root_of(repo: &Repository, c: &git2::Commit, prefix: &str) -> Result<Option<Oid>> {
    let tree = repo
        .find_tree(c.tree_id())
        .map_err(|e| Error::object("tree", c.tree_id(), format!("commit {}", c.id()), &e))?;
    records_tree(&tree, prefix)
}

/// The tree of the records root inside a commit's tree.
fn records_tree(tree: &git2::Tree, prefix: &str) -> Result<Option<Oid>> {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        return Ok(Some(tree.id()));
    }
    match tree.get_path(Path::new(prefix)) {
        Ok(e) if e.kind() == Some(ObjectType::Tree) => Ok(Some(e.id())),
        Ok(_) => Ok(None),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(Error::object("tree", tree.id(), prefix, &e)),
    }
}

/// Compare two trees, descending only where ids differ; push the `*.toml`
/// files whose blobs differ. Entries are merged in git's tree order (a
/// folder sorts as its name plus `/`), so nothing is allocated for the
/// entries that are the same, which is nearly all of them.
fn compare(
    repo: &Repository,
    old: Option<Oid>,
    new: Option<Oid>,
    dir: &str,
    out: &mut Vec<Raw>,
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let find = |id: Oid| {
        repo.find_tree(id)
            .map_err(|e| Error::object("tree", id, shown_dir(dir), &e))
    };
    let old_tree = old.map(find).transpose()?;
    let new_tree = new.map(find).transpose()?;
    let (old_entries, new_entries) = (listed(old_tree.as_ref()), listed(new_tree.as_ref()));
    let (a, b) = (seen(&old_entries), seen(&new_entries));
    let (mut i, mut j) = (0, 0);
    loop {
        let (o, n) = match (a.get(i), b.get(j)) {
            (None, None) => break,
            (Some(x), None) => (Some(x), None),
            (None, Some(y)) => (None, Some(y)),
            (Some(x), Some(y)) => match git_order(x, y) {
                std::cmp::Ordering::Less => (Some(x), None),
                std::cmp::Ordering::Greater => (None, Some(y)),
                std::cmp::Ordering::Equal => (Some(x), Some(y)),
            },
        };
        i += usize::from(o.is_some());
        j += usize::from(n.is_some());
        if let (Some(x), Some(y)) = (o, n)
            && x.id == y.id
        {
            continue;
        }
        let e = o.or(n).expect("one side");
        let Some(name) = utf8_name(e.name) else {
            continue;
        };
        if e.tree {
            compare(
                repo,
                o.map(|x| x.id),
                n.map(|y| y.id),
                &format!("{dir}{name}/"),
                out,
            )?;
        } else if name.ends_with(".toml")
            || (dir.is_empty() && name == PROCEDURE)
            || super::controlled::is_certificate(&format!("{dir}{name}"))
        {
            out.push(Raw {
                path: format!("{dir}{name}"),
                old: o.map(|x| x.id),
                new: n.map(|y| y.id),
            });
        }
    }
    Ok(())
}

/// An entry's name, if it is UTF-8. One that is not is not read, as the
/// loader reads no such file or folder: no record can name it, and two
/// of them would be shown, and indexed, as one path. Asked only of the
/// entries that differ, not of every entry listed.
fn utf8_name(name: &[u8]) -> Option<&str> {
    std::str::from_utf8(name).ok()
}

/// The entries of a tree that docket reads, in git's order.
fn listed<'t>(tree: Option<&'t git2::Tree<'_>>) -> Vec<TreeEntry<'t>> {
    tree.iter().flat_map(|t| t.iter()).filter(is_read).collect()
}

/// A tree entry as the comparison looks at it, asked of libgit2 once: a
/// year's folder holds thousands of entries, and the merge looks at each
/// name and id one to three times (each name a `strlen`, each id a call).
/// Comparing trees is a sixth of a cold build at 10,000 orders, mostly
/// libgit2 reading them; asking once took a few percent off the walk.
struct Seen<'e> {
    name: &'e [u8],
    id: Oid,
    tree: bool,
}

fn seen<'e>(entries: &'e [TreeEntry<'_>]) -> Vec<Seen<'e>> {
    entries
        .iter()
        .map(|e| Seen {
            name: e.name_bytes(),
            id: e.id(),
            tree: e.kind() == Some(ObjectType::Tree),
        })
        .collect()
}

/// git's order of tree entries: by name, a folder as if its name ended in `/`.
fn git_order(x: &Seen, y: &Seen) -> std::cmp::Ordering {
    let (a, b) = (x.name, y.name);
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then_with(|| {
        let end = |e: &Seen| e.name.get(n).copied().or(e.tree.then_some(b'/'));
        end(x).cmp(&end(y))
    })
}
