//! The git oracle: `docket export allowed-signers` lets git itself check
//! every signature, and git and docket must agree on every one.
//!
//! For every signature commit of a signed section, of the demo and of a
//! repository forged in every way the trust model knows (unsigned,
//! someone else's key, a key injected by sales, outside a key window,
//! revoked, after leaving), the test runs the real `git -c
//! gpg.ssh.allowedSignersFile=FILE verify-commit` and compares its verdict
//! (exit status, and the principal it names) with docket's: git's "Good
//! signature for <the signer's email>" if and only if docket says the
//! commit's SSH signature proves the signer (`ssh.valid` in `docket log
//! --format json`). Only the signature part is compared: whether the
//! commit's *author* is the signer is docket's check, not git's (git
//! verifies signatures, not authorship), and that check is tested with the
//! trust rules.

use crate::fixture::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Whether ssh-keygen (which git runs to verify SSH signatures) is here.
fn ssh_keygen() -> bool {
    let ok = Command::new("ssh-keygen").arg("-?").output().is_ok();
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "ssh-keygen is missing on CI (.ci/run installs openssh-client)"
    );
    if !ok {
        eprintln!("skipped: ssh-keygen is not installed (apt-get install openssh-client)");
    }
    ok
}

/// git's verdict on commit `id`: the principal of a good signature whose
/// key the allowed_signers file lists for it, else `None`.
fn git_verdict(top: &Path, signers: &Path, id: &str) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(top)
        .arg("-c")
        .arg(format!("gpg.ssh.allowedSignersFile={}", signers.display()))
        .args(["verify-commit", id])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        return None;
    }
    let principal = text
        .split("Good \"git\" signature for ")
        .nth(1)?
        .split(" with ")
        .next()?
        .to_string();
    Some(principal)
}

/// Every signed record of the records root (its file stems).
fn records(root: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    for kind in ["orders", "flowsheets", "capa", "surveys", "property"] {
        for e in walkdir::WalkDir::new(root.join(kind))
            .into_iter()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        {
            ids.push(e.path().file_stem().unwrap().to_string_lossy().into_owned());
        }
    }
    ids.sort();
    ids
}

/// The emails of each person of `people.toml` at HEAD.
fn emails(root: &Path) -> std::collections::BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(root.join("people.toml")).unwrap();
    let t: toml::Table = text.parse().unwrap();
    t["person"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["emails"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// Compare git and docket on every signature commit below `root` (a git
/// work tree `top`); returns (agreed valid, agreed invalid).
fn compare(top: &Path, root: &Path) -> (usize, usize) {
    let signers = root.parent().unwrap().join("allowed_signers.oracle");
    let run = docket_on(
        root,
        &[
            "export",
            "allowed-signers",
            "--out",
            signers.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let people = emails(root);
    let (mut valid, mut invalid) = (0, 0);
    let mut disagree = Vec::new();
    for id in records(root) {
        let log = docket_on(root, &["log", &id, "--format", "json"]);
        assert_eq!(log.code, 0, "{id}: {}", log.stderr);
        let log: Value = log.json();
        for s in log["signatures"].as_array().unwrap() {
            let (Some(commit), Some(ssh)) = (s["commit"].as_str(), s.get("ssh")) else {
                continue;
            };
            let by = s["by"].as_str().unwrap();
            let docket = ssh["valid"].as_bool().unwrap();
            let git = git_verdict(top, &signers, commit);
            let mine = people.get(by).cloned().unwrap_or_default();
            let git_for_signer = git
                .as_deref()
                .is_some_and(|p| p.split(',').any(|e| mine.iter().any(|m| m == e)));
            if docket != git_for_signer {
                disagree.push(format!(
                    "{id} {} by {by} in {commit}: docket {docket} ({}), git {git:?}",
                    s["section"], ssh["detail"]
                ));
            } else if docket {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
    }
    let _ = std::fs::remove_file(&signers);
    assert!(
        disagree.is_empty(),
        "git and docket disagree:\n{}",
        disagree.join("\n")
    );
    (valid, invalid)
}

#[test]
fn git_and_docket_agree_on_every_signature_of_the_demo() {
    if !ssh_keygen() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = Run::from(
        docket_cmd()
            .args(["demo", "--orders", "30", "--repo"])
            .arg(dir.path().join("records"))
            .arg("--out")
            .arg(dir.path().join("site"))
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = dir.path().join("records");
    let (valid, invalid) = compare(&root, &root);
    assert!(valid > 20, "only {valid} valid signatures compared");
    // The demo has a review signed with the wrong key.
    assert!(invalid >= 1, "no invalid signature in the demo to compare");
}

const REVIEW: &str = "[review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = 2026-03-03\n\n";

/// An order `n` (SO-2026-000n) received on `day`, and its text reviewed by
/// `by` on `day`.
fn order(n: u32, day: &str, by: &str) -> (String, String, String) {
    let path = format!("orders/2026/SO-2026-000{n}.toml");
    let reviewed = ORDER
        .replace("SO-2026-0001", &format!("SO-2026-000{n}"))
        .replace("date = 2026-03-03", &format!("date = {day}"))
        .replace("by = \"wang.gm\"", &format!("by = \"{by}\""));
    let received = ORDER
        .replace(REVIEW, "")
        .replace("SO-2026-0001", &format!("SO-2026-000{n}"));
    (path, received, reviewed)
}

/// people.toml with keys, `wang.gm`'s entry given `extra` keys and the
/// other people's lines changed by `edit`.
fn people(edit: impl Fn(&str, String) -> String) -> String {
    PEOPLE
        .iter()
        .map(|(id, name, email, role, dept, extra)| {
            let keys = edit(id, format!("\"{}\"", public_key(id)));
            format!(
                "[[person]]\nid = \"{id}\"\nname = \"{name}\"\nemails = [\"{email}\"]\nroles = [\"{role}\"]\n\
                 department = \"{dept}\"\nkeys = [{keys}]\n{extra}\n"
            )
        })
        .collect()
}

#[test]
fn git_and_docket_agree_on_every_forged_signature() {
    if !ssh_keygen() {
        return;
    }
    let repo = Repo::empty();
    repo.set_policy("ssh");
    repo.write("people.toml", &people(|_, k| k));
    repo.write("customers/C-0001.toml", CUSTOMER);
    repo.write("products/AP-SH-1020.toml", PRODUCT);
    repo.git_init();
    repo.commit_with("wang.gm", "2026-01-05", "Start", Signing::KeyOf("wang.gm"));
    let review = |n: u32, day: &str, by: &str, author: &str, signing: Signing| {
        let (path, received, reviewed) = order(n, day, by);
        repo.write(&path, &received);
        repo.commit_with(
            "li.sales",
            day,
            "Order received",
            Signing::KeyOf("li.sales"),
        );
        repo.write(&path, &reviewed);
        repo.commit_with(author, day, "Review", signing)
    };
    // Proven: the GM's own signed commit.
    review(
        1,
        "2026-03-03",
        "wang.gm",
        "wang.gm",
        Signing::KeyOf("wang.gm"),
    );
    // Unsigned.
    review(2, "2026-03-04", "wang.gm", "wang.gm", Signing::Unsigned);
    // Someone else's key (Li signs the GM's commit).
    review(
        3,
        "2026-03-05",
        "wang.gm",
        "wang.gm",
        Signing::KeyOf("li.sales"),
    );
    // A signature altered after signing.
    review(
        4,
        "2026-03-05",
        "wang.gm",
        "wang.gm",
        Signing::Tampered("wang.gm"),
    );
    // Sales slips Li's key into the GM's entry (ungoverned), then signs
    // the GM's review with it.
    repo.write(
        "people.toml",
        &people(|id, k| {
            if id == "wang.gm" {
                format!("{k}, \"{}\"", public_key("li.sales"))
            } else {
                k
            }
        }),
    );
    repo.commit_with("li.sales", "2026-03-06", "Keys", Signing::KeyOf("li.sales"));
    review(
        5,
        "2026-03-06",
        "wang.gm",
        "wang.gm",
        Signing::KeyOf("li.sales"),
    );
    // The GM governs: the injection undone, QC's key valid only from May,
    // R&D's key valid until June.
    repo.write(
        "people.toml",
        &people(|id, k| match id {
            "sun.qc" => format!("{{ key = {k}, valid_after = 2026-05-01 }}"),
            "chen.rnd" => format!("{{ key = {k}, valid_before = 2026-06-01 }}"),
            _ => k,
        }),
    );
    repo.commit_with(
        "wang.gm",
        "2026-03-10",
        "Key windows",
        Signing::KeyOf("wang.gm"),
    );
    // QC signs before its key's window: outside the window.
    repo.write(
        PROPERTY_PATH,
        PROPERTY.replace("2026-03-03", "2026-03-12").as_str(),
    );
    repo.commit_with(
        "sun.qc",
        "2026-03-12",
        "Gauge verified",
        Signing::KeyOf("sun.qc"),
    );
    // R&D signs an extra review inside its window; its key is removed
    // later, and the signature still holds.
    let (path, _, reviewed) = order(1, "2026-03-03", "wang.gm");
    repo.write(
        &path,
        &format!(
            "{reviewed}\n[[extra_review]]\ndepartment = \"rnd\"\nby = \"chen.rnd\"\ndate = 2026-03-16\nresult = \"feasible\"\n"
        ),
    );
    repo.commit_with("chen.rnd", "2026-03-16", "R&D", Signing::KeyOf("chen.rnd"));
    // The GM who left signs a review after leaving, with his own key.
    review(
        6,
        "2026-03-18",
        "old.gm",
        "old.gm",
        Signing::KeyOf("old.gm"),
    );
    // Manufacturing signs a CAPA investigation on 2026-03-25; its key is
    // then found stolen and revoked from 2026-03-20, which reaches back.
    repo.write(
        "capa/2026/CAPA-2026-0001.toml",
        "id = \"CAPA-2026-0001\"\nkind = \"corrective\"\nsource = \"internal\"\nopened = 2026-03-24\nopened_by = \"li.sales\"\n\
         description = \"Burrs.\"\nresponsible_department = \"manufacturing\"\n\n[investigation]\nby = \"zhao.mfg\"\n\
         date = 2026-03-25\nroot_cause = \"Worn tool.\"\ncountermeasure = \"New tool.\"\ndue = 2026-04-30\n",
    );
    repo.commit_with(
        "zhao.mfg",
        "2026-03-25",
        "Investigation",
        Signing::KeyOf("zhao.mfg"),
    );
    repo.write(
        "people.toml",
        &people(|id, k| match id {
            "sun.qc" => format!("{{ key = {k}, valid_after = 2026-05-01 }}"),
            "zhao.mfg" => format!("{{ key = {k}, revoked = 2026-03-20 }}"),
            "chen.rnd" => String::new(),
            _ => k,
        }),
    );
    repo.commit_with(
        "wang.gm",
        "2026-04-01",
        "Revoke Zhao's key; Chen's removed",
        Signing::KeyOf("wang.gm"),
    );

    // docket's own view first: each forgery is found.
    let check = repo.check();
    let unproven = messages(&check.of("signature-unproven"));
    for what in [
        "SO-2026-0002",
        "SO-2026-0003",
        "SO-2026-0004",
        "SO-2026-0005",
        "CP-2026-0001",
        "CAPA-2026-0001",
    ] {
        assert!(unproven.contains(what), "{what} not unproven:\n{unproven}");
    }
    let (valid, invalid) = compare(&repo.top, &repo.root);
    // Valid: SO-0001's review and R&D's extra review.
    assert_eq!(valid, 2, "valid signatures compared");
    // Invalid: SO-0002..0006, the gauge and the CAPA.
    assert_eq!(invalid, 7, "invalid signatures compared");
}

fn messages(fs: &[F]) -> String {
    fs.iter()
        .map(|f| format!("{} {}", f.file, f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `person`'s public key as allowed_signers lists it: type and key, no
/// comment.
fn bare_key(person: &str) -> String {
    public_key(person)
        .split(' ')
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A time as allowed_signers writes it: UTC, `20260401020000Z`.
fn utc(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .unwrap()
        .strftime("%Y%m%d%H%M%SZ")
        .to_string()
}

#[test]
fn export_writes_every_governed_key_with_its_window_and_no_injected_one() {
    let repo = Repo::empty();
    repo.set_policy("ssh");
    repo.write("people.toml", &people(|_, k| k));
    repo.git_init();
    repo.commit_with("wang.gm", "2026-01-05", "Start", Signing::KeyOf("wang.gm"));
    // Injected by sales: never in force, never exported.
    repo.write(
        "people.toml",
        &people(|id, k| {
            if id == "wang.gm" {
                format!("{k}, \"{}\"", public_key("li.sales"))
            } else {
                k
            }
        }),
    );
    let injected = repo.commit_with("li.sales", "2026-03-06", "Keys", Signing::KeyOf("li.sales"));
    repo.write(
        "people.toml",
        &people(|id, k| match id {
            "sun.qc" => {
                format!("{{ key = {k}, valid_after = 2026-05-01, valid_before = 2027-01-01 }}")
            }
            "zhao.mfg" => format!("{{ key = {k}, revoked = 2026-03-20 }}"),
            _ => k,
        }),
    );
    let governed = repo.commit_with(
        "wang.gm",
        "2026-04-01",
        "Windows",
        Signing::KeyOf("wang.gm"),
    );
    let run = repo.docket(&["export", "allowed-signers"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = run.stdout;
    let key = bare_key;
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let of = |email: &str| -> Vec<&str> {
        lines
            .iter()
            .copied()
            .filter(|l| l.starts_with(&format!("{email} ")))
            .collect()
    };
    // Wang: his key only (Li's key never in his line), valid always.
    assert_eq!(
        of("wang@acme.example"),
        vec![format!(
            "wang@acme.example namespaces=\"git\" {}",
            key("wang.gm")
        )]
    );
    // Sun: without a window until the change of 2026-04-01 10:00 +08:00,
    // then from 2026-05-01 (midnight +08:00 = 16:00 UTC the day before)
    // to the day before 2027-01-01.
    let governed_at = seconds("2026-04-01");
    assert_eq!(
        of("sun@acme.example"),
        vec![
            format!(
                "sun@acme.example namespaces=\"git\",valid-before=\"{}\" {}",
                utc(governed_at),
                key("sun.qc")
            ),
            format!(
                "sun@acme.example namespaces=\"git\",valid-after=\"20260430160000Z\",valid-before=\"20261231155959Z\" {}",
                key("sun.qc")
            ),
        ]
    );
    // Zhao: the revocation of the version in force reaches back to every
    // line of his key.
    assert_eq!(
        of("zhao@acme.example"),
        vec![format!(
            "zhao@acme.example namespaces=\"git\",valid-before=\"20260319155959Z\" {}",
            key("zhao.mfg")
        )]
    );
    // The leaver: up to the end of his `left` day.
    assert!(
        of("lin@acme.example")[0].contains("valid-before=\"20260131155959Z\""),
        "{text}"
    );
    // --at before the governed change: Sun's key unbounded, Zhao's not revoked.
    let run = repo.docket(&["export", "allowed-signers", "--at", &injected.to_string()]);
    assert!(run.stdout.contains(&format!(
        "sun@acme.example namespaces=\"git\" {}",
        key("sun.qc")
    )));
    assert!(run.stdout.contains(&format!(
        "zhao@acme.example namespaces=\"git\" {}",
        key("zhao.mfg")
    )));
    assert!(!run.stdout.contains(&governed.to_string()));
    // --out writes the same bytes, whole.
    let out = repo.root.join("signers.txt");
    let run = repo.docket(&["export", "allowed-signers", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    // A revision that does not exist: exit 2, naming it.
    let run = repo.docket(&["export", "allowed-signers", "--at", "nope"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
}

/// A version of people.toml is in force from just after the commit that
/// brought it: that commit is judged by the version before, and so is it
/// in the exported file. Li's second email, added by the GM on
/// 2026-04-01, signs from a second after that commit, and her first email
/// alone until the commit itself.
#[test]
fn export_starts_a_version_a_second_after_the_commit_that_brought_it() {
    let repo = Repo::empty();
    repo.set_policy("ssh");
    repo.write("people.toml", &people_toml_with_keys());
    repo.git_init();
    repo.commit_with("wang.gm", "2026-01-05", "Start", Signing::KeyOf("wang.gm"));
    repo.edit(
        "people.toml",
        "emails = [\"li@acme.example\"]",
        "emails = [\"li@acme.example\", \"mei@acme.example\"]",
    );
    repo.commit_with(
        "wang.gm",
        "2026-04-01",
        "Li's second email",
        Signing::KeyOf("wang.gm"),
    );
    let run = repo.docket(&["export", "allowed-signers"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let key = bare_key("li.sales");
    let at = seconds("2026-04-01");
    let li: Vec<&str> = run.stdout.lines().filter(|l| l.ends_with(&key)).collect();
    assert_eq!(
        li,
        vec![
            format!(
                "li@acme.example namespaces=\"git\",valid-before=\"{}\" {key}",
                utc(at)
            ),
            format!(
                "li@acme.example,mei@acme.example namespaces=\"git\",valid-after=\"{}\" {key}",
                utc(at + 1)
            ),
        ],
        "{}",
        run.stdout
    );
}
