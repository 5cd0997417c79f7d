//! A revoked key judged on trusted time. A commit's date is the signer's
//! word, so a thief with a stolen key dates his commit before the day the
//! key was revoked and, judged on that date, it proves a signature. With
//! `[timestamps]` the TSA's time decides instead: a revoked key keeps a
//! signature only when a valid token shows it existed before the
//! revocation day; under policy "required" a signature with no such
//! token is not proven at all. Real repositories under policy "ssh",
//! tokens from the test's own TSA (timestamps.rs).

use crate::fixture::*;
use crate::timestamps::{FROM, Pki, UNTIL, digest_of, pki, put_token};
use crate::trust::order_unreviewed;

/// The GM's key line in people.toml.
fn gm_key_line() -> String {
    format!("keys = [\"{}\"]", public_key("wang.gm"))
}

/// The company under policy "ssh" and `[timestamps] policy`, trusting the
/// test TSA, bootstrapped by Li on 2026-03-02 (its token made two
/// minutes later); the review then signed with the GM's key in a commit
/// dated 2026-03-04; then the GM revokes that key from 2026-03-05 (his
/// laptop was stolen), on 2026-03-10. Returns the repository and the
/// review's commit.
fn stolen_key_story(policy: &str, p: &Pki) -> (Repo, String) {
    stolen_key_story_under("ssh", policy, p)
}

/// [`stolen_key_story`] under signature policy `signatures`.
fn stolen_key_story_under(signatures: &str, policy: &str, p: &Pki) -> (Repo, String) {
    let repo = Repo::base();
    repo.set_policy(signatures);
    repo.append(
        "docket.toml",
        &format!(
            "[timestamps]\npolicy = \"{policy}\"\ncertificates = [\"tsa/tsa-chain.pem\"]\nwithin_days = 2\n"
        ),
    );
    repo.write("tsa/tsa-chain.pem", &p.root_pem);
    repo.write("people.toml", &people_toml_with_keys());
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.git_init();
    let first = repo
        .commit_with(
            "li.sales",
            "2026-03-02",
            "Records",
            Signing::KeyOf("li.sales"),
        )
        .to_string();
    put_token(
        &repo,
        &first,
        &p.signer.token(
            &digest_of(&repo, &first),
            None,
            true,
            seconds("2026-03-02") + 120,
            1,
        ),
    );
    repo.write(
        ORDER_PATH,
        ORDER.replace("2026-03-03", "2026-03-04").as_str(),
    );
    let review = repo
        .commit_with(
            "wang.gm",
            "2026-03-04",
            "Review SO-2026-0001",
            Signing::KeyOf("wang.gm"),
        )
        .to_string();
    repo.edit(
        "people.toml",
        &gm_key_line(),
        &format!(
            "keys = [{{ key = \"{}\", revoked = 2026-03-05 }}]",
            public_key("wang.gm")
        ),
    );
    repo.commit_with(
        "wang.gm",
        "2026-03-10",
        "people: Wang's laptop was stolen on 5 March",
        Signing::KeyOf("wang.gm"),
    );
    (repo, review)
}

/// The review's token, made at `gen_time`.
fn stamp_review(repo: &Repo, p: &Pki, review: &str, gen_time: i64) {
    put_token(
        repo,
        review,
        &p.signer
            .token(&digest_of(repo, review), None, true, gen_time, 2),
    );
}

fn unproven_review(run: &Run) -> Vec<F> {
    run.of("signature-unproven")
        .into_iter()
        .filter(|f| f.file == ORDER_PATH)
        .collect()
}

#[test]
fn a_stolen_key_backdated_before_its_revocation_proves_nothing_without_an_earlier_token() {
    // The thief signed on the 6th with the stolen key and set the commit's
    // dates to the 4th, the day before the revocation. Under "required"
    // the commit's own date is not evidence: no token, no proof.
    let p = pki(1, FROM, UNTIL);
    let (repo, _) = stolen_key_story("required", &p);
    // Twice: the second run reads the proofs from a warm cache, which
    // holds what the commits prove, not what the tokens take away.
    for _ in 0..2 {
        let run = repo.check();
        let found = unproven_review(&run);
        assert_eq!(found.len(), 1, "{:#?}", run.findings());
        let msg = &found[0].message;
        assert!(
            msg.contains("revoked from 2026-03-05")
                && msg.contains("no valid timestamp from before 2026-03-05"),
            "{msg}"
        );
    }
    assert!(repo.top.join(".git/docket/proofs.json").is_file());
}

#[test]
fn a_stolen_key_backdated_before_its_revocation_is_caught_by_its_token_s_time() {
    // CI stamped the thief's commit when it was pushed, on the 6th: the
    // token is valid and within the two days, yet after the revocation.
    // Under "optional" as under "required", the token's day decides.
    for policy in ["optional", "required"] {
        let p = pki(1, FROM, UNTIL);
        let (repo, review) = stolen_key_story(policy, &p);
        stamp_review(&repo, &p, &review, seconds("2026-03-06"));
        let run = repo.check();
        assert!(run.of("signature-time").is_empty(), "{:#?}", run.findings());
        let found = unproven_review(&run);
        assert_eq!(found.len(), 1, "{policy}: {:#?}", run.findings());
        let msg = &found[0].message;
        assert!(
            msg.contains("revoked from 2026-03-05")
                && msg.contains("its timestamp shows only that it existed on 2026-03-06"),
            "{policy}: {msg}"
        );
    }
}

#[test]
fn a_genuine_signature_stamped_before_the_revocation_stays_proven() {
    // The GM really signed on the 4th and CI stamped it minutes later:
    // the key's later revocation does not reach back past the token.
    for policy in ["optional", "required"] {
        let p = pki(1, FROM, UNTIL);
        let (repo, review) = stolen_key_story(policy, &p);
        stamp_review(&repo, &p, &review, seconds("2026-03-04") + 120);
        let run = repo.check();
        assert!(
            unproven_review(&run).is_empty(),
            "{policy}: {:#?}",
            run.findings()
        );
        let blocks = crate::trust::signature_blocks(&repo);
        let review_block = blocks
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["section"] == "review")
            .unwrap();
        assert_eq!(review_block["state"], "proven", "{review_block:#}");
    }
}

#[test]
fn a_token_that_does_not_verify_keeps_nothing_a_revoked_key_signed() {
    // A token from before the revocation, but for another commit: it
    // proves nothing, so under "required" the signature has no token.
    let p = pki(1, FROM, UNTIL);
    let (repo, review) = stolen_key_story("required", &p);
    let other = repo.git().head().unwrap().target().unwrap().to_string();
    put_token(
        &repo,
        &review,
        &p.signer.token(
            &digest_of(&repo, &other),
            None,
            true,
            seconds("2026-03-04") + 120,
            3,
        ),
    );
    let found = unproven_review(&repo.check());
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .message
            .contains("no valid timestamp from before 2026-03-05"),
        "{}",
        found[0].message
    );
}

#[test]
fn without_a_token_optional_and_off_judge_the_commit_s_date_as_before() {
    // Near miss: without "required", a signature with no token is judged
    // on its commit's date, as without timestamps (docs/timestamps.md).
    for policy in ["optional", "off"] {
        let p = pki(1, FROM, UNTIL);
        let (repo, _) = stolen_key_story(policy, &p);
        let run = repo.check();
        assert!(
            unproven_review(&run).is_empty(),
            "{policy}: {:#?}",
            run.findings()
        );
    }
}

#[test]
fn under_policy_author_a_revoked_key_takes_no_proof_away() {
    // Under "author" a signature is the commit's author, not a key: the
    // same story (the review SSH-signed, the key revoked later, no token)
    // leaves the review proven. Only timestamp-missing speaks, under
    // "required", and it is not about the key.
    let p = pki(1, FROM, UNTIL);
    let (repo, _) = stolen_key_story_under("author", "required", &p);
    let run = repo.check();
    assert!(unproven_review(&run).is_empty(), "{:#?}", run.findings());
    assert!(
        run.of("timestamp-missing")
            .iter()
            .any(|f| f.file == ORDER_PATH),
        "{:#?}",
        run.findings()
    );
}
