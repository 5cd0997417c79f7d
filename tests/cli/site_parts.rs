//! Long tables are rendered a part at a time (src/render/parts.rs), so
//! that tera never holds a copy of a whole list of 50,000 orders or of
//! a month's signatures on the audit's pages. The pages must not change by it:
//! a demo company is built with every table in parts of one row, of a
//! few rows, and whole, and the sites must be the same, byte for byte.
//! A template override shows, from the outside, that the parts were
//! really rendered apart.

use crate::fixture::*;
use std::collections::BTreeMap;
use std::path::Path;

const AS_OF: &str = "2026-11-20";

/// Build `records` into `out` with tables longer than `part_rows` rows
/// rendered in parts of that many (0: none); every file of the site.
fn site(records: &Path, out: &Path, part_rows: &str) -> BTreeMap<String, Vec<u8>> {
    let run: Run = docket_cmd()
        .env("DOCKET_PART_ROWS", part_rows)
        .args(["build", "--as-of", AS_OF, "--out"])
        .arg(out)
        .arg("--records")
        .arg(records)
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let mut files = BTreeMap::new();
    for e in walkdir::WalkDir::new(out).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(out).unwrap();
            files.insert(
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read(e.path()).unwrap(),
            );
        }
    }
    files
}

fn text(files: &BTreeMap<String, Vec<u8>>, page: &str) -> String {
    String::from_utf8(files[page].clone()).unwrap()
}

/// The audit's page of signatures with the most rows (a month's).
fn busiest_month(files: &BTreeMap<String, Vec<u8>>) -> String {
    files
        .keys()
        .filter(|k| k.starts_with("audit/"))
        .max_by_key(|k| text(files, k).matches("<tr>").count())
        .expect("pages of signatures")
        .clone()
}

#[test]
fn a_site_with_its_tables_in_parts_is_the_site_rendered_whole() {
    let dir = tempfile::tempdir().unwrap();
    let records = demo_records(dir.path(), 12);
    let whole = site(&records, &dir.path().join("whole"), "0");
    // Long tables on the pages that are rendered in parts: a month's
    // signatures on the audit's pages, the lists, the people page.
    let audit = text(&whole, &busiest_month(&whole));
    let signatures = audit.split("id=\"signatures\"").nth(1).unwrap();
    assert!(signatures.matches("<tr>").count() > 6, "{signatures}");
    assert!(text(&whole, "orders/index.html").matches("<tr>").count() > 12);
    for part_rows in ["1", "3"] {
        let parts = site(&records, &dir.path().join(part_rows), part_rows);
        assert_eq!(
            parts.keys().collect::<Vec<_>>(),
            whole.keys().collect::<Vec<_>>()
        );
        for (name, bytes) in &whole {
            assert!(
                parts[name] == *bytes,
                "{name} differs in parts of {part_rows}"
            );
        }
    }
}

#[test]
fn a_long_table_is_rendered_a_part_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let records = demo_records(dir.path(), 12);
    // The built-in macros.html with a mark at the start of each call of
    // the rows component: one call per table rendered whole, one per part
    // rendered apart.
    let macros = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/templates/macros.html"
    ))
    .unwrap();
    let open = "{% component ui.rows(rows, @root) %}";
    assert!(macros.contains(open));
    let marked = macros.replace(open, &format!("{open}<!--part-->"));
    std::fs::create_dir_all(records.join("templates")).unwrap();
    std::fs::write(records.join("templates/macros.html"), marked).unwrap();

    let whole = site(&records, &dir.path().join("whole"), "0");
    let month = busiest_month(&whole);
    let whole = text(&whole, &month);
    let parts = text(&site(&records, &dir.path().join("parts"), "2"), &month);
    let calls = |page: &str| page.matches("<!--part-->").count();
    // The body of the every-signature table.
    let table = |page: &str| {
        let s = page.split("id=\"signatures\"").nth(1).unwrap();
        let s = &s[s.find("<tbody>").unwrap()..];
        s[..s.find("</tbody>").unwrap()].to_string()
    };
    let rows = table(&whole).matches("<tr>").count();
    assert!(rows > 4, "{}", table(&whole));
    assert_eq!(calls(&table(&whole)), 1);
    assert_eq!(calls(&table(&parts)), rows.div_ceil(2));
    assert!(calls(&parts) > calls(&whole));
    // The marks aside, the same page.
    assert_eq!(
        parts.replace("<!--part-->", ""),
        whole.replace("<!--part-->", "")
    );
}
