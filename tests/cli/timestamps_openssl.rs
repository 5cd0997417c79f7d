//! Interoperability with OpenSSL, the reference an auditor reaches for:
//! tokens made by `openssl ts -reply` (a CA and TSA made with the openssl
//! CLI, RSA and P-384) verify in docket, and the tokens `docket stamp`
//! stores verify with `openssl ts -verify`, by the exact command
//! docs/timestamps.md gives auditors. Skipped, saying so, where the
//! `openssl` or `git` command is missing (.ci/run installs them).

use super::timestamps::{Pki, company, pki, serve, tsa};
use crate::fixture::*;
use std::path::Path;
use std::process::Command;

fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!(
            "SKIPPED: `{tool}` is not installed, so OpenSSL interoperability is not tested here"
        );
    }
    found
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A root CA and a TSA certificate made with the openssl CLI in `dir`,
/// with `key` options for the TSA's key, its certificate signed by the
/// root with `cert_digest`, and the `openssl ts` config.
fn openssl_tsa(dir: &Path, key: &[&str], cert_digest: &str, signer_digest: &str, ess_alg: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "3650",
            "-subj",
            "/O=OpenSSL Test/CN=OpenSSL Test Root",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    let mut req = vec![
        "req",
        "-new",
        "-nodes",
        "-keyout",
        "tsa.key",
        "-out",
        "tsa.csr",
        "-subj",
        "/O=OpenSSL Test/CN=OpenSSL Test TSA",
    ];
    req.extend_from_slice(key);
    openssl(dir, &req);
    std::fs::write(
        dir.join("ext.cnf"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "tsa.pem",
            "-days",
            "3650",
            "-extfile",
            "ext.cnf",
            &format!("-{cert_digest}"),
        ],
    );
    std::fs::write(dir.join("tsaserial"), "01\n").unwrap();
    std::fs::write(
        dir.join("tsa.cnf"),
        format!(
            "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\ndir = {}\nserial = $dir/tsaserial\ncrypto_device = builtin\n\
             signer_cert = $dir/tsa.pem\ncerts = $dir/ca.pem\nsigner_key = $dir/tsa.key\nsigner_digest = {signer_digest}\n\
             default_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\nordering = no\ntsa_name = yes\n\
             ess_cert_id_chain = no\ness_cert_id_alg = {ess_alg}\n",
            dir.display()
        ),
    )
    .unwrap();
}

/// `docket stamp` against a TSA that is `openssl ts -reply`, then check.
fn stamped_by_openssl(key: &[&str], cert_digest: &str, signer_digest: &str, ess_alg: &str) {
    if !have("openssl") {
        return;
    }
    let ca = tempfile::tempdir().unwrap();
    openssl_tsa(ca.path(), key, cert_digest, signer_digest, ess_alg);
    let root_pem = std::fs::read_to_string(ca.path().join("ca.pem")).unwrap();
    let (repo, review, verified) = company("required", 2, &root_pem);
    let dir = ca.path().to_path_buf();
    let server = serve(5, move |query| {
        std::fs::write(dir.join("query.tsq"), query).unwrap();
        let out = Command::new("openssl")
            .args([
                "ts",
                "-reply",
                "-config",
                "tsa.cnf",
                "-queryfile",
                "query.tsq",
                "-out",
                "reply.tsr",
            ])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(dir.join("reply.tsr")).unwrap()
    });
    let run = repo.docket(&["stamp", "--url", &server.url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for id in [&review, &verified] {
        assert!(repo.path(&format!("timestamps/{id}.tsr")).is_file());
    }
    clean(&repo.check());
}

#[test]
fn tokens_from_openssl_with_rsa_verify_in_docket() {
    // RSA 2048, SHA-256, the ESS v1 attribute (SHA-1 certificate id).
    stamped_by_openssl(&["-newkey", "rsa:2048"], "sha256", "sha256", "sha1");
}

#[test]
fn tokens_from_openssl_with_rsa_sha512_and_a_sha384_certificate_verify_in_docket() {
    // The token signed with SHA-512 (rsaEncryption in CMS, the digest
    // named apart), the TSA's certificate with sha384WithRSAEncryption.
    stamped_by_openssl(&["-newkey", "rsa:2048"], "sha384", "sha512", "sha256");
}

#[test]
fn tokens_from_openssl_with_p256_sha512_and_a_sha512_certificate_verify_in_docket() {
    // ecdsa-with-SHA512 on P-256 (the pair ring lacks, verified by the
    // pure-Rust p256), the certificate with sha512WithRSAEncryption.
    stamped_by_openssl(
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
        "sha512",
        "sha512",
        "sha256",
    );
}

#[test]
fn tokens_from_openssl_with_p384_verify_in_docket() {
    // ECDSA on P-384 with SHA-384, the ESS v2 attribute (SHA-256 id).
    stamped_by_openssl(
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1"],
        "sha256",
        "sha384",
        "sha256",
    );
}

/// The auditor's command of docs/timestamps.md, run by a shell in the
/// records root.
fn auditor(repo: &Repo, id: &str) -> std::process::Output {
    let cmd = format!(
        "openssl ts -verify -digest $(git cat-file commit {id} | sha256sum | cut -d' ' -f1) \
         -in timestamps/{id}.tsr -CAfile tsa/tsa-chain.pem"
    );
    Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(&repo.root)
        .output()
        .unwrap()
}

#[test]
fn tokens_docket_stores_verify_with_the_auditor_s_openssl_command() {
    if !have("openssl") || !have("git") {
        return;
    }
    let Pki { root_pem, signer } = pki(1, super::timestamps::FROM, super::timestamps::UNTIL);
    let (repo, review, verified) = company("required", 2, &root_pem);
    let server = tsa(&signer, 5);
    assert_eq!(repo.docket(&["stamp", "--url", &server.url]).code, 0);
    for id in [&review, &verified] {
        let out = auditor(&repo, id);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && said.contains("Verification: OK"),
            "{said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The command is no rubber stamp: another commit's token fails it.
    std::fs::copy(
        repo.path(&format!("timestamps/{verified}.tsr")),
        repo.path(&format!("timestamps/{review}.tsr")),
    )
    .unwrap();
    let out = auditor(&repo, &review);
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
