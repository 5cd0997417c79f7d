//! Stage 4: the rules, pure functions of the model, the history and the
//! as-of date.
//!
//! The catalog of ids, severities and clauses lives in [`crate::finding`];
//! this module holds the checks. Each record kind has a file, and each rule
//! in it is one documented function that pushes findings into a [`Sink`]
//! scoped to that rule. [`CHECKS`] is the registry that runs them; a rule
//! never stops at the first problem and never fails: whatever it cannot
//! judge it leaves alone. The rules that need git history get it through
//! [`Context::history`] and live in `history.rs` (`rewrites.rs` for the
//! one that compares the history with a published site); rules about
//! every kind (references, attachments, signers) are in `common.rs`.

mod capa;
mod common;
mod context;
mod history;
mod orders;
mod parties;
mod rewrites;
mod surveys;
mod timestamps;
mod trust;

use crate::finding::{Finding, RuleId};
pub use context::{Context, Sink};

/// One rule check: a function and the rule it may report.
pub type Check = fn(&Context, &mut Sink);

/// Every check, in catalog order. Format rules (`parse`, `schema`,
/// `id-mismatch`, `duplicate-id`, `unknown-file`) are reported while
/// loading and have no entry here.
pub const CHECKS: &[(RuleId, Check)] = &[
    (RuleId::UnknownRef, common::unknown_ref),
    (RuleId::AttachmentMissing, common::attachment_missing),
    (RuleId::PartNumberUnique, parties::part_number_unique),
    (RuleId::LineMismatch, orders::line_mismatch),
    (RuleId::CustomerIncomplete, parties::customer_incomplete),
    (RuleId::ReviewMissing, orders::review_missing),
    (RuleId::ReviewRole, common::review_role),
    (RuleId::CapacityMissing, orders::capacity_missing),
    (RuleId::IllegibleApproved, orders::illegible_approved),
    (RuleId::OralOrder, orders::oral_order),
    (RuleId::FlowsheetMissing, orders::flowsheet_missing),
    (RuleId::ProducedUnapproved, orders::produced_unapproved),
    (RuleId::FlowsheetOutdated, orders::flowsheet_outdated),
    (RuleId::ChangeUnnotified, orders::change_unnotified),
    (RuleId::Overdue, orders::overdue),
    (RuleId::RiskUnhandled, orders::risk_unhandled),
    (RuleId::CapaStageOrder, capa::capa_stage_order),
    (RuleId::CapaStalled, capa::capa_stalled),
    (RuleId::CapaSource, capa::capa_source),
    (
        RuleId::ComplaintWithoutCapa,
        parties::complaint_without_capa,
    ),
    (RuleId::SurveyMissing, surveys::survey_missing),
    (RuleId::SurveyBelowTarget, surveys::survey_below_target),
    (RuleId::SurveySerious, surveys::survey_serious),
    (
        RuleId::SurveyFeedbackMissing,
        surveys::survey_feedback_missing,
    ),
    (RuleId::PropertyUnverified, parties::property_unverified),
    (
        RuleId::PropertyIncidentUnreported,
        parties::property_incident_unreported,
    ),
    (RuleId::SignatureUnproven, history::signature_unproven),
    (RuleId::SignatureBroken, history::signature_broken),
    (RuleId::SignatureTime, trust::signature_time),
    (RuleId::ReviewStale, history::review_stale),
    (RuleId::ChangeUnrecorded, history::change_unrecorded),
    (RuleId::RecordDeleted, history::record_deleted),
    (RuleId::GovernanceUnproven, trust::governance_unproven),
    (RuleId::HistoryTime, trust::history_time),
    (RuleId::TimestampMissing, timestamps::timestamp_missing),
    (RuleId::HistoryRewritten, rewrites::history_rewritten),
    (RuleId::HistoryUnavailable, history::history_unavailable),
];

/// Run every enabled check. Checks are independent, so they run in
/// parallel; the caller sorts the findings. `history-unavailable` runs
/// even when turned off: where it fails closed its findings are pinned
/// errors that `[rules]` cannot silence.
pub fn run(cx: &Context) -> Vec<Finding> {
    use rayon::prelude::*;
    CHECKS
        .par_iter()
        .filter(|(rule, _)| {
            *rule == RuleId::HistoryUnavailable || cx.model.config.severity(*rule).is_some()
        })
        .flat_map_iter(|(rule, check)| {
            let mut sink = Sink::new(*rule);
            check(cx, &mut sink);
            sink.into_findings()
        })
        .collect()
}
