//! Customer, product, property and usage-report rules
//! (src/rules/parties.rs).

use super::*;

// ---------------------------------------------------------------------------
// part-number-unique

const PRODUCT2_PATH: &str = "products/AP-SH-1021.toml";

#[test]
pub(super) fn part_number_unique_fires() {
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
pub(super) fn part_number_unique_fires_for_one_part_number_in_two_files() {
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
pub(super) fn part_number_unique_near_miss() {
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
// customer-incomplete

#[test]
pub(super) fn customer_incomplete_fires() {
    let repo = Repo::base();
    repo.edit(CUSTOMER_PATH, "phone = \"+49 40 123456\"", "phone = \"  \"");
    let run = repo.check();
    let f = fired(&run, "customer-incomplete", CUSTOMER_PATH, Some(2));
    assert!(f.message.contains("phone"), "{}", f.message);
}

#[test]
pub(super) fn customer_incomplete_near_miss() {
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
// complaint-without-capa

#[test]
pub(super) fn complaint_without_capa_fires() {
    let repo = base_with(
        REPORT_PATH,
        &REPORT.replace("complaint = false", "complaint = true"),
    );
    let run = repo.check();
    fired(&run, "complaint-without-capa", REPORT_PATH, Some(1));
}

#[test]
pub(super) fn complaint_without_capa_near_miss() {
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
// property-unverified

#[test]
pub(super) fn property_unverified_fires() {
    let repo = base_with(
        PROPERTY_PATH,
        &PROPERTY.replace("[verified]\nby = \"sun.qc\"\ndate = 2026-03-03\n", ""),
    );
    let run = repo.check();
    let f = fired(&run, "property-unverified", PROPERTY_PATH, Some(4));
    assert_eq!(f.column, Some(12));
}

#[test]
pub(super) fn property_unverified_near_miss() {
    clean(&base_with(PROPERTY_PATH, PROPERTY).check());
}

// ---------------------------------------------------------------------------
// property-incident-unreported

const INCIDENT: &str = "[[incident]]\ndate = 2026-04-02\nkind = \"damaged\"\ndescription = \"Dropped; the thread is nicked.\"\n";

#[test]
pub(super) fn property_incident_unreported_fires() {
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
pub(super) fn property_incident_unreported_near_miss() {
    let repo = base_with(
        PROPERTY_PATH,
        &format!("{PROPERTY}\n{INCIDENT}reported_to_customer = 2026-04-02\n"),
    );
    clean(&repo.check());
}
