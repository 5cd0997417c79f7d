//! How a commit is signed, and whether an SSH signature holds.
//!
//! git stores a commit signature in the `gpgsig` header; the signed payload
//! is the commit without that header. SSH signatures (`gpg.format = ssh`)
//! are verified here in pure Rust with `ssh-key`, in git's namespace "git":
//! no `ssh-keygen` is run, so verification works the same on every machine
//! and a CI runner needs no OpenSSH. OpenPGP signatures are recognised and
//! reported as such, not verified (docket keeps no keyring).

use crate::model::Person;
use serde::Serialize;

/// The signature a commit carries, as read from git.
#[derive(Debug, Clone, Default)]
pub enum CommitSignature {
    #[default]
    Unsigned,
    /// An SSH signature (armored) and the payload it signs.
    Ssh {
        armor: String,
        payload: Vec<u8>,
    },
    OpenPgp,
    /// A `gpgsig` header docket does not recognise (X.509, ...).
    Other,
}

impl Serialize for CommitSignature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.kind())
    }
}

impl CommitSignature {
    pub(super) fn of(repo: &git2::Repository, c: &git2::Commit) -> CommitSignature {
        let Ok(header) = c.header_field_bytes("gpgsig") else {
            return CommitSignature::Unsigned;
        };
        let text = String::from_utf8_lossy(&header);
        if text.trim_start().starts_with("-----BEGIN SSH SIGNATURE") {
            match repo.extract_signature(&c.id(), None) {
                Ok((sig, payload)) => CommitSignature::Ssh {
                    armor: String::from_utf8_lossy(&sig).into_owned(),
                    payload: payload.to_vec(),
                },
                Err(_) => CommitSignature::Other,
            }
        } else if text.trim_start().starts_with("-----BEGIN PGP SIGNATURE") {
            CommitSignature::OpenPgp
        } else {
            CommitSignature::Other
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            CommitSignature::Unsigned => "unsigned",
            CommitSignature::Ssh { .. } => "ssh",
            CommitSignature::OpenPgp => "openpgp",
            CommitSignature::Other => "unknown",
        }
    }

    /// Check the signature against the keys of `people`.
    pub fn check(&self, people: &[Person]) -> SignatureCheck {
        let (armor, payload) = match self {
            CommitSignature::Unsigned => return SignatureCheck::Unsigned,
            CommitSignature::OpenPgp => return SignatureCheck::OpenPgp,
            CommitSignature::Other => return SignatureCheck::Unrecognised,
            CommitSignature::Ssh { armor, payload } => (armor, payload),
        };
        let Ok(sig) = ssh_key::SshSig::from_pem(armor.as_bytes()) else {
            return SignatureCheck::Invalid {
                reason: "the SSH signature cannot be read".into(),
            };
        };
        let fingerprint = sig
            .public_key()
            .fingerprint(ssh_key::HashAlg::Sha256)
            .to_string();
        // Find the owner by key first (a comparison), then verify once.
        for person in people {
            for key in &person.keys {
                let Ok(public) = ssh_key::PublicKey::from_openssh(key) else {
                    continue;
                };
                if public.key_data() != sig.public_key() {
                    continue;
                }
                return match public.verify("git", payload, &sig) {
                    Ok(()) => SignatureCheck::Valid {
                        person: person.id.value.clone(),
                        fingerprint,
                    },
                    Err(e) => SignatureCheck::Invalid {
                        reason: format!(
                            "the SSH signature by {} does not verify: {e}",
                            person.id.value
                        ),
                    },
                };
            }
        }
        SignatureCheck::UnknownKey { fingerprint }
    }
}

/// What a commit's signature proves about who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum SignatureCheck {
    Unsigned,
    /// A good SSH signature by a key listed for this person.
    Valid {
        person: String,
        fingerprint: String,
    },
    /// A well-formed SSH signature by a key nobody in people.toml holds.
    UnknownKey {
        fingerprint: String,
    },
    /// A signature that does not verify (tampered commit, wrong namespace).
    Invalid {
        reason: String,
    },
    OpenPgp,
    Unrecognised,
}

impl SignatureCheck {
    /// For the audit trail: one short phrase.
    pub fn describe(&self) -> String {
        match self {
            SignatureCheck::Unsigned => "unsigned".into(),
            SignatureCheck::Valid {
                person,
                fingerprint,
            } => format!("SSH-signed by {person} ({fingerprint})"),
            SignatureCheck::UnknownKey { fingerprint } => {
                format!("SSH-signed with an unknown key ({fingerprint})")
            }
            SignatureCheck::Invalid { reason } => format!("bad signature: {reason}"),
            SignatureCheck::OpenPgp => "OpenPGP signature, not verified".into(),
            SignatureCheck::Unrecognised => "unrecognised signature, not verified".into(),
        }
    }
}
