//! Governance: which changes to the controlled documents took effect, and
//! so which policy was in force for every commit (DESIGN 8.1, 8.2;
//! docs/history.md).
//!
//! `people.toml`, `docket.toml` and `procedure.md` say who may sign what
//! and how a signature is proven, so a change to them is itself judged: it
//! takes effect only when made (authored, and under `ssh` signed) by a
//! person who holds a `policy.governance` role in the policy in force
//! before it. Otherwise it is `governance-unproven` and ignored: the
//! policy stays what it was. The walk goes once along the first-parent
//! line, oldest first; a change made on a branch is judged as the merge
//! that brought it (the merge is where it enters the line), and several
//! revisions in one first-parent commit are one event.
//!
//! The *bootstrap* is every event up to and including the first after
//! which people.toml names someone holding a governance role: before it
//! nobody could have governed anything, so it is not judged. Under a
//! policy in force of `signatures = "none"`, commit identities are not
//! trusted, so changes are recorded, not judged.
//!
//! A change to the procedure takes effect like any other governed change,
//! but nothing is judged by its text; its event is there for the audit
//! trail, `diff` and `check --base`.
//!
//! This file holds the timeline as data; `govern.rs` computes it.

use super::regime::Regime;
use crate::finding::Message;

/// The governance timeline of a history.
#[derive(Debug, Clone, Default)]
pub struct Governance {
    /// Whether it was computed: a history without commits has none, and
    /// the working tree's configuration stands.
    pub ready: bool,
    /// The policy before any change.
    pub(super) initial: Regime,
    /// The policy in force after each change that took effect, by the
    /// position of the commit that made it, oldest first.
    pub(super) regimes: Vec<(usize, Regime)>,
    /// Every change to a controlled document, oldest first.
    pub events: Vec<Event>,
}

/// The changes one first-parent commit brought to the controlled
/// documents.
#[derive(Debug, Clone)]
pub struct Event {
    pub position: usize,
    /// The commit judged (index into the history's commits): the
    /// first-parent commit that brought the change, the merge for a change
    /// made on a branch.
    pub commit: usize,
    pub files: Vec<FileChange>,
}

/// What one event did to one controlled document.
#[derive(Debug, Clone)]
pub struct FileChange {
    pub file: String,
    /// The commit that wrote this content: the judged commit, or the
    /// branch commit a merge brought.
    pub made_in: usize,
    pub status: Status,
    /// What it changed against the version in force.
    pub changes: Vec<Message>,
    /// A later change of the same file took effect: it took the file over
    /// as it stood, so this one is no longer pending.
    pub superseded: bool,
}

/// How a change to a controlled document was judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Part of the bootstrap: not judged, in effect.
    Bootstrap,
    /// Made under `signatures = "none"`: not judged, in effect.
    Recorded,
    /// Made by a governance role; says how it was proven.
    Proven(Message),
    /// Not in effect; says why.
    Unproven(Message),
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Bootstrap => "bootstrap",
            Status::Recorded => "recorded",
            Status::Proven(_) => "proven",
            Status::Unproven(_) => "unproven",
        }
    }

    pub fn in_effect(&self) -> bool {
        !matches!(self, Status::Unproven(_))
    }
}

impl Governance {
    /// The policy in force after every event at positions up to `upto`
    /// (`None`: before any).
    pub fn after(&self, upto: Option<usize>) -> &Regime {
        let Some(upto) = upto else {
            return &self.initial;
        };
        let n = self.regimes.partition_point(|(p, _)| *p <= upto);
        n.checked_sub(1)
            .map_or(&self.initial, |i| &self.regimes[i].1)
    }

    /// Every version of the policy, oldest first, each with the position
    /// of the commit that brought it (`None`: the one before any).
    pub fn versions(&self) -> Vec<(Option<usize>, &Regime)> {
        std::iter::once((None, &self.initial))
            .chain(self.regimes.iter().map(|(p, r)| (Some(*p), r)))
            .collect()
    }

    /// The policy in force now (after every governed change).
    pub fn current(&self) -> &Regime {
        self.regimes.last().map_or(&self.initial, |(_, r)| r)
    }

    /// A fingerprint of what the proofs of commits before first-parent
    /// position `line` depend on in the policies: every policy in force
    /// for such a commit and when it came in force (a commit at position
    /// `p` is judged by the policy after `p - 1`, a branch commit by the
    /// one at its fork or at its merge, all before `line` once the commit
    /// is in the history), and what the policy in force now adds to every
    /// judgement: the keys it revokes, and whether signatures are asked.
    /// A policy that comes in force at `line` or later is not in it: the
    /// proofs cache (`cache.rs`) keeps a file's proofs across it.
    pub fn fingerprint_before(&self, line: usize) -> u64 {
        let mut fp = crate::fingerprint::Fingerprint::new(2);
        fp.json(&self.initial);
        for (p, r) in self.regimes.iter().take_while(|(p, _)| *p < line) {
            fp.u64(*p as u64).json(r);
        }
        let now = self.current();
        fp.u64(u64::from(self.ready)).str(now.signatures.as_str());
        for (person, fingerprint, key) in now.keyring().fingerprints() {
            if let Some(revoked) = key.revoked {
                fp.str(person).str(fingerprint).str(&revoked.to_string());
            }
        }
        fp.finish()
    }
}

/// One governance change as `docket diff` and `check --base` list it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    pub file: String,
    /// The commit judged (the merge, for a change made on a branch).
    pub commit: String,
    /// The commit that wrote the change.
    pub made_in: String,
    /// Who made `made_in`: "Li Mei (li.sales)", or git's name and email.
    pub author: String,
    /// Who made the merge that brought it, for a change made on a branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_by: Option<String>,
    /// The signing time of the judged commit, in the company's zone.
    pub time: String,
    /// `bootstrap`, `recorded`, `proven` or `unproven`.
    pub status: &'static str,
    /// How it was proven, or why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The reason in Chinese, for the audit page of a zh-Hant site; JSON
    /// output (`check --base`) keeps the English `reason`.
    #[serde(skip)]
    pub reason_zh: Option<String>,
    /// Serialized in English, as every JSON output.
    pub changes: Vec<Message>,
}

impl Listed {
    /// "people.toml in commit 1a2b3c4d5e by Li Mei (li.sales): unproven
    /// (why)", one line.
    pub fn headline(&self) -> String {
        let mut line = format!(
            "{} in commit {} by {}",
            self.file,
            short(&self.made_in),
            self.author
        );
        if let Some(m) = &self.merged_by {
            line.push_str(&format!(
                ", merged in commit {} by {m}",
                short(&self.commit)
            ));
        }
        let status = match self.status {
            "unproven" => "governance-unproven",
            s => s,
        };
        line.push_str(&format!(" ({}): {status}", self.time));
        if let Some(r) = &self.reason {
            line.push_str(&format!(", {r}"));
        }
        line
    }
}

/// A short commit id (the index's `short`, which this file cannot import:
/// the index holds the timeline).
fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}
