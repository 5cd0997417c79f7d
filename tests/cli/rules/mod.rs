//! Rule cases: for every rule `check` can report without git history, a
//! case that fires it and a near-miss that does not (the smallest change
//! across the rule's boundary). The trust rules (`governance-unproven`,
//! `signature-time`, `history-time`) need commits: their cases live in
//! `trust.rs` and `trust_time.rs` and are listed here all the same. Each case starts from `Repo::base()`, which
//! checks clean, and edits or adds one file (a few need a second file that
//! the rule links to). `every_rule_has_a_case` keeps the tables at the end
//! honest against `docket rules`.
//!
//! The cases of each rule sit in the file named like the source file of
//! the rule (`orders.rs` for src/rules/orders.rs; `format.rs` for the
//! rules of loading and the model, `report.rs` for severities, exit codes
//! and formats); this file holds the fixtures and assertions they share
//! and the coverage tables.

use crate::fixture::*;
use crate::{trust, trust_time};

mod capa;
mod common;
mod format;
mod orders;
mod parties;
mod report;
mod surveys;

// ---------------------------------------------------------------------------
// Extra records, each clean on its own next to the base fixture.

/// An open order, received three days before AS_OF (so its review is due
/// today, not yet late), delivery well after AS_OF.
const ORDER2_PATH: &str = "orders/2026/SO-2026-0002.toml";
const ORDER2: &str = r#"id = "SO-2026-0002"
customer = "C-0001"
channel = "fax"
received = 2026-06-12
owner = "li.sales"
legible = true

[[line]]
part_number = "AP-SH-1020"
product = "Stainless shaft"
spec = "D10 x 200 mm, SUS304"
quantity = 100
delivery = 2026-08-01
"#;

/// Capacity and an approved review, appended to ORDER2.
const ORDER2_APPROVED: &str = r#"[capacity]
stock = 100
producible = true
materials_ready = true
new_product = false

[review]
decision = "approved"
by = "wang.gm"
date = 2026-06-13
"#;

const FLOWSHEET2_PATH: &str = "flowsheets/2026/MF-2026-0002.toml";
const FLOWSHEET2: &str = r#"id = "MF-2026-0002"
order = "SO-2026-0002"
issued = 2026-06-13
by = "li.sales"
revision = 1

[[line]]
part_number = "AP-SH-1020"
quantity = 100
due = 2026-07-25
"#;

/// A second customer who became one after this year's survey was due, so
/// no survey is owed for them yet.
const CUSTOMER2_PATH: &str = "customers/C-0002.toml";
const CUSTOMER2: &str = r#"id = "C-0002"
name = "Kaohsiung Tooling Ltd."
region = "domestic"
address = "No. 8, Harbor Rd, Kaohsiung"
contact = "Chang Wei"
phone = "+886 7 1234567"
since = 2026-05-01
account_manager = "li.sales"
"#;

const CUSTOMER_PATH: &str = "customers/C-0001.toml";
const PRODUCT_PATH: &str = "products/AP-SH-1020.toml";
const SURVEY_PATH: &str = "surveys/2026/SV-2026-0001.toml";

/// A complaint CAPA that went through every stage and is closed.
const CAPA_PATH: &str = "capa/2026/CAPA-2026-0001.toml";
const CAPA: &str = r#"id = "CAPA-2026-0001"
kind = "corrective"
source = "complaint"
customer = "C-0001"
order = "SO-2026-0001"
opened = 2026-05-02
opened_by = "li.sales"
description = "Shafts arrived scratched."
responsible_department = "manufacturing"

[investigation]
by = "zhao.mfg"
date = 2026-05-06
root_cause = "No protective sleeve in the crate."
countermeasure = "Sleeve every shaft before packing."
due = 2026-05-30

[verification]
by = "sun.qc"
date = 2026-06-02
effective = true
evidence = "The next lot arrived clean."

[confirmation]
by = "wang.gm"
date = 2026-06-03

[feedback]
by = "li.sales"
date = 2026-06-05
channel = "email"
summary = "Told Anna Keller what changed."

[closed]
date = 2026-06-05
"#;

const REPORT_PATH: &str = "reports/2026/UR-2026-0001.toml";
const REPORT: &str = r#"id = "UR-2026-0001"
customer = "C-0001"
date = 2026-05-01
by = "li.sales"
to = "wang.gm"
summary = "The shafts run well on the new line."
complaint = false
"#;

/// The base order, closed; so the order's own rules stay quiet.
fn base_with(path: &str, text: &str) -> Repo {
    let repo = Repo::base();
    repo.write(path, text);
    repo
}

/// The CAPA fixture cut just before `[section]`.
fn capa_until(section: &str) -> String {
    let at = CAPA.find(section).expect("section in CAPA");
    CAPA[..at].to_string()
}

// ---------------------------------------------------------------------------
// Assertions.

/// The 1-based line of the first line of `rel` that contains `needle`.
#[track_caller]
fn line_of(repo: &Repo, rel: &str, needle: &str) -> u64 {
    let text = repo.read(rel);
    let i = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{rel} has no line with {needle:?}:\n{text}"));
    i as u64 + 1
}

/// Assert `rule` fired in `file` at `line` (exactly one such finding) and
/// return it.
#[track_caller]
fn fired(run: &Run, rule: &str, file: &str, line: Option<u64>) -> F {
    let all = fires(run, rule);
    let here: Vec<&F> = all.iter().filter(|f| f.file == file).collect();
    assert_eq!(
        here.len(),
        1,
        "expected one {rule} finding in {file}; got {:#?}",
        run.findings()
    );
    let f = here[0].clone();
    assert_eq!(f.line, line, "{rule} at the wrong line: {f:#?}");
    assert!(!f.message.is_empty());
    f
}

/// Assert `rule` did not fire.
#[track_caller]
fn quiet(run: &Run, rule: &str) {
    assert_eq!(run.of(rule), vec![], "{rule} fired; stderr: {}", run.stderr);
}

/// The rule ids found, sorted and without repeats.
fn rule_set(run: &Run) -> Vec<String> {
    let mut r = run.rules();
    r.sort();
    r.dedup();
    r
}

// ---------------------------------------------------------------------------
// Coverage: every rule `check` can report without history has a firing
// case and a near-miss. Each entry names the test function, so the table
// cannot name a case that does not exist.

macro_rules! cases {
    ($($rule:literal => $file:ident :: $case:ident),* $(,)?) => {
        &[$(($rule, stringify!($case), $file::$case as fn())),*]
    };
}

type Case = (&'static str, &'static str, fn());

const FIRING: &[Case] = cases![
    "parse" => format::parse_fires,
    "parse" => format::parse_position_is_exact,
    "schema" => format::schema_fires,
    "schema" => format::schema_fires_for_a_value_of_the_wrong_type,
    "schema" => format::schema_position_in_a_sub_table_is_exact,
    "id-mismatch" => format::id_mismatch_fires,
    "id-mismatch" => format::id_mismatch_fires_on_shape,
    "duplicate-id" => format::duplicate_id_fires,
    "unknown-ref" => common::unknown_ref_fires,
    "unknown-ref" => common::unknown_ref_fires_for_an_id_of_another_kind,
    "unknown-file" => format::unknown_file_fires,
    "unknown-file" => format::unknown_file_fires_for_a_file_at_the_top,
    "attachment-missing" => common::attachment_missing_fires,
    "attachment-missing" => common::attachment_missing_fires_outside_the_root,
    "attachment-missing" => common::attachment_missing_fires_outside_the_record_folders,
    "part-number-unique" => parties::part_number_unique_fires,
    "part-number-unique" => parties::part_number_unique_fires_for_one_part_number_in_two_files,
    "line-mismatch" => orders::line_mismatch_fires,
    "line-mismatch" => orders::line_mismatch_fires_for_an_obsolete_part_on_an_open_order,
    "customer-incomplete" => parties::customer_incomplete_fires,
    "review-missing" => orders::review_missing_fires,
    "review-missing" => orders::review_missing_fires_for_a_late_review,
    "review-role" => common::review_role_fires,
    "review-role" => common::review_role_fires_after_the_signer_left,
    "review-role" => common::review_role_fires_for_a_capa_investigation_outside_the_department,
    "capacity-missing" => orders::capacity_missing_fires,
    "capacity-missing" => orders::capacity_missing_fires_without_capacity,
    "illegible-approved" => orders::illegible_approved_fires,
    "oral-order" => orders::oral_order_fires,
    "oral-order" => orders::oral_order_fires_when_the_written_order_is_overdue,
    "oral-order" => orders::oral_order_fires_when_the_written_order_came_late,
    "oral-order" => orders::oral_order_fires_without_the_gm_signed_sheet,
    "oral-order" => orders::oral_order_fires_for_an_oral_table_on_a_fax_order,
    "oral-order" => orders::oral_order_fires_without_the_customer_confirmed_sheet,
    "flowsheet-missing" => orders::flowsheet_missing_fires,
    "produced-unapproved" => orders::produced_unapproved_fires,
    "produced-unapproved" => orders::produced_unapproved_fires_for_an_unreviewed_order,
    "produced-unapproved" => orders::produced_unapproved_fires_for_a_gm_signed_sheet_of_a_fax_order,
    "produced-unapproved" => orders::produced_unapproved_fires_for_a_customer_confirmed_sheet_of_a_fax_order,
    "produced-unapproved" => orders::produced_unapproved_fires_for_a_confirmed_sheet_of_a_rejected_oral_order,
    "produced-unapproved" => orders::produced_unapproved_fires_for_a_reissue_before_the_new_review,
    "flowsheet-outdated" => orders::flowsheet_outdated_fires,
    "flowsheet-outdated" => orders::flowsheet_outdated_fires_for_a_change_after_the_sheet,
    "change-unnotified" => orders::change_unnotified_fires,
    "change-unnotified" => orders::change_unnotified_fires_for_an_empty_list,
    "overdue" => orders::overdue_fires,
    "risk-unhandled" => orders::risk_unhandled_fires,
    "risk-unhandled" => orders::risk_unhandled_fires_for_a_blank_action,
    "capa-stage-order" => capa::capa_stage_order_fires,
    "capa-stage-order" => capa::capa_stage_order_fires_for_a_skipped_stage,
    "capa-stage-order" => capa::capa_stage_order_fires_after_an_ineffective_verification,
    "capa-stalled" => capa::capa_stalled_fires,
    "capa-source" => capa::capa_source_fires,
    "capa-source" => capa::capa_source_fires_for_qc_opening_an_oral_complaint,
    "capa-source" => capa::capa_source_fires_for_a_usage_report_it_does_not_name,
    "complaint-without-capa" => parties::complaint_without_capa_fires,
    "survey-missing" => surveys::survey_missing_fires,
    "survey-missing" => surveys::survey_missing_fires_for_a_past_year,
    "survey-below-target" => surveys::survey_below_target_fires,
    "survey-below-target" => surveys::survey_below_target_fires_with_analysis_but_no_capa,
    "survey-serious" => surveys::survey_serious_fires,
    "survey-feedback-missing" => surveys::survey_feedback_missing_fires,
    "property-unverified" => parties::property_unverified_fires,
    "property-incident-unreported" => parties::property_incident_unreported_fires,
    "governance-unproven" => trust::governance_unproven_fires_for_a_key_slipped_into_the_gms_entry,
    "signature-time" => trust_time::signature_time_fires_for_a_leaver_who_backdates_the_author_date,
    "signature-time" => trust_time::signature_time_fires_for_a_late_review_dated_inside_the_deadline,
    "signature-time" => trust_time::signature_time_fires_for_a_written_date_far_from_the_commit,
    "history-time" => trust_time::history_time_fires_for_a_commit_older_than_its_parent,
    "history-time" => trust_time::history_time_fires_for_a_commit_from_the_future,
];

const NEAR_MISS: &[Case] = cases![
    "parse" => format::parse_near_miss,
    "schema" => format::schema_near_miss,
    "id-mismatch" => format::id_mismatch_near_miss,
    "duplicate-id" => format::duplicate_id_near_miss,
    "unknown-ref" => common::unknown_ref_near_miss,
    "unknown-file" => format::unknown_file_near_miss,
    "attachment-missing" => common::attachment_missing_near_miss,
    "part-number-unique" => parties::part_number_unique_near_miss,
    "line-mismatch" => orders::line_mismatch_near_miss,
    "line-mismatch" => orders::line_mismatch_near_miss_obsolete_part_on_a_closed_order,
    "customer-incomplete" => parties::customer_incomplete_near_miss,
    "review-missing" => orders::review_missing_near_miss,
    "review-missing" => orders::review_missing_near_miss_review_on_day_3,
    "review-role" => common::review_role_near_miss,
    "capacity-missing" => orders::capacity_missing_near_miss,
    "illegible-approved" => orders::illegible_approved_near_miss,
    "oral-order" => orders::oral_order_near_miss,
    "oral-order" => orders::oral_order_near_miss_default_deadline,
    "oral-order" => orders::oral_order_near_miss_gm_signed_sheet,
    "oral-order" => orders::oral_order_near_miss_refused_and_cancelled,
    "oral-order" => orders::oral_order_near_miss_cancelled_while_waiting_for_the_written_order,
    "oral-order" => orders::oral_order_near_miss_written_order_on_its_due_date,
    "flowsheet-missing" => orders::flowsheet_missing_near_miss,
    "flowsheet-missing" => orders::flowsheet_missing_near_miss_cancelled,
    "produced-unapproved" => orders::produced_unapproved_near_miss,
    "produced-unapproved" => orders::produced_unapproved_near_miss_customer_confirmed_oral_order,
    "produced-unapproved" => orders::produced_unapproved_near_miss_confirmed_sheet_before_the_approval,
    "produced-unapproved" => orders::produced_unapproved_near_miss_rereviewed_after_a_change,
    "flowsheet-outdated" => orders::flowsheet_outdated_near_miss,
    "flowsheet-outdated" => orders::flowsheet_outdated_near_miss_change_on_the_day_issued,
    "flowsheet-outdated" => orders::flowsheet_outdated_near_miss_reissued,
    "change-unnotified" => orders::change_unnotified_near_miss,
    "overdue" => orders::overdue_near_miss,
    "risk-unhandled" => orders::risk_unhandled_near_miss,
    "capa-stage-order" => capa::capa_stage_order_near_miss,
    "capa-stage-order" => capa::capa_stage_order_near_miss_ineffective_and_back_to_investigation,
    "capa-stalled" => capa::capa_stalled_near_miss,
    "capa-source" => capa::capa_source_near_miss,
    "capa-source" => capa::capa_source_near_miss_qc_opens_a_written_complaint,
    "complaint-without-capa" => parties::complaint_without_capa_near_miss,
    "survey-missing" => surveys::survey_missing_near_miss,
    "survey-missing" => surveys::survey_missing_near_miss_customer_after_the_due_day,
    "survey-below-target" => surveys::survey_below_target_near_miss,
    "survey-below-target" => surveys::survey_below_target_near_miss_handled_by_a_capa,
    "survey-serious" => surveys::survey_serious_near_miss,
    "survey-feedback-missing" => surveys::survey_feedback_missing_near_miss,
    "survey-feedback-missing" => surveys::survey_feedback_missing_near_miss_feedback_given,
    "property-unverified" => parties::property_unverified_near_miss,
    "property-incident-unreported" => parties::property_incident_unreported_near_miss,
    "governance-unproven" => trust::governance_unproven_near_miss_the_gm_adds_a_key_of_his_own,
    "governance-unproven" => trust::governance_unproven_near_miss_the_gm_adds_a_person,
    "governance-unproven" => trust::governance_unproven_near_miss_the_bootstrap_is_not_judged,
    "signature-time" => trust_time::signature_time_near_miss_exactly_the_tolerance,
    "signature-time" => trust_time::signature_time_near_miss_policy_none_judges_no_commit,
    "history-time" => trust_time::history_time_near_miss_a_day_back_exactly,
    "history-time" => trust_time::history_time_near_miss_within_a_day_of_the_as_of_date,
];

/// Rules that need git history; the history tests (and, for
/// `timestamp-missing`, tests/cli/timestamps.rs) cover them.
const HISTORY_RULES: &[&str] = &[
    "signature-unproven",
    "signature-broken",
    "review-stale",
    "change-unrecorded",
    "record-deleted",
    "history-rewritten",
    "history-unavailable",
    "timestamp-missing",
];

#[test]
fn every_rule_has_a_case() {
    let run = Run::from(
        docket_cmd()
            .args(["rules", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let catalog: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let ids: Vec<&str> = catalog.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for h in HISTORY_RULES {
        assert!(ids.contains(h), "history rule {h} is not in the catalog");
    }
    let mut missing = Vec::new();
    for id in ids.iter().filter(|id| !HISTORY_RULES.contains(id)) {
        for (what, table) in [("firing case", FIRING), ("near-miss", NEAR_MISS)] {
            if !table.iter().any(|(rule, _, _)| rule == id) {
                missing.push(format!("{id}: no {what}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "rules without cases:\n{}",
        missing.join("\n")
    );
    // Each entry names a case of its own rule, and names only catalog rules.
    for (rule, name, _) in FIRING.iter().chain(NEAR_MISS) {
        assert!(ids.contains(rule), "{rule} is not in the catalog");
        assert!(
            name.starts_with(&rule.replace('-', "_")),
            "case {name} is listed under {rule}"
        );
    }
}
