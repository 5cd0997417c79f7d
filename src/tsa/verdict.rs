//! What verifying a token can say: the time it proves ([`TrustedTime`]),
//! or why it proves nothing ([`Reject`]); and, for a whole repository, the
//! [`Stamps`] index of every signing commit's token.
//!
//! These are plain data with no git handle and no crypto in them, so the
//! history index can carry them and the rules, the site and `docket log`
//! can read them without knowing how they were made.

use std::collections::BTreeMap;
use std::fmt;

/// What a valid token proves: the commit existed at `gen_time`, according
/// to the TSA named.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrustedTime {
    /// The token's `genTime`, seconds since 1970 (UTC).
    pub gen_time: i64,
    /// The TSA's signing certificate's subject (RFC 4514), like
    /// `CN=Acme Demo TSA,O=Acme Precision Parts Co.`.
    pub tsa_subject: String,
    /// The token's serial number, in hex.
    pub serial: String,
    /// The TSA policy the token was issued under (an OID).
    pub policy: String,
}

/// Why a token proves nothing. Each says what to do in its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reject {
    /// Not an RFC 3161 reply docket can read (not DER, a part missing).
    Malformed(String),
    /// The TSA did not grant the request (its status and text).
    NotGranted(String),
    /// The token is for other bytes: another commit, or another object.
    OtherCommit,
    /// Its content or signature was changed after the TSA signed it.
    Tampered(String),
    /// Its signer does not chain up to a configured certificate.
    UntrustedTsa(String),
    /// A certificate of the chain was not valid at the token's time.
    NotValidAt(String),
    /// The signer certificate is not a timestamping certificate.
    BadEku(String),
    /// An algorithm docket does not verify (say, RSA-PSS).
    Unsupported(String),
}

impl Reject {
    /// A short name for the reason: `malformed`, `not-granted`,
    /// `other-commit`, `tampered`, `untrusted-tsa`, `not-valid-at`,
    /// `bad-eku`, `unsupported`.
    pub fn kind(&self) -> &'static str {
        match self {
            Reject::Malformed(_) => "malformed",
            Reject::NotGranted(_) => "not-granted",
            Reject::OtherCommit => "other-commit",
            Reject::Tampered(_) => "tampered",
            Reject::UntrustedTsa(_) => "untrusted-tsa",
            Reject::NotValidAt(_) => "not-valid-at",
            Reject::BadEku(_) => "bad-eku",
            Reject::Unsupported(_) => "unsupported",
        }
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reject::Malformed(why) => {
                write!(f, "it is not a timestamp reply docket can read: {why}")
            }
            Reject::NotGranted(why) => write!(f, "the TSA refused the request: {why}"),
            Reject::OtherCommit => f.write_str(
                "it timestamps other bytes (another commit, or the commit's SHA-1 id): its message \
                 imprint is not the SHA-256 of this commit object",
            ),
            Reject::Tampered(why) => write!(f, "it was altered after the TSA signed it: {why}"),
            Reject::UntrustedTsa(why) => write!(
                f,
                "its TSA is not trusted: {why} (trusted certificates are listed in \
                 docket.toml, [timestamps] certificates)"
            ),
            Reject::NotValidAt(why) => write!(f, "{why}"),
            Reject::BadEku(why) => write!(f, "its signer is not a timestamping certificate: {why}"),
            Reject::Unsupported(why) => write!(f, "it uses {why}, which docket does not verify"),
        }
    }
}

/// The token of one signing commit, as found below the records root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// No `timestamps/<commit id>.tsr`.
    Missing,
    /// A token that verifies: the time it proves.
    Trusted(TrustedTime),
    /// A token that does not verify, and why.
    Rejected(Reject),
}

/// Every signing commit's token, by index into the history's commits:
/// made once per run by [`stamps`](crate::tsa::stamps()), after the proofs.
/// Empty when timestamps are off or there is no history.
#[derive(Debug, Clone, Default)]
pub struct Stamps {
    pub commits: BTreeMap<usize, Token>,
}

impl Stamps {
    /// The time a valid token proves for commit `i` (an index into the
    /// history's commits), if it has one: what a rule about signing times
    /// bounds the signing time by.
    pub fn trusted_time(&self, i: usize) -> Option<&TrustedTime> {
        match self.commits.get(&i) {
            Some(Token::Trusted(t)) => Some(t),
            _ => None,
        }
    }

    /// The token of commit `i`, if `i` is a signing commit.
    pub fn token(&self, i: usize) -> Option<&Token> {
        self.commits.get(&i)
    }
}
