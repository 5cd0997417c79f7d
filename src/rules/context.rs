//! What a rule is given: the [`Context`] it may look at and the [`Sink`]
//! it reports into. They sit apart from the registry (`mod.rs`) so the rule
//! files depend on them and the registry depends on the rule files, never
//! the other way round.

use crate::finding::{Finding, Message, Pos, RuleId};
use crate::history::{History, Proof};
use crate::model::{Meta, Model, Person, Record, SignaturePolicy};
use jiff::civil::Date;

/// What every rule may look at.
pub struct Context<'a> {
    pub model: &'a Model,
    /// "Today" for date rules: `--as-of`, `SOURCE_DATE_EPOCH`, or the clock.
    pub as_of: Date,
    /// The git history, when it was read (`None`: not asked for, as when
    /// checking an old revision's files in a temporary folder).
    pub history: Option<&'a History>,
    /// The proof of each signed section, by (file, section).
    proofs: crate::Lookup<(&'a str, &'a str), &'a Proof>,
    /// Each signed section's record and the position of its `by`, by
    /// file and section ([`Context::location`]): made once, for the rules
    /// that point at a signature, not once for each.
    locations: std::sync::OnceLock<Locations<'a>>,
}

type Locations<'a> =
    crate::Lookup<&'a str, crate::Lookup<String, (&'a crate::model::Meta, crate::finding::Pos)>>;

impl<'a> Context<'a> {
    pub fn new(model: &'a Model, as_of: Date, history: Option<&'a History>) -> Context<'a> {
        let proofs = history
            .filter(|h| h.unavailable.is_none())
            .map(|h| {
                h.proofs
                    .sections
                    .iter()
                    .map(|p| ((p.file.as_str(), p.section.as_str()), p))
                    .collect()
            })
            .unwrap_or_default();
        Context {
            model,
            as_of,
            history,
            proofs,
            locations: std::sync::OnceLock::new(),
        }
    }

    /// The record of the signed section `section` of `file`, and the
    /// position of its `by`.
    pub fn location(
        &self,
        file: &str,
        section: &str,
    ) -> Option<(&'a crate::model::Meta, crate::finding::Pos)> {
        let locations = self.locations.get_or_init(|| {
            let mut by_file: Locations<'a> = Default::default();
            for s in self.model.signed_sections() {
                by_file
                    .entry(s.meta.file.as_str())
                    .or_default()
                    .insert(s.path, (s.meta, s.sign.by.pos));
            }
            by_file
        });
        locations.get(file)?.get(section).copied()
    }

    /// The history, when it is complete enough to judge by (there is a
    /// repository and it is not a shallow clone).
    pub fn usable_history(&self) -> Option<&'a History> {
        self.history.filter(|h| h.unavailable.is_none())
    }

    /// The proof of a signed section (`review`, `extra_review[1]`) of the
    /// record `meta` describes, when history was read.
    pub fn proof(&self, meta: &Meta, section: &str) -> Option<&'a Proof> {
        self.proofs.get(&(meta.file.as_str(), section)).copied()
    }

    /// When a signed section was signed: the calendar day (company zone)
    /// of its signature commit's committer time, where the policy in force
    /// for that commit judges commits at all (`author` or `ssh`; under
    /// `none` nothing a commit says is trusted, dates included).
    pub fn signed_on(&self, meta: &Meta, section: &str) -> Option<Date> {
        let h = self.usable_history()?;
        let c = self.proof(meta, section)?.commit?;
        if h.regime_for(c).signatures == SignaturePolicy::None {
            return None;
        }
        h.commits[c].signed_on(self.model.config.company.offset_seconds)
    }

    /// The date a signed step counts from in every timeliness rule: the
    /// later of its written date and the day it was signed. A review
    /// committed 17 days late with a date inside the deadline is 17 days
    /// late.
    pub fn effective_date(&self, meta: &Meta, section: &str, written: Date) -> Date {
        self.signed_on(meta, section)
            .map_or(written, |signed| signed.max(written))
    }

    /// The person `by` as the policy in force for the section's signature
    /// judges them: from people.toml as it was at its signature commit (the
    /// one in force now for a section not yet committed), or, without
    /// history, the working tree's.
    pub fn signer(&self, meta: &Meta, section: &str, by: &str) -> Option<&'a Person> {
        let Some(h) = self.usable_history().filter(|h| h.governance.ready) else {
            return self.model.person(by);
        };
        let regime = match self.proof(meta, section).and_then(|p| p.commit) {
            Some(c) => h.regime_for(c),
            None => h.governance.current(),
        };
        regime.person(by)
    }
}

/// Collects the findings of one rule: the rule is given once, when the
/// registry runs the check, so a check cannot report under another's id.
pub struct Sink {
    rule: RuleId,
    findings: Vec<Finding>,
}

impl Sink {
    pub fn new(rule: RuleId) -> Sink {
        Sink {
            rule,
            findings: Vec::new(),
        }
    }

    /// A finding about `record`, at `pos` in its file.
    pub fn at(&mut self, record: &impl Record, pos: Pos, message: Message) {
        self.about(record.meta(), Some(pos), message);
    }

    /// A finding about the record `meta` describes.
    pub fn about(&mut self, meta: &Meta, pos: Option<Pos>, message: Message) {
        self.findings.push(
            Finding::new(self.rule, &meta.file, pos, message).with_record(meta.id.value.clone()),
        );
    }

    /// A finding about a file (below the records root) that is no record
    /// of the model: a deleted one, or `docket.toml` itself. `record` names
    /// the record the file held, if it was one.
    pub fn file(&mut self, file: &str, record: Option<&str>, message: Message) {
        let mut f = Finding::new(self.rule, file, None, message);
        if let Some(id) = record {
            f = f.with_record(id);
        }
        self.findings.push(f);
    }

    /// A finding made whole by the rule (a pinned severity); it must be of
    /// this sink's rule.
    pub fn push(&mut self, f: Finding) {
        debug_assert_eq!(f.rule, self.rule);
        self.findings.push(f);
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}
