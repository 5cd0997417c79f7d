//! `docket selftest`: the validation report. It must pass on this build,
//! say which binary it validated (version, SHA-256, platform, date), and
//! fail, naming the scenario, when the binary it runs is broken. The
//! broken binary is a fault-injected one: a wrapper that runs the real
//! docket and strips one rule's findings from its JSON, as a build with
//! that rule broken would answer. The real binary has no switch that
//! turns a rule off, and must never get one.

use crate::fixture::*;
use sha2::Digest;
use std::path::{Path, PathBuf};

/// Every scenario the report must list.
const SCENARIOS: &[&str] = &[
    "clean-company",
    "wrong-author",
    "unsigned",
    "someone-elses-key",
    "injected-key",
    "backdated-signature",
    "leaver",
    "stale-approval",
    "unrecorded-change",
    "deleted-record",
    "rewritten-history",
    "hostile-text",
    "shallow-clone",
    "broken-configuration",
    "timestamp-valid",
    "timestamp-other-commit",
    "timestamp-tampered",
    "timestamp-untrusted-tsa",
    "timestamp-before-commit",
];

fn selftest(args: &[&str]) -> Run {
    Run::from(docket_cmd().arg("selftest").args(args).output().unwrap())
}

/// The report's table row of `id` (Markdown).
fn row<'a>(report: &'a str, id: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.starts_with(&format!("| {id} |")))
        .unwrap_or_else(|| panic!("no row {id} in\n{report}"))
}

#[test]
fn selftest_passes_every_scenario_and_says_what_it_validated() {
    let run = selftest(&["--as-of", "2026-11-30"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let md = &run.stdout;
    assert!(md.contains("19 of 19 scenarios passed"), "{md}");
    for id in SCENARIOS {
        let r = row(md, id);
        assert!(r.ends_with("| pass |"), "{r}");
    }
    let bin = env!("CARGO_BIN_EXE_docket");
    let sha: String = sha2::Sha256::digest(std::fs::read(bin).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for want in [
        format!("docket version: `docket {}`", env!("CARGO_PKG_VERSION")),
        format!("SHA-256 of the binary: `{sha}`"),
        format!(
            "platform: `{} {}`",
            std::env::consts::OS,
            std::env::consts::ARCH
        ),
        "date: `2026-11-30`".to_string(),
    ] {
        assert!(md.contains(&want), "{want:?} in\n{md}");
    }
    // The same binary on the same date gives the same report, byte for byte.
    let again = selftest(&["--as-of", "2026-11-30"]);
    assert_eq!(again.stdout, run.stdout);
    // What each scenario expects is stated, and what was observed.
    let injected = row(md, "injected-key");
    assert!(
        injected.contains("exit 1; governance-unproven, signature-unproven | exit 1; governance-unproven, signature-unproven"),
        "{injected}"
    );
}

#[test]
fn selftest_writes_an_html_report_whole_and_refuses_other_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("oq.html");
    let run = selftest(&["--report", out.to_str().unwrap(), "--as-of", "2026-11-30"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("selftest: 19 of 19 scenarios passed; report in"),
        "{}",
        run.stdout
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    for id in SCENARIOS {
        assert!(html.contains(&format!("<tr id=\"{id}\">")), "{id}");
    }
    // The scenario texts are escaped: the report is itself a page.
    assert!(html.contains("signatures = &quot;SSH&quot;"), "{html}");
    assert!(!html.contains("<script"), "no script in the report");
    // Nothing else was left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);

    let txt = dir.path().join("oq.txt");
    let run = selftest(&["--report", txt.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(".md (Markdown) or .html"),
        "{}",
        run.stderr
    );
    assert!(!txt.exists());
}

/// A "docket" that runs the real one and strips `rule`'s findings from
/// its JSON output: what a build with that rule broken would answer.
fn broken_docket(dir: &Path, rule: &str) -> PathBuf {
    let script = dir.join(format!("docket-without-{rule}"));
    let text = format!(
        r#"#!/bin/sh
out=$("{real}" "$@")
code=$?
case " $* " in
  *" --format json "*)
    printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
d["findings"] = [f for f in d["findings"] if f["rule"] != sys.argv[1]]
json.dump(d, sys.stdout)' {rule} ;;
  *) printf '%s\n' "$out" ;;
esac
exit $code
"#,
        real = env!("CARGO_BIN_EXE_docket")
    );
    std::fs::write(&script, text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

fn have_python3() -> bool {
    std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn selftest_fails_and_names_the_scenarios_when_a_rule_is_broken() {
    if !have_python3() {
        eprintln!("skipped: the fault-injected docket is a python3 filter, and python3 is missing");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (rule, failing) in [
        (
            "signature-unproven",
            &[
                "wrong-author",
                "unsigned",
                "someone-elses-key",
                "injected-key",
                "leaver",
            ][..],
        ),
        ("review-stale", &["stale-approval", "unrecorded-change"][..]),
        (
            "timestamp-missing",
            &[
                "timestamp-other-commit",
                "timestamp-tampered",
                "timestamp-untrusted-tsa",
            ][..],
        ),
    ] {
        let broken = broken_docket(dir.path(), rule);
        let report = dir.path().join(format!("{rule}.md"));
        let run = selftest(&[
            "--binary",
            broken.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 1, "{rule}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout
                .contains(&format!("FAILED: {}", failing.join(", "))),
            "{rule}: {}",
            run.stdout
        );
        let md = std::fs::read_to_string(&report).unwrap();
        assert!(
            md.contains(&format!("binary: `{}`", broken.display())),
            "{md}"
        );
        for id in SCENARIOS {
            let r = row(&md, id);
            let failed = failing.contains(id);
            assert_eq!(r.ends_with("| **FAIL** |"), failed, "{rule}: {r}");
            if failed {
                assert!(r.contains(rule), "the row says what was expected: {r}");
            }
        }
    }
}

/// A "docket" made of the real one and a shell `tail` run after it (with
/// `$code` its exit status and `$out` the `--out` folder, if any).
fn tampered_docket(dir: &Path, name: &str, tail: &str) -> PathBuf {
    let script = dir.join(name);
    let text = format!(
        r#"#!/bin/sh
out=
prev=
for a in "$@"; do [ "$prev" = "--out" ] && out=$a; prev=$a; done
"{real}" "$@"
code=$?
{tail}
exit $code
"#,
        real = env!("CARGO_BIN_EXE_docket")
    );
    std::fs::write(&script, text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn selftest_fails_a_site_that_renders_the_script_and_a_check_that_does_not_fail_closed() {
    let dir = tempfile::tempdir().unwrap();
    for (name, tail, failing) in [
        (
            "docket-unescaped",
            // The build "forgets" to escape: the script lands in a page.
            r#"[ -n "$out" ] && [ -f "$out/index.html" ] && printf '%s' "<script>alert('docket-selftest')</script>" >> "$out/index.html""#,
            "hostile-text",
        ),
        (
            "docket-fails-open",
            // A configuration it cannot read is judged anyway (exit 0).
            r#"[ $code -eq 2 ] && code=0"#,
            "broken-configuration",
        ),
    ] {
        let broken = tampered_docket(dir.path(), name, tail);
        let run = selftest(&["--binary", broken.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{name}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout
                .contains(&format!("18 of 19 scenarios passed; FAILED: {failing}")),
            "{name}: {}",
            run.stdout
        );
        assert!(row(&run.stdout, failing).ends_with("| **FAIL** |"));
    }
}
