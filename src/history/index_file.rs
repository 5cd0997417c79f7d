//! git's index file read as `gitformat-index(5)` lays it out: the stat
//! and blob of each staged file, all the stat cache (`stat.rs`) asks of
//! it.
//!
//! libgit2 reads the same file, but to keep it: it copies and validates
//! every path, files each entry in a map of its own, and hashes the whole
//! file with a SHA-1 that detects collisions (slower than plain SHA-1 by
//! far). git2 then copies every path again. At 50,000 orders that was a
//! fifth of a second of one core in every run, for a file of 20 MB whose
//! entries are looked at once. Here each entry is read where it lies, and
//! the checksum is taken with ring's SHA-1.
//!
//! Only what git writes for an ordinary work tree is read here: versions
//! 2 to 4, SHA-1 object names, and no extension git requires a reader to
//! understand (a split index's `link`, a sparse index's `sdir`). Anything
//! else, a file cut short, or a checksum that does not match, is `None`,
//! and the caller reads the file with libgit2 as before: the answer is
//! then libgit2's, error included.

use git2::Oid;

/// The fixed part of an entry, up to its flags: two times, five numbers
/// of `stat`, its size, and its blob's name.
const FIXED: usize = 40 + 20;
/// The length of the checksum that ends the file.
const SUM: usize = 20;

/// Each stage-0 entry (the staged file, not a conflict's sides) by path,
/// with what the index recorded of it; `None` for anything this reader
/// does not take ([the module](self)).
pub(super) fn entries(bytes: &[u8]) -> Option<Vec<(Vec<u8>, Stat)>> {
    let body_len = bytes.len().checked_sub(SUM)?;
    let (body, sum) = bytes.split_at(body_len);
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, body);
    if digest.as_ref() != sum {
        return None;
    }
    let mut at = Cursor { bytes: body, at: 0 };
    if at.take(4)? != b"DIRC" {
        return None;
    }
    let version = at.u32()?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = at.u32()? as usize;
    // Never more room than the file could describe.
    let mut out = Vec::with_capacity(count.min(body.len() / (FIXED + 2)));
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = at.at;
        let ctime = (at.u32()? as i32, at.u32()?);
        let mtime = (at.u32()? as i32, at.u32()?);
        let _dev = at.u32()?;
        let ino = at.u32()?;
        let mode = at.u32()?;
        let _uid_gid = at.take(8)?;
        let size = at.u32()?;
        let id = Oid::from_bytes(at.take(20)?).ok()?;
        let flags = at.u16()?;
        let extended = flags & 0x4000 != 0;
        if extended {
            if version < 3 {
                return None;
            }
            at.take(2)?;
        }
        let path = if version == 4 {
            // The path is what is left of the previous one's, once the
            // given number of bytes is cut from its end, and a suffix.
            let cut = at.varint()?;
            let keep = previous.len().checked_sub(usize::try_from(cut).ok()?)?;
            let suffix = at.until_nul()?;
            previous.truncate(keep);
            previous.extend_from_slice(suffix);
            previous.clone()
        } else {
            let path = at.until_nul()?.to_vec();
            // One to eight NULs end the entry on a multiple of eight
            // bytes (the first of them read with the path).
            let len = at.at - start - 1;
            let padded = (len + 8) & !7;
            at.take(start + padded - at.at)?;
            path
        };
        if is_staged(flags) {
            out.push((
                path,
                Stat {
                    id,
                    size,
                    mtime,
                    ctime,
                    ino,
                    mode,
                },
            ));
        }
    }
    // Extensions: four letters and a length each. One whose name begins
    // with a capital letter may be ignored; any other changes what the
    // entries mean.
    while at.at < body.len() {
        let name = at.take(4)?;
        let len = at.u32()? as usize;
        if !name[0].is_ascii_uppercase() {
            return None;
        }
        at.take(len)?;
    }
    Some(out)
}

/// Whether an entry of these flags is the staged file (stage 0), not one
/// of a conflict's sides (stages 1 to 3): the same bits in libgit2's
/// entries.
pub(super) fn is_staged(flags: u16) -> bool {
    (flags >> 12) & 0x3 == 0
}

/// What git's index recorded of a staged file: its blob, size, times
/// (seconds, nanoseconds), inode and mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stat {
    pub(super) id: Oid,
    pub(super) size: u32,
    pub(super) mtime: (i32, u32),
    pub(super) ctime: (i32, u32),
    pub(super) ino: u32,
    pub(super) mode: u32,
}

/// A reading position in the index file; every read is `None` past its
/// end.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let taken = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(taken)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }

    /// The bytes up to the next NUL, which is read too.
    fn until_nul(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.at..)?;
        let len = memchr::memchr(0, rest)?;
        self.at += len + 1;
        Some(&rest[..len])
    }

    /// git's variable-length number (`varint.c`): seven bits a byte, the
    /// high bit set on all but the last, and one added at each
    /// continuation so that no number has two encodings.
    fn varint(&mut self) -> Option<u64> {
        let mut byte = self.take(1)?[0];
        let mut value = u64::from(byte & 0x7f);
        while byte & 0x80 != 0 {
            byte = self.take(1)?[0];
            value = value
                .checked_add(1)?
                .checked_mul(128)?
                .checked_add(u64::from(byte & 0x7f))?;
        }
        Some(value)
    }
}

#[cfg(test)]
mod tests;
