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
        let Ok((armor, payload)) = repo.extract_signature(&oid, None) else {
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

impl Seals {
    pub(super) fn read(&self, repo: &git2::Repository, id: git2::Oid) -> Arc<Sealed> {
        let sealed = Sealed::read_with(repo, id, Some(&self.1));
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
mod tests {
    use super::{Keys, Sealed};
    use crate::selftest::company::private_key;
    use ssh_key::{HashAlg, LineEnding, SshSig};

    /// A commit signed as `sign` makes it: with `who`'s key, in
    /// `namespace`, over `signed` (the commit's own bytes when `None`).
    fn commit(
        repo: &git2::Repository,
        message: &str,
        who: &str,
        namespace: &str,
        hash: HashAlg,
        signed: Option<&[u8]>,
    ) -> git2::Oid {
        let person = git2::Signature::new("A", "a@example.com", &git2::Time::new(0, 0)).unwrap();
        let tree = repo.treebuilder(None).unwrap().write().unwrap();
        let tree = repo.find_tree(tree).unwrap();
        let buffer = repo
            .commit_create_buffer(&person, &person, message, &tree, &[])
            .unwrap();
        let data = signed.unwrap_or(&buffer);
        let sig = SshSig::sign(&private_key(who), namespace, hash, data).unwrap();
        let armor = sig.to_pem(LineEnding::LF).unwrap();
        repo.commit_signed(std::str::from_utf8(&buffer).unwrap(), &armor, None)
            .unwrap()
    }

    /// The keys kept between signatures change no verdict and no word of
    /// one: each commit's reading with them is its reading by ssh-key
    /// alone, good or bad, and a good one is concluded with them.
    #[test]
    fn a_signature_read_with_the_keys_met_before_is_read_as_ssh_key_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let good = [
            commit(&repo, "one", "wang", "git", HashAlg::Sha512, None),
            commit(&repo, "two", "wang", "git", HashAlg::Sha512, None),
            commit(&repo, "three", "chen", "git", HashAlg::Sha256, None),
        ];
        let bad = [
            commit(&repo, "four", "wang", "file", HashAlg::Sha512, None),
            commit(
                &repo,
                "five",
                "chen",
                "git",
                HashAlg::Sha512,
                Some(b"other bytes"),
            ),
        ];
        let keys = Keys::default();
        for (round, id) in good.iter().chain(&bad).chain(&good).enumerate() {
            let alone = Sealed::read(&repo, *id);
            assert_eq!(Sealed::read_with(&repo, *id, Some(&keys)), alone, "{round}");
            let Sealed::By { broken, .. } = &alone else {
                panic!("{round}: {alone:?}");
            };
            assert_eq!(broken.is_none(), good.contains(id), "{round}: {broken:?}");
        }
        // Two keys met, each kept once, and a good signature concluded
        // with them alone.
        assert_eq!(keys.0.lock().unwrap().len(), 2);
        let wang = commit(&repo, "six", "wang", "git", HashAlg::Sha512, None);
        let Some(Sealed::By {
            broken: None,
            fingerprint,
            ..
        }) = ({
            let (armor, payload) = repo.extract_signature(&wang, None).unwrap();
            keys.verified(&SshSig::from_pem(&*armor).unwrap(), &payload)
        })
        else {
            panic!("a good signature by a known key is concluded with it");
        };
        assert!(fingerprint.starts_with("SHA256:"), "{fingerprint}");
    }

    /// The verifier the walk calls (ed25519-dalek 3, on AVX-512 where the
    /// processor has it) concludes nothing that ssh-key's (version 2)
    /// would not: a signature made malleable (`s + ℓ`, which satisfies
    /// the same equation and only the check that `s` is reduced refuses),
    /// one with a bit of `R` changed, one with `s` changed, and one
    /// another key made are each refused by both, and the good one is
    /// concluded by both.
    #[test]
    fn the_walks_verifier_refuses_what_ssh_keys_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let id = commit(&repo, "one", "wang", "git", HashAlg::Sha512, None);
        let other = commit(&repo, "two", "chen", "git", HashAlg::Sha512, None);
        let read = |id| {
            let (armor, payload) = repo.extract_signature(&id, None).unwrap();
            (SshSig::from_pem(&*armor).unwrap(), payload.to_vec())
        };
        let (good, payload) = read(id);
        let with = |bytes: &[u8]| {
            let signature = ssh_key::Signature::new(ssh_key::Algorithm::Ed25519, bytes).unwrap();
            SshSig::new(good.public_key().clone(), "git", good.hash_alg(), signature).unwrap()
        };
        let bytes = good.signature().as_bytes().to_vec();
        // ℓ, the order of the base point, little-endian.
        let l: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut malleable = bytes.clone();
        let mut carry = 0u16;
        for (b, l) in malleable[32..].iter_mut().zip(l) {
            let sum = u16::from(*b) + u16::from(l) + carry;
            *b = sum as u8;
            carry = sum >> 8;
        }
        assert_eq!(carry, 0, "s + ℓ fits in 32 bytes");
        let mut r_changed = bytes.clone();
        r_changed[3] ^= 0x10;
        let mut s_changed = bytes.clone();
        s_changed[40] ^= 0x01;
        let (chens, _) = read(other);
        let refused = [
            with(&malleable),
            with(&r_changed),
            with(&s_changed),
            with(chens.signature().as_bytes()),
        ];
        let key = ssh_key::PublicKey::from(good.public_key().clone());
        let keys = Keys::default();
        assert!(key.verify("git", &payload, &good).is_ok());
        assert!(keys.verified(&good, &payload).is_some());
        for (n, sig) in refused.iter().enumerate() {
            assert!(key.verify("git", &payload, sig).is_err(), "ssh-key, {n}");
            assert_eq!(keys.verified(sig, &payload), None, "the walk's, {n}");
        }
    }

    /// Whether the walk's verifier concludes a good signature, and
    /// whether ssh-key's verifies it: the two must agree.
    fn agree(keys: &Keys, sig: &SshSig, payload: &[u8]) -> bool {
        let key = ssh_key::PublicKey::from(sig.public_key().clone());
        let theirs = key.verify("git", payload, sig).is_ok();
        keys.verified(sig, payload).is_some() == theirs
    }

    /// The two verifiers agree where the arithmetic could differ: the
    /// identity point as a key, with a signature that satisfies the
    /// cofactorless equation for any message (both accept it, as
    /// OpenSSH's verifier does: a key nobody in people.toml holds proves
    /// nothing), and hundreds of signatures by many keys over many
    /// messages, each good and with one bit of the signature, its `R` or
    /// `s`, or of the message changed.
    #[test]
    fn the_walks_verifier_and_ssh_keys_agree_bit_by_bit() {
        let keys = Keys::default();
        let identity = {
            let mut point = [0u8; 32];
            point[0] = 1;
            point
        };
        let weak = ssh_key::public::KeyData::Ed25519(ssh_key::public::Ed25519PublicKey(identity));
        let mut bytes = [0u8; 64];
        bytes[0] = 1;
        let signature = ssh_key::Signature::new(ssh_key::Algorithm::Ed25519, &bytes[..]).unwrap();
        let sig = SshSig::new(weak, "git", HashAlg::Sha512, signature).unwrap();
        assert!(agree(&keys, &sig, b"any commit at all"));
        assert!(keys.verified(&sig, b"any other commit").is_some());

        let mut rng = fastrand::Rng::with_seed(38);
        let (mut good, mut refused) = (0, 0);
        for n in 0..300 {
            let mut seed = [0u8; 32];
            rng.fill(&mut seed);
            let private =
                ssh_key::PrivateKey::from(ssh_key::private::Ed25519Keypair::from_seed(&seed));
            let mut message = vec![0u8; rng.usize(1..400)];
            rng.fill(&mut message);
            let hash = if n % 2 == 0 {
                HashAlg::Sha512
            } else {
                HashAlg::Sha256
            };
            let sig = SshSig::sign(&private, "git", hash, &message).unwrap();
            assert!(keys.verified(&sig, &message).is_some(), "{n}: good");
            assert!(agree(&keys, &sig, &message), "{n}: good");
            good += 1;
            let mut flipped = sig.signature().as_bytes().to_vec();
            let bit = rng.usize(..flipped.len() * 8);
            flipped[bit / 8] ^= 1 << (bit % 8);
            let signature = ssh_key::Signature::new(ssh_key::Algorithm::Ed25519, flipped).unwrap();
            let changed = SshSig::new(sig.public_key().clone(), "git", hash, signature).unwrap();
            assert!(agree(&keys, &changed, &message), "{n}: signature bit {bit}");
            let bit = rng.usize(..message.len() * 8);
            message[bit / 8] ^= 1 << (bit % 8);
            assert!(agree(&keys, &sig, &message), "{n}: message bit {bit}");
            refused += usize::from(keys.verified(&changed, &message).is_none());
        }
        assert_eq!((good, refused), (300, 300));
    }
}
