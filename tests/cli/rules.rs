//! Rule cases: for every rule `check` can report without git history, a
//! case that fires it and a near-miss that does not (the smallest change
//! across the rule's boundary). Each case starts from `Repo::base()`, which
//! checks clean, and edits or adds one file (a few need a second file that
//! the rule links to). `every_rule_has_a_case` keeps the tables at the end
//! honest against `docket rules`.

use crate::fixture::*;

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
// parse

#[test]
fn parse_fires() {
    let repo = base_with(
        REPORT_PATH,
        &REPORT.replace("to = \"wang.gm\"", "to \"wang.gm\""),
    );
    let run = repo.check();
    let f = fired(&run, "parse", REPORT_PATH, Some(5));
    assert_eq!(f.column, Some(4), "{f:#?}");
    assert!(f.message.contains("invalid TOML"), "{}", f.message);
    assert_eq!(run.findings().len(), 1, "{:#?}", run.findings());
    assert_eq!(run.code, 1);
}

#[test]
fn parse_near_miss() {
    // Valid, if unusual, TOML: a multi-line string with CJK text.
    let repo = base_with(
        REPORT_PATH,
        &REPORT.replace(
            "summary = \"The shafts run well on the new line.\"",
            "summary = \"\"\"\n客戶反映：新產線運轉良好。\nThe shafts run well.\"\"\"",
        ),
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// schema

#[test]
fn schema_fires() {
    // A typo of a required field: the unknown key (with a suggestion) and
    // the missing field are both reported.
    let repo = base_with(
        ORDER2_PATH,
        &ORDER2.replace("legible = true", "legibel = true"),
    );
    let run = repo.check();
    let found = fires(&run, "schema");
    assert_eq!(found.len(), 2, "{found:#?}");
    let typo = found
        .iter()
        .find(|f| f.message.contains("unknown field `legibel`"))
        .expect("unknown field finding");
    assert_eq!((typo.line, typo.column), (Some(6), Some(1)));
    assert_eq!(typo.file, ORDER2_PATH);
    assert!(
        typo.message.contains("did you mean `legible`"),
        "{}",
        typo.message
    );
    let missing = found
        .iter()
        .find(|f| f.message.contains("missing required field `legible`"))
        .expect("missing field finding");
    assert_eq!(missing.file, ORDER2_PATH);
    assert_eq!(run.code, 1);
}

#[test]
fn schema_near_miss() {
    // The same record spelt right, with every optional order field used.
    let repo = base_with(
        ORDER2_PATH,
        &ORDER2.replace(
            "legible = true",
            "legible = true\ncustomer_ref = \"PO-1\"\nspecial_requirements = \"Oil, then wrap.\"\ndelivery_place = \"Hamburg\"",
        ),
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// id-mismatch

#[test]
fn id_mismatch_fires() {
    let repo = base_with(
        CUSTOMER2_PATH,
        &CUSTOMER2.replace("\"C-0002\"", "\"C-0003\""),
    );
    let run = repo.check();
    let f = fired(&run, "id-mismatch", CUSTOMER2_PATH, Some(1));
    assert_eq!(f.column, Some(6));
    assert!(f.message.contains("C-0002.toml"), "{}", f.message);
}

#[test]
fn id_mismatch_fires_on_shape() {
    // The stem matches, but C-NNNN needs at least four digits.
    let repo = base_with(
        "customers/C-002.toml",
        &CUSTOMER2.replace("\"C-0002\"", "\"C-002\""),
    );
    let run = repo.check();
    let f = fired(&run, "id-mismatch", "customers/C-002.toml", Some(1));
    assert!(f.message.contains("C-NNNN"), "{}", f.message);
}

#[test]
fn id_mismatch_near_miss() {
    clean(&base_with(CUSTOMER2_PATH, CUSTOMER2).check());
}

// ---------------------------------------------------------------------------
// duplicate-id

#[test]
fn duplicate_id_fires() {
    // Same id (and stem) in another folder: the later file in path order
    // is the duplicate.
    let repo = base_with("customers/old/C-0001.toml", CUSTOMER);
    let run = repo.check();
    let f = fired(&run, "duplicate-id", "customers/old/C-0001.toml", Some(1));
    assert!(f.message.contains("customers/C-0001.toml"), "{}", f.message);
    assert_eq!(run.findings().len(), 1, "{:#?}", run.findings());
}

#[test]
fn duplicate_id_near_miss() {
    clean(&base_with("customers/old/C-0002.toml", CUSTOMER2).check());
}

// ---------------------------------------------------------------------------
// unknown-ref

#[test]
fn unknown_ref_fires() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "owner = \"li.sales\"", "owner = \"li.sale\"");
    let run = repo.check();
    let f = fired(&run, "unknown-ref", ORDER_PATH, Some(6));
    assert_eq!(f.column, Some(9));
    assert!(f.message.contains("li.sale"), "{}", f.message);
}

#[test]
fn unknown_ref_fires_for_an_id_of_another_kind() {
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
fn unknown_ref_near_miss() {
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
// unknown-file (a warning: docket's addition to the catalog, docs/decisions.md)

#[test]
fn unknown_file_fires() {
    let repo = base_with("notes/todo.toml", "x = 1\n");
    let run = repo.check();
    let f = fired(&run, "unknown-file", "notes", None);
    assert_eq!(f.severity, "warning");
    assert_eq!(run.findings().len(), 1, "{:#?}", run.findings());
    assert_eq!(run.code, 0);
}

#[test]
fn unknown_file_near_miss() {
    // A README at the top and an unlisted file below a kind folder are
    // expected, not stray.
    let repo = base_with("README.md", "# Our records\n");
    repo.write("orders/2026/SO-2026-0001/po-88812.pdf", "%PDF-1.4\n");
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// attachment-missing

const WITH_ATTACHMENT: &str =
    "delivery_place = \"Hamburg\"\nattachments = [\"SO-2026-0001/po-88812.pdf\"]";

#[test]
fn attachment_missing_fires() {
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

#[test]
fn attachment_missing_fires_outside_the_root() {
    let repo = Repo::base();
    repo.edit(
        ORDER_PATH,
        "delivery_place = \"Hamburg\"",
        "delivery_place = \"Hamburg\"\nattachments = [\"../../people.toml\"]",
    );
    let run = repo.check();
    let f = fired(&run, "attachment-missing", ORDER_PATH, Some(9));
    assert!(f.message.contains("outside"), "{}", f.message);
}

#[test]
fn attachment_missing_near_miss() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "delivery_place = \"Hamburg\"", WITH_ATTACHMENT);
    repo.write("orders/2026/SO-2026-0001/po-88812.pdf", "%PDF-1.4\n");
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// part-number-unique

const PRODUCT2_PATH: &str = "products/AP-SH-1021.toml";

#[test]
fn part_number_unique_fires() {
    // Same product under another part number; case and spacing differ.
    let repo = base_with(
        PRODUCT2_PATH,
        &PRODUCT
            .replace("AP-SH-1020", "AP-SH-1021")
            .replace("Stainless shaft", "stainless  Shaft"),
    );
    let run = repo.check();
    let f = fired(&run, "part-number-unique", PRODUCT2_PATH, Some(2));
    assert!(f.message.contains("AP-SH-1020"), "{}", f.message);
}

#[test]
fn part_number_unique_fires_for_one_part_number_in_two_files() {
    let repo = base_with(
        "products/old/AP-SH-1020.toml",
        &PRODUCT.replace("D10 x 200 mm", "D12 x 200 mm"),
    );
    let run = repo.check();
    fired(
        &run,
        "part-number-unique",
        "products/old/AP-SH-1020.toml",
        Some(1),
    );
    quiet(&run, "duplicate-id");
}

#[test]
fn part_number_unique_near_miss() {
    // Same name, another spec: another product.
    let repo = base_with(
        PRODUCT2_PATH,
        &PRODUCT
            .replace("AP-SH-1020", "AP-SH-1021")
            .replace("D10 x 200 mm", "D10 x 250 mm"),
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// line-mismatch

#[test]
fn line_mismatch_fires() {
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
fn line_mismatch_fires_for_an_obsolete_part_on_an_open_order() {
    let repo = base_with(ORDER2_PATH, ORDER2);
    repo.edit(PRODUCT_PATH, "status = \"active\"", "status = \"obsolete\"");
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "part_number");
    let f = fired(&run, "line-mismatch", ORDER2_PATH, Some(line));
    assert!(f.message.contains("obsolete"), "{}", f.message);
}

#[test]
fn line_mismatch_near_miss() {
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
fn line_mismatch_near_miss_obsolete_part_on_a_closed_order() {
    let repo = Repo::base();
    repo.edit(PRODUCT_PATH, "status = \"active\"", "status = \"obsolete\"");
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// customer-incomplete

#[test]
fn customer_incomplete_fires() {
    let repo = Repo::base();
    repo.edit(CUSTOMER_PATH, "phone = \"+49 40 123456\"", "phone = \"  \"");
    let run = repo.check();
    let f = fired(&run, "customer-incomplete", CUSTOMER_PATH, Some(2));
    assert!(f.message.contains("phone"), "{}", f.message);
}

#[test]
fn customer_incomplete_near_miss() {
    // Fax and email are optional; a short phone is still a phone.
    let repo = Repo::base();
    repo.edit(
        CUSTOMER_PATH,
        "phone = \"+49 40 123456\"",
        "phone = \"123\"",
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// review-missing (review_within_days = 3)

#[test]
fn review_missing_fires() {
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
fn review_missing_near_miss() {
    // Three days: due today, not late.
    clean(&base_with(ORDER2_PATH, ORDER2).check());
}

#[test]
fn review_missing_fires_for_a_late_review() {
    // Received 03-02, reviewed on day 4 (the sheet follows the review).
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "date = 2026-03-03", "date = 2026-03-06");
    repo.edit(FLOWSHEET_PATH, "issued = 2026-03-04", "issued = 2026-03-06");
    let run = repo.check();
    fired(&run, "review-missing", ORDER_PATH, Some(26));
    assert_eq!(rule_set(&run), ["review-missing"]);
}

#[test]
fn review_missing_near_miss_review_on_day_3() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "date = 2026-03-03", "date = 2026-03-05");
    repo.edit(FLOWSHEET_PATH, "issued = 2026-03-04", "issued = 2026-03-05");
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// review-role

#[test]
fn review_role_fires() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "by = \"wang.gm\"", "by = \"li.sales\"");
    let run = repo.check();
    let f = fired(&run, "review-role", ORDER_PATH, Some(25));
    assert_eq!(f.column, Some(6));
    assert!(f.message.contains("gm"), "{}", f.message);
}

#[test]
fn review_role_fires_for_a_capa_investigation_outside_the_department() {
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
fn review_role_fires_after_the_signer_left() {
    let repo = reviewed_by_old_gm("2026-02-01");
    let run = repo.check();
    let f = fired(&run, "review-role", ORDER_PATH, Some(26));
    assert!(f.message.contains("left"), "{}", f.message);
    assert_eq!(rule_set(&run), ["review-role"]);
}

#[test]
fn review_role_near_miss() {
    // Signed on the day they left: still theirs to sign.
    clean(&reviewed_by_old_gm("2026-01-31").check());
}

// ---------------------------------------------------------------------------
// capacity-missing

#[test]
fn capacity_missing_fires() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "new_product = false", "new_product = true");
    let run = repo.check();
    let f = fired(&run, "capacity-missing", ORDER_PATH, Some(21));
    assert_eq!(f.column, Some(15));
}

#[test]
fn capacity_missing_fires_without_capacity() {
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
fn capacity_missing_near_miss() {
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
fn illegible_approved_fires() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    let run = repo.check();
    let f = fired(&run, "illegible-approved", ORDER_PATH, Some(7));
    assert_eq!(f.column, Some(11));
}

#[test]
fn illegible_approved_near_miss() {
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
fn oral_order_fires() {
    let repo = oral("");
    let run = repo.check();
    let f = fired(&run, "oral-order", ORDER2_PATH, Some(3));
    assert_eq!(f.column, Some(11));
}

#[test]
fn oral_order_fires_when_the_written_order_is_overdue() {
    let repo = oral("[oral]\npath = \"written-order\"\nwritten_order_due = 2026-06-14\n");
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "path = ");
    fired(&run, "oral-order", ORDER2_PATH, Some(line));
}

#[test]
fn oral_order_near_miss() {
    // The written order is due today: not missing yet.
    clean(&oral("[oral]\npath = \"written-order\"\nwritten_order_due = 2026-06-15\n").check());
}

#[test]
fn oral_order_fires_when_the_written_order_came_late() {
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
fn oral_order_near_miss_default_deadline() {
    // No due date: received 06-12 + 7 days, so nothing is late yet.
    clean(&oral("[oral]\npath = \"written-order\"\n").check());
}

#[test]
fn oral_order_fires_without_the_gm_signed_sheet() {
    let repo = oral("[oral]\npath = \"gm-signed-flowsheet\"\n");
    repo.write(FLOWSHEET2_PATH, FLOWSHEET2);
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "path = ");
    fired(&run, "oral-order", ORDER2_PATH, Some(line));
}

#[test]
fn oral_order_near_miss_gm_signed_sheet() {
    let repo = oral("[oral]\npath = \"gm-signed-flowsheet\"\n");
    repo.write(
        FLOWSHEET2_PATH,
        &format!("{FLOWSHEET2}\n[gm_signed]\nby = \"wang.gm\"\ndate = 2026-06-13\n"),
    );
    clean(&repo.check());
}

#[test]
fn oral_order_near_miss_refused_and_cancelled() {
    // 4.2.3: oral orders are normally refused. A refused one, recorded as
    // cancelled, needs no exception path.
    clean(
        &oral("[cancelled]\ndate = 2026-06-12\nreason = \"Oral order refused (4.2.3).\"\n").check(),
    );
}

#[test]
fn oral_order_fires_for_an_oral_table_on_a_fax_order() {
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
fn flowsheet_missing_fires() {
    let repo = base_with(ORDER2_PATH, &format!("{ORDER2}\n{ORDER2_APPROVED}"));
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "decision");
    fired(&run, "flowsheet-missing", ORDER2_PATH, Some(line));
    assert_eq!(rule_set(&run), ["flowsheet-missing"]);
}

#[test]
fn flowsheet_missing_near_miss() {
    let repo = base_with(ORDER2_PATH, &format!("{ORDER2}\n{ORDER2_APPROVED}"));
    repo.write(FLOWSHEET2_PATH, FLOWSHEET2);
    clean(&repo.check());
}

#[test]
fn flowsheet_missing_near_miss_cancelled() {
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
fn produced_unapproved_fires() {
    // Issued the day before the review.
    let repo = Repo::base();
    repo.edit(FLOWSHEET_PATH, "issued = 2026-03-04", "issued = 2026-03-02");
    let run = repo.check();
    let f = fired(&run, "produced-unapproved", FLOWSHEET_PATH, Some(3));
    assert_eq!(f.column, Some(10));
}

#[test]
fn produced_unapproved_near_miss() {
    // Issued the day of the review.
    let repo = Repo::base();
    repo.edit(FLOWSHEET_PATH, "issued = 2026-03-04", "issued = 2026-03-03");
    clean(&repo.check());
}

#[test]
fn produced_unapproved_fires_for_an_unreviewed_order() {
    let repo = base_with(ORDER2_PATH, ORDER2);
    repo.write(FLOWSHEET2_PATH, FLOWSHEET2);
    let run = repo.check();
    fired(&run, "produced-unapproved", FLOWSHEET2_PATH, Some(2));
}

#[test]
fn produced_unapproved_near_miss_customer_confirmed_oral_order() {
    // 4.2.3 path 2: the confirmed sheet exists before the review.
    let repo = oral("[oral]\npath = \"customer-confirmed-flowsheet\"\n");
    repo.write(
        FLOWSHEET2_PATH,
        &format!(
            "{FLOWSHEET2}\n[customer_confirmed]\ndate = 2026-06-13\nreference = \"fax 2026-06-13 from Anna Keller\"\n"
        ),
    );
    clean(&repo.check());
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
fn produced_unapproved_near_miss_rereviewed_after_a_change() {
    // Revision 1 was issued under the first approval; only sheets issued
    // after the change wait for the new review.
    clean(&rereviewed_after_a_change("2026-03-11").check());
}

#[test]
fn produced_unapproved_fires_for_a_reissue_before_the_new_review() {
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
fn flowsheet_outdated_fires() {
    let repo = Repo::base();
    repo.edit(FLOWSHEET_PATH, "quantity = 500", "quantity = 400");
    let run = repo.check();
    let f = fired(&run, "flowsheet-outdated", FLOWSHEET_PATH, Some(5));
    assert!(f.message.contains("AP-SH-1020 x500"), "{}", f.message);
}

#[test]
fn flowsheet_outdated_near_miss() {
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
fn flowsheet_outdated_fires_for_a_change_after_the_sheet() {
    let repo = Repo::base();
    repo.append(ORDER_PATH, &change("2026-03-05"));
    let run = repo.check();
    fired(&run, "flowsheet-outdated", FLOWSHEET_PATH, Some(3));
    assert_eq!(rule_set(&run), ["flowsheet-outdated"]);
}

#[test]
fn flowsheet_outdated_near_miss_change_on_the_day_issued() {
    let repo = Repo::base();
    repo.append(ORDER_PATH, &change("2026-03-04"));
    clean(&repo.check());
}

#[test]
fn flowsheet_outdated_near_miss_reissued() {
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
fn change_unnotified_fires() {
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
fn change_unnotified_fires_for_an_empty_list() {
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
fn change_unnotified_near_miss() {
    let repo = Repo::base();
    repo.append(ORDER_PATH, &change("2026-03-04"));
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// overdue (a warning)

#[test]
fn overdue_fires() {
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
fn overdue_near_miss() {
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
fn risk_unhandled_fires() {
    let repo = Repo::base();
    repo.append(ORDER_PATH, FOLLOWUP);
    let run = repo.check();
    let line = line_of(&repo, ORDER_PATH, "[[followup]]");
    fired(&run, "risk-unhandled", ORDER_PATH, Some(line));
}

#[test]
fn risk_unhandled_fires_for_a_blank_action() {
    let repo = Repo::base();
    repo.append(ORDER_PATH, &format!("{FOLLOWUP}action = \" \"\n"));
    let run = repo.check();
    let line = line_of(&repo, ORDER_PATH, "[[followup]]");
    fired(&run, "risk-unhandled", ORDER_PATH, Some(line));
}

#[test]
fn risk_unhandled_near_miss() {
    let repo = Repo::base();
    repo.append(
        ORDER_PATH,
        &format!("{FOLLOWUP}action = \"Purchasing buys from the second supplier.\"\n"),
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// capa-stage-order

#[test]
fn capa_stage_order_fires() {
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
}

#[test]
fn capa_stage_order_near_miss() {
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
fn capa_stage_order_fires_for_a_skipped_stage() {
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
fn capa_stage_order_fires_after_an_ineffective_verification() {
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace("effective = true", "effective = false"),
    );
    let run = repo.check();
    // confirmation, feedback and closed all follow it.
    assert_eq!(run.of("capa-stage-order").len(), 3, "{:#?}", run.findings());
}

#[test]
fn capa_stage_order_near_miss_ineffective_and_back_to_investigation() {
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
fn capa_stalled_fires() {
    let repo = capa_in_investigation_since("2026-05-31");
    let run = repo.check();
    let line = line_of(&repo, CAPA_PATH, "date = 2026-05-31");
    let f = fired(&run, "capa-stalled", CAPA_PATH, Some(line));
    assert_eq!(f.severity, "warning");
    assert!(f.message.contains("15 days"), "{}", f.message);
    assert_eq!(run.code, 0);
}

#[test]
fn capa_stalled_near_miss() {
    clean(&capa_in_investigation_since("2026-06-01").check());
}

// ---------------------------------------------------------------------------
// capa-source

#[test]
fn capa_source_fires() {
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace("source = \"complaint\"", "source = \"survey\""),
    );
    let run = repo.check();
    let f = fired(&run, "capa-source", CAPA_PATH, Some(3));
    assert_eq!(f.column, Some(10));
}

#[test]
fn capa_source_near_miss() {
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
fn capa_source_fires_for_qc_opening_an_oral_complaint() {
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace("opened_by = \"li.sales\"", "opened_by = \"sun.qc\""),
    );
    let run = repo.check();
    let line = line_of(&repo, CAPA_PATH, "opened_by");
    fired(&run, "capa-source", CAPA_PATH, Some(line));
}

#[test]
fn capa_source_near_miss_qc_opens_a_written_complaint() {
    let repo = base_with(
        CAPA_PATH,
        &CAPA.replace(
            "opened_by = \"li.sales\"",
            "opened_by = \"sun.qc\"\nwritten_complaint = true",
        ),
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// complaint-without-capa

#[test]
fn complaint_without_capa_fires() {
    let repo = base_with(
        REPORT_PATH,
        &REPORT.replace("complaint = false", "complaint = true"),
    );
    let run = repo.check();
    fired(&run, "complaint-without-capa", REPORT_PATH, Some(1));
}

#[test]
fn complaint_without_capa_near_miss() {
    let repo = base_with(
        REPORT_PATH,
        &REPORT.replace(
            "complaint = false",
            "complaint = true\ncapa = \"CAPA-2026-0001\"",
        ),
    );
    repo.write(
        CAPA_PATH,
        &CAPA.replace(
            "source = \"complaint\"",
            "source = \"usage-report\"\nreport = \"UR-2026-0001\"",
        ),
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// survey-missing (survey_due = "03-31")

#[test]
fn survey_missing_fires() {
    let repo = Repo::base();
    repo.remove(SURVEY_PATH);
    let run = repo.check();
    let f = fired(&run, "survey-missing", CUSTOMER_PATH, Some(7));
    assert_eq!(f.column, Some(9));
    assert!(f.message.contains("2026"), "{}", f.message);
}

#[test]
fn survey_missing_near_miss() {
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
fn survey_missing_fires_for_a_past_year() {
    // A customer on last year's due day owed a survey for last year.
    let repo = customer_since("2025-03-31");
    let run = repo.check();
    let f = fired(&run, "survey-missing", CUSTOMER2_PATH, Some(7));
    assert!(f.message.contains("2025"), "{}", f.message);
}

#[test]
fn survey_missing_near_miss_customer_after_the_due_day() {
    clean(&customer_since("2025-04-01").check());
}

// ---------------------------------------------------------------------------
// survey-below-target (survey_target = 80; overall = mean x 20)

#[test]
fn survey_below_target_fires() {
    // 4, 4, 4, 4, 3: 76.
    let repo = Repo::base();
    repo.edit(SURVEY_PATH, "communication = 4", "communication = 3");
    let run = repo.check();
    let f = fired(&run, "survey-below-target", SURVEY_PATH, Some(6));
    assert_eq!(f.column, Some(12));
    assert!(f.message.contains("76"), "{}", f.message);
}

#[test]
fn survey_below_target_near_miss() {
    // 5, 4, 4, 4, 3: exactly 80, the target.
    let repo = Repo::base();
    repo.edit(SURVEY_PATH, "communication = 4", "communication = 3");
    repo.edit(SURVEY_PATH, "quality = 4", "quality = 5");
    clean(&repo.check());
}

#[test]
fn survey_below_target_near_miss_handled_by_a_capa() {
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
fn survey_below_target_fires_with_analysis_but_no_capa() {
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
fn survey_serious_fires() {
    let repo = Repo::base();
    repo.append(SURVEY_PATH, &analysis("2026-06-01", true));
    let run = repo.check();
    let line = line_of(&repo, SURVEY_PATH, "[analysis]");
    fired(&run, "survey-serious", SURVEY_PATH, Some(line));
    assert_eq!(rule_set(&run), ["survey-serious"]);
}

#[test]
fn survey_serious_near_miss() {
    let repo = Repo::base();
    repo.append(SURVEY_PATH, &analysis("2026-06-01", false));
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// survey-feedback-missing (30 days; a warning)

#[test]
fn survey_feedback_missing_fires() {
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
fn survey_feedback_missing_near_miss() {
    let repo = Repo::base();
    repo.append(SURVEY_PATH, &analysis("2026-05-16", false));
    clean(&repo.check());
}

#[test]
fn survey_feedback_missing_near_miss_feedback_given() {
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

// ---------------------------------------------------------------------------
// property-unverified

#[test]
fn property_unverified_fires() {
    let repo = base_with(
        PROPERTY_PATH,
        &PROPERTY.replace("[verified]\nby = \"sun.qc\"\ndate = 2026-03-03\n", ""),
    );
    let run = repo.check();
    let f = fired(&run, "property-unverified", PROPERTY_PATH, Some(4));
    assert_eq!(f.column, Some(12));
}

#[test]
fn property_unverified_near_miss() {
    clean(&base_with(PROPERTY_PATH, PROPERTY).check());
}

// ---------------------------------------------------------------------------
// property-incident-unreported

const INCIDENT: &str = "[[incident]]\ndate = 2026-04-02\nkind = \"damaged\"\ndescription = \"Dropped; the thread is nicked.\"\n";

#[test]
fn property_incident_unreported_fires() {
    let repo = base_with(PROPERTY_PATH, &format!("{PROPERTY}\n{INCIDENT}"));
    let run = repo.check();
    let line = line_of(&repo, PROPERTY_PATH, "[[incident]]");
    let f = fired(
        &run,
        "property-incident-unreported",
        PROPERTY_PATH,
        Some(line),
    );
    assert!(f.message.contains("damaged"), "{}", f.message);
}

#[test]
fn property_incident_unreported_near_miss() {
    let repo = base_with(
        PROPERTY_PATH,
        &format!("{PROPERTY}\n{INCIDENT}reported_to_customer = 2026-04-02\n"),
    );
    clean(&repo.check());
}

// ---------------------------------------------------------------------------
// Several faults, positions, configuration, exit codes and formats.

#[test]
fn every_fault_is_reported_in_one_run() {
    // Four schema problems in one order, a rule finding in another file.
    let repo = base_with(
        ORDER2_PATH,
        &ORDER2
            .replace("channel = \"fax\"", "channel = \"webiste\"")
            .replace("legible = true", "legible = true\ncolour = \"red\"")
            .replace("quantity = 100", "quantity = \"100\"")
            .replace("delivery = 2026-08-01", "delivery = \"2026-08-01\""),
    );
    repo.edit(CUSTOMER_PATH, "contact = \"Anna Keller\"\n", "");
    let run = repo.check();
    assert_eq!(run.code, 1);
    let schema: Vec<(Option<u64>, Option<u64>, String)> = run
        .of("schema")
        .into_iter()
        .map(|f| {
            assert_eq!(f.file, ORDER2_PATH);
            (f.line, f.column, f.message)
        })
        .collect();
    assert_eq!(schema.len(), 4, "{schema:#?}");
    let at = |needle: &str| {
        schema
            .iter()
            .find(|(_, _, m)| m.contains(needle))
            .map(|(l, c, _)| (l.unwrap_or(0), c.unwrap_or(0)))
            .unwrap_or_else(|| panic!("no schema finding about {needle}: {schema:#?}"))
    };
    // channel = "webiste": the value, with a suggestion.
    assert_eq!(at("did you mean \"website\""), (3, 11));
    // colour = "red": the key.
    assert_eq!(at("unknown field `colour`"), (7, 1));
    // quantity = "100": the value.
    assert_eq!(at("`line[0].quantity` must be a whole number"), (13, 12));
    // delivery = "2026-08-01": a quoted date.
    assert_eq!(at("quoted string"), (14, 12));
    fired(&run, "customer-incomplete", CUSTOMER_PATH, Some(2));
    // The broken order is left out of the rules; nothing else is reported.
    assert_eq!(rule_set(&run), ["customer-incomplete", "schema"]);
    assert_eq!(run.json()["summary"]["errors"], 5);
}

#[test]
fn parse_position_is_exact() {
    // An unclosed array in the middle of a CJK line: columns count
    // characters, not bytes.
    let repo = base_with(
        REPORT_PATH,
        &REPORT.replace(
            "summary = \"The shafts run well on the new line.\"",
            "summary = \"新產線\" = 1",
        ),
    );
    let run = repo.check();
    let f = fired(&run, "parse", REPORT_PATH, Some(6));
    assert_eq!(f.column, Some(17), "{f:#?}");
}

#[test]
fn schema_position_in_a_sub_table_is_exact() {
    // A bad enum inside [[extra_review]] and a missing field in [review].
    let repo = Repo::base();
    repo.edit(
        ORDER_PATH,
        "[review]\ndecision = \"approved\"\n",
        "[[extra_review]]\ndepartment = \"R&D\"\nby = \"chen.rnd\"\ndate = 2026-03-03\nresult = \"feasible\"\n\n[review]\n",
    );
    let run = repo.check();
    let schema = run.of("schema");
    assert_eq!(schema.len(), 2, "{schema:#?}");
    let dept = schema
        .iter()
        .find(|f| f.message.contains("extra_review[0].department"))
        .expect("department finding");
    assert_eq!((dept.line, dept.column), (Some(24), Some(14)));
    let missing = schema
        .iter()
        .find(|f| {
            f.message
                .contains("missing required field `review.decision`")
        })
        .expect("decision finding");
    assert_eq!((missing.line, missing.column), (Some(29), Some(1)));
}

#[test]
fn rules_config_overrides_a_severity() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    repo.append("docket.toml", "[rules]\nillegible-approved = \"warning\"\n");
    let run = repo.check();
    let f = fired(&run, "illegible-approved", ORDER_PATH, Some(7));
    assert_eq!(f.severity, "warning");
    assert_eq!(run.json()["summary"]["errors"], 0);
    // and history-unavailable: the repository is not under git
    assert_eq!(run.json()["summary"]["warnings"], 2);
    assert_eq!(run.code, 0);
}

#[test]
fn rules_config_raises_a_warning_to_an_error() {
    let repo = base_with(
        ORDER2_PATH,
        &ORDER2.replace("delivery = 2026-08-01", "delivery = 2026-06-14"),
    );
    repo.append("docket.toml", "[rules]\noverdue = \"error\"\n");
    let run = repo.check();
    let line = line_of(&repo, ORDER2_PATH, "delivery = ");
    assert_eq!(
        fired(&run, "overdue", ORDER2_PATH, Some(line)).severity,
        "error"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn rules_config_turns_a_rule_off() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    repo.edit(CUSTOMER_PATH, "phone = \"+49 40 123456\"\n", "");
    repo.append(
        "docket.toml",
        "[rules]\nillegible-approved = \"off\"\ncustomer-incomplete = \"off\"\n",
    );
    clean(&repo.check());
}

#[test]
fn rules_config_turns_a_format_rule_off() {
    let repo = base_with("notes/todo.toml", "x = 1\n");
    repo.append("docket.toml", "[rules]\nunknown-file = \"off\"\n");
    clean(&repo.check());
}

#[test]
fn rules_config_with_an_unknown_rule_id_is_a_schema_finding() {
    let repo = Repo::base();
    repo.append("docket.toml", "[rules]\novredue = \"off\"\n");
    let run = repo.check();
    let line = line_of(&repo, "docket.toml", "ovredue");
    let f = fired(&run, "schema", "docket.toml", Some(line));
    assert!(
        f.message.contains("did you mean `overdue`"),
        "{}",
        f.message
    );
    assert_eq!(run.code, 1);
}

#[test]
fn exit_code_is_0_with_only_warnings_and_1_with_an_error() {
    let repo = base_with(
        ORDER2_PATH,
        &ORDER2.replace("delivery = 2026-08-01", "delivery = 2026-06-14"),
    );
    for format in ["json", "human", "github"] {
        let run = repo.docket(&["check", "--format", format, "--as-of", AS_OF]);
        assert_eq!(run.code, 0, "{format}: {}{}", run.stdout, run.stderr);
    }
    repo.edit(ORDER2_PATH, "legible = true", "legible = false");
    repo.append(ORDER2_PATH, &format!("\n{ORDER2_APPROVED}"));
    repo.write(FLOWSHEET2_PATH, FLOWSHEET2);
    for format in ["json", "human", "github"] {
        let run = repo.docket(&["check", "--format", format, "--as-of", AS_OF]);
        assert_eq!(run.code, 1, "{format}: {}{}", run.stdout, run.stderr);
    }
    assert_eq!(rule_set(&repo.check()), ["illegible-approved", "overdue"]);
}

#[test]
fn github_format_prints_annotations() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    repo.write("notes/todo.toml", "x = 1\n");
    let run = repo.docket(&["check", "--format", "github", "--as-of", AS_OF]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.contains(
            &"::error file=orders/2026/SO-2026-0001.toml,line=7,col=11,\
              title=illegible-approved (4.2.1 A)::approved although marked `legible = false`"
        ),
        "{}",
        run.stdout
    );
    // No position: no line property; a warning is a ::warning.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::warning file=notes,title=unknown-file (-)::")),
        "{}",
        run.stdout
    );
    assert_eq!(
        lines.last(),
        // 2 warnings: unknown-file, and history-unavailable (not under git)
        Some(&"5 records checked: 1 errors, 2 warnings"),
        "{}",
        run.stdout
    );
}

#[test]
fn human_format_shows_the_source_line() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    let run = repo.docket(&["check", "--as-of", AS_OF]);
    assert_eq!(run.code, 1);
    let out = &run.stdout;
    let msg = out
        .find("approved although marked `legible = false`")
        .unwrap_or_else(|| panic!("no message:\n{out}"));
    let path = out
        .find("orders/2026/SO-2026-0001.toml:7:11")
        .unwrap_or_else(|| panic!("no file:line:col:\n{out}"));
    let source = out
        .find("7 | legible = false")
        .unwrap_or_else(|| panic!("no source line:\n{out}"));
    assert!(msg < path && path < source, "out of order:\n{out}");
    assert!(out.contains("illegible-approved"), "{out}");
    assert!(out.contains("4.2.1 A"), "{out}");
    assert!(
        // the one warning: history-unavailable (not under git)
        out.contains("5 records checked as of 2026-06-15: 1 errors, 1 warnings"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------
// Coverage: every rule `check` can report without history has a firing
// case and a near-miss. Each entry names the test function, so the table
// cannot name a case that does not exist.

macro_rules! cases {
    ($($rule:literal => $case:ident),* $(,)?) => {
        &[$(($rule, stringify!($case), $case as fn())),*]
    };
}

type Case = (&'static str, &'static str, fn());

const FIRING: &[Case] = cases![
    "parse" => parse_fires,
    "parse" => parse_position_is_exact,
    "schema" => schema_fires,
    "schema" => schema_position_in_a_sub_table_is_exact,
    "id-mismatch" => id_mismatch_fires,
    "id-mismatch" => id_mismatch_fires_on_shape,
    "duplicate-id" => duplicate_id_fires,
    "unknown-ref" => unknown_ref_fires,
    "unknown-ref" => unknown_ref_fires_for_an_id_of_another_kind,
    "unknown-file" => unknown_file_fires,
    "attachment-missing" => attachment_missing_fires,
    "attachment-missing" => attachment_missing_fires_outside_the_root,
    "part-number-unique" => part_number_unique_fires,
    "part-number-unique" => part_number_unique_fires_for_one_part_number_in_two_files,
    "line-mismatch" => line_mismatch_fires,
    "line-mismatch" => line_mismatch_fires_for_an_obsolete_part_on_an_open_order,
    "customer-incomplete" => customer_incomplete_fires,
    "review-missing" => review_missing_fires,
    "review-missing" => review_missing_fires_for_a_late_review,
    "review-role" => review_role_fires,
    "review-role" => review_role_fires_after_the_signer_left,
    "review-role" => review_role_fires_for_a_capa_investigation_outside_the_department,
    "capacity-missing" => capacity_missing_fires,
    "capacity-missing" => capacity_missing_fires_without_capacity,
    "illegible-approved" => illegible_approved_fires,
    "oral-order" => oral_order_fires,
    "oral-order" => oral_order_fires_when_the_written_order_is_overdue,
    "oral-order" => oral_order_fires_when_the_written_order_came_late,
    "oral-order" => oral_order_fires_without_the_gm_signed_sheet,
    "oral-order" => oral_order_fires_for_an_oral_table_on_a_fax_order,
    "flowsheet-missing" => flowsheet_missing_fires,
    "produced-unapproved" => produced_unapproved_fires,
    "produced-unapproved" => produced_unapproved_fires_for_an_unreviewed_order,
    "produced-unapproved" => produced_unapproved_fires_for_a_reissue_before_the_new_review,
    "flowsheet-outdated" => flowsheet_outdated_fires,
    "flowsheet-outdated" => flowsheet_outdated_fires_for_a_change_after_the_sheet,
    "change-unnotified" => change_unnotified_fires,
    "change-unnotified" => change_unnotified_fires_for_an_empty_list,
    "overdue" => overdue_fires,
    "risk-unhandled" => risk_unhandled_fires,
    "risk-unhandled" => risk_unhandled_fires_for_a_blank_action,
    "capa-stage-order" => capa_stage_order_fires,
    "capa-stage-order" => capa_stage_order_fires_for_a_skipped_stage,
    "capa-stage-order" => capa_stage_order_fires_after_an_ineffective_verification,
    "capa-stalled" => capa_stalled_fires,
    "capa-source" => capa_source_fires,
    "capa-source" => capa_source_fires_for_qc_opening_an_oral_complaint,
    "complaint-without-capa" => complaint_without_capa_fires,
    "survey-missing" => survey_missing_fires,
    "survey-missing" => survey_missing_fires_for_a_past_year,
    "survey-below-target" => survey_below_target_fires,
    "survey-below-target" => survey_below_target_fires_with_analysis_but_no_capa,
    "survey-serious" => survey_serious_fires,
    "survey-feedback-missing" => survey_feedback_missing_fires,
    "property-unverified" => property_unverified_fires,
    "property-incident-unreported" => property_incident_unreported_fires,
];

const NEAR_MISS: &[Case] = cases![
    "parse" => parse_near_miss,
    "schema" => schema_near_miss,
    "id-mismatch" => id_mismatch_near_miss,
    "duplicate-id" => duplicate_id_near_miss,
    "unknown-ref" => unknown_ref_near_miss,
    "unknown-file" => unknown_file_near_miss,
    "attachment-missing" => attachment_missing_near_miss,
    "part-number-unique" => part_number_unique_near_miss,
    "line-mismatch" => line_mismatch_near_miss,
    "line-mismatch" => line_mismatch_near_miss_obsolete_part_on_a_closed_order,
    "customer-incomplete" => customer_incomplete_near_miss,
    "review-missing" => review_missing_near_miss,
    "review-missing" => review_missing_near_miss_review_on_day_3,
    "review-role" => review_role_near_miss,
    "capacity-missing" => capacity_missing_near_miss,
    "illegible-approved" => illegible_approved_near_miss,
    "oral-order" => oral_order_near_miss,
    "oral-order" => oral_order_near_miss_default_deadline,
    "oral-order" => oral_order_near_miss_gm_signed_sheet,
    "oral-order" => oral_order_near_miss_refused_and_cancelled,
    "flowsheet-missing" => flowsheet_missing_near_miss,
    "flowsheet-missing" => flowsheet_missing_near_miss_cancelled,
    "produced-unapproved" => produced_unapproved_near_miss,
    "produced-unapproved" => produced_unapproved_near_miss_customer_confirmed_oral_order,
    "produced-unapproved" => produced_unapproved_near_miss_rereviewed_after_a_change,
    "flowsheet-outdated" => flowsheet_outdated_near_miss,
    "flowsheet-outdated" => flowsheet_outdated_near_miss_change_on_the_day_issued,
    "flowsheet-outdated" => flowsheet_outdated_near_miss_reissued,
    "change-unnotified" => change_unnotified_near_miss,
    "overdue" => overdue_near_miss,
    "risk-unhandled" => risk_unhandled_near_miss,
    "capa-stage-order" => capa_stage_order_near_miss,
    "capa-stage-order" => capa_stage_order_near_miss_ineffective_and_back_to_investigation,
    "capa-stalled" => capa_stalled_near_miss,
    "capa-source" => capa_source_near_miss,
    "capa-source" => capa_source_near_miss_qc_opens_a_written_complaint,
    "complaint-without-capa" => complaint_without_capa_near_miss,
    "survey-missing" => survey_missing_near_miss,
    "survey-missing" => survey_missing_near_miss_customer_after_the_due_day,
    "survey-below-target" => survey_below_target_near_miss,
    "survey-below-target" => survey_below_target_near_miss_handled_by_a_capa,
    "survey-serious" => survey_serious_near_miss,
    "survey-feedback-missing" => survey_feedback_missing_near_miss,
    "survey-feedback-missing" => survey_feedback_missing_near_miss_feedback_given,
    "property-unverified" => property_unverified_near_miss,
    "property-incident-unreported" => property_incident_unreported_near_miss,
];

/// Rules that need git history; the history tests cover them.
const HISTORY_RULES: &[&str] = &[
    "signature-unproven",
    "signature-broken",
    "review-stale",
    "change-unrecorded",
    "record-deleted",
    "history-unavailable",
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
