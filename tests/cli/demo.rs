//! `docket demo`: a generated company with signed history.

use crate::fixture::*;
use std::path::Path;

fn demo(dir: &Path, orders: &str, seed: &str) -> Run {
    demo_with(dir, orders, seed, &[])
}

fn demo_with(dir: &Path, orders: &str, seed: &str, extra: &[&str]) -> Run {
    let run = Run::from(
        docket_cmd()
            .args(["demo", "--orders", orders, "--seed", seed, "--repo"])
            .arg(dir.join("records"))
            .arg("--out")
            .arg(dir.join("site"))
            .args(extra)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "demo failed: {}", run.stderr);
    run
}

/// `docket check --format json` on the demo's records, as of its story's end.
fn check(dir: &Path) -> Run {
    Run::from(
        docket_cmd()
            .args([
                "check",
                "--format",
                "json",
                "--as-of",
                "2026-11-20",
                "--records",
            ])
            .arg(dir.join("records"))
            .output()
            .unwrap(),
    )
}

fn head(dir: &Path) -> git2::Oid {
    git2::Repository::open(dir.join("records"))
        .unwrap()
        .head()
        .unwrap()
        .target()
        .unwrap()
}

#[test]
fn same_seed_same_repository_commit_for_commit() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    demo(a.path(), "30", "7");
    demo(b.path(), "30", "7");
    demo(c.path(), "30", "8");
    assert_eq!(
        head(a.path()),
        head(b.path()),
        "same seed, different history"
    );
    assert_ne!(head(a.path()), head(c.path()), "the seed changes nothing");
    // Running again over an earlier demo (--force: it overwrites the
    // repository and the keys) replaces it with the same thing.
    demo_with(a.path(), "30", "7", &["--force"]);
    assert_eq!(head(a.path()), head(b.path()));
}

#[test]
fn history_is_signed_by_the_people_who_did_each_step() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), "30", "1");
    let repo = git2::Repository::open(dir.path().join("records")).unwrap();
    let people = std::fs::read_to_string(dir.path().join("records/people.toml")).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    let (mut signed, mut unsigned, mut reviews_by_gm) = (0, 0, 0);
    for oid in walk {
        let oid = oid.unwrap();
        let commit = repo.find_commit(oid).unwrap();
        let email = commit.author().email().unwrap().to_string();
        assert!(people.contains(&email), "{email} is not in people.toml");
        match repo.extract_signature(&oid, None) {
            Ok((sig, _)) => {
                assert!(
                    sig.as_str()
                        .unwrap()
                        .starts_with("-----BEGIN SSH SIGNATURE-----")
                );
                signed += 1;
            }
            Err(_) => unsigned += 1,
        }
        if commit
            .summary()
            .ok()
            .flatten()
            .unwrap_or("")
            .contains("order review")
        {
            assert_eq!(email, "wang@acme.example", "reviews are the GM's");
            reviews_by_gm += 1;
        }
    }
    assert!(signed > 150, "{signed} signed commits");
    assert_eq!(unsigned, 1, "exactly the planted unsigned approval");
    assert!(reviews_by_gm >= 25);
    // The private keys stay outside the records folder.
    assert!(dir.path().join("keys/wang.gm").is_file());
    assert!(!people.contains("PRIVATE KEY"));
}

#[test]
fn the_planted_lapses_are_found() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), "40", "1");
    let run = check(dir.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    for rule in [
        "overdue",
        "oral-order",
        "survey-below-target",
        "flowsheet-outdated",
    ] {
        fires(&run, rule);
    }
    // The trust lapses: Chen slips her key into the GM's entry (she holds
    // no governance role), and one review is signed 12 days after receipt
    // with the receipt day written in it.
    let slipped = run.of("governance-unproven");
    assert_eq!(slipped.len(), 1, "{slipped:#?}");
    assert_eq!(slipped[0].file, "people.toml");
    assert!(slipped[0].message.contains("chen.sales"), "{slipped:#?}");
    assert!(
        slipped[0].message.contains("keys added: wang.gm"),
        "{slipped:#?}"
    );
    let backdated = run.of("signature-time");
    assert_eq!(backdated.len(), 1, "{backdated:#?}");
    let late = run.of("review-missing");
    assert_eq!(
        late.len(),
        1,
        "only the backdated review is late: {late:#?}"
    );
    assert_eq!(late[0].file, backdated[0].file);
    assert!(late[0].message.contains("but was signed (committed) on"));
    // Nothing else is wrong with the simulated company: no schema or
    // reference problems, every other order reviewed in time, commit times
    // in order, every other signature made when it says.
    for rule in [
        "parse",
        "schema",
        "unknown-ref",
        "review-role",
        "id-mismatch",
        "history-time",
        "signature-broken",
    ] {
        assert!(run.of(rule).is_empty(), "{rule}: {:#?}", run.of(rule));
    }
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    std::fs::write(dir.path().join("records/precious.txt"), "keep me").unwrap();
    let run = Run::from(
        docket_cmd()
            .args(["demo", "--orders", "5", "--repo"])
            .arg(dir.path().join("records"))
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("records/precious.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn the_site_shows_findings_ssh_proofs_and_timelines() {
    let dir = tempfile::tempdir().unwrap();
    let run = demo(dir.path(), "30", "1");
    assert!(run.stdout.contains("review-stale"), "{}", run.stdout);
    assert!(run.stdout.contains("index.html"), "{}", run.stdout);
    let site = dir.path().join("site");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("Acme Precision Parts"));
    // The first order was reviewed by the GM in a commit signed with his key.
    let order = std::fs::read_to_string(site.join("orders/SO-2025-0001.html")).unwrap();
    assert!(
        order.contains("SSH signature by wang.gm"),
        "no SSH proof on the order page"
    );
    assert!(order.contains("Wang Daming"));
    let findings = std::fs::read_to_string(site.join("findings.html")).unwrap();
    for rule in ["review-stale", "signature-unproven", "overdue"] {
        assert!(findings.contains(rule), "{rule} not on the findings page");
    }
}

/// The README sends a newcomer to particular pages of the default demo;
/// they must show what it says they show.
#[test]
fn the_readme_tour_matches_the_default_demo() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let made = Run::from(
        docket_cmd()
            .args(["demo", "--repo"])
            .arg(dir.path().join("records"))
            .arg("--out")
            .arg(dir.path().join("site"))
            .output()
            .unwrap(),
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    let run = check(dir.path());
    for (record, rule) in [
        ("SO-2026-0050", "review-stale"),
        ("SO-2026-0051", "change-unrecorded"),
        ("SO-2026-0053", "overdue"),
        ("SO-2026-0055", "signature-unproven"),
        ("SO-2026-0056", "oral-order"),
        ("SO-2026-0037", "signature-time"),
        ("SO-2026-0037", "review-missing"),
        ("SV-2026-0002", "survey-below-target"),
    ] {
        assert!(
            readme.contains(&format!("**{record}**")),
            "README lost {record}"
        );
        assert!(
            run.of(rule)
                .iter()
                .any(|f| f.file.ends_with(&format!("/{record}.toml"))),
            "{rule} does not fire on {record}: {:#?}",
            run.of(rule)
        );
        let folder = if record.starts_with("SO") {
            "orders"
        } else {
            "surveys"
        };
        let page = std::fs::read_to_string(dir.path().join(format!("site/{folder}/{record}.html")))
            .unwrap();
        assert!(page.contains(rule), "{record}'s page does not show {rule}");
    }
    // The governance lapse the tour names, on the findings page.
    let slipped = run.of("governance-unproven");
    assert!(
        readme.contains("Chen\n   Jie (sales) added her own key to the GM's entry")
            && slipped.len() == 1
            && slipped[0].file == "people.toml"
            && slipped[0].message.contains("Chen Jie (chen.sales)"),
        "{slipped:#?}"
    );
    let findings = std::fs::read_to_string(dir.path().join("site/findings.html")).unwrap();
    assert!(findings.contains("governance-unproven"));
}

#[test]
fn the_demo_timestamps_every_signing_commit() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), "30", "1");
    let records = dir.path().join("records");
    let docket_toml = std::fs::read_to_string(records.join("docket.toml")).unwrap();
    assert!(
        docket_toml.contains("policy = \"required\""),
        "{docket_toml}"
    );
    assert!(records.join("tsa/tsa-chain.pem").is_file());
    let tokens: Vec<_> = std::fs::read_dir(records.join("timestamps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(tokens.len() > 50, "{} tokens", tokens.len());
    // Committed: the work tree is what HEAD holds.
    let repo = git2::Repository::open(&records).unwrap();
    let statuses = repo.statuses(None).unwrap();
    assert!(statuses.is_empty(), "uncommitted files after the demo");
    // Every one is valid: the check has no timestamp-missing...
    let run = check(dir.path());
    assert!(
        run.of("timestamp-missing").is_empty(),
        "{:#?}",
        run.of("timestamp-missing")
    );
    // ...and it would say so if one went missing.
    let gone = tokens.iter().min().unwrap();
    std::fs::remove_file(gone).unwrap();
    let id = gone.file_stem().unwrap().to_string_lossy().into_owned();
    let run = check(dir.path());
    let missing = run.of("timestamp-missing");
    assert!(!missing.is_empty());
    assert!(
        missing
            .iter()
            .all(|f| f.severity == "error" && f.message.contains(&id[..10])),
        "{missing:#?}"
    );
}
