//! `docket sign`: the person at the keyboard (git's `user.email`, matched
//! against the people.toml in force at HEAD) writes a signed section, and
//! with `--commit` makes the commit that signs it. Tried as the GM would
//! (re-signing a stale review) and as those who must not: a sales person,
//! a leaver, someone unknown, someone whose role is only in the working
//! tree.

use crate::fixture::*;
use crate::trust::{company, order_unreviewed};
use std::process::Command;

/// Set the repository's git identity to the person with `email`.
fn identity(repo: &Repo, email: &str) {
    let mut config = repo.git().config().unwrap();
    config.set_str("user.email", email).unwrap();
    config.set_str("user.name", "Someone").unwrap();
}

/// `docket sign ARGS --as-of DAY`, with git's commit dates set to that
/// day at 10:00 +08:00 (a signature far from its written date is a
/// `signature-time` finding).
fn sign(repo: &Repo, day: &str, args: &[&str]) -> Run {
    let when = format!("{day}T10:00:00+08:00");
    let mut cmd = docket_cmd();
    cmd.arg("sign")
        .args(args)
        .args(["--as-of", day, "--records"])
        .arg(&repo.root)
        .env("GIT_AUTHOR_DATE", &when)
        .env("GIT_COMMITTER_DATE", &when)
        .env("GIT_CONFIG_NOSYSTEM", "1");
    Run::from(cmd.output().unwrap())
}

/// The GM's `sign SO-2026-0001 review --decision approved --commit` on
/// 2026-03-03: the signature most tests here make.
fn approve_with_commit(repo: &Repo) -> Run {
    sign(
        repo,
        "2026-03-03",
        &[
            "SO-2026-0001",
            "review",
            "--decision",
            "approved",
            "--commit",
        ],
    )
}

fn head_message(repo: &Repo) -> String {
    let git = repo.git();
    let head = git.head().unwrap().peel_to_commit().unwrap();
    head.message().unwrap().trim().to_string()
}

/// The stale-review fixture: Wang approves on 03-03; on 03-05 Li moves the
/// delivery place, with a `[[change]]` entry (so only the review is stale).
fn stale(policy: &str) -> Repo {
    let repo = company(policy);
    repo.write(ORDER_PATH, ORDER);
    let signing = if policy == "ssh" {
        Signing::KeyOf("wang.gm")
    } else {
        Signing::Unsigned
    };
    repo.commit_with("wang.gm", "2026-03-03", "Review", signing);
    repo.edit(
        ORDER_PATH,
        "delivery_place = \"Hamburg\"",
        "delivery_place = \"Bremen\"",
    );
    repo.append(
        ORDER_PATH,
        "[[change]]\ndate = 2026-03-05\nby = \"li.sales\"\nwhat = [\"delivery-place\"]\n\
         description = \"Deliver to Bremen\"\nnotified = [\"manufacturing\"]\n",
    );
    let signing = if policy == "ssh" {
        Signing::KeyOf("li.sales")
    } else {
        Signing::Unsigned
    };
    repo.commit_with("li.sales", "2026-03-05", "Deliver to Bremen", signing);
    repo
}

#[test]
fn the_gm_signs_a_review_under_policy_author_and_the_check_is_clean() {
    let repo = company("author");
    // A comment and the key order the sign must keep.
    let commented = format!("# Faxed PO, see the scan\n{}", order_unreviewed());
    repo.write(ORDER_PATH, &commented);
    repo.commit_as("li.sales", "2026-03-02", "Comment");
    // Another change in the work tree that the signature commit must not take.
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    identity(&repo, "wang@acme.example");
    let run = approve_with_commit(&repo);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("as Wang Daming (wang.gm)"),
        "{}",
        run.stdout
    );
    assert_eq!(
        head_message(&repo),
        "Sign review of SO-2026-0001 (approved)"
    );
    let text = repo.read(ORDER_PATH);
    assert!(text.starts_with("# Faxed PO, see the scan\n"), "{text}");
    assert!(
        text.contains("[review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = 2026-03-03\n"),
        "{text}"
    );
    // Only the record was committed: the customer edit is still pending.
    let status = repo
        .git()
        .status_file(std::path::Path::new("customers/C-0001.toml"))
        .unwrap();
    assert!(status.is_wt_modified(), "{status:?}");
    repo.edit("customers/C-0001.toml", "Jan Ott", "Anna Keller");
    clean(&repo.check());
    let blocks = crate::trust::signature_blocks(&repo);
    assert_eq!(blocks[0]["status"]["status"], "proven", "{blocks:#}");
}

/// Make git sign commits with Wang's SSH key (`gpg.format ssh`,
/// `user.signingkey` a key file), as a GM sets up his machine. The key
/// file lives while the returned folder does.
fn ssh_signing(repo: &Repo) -> tempfile::TempDir {
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("wang");
    let pem = private_key("wang.gm")
        .to_openssh(ssh_key::LineEnding::LF)
        .unwrap();
    std::fs::write(&key, pem.as_bytes()).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut config = repo.git().config().unwrap();
    config.set_str("gpg.format", "ssh").unwrap();
    config
        .set_str("user.signingkey", key.to_str().unwrap())
        .unwrap();
    keys
}

/// Whether `ssh-keygen` (what git runs to make an SSH signature) exists.
fn have_ssh_keygen() -> bool {
    Command::new("ssh-keygen").arg("-?").output().is_ok()
}

#[test]
fn the_gm_signs_with_his_ssh_key_through_git_and_the_check_is_clean() {
    if !have_ssh_keygen() {
        eprintln!("skipped: ssh-keygen is not installed (apt-get install openssh-client)");
        return;
    }
    let repo = company("ssh");
    identity(&repo, "wang@acme.example");
    let _keys = ssh_signing(&repo);
    let run = approve_with_commit(&repo);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let git = repo.git();
    let head = git.head().unwrap().target().unwrap();
    let (sig, _) = git.extract_signature(&head, None).expect("a signed commit");
    assert!(
        sig.as_str().unwrap().contains("BEGIN SSH SIGNATURE"),
        "{:?}",
        sig.as_str()
    );
    clean(&repo.check());
    let blocks = crate::trust::signature_blocks(&repo);
    let detail = blocks[0]["status"]["detail"].as_str().unwrap();
    assert!(detail.contains("SSH signature by wang.gm"), "{detail}");
}

/// A refused sign exits 2, says why, and leaves the file as it was.
#[track_caller]
fn refused(repo: &Repo, email: &str, args: &[&str], want: &[&str]) {
    identity(repo, email);
    let before = repo.read(ORDER_PATH);
    let run = sign(repo, "2026-03-03", args);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    for w in want {
        assert!(run.stderr.contains(w), "{w:?} in {}", run.stderr);
    }
    assert_eq!(repo.read(ORDER_PATH), before, "the file is untouched");
    let leftovers: Vec<_> = std::fs::read_dir(repo.path("orders/2026"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

const REVIEW: &[&str] = &["SO-2026-0001", "review", "--decision", "approved"];

#[test]
fn a_sales_person_cannot_sign_the_review() {
    let repo = company("author");
    refused(
        &repo,
        "li@acme.example",
        REVIEW,
        &["needs role gm", "Li Mei (li.sales) has role sales"],
    );
}

#[test]
fn a_leaver_cannot_sign() {
    let repo = company("author");
    refused(
        &repo,
        "lin@acme.example",
        REVIEW,
        &["Lin Old (old.gm) left on 2026-01-31"],
    );
}

#[test]
fn an_unknown_email_cannot_sign() {
    let repo = company("author");
    refused(
        &repo,
        "mallory@example.com",
        REVIEW,
        &[
            "mallory@example.com",
            "no one's in the people.toml in force at HEAD",
        ],
    );
}

#[test]
fn a_role_added_only_in_the_working_tree_does_not_count() {
    let repo = company("author");
    repo.edit(
        "people.toml",
        "roles = [\"sales\"]",
        "roles = [\"sales\", \"gm\"]",
    );
    refused(&repo, "li@acme.example", REVIEW, &["needs role gm"]);
}

#[test]
fn a_role_sales_committed_herself_is_not_in_force() {
    // Li commits people.toml giving herself the gm role: the change is
    // governance-unproven, so the people.toml in force at HEAD is still
    // the one without it.
    let repo = company("author");
    repo.edit(
        "people.toml",
        "roles = [\"sales\"]",
        "roles = [\"sales\", \"gm\"]",
    );
    repo.commit_as("li.sales", "2026-03-03", "people: roles");
    refused(
        &repo,
        "li@acme.example",
        REVIEW,
        &["needs role gm", "has role sales"],
    );
}

#[test]
fn a_review_needs_its_decision_and_a_valid_one() {
    let repo = company("author");
    refused(
        &repo,
        "wang@acme.example",
        &["SO-2026-0001", "review"],
        &["pass --decision approved or --decision rejected"],
    );
    refused(
        &repo,
        "wang@acme.example",
        &["SO-2026-0001", "review", "--decision", "ok"],
        &["--decision ok is not one of approved, rejected"],
    );
    refused(
        &repo,
        "wang@acme.example",
        &["SO-2026-0001", "delivery"],
        &[
            "\"delivery\" is not a signed section",
            "those of order records are review, extra_review[N]",
        ],
    );
}

#[test]
fn a_stale_review_re_signed_is_no_longer_stale() {
    for policy in ["author", "ssh"] {
        if policy == "ssh" && !have_ssh_keygen() {
            continue;
        }
        let repo = stale(policy);
        let run = repo.check();
        let f = fires(&run, "review-stale");
        assert!(
            f[0].message
                .contains("docket sign SO-2026-0001 review --decision approved --commit"),
            "{}",
            f[0].message
        );
        identity(&repo, "wang@acme.example");
        let _keys = (policy == "ssh").then(|| ssh_signing(&repo));
        let run = sign(
            &repo,
            "2026-03-06",
            &[
                "SO-2026-0001",
                "review",
                "--decision",
                "approved",
                "--commit",
            ],
        );
        assert_eq!(run.code, 0, "{policy}: {}{}", run.stdout, run.stderr);
        let run = repo.check();
        assert!(
            run.of("review-stale").is_empty(),
            "{policy}: {:#?}",
            run.findings()
        );
        // What is left is production's part: reissue the sheet (4.4).
        assert_eq!(run.rules(), ["flowsheet-outdated"], "{policy}");
        repo.edit(FLOWSHEET_PATH, "issued = 2026-03-04", "issued = 2026-03-06");
        repo.edit(FLOWSHEET_PATH, "revision = 1", "revision = 2");
        repo.commit_as("li.sales", "2026-03-06", "Reissue MF-2026-0001");
        clean(&repo.check());
        // Again the same day: nothing would change, so nothing is signed.
        let before = repo.read(ORDER_PATH);
        let again = sign(
            &repo,
            "2026-03-06",
            &[
                "SO-2026-0001",
                "review",
                "--decision",
                "approved",
                "--commit",
            ],
        );
        assert_eq!(again.code, 2, "{}", again.stdout);
        assert!(
            again.stderr.contains("already says this") && again.stderr.contains("--note TEXT"),
            "{}",
            again.stderr
        );
        assert_eq!(repo.read(ORDER_PATH), before);
        // With a note saying what was checked, it is a new signature.
        let noted = sign(
            &repo,
            "2026-03-06",
            &[
                "SO-2026-0001",
                "review",
                "--decision",
                "approved",
                "--note",
                "Checked again: \"Bremen\" is fine",
                "--commit",
            ],
        );
        assert_eq!(noted.code, 0, "{}{}", noted.stdout, noted.stderr);
        assert!(
            repo.read(ORDER_PATH)
                .contains("note = 'Checked again: \"Bremen\" is fine'"),
            "{}",
            repo.read(ORDER_PATH)
        );
        clean(&repo.check());
    }
}

const CAPA_PATH: &str = "capa/2026/CAPA-2026-0001.toml";

/// A CAPA for manufacturing whose investigation is written but not signed.
const CAPA: &str = r#"id = "CAPA-2026-0001"
kind = "corrective"
source = "internal"
opened = 2026-03-02
opened_by = "sun.qc"
description = "Burrs on shaft ends"
responsible_department = "manufacturing"

[investigation]
# what Zhao found on the line
root_cause = "Worn deburring tool"
countermeasure = "Tool changed every 500 parts"
"#;

#[test]
fn a_department_bound_section_is_signed_by_its_department_only() {
    let repo = company("author");
    repo.write(CAPA_PATH, CAPA);
    repo.commit_as("sun.qc", "2026-03-02", "CAPA-2026-0001");
    identity(&repo, "sun@acme.example");
    let before = repo.read(CAPA_PATH);
    let run = sign(&repo, "2026-03-05", &["CAPA-2026-0001", "investigation"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("needs a member of department manufacturing, and Sun Hui (sun.qc) has role qc in department qc"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.read(CAPA_PATH), before);
    identity(&repo, "zhao@acme.example");
    let run = sign(
        &repo,
        "2026-03-05",
        &["CAPA-2026-0001", "investigation", "--commit"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let text = repo.read(CAPA_PATH);
    assert!(
        text.contains(
            "[investigation]\n# what Zhao found on the line\nroot_cause = \"Worn deburring tool\"\n\
             countermeasure = \"Tool changed every 500 parts\"\nby = \"zhao.mfg\"\ndate = 2026-03-05\n"
        ),
        "{text}"
    );
    // QC verifies: --decision fills `effective`.
    identity(&repo, "sun@acme.example");
    let run = sign(
        &repo,
        "2026-03-06",
        &["CAPA-2026-0001", "verification", "--decision", "effective"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("not committed yet"), "{}", run.stdout);
    assert!(
        repo.read(CAPA_PATH)
            .contains("[verification]\neffective = true\nby = \"sun.qc\"\ndate = 2026-03-06\n"),
        "{}",
        repo.read(CAPA_PATH)
    );
}

#[test]
fn what_only_a_person_can_write_must_be_there_before_signing() {
    let repo = company("author");
    let bare = CAPA.split("[investigation]").next().unwrap().to_string();
    repo.write(CAPA_PATH, &bare);
    repo.commit_as("sun.qc", "2026-03-02", "CAPA-2026-0001");
    identity(&repo, "zhao@acme.example");
    let run = sign(&repo, "2026-03-05", &["CAPA-2026-0001", "investigation"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("write root_cause and countermeasure into [investigation] first"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.read(CAPA_PATH), bare);
}

#[test]
fn sign_commits_a_record_of_a_records_folder_inside_a_bigger_repository() {
    let repo = Repo::empty_in("records");
    repo.write("customers/C-0001.toml", CUSTOMER);
    repo.write("products/AP-SH-1020.toml", PRODUCT);
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.write(FLOWSHEET_PATH, FLOWSHEET);
    repo.write("surveys/2026/SV-2026-0001.toml", SURVEY);
    repo.set_policy("author");
    repo.write_top("README.md", "the company repository\n");
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Records");
    identity(&repo, "wang@acme.example");
    let run = approve_with_commit(&repo);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let git = repo.git();
    let head = git.head().unwrap().peel_to_commit().unwrap();
    let parent = head.parent(0).unwrap();
    let diff = git
        .diff_tree_to_tree(
            Some(&parent.tree().unwrap()),
            Some(&head.tree().unwrap()),
            None,
        )
        .unwrap();
    let paths: Vec<String> = diff
        .deltas()
        .map(|d| d.new_file().path().unwrap().display().to_string())
        .collect();
    assert_eq!(paths, [format!("records/{ORDER_PATH}")]);
    clean(&repo.check());
}

/// git fails after docket wrote the section (here: the signing key git is
/// told to use is not there). docket says so and exits 2, HEAD is the
/// same, the section is in the file (nothing half-written), the check
/// calls it unsigned, and signing again once the key is back commits it.
#[test]
fn when_git_cannot_sign_the_section_is_written_not_committed_and_signing_again_works() {
    if !have_ssh_keygen() {
        eprintln!("skipped: ssh-keygen is not installed (apt-get install openssh-client)");
        return;
    }
    let repo = company("ssh");
    identity(&repo, "wang@acme.example");
    let keys = ssh_signing(&repo);
    std::fs::rename(keys.path().join("wang"), keys.path().join("away")).unwrap();
    let before = repo.git().head().unwrap().target().unwrap();
    let args = [
        "SO-2026-0001",
        "review",
        "--decision",
        "approved",
        "--commit",
    ];
    let run = sign(&repo, "2026-03-03", &args);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("git commit failed")
            && run.stderr.contains("written but not committed"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.git().head().unwrap().target().unwrap(), before);
    let text = repo.read(ORDER_PATH);
    let order: toml::Table = text.parse().expect("the order is whole TOML");
    assert_eq!(order["review"]["by"].as_str(), Some("wang.gm"), "{text}");
    let check = repo.check();
    assert!(
        !check.of("signature-unproven").is_empty(),
        "an uncommitted review is not signed: {}",
        check.stdout
    );

    std::fs::rename(keys.path().join("away"), keys.path().join("wang")).unwrap();
    let again = sign(&repo, "2026-03-03", &args);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    let signed = repo.git().head().unwrap().target().unwrap();
    assert_ne!(signed, before);
    clean(&repo.check());
    // Now that the commit says it, the same signature the same day would
    // change nothing: refused, no empty commit.
    let twice = sign(&repo, "2026-03-03", &args);
    assert_eq!(twice.code, 2, "{}{}", twice.stdout, twice.stderr);
    assert!(
        twice.stderr.contains("already says this"),
        "{}",
        twice.stderr
    );
    assert_eq!(repo.git().head().unwrap().target().unwrap(), signed);
}

/// docket turns transparent huge pages off for itself (main.rs: zeroing
/// 2 MiB pages cost a third of a rebuild's CPU). The flag is not visible
/// from outside a running process, but its children inherit it, and
/// `sign --commit` runs git, which runs the repository's hooks: a
/// pre-commit hook reads its own status.
#[test]
#[cfg(target_os = "linux")]
fn docket_runs_without_transparent_huge_pages() {
    // Where the test itself already runs without them (a kernel built
    // without, a parent that set the flag), the hook cannot tell docket's
    // doing from the machine's.
    let own = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if !own.contains("THP_enabled:\t1") {
        eprintln!("skipped: this process already runs without transparent huge pages");
        return;
    }
    let repo = company("author");
    identity(&repo, "wang@acme.example");
    let seen = tempfile::tempdir().unwrap();
    let seen = seen.path().join("status");
    let hook = repo.git().path().join("hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        format!("#!/bin/sh\ncat /proc/self/status > '{}'\n", seen.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = approve_with_commit(&repo);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let status = std::fs::read_to_string(&seen).expect("the hook ran");
    // A kernel older than 5.0 does not say; this one must.
    let line = status
        .lines()
        .find(|l| l.starts_with("THP_enabled:"))
        .unwrap_or_else(|| panic!("no THP_enabled in {status}"));
    assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
    // The same hook under git run by the test says 1: the test can fail.
    repo.write("notes.txt", "x\n");
    for args in [&["add", "notes.txt"][..], &["commit", "-qm", "Notes"]] {
        let git = Command::new("git")
            .arg("-C")
            .arg(&repo.root)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .status()
            .unwrap();
        assert!(git.success());
    }
    let status = std::fs::read_to_string(&seen).unwrap();
    assert!(status.contains("THP_enabled:\t1"), "{status}");
}
