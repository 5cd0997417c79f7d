//! `docket init`: the minimal repository, its closing hint run as a person
//! would type it, the example company and the way out of it, and the
//! summary before the first commit.

use crate::fixture::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The as-of date the README pins for the shipped examples.
const EXAMPLES_AS_OF: &str = "2026-11-26";

const KINDS: [&str; 8] = [
    "customers",
    "products",
    "orders",
    "flowsheets",
    "capa",
    "surveys",
    "property",
    "reports",
];

fn init(dir: &Path, extra: &[&str]) -> Run {
    Run::from(
        docket_cmd()
            .arg("init")
            .arg(dir)
            .args(extra)
            .output()
            .unwrap(),
    )
}

fn check(root: &Path, as_of: &str) -> Run {
    Run::from(
        docket_cmd()
            .args(["check", "--format", "json", "--as-of", as_of, "--records"])
            .arg(root)
            .output()
            .unwrap(),
    )
}

/// `git` as a person runs it in `dir`, with an identity.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "General Manager")
        .env("GIT_AUTHOR_EMAIL", "gm@example.com")
        .env("GIT_COMMITTER_NAME", "General Manager")
        .env("GIT_COMMITTER_EMAIL", "gm@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

#[test]
fn init_writes_a_minimal_repository_without_records() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("qms");
    let run = init(&target, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for f in [
        "docket.toml",
        "people.toml",
        "procedure.md",
        "README.md",
        ".gitignore",
    ] {
        assert!(target.join(f).is_file(), "{f} missing");
    }
    for kind in KINDS {
        let files = walk(&target.join(kind));
        assert_eq!(
            files,
            vec![target.join(kind).join("README.md")],
            "{kind}: only its README"
        );
    }
    let people = std::fs::read_to_string(target.join("people.toml")).unwrap();
    assert!(people.contains("PLACEHOLDERS") && people.contains("gm@example.com"));
    // The untouched scaffold reads without a single finding but the one
    // saying it is not under git yet: under its policy "author" that is
    // an error (a gate cannot pass without the history), which says what
    // to do.
    let run = check(&target, AS_OF);
    let all = run.all_findings();
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(
        (all[0].rule.as_str(), all[0].severity.as_str()),
        ("history-unavailable", "error")
    );
    assert!(all[0].message.contains("git init"), "{}", all[0].message);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.json()["summary"]["records"], 0);
    // Following the closing hint (git init, add, commit), it checks clean.
    git(&target, &["init", "-q"]);
    git(&target, &["add", "-A"]);
    git(
        &target,
        &[
            "commit",
            "-q",
            "-m",
            "Set up the quality records repository",
        ],
    );
    // As of today: the commit was just made, and a commit after the as-of
    // date is `history-time`.
    let today = jiff::tz::Offset::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
        .to_string();
    let run = check(&target, &today);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.all_findings(), vec![]);
}

/// The closing hint is run line by line as printed, in a shell, with
/// `docket` on the PATH: every command works, and the last, `docket
/// check`, passes.
#[test]
fn the_closing_hint_is_exactly_the_commands_that_work() {
    let dir = tempfile::tempdir().unwrap();
    let run = Run::from(
        docket_cmd()
            .args(["init", "my records"])
            .current_dir(dir.path())
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let commands: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("       ") && !l.trim_start().starts_with('('))
        .map(str::trim)
        .collect();
    assert_eq!(
        commands,
        [
            "cd 'my records'",
            "git init",
            "git add -A",
            "git commit -m \"Set up the quality records repository\"",
            "docket check",
        ],
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("people.toml"), "{}", run.stdout);
    let bin = Path::new(env!("CARGO_BIN_EXE_docket")).parent().unwrap();
    let script = format!("set -e\n{}\n", commands.join("\n"));
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("GIT_AUTHOR_NAME", "General Manager")
        .env("GIT_AUTHOR_EMAIL", "gm@example.com")
        .env("GIT_COMMITTER_NAME", "General Manager")
        .env("GIT_COMMITTER_EMAIL", "gm@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("0 records checked as of") && stdout.contains(": 0 errors, 0 warnings"),
        "committed and clean: {stdout}"
    );
}

/// Before the first commit, and after `git init` with nothing committed,
/// one finding says so, not one per file.
#[test]
fn before_the_first_commit_one_summary_finding() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("qms");
    assert_eq!(init(&target, &["--example"]).code, 0);
    git(&target, &["init", "-q"]);
    let run = check(&target, EXAMPLES_AS_OF);
    let all = run.all_findings();
    assert_eq!(all.len(), 1, "{all:#?}");
    let f = &all[0];
    assert_eq!(
        (f.rule.as_str(), f.file.as_str()),
        ("history-unavailable", "docket.toml")
    );
    // The records and configuration, and the procedure (a controlled
    // document, followed like them).
    let files = walk(&target)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml") || p.ends_with("procedure.md"))
        .count();
    assert!(
        f.message
            .starts_with("nothing below the records root is committed yet")
            && f.message.contains(&format!("{files} files not committed")),
        "{}",
        f.message
    );
    // Once something is committed, the uncommitted files are named one by one.
    git(&target, &["add", "docket.toml", "people.toml"]);
    git(&target, &["commit", "-q", "-m", "config"]);
    let run = check(&target, EXAMPLES_AS_OF);
    let per_file = run.of("history-unavailable");
    assert_eq!(per_file.len(), files - 2, "{per_file:#?}");
    assert!(
        per_file
            .iter()
            .all(|f| f.message.starts_with("is not committed"))
    );
}

#[test]
fn init_example_writes_the_example_company_which_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("qms");
    let run = init(&target, &["--example"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains(&format!("docket check --as-of {EXAMPLES_AS_OF}")),
        "{}",
        run.stdout
    );
    for kind in KINDS {
        let has_toml = walk(&target.join(kind))
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "toml"));
        assert!(has_toml, "no example {kind} record");
    }
    let check = check(&target, EXAMPLES_AS_OF);
    assert_eq!(check.findings(), vec![]);
    assert_eq!(check.code, 0);
}

/// The trap of issue 13: commit the examples, delete them, and the
/// deletions were errors for good. Deleting docket's examples as shipped is
/// not a finding; an example someone changed is a record of theirs, and
/// its finding's restore command works.
#[test]
fn deleting_the_shipped_examples_is_clean_and_a_kept_record_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("qms");
    assert_eq!(init(&root, &["--example"]).code, 0);
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "examples"]);
    let edited = "customers/C-0001.toml";
    let text = std::fs::read_to_string(root.join(edited)).unwrap();
    std::fs::write(
        root.join(edited),
        text.replace("active = true", "active = false"),
    )
    .unwrap();
    git(&root, &["commit", "-q", "-am", "C-0001 inactive"]);
    for kind in KINDS {
        std::fs::remove_dir_all(root.join(kind)).unwrap();
    }
    // In the working tree first, then committed.
    let run = check(&root, EXAMPLES_AS_OF);
    let deleted = run.of("record-deleted");
    assert_eq!(deleted.len(), 1, "{deleted:#?}");
    assert_eq!(deleted[0].file, edited);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "remove the examples"]);
    let run = check(&root, EXAMPLES_AS_OF);
    let deleted = run.of("record-deleted");
    assert_eq!(deleted.len(), 1, "only the edited one: {deleted:#?}");
    // The message's restore command, run from the records folder.
    let msg = &deleted[0].message;
    let command = msg
        .split("from the records folder: ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no command in {msg}"));
    let args: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(args[..2], ["git", "checkout"], "{msg}");
    git(&root, &args[1..]);
    assert!(
        std::fs::read_to_string(root.join(edited))
            .unwrap()
            .contains("active = false"),
        "the record as it was last kept"
    );
    let run = check(&root, EXAMPLES_AS_OF);
    assert_eq!(run.of("record-deleted"), vec![]);
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
    // A folder holding one of the files to write: nothing is written at all.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("orders")).unwrap();
    std::fs::write(dir.path().join("orders/README.md"), "mine").unwrap();
    let run = init(dir.path(), &[]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("orders/README.md"), "{}", run.stderr);
    assert_eq!(walk(dir.path()), vec![dir.path().join("orders/README.md")]);
}

/// Every setting the reader of docket.toml knows is explained in the
/// docket.toml init writes (set, or shown commented out): the list comes
/// from the reader itself, through `docket schema`.
#[test]
fn the_scaffold_docket_toml_explains_every_setting() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("qms");
    assert_eq!(init(&root, &[]).code, 0);
    let run = Run::from(
        docket_cmd()
            .args(["schema", "--records"])
            .arg(&root)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(".docket-schema/docket.schema.json")).unwrap(),
    )
    .unwrap();
    let text = std::fs::read_to_string(root.join("docket.toml")).unwrap();
    let props = schema["properties"].as_object().unwrap();
    assert!(props.contains_key("policy") && props.contains_key("company"));
    for (table, s) in props {
        assert!(
            text.contains(&format!("[{table}]")),
            "[{table}] not explained"
        );
        if table == "rules" {
            continue; // keys are rule ids: `docket rules` lists them
        }
        for key in s["properties"].as_object().unwrap().keys() {
            let set = text.lines().any(|l| {
                let l = l.trim_start_matches(['#', ' ']);
                l.starts_with(&format!("{key} =")) || l.starts_with(&format!("{key}="))
            });
            assert!(set, "{table}.{key} is not in the scaffold's docket.toml");
        }
    }
    for policy in ["\"none\"", "\"author\"", "\"ssh\"", "governance"] {
        assert!(text.contains(policy), "{policy} not explained");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == ".git") {
                    continue;
                }
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The README's "First steps" and the README init writes into the
/// repository give the commands init prints, in the same order.
#[test]
fn the_readmes_first_steps_are_what_init_prints() {
    let dir = tempfile::tempdir().unwrap();
    let run = Run::from(
        docket_cmd()
            .args(["init", "qms"])
            .current_dir(dir.path())
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let printed: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("       "))
        .map(str::trim)
        .collect();
    assert_eq!(printed.len(), 5, "{}", run.stdout);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let first_steps = readme
        .split("## First steps")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a First steps section");
    let scaffold = std::fs::read_to_string(dir.path().join("qms/README.md")).unwrap();
    for (name, text, from) in [
        ("README.md", first_steps, 0),
        ("qms/README.md", scaffold.as_str(), 1),
    ] {
        assert!(
            text.contains("docket init qms") || from == 1,
            "{name}: no init"
        );
        let mut at = 0;
        // The scaffold's README is read from inside the repository: no `cd`.
        for cmd in &printed[from..] {
            let found = text[at..]
                .find(cmd)
                .unwrap_or_else(|| panic!("{name}: `{cmd}` missing or out of order"));
            at += found + cmd.len();
        }
        for step in [
            "people.toml",
            "docket.toml",
            "docket new order",
            "docket build --out ../site",
        ] {
            assert!(text.contains(step), "{name}: {step}");
        }
    }
}
