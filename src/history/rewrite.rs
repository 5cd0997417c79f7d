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
//! A rewrite is carried from build to build in the manifest until the
//! published commit is part of the history again (the lost commits merged
//! back): otherwise a second build would publish over it and forget it,
//! and the records would disappear from the site after all. When the
//! objects are gone (pruned), what an earlier build recorded is kept.

use super::index::History;
use super::lost::{LOST_READ, LOST_SHOWN, LostCommit, LostRecord, Published, Rewrite};
use super::repo::{find_commit, first_parent};
use super::trees::changed_files;
use crate::error::Result;
use crate::kind::Kind;
use crate::load::stem;
use std::collections::BTreeMap;

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
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let repo = git2::Repository::open(&h.git_dir)?;
    let head = h.head.as_deref().and_then(|s| git2::Oid::from_str(s).ok());
    let mut out = Vec::new();
    for (commit, carried) in candidates {
        let oid = git2::Oid::from_str(commit).ok();
        let kept = match (oid, head) {
            (Some(p), Some(hd)) => p == hd || repo.graph_descendant_of(hd, p).unwrap_or(false),
            _ => false,
        };
        if kept {
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
            },
            (None, Some(r)) => Rewrite {
                objects: false,
                ..r.clone()
            },
            (None, None) => Rewrite {
                published: commit.to_string(),
                objects: false,
                lost: Vec::new(),
                lost_count: 0,
                records: Vec::new(),
            },
        });
    }
    Ok(out)
}

/// What the site a build publishes should record: this build's commit and
/// the rewrites still open. Without usable history nothing was checked,
/// so what the previous site recorded is kept for the next build to check.
pub fn next(h: &History, previous: &Published) -> Published {
    if h.unavailable.is_some() {
        return previous.clone();
    }
    Published {
        commit: h.head.clone(),
        rewrites: h.rewrites.clone(),
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
