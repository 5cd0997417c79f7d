//! The object identifiers and hash functions a timestamp names, in one
//! place: RFC 3161 (TSP), RFC 5652 (CMS), RFC 5035 (ESS), RFC 5280 (X.509)
//! and the algorithm RFCs. Only what docket verifies or issues is here; an
//! identifier not listed is an algorithm docket does not support.

use der::asn1::ObjectIdentifier as Oid;
use sha2::Digest;

pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
pub const TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
pub const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
pub const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
pub const SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
pub const SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");

pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
pub const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
pub const P384: Oid = Oid::new_unwrap("1.3.132.0.34");

pub const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
pub const KP_TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");
pub const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
pub const KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
pub const SUBJECT_KEY_ID: Oid = Oid::new_unwrap("2.5.29.14");
pub const AUTHORITY_KEY_ID: Oid = Oid::new_unwrap("2.5.29.35");

/// A hash function a token may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// The hash a digest-algorithm identifier names; SHA-1 only where
    /// `sha1_ok` (ESS certificate ids, never signatures).
    pub fn of(oid: &Oid, sha1_ok: bool) -> Option<Hash> {
        match *oid {
            SHA256 => Some(Hash::Sha256),
            SHA384 => Some(Hash::Sha384),
            SHA512 => Some(Hash::Sha512),
            SHA1 if sha1_ok => Some(Hash::Sha1),
            _ => None,
        }
    }

    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => sha1::Sha1::digest(bytes).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(bytes).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(bytes).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(bytes).to_vec(),
        }
    }
}

/// A name for an algorithm identifier in messages: the ones docket knows
/// by name, the dotted form otherwise.
pub fn name(oid: &Oid) -> String {
    let known = [
        (SHA1, "SHA-1"),
        (SHA256, "SHA-256"),
        (SHA384, "SHA-384"),
        (SHA512, "SHA-512"),
        (RSA_ENCRYPTION, "RSA"),
        (SHA256_WITH_RSA, "RSA with SHA-256"),
        (SHA384_WITH_RSA, "RSA with SHA-384"),
        (SHA512_WITH_RSA, "RSA with SHA-512"),
        (ECDSA_WITH_SHA256, "ECDSA with SHA-256"),
        (ECDSA_WITH_SHA384, "ECDSA with SHA-384"),
        (ECDSA_WITH_SHA512, "ECDSA with SHA-512"),
        (P256, "the P-256 curve"),
        (P384, "the P-384 curve"),
    ];
    known
        .iter()
        .find(|(o, _)| o == oid)
        .map_or_else(|| format!("algorithm {oid}"), |(_, n)| n.to_string())
}
