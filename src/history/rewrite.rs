//! Rewrites: is the history a site was published from still the history?
//!
//! A site shows what the records said at one commit; `git reset --hard`,
//! a rebase or a force-push can take that commit out of the history, and
//! with it records and approvals that were published. Nothing in the new
//! history says so: the walk sees only what is there. So each build notes
//! the commit it was built from (in the site's manifest, `render/publish`),
//! and the next build into that site, and `docket check --published SITE`,
//! hand that note ([`Published`]) to [`rewrites`], which asks git whether
//! the commit is still `HEAD` or an ancestor of it (any parent, so a
//! fast-forward and a merge are fine). If not, it is a [`Rewrite`]: while
//! the old commits' objects are still in the repository, the commits
//! reachable from the published one and not from `HEAD` (newest first),
//! and the records they touched, each with the newest lost commit that
//! touched it (`git show <commit>:<path>` shows what the site had). The
//! data are in `lost.rs`.
//!
//! A published commit that is still an ancestor can have left the main
//! line: `git merge main` on an old branch, pushed as a fast-forward, puts
//! the branch on the first-parent line, and its commits are then judged
//! under the rules at its old base. Where the published line had changed
//! a controlled document since the two lines parted, where the two lines
//! never met, or where the merge left out what the published line had
//! made, that is a rewrite of the main line ([`LeftLine`]), though no
//! commit was lost.
//!
//! While such a rewrite is open, builds keep the published commit as the
//! one built from (the remedy, a merge with it as first parent, would
//! otherwise take the newest build's commit off the line in its turn),
//! and note the commit they were built from beside it as `built`,
//! checked only for being lost: what they published from the new line
//! is reported if that line is reset away.
//!
//! A rewrite is carried from build to build in the manifest until the
//! published commit is part of the history again (the lost commits merged
//! back): otherwise a second build would publish over it and forget it,
//! and the records would disappear from the site after all. When the
//! objects are gone (pruned), what an earlier build recorded is kept.

use super::controlled::CONTROLLED;
use super::index::History;
use super::lost::{LOST_READ, LOST_SHOWN, LeftLine, LostCommit, LostRecord, Published, Rewrite};
use super::repo::{find_commit, first_parent};
use super::trees::changed_files;
use crate::error::Result;
use crate::kind::Kind;
use crate::load::stem;
use std::collections::BTreeMap;
use std::path::Path;

/// The rewrites of `published` against the history `h` (its `HEAD`).
/// Without usable history nothing can be checked: no rewrites.
pub fn rewrites(h: &History, published: &Published) -> Result<Vec<Rewrite>> {
    if h.unavailable.is_some() {
        return Ok(Vec::new());
    }
    let mut candidates: Vec<(&str, Option<&Rewrite>)> = published
        .commit
        .iter()
        .map(|c| (c.as_str(), None))
        .collect();
    for r in &published.rewrites {
        match candidates.iter_mut().find(|(c, _)| *c == r.published) {
            Some(entry) => entry.1 = Some(r),
            None => candidates.push((&r.published, Some(r))),
        }
    }
    // Built while a finding was open: checked for what it showed (below).
    let built = published
        .built
        .as_deref()
        .filter(|b| candidates.iter().all(|(c, _)| c != b));
    candidates.extend(built.map(|b| (b, None)));
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let repo = git2::Repository::open(&h.git_dir)?;
    let head = h.head.as_deref().and_then(|s| git2::Oid::from_str(s).ok());
    // Every commit a build of this site was made from that it knows of.
    // (Not one reported lost: the site has shown another line since.)
    let known: Vec<&str> = candidates
        .iter()
        .filter(|(_, carried)| !carried.is_some_and(|r| r.left_line.is_none()))
        .map(|(c, _)| *c)
        .collect();
    let mut out = Vec::new();
    for (commit, carried) in candidates {
        let oid = git2::Oid::from_str(commit).ok();
        let kept = match (oid, head) {
            (Some(p), Some(hd)) => p == hd || repo.graph_descendant_of(hd, p).unwrap_or(false),
            _ => false,
        };
        if kept {
            // A loss reported before, by a build that carried it here, is
            // known: a merge that brings the commit back without its
            // changes (`git merge -s ours`, the remedy the finding offers)
            // drops nothing unreported, and the new line's commits up to
            // the one the site was last built from were published as the
            // main line. A commit a build made while a finding was open is
            // a branch commit once the published one is back: the records
            // the site showed of it must still be there, and a change of
            // the rules it showed must not be passed over (the remedy puts
            // the published rules back; `left_line` says how).
            let reported = carried.is_some_and(|r| r.left_line.is_none());
            // Once reported, a built commit's finding is carried as one.
            let is_built = published.built.as_deref() == Some(commit)
                || (published.under_rewrite && published.commit.as_deref() == Some(commit))
                || carried.is_some_and(|r| r.left_line.as_ref().is_some_and(|l| l.built));
            let check = Check {
                content: !reported,
                records_only: is_built,
                since: published.commit.as_deref().filter(|_| reported),
                known: &known,
            };
            if let Some(left) = left_line(h, &repo, commit, check)? {
                out.push(Rewrite {
                    published: commit.to_string(),
                    objects: true,
                    lost: Vec::new(),
                    lost_count: 0,
                    records: Vec::new(),
                    left_line: Some(left),
                });
            }
            continue;
        }
        let found = oid.and_then(|p| lost(&repo, p, head, &h.prefix).ok());
        out.push(match (found, carried) {
            (Some((lost, lost_count, records)), _) => Rewrite {
                published: commit.to_string(),
                objects: true,
                lost,
                lost_count,
                records,
                left_line: None,
            },
            (None, Some(r)) => Rewrite {
                objects: false,
                left_line: None,
                ..r.clone()
            },
            (None, None) => Rewrite {
                published: commit.to_string(),
                objects: false,
                lost: Vec::new(),
                lost_count: 0,
                records: Vec::new(),
                left_line: None,
            },
        });
    }
    Ok(out)
}

/// Which questions [`left_line`] asks of a published commit off the main
/// line: how the new line is judged, and whether the merge holds what the
/// site showed.
#[derive(Clone, Copy)]
struct Check<'a> {
    content: bool,
    /// Whether only the records count in what the merge must hold.
    records_only: bool,
    /// The commit the site was last built from: new-line commits up to it
    /// were published as the main line.
    since: Option<&'a str>,
    /// Every commit the site was built from that it knows of.
    known: &'a [&'a str],
}

/// Whether `published`, in the history of `HEAD`, has left its main line
/// in a way that changes what the main line says: a merge on the line took
/// it in through a later parent (`git merge main` on an old branch, pushed
/// as a fast-forward), and
///
/// - the new line shares no commit with the published one before that
///   merge (an unrelated history, `git checkout --orphan`): everything on
///   it was judged under its own rules;
/// - or the newest commit of the new line that the published one descends
///   from (the fork) is not on the published commit's own first-parent
///   line: the new line up to the fork is not the published main line, and
///   the rules in force along it are not the ones the site judged by;
/// - or a commit of the published line since the fork changed a
///   controlled document: the new line's commits, and the merge itself,
///   are judged under the rules at the fork, as if that change had never
///   been made (the published line's commits become branch commits, judged
///   under the fork's rules and the merge's, which are the same);
/// - or the merge does not hold, as published, a file the published line
///   changed since the fork: the site showed it, and the main line never
///   held it, so no change of it shows (`git merge -s ours`, or one side's
///   version kept in a conflict).
///
/// A `git pull` merge of a published line that changed no controlled
/// document, made on a commit of its main line and keeping its files as
/// published, changes nothing.
fn left_line(
    h: &History,
    repo: &git2::Repository,
    published: &str,
    check: Check<'_>,
) -> Result<Option<LeftLine>> {
    // The main line by position (the root commit is 0). The published
    // commit is found with git, not in the index, which holds only the
    // branch commits that touched the records.
    let mut line: Vec<Option<&str>> = Vec::new();
    for c in &h.commits {
        if let Some(pos) = c.line {
            if line.len() <= pos {
                line.resize(pos + 1, None);
            }
            line[pos] = Some(&c.id);
        }
    }
    if line.contains(&Some(published)) {
        return Ok(None);
    }
    let p = git2::Oid::from_str(published)?;
    let at = |pos: usize| line[pos].and_then(|id| git2::Oid::from_str(id).ok());
    // Both are monotone along the line: the commits before one that
    // descends from `p` are its ancestors (first parents).
    let has_p = |pos: usize| {
        at(pos).is_some_and(|c| c == p || repo.graph_descendant_of(c, p).unwrap_or(false))
    };
    let in_p =
        |pos: usize| at(pos).is_some_and(|c| repo.graph_descendant_of(p, c).unwrap_or(false));
    let via = first(0, line.len(), has_p);
    // `HEAD` descends from `p`, so some line commit does.
    let Some(merge) = line.get(via).and_then(|_| at(via)) else {
        return Ok(None);
    };
    // The newest line commit that `p` descends from.
    let fork = first(0, via, |pos| !in_p(pos))
        .checked_sub(1)
        .and_then(|f| Some((f, at(f)?)));
    let merged = find_commit(repo, merge)?;
    let published_commit = find_commit(repo, p)?;
    let dropped = match check.content {
        true => {
            let fork_commit = fork.map(|(_, id)| find_commit(repo, id)).transpose()?;
            let mut dropped = dropped(
                repo,
                fork_commit.as_ref(),
                &published_commit,
                &merged,
                &h.prefix,
                !check.records_only,
            )?;
            if check.records_only {
                dropped.retain(|path| crate::kind::Kind::of_path(path).is_some());
            }
            dropped
        }
        false => Vec::new(),
    };
    // Nothing the site had not published as the main line lies between
    // the commit it was last built from and the merge.
    let published_since = check
        .since
        .and_then(|c| line.iter().position(|id| *id == Some(c)))
        .is_some_and(|at| via <= at + 1);
    let judged = !published_since;
    // How many main-line commits are judged under the fork's rules (none
    // when only the content is in question).
    let (commits, fork_branch, changed) = match fork {
        _ if !judged => (0, false, Vec::new()),
        // A commit built under a finding, from the line that replaced the
        // main line: that line is a branch once the published one is back,
        // but a change of the rules it published must not be passed over
        // by commits of the new line's own.
        Some((pos, id)) if check.records_only => {
            let changed = controlled_touched(repo, p, id, &h.prefix)?;
            // The newest commit before the merge that the site was built
            // from, if later than the fork: what lies before it was
            // published.
            let published = line[..via]
                .iter()
                .rposition(|c| c.is_some_and(|c| check.known.contains(&c)))
                .map_or(pos, |k| k.max(pos));
            // The merge right after it counts too when it writes content of
            // its own under rules other than the ones this commit showed.
            let passed_over = via > published + 1
                || (own_content(repo, &merged, &h.prefix)?
                    && controlled_differ(repo, &published_commit, &merged, &h.prefix)?);
            match passed_over && !changed.is_empty() {
                true => (via - pos, false, changed),
                false => (0, false, Vec::new()),
            }
        }
        None => (via + 1, false, Vec::new()),
        Some((pos, id)) => {
            let on_line = on_first_parents(repo, p, id)?;
            let changed = match on_line {
                true => controlled_touched(repo, p, id, &h.prefix)?,
                false => Vec::new(),
            };
            (via - pos, !on_line, changed)
        }
    };
    let unrelated = judged && fork.is_none();
    if !unrelated && !fork_branch && changed.is_empty() && dropped.is_empty() {
        return Ok(None);
    }
    Ok(Some(LeftLine {
        merge: merge.to_string(),
        fork: fork.map(|(_, id)| id.to_string()),
        fork_branch,
        commits,
        changed,
        dropped,
        built: check.records_only,
    }))
}

/// What the rules in force are read from: the controlled documents and
/// the `tsa` folder of trusted authorities.
fn rule_paths() -> impl Iterator<Item = &'static str> {
    CONTROLLED.iter().copied().chain(["tsa"])
}

/// The id of what `tree` holds at `path` below the records root `prefix`
/// (a blob, or a folder's tree), if anything.
fn entry(tree: Option<&git2::Tree>, prefix: &str, path: &str) -> Option<git2::Oid> {
    let found = tree?.get_path(Path::new(&format!("{prefix}{path}")));
    found.ok().map(|e| e.id())
}

/// Whether `merge` holds a file below the records root as none of its
/// parents has it: content of its own (an evil merge).
fn own_content(repo: &git2::Repository, merge: &git2::Commit, prefix: &str) -> Result<bool> {
    let parents: Vec<git2::Tree> = merge
        .parents()
        .map(|c| c.tree())
        .collect::<std::result::Result<_, _>>()?;
    let tree = merge.tree()?;
    let first = first_parent(repo, merge)?;
    Ok(changed_files(repo, merge, first.as_ref(), prefix)?
        .iter()
        .any(|raw| {
            let own = entry(Some(&tree), prefix, &raw.path);
            parents
                .iter()
                .all(|t| entry(Some(t), prefix, &raw.path) != own)
        }))
}

/// Whether the controlled documents or the `tsa` folder differ between
/// commit `a` and the first parent of `merge`.
fn controlled_differ(
    repo: &git2::Repository,
    a: &git2::Commit,
    merge: &git2::Commit,
    prefix: &str,
) -> Result<bool> {
    let Some(first) = first_parent(repo, merge)? else {
        return Ok(true);
    };
    let (a, b) = (a.tree()?, first.tree()?);
    Ok(rule_paths().any(|name| entry(Some(&a), prefix, name) != entry(Some(&b), prefix, name)))
}

/// Whether `fork` is on the first-parent line of `published`.
fn on_first_parents(
    repo: &git2::Repository,
    published: git2::Oid,
    fork: git2::Oid,
) -> Result<bool> {
    let mut at = Some(find_commit(repo, published)?);
    while let Some(c) = at {
        if c.id() == fork {
            return Ok(true);
        }
        at = first_parent(repo, &c)?;
    }
    Ok(false)
}

/// The first position in `lo..hi` where `pred` holds, `hi` if none, for a
/// `pred` that holds from some position on.
fn first(mut lo: usize, mut hi: usize, pred: impl Fn(usize) -> bool) -> usize {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// The controlled documents, and the `tsa` folder of trusted authorities,
/// that a commit in the history of `published` and not of `fork` changed
/// against its first parent (below the records root `prefix`). Every
/// commit, not the two ends: a change made and undone again on the
/// published line still changed which rules were in force there.
fn controlled_touched(
    repo: &git2::Repository,
    published: git2::Oid,
    fork: git2::Oid,
    prefix: &str,
) -> Result<Vec<String>> {
    let names: Vec<&str> = rule_paths().collect();
    let mut walk = repo.revwalk()?;
    walk.push(published)?;
    walk.hide(fork)?;
    let mut touched = std::collections::BTreeSet::new();
    for id in walk {
        let c = find_commit(repo, id?)?;
        let tree = c.tree()?;
        let parent = first_parent(repo, &c)?.map(|p| p.tree()).transpose()?;
        for name in &names {
            if entry(Some(&tree), prefix, name) != entry(parent.as_ref(), prefix, name) {
                touched.insert(name.to_string());
            }
        }
        if touched.len() == names.len() {
            break;
        }
    }
    Ok(touched.into_iter().collect())
}

/// The files below the records root that the published line changed
/// since `fork` (all it holds, without one) and that `merge` does not hold
/// as published (`exact`), or holds as they were at the fork or as its
/// first parent has them: what the site showed that the main line never
/// held. (A commit built from a line that replaced the main line is held
/// to the second: the merge that puts the published line back shows any
/// third version as its own change.)
fn dropped(
    repo: &git2::Repository,
    fork: Option<&git2::Commit>,
    published: &git2::Commit,
    merge: &git2::Commit,
    prefix: &str,
    exact: bool,
) -> Result<Vec<String>> {
    let tree = merge.tree()?;
    let first = first_parent(repo, merge)?.map(|c| c.tree()).transpose()?;
    let at_merge = |path: &str| entry(Some(&tree), prefix, path);
    Ok(changed_files(repo, published, fork, prefix)?
        .into_iter()
        .filter(|raw| match exact {
            true => at_merge(&raw.path) != raw.new,
            false => {
                let held = at_merge(&raw.path);
                held != raw.new
                    && (held == raw.old || held == entry(first.as_ref(), prefix, &raw.path))
            }
        })
        .map(|raw| raw.path)
        .collect())
}

/// What the site a build publishes should record: this build's commit and
/// the rewrites still open. Without usable history nothing was checked,
/// so what the previous site recorded is kept for the next build to check.
pub fn next(h: &History, previous: &Published) -> Published {
    if h.unavailable.is_some() {
        return previous.clone();
    }
    // While a published commit is off the main line, the site keeps the
    // commit it had: what the replaced line made was never published as
    // good, and the remedy (a merge with the published commit first)
    // would otherwise take the newest of it off the line in its turn.
    // A commit built while any rewrite is open published under the
    // finding: noted as `built`, or as `under_rewrite` when it is the one
    // the site is built from.
    let (commit, built, under_rewrite) = if h.rewrites.iter().any(|r| r.left_line.is_some()) {
        (
            previous.commit.clone(),
            h.head.clone(),
            previous.under_rewrite,
        )
    } else {
        (h.head.clone(), None, !h.rewrites.is_empty())
    };
    Published {
        commit,
        rewrites: h.rewrites.clone(),
        built,
        under_rewrite,
    }
}

/// The commits reachable from `published` and not from `head` (newest
/// first, the first [`LOST_SHOWN`]), how many there are, and the records
/// they touched; `Err` when an object is missing.
fn lost(
    repo: &git2::Repository,
    published: git2::Oid,
    head: Option<git2::Oid>,
    prefix: &str,
) -> Result<(Vec<LostCommit>, usize, Vec<LostRecord>)> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
    walk.push(published)?;
    if let Some(h) = head {
        walk.hide(h)?;
    }
    let mut shown = Vec::new();
    let mut count = 0;
    let mut records: BTreeMap<String, LostRecord> = BTreeMap::new();
    for id in walk {
        let c = find_commit(repo, id?)?;
        count += 1;
        if shown.len() < LOST_SHOWN {
            let a = c.author();
            shown.push(LostCommit {
                id: c.id().to_string(),
                author: format!(
                    "{} <{}>",
                    String::from_utf8_lossy(a.name_bytes()),
                    String::from_utf8_lossy(a.email_bytes())
                ),
                time: c.committer().when().seconds(),
                summary: String::from_utf8_lossy(c.summary_bytes().unwrap_or_default())
                    .into_owned(),
            });
        }
        if count > LOST_READ {
            continue;
        }
        let parent = first_parent(repo, &c)?;
        for raw in changed_files(repo, &c, parent.as_ref(), prefix)? {
            if Kind::of_path(&raw.path).is_none() {
                continue;
            }
            // Newest first: the first commit met is the last known state.
            records
                .entry(raw.path.clone())
                .or_insert_with(|| LostRecord {
                    id: stem(&raw.path).to_string(),
                    file: raw.path,
                    commit: c.id().to_string(),
                });
        }
    }
    let mut records: Vec<LostRecord> = records.into_values().collect();
    records.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.file.cmp(&b.file)));
    Ok((shown, count, records))
}
