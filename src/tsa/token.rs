//! Verifying a `TimeStampResp` offline: the checks that make a token say
//! "these bytes existed at this time, according to this TSA".
//!
//! In order, each failure with its own [`Reject`]: the reply parses and
//! its status is granted; the token is CMS SignedData over a TSTInfo with
//! one signer; the signed attributes say the content is a TSTInfo and
//! carry its digest; the signer's certificate is found (in the token or
//! among the configured ones) by the SignerIdentifier, and the ESS
//! signing-certificate attribute names it; its signature over the signed
//! attributes verifies; it chains up to a configured certificate, is a
//! timestamping certificate, and it and its chain were valid at the
//! token's time; and last, the imprint is the digest asked about. Trust
//! before meaning: a tampered token is reported as tampered, not as a token
//! for other bytes.

use super::certs::{Cert, Trust};
use super::oids::{self, Hash};
use super::raw;
use super::verdict::{Reject, TrustedTime};
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence};
use x509_tsp::{TimeStampResp, TstInfo};

/// A verified token: what it proves, and the nonce it answered.
#[derive(Debug, Clone)]
pub struct Verified {
    pub time: TrustedTime,
    /// The TSTInfo nonce, big-endian, if any.
    pub nonce: Option<Vec<u8>>,
}

/// `ESSCertIDv2` (RFC 5035) without the optional issuerSerial, which
/// docket does not need: the hash already names one certificate.
#[derive(Debug, Clone, Sequence)]
pub(super) struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<spki::AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<der::Any>,
}

/// `SigningCertificateV2` (RFC 5035).
#[derive(Debug, Clone, Sequence)]
pub(super) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<der::Any>,
}

/// `ESSCertID` (RFC 2634): a SHA-1 hash of the certificate.
#[derive(Debug, Clone, Sequence)]
struct EssCertId {
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<der::Any>,
}

/// `SigningCertificate` (RFC 2634).
#[derive(Debug, Clone, Sequence)]
struct SigningCertificate {
    certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    policies: Option<der::Any>,
}

fn malformed(what: impl std::fmt::Display) -> Reject {
    Reject::Malformed(what.to_string())
}

/// Verify a DER `TimeStampResp` as a timestamp of `digest` (a SHA-256),
/// trusting the certificates of `trust`.
pub fn verify(resp: &[u8], digest: &[u8], trust: &Trust) -> Result<Verified, Reject> {
    let parsed = TimeStampResp::from_der(resp)
        .map_err(|e| malformed(format!("not a DER TimeStampResp ({e})")))?;
    use cmpv2::status::PkiStatus;
    if !matches!(
        parsed.status.status,
        PkiStatus::Accepted | PkiStatus::GrantedWithMods
    ) {
        let text: Vec<String> = parsed
            .status
            .status_string
            .iter()
            .flatten()
            .map(|s| s.as_str().to_string())
            .collect();
        return Err(Reject::NotGranted(format!(
            "status {:?}{}",
            parsed.status.status,
            if text.is_empty() {
                String::new()
            } else {
                format!(": {}", text.join("; "))
            }
        )));
    }
    let token = parsed
        .time_stamp_token
        .ok_or_else(|| malformed("the reply is granted but holds no token"))?;
    if token.content_type != oids::SIGNED_DATA {
        return Err(malformed("the token is not CMS SignedData"));
    }
    let sd: SignedData = token
        .content
        .decode_as()
        .map_err(|e| malformed(format!("the token's SignedData ({e})")))?;
    let encap = &sd.encap_content_info;
    if encap.econtent_type != oids::TST_INFO {
        return Err(malformed("the token's content is not a TSTInfo"));
    }
    let tst_bytes = encap
        .econtent
        .as_ref()
        .ok_or_else(|| malformed("the token has no TSTInfo"))?
        .value();
    let tst = TstInfo::from_der(tst_bytes).map_err(|e| malformed(format!("the TSTInfo ({e})")))?;
    let signers: Vec<&SignerInfo> = sd.signer_infos.0.iter().collect();
    let [si] = signers[..] else {
        return Err(malformed(format!(
            "{} signers where RFC 3161 has one",
            signers.len()
        )));
    };
    let parts = raw::parts(resp).ok_or_else(|| malformed("the signer has no signed attributes"))?;
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or_else(|| malformed("the signer has no signed attributes"))?;
    let attr = |oid: ObjectIdentifier| -> Result<&der::Any, Reject> {
        let found: Vec<_> = attrs.iter().filter(|a| a.oid == oid).collect();
        match found[..] {
            [a] if a.values.len() == 1 => Ok(a.values.get(0).expect("one value")),
            [] => Err(malformed(format!("no signed attribute {oid}"))),
            _ => Err(malformed(format!(
                "signed attribute {oid} is not single-valued"
            ))),
        }
    };

    // The signed attributes bind the content: its type and its digest.
    let ct: ObjectIdentifier = attr(oids::CONTENT_TYPE)?
        .decode_as()
        .map_err(|e| malformed(format!("the content-type attribute ({e})")))?;
    if ct != oids::TST_INFO {
        return Err(Reject::Tampered(
            "the content-type attribute is not TSTInfo".into(),
        ));
    }
    let hash = Hash::of(&si.digest_alg.oid, false)
        .ok_or_else(|| Reject::Unsupported(oids::name(&si.digest_alg.oid)))?;
    let md: OctetString = attr(oids::MESSAGE_DIGEST)?
        .decode_as()
        .map_err(|e| malformed(format!("the message-digest attribute ({e})")))?;
    if md.as_bytes() != hash.digest(tst_bytes).as_slice() {
        return Err(Reject::Tampered(
            "the TSTInfo (time, imprint, serial) does not match the digest the TSA signed".into(),
        ));
    }

    // The signer, and the signature over the signed attributes.
    let pool: Vec<Cert> = parts
        .certificates
        .iter()
        .map(|der| trust.cert(der))
        .collect::<Result<_, _>>()
        .map_err(|e| malformed(format!("a certificate in the token: {e}")))?;
    let signer = find_signer(&si.sid, &pool, trust.anchors()).ok_or_else(|| {
        Reject::UntrustedTsa("the signer's certificate is neither in the token nor among the configured certificates".into())
    })?;
    check_ess(attrs, signer)?;
    super::certs::verify_signature(
        &signer.parsed.tbs_certificate.subject_public_key_info,
        &si.signature_algorithm.oid,
        Some(hash),
        &parts.signed_attrs,
        si.signature.as_bytes(),
    )
    .map_err(|e| match e {
        Reject::Tampered(_) => {
            Reject::Tampered("the TSA's signature over the token does not verify".into())
        }
        other => other,
    })?;

    let gen_time = tst.gen_time.to_unix_duration().as_secs() as i64;
    trust.check(signer, &pool, gen_time)?;

    // Only now does what the token says matter: which bytes it stamps.
    if tst.message_imprint.hash_algorithm.oid != oids::SHA256 {
        return Err(Reject::OtherCommit);
    }
    if tst.message_imprint.hashed_message.as_bytes() != digest {
        return Err(Reject::OtherCommit);
    }
    Ok(Verified {
        time: TrustedTime {
            gen_time,
            tsa_subject: signer.subject(),
            serial: crate::hex::hex(tst.serial_number.as_bytes()),
            policy: tst.policy.to_string(),
        },
        nonce: tst.nonce.map(|n| strip_zeros(n.as_bytes()).to_vec()),
    })
}

/// The certificate a SignerIdentifier names, in the token or configured.
fn find_signer<'a>(
    sid: &SignerIdentifier,
    pool: &'a [Cert],
    anchors: &'a [Cert],
) -> Option<&'a Cert> {
    pool.iter().chain(anchors).find(|c| match sid {
        SignerIdentifier::IssuerAndSerialNumber(iasn) => {
            c.parsed.tbs_certificate.issuer == iasn.issuer
                && c.parsed.tbs_certificate.serial_number == iasn.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            c.key_id().as_deref() == Some(ski.0.as_bytes())
        }
    })
}

/// The ESS signing-certificate attribute (v2, or v1 with SHA-1) must name
/// the signer's certificate: it stops a certificate with the same key
/// being put in its place.
fn check_ess(attrs: &cms::signed_data::SignedAttributes, signer: &Cert) -> Result<(), Reject> {
    let value = |oid| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.get(0))
    };
    let (hash, expected) = if let Some(v) = value(oids::SIGNING_CERTIFICATE_V2) {
        let sc: SigningCertificateV2 = v
            .decode_as()
            .map_err(|e| malformed(format!("the signing-certificate attribute ({e})")))?;
        let first = sc
            .certs
            .into_iter()
            .next()
            .ok_or_else(|| malformed("an empty signing-certificate attribute"))?;
        let alg = first.hash_algorithm.map_or(oids::SHA256, |a| a.oid);
        let hash = Hash::of(&alg, false).ok_or_else(|| Reject::Unsupported(oids::name(&alg)))?;
        (hash, first.cert_hash.as_bytes().to_vec())
    } else if let Some(v) = value(oids::SIGNING_CERTIFICATE) {
        let sc: SigningCertificate = v
            .decode_as()
            .map_err(|e| malformed(format!("the signing-certificate attribute ({e})")))?;
        let first = sc
            .certs
            .into_iter()
            .next()
            .ok_or_else(|| malformed("an empty signing-certificate attribute"))?;
        (Hash::Sha1, first.cert_hash.as_bytes().to_vec())
    } else {
        return Err(malformed(
            "no ESS signing-certificate attribute, which RFC 3161 requires",
        ));
    };
    if hash.digest(&signer.der) != expected {
        return Err(Reject::Tampered(
            "the signing-certificate attribute names another certificate than the signer's".into(),
        ));
    }
    Ok(())
}

/// The digest algorithm identifier of SHA-256, as a token names it.
pub(super) fn sha256_id() -> spki::AlgorithmIdentifierOwned {
    spki::AlgorithmIdentifierOwned {
        oid: oids::SHA256,
        parameters: None,
    }
}

/// An unsigned big-endian number without its leading zero bytes (one
/// byte kept for zero), as nonces and serials are compared.
pub fn strip_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&x| x == 0).count();
    &b[n.min(b.len().saturating_sub(1))..]
}

/// Encode a value that cannot fail to encode (it was just built).
pub(super) fn der_of(v: &impl Encode) -> Vec<u8> {
    v.to_der().expect("a value built in memory encodes")
}
