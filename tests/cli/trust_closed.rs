//! Failing closed: a configuration docket cannot read stops every command
//! that would judge under it (exit 2, every problem as `file:line:col`),
//! and under `author` or `ssh` a missing history is an error, so a shallow
//! clone cannot pass the gate.

use crate::fixture::*;
use crate::trust::{company, review};

/// Every judging command, run on `repo`: (command, run).
fn judging_commands(repo: &Repo, out: &std::path::Path) -> Vec<(&'static str, Run)> {
    let out = out.to_str().unwrap();
    vec![
        ("check", repo.check()),
        (
            "build",
            repo.docket(&["build", "--out", out, "--as-of", AS_OF]),
        ),
        ("status", repo.docket(&["status", "--as-of", AS_OF])),
        ("diff", repo.docket(&["diff", "HEAD..HEAD"])),
        ("log", repo.docket(&["log", "SO-2026-0001"])),
    ]
}

#[test]
fn a_configuration_docket_cannot_read_stops_every_command() {
    let cases: [(&str, &str, &str, &str); 5] = [
        (
            "docket.toml",
            "signatures = \"author\"",
            "signatures = \"SSH\"",
            "docket.toml:7:",
        ),
        (
            "docket.toml",
            "[company]",
            "colour = \"blue\"\n[company]",
            "docket.toml:1:",
        ),
        ("docket.toml", "[policy]", "[policy\n", "docket.toml:6:"),
        (
            "people.toml",
            "roles = [\"qc\"]",
            "roles = [\"qa\"]",
            "people.toml:",
        ),
        (
            "docket.toml",
            "[policy]",
            "[policy]\ngovernance = []",
            "docket.toml:7:",
        ),
    ];
    for (file, from, to, want) in cases {
        let repo = company("author");
        review(&repo, "wang.gm", Signing::Unsigned);
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("site");
        let built = repo.docket(&["build", "--out", out.to_str().unwrap(), "--as-of", AS_OF]);
        assert_eq!(built.code, 0, "{}", built.stderr);
        let index = std::fs::read(out.join("index.html")).unwrap();
        repo.edit(file, from, to);
        for (cmd, run) in judging_commands(&repo, &out) {
            assert_eq!(
                run.code, 2,
                "{cmd} with {to:?}: {}{}",
                run.stdout, run.stderr
            );
            assert!(
                run.stderr.contains(want),
                "{cmd} with {to:?} names {want}: {}",
                run.stderr
            );
        }
        assert_eq!(
            std::fs::read(out.join("index.html")).unwrap(),
            index,
            "the published site is untouched"
        );
    }
}

#[test]
fn every_problem_of_the_configuration_is_listed() {
    let repo = Repo::base();
    repo.edit(
        "docket.toml",
        "signatures = \"none\"",
        "signatures = \"SSH\"\nsurvey_goal = 1",
    );
    let run = repo.check();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("docket.toml:7:"), "{}", run.stderr);
    assert!(run.stderr.contains("docket.toml:8:"), "{}", run.stderr);
    assert!(run.stderr.contains("survey_goal"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing is judged: {}", run.stdout);
}

#[test]
fn a_missing_people_toml_stops_the_check() {
    let repo = Repo::base();
    repo.remove("people.toml");
    let run = repo.check();
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("people.toml"), "{}", run.stderr);
}

#[test]
fn a_shallow_clone_cannot_pass_the_gate() {
    for policy in ["author", "ssh"] {
        let repo = company(policy);
        let signing = if policy == "ssh" {
            Signing::KeyOf("wang.gm")
        } else {
            Signing::Unsigned
        };
        review(&repo, "wang.gm", signing);
        clean(&repo.check());
        // Even with the rule turned off, by the GM himself.
        repo.append("docket.toml", "[rules]\nhistory-unavailable = \"off\"\n");
        repo.commit_with("wang.gm", "2026-03-05", "config", signing);
        let (_keep, clone) = repo.shallow_clone();
        let run = docket_on(&clone, &["check", "--format", "json", "--as-of", AS_OF]);
        assert_eq!(run.code, 1, "{policy}: {}", run.stdout);
        let f = fires(&run, "history-unavailable");
        assert_eq!(f[0].severity, "error");
        assert!(
            f[0].message.contains("git fetch --unshallow")
                && f[0].message.contains("fetch-depth: 0"),
            "{}",
            f[0].message
        );
    }
}

#[test]
fn a_shallow_clone_under_policy_none_is_a_warning() {
    let repo = company("none");
    review(&repo, "wang.gm", Signing::Unsigned);
    let (_keep, clone) = repo.shallow_clone();
    let run = docket_on(&clone, &["check", "--format", "json", "--as-of", AS_OF]);
    let f = fires(&run, "history-unavailable");
    assert_eq!(f[0].severity, "warning");
    assert_eq!(run.code, 0);
}

#[test]
fn no_repository_under_policy_author_is_an_error() {
    let repo = Repo::base();
    repo.set_policy("author");
    let run = repo.check();
    let all = run.all_findings();
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0].rule, "history-unavailable");
    assert_eq!(all[0].severity, "error");
    assert!(all[0].message.contains("git init"), "{}", all[0].message);
    assert_eq!(run.code, 1);
}

#[test]
fn uncommitted_changes_under_policy_ssh_stay_a_warning() {
    let repo = company("ssh");
    review(&repo, "wang.gm", Signing::KeyOf("wang.gm"));
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    let run = repo.check();
    let f = fires(&run, "history-unavailable");
    assert_eq!(f[0].severity, "warning");
    assert_eq!(run.code, 0);
}

#[test]
fn an_uncommitted_policy_change_is_not_in_force_for_signatures() {
    // The working tree says "none"; the committed, governed policy says
    // "ssh": the unsigned review is judged under "ssh".
    let repo = company("ssh");
    review(&repo, "wang.gm", Signing::Unsigned);
    repo.set_policy("none");
    let run = repo.check();
    assert_eq!(fires(&run, "signature-unproven")[0].severity, "error");
    assert_eq!(run.code, 1);
}

/// The commits are read from git beside the records when a cached index
/// exists, after them when none does. Either way, with a damaged history
/// and an unreadable `docket.toml` at once, the configuration is what is
/// reported, as when the two were always read one after the other: it is
/// what the person running docket can mend. The damaged history alone
/// still stops the run, naming the object.
#[test]
fn a_damaged_history_beside_an_unreadable_configuration_reports_the_configuration() {
    for cached in [false, true] {
        let repo = company("author");
        review(&repo, "wang.gm", Signing::Unsigned);
        if cached {
            clean(&repo.check());
            repo.append(ORDER_PATH, "\n[[followup]]\ndate = 2026-03-06\nby = \"li.sales\"\nnote = \"Called.\"\nrisk = false\n");
            repo.commit_as("li.sales", "2026-03-06", "Follow-up");
        }
        let cache = repo.git().path().join("docket/history.bin");
        assert_eq!(cache.exists(), cached);
        // The newest commit is what a walk from the cache reads first.
        let damaged = repo.git().head().unwrap().peel_to_commit().unwrap().id();
        corrupt(&repo, damaged);
        let run = repo.check();
        assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(&damaged.to_string()), "{}", run.stderr);
        repo.edit("docket.toml", "[policy]", "[policy\n");
        let run = repo.check();
        assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("docket.toml:6:"), "{}", run.stderr);
        assert!(!run.stderr.contains(&damaged.to_string()), "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}
