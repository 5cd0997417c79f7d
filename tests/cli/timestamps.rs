//! RFC 3161 timestamps: `docket stamp` against a TSA of the test's own on
//! 127.0.0.1 (no network), and `docket check` on the tokens it stored, on
//! real git repositories. Each way a token can fail is a case: another
//! commit's token, a tampered one, an untrusted TSA, a TSA certificate not
//! valid at the token's time; and the policy's severities and the
//! `within_days` boundary. Interoperability with OpenSSL is in
//! `timestamps_openssl.rs`.

use crate::fixture::*;
use docket::tsa::issue::{CertSpec, Signer, issue, key_from_seed, pem};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// 2025-01-01 and 2035-01-01 (seconds since 1970): the test PKI's validity.
pub const FROM: i64 = 1_735_689_600;
pub const UNTIL: i64 = 2_051_222_400;
/// 2026-03-05 00:00 UTC: when the test TSA says it stamped.
pub const STAMPED_AT: i64 = 1_772_668_800;

/// A root CA and a TSA certificate under it, made by docket's own signer.
pub struct Pki {
    pub root_pem: String,
    pub signer: Arc<Signer>,
}

pub fn pki(seed: u64, tsa_from: i64, tsa_until: i64) -> Pki {
    let root_key = key_from_seed(seed, "root");
    let root = issue(
        &CertSpec::ca("CN=Test Root CA,O=Test Trust", 1, FROM, UNTIL),
        &root_key,
        None,
    )
    .unwrap();
    let key = key_from_seed(seed, "tsa");
    let cert = issue(
        &CertSpec::tsa("CN=Test TSA,O=Test Trust", 2, tsa_from, tsa_until),
        &key,
        Some((&root_key, &root)),
    )
    .unwrap();
    Pki {
        root_pem: pem(&root),
        signer: Arc::new(Signer::new(key, cert, vec![])),
    }
}

/// An RFC 3161 responder on 127.0.0.1: just enough HTTP/1.1 for one POST
/// per connection. It stops by itself after `max` requests or a minute.
pub struct Server {
    pub url: String,
    pub hits: Arc<AtomicUsize>,
    /// The Content-Type of each request.
    pub content_types: Arc<Mutex<Vec<String>>>,
}

pub fn serve(max: usize, answer: impl Fn(&[u8]) -> Vec<u8> + Send + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/tsr", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let content_types = Arc::new(Mutex::new(Vec::new()));
    let (h, ct) = (hits.clone(), content_types.clone());
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline && h.load(Ordering::SeqCst) < max {
            match listener.accept() {
                Ok((stream, _)) => {
                    h.fetch_add(1, Ordering::SeqCst);
                    let _ = answer_one(stream, &answer, &ct);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    Server {
        url,
        hits,
        content_types,
    }
}

fn answer_one(
    mut stream: TcpStream,
    answer: &impl Fn(&[u8]) -> Vec<u8>,
    types: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .map(|v| v.trim().to_string())
    };
    types
        .lock()
        .unwrap()
        .push(header("content-type").unwrap_or_default());
    let len: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = answer(&buf[head_end..(head_end + len).min(buf.len())]);
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}

/// A TSA signing every request with `signer` at [`STAMPED_AT`].
pub fn tsa(signer: &Arc<Signer>, max: usize) -> Server {
    let s = signer.clone();
    let serial = AtomicUsize::new(1);
    serve(max, move |req| {
        s.respond(
            req,
            STAMPED_AT,
            serial.fetch_add(1, Ordering::SeqCst) as u64,
        )
    })
}

/// A records repository with two signing commits: the GM's review of the
/// order (2026-03-03) and QC's verification of customer property
/// (2026-03-04), under `[timestamps] policy` and `within_days`, trusting
/// `root_pem`. Returns it with the two signing commits' ids.
pub fn company(policy: &str, within_days: u32, root_pem: &str) -> (Repo, String, String) {
    company_under("none", policy, within_days, root_pem)
}

/// [`company`] under `signatures` (the fixture's default is "none").
pub fn company_under(
    signatures: &str,
    policy: &str,
    within_days: u32,
    root_pem: &str,
) -> (Repo, String, String) {
    let repo = Repo::empty();
    repo.set_policy(signatures);
    repo.append(
        "docket.toml",
        &format!(
            "[timestamps]\npolicy = \"{policy}\"\ncertificates = [\"tsa/tsa-chain.pem\"]\nwithin_days = {within_days}\n"
        ),
    );
    repo.write("tsa/tsa-chain.pem", root_pem);
    repo.write("customers/C-0001.toml", CUSTOMER);
    repo.write("products/AP-SH-1020.toml", PRODUCT);
    let review = "[review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = 2026-03-03\n\n";
    repo.write(ORDER_PATH, &ORDER.replace(review, ""));
    repo.write(FLOWSHEET_PATH, FLOWSHEET);
    repo.write("surveys/2026/SV-2026-0001.toml", SURVEY);
    let verified = "\n[verified]\nby = \"sun.qc\"\ndate = 2026-03-03\n";
    repo.write(PROPERTY_PATH, &PROPERTY.replace(verified, ""));
    repo.git_init();
    repo.commit_as(
        "li.sales",
        "2026-03-02",
        "Order SO-2026-0001 and property received",
    );
    repo.write(ORDER_PATH, ORDER);
    let a = repo.commit_as("wang.gm", "2026-03-03", "Review SO-2026-0001");
    repo.write(PROPERTY_PATH, &PROPERTY.replace("2026-03-03", "2026-03-04"));
    let b = repo.commit_as("sun.qc", "2026-03-04", "Property CP-2026-0001 verified");
    (repo, a.to_string(), b.to_string())
}

fn token_files(repo: &Repo) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(repo.path("timestamps")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = dir
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn stamp(repo: &Repo, url: &str) -> Run {
    repo.docket(&["stamp", "--url", url])
}

/// The message of the one `timestamp-missing` finding on `file`.
fn missing_on(run: &Run, file: &str) -> String {
    let f: Vec<F> = run
        .of("timestamp-missing")
        .into_iter()
        .filter(|f| f.file == file)
        .collect();
    assert_eq!(f.len(), 1, "{:#?}", run.findings());
    f[0].message.clone()
}

#[test]
fn stamp_then_check_is_clean() {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, verified) = company("required", 2, &p.root_pem);
    // Before: both signatures are past the two days, without a token.
    let before = repo.check();
    assert_eq!(before.code, 1);
    let msg = missing_on(&before, ORDER_PATH);
    assert!(
        msg.contains(&format!("there is no timestamps/{review}.tsr")),
        "{msg}"
    );
    assert_eq!(before.of("timestamp-missing")[0].severity, "error");
    missing_on(&before, PROPERTY_PATH);

    let server = tsa(&p.signer, 10);
    let run = stamp(&repo, &server.url);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("stamped 2 signing commits"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&review) && run.stdout.contains(&verified),
        "{}",
        run.stdout
    );
    assert_eq!(token_files(&repo), {
        let mut v = vec![format!("{review}.tsr"), format!("{verified}.tsr")];
        v.sort();
        v
    });
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
    for ct in server.content_types.lock().unwrap().iter() {
        assert_eq!(ct, "application/timestamp-query");
    }
    // The tokens and the certificates are no strays to the loader either.
    clean(&repo.check());
}

#[test]
fn stamp_is_idempotent() {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, _) = company("required", 2, &p.root_pem);
    let server = tsa(&p.signer, 10);
    assert_eq!(stamp(&repo, &server.url).code, 0);
    let token = std::fs::read(repo.path(&format!("timestamps/{review}.tsr"))).unwrap();
    let again = stamp(&repo, &server.url);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stdout
            .contains("nothing to stamp: 2 signing commits already have a valid token"),
        "{}",
        again.stdout
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), 2, "asked the TSA again");
    assert_eq!(
        std::fs::read(repo.path(&format!("timestamps/{review}.tsr"))).unwrap(),
        token
    );
}

#[test]
fn an_unreachable_tsa_exits_2_and_writes_nothing() {
    let p = pki(1, FROM, UNTIL);
    let (repo, ..) = company("required", 2, &p.root_pem);
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = stamp(&repo, &format!("http://127.0.0.1:{port}/tsr"));
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("cannot reach the TSA"),
        "{}",
        run.stderr
    );
    assert_eq!(token_files(&repo), Vec::<String>::new());
}

#[test]
fn a_tsa_answering_garbage_or_for_other_bytes_gets_nothing_stored() {
    let p = pki(1, FROM, UNTIL);
    let (repo, ..) = company("required", 2, &p.root_pem);
    let garbage = serve(5, |_| b"<html><body>502 Bad Gateway</body></html>".to_vec());
    let run = stamp(&repo, &garbage.url);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("was not stored") && run.stderr.contains("not a DER TimeStampResp"),
        "{}",
        run.stderr
    );
    assert_eq!(token_files(&repo), Vec::<String>::new());

    // A validly signed token, over other bytes than the request's.
    let s = p.signer.clone();
    let other = serve(5, move |_| s.token(&[9; 32], None, true, STAMPED_AT, 1));
    let run = stamp(&repo, &other.url);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("timestamps other bytes"),
        "{}",
        run.stderr
    );
    assert_eq!(token_files(&repo), Vec::<String>::new());

    // The right token, replayed: it answers another request's nonce.
    let s = p.signer.clone();
    let replay = serve(5, move |req| {
        let asked = docket::tsa::request::read_request(req).unwrap();
        s.token(&asked.digest, Some(&[1, 2, 3]), true, STAMPED_AT, 1)
    });
    let run = stamp(&repo, &replay.url);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nonce"), "{}", run.stderr);
    assert_eq!(token_files(&repo), Vec::<String>::new());

    // A TSA the repository does not trust.
    let stranger = pki(2, FROM, UNTIL);
    let untrusted = tsa(&stranger.signer, 5);
    let run = stamp(&repo, &untrusted.url);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not trusted"), "{}", run.stderr);
    assert_eq!(token_files(&repo), Vec::<String>::new());
}

#[test]
fn stamp_refuses_an_https_url_and_says_why() {
    let p = pki(1, FROM, UNTIL);
    let (repo, ..) = company("required", 2, &p.root_pem);
    let run = stamp(&repo, "https://tsa.example/tsr");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("plain http://"), "{}", run.stderr);
}

/// Write a token for `commit` into the repository, made by `signer` over
/// `digest` (the commit's own unless given).
pub fn put_token(repo: &Repo, commit: &str, token: &[u8]) {
    repo.write_bytes(&format!("timestamps/{commit}.tsr"), token);
}

/// A valid token by `signer` for `commit`'s own commit object, dated `at`
/// (seconds since the epoch), put where the CI stamp job puts it.
pub fn put_valid_token(repo: &Repo, commit: &str, signer: &Signer, at: i64) {
    put_token(
        repo,
        commit,
        &signer.token(&digest_of(repo, commit), None, true, at, 1),
    );
}

pub fn digest_of(repo: &Repo, commit: &str) -> [u8; 32] {
    docket::tsa::commit_digest(&repo.git(), commit).unwrap()
}

#[test]
fn a_token_for_another_commit_is_not_valid_and_says_so() {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, verified) = company("required", 2, &p.root_pem);
    let t = p
        .signer
        .token(&digest_of(&repo, &verified), None, true, STAMPED_AT, 1);
    put_token(&repo, &verified, &t);
    put_token(&repo, &review, &t);
    let run = repo.check();
    assert!(
        run.of("timestamp-missing")
            .iter()
            .all(|f| f.file != PROPERTY_PATH)
    );
    let msg = missing_on(&run, ORDER_PATH);
    assert!(
        msg.contains("is not valid") && msg.contains("another commit"),
        "{msg}"
    );
    // The SHA-1 commit id is not what is stamped either.
    let id = git2::Oid::from_str(&review).unwrap();
    let mut padded = [0u8; 32];
    padded[..20].copy_from_slice(id.as_bytes());
    put_token(
        &repo,
        &review,
        &p.signer.token(&padded, None, true, STAMPED_AT, 2),
    );
    assert!(missing_on(&repo.check(), ORDER_PATH).contains("another commit"));
}

#[test]
fn a_tampered_token_is_not_valid() {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, _) = company("required", 2, &p.root_pem);
    let good = p
        .signer
        .token(&digest_of(&repo, &review), None, true, STAMPED_AT, 1);
    // genTime 2026-03-05 made 2026-03-02: before the commit it stamps.
    let at = good
        .windows(15)
        .position(|w| w == b"20260305000000Z")
        .unwrap();
    let mut bad = good.clone();
    bad[at..at + 15].copy_from_slice(b"20260302000000Z");
    put_token(&repo, &review, &bad);
    let msg = missing_on(&repo.check(), ORDER_PATH);
    assert!(msg.contains("altered after the TSA signed it"), "{msg}");
}

#[test]
fn a_token_from_an_untrusted_tsa_is_not_valid() {
    let p = pki(1, FROM, UNTIL);
    let stranger = pki(2, FROM, UNTIL);
    let (repo, review, _) = company("required", 2, &p.root_pem);
    put_token(
        &repo,
        &review,
        &stranger
            .signer
            .token(&digest_of(&repo, &review), None, true, STAMPED_AT, 1),
    );
    let msg = missing_on(&repo.check(), ORDER_PATH);
    assert!(msg.contains("its TSA is not trusted"), "{msg}");
}

#[test]
fn a_token_outside_its_certificate_s_validity_is_not_valid() {
    // The TSA's certificate ran out on 2026-01-01, before the token.
    let p = pki(1, FROM, 1_767_225_600);
    let (repo, review, _) = company("required", 2, &p.root_pem);
    put_valid_token(&repo, &review, &p.signer, STAMPED_AT);
    let msg = missing_on(&repo.check(), ORDER_PATH);
    assert!(
        msg.contains("after the certificate of CN=Test TSA,O=Test Trust expired"),
        "{msg}"
    );
}

#[test]
fn a_token_linked_from_outside_the_records_root_is_not_read() {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, _) = company("required", 2, &p.root_pem);
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("token.tsr");
    std::fs::write(
        &target,
        p.signer
            .token(&digest_of(&repo, &review), None, true, STAMPED_AT, 1),
    )
    .unwrap();
    std::fs::create_dir_all(repo.path("timestamps")).unwrap();
    std::os::unix::fs::symlink(&target, repo.path(&format!("timestamps/{review}.tsr"))).unwrap();
    let msg = missing_on(&repo.check(), ORDER_PATH);
    assert!(msg.contains("is a link leaving the records root"), "{msg}");
}

#[test]
fn policy_sets_the_severity() {
    let p = pki(1, FROM, UNTIL);
    let (optional, ..) = company("optional", 2, &p.root_pem);
    let run = optional.check();
    assert_eq!(run.code, 0, "warnings only");
    let found = run.of("timestamp-missing");
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|f| f.severity == "warning"));

    let (required, ..) = company("required", 2, &p.root_pem);
    let run = required.check();
    assert_eq!(run.code, 1);
    assert!(
        run.of("timestamp-missing")
            .iter()
            .all(|f| f.severity == "error")
    );

    let (off, ..) = company("off", 2, &p.root_pem);
    clean(&off.check());

    // [rules] still has the last word.
    required.append("docket.toml", "[rules]\ntimestamp-missing = \"warning\"\n");
    let run = required.check();
    assert_eq!(run.code, 0);
    assert!(
        run.of("timestamp-missing")
            .iter()
            .all(|f| f.severity == "warning")
    );
}

#[test]
fn within_days_is_counted_from_the_committer_date_to_the_as_of_date() {
    let p = pki(1, FROM, UNTIL);
    let (repo, ..) = company("required", 2, &p.root_pem);
    // The review was committed 2026-03-03: two days later is still in time.
    let near_miss = repo.check_as_of("2026-03-05");
    assert!(
        near_miss.of("timestamp-missing").is_empty(),
        "{:#?}",
        near_miss.findings()
    );
    // The third day it is late; the property (2026-03-04) is not yet.
    let late = repo.check_as_of("2026-03-06");
    let msg = missing_on(&late, ORDER_PATH);
    assert!(
        msg.contains("3 days ago") && msg.contains("allows 2 days"),
        "{msg}"
    );
    assert!(
        late.of("timestamp-missing")
            .iter()
            .all(|f| f.file != PROPERTY_PATH)
    );
}

#[test]
fn unreadable_certificates_are_named() {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, _) = company("required", 2, &p.root_pem);
    put_valid_token(&repo, &review, &p.signer, STAMPED_AT);
    repo.write("tsa/tsa-chain.pem", "not a certificate\n");
    let msg = missing_on(&repo.check(), ORDER_PATH);
    assert!(
        msg.contains("tsa/tsa-chain.pem") && msg.contains("cannot be read"),
        "{msg}"
    );
    let server = tsa(&p.signer, 5);
    let run = stamp(&repo, &server.url);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("tsa/tsa-chain.pem"), "{}", run.stderr);
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        0,
        "asked before it could check"
    );
}

#[test]
fn timestamps_settings_fail_closed_like_every_other_key() {
    let p = pki(1, FROM, UNTIL);
    let cases = [
        (
            "policy = \"required\"",
            "policy = \"sometimes\"",
            "timestamps.policy",
        ),
        ("within_days = 2", "within_day = 2", "within_day"),
        (
            "certificates = [\"tsa/tsa-chain.pem\"]",
            "certificates = [\"../tsa-chain.pem\"]",
            "not a path inside the records root",
        ),
        (
            "certificates = [\"tsa/tsa-chain.pem\"]",
            "certificates = [\"/etc/tsa-chain.pem\"]",
            "not a path inside the records root",
        ),
        (
            "certificates = [\"tsa/tsa-chain.pem\"]",
            "certificates = [\"tsa//tsa-chain.pem\"]",
            "not a path inside the records root",
        ),
        (
            "certificates = [\"tsa/tsa-chain.pem\"]",
            "certificates = [\"tsa/./tsa-chain.pem\"]",
            "not a path inside the records root",
        ),
        (
            "certificates = [\"tsa/tsa-chain.pem\"]",
            "certificates = [\"tsa/.tsa-chain.pem\"]",
            "not a path inside the records root",
        ),
        (
            "certificates = [\"tsa/tsa-chain.pem\"]",
            "certificates = []",
            "lists no certificate",
        ),
        (
            // A root kept outside tsa/ would not be a controlled document:
            // anyone who can commit could swap it.
            "certificates = [\"tsa/tsa-chain.pem\"]",
            "certificates = [\"certs/tsa-chain.pem\"]",
            "is not a .pem file directly in tsa/",
        ),
        (
            "certificates = [\"tsa/tsa-chain.pem\"]",
            "certificates = [\"tsa/2026/tsa-chain.pem\"]",
            "is not a .pem file directly in tsa/",
        ),
        (
            "certificates = [\"tsa/tsa-chain.pem\"]",
            "certificates = [\"tsa/tsa-chain.crt\"]",
            "is not a .pem file directly in tsa/",
        ),
        (
            "within_days = 2",
            "within_days = 2\nurl = \"ftp://tsa.example\"",
            "not an http:// URL",
        ),
    ];
    for (from, to, says) in cases {
        let (repo, ..) = company("required", 2, &p.root_pem);
        repo.edit("docket.toml", from, to);
        // docket.toml is the policy: one it cannot read stops the run
        // (exit 2) with every problem as file:line, nothing judged.
        let run = repo.check();
        assert_eq!(run.code, 2, "{to}: {}", run.stderr);
        assert!(
            run.stderr.contains("docket.toml:") && run.stderr.contains(says),
            "{to}: {}",
            run.stderr
        );
    }
}

/// [`company`] under `signatures = "author"` from its first commit (the
/// signature rules judge nothing under "none"), with the review's token
/// made at `gen_time`.
fn stamped_review_at(gen_time: i64) -> Run {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, verified) = company_under("author", "required", 2, &p.root_pem);
    put_valid_token(&repo, &review, &p.signer, gen_time);
    put_token(
        &repo,
        &verified,
        &p.signer
            .token(&digest_of(&repo, &verified), None, true, STAMPED_AT, 2),
    );
    repo.check()
}

/// 2026-03-03 12:00 UTC plus `days`.
fn march_3_plus(days: i64) -> i64 {
    1_772_539_200 + days * 86_400
}

#[test]
fn signature_time_fires_for_a_commit_stamped_long_after_its_date() {
    // The review says it was committed on 2026-03-03, the TSA saw it on
    // the 10th: its date may have been set back (a leaver, a deadline).
    let run = stamped_review_at(march_3_plus(7));
    let found = run.of("signature-time");
    assert_eq!(found.len(), 1, "{:#?}", run.findings());
    assert_eq!(found[0].file, ORDER_PATH);
    assert!(
        found[0]
            .message
            .contains("timestamped on 2026-03-10, 7 days after")
            && found[0].message.contains("GIT_COMMITTER_DATE"),
        "{}",
        found[0].message
    );
}

#[test]
fn signature_time_fires_for_a_commit_dated_after_its_stamp() {
    let run = stamped_review_at(march_3_plus(-3));
    let found = run.of("signature-time");
    assert_eq!(found.len(), 1, "{:#?}", run.findings());
    assert!(
        found[0]
            .message
            .contains("proves the commit existed on 2026-02-28"),
        "{}",
        found[0].message
    );
}

#[test]
fn signature_time_near_miss_a_commit_dated_exactly_the_tolerance_after_its_stamp() {
    // date_tolerance_days = 1 (the default): a commit may claim a time up
    // to one day after the TSA saw it, and not a second more.
    let p = pki(1, FROM, UNTIL);
    let (repo, review, _) = company_under("author", "required", 2, &p.root_pem);
    let oid = git2::Oid::from_str(&review).unwrap();
    let committed = repo
        .git()
        .find_commit(oid)
        .unwrap()
        .committer()
        .when()
        .seconds();
    put_valid_token(&repo, &review, &p.signer, committed - 86_400);
    let run = repo.check();
    let dated_after = |run: &Run| {
        run.of("signature-time")
            .iter()
            .any(|f| f.message.contains("a commit dated after it was stamped"))
    };
    assert!(!dated_after(&run), "{:#?}", run.findings());
    put_valid_token(&repo, &review, &p.signer, committed - 86_400 - 1);
    let run = repo.check();
    assert!(dated_after(&run), "{:#?}", run.findings());
}

#[test]
fn signature_time_near_miss_a_stamp_within_days_after_the_commit() {
    // within_days = 2: stamped two days later is in time, and so is a
    // stamp the same day.
    for days in [0, 2] {
        let run = stamped_review_at(march_3_plus(days));
        assert!(
            run.of("signature-time").is_empty(),
            "{days}: {:#?}",
            run.findings()
        );
        assert!(run.of("timestamp-missing").is_empty(), "{days}");
    }
}

#[test]
fn governance_unproven_fires_for_a_tsa_root_swapped_by_sales() {
    // Whoever replaces the TSA's root with their own can stamp any date:
    // the certificates are controlled documents, like people.toml.
    let p = pki(1, FROM, UNTIL);
    let stranger = pki(2, FROM, UNTIL);
    let (repo, ..) = company_under("author", "required", 2, &p.root_pem);
    repo.write("tsa/tsa-chain.pem", &stranger.root_pem);
    repo.commit_as("li.sales", "2026-03-05", "tsa: new root");
    let run = repo.check();
    let found = run.of("governance-unproven");
    assert_eq!(found.len(), 1, "{:#?}", run.findings());
    assert_eq!(found[0].file, "tsa/tsa-chain.pem");
    assert!(
        found[0]
            .message
            .contains("TSA certificate tsa/tsa-chain.pem replaced: SHA-256")
            && found[0].message.contains("Li Mei"),
        "{}",
        found[0].message
    );
}

#[test]
fn governance_unproven_near_miss_notes_and_archives_beside_the_tsa_root() {
    // What docket cannot trust is not controlled: a README beside the
    // root, an expired root kept in a subfolder (the configuration
    // refuses to trust anything but tsa/*.pem).
    let p = pki(1, FROM, UNTIL);
    let old = pki(4, FROM, UNTIL);
    let (repo, ..) = company_under("author", "required", 2, &p.root_pem);
    repo.write(
        "tsa/README.md",
        "Our TSA is tsa.example; its root's SHA-256 is ...\n",
    );
    repo.write("tsa/expired/2025-root.pem", &old.root_pem);
    repo.commit_as("li.sales", "2026-03-05", "tsa: notes and the old root");
    let run = repo.check();
    assert!(
        run.of("governance-unproven").is_empty(),
        "{:#?}",
        run.findings()
    );
}

#[test]
fn governance_unproven_near_miss_the_gm_renews_the_tsa_root() {
    let p = pki(1, FROM, UNTIL);
    let renewed = pki(3, FROM, UNTIL);
    let (repo, ..) = company_under("author", "required", 2, &p.root_pem);
    repo.write("tsa/tsa-chain.pem", &renewed.root_pem);
    repo.commit_as("wang.gm", "2026-03-05", "tsa: renewed root");
    let run = repo.check();
    assert!(
        run.of("governance-unproven").is_empty(),
        "{:#?}",
        run.findings()
    );
    // And the change is listed first for the pull request's reviewer.
    let base = repo.docket(&["check", "--base", "HEAD~1", "--as-of", AS_OF]);
    assert!(
        base.stdout
            .contains("TSA certificate tsa/tsa-chain.pem replaced"),
        "{}",
        base.stdout
    );
}

#[test]
fn log_shows_the_trusted_time_next_to_the_signature() {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, _) = company_under("author", "required", 2, &p.root_pem);
    put_valid_token(&repo, &review, &p.signer, march_3_plus(0));
    let json = repo
        .docket(&["log", "SO-2026-0001", "--format", "json"])
        .json();
    let ts = &json["signatures"][0]["timestamp"];
    assert_eq!(ts["tsa"], "CN=Test TSA,O=Test Trust", "{json:#}");
    assert!(
        ts["time"].as_str().unwrap().starts_with("2026-03-03 "),
        "{json:#}"
    );
    let human = repo.docket(&["log", "SO-2026-0001"]);
    assert!(
        human.stdout.contains("timestamped 2026-03-03 ") && human.stdout.contains("CN=Test TSA"),
        "{}",
        human.stdout
    );
    // Without a token, nothing is claimed.
    std::fs::remove_dir_all(repo.path("timestamps")).unwrap();
    let json = repo
        .docket(&["log", "SO-2026-0001", "--format", "json"])
        .json();
    assert!(json["signatures"][0].get("timestamp").is_none(), "{json:#}");
}
