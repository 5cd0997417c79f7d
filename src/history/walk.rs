//! The one pass over git: the first-parent walk and its merges (what
//! each commit changed is `trees.rs`'s comparison of its tree with its
//! parent's; moves are paired and every file's revisions chained into
//! one history by `lineage.rs`).
//!
//! An object the walk cannot read (a commit, a tree) stops it with
//! [`Error::Object`] naming the object and where it was met; a missing
//! parent never turns a commit into a root commit that added everything.

use super::apart::apart;
use super::index::{Change, Commit, FileHistory, History};
use super::lineage::{Event, keyed, lineage_state, pair_moves};
use super::repo::{find_commit, first_parent, first_parent_and_tree, headers};
use super::sig::{CommitSignature, Seals, extract};
use super::trees::{Kept, Raw, changed_between, changed_files, records_root};
use crate::error::{Error, Result};
use git2::{Oid, Repository};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// A merged branch longer than this is attributed to the merge itself:
/// a guard against walking a whole second history for one merge.
const MAX_BRANCH_COMMITS: usize = 10_000;

/// A history read before (from the cache), to be extended by the commits
/// made since its head.
pub(super) struct Base {
    pub head: Oid,
    pub commits: Vec<Commit>,
    pub files: Vec<FileHistory>,
}

/// Walk the history of `start` (default `HEAD`), continuing `base`; with
/// `seal`, verify the SSH signature of every commit read (`Sealed`).
pub(super) fn walk(
    repo: &Repository,
    prefix: &str,
    base: Option<Base>,
    start: Option<Oid>,
    seal: bool,
    listed: Option<FirstParents>,
) -> Result<History> {
    let mut history = History {
        prefix: prefix.to_string(),
        ..History::default()
    };
    let head = match start.map(|id| find_commit(repo, id)) {
        Some(c) => c?,
        None => match repo.head() {
            Ok(h) => {
                let id = h.target();
                h.peel_to_commit().map_err(|e| {
                    let id = id.map_or_else(|| "HEAD".to_string(), |i| i.to_string());
                    Error::object("commit", id, "HEAD", &e)
                })?
            }
            // An unborn branch: a repository with no commits yet.
            Err(e)
                if matches!(
                    e.code(),
                    git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
                ) =>
            {
                return Ok(history);
            }
            Err(e) => return Err(Error::object("reference", "HEAD", "", &e)),
        },
    };
    history.head = Some(head.id().to_string());

    // The first-parent line is a chain, but each commit's comparison with
    // its parent is independent of the others: list the chain, compare in
    // parallel (a git handle per thread, with pack files of its own:
    // [`apart`]; consecutive commits in runs on one thread, so the trees a
    // commit read for its parent serve that parent next), then number the
    // commits and chain the files in order, newest first.
    let mut base = base;
    // Positions count from the root: a cached history continues its own.
    let base_head = base.as_ref().and_then(|b| {
        let head = b.head.to_string();
        b.commits.iter().find(|c| c.id == head).and_then(|c| c.line)
    });
    if base_head.is_none() {
        base = None;
    }
    let base_id = base.as_ref().map(|b| b.head);
    // A commit or a cached index found since the listing: listed again.
    let listed = listed.filter(|l| base_id.is_none() && l.head == head.id());
    let (chain, trees, reached_base) = match listed {
        Some(l) => l.listing,
        None => crate::timing::stage("history walk chain", || {
            first_parent_line(repo, head.id(), base_id)
        })?,
    };
    // A base not on the first-parent line (history rewritten): read all.
    if !reached_base {
        base = None;
    }
    history.fresh = base.is_none();
    let start = match (&base, base_head) {
        (Some(_), Some(p)) => p + 1,
        _ => 0,
    };
    let position = |i: usize| start + (chain.len() - 1 - i);
    let line = Line {
        chain: &chain,
        position: &position,
        base: base.as_ref().map_or(&[], |b| &b.commits),
        map: OnceLock::new(),
    };
    let git_dir = repo.path().to_path_buf();
    let seals = Seals::default();
    // In runs of consecutive commits, each read with the trees the one
    // before it kept ([`Kept`]); many runs, so both cores stay busy to
    // the end.
    let steps: Vec<Result<Vec<(Step, Vec<_>)>>> = chain
        .par_chunks(RUN)
        .enumerate()
        .map_init(
            || Repository::open(&git_dir).map(apart),
            |r, (k, ids)| {
                // A git2::Error is not Clone: each thread that met it
                // reports its own copy, class and code included.
                let r = r
                    .as_ref()
                    .map_err(|e| Error::from(git2::Error::new(e.code(), e.class(), e.message())))?;
                let odb = r.odb()?;
                let mut kept = Kept::new(&odb);
                ids.iter()
                    .zip(k * RUN..)
                    .map(|(&id, i)| {
                        let listed = chain.get(i + 1).zip(trees.get(i + 1));
                        // The signature extracted before the commit is
                        // read: libgit2 keeps the object it inflated for
                        // it (`repo::Reading::Walk`), and `step` parses that
                        // one rather than inflating it again.
                        let mut early = seal.then(|| extract(r, id));
                        let st = step(r, &mut kept, id, listed, prefix, position(i), &line)?;
                        let sealed = st
                            .iter()
                            .map(|(at, c, evs)| {
                                let early = early.take_if(|_| *at == id);
                                // Only a commit that changed a file below
                                // the records root is on a page.
                                let shown = !evs.is_empty();
                                (seal && shown && c.signature == CommitSignature::Ssh).then(|| {
                                    match early {
                                        Some(extracted) => seals.judge(extracted),
                                        None => seals.read(r, *at),
                                    }
                                })
                            })
                            .collect();
                        Ok((st, sealed))
                    })
                    .collect()
            },
        )
        .collect();
    let mut commit_ix: HashMap<Oid, usize> = HashMap::new();
    let mut events: Vec<(usize, Vec<Event>)> = Vec::new();
    for (st, sealed) in steps
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
    {
        for ((id, info, evs), sealed) in st.into_iter().zip(sealed) {
            let ix = *commit_ix.entry(id).or_insert_with(|| {
                history.commits.push(info);
                history.sealed.push(sealed);
                history.commits.len() - 1
            });
            events.push((ix, evs));
        }
    }
    let (mut lines, alias, began) = lineage_state(events);
    if let Some(base) = base {
        // The cached commits come after the new ones (older); cached
        // histories continue the new ones where a new event leads back to
        // their path, as if the walk had gone on.
        let mut map = Vec::with_capacity(base.commits.len());
        // Grown by doubling, the two lists would each briefly be held
        // twice, at the build's peak memory.
        history.commits.reserve(base.commits.len());
        lines.reserve(base.files.len());
        // A cached commit is a new one again only when a merge brought
        // in a commit the cached history had: few, so looked up by text
        // (parsing every cached id cost a rebuild a tenth of a second).
        let new: HashMap<String, usize> = commit_ix
            .into_iter()
            .map(|(id, ix)| (id.to_string(), ix))
            .collect();
        for c in base.commits {
            map.push(match new.get(&c.id) {
                Some(&ix) => ix,
                None => {
                    history.commits.push(c);
                    history.commits.len() - 1
                }
            });
        }
        // Two cached histories can end at one path (an add/add merge: the
        // second is keyed `path@commit`). Only the first, the one the path
        // belonged to at the cached head, is where a new commit's history
        // leads back to, as in a walk of everything; the other stays apart.
        // Only the paths new events lead back to are noted: a handful,
        // where every cached path was copied and hashed before.
        let mut continued: HashSet<String> = HashSet::new();
        for mut f in base.files {
            for r in &mut f.revisions {
                r.commit = map[r.commit];
            }
            let led_back = alias.contains_key(&f.path) || began.contains_key(&f.path);
            let into = if led_back && !continued.insert(f.path.clone()) {
                None
            } else if f.deleted() {
                began.get(&f.path)
            } else {
                alias.get(&f.path)
            };
            match into {
                Some(&ix) => lines[ix].revisions.extend(f.revisions),
                None => lines.push(f),
            }
        }
    }
    history.files = keyed(lines);
    Ok(history)
}

/// Where each commit of the first-parent line stands, for finding where
/// a merged branch left the line: made when a merge first asks. A
/// rebuild after a commit or two meets no merge, and the cached line has
/// hundreds of thousands of commits.
struct Line<'a> {
    chain: &'a [Oid],
    position: &'a (dyn Fn(usize) -> usize + Sync),
    base: &'a [Commit],
    map: OnceLock<HashMap<Oid, usize>>,
}

impl Line<'_> {
    fn get(&self, id: &Oid) -> Option<usize> {
        let map = self.map.get_or_init(|| {
            let new = self.chain.iter().enumerate();
            let new = new.map(|(i, id)| (*id, (self.position)(i)));
            let cached = self.base.iter();
            new.chain(cached.filter_map(|c| Some((Oid::from_str(&c.id).ok()?, c.line?))))
                .collect()
        });
        map.get(id).copied()
    }
}

/// The first-parent line from `head` down to `base` (excluded), newest
/// first, with each commit's tree, and whether it reached `base`. One
/// commit read after another: the part of a first walk that no thread
/// can share (half a second at 10,000 orders, beside the loading of the
/// records).
fn first_parent_line(repo: &Repository, head: Oid, base: Option<Oid>) -> Result<Listing> {
    let (mut chain, mut trees) = (Vec::new(), Vec::new());
    let mut cursor = Some(head);
    let headers = headers(repo);
    while let Some(id) = cursor {
        if base == Some(id) {
            return Ok((chain, trees, true));
        }
        let (parent, tree) = first_parent_and_tree(repo, id, headers.as_ref())?;
        chain.push(id);
        trees.push(tree);
        cursor = parent;
    }
    Ok((chain, trees, false))
}

/// `HEAD`'s first-parent line, listed beside the records' loading.
pub struct FirstParents {
    pub(super) head: Oid,
    pub(super) listing: Listing,
}

/// The whole first-parent line from `head` (`super::list_beside_load`).
pub(super) fn list(repo: &Repository, head: Oid) -> Result<FirstParents> {
    let listing =
        crate::timing::stage("history walk chain", || first_parent_line(repo, head, None))?;
    Ok(FirstParents { head, listing })
}

/// The commits of the first-parent line, their trees, and whether the
/// line reached the cached history's head.
type Listing = (Vec<Oid>, Vec<Oid>, bool);

/// How many consecutive commits of the line a thread reads in one run.
const RUN: usize = 256;

/// What one commit of the first-parent line contributes, newest first:
/// the commit itself (always: commit times are checked along the whole
/// line), with its file events, then for a merge the merged branch's
/// commits that made its changes.
type Step = Vec<(Oid, Commit, Vec<Event>)>;

/// `listed` is the next commit of the line with its tree, as listed: the
/// parent, unless libgit2 reads another (then the parent is read).
fn step(
    repo: &Repository,
    kept: &mut Kept,
    id: Oid,
    listed: Option<(&Oid, &Oid)>,
    prefix: &str,
    position: usize,
    line: &Line,
) -> Result<Step> {
    let commit = find_commit(repo, id)?;
    let parent = match (commit.parent_id(0).ok(), listed) {
        (None, _) => None,
        (Some(p), Some((&next, &tree))) if p == next => Some((p, tree)),
        (Some(p), _) => Some((p, find_commit(repo, p)?.tree_id())),
    };
    let old = match parent {
        Some((p, tree)) => records_root(repo, tree, prefix, p)?,
        None => None,
    };
    let new = records_root(repo, commit.tree_id(), prefix, id)?;
    let raw = changed_between(kept, old, new)?;
    let merge = commit.parent_count() > 1;
    let mut info = Commit::from_git(&commit, merge);
    info.line = Some(position);
    if merge && !raw.is_empty() {
        merge_step(repo, &commit, info, raw, prefix, line)
    } else {
        Ok(vec![(id, info, pair_moves(raw))])
    }
}

/// The changes a merge brings, attributed to the commits of the merged
/// branch (the second parent's first-parent line, down to what the first
/// parent already holds) that made them; what no branch commit made (a
/// conflict resolution) stays with the merge. Each branch commit records
/// the merge that brought it (`via`) and where it left the line (`fork`).
fn merge_step(
    repo: &Repository,
    merge: &git2::Commit,
    info: Commit,
    raw: Vec<Raw>,
    prefix: &str,
    line: &Line,
) -> Result<Step> {
    let p1 = merge.parent_id(0)?;
    let p2 = merge.parent_id(1)?;
    let wanted: HashSet<&str> = raw.iter().map(|r| r.path.as_str()).collect();
    let mut branch: Vec<(git2::Commit, Vec<Raw>)> = Vec::new();
    for id in branch_line(repo, merge.id(), p1, p2)? {
        let c = find_commit(repo, id)?;
        let parent = first_parent(repo, &c)?;
        let mut changed = changed_files(repo, &c, parent.as_ref(), prefix)?;
        changed.retain(|r| wanted.contains(r.path.as_str()));
        if !changed.is_empty() {
            branch.push((c, changed));
        }
    }
    // What the newest branch commit left at each path; where it is not what
    // the merge has, the merge itself wrote the content.
    let mut newest: HashMap<&str, Option<Oid>> = HashMap::new();
    for (_, changed) in &branch {
        for r in changed {
            newest.entry(r.path.as_str()).or_insert(r.new);
        }
    }
    let own: Vec<Raw> = raw
        .iter()
        .filter(|r| newest.get(r.path.as_str()) != Some(&r.new))
        .cloned()
        .collect();
    // A path where the branch left a file is one the merge changed, not
    // one it added, even when its first parent had nothing there: a move
    // on the branch and an edit on the line meet in the merge, and the
    // file's history goes on through the branch's move.
    let mut own = pair_moves(own);
    for e in &mut own {
        if e.change == Change::Added && matches!(newest.get(e.path.as_str()), Some(Some(_))) {
            e.change = Change::Modified;
        }
    }
    let via = info.line;
    let mut out = vec![(merge.id(), info, own)];
    for (c, changed) in &branch {
        let mut b = Commit::from_git(c, false);
        b.via = via;
        b.fork = fork_of(repo, c.id(), p1, line)?;
        out.push((c.id(), b, pair_moves(changed.clone())));
    }
    Ok(out)
}

/// The merged branch of `merge`: `p2` and its first parents, newest first,
/// down to the first commit `p1` already reaches. Not merely down to the
/// merge base: a branch that merged the main line in midway never meets
/// that base on its own first-parent line, and would be walked down the
/// main line's whole history, crediting its commits twice.
fn branch_line(repo: &Repository, merge: Oid, p1: Oid, p2: Oid) -> Result<Vec<Oid>> {
    let err = |e: git2::Error| Error::object("commit", merge, "its merged branch", &e);
    let mut walk = repo.revwalk().map_err(err)?;
    walk.push(p2).map_err(err)?;
    walk.hide(p1).map_err(err)?;
    walk.simplify_first_parent().map_err(err)?;
    let mut on_branch = HashSet::new();
    for id in walk {
        on_branch.insert(id.map_err(err)?);
        if on_branch.len() >= MAX_BRANCH_COMMITS {
            break;
        }
    }
    // In the branch's own order (a revision walk sorts by time).
    let mut out = Vec::new();
    let mut cursor = Some(p2);
    while let Some(id) = cursor.filter(|id| on_branch.contains(id)) {
        out.push(id);
        cursor = find_commit(repo, id)?.parent_id(0).ok();
    }
    Ok(out)
}

/// The position of the newest first-parent commit that the branch commit
/// `c` descends from: its merge base with the merge's first parent, or,
/// when that base came in through an earlier merge, the newest line
/// commit the base descends from (in topological order, descendants come
/// first). `None` for a branch with no history in common with the line.
fn fork_of(repo: &Repository, c: Oid, p1: Oid, line: &Line) -> Result<Option<usize>> {
    let base = match repo.merge_base(c, p1) {
        Ok(b) => b,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(Error::object("commit", c, "its merge base", &e)),
    };
    if let Some(p) = line.get(&base) {
        return Ok(Some(p));
    }
    let err = |e: git2::Error| Error::object("commit", base, "its ancestors", &e);
    let mut walk = repo.revwalk().map_err(err)?;
    walk.push(base).map_err(err)?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL).map_err(err)?;
    for id in walk {
        if let Some(p) = line.get(&id.map_err(err)?) {
            return Ok(Some(p));
        }
    }
    Ok(None)
}
