//! Who made a commit, as the cached index (`.git/docket/history.bin`)
//! says it, is never what a proof or a policy change rests on: after a
//! walk that continued the cache, each signature commit's author is read
//! from the commit object. (After a walk of everything, the index is what
//! the objects said a moment ago, and is used as it is.)

use crate::fixture::*;

const REVIEW: &str = "[review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = 2026-03-03\n\n";

/// The findings of `rule` on the order.
fn on_order(run: &Run, rule: &str) -> Vec<F> {
    run.findings()
        .into_iter()
        .filter(|f| f.rule == rule && f.file == ORDER_PATH)
        .collect()
}

/// Under policy "author": Li records the order, then writes the GM's
/// review into it herself; the GM commits something else. Returns the
/// repository and Li's review commit.
fn review_written_by_sales() -> (Repo, git2::Oid) {
    let repo = Repo::base();
    repo.set_policy("author");
    repo.write(ORDER_PATH, &ORDER.replace(REVIEW, ""));
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Order received");
    repo.write(ORDER_PATH, ORDER);
    let review = repo.commit_as("li.sales", "2026-03-03", "Review");
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    repo.commit_as("wang.gm", "2026-03-04", "New contact");
    (repo, review)
}

/// Make the GM the author of `commit` in history.bin, and remove the
/// proofs kept, so that the next run proves again from that index.
fn doctor_author(repo: &Repo, commit: git2::Oid) {
    edit_history_index(repo, |index| {
        let gm = index["people"]
            .as_array()
            .unwrap()
            .iter()
            .position(|p| p[1] == "wang@acme.example")
            .expect("the GM made a commit");
        let entry = index["commits"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|c| c[0] == commit.to_string())
            .expect("the review commit is in the index");
        entry[1][0] = gm.into();
        entry[2][0] = gm.into();
    });
    std::fs::remove_file(repo.git().path().join("docket/proofs.json")).unwrap();
}

#[test]
fn a_cached_index_that_names_the_signer_as_author_proves_nothing() {
    let (repo, review) = review_written_by_sales();
    let rule = "signature-unproven";
    let before = repo.check();
    assert_eq!(on_order(&before, rule).len(), 1, "{:#?}", before.findings());
    doctor_author(&repo, review);
    // A new commit: the next walk continues the doctored index.
    repo.edit("customers/C-0001.toml", "Jan Ott", "Eva Lind");
    repo.commit_as("wang.gm", "2026-03-05", "Another contact");
    let after = repo.check();
    let f = on_order(&after, rule);
    assert_eq!(
        f.len(),
        1,
        "the doctored index proved it: {:#?}",
        after.findings()
    );
    assert!(f[0].message.contains("li.sales"), "{}", f[0].message);
    // Without the cache, the same verdict.
    let cold = repo.docket(&["check", "--format", "json", "--as-of", AS_OF, "--no-cache"]);
    assert_eq!(on_order(&cold, rule), f);
}
