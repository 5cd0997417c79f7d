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
use std::collections::{HashMap, HashSet};
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
                    if is_weak(&public) {
                        return None;
                    }
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

    /// Check the signature of commit `id` in `repo` against the keys,
    /// taking the Ed25519 keys already met from `keys`.
    pub(super) fn check(
        &self,
        repo: &git2::Repository,
        id: &str,
        kind: CommitSignature,
        keys: &Keys,
    ) -> SignatureCheck {
        match kind {
            CommitSignature::Unsigned => return SignatureCheck::Unsigned,
            CommitSignature::OpenPgp => return SignatureCheck::OpenPgp,
            CommitSignature::Other => return SignatureCheck::Unrecognised,
            CommitSignature::Ssh => {}
        }
        match git2::Oid::from_str(id) {
            Ok(oid) => self.judge(&Sealed::read_with(repo, oid, Some(keys))),
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
/// `Keyring::check` that no policy changes, so that it can be done
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
        Sealed::read_with(repo, oid, None)
    }

    /// [`Sealed::read`], taking Ed25519 keys already met from `keys`.
    fn read_with(repo: &git2::Repository, oid: git2::Oid, keys: Option<&Keys>) -> Sealed {
        Sealed::of(extract(repo, oid), keys)
    }

    /// What `extracted` (a commit's signature and the bytes it signs)
    /// proves, taking Ed25519 keys already met from `keys`.
    fn of(extracted: Extracted, keys: Option<&Keys>) -> Sealed {
        let Some((armor, payload)) = extracted else {
            return Sealed::Unreadable;
        };
        let Ok(sig) = ssh_key::SshSig::from_pem(&*armor) else {
            return Sealed::Unreadable;
        };
        if let Some(good) = keys.and_then(|k| k.verified(&sig, &payload)) {
            return good;
        }
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

/// An Ed25519 key of small order (the identity point, or a point of
/// order 2, 4 or 8): with it, a signature anyone can make (a small-order
/// `R`, `s` = 0) verifies over any message, in docket as in OpenSSH. It
/// proves nothing of whoever lists it, so it is held by nobody: not in
/// the keyring, not in the exported allowed signers.
pub(super) fn is_weak(public: &ssh_key::PublicKey) -> bool {
    match public.key_data() {
        ssh_key::public::KeyData::Ed25519(k) => {
            ed25519_dalek::VerifyingKey::from_bytes(&k.0).is_ok_and(|v| v.is_weak())
        }
        _ => false,
    }
}

/// The Ed25519 keys the walk's signatures carry, each decompressed and
/// fingerprinted once instead of at every signature: a company's
/// hundreds of thousands of commits are signed by a few dozen keys, and
/// the two were a tenth of the verifying. Only a good signature is
/// concluded here, and with the call ssh-key makes (ed25519-dalek's
/// `verify`, over the same signed data; version 3 here, whose AVX-512
/// arithmetic takes 18 µs a signature where version 2, ssh-key's, takes
/// 30, for the same equation: docs/decisions.md): anything else (another
/// algorithm, namespace or form, a signature that does not verify) goes
/// the whole way through ssh-key, whose verdict and words stand.
#[derive(Debug, Default)]
pub(super) struct Keys(Mutex<HashMap<[u8; 32], Arc<Known>>>);

/// A key met: ready to verify with, and its fingerprint.
type Known = (ed25519_dalek::VerifyingKey, String);

impl Keys {
    fn verified(&self, sig: &ssh_key::SshSig, payload: &[u8]) -> Option<Sealed> {
        let ssh_key::public::KeyData::Ed25519(public) = sig.public_key() else {
            return None;
        };
        // ssh-key signs the reserved field too; its public function for
        // the signed data assumes it empty, as every signer writes it.
        if sig.namespace() != "git" || !sig.reserved().is_empty() {
            return None;
        }
        let known = {
            let mut keys = self.0.lock().unwrap_or_else(|e| e.into_inner());
            match keys.get(&public.0) {
                Some(k) => k.clone(),
                None => {
                    let key = ed25519_dalek::VerifyingKey::from_bytes(&public.0).ok()?;
                    let print = sig.public_key().fingerprint(ssh_key::HashAlg::Sha256);
                    let known = Arc::new((key, print.to_string()));
                    keys.insert(public.0, known.clone());
                    known
                }
            }
        };
        // The 64 bytes ssh-key's conversion takes; a signature of any
        // other algorithm (ssh-key's also takes security keys' here) is
        // left to ssh-key.
        if sig.signature().algorithm() != ssh_key::Algorithm::Ed25519 {
            return None;
        }
        let bytes = <[u8; 64]>::try_from(sig.signature().as_bytes()).ok()?;
        let signature = ed25519_dalek::Signature::from_bytes(&bytes);
        let data = ssh_key::SshSig::signed_data("git", sig.hash_alg(), payload).ok()?;
        use ed25519_dalek::Verifier;
        known.0.verify(&data, &signature).ok()?;
        Some(Sealed::By {
            key: sig.public_key().clone(),
            fingerprint: known.1.clone(),
            broken: None,
        })
    }
}

/// The signatures the walk verified, kept once per distinct outcome: a
/// good signature by a key is the same value for each of the thousands of
/// commits that key signed, so a commit holds a pointer, not a key. Found
/// by hash, not by a scan: a history signed by a new key at each commit
/// (anyone can make one) must not cost the square of its length.
#[derive(Default)]
pub(super) struct Seals(Mutex<HashSet<Arc<Sealed>>>, Keys);

/// A commit's signature and the bytes it signs, as libgit2 extracts them
/// from the commit object; `None` where it has none it can read.
pub(super) type Extracted = Option<(git2::Buf, git2::Buf)>;

/// Commit `oid`'s signature and signed bytes ([`Extracted`]).
pub(super) fn extract(repo: &git2::Repository, oid: git2::Oid) -> Extracted {
    repo.extract_signature(&oid, None).ok()
}

impl Seals {
    pub(super) fn read(&self, repo: &git2::Repository, id: git2::Oid) -> Arc<Sealed> {
        self.judge(extract(repo, id))
    }

    /// [`Seals::read`] of a signature extracted before.
    pub(super) fn judge(&self, extracted: Extracted) -> Arc<Sealed> {
        let sealed = Sealed::of(extracted, Some(&self.1));
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

#[cfg(test)]
mod tests;
