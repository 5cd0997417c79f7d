//! The memo of verified tokens (`.git/docket/stamps.json`): a warm check
//! takes a token it verified before from the memo, and nothing else. Tried
//! as an attacker would: a token swapped after the memo was written, the
//! trusted certificates changed, a doctored memo; each must be judged
//! from the token itself.

use crate::fixture::*;
use crate::timestamps::{FROM, STAMPED_AT, UNTIL, company, pki};

fn token_for(p: &crate::timestamps::Pki, repo: &Repo, commit: &str, serial: u64) -> Vec<u8> {
    let digest = docket::tsa::commit_digest(&repo.git(), commit).unwrap();
    p.signer.token(&digest, None, true, STAMPED_AT, serial)
}

fn memo(repo: &Repo) -> std::path::PathBuf {
    repo.top.join(".git/docket/stamps.json")
}

/// Two stamped signing commits, checked once: the memo holds both tokens.
fn stamped() -> (crate::timestamps::Pki, Repo, String, String) {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, verified) = company("required", 2, &p.root_pem);
    for (i, c) in [&review, &verified].into_iter().enumerate() {
        let t = token_for(&p, &repo, c, i as u64 + 1);
        repo.write_bytes(&format!("timestamps/{c}.tsr"), &t);
    }
    (p, repo, review, verified)
}

#[test]
fn a_warm_check_reads_the_memo_gives_the_same_findings_and_leaves_it_alone() {
    let (_p, repo, _, _) = stamped();
    let cold = repo.docket(&["check", "--format", "json", "--as-of", AS_OF]);
    let text = std::fs::read_to_string(memo(&repo)).expect("the first check writes the memo");
    assert_eq!(text.matches("CN=Test TSA").count(), 2, "{text}");
    let past = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(memo(&repo))
        .unwrap()
        .set_modified(past)
        .unwrap();
    let warm = repo.docket(&["check", "--format", "json", "--as-of", AS_OF]);
    assert_eq!(warm.stdout, cold.stdout);
    assert_eq!(
        std::fs::metadata(memo(&repo)).unwrap().modified().unwrap(),
        past
    );
    let log = repo.docket(&["log", "SO-2026-0001", "--format", "json"]);
    assert!(log.stdout.contains("\"timestamp\""), "{}", log.stdout);
}

#[test]
fn a_token_swapped_after_it_was_memoised_is_judged_from_its_own_bytes() {
    let (p, repo, review, _) = stamped();
    clean(&repo.check());
    // Another genuine token of the TSA, for the other commit, put in place
    // of the review's: its bytes are not the memoised token's.
    let verified_token = std::fs::read(repo.path(&format!(
        "timestamps/{}.tsr",
        company_second(&repo, &review)
    )))
    .unwrap();
    repo.write_bytes(&format!("timestamps/{review}.tsr"), &verified_token);
    let run = repo.check();
    let f = fires(&run, "timestamp-missing");
    assert!(f[0].message.contains("another commit"), "{}", f[0].message);
    // And a tampered copy of the review's own token: one byte of its time.
    let good = token_for(&p, &repo, &review, 1);
    let at = good
        .windows(15)
        .position(|w| w == b"20260305000000Z")
        .unwrap();
    let mut bad = good.clone();
    bad[at..at + 15].copy_from_slice(b"20260302000000Z");
    repo.write_bytes(&format!("timestamps/{review}.tsr"), &bad);
    let f = fires(&repo.check(), "timestamp-missing");
    assert!(f[0].message.contains("altered"), "{}", f[0].message);
}

/// The signing commit of `repo` that is not `review` (its token's name).
fn company_second(repo: &Repo, review: &str) -> String {
    let names: Vec<String> = std::fs::read_dir(repo.path("timestamps"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".tsr")
                .to_string()
        })
        .filter(|n| n != review)
        .collect();
    names[0].clone()
}

#[test]
fn a_memo_made_under_other_certificates_is_not_used() {
    let (_p, repo, _, _) = stamped();
    clean(&repo.check());
    // The company stops trusting that TSA (a governed change, committed by
    // the GM): its tokens prove nothing now, memo or not.
    let stranger = pki(2, FROM, UNTIL);
    repo.write("tsa/tsa-chain.pem", &stranger.root_pem);
    repo.commit_as("wang.gm", "2026-03-06", "Trust another TSA");
    let run = repo.check();
    let f = fires(&run, "timestamp-missing");
    assert_eq!(f.len(), 2, "{:#?}", run.findings());
    assert!(f[0].message.contains("not trusted"), "{}", f[0].message);
}

#[test]
fn a_doctored_memo_is_caught_by_no_cache() {
    let (_p, repo, review, _) = stamped();
    clean(&repo.check());
    // A token from a TSA nobody trusts, and a memo entry claiming it valid
    // (someone with write access to .git/docket).
    let stranger = pki(2, FROM, UNTIL);
    let forged = token_for(&stranger, &repo, &review, 9);
    repo.write_bytes(&format!("timestamps/{review}.tsr"), &forged);
    let text = std::fs::read_to_string(memo(&repo)).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let digest = docket::tsa::commit_digest(&repo.git(), &review).unwrap();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    use sha2::Digest;
    let prefix = hex(&digest);
    let tokens = json["tokens"].as_object_mut().unwrap();
    let (_, time) = tokens
        .iter()
        .find(|(k, _)| k.starts_with(&prefix))
        .map(|(k, v)| (k.clone(), v.clone()))
        .unwrap();
    tokens.insert(
        format!("{prefix}:{}", hex(&sha2::Sha256::digest(&forged))),
        time,
    );
    std::fs::write(memo(&repo), serde_json::to_string(&json).unwrap()).unwrap();
    // The memo is trusted as .git is: the warm check takes it...
    clean(&repo.check());
    // ...and --no-cache, as CI's fresh clone, judges the token itself.
    let run = repo.docket(&["check", "--format", "json", "--as-of", AS_OF, "--no-cache"]);
    let f = fires(&run, "timestamp-missing");
    assert!(f[0].message.contains("not trusted"), "{}", f[0].message);
    // --no-cache writes no memo either.
    std::fs::remove_file(memo(&repo)).unwrap();
    repo.docket(&["check", "--as-of", AS_OF, "--no-cache"]);
    assert!(!memo(&repo).exists());
}
