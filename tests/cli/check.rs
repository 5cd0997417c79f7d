//! `docket check`: the output shapes, exit codes and the base fixture.

use crate::fixture::*;

#[test]
fn base_fixture_is_clean() {
    clean(&Repo::base().check());
}

#[test]
fn json_shape_and_exit_code() {
    let repo = Repo::base();
    repo.edit(ORDER_PATH, "legible = true", "legible = false");
    let run = repo.check();
    assert_eq!(run.code, 1);
    let json = run.json();
    assert_eq!(json["version"], 1);
    assert_eq!(json["as_of"], AS_OF);
    assert_eq!(json["summary"]["records"], 5);
    assert_eq!(json["summary"]["errors"], 1);
    // The one warning: the repository is not under git (history-unavailable).
    assert_eq!(json["summary"]["warnings"], 1);
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "illegible-approved")
        .unwrap();
    assert_eq!(f["rule"], "illegible-approved");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["clause"], "4.2.1 A");
    assert_eq!(f["file"], ORDER_PATH);
    assert_eq!(f["line"], 7);
    assert_eq!(f["column"], 11);
    assert_eq!(f["record"], "SO-2026-0001");
}

#[test]
fn readme_rule_table_matches_the_catalog() {
    let run = Run::from(
        docket_cmd()
            .args(["rules", "--format", "markdown"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("<!-- rules:start -->\n")
        .expect("rules:start marker")
        + "<!-- rules:start -->\n".len();
    let end = readme.find("<!-- rules:end -->").expect("rules:end marker");
    assert_eq!(
        &readme[start..end],
        run.stdout,
        "README's rule table is stale: paste `docket rules --format markdown` between the markers"
    );
}

#[test]
fn rules_json_lists_the_whole_catalog() {
    let run = Run::from(
        docket_cmd()
            .args(["rules", "--format", "json"])
            .output()
            .unwrap(),
    );
    let rules: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for id in [
        "parse",
        "schema",
        "review-stale",
        "record-deleted",
        "history-unavailable",
        "overdue",
    ] {
        assert!(ids.contains(&id), "{id} missing");
    }
    let overdue = rules.iter().find(|r| r["id"] == "overdue").unwrap();
    assert_eq!(overdue["severity"], "warning");
    assert_eq!(overdue["clause"], "4.3.2");
}

#[test]
fn missing_records_root_is_exit_2_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let run = Run::from(
        docket_cmd()
            .arg("check")
            .arg("--records")
            .arg(dir.path())
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no docket.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("docket init"), "{}", run.stderr);
}

/// Run from a repository's top, docket finds its `records/` folder; but
/// `--records DIR` means DIR and nothing else: a folder named by mistake
/// (the repository's top) is refused, not swapped for one below it.
#[test]
fn records_given_is_taken_exactly_and_records_below_are_found_only_unasked() {
    let repo = Repo::empty_in("records");
    repo.write("customers/C-0009.toml", "");
    let found = Run::from(
        docket_cmd()
            .current_dir(&repo.top)
            .args(["check", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(found.code, 1, "{}", found.stderr);
    let parse = found.of("parse");
    assert_eq!(parse.len(), 1, "{}", found.stdout);
    assert_eq!(parse[0].file, "customers/C-0009.toml");
    let named = Run::from(
        docket_cmd()
            .args(["check", "--records"])
            .arg(&repo.top)
            .output()
            .unwrap(),
    );
    assert_eq!(named.code, 2, "{}", named.stdout);
    let shown = format!("{} is not a records repository", repo.top.display());
    assert!(named.stderr.contains(&shown), "{}", named.stderr);
}

#[test]
fn as_of_comes_from_source_date_epoch() {
    let repo = Repo::base();
    // 2026-06-15T00:00:00Z; in +08:00 that is still 2026-06-15.
    let out = docket_cmd()
        .env("SOURCE_DATE_EPOCH", "1781481600")
        .args(["check", "--format", "json", "--records"])
        .arg(&repo.root)
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_eq!(run.json()["as_of"], "2026-06-15");
    let bad = docket_cmd()
        .env("SOURCE_DATE_EPOCH", "soon")
        .arg("check")
        .arg("--records")
        .arg(&repo.root)
        .output();
    assert_eq!(Run::from(bad.unwrap()).code, 2);
}

#[test]
fn timings_go_to_stderr_with_the_cores_each_stage_kept_busy_and_change_no_output() {
    // The profiling switch (BENCHMARKS.md) must never reach a report.
    let repo = Repo::base();
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Records");
    let args = ["check", "--as-of", AS_OF, "--format", "json"];
    let plain = repo.docket(&args);
    let timed = Run::from(
        docket_cmd()
            .env("DOCKET_TIMINGS", "1")
            .args(args)
            .arg("--records")
            .arg(&repo.root)
            .output()
            .unwrap(),
    );
    assert_eq!(timed.code, plain.code);
    assert_eq!(timed.stdout, plain.stdout);
    assert!(!plain.stderr.contains("timing "), "{}", plain.stderr);
    for stage in ["load", "model", "history walk chain", "rules"] {
        let line = timed
            .stderr
            .lines()
            .find(|l| l.starts_with(&format!("timing {stage} ")))
            .unwrap_or_else(|| panic!("no timing of {stage}: {}", timed.stderr));
        // On Linux, where /proc says the process's CPU time.
        if cfg!(target_os = "linux") {
            let cores = line
                .split("cores")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse::<f64>().ok())
                .unwrap_or_else(|| panic!("no cores figure: {line}"));
            assert!((0.0..=64.0).contains(&cores), "{line}");
        }
    }
}
