//! Anchoring a signature commit in the commit objects themselves.
//!
//! The signature commit of a section is found through the index: a file's
//! revisions, each a commit index and a blob id. The index may come from
//! `.git/docket/history.bin`, which anyone who can write in `.git` can
//! edit; pointing an unsigned revision at an unrelated commit the GM
//! signed would otherwise lend that commit's signature to a section the
//! GM never wrote. So before a proof rests on a commit, what the index
//! says about it is checked against git: the commit's tree holds the
//! revision's blob at that path, and its first parent does not already
//! hold the same section content (the commit wrote it, it did not just
//! carry it along). Who made the commit and how it is signed are read from
//! the commit object anyway (`prove.rs`), so a proof never rests on
//! cached data alone.
//!
//! A run that read every commit itself passes these checks by
//! construction for a commit of the first-parent line whose previous
//! revision is on the line too, and skips them there ([`by_construction`]
//! says why, and which merges need them all the same). Not for a branch
//! commit a merge brought in: the walk credits it with the merged file,
//! though it may only have carried a section along from where its branch
//! forked (tested). The checks cost two tree lookups per proof, and a
//! blob parse only where the parent's blob is not the previous revision's
//! (which was parsed already): two fifths of the proofs stage of a cold
//! build at 10,000 orders.

use super::fields::{parse_state, section};
use super::index::{Change, History, Revision, short};
use super::repo::{find_commit, first_parent, read_blob};
use super::states::same;
use crate::error::{Error, Result};
use crate::finding::Message;
use crate::load::Value;
use crate::msg;
use std::path::Path;

/// Why a parent can already hold what the index says a commit wrote: a
/// branch that forked before the section was written carries it along
/// when merged (the walk credits the merge, or a commit of the branch,
/// with the file, and the anchor is what says otherwise, cold or warm),
/// or the index was edited.
const CARRIED: &str = " (merged work can, when its branch forked before the section was \
     written); if .git/docket/history.bin was edited, delete .git/docket and check again";
const CARRIED_ZH: &str = "（分支在此內容寫入前分出時，合併進來的提交即會如此）；若曾編輯 \
     .git/docket/history.bin，請刪除 .git/docket 後重新檢查";

/// What a failed anchor means, for the reader of the message.
const STALE: &str = "; the index is docket's cache (.git/docket/history.bin): if it was \
     edited, delete .git/docket and check again";
const STALE_ZH: &str = "；索引是 docket 的快取（.git/docket/history.bin）：若曾遭編輯，\
     請刪除 .git/docket 後重新檢查";

/// What the index says wrote a section: revision `k` (newest first) of a
/// file's revisions, holding `value` at section `path`.
pub(super) struct Claim<'a> {
    pub revisions: &'a [Revision],
    pub k: usize,
    pub path: &'a str,
    pub value: &'a Value,
}

/// Why the commit the index names did not write the section, or `None`
/// when git agrees that it did.
pub(super) fn disproved(
    h: &History,
    repo: &git2::Repository,
    claim: &Claim,
) -> Result<Option<Message>> {
    if by_construction(h, claim) {
        // The test suite checks the argument of `by_construction` on every
        // proof it makes: the anchor read anyway must agree.
        if !verify() {
            return Ok(None);
        }
        return match read_anchor(h, repo, claim)? {
            None => Ok(None),
            Some(why) => Err(Error::AnchorSkipped(why.to_string())),
        };
    }
    read_anchor(h, repo, claim)
}

/// Whether `DOCKET_VERIFY_ANCHORS=1` asks for every skipped anchor to be
/// read anyway (the test suite sets it).
fn verify() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| crate::env_flag("DOCKET_VERIFY_ANCHORS"))
}

/// The anchor itself: what git says against the claim, read from the
/// commit's tree and its parent's.
fn read_anchor(h: &History, repo: &git2::Repository, claim: &Claim) -> Result<Option<Message>> {
    let rev = &claim.revisions[claim.k];
    let commit = &h.commits[rev.commit];
    let oid =
        git2::Oid::from_str(&commit.id).map_err(|e| Error::object("commit", &commit.id, "", &e))?;
    let c = find_commit(repo, oid)?;
    let here = blob_at(repo, &c, &h.prefix, &rev.path)?;
    let claimed = rev.blob.as_deref();
    if here.map(|b| b.to_string()).as_deref() != claimed || claimed.is_none() {
        return Ok(Some(msg!(
            "the history index names commit {c} as the one that wrote it, but that commit's tree \
             does not hold this revision of {path}{STALE}",
            "歷史索引指稱提交 {c} 寫入此內容，但該提交的樹中沒有 {path} 的這個版本{STALE_ZH}";
            c = commit.short(),
            path = &rev.path
        )));
    }
    let Some(parent) = first_parent(repo, &c)? else {
        // A root commit wrote everything it holds.
        return Ok(None);
    };
    let before = claim.revisions.get(claim.k + 1);
    let mut paths = vec![rev.path.as_str()];
    if let Change::Moved(from) = &rev.change {
        paths.push(from);
    }
    if let Some(b) = before
        && !paths.contains(&b.path.as_str())
    {
        paths.push(&b.path);
    }
    for p in paths {
        let Some(blob) = blob_at(repo, &parent, &h.prefix, p)? else {
            continue;
        };
        // The previous revision's blob was parsed already, and its section
        // differs from this one (that is how the signature commit was
        // found): no need to read it again.
        let hex = blob.to_string();
        if before.is_some_and(|b| b.blob.as_deref() == Some(hex.as_str())) {
            continue;
        }
        let held = match read_blob(repo, blob, p)? {
            Ok(bytes) => parse_state(p, &bytes).into_table(),
            Err(_) => None,
        };
        let held = held.as_ref().and_then(|t| section(t, claim.path));
        if same(held, Some(claim.value)) {
            return Ok(Some(msg!(
                "the history index names commit {c} as the one that wrote it, but its parent {p} \
                 already held the same `{path}`: the commit carried it along{CARRIED}",
                "歷史索引指稱提交 {c} 寫入此內容，但其父提交 {p} 已有相同的 `{path}`：\
                 該提交只是沿用既有內容{CARRIED_ZH}";
                c = commit.short(),
                p = short(&parent.id().to_string()).to_string(),
                path = claim.path
            )));
        }
    }
    Ok(None)
}

/// Whether the walk of this very run makes `claim` true, so that reading
/// git again could only agree. That holds when no cached history was
/// continued ([`History::fresh`]), the revision's commit is on the
/// first-parent line, and so is the revision before it, or there is none
/// and the file was added. The walk took the revision's blob from that
/// commit's tree, and it lists every change the line made to the file,
/// so the first parent holds the previous revision's blob at its path
/// (for a move, the old path), which [`disproved`] skips as parsed
/// already, and nothing at the new path of a move or an addition. Each
/// condition has a case that needs it (tested): a merge's own revision
/// can come after its branch's, whose blob is not the first parent's (a
/// clean merge of a stale branch), or begin a history its branch ended (a
/// file kept that the branch deleted); a branch commit's parent is on the
/// branch; a revision read from the cache is what the anchor is for.
fn by_construction(h: &History, claim: &Claim) -> bool {
    let on_line = |r: &Revision| h.commits.get(r.commit).is_some_and(|c| c.line.is_some());
    let rev = &claim.revisions[claim.k];
    h.fresh
        && on_line(rev)
        && match claim.revisions.get(claim.k + 1) {
            Some(before) => on_line(before),
            None => rev.change == Change::Added,
        }
}

/// The blob at `path` (below the records root at `prefix`) in a commit's
/// tree, if there is one.
fn blob_at(
    repo: &git2::Repository,
    c: &git2::Commit,
    prefix: &str,
    path: &str,
) -> Result<Option<git2::Oid>> {
    let tree = repo
        .find_tree(c.tree_id())
        .map_err(|e| Error::object("tree", c.tree_id(), format!("commit {}", c.id()), &e))?;
    match tree.get_path(Path::new(&format!("{prefix}{path}"))) {
        Ok(e) if e.kind() == Some(git2::ObjectType::Blob) => Ok(Some(e.id())),
        Ok(_) => Ok(None),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(Error::object("tree", c.tree_id(), path, &e)),
    }
}
