//! What a rule is given: the [`Context`] it may look at and the [`Sink`]
//! it reports into. They sit apart from the registry (`mod.rs`) so the rule
//! files depend on them and the registry depends on the rule files, never
//! the other way round.

use crate::finding::{Finding, Pos, RuleId};
use crate::history::History;
use crate::model::{Meta, Model, Record};
use jiff::civil::Date;

/// What every rule may look at.
pub struct Context<'a> {
    pub model: &'a Model,
    /// "Today" for date rules: `--as-of`, `SOURCE_DATE_EPOCH`, or the clock.
    pub as_of: Date,
    /// The git history, when it was read (`None`: not asked for, as when
    /// checking an old revision's files in a temporary folder).
    pub history: Option<&'a History>,
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
    pub fn at(&mut self, record: &impl Record, pos: Pos, message: impl Into<String>) {
        self.about(record.meta(), Some(pos), message);
    }

    /// A finding about the record `meta` describes.
    pub fn about(&mut self, meta: &Meta, pos: Option<Pos>, message: impl Into<String>) {
        self.findings.push(
            Finding::new(self.rule, &meta.file, pos, message).with_record(meta.id.value.clone()),
        );
    }

    /// A finding about a file (below the records root) that is no record
    /// of the model: a deleted one, or `docket.toml` itself. `record` names
    /// the record the file held, if it was one.
    pub fn file(&mut self, file: &str, record: Option<&str>, message: impl Into<String>) {
        let mut f = Finding::new(self.rule, file, None, message);
        if let Some(id) = record {
            f = f.with_record(id);
        }
        self.findings.push(f);
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}
