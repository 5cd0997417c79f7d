//! Order and flow-sheet rules (src/rules/orders.rs).

use super::*;

// ---------------------------------------------------------------------------
// line-mismatch

#[test]
pub(super) fn line_mismatch_fires() {
    let repo = Repo::base();
    repo.edit(
        ORDER_PATH,
        "product = \"Stainless shaft\"",
        "product = \"Stainless Shaft\"",
    );
    let run = repo.check();
    let f = fired(&run, "line-mismatch", ORDER_PATH, Some(12));
    assert_eq!(f.column, Some(11));
}

#[test]
pub(super) fn line_mismatch_fires_for_an_obsolete_part_on_an_open_order() {
    let repo = base_with(ORDER2_PATH, ORDER2);
    repo.edit(PRODUCT_PATH, "status = \"active\"", "status = \"obsolete\"");
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "part_number");
    let f = fired(&run, "line-mismatch", ORDER2_PATH, Some(line));
    assert!(f.message.contains("obsolete"), "{}", f.message);
}

#[test]
pub(super) fn line_mismatch_near_miss() {
    // Surrounding blanks are not a different product name.
    let repo = Repo::base();
    repo.edit(
        ORDER_PATH,
        "product = \"Stainless shaft\"",
        "product = \"Stainless shaft \"",
    );
    clean(&repo.check());
}

#[test]
pub(super) fn line_mismatch_near_miss_obsolete_part_on_a_closed_order() {
    let repo = Repo::base();
    repo.edit(PRODUCT_PATH, "status = \"active\"", "status = \"obsolete\"");
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// review-missing (review_within_days = 3)

#[test]
pub(super) fn review_missing_fires() {
    // Received four days before AS_OF and not reviewed.
    let repo = base_with(
        ORDER2_PATH,
        &ORDER2.replace("received = 2026-06-12", "received = 2026-06-11"),
    );
    let run = repo.check();
    let f = fired(&run, "review-missing", ORDER2_PATH, Some(4));
    assert_eq!(f.column, Some(12));
}

#[test]
pub(super) fn review_missing_near_miss() {
    // Three days: due today, not late.
    clean(&base_with(ORDER2_PATH, ORDER2).check());
}

#[test]
pub(super) fn review_missing_fires_for_a_late_review() {
    // Received 03-02, reviewed on day 4 (the sheet follows the review).
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "date = 2026-03-03", "date = 2026-03-06");
    repo.edit(FLOWSHEET_PATH, "issued = 2026-03-04", "issued = 2026-03-06");
    let run = repo.check();
    let f = fired(&run, "review-missing", ORDER_PATH, Some(26));
    // Signed the day it is dated: one date, no "signed later" clause
    // (trust_time tests the review signed after its written date).
    assert_eq!(f.message, "reviewed 4 days after receipt (due within 3)");
    assert_eq!(rule_set(&run), ["review-missing"]);
}

#[test]
pub(super) fn review_missing_near_miss_review_on_day_3() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "date = 2026-03-03", "date = 2026-03-05");
    repo.edit(FLOWSHEET_PATH, "issued = 2026-03-04", "issued = 2026-03-05");
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// capacity-missing

#[test]
pub(super) fn capacity_missing_fires() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "new_product = false", "new_product = true");
    let run = repo.check();
    let f = fired(&run, "capacity-missing", ORDER_PATH, Some(21));
    assert_eq!(f.column, Some(15));
}

#[test]
pub(super) fn capacity_missing_fires_without_capacity() {
    let repo = Repo::base();
    repo.edit(
        ORDER_PATH,
        "[capacity]\nstock = 200\nproducible = true\nmaterials_ready = true\nnew_product = false\n\n",
        "",
    );
    let run = repo.check();
    let line = line_of(&repo, ORDER_PATH, "[review]");
    fired(&run, "capacity-missing", ORDER_PATH, Some(line));
}

#[test]
pub(super) fn capacity_missing_near_miss() {
    let repo = Repo::base();
    repo.edit(
        ORDER_PATH,
        "new_product = false",
        "new_product = true\ndesign_record = \"DR-2026-004\"",
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// illegible-approved

#[test]
pub(super) fn illegible_approved_fires() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    let run = repo.check();
    let f = fired(&run, "illegible-approved", ORDER_PATH, Some(7));
    assert_eq!(f.column, Some(11));
}

#[test]
pub(super) fn illegible_approved_near_miss() {
    // Illegible and rejected, as 4.2.1 A wants it.
    let repo = base_with(
        ORDER2_PATH,
        &format!("{ORDER2}\n{ORDER2_APPROVED}")
            .replace("legible = true", "legible = false")
            .replace("decision = \"approved\"", "decision = \"rejected\""),
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// oral-order (oral_confirmation_days = 7)

fn oral(extra: &str) -> Repo {
    base_with(
        ORDER2_PATH,
        &format!(
            "{}\n{extra}",
            ORDER2.replace("channel = \"fax\"", "channel = \"oral\"")
        ),
    )
}

#[test]
pub(super) fn oral_order_fires() {
    let repo = oral("");
    let run = repo.check();
    let f = fired(&run, "oral-order", ORDER2_PATH, Some(3));
    assert_eq!(f.column, Some(11));
}

#[test]
pub(super) fn oral_order_fires_when_the_written_order_is_overdue() {
    let repo = oral("[oral]\npath = \"written-order\"\nwritten_order_due = 2026-06-14\n");
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "path = ");
    fired(&run, "oral-order", ORDER2_PATH, Some(line));
}

#[test]
pub(super) fn oral_order_near_miss() {
    // The written order is due today: not missing yet.
    clean(&oral("[oral]\npath = \"written-order\"\nwritten_order_due = 2026-06-15\n").check());
}

#[test]
pub(super) fn oral_order_fires_when_the_written_order_came_late() {
    let repo = oral(
        "[oral]\npath = \"written-order\"\nwritten_order_due = 2026-06-13\nwritten_order_received = 2026-06-14\n",
    );
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "written_order_received");
    let f = fired(&run, "oral-order", ORDER2_PATH, Some(line));
    assert_eq!(
        f.message,
        "the written order came 2026-06-14, after its due date 2026-06-13"
    );
}

#[test]
pub(super) fn oral_order_near_miss_default_deadline() {
    // No due date: received 06-12 + 7 days, so nothing is late yet.
    clean(&oral("[oral]\npath = \"written-order\"\n").check());
}

#[test]
pub(super) fn oral_order_fires_without_the_gm_signed_sheet() {
    let repo = oral("[oral]\npath = \"gm-signed-flowsheet\"\n");
    repo.write(FLOWSHEET2_PATH, FLOWSHEET2);
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "path = ");
    fired(&run, "oral-order", ORDER2_PATH, Some(line));
}

#[test]
pub(super) fn oral_order_near_miss_gm_signed_sheet() {
    let repo = oral("[oral]\npath = \"gm-signed-flowsheet\"\n");
    repo.write(
        FLOWSHEET2_PATH,
        &format!("{FLOWSHEET2}\n[gm_signed]\nby = \"wang.gm\"\ndate = 2026-06-13\n"),
    );
    clean(&repo.check());
}

#[test]
pub(super) fn oral_order_fires_without_the_customer_confirmed_sheet() {
    // 4.2.3 path 2 names a customer-confirmed sheet; the only sheet has no
    // [customer_confirmed], so the order has no valid path.
    let repo = oral("[oral]\npath = \"customer-confirmed-flowsheet\"\n");
    repo.write(FLOWSHEET2_PATH, FLOWSHEET2);
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "path = ");
    let f = fired(&run, "oral-order", ORDER2_PATH, Some(line));
    assert!(f.message.contains("[customer_confirmed]"), "{}", f.message);
}

#[test]
pub(super) fn oral_order_near_miss_written_order_on_its_due_date() {
    // Arriving on the due date is on time.
    clean(
        &oral(
            "[oral]\npath = \"written-order\"\nwritten_order_due = 2026-06-13\nwritten_order_received = 2026-06-13\n",
        )
        .check(),
    );
}

#[test]
pub(super) fn oral_order_near_miss_refused_and_cancelled() {
    // 4.2.3: oral orders are normally refused. A refused one, recorded as
    // cancelled, needs no exception path.
    clean(
        &oral("[cancelled]\ndate = 2026-06-12\nreason = \"Oral order refused (4.2.3).\"\n").check(),
    );
}

#[test]
pub(super) fn oral_order_near_miss_cancelled_while_waiting_for_the_written_order() {
    // Taken by the written-order path, whose written order never came (due
    // 2026-06-14, as in the firing case above), then cancelled: nothing
    // is left to evidence.
    clean(
        &oral(
            "[oral]\npath = \"written-order\"\nwritten_order_due = 2026-06-14\n\n\
             [cancelled]\ndate = 2026-06-14\nreason = \"The customer sent no written order.\"\n",
        )
        .check(),
    );
}

#[test]
pub(super) fn oral_order_fires_for_an_oral_table_on_a_fax_order() {
    let repo = base_with(
        ORDER2_PATH,
        &format!("{ORDER2}\n[oral]\npath = \"written-order\"\n"),
    );
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "[oral]");
    fired(&run, "oral-order", ORDER2_PATH, Some(line));
}

// ---------------------------------------------------------------------------
// flowsheet-missing

#[test]
pub(super) fn flowsheet_missing_fires() {
    let repo = base_with(ORDER2_PATH, &format!("{ORDER2}\n{ORDER2_APPROVED}"));
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "decision");
    fired(&run, "flowsheet-missing", ORDER2_PATH, Some(line));
    assert_eq!(rule_set(&run), ["flowsheet-missing"]);
}

#[test]
pub(super) fn flowsheet_missing_near_miss() {
    let repo = base_with(ORDER2_PATH, &format!("{ORDER2}\n{ORDER2_APPROVED}"));
    repo.write(FLOWSHEET2_PATH, FLOWSHEET2);
    clean(&repo.check());
}

#[test]
pub(super) fn flowsheet_missing_near_miss_cancelled() {
    let repo = base_with(
        ORDER2_PATH,
        &format!(
            "{ORDER2}\n{ORDER2_APPROVED}\n[cancelled]\ndate = 2026-06-14\nreason = \"Customer withdrew.\"\n"
        ),
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// produced-unapproved

#[test]
pub(super) fn produced_unapproved_fires() {
    // Issued the day before the review.
    let repo = Repo::base();
    repo.edit(FLOWSHEET_PATH, "issued = 2026-03-04", "issued = 2026-03-02");
    let run = repo.check();
    let f = fired(&run, "produced-unapproved", FLOWSHEET_PATH, Some(3));
    assert_eq!(f.column, Some(10));
}

#[test]
pub(super) fn produced_unapproved_near_miss() {
    // Issued the day of the review.
    let repo = Repo::base();
    repo.edit(FLOWSHEET_PATH, "issued = 2026-03-04", "issued = 2026-03-03");
    clean(&repo.check());
}

#[test]
pub(super) fn produced_unapproved_fires_for_an_unreviewed_order() {
    let repo = base_with(ORDER2_PATH, ORDER2);
    repo.write(FLOWSHEET2_PATH, FLOWSHEET2);
    let run = repo.check();
    fired(&run, "produced-unapproved", FLOWSHEET2_PATH, Some(2));
}

/// FLOWSHEET2 confirmed by the customer on 2026-06-13 (4.2.3 path 2).
fn confirmed_sheet() -> String {
    format!(
        "{FLOWSHEET2}\n[customer_confirmed]\ndate = 2026-06-13\nreference = \"fax 2026-06-13 from Anna Keller\"\n"
    )
}

#[test]
pub(super) fn produced_unapproved_near_miss_customer_confirmed_oral_order() {
    // 4.2.3 path 2: the confirmed sheet exists before the review.
    let repo = oral("[oral]\npath = \"customer-confirmed-flowsheet\"\n");
    repo.write(FLOWSHEET2_PATH, &confirmed_sheet());
    clean(&repo.check());
}

#[test]
pub(super) fn produced_unapproved_near_miss_confirmed_sheet_before_the_approval() {
    // 4.2.3 path 2: the customer confirmed the sheet on 06-13 and the GM
    // approved the order the day after; the sheet predates the approval by
    // design, not by a lapse.
    let repo = oral(&format!(
        "[oral]\npath = \"customer-confirmed-flowsheet\"\n\n{}",
        ORDER2_APPROVED.replace("date = 2026-06-13", "date = 2026-06-14")
    ));
    repo.write(FLOWSHEET2_PATH, &confirmed_sheet());
    clean(&repo.check());
}

#[test]
pub(super) fn produced_unapproved_fires_for_a_gm_signed_sheet_of_a_fax_order() {
    // A GM-signed sheet approves only an oral order that took that path
    // (4.2.3 path 1); a fax order still waits for its review.
    let repo = base_with(ORDER2_PATH, ORDER2);
    repo.write(
        FLOWSHEET2_PATH,
        &format!("{FLOWSHEET2}\n[gm_signed]\nby = \"wang.gm\"\ndate = 2026-06-13\n"),
    );
    let run = repo.check();
    let f = fired(&run, "produced-unapproved", FLOWSHEET2_PATH, Some(2));
    assert_eq!(
        f.message,
        "order SO-2026-0002 is not approved, so it must not be produced"
    );
}

#[test]
pub(super) fn produced_unapproved_fires_for_a_customer_confirmed_sheet_of_a_fax_order() {
    // Likewise a customer's confirmation (4.2.3 path 2) replaces no review
    // of an order that did not come orally.
    let repo = base_with(ORDER2_PATH, ORDER2);
    repo.write(FLOWSHEET2_PATH, &confirmed_sheet());
    let run = repo.check();
    fired(&run, "produced-unapproved", FLOWSHEET2_PATH, Some(2));
}

#[test]
pub(super) fn produced_unapproved_fires_for_a_confirmed_sheet_of_a_rejected_oral_order() {
    // 4.2.3 path 2: the confirmed sheet comes before the review by design,
    // but once the GM rejects the order, nothing may be produced.
    let repo = oral(&format!(
        "[oral]\npath = \"customer-confirmed-flowsheet\"\n\n{}",
        ORDER2_APPROVED.replace("decision = \"approved\"", "decision = \"rejected\"")
    ));
    repo.write(FLOWSHEET2_PATH, &confirmed_sheet());
    let run = repo.check();
    let f = fired(&run, "produced-unapproved", FLOWSHEET2_PATH, Some(2));
    assert_eq!(
        f.message,
        "order SO-2026-0002 is not approved, so it must not be produced"
    );
}

/// The base order grows to 600 after a change on 03-10 and is reviewed
/// again on 03-11 (4.2.2); revision 2 of the sheet is issued on `issued`.
fn rereviewed_after_a_change(issued: &str) -> Repo {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 600");
    repo.edit(ORDER_PATH, "date = 2026-03-03", "date = 2026-03-11");
    repo.append(
        ORDER_PATH,
        &change("2026-03-10").replace("delivery-place", "quantity"),
    );
    repo.write(
        "flowsheets/2026/MF-2026-0002.toml",
        &FLOWSHEET
            .replace("MF-2026-0001", "MF-2026-0002")
            .replace("issued = 2026-03-04", &format!("issued = {issued}"))
            .replace("revision = 1", "revision = 2")
            .replace("quantity = 500", "quantity = 600"),
    );
    repo
}

#[test]
pub(super) fn produced_unapproved_near_miss_rereviewed_after_a_change() {
    // Revision 1 was issued under the first approval; only sheets issued
    // after the change wait for the new review.
    clean(&rereviewed_after_a_change("2026-03-11").check());
}

#[test]
pub(super) fn produced_unapproved_fires_for_a_reissue_before_the_new_review() {
    let run = rereviewed_after_a_change("2026-03-10").check();
    fired(
        &run,
        "produced-unapproved",
        "flowsheets/2026/MF-2026-0002.toml",
        Some(3),
    );
    assert_eq!(rule_set(&run), ["produced-unapproved"]);
}

// ---------------------------------------------------------------------------
// flowsheet-outdated

#[test]
pub(super) fn flowsheet_outdated_fires() {
    let repo = Repo::base();
    repo.edit(FLOWSHEET_PATH, "quantity = 500", "quantity = 400");
    let run = repo.check();
    let f = fired(&run, "flowsheet-outdated", FLOWSHEET_PATH, Some(5));
    assert!(f.message.contains("AP-SH-1020 x500"), "{}", f.message);
}

#[test]
pub(super) fn flowsheet_outdated_near_miss() {
    // The same 500 pieces in two lines.
    let repo = Repo::base();
    repo.edit(
        FLOWSHEET_PATH,
        "quantity = 500\ndue = 2026-04-10\n",
        "quantity = 250\ndue = 2026-04-01\n\n[[line]]\npart_number = \"AP-SH-1020\"\nquantity = 250\ndue = 2026-04-10\n",
    );
    clean(&repo.check());
}

fn change(date: &str) -> String {
    format!(
        "[[change]]\ndate = {date}\nby = \"li.sales\"\nwhat = [\"delivery-place\"]\n\
         description = \"Deliver to the Bremen plant.\"\nnotified = [\"warehouse\"]\n"
    )
}

#[test]
pub(super) fn flowsheet_outdated_fires_for_a_change_after_the_sheet() {
    let repo = Repo::base();
    repo.append(ORDER_PATH, &change("2026-03-05"));
    let run = repo.check();
    fired(&run, "flowsheet-outdated", FLOWSHEET_PATH, Some(3));
    assert_eq!(rule_set(&run), ["flowsheet-outdated"]);
}

#[test]
pub(super) fn flowsheet_outdated_near_miss_change_on_the_day_issued() {
    let repo = Repo::base();
    repo.append(ORDER_PATH, &change("2026-03-04"));
    clean(&repo.check());
}

#[test]
pub(super) fn flowsheet_outdated_near_miss_reissued() {
    // The order grows to 600 after a change; revision 2 carries it.
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 600");
    repo.append(
        ORDER_PATH,
        &change("2026-03-10").replace("delivery-place", "quantity"),
    );
    repo.write(
        "flowsheets/2026/MF-2026-0002.toml",
        &FLOWSHEET
            .replace("MF-2026-0001", "MF-2026-0002")
            .replace("issued = 2026-03-04", "issued = 2026-03-10")
            .replace("revision = 1", "revision = 2")
            .replace("quantity = 500", "quantity = 600"),
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// change-unnotified

#[test]
pub(super) fn change_unnotified_fires() {
    let repo = Repo::base();
    repo.append(
        ORDER_PATH,
        &change("2026-03-04").replace("notified = [\"warehouse\"]\n", ""),
    );
    let run = repo.check();
    let line = line_of(&repo, ORDER_PATH, "[[change]]");
    fired(&run, "change-unnotified", ORDER_PATH, Some(line));
    assert_eq!(rule_set(&run), ["change-unnotified"]);
}

#[test]
pub(super) fn change_unnotified_fires_for_an_empty_list() {
    let repo = Repo::base();
    repo.append(
        ORDER_PATH,
        &change("2026-03-04").replace("[\"warehouse\"]", "[]"),
    );
    let run = repo.check();
    let line = line_of(&repo, ORDER_PATH, "[[change]]");
    fired(&run, "change-unnotified", ORDER_PATH, Some(line));
}

#[test]
pub(super) fn change_unnotified_near_miss() {
    let repo = Repo::base();
    repo.append(ORDER_PATH, &change("2026-03-04"));
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// overdue (a warning)

#[test]
pub(super) fn overdue_fires() {
    let repo = base_with(
        ORDER2_PATH,
        &ORDER2.replace("delivery = 2026-08-01", "delivery = 2026-06-14"),
    );
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "delivery = ");
    let f = fired(&run, "overdue", ORDER2_PATH, Some(line));
    assert_eq!(f.severity, "warning");
    assert_eq!(run.code, 0, "warnings alone do not fail the check");
}

#[test]
pub(super) fn overdue_near_miss() {
    // Due today: not late yet.
    let repo = base_with(
        ORDER2_PATH,
        &ORDER2.replace("delivery = 2026-08-01", "delivery = 2026-06-15"),
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// risk-unhandled

const FOLLOWUP: &str =
    "[[followup]]\ndate = 2026-04-01\nby = \"li.sales\"\nnote = \"Bar stock late.\"\nrisk = true\n";

#[test]
pub(super) fn risk_unhandled_fires() {
    let repo = Repo::base();
    repo.append(ORDER_PATH, FOLLOWUP);
    let run = repo.check();
    let line = line_of(&repo, ORDER_PATH, "[[followup]]");
    fired(&run, "risk-unhandled", ORDER_PATH, Some(line));
}

#[test]
pub(super) fn risk_unhandled_fires_for_a_blank_action() {
    let repo = Repo::base();
    repo.append(ORDER_PATH, &format!("{FOLLOWUP}action = \" \"\n"));
    let run = repo.check();
    let line = line_of(&repo, ORDER_PATH, "[[followup]]");
    fired(&run, "risk-unhandled", ORDER_PATH, Some(line));
}

#[test]
pub(super) fn risk_unhandled_near_miss() {
    let repo = Repo::base();
    repo.append(
        ORDER_PATH,
        &format!("{FOLLOWUP}action = \"Purchasing buys from the second supplier.\"\n"),
    );
    clean(&repo.check());
}
