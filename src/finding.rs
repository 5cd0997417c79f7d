//! Findings and the rule catalog: the vocabulary every stage shares.
//!
//! A finding is data, not an error: the loader, the model builder and the
//! rules all push findings into one list, and the report at the end decides
//! the exit status. The catalog below is the single registry of rule ids,
//! their default severity, the procedure clause they enforce and a one-line
//! summary. The ids are fixed (`[rules]` in docket.toml and CI scripts name
//! them), and `docket rules`, the README table and the site's rule catalog
//! are all generated from this table.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! catalog {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $sev:ident, $clause:literal, $summary:literal; )*) => {
        /// Every rule docket knows. The order is the catalog's display order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId { $( $(#[$doc])* $variant, )* }

        impl RuleId {
            pub const ALL: &'static [RuleId] = &[ $( RuleId::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( RuleId::$variant => $id, )* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $( RuleId::$variant => Severity::$sev, )* }
            }

            /// The procedure clause the rule enforces, `-` for format rules.
            pub fn clause(self) -> &'static str {
                match self { $( RuleId::$variant => $clause, )* }
            }

            pub fn summary(self) -> &'static str {
                match self { $( RuleId::$variant => $summary, )* }
            }

            pub fn from_name(name: &str) -> Option<RuleId> {
                match name { $( $id => Some(RuleId::$variant), )* _ => None }
            }
        }
    };
}

catalog! {
    Parse = "parse", Error, "-", "a file that is not valid TOML or not UTF-8 (or too large, empty, or unreadable)";
    Schema = "schema", Error, "-", "missing or unknown field, wrong type, bad enum value";
    IdMismatch = "id-mismatch", Error, "-", "id/part_number does not match the file stem or its pattern";
    DuplicateId = "duplicate-id", Error, "-", "two records with one id";
    UnknownRef = "unknown-ref", Error, "-", "a reference to a customer, product, order, person, survey, report or CAPA that does not exist";
    /// docket's addition to the fixed ids (docs/decisions.md): a file the
    /// loader cannot route to a kind.
    UnknownFile = "unknown-file", Warning, "-", "a file outside the known record folders, which docket does not read";
    AttachmentMissing = "attachment-missing", Error, "6", "an attachment listed by a record that is not there, or that points outside the records root";
    PartNumberUnique = "part-number-unique", Error, "1", "two products with the same name and spec, or one part number for two products";
    LineMismatch = "line-mismatch", Error, "4.2.1", "an order line whose product or spec differs from its part number's registry entry, or an obsolete part";
    CustomerIncomplete = "customer-incomplete", Error, "4.2.1 B", "a customer without address, contact or phone";
    ReviewMissing = "review-missing", Error, "4.2.1", "an order not reviewed review_within_days after receipt";
    ReviewRole = "review-role", Error, "3.3", "a review, or any signed section, by someone without the required role, or after they left";
    CapacityMissing = "capacity-missing", Error, "4.2.1 D", "a reviewed order without [capacity], or a new product without design_record";
    IllegibleApproved = "illegible-approved", Error, "4.2.1 A", "an approved order with legible = false";
    OralOrder = "oral-order", Error, "4.2.3", "an oral order without a valid path: no GM-signed flow sheet, no customer-confirmed flow sheet, or the written order missing after its due date";
    FlowsheetMissing = "flowsheet-missing", Error, "4.2.2 B", "an approved order with no flow sheet";
    ProducedUnapproved = "produced-unapproved", Error, "4.2.2", "a flow sheet for an order that is not approved (oral path 1 aside) or issued before the approval";
    FlowsheetOutdated = "flowsheet-outdated", Error, "4.4", "the latest revision of the flow sheet differs from the order's lines, or a change of the order is dated after the sheet was issued";
    ChangeUnnotified = "change-unnotified", Error, "4.4", "a change entry with no department notified";
    Overdue = "overdue", Warning, "4.3.2", "a line's delivery date has passed without delivery";
    RiskUnhandled = "risk-unhandled", Error, "4.3.2", "a follow-up with risk = true and no action";
    CapaStageOrder = "capa-stage-order", Error, "4.5.2", "a stage present while an earlier one is missing, dates going backwards, or closed after an ineffective verification";
    CapaStalled = "capa-stalled", Warning, "4.5.2", "a CAPA sitting in one stage longer than capa_stage_days";
    CapaSource = "capa-source", Error, "4.5.2", "source survey/usage-report without the link, or a written complaint not opened to QC";
    ComplaintWithoutCapa = "complaint-without-capa", Error, "4.5.2", "a usage report with complaint = true and no CAPA";
    SurveyMissing = "survey-missing", Error, "4.6.1", "an active customer with no survey for a past year, or for this year after survey_due";
    SurveyBelowTarget = "survey-below-target", Error, "4.6.3", "a returned survey under target without analysis and a CAPA";
    SurveySerious = "survey-serious", Error, "4.6.2", "an analysis marked serious without a CAPA";
    SurveyFeedbackMissing = "survey-feedback-missing", Warning, "4.6.2", "an analysed survey with no feedback to the customer after 30 days";
    PropertyUnverified = "property-unverified", Error, "4.7", "customer property without verified";
    PropertyIncidentUnreported = "property-incident-unreported", Error, "4.7", "an incident not reported to the customer";
    SignatureUnproven = "signature-unproven", Error, "3", "a signed section whose signature commit does not prove it under the policy";
    SignatureBroken = "signature-broken", Error, "3", "a signed section changed after signing by someone else";
    SignatureTime = "signature-time", Error, "3", "a written date far from the signing time, a backdated author date, or a signature after the signer left";
    ReviewStale = "review-stale", Error, "4.2.2 A", "the order's substance changed after the current review was signed";
    ChangeUnrecorded = "change-unrecorded", Error, "4.4", "the order's substance changed after a review with no [[change]] entry for it";
    RecordDeleted = "record-deleted", Error, "7.5.3", "a record file that existed in history is gone";
    GovernanceUnproven = "governance-unproven", Error, "7.5.3", "a change to people.toml, docket.toml or procedure.md not made by a governance role under the policy in force";
    HistoryTime = "history-time", Warning, "7.5.3", "commit times going backwards along history, or after the as-of date";
    /// docket's addition (docs/timestamps.md): follows `[timestamps]
    /// policy`, a warning under "optional", an error under "required".
    TimestampMissing = "timestamp-missing", Warning, "3", "a signing commit without a valid RFC 3161 timestamp token within_days after it (a warning under timestamps policy \"optional\", an error under \"required\")";
    HistoryRewritten = "history-rewritten", Error, "7.5.3", "the commit a previous build published is no longer in history";
    HistoryUnavailable = "history-unavailable", Warning, "-", "no git repository, a shallow clone, or uncommitted changes: history rules could not run on some files (the first two are errors under policy author or ssh)";
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// One thing wrong with the records. Severity is not stored here: it comes
/// from the catalog and `[rules]` when the report is made, in one place;
/// except where `[rules]` may not lower it (`pinned`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: RuleId,
    /// Relative to the records root, `/`-separated.
    pub file: String,
    pub pos: Option<Pos>,
    /// The record id, where the file held one that could be read.
    pub record: Option<String>,
    pub message: String,
    /// A severity `[rules]` cannot change or turn off: failing closed
    /// (a missing history under `author` or `ssh` is always an error, or
    /// a shallow clone could pass the gate by configuration).
    pub pinned: Option<Severity>,
}

impl Finding {
    pub fn new(
        rule: RuleId,
        file: impl Into<String>,
        pos: Option<Pos>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            file: file.into(),
            pos,
            record: None,
            message: message.into(),
            pinned: None,
        }
    }

    /// This finding with a severity `[rules]` cannot change.
    pub fn pinned(mut self, severity: Severity) -> Self {
        self.pinned = Some(severity);
        self
    }

    pub fn with_record(mut self, id: impl Into<String>) -> Self {
        self.record = Some(id.into());
        self
    }

    /// The order findings are reported in: by file, then position, then rule.
    pub fn sort_key(&self) -> (&str, Option<Pos>, RuleId, &str) {
        (&self.file, self.pos, self.rule, &self.message)
    }
}
