//! What a rewrite lost, as plain data: what a published site recorded
//! about its history ([`Published`]) and each published commit that is no
//! longer in the history ([`Rewrite`]). `rewrite.rs` finds them; the
//! index holds them, the manifest of the site carries them from build to
//! build, and the rule and the site's banner word them.

use crate::kind::Kind;
use serde::{Deserialize, Serialize};

/// How many lost commits are listed; the rest are counted.
pub const LOST_SHOWN: usize = 20;

/// How many lost commits (the newest) are read for the records they
/// touched: a guard against reading a whole second history. The finding
/// says so when more were lost.
pub const LOST_READ: usize = 10_000;

/// What a published site says about the history it was built from, as
/// its manifest records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// The commit the site was built from (full id); `None` for a site
    /// built without git history.
    pub commit: Option<String>,
    /// Rewrites found by earlier builds and not resolved since.
    #[serde(default)]
    pub rewrites: Vec<Rewrite>,
    /// The commit the site was built from, when `commit` is an earlier
    /// one: while a published commit is off the main line, builds keep it
    /// as `commit`, and what they publish from the line that replaced it
    /// is checked here only for being lost (a reset of that line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub built: Option<String>,
    /// Whether `commit` was itself built while a rewrite was open: what it
    /// published was published under the finding, and it is checked as
    /// `built` is.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub under_rewrite: bool,
}

/// A published commit that is no longer in the history of `HEAD`, or no
/// longer on its main line ([`LeftLine`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rewrite {
    /// The published commit (full id).
    pub published: String,
    /// Whether the repository still holds its objects now; when not, the
    /// lists below are what an earlier build found (or empty).
    pub objects: bool,
    /// The commits no longer reachable, newest first, at most
    /// [`LOST_SHOWN`].
    pub lost: Vec<LostCommit>,
    /// How many commits are no longer reachable in all.
    pub lost_count: usize,
    /// The records those commits touched, by file.
    pub records: Vec<LostRecord>,
    /// When the published commit is still in the history but a merge
    /// took it off the main line: nothing was lost, the lists above are
    /// empty, and this says how the line was replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_line: Option<LeftLine>,
}

/// How a published commit left the main line: a merge on the line took it
/// in through a later parent, and the main line before that merge, from
/// where the two lines parted, either was made without the changes to the
/// controlled documents that the published line had, or the merge left
/// out changes of the published line, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftLine {
    /// The merge on the main line that took the published commit in.
    pub merge: String,
    /// The newest main-line commit the published commit descends from;
    /// `None` when none is (an unrelated history).
    pub fork: Option<String>,
    /// Whether the fork is off the published commit's own first-parent
    /// line (a branch commit there): the rules in force along the new line
    /// up to it are not the ones the site judged by.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fork_branch: bool,
    /// How many main-line commits follow the fork (or, without one, from
    /// the root), up to and including the merge: judged under the rules
    /// at the fork.
    pub commits: usize,
    /// The controlled documents (and the `tsa` folder) that the published
    /// line changed since the fork, when the new line's commits are judged
    /// without those changes.
    pub changed: Vec<String>,
    /// The files below the records root that the published line changed
    /// since the fork and the merge does not hold as published.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<String>,
    /// Whether the commit is one a build made from a line that replaced
    /// the main line, checked only for the records it showed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub built: bool,
}

/// A commit no longer reachable from `HEAD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostCommit {
    pub id: String,
    /// `Name <email>`, as git records the author.
    pub author: String,
    /// Committer time, seconds since 1970 (UTC).
    pub time: i64,
    pub summary: String,
}

/// A record a lost commit touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostRecord {
    /// The record id (its file stem).
    pub id: String,
    /// Its path below the records root in that commit.
    pub file: String,
    /// The newest lost commit that touched it: its last known state.
    pub commit: String,
}

impl LostCommit {
    /// The commit's day at `offset_seconds` (the company's time zone).
    pub fn date_at(&self, offset_seconds: i32) -> Option<jiff::civil::Date> {
        super::clock::date_at(self.time, offset_seconds)
    }
}

impl LostRecord {
    /// Whether no record of its kind has its id now: the rewrite took it
    /// off the records, not only some of its changes.
    pub fn gone(&self, model: &crate::model::Model) -> bool {
        Kind::of_path(&self.file).is_some_and(|k| !model.known_ids.contains(k, &self.id))
    }
}
