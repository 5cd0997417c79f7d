//! What the history proves about a signed section: its signature commit
//! and a [`ProofStatus`], and, in [`Proofs`], the proofs of the whole
//! repository with each order's substance history.
//!
//! These are the results; `prove.rs` computes them (after the model is
//! built, so the rules stay pure functions of model + history), and the
//! history index holds them. The status is judged once, here: whether it
//! counts as proven, unverified, unproven or broken ([`ProofState`]) is
//! what the rules report, the status figures count and the site colours.

use super::covers::Covers;
use super::substance::OrderHistory;
use crate::finding::Message;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The proof of one signed section.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Proof {
    pub record: String,
    pub file: String,
    /// `review`, `extra_review[0]`, ...
    pub section: String,
    /// The person named in `by`.
    pub by: String,
    /// What signing means (21 CFR 11.50).
    pub meaning: String,
    /// The signature commit (index into
    /// [`History::commits`](super::History::commits)); `None` when the
    /// section is not committed.
    pub commit: Option<usize>,
    pub status: ProofStatus,
    /// The git blob id of the file at the signature commit; `None` when
    /// the section is not committed.
    #[serde(default)]
    pub blob: Option<String>,
    /// The SHA-256 of the section's canonical value (`covers.rs`).
    #[serde(default)]
    pub sha256: Option<String>,
    /// Whether the signature covers the record as it is now.
    #[serde(default)]
    pub covers: Covers,
    /// What docket's SSH check says of the signature commit when the
    /// policy in force for it is "ssh" (what `git verify-commit` must
    /// agree with); `None` under another policy or without a commit. Kept
    /// with the proof, so the audit page and `docket log` show the verdict
    /// the proof rests on without verifying every signature again.
    #[serde(default)]
    pub ssh: Option<SshVerdict>,
}

/// The SSH check of a signature commit: whether it is the signer's, valid
/// on the day signed, and how it is proven or why not (in English, as
/// `docket log` prints it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshVerdict {
    pub valid: bool,
    pub detail: String,
}

impl From<Result<Message, Message>> for SshVerdict {
    fn from(verdict: Result<Message, Message>) -> SshVerdict {
        match verdict {
            Ok(how) => SshVerdict {
                valid: true,
                detail: how.en,
            },
            Err(why) => SshVerdict {
                valid: false,
                detail: why.en,
            },
        }
    }
}

impl Proof {
    /// The state to show: a proven signature that no longer covers the
    /// record is stale, never plain proven (21 CFR 11.70).
    pub fn shown(&self) -> Shown {
        match (self.status.state(), &self.covers) {
            (ProofState::Proven | ProofState::Unverified, Covers::Stale { .. }) => Shown::Stale,
            (ProofState::Proven, _) => Shown::Proven,
            (ProofState::Unverified, _) => Shown::Unverified,
            (ProofState::Unproven, _) => Shown::Unproven,
            (ProofState::Broken, _) => Shown::Broken,
        }
    }
}

/// How a signature is shown: its [`ProofState`], with `Stale` for one
/// that no longer covers the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shown {
    Proven,
    Stale,
    Unverified,
    Unproven,
    Broken,
}

impl Shown {
    pub const ALL: [Shown; 5] = [
        Shown::Proven,
        Shown::Stale,
        Shown::Unverified,
        Shown::Unproven,
        Shown::Broken,
    ];

    /// The name the site styles by.
    pub fn as_str(self) -> &'static str {
        match self {
            Shown::Proven => "proven",
            Shown::Stale => "stale",
            Shown::Unverified => "unverified",
            Shown::Unproven => "unproven",
            Shown::Broken => "broken",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "detail")]
pub enum ProofStatus {
    /// Proven; says how ("commit author wang@acme.example", "SSH key ...").
    Proven(Message),
    /// `policy.signatures = "none"`: recorded, not verified.
    Recorded,
    /// The section's current content is not committed yet.
    Uncommitted,
    /// The signature commit does not prove it; says why.
    Unproven(Message),
    /// Changed after signing by someone else: the commit (index) where the
    /// signer's version was written, and who changed it.
    Broken { signed: usize, changed_by: String },
}

/// What a proof status amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofState {
    /// The signature commit proves the signature.
    Proven,
    /// Nothing is verified (`signatures = "none"`), and nothing is wrong.
    Unverified,
    /// Not proven: not committed, or committed in a way that does not
    /// prove it (`signature-unproven`).
    Unproven,
    /// Changed after signing by someone else (`signature-broken`).
    Broken,
}

impl ProofStatus {
    pub fn state(&self) -> ProofState {
        match self {
            ProofStatus::Proven(_) => ProofState::Proven,
            ProofStatus::Recorded => ProofState::Unverified,
            ProofStatus::Uncommitted | ProofStatus::Unproven(_) => ProofState::Unproven,
            ProofStatus::Broken { .. } => ProofState::Broken,
        }
    }
}

/// Everything the history proves about the model.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Proofs {
    pub sections: Vec<Proof>,
    /// By order file.
    pub orders: BTreeMap<String, OrderHistory>,
}
