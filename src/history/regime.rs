//! The policy in force: the people (emails, keys, roles, departments,
//! leaving days) and the signature settings a commit is judged by.
//!
//! A signature is judged by `people.toml` and `docket.toml` as they were
//! when it was made (DESIGN 8.1; docs/history.md), never by today's: a key
//! a sales person slips into the GM's entry today must not prove a review
//! "signed" yesterday, and a key the GM retires today must not unprove
//! last year's approvals. Which version was in force, and which changes
//! took effect at all, is the governance timeline's business
//! (`governance.rs`); this file is what one version says, and the
//! judgements every user of it shares: who a commit's author is, whether
//! they had left, and whether an SSH signature is theirs, made with a key
//! valid at the signing time.

use super::sig::{Keyring, SignatureCheck};
use crate::finding::{Message, RuleId, Severity};
use crate::model::{Config, Person, Role, SignaturePolicy, person_by_email_in, person_in};
use crate::msg;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The rules whose severity comes from the policy in force, not from the
/// working tree: an ungoverned `signature-unproven = "off"` must not
/// silence the finding about the signature it was meant to hide.
pub const SIGNATURE_RULES: &[RuleId] = &[
    RuleId::SignatureUnproven,
    RuleId::SignatureBroken,
    RuleId::SignatureTime,
    RuleId::GovernanceUnproven,
    RuleId::ReviewRole,
];

/// One version of the policy: what people.toml and the signature settings
/// of docket.toml said after a governed change.
#[derive(Debug, Serialize)]
pub struct Regime {
    pub people: Vec<Person>,
    pub signatures: SignaturePolicy,
    pub tolerance_days: u32,
    pub governance: Vec<Role>,
    /// `[rules]` overrides of [`SIGNATURE_RULES`].
    pub rules: BTreeMap<RuleId, Option<Severity>>,
    /// The people's keys, parsed on first use.
    #[serde(skip)]
    keyring: OnceLock<Keyring>,
}

impl Default for Regime {
    fn default() -> Regime {
        Regime::new(&Config::default(), Vec::new())
    }
}

impl Clone for Regime {
    fn clone(&self) -> Regime {
        Regime {
            people: self.people.clone(),
            signatures: self.signatures,
            tolerance_days: self.tolerance_days,
            governance: self.governance.clone(),
            rules: self.rules.clone(),
            keyring: OnceLock::new(),
        }
    }
}

impl Regime {
    pub fn new(config: &Config, people: Vec<Person>) -> Regime {
        Regime {
            people,
            signatures: config.policy.signatures,
            tolerance_days: config.policy.date_tolerance_days,
            governance: config.policy.governance.clone(),
            rules: config
                .rules
                .iter()
                .filter(|(r, _)| SIGNATURE_RULES.contains(r))
                .map(|(r, s)| (*r, *s))
                .collect(),
            keyring: OnceLock::new(),
        }
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        person_in(&self.people, id)
    }

    pub fn by_email(&self, email: &str) -> Option<&Person> {
        person_by_email_in(&self.people, email)
    }

    pub fn keyring(&self) -> &Keyring {
        self.keyring.get_or_init(|| Keyring::new(&self.people))
    }

    /// Whether `p` holds a role that may change the controlled documents.
    pub fn governs(&self, p: &Person) -> bool {
        self.governance.iter().any(|r| p.has_role(*r))
    }

    /// "gm", "gm or qc": the governance roles, for messages.
    pub fn governance_roles(&self) -> String {
        let names: Vec<&str> = self.governance.iter().map(|r| r.as_str()).collect();
        names.join(" or ")
    }

    /// The governance roles in Chinese: "總經理或品管".
    pub fn governance_roles_zh(&self) -> String {
        crate::lexicon::roles(self.governance.iter().map(|r| r.as_str()))
    }

    /// A commit's author (`name`, `email` as git has them) as messages
    /// name them: "Wang Daming (wang.gm)", or the name and email when
    /// people.toml has no such person.
    pub fn who(&self, name: &str, email: &str) -> String {
        match self.by_email(email) {
            Some(p) => p.named(),
            None => format!("{name} <{email}>"),
        }
    }

    /// The tolerance in seconds.
    pub fn tolerance_seconds(&self) -> i64 {
        i64::from(self.tolerance_days) * 86_400
    }

    /// Whether the SSH signature `check` proves that `by` made the commit
    /// on `day` (the signing time's date): it must verify with a key `by`
    /// holds here, inside the key's window, and neither here nor in
    /// `revoked_later` (the revocation of a later governed people.toml,
    /// which reaches back) revoked by that day. `Err` is the rest of a
    /// sentence about the commit: "is unsigned", "is signed with ...".
    pub fn ssh_proof(
        &self,
        check: &SignatureCheck,
        by: &str,
        day: Option<Date>,
        revoked_later: Option<Date>,
    ) -> Result<Message, Message> {
        let SignatureCheck::Valid {
            person: holder,
            fingerprint,
        } = check
        else {
            let d = check.described();
            return Err(msg!("is {en}", "{zh}"; en = &d.en, zh = &d.zh));
        };
        let named = |id: &str| {
            self.person(id)
                .map_or_else(|| id.to_string(), Person::named)
        };
        let Some(key) = self.keyring().key_of(by, fingerprint) else {
            return Err(msg!(
                "is signed with {holder}'s key {fingerprint}, not one of {by}'s keys",
                "是以 {zholder} 的金鑰 {fingerprint} 簽章，不是 {zby} 的金鑰";
                zholder = named(holder),
                zby = named(by)
            ));
        };
        if let Some(day) = day {
            if let Some(why) = key.outside_window(day) {
                return Err(msg!(
                    "is signed on {day} with {by}'s key {fingerprint}, but {en}",
                    "於 {day} 以 {zby} 的金鑰 {fingerprint} 簽章，但{zh}";
                    en = &why.en,
                    zh = &why.zh,
                    zby = named(by)
                ));
            }
            let later = revoked_later.filter(|r| day >= *r);
            if let Some(r) = key.revoked_on(day).or(later) {
                return Err(msg!(
                    "is signed on {day} with {by}'s key {fingerprint}, which is revoked from {r}",
                    "於 {day} 以 {zby} 的金鑰 {fingerprint} 簽章，此金鑰自 {r} 起已撤銷";
                    zby = named(by)
                ));
            }
        }
        Ok(msg!(
            "SSH signature by {by}'s key {fingerprint}",
            "{zby} 的金鑰 {fingerprint} 所做的 SSH 簽章";
            zby = named(by)
        ))
    }
}

/// When `p` had left by the time of a commit signed on `signed` and
/// authored on `authored` (calendar days in the company's zone): their
/// `left` day and the later of the two, if that is after it. Both count: a
/// backdated author date must not hide a signature made after leaving, nor
/// a backdated committer date one authored after it.
pub fn left_by(p: &Person, signed: Option<Date>, authored: Option<Date>) -> Option<(Date, Date)> {
    let left = p.left?;
    let day = signed.into_iter().chain(authored).max()?;
    (day > left).then_some((left, day))
}
