//! Fingerprints: a 64-bit hash of everything a derived result depends on,
//! so a later run can tell that the result it kept is still right (the
//! site's unchanged pages, the history's cached proofs). A collision, about
//! one chance in 2^64 per entry, would reuse one stale result; deleting
//! `.git/docket` and the site folder forces a full run.

use std::hash::Hasher;

/// A fingerprint under construction: feed it the inputs of a result.
#[derive(Clone)]
pub struct Fingerprint(xxhash_rust::xxh3::Xxh3);

impl Fingerprint {
    pub fn new(seed: u64) -> Fingerprint {
        // XXH3 is fast (a page view goes through it on every build) and
        // fixed by its specification: the same inputs give the same hash
        // in every run, on every machine.
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.write_u64(seed);
        Fingerprint(h)
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.0.write(s.as_bytes());
        self.0.write_u8(0xff);
        self
    }

    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.write_u64(v);
        self
    }

    /// Feed a value through its `Hash` (`#[derive(Hash)]` covers every
    /// field, as its serialized form would, and is faster to walk).
    pub fn hash(&mut self, v: &impl std::hash::Hash) -> &mut Self {
        v.hash(&mut self.0);
        self
    }

    /// Feed a value through its JSON form: what the template sees.
    pub fn json(&mut self, v: &impl serde::Serialize) -> &mut Self {
        // Writing into a hasher cannot fail; a value that does not
        // serialize fails the render later with a proper message.
        let _ = serde_json::to_writer(&mut *self, v);
        self.0.write_u8(0xfe);
        self
    }

    pub fn finish(&self) -> u64 {
        self.0.finish()
    }
}

impl std::io::Write for Fingerprint {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A hash that takes bytes as they come: what [`Hashing`] feeds.
pub trait Absorb {
    fn absorb(&mut self, bytes: &[u8]);
}

impl Absorb for sha2::Sha256 {
    fn absorb(&mut self, bytes: &[u8]) {
        sha2::Digest::update(self, bytes);
    }
}

impl Absorb for xxhash_rust::xxh3::Xxh3 {
    fn absorb(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// A writer that hashes what it passes on: only the bytes `inner`
/// accepted, so the hash is of the file as written (`data.json`'s SHA-256,
/// the kept records' check).
pub struct Hashing<W, H> {
    pub inner: W,
    pub hash: H,
}

impl<W: std::io::Write, H: Absorb> std::io::Write for Hashing<W, H> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.absorb(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
