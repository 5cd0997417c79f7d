//! Merges and the history cache under the trust model: a merged branch is
//! walked once (even when it merged the main line in midway), and a run
//! that extends a cached history gives the same governance events,
//! regimes and time findings as a run that reads everything.

use crate::fixture::*;
use crate::trust::{add_key, company, order_unreviewed, review};

/// The commits of a record's revisions, newest first.
fn revisions(repo: &Repo, id: &str) -> Vec<String> {
    let log = repo.docket(&["log", id, "--format", "json"]);
    assert_eq!(log.code, 0, "{}", log.stderr);
    log.json()["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["commit"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_branch_that_merged_main_midway_is_walked_once() {
    let repo = company("author");
    let boot = repo.git().head().unwrap().target().unwrap();
    // The branch edits the customer...
    repo.edit(
        "customers/C-0001.toml",
        "phone = \"+49 40 123456\"",
        "phone = \"+49 40 654321\"",
    );
    let b1 = repo.commit_raw(
        "li.sales",
        "2026-03-03",
        "Phone",
        Signing::Unsigned,
        &[boot],
    );
    // ...while main edits the survey...
    repo.edit(
        "customers/C-0001.toml",
        "phone = \"+49 40 654321\"",
        "phone = \"+49 40 123456\"",
    );
    repo.edit(
        "surveys/2026/SV-2026-0001.toml",
        "quality = 4",
        "quality = 5",
    );
    let m1 = repo.commit_raw(
        "li.sales",
        "2026-03-03",
        "Survey",
        Signing::Unsigned,
        &[boot],
    );
    // ...the branch merges main in, and the GM reviews on the branch...
    repo.edit(
        "customers/C-0001.toml",
        "phone = \"+49 40 123456\"",
        "phone = \"+49 40 654321\"",
    );
    let bm = repo.commit_raw(
        "li.sales",
        "2026-03-03 12:00",
        "Merge main into the branch",
        Signing::Unsigned,
        &[b1, m1],
    );
    repo.write(ORDER_PATH, ORDER);
    let b2 = repo.commit_raw(
        "wang.gm",
        "2026-03-03 14:00",
        "Review",
        Signing::Unsigned,
        &[bm],
    );
    // ...and main merges the branch.
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-03 16:00",
        "Merge the branch",
        Signing::Unsigned,
        &[m1, b2],
    );
    repo.set_head(merge);
    let (b1, b2, m1, boot) = (
        b1.to_string(),
        b2.to_string(),
        m1.to_string(),
        boot.to_string(),
    );
    assert_eq!(revisions(&repo, "C-0001"), [b1, boot.clone()]);
    assert_eq!(revisions(&repo, "SO-2026-0001"), [b2, boot.clone()]);
    assert_eq!(revisions(&repo, "SV-2026-0001"), [m1, boot]);
    clean(&repo.check());
}

/// Everything a run says that could depend on the cache.
fn outputs(repo: &Repo, boot: git2::Oid) -> Vec<String> {
    let range = format!("{boot}..HEAD");
    let mut out = vec![
        repo.check().stdout,
        repo.docket(&["check", "--base", &boot.to_string(), "--as-of", AS_OF])
            .stdout,
        repo.docket(&["diff", &range, "--format", "json"]).stdout,
    ];
    for id in ["SO-2026-0001", "C-0001", "people", "docket"] {
        out.push(repo.docket(&["log", id, "--format", "json"]).stdout);
    }
    out
}

#[test]
fn an_incremental_run_equals_a_cold_one_with_governance_merges_and_time() {
    let repo = company("ssh");
    let boot = repo.git().head().unwrap().target().unwrap();
    review(&repo, "wang.gm", Signing::KeyOf("wang.gm"));
    // A first run leaves the caches behind; everything after is read on
    // top of them.
    let _ = outputs(&repo, boot);
    assert!(repo.top.join(".git/docket/history.bin").is_file());
    // A governed change, an ungoverned one, a merge bringing a key, and
    // a commit dated before its parent.
    add_key(&repo, "wang.gm", &public_key("wang.new"));
    repo.commit_with(
        "wang.gm",
        "2026-03-05",
        "people: key",
        Signing::KeyOf("wang.gm"),
    );
    repo.append("docket.toml", "[rules]\noverdue = \"off\"\n");
    repo.commit_with(
        "li.sales",
        "2026-03-06",
        "config",
        Signing::KeyOf("li.sales"),
    );
    let main = repo.git().head().unwrap().target().unwrap();
    add_key(&repo, "li.sales", &public_key("li.new"));
    let branch = repo.commit_raw(
        "li.sales",
        "2026-03-07",
        "people: my key",
        Signing::KeyOf("li.sales"),
        &[main],
    );
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-08",
        "Merge",
        Signing::KeyOf("wang.gm"),
        &[main, branch],
    );
    repo.set_head(merge);
    let _ = outputs(&repo, boot);
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    repo.commit_with(
        "li.sales",
        "2026-03-01",
        "Contact",
        Signing::KeyOf("li.sales"),
    );
    let warm = outputs(&repo, boot);
    assert!(warm[0].contains("governance-unproven"), "{}", warm[0]);
    assert!(warm[0].contains("history-time"), "{}", warm[0]);
    std::fs::remove_dir_all(repo.top.join(".git/docket")).unwrap();
    let cold = outputs(&repo, boot);
    for (w, c) in warm.iter().zip(&cold) {
        assert_eq!(w, c);
    }
}

/// A commit of the work tree by `who`, SSH-signed with their own key, on
/// `parents` (HEAD does not move).
fn signed_by(repo: &Repo, who: &str, when: &str, msg: &str, parents: &[git2::Oid]) -> git2::Oid {
    repo.commit_raw(who, when, msg, Signing::KeyOf(who), parents)
}

/// A commit on a merged branch is judged by the people.toml in force where
/// its branch left the main line, not where it was merged. Li signs a
/// review as herself on a branch forked before the GM gave her the role;
/// merged after the grant, she signed without the role. Signed again on
/// a branch forked after the grant, the review is proven.
#[test]
fn a_review_signed_on_a_branch_forked_before_the_role_was_granted_lacks_it() {
    let repo = company("ssh");
    let fork = repo.git().head().unwrap().target().unwrap();
    let by_li = ORDER.replace("by = \"wang.gm\"", "by = \"li.sales\"");
    repo.write(ORDER_PATH, &by_li);
    let signed = signed_by(
        &repo,
        "li.sales",
        "2026-03-03",
        "Review SO-2026-0001",
        &[fork],
    );
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.edit(
        "people.toml",
        "roles = [\"sales\"]",
        "roles = [\"sales\", \"gm\"]",
    );
    let granted = signed_by(
        &repo,
        "wang.gm",
        "2026-03-03 11:00",
        "people: Li reviews orders while the GM travels",
        &[fork],
    );
    repo.write(ORDER_PATH, &by_li);
    let merge = signed_by(
        &repo,
        "wang.gm",
        "2026-03-03 12:00",
        "Merge branch 'review'",
        &[granted, signed],
    );
    repo.set_head(merge);

    let run = repo.check();
    assert!(
        run.of("governance-unproven").is_empty(),
        "{:#?}",
        run.findings()
    );
    let role = run.of("review-role");
    assert_eq!(role.len(), 1, "{:#?}", run.findings());
    assert_eq!(role[0].file, ORDER_PATH);
    assert_eq!(
        role[0].message,
        "`review` is signed by li.sales (sales), but it needs role gm"
    );

    // Near miss: signed again on a branch forked after the grant (from
    // the merge), while the main line moves on, and merged: proven, since
    // she held the role where that branch left the line.
    let resigned_review = by_li.replace(
        "by = \"li.sales\"\ndate = 2026-03-03\n",
        "by = \"li.sales\"\ndate = 2026-03-04\nnote = \"Signed again as acting GM.\"\n",
    );
    assert_ne!(resigned_review, by_li);
    repo.write(ORDER_PATH, &resigned_review);
    let resigned = signed_by(&repo, "li.sales", "2026-03-04", "Review again", &[merge]);
    repo.write(ORDER_PATH, &by_li);
    repo.edit("customers/C-0001.toml", "Hamburg", "Bremen");
    let moved_on = signed_by(
        &repo,
        "wang.gm",
        "2026-03-04 11:00",
        "C-0001 moved",
        &[merge],
    );
    repo.write(ORDER_PATH, &resigned_review);
    let merged_again = signed_by(
        &repo,
        "wang.gm",
        "2026-03-04 12:00",
        "Merge branch 'review-again'",
        &[moved_on, resigned],
    );
    repo.set_head(merged_again);
    clean(&repo.check());
}

/// Records brought in from another repository with their own history
/// (`git merge --allow-unrelated-histories`): the imported commits share
/// no ancestor with the main line, so they left it nowhere (no fork
/// point: their commits are judged under the people.toml in force before
/// the merge). The run reads them like any merged branch instead of
/// failing on the missing merge base.
#[test]
fn records_merged_from_an_unrelated_history_are_read_like_a_branch() {
    let repo = company("ssh");
    let boot = repo.git().head().unwrap().target().unwrap();
    let git = repo.git();
    let imported = CUSTOMER.replace("C-0001", "C-0002");
    let blob = git.blob(imported.as_bytes()).unwrap();
    let mut customers = git.treebuilder(None).unwrap();
    customers.insert("C-0002.toml", blob, 0o100644).unwrap();
    let customers = customers.write().unwrap();
    let mut top = git.treebuilder(None).unwrap();
    top.insert("customers", customers, 0o040000).unwrap();
    let tree = git.find_tree(top.write().unwrap()).unwrap();
    let who = git2::Signature::new(
        "Zhao Gang",
        "zhao@acme.example",
        &git2::Time::new(seconds("2026-03-01"), 480),
    )
    .unwrap();
    let other = git
        .commit(
            None,
            &who,
            &who,
            "Customer list of the Suzhou plant",
            &tree,
            &[],
        )
        .unwrap();
    repo.write("customers/C-0002.toml", &imported);
    let merge = signed_by(
        &repo,
        "wang.gm",
        "2026-03-03",
        "Merge the Suzhou plant's records",
        &[boot, other],
    );
    repo.set_head(merge);

    let run = repo.check();
    assert!(run.code < 2, "{}", run.stderr);
    assert_eq!(revisions(&repo, "C-0002"), [other.to_string()]);
}

/// A first run, which leaves the caches behind (and, as every run of the
/// suite, reads anyway each anchor it skipped: `DOCKET_VERIFY_ANCHORS`).
fn leave_caches(repo: &Repo) {
    let run = repo.check();
    assert!(run.code < 2, "{}", run.stderr);
    assert!(repo.top.join(".git/docket/proofs.json").is_file());
}

/// `check` and the order's `log`, each with every proof made anew: from
/// git alone (`cold`, where the walk of the run itself vouches for the
/// commits of the first-parent line), or from the cached index with the
/// cached proofs removed (each proof anchored in git again).
fn proved_anew(repo: &Repo, id: &str, cold: bool) -> Vec<String> {
    let commands = [
        vec!["check", "--as-of", AS_OF, "--format", "json"],
        vec!["log", id, "--format", "json"],
    ];
    commands
        .into_iter()
        .map(|mut args| {
            if cold {
                args.push("--no-cache");
            } else {
                assert!(repo.top.join(".git/docket/history.bin").is_file());
                std::fs::remove_file(repo.top.join(".git/docket/proofs.json")).unwrap();
            }
            let run = repo.docket(&args);
            assert!(run.code < 2, "{}", run.stderr);
            run.stdout
        })
        .collect()
}

/// The review's signature status, which a run from git alone and a run
/// anchoring every proof in git must agree on.
fn review_cold_and_warm(repo: &Repo) -> String {
    leave_caches(repo);
    let anchored = proved_anew(repo, "SO-2026-0001", false);
    let cold = proved_anew(repo, "SO-2026-0001", true);
    assert_eq!(anchored, cold);
    review_status(&cold[1])
}

/// The company with Li's review in the GM's name, unsigned, committed on
/// `boot` without moving HEAD: (boot, that commit).
fn forged_review(repo: &Repo) -> (git2::Oid, git2::Oid) {
    let boot = repo.git().head().unwrap().target().unwrap();
    repo.write(ORDER_PATH, ORDER);
    let forged = repo.commit_raw(
        "li.sales",
        "2026-03-03",
        "Review",
        Signing::Unsigned,
        &[boot],
    );
    (boot, forged)
}

/// Change the date of the GM's review in `path` from `from` to `to`.
fn redate_review(repo: &Repo, path: &str, from: &str, to: &str) {
    let at = |d: &str| format!("by = \"wang.gm\"\ndate = {d}");
    repo.edit(path, &at(from), &at(to));
}

/// The newest two commits that wrote the order.
fn newest_two(repo: &Repo) -> Vec<String> {
    revisions(repo, "SO-2026-0001")
        .into_iter()
        .take(2)
        .collect()
}

/// The review's signature in `docket log --format json`.
fn review_signature(log: &str) -> serde_json::Value {
    let log: serde_json::Value = serde_json::from_str(log).unwrap();
    let review = log["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == "review")
        .unwrap_or_else(|| panic!("a review signature: {log:#}"));
    review.clone()
}

/// The status of the review's signature in `docket log --format json`.
fn review_status(log: &str) -> String {
    review_signature(log)["status"]["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_run_that_walked_everything_proves_what_the_anchored_index_proves() {
    // The GM signs the review on the line, changes it on a branch that is
    // merged, then moves the order and changes the review again: a line
    // commit after a line revision, one after a branch revision (the
    // merge wrote nothing of its own), a move and a branch commit, each a
    // signature commit.
    let repo = company("ssh");
    let reviewed = review(&repo, "wang.gm", Signing::KeyOf("wang.gm"));
    redate_review(&repo, ORDER_PATH, "2026-03-03", "2026-03-04");
    let branch = signed_by(&repo, "wang.gm", "2026-03-04", "Review again", &[reviewed]);
    redate_review(&repo, ORDER_PATH, "2026-03-04", "2026-03-03");
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    let main = signed_by(&repo, "li.sales", "2026-03-04", "Contact", &[reviewed]);
    redate_review(&repo, ORDER_PATH, "2026-03-03", "2026-03-04");
    let merge = signed_by(&repo, "li.sales", "2026-03-05", "Merge", &[main, branch]);
    repo.set_head(merge);
    let moved = "orders/2026/archive/SO-2026-0001.toml";
    let text = repo.read(ORDER_PATH);
    repo.remove(ORDER_PATH).write(moved, &text);
    redate_review(&repo, moved, "2026-03-04", "2026-03-07");
    repo.commit_with(
        "wang.gm",
        "2026-03-07",
        "Archive, review",
        Signing::KeyOf("wang.gm"),
    );
    assert!(
        revisions(&repo, "SO-2026-0001").contains(&branch.to_string()),
        "the branch commit wrote a revision"
    );
    assert_eq!(review_cold_and_warm(&repo), "proven");
}

#[test]
fn a_branch_commit_that_only_carried_the_review_lends_it_no_signature_cold_or_warm() {
    // Li writes the review in the GM's name, unsigned, then changes its
    // date on the line. On a branch from the first version, the GM signs
    // a change to the delivery place; the merge takes the branch's order,
    // so the walk credits the GM's commit with bringing the review back.
    // Its parent already held that review: the GM never wrote it, in a
    // run that walked every commit itself as in one from the cache.
    let repo = company("ssh");
    let written = review(&repo, "li.sales", Signing::Unsigned);
    redate_review(&repo, ORDER_PATH, "2026-03-03", "2026-03-04");
    let main = signed_by(&repo, "li.sales", "2026-03-04", "Review date", &[written]);
    redate_review(&repo, ORDER_PATH, "2026-03-04", "2026-03-03");
    repo.edit(ORDER_PATH, "Hamburg", "Bremen");
    let branch = signed_by(&repo, "wang.gm", "2026-03-04", "Delivery place", &[written]);
    let merge = signed_by(&repo, "li.sales", "2026-03-05", "Merge", &[main, branch]);
    repo.set_head(merge);
    assert_eq!(
        revisions(&repo, "SO-2026-0001")[0],
        branch.to_string(),
        "the walk credits the branch commit"
    );
    assert_eq!(review_cold_and_warm(&repo), "unproven");
}

#[test]
fn a_signed_merge_of_a_stale_branch_lends_no_signature_to_a_forged_review_cold_or_warm() {
    // Li writes the review in the GM's name, unsigned, on the line; a
    // branch from before it changes the delivery place; the GM signs the
    // clean merge. The merge has a revision of its own (its order is
    // neither parent's), and the one before it is the branch commit's,
    // without the review: only the first parent shows the merge carried
    // the review along. (Found by a review: a run that walked every
    // commit took the merge as the review's writer.)
    let repo = company("ssh");
    let (boot, forged) = forged_review(&repo);
    repo.write(ORDER_PATH, &order_unreviewed().replace("Hamburg", "Bremen"));
    let branch = signed_by(&repo, "li.sales", "2026-03-03 11:00", "Place", &[boot]);
    repo.write(ORDER_PATH, &ORDER.replace("Hamburg", "Bremen"));
    let merge = signed_by(&repo, "wang.gm", "2026-03-04", "Merge", &[forged, branch]);
    repo.set_head(merge);
    assert_eq!(newest_two(&repo), [merge.to_string(), branch.to_string()]);
    assert_eq!(review_cold_and_warm(&repo), "unproven");
}

#[test]
fn a_signed_merge_keeping_an_order_its_branch_deleted_lends_no_signature_cold_or_warm() {
    // Li forges the review on the line; a branch deletes the order; the
    // GM's signed merge keeps it, edited. The branch's deletion ends the
    // order's history, so the merge's revision is the first of a new one,
    // yet its first parent held the forged review.
    let repo = company("ssh");
    let (_, forged) = forged_review(&repo);
    repo.remove(ORDER_PATH);
    let branch = signed_by(&repo, "li.sales", "2026-03-03 11:00", "Drop", &[forged]);
    repo.write(ORDER_PATH, &ORDER.replace("Hamburg", "Bremen"));
    let merge = signed_by(&repo, "wang.gm", "2026-03-04", "Merge", &[forged, branch]);
    repo.set_head(merge);
    assert_eq!(review_cold_and_warm(&repo), "unproven");
}

#[test]
fn a_signed_merge_of_a_move_on_the_branch_and_an_edit_on_the_line_lends_no_signature() {
    // Li forges the review on the line. A branch moves the order into an
    // archive folder; the line changes its delivery place; the GM signs
    // the merge, which holds the moved order with the new place. The
    // merge changed the branch's file, it did not add one: the review is
    // still Li's. (Found by a review: the merge counted as the author of
    // the whole file, cold and warm.)
    let repo = company("ssh");
    let (_, forged) = forged_review(&repo);
    let moved = "orders/2026/archive/SO-2026-0001.toml";
    repo.remove(ORDER_PATH).write(moved, ORDER);
    let branch = signed_by(&repo, "li.sales", "2026-03-03 11:00", "Archive", &[forged]);
    repo.remove(moved)
        .write(ORDER_PATH, &ORDER.replace("Hamburg", "Bremen"));
    let line = signed_by(&repo, "li.sales", "2026-03-03 12:00", "Place", &[forged]);
    repo.remove(ORDER_PATH)
        .write(moved, &ORDER.replace("Hamburg", "Bremen"));
    let merge = signed_by(&repo, "wang.gm", "2026-03-04", "Merge", &[line, branch]);
    repo.set_head(merge);
    assert_eq!(
        newest_two(&repo),
        [merge.to_string(), branch.to_string()],
        "the merge's revision follows the branch's move"
    );
    assert_eq!(review_cold_and_warm(&repo), "unproven");
}

#[test]
fn a_record_a_merge_adds_by_itself_is_added_by_the_merge() {
    // Near miss for the move through a merge: a file that neither the
    // branch nor the first parent had is the merge's own addition.
    let repo = company("ssh");
    let boot = repo.git().head().unwrap().target().unwrap();
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    let branch = signed_by(&repo, "li.sales", "2026-03-03", "Contact", &[boot]);
    repo.write(
        "customers/C-0002.toml",
        &CUSTOMER.replace("C-0001", "C-0002"),
    );
    let merge = signed_by(&repo, "wang.gm", "2026-03-04", "Merge", &[boot, branch]);
    repo.set_head(merge);
    let log = repo.docket(&["log", "C-0002", "--format", "json"]).json();
    let revs = log["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 1, "{log:#}");
    assert_eq!(revs[0]["commit"], merge.to_string());
    assert_eq!(revs[0]["change"]["kind"], "added", "{log:#}");
}

/// A merge's signature is the merge's own: a branch commit whose
/// signature does not verify (the GM's key over other content) stays
/// unproven in a build, which verifies every signature as it walks, as
/// it does in a check, though the GM signed the merge that brought it in.
#[test]
fn a_signed_merge_lends_its_signature_to_no_branch_commit_in_a_build() {
    let repo = company("ssh");
    let boot = repo.git().head().unwrap().target().unwrap();
    repo.write(ORDER_PATH, ORDER);
    let branch = repo.commit_raw(
        "wang.gm",
        "2026-03-03",
        "Review",
        Signing::Tampered("wang.gm"),
        &[boot],
    );
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.edit("customers/C-0001.toml", "Hamburg", "Bremen");
    let line = signed_by(
        &repo,
        "wang.gm",
        "2026-03-03 11:00",
        "C-0001 moved",
        &[boot],
    );
    repo.write(ORDER_PATH, ORDER);
    let merge = signed_by(
        &repo,
        "wang.gm",
        "2026-03-04",
        "Merge branch 'review'",
        &[line, branch],
    );
    repo.set_head(merge);
    assert_eq!(newest_two(&repo)[0], branch.to_string());

    let log = repo.docket(&["log", "SO-2026-0001", "--format", "json"]);
    let ssh = &review_signature(&log.stdout)["ssh"];
    assert_eq!(ssh["valid"], false, "{ssh}");
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let built = repo.docket(&[
        "build",
        "--no-cache",
        "--out",
        site.to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    assert!(built.code < 2, "{}", built.stderr);
    let page = std::fs::read_to_string(site.join("orders/SO-2026-0001.html")).unwrap();
    let row = page
        .lines()
        .find(|l| l.starts_with("<tr class=\"sig-"))
        .unwrap_or_else(|| panic!("a signature row: {page}"));
    assert!(!row.contains("sig-proven"), "{row}");
    assert!(row.contains("does not verify"), "{row}");
}
