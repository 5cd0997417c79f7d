//! The walk's Ed25519 verifier held to ssh-key's, and the keyring's
//! refusal of keys of small order.

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
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
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

/// The identity point as an Ed25519 key: of small order, so the
/// signature with `R` the identity and `s` = 0 verifies over anything.
fn identity_key() -> ssh_key::public::KeyData {
    let mut point = [0u8; 32];
    point[0] = 1;
    ssh_key::public::KeyData::Ed25519(ssh_key::public::Ed25519PublicKey(point))
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
/// OpenSSH's verifier does; the keyring holds no such key:
/// [`super::is_weak`]), and hundreds of signatures by many keys over many
/// messages, each good and with one bit of the signature, its `R` or
/// `s`, or of the message changed.
#[test]
fn the_walks_verifier_and_ssh_keys_agree_bit_by_bit() {
    let keys = Keys::default();
    let weak = identity_key();
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
        let private = ssh_key::PrivateKey::from(ssh_key::private::Ed25519Keypair::from_seed(&seed));
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

/// A person's key of small order is held by nobody: a signature that
/// verifies with it is by an unknown key; a good key beside it is the
/// person's.
#[test]
fn a_key_of_small_order_is_held_by_nobody() {
    let weak = identity_key();
    let line = ssh_key::PublicKey::new(weak.clone(), "weak")
        .to_openssh()
        .unwrap();
    let good = crate::selftest::company::public_key("wang");
    let toml =
        format!("[[person]]\nid = \"wang.gm\"\nname = \"Wang\"\nkeys = [\"{line}\", \"{good}\"]\n");
    let (people, findings) = crate::model::read_people_bytes(toml.as_bytes());
    assert!(findings.is_empty(), "{findings:?}");
    let person = &people[0];
    let ring = super::Keyring::new(std::slice::from_ref(person));
    let sealed = |key: ssh_key::public::KeyData| Sealed::By {
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        key,
        broken: None,
    };
    assert!(matches!(
        ring.judge(&sealed(weak)),
        super::SignatureCheck::UnknownKey { .. }
    ));
    let good = ssh_key::PublicKey::from_openssh(&good).unwrap();
    assert!(matches!(
        ring.judge(&sealed(good.key_data().clone())),
        super::SignatureCheck::Valid { .. }
    ));
}
