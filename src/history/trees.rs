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
//!
//! Why not `git2::Tree`: libgit2 parses a whole tree into an array of
//! entries, and the walk then asked it for each entry's name, id and kind
//! through a call: that was half of a cold walk. Here a tree object's
//! bytes are read as stored (kept in libgit2's cache all the same), the
//! entries both trees begin with are skipped as equal bytes, and the rest
//! is merged until what is left is again the same bytes. Each entry parsed
//! is parsed as git and libgit2 parse it, and one they would refuse is
//! refused here too (`tests.rs` holds the two readings to each other).

use super::repo::{find_commit, shown_dir};
use crate::error::{Error, Result};
use git2::{ObjectType, Odb, OdbObject, Oid, Repository};
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
    let odb = repo.odb().map_err(|e| {
        Error::object(
            "tree",
            commit.tree_id(),
            format!("commit {}", commit.id()),
            &e,
        )
    })?;
    changed_between(&mut Kept::new(&odb), old_root, new_root)
}

/// What changed from the records root `old` to the records root `new`,
/// for the walk, which reads one commit after its child: `kept` holds
/// the trees the child's comparison read on its old side, which are this
/// commit's own.
pub(super) fn changed_between(
    kept: &mut Kept,
    old: Option<Oid>,
    new: Option<Oid>,
) -> Result<Vec<Raw>> {
    let mut raw = Vec::new();
    compare(kept, old, new, "", &mut raw)?;
    kept.last = std::mem::take(&mut kept.this);
    Ok(raw)
}

/// The trees one thread of the walk read for the commit before, kept for
/// the next. The walk goes down the first-parent line, so the trees a
/// commit compares on its old side (its parent's) are the ones the next
/// commit, that parent, compares on its new side: kept, each is read
/// once where it was read twice (a year folder of a 10,000-order company
/// is 90 KB, rebuilt from its delta at every read). libgit2's own cache
/// of objects cannot keep them: it is shared by every handle, and filled
/// it costs more than it saves ([`super::repo::Reading::Walk`]). Kept by
/// id, so a commit that is not the next one finds nothing, and reads.
pub(super) struct Kept<'o> {
    odb: &'o Odb<'o>,
    last: Vec<(Oid, OdbObject<'o>)>,
    this: Vec<(Oid, OdbObject<'o>)>,
}

impl<'o> Kept<'o> {
    pub(super) fn new(odb: &'o Odb<'o>) -> Self {
        Kept {
            odb,
            last: Vec::new(),
            this: Vec::new(),
        }
    }

    /// The tree `id`, kept from the commit before when it read it.
    fn read(&mut self, id: Oid, dir: &str) -> Result<OdbObject<'o>> {
        match self.last.iter().position(|(kept, _)| *kept == id) {
            Some(at) => Ok(self.last.swap_remove(at).1),
            None => read_tree(self.odb, id, dir),
        }
    }
}

/// The records root below a commit's tree `tree`, `whose` (the commit,
/// for an error). With the records at the top of the repository, that
/// tree itself, unread (the comparison reads it, or finds it kept).
pub(super) fn records_root(
    repo: &Repository,
    tree: Oid,
    prefix: &str,
    whose: Oid,
) -> Result<Option<Oid>> {
    if prefix.trim_end_matches('/').is_empty() {
        return Ok(Some(tree));
    }
    let tree = repo
        .find_tree(tree)
        .map_err(|e| Error::object("tree", tree, format!("commit {whose}"), &e))?;
    records_tree(&tree, prefix)
}

/// Every file below the records root in a commit, path -> blob id: what
/// `docket diff` and `check --base` compare. Hidden files and folders are
/// left out here as in the walk and the loader: none of them is read.
pub fn files_at(repo: &Repository, commit: Oid, prefix: &str) -> Result<BTreeMap<String, Oid>> {
    let mut out = BTreeMap::new();
    if let Some(root) = root_of(repo, &find_commit(repo, commit)?, prefix)? {
        let odb = repo
            .odb()
            .map_err(|e| Error::object("tree", root, shown_dir(""), &e))?;
        collect(&odb, root, "", &mut out)?;
    }
    Ok(out)
}

/// The blobs below tree `id` (at `dir` below the records root).
fn collect(odb: &Odb, id: Oid, dir: &str, out: &mut BTreeMap<String, Oid>) -> Result<()> {
    let tree = read_tree(odb, id, dir)?;
    let mut entries = Entries::new(tree.data(), Some(id), dir);
    while let Some(entry) = entries.next_read()? {
        let Some(name) = utf8_name(entry.name) else {
            continue;
        };
        if entry.tree {
            collect(odb, entry.oid(), &format!("{dir}{name}/"), out)?;
        } else {
            out.insert(format!("{dir}{name}"), entry.oid());
        }
    }
    Ok(())
}

/// The records root's tree in a commit.
fn root_of(repo: &Repository, c: &git2::Commit, prefix: &str) -> Result<Option<Oid>> {
    records_root(repo, c.tree_id(), prefix, c.id())
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
    kept: &mut Kept,
    old: Option<Oid>,
    new: Option<Oid>,
    dir: &str,
    out: &mut Vec<Raw>,
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let old_tree = old.map(|id| read_tree(kept.odb, id, dir)).transpose()?;
    let new_tree = new.map(|id| kept.read(id, dir)).transpose()?;
    let a = old_tree.as_ref().map_or(&[][..], OdbObject::data);
    let b = new_tree.as_ref().map_or(&[][..], OdbObject::data);
    // Consecutive trees share most of their bytes: skip the entries that
    // are the same bytes at the same place, then merge the rest.
    let same = same_start(a, b).map_err(|e| broken(old.unwrap_or(Oid::ZERO_SHA1), dir, e))?;
    let mut a = Entries::new(&a[same..], old, dir);
    let mut b = Entries::new(&b[same..], new, dir);
    let (mut x, mut y) = (a.next_read()?, b.next_read()?);
    let mut differed = false;
    loop {
        let order = match (&x, &y) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => git_order(x, y),
        };
        // Past a difference the trees are usually the same again to the
        // end (one file changed): one comparison of the rest ends the
        // merge. Asked once per difference, each comparison stops at the
        // next one, so the cost stays that of reading the bytes once.
        if std::mem::take(&mut differed)
            && order.is_eq()
            && x.as_ref().map(|e| e.id) == y.as_ref().map(|e| e.id)
            && a.bytes == b.bytes
        {
            break;
        }
        let o = if order.is_le() {
            std::mem::replace(&mut x, a.next_read()?)
        } else {
            None
        };
        let n = if order.is_ge() {
            std::mem::replace(&mut y, b.next_read()?)
        } else {
            None
        };
        if let (Some(x), Some(y)) = (&o, &n)
            && x.id == y.id
        {
            continue;
        }
        differed = true;
        let e = o.as_ref().or(n.as_ref()).expect("one side");
        let Some(name) = utf8_name(e.name) else {
            continue;
        };
        let (old_id, new_id) = (o.as_ref().map(Entry::oid), n.as_ref().map(Entry::oid));
        if e.tree {
            compare(kept, old_id, new_id, &format!("{dir}{name}/"), out)?;
        } else if name.ends_with(".toml")
            || (dir.is_empty() && name == PROCEDURE)
            || super::controlled::is_certificate(&format!("{dir}{name}"))
        {
            out.push(Raw {
                path: format!("{dir}{name}"),
                old: old_id,
                new: new_id,
            });
        }
    }
    // The parent's tree is the next commit's own.
    if let Some((id, tree)) = old.zip(old_tree) {
        kept.this.push((id, tree));
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

/// A tree object's bytes, as stored: the walk reads a year's folder for
/// every commit, and libgit2's parsed trees cost most of the walk (each
/// entry's mode parsed, its name measured, an array allocated, then each
/// entry asked of through a call), where the comparison needs only the
/// bytes that differ. The walk keeps it for the next commit ([`Kept`]).
fn read_tree<'o>(odb: &'o Odb, id: Oid, dir: &str) -> Result<OdbObject<'o>> {
    let object = odb
        .read(id)
        .map_err(|e| Error::object("tree", id, shown_dir(dir), &e))?;
    if object.kind() != ObjectType::Tree {
        let e = git2::Error::from_str(&format!("the object is a {}", object.kind()));
        return Err(Error::object("tree", id, shown_dir(dir), &e));
    }
    Ok(object)
}

/// A tree that does not parse, as libgit2 would have refused it.
fn broken(id: Oid, dir: &str, what: &str) -> Error {
    let e = git2::Error::from_str(&format!("failed to parse tree: {what}"));
    Error::object("tree", id, shown_dir(dir), &e)
}

/// The length of the entries `a` and `b` begin with, byte for byte the
/// same: whole entries only, each parsed (a damaged entry is refused here
/// as anywhere).
fn same_start(a: &[u8], b: &[u8]) -> std::result::Result<usize, &'static str> {
    let mut at = 0;
    while at < a.len() {
        let len = entry_len(&a[at..])?;
        if b.get(at..at + len) != Some(&a[at..at + len]) {
            break;
        }
        at += len;
    }
    Ok(at)
}

/// One entry of a tree object, as git writes it: the mode in octal, a
/// space, the name, a NUL, and the 20 bytes of the id.
struct Entry<'t> {
    name: &'t [u8],
    id: &'t [u8; 20],
    tree: bool,
    /// A file or a folder (not a submodule's commit), not hidden (`.git`,
    /// `.gitignore`, an editor's `.#draft.toml`): what docket reads.
    read: bool,
}

impl Entry<'_> {
    /// The id as libgit2 takes it: made only for the entries that differ.
    fn oid(&self) -> Oid {
        Oid::from_bytes(self.id).unwrap_or(Oid::ZERO_SHA1)
    }
}

/// The length of the entry `bytes` starts with; what is wrong with it, in
/// libgit2's words, if it does not parse.
fn entry_len(bytes: &[u8]) -> std::result::Result<usize, &'static str> {
    parse_entry(bytes).map(|(_, len)| len)
}

fn parse_entry(bytes: &[u8]) -> std::result::Result<(Entry<'_>, usize), &'static str> {
    const MODE: &str = "can't parse filemode";
    // Octal digits, as many as there are (git reads a zero-padded
    // `040000`, which some tools wrote), then a space.
    let mut mode = 0u32;
    let mut at = 0;
    loop {
        match bytes.get(at) {
            Some(b' ') if at > 0 => break,
            Some(c @ b'0'..=b'7') => {
                mode = mode.saturating_mul(8).saturating_add(u32::from(c - b'0'));
            }
            _ => return Err(MODE),
        }
        at += 1;
    }
    if mode > u32::from(u16::MAX) {
        return Err(MODE);
    }
    let rest = &bytes[at + 1..];
    let nul = memchr::memchr(0, rest).ok_or("object is corrupted")?;
    if nul == 0 || nul > usize::from(u16::MAX) {
        return Err("can't parse filename");
    }
    let name = &rest[..nul];
    let id = rest
        .get(nul + 1..nul + 21)
        .and_then(|id| id.try_into().ok())
        .ok_or("can't parse OID")?;
    // libgit2's kinds: a gitlink is a submodule's commit, a directory a
    // tree, anything else a blob (a symbolic link is one too).
    let (tree, commit) = (mode & 0o170000 == 0o040000, mode & 0o170000 == 0o160000);
    let entry = Entry {
        name,
        id,
        tree,
        read: !commit && !name.starts_with(b"."),
    };
    Ok((entry, at + 1 + nul + 21))
}

/// The entries of a tree object's bytes, in order; a damaged entry ends
/// them with [`Error::Object`] naming the tree.
struct Entries<'t, 'd> {
    bytes: &'t [u8],
    id: Option<Oid>,
    dir: &'d str,
}

impl<'t, 'd> Entries<'t, 'd> {
    fn new(bytes: &'t [u8], id: Option<Oid>, dir: &'d str) -> Self {
        Entries { bytes, id, dir }
    }

    /// The next entry docket reads, if any.
    fn next_read(&mut self) -> Result<Option<Entry<'t>>> {
        for entry in self.by_ref() {
            let entry = entry?;
            if entry.read {
                return Ok(Some(entry));
            }
        }
        Ok(None)
    }
}

impl<'t> Iterator for Entries<'t, '_> {
    type Item = Result<Entry<'t>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.bytes.is_empty() {
            return None;
        }
        match parse_entry(self.bytes) {
            Ok((entry, len)) => {
                self.bytes = &self.bytes[len..];
                Some(Ok(entry))
            }
            Err(what) => {
                self.bytes = &[];
                let id = self.id.unwrap_or(Oid::ZERO_SHA1);
                Some(Err(broken(id, self.dir, what)))
            }
        }
    }
}

/// git's order of tree entries: by name, a folder as if its name ended in `/`.
fn git_order(x: &Entry, y: &Entry) -> std::cmp::Ordering {
    let (a, b) = (x.name, y.name);
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then_with(|| {
        let end = |e: &Entry| e.name.get(n).copied().or(e.tree.then_some(b'/'));
        end(x).cmp(&end(y))
    })
}

#[cfg(test)]
mod tests;
