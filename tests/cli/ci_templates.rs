//! The CI files `docket init --ci` writes: they parse as YAML, have the
//! jobs and steps the gate needs, and their shell lines are run, as the CI
//! would run them, in a repository laid out like the CI's checkout (the
//! records at the top of a clone whose origin has `main`), with the real
//! docket binary on the PATH: so every docket command line in them is one
//! docket accepts, and does what the file says.

use crate::fixture::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

pub(crate) fn yaml(text: &str) -> Yaml {
    let mut docs = YamlLoader::load_from_str(text).expect("valid YAML");
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

pub(crate) fn s(y: &Yaml) -> &str {
    y.as_str().unwrap_or_else(|| panic!("not a string: {y:?}"))
}

/// `git` in `dir` as the GM of the fixture's cast.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Wang Daming")
        .env("GIT_AUTHOR_EMAIL", "wang@acme.example")
        .env("GIT_COMMITTER_NAME", "Wang Daming")
        .env("GIT_COMMITTER_EMAIL", "wang@acme.example")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The checkout a CI job sees: the records (with the CI file) at the top
/// of a clone whose `origin` has `main`, on a branch one commit ahead that
/// changes `from` to `to` in `file`. Returns (temp dir, checkout).
pub(crate) fn checkout(
    ci: &str,
    (file, from, to): (&str, &str, &str),
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let run = Run::from(
        docket_cmd()
            .args(["init", "--ci", ci])
            .arg(&work)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::write(work.join("people.toml"), people_toml()).unwrap();
    for (rel, text) in [
        ("customers/C-0001.toml", CUSTOMER),
        ("products/AP-SH-1020.toml", PRODUCT),
        (ORDER_PATH, ORDER),
        (FLOWSHEET_PATH, FLOWSHEET),
        ("surveys/2026/SV-2026-0001.toml", SURVEY),
    ] {
        let path = work.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let config = std::fs::read_to_string(work.join("docket.toml")).unwrap();
    std::fs::write(
        work.join("docket.toml"),
        config.replace("signatures = \"author\"", "signatures = \"none\""),
    )
    .unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "records"]);
    let origin = dir.path().join("origin.git");
    git(dir.path(), &["clone", "-q", "--bare", "work", "origin.git"]);
    let clone = dir.path().join("checkout");
    git(
        dir.path(),
        &["clone", "-q", origin.to_str().unwrap(), "checkout"],
    );
    git(&clone, &["checkout", "-q", "-b", "change"]);
    let path = clone.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from));
    std::fs::write(&path, text.replace(from, to)).unwrap();
    git(&clone, &["commit", "-q", "-am", "change"]);
    (dir, clone)
}

/// Run one shell line of a CI file in the checkout, with `env` and the
/// docket binary first on the PATH.
pub(crate) fn sh(clone: &Path, line: &str, env: &[(&str, String)]) -> (i32, String) {
    let bin = Path::new(env!("CARGO_BIN_EXE_docket")).parent().unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(line)
        .current_dir(clone)
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", clone)
        // "Today" for docket: the fixture's day, whatever the clock says.
        .env("SOURCE_DATE_EPOCH", as_of_epoch());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn as_of_epoch() -> String {
    let day: jiff::civil::Date = AS_OF.parse().unwrap();
    jiff::tz::offset(8)
        .to_timestamp(day.at(12, 0, 0, 0))
        .unwrap()
        .as_second()
        .to_string()
}

pub(crate) const PHONE: (&str, &str, &str) = (
    "customers/C-0001.toml",
    "phone = \"+49 40 123456\"",
    "phone = \"+49 40 654321\"",
);

/// `${{ expr }}` replaced by what GitHub would put there; an expression
/// the test does not know fails it, so a new one is looked at.
fn github_expr(text: &str, known: &[(&str, String)]) -> String {
    let mut out = text.to_string();
    for (expr, value) in known {
        out = out.replace(&format!("${{{{ {expr} }}}}"), value);
    }
    assert!(
        !out.contains("${{"),
        "an expression the test does not know: {out}"
    );
    out
}

#[test]
fn the_github_workflow_gates_pull_requests_and_builds_the_site() {
    let (dir, clone) = checkout("github", PHONE);
    let text = std::fs::read_to_string(clone.join(".github/workflows/docket.yml")).unwrap();
    let wf = yaml(&text);
    assert!(
        !wf["on"]["pull_request"].is_badvalue(),
        "runs on pull requests"
    );
    assert_eq!(s(&wf["on"]["push"]["branches"][0]), "main");
    assert_eq!(
        s(&wf["env"]["DOCKET_VERSION"]),
        env!("CARGO_PKG_VERSION"),
        "installs the docket that wrote it"
    );
    let summary = dir.path().join("summary.md");
    let temp = dir.path().join("runner-temp");
    std::fs::create_dir_all(&temp).unwrap();
    let env = vec![
        ("DOCKET_GIT", s(&wf["env"]["DOCKET_GIT"]).to_string()),
        (
            "DOCKET_VERSION",
            s(&wf["env"]["DOCKET_VERSION"]).to_string(),
        ),
        ("GITHUB_STEP_SUMMARY", summary.display().to_string()),
        ("RUNNER_TEMP", temp.display().to_string()),
    ];
    let exprs = [
        ("github.base_ref", "main".to_string()),
        ("runner.os", "Linux".to_string()),
        ("runner.temp", temp.display().to_string()),
        ("env.DOCKET_VERSION", env!("CARGO_PKG_VERSION").to_string()),
    ];
    for (job, event) in [("check", "pull_request"), ("site", "push")] {
        let j = &wf["jobs"][job];
        assert_eq!(s(&j["if"]), format!("github.event_name == '{event}'"));
        let steps = j["steps"].as_vec().unwrap();
        let checkout = &steps[0];
        assert_eq!(s(&checkout["uses"]), "actions/checkout@v4");
        assert_eq!(
            checkout["with"]["fetch-depth"].as_i64(),
            Some(0),
            "the whole history: commits are the signatures"
        );
        let mut ran = Vec::new();
        for step in steps {
            let Some(run) = step["run"].as_str() else {
                continue;
            };
            let mut env = env.clone();
            if let Some(h) = step["env"].as_hash() {
                for (k, v) in h {
                    env.push((k.as_str().unwrap(), github_expr(s(v), &exprs)));
                }
            }
            let line = github_expr(run, &exprs);
            let (code, out) = sh(&clone, &line, &env);
            assert_eq!(code, 0, "{job}: {line}\n{out}");
            ran.push(line);
        }
        match job {
            "check" => {
                assert!(
                    ran.iter()
                        .any(|l| l.contains("cargo install --locked --git"))
                );
                assert!(
                    ran.iter()
                        .any(|l| l == "docket check --base \"origin/$BASE\" --format github"),
                    "{ran:#?}"
                );
                let summary = std::fs::read_to_string(&summary).unwrap();
                assert!(
                    summary.contains("## docket diff `origin/main..HEAD`")
                        && summary.contains("C-0001")
                        && summary.contains("654321"),
                    "{summary}"
                );
            }
            _ => {
                let site = temp.join("site");
                assert!(
                    site.join("index.html").is_file(),
                    "site built in the runner's temp"
                );
                assert!(!site.starts_with(&clone), "outside the checkout");
                let upload = steps
                    .iter()
                    .find(|s| s["uses"].as_str() == Some("actions/upload-artifact@v4"))
                    .expect("the site is uploaded");
                assert_eq!(
                    github_expr(s(&upload["with"]["path"]), &exprs),
                    site.display().to_string()
                );
            }
        }
    }
}

/// The gate fails a pull request whose records have an error, and says
/// where on the diff.
#[test]
fn the_github_check_step_fails_on_an_error() {
    let (_dir, clone) = checkout("github", (ORDER_PATH, "legible = true", "legible = false"));
    let text = std::fs::read_to_string(clone.join(".github/workflows/docket.yml")).unwrap();
    let wf = yaml(&text);
    let step = wf["jobs"]["check"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("Check the records"))
        .unwrap()
        .clone();
    let (code, out) = sh(&clone, s(&step["run"]), &[("BASE", "main".into())]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("::error file=orders/2026/SO-2026-0001.toml,line=7"),
        "{out}"
    );
}

#[test]
fn the_gitlab_pipeline_gates_merge_requests_with_code_quality_and_builds_the_site() {
    let (_dir, clone) = checkout("gitlab", PHONE);
    let text = std::fs::read_to_string(clone.join(".gitlab-ci.yml")).unwrap();
    let ci = yaml(&text);
    assert_eq!(s(&ci["variables"]["GIT_DEPTH"]), "0");
    assert_eq!(
        s(&ci["variables"]["DOCKET_VERSION"]),
        env!("CARGO_PKG_VERSION")
    );
    let env = vec![
        ("CI_PROJECT_DIR", clone.display().to_string()),
        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main".to_string()),
        ("DOCKET_GIT", s(&ci["variables"]["DOCKET_GIT"]).to_string()),
        (
            "DOCKET_VERSION",
            s(&ci["variables"]["DOCKET_VERSION"]).to_string(),
        ),
    ];
    let before: Vec<&str> = ci["default"]["before_script"]
        .as_vec()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    assert!(before.iter().any(|l| l.contains("cargo install --locked")));
    for job in ["docket-check", "docket-site"] {
        let j = &ci[job];
        let lines: Vec<&str> = before
            .iter()
            .copied()
            .chain(j["script"].as_vec().unwrap().iter().map(s))
            .collect();
        // One shell, as GitLab runs a job's lines.
        let script = format!("set -e\n{}\n", lines.join("\n"));
        let (code, out) = sh(&clone, &script, &env);
        assert_eq!(code, 0, "{job}:\n{script}\n{out}");
        if job == "docket-check" {
            assert_eq!(
                s(&j["rules"][0]["if"]),
                "$CI_PIPELINE_SOURCE == \"merge_request_event\""
            );
            let report = s(&j["artifacts"]["reports"]["codequality"]);
            let issues: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(clone.join(report)).unwrap())
                    .unwrap();
            assert!(issues.is_array(), "a Code Quality report: {issues}");
            let diff = std::fs::read_to_string(clone.join(".docket-ci/docket-diff.md")).unwrap();
            assert!(diff.contains("654321"), "{diff}");
            assert!(out.contains("records checked"), "{out}");
        } else {
            assert_eq!(
                s(&j["rules"][0]["if"]),
                "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
            );
            assert_eq!(s(&j["artifacts"]["paths"][0]), "site/");
            assert!(clone.join("site/index.html").is_file(), "{out}");
        }
    }
    // Nothing the jobs wrote is read as a record: the check is as clean as
    // before them.
    let run = Run::from(
        docket_cmd()
            .args(["check", "--format", "json", "--as-of", AS_OF])
            .current_dir(&clone)
            .output()
            .unwrap(),
    );
    assert_eq!(run.of("unknown-file"), vec![], "{}", run.stdout);
}

/// `--ci` inside an existing git repository would put the file where no
/// CI looks: refused, and nothing written.
#[test]
fn init_ci_inside_a_git_repository_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    let run = Run::from(
        docket_cmd()
            .args(["init", "--ci", "github"])
            .arg(dir.path().join("records"))
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("inside the git repository"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("records").exists());
}
