//! `history-rewritten`: a site records the commit it was built from; the
//! next build into it and `check --published` find that commit gone from
//! the history after a reset, rebase or force-push, and say what was lost.
//! Near misses: a new commit, a fast-forward, merges.

use crate::fixture::*;
use crate::history::signed;
use std::path::{Path, PathBuf};

const CUSTOMER2: &str = "customers/C-0002.toml";

/// A site folder outside the repository (kept with the returned guard).
pub fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    (dir, out)
}

pub fn build(repo: &Repo, out: &Path) -> Run {
    let run = repo.docket(&["build", "--out", out.to_str().unwrap(), "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

/// `docket check --published out`, its findings printed for a failing
/// test to show.
pub fn check_published(repo: &Repo, out: &Path) -> Run {
    let run = repo.docket(&[
        "check",
        "--format",
        "json",
        "--as-of",
        AS_OF,
        "--published",
        out.to_str().unwrap(),
    ]);
    eprintln!("check --published: exit {}", run.code);
    if run.code < 2 {
        for f in run.findings() {
            eprintln!("  {} {} {}: {}", f.severity, f.rule, f.file, f.message);
        }
    }
    run
}

fn dashboard(out: &Path) -> String {
    std::fs::read_to_string(out.join("index.html")).unwrap()
}

/// `git reset --hard REV`: HEAD, the index and the work tree.
fn reset_hard(repo: &Repo, rev: &str) {
    let git = repo.git();
    let target = git.revparse_single(rev).unwrap();
    git.reset(&target, git2::ResetType::Hard, None).unwrap();
}

/// The base repository with two more commits on top: a new customer, then
/// a change to the order. Returns the short ids of those two commits.
fn two_more_commits(repo: &Repo) -> (String, String) {
    repo.write(CUSTOMER2, &CUSTOMER.replace("C-0001", "C-0002"));
    let added = repo.commit_as("li.sales", "2026-03-10", "New customer C-0002");
    repo.edit(
        ORDER_PATH,
        "delivery_place = \"Hamburg\"",
        "delivery_place = \"Bremen\"",
    );
    let changed = repo.commit_as("li.sales", "2026-03-11", "Deliver to Bremen");
    (short(added), short(changed))
}

pub fn short(id: git2::Oid) -> String {
    id.to_string()[..10].to_string()
}

#[test]
fn a_reset_that_drops_published_commits_is_history_rewritten() {
    let repo = signed("author");
    let (added, changed) = two_more_commits(&repo);
    let (_keep, out) = site();
    build(&repo, &out);
    let published = repo.git().head().unwrap().target().unwrap();
    reset_hard(&repo, "HEAD~2");
    assert!(!repo.path(CUSTOMER2).exists());

    // check --published: exit 1, one finding naming what was lost.
    let run = check_published(&repo, &out);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let f = fires(&run, "history-rewritten");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].file.as_str(), f[0].severity.as_str()),
        ("docket.toml", "error")
    );
    let m = &f[0].message;
    for expected in [
        short(published).as_str(),
        "2 commits are no longer reachable",
        added.as_str(),
        changed.as_str(),
        "New customer C-0002",
        // Each lost commit's day, at the company's offset.
        ", 2026-03-10)",
        ", 2026-03-11)",
        "C-0002 (gone from the records; last in commit",
        "SO-2026-0001 (still in the records, without what the lost commits changed",
        "git merge",
    ] {
        assert!(m.contains(expected), "{expected:?} not in {m}");
    }
    assert_eq!(run.json()["findings"][0]["clause"], "7.5.3");
    // The same check without the site knows nothing of it: the new
    // history alone looks clean.
    clean(&repo.check());

    // The next build shows it above everything else, and still publishes.
    build(&repo, &out);
    let html = dashboard(&out);
    let banner = html.find("History rewritten").expect("the banner");
    let summary = html.find("Orders by status").unwrap();
    assert!(banner < summary, "the banner is not first");
    for expected in [&added, &changed, "C-0002", "gone from the records"] {
        assert!(
            html[banner..summary].contains(expected),
            "{expected} not in the banner"
        );
    }
    assert!(!out.join("customers/C-0002.html").exists());

    // A second build must not forget it: the rewrite is carried in the
    // manifest until the commits are back in the history.
    build(&repo, &out);
    assert!(
        dashboard(&out).contains("C-0002"),
        "the second build forgot the rewrite"
    );
    assert_eq!(
        check_published(&repo, &out).of("history-rewritten").len(),
        1
    );

    // Near miss: the lost commits merged back (here keeping today's
    // content, `git merge -s ours`) close it.
    let head = repo.git().head().unwrap().target().unwrap();
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-12",
        "Keep the rewritten commits in the history",
        Signing::Unsigned,
        &[head, published],
    );
    repo.set_head(merge);
    let run = check_published(&repo, &out);
    assert!(
        run.of("history-rewritten").is_empty(),
        "{:#?}",
        run.findings()
    );
    build(&repo, &out);
    assert!(!dashboard(&out).contains("History rewritten"));
}

#[test]
fn new_commits_fast_forwards_and_merges_are_not_rewrites() {
    let repo = signed("author");
    let (_keep, out) = site();
    build(&repo, &out);
    let nothing = |repo: &Repo, what: &str| {
        let run = check_published(repo, &out);
        assert!(
            run.of("history-rewritten").is_empty(),
            "{what}: {:#?}",
            run.findings()
        );
        build(repo, &out);
        assert!(!dashboard(&out).contains("History rewritten"), "{what}");
    };
    // A new commit.
    repo.write(CUSTOMER2, &CUSTOMER.replace("C-0001", "C-0002"));
    repo.commit_as("li.sales", "2026-03-10", "New customer");
    nothing(&repo, "a new commit");
    // A fast-forward: a branch made on top, then HEAD moved to it.
    let base = repo.git().head().unwrap().target().unwrap();
    repo.edit(CUSTOMER2, "Anna Keller", "Jan Ott");
    let b1 = repo.commit_raw(
        "li.sales",
        "2026-03-11",
        "Contact",
        Signing::Unsigned,
        &[base],
    );
    repo.edit(CUSTOMER2, "Jan Ott", "Eva Lind");
    let b2 = repo.commit_raw(
        "li.sales",
        "2026-03-12",
        "Contact",
        Signing::Unsigned,
        &[b1],
    );
    repo.set_head(b2);
    nothing(&repo, "a fast-forward");
    // A merge of a branch that forked before the published commit.
    let published = b2;
    let parent = repo
        .git()
        .find_commit(published)
        .unwrap()
        .parent_id(0)
        .unwrap();
    let side = repo.commit_raw(
        "wang.gm",
        "2026-03-13",
        "Side",
        Signing::Unsigned,
        &[parent],
    );
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-14",
        "Merge",
        Signing::Unsigned,
        &[published, side],
    );
    repo.set_head(merge);
    nothing(&repo, "a merge on top of the published commit");
    // The site built from a branch, then the branch merged into main: the
    // published commit is the merge's second parent.
    let branch = repo.commit_raw(
        "li.sales",
        "2026-03-15",
        "On a branch",
        Signing::Unsigned,
        &[merge],
    );
    repo.set_head(branch);
    build(&repo, &out);
    let main = repo.commit_raw("wang.gm", "2026-03-16", "Main", Signing::Unsigned, &[merge]);
    let merged = repo.commit_raw(
        "wang.gm",
        "2026-03-17",
        "Merge the branch",
        Signing::Unsigned,
        &[main, branch],
    );
    repo.set_head(merged);
    nothing(&repo, "the published branch merged");
}

#[test]
fn a_published_commit_whose_objects_are_gone_is_still_history_rewritten() {
    // A site built from one repository, checked against another: the
    // published commit is not there at all.
    let (_keep, out) = site();
    let first = signed("author");
    first.edit(ORDER_PATH, "PO-88812", "PO-88814");
    first.commit_as("li.sales", "2026-03-05", "One history");
    build(&first, &out);
    let other = signed("author");
    other.edit(ORDER_PATH, "PO-88812", "PO-88813");
    other.commit_as("li.sales", "2026-03-05", "Another history");
    let f = fires(&check_published(&other, &out), "history-rewritten");
    assert!(
        f[0].message.contains("its objects are gone") && f[0].message.contains("cannot be told"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("git fetch"), "{}", f[0].message);
}

#[test]
fn what_a_rewrite_lost_stays_listed_after_the_objects_are_pruned() {
    let repo = signed("author");
    let (added, _) = two_more_commits(&repo);
    let (_keep, out) = site();
    build(&repo, &out);
    let published = repo.git().head().unwrap().target().unwrap();
    reset_hard(&repo, "HEAD~2");
    build(&repo, &out);
    // Prune: remove the lost commits' objects (what `git gc` does once
    // the reflog expires).
    let git = repo.git();
    let mut lost = vec![published];
    lost.push(git.find_commit(published).unwrap().parent_id(0).unwrap());
    drop(git);
    for id in lost {
        let hex = id.to_string();
        let path = repo
            .top
            .join(".git/objects")
            .join(&hex[..2])
            .join(&hex[2..]);
        std::fs::remove_file(&path).unwrap();
    }
    let f = fires(&check_published(&repo, &out), "history-rewritten");
    let m = &f[0].message;
    assert!(m.contains("its objects are gone now"), "{m}");
    assert!(
        m.contains(&added) && m.contains("C-0002 (gone from the records"),
        "{m}"
    );
    build(&repo, &out);
    assert!(dashboard(&out).contains("C-0002"));
}

#[test]
fn check_published_refuses_a_folder_that_is_not_a_site() {
    let repo = signed("author");
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    std::fs::write(plain.join("index.html"), "<p>hand-made</p>").unwrap();
    let damaged = dir.path().join("damaged");
    std::fs::create_dir(&damaged).unwrap();
    std::fs::write(damaged.join(".docket-manifest"), "what is this").unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    for (folder, why) in [
        (plain, "not a site docket built"),
        (damaged, "is damaged"),
        (file, "not a folder"),
        (dir.path().join("missing"), "cannot be read"),
    ] {
        let run = check_published(&repo, &folder);
        assert_eq!(run.code, 2, "{}: {}", folder.display(), run.stdout);
        assert!(
            run.stderr.contains("--published") && run.stderr.contains(why),
            "{}: {}",
            folder.display(),
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn the_manifest_and_data_json_record_the_commit_built_from() {
    let repo = signed("author");
    let (_keep, out) = site();
    build(&repo, &out);
    let head = repo.git().head().unwrap().target().unwrap().to_string();
    let manifest = std::fs::read_to_string(out.join(".docket-manifest")).unwrap();
    let mut lines = manifest.lines();
    assert_eq!(lines.next(), Some("docket-manifest 3"));
    let built: serde_json::Value =
        serde_json::from_str(lines.next().unwrap().strip_prefix("@build ").unwrap()).unwrap();
    assert_eq!(built["commit"], head.as_str());
    assert_eq!(built["rewrites"], serde_json::json!([]));
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("data.json")).unwrap()).unwrap();
    assert_eq!(data["commit"], head.as_str());
}

/// A reset that drops commits touching no record (the procedure, a dozen
/// times) still lists them: ten by name, the rest counted.
/// `n` revisions of the procedure (touching no record) published, then
/// reset away: the repository, the site (and its guard) and the short
/// ids of the dropped commits, oldest first.
fn published_then_reset(n: usize) -> (Repo, tempfile::TempDir, PathBuf, Vec<String>) {
    let repo = signed("author");
    let kept = repo.git().head().unwrap().target().unwrap();
    let mut dropped = Vec::new();
    for i in 1..=n {
        repo.write("procedure.md", &format!("# Procedure\n\nRevision {i}.\n"));
        dropped.push(short(repo.commit_as(
            "wang.gm",
            "2026-03-10",
            &format!("Procedure {i}"),
        )));
    }
    let (keep, out) = site();
    build(&repo, &out);
    reset_hard(&repo, &kept.to_string());
    (repo, keep, out, dropped)
}

#[test]
fn a_reset_of_commits_that_touched_no_record_lists_them_ten_by_name() {
    let (repo, _keep, out, dropped) = published_then_reset(12);
    let f = fires(&check_published(&repo, &out), "history-rewritten");
    let m = &f[0].message;
    assert!(m.contains("12 commits are no longer reachable"), "{m}");
    assert!(!m.contains("cannot be told"), "{m}");
    // Newest first: the last ten made are named, the first two counted.
    for id in &dropped[2..] {
        assert!(m.contains(id.as_str()), "{id} not in {m}");
    }
    for id in &dropped[..2] {
        assert!(!m.contains(id.as_str()), "{id} in {m}");
    }
    assert!(m.contains("; and 2 more"), "{m}");
}

/// The site's banner names the twenty newest lost commits and counts the
/// rest, so a reset of a busy month still fits on the dashboard.
#[test]
fn the_banner_names_twenty_lost_commits_and_counts_the_rest() {
    let (repo, _keep, out, dropped) = published_then_reset(21);
    build(&repo, &out);
    let html = dashboard(&out);
    let banner = &html[html.find("History rewritten").expect("the banner")..];
    for id in &dropped[1..] {
        assert!(banner.contains(id.as_str()), "{id} not in the banner");
    }
    assert!(!html.contains(dropped[0].as_str()), "the oldest is named");
    assert!(banner.contains(">+1<"), "no count of the rest");
}

/// A record's last known state, among the lost commits, is the one its
/// own line of commits ends with, whatever the dates say. Here the edit
/// that ends it is backdated below the commit it builds on, and a side
/// branch from that older commit, merged at the tip, makes both reachable
/// by two paths: sorted by date alone, the older state would be named.
#[test]
fn a_backdated_edit_among_the_lost_commits_is_still_the_last_known_state() {
    let repo = signed("author");
    let kept = repo.git().head().unwrap().target().unwrap();
    repo.write(CUSTOMER2, &CUSTOMER.replace("C-0001", "C-0002"));
    let first = repo.commit_as("li.sales", "2026-03-10", "New customer C-0002");
    repo.edit(CUSTOMER2, "Hamburg", "Bremen");
    let backdated = repo.commit_as("li.sales", "2026-03-05", "C-0002 moved to Bremen");
    repo.set_head(first);
    reset_hard(&repo, &first.to_string());
    repo.write("procedure.md", "# Procedure\n\nRevision 2.\n");
    let side = repo.commit_as("wang.gm", "2026-03-20", "Procedure revision 2");
    repo.edit(CUSTOMER2, "Hamburg", "Bremen");
    let tip = repo.commit_raw(
        "wang.gm",
        "2026-03-21",
        "Merge the procedure revision",
        Signing::Unsigned,
        &[backdated, side],
    );
    repo.set_head(tip);
    reset_hard(&repo, &tip.to_string());
    let (_keep, out) = site();
    build(&repo, &out);
    reset_hard(&repo, &kept.to_string());

    let last = format!(
        "C-0002 (gone from the records; last in commit {}",
        short(backdated)
    );
    rewritten(&repo, &out, &["4 commits are no longer reachable", &last]);
}

/// A reset of more than 10,000 commits: the records touched are read from
/// the newest 10,000 (a guard against reading a second history), and the
/// finding says so rather than claiming the older ones touched nothing.
/// Here the 10,000th newest lost commit added C-0002 (named) and the
/// 10,001st, the oldest, added C-0003 (beyond what is read); then the
/// boundary, exactly 10,000 lost, all read; then 10,002 lost whose newest
/// 10,000 touched no record.
#[test]
fn a_reset_of_more_than_ten_thousand_commits_reads_the_newest_ten_thousand() {
    let repo = signed("author");
    let kept = repo.git().head().unwrap().target().unwrap();
    repo.write(
        "customers/C-0003.toml",
        &CUSTOMER.replace("C-0001", "C-0003"),
    );
    let oldest = repo.commit_as("li.sales", "2026-03-10", "New customer C-0003");
    repo.write(CUSTOMER2, &CUSTOMER.replace("C-0001", "C-0002"));
    let added = repo.commit_as("li.sales", "2026-03-10", "New customer C-0002");
    let mut tip = added;
    // 9,999 commits touching nothing, written straight into git.
    let git = repo.git();
    let tree = git.find_commit(tip).unwrap().tree().unwrap();
    let who = git2::Signature::new(
        "Li Mei",
        "li@acme.example",
        &git2::Time::new(seconds("2026-03-11"), 480),
    )
    .unwrap();
    for i in 0..9_999 {
        let parent = git.find_commit(tip).unwrap();
        tip = git
            .commit(None, &who, &who, &format!("Routine {i}"), &tree, &[&parent])
            .unwrap();
    }
    repo.set_head(tip);
    let (_keep, out) = site();
    build(&repo, &out);
    reset_hard(&repo, &kept.to_string());

    let m = rewritten(
        &repo,
        &out,
        &[
            "10001 commits are no longer reachable",
            "the newest 10000 of them (older ones were not read) touched 1 record: C-0002 (gone",
        ],
    );
    assert!(!m.contains("C-0003"), "{m}");

    // Exactly 10,000 lost (had the reset kept C-0003's commit): every one
    // is read, C-0002's commit the oldest of them.
    reset_hard(&repo, &oldest.to_string());
    rewritten(
        &repo,
        &out,
        &[
            "10000 commits are no longer reachable",
            "; they touched 1 record: C-0002 (gone",
        ],
    );

    // One more commit touching nothing, published: the newest 10,000 lost
    // commits touched no record, and the finding does not claim that of
    // all 10,002.
    let parent = git.find_commit(tip).unwrap();
    let newest = git
        .commit(None, &who, &who, "Routine 9999", &tree, &[&parent])
        .unwrap();
    repo.set_head(newest);
    reset_hard(&repo, &newest.to_string());
    build(&repo, &out);
    reset_hard(&repo, &kept.to_string());
    let m = rewritten(
        &repo,
        &out,
        &[
            "10002 commits are no longer reachable",
            "; the newest 10000 of them (older ones were not read) touched no record",
        ],
    );
    assert!(!m.contains("C-0002") && !m.contains("C-0003"), "{m}");
    // Exactly 10,000 lost, none touching a record: all were read, so
    // nothing is said of records at all.
    reset_hard(&repo, &added.to_string());
    let m = rewritten(&repo, &out, &["10000 commits are no longer reachable"]);
    assert!(!m.contains("touched"), "{m}");
}

/// The message of the one `history-rewritten` finding of `check
/// --published`, which must hold each of `expected`.
fn rewritten(repo: &Repo, out: &Path, expected: &[&str]) -> String {
    let f = fires(&check_published(repo, out), "history-rewritten");
    assert_eq!(f.len(), 1, "{f:#?}");
    let m = f[0].message.clone();
    for e in expected {
        assert!(m.contains(e), "{e:?} not in {m}");
    }
    m
}
