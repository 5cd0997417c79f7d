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

    fn write(&mut self, repo: &Repository, written: &mut Vec<Oid>) -> Result<Oid> {
        if let Some(oid) = self.written {
            return Ok(oid);
        }
        let mut tb = repo.treebuilder(None)?;
        for (name, oid) in &self.files {
            tb.insert(name, *oid, 0o100644)?;
        }
        for (name, dir) in &mut self.dirs {
            let oid = dir.write(repo, written)?;
            tb.insert(name, oid, 0o040000)?;
        }
        let oid = tb.write()?;
        written.push(oid);
        self.written = Some(oid);
        Ok(oid)
    }
}

pub struct Writer<'r> {
    repo: &'r Repository,
    odb: &'r Odb<'r>,
    root: Dir,
    head: Option<Oid>,
    pub commits: usize,
    /// Every object written, in order: packed without walking trees.
    objects: Vec<Oid>,
}

/// Who commits, when (seconds since 1970), and the key that signs, if any.
pub struct Author<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub seconds: i64,
    pub offset_minutes: i32,
    pub key: Option<&'a PrivateKey>,
}

impl<'r> Writer<'r> {
    pub fn new(repo: &'r Repository, odb: &'r Odb<'r>) -> Self {
        Writer {
            repo,
            odb,
            root: Dir::default(),
            head: None,
            commits: 0,
            objects: Vec::new(),
        }
    }

    pub fn put(&mut self, path: &str, text: &str) -> Result<()> {
        let blob = self.odb.write(ObjectType::Blob, text.as_bytes())?;
        self.objects.push(blob);
        self.root.set(path, blob);
        Ok(())
    }

    pub fn commit(&mut self, author: &Author, message: &str) -> Result<Oid> {
        let tree_id = self.root.write(self.repo, &mut self.objects)?;
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
        Ok(oid)
    }

    pub fn head(&self) -> Option<Oid> {
        self.head
    }

    /// One pack of every object written, without delta compression (which
    /// would cost many times the generation itself; `git gc` can do it).
    pub fn pack(&self) -> Result<git2::Buf> {
        let mut pb = self.repo.packbuilder()?;
        let mut seen = std::collections::HashSet::with_capacity(self.objects.len());
        for oid in &self.objects {
            if seen.insert(*oid) {
                pb.insert_object(*oid, None)?;
            }
        }
        let mut buf = git2::Buf::new();
        pb.write_buf(&mut buf)?;
        Ok(buf)
    }
}
