//! Writing a repository's history straight into git objects.
//!
//! A process per commit would make 50,000 commits take minutes; instead
//! every blob, tree and commit is written with git2 into an in-memory pack
//! (libgit2's mempack) and flushed as one packfile at the end. Trees are
//! rebuilt only along the path of what changed, so a commit costs the size
//! of the folders it touches, not of the repository.

use crate::error::Result;
use git2::{ObjectType, Odb, Oid, Repository, Signature, Time};
use ssh_key::{HashAlg, LineEnding, PrivateKey};
use std::collections::BTreeMap;

/// A folder of the tree being built, with its last written tree id.
#[derive(Default)]
struct Dir {
    files: BTreeMap<String, Oid>,
    dirs: BTreeMap<String, Dir>,
    written: Option<Oid>,
}

impl Dir {
    fn set(&mut self, path: &str, blob: Oid) {
        self.written = None;
        match path.split_once('/') {
            Some((dir, rest)) => self
                .dirs
                .entry(dir.to_string())
                .or_default()
                .set(rest, blob),
            None => {
                self.files.insert(path.to_string(), blob);
            }
        }
    }

    /// Write this folder's tree (and any changed sub-folder's) and return
    /// its id. The tree object is serialised here rather than through a
    /// TreeBuilder: the builder re-checks and re-sorts every entry of a
    /// folder on each commit, which dominated generation time.
    fn write(&mut self, odb: &Odb, written: &mut Vec<Oid>) -> Result<Oid> {
        if let Some(oid) = self.written {
            return Ok(oid);
        }
        // Git orders entries by name, a folder's name compared as if it
        // ended in '/'.
        let mut entries: Vec<(Vec<u8>, &str, Oid)> =
            Vec::with_capacity(self.files.len() + self.dirs.len());
        for (name, oid) in &self.files {
            entries.push((name.as_bytes().to_vec(), "100644", *oid));
        }
        for (name, dir) in &mut self.dirs {
            let oid = dir.write(odb, written)?;
            let mut key = name.as_bytes().to_vec();
            key.push(b'/');
            entries.push((key, "40000", oid));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut bytes = Vec::with_capacity(entries.len() * 48);
        for (key, mode, oid) in &entries {
            let name = key
                .strip_suffix(b"/")
                .filter(|_| *mode == "40000")
                .unwrap_or(key);
            bytes.extend_from_slice(mode.as_bytes());
            bytes.push(b' ');
            bytes.extend_from_slice(name);
            bytes.push(0);
            bytes.extend_from_slice(oid.as_bytes());
        }
        let oid = odb.write(ObjectType::Tree, &bytes)?;
        written.push(oid);
        self.written = Some(oid);
        Ok(oid)
    }
}

pub struct Writer<'r> {
    repo: &'r Repository,
    odb: &'r Odb<'r>,
    mempack: &'r git2::Mempack<'r>,
    root: Dir,
    head: Option<Oid>,
    pub commits: usize,
    /// Every object written, in order: packed without walking trees.
    objects: Vec<Oid>,
}

/// Commits between two flushes of the in-memory object store to disk.
const FLUSH_EVERY: usize = 8192;

/// Who commits, when (seconds since 1970), and the key that signs, if any.
pub struct Author<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub seconds: i64,
    pub offset_minutes: i32,
    pub key: Option<&'a PrivateKey>,
}

impl<'r> Writer<'r> {
    pub fn new(repo: &'r Repository, odb: &'r Odb<'r>, mempack: &'r git2::Mempack<'r>) -> Self {
        Writer {
            repo,
            odb,
            mempack,
            root: Dir::default(),
            head: None,
            commits: 0,
            objects: Vec::new(),
        }
    }

    pub fn put(&mut self, path: &str, text: &str) -> Result<()> {
        self.put_bytes(path, text.as_bytes())
    }

    pub fn put_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        let blob = self.odb.write(ObjectType::Blob, bytes)?;
        self.objects.push(blob);
        self.root.set(path, blob);
        Ok(())
    }

    pub fn commit(&mut self, author: &Author, message: &str) -> Result<Oid> {
        let tree_id = self.root.write(self.odb, &mut self.objects)?;
        let tree = self.repo.find_tree(tree_id)?;
        let sig = Signature::new(
            author.name,
            author.email,
            &Time::new(author.seconds, author.offset_minutes),
        )?;
        let parent = self.head.map(|h| self.repo.find_commit(h)).transpose()?;
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let oid = match author.key {
            Some(key) => {
                let buf = self
                    .repo
                    .commit_create_buffer(&sig, &sig, message, &tree, &parents)?;
                let payload = buf
                    .as_str()
                    .map_err(|_| crate::Error::Git("commit is not UTF-8".into()))?;
                let sshsig = key
                    .sign("git", HashAlg::Sha512, payload.as_bytes())
                    .map_err(|e| crate::Error::Git(format!("signing: {e}")))?;
                let pem = sshsig
                    .to_pem(LineEnding::LF)
                    .map_err(|e| crate::Error::Git(format!("signing: {e}")))?;
                self.repo.commit_signed(payload, &pem, Some("gpgsig"))?
            }
            None => self
                .repo
                .commit(None, &sig, &sig, message, &tree, &parents)?,
        };
        self.objects.push(oid);
        self.head = Some(oid);
        self.commits += 1;
        // Memory stays bounded: every so often the objects so far become a
        // pack on disk and the in-memory store starts afresh.
        if self.commits.is_multiple_of(FLUSH_EVERY) {
            self.flush()?;
        }
        Ok(oid)
    }

    pub fn head(&self) -> Option<Oid> {
        self.head
    }

    /// Write every object since the last flush into one pack.
    ///
    /// libgit2's pack builder compresses on one thread at zlib's default
    /// level and, fed a whole history, took three times as long as making
    /// it. A pack without deltas is a simple format (a header, each object
    /// as a type-and-size prefix and its deflated bytes, a SHA-1 trailer),
    /// so objects are deflated here at a fast level on all cores and the
    /// stream is handed to libgit2's pack writer, which indexes it.
    pub fn flush(&mut self) -> Result<()> {
        if self.objects.is_empty() {
            return Ok(());
        }
        self.pack()?;
        self.objects.clear();
        self.mempack.reset()?;
        Ok(())
    }

    fn pack(&self) -> Result<()> {
        use rayon::prelude::*;
        use sha1::Digest;
        use std::io::Write;
        let mut seen = std::collections::HashSet::with_capacity(self.objects.len());
        let unique: Vec<Oid> = self
            .objects
            .iter()
            .copied()
            .filter(|o| seen.insert(*o))
            .collect();
        let io = |e: std::io::Error| crate::Error::Git(format!("writing the pack: {e}"));
        let mut out = self.odb.packwriter()?;
        let mut sha = sha1::Sha1::new();
        let mut emit = |bytes: &[u8]| -> Result<()> {
            sha.update(bytes);
            out.write_all(bytes).map_err(io)
        };
        let mut header = b"PACK".to_vec();
        header.extend_from_slice(&2u32.to_be_bytes());
        header.extend_from_slice(&(unique.len() as u32).to_be_bytes());
        emit(&header)?;
        for chunk in unique.chunks(8192) {
            let raw: Vec<(ObjectType, Vec<u8>)> = chunk
                .iter()
                .map(|oid| self.odb.read(*oid).map(|o| (o.kind(), o.data().to_vec())))
                .collect::<Result<_, _>>()?;
            // One deflate state per worker: a fresh one per object spends
            // more time zeroing its tables than compressing.
            let packed: Vec<Vec<u8>> = raw
                .par_iter()
                .map_init(
                    || flate2::Compress::new(flate2::Compression::fast(), true),
                    |z, (kind, data)| pack_entry(z, *kind, data),
                )
                .collect();
            for entry in packed {
                emit(&entry)?;
            }
        }
        let trailer = sha.finalize();
        out.write_all(&trailer).map_err(io)?;
        out.commit()?;
        Ok(())
    }
}

/// One undeltified pack entry: type and size, then the deflated data.
fn pack_entry(z: &mut flate2::Compress, kind: ObjectType, data: &[u8]) -> Vec<u8> {
    let code: u8 = match kind {
        ObjectType::Commit => 1,
        ObjectType::Tree => 2,
        ObjectType::Blob => 3,
        _ => 4,
    };
    let mut size = data.len();
    let mut out = Vec::with_capacity(data.len() + 64);
    let mut byte = (code << 4) | (size & 0x0f) as u8;
    size >>= 4;
    while size > 0 {
        out.push(byte | 0x80);
        byte = (size & 0x7f) as u8;
        size >>= 7;
    }
    out.push(byte);
    z.reset();
    loop {
        let before = z.total_in() as usize;
        let status = z
            .compress_vec(&data[before..], &mut out, flate2::FlushCompress::Finish)
            .expect("deflate into memory");
        if status == flate2::Status::StreamEnd {
            break;
        }
        out.reserve(out.capacity().max(64));
    }
    out
}
