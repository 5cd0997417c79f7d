//! Satisfaction survey rules (src/rules/surveys.rs).

use super::*;

// ---------------------------------------------------------------------------
// survey-missing (survey_due = "03-31")

#[test]
pub(super) fn survey_missing_fires() {
    let repo = Repo::base();
    repo.remove(SURVEY_PATH);
    let run = repo.check();
    let f = fired(&run, "survey-missing", CUSTOMER_PATH, Some(7));
    assert_eq!(f.column, Some(9));
    assert!(f.message.contains("2026"), "{}", f.message);
}

#[test]
pub(super) fn survey_missing_near_miss() {
    // On the due day itself this year's survey is not missing yet.
    let repo = Repo::base();
    repo.remove(SURVEY_PATH);
    clean(&repo.check_as_of("2026-03-31"));
}

/// Customer C-0002, a customer since `since`, with this year's survey.
fn customer_since(since: &str) -> Repo {
    let repo = base_with(
        CUSTOMER2_PATH,
        &CUSTOMER2.replace("since = 2026-05-01", &format!("since = {since}")),
    );
    repo.write(
        "surveys/2026/SV-2026-0002.toml",
        &SURVEY
            .replace("SV-2026-0001", "SV-2026-0002")
            .replace("C-0001", "C-0002"),
    );
    repo
}

#[test]
pub(super) fn survey_missing_fires_for_a_past_year() {
    // A customer on last year's due day owed a survey for last year.
    let repo = customer_since("2025-03-31");
    let run = repo.check();
    let f = fired(&run, "survey-missing", CUSTOMER2_PATH, Some(7));
    assert!(f.message.contains("2025"), "{}", f.message);
}

#[test]
pub(super) fn survey_missing_near_miss_customer_after_the_due_day() {
    clean(&customer_since("2025-04-01").check());
}

// ---------------------------------------------------------------------------
// survey-below-target (survey_target = 80; overall = mean x 20)

#[test]
pub(super) fn survey_below_target_fires() {
    // 4, 4, 4, 4, 3: 76.
    let repo = Repo::base();
    repo.edit(SURVEY_PATH, "communication = 4", "communication = 3");
    let run = repo.check();
    let f = fired(&run, "survey-below-target", SURVEY_PATH, Some(6));
    assert_eq!(f.column, Some(12));
    assert!(f.message.contains("76"), "{}", f.message);
}

#[test]
pub(super) fn survey_below_target_near_miss() {
    // 5, 4, 4, 4, 3: exactly 80, the target.
    let repo = Repo::base();
    repo.edit(SURVEY_PATH, "communication = 4", "communication = 3");
    repo.edit(SURVEY_PATH, "quality = 4", "quality = 5");
    clean(&repo.check());
}

#[test]
pub(super) fn survey_below_target_near_miss_handled_by_a_capa() {
    let repo = Repo::base();
    repo.edit(SURVEY_PATH, "communication = 4", "communication = 3");
    repo.append(
        SURVEY_PATH,
        "[analysis]\nby = \"li.sales\"\ndate = 2026-06-01\nsummary = \"Slow answers.\"\ncapa = \"CAPA-2026-0001\"\n",
    );
    repo.write(
        CAPA_PATH,
        &CAPA.replace(
            "source = \"complaint\"",
            "source = \"survey\"\nsurvey = \"SV-2026-0001\"",
        ),
    );
    clean(&repo.check());
}

#[test]
pub(super) fn survey_below_target_fires_with_analysis_but_no_capa() {
    let repo = Repo::base();
    repo.edit(SURVEY_PATH, "communication = 4", "communication = 3");
    repo.append(
        SURVEY_PATH,
        "[analysis]\nby = \"li.sales\"\ndate = 2026-06-01\nsummary = \"Slow answers.\"\n",
    );
    let run = repo.check();
    let f = fired(&run, "survey-below-target", SURVEY_PATH, Some(6));
    assert!(f.message.contains("no CAPA"), "{}", f.message);
}

// ---------------------------------------------------------------------------
// survey-serious

fn analysis(date: &str, serious: bool) -> String {
    format!(
        "[analysis]\nby = \"li.sales\"\ndate = {date}\nsummary = \"Delivery dates slip.\"\nserious = {serious}\n"
    )
}

#[test]
pub(super) fn survey_serious_fires() {
    let repo = Repo::base();
    repo.append(SURVEY_PATH, &analysis("2026-06-01", true));
    let run = repo.check();
    let line = line_of(&repo, SURVEY_PATH, "[analysis]");
    fired(&run, "survey-serious", SURVEY_PATH, Some(line));
    assert_eq!(rule_set(&run), ["survey-serious"]);
}

#[test]
pub(super) fn survey_serious_near_miss() {
    let repo = Repo::base();
    repo.append(SURVEY_PATH, &analysis("2026-06-01", false));
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// survey-feedback-missing (30 days; a warning)

#[test]
pub(super) fn survey_feedback_missing_fires() {
    let repo = Repo::base();
    repo.append(SURVEY_PATH, &analysis("2026-05-15", false));
    let run = repo.check();
    let line = line_of(&repo, SURVEY_PATH, "[analysis]");
    let f = fired(&run, "survey-feedback-missing", SURVEY_PATH, Some(line));
    assert_eq!(f.severity, "warning");
    assert!(f.message.contains("31 days"), "{}", f.message);
    assert_eq!(run.code, 0);
}

#[test]
pub(super) fn survey_feedback_missing_near_miss() {
    let repo = Repo::base();
    repo.append(SURVEY_PATH, &analysis("2026-05-16", false));
    clean(&repo.check());
}

#[test]
pub(super) fn survey_feedback_missing_near_miss_feedback_given() {
    let repo = Repo::base();
    repo.append(
        SURVEY_PATH,
        &format!(
            "{}\n[feedback]\nby = \"li.sales\"\ndate = 2026-05-20\nsummary = \"Sent the results.\"\n",
            analysis("2026-05-15", false)
        ),
    );
    clean(&repo.check());
}
