//! `docket log ID`: one record's audit trail, newest first.
//!
//! Each revision shows what 21 CFR 11.10(e) asks of an audit trail: who
//! (author name and email), when (at the company's time zone, so everyone
//! reads the same clock), how the commit is signed, and what changed, field
//! by field, with the old value kept next to the new one. Below them, the
//! proof of each signed section of the record as it is now.

use crate::error::{Error, Result};
use crate::history::{Change, Covers, Entry, History, Proof, ProofStatus};
use crate::model::{Language, Model, Signed};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Serialize)]
pub struct Log {
    pub record: String,
    pub file: String,
    /// Newest first; an uncommitted working copy comes first, with no commit.
    pub revisions: Vec<Entry>,
    /// The record's signatures as 21 CFR 11.50 blocks.
    pub signatures: Vec<SignatureBlock>,
}

/// A signature as 21 CFR 11.50 asks it to be shown: printed name, role,
/// date and time, meaning, and how it is bound to the record (the commit
/// and how it was proven).
#[derive(Debug, Clone, Serialize)]
pub struct SignatureBlock {
    pub section: String,
    /// The signer's id and printed name (from people.toml).
    pub by: String,
    pub name: String,
    pub roles: Vec<String>,
    /// The date written in the section.
    pub date: String,
    /// The signing time: the signature commit's committer time at the
    /// company's offset.
    pub time: Option<String>,
    pub meaning: String,
    pub commit: Option<String>,
    pub status: ProofStatus,
    /// `proven`, `stale`, `unverified`, `unproven` or `broken`: a proven
    /// signature that no longer covers the record is `stale`.
    pub state: &'static str,
    /// The git blob id of the file at the signature commit.
    pub blob: Option<String>,
    /// The SHA-256 of the section's canonical value (docs/history.md).
    pub sha256: Option<String>,
    pub covers: CoversView,
    /// Under policy "ssh": whether the signature commit's SSH signature
    /// alone proves the signer (made with their key, valid at the signing
    /// time), whoever authored it: what `git verify-commit` with the
    /// allowed_signers of `docket export` checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssh: Option<SshView>,
    /// The trusted time of the signature commit: a verified RFC 3161
    /// token's time (docs/timestamps.md), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<TimestampView>,
}

/// A verified timestamp of a signature commit.
#[derive(Debug, Clone, Serialize)]
pub struct TimestampView {
    /// The token's time at the company's offset.
    pub time: String,
    /// The TSA that signed it (its certificate's subject).
    pub tsa: String,
}

/// The SSH signature part of a proof.
#[derive(Debug, Clone, Serialize)]
pub struct SshView {
    pub valid: bool,
    /// How it was proven, or why not.
    pub detail: String,
}

/// Whether a signature covers the record as it is now, with commit ids:
/// `{"state": "current"}` or `{"state": "stale", "since": "<commit id>"
/// (null: the working tree), "fields": [...]}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase", tag = "state")]
pub enum CoversView {
    Current,
    Stale {
        since: Option<String>,
        fields: Vec<String>,
    },
}

impl CoversView {
    pub fn of(covers: &Covers, history: &History) -> CoversView {
        match covers {
            Covers::Current => CoversView::Current,
            Covers::Stale { since, fields } => CoversView::Stale {
                since: since.map(|c| history.commits[c].id.clone()),
                fields: fields.clone(),
            },
        }
    }
}

impl SignatureBlock {
    /// The block of `proof`; `signed` are the record's signed sections,
    /// where the date written in the section is read.
    fn new(proof: &Proof, signed: &[Signed], model: &Model, history: &History) -> SignatureBlock {
        let person = model.person(&proof.by);
        let date = signed
            .iter()
            .find(|s| s.path == proof.section)
            .map(|s| s.sign.date.value.to_string())
            .unwrap_or_default();
        let commit = proof.commit.map(|c| &history.commits[c]);
        let offset = model.config.company.offset_seconds;
        // The verdict the proof rests on, made once when it was proven.
        let ssh = proof.ssh.as_ref().map(|v| SshView {
            valid: v.valid,
            detail: if v.valid {
                v.detail.clone()
            } else {
                format!("the commit {}", v.detail)
            },
        });
        SignatureBlock {
            section: proof.section.clone(),
            by: proof.by.clone(),
            name: person.map_or_else(|| proof.by.clone(), |p| p.name.value.clone()),
            roles: person.map_or_else(Vec::new, |p| {
                p.roles.iter().map(|r| r.as_str().to_string()).collect()
            }),
            date,
            time: commit.map(|c| c.committer.display_at(model.config.company.offset_seconds)),
            meaning: proof.meaning.clone(),
            commit: commit.map(|c| c.id.clone()),
            status: proof.status.clone(),
            state: proof.shown().as_str(),
            blob: proof.blob.clone(),
            sha256: proof.sha256.clone(),
            covers: CoversView::of(&proof.covers, history),
            ssh,
            timestamp: proof
                .commit
                .and_then(|c| history.stamps.trusted_time(c))
                .map(|t| TimestampView {
                    time: crate::history::time_at(t.gen_time, offset),
                    tsa: t.tsa_subject.clone(),
                }),
        }
    }
}

/// Build the log of the record `id` (or of a file path below the root).
pub fn log(model: &Model, history: &History, id: &str) -> Result<Log> {
    if let Some(why) = &history.unavailable {
        return Err(Error::Git(format!(
            "no history to show ({}); docket log needs the full git history",
            why.describe()
        )));
    }
    let file = history.find_record(id).ok_or_else(|| {
        Error::Usage(format!(
            "no record {id} in the git history of this records repository"
        ))
    })?;
    let revisions = crate::history::timeline(history, model, file)?;
    let signed: Vec<Signed> = model
        .signed_sections()
        .into_iter()
        .filter(|s| s.meta.file == file.path)
        .collect();
    let signatures = signature_proofs(history, &file.path)
        .into_iter()
        .map(|p| SignatureBlock::new(p, &signed, model, history))
        .collect();
    Ok(Log {
        record: crate::load::stem(&file.path).to_string(),
        file: file.path.clone(),
        revisions,
        signatures,
    })
}

/// The proofs of the signed sections of `file`, in the order they are
/// shown.
fn signature_proofs<'h>(history: &'h History, file: &str) -> Vec<&'h Proof> {
    history
        .proofs
        .sections
        .iter()
        .filter(|p| p.file == file)
        .collect()
}

/// `docket log`: load, read the history, and print the log; with
/// `no_cache`, everything from git and no cache read or written.
pub fn run(root: &Path, id: &str, format: Format, no_cache: bool) -> Result<String> {
    let loaded = crate::load::load(root)?;
    let (model, findings) = crate::model::build(loaded);
    super::fail_closed(&findings)?;
    let mut history = History::open_with(root, None, !no_cache)?;
    crate::history::prove_only(&mut history, &model, Some(id))?;
    // Only this record's signing commits have proofs, so only their
    // tokens are read and verified.
    history.stamps = crate::tsa::stamps(&model.guard, &history, &model.config);
    crate::history::judge_revoked_on_trusted_time(
        &mut history,
        model.config.timestamps.policy,
        model.config.company.offset_seconds,
    )?;
    let log = log(&model, &history, id)?;
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(&log).expect("log serializes") + "\n",
        Format::Human => {
            let proofs = signature_proofs(&history, &log.file);
            human(&log, &proofs, &history)
        }
    })
}

fn human(log: &Log, proofs: &[&Proof], history: &History) -> String {
    let mut out = format!("{}  {}\n", log.record, log.file);
    for r in &log.revisions {
        out.push('\n');
        match (&r.commit, &r.author) {
            (Some(id), Some(a)) => out.push_str(&format!(
                "commit {}  {}  {} <{}>  {}\n",
                crate::history::short(id),
                r.time.as_deref().unwrap_or_default(),
                a.name,
                a.email,
                r.signature
                    .as_ref()
                    .map(|s| s.describe())
                    .unwrap_or_default()
            )),
            _ => out.push_str("working tree (not committed)\n"),
        }
        out.push_str(&format!("    {}\n", r.summary));
        match &r.change {
            Change::Added => out.push_str("    added the file\n"),
            Change::Deleted => out.push_str("    deleted the file\n"),
            Change::Moved(from) => out.push_str(&format!("    moved from {from}\n")),
            Change::Modified => {}
        }
        if let Some(why) = &r.parse {
            out.push_str(&format!("    not read (parse): {why}\n"));
        }
        for c in &r.changes {
            out.push_str(&format!("    {c}\n"));
        }
    }
    if !log.signatures.is_empty() {
        out.push_str("\nsignatures:\n");
        for (b, p) in log.signatures.iter().zip(proofs) {
            let mut when = match (&b.commit, &b.time) {
                (Some(c), Some(t)) => format!(", commit {} at {t}", crate::history::short(c)),
                _ => String::new(),
            };
            if let Some(ts) = &b.timestamp {
                when.push_str(&format!(", timestamped {} by {}", ts.time, ts.tsa));
            }
            out.push_str(&format!(
                "  {}: {} ({}, {}), dated {}{when}\n    meaning: {}\n    {}\n",
                b.section,
                b.name,
                b.by,
                b.roles.join(", "),
                b.date,
                b.meaning,
                crate::render::signature_words(p, Language::En, history)
            ));
            let covers = match &b.covers {
                CoversView::Current => "covers current version".to_string(),
                CoversView::Stale { since, fields } => format!(
                    "stale since {}: {}",
                    since
                        .as_deref()
                        .map_or("the working tree", crate::history::short),
                    fields.join(", ")
                ),
            };
            out.push_str(&format!("    covers: {covers}\n"));
            if let Some(blob) = &b.blob {
                out.push_str(&format!("    blob: {blob}\n"));
            }
            if let Some(sha) = &b.sha256 {
                out.push_str(&format!("    sha256: {sha}\n"));
            }
        }
    }
    out
}
