//! A minimal TSA of docket's own: certificates for a test or demo
//! authority, and tokens signed with them (P-256 ECDSA, SHA-256).
//!
//! It exists so that `docket demo` can stamp its signatures and the tests
//! can run a TSA on 127.0.0.1 without the network. It is deterministic:
//! ECDSA signatures follow RFC 6979 (p256's `SigningKey`), and the caller
//! chooses the time, serial and keys, so the same inputs give the same
//! bytes. It is not a production TSA: it has no clock discipline, no key
//! protection and no audit log, which is what a real TSA sells.

use super::certs::Cert;
use super::oids;
use super::request::{positive_int, read_request};
use super::token::{EssCertIdV2, SigningCertificateV2, der_of, sha256_id};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::Any;
use der::asn1::{BitString, GeneralizedTime, ObjectIdentifier, OctetString, SetOfVec, UtcTime};
use p256::ecdsa::{SigningKey, signature::Signer as _};
use sha2::Digest;
use std::str::FromStr;
use std::time::Duration;
use x509_cert::attr::Attribute;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate};
use x509_tsp::{MessageImprint, TimeStampResp, TspVersion, TstInfo};

/// A P-256 key made from a seed and a label: the same pair, the same key.
pub fn key_from_seed(seed: u64, label: &str) -> SigningKey {
    let mut counter = 0u32;
    loop {
        let mut h = sha2::Sha256::new();
        h.update(label.as_bytes());
        h.update(seed.to_be_bytes());
        h.update(counter.to_be_bytes());
        if let Ok(key) = SigningKey::from_slice(&h.finalize()) {
            return key;
        }
        counter += 1;
    }
}

/// What a certificate says about its subject.
#[derive(Debug, Clone)]
pub struct CertSpec {
    /// An RFC 4514 name, like `CN=Demo TSA,O=Acme`.
    pub subject: String,
    pub serial: u64,
    /// Seconds since 1970.
    pub not_before: i64,
    pub not_after: i64,
    /// A CA (may issue certificates) or a leaf.
    pub ca: bool,
    /// Whether its key usage allows signing certificates (keyCertSign):
    /// a CA's does; a test makes a CA whose does not.
    pub signs_certificates: bool,
    /// The extended key usage: whether critical, and the purposes.
    pub eku: Option<(bool, Vec<ObjectIdentifier>)>,
}

impl CertSpec {
    /// A TSA's certificate as RFC 3161 wants it: timeStamping alone, critical.
    pub fn tsa(subject: &str, serial: u64, not_before: i64, not_after: i64) -> CertSpec {
        CertSpec {
            subject: subject.into(),
            serial,
            not_before,
            not_after,
            ca: false,
            signs_certificates: false,
            eku: Some((true, vec![oids::KP_TIME_STAMPING])),
        }
    }

    /// A CA certificate.
    pub fn ca(subject: &str, serial: u64, not_before: i64, not_after: i64) -> CertSpec {
        CertSpec {
            subject: subject.into(),
            serial,
            not_before,
            not_after,
            ca: true,
            signs_certificates: true,
            eku: None,
        }
    }
}

fn time(secs: i64) -> Result<Time, String> {
    let d = Duration::from_secs(secs.max(0) as u64);
    // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime after.
    let r = if secs < 2_524_608_000 {
        UtcTime::from_unix_duration(d).map(Time::UtcTime)
    } else {
        GeneralizedTime::from_unix_duration(d).map(Time::GeneralTime)
    };
    r.map_err(|e| format!("time {secs}: {e}"))
}

fn extension(oid: ObjectIdentifier, critical: bool, value: &impl der::Encode) -> Extension {
    Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(der_of(value)).expect("an extension value"),
    }
}

fn spki_of(key: &SigningKey) -> spki::SubjectPublicKeyInfoOwned {
    let point = key.verifying_key().to_encoded_point(false);
    spki::SubjectPublicKeyInfoOwned {
        algorithm: spki::AlgorithmIdentifierOwned {
            oid: oids::EC_PUBLIC_KEY,
            parameters: Some(Any::encode_from(&oids::P256).expect("an OID")),
        },
        subject_public_key: BitString::from_bytes(point.as_bytes()).expect("a point"),
    }
}

/// Issue the certificate `spec` for `subject_key`, signed by `issuer`
/// (its key and certificate), or self-signed without one.
pub fn issue(
    spec: &CertSpec,
    subject_key: &SigningKey,
    issuer: Option<(&SigningKey, &Cert)>,
) -> Result<Cert, String> {
    let subject =
        Name::from_str(&spec.subject).map_err(|e| format!("subject {}: {e}", spec.subject))?;
    let spki = spki_of(subject_key);
    let key_id = sha1::Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec();
    let (issuer_key, issuer_name, issuer_id) = match issuer {
        Some((k, c)) => (k, c.parsed.tbs_certificate.subject.clone(), c.key_id()),
        None => (subject_key, subject.clone(), Some(key_id.clone())),
    };
    let usage = if spec.signs_certificates {
        KeyUsages::KeyCertSign | KeyUsages::CRLSign
    } else {
        KeyUsages::DigitalSignature.into()
    };
    let mut extensions = vec![
        extension(
            oids::BASIC_CONSTRAINTS,
            true,
            &BasicConstraints {
                ca: spec.ca,
                path_len_constraint: None,
            },
        ),
        extension(oids::KEY_USAGE, true, &KeyUsage(usage)),
        extension(
            oids::SUBJECT_KEY_ID,
            false,
            &SubjectKeyIdentifier(OctetString::new(key_id).expect("a key id")),
        ),
    ];
    if let Some(id) = issuer_id {
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(OctetString::new(id).expect("a key id")),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        extensions.push(extension(oids::AUTHORITY_KEY_ID, false, &aki));
    }
    if let Some((critical, purposes)) = &spec.eku {
        extensions.push(extension(
            oids::EXT_KEY_USAGE,
            *critical,
            &ExtendedKeyUsage(purposes.clone()),
        ));
    }
    let alg = spki::AlgorithmIdentifierOwned {
        oid: oids::ECDSA_WITH_SHA256,
        parameters: None,
    };
    let tbs = TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: SerialNumber::new(positive_int(&spec.serial.to_be_bytes()).as_bytes())
            .map_err(|e| e.to_string())?,
        signature: alg.clone(),
        issuer: issuer_name,
        validity: Validity {
            not_before: time(spec.not_before)?,
            not_after: time(spec.not_after)?,
        },
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let sig: p256::ecdsa::Signature = issuer_key.sign(&der_of(&tbs));
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: alg,
        signature: BitString::from_bytes(sig.to_der().as_bytes()).expect("a signature"),
    };
    Cert::from_der(&der_of(&cert))
}

/// A certificate as PEM text.
pub fn pem(cert: &Cert) -> String {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &cert.der)
        .expect("PEM of a certificate")
}

/// A TSA: its key, its certificate, and the certificates to send with it.
pub struct Signer {
    pub key: SigningKey,
    pub cert: Cert,
    pub chain: Vec<Cert>,
    /// The TSA policy its tokens are issued under.
    pub policy: ObjectIdentifier,
    /// Name the signer by its subject key identifier rather than by
    /// issuer and serial number (CMS allows either; a test uses this).
    pub by_key_id: bool,
    /// The signature algorithm the SignerInfo names: ecdsa-with-SHA256,
    /// or id-ecPublicKey, which some TSAs write (the digest then named
    /// apart); a test uses the second.
    pub signature_alg: ObjectIdentifier,
    /// The certificate the ESS signing-certificate attribute names: its
    /// own, unless a test makes it name another with the same key.
    pub ess_names: Option<Cert>,
    /// A second value in the message-digest attribute (CMS allows one);
    /// a test uses this for a token a faulty or hostile TSA would make.
    pub second_digest: bool,
}

/// The policy docket's own TSA names: an OID under the "example" arc
/// (RFC 5612 reserves 1.3.6.1.4.1.32473 for documentation).
pub const DEMO_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.1");

impl Signer {
    pub fn new(key: SigningKey, cert: Cert, chain: Vec<Cert>) -> Signer {
        Signer {
            key,
            cert,
            chain,
            policy: DEMO_POLICY,
            by_key_id: false,
            signature_alg: oids::ECDSA_WITH_SHA256,
            ess_names: None,
            second_digest: false,
        }
    }

    /// Answer a DER `TimeStampReq` at `gen_time` with `serial`: a granted
    /// DER `TimeStampResp`, or a rejection for a request it cannot read.
    pub fn respond(&self, req: &[u8], gen_time: i64, serial: u64) -> Vec<u8> {
        match read_request(req) {
            Ok(asked) if asked.sha256 && asked.digest.len() == 32 => self.token(
                &asked.digest,
                asked.nonce.as_deref(),
                asked.cert_req,
                gen_time,
                serial,
            ),
            Ok(_) => rejection("only SHA-256 imprints are accepted"),
            Err(e) => rejection(&e),
        }
    }

    /// A granted DER `TimeStampResp` for `digest`.
    pub fn token(
        &self,
        digest: &[u8],
        nonce: Option<&[u8]>,
        cert_req: bool,
        gen_time: i64,
        serial: u64,
    ) -> Vec<u8> {
        let tst = TstInfo {
            version: TspVersion::V1,
            policy: self.policy,
            message_imprint: MessageImprint {
                hash_algorithm: sha256_id(),
                hashed_message: OctetString::new(digest.to_vec()).expect("a digest"),
            },
            serial_number: positive_int(&serial.to_be_bytes()),
            gen_time: GeneralizedTime::from_unix_duration(Duration::from_secs(
                gen_time.max(0) as u64
            ))
            .expect("a time after 1970"),
            accuracy: None,
            ordering: false,
            nonce: nonce.map(positive_int),
            tsa: None,
            extensions: None,
        };
        let tst_der = der_of(&tst);
        let attr = |oid, value: Any| Attribute {
            oid,
            values: SetOfVec::try_from(vec![value]).expect("one value"),
        };
        let ess = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                hash_algorithm: None,
                cert_hash: OctetString::new(
                    sha2::Sha256::digest(&self.ess_names.as_ref().unwrap_or(&self.cert).der)
                        .to_vec(),
                )
                .expect("a hash"),
                issuer_serial: None,
            }],
            policies: None,
        };
        let attrs = SetOfVec::try_from(vec![
            attr(
                oids::CONTENT_TYPE,
                Any::encode_from(&oids::TST_INFO).expect("an OID"),
            ),
            Attribute {
                oid: oids::MESSAGE_DIGEST,
                values: {
                    let digest = |bytes: &[u8]| {
                        Any::encode_from(
                            &OctetString::new(sha2::Sha256::digest(bytes).to_vec())
                                .expect("a hash"),
                        )
                        .expect("a digest")
                    };
                    let mut values = vec![digest(&tst_der)];
                    if self.second_digest {
                        values.push(digest(b"another TSTInfo"));
                    }
                    SetOfVec::try_from(values).expect("distinct digests")
                },
            },
            attr(
                oids::SIGNING_CERTIFICATE_V2,
                Any::encode_from(&ess).expect("an ESS id"),
            ),
        ])
        .expect("distinct attributes");
        let sig: p256::ecdsa::Signature = self.key.sign(&der_of(&attrs));
        let tbs = &self.cert.parsed.tbs_certificate;
        // RFC 5652 5.3: version 3 when the signer is named by key id.
        let (version, sid) = match self.cert.key_id() {
            Some(id) if self.by_key_id => (
                CmsVersion::V3,
                SignerIdentifier::SubjectKeyIdentifier(SubjectKeyIdentifier(
                    OctetString::new(id).expect("a key id"),
                )),
            ),
            _ => (
                CmsVersion::V1,
                SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                    issuer: tbs.issuer.clone(),
                    serial_number: tbs.serial_number.clone(),
                }),
            ),
        };
        let si = SignerInfo {
            version,
            sid,
            digest_alg: sha256_id(),
            signed_attrs: Some(attrs),
            signature_algorithm: spki::AlgorithmIdentifierOwned {
                oid: self.signature_alg,
                parameters: None,
            },
            signature: OctetString::new(sig.to_der().as_bytes().to_vec()).expect("a signature"),
            unsigned_attrs: None,
        };
        let certificates = cert_req.then(|| {
            let all = std::iter::once(&self.cert).chain(&self.chain);
            CertificateSet(
                SetOfVec::try_from(
                    all.map(|c| CertificateChoices::Certificate((*c.parsed).clone()))
                        .collect::<Vec<_>>(),
                )
                .expect("distinct certificates"),
            )
        });
        let sd = SignedData {
            version: CmsVersion::V3,
            digest_algorithms: SetOfVec::try_from(vec![sha256_id()]).expect("one algorithm"),
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: oids::TST_INFO,
                econtent: Some(
                    Any::encode_from(&OctetString::new(tst_der).expect("a TSTInfo"))
                        .expect("content"),
                ),
            },
            certificates,
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![si]).expect("one signer")),
        };
        let resp = TimeStampResp {
            status: cmpv2::status::PkiStatusInfo {
                status: cmpv2::status::PkiStatus::Accepted,
                status_string: None,
                fail_info: None,
            },
            time_stamp_token: Some(ContentInfo {
                content_type: oids::SIGNED_DATA,
                content: Any::encode_from(&sd).expect("signed data"),
            }),
        };
        der_of(&resp)
    }
}

/// A `TimeStampResp` with status rejection and `why`.
pub fn rejection(why: &str) -> Vec<u8> {
    let text = der::asn1::Utf8StringRef::new(why).expect("a UTF-8 text");
    let resp = TimeStampResp {
        status: cmpv2::status::PkiStatusInfo {
            status: cmpv2::status::PkiStatus::Rejection,
            status_string: Some(vec![text]),
            fail_info: None,
        },
        time_stamp_token: None,
    };
    der_of(&resp)
}
