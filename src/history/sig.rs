//! How a commit is signed, and whether an SSH signature holds.
//!
//! git stores a commit signature in the `gpgsig` header; the signed payload
//! is the commit without that header. SSH signatures (`gpg.format = ssh`)
//! are verified here in pure Rust with `ssh-key`, in git's namespace "git":
//! no `ssh-keygen` is run, so verification works the same on every machine
//! and a CI runner needs no OpenSSH. OpenPGP signatures are recognised and
//! reported as such, not verified (docket keeps no keyring).

use crate::finding::Message;
use crate::model::{Key, Person};
use crate::msg;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// The kind of signature a commit carries, as read from its header. The
/// signature itself is read again from the commit object when it is
/// verified, so the index (and its cache) holds no signature bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommitSignature {
    #[default]
    Unsigned,
    Ssh,
    #[serde(rename = "openpgp")]
    OpenPgp,
    /// A `gpgsig` header docket does not recognise (X.509, ...).
    #[serde(rename = "unknown")]
    Other,
}

impl CommitSignature {
    pub(super) fn of(c: &git2::Commit) -> CommitSignature {
        let Ok(header) = c.header_field_bytes("gpgsig") else {
            return CommitSignature::Unsigned;
        };
        let text = header.trim_ascii_start();
        if text.starts_with(b"-----BEGIN SSH SIGNATURE") {
            CommitSignature::Ssh
        } else if text.starts_with(b"-----BEGIN PGP SIGNATURE") {
            CommitSignature::OpenPgp
        } else {
            CommitSignature::Other
        }
    }
}

/// The people's SSH keys, parsed once per policy in force: who holds
/// each, its fingerprint, and the time it may sign in.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: Vec<Held>,
}

#[derive(Debug, Clone)]
struct Held {
    person: String,
    public: ssh_key::PublicKey,
    fingerprint: String,
    entry: Key,
}

impl Keyring {
    pub fn new(people: &[Person]) -> Keyring {
        let keys = people
            .iter()
            .flat_map(|p| {
                p.keys.iter().filter_map(|k| {
                    let public = ssh_key::PublicKey::from_openssh(&k.key).ok()?;
                    Some(Held {
                        person: p.id.value.clone(),
                        fingerprint: public.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
                        public,
                        entry: k.clone(),
                    })
                })
            })
            .collect();
        Keyring { keys }
    }

    /// `person`'s entry for the key with this fingerprint, if they hold it.
    pub fn key_of(&self, person: &str, fingerprint: &str) -> Option<&Key> {
        self.keys
            .iter()
            .find(|h| h.person == person && h.fingerprint == fingerprint)
            .map(|h| &h.entry)
    }

    /// The earliest day from which any entry of this key is revoked.
    pub fn revoked(&self, fingerprint: &str) -> Option<Date> {
        self.keys
            .iter()
            .filter(|h| h.fingerprint == fingerprint)
            .filter_map(|h| h.entry.revoked)
            .min()
    }

    /// Every key's fingerprint and owner, for describing changes.
    pub fn fingerprints(&self) -> impl Iterator<Item = (&str, &str, &Key)> {
        self.keys
            .iter()
            .map(|h| (h.person.as_str(), h.fingerprint.as_str(), &h.entry))
    }

    /// Check the signature of commit `id` in `repo` against the keys.
    pub fn check(
        &self,
        repo: &git2::Repository,
        id: &str,
        kind: CommitSignature,
    ) -> SignatureCheck {
        match kind {
            CommitSignature::Unsigned => return SignatureCheck::Unsigned,
            CommitSignature::OpenPgp => return SignatureCheck::OpenPgp,
            CommitSignature::Other => return SignatureCheck::Unrecognised,
            CommitSignature::Ssh => {}
        }
        match git2::Oid::from_str(id) {
            Ok(oid) => self.judge(&Sealed::read(repo, oid)),
            Err(_) => self.judge(&Sealed::Unreadable),
        }
    }

    /// Whose signature a verified one is: the first holder of the key it
    /// carries; unknown when nobody holds that key, whether or not the
    /// signature verifies (as `ssh-keygen -Y verify` asks for a principal
    /// before it verifies anything).
    pub fn judge(&self, sealed: &Sealed) -> SignatureCheck {
        let Sealed::By {
            key,
            fingerprint,
            broken,
        } = sealed
        else {
            return SignatureCheck::Invalid {
                reason: "the SSH signature cannot be read".into(),
            };
        };
        let Some(held) = self.keys.iter().find(|h| h.public.key_data() == key) else {
            return SignatureCheck::UnknownKey {
                fingerprint: fingerprint.clone(),
            };
        };
        let person = &held.person;
        match broken {
            None => SignatureCheck::Valid {
                person: person.clone(),
                fingerprint: fingerprint.clone(),
            },
            Some(e) => SignatureCheck::Invalid {
                reason: format!("the SSH signature by {person} does not verify: {e}"),
            },
        }
    }
}

/// A commit's SSH signature verified with the key it carries: the part of
/// [`Keyring::check`] that no policy changes, so that it can be done
/// before the policies are known, where a core would otherwise wait (the
/// walk, `walk.rs`). Whose key it is, and so what the signature proves,
/// is [`Keyring::judge`]'s, under the policy in force for the commit.
/// Always made from the commit object in this run, never cached.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Sealed {
    /// No signature could be read from the commit object.
    Unreadable,
    By {
        key: ssh_key::public::KeyData,
        /// The key's SHA-256 fingerprint, as `ssh-keygen -l` shows it.
        fingerprint: String,
        /// Why the signature does not verify with that key; `None` when
        /// it does.
        broken: Option<String>,
    },
}

impl Sealed {
    /// Read commit `oid`'s `gpgsig` header and verify it over the commit
    /// without it, in git's namespace, with the key the signature names.
    pub fn read(repo: &git2::Repository, oid: git2::Oid) -> Sealed {
        let Ok((armor, payload)) = repo.extract_signature(&oid, None) else {
            return Sealed::Unreadable;
        };
        let Ok(sig) = ssh_key::SshSig::from_pem(&*armor) else {
            return Sealed::Unreadable;
        };
        let key = sig.public_key().clone();
        let fingerprint = key.fingerprint(ssh_key::HashAlg::Sha256).to_string();
        let broken = ssh_key::PublicKey::from(key.clone())
            .verify("git", &payload, &sig)
            .err()
            .map(|e| e.to_string());
        Sealed::By {
            key,
            fingerprint,
            broken,
        }
    }
}

/// The signatures the walk verified, kept once per distinct outcome: a
/// good signature by a key is the same value for each of the thousands of
/// commits that key signed, so a commit holds a pointer, not a key. Found
/// by hash, not by a scan: a history signed by a new key at each commit
/// (anyone can make one) must not cost the square of its length.
#[derive(Default)]
pub(super) struct Seals(Mutex<HashSet<Arc<Sealed>>>);

impl Seals {
    pub(super) fn read(&self, repo: &git2::Repository, id: git2::Oid) -> Arc<Sealed> {
        let sealed = Sealed::read(repo, id);
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(same) = kept.get(&sealed) {
            return same.clone();
        }
        let sealed = Arc::new(sealed);
        kept.insert(sealed.clone());
        sealed
    }
}

/// What a commit's signature proves about who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum SignatureCheck {
    Unsigned,
    /// A good SSH signature by a key listed for this person (the first
    /// who holds it; whether the signer holds it too is asked of the
    /// [`Keyring`]).
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
        self.described().en
    }

    /// [`describe`](Self::describe) in both languages.
    pub fn described(&self) -> Message {
        match self {
            SignatureCheck::Unsigned => msg!("unsigned", "未簽章"),
            SignatureCheck::Valid {
                person,
                fingerprint,
            } => msg!(
                "SSH-signed by {person} ({fingerprint})",
                "由 {person} 以 SSH 簽章（{fingerprint}）"
            ),
            SignatureCheck::UnknownKey { fingerprint } => msg!(
                "SSH-signed with an unknown key ({fingerprint})",
                "以不明的金鑰 SSH 簽章（{fingerprint}）"
            ),
            SignatureCheck::Invalid { reason } => {
                msg!("bad signature: {reason}", "簽章無效（{reason}）")
            }
            SignatureCheck::OpenPgp => {
                msg!("OpenPGP signature, not verified", "OpenPGP 簽章，未驗證")
            }
            SignatureCheck::Unrecognised => {
                msg!(
                    "unrecognised signature, not verified",
                    "無法辨識的簽章，未驗證"
                )
            }
        }
    }
}
