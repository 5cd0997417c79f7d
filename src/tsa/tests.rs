//! The token checks, each case made with docket's own TSA: one that
//! verifies, and one per way a token can fail.

use super::certs::{Cert, MAX_KEPT_CERTS, Trust};
use super::issue::{CertSpec, Signer, issue, key_from_seed, rejection};
use super::request::{read_request, request};
use super::token::verify;
use super::verdict::Reject;
use super::{KP_TIME_STAMPING, oids};

/// 2025-01-01 and 2035-01-01, seconds since 1970.
const FROM: i64 = 1_735_689_600;
const UNTIL: i64 = 2_051_222_400;
/// 2026-03-03 02:00 UTC: when the tokens are made.
const AT: i64 = 1_772_503_200;
const DIGEST: [u8; 32] = [7; 32];

struct Pki {
    ca: Cert,
    signer: Signer,
}

fn ca(seed: u64) -> (p256::ecdsa::SigningKey, Cert) {
    let key = key_from_seed(seed, "ca");
    let cert = issue(
        &CertSpec::ca("CN=Test Root,O=Acme", 1, FROM, UNTIL),
        &key,
        None,
    )
    .unwrap();
    (key, cert)
}

fn pki_with(spec: CertSpec) -> Pki {
    let (ca_key, ca) = ca(1);
    let key = key_from_seed(1, "tsa");
    let cert = issue(&spec, &key, Some((&ca_key, &ca))).unwrap();
    Pki {
        ca,
        signer: Signer::new(key, cert, vec![]),
    }
}

fn pki() -> Pki {
    pki_with(CertSpec::tsa("CN=Test TSA,O=Acme", 2, FROM, UNTIL))
}

fn trust(c: &Cert) -> Trust {
    Trust::new(vec![c.clone()])
}

fn token(p: &Pki) -> Vec<u8> {
    p.signer
        .respond(&request(&DIGEST, 0x8000_0000_0000_0001), AT, 42)
}

#[test]
fn a_token_of_docket_s_tsa_verifies_and_says_what_it_proves() {
    let p = pki();
    let v = verify(&token(&p), &DIGEST, &trust(&p.ca)).unwrap();
    assert_eq!(v.time.gen_time, AT);
    assert_eq!(v.time.tsa_subject, "CN=Test TSA,O=Acme");
    assert_eq!(v.time.serial, "2a");
    assert_eq!(v.time.policy, "1.3.6.1.4.1.32473.1");
    // The nonce comes back as asked, top bit and all.
    assert_eq!(v.nonce.unwrap(), 0x8000_0000_0000_0001u64.to_be_bytes());
    // Deterministic: the same request at the same time, the same bytes.
    assert_eq!(token(&p), token(&p));
}

#[test]
fn a_request_reads_back() {
    let asked = read_request(&request(&DIGEST, 5)).unwrap();
    assert_eq!(asked.digest, DIGEST);
    assert!(asked.sha256 && asked.cert_req);
    assert_eq!(asked.nonce.unwrap(), [5]);
}

#[test]
fn a_token_for_other_bytes_is_another_commit_s() {
    let p = pki();
    let err = verify(&token(&p), &[8; 32], &trust(&p.ca)).unwrap_err();
    assert_eq!(err, Reject::OtherCommit);
}

/// Replace the first occurrence of `from` in `bytes`.
fn patch(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("the bytes to patch");
    let mut out = bytes.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}

#[test]
fn a_changed_time_or_signature_is_tampering() {
    let p = pki();
    let good = token(&p);
    // genTime 20260303020000Z, made a day earlier.
    let earlier = patch(&good, b"20260303020000Z", b"20260302020000Z");
    let err = verify(&earlier, &DIGEST, &trust(&p.ca)).unwrap_err();
    assert!(matches!(err, Reject::Tampered(_)), "{err:?}");
    // The last byte is the end of the ECDSA signature's s value.
    let mut sig = good.clone();
    *sig.last_mut().unwrap() ^= 1;
    let err = verify(&sig, &DIGEST, &trust(&p.ca)).unwrap_err();
    assert!(matches!(err, Reject::Tampered(_)), "{err:?}");
}

/// A token whose signed attributes lack the content type is malformed,
/// and says which attribute is missing: the content-type attribute's OID
/// (1.2.840.113549.1.9.3) turned into signing time (...9.5), which the
/// token does not carry otherwise.
#[test]
fn a_token_without_a_content_type_attribute_names_it() {
    let p = pki();
    let content_type = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03,
    ];
    let mut signing_time = content_type;
    signing_time[10] = 0x05;
    let t = patch(&token(&p), &content_type, &signing_time);
    let err = verify(&t, &DIGEST, &trust(&p.ca)).unwrap_err();
    assert!(
        matches!(&err, Reject::Malformed(m) if m.contains("no signed attribute 1.2.840.113549.1.9.3")),
        "{err:?}"
    );
}

/// The ESS attribute binds the signer's certificate, not only its key:
/// a token whose attribute names another certificate of the same key
/// (another serial, say one with other usages) is tampered with.
#[test]
fn a_signing_certificate_attribute_naming_another_certificate_is_tampering() {
    let (ca_key, ca_cert) = ca(1);
    let key = key_from_seed(1, "tsa");
    let spec = |serial| CertSpec::tsa("CN=Test TSA,O=Acme", serial, FROM, UNTIL);
    let cert = issue(&spec(2), &key, Some((&ca_key, &ca_cert))).unwrap();
    let twin = issue(&spec(3), &key, Some((&ca_key, &ca_cert))).unwrap();
    let mut signer = Signer::new(key, cert, vec![]);
    signer.ess_names = Some(twin);
    let t = signer.respond(&request(&DIGEST, 1), AT, 1);
    let err = verify(&t, &DIGEST, &trust(&ca_cert)).unwrap_err();
    assert!(
        matches!(&err, Reject::Tampered(m) if m.contains("names another certificate")),
        "{err:?}"
    );
}

#[test]
fn a_message_digest_attribute_with_two_values_is_malformed() {
    // CMS gives the message-digest attribute exactly one value; a token
    // with two must not be judged by whichever sorts first.
    let Pki { ca, mut signer } = pki();
    signer.second_digest = true;
    let t = signer.respond(&request(&DIGEST, 1), AT, 1);
    let err = verify(&t, &DIGEST, &trust(&ca)).unwrap_err();
    assert!(
        matches!(&err, Reject::Malformed(m) if m.contains("is not single-valued")),
        "{err:?}"
    );
}

#[test]
fn a_tsa_outside_the_configured_certificates_is_untrusted() {
    let p = pki();
    let (_, other_root) = ca(2);
    let err = verify(&token(&p), &DIGEST, &trust(&other_root)).unwrap_err();
    assert!(
        matches!(&err, Reject::UntrustedTsa(m) if m.contains("was not signed by")),
        "{err:?}"
    );
    // A root of another name: only a certificate named as the issuer is
    // a candidate, so the reason is that none is configured, not that
    // some unrelated certificate is no CA or did not sign.
    let other_name = issue(
        &CertSpec::ca("CN=Other Root,O=Acme", 1, FROM, UNTIL),
        &key_from_seed(3, "ca"),
        None,
    )
    .unwrap();
    let err = verify(&token(&p), &DIGEST, &trust(&other_name)).unwrap_err();
    assert!(
        matches!(&err, Reject::UntrustedTsa(m) if m.contains("which is not among the configured")),
        "{err:?}"
    );
    // A self-made certificate with the trusted root's name does not pass.
    let fake_key = key_from_seed(9, "fake root");
    let fake_root = issue(
        &CertSpec::ca("CN=Test Root,O=Acme", 1, FROM, UNTIL),
        &fake_key,
        None,
    )
    .unwrap();
    let key = key_from_seed(9, "tsa");
    let cert = issue(
        &CertSpec::tsa("CN=Test TSA,O=Acme", 2, FROM, UNTIL),
        &key,
        Some((&fake_key, &fake_root)),
    )
    .unwrap();
    let forged = Signer::new(key, cert, vec![fake_root]);
    let t = forged.respond(&request(&DIGEST, 1), AT, 1);
    let err = verify(&t, &DIGEST, &trust(&p.ca)).unwrap_err();
    assert!(matches!(err, Reject::UntrustedTsa(_)), "{err:?}");
}

/// A token of a TSA whose certificate is issued by an intermediate made
/// from `mid` (under `ca(1)`), the intermediate sent in the token; and the
/// root.
fn via_intermediate(mid: CertSpec) -> (Vec<u8>, Cert) {
    let (root_key, root) = ca(1);
    let mid_key = key_from_seed(1, "intermediate");
    let mid = issue(&mid, &mid_key, Some((&root_key, &root))).unwrap();
    let key = key_from_seed(1, "tsa");
    let cert = issue(
        &CertSpec::tsa("CN=Test TSA,O=Acme", 6, FROM, UNTIL),
        &key,
        Some((&mid_key, &mid)),
    )
    .unwrap();
    let t = Signer::new(key, cert, vec![mid]).respond(&request(&DIGEST, 1), AT, 1);
    (t, root)
}

#[test]
fn an_intermediate_in_the_token_links_the_signer_to_the_root() {
    let (t, root) = via_intermediate(CertSpec::ca("CN=Test Intermediate,O=Acme", 5, FROM, UNTIL));
    verify(&t, &DIGEST, &trust(&root)).unwrap();
    let (root_key, _) = ca(1);
    let key = key_from_seed(1, "tsa");
    // Signed by a leaf that chains to the root: a leaf may not issue.
    let leaf_key = key_from_seed(1, "leaf");
    let mut spec = CertSpec::tsa("CN=Test Leaf,O=Acme", 7, FROM, UNTIL);
    spec.eku = None;
    let leaf = issue(&spec, &leaf_key, Some((&root_key, &root))).unwrap();
    let under_leaf = issue(
        &CertSpec::tsa("CN=Test TSA,O=Acme", 8, FROM, UNTIL),
        &key,
        Some((&leaf_key, &leaf)),
    )
    .unwrap();
    let t = Signer::new(key, under_leaf, vec![leaf]).respond(&request(&DIGEST, 1), AT, 1);
    let err = verify(&t, &DIGEST, &trust(&root)).unwrap_err();
    assert!(
        matches!(&err, Reject::UntrustedTsa(m) if m.contains("not a CA")),
        "{err:?}"
    );
}

/// CMS names the signer by issuer and serial number, or by its subject
/// key identifier; docket finds it either way, and only by the right one.
#[test]
fn a_signer_named_by_its_key_identifier_is_found() {
    let p = pki();
    let mut signer = p.signer;
    signer.by_key_id = true;
    let t = signer.respond(&request(&DIGEST, 1), AT, 1);
    verify(&t, &DIGEST, &trust(&p.ca)).unwrap();
    // The same token naming another key: no certificate is its signer.
    let id = signer.cert.key_id().unwrap();
    let mut other = id.clone();
    other[0] ^= 1;
    let forged = patch(&t, &id, &other);
    let err = verify(&forged, &DIGEST, &trust(&p.ca)).unwrap_err();
    assert!(
        matches!(&err, Reject::UntrustedTsa(m) if m.contains("neither in the token")),
        "{err:?}"
    );
}

/// Some TSAs name the signature algorithm by the key alone
/// (id-ecPublicKey) and the digest apart: docket reads the digest from
/// the SignerInfo and verifies as for ecdsa-with-SHA256.
#[test]
fn a_signature_named_by_its_key_type_verifies_with_the_digest_named_apart() {
    let p = pki();
    let mut signer = p.signer;
    signer.signature_alg = oids::EC_PUBLIC_KEY;
    let t = signer.respond(&request(&DIGEST, 1), AT, 1);
    verify(&t, &DIGEST, &trust(&p.ca)).unwrap();
}

/// An issuer must be a CA by both marks: basicConstraints cA, and
/// keyCertSign in its key usage. A CA certificate whose key usage does
/// not allow signing certificates issues none docket accepts.
#[test]
fn an_issuer_whose_key_usage_forbids_signing_certificates_is_not_a_ca() {
    let mut spec = CertSpec::ca("CN=Test Intermediate,O=Acme", 5, FROM, UNTIL);
    spec.signs_certificates = false;
    let (t, root) = via_intermediate(spec);
    let err = verify(&t, &DIGEST, &trust(&root)).unwrap_err();
    assert!(
        matches!(&err, Reject::UntrustedTsa(m) if m.contains("not a CA")),
        "{err:?}"
    );
}

#[test]
fn the_signer_must_be_a_timestamping_certificate() {
    let cases = [
        (None, "no extended key usage"),
        (Some((false, vec![KP_TIME_STAMPING])), "not marked critical"),
        (
            Some((true, vec![KP_TIME_STAMPING, oids::EXT_KEY_USAGE])),
            "not timeStamping alone",
        ),
    ];
    for (eku, says) in cases {
        let mut spec = CertSpec::tsa("CN=Test TSA,O=Acme", 2, FROM, UNTIL);
        spec.eku = eku;
        let p = pki_with(spec);
        let err = verify(&token(&p), &DIGEST, &trust(&p.ca)).unwrap_err();
        assert!(
            matches!(&err, Reject::BadEku(m) if m.contains(says)),
            "{says}: {err:?}"
        );
    }
}

#[test]
fn every_certificate_must_be_valid_at_the_token_s_time() {
    // The TSA's certificate starts after the token's time.
    let p = pki_with(CertSpec::tsa("CN=Test TSA,O=Acme", 2, AT + 1, UNTIL));
    let err = verify(&token(&p), &DIGEST, &trust(&p.ca)).unwrap_err();
    assert!(
        matches!(&err, Reject::NotValidAt(m) if m.contains("before")),
        "{err:?}"
    );
    // It expired before.
    let p = pki_with(CertSpec::tsa("CN=Test TSA,O=Acme", 2, FROM, AT - 1));
    let err = verify(&token(&p), &DIGEST, &trust(&p.ca)).unwrap_err();
    assert!(
        matches!(&err, Reject::NotValidAt(m) if m.contains("expired")),
        "{err:?}"
    );
    // Both ends of the window are inside it (RFC 5280 4.1.2.5): a token
    // made the second the certificate starts, or the second it ends.
    for (from, until) in [(AT, UNTIL), (FROM, AT)] {
        let p = pki_with(CertSpec::tsa("CN=Test TSA,O=Acme", 2, from, until));
        verify(&token(&p), &DIGEST, &trust(&p.ca)).unwrap();
    }
}

#[test]
fn a_refusal_or_garbage_is_not_a_token() {
    let p = pki();
    let err = verify(&rejection("busy"), &DIGEST, &trust(&p.ca)).unwrap_err();
    assert!(
        matches!(&err, Reject::NotGranted(m) if m.contains("busy")),
        "{err:?}"
    );
    let err = verify(b"<html>504</html>", &DIGEST, &trust(&p.ca)).unwrap_err();
    assert!(matches!(err, Reject::Malformed(_)), "{err:?}");
    // A token cut short.
    let t = token(&p);
    let err = verify(&t[..t.len() - 10], &DIGEST, &trust(&p.ca)).unwrap_err();
    assert!(matches!(err, Reject::Malformed(_)), "{err:?}");
}

#[test]
fn a_token_without_certificates_verifies_with_the_configured_signer() {
    let p = pki();
    let t = p.signer.token(&DIGEST, None, false, AT, 1);
    // The signer is not in the token: only the root is configured.
    let err = verify(&t, &DIGEST, &trust(&p.ca)).unwrap_err();
    assert!(matches!(err, Reject::UntrustedTsa(_)), "{err:?}");
    // With the TSA's certificate configured too, it is found there.
    let both = Trust::new(vec![p.ca.clone(), p.signer.cert.clone()]);
    verify(&t, &DIGEST, &both).unwrap();
}

/// ring and RustCrypto give one verdict on every signature a token may
/// carry: good, over other bytes, by another key, and with `s` replaced
/// by `n - s` (the same signature in its other, "high-S", form, which
/// both accept). `certs.rs` verifies with ring where it can; a signature
/// one library accepts and the other refuses would make a token's
/// verdict depend on which of them docket happened to use.
#[test]
fn ring_and_rustcrypto_agree_on_every_ecdsa_verdict() {
    use super::certs::{fast_ecdsa, ring_verify};
    use ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    use oids::Hash;
    macro_rules! agree {
        ($curve:ident, $p256:expr, $len:expr) => {{
            let key = $curve::ecdsa::SigningKey::from_slice(&[7; $len]).unwrap();
            let other = $curve::ecdsa::SigningKey::from_slice(&[9; $len]).unwrap();
            for hash in [Hash::Sha256, Hash::Sha384] {
                let msg = b"signed attributes of a token".as_slice();
                let sig: $curve::ecdsa::Signature = key.sign_prehash(&hash.digest(msg)).unwrap();
                let (r, s) = sig.split_scalars();
                let high = $curve::ecdsa::Signature::from_scalars(r, -s).unwrap();
                let by_other: $curve::ecdsa::Signature =
                    other.sign_prehash(&hash.digest(msg)).unwrap();
                let cases = [
                    ("good", msg, sig, true),
                    (
                        "other bytes",
                        b"signed attributes of a tokeN".as_slice(),
                        sig,
                        false,
                    ),
                    ("high S", msg, high, true),
                    ("another key", msg, by_other, false),
                ];
                let alg = fast_ecdsa(hash, $p256).expect("ring verifies this pair");
                let vk = key.verifying_key();
                let sec1 = vk.to_encoded_point(false);
                for (what, m, sig, expected) in cases {
                    let rust = vk.verify_prehash(&hash.digest(m), &sig).is_ok();
                    let ring = ring_verify(alg, sec1.as_bytes(), m, sig.to_der().as_bytes());
                    assert_eq!((rust, ring), (expected, expected), "{what} {hash:?}");
                }
            }
            assert!(fast_ecdsa(Hash::Sha512, $p256).is_none());
        }};
    }
    agree!(p256, true, 32);
    agree!(p384, false, 48);
}

/// The certificates a TSA puts in every token are parsed once per run and
/// kept by their bytes: a second token verifies with the kept ones and
/// says the same; a token carrying its certificate changed by one letter
/// is not read as the kept one, and is tampering; and however many
/// certificates the tokens carry, at most a few dozen are kept, each
/// read as itself.
#[test]
fn a_token_s_certificates_are_kept_by_their_bytes_and_no_more_than_a_few() {
    let p = pki();
    let t = trust(&p.ca);
    let good = token(&p);
    let first = verify(&good, &DIGEST, &t).unwrap();
    let kept = t.kept_certs();
    assert_eq!(kept, 1);
    let again = verify(&good, &DIGEST, &t).unwrap();
    assert_eq!(t.kept_certs(), kept);
    assert_eq!(
        (again.time.tsa_subject, again.time.gen_time),
        (first.time.tsa_subject, first.time.gen_time)
    );

    let (ca_key, ca) = ca(1);
    let spec = CertSpec::tsa("CN=Test TSA,O=Acme", 2, FROM, UNTIL);
    let tsa = issue(&spec, &key_from_seed(1, "tsa"), Some((&ca_key, &ca))).unwrap();
    let changed = patch(&tsa.der, b"Test TSA", b"Test TSB");
    let forged = patch(&good, &tsa.der, &changed);
    let err = verify(&forged, &DIGEST, &t).unwrap_err();
    assert!(matches!(err, Reject::Tampered(_)), "{err:?}");
    assert_eq!(t.kept_certs(), 2);

    for n in 0..100 {
        let subject = format!("CN=TSA {n},O=Acme");
        let spec = CertSpec::tsa(&subject, 100 + n, FROM, UNTIL);
        let cert = issue(&spec, &key_from_seed(n, "tsa"), Some((&ca_key, &ca))).unwrap();
        assert_eq!(t.cert(&cert.der).unwrap().subject(), subject);
        assert_eq!(t.cert(&cert.der).unwrap().der, cert.der);
    }
    assert_eq!(t.kept_certs(), MAX_KEPT_CERTS);
}
