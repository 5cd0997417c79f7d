//! Trusted signing time: RFC 3161 timestamps on signing commits.
//!
//! A git commit's dates are whatever the signer's computer said. An SSH
//! signature proves *who* signed, never *when*: a careful signer can set
//! every date consistently, and a stolen key can sign "in the past". git
//! has no answer inside itself, and transparency logs rest on a clock no
//! outsider can check. The answer auditors and courts already accept is a
//! timestamp from a timestamping authority (TSA, RFC 3161): the TSA signs
//! "these bytes existed at this time" with a certificate issued for that
//! one purpose. docket asks for one over each signing commit (`docket
//! stamp`) and keeps it in the repository beside the records
//! (`timestamps/<commit id>.tsr`), so anyone can verify it later, offline,
//! with docket or with `openssl ts -verify`.
//!
//! What is verified, with no network: the reply was granted; the token is
//! CMS SignedData over a TSTInfo whose message imprint is the SHA-256 of
//! the raw commit object (signature header included); the signed
//! attributes bind that content and name the signer's certificate; the
//! signature over them verifies (RSA PKCS#1 v1.5, ECDSA on P-256/P-384,
//! with SHA-256/384/512); the signer chains up to a certificate configured
//! in `docket.toml`, carries the timeStamping extended key usage alone and
//! critical, and it and its chain were valid at the token's time.
//!
//! What is not: revocation (no CRL or OCSP: they need the network, and a
//! check must give the same answer in ten years), the TSA's own honesty
//! (trusting it is the company's decision, made by listing its
//! certificate), and RSA-PSS or other algorithms (reported as unsupported,
//! never as valid). A token bounds the signing time from above only: the
//! commit existed by `genTime`; it says nothing about how much earlier it
//! was made, which is what the trust model's date rules are for.
//!
//! The parts: the identifiers (`oids.rs`), the raw bytes a signature
//! covers (`raw.rs`), trust in certificates ([`certs`]), a token's checks
//! ([`token`]), the request ([`request`]), docket's own minimal TSA for
//! tests and the demo ([`issue`]), asking a TSA over HTTP ([`http`]), the
//! results ([`verdict`]), the repository's index of them ([`stamps()`])
//! and the verified tokens kept between runs ([`cache`]).

pub mod cache;
pub mod certs;
pub mod http;
pub mod issue;
mod oids;
mod raw;
pub mod request;
pub mod stamping;
pub mod stamps;
pub mod token;
pub mod verdict;

pub use certs::{Cert, Trust};
pub use stamps::{
    certificate_files, commit_digest, signing_commits, stamps, token_path, trust, verify_commit,
};
pub use verdict::{Reject, Stamps, Token, TrustedTime};

/// The timeStamping extended key usage (RFC 3161 2.3), for certificates.
pub const KP_TIME_STAMPING: der::asn1::ObjectIdentifier = oids::KP_TIME_STAMPING;

#[cfg(test)]
mod tests;
