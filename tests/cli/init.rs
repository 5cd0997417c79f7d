//! `docket init` and `docket new`.

use crate::fixture::*;

/// The as-of date the README pins for the shipped examples.
const EXAMPLES_AS_OF: &str = "2026-11-26";

#[test]
fn init_writes_a_repository_that_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("qms");
    let run = Run::from(docket_cmd().arg("init").arg(&target).output().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
    for f in ["docket.toml", "people.toml", "procedure.md", ".gitignore"] {
        assert!(target.join(f).is_file(), "{f} missing");
    }
    for kind in [
        "customers",
        "products",
        "orders",
        "flowsheets",
        "capa",
        "surveys",
        "property",
        "reports",
    ] {
        let has_toml = walk(&target.join(kind))
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "toml"));
        assert!(has_toml, "no example {kind} record");
    }
    let check = Run::from(
        docket_cmd()
            .args([
                "check",
                "--format",
                "json",
                "--as-of",
                EXAMPLES_AS_OF,
                "--records",
            ])
            .arg(&target)
            .output()
            .unwrap(),
    );
    assert_eq!(check.findings(), vec![]);
    assert_eq!(check.code, 0);
}

#[test]
fn init_refuses_to_overwrite() {
    let repo = Repo::base();
    let before = repo.read("docket.toml");
    let run = Run::from(docket_cmd().arg("init").arg(&repo.root).output().unwrap());
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("refusing to overwrite"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.read("docket.toml"), before);
}

#[test]
fn new_creates_the_next_id_from_a_template() {
    let repo = Repo::base();
    let run = repo.docket(&[
        "new",
        "order",
        "--customer",
        "C-0001",
        "--by",
        "li.sales",
        "--as-of",
        "2026-06-15",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = run.stdout.trim();
    assert!(path.ends_with("orders/2026/SO-2026-0002.toml"), "{path}");
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("customer = \"C-0001\""));
    assert!(text.contains("received = 2026-06-15"));
    // A second call takes the next id again.
    let run = repo.docket(&["new", "order", "--as-of", "2026-06-15"]);
    assert!(
        run.stdout.trim().ends_with("SO-2026-0003.toml"),
        "{}",
        run.stdout
    );
    // The template is valid TOML of the right shape: only the values a
    // person must fill are wrong (empty part number, placeholder owner...).
    let check = repo.check();
    assert!(
        check.of("parse").is_empty() && check.of("schema").is_empty(),
        "{:#?}",
        check.findings()
    );
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

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
