//! Computing the governance timeline (`governance.rs` says what it is):
//! one walk along the first-parent line, oldest first, reading each
//! revision of a controlled document and judging the commit that brought
//! it under the policy in force before it; and, from the timeline, the
//! policy in force for any commit.

use super::controlled::{self, CONTROLLED, Content};
use super::governance::{Event, FileChange, Governance, Listed, Status};
use super::index::{Commit, History, Revision};
use super::regime::{Regime, left_by};
use super::repo::Objects;
use crate::error::Result;
use crate::finding::Message;
use crate::model::{Config, Person, SignaturePolicy};
use crate::msg;
use std::collections::{BTreeMap, HashSet};

impl History {
    /// The policy in force for commit `c`: for a first-parent commit, the
    /// one its first parent was under (a commit's own change to
    /// people.toml never proves the commit itself; the root commit, with
    /// no parent, is judged by its own tree); for a commit a merge brought
    /// in, the one at the newest first-parent commit it descends from.
    pub fn regime_for(&self, c: usize) -> &Regime {
        let commit = &self.commits[c];
        let upto = match (commit.line, commit.fork, commit.via) {
            (Some(p), ..) => Some(p.saturating_sub(1)),
            (None, Some(f), _) => Some(f),
            (None, None, Some(v)) => v.checked_sub(1),
            (None, None, None) => None,
        };
        self.governance.after(upto)
    }
}

impl History {
    /// For a commit a merge brought in, when the policy in force for the
    /// merge is another than the one where its branch left the main line
    /// (which it is judged by): the ids of the fork and of the merge, and
    /// the merge's policy, which must prove it too ([`History::proven_under`]).
    /// Where a branch forks is its author's choice, so a branch based on a
    /// commit from before the GM moved the company to "ssh", removed a key
    /// or a role, or recorded a leaving, would otherwise be judged as if
    /// that had not happened.
    pub fn rules_changed_since_fork(&self, c: usize) -> Option<(&str, &str, &Regime)> {
        let commit = &self.commits[c];
        let (None, Some(fork), Some(via)) = (commit.line, commit.fork, commit.via) else {
            return None;
        };
        let at_merge = self.governance.after(via.checked_sub(1));
        if std::ptr::eq(self.regime_for(c), at_merge) {
            return None;
        }
        let id = |p: usize| {
            self.at_position(p)
                .map_or("", |i| self.commits[i].id.as_str())
        };
        Some((id(fork), id(via), at_merge))
    }

    /// [`Regime::ssh_proof`] of `check` under `regime`, with the
    /// revocation of its key that the people.toml in force now records:
    /// a key revoked later counts under every policy that judges it.
    pub(super) fn ssh_proof_now(
        &self,
        regime: &Regime,
        check: &super::sig::SignatureCheck,
        by: &str,
        signed_on: Option<jiff::civil::Date>,
    ) -> std::result::Result<Message, Message> {
        let revoked_now = match check {
            super::sig::SignatureCheck::Valid { fingerprint, .. } => {
                self.governance.current().keyring().revoked(fingerprint)
            }
            _ => None,
        };
        regime.ssh_proof(check, by, signed_on, revoked_now)
    }

    /// Whether commit `c` proves `by`'s signature under `regime` too (the
    /// policy in force for the merge that brought it in, where that
    /// judges otherwise than the one at its fork): its author is `by`,
    /// who had not left, and under "ssh" its signature is made with a key
    /// of `by`'s in `regime`, valid on the signing day. `Err` says why
    /// not. The fork's verdict already told broken from unproven.
    pub fn proven_under(
        &self,
        objects: &Objects,
        regime: &Regime,
        c: usize,
        by: &str,
        offset: i32,
    ) -> Result<std::result::Result<(), Message>> {
        if regime.signatures == SignaturePolicy::None {
            return Ok(Ok(()));
        }
        let commit = self.commit_object(objects, c)?;
        let Some(person) = regime
            .by_email(&commit.author.email)
            .filter(|p| p.id.value == by)
        else {
            return Ok(Err(msg!(
                "its author {email} is not {by}'s in people.toml there",
                "其作者 {email} 在該處的 people.toml 中不屬於 {by}";
                email = &commit.author.email
            )));
        };
        // A role the signer held at the fork and no longer holds at the
        // merge: the rules that ask for roles read the fork's policy.
        let at_fork = self.regime_for(c).person(by);
        let lost: Vec<&str> = at_fork
            .map(|p| {
                p.roles
                    .iter()
                    .filter(|r| !person.has_role(**r))
                    .map(|r| r.as_str())
                    .collect()
            })
            .unwrap_or_default();
        if !lost.is_empty() {
            return Ok(Err(msg!(
                "{by} no longer holds role {roles} there",
                "{by} 在該處已不再擔任 {roles}";
                roles = lost.join(", ")
            )));
        }
        let signed_on = commit.signed_on(offset);
        if let Some((left, day)) = left_by(person, signed_on, commit.author.date_at(offset)) {
            return Ok(Err(msg!(
                "it was committed on {day}, after {by} left on {left}",
                "於 {day} 提交，晚於 {by} 的離職日 {left}"
            )));
        }
        if regime.signatures == SignaturePolicy::Author {
            return Ok(Ok(()));
        }
        let check = self.check_by(regime.keyring(), objects, c, &self.commits[c]);
        Ok(self
            .ssh_proof_now(regime, &check, by, signed_on)
            .map(|_| ())
            .map_err(|why| {
                msg!(
                    "policy \"ssh\" needs an SSH signature by {by}, but the commit {en}",
                    "簽核政策 \"ssh\" 需要 {by} 的 SSH 簽章，但該提交{zh}";
                    en = &why.en,
                    zh = &why.zh
                )
            }))
    }

    /// Whether commit `c`'s SSH signature proves that `by` made it on
    /// `signed_on` (its signing day), under the policy in force for it:
    /// made with a key `by` holds there, inside the key's window, and not
    /// revoked by that day, there or in the people.toml in force now (a key
    /// found stolen stops proving what it signed since the day it was).
    /// The signature part of a proof alone, which `git verify-commit` with
    /// the exported allowed_signers judges too; `Err` is the rest of a
    /// sentence ("is unsigned").
    pub fn ssh_verdict(
        &self,
        objects: &Objects,
        c: usize,
        by: &str,
        signed_on: Option<jiff::civil::Date>,
    ) -> Result<Message, Message> {
        let regime = self.regime_for(c);
        // A key stops signing for someone who has left (the allowed_signers
        // of `docket export` ends it the day after `left`).
        if let Some(p) = regime.person(by)
            && let Some((left, day)) = left_by(p, signed_on, None)
        {
            return Err(msg!(
                "is signed on {day}, after {by} left on {left}",
                "於 {day} 簽章，晚於 {name} 的離職日 {left}";
                name = p.named()
            ));
        }
        self.ssh_proof_now(regime, &self.signature(objects, c), by, signed_on)
    }
}

/// The versions in force of the controlled documents, as the walk goes.
struct InForce {
    config: Config,
    people: Vec<Person>,
    procedure: Option<String>,
    /// TSA certificate files by path: the SHA-256 of each.
    certificates: BTreeMap<String, String>,
}

/// Compute the governance timeline of `history` (company times at
/// `offset_seconds`). Reads the controlled documents' revisions and the
/// judged commits from git; does nothing without commits, or twice.
pub fn govern(history: &mut History, offset_seconds: i32) -> Result<()> {
    if history.unavailable.is_some() || history.head.is_none() || history.governance.ready {
        return Ok(());
    }
    let objects = history.objects()?;
    let h: &History = history;
    let mut gov = Governance {
        ready: true,
        ..Governance::default()
    };
    let mut now = InForce {
        config: Config::default(),
        people: Vec::new(),
        procedure: None,
        certificates: BTreeMap::new(),
    };
    let mut booting = true;
    for (position, revisions) in by_position(h) {
        let Some(commit) = h.at_position(position) else {
            continue;
        };
        // Who made the commit and how it is signed, from the object.
        let judged = h.commit_object(&objects, commit)?;
        let regime = gov.regimes.last().map_or(&gov.initial, |(_, r)| r);
        let verdict = if booting {
            Status::Bootstrap
        } else if regime.signatures == SignaturePolicy::None {
            Status::Recorded
        } else {
            judge(regime, h, &objects, (commit, &judged), offset_seconds)
        };
        let mut files = Vec::new();
        let mut policy_changed = false;
        for (file, rev) in revisions {
            let content = controlled::read(&objects, file, rev.blob.as_deref())?;
            let (changes, status) = apply(&mut now, file, content, &verdict);
            policy_changed |= status.in_effect() && matches!(file, "people.toml" | "docket.toml");
            files.push(FileChange {
                file: file.to_string(),
                made_in: rev.commit,
                status,
                changes,
                superseded: false,
            });
        }
        if policy_changed {
            gov.regimes
                .push((position, Regime::new(&now.config, now.people.clone())));
        }
        if booting {
            let r = Regime::new(&now.config, now.people.clone());
            booting = !now.people.iter().any(|p| r.governs(p));
        }
        gov.events.push(Event {
            position,
            commit,
            files,
        });
    }
    supersede(&mut gov.events);
    history.governance = gov;
    Ok(())
}

/// The revisions of the controlled documents by the first-parent position
/// that brought them, oldest first; per position and file, the newest
/// revision (what the line holds after that commit).
fn by_position(h: &History) -> BTreeMap<usize, Vec<(&str, &Revision)>> {
    let mut out: BTreeMap<usize, Vec<(&str, &Revision)>> = BTreeMap::new();
    let certificates = h
        .files
        .keys()
        .map(String::as_str)
        .filter(|f| controlled::is_certificate(f));
    for file in CONTROLLED.into_iter().chain(certificates) {
        // Every history that ends at the path: two can (an add/add merge,
        // an unrelated history merged in with its own people.toml), and
        // judging only the one the path holds took the other's versions
        // for none, and its first revision for a new bootstrap. Of the
        // others, only what the main line held counts: a branch's version
        // the merge did not keep was never in force. The one the path
        // holds comes first, so its revision stands for a commit both saw.
        let at_path = h
            .files
            .range::<str, _>((std::ops::Bound::Included(file), std::ops::Bound::Unbounded))
            .take_while(|(key, _)| key.starts_with(file))
            .filter(|(_, fh)| fh.path == file);
        let mut seen = HashSet::new();
        for (key, rev) in at_path.flat_map(|(key, fh)| fh.revisions.iter().map(move |r| (key, r))) {
            let c = &h.commits[rev.commit];
            let position = if key == file {
                c.line.or(c.via)
            } else {
                c.line
            };
            let Some(position) = position else {
                continue;
            };
            if seen.insert(position) {
                out.entry(position).or_default().push((file, rev));
            }
        }
    }
    out
}

/// Judge the commit that changed a controlled document under the policy
/// in force before it.
fn judge(
    regime: &Regime,
    h: &History,
    objects: &Objects,
    (i, c): (usize, &Commit),
    offset: i32,
) -> Status {
    let Some(p) = regime.by_email(&c.author.email) else {
        return Status::Unproven(msg!(
            "its author {name} <{email}> is not in people.toml",
            "其作者 {name} <{email}> 不在 people.toml 中";
            name = &c.author.name,
            email = &c.author.email
        ));
    };
    if !regime.governs(p) {
        return Status::Unproven(msg!(
            "{name} does not hold role {roles}, which changes to the controlled documents need",
            "{name} 不具受控文件變更所需的{zroles}角色";
            name = p.named(),
            roles = regime.governance_roles(),
            zroles = regime.governance_roles_zh()
        ));
    }
    if let Some((left, day)) = left_by(p, c.signed_on(offset), c.author.date_at(offset)) {
        return Status::Unproven(msg!(
            "{name} left on {left}, before the commit ({day})",
            "{name} 已於 {left} 離職，早於此提交（{day}）";
            name = p.named()
        ));
    }
    if regime.signatures != SignaturePolicy::Ssh {
        return Status::Proven(msg!(
            "commit author {email}",
            "提交作者 {email}";
            email = &c.author.email
        ));
    }
    let check = h.check_by(regime.keyring(), objects, i, c);
    match regime.ssh_proof(&check, &p.id, c.signed_on(offset), None) {
        Ok(how) => Status::Proven(how),
        Err(rest) => Status::Unproven(msg!(
            "policy \"ssh\" needs the commit SSH-signed by {name}, but it {en}",
            "簽核政策 \"ssh\" 需要此提交由 {name} 做 SSH 簽章，但此提交{zh}";
            name = p.named(),
            en = &rest.en,
            zh = &rest.zh
        )),
    }
}

/// Describe `content` against the version in force and, if `verdict`
/// lets it and it reads, put it in force.
fn apply(
    now: &mut InForce,
    file: &str,
    content: Content,
    verdict: &Status,
) -> (Vec<Message>, Status) {
    let changes = match &content {
        Content::Config(c) => controlled::config_changes(&now.config, c),
        Content::People(p) => controlled::people_changes(&now.people, p),
        Content::Procedure(t) => controlled::procedure_changes(now.procedure.as_deref(), t),
        Content::Certificate(sha) => vec![match now.certificates.get(file) {
            Some(old) => msg!(
                "TSA certificate {file} replaced: SHA-256 {old} -> {sha}",
                "TSA 憑證 {file} 更換：SHA-256 {old} → {sha}"
            ),
            None => msg!(
                "TSA certificate {file} added: SHA-256 {sha}",
                "新增 TSA 憑證 {file}：SHA-256 {sha}"
            ),
        }],
        Content::Deleted => vec![msg!("{file} deleted", "{file} 已刪除")],
        Content::Unreadable(_) => Vec::new(),
    };
    if !verdict.in_effect() {
        return (changes, verdict.clone());
    }
    match content {
        Content::Config(c) => now.config = *c,
        Content::People(p) => now.people = p,
        Content::Procedure(t) => now.procedure = Some(t),
        Content::Certificate(sha) => {
            now.certificates.insert(file.to_string(), sha);
        }
        Content::Deleted => match file {
            // docket does not run without them, so their deletion is never
            // in force: a policy of no people would leave nobody to govern
            // the file put back, for good.
            "docket.toml" | "people.toml" => {
                let why = msg!(
                    "{file} was deleted, and docket cannot run without it, so the deletion \
                     cannot take effect; commit the file back",
                    "{file} 被刪除，而 docket 不能沒有它，因此刪除不能生效；請把檔案提交回來"
                );
                return (changes, refused(verdict, why));
            }
            "procedure.md" => now.procedure = None,
            _ => {
                now.certificates.remove(file);
            }
        },
        Content::Unreadable(why) => {
            let why = msg!(
                "the new {file} does not read ({why}), so it cannot take effect",
                "新的 {file} 無法讀取（{why}），因此不能生效"
            );
            return (changes, refused(verdict, why));
        }
    }
    (changes, verdict.clone())
}

/// The status of a change that cannot take effect, for `why`: unproven,
/// except in the bootstrap, where nobody is judged (and what cannot take
/// effect still does not).
fn refused(verdict: &Status, why: Message) -> Status {
    match verdict {
        Status::Bootstrap => Status::Bootstrap,
        _ => Status::Unproven(why),
    }
}

/// Mark the changes a later change of the same file took over.
fn supersede(events: &mut [Event]) {
    let mut taken_over: HashSet<String> = HashSet::new();
    for e in events.iter_mut().rev() {
        for f in &mut e.files {
            f.superseded = taken_over.contains(&f.file);
        }
        for f in &e.files {
            if f.status.in_effect() {
                taken_over.insert(f.file.clone());
            }
        }
    }
}

impl History {
    /// Every governance change the first-parent commits since `base`
    /// brought (those `base` does not reach), oldest first, proven or not:
    /// what a reviewer of the range must see first. Times are shown at
    /// `offset_seconds`.
    pub fn governance_since(
        &self,
        repo: &git2::Repository,
        base: git2::Oid,
        offset_seconds: i32,
    ) -> Result<Vec<Listed>> {
        let mut out = Vec::new();
        for e in &self.governance.events {
            let judged = &self.commits[e.commit];
            let id = git2::Oid::from_str(&judged.id)
                .map_err(|err| crate::Error::object("commit", &judged.id, "", &err))?;
            if id == base || repo.graph_descendant_of(base, id).unwrap_or(false) {
                continue;
            }
            out.extend(self.listed(e, offset_seconds));
        }
        Ok(out)
    }

    /// Every governance change, oldest first, as [`History::governance_since`]
    /// lists them: the audit page's governance log.
    pub fn governance_log(&self, offset_seconds: i32) -> Vec<Listed> {
        self.governance
            .events
            .iter()
            .flat_map(|e| self.listed(e, offset_seconds))
            .collect()
    }

    /// The changes of one event, one per file.
    fn listed(&self, e: &Event, offset_seconds: i32) -> Vec<Listed> {
        let judged = &self.commits[e.commit];
        let regime = self.regime_for(e.commit);
        let who = |c: &Commit| regime.who(&c.author.name, &c.author.email);
        e.files
            .iter()
            .map(|f| {
                let made = &self.commits[f.made_in];
                let merged = f.made_in != e.commit;
                Listed {
                    file: f.file.to_string(),
                    commit: judged.id.clone(),
                    made_in: made.id.clone(),
                    author: who(made),
                    merged_by: merged.then(|| who(judged)),
                    time: judged.committer.display_at(offset_seconds),
                    status: f.status.as_str(),
                    reason: match &f.status {
                        Status::Proven(how) => Some(how.en.clone()),
                        Status::Unproven(why) => Some(why.en.clone()),
                        _ => None,
                    },
                    reason_zh: match &f.status {
                        Status::Proven(how) => Some(how.zh.clone()),
                        Status::Unproven(why) => Some(why.zh.clone()),
                        _ => None,
                    },
                    changes: f.changes.clone(),
                }
            })
            .collect()
    }
}
