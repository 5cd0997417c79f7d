//! Which TSAs are trusted: the certificates configured in docket.toml
//! (`[timestamps] certificates`), the path from a token's signer up to one
//! of them, and the checks RFC 3161 and RFC 5280 put on that path.
//!
//! A configured certificate is a trust anchor: a TSA's signer is trusted
//! when it is one, or when each certificate up from it is signed by the
//! next, every issuer is a CA, and the last is one. The signer must carry
//! the timeStamping extended key usage, alone and critical (RFC 3161 2.3),
//! and every certificate of the path must be valid at the token's time.
//! Revocation (CRL, OCSP) is not checked: it needs the network, and a
//! check must work offline years later; docs/timestamps.md says so.
//!
//! A repository's tokens mostly come from one TSA, so the path of a signer
//! is worked out once per run and kept; only the validity dates are
//! compared per token. Its certificates, the same bytes in every token,
//! are parsed once too, and their subjects written out once.

use super::oids::{self, Hash};
use super::raw;
use super::verdict::Reject;
use der::{Decode, Encode};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier};

/// A certificate, decoded, with the bytes it was read from.
#[derive(Debug, Clone)]
pub struct Cert {
    /// Shared by every token that carries the same bytes ([`Trust::cert`]).
    pub parsed: Arc<Certificate>,
    pub der: Vec<u8>,
    subject: OnceLock<String>,
}

impl Cert {
    pub fn from_der(der: &[u8]) -> Result<Cert, String> {
        let parsed = Certificate::from_der(der).map_err(|e| format!("not a certificate: {e}"))?;
        Ok(Cert {
            parsed: Arc::new(parsed),
            der: der.to_vec(),
            subject: OnceLock::new(),
        })
    }

    /// The SHA-256 of the certificate's DER, in hex: how `openssl x509
    /// -fingerprint -sha256` names it.
    pub fn sha256(&self) -> String {
        use sha2::Digest;
        crate::hex::hex(&sha2::Sha256::digest(&self.der))
    }

    /// The subject, as RFC 4514 writes it.
    pub fn subject(&self) -> String {
        let subject = &self.parsed.tbs_certificate.subject;
        self.subject.get_or_init(|| subject.to_string()).clone()
    }

    /// The extension `oid`, with whether it is critical.
    fn extension<'a, T: Decode<'a>>(
        &'a self,
        oid: der::asn1::ObjectIdentifier,
    ) -> Option<(bool, Result<T, der::Error>)> {
        let ext = self
            .parsed
            .tbs_certificate
            .extensions
            .as_ref()?
            .iter()
            .find(|e| e.extn_id == oid)?;
        Some((ext.critical, T::from_der(ext.extn_value.as_bytes())))
    }

    /// The subject key identifier, if the certificate has one.
    pub fn key_id(&self) -> Option<Vec<u8>> {
        match self.extension::<SubjectKeyIdentifier>(oids::SUBJECT_KEY_ID)? {
            (_, Ok(ski)) => Some(ski.0.as_bytes().to_vec()),
            _ => None,
        }
    }

    /// Whether it may issue certificates: basicConstraints cA, and
    /// keyCertSign if it limits its key's usage.
    fn is_ca(&self) -> bool {
        let ca = matches!(
            self.extension::<BasicConstraints>(oids::BASIC_CONSTRAINTS),
            Some((_, Ok(bc))) if bc.ca
        );
        let may_sign = match self.extension::<KeyUsage>(oids::KEY_USAGE) {
            None => true,
            Some((_, Ok(ku))) => ku.key_cert_sign(),
            Some((_, Err(_))) => false,
        };
        ca && may_sign
    }

    /// (not before, not after), seconds since 1970.
    pub fn window(&self) -> (i64, i64) {
        let v = &self.parsed.tbs_certificate.validity;
        (
            v.not_before.to_unix_duration().as_secs() as i64,
            v.not_after.to_unix_duration().as_secs() as i64,
        )
    }

    /// Check that `issuer`'s key signed this certificate.
    fn signed_by(&self, issuer: &Cert) -> Result<(), Reject> {
        let tbs = raw::tbs(&self.der)
            .ok_or_else(|| Reject::Malformed("a certificate without its signed part".into()))?;
        let sig =
            self.parsed.signature.as_bytes().ok_or_else(|| {
                Reject::Malformed("a certificate signature with unused bits".into())
            })?;
        verify_signature(
            &issuer.parsed.tbs_certificate.subject_public_key_info,
            &self.parsed.signature_algorithm.oid,
            None,
            tbs,
            sig,
        )
    }
}

/// Read every certificate of a PEM file (a chain file holds several).
pub fn from_pem(bytes: &[u8]) -> Result<Vec<Cert>, String> {
    let certs =
        Certificate::load_pem_chain(bytes).map_err(|e| format!("not PEM certificates: {e}"))?;
    if certs.is_empty() {
        return Err("holds no certificate".into());
    }
    certs
        .into_iter()
        .map(|c| {
            let der = c
                .to_der()
                .map_err(|e| format!("a certificate that cannot be re-encoded: {e}"))?;
            Ok(Cert {
                parsed: Arc::new(c),
                der,
                subject: OnceLock::new(),
            })
        })
        .collect()
}

/// Verify `sig` over `msg` with the public key `spki`, by the signature
/// algorithm `alg`; `hash` is the digest algorithm, for algorithm
/// identifiers that name only the key type (rsaEncryption in CMS).
pub fn verify_signature(
    spki: &spki::SubjectPublicKeyInfoOwned,
    alg: &der::asn1::ObjectIdentifier,
    hash: Option<Hash>,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), Reject> {
    let unsupported = || Reject::Unsupported(oids::name(alg));
    let bad = |what: &str| Reject::Tampered(format!("the {what} signature does not verify"));
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Reject::Malformed("a public key with unused bits".into()))?;
    let (rsa, hash) = match *alg {
        oids::SHA256_WITH_RSA => (true, Hash::Sha256),
        oids::SHA384_WITH_RSA => (true, Hash::Sha384),
        oids::SHA512_WITH_RSA => (true, Hash::Sha512),
        oids::RSA_ENCRYPTION => (true, hash.ok_or_else(unsupported)?),
        oids::ECDSA_WITH_SHA256 => (false, Hash::Sha256),
        oids::ECDSA_WITH_SHA384 => (false, Hash::Sha384),
        oids::ECDSA_WITH_SHA512 => (false, Hash::Sha512),
        oids::EC_PUBLIC_KEY => (false, hash.ok_or_else(unsupported)?),
        _ => return Err(unsupported()),
    };
    let digest = hash.digest(msg);
    if rsa {
        use rsa::pkcs1::DecodeRsaPublicKey;
        if spki.algorithm.oid != oids::RSA_ENCRYPTION {
            return Err(Reject::Unsupported(oids::name(&spki.algorithm.oid)));
        }
        let key = rsa::RsaPublicKey::from_pkcs1_der(key)
            .map_err(|e| Reject::Malformed(format!("an RSA key docket cannot read: {e}")))?;
        let scheme = match hash {
            Hash::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            Hash::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            Hash::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            Hash::Sha1 => return Err(unsupported()),
        };
        return key.verify(scheme, &digest, sig).map_err(|_| bad("RSA"));
    }
    use ecdsa::signature::hazmat::PrehashVerifier;
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
    match curve {
        Some(oids::P256) => {
            let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map_err(|_| Reject::Malformed("a P-256 key docket cannot read".into()))?;
            let parsed = p256::ecdsa::Signature::from_der(sig).map_err(|_| bad("ECDSA"))?;
            let good = match fast_ecdsa(hash, true) {
                Some(alg) => ring_verify(alg, key, msg, sig),
                None => vk.verify_prehash(&digest, &parsed).is_ok(),
            };
            good.then_some(()).ok_or_else(|| bad("ECDSA"))
        }
        Some(oids::P384) => {
            let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map_err(|_| Reject::Malformed("a P-384 key docket cannot read".into()))?;
            let parsed = p384::ecdsa::Signature::from_der(sig).map_err(|_| bad("ECDSA"))?;
            let good = match fast_ecdsa(hash, false) {
                Some(alg) => ring_verify(alg, key, msg, sig),
                None => vk.verify_prehash(&digest, &parsed).is_ok(),
            };
            good.then_some(()).ok_or_else(|| bad("ECDSA"))
        }
        Some(other) => Err(Reject::Unsupported(oids::name(&other))),
        None => Err(Reject::Unsupported(
            "an elliptic curve without a name".into(),
        )),
    }
}

/// The `ring` verifier for an ECDSA signature over `hash` on P-256
/// (`p256`) or P-384, when it has one. Why two libraries: a check at
/// 10,000 orders verifies some 15,000 tokens, and RustCrypto's curves
/// (no precomputed tables) spent about 0.6 ms of CPU on each, most of
/// the `timestamps` stage, which ring's make 2.7x faster (BENCHMARKS.md).
/// RustCrypto still reads the key
/// and the signature first, so a token is rejected for the same reasons
/// with the same words whichever verifies it, and keeps the pairs ring
/// lacks (SHA-512 with either curve). `tsa::tests` holds the two to the
/// same verdicts on good, tampered and high-S signatures.
pub(super) fn fast_ecdsa(
    hash: Hash,
    p256: bool,
) -> Option<&'static ring::signature::EcdsaVerificationAlgorithm> {
    use ring::signature as r;
    match (p256, hash) {
        (true, Hash::Sha256) => Some(&r::ECDSA_P256_SHA256_ASN1),
        (true, Hash::Sha384) => Some(&r::ECDSA_P256_SHA384_ASN1),
        (false, Hash::Sha256) => Some(&r::ECDSA_P384_SHA256_ASN1),
        (false, Hash::Sha384) => Some(&r::ECDSA_P384_SHA384_ASN1),
        _ => None,
    }
}

/// Whether the DER signature `sig` over `msg` (ring hashes it) verifies
/// with the SEC1 key `key`.
pub(super) fn ring_verify(
    alg: &'static ring::signature::EcdsaVerificationAlgorithm,
    key: &[u8],
    msg: &[u8],
    sig: &[u8],
) -> bool {
    ring::signature::UnparsedPublicKey::new(alg, key)
        .verify(msg, sig)
        .is_ok()
}

/// A certificate's name and validity window, kept per path.
#[derive(Debug, Clone)]
struct Window {
    subject: String,
    not_before: i64,
    not_after: i64,
}

/// What is known of one signer's path: its certificates' windows, or why
/// it has no trusted path.
type PathCheck = Result<Vec<Window>, Reject>;

/// The certificates a repository trusts to sign timestamps, and the paths
/// already worked out from signers to them.
#[derive(Debug, Default)]
pub struct Trust {
    anchors: Vec<Cert>,
    /// By SHA-256 of the signer and the token's certificates: the path's
    /// windows, or why there is no trusted path.
    paths: Mutex<HashMap<Vec<u8>, PathCheck>>,
    /// The tokens' certificates parsed, by their bytes: at most
    /// [`MAX_KEPT_CERTS`], so that tokens each carrying a certificate of
    /// their own cost a parse each, not the memory of all of them.
    certs: Mutex<HashMap<Vec<u8>, Cert>>,
}

/// How many parsed certificates a run keeps: a repository's TSAs, their
/// chains and their renewals fit many times over.
pub(super) const MAX_KEPT_CERTS: usize = 64;

/// No path goes on past this many certificates.
const MAX_DEPTH: usize = 8;

impl Trust {
    pub fn new(anchors: Vec<Cert>) -> Trust {
        Trust {
            anchors,
            paths: Mutex::new(HashMap::new()),
            certs: Mutex::new(HashMap::new()),
        }
    }

    /// A certificate a token carries, parsed (with its subject written
    /// out) once per run for the same bytes: a TSA puts the same
    /// certificates in each of its tens of thousands of tokens.
    pub fn cert(&self, der: &[u8]) -> Result<Cert, String> {
        let kept = self.certs.lock().ok().and_then(|m| m.get(der).cloned());
        if let Some(cert) = kept {
            return Ok(cert);
        }
        let cert = Cert::from_der(der)?;
        cert.subject();
        if let Ok(mut m) = self.certs.lock()
            && m.len() < MAX_KEPT_CERTS
        {
            m.insert(der.to_vec(), cert.clone());
        }
        Ok(cert)
    }

    /// How many certificates [`Trust::cert`] keeps.
    #[cfg(test)]
    pub(super) fn kept_certs(&self) -> usize {
        self.certs.lock().map_or(0, |m| m.len())
    }

    pub fn anchors(&self) -> &[Cert] {
        &self.anchors
    }

    /// Check that `signer` chains up to a trusted certificate through
    /// `pool` (the token's certificates), that it is a timestamping
    /// certificate, and that every certificate of the path was valid at
    /// `at` (seconds since 1970).
    pub fn check(&self, signer: &Cert, pool: &[Cert], at: i64) -> Result<(), Reject> {
        let key = {
            let mut all = signer.der.clone();
            for c in pool {
                all.extend_from_slice(&c.der);
            }
            Hash::Sha256.digest(&all)
        };
        let known = self
            .paths
            .lock()
            .map(|m| m.get(&key).cloned())
            .unwrap_or(None);
        let windows = match known {
            Some(r) => r,
            None => {
                let r = self.path(signer, pool).and_then(|path| {
                    check_eku(signer)?;
                    Ok(path
                        .iter()
                        .map(|c| {
                            let (not_before, not_after) = c.window();
                            Window {
                                subject: c.subject(),
                                not_before,
                                not_after,
                            }
                        })
                        .collect())
                });
                if let Ok(mut m) = self.paths.lock() {
                    m.insert(key, r.clone());
                }
                r
            }
        }?;
        for w in &windows {
            if at < w.not_before {
                return Err(Reject::NotValidAt(format!(
                    "its time {} is before the certificate of {} became valid ({})",
                    utc(at),
                    w.subject,
                    utc(w.not_before)
                )));
            }
            if at > w.not_after {
                return Err(Reject::NotValidAt(format!(
                    "its time {} is after the certificate of {} expired ({})",
                    utc(at),
                    w.subject,
                    utc(w.not_after)
                )));
            }
        }
        Ok(())
    }

    /// The certificates from `signer` up to a trust anchor.
    fn path<'a>(&'a self, signer: &'a Cert, pool: &'a [Cert]) -> Result<Vec<&'a Cert>, Reject> {
        let mut path = vec![signer];
        let mut cur = signer;
        for _ in 0..MAX_DEPTH {
            if self.anchors.iter().any(|a| a.der == cur.der) {
                return Ok(path);
            }
            let issuer = &cur.parsed.tbs_certificate.issuer;
            let mut why = None;
            let mut next = None;
            for c in self.anchors.iter().chain(pool) {
                if &c.parsed.tbs_certificate.subject != issuer || c.der == cur.der {
                    continue;
                }
                if !c.is_ca() {
                    why = Some(format!("{} is not a CA certificate", c.subject()));
                    continue;
                }
                match cur.signed_by(c) {
                    Ok(()) => {
                        next = Some(c);
                        break;
                    }
                    Err(e) => {
                        why = Some(format!(
                            "the certificate of {} was not signed by {}: {e}",
                            cur.subject(),
                            c.subject()
                        ))
                    }
                }
            }
            let Some(next) = next else {
                return Err(Reject::UntrustedTsa(why.unwrap_or_else(|| {
                    format!(
                        "the certificate of {} was issued by {}, which is not among the configured certificates",
                        cur.subject(),
                        issuer
                    )
                })));
            };
            path.push(next);
            cur = next;
        }
        Err(Reject::UntrustedTsa(format!(
            "no trusted certificate within {MAX_DEPTH} steps of {}",
            signer.subject()
        )))
    }
}

/// RFC 3161 2.3: the TSA's certificate has the extended key usage
/// timeStamping, alone, marked critical.
fn check_eku(signer: &Cert) -> Result<(), Reject> {
    match signer.extension::<ExtendedKeyUsage>(oids::EXT_KEY_USAGE) {
        None => Err(Reject::BadEku(format!(
            "the certificate of {} has no extended key usage (RFC 3161 asks for timeStamping, alone and critical)",
            signer.subject()
        ))),
        Some((_, Err(e))) => Err(Reject::Malformed(format!(
            "an extended key usage docket cannot read: {e}"
        ))),
        Some((false, _)) => Err(Reject::BadEku(format!(
            "the extended key usage of {} is not marked critical",
            signer.subject()
        ))),
        Some((true, Ok(eku))) if eku.0 == [oids::KP_TIME_STAMPING] => Ok(()),
        Some((true, Ok(eku))) => Err(Reject::BadEku(format!(
            "the extended key usage of {} is {}, not timeStamping alone",
            signer.subject(),
            eku.0
                .iter()
                .map(|o| o.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// A time for messages: `2026-03-03 02:05:00 UTC`.
pub fn utc(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(
        |_| secs.to_string(),
        |t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}
