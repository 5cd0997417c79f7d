//! The history commands on real git repositories: `docket log`, `docket
//! diff`, `check --base`, the history cache, and a first check after
//! `git init`.

use crate::fixture::*;
use crate::history::signed;
use std::collections::BTreeSet;

#[test]
fn cached_index_extended_by_new_commits_equals_a_fresh_walk() {
    let repo = signed("author");
    let cache = repo.top.join(".git/docket/history.bin");
    let log = |id: &str| repo.docket(&["log", id, "--format", "json"]).stdout;
    log("SO-2026-0001");
    assert!(cache.is_file(), "the first run writes the cache");
    // New commits: an edit, a move, a deletion, a re-creation, a merge.
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.commit_as("li.sales", "2026-03-20", "800");
    let text = repo.read(ORDER_PATH);
    repo.remove(ORDER_PATH);
    repo.write("orders/archive/SO-2026-0001.toml", &text);
    let moved = repo.commit_as("li.sales", "2026-04-01", "Archive");
    let survey = repo.read("surveys/2026/SV-2026-0001.toml");
    repo.remove("surveys/2026/SV-2026-0001.toml");
    repo.commit_as("li.sales", "2026-04-02", "Remove survey");
    repo.write("surveys/2026/SV-2026-0001.toml", &survey);
    repo.edit(
        "surveys/2026/SV-2026-0001.toml",
        "quality = 4",
        "quality = 5",
    );
    let main = repo.commit_as("li.sales", "2026-04-03", "Survey back");
    repo.edit(
        "customers/C-0001.toml",
        "contact = \"Anna Keller\"",
        "contact = \"Jan Ott\"",
    );
    let branch = repo.commit_raw(
        "wang.gm",
        "2026-04-04",
        "Contact",
        Signing::Unsigned,
        &[moved],
    );
    let merge = repo.commit_raw(
        "li.sales",
        "2026-04-05",
        "Merge",
        Signing::Unsigned,
        &[main, branch],
    );
    repo.set_head(merge);
    let ids = ["SO-2026-0001", "SV-2026-0001", "C-0001", "docket"];
    let cached: Vec<String> = ids.iter().map(|id| log(id)).collect();
    let check_cached = repo.check().stdout;
    std::fs::remove_file(&cache).unwrap();
    let fresh: Vec<String> = ids.iter().map(|id| log(id)).collect();
    assert_eq!(cached, fresh);
    assert_eq!(check_cached, repo.check().stdout);
    assert!(cached[2].contains("wang@acme.example"), "{}", cached[2]);
}

#[test]
fn init_then_git_init_warns_about_uncommitted_files_only() {
    // `docket init`'s example uses policy "none": nothing is unsigned.
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("qms");
    let init = Run::from(docket_cmd().arg("init").arg(&target).output().unwrap());
    assert_eq!(init.code, 0, "{}", init.stderr);
    git2::Repository::init(&target).unwrap();
    let run = Run::from(
        docket_cmd()
            .args([
                "check",
                "--format",
                "json",
                "--as-of",
                "2026-11-26",
                "--records",
            ])
            .arg(&target)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        run.rules(),
        ["history-unavailable"],
        "{:#?}",
        run.findings()
    );
}

#[test]
fn log_shows_revisions_newest_first_with_field_changes() {
    let repo = signed("author");
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
    let run = repo.docket(&["log", "SO-2026-0001"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    let (q, r, c) = (
        out.find("line[0].quantity: 500 -> 800").expect(out),
        out.find("review: added").expect(out),
        out.find("added the file").expect(out),
    );
    assert!(q < r && r < c, "{out}");
    assert!(out.contains("2026-03-03 10:00:00 +08:00"), "{out}");
    let json = repo
        .docket(&["log", "SO-2026-0001", "--format", "json"])
        .json();
    assert_eq!(json["record"], "SO-2026-0001");
    assert_eq!(json["revisions"].as_array().unwrap().len(), 3);
    assert_eq!(
        json["revisions"][0]["changes"][0]["path"],
        "line[0].quantity"
    );
    assert_eq!(json["revisions"][1]["signature"]["status"], "unsigned");
    assert_eq!(json["signatures"][0]["section"], "review");
    assert_eq!(json["signatures"][0]["status"]["status"], "proven");
    // Named by its file, the record's log is the same, signatures included.
    let by_path = repo.docket(&["log", ORDER_PATH, "--format", "json"]);
    assert_eq!(by_path.code, 0, "{}", by_path.stderr);
    assert_eq!(by_path.json(), json);
}

/// How lists change in the audit trail: a list of values changes as one
/// value (`notified: [a] -> [a, b]`); a list of tables (order lines,
/// change entries) entry by entry, even from an empty `[]`; an added
/// table reads "added" in Chinese without its whole inline text, an
/// added value with it.
#[test]
fn log_shows_lists_of_values_whole_and_lists_of_tables_entry_by_entry() {
    let repo = signed("author");
    repo.edit(
        ORDER_PATH,
        "legible = true\n",
        "legible = true\nchange = []\n",
    );
    repo.commit_as("li.sales", "2026-03-04", "No changes yet");
    let entry = "[[change]]\ndate = 2026-03-20\nby = \"li.sales\"\nwhat = [\"quantity\"]\nnotified = [\"manufacturing\"]\n";
    repo.edit(ORDER_PATH, "change = []\n", "");
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.edit(
        ORDER_PATH,
        "delivery_place = \"Hamburg\"\n",
        "delivery_place = \"Hamburg\"\nspecial_requirements = \"Salt spray test\"\n",
    );
    repo.append(ORDER_PATH, &format!("\n{entry}"));
    repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
    repo.edit(
        ORDER_PATH,
        "[\"manufacturing\"]",
        "[\"manufacturing\", \"qc\"]",
    );
    repo.commit_as("li.sales", "2026-03-21", "QC told too");
    let json = repo
        .docket(&["log", "SO-2026-0001", "--format", "json"])
        .json();
    let changes = |rev: usize| -> Vec<String> {
        json["revisions"][rev]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(changes(0), ["change[0].notified"], "{json:#}");
    assert_eq!(
        json["revisions"][0]["changes"][0]["to"],
        "[\"manufacturing\", \"qc\"]"
    );
    assert_eq!(
        changes(1),
        ["change[0]", "line[0].quantity", "special_requirements"],
        "{json:#}"
    );
    // In Chinese, on the record's page.
    let page = repo.page_in_chinese("orders/SO-2026-0001.html");
    assert!(page.contains("：新增 \"Salt spray test\""), "{page}");
    assert!(!page.contains("新增 {"), "{page}");
}

/// A revision that does not parse, and the deletion of the file, are
/// shown as what they are (a parse note, "deleted"), never as every
/// field removed.
#[test]
fn log_shows_an_unreadable_revision_and_a_deletion_without_field_changes() {
    let repo = signed("author");
    let good = repo.read(ORDER_PATH);
    repo.write(
        ORDER_PATH,
        &good.replace("quantity = 500", "quantity = = 500"),
    );
    repo.commit_as("li.sales", "2026-03-10", "Typo");
    repo.write(ORDER_PATH, &good);
    repo.commit_as("li.sales", "2026-03-11", "Fixed");
    repo.remove(ORDER_PATH);
    repo.commit_as("li.sales", "2026-03-12", "Oops");
    repo.write(ORDER_PATH, &good);
    repo.commit_as("li.sales", "2026-03-13", "Restored");
    let json = repo
        .docket(&["log", "SO-2026-0001", "--format", "json"])
        .json();
    let revs = json["revisions"].as_array().unwrap();
    let by_summary = |s: &str| {
        revs.iter()
            .find(|r| r["summary"] == s)
            .unwrap_or_else(|| panic!("{s}: {json:#}"))
    };
    let typo = by_summary("Typo");
    assert!(typo["parse"].is_string(), "{typo:#}");
    assert_eq!(typo["changes"], serde_json::json!([]), "{typo:#}");
    let oops = by_summary("Oops");
    assert_eq!(oops["changes"], serde_json::json!([]), "{oops:#}");
    assert!(oops.to_string().contains("deleted"), "{oops:#}");
}

/// The company's offset decides how every commit time reads: east,
/// west of Greenwich (a sign and minutes to get right) and at UTC, which
/// is "+00:00", never "-00:00".
#[test]
fn log_shows_commit_times_at_the_company_offset_east_west_and_at_utc() {
    let repo = signed("author");
    // The review was committed on 2026-03-03 at 10:00 +08:00: 02:00 UTC.
    let mut zone = "+08:00";
    for (next, shown) in [
        ("+00:00", "2026-03-03 02:00:00 +00:00"),
        ("-05:00", "2026-03-02 21:00:00 -05:00"),
        ("-03:30", "2026-03-02 22:30:00 -03:30"),
        ("+05:45", "2026-03-03 07:45:00 +05:45"),
    ] {
        repo.edit(
            "docket.toml",
            &format!("timezone = \"{zone}\""),
            &format!("timezone = \"{next}\""),
        );
        zone = next;
        let run = repo.docket(&["log", "SO-2026-0001"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains(shown), "{zone}: {}", run.stdout);
    }
}

#[test]
fn log_of_an_unknown_record_fails() {
    let run = signed("author").docket(&["log", "SO-2026-9999"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("SO-2026-9999"), "{}", run.stderr);
}

#[test]
fn diff_lists_changed_records_invalidated_signatures_and_findings() {
    let repo = signed("author");
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.edit(ORDER_PATH, "by = \"wang.gm\"", "by = \"li.sales\"");
    repo.write(
        "customers/C-0002.toml",
        &CUSTOMER.replace("C-0001", "C-0002"),
    );
    repo.remove("surveys/2026/SV-2026-0001.toml");
    // Not records: an attachment and a README; the diff lists neither.
    repo.write("orders/2026/SO-2026-0001/po-88812.pdf", "%PDF-1.4\n");
    repo.write("README.md", "# Our records\n");
    repo.commit_as("li.sales", "2026-03-20", "Several changes");
    let run = repo.docket(&["diff", "HEAD~1..HEAD", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = &run.stdout;
    assert!(md.contains("customers/C-0002.toml"), "{md}");
    assert!(md.contains("line[0].quantity: 500 -> 800"), "{md}");
    assert!(md.contains("surveys/2026/SV-2026-0001.toml"), "{md}");
    assert!(md.contains("review"), "{md}");
    let json = repo
        .docket(&["diff", "HEAD~1..HEAD", "--format", "json", "--as-of", AS_OF])
        .json();
    assert!(!md.contains("po-88812") && !md.contains("README"), "{md}");
    for (list, n) in [("added", 1), ("changed", 1), ("deleted", 1)] {
        assert_eq!(json[list].as_array().map(Vec::len), Some(n), "{json:#}");
    }
    assert_eq!(json["added"][0]["file"], "customers/C-0002.toml");
    assert_eq!(json["deleted"][0]["file"], "surveys/2026/SV-2026-0001.toml");
    assert_eq!(json["changed"][0]["file"], ORDER_PATH);
    assert_eq!(json["invalidated"][0]["section"], "review");
    let new_rules: Vec<&str> = json["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(new_rules.contains(&"review-role"), "{json:#}");
}

#[test]
fn check_base_puts_changed_records_first() {
    let repo = signed("author");
    // An old problem in the customer, a new one in the survey.
    repo.edit(
        "customers/C-0001.toml",
        "address = \"Hafenstrasse 12, 20457 Hamburg\"\n",
        "",
    );
    repo.commit_as("li.sales", "2026-03-05", "Old problem");
    repo.edit(
        "surveys/2026/SV-2026-0001.toml",
        "quality = 4",
        "quality = 1",
    );
    repo.commit_as("li.sales", "2026-03-06", "New problem");
    let run = repo.docket(&[
        "check", "--format", "json", "--as-of", AS_OF, "--base", "HEAD~1",
    ]);
    let files: Vec<String> = run.findings().into_iter().map(|f| f.file).collect();
    assert_eq!(
        files.first().map(String::as_str),
        Some("surveys/2026/SV-2026-0001.toml"),
        "{files:?}"
    );
    assert!(
        files.contains(&"customers/C-0001.toml".to_string()),
        "{files:?}"
    );
    let human = repo.docket(&["check", "--as-of", AS_OF, "--base", "HEAD~1"]);
    assert!(
        human.stdout.starts_with("1 file changed since HEAD~1"),
        "{}",
        human.stdout
    );
}

#[test]
fn diff_pairs_a_moved_record_and_refuses_a_bad_range() {
    let repo = signed("author");
    let text = repo.read(ORDER_PATH);
    repo.remove(ORDER_PATH);
    repo.write("orders/archive/SO-2026-0001.toml", &text);
    repo.commit_as("li.sales", "2026-05-01", "Archive the order");
    let json = repo
        .docket(&["diff", "HEAD~1..", "--format", "json", "--as-of", AS_OF])
        .json();
    assert_eq!(
        json["changed"][0]["file"],
        "orders/archive/SO-2026-0001.toml"
    );
    assert_eq!(json["changed"][0]["moved_from"], ORDER_PATH);
    assert_eq!(json["deleted"].as_array().unwrap().len(), 0, "{json:#}");
    assert_eq!(json["invalidated"].as_array().unwrap().len(), 0, "{json:#}");
    let bad = repo.docket(&["diff", "HEAD~1"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("range"), "{}", bad.stderr);
    let unknown = repo.docket(&["diff", "nope..HEAD"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("nope"), "{}", unknown.stderr);
}

#[test]
fn a_corrupt_or_stale_cache_gives_the_same_output_as_none() {
    let repo = signed("author");
    let cache = repo.top.join(".git/docket/history.bin");
    let outputs = |repo: &Repo| {
        (
            repo.check().stdout,
            repo.docket(&["log", "SO-2026-0001", "--format", "json"])
                .stdout,
        )
    };
    let fresh = outputs(&repo);
    assert!(cache.is_file());
    // Corrupt: garbage, then a truncated copy of a real cache.
    let git_dir = repo.top.join(".git");
    let good = std::fs::read(&cache).unwrap();
    let good_index = docket::history::cached_index_json(&git_dir).expect("a readable index");
    std::fs::write(&cache, b"\x00\xffnot an index at all").unwrap();
    assert_eq!(outputs(&repo), fresh, "garbage cache changed the output");
    std::fs::write(&cache, &good[..good.len() / 2]).unwrap();
    assert_eq!(outputs(&repo), fresh, "truncated cache changed the output");
    // Well-formed, but a cached commit id that is no commit id (the walk
    // takes cached ids as they are), with a new commit to walk on to: not
    // hexadecimal, of another length, or both.
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 600");
    repo.commit_as("li.sales", "2026-03-19", "600");
    std::fs::remove_file(&cache).unwrap();
    let walked = outputs(&repo);
    for id in [
        "not a commit id".to_string(),
        "z".repeat(40),
        "0123abcd".into(),
    ] {
        let mut index = good_index.clone();
        let commits = index["commits"].as_array_mut().unwrap();
        let last = commits.len() - 1;
        commits[last][0] = id.clone().into();
        assert!(docket::history::write_cached_index_json(&git_dir, index));
        assert_eq!(
            outputs(&repo),
            walked,
            "the cached id {id:?} changed the output"
        );
    }
    repo.edit(ORDER_PATH, "quantity = 600", "quantity = 500");
    repo.commit_as("li.sales", "2026-03-19", "500 again");
    // Stale: the cache was written for a history that was then rewritten
    // (a commit dropped and replaced by another on the same parent).
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 700");
    let head = repo.commit_as("li.sales", "2026-03-20", "700");
    // Written by a walk of everything, the cache now knows `head` (a walk
    // a few commits past an older cache would not write it).
    std::fs::remove_file(&cache).unwrap();
    let _ = outputs(&repo);
    let index = docket::history::cached_index_json(&git_dir).unwrap();
    assert_eq!(index["head"], head.to_string());
    let parent = git2::Repository::open(&repo.top)
        .unwrap()
        .find_commit(head)
        .unwrap()
        .parent_id(0)
        .unwrap();
    repo.edit(ORDER_PATH, "quantity = 700", "quantity = 900");
    let rewritten = repo.commit_raw(
        "wang.gm",
        "2026-03-21",
        "900 instead",
        Signing::Unsigned,
        &[parent],
    );
    repo.set_head(rewritten);
    let with_stale_cache = outputs(&repo);
    // Read whole, the rewritten history is written for the next run.
    let index = docket::history::cached_index_json(&git_dir).unwrap();
    assert_eq!(index["head"], rewritten.to_string());
    std::fs::remove_file(&cache).unwrap();
    assert_eq!(
        with_stale_cache,
        outputs(&repo),
        "a stale cache changed the output"
    );
    assert!(with_stale_cache.1.contains("900"), "{}", with_stale_cache.1);
}

/// The (rule, file) pairs of `check --base BASE`'s findings, and `diff
/// BASE..HEAD`. The base is clean, so every finding of the check is new.
fn base_and_diff(repo: &Repo, base: &str) -> (BTreeSet<(String, String)>, serde_json::Value) {
    let check = repo.docket(&[
        "check", "--format", "json", "--as-of", AS_OF, "--base", base,
    ]);
    let on_changed = rule_and_file(&check.json()["findings"]);
    let diff = repo
        .docket(&[
            "diff",
            &format!("{base}..HEAD"),
            "--format",
            "json",
            "--as-of",
            AS_OF,
        ])
        .json();
    (on_changed, diff)
}

fn new_findings(diff: &serde_json::Value) -> BTreeSet<(String, String)> {
    rule_and_file(&diff["new_findings"])
}

/// The (rule, file) of each finding in a JSON list of them.
fn rule_and_file(list: &serde_json::Value) -> BTreeSet<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn diff_finds_what_check_base_finds_and_forgets_a_re_signed_review() {
    let repo = signed("author");
    assert_eq!(repo.check().code, 0, "{:#?}", repo.check().findings());
    // Sales raises a reviewed quantity and records no change: the history
    // rules (review-stale, change-unrecorded) fire, in both commands.
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.commit_as("li.sales", "2026-03-20", "More parts");
    let (check, diff) = base_and_diff(&repo, "HEAD~1");
    let rules: BTreeSet<&str> = check.iter().map(|(r, _)| r.as_str()).collect();
    assert!(
        rules.contains("review-stale") && rules.contains("change-unrecorded"),
        "{check:?}"
    );
    // A finding the change causes on a file it did not touch counts too.
    assert!(rules.contains("flowsheet-outdated"), "{check:?}");
    assert_eq!(new_findings(&diff), check, "{diff:#}");
    assert_eq!(diff["invalidated"][0]["section"], "review", "{diff:#}");
    // The GM reviews the order again: review-stale is gone, and the diff
    // over both commits does not call his review invalidated.
    repo.edit(ORDER_PATH, "date = 2026-03-03", "date = 2026-03-21");
    repo.commit_as("wang.gm", "2026-03-21", "Review again");
    let (check, diff) = base_and_diff(&repo, "HEAD~2");
    assert!(!check.iter().any(|(r, _)| r == "review-stale"), "{check:?}");
    assert_eq!(new_findings(&diff), check, "{diff:#}");
    assert!(
        diff["invalidated"].as_array().unwrap().is_empty(),
        "{diff:#}"
    );
}

/// A big company's rebuild reads git's index beside the records, and the
/// cached index (`history.bin`) after them (`DOCKET_CACHED_INDEX_AFTER` takes this small
/// history for a big one): a commit past the cache, a record changed in
/// the working tree, one staged and changed again, and a new one are
/// found as a walk of everything finds them.
#[test]
fn git_index_read_beside_the_records_finds_what_a_walk_of_everything_finds() {
    let repo = signed("author");
    let after = [("DOCKET_CACHED_INDEX_AFTER", "1"), ("DOCKET_TIMINGS", "1")];
    // An index an older docket kept as JSON is removed when the new one
    // is written, not left behind (70 MB at 50,000 orders).
    let old = repo.top.join(".git/docket/history.json");
    std::fs::create_dir_all(old.parent().unwrap()).unwrap();
    std::fs::write(&old, "{\"format\": 13}").unwrap();
    let first = repo.check_in(&after, &[]);
    assert!(first.code < 2, "{}", first.stderr);
    assert!(repo.top.join(".git/docket/history.bin").is_file());
    assert!(!old.exists(), "the JSON index of an older docket is left");
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.commit_as("li.sales", "2026-03-20", "800");
    repo.edit(ORDER_PATH, "quantity = 800", "quantity = 900");
    let customer = "customers/C-0001.toml";
    repo.edit(
        customer,
        "contact = \"Anna Keller\"",
        "contact = \"Jan Ott\"",
    );
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(&repo.top)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    git(&["add", customer]);
    repo.edit(customer, "contact = \"Jan Ott\"", "contact = \"Eva Roth\"");
    let text = repo.read(customer);
    repo.write("customers/C-0002.toml", &text.replace("C-0001", "C-0002"));
    let warm = repo.check_in(&after, &[]);
    assert_eq!(warm.code, repo.check_in(&[], &["--no-cache"]).code);
    let timings = |run: &Run, stage: &str| {
        run.stderr
            .lines()
            .filter(|l| l.starts_with(&format!("timing {stage} ")))
            .count()
    };
    assert_eq!(timings(&warm, "history index"), 1, "{}", warm.stderr);
    assert_eq!(timings(&warm, "history cache load"), 1, "{}", warm.stderr);
    let fresh = repo.check_in(&[], &["--no-cache"]);
    assert_eq!(warm.stdout, fresh.stdout);
    for (file, rule) in [
        (ORDER_PATH, "history-unavailable"),
        (customer, "history-unavailable"),
    ] {
        assert!(
            warm.findings()
                .iter()
                .any(|f| f.file == file && f.rule.contains(rule)),
            "{file}: {}",
            warm.stdout
        );
    }
}
