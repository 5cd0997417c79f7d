//! The stamp job of the CI files `docket init --ci` writes, run as the CI
//! would run it (ci_templates.rs has how): on the main branch of a clone
//! whose origin is a bare repository in the test's folder, with a TSA of
//! the test's own on 127.0.0.1. With `[timestamps] policy = "off"` (the
//! default) it does nothing and succeeds; once the policy is on, it
//! stamps every signing commit and pushes a commit holding only the
//! tokens to main, after which the check finds no token missing.

use crate::ci_templates::{PHONE, checkout, git, s, sh, yaml};
use crate::fixture::*;
use crate::timestamps::{FROM, UNTIL, pki, serve};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The checkout of `ci`'s main branch, and the origin it was cloned from.
fn main_checkout(ci: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, clone) = checkout(ci, PHONE);
    git(&clone, &["checkout", "-q", "main"]);
    let origin = dir.path().join("origin.git");
    (dir, clone, origin)
}

/// Turn timestamps on in main (as the GM would, pushed), trusting a test
/// TSA that answers at `url` with tokens dated now.
fn timestamps_on(clone: &Path) -> String {
    let p = pki(1, FROM, UNTIL);
    let signer = p.signer.clone();
    let serial = AtomicUsize::new(1);
    let server = serve(10, move |req| {
        let now = jiff::Timestamp::now().as_second();
        signer.respond(req, now, serial.fetch_add(1, Ordering::SeqCst) as u64)
    });
    let config = std::fs::read_to_string(clone.join("docket.toml")).unwrap();
    assert!(config.contains("policy = \"off\""), "{config}");
    std::fs::write(
        clone.join("docket.toml"),
        config.replacen(
            "policy = \"off\"",
            &format!(
                "policy = \"required\"\nurl = \"{}\"\ncertificates = [\"tsa/tsa-chain.pem\"]",
                server.url
            ),
            1,
        ),
    )
    .unwrap();
    std::fs::create_dir_all(clone.join("tsa")).unwrap();
    std::fs::write(clone.join("tsa/tsa-chain.pem"), &p.root_pem).unwrap();
    git(clone, &["add", "-A"]);
    git(clone, &["commit", "-q", "-m", "Timestamps on"]);
    git(clone, &["push", "-q", "origin", "main"]);
    // The server's thread outlives `server`, and stops by itself.
    drop(server);
    git(clone, &["rev-parse", "HEAD"]).trim().to_string()
}

/// The files the newest commit of `origin`'s main changed, and its
/// message.
fn origin_head(origin: &Path) -> (Vec<String>, String) {
    let files = git(
        origin,
        &["show", "--name-only", "--format=", "refs/heads/main"],
    );
    let msg = git(origin, &["log", "-1", "--format=%s", "refs/heads/main"]);
    (
        files.lines().map(str::to_string).collect(),
        msg.trim().to_string(),
    )
}

/// `timestamp-missing` as of a month from now: the checkout's commits
/// were made today, by the clock, and a month is past `within_days`.
fn timestamp_missing(clone: &Path) -> Vec<F> {
    let now = jiff::Timestamp::now().as_second();
    let later = jiff::Timestamp::from_second(now + 30 * 86_400).unwrap();
    let later = jiff::tz::Offset::UTC.to_datetime(later).date().to_string();
    let run = docket_on(clone, &["check", "--format", "json", "--as-of", &later]);
    run.of("timestamp-missing")
}

/// The GitHub stamp job's shell steps, in order.
fn github_steps(clone: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(clone.join(".github/workflows/docket.yml")).unwrap();
    let wf = yaml(&text);
    let job = &wf["jobs"]["stamp"];
    assert_eq!(s(&job["if"]), "github.event_name == 'push'");
    assert_eq!(s(&job["permissions"]["contents"]), "write");
    let steps = job["steps"].as_vec().unwrap();
    assert_eq!(steps[0]["with"]["fetch-depth"].as_i64(), Some(0));
    steps
        .iter()
        .filter_map(|st| st["run"].as_str())
        .filter(|r| !r.contains("cargo install"))
        .map(str::to_string)
        .collect()
}

fn run_github(clone: &Path) -> Vec<(i32, String)> {
    let env = [("GITHUB_REF_NAME", "main".to_string())];
    github_steps(clone)
        .iter()
        .map(|line| sh(clone, line, &env))
        .collect()
}

#[test]
fn the_github_stamp_job_does_nothing_while_timestamps_are_off() {
    let (_dir, clone, origin) = main_checkout("github");
    let before = git(&origin, &["rev-parse", "refs/heads/main"]);
    for (code, out) in run_github(&clone) {
        assert_eq!(code, 0, "{out}");
    }
    assert_eq!(git(&origin, &["rev-parse", "refs/heads/main"]), before);
    let (code, out) = sh(&clone, "docket stamp", &[]);
    assert_eq!(code, 0);
    assert!(out.contains("timestamps are off"), "{out}");
}

#[test]
fn the_github_stamp_job_stamps_and_pushes_the_tokens_alone() {
    let (_dir, clone, origin) = main_checkout("github");
    let on = timestamps_on(&clone);
    assert!(!timestamp_missing(&clone).is_empty(), "nothing to stamp?");
    for (code, out) in run_github(&clone) {
        assert_eq!(code, 0, "{out}");
    }
    let (files, msg) = origin_head(&origin);
    assert!(!files.is_empty());
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("timestamps/") && f.ends_with(".tsr")),
        "{files:?}"
    );
    assert!(msg.contains("[skip ci]"), "{msg}");
    assert_eq!(
        git(&origin, &["rev-parse", "refs/heads/main~1"]).trim(),
        on,
        "one commit on top of the push"
    );
    // The tokens pushed verify: nothing is missing any more.
    assert_eq!(timestamp_missing(&clone), vec![]);
    // Run again: nothing new to stamp, nothing pushed.
    let head = git(&origin, &["rev-parse", "refs/heads/main"]);
    for (code, out) in run_github(&clone) {
        assert_eq!(code, 0, "{out}");
    }
    assert_eq!(git(&origin, &["rev-parse", "refs/heads/main"]), head);
}

/// The GitLab stamp job's script as one shell, after the before_script
/// lines that do not install docket.
fn gitlab_script(clone: &Path) -> String {
    let text = std::fs::read_to_string(clone.join(".gitlab-ci.yml")).unwrap();
    let ci = yaml(&text);
    let job = &ci["docket-stamp"];
    assert_eq!(
        s(&job["rules"][0]["if"]),
        "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
    );
    assert_eq!(s(&job["artifacts"]["paths"][0]), "timestamps/");
    let lines: Vec<&str> = ci["default"]["before_script"]
        .as_vec()
        .unwrap()
        .iter()
        .map(s)
        .filter(|l| !l.contains("cargo install"))
        .chain(job["script"].as_vec().unwrap().iter().map(s))
        .collect();
    format!("set -e\n{}\n", lines.join("\n"))
}

fn gitlab_env(clone: &Path, origin: &Path, token: bool) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("CI_PROJECT_DIR", clone.display().to_string()),
        ("CI_COMMIT_BRANCH", "main".to_string()),
        ("CI_SERVER_HOST", "gitlab.example".to_string()),
        ("CI_PROJECT_PATH", "acme/records".to_string()),
        ("DOCKET_PUSH_URL", origin.display().to_string()),
    ];
    if token {
        env.push(("DOCKET_PUSH_TOKEN", "glpat-test".to_string()));
    }
    env
}

#[test]
fn the_gitlab_stamp_job_stamps_and_pushes_with_a_token_and_keeps_them_without() {
    let (_dir, clone, origin) = main_checkout("gitlab");
    let script = gitlab_script(&clone);
    // Off: nothing, successfully.
    let before = git(&origin, &["rev-parse", "refs/heads/main"]);
    let (code, out) = sh(&clone, &script, &gitlab_env(&clone, &origin, true));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("timestamps are off"), "{out}");
    assert_eq!(git(&origin, &["rev-parse", "refs/heads/main"]), before);

    let on = timestamps_on(&clone);
    assert!(!timestamp_missing(&clone).is_empty(), "nothing to stamp?");
    // Without a push token: the tokens are made (the job's artifact), the
    // job fails and says what to set.
    let (code, out) = sh(&clone, &script, &gitlab_env(&clone, &origin, false));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("set DOCKET_PUSH_TOKEN"), "{out}");
    assert!(std::fs::read_dir(clone.join("timestamps")).unwrap().count() > 0);
    assert_eq!(git(&origin, &["rev-parse", "refs/heads/main"]).trim(), on);

    // With one: pushed, the tokens alone.
    git(&clone, &["reset", "-q", "--soft", "HEAD~1"]);
    git(&clone, &["reset", "-q"]);
    let (code, out) = sh(&clone, &script, &gitlab_env(&clone, &origin, true));
    assert_eq!(code, 0, "{out}");
    let (files, msg) = origin_head(&origin);
    assert!(
        !files.is_empty() && files.iter().all(|f| f.starts_with("timestamps/")),
        "{files:?}"
    );
    assert!(msg.contains("[skip ci]"), "{msg}");
    assert_eq!(timestamp_missing(&clone), vec![]);
}
