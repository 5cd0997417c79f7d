//! Trusted time on the site: the record page shows a verified token's
//! time and TSA next to the signature, and a token that does not verify
//! shows no time and says why in a reader's words; the audit page lists
//! the TSA certificates trusted and the tokens' coverage. Real git
//! repositories, tokens made by the test's own TSA (timestamps.rs).

use crate::fixture::*;
use crate::timestamps::{
    FROM, STAMPED_AT, UNTIL, company_under, digest_of, pki, put_token, put_valid_token,
};
use docket::tsa::Cert;
use docket::tsa::issue::{CertSpec, Signer, issue, key_from_seed, pem};
use sha2::Digest;
use std::sync::Arc;

/// 2026-03-03 02:02:10 UTC, 10:02:10 at the company's +08:00: two
/// minutes after the review's commit (10:00 +08:00).
const TWO_MINUTES_LATER: i64 = 1_772_503_330;

fn build(repo: &Repo) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let run = repo.docket(&["build", "--out", out.to_str().unwrap(), "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    (dir, out)
}

fn page(out: &std::path::Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap()
}

/// The review's row (the GM's) in the order page's signature table.
fn review_row(out: &std::path::Path) -> String {
    let html = page(out, "orders/SO-2026-0001.html");
    html.split("<tr class=\"sig-")
        .skip(1)
        .map(|r| r.split("</tr>").next().unwrap().to_string())
        .find(|r| r.contains("Wang Daming (wang.gm)"))
        .unwrap_or_else(|| panic!("no review row in\n{html}"))
}

#[test]
fn the_record_page_shows_a_verified_token_s_time_and_tsa() {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, _) = company_under("author", "required", 2, &p.root_pem);
    put_valid_token(&repo, &review, &p.signer, TWO_MINUTES_LATER);
    let (_dir, out) = build(&repo);
    let row = review_row(&out);
    assert!(
        row.contains(
            "signed 2026-03-03 10:00:00 +08:00, timestamped 10:02:10 by CN=Test TSA,O=Test Trust"
        ),
        "{row}"
    );
    assert!(row.contains("ts-trusted"), "{row}");

    // In Chinese too, the TSA named the same way.
    repo.edit("docket.toml", "language = \"en\"", "language = \"zh-Hant\"");
    let (_dir, out) = build(&repo);
    let row = review_row(&out);
    assert!(
        row.contains(
            "簽核於 2026-03-03 10:00:00 +08:00，時間戳記 10:02:10，由 CN=Test TSA,O=Test Trust 簽發"
        ),
        "{row}"
    );
}

#[test]
fn a_token_on_another_day_shows_its_date() {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, _) = company_under("author", "required", 2, &p.root_pem);
    // 2026-03-04 10:02:10 +08:00: a day later, within the two days allowed.
    put_token(
        &repo,
        &review,
        &p.signer.token(
            &digest_of(&repo, &review),
            None,
            true,
            TWO_MINUTES_LATER + 86_400,
            1,
        ),
    );
    let (_dir, out) = build(&repo);
    let row = review_row(&out);
    assert!(
        row.contains("timestamped 2026-03-04 10:02:10 +08:00 by CN=Test TSA"),
        "{row}"
    );
}

#[test]
fn a_token_that_does_not_verify_shows_no_time_and_says_why() {
    let p = pki(1, FROM, UNTIL);
    let stranger = pki(2, FROM, UNTIL);
    let (repo, review, verified) = company_under("author", "required", 2, &p.root_pem);
    let good = p
        .signer
        .token(&digest_of(&repo, &review), None, true, STAMPED_AT, 1);
    // Tampered: its time moved back, after the TSA signed it.
    let at = good
        .windows(15)
        .position(|w| w == b"20260305000000Z")
        .unwrap();
    let mut tampered = good.clone();
    tampered[at..at + 15].copy_from_slice(b"20260303020210Z");
    let cases: [(&str, Vec<u8>); 3] = [
        (
            "its timestamp was altered after the timestamping authority signed it",
            tampered,
        ),
        (
            "its timestamp is for another commit",
            p.signer
                .token(&digest_of(&repo, &verified), None, true, STAMPED_AT, 2),
        ),
        (
            "its timestamp comes from an authority this company does not trust",
            stranger
                .signer
                .token(&digest_of(&repo, &review), None, true, STAMPED_AT, 3),
        ),
    ];
    for (why, token) in cases {
        put_token(&repo, &review, &token);
        let (_dir, out) = build(&repo);
        let row = review_row(&out);
        assert!(
            row.contains(&format!("no trusted time: {why}")),
            "{why}:\n{row}"
        );
        assert!(row.contains("ts-invalid"), "{row}");
        assert!(
            !row.contains("timestamped"),
            "{why}: a time is shown\n{row}"
        );
        // The commit's own time is still shown, as the signer's claim.
        assert!(row.contains("2026-03-03 10:00:00 +08:00"), "{row}");
    }
    // No token at all: said so, no time.
    std::fs::remove_dir_all(repo.path("timestamps")).unwrap();
    let (_dir, out) = build(&repo);
    let row = review_row(&out);
    assert!(row.contains("not timestamped yet"), "{row}");
    assert!(!row.contains("timestamped 2"), "{row}");
}

#[test]
fn timestamps_off_shows_nothing_about_them() {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, _) = company_under("author", "off", 2, &p.root_pem);
    put_valid_token(&repo, &review, &p.signer, TWO_MINUTES_LATER);
    let (_dir, out) = build(&repo);
    let row = review_row(&out);
    assert!(!row.contains("timestamp"), "{row}");
    assert!(!row.contains("ts-"), "{row}");
}

/// A root named `root_subject` and a TSA named `tsa_subject` under it:
/// the root (trusted by the company when its PEM is listed) and the TSA.
fn tsa_named(root_subject: &str, tsa_subject: &str) -> (Cert, Arc<Signer>) {
    let root_key = key_from_seed(9, "root");
    let root = issue(&CertSpec::ca(root_subject, 1, FROM, UNTIL), &root_key, None).unwrap();
    let key = key_from_seed(9, "tsa");
    let cert = issue(
        &CertSpec::tsa(tsa_subject, 2, FROM, UNTIL),
        &key,
        Some((&root_key, &root)),
    )
    .unwrap();
    (root, Arc::new(Signer::new(key, cert, vec![])))
}

/// A TSA whose certificate subjects are hostile markup, trusted by the
/// company (a root it listed).
fn hostile_tsa() -> (String, Arc<Signer>) {
    let (root, signer) = tsa_named(
        "CN=<script>alert(1)</script>,O=Test Trust",
        "CN=<img src=x onerror=alert(1)> & Co,O=Test Trust",
    );
    (pem(&root), signer)
}

#[test]
fn a_tsa_subject_is_escaped_on_the_record_page() {
    let (root, signer) = hostile_tsa();
    let (repo, review, _) = company_under("author", "required", 2, &root);
    put_valid_token(&repo, &review, &signer, TWO_MINUTES_LATER);
    let (_dir, out) = build(&repo);
    let html = page(&out, "orders/SO-2026-0001.html");
    assert!(!html.contains("<img src=x"), "unescaped TSA subject");
    let audit = page(&out, "audit.html");
    assert!(
        !audit.contains("<script>alert") && audit.contains("&lt;script"),
        "unescaped root subject on the audit page"
    );
    let row = review_row(&out);
    // RFC 4514 escapes `<` and `>` with a backslash; the page, as HTML.
    assert!(
        row.contains("by CN=\\&lt;img src=x onerror=alert(1)\\&gt; &amp; Co"),
        "{row}"
    );
}

/// The text of the audit page's block `anchor`, up to the next block.
fn audit_block(out: &std::path::Path, anchor: &str) -> String {
    let html = page(out, "audit.html");
    let at = html
        .find(&format!("id=\"{anchor}\""))
        .unwrap_or_else(|| panic!("no {anchor} block in\n{html}"));
    let rest = &html[at..];
    rest[..rest.find("</section>").unwrap_or(rest.len())].to_string()
}

#[test]
fn the_audit_page_lists_the_tsa_certificates_trusted() {
    let (root, signer) = tsa_named("CN=Acme Root CA,O=Acme Trust", "CN=Acme TSA,O=Acme Trust");
    let (repo, review, _) = company_under("author", "optional", 2, &pem(&root));
    put_valid_token(&repo, &review, &signer, TWO_MINUTES_LATER);
    let (_dir, out) = build(&repo);
    let certs = audit_block(&out, "tsa-certificates");
    let sha: String = sha2::Sha256::digest(&root.der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for want in [
        "tsa/tsa-chain.pem",
        "CN=Acme Root CA,O=Acme Trust",
        sha.as_str(),
        "2025-01-01 00:00:00 UTC",
        "2035-01-01 00:00:00 UTC",
    ] {
        assert!(certs.contains(want), "lacks {want}:\n{certs}");
    }

    // A certificate file that is not one is named, with why.
    std::fs::write(repo.path("tsa/tsa-chain.pem"), "not a certificate\n").unwrap();
    let (_dir, out) = build(&repo);
    let certs = audit_block(&out, "tsa-certificates");
    assert!(
        certs.contains("tsa/tsa-chain.pem: not PEM certificates"),
        "{certs}"
    );

    // Timestamps off: no such block.
    repo.edit("docket.toml", "policy = \"optional\"", "policy = \"off\"");
    let (_dir, out) = build(&repo);
    let html = page(&out, "audit.html");
    assert!(!html.contains("id=\"tsa-certificates\""));
    assert!(!html.contains("id=\"timestamp-coverage\""));
}

/// The value of the field `label` of a block: the text of its `<dd>`.
fn field<'a>(block: &'a str, label: &str) -> &'a str {
    let at = block
        .find(&format!("<dt>{label}</dt><dd>"))
        .unwrap_or_else(|| panic!("no field {label} in\n{block}"));
    let rest = &block[at + label.len() + 13..];
    &rest[..rest.find("</dd>").unwrap()]
}

#[test]
fn the_audit_page_gives_the_tokens_coverage() {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, verified) = company_under("author", "required", 2, &p.root_pem);
    put_valid_token(&repo, &review, &p.signer, TWO_MINUTES_LATER);
    // The property's token is the review's: for another commit.
    put_token(
        &repo,
        &verified,
        &p.signer
            .token(&digest_of(&repo, &review), None, true, STAMPED_AT, 2),
    );
    let (_dir, out) = build(&repo);
    let cov = audit_block(&out, "timestamp-coverage");
    assert!(
        field(&cov, "Timestamp policy").contains("required"),
        "{cov}"
    );
    assert!(field(&cov, "Signing commits") == "2", "{cov}");
    assert!(field(&cov, "with a valid timestamp") == "1", "{cov}");
    assert!(field(&cov, "without a timestamp") == "0", "{cov}");
    assert!(
        field(&cov, "with a timestamp that does not verify") == "1",
        "{cov}"
    );
    // The one not covered is named, with the reason in words and in full;
    // the covered one is not listed.
    assert!(cov.contains(&verified[..10]), "{cov}");
    assert!(!cov.contains(&review[..10]), "{cov}");
    assert!(cov.contains("CP-2026-0001 verified"), "{cov}");
    assert!(cov.contains("its timestamp is for another commit"), "{cov}");
    assert!(
        cov.contains("its message imprint is not the SHA-256"),
        "{cov}"
    );

    // Without the property's token: one without, none invalid.
    std::fs::remove_file(repo.path(&format!("timestamps/{verified}.tsr"))).unwrap();
    let (_dir, out) = build(&repo);
    let cov = audit_block(&out, "timestamp-coverage");
    assert!(field(&cov, "without a timestamp") == "1", "{cov}");
    assert!(
        field(&cov, "with a timestamp that does not verify") == "0",
        "{cov}"
    );
    assert!(cov.contains("not timestamped yet"), "{cov}");
}
