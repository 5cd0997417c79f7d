//! CAPA rules (src/rules/capa.rs).

use super::*;

// ---------------------------------------------------------------------------
// capa-stage-order

#[test]
pub(super) fn capa_stage_order_fires() {
    // Confirmed the day before the verification.
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace(
            "[confirmation]\nby = \"wang.gm\"\ndate = 2026-06-03",
            "[confirmation]\nby = \"wang.gm\"\ndate = 2026-06-01",
        ),
    );
    let run = repo.check();
    let line = line_of(&repo, CAPA_PATH, "date = 2026-06-01");
    fired(&run, "capa-stage-order", CAPA_PATH, Some(line));
    assert_eq!(rule_set(&run), ["capa-stage-order"]);
    // Signed the day it is dated, so the message gives the one date.
    assert_eq!(
        run.of("capa-stage-order")[0].message,
        "confirmation is dated 2026-06-01, before verification on 2026-06-02"
    );
}

#[test]
pub(super) fn capa_stage_order_near_miss() {
    // Confirmed the same day as the verification.
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace(
            "[confirmation]\nby = \"wang.gm\"\ndate = 2026-06-03",
            "[confirmation]\nby = \"wang.gm\"\ndate = 2026-06-02",
        ),
    );
    clean(&repo.check());
}

#[test]
pub(super) fn capa_stage_order_fires_for_a_skipped_stage() {
    let without = CAPA.replace(
        "[investigation]\nby = \"zhao.mfg\"\ndate = 2026-05-06\nroot_cause = \"No protective sleeve in the crate.\"\ncountermeasure = \"Sleeve every shaft before packing.\"\ndue = 2026-05-30\n\n",
        "",
    );
    assert_ne!(without, CAPA);
    let repo = base_with(CAPA_PATH, &without);
    let run = repo.check();
    let found = fires(&run, "capa-stage-order");
    // Every stage after the missing one is reported, first the verification.
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_eq!(
        found[0].line,
        Some(line_of(&repo, CAPA_PATH, "date = 2026-06-02"))
    );
    assert!(
        found[0].message.contains("investigation"),
        "{}",
        found[0].message
    );
}

#[test]
pub(super) fn capa_stage_order_fires_after_an_ineffective_verification() {
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace("effective = true", "effective = false"),
    );
    let run = repo.check();
    // confirmation, feedback and closed all follow it.
    assert_eq!(run.of("capa-stage-order").len(), 3, "{:#?}", run.findings());
}

#[test]
pub(super) fn capa_stage_order_near_miss_ineffective_and_back_to_investigation() {
    let repo = base_with(
        CAPA_PATH,
        &capa_until("[confirmation]").replace("effective = true", "effective = false"),
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// capa-stalled (capa_stage_days = 14; a warning)

fn capa_in_investigation_since(date: &str) -> Repo {
    base_with(
        CAPA_PATH,
        &capa_until("[verification]").replace("date = 2026-05-06", &format!("date = {date}")),
    )
}

#[test]
pub(super) fn capa_stalled_fires() {
    let repo = capa_in_investigation_since("2026-05-31");
    let run = repo.check();
    let line = line_of(&repo, CAPA_PATH, "date = 2026-05-31");
    let f = fired(&run, "capa-stalled", CAPA_PATH, Some(line));
    assert_eq!(f.severity, "warning");
    assert!(f.message.contains("15 days"), "{}", f.message);
    assert_eq!(run.code, 0);
}

#[test]
pub(super) fn capa_stalled_near_miss() {
    clean(&capa_in_investigation_since("2026-06-01").check());
}

// ---------------------------------------------------------------------------
// capa-source

#[test]
pub(super) fn capa_source_fires() {
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace("source = \"complaint\"", "source = \"survey\""),
    );
    let run = repo.check();
    let f = fired(&run, "capa-source", CAPA_PATH, Some(3));
    assert_eq!(f.column, Some(10));
}

#[test]
pub(super) fn capa_source_near_miss() {
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace(
            "source = \"complaint\"",
            "source = \"survey\"\nsurvey = \"SV-2026-0001\"",
        ),
    );
    clean(&repo.check());
}

#[test]
pub(super) fn capa_source_fires_for_a_usage_report_it_does_not_name() {
    // The near miss, naming UR-2026-0001, is
    // `complaint_without_capa_near_miss` (parties.rs).
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace("source = \"complaint\"", "source = \"usage-report\""),
    );
    let run = repo.check();
    let f = fired(&run, "capa-source", CAPA_PATH, Some(3));
    assert_eq!(f.column, Some(10));
    assert_eq!(
        f.message,
        "source is usage-report, but `report` does not name it"
    );
    assert_eq!(rule_set(&run), ["capa-source"]);
}

#[test]
pub(super) fn capa_source_fires_for_qc_opening_an_oral_complaint() {
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace("opened_by = \"li.sales\"", "opened_by = \"sun.qc\""),
    );
    let run = repo.check();
    let line = line_of(&repo, CAPA_PATH, "opened_by");
    fired(&run, "capa-source", CAPA_PATH, Some(line));
}

#[test]
pub(super) fn capa_source_near_miss_qc_opens_a_written_complaint() {
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace(
            "opened_by = \"li.sales\"",
            "opened_by = \"sun.qc\"\nwritten_complaint = true",
        ),
    );
    clean(&repo.check());
}
