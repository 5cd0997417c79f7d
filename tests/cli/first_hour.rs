//! The README's first steps, end to end, as a new QC manager would type
//! them: `docket init`, edit the people and the company, commit, create
//! records with `docket new`, the GM signs with `docket sign`, sales
//! issues the flow sheet, then check, diff, log and build. Every command is
//! the binary or real git in a temporary folder; commit dates are set so
//! the run is the same on every day.

use crate::fixture::*;
use std::path::Path;
use std::process::Command;

/// Run git in `dir` as `email` at `when` (an RFC 3339 date-time), as a
/// person at their desk would: their identity in the repository's config.
fn git(dir: &Path, email: &str, when: &str, args: &[&str]) {
    let name = if email.starts_with("wang") {
        "Wang Daming"
    } else {
        "Li Mei"
    };
    for (k, v) in [("user.email", email), ("user.name", name)] {
        let ok = Command::new("git")
            .current_dir(dir)
            .args(["config", k, v])
            .status()
            .unwrap();
        assert!(ok.success());
    }
    if args.is_empty() {
        return;
    }
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", when)
        .env("GIT_COMMITTER_DATE", when)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// `docket` in `dir`, with git's dates pinned to `when` (for `--commit`).
fn docket_in(dir: &Path, when: &str, args: &[&str]) -> Run {
    Run::from(
        docket_cmd()
            .current_dir(dir)
            .env("GIT_AUTHOR_DATE", when)
            .env("GIT_COMMITTER_DATE", when)
            .args(args)
            .output()
            .unwrap(),
    )
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn from_init_to_a_signed_order_and_a_site() {
    let top = tempfile::tempdir().unwrap();
    let init = docket_in(top.path(), "", &["init", "qms", "--ci", "github"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    // The gate of every pull request comes with it.
    let workflow =
        std::fs::read_to_string(top.path().join("qms/.github/workflows/docket.yml")).unwrap();
    assert!(workflow.contains("docket check --base"), "{workflow}");
    // The closing hint is the path this test follows.
    for step in ["git init", "git add -A", "git commit", "docket check"] {
        assert!(init.stdout.contains(step), "{}", init.stdout);
    }
    let qms = top.path().join("qms");

    // 1-2: the people and the company.
    let people = qms.join("people.toml");
    edit(&people, "id = \"gm.name\"", "id = \"wang.gm\"");
    edit(&people, "General Manager (placeholder)", "Wang Daming");
    edit(&people, "gm@example.com", "wang@acme.example");
    edit(&people, "id = \"sales.name\"", "id = \"li.sales\"");
    edit(&people, "Sales Person (placeholder)", "Li Mei");
    edit(&people, "sales@example.com", "li@acme.example");
    let config = qms.join("docket.toml");
    edit(&config, "Your Company Co., Ltd.", "Acme Precision Parts");
    edit(&config, "\"+00:00\"", "\"+08:00\"");

    // 3: commit and check. The GM sets the repository up.
    let (gm, sales) = ("wang@acme.example", "li@acme.example");
    let day1 = "2026-12-01T09:00:00+08:00";
    let ok = Command::new("git")
        .current_dir(&qms)
        .args(["init", "-q"])
        .status()
        .unwrap();
    assert!(ok.success());
    git(&qms, gm, day1, &["add", "-A"]);
    git(
        &qms,
        gm,
        day1,
        &["commit", "-qm", "Set up the quality records"],
    );
    let check = docket_in(&qms, day1, &["check", "--as-of", "2026-12-01"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);

    // 4: sales creates the customer, the part and the order.
    git(&qms, sales, "", &[]);
    let made = |args: &[&str]| {
        let run = docket_in(&qms, day1, args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        std::path::PathBuf::from(run.stdout.trim())
    };
    let customer = made(&["new", "customer", "--as-of", "2026-12-01"]);
    edit(
        &customer,
        "name = \"\"",
        "name = \"Nordwind Maschinenbau GmbH\"",
    );
    edit(
        &customer,
        "address = \"\"",
        "address = \"Hafenstrasse 12, Hamburg\"",
    );
    edit(&customer, "contact = \"\"", "contact = \"Anna Keller\"");
    edit(&customer, "phone = \"\"", "phone = \"+49 40 1234 5678\"");
    let product = made(&[
        "new",
        "product",
        "--part-number",
        "AP-SH-1020",
        "--as-of",
        "2026-12-01",
    ]);
    edit(&product, "name = \"\"", "name = \"Shaft, hardened\"");
    edit(&product, "spec = \"\"", "spec = \"42CrMo4, 20 mm\"");
    let order = made(&[
        "new",
        "order",
        "--customer",
        "C-0001",
        "--part-number",
        "AP-SH-1020",
        "--as-of",
        "2026-12-01",
    ]);
    assert!(
        order.ends_with("orders/2026/SO-2026-0001.toml"),
        "{order:?}"
    );
    let text = std::fs::read_to_string(&order).unwrap();
    assert!(text.contains("product = \"Shaft, hardened\""), "{text}");
    std::fs::write(
        &order,
        format!(
            "{text}\n[capacity]\nstock = 0\nproducible = true\nmaterials_ready = true\nnew_product = false\n"
        ),
    )
    .unwrap();
    let day1b = "2026-12-01T10:00:00+08:00";
    git(&qms, sales, day1b, &["add", "-A"]);
    git(&qms, sales, day1b, &["commit", "-qm", "First order"]);
    let check = docket_in(&qms, day1b, &["check", "--as-of", "2026-12-01"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);

    // 5: the GM signs the review as himself, through git.
    git(&qms, gm, "", &[]);
    let day2 = "2026-12-02T09:00:00+08:00";
    let sign = docket_in(
        &qms,
        day2,
        &[
            "sign",
            "SO-2026-0001",
            "review",
            "--decision",
            "approved",
            "--commit",
            "--as-of",
            "2026-12-02",
        ],
    );
    assert_eq!(sign.code, 0, "{}{}", sign.stdout, sign.stderr);
    // Sales may not sign it: the role is the GM's.
    git(&qms, sales, "", &[]);
    let refused = docket_in(
        &qms,
        day2,
        &["sign", "SO-2026-0001", "review", "--decision", "approved"],
    );
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    // Sales issues the flow sheet the approval calls for.
    let sheet = made(&[
        "new",
        "flowsheet",
        "--order",
        "SO-2026-0001",
        "--as-of",
        "2026-12-02",
    ]);
    assert!(
        std::fs::read_to_string(&sheet)
            .unwrap()
            .contains("AP-SH-1020")
    );
    let day2b = "2026-12-02T11:00:00+08:00";
    git(&qms, sales, day2b, &["add", "-A"]);
    git(
        &qms,
        sales,
        day2b,
        &["commit", "-qm", "Flow sheet for SO-2026-0001"],
    );

    // The gate is green, the signature proven by its commit.
    let check = docket_in(
        &qms,
        day2b,
        &["check", "--format", "json", "--as-of", "2026-12-02"],
    );
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.findings().is_empty(), "{:#?}", check.findings());
    let log = docket_in(&qms, day2b, &["log", "SO-2026-0001", "--format", "json"]).json();
    assert_eq!(log["signatures"][0]["section"], "review");
    assert_eq!(
        log["signatures"][0]["status"]["status"], "proven",
        "{log:#}"
    );
    // The pull request's summary: the review added, nothing new wrong.
    let diff = docket_in(
        &qms,
        day2b,
        &[
            "diff",
            "HEAD~2..HEAD",
            "--format",
            "json",
            "--as-of",
            "2026-12-02",
        ],
    )
    .json();
    assert!(
        diff["new_findings"].as_array().unwrap().is_empty(),
        "{diff:#}"
    );
    assert!(
        diff["invalidated"].as_array().unwrap().is_empty(),
        "{diff:#}"
    );

    // 6: publish next to the records, never inside them.
    let build = docket_in(
        &qms,
        day2b,
        &["build", "--out", "../site", "--as-of", "2026-12-02"],
    );
    assert_eq!(build.code, 0, "{}", build.stderr);
    let page = std::fs::read_to_string(top.path().join("site/orders/SO-2026-0001.html")).unwrap();
    assert!(page.contains("Wang Daming") && page.contains("Acme Precision Parts"));
}
