//! Rules of every kind (src/rules/common.rs): `unknown-ref`,
//! `attachment-missing`, `review-role`.

use super::*;

// ---------------------------------------------------------------------------
// unknown-ref

#[test]
pub(super) fn unknown_ref_fires() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "owner = \"li.sales\"", "owner = \"li.sale\"");
    let run = repo.check();
    let f = fired(&run, "unknown-ref", ORDER_PATH, Some(6));
    assert_eq!(f.column, Some(9));
    assert!(f.message.contains("li.sale"), "{}", f.message);
}

#[test]
pub(super) fn unknown_ref_fires_for_an_id_of_another_kind() {
    // A flow sheet naming a customer id as its order: the id exists, but
    // there is no such order.
    let repo = Repo::base();
    repo.edit(
        FLOWSHEET_PATH,
        "order = \"SO-2026-0001\"",
        "order = \"C-0001\"",
    );
    let run = repo.check();
    fired(&run, "unknown-ref", FLOWSHEET_PATH, Some(2));
}

#[test]
pub(super) fn unknown_ref_near_miss() {
    // The order names a customer whose file is there but broken (no
    // region): that file's schema finding says what is wrong; the
    // reference itself is not unknown.
    let repo = base_with(
        CUSTOMER2_PATH,
        &CUSTOMER2.replace("region = \"domestic\"\n", ""),
    );
    repo.edit(ORDER_PATH, "customer = \"C-0001\"", "customer = \"C-0002\"");
    let run = repo.check();
    quiet(&run, "unknown-ref");
    fired(&run, "schema", CUSTOMER2_PATH, None);
    assert_eq!(rule_set(&run), ["schema"]);
}

// ---------------------------------------------------------------------------
// attachment-missing

const WITH_ATTACHMENT: &str =
    "delivery_place = \"Hamburg\"\nattachments = [\"SO-2026-0001/po-88812.pdf\"]";

#[test]
pub(super) fn attachment_missing_fires() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "delivery_place = \"Hamburg\"", WITH_ATTACHMENT);
    let run = repo.check();
    let f = fired(&run, "attachment-missing", ORDER_PATH, Some(9));
    assert_eq!(f.column, Some(15));
    assert!(
        f.message.contains("orders/2026/SO-2026-0001/po-88812.pdf"),
        "{}",
        f.message
    );
}

/// The one attachment-missing finding of the base order listing `name`.
fn attachment_finding(name: &str) -> F {
    let repo = Repo::base();
    repo.edit(
        ORDER_PATH,
        "delivery_place = \"Hamburg\"",
        &format!("delivery_place = \"Hamburg\"\nattachments = [\"{name}\"]"),
    );
    fired(&repo.check(), "attachment-missing", ORDER_PATH, Some(9))
}

#[test]
pub(super) fn attachment_missing_fires_outside_the_record_folders() {
    let f = attachment_finding("../../people.toml");
    // people.toml is inside the records root, but no record's attachment.
    assert_eq!(
        f.message,
        "attachment \"../../people.toml\" points outside the record folders (orders/, capa/, ...); \
         keep attachments beside the record"
    );
}

#[test]
pub(super) fn attachment_missing_fires_outside_the_root() {
    // Refused by its shape (`..` above the root), whether or not it exists.
    let f = attachment_finding("../../../secret.pdf");
    // Why it was refused, and what to do instead (not "add the file").
    assert_eq!(
        f.message,
        "attachment \"../../../secret.pdf\" points outside the records root; \
         keep attachments beside the record"
    );
}

#[test]
pub(super) fn attachment_missing_near_miss() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "delivery_place = \"Hamburg\"", WITH_ATTACHMENT);
    repo.write("orders/2026/SO-2026-0001/po-88812.pdf", "%PDF-1.4\n");
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// review-role

#[test]
pub(super) fn review_role_fires() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "by = \"wang.gm\"", "by = \"li.sales\"");
    let run = repo.check();
    let f = fired(&run, "review-role", ORDER_PATH, Some(25));
    assert_eq!(f.column, Some(6));
    assert!(f.message.contains("gm"), "{}", f.message);
}

#[test]
pub(super) fn review_role_fires_for_a_capa_investigation_outside_the_department() {
    // The investigation is signed by the responsible department.
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace("by = \"zhao.mfg\"", "by = \"chen.rnd\""),
    );
    let run = repo.check();
    let line = line_of(&repo, CAPA_PATH, "chen.rnd");
    let f = fired(&run, "review-role", CAPA_PATH, Some(line));
    assert!(f.message.contains("manufacturing"), "{}", f.message);
}

/// The base order, received late January and reviewed by old.gm (who left
/// on 2026-01-31) on `date`.
fn reviewed_by_old_gm(date: &str) -> Repo {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "received = 2026-03-02", "received = 2026-01-29");
    repo.edit(ORDER_PATH, "by = \"wang.gm\"", "by = \"old.gm\"");
    repo.edit(ORDER_PATH, "date = 2026-03-03", &format!("date = {date}"));
    repo
}

#[test]
pub(super) fn review_role_fires_after_the_signer_left() {
    let repo = reviewed_by_old_gm("2026-02-01");
    let run = repo.check();
    let f = fired(&run, "review-role", ORDER_PATH, Some(26));
    assert!(f.message.contains("left"), "{}", f.message);
    assert_eq!(rule_set(&run), ["review-role"]);
}

#[test]
pub(super) fn review_role_near_miss() {
    // Signed on the day they left: still theirs to sign.
    clean(&reviewed_by_old_gm("2026-01-31").check());
}
