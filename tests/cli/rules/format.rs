//! Format rules, reported while loading and building the model (src/load,
//! src/model): `parse`, `schema`, `id-mismatch`, `duplicate-id`,
//! `unknown-file`.

use super::*;

// ---------------------------------------------------------------------------
// parse

#[test]
pub(super) fn parse_fires() {
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
pub(super) fn parse_near_miss() {
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
pub(super) fn schema_fires() {
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
pub(super) fn schema_fires_for_a_value_of_the_wrong_type() {
    // "yes" in a yes/no field: the message names what was found, so the
    // writer sees the quotes are the mistake.
    let repo = base_with(
        ORDER2_PATH,
        &ORDER2.replace("legible = true", "legible = \"yes\""),
    );
    let run = repo.check();
    let f = fired(&run, "schema", ORDER2_PATH, Some(6));
    assert!(f.message.starts_with("`legible` must be "), "{}", f.message);
    assert!(f.message.ends_with(", found a string"), "{}", f.message);
}

#[test]
pub(super) fn schema_near_miss() {
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
pub(super) fn id_mismatch_fires() {
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
pub(super) fn id_mismatch_fires_on_shape() {
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
pub(super) fn id_mismatch_near_miss() {
    clean(&base_with(CUSTOMER2_PATH, CUSTOMER2).check());
}

// ---------------------------------------------------------------------------
// duplicate-id

#[test]
pub(super) fn duplicate_id_fires() {
    // Same id (and stem) in another folder: the later file in path order
    // is the duplicate.
    let repo = base_with("customers/old/C-0001.toml", CUSTOMER);
    let run = repo.check();
    let f = fired(&run, "duplicate-id", "customers/old/C-0001.toml", Some(1));
    assert!(f.message.contains("customers/C-0001.toml"), "{}", f.message);
    assert_eq!(run.findings().len(), 1, "{:#?}", run.findings());
}

#[test]
pub(super) fn duplicate_id_near_miss() {
    clean(&base_with("customers/old/C-0002.toml", CUSTOMER2).check());
}

// ---------------------------------------------------------------------------
// unknown-file (a warning: docket's addition to the catalog, docs/decisions.md)

#[test]
pub(super) fn unknown_file_fires() {
    let repo = base_with("notes/todo.toml", "x = 1\n");
    let run = repo.check();
    let f = fired(&run, "unknown-file", "notes", None);
    assert_eq!(f.severity, "warning");
    assert_eq!(run.findings().len(), 1, "{:#?}", run.findings());
    assert_eq!(run.code, 0);
}

#[test]
pub(super) fn unknown_file_fires_for_a_file_at_the_top() {
    // An order saved at the top instead of in orders/ is never checked:
    // said, so it is moved, not forgotten.
    let repo = base_with("SO-2026-0009.toml", "id = \"SO-2026-0009\"\n");
    let run = repo.check();
    let f = fired(&run, "unknown-file", "SO-2026-0009.toml", None);
    assert!(f.message.contains("orders/2026/"), "{}", f.message);
    assert_eq!(run.findings().len(), 1, "{:#?}", run.findings());
}

#[test]
pub(super) fn unknown_file_near_miss() {
    // A README at the top and an unlisted file below a kind folder are
    // expected, not stray.
    let repo = base_with("README.md", "# Our records\n");
    repo.write("orders/2026/SO-2026-0001/po-88812.pdf", "%PDF-1.4\n");
    clean(&repo.check());
}

#[test]
pub(super) fn parse_position_is_exact() {
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
pub(super) fn schema_position_in_a_sub_table_is_exact() {
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
