//! `docket new`: every flag used, references looked up, and nothing
//! written that would fail `check` for a reason the command could know.

use crate::fixture::*;

/// The findings about one file.
fn about(run: &Run, file: &str) -> Vec<F> {
    run.findings()
        .into_iter()
        .filter(|f| f.file == file)
        .collect()
}

#[test]
fn new_order_takes_its_line_from_the_registry_and_checks_without_reference_errors() {
    let repo = Repo::base();
    let run = repo.docket(&[
        "new",
        "order",
        "--customer",
        "C-0001",
        "--part-number",
        "AP-SH-1020",
        "--by",
        "li.sales",
        "--as-of",
        "2026-06-15",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = run.stdout.trim();
    assert!(path.ends_with("orders/2026/SO-2026-0002.toml"), "{path}");
    let text = std::fs::read_to_string(path).unwrap();
    for line in [
        "customer = \"C-0001\"",
        "owner = \"li.sales\"",
        "received = 2026-06-15",
        "part_number = \"AP-SH-1020\"",
        "product = \"Stainless shaft\"",
        "spec = \"D10 x 200 mm, SUS304\"",
    ] {
        assert!(text.contains(line), "{line} missing:\n{text}");
    }
    // The record is whole and every reference in it resolves: what is
    // left is what a person fills in and the GM reviews.
    let check = repo.check();
    let found = about(&check, "orders/2026/SO-2026-0002.toml");
    for rule in [
        "parse",
        "schema",
        "id-mismatch",
        "unknown-ref",
        "line-mismatch",
    ] {
        assert!(found.iter().all(|f| f.rule != rule), "{rule}: {found:#?}");
    }
    // The next order takes the next id.
    let run = repo.docket(&[
        "new",
        "order",
        "--customer",
        "C-0001",
        "--part-number",
        "AP-SH-1020",
        "--by",
        "li.sales",
        "--as-of",
        "2026-06-15",
    ]);
    assert!(
        run.stdout.trim().ends_with("SO-2026-0003.toml"),
        "{}",
        run.stdout
    );
}

/// A flow sheet copies its order's lines (part, quantity, due = delivery);
/// the order already has sheet revision 1, so this one is revision 2.
#[test]
fn new_flowsheet_copies_the_orders_lines() {
    let repo = Repo::base();
    repo.edit(
        ORDER_PATH,
        "delivery = 2026-04-15\n",
        "delivery = 2026-04-15\n\n[[line]]\npart_number = \"AP-SH-1020\"\nproduct = \"Stainless shaft\"\n\
         spec = \"D10 x 200 mm, SUS304\"\nquantity = 40\ndelivery = 2026-05-02\n",
    );
    let run = repo.docket(&[
        "new",
        "flowsheet",
        "--order",
        "SO-2026-0001",
        "--by",
        "li.sales",
        "--as-of",
        "2026-03-05",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(run.stdout.trim()).unwrap();
    assert!(text.contains("order = \"SO-2026-0001\""), "{text}");
    assert!(text.contains("revision = 2"), "{text}");
    let lines: Vec<(String, String, String)> = text
        .split("[[line]]")
        .skip(1)
        .map(|block| {
            let get = |k: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{k} = ")))
                    .unwrap_or_default()
                    .to_string()
            };
            (get("part_number"), get("quantity"), get("due"))
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("\"AP-SH-1020\"".into(), "500".into(), "2026-04-15".into()),
            ("\"AP-SH-1020\"".into(), "40".into(), "2026-05-02".into()),
        ]
    );
    // The new sheet is the latest revision and matches the order.
    let check = repo.check();
    let found = about(&check, "flowsheets/2026/MF-2026-0002.toml");
    assert!(
        found.iter().all(|f| !matches!(
            f.rule.as_str(),
            "schema" | "unknown-ref" | "flowsheet-outdated"
        )),
        "{found:#?}"
    );
}

/// Without --by, the record is filled by the person whose email is the
/// committer's (`git config user.email`); with no such person, nothing is
/// written and the message says what to do.
#[test]
fn by_defaults_to_the_person_committing() {
    let repo = Repo::base();
    repo.git_init();
    let mut config = repo.git().config().unwrap();
    config.set_str("user.email", "LI@acme.example").unwrap();
    let run = repo.docket(&["new", "customer", "--as-of", "2026-06-15"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(run.stdout.trim()).unwrap();
    assert!(text.contains("account_manager = \"li.sales\""), "{text}");

    config
        .set_str("user.email", "stranger@example.org")
        .unwrap();
    let run = repo.docket(&["new", "capa", "--as-of", "2026-06-15"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("stranger@example.org") && run.stderr.contains("--by"),
        "{}",
        run.stderr
    );
    assert!(!repo.path("capa").exists(), "nothing written");
}

/// Each placeholder the old template invented is refused, with what to
/// create or pass first; nothing is written.
#[test]
fn new_refuses_what_would_fail_check() {
    let repo = Repo::empty();
    let cases: &[(&[&str], &str)] = &[
        (&["new", "order", "--by", "li.sales"], "docket new customer"),
        (
            &["new", "survey", "--by", "li.sales"],
            "docket new customer",
        ),
        (
            &["new", "flowsheet", "--by", "li.sales"],
            "docket new order",
        ),
        (
            &["new", "customer", "--by", "nobody.here"],
            "no person nobody.here",
        ),
    ];
    for (args, says) in cases {
        let run = repo.docket(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    repo.write("customers/C-0001.toml", CUSTOMER);
    let run = repo.docket(&["new", "order", "--customer", "C-0001", "--by", "li.sales"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no products yet")
            && run.stderr.contains("docket new product --part-number"),
        "{}",
        run.stderr
    );
    let run = repo.docket(&["new", "order", "--customer", "C-0009", "--by", "li.sales"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no customer C-0009") && run.stderr.contains("C-0001"),
        "{}",
        run.stderr
    );
    repo.write("products/AP-SH-1020.toml", PRODUCT);
    let run = repo.docket(&[
        "new",
        "order",
        "--customer",
        "C-0001",
        "--part-number",
        "AP-XX-0000",
        "--by",
        "li.sales",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no product AP-XX-0000") && run.stderr.contains("AP-SH-1020"),
        "{}",
        run.stderr
    );
    // A flag the kind has no use for is an error, not silently dropped.
    let run = repo.docket(&[
        "new",
        "customer",
        "--order",
        "SO-2026-0001",
        "--by",
        "li.sales",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("does not use --order"),
        "{}",
        run.stderr
    );
    assert!(!repo.path("orders").exists() && !repo.path("surveys").exists());
}

/// A usage report goes to the GM: `to` is filled with the person holding
/// role gm who has not left, never left empty.
#[test]
fn new_report_goes_to_the_gm() {
    let repo = Repo::base();
    let run = repo.docket(&[
        "new",
        "report",
        "--customer",
        "C-0001",
        "--by",
        "li.sales",
        "--as-of",
        "2026-06-15",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(run.stdout.trim()).unwrap();
    assert!(text.contains("to = \"wang.gm\""), "{text}");
}

#[test]
fn new_refuses_unknown_kinds_and_bad_part_numbers() {
    let repo = Repo::base();
    let run = repo.docket(&["new", "invoice"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown kind"), "{}", run.stderr);
    let run = repo.docket(&["new", "product", "--part-number", "../x"]);
    assert_eq!(run.code, 2);
    let run = repo.docket(&["new", "product", "--part-number", "AP-BU-2000"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(repo.path("products/AP-BU-2000.toml").is_file());
}
