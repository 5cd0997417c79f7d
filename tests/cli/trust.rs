//! The trust model on real repositories, tried as a dishonest employee
//! with commit access would: keys, roles and policies slipped into the
//! controlled documents, on the main line and on merged branches. Each
//! attack has its near miss, the honest change that must pass.
//!
//! Every repository starts as [`company`]: Li commits the records and a
//! people.toml naming the GM (the bootstrap), the order not yet reviewed.
//! Time attacks are in `trust_time.rs`, failing closed in
//! `trust_closed.rs`, merges and the cache in `trust_merge.rs`.

use crate::fixture::*;

pub const REVIEW: &str =
    "[review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = 2026-03-03\n\n";

pub fn order_unreviewed() -> String {
    assert!(ORDER.contains(REVIEW));
    ORDER.replace(REVIEW, "")
}

/// The base records under `policy` with everyone's key in people.toml,
/// committed by Li on 2026-03-02 with the order not yet reviewed. That
/// commit is the bootstrap: its people.toml is the first to name a GM.
pub fn company(policy: &str) -> Repo {
    company_with(policy, &people_toml_with_keys())
}

/// [`company`] with `people` as its first people.toml.
pub fn company_with(policy: &str, people: &str) -> Repo {
    let repo = Repo::base();
    repo.set_policy(policy);
    repo.write("people.toml", people);
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.git_init();
    repo.commit_with(
        "li.sales",
        "2026-03-02",
        "Records",
        Signing::KeyOf("li.sales"),
    );
    repo
}

/// The GM's review written into the order and committed as `who` on
/// 2026-03-03, signed as `signing`.
pub fn review(repo: &Repo, who: &str, signing: Signing) -> git2::Oid {
    repo.write(ORDER_PATH, ORDER);
    repo.commit_with(who, "2026-03-03", "Review SO-2026-0001", signing)
}

/// `owner`'s `keys = [...]` in people.toml with `key` added.
pub fn add_key(repo: &Repo, owner: &str, key: &str) {
    let line = format!("keys = [\"{}\"]", public_key(owner));
    repo.edit(
        "people.toml",
        &line,
        &format!("keys = [\"{}\", \"{key}\"]", public_key(owner)),
    );
}

/// The `signatures` blocks of `docket log SO-2026-0001 --format json`.
pub fn signature_blocks(repo: &Repo) -> serde_json::Value {
    let log = repo.docket(&["log", "SO-2026-0001", "--format", "json"]);
    assert_eq!(log.code, 0, "{}", log.stderr);
    log.json()["signatures"].clone()
}

fn head(repo: &Repo) -> git2::Oid {
    repo.git().head().unwrap().target().unwrap()
}

/// The one finding of `rule` on `file`.
#[track_caller]
/// The governance changes `docket diff BASE..HEAD --format json` lists.
fn governance_since(repo: &Repo, base: git2::Oid) -> Vec<serde_json::Value> {
    let json = repo
        .docket(&["diff", &format!("{base}..HEAD"), "--format", "json"])
        .json();
    json["governance"]
        .as_array()
        .expect("a governance list")
        .clone()
}

fn one(run: &Run, rule: &str, file: &str) -> F {
    let found: Vec<F> = fires(run, rule)
        .into_iter()
        .filter(|f| f.file == file)
        .collect();
    assert_eq!(found.len(), 1, "{:#?}", run.findings());
    found[0].clone()
}

#[test]
pub(crate) fn governance_unproven_fires_for_a_key_slipped_into_the_gms_entry() {
    let repo = company("ssh");
    let boot = head(&repo);
    // Li adds her own key to Wang's entry, in her own signed commit...
    add_key(&repo, "wang.gm", &public_key("li.sales"));
    let slipped = repo.commit_with(
        "li.sales",
        "2026-03-03",
        "people: keys",
        Signing::KeyOf("li.sales"),
    );
    // ...then writes Wang's review and signs it with her key, as Wang.
    review(&repo, "wang.gm", Signing::KeyOf("li.sales"));
    let run = repo.check();
    assert_eq!(run.code, 1, "{:#?}", run.findings());
    let g = one(&run, "governance-unproven", "people.toml");
    assert_eq!(g.severity, "error");
    for want in [
        Repo::short(slipped).as_str(),
        "Li Mei (li.sales)",
        "does not hold role gm",
        "keys added",
        "wang.gm",
    ] {
        assert!(g.message.contains(want), "{want:?} in {}", g.message);
    }
    // Made on the main line: no branch, no merge to name.
    assert!(
        g.message.contains(&format!(
            "in commit {} by Li Mei (li.sales) without governance",
            Repo::short(slipped)
        )),
        "{}",
        g.message
    );
    assert!(!g.message.contains("merged in commit"), "{}", g.message);
    let s = one(&run, "signature-unproven", ORDER_PATH);
    assert!(s.message.contains("li.sales's key"), "{}", s.message);
    // The audit trail says so too.
    let blocks = signature_blocks(&repo);
    assert_eq!(blocks[0]["status"]["status"], "unproven", "{blocks:#}");
    // And a reviewer of the range sees the people.toml change first.
    let range = format!("{boot}..HEAD");
    let diff = repo.docket(&["diff", &range]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let gov = diff.stdout.find("people.toml").expect(&diff.stdout);
    let order = diff.stdout.find("SO-2026-0001").expect(&diff.stdout);
    assert!(gov < order, "governance first:\n{}", diff.stdout);
    assert!(
        diff.stdout.contains("governance-unproven"),
        "{}",
        diff.stdout
    );
    let json = repo.docket(&["diff", &range, "--format", "json"]).json();
    let g = &json["governance"][0];
    assert_eq!(g["file"], "people.toml", "{json:#}");
    assert_eq!(g["commit"], slipped.to_string());
    assert_eq!(g["status"], "unproven");
    // Named by its fingerprint, which the reviewer compares with the
    // key Wang actually holds (ssh-keygen -lf).
    let fingerprint = ssh_key::PublicKey::from_openssh(&public_key("li.sales"))
        .unwrap()
        .fingerprint(ssh_key::HashAlg::Sha256);
    assert!(
        g["changes"][0]
            .as_str()
            .unwrap()
            .starts_with(&format!("keys added: wang.gm {fingerprint}")),
        "{g:#}"
    );
}

#[test]
fn a_key_slipped_in_on_a_branch_merged_by_sales_proves_nothing() {
    let repo = company("ssh");
    let boot = head(&repo);
    add_key(&repo, "wang.gm", &public_key("li.sales"));
    let keyed = repo.commit_raw(
        "li.sales",
        "2026-03-03",
        "people: keys",
        Signing::KeyOf("li.sales"),
        &[boot],
    );
    repo.write(ORDER_PATH, ORDER);
    let reviewed = repo.commit_raw(
        "wang.gm",
        "2026-03-03",
        "Review",
        Signing::KeyOf("li.sales"),
        &[keyed],
    );
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-04",
        "Merge branch 'keys'",
        Signing::KeyOf("li.sales"),
        &[boot, reviewed],
    );
    repo.set_head(merge);
    let run = repo.check();
    let g = one(&run, "governance-unproven", "people.toml");
    assert!(
        g.message.contains(&format!(
            "in commit {} by Li Mei (li.sales) (on a branch), merged in commit {} by Li Mei \
             (li.sales) without governance",
            Repo::short(keyed),
            Repo::short(merge)
        )),
        "names the branch commit and the merge: {}",
        g.message
    );
    assert!(g.message.contains("Li Mei (li.sales)"), "{}", g.message);
    let s = one(&run, "signature-unproven", ORDER_PATH);
    assert!(s.message.contains("li.sales's key"), "{}", s.message);
}

#[test]
fn a_key_the_gm_merges_does_not_prove_the_review_signed_before_it() {
    let repo = company("ssh");
    let boot = head(&repo);
    add_key(&repo, "wang.gm", &public_key("li.sales"));
    let keyed = repo.commit_raw(
        "li.sales",
        "2026-03-03",
        "people: keys",
        Signing::KeyOf("li.sales"),
        &[boot],
    );
    repo.write(ORDER_PATH, ORDER);
    let reviewed = repo.commit_raw(
        "wang.gm",
        "2026-03-03",
        "Review",
        Signing::KeyOf("li.sales"),
        &[keyed],
    );
    // The GM merges the branch with his own signed merge: the key is
    // governed from the merge on, but the review was signed on the branch,
    // under the people.toml of the fork point.
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-04",
        "Merge branch 'keys'",
        Signing::KeyOf("wang.gm"),
        &[boot, reviewed],
    );
    repo.set_head(merge);
    let run = repo.check();
    assert!(
        run.of("governance-unproven").is_empty(),
        "{:#?}",
        run.findings()
    );
    let s = one(&run, "signature-unproven", ORDER_PATH);
    assert!(s.message.contains("li.sales's key"), "{}", s.message);
    // The change is listed as Li's on the branch, merged by the GM; a
    // change made on the main line names no merge.
    let events = governance_since(&repo, boot);
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["made_in"], keyed.to_string());
    assert_eq!(events[0]["commit"], merge.to_string());
    assert_eq!(events[0]["author"], "Li Mei (li.sales)");
    assert_eq!(events[0]["merged_by"], "Wang Daming (wang.gm)");
    repo.edit(
        "people.toml",
        "roles = [\"qc\"]",
        "roles = [\"qc\", \"rnd\"]",
    );
    let direct = repo.commit_with("wang.gm", "2026-03-05", "people", Signing::KeyOf("wang.gm"));
    let events = governance_since(&repo, merge);
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["made_in"], direct.to_string());
    assert_eq!(events[0]["status"], "proven", "{events:#?}");
    assert!(events[0].get("merged_by").is_none(), "{events:#?}");
    // A review she signs after the merge is proven: the GM put her key in
    // his entry, under his own signature.
    repo.write(ORDER_PATH, &ORDER.replace("2026-03-03", "2026-03-05"));
    repo.commit_with(
        "wang.gm",
        "2026-03-05",
        "Review again",
        Signing::KeyOf("li.sales"),
    );
    let run = repo.check();
    assert!(
        run.of("signature-unproven").is_empty(),
        "{:#?}",
        run.findings()
    );
}

#[test]
fn sales_giving_herself_the_gm_role_cannot_review() {
    let repo = company("ssh");
    repo.edit(
        "people.toml",
        "roles = [\"sales\"]",
        "roles = [\"sales\", \"gm\"]",
    );
    let promoted = repo.commit_with(
        "li.sales",
        "2026-03-03",
        "people: roles",
        Signing::KeyOf("li.sales"),
    );
    repo.write(
        ORDER_PATH,
        &ORDER.replace("by = \"wang.gm\"", "by = \"li.sales\""),
    );
    repo.commit_with(
        "li.sales",
        "2026-03-03",
        "Review",
        Signing::KeyOf("li.sales"),
    );
    let run = repo.check();
    let g = one(&run, "governance-unproven", "people.toml");
    assert!(g.message.contains(&Repo::short(promoted)), "{}", g.message);
    assert!(g.message.contains("roles"), "{}", g.message);
    let r = one(&run, "review-role", ORDER_PATH);
    assert!(
        r.message.contains("li.sales") && r.message.contains("role gm"),
        "{}",
        r.message
    );
}

#[test]
fn sales_turning_signatures_off_changes_nothing() {
    let repo = company("ssh");
    repo.set_policy("none");
    repo.commit_with(
        "li.sales",
        "2026-03-03",
        "config",
        Signing::KeyOf("li.sales"),
    );
    review(&repo, "wang.gm", Signing::Unsigned);
    let run = repo.check();
    assert_eq!(run.code, 1);
    let g = one(&run, "governance-unproven", "docket.toml");
    assert!(
        g.message.contains("policy.signatures: \"ssh\" -> \"none\""),
        "{}",
        g.message
    );
    let s = one(&run, "signature-unproven", ORDER_PATH);
    assert_eq!(s.severity, "error");
    assert!(s.message.contains("unsigned"), "{}", s.message);
    let status = repo.docket(&["status", "--format", "json", "--as-of", AS_OF]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    let json: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(json["signatures"]["unproven"], 1, "{json:#}");
}

#[test]
fn sales_turning_the_signature_rule_off_changes_nothing() {
    let repo = company("ssh");
    repo.append("docket.toml", "[rules]\nsignature-unproven = \"off\"\n");
    repo.commit_with(
        "li.sales",
        "2026-03-03",
        "config",
        Signing::KeyOf("li.sales"),
    );
    review(&repo, "wang.gm", Signing::Unsigned);
    let run = repo.check();
    assert_eq!(run.code, 1);
    let g = one(&run, "governance-unproven", "docket.toml");
    assert!(g.message.contains("signature-unproven"), "{}", g.message);
    assert_eq!(
        one(&run, "signature-unproven", ORDER_PATH).severity,
        "error"
    );
}

/// A key of small order listed for the GM from the start (the identity
/// point): with it, anyone can make a signature that verifies over any
/// commit. Li signs the GM's review that way; it proves nothing, and the
/// allowed signers exported for git leave the key out, saying why. The
/// near miss: the GM's own key beside it still proves his review.
#[test]
fn a_weak_key_in_the_gms_entry_proves_nothing() {
    let line = format!("keys = [\"{}\"]", public_key("wang.gm"));
    let people = people_toml_with_keys().replace(
        &line,
        &format!("keys = [\"{}\", \"{}\"]", public_key("wang.gm"), weak_key()),
    );
    assert_ne!(people, people_toml_with_keys());
    let repo = company_with("ssh", &people);
    review(&repo, "wang.gm", Signing::Weak);
    let run = repo.check();
    assert_eq!(run.code, 1, "{:#?}", run.findings());
    let s = one(&run, "signature-unproven", ORDER_PATH);
    assert!(s.message.contains("unknown key"), "{}", s.message);
    assert_eq!(signature_blocks(&repo)[0]["status"]["status"], "unproven");
    let export = repo.docket(&["export", "allowed-signers"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    assert!(
        export.stderr.contains("a key of wang.gm of small order"),
        "{}",
        export.stderr
    );
    assert!(
        !export
            .stdout
            .contains(weak_key().split(' ').nth(1).unwrap())
    );
    assert!(export.stdout.contains(&bare(&public_key("wang.gm"))));

    let near = company_with("ssh", &people);
    review(&near, "wang.gm", Signing::KeyOf("wang.gm"));
    clean(&near.check());
}

/// An OpenSSH key line without its comment.
fn bare(line: &str) -> String {
    line.split(' ').take(2).collect::<Vec<_>>().join(" ")
}

#[test]
pub(crate) fn governance_unproven_near_miss_the_gm_adds_a_key_of_his_own() {
    let repo = company("ssh");
    add_key(&repo, "wang.gm", &public_key("wang.laptop"));
    repo.commit_with(
        "wang.gm",
        "2026-03-03",
        "people: my laptop key",
        Signing::KeyOf("wang.gm"),
    );
    repo.write(ORDER_PATH, &ORDER.replace("2026-03-03", "2026-03-04"));
    repo.commit_with(
        "wang.gm",
        "2026-03-04",
        "Review",
        Signing::KeyOf("wang.laptop"),
    );
    clean(&repo.check());
    let blocks = signature_blocks(&repo);
    let proven = blocks[0]["status"]["detail"].as_str().unwrap();
    assert!(proven.contains("SSH signature by wang.gm"), "{proven}");
}

#[test]
pub(crate) fn governance_unproven_near_miss_the_gm_adds_a_person() {
    let repo = company("author");
    review(&repo, "wang.gm", Signing::Unsigned);
    repo.append(
        "people.toml",
        "[[person]]\nid = \"ma.qc\"\nname = \"Ma Lan\"\nemails = [\"ma@acme.example\"]\n\
         roles = [\"qc\"]\ndepartment = \"qc\"\n",
    );
    repo.commit_as("wang.gm", "2026-03-05", "people: Ma Lan joins QC");
    clean(&repo.check());
}

#[test]
pub(crate) fn governance_unproven_near_miss_the_bootstrap_is_not_judged() {
    // Li writes docket.toml alone, then people.toml naming the GM, then
    // the procedure: the first two are the bootstrap; the third is hers
    // too, and is judged.
    let repo = Repo::base();
    repo.set_policy("author");
    repo.remove("people.toml");
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-01", "Configuration");
    repo.write("people.toml", &people_toml());
    repo.commit_as("li.sales", "2026-03-01", "People");
    review(&repo, "wang.gm", Signing::Unsigned);
    let run = repo.check();
    assert!(
        run.of("governance-unproven").is_empty(),
        "{:#?}",
        run.findings()
    );
    clean(&run);
    // After the bootstrap, Li's change to the procedure is judged.
    repo.write(
        "procedure.md",
        "# Procedure\n\n## Orders {#c4.2.1}\n\nReview.\n",
    );
    let changed = repo.commit_as("li.sales", "2026-03-05", "Procedure");
    let run = repo.check();
    let g = one(&run, "governance-unproven", "procedure.md");
    assert!(g.message.contains(&Repo::short(changed)), "{}", g.message);
    assert!(g.message.contains("c4.2.1"), "{}", g.message);
}

/// Nobody is judged in the bootstrap, a file that does not read
/// included: Li's people.toml with a typo'd role is marked "bootstrap",
/// not "unproven", and does not take effect (the bootstrap goes on until
/// her fix names the GM).
#[test]
fn a_people_toml_that_does_not_read_in_the_bootstrap_is_not_judged() {
    let repo = Repo::base();
    repo.set_policy("author");
    repo.remove("people.toml");
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.git_init();
    let root = repo.commit_as("li.sales", "2026-03-01", "Configuration");
    let typo = people_toml().replacen("roles = [\"qc\"]", "roles = [\"qa\"]", 1);
    assert_ne!(typo, people_toml());
    repo.write("people.toml", &typo);
    repo.commit_as("li.sales", "2026-03-01", "People");
    repo.write("people.toml", &people_toml());
    repo.commit_as("li.sales", "2026-03-01", "People: fixed");
    review(&repo, "wang.gm", Signing::Unsigned);
    clean(&repo.check());
    let events = governance_since(&repo, root);
    let statuses: Vec<&str> = events
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["bootstrap", "bootstrap"], "{events:#?}");
}

/// The proofs of the review as `docket log` shows them.
fn proof_of_review(repo: &Repo) -> String {
    let b = &signature_blocks(repo)[0];
    format!("{} {} {}", b["commit"], b["status"], b["time"])
}

#[test]
fn adding_a_key_a_role_or_an_email_later_never_changes_an_earlier_proof() {
    type Change = fn(&Repo);
    let later: [(&str, Change); 4] = [
        ("a key", |r| add_key(r, "wang.gm", &public_key("wang.new"))),
        ("a role", |r| {
            r.edit(
                "people.toml",
                "roles = [\"gm\"]",
                "roles = [\"gm\", \"qc\"]",
            );
        }),
        ("an email", |r| {
            r.edit(
                "people.toml",
                "emails = [\"wang@acme.example\"]",
                "emails = [\"wang@acme.example\", \"wang.d@acme.example\"]",
            );
        }),
        ("another person's key", |r| {
            add_key(r, "li.sales", &public_key("li.new"))
        }),
    ];
    for policy in ["author", "ssh"] {
        for (what, change) in later {
            let repo = company(policy);
            let signing = if policy == "ssh" {
                Signing::KeyOf("wang.gm")
            } else {
                Signing::Unsigned
            };
            review(&repo, "wang.gm", signing);
            let before = proof_of_review(&repo);
            assert!(before.contains("\"proven\""), "{before}");
            change(&repo);
            repo.commit_with("wang.gm", "2026-03-10", "people", signing);
            clean(&repo.check());
            assert_eq!(
                before,
                proof_of_review(&repo),
                "{policy}: {what} added later"
            );
        }
    }
}

#[test]
fn removing_a_key_later_keeps_an_earlier_proof_and_revoking_it_breaks_only_what_came_after() {
    let revoke = |repo: &Repo, revoked: Option<&str>| {
        let line = format!("keys = [\"{}\"]", public_key("wang.gm"));
        let to = match revoked {
            None => "keys = []".to_string(),
            Some(day) => format!(
                "keys = [{{ key = \"{}\", revoked = {day} }}]",
                public_key("wang.gm")
            ),
        };
        repo.edit("people.toml", &line, &to);
        // Signed with the key itself: the commit is judged under the
        // people.toml before it, where the key is still good.
        repo.commit_with(
            "wang.gm",
            "2026-03-10",
            "people: key",
            Signing::KeyOf("wang.gm"),
        );
    };
    for (revoked, proven) in [
        (None, true),
        (Some("2026-03-04"), true),
        (Some("2026-03-03"), false),
        (Some("2026-03-01"), false),
    ] {
        let repo = company("ssh");
        review(&repo, "wang.gm", Signing::KeyOf("wang.gm"));
        let before = proof_of_review(&repo);
        revoke(&repo, revoked);
        let run = repo.check();
        if proven {
            clean(&run);
            assert_eq!(before, proof_of_review(&repo), "revoked {revoked:?}");
        } else {
            let s = one(&run, "signature-unproven", ORDER_PATH);
            assert!(
                s.message.contains("revoked") && s.message.contains(revoked.unwrap()),
                "{}",
                s.message
            );
        }
    }
}

/// Under policy ssh, with the GM's key entry in people.toml written as
/// `entry` (a table around his key) from the first commit: for each
/// (day, proven), the GM signs the review that day with his key, and the
/// review is proven or `signature-unproven` with a message holding `why`.
fn gm_key_entry_signs(entry: &str, days: &[(&str, bool)], why: &str) {
    for &(day, proven) in days {
        let repo = Repo::base();
        repo.set_policy("ssh");
        let people = people_toml_with_keys().replace(
            &format!("keys = [\"{}\"]", public_key("wang.gm")),
            &format!(
                "keys = [{{ key = \"{}\", {entry} }}]",
                public_key("wang.gm")
            ),
        );
        repo.write("people.toml", &people);
        repo.write(ORDER_PATH, &order_unreviewed());
        repo.git_init();
        repo.commit_as("li.sales", "2026-03-02", "Records");
        repo.write(ORDER_PATH, &ORDER.replace("2026-03-03", day));
        repo.commit_with("wang.gm", day, "Review", Signing::KeyOf("wang.gm"));
        let run = repo.check_as_of("2026-03-20");
        let unproven = run.of("signature-unproven");
        if proven {
            assert!(unproven.is_empty(), "{day}: {unproven:#?}");
        } else {
            assert_eq!(unproven.len(), 1, "{day}: {:#?}", run.findings());
            assert!(unproven[0].message.contains(why), "{}", unproven[0].message);
        }
    }
}

#[test]
fn a_key_signs_only_inside_its_window() {
    // Wang's key is valid from 2026-03-04 to 2026-03-10 (exclusive).
    gm_key_entry_signs(
        "valid_after = 2026-03-04, valid_before = 2026-03-10",
        &[
            ("2026-03-03", false),
            ("2026-03-04", true),
            ("2026-03-09", true),
            ("2026-03-10", false),
        ],
        "valid",
    );
}

#[test]
fn a_people_toml_the_gm_commits_broken_does_not_take_effect() {
    let repo = company("author");
    review(&repo, "wang.gm", Signing::Unsigned);
    let boot = head(&repo);
    // The GM commits a people.toml with a typo'd role: it cannot be read,
    // so it does not take effect; his next commit fixes it.
    repo.edit("people.toml", "roles = [\"qc\"]", "roles = [\"qa\"]");
    let broken = repo.commit_as("wang.gm", "2026-03-04", "people");
    repo.edit("people.toml", "roles = [\"qa\"]", "roles = [\"qc\"]");
    repo.commit_as("wang.gm", "2026-03-05", "people: fix");
    clean(&repo.check());
    let events = governance_since(&repo, boot);
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(events[0]["commit"], broken.to_string());
    assert_eq!(events[0]["status"], "unproven");
    assert!(
        events[0]["reason"].as_str().unwrap().contains("qa"),
        "{events:#?}"
    );
    assert_eq!(events[1]["status"], "proven");
}

#[test]
fn a_lapse_the_gm_takes_over_stops_failing_and_his_change_shows_what_he_took_on() {
    let repo = company("ssh");
    add_key(&repo, "wang.gm", &public_key("li.sales"));
    repo.commit_with(
        "li.sales",
        "2026-03-03",
        "people: keys",
        Signing::KeyOf("li.sales"),
    );
    let before_gm = head(&repo);
    fires(&repo.check(), "governance-unproven");
    // The GM commits people.toml as it stands (with a person added): the
    // file is his now, key included, and his change says so.
    repo.append(
        "people.toml",
        "[[person]]\nid = \"ma.qc\"\nname = \"Ma Lan\"\nroles = [\"qc\"]\ndepartment = \"qc\"\n",
    );
    repo.commit_with(
        "wang.gm",
        "2026-03-05",
        "people: Ma Lan",
        Signing::KeyOf("wang.gm"),
    );
    let run = repo.check();
    assert!(
        run.of("governance-unproven").is_empty(),
        "{:#?}",
        run.findings()
    );
    let base = repo.docket(&["check", "--base", &before_gm.to_string(), "--as-of", AS_OF]);
    let text = &base.stdout;
    assert_eq!(base.code, 1, "{}{}", base.stdout, base.stderr);
    let listed = text.find("governance change").expect(text);
    assert!(
        text[listed..].contains("keys added: wang.gm")
            && text[listed..].contains("people added: ma.qc"),
        "{text}"
    );
    // Each change is headed by its file, commit, author and verdict.
    let head = text[listed..].lines().nth(1).expect(text);
    let gm_commit = self::head(&repo).to_string();
    assert!(
        head.trim_start()
            .starts_with(&format!("people.toml in commit {}", &gm_commit[..10]))
            && head.contains("by Wang Daming (wang.gm)")
            && head.contains(": proven, SSH signature by wang.gm's key"),
        "{text}"
    );
}

#[test]
fn a_key_revoked_in_force_signs_nothing_from_that_day() {
    // The GM's laptop was stolen: people.toml already says his key is
    // revoked from 2026-03-05. Whoever holds it signs on the 6th: not
    // proven. Signed on the 4th, before the revocation: proven.
    gm_key_entry_signs(
        "revoked = 2026-03-05",
        &[
            ("2026-03-04", true),
            ("2026-03-05", false),
            ("2026-03-06", false),
        ],
        "revoked from 2026-03-05",
    );
}

#[test]
fn a_warm_proof_cache_follows_a_revocation_made_later() {
    // The proofs of a file are cached by its revisions; a revocation that
    // reaches back changes a proof without touching the record, so the
    // policy's history is part of the cache key.
    let repo = company("ssh");
    review(&repo, "wang.gm", Signing::KeyOf("wang.gm"));
    clean(&repo.check());
    assert!(repo.top.join(".git/docket/proofs.json").is_file());
    repo.edit(
        "people.toml",
        &format!("keys = [\"{}\"]", public_key("wang.gm")),
        &format!(
            "keys = [{{ key = \"{}\", revoked = 2026-03-01 }}]",
            public_key("wang.gm")
        ),
    );
    repo.commit_with(
        "wang.gm",
        "2026-03-10",
        "people: the key was stolen on 1 March",
        Signing::KeyOf("wang.gm"),
    );
    let s = one(&repo.check(), "signature-unproven", ORDER_PATH);
    assert!(
        s.message.contains("revoked from 2026-03-01"),
        "{}",
        s.message
    );
}

/// docket does not run without people.toml and docket.toml, so deleting
/// one never takes effect, even by the GM: were people.toml's deletion in
/// force, nobody would be left to govern the file put back. The GM who
/// deleted it commits it back; that is governed, and the policy never
/// lapsed in between.
#[test]
fn deleting_people_toml_or_docket_toml_never_takes_effect() {
    for file in ["people.toml", "docket.toml"] {
        let repo = company("ssh");
        let boot = head(&repo);
        let text = repo.read(file);
        repo.remove(file);
        let gm = Signing::KeyOf("wang.gm");
        repo.commit_with("wang.gm", "2026-03-03", "retired", gm);
        // While it is gone, the GM's signed review is still judged by the
        // policy in force: ssh, with his key.
        review(&repo, "wang.gm", gm);
        // Put back but not yet committed: the deletion is reported, with
        // what to do.
        repo.write(file, &text);
        let g = one(&repo.check(), "governance-unproven", file);
        assert!(g.message.contains("commit the file back"), "{}", g.message);
        repo.commit_with("wang.gm", "2026-03-04", "restored", gm);
        let run = repo.check();
        assert!(
            run.of("governance-unproven").is_empty(),
            "{file}: {:#?}",
            run.findings()
        );
        clean(&run);
        let events = governance_since(&repo, boot);
        assert_eq!(events.len(), 2, "{file}: {events:#?}");
        assert_eq!(events[0]["status"], "unproven", "{file}: {events:#?}");
        assert!(
            events[0]["reason"]
                .as_str()
                .is_some_and(|r| r.contains("cannot run without it")),
            "{file}: {events:#?}"
        );
        assert_eq!(events[1]["status"], "proven", "{file}: {events:#?}");
    }
}

/// A procedure the GM deletes and later restores comes back as new: its
/// restoring change lists the clauses it adds, not nothing.
#[test]
fn a_procedure_deleted_and_restored_comes_back_with_its_clauses_listed() {
    let repo = company("author");
    review(&repo, "wang.gm", Signing::Unsigned);
    let boot = head(&repo);
    let text = "# Procedure\n\n## Orders {#c4.2.1}\n\nReview.\n";
    repo.write("procedure.md", text);
    repo.commit_as("wang.gm", "2026-03-04", "Procedure");
    repo.remove("procedure.md");
    repo.commit_as("wang.gm", "2026-03-05", "Procedure withdrawn");
    repo.write("procedure.md", text);
    repo.commit_as("wang.gm", "2026-03-06", "Procedure restored");
    let events = governance_since(&repo, boot);
    assert_eq!(events.len(), 3, "{events:#?}");
    let changes = |e: &serde_json::Value| e["changes"].to_string();
    assert!(changes(&events[1]).contains("deleted"), "{events:#?}");
    assert!(
        changes(&events[2]).contains("procedure clauses added: c4.2.1"),
        "{events:#?}"
    );
}

/// The SHA-256 fingerprint of `person`'s key, as `ssh-keygen -lf` shows it.
fn fingerprint_of(person: &str) -> String {
    ssh_key::PublicKey::from_openssh(&public_key(person))
        .unwrap()
        .fingerprint(ssh_key::HashAlg::Sha256)
        .to_string()
}

#[test]
fn the_gms_yearly_people_update_is_listed_change_by_change() {
    // The reviewer of a people.toml change reads what it puts in force,
    // one line per kind of change, never a text diff.
    let repo = company("ssh");
    let boot = head(&repo);
    let key = |id: &str| format!("keys = [\"{}\"]", public_key(id));
    let zhao_keys = key("zhao.mfg");
    let people = people_toml_with_keys()
        .replace("name = \"Li Mei\"", "name = \"Li Mei-Wang\"")
        .replace("[\"li@acme.example\"]", "[\"li.mei@acme.example\"]")
        .replace("roles = [\"qc\"]", "roles = [\"qc\", \"sales\"]")
        .replace(
            &key("sun.qc"),
            &format!(
                "keys = [{{ key = \"{}\", revoked = 2026-03-04 }}]",
                public_key("sun.qc")
            ),
        )
        .replace(
            &key("wang.gm"),
            &format!(
                "keys = [{{ key = \"{}\", valid_before = 2027-12-31 }}]",
                public_key("wang.gm")
            ),
        )
        .replace("department = \"manufacturing\"", "department = \"qc\"")
        .replace(&zhao_keys, &format!("{zhao_keys}\nleft = 2026-03-31"))
        .replace(&key("chen.rnd"), "keys = []");
    let old_gm = people.find("[[person]]\nid = \"old.gm\"").unwrap();
    let people = format!(
        "{}[[person]]\nid = \"zhou.qc\"\nname = \"Zhou Lan\"\nemails = [\"zhou@acme.example\"]\n\
         roles = [\"qc\"]\ndepartment = \"qc\"\n{}\n",
        &people[..old_gm],
        key("old.gm")
    );
    repo.write("people.toml", &people);
    repo.commit_with(
        "wang.gm",
        "2026-03-05",
        "people: 2026",
        Signing::KeyOf("wang.gm"),
    );
    let gov = governance_since(&repo, boot);
    assert_eq!(gov.len(), 1, "{gov:#?}");
    assert_eq!(gov[0]["status"], "proven", "{gov:#?}");
    let want = [
        format!("keys added: zhou.qc {}", fingerprint_of("old.gm")),
        format!("keys removed: chen.rnd {}", fingerprint_of("chen.rnd")),
        format!(
            "keys revoked: sun.qc {} from 2026-03-04",
            fingerprint_of("sun.qc")
        ),
        format!("key windows changed: wang.gm {}", fingerprint_of("wang.gm")),
        "roles changed: sun.qc [qc] -> [qc, sales]".to_string(),
        "emails changed: li.sales [li@acme.example] -> [li.mei@acme.example]".to_string(),
        "people added: zhou.qc (Zhou Lan)".to_string(),
        "people removed: old.gm (Lin Old)".to_string(),
        "people left: zhao.mfg on 2026-03-31".to_string(),
        "departments changed: zhao.mfg manufacturing -> qc".to_string(),
        "names changed: li.sales \"Li Mei\" -> \"Li Mei-Wang\"".to_string(),
    ];
    assert_eq!(gov[0]["changes"], serde_json::json!(want), "{gov:#?}");

    // A day later the GM takes back the revocation and the leaving day.
    let boot = head(&repo);
    let people = people
        .replace(
            &format!(
                "keys = [{{ key = \"{}\", revoked = 2026-03-04 }}]",
                public_key("sun.qc")
            ),
            &key("sun.qc"),
        )
        .replace(&format!("{zhao_keys}\nleft = 2026-03-31"), &zhao_keys);
    repo.write("people.toml", &people);
    repo.commit_with(
        "wang.gm",
        "2026-03-06",
        "people: undo",
        Signing::KeyOf("wang.gm"),
    );
    let gov = governance_since(&repo, boot);
    let want = [
        format!("revocations removed: sun.qc {}", fingerprint_of("sun.qc")),
        "leaving days removed: zhao.mfg".to_string(),
    ];
    assert_eq!(gov[0]["changes"], serde_json::json!(want), "{gov:#?}");

    // An auditor who reads Chinese gets every kind of change in Chinese
    // in the audit page's governance log.
    let page = repo.page_in_chinese("audit.html");
    for kind in [
        "新增金鑰：zhou.qc SHA256:",
        "移除金鑰：chen.rnd SHA256:",
        "撤銷金鑰：sun.qc SHA256:",
        "取消撤銷：sun.qc SHA256:",
        "金鑰有效期間變更：wang.gm SHA256:",
        "角色變更：sun.qc [qc] -> [qc, sales]",
        "電子郵件變更：li.sales",
        "新增人員：zhou.qc (Zhou Lan)",
        "移除人員：old.gm (Lin Old)",
        "人員離職：zhao.mfg 於 2026-03-31",
        "取消離職日：zhao.mfg",
        "部門變更：zhao.mfg manufacturing -> qc",
        "姓名變更：li.sales",
    ] {
        assert!(page.contains(kind), "{kind} in\n{page}");
    }
}

#[test]
fn the_gms_docket_toml_change_is_listed_setting_by_setting() {
    let repo = company("author");
    review(&repo, "wang.gm", Signing::Unsigned);
    let boot = head(&repo);
    repo.edit(
        "docket.toml",
        "review_within_days = 3",
        "review_within_days = 5",
    );
    repo.edit("docket.toml", "Co., Ltd.\"", "Co.\"");
    repo.append(
        "docket.toml",
        "\n[rules]\noverdue = \"off\"\nreview-missing = \"warning\"\n",
    );
    repo.commit_as("wang.gm", "2026-03-04", "config: 2026");
    let gov = governance_since(&repo, boot);
    assert_eq!(gov.len(), 1, "{gov:#?}");
    assert_eq!(
        gov[0]["changes"],
        serde_json::json!([
            "policy.review_within_days: 3 -> 5",
            "company.name: \"Acme Precision Parts Co., Ltd.\" -> \"Acme Precision Parts Co.\"",
            "rules.review-missing: (default) -> \"warning\"",
            "rules.overdue: (default) -> \"off\"",
        ]),
        "{gov:#?}"
    );
    let boot = head(&repo);
    repo.edit("docket.toml", "overdue = \"off\"\n", "");
    repo.edit("docket.toml", "\"warning\"", "\"error\"");
    repo.commit_as("wang.gm", "2026-03-05", "config: overdue back on");
    let gov = governance_since(&repo, boot);
    assert_eq!(
        gov[0]["changes"],
        serde_json::json!([
            "rules.review-missing: \"warning\" -> \"error\"",
            "rules.overdue: \"off\" -> (default)",
        ]),
        "{gov:#?}"
    );
    let page = repo.page_in_chinese("audit.html");
    for said in [
        "rules.overdue：（預設） → \"off\"",
        "rules.overdue：\"off\" → （預設）",
        "policy.review_within_days：3 → 5",
    ] {
        assert!(page.contains(said), "{said} in\n{page}");
    }
}

#[test]
fn the_gms_procedure_revision_is_listed_clause_by_clause() {
    let repo = company("author");
    review(&repo, "wang.gm", Signing::Unsigned);
    let v1 = "# Procedure\n\nThe GM owns this text.\n\n\
              ## Orders {#c4.2.1}\n\nSee {#c9} for forms.\nReview within 3 days.\n\n\
              ## Changes {#c4.2.2}\n\nRecord every change.\n\n\
              ## Delivery {#c4.3}\n\nOn time.\n";
    repo.write("procedure.md", v1);
    repo.commit_as("wang.gm", "2026-03-04", "Procedure");
    let boot = head(&repo);
    // 4.2.1 rewritten below an inline `{#c9}` (not a heading, so not a
    // clause), 4.2.2 dropped, 4.4 added, 4.3 untouched.
    let v2 = v1
        .replace("Review within 3 days.", "Review within 5 days.")
        .replace("## Changes {#c4.2.2}\n\nRecord every change.\n\n", "")
        .replace(
            "On time.\n",
            "On time.\n\n  ## Returns {#c4.4}\n\nInspect.\n",
        );
    repo.write("procedure.md", &v2);
    repo.commit_as("wang.gm", "2026-03-05", "Procedure rev. B");
    let gov = governance_since(&repo, boot);
    assert_eq!(
        gov[0]["changes"],
        serde_json::json!([
            "procedure clauses changed: c4.2.1",
            "procedure clauses added: c4.4",
            "procedure clauses removed: c4.2.2",
        ]),
        "{gov:#?}"
    );
    // Only the preamble changes: no clause to name, but it is a change.
    let boot = head(&repo);
    repo.write(
        "procedure.md",
        &v2.replace("The GM owns", "Wang Daming owns"),
    );
    repo.commit_as("wang.gm", "2026-03-06", "Procedure rev. C");
    let gov = governance_since(&repo, boot);
    assert_eq!(
        gov[0]["changes"],
        serde_json::json!(["procedure text changed outside its numbered clauses"]),
        "{gov:#?}"
    );
}
