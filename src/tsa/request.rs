//! The question put to a TSA: a `TimeStampReq` (RFC 3161 2.4.1) over a
//! SHA-256 digest, with a nonce (so an old reply cannot be replayed as the
//! answer) and certReq set (so the token carries the TSA's certificate and
//! can be verified offline from the repository alone).

use super::token::{der_of, sha256_id};
use der::Decode;
use der::asn1::{Int, OctetString};
use x509_tsp::{MessageImprint, TimeStampReq, TspVersion};

/// A DER `TimeStampReq` for `digest` (SHA-256) with `nonce`.
pub fn request(digest: &[u8; 32], nonce: u64) -> Vec<u8> {
    let req = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: sha256_id(),
            hashed_message: OctetString::new(digest.to_vec()).expect("32 bytes"),
        },
        req_policy: None,
        nonce: Some(positive_int(&nonce.to_be_bytes())),
        cert_req: true,
        extensions: None,
    };
    der_of(&req)
}

/// What a TSA reads from a request: the digest, its algorithm, the nonce
/// and whether to include certificates.
pub struct Asked {
    pub digest: Vec<u8>,
    pub sha256: bool,
    pub nonce: Option<Vec<u8>>,
    pub cert_req: bool,
}

/// Read a DER `TimeStampReq`.
pub fn read_request(der: &[u8]) -> Result<Asked, String> {
    let req = TimeStampReq::from_der(der).map_err(|e| format!("not a TimeStampReq: {e}"))?;
    Ok(Asked {
        digest: req.message_imprint.hashed_message.as_bytes().to_vec(),
        sha256: req.message_imprint.hash_algorithm.oid == super::oids::SHA256,
        nonce: req
            .nonce
            .map(|n| super::token::strip_zeros(n.as_bytes()).to_vec()),
        cert_req: req.cert_req,
    })
}

/// A non-negative INTEGER from big-endian bytes: leading zeros dropped,
/// one put back where the top bit would make it negative.
pub(super) fn positive_int(be: &[u8]) -> Int {
    let trimmed = super::token::strip_zeros(be);
    let mut bytes = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
        bytes.push(0);
    }
    bytes.extend_from_slice(trimmed);
    Int::new(&bytes).expect("a minimal integer")
}
