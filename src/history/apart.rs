//! Handles on one repository whose pack files are their own, for the
//! threads of the walk.
//!
//! libgit2 keeps one structure per pack file for the whole process, found
//! by the pack's path, and every object read takes that structure's lock:
//! to find the object in the pack's index, to use the pack's cache of
//! delta bases. Two threads reading one pack wait on each other. In a
//! cold walk at 10,000 orders, 7% of the samples were in that lock's
//! system calls, and the two cores were 1.7 busy. libgit2 does not make
//! the path canonical before it looks the pack up, so a handle made on
//! the repository's object folder spelled with a number of slashes of its
//! own at the end is another path to it: the same files and objects, a
//! structure, a lock and a cache of bases of its own (the walk took
//! 3.6-4.1 s against 4.3-4.9, BENCHMARKS.md).
//!
//! Such a handle is libgit2's objects and nothing more: no configuration,
//! no grafts, no references. The walk asks it for objects by id (commits,
//! trees, a commit's signature, a merge base), where that is all that
//! counts, except where the repository has grafts, which change the
//! parents libgit2 reads: there, and wherever a handle cannot be made
//! this way, each thread opens the repository itself. Should libgit2 one
//! day join the spellings, the handles share the pack again: slower,
//! never wrong.

use git2::Repository;

/// A handle for the calling thread on the repository `repo` is open on:
/// one with pack structures of its own when the thread is one of rayon's
/// and such a handle can be made, else `repo` itself.
pub(super) fn apart(repo: Repository) -> Repository {
    match rayon::current_thread_index().and_then(|n| own(&repo, n).ok()) {
        Some(own) => own,
        None => repo,
    }
}

/// `repo`'s objects alone, its object folder spelled with `n + 1` slashes
/// at its end (alternates are read from it as git reads them); an error
/// where the repository has grafts, or its object folder is not text.
fn own(repo: &Repository, n: usize) -> Result<Repository, git2::Error> {
    if super::repo::grafted(repo) {
        return Err(git2::Error::from_str("grafts change the parents read"));
    }
    let objects = repo.commondir().join("objects");
    let objects = objects
        .to_str()
        .filter(|_| objects.is_dir())
        .ok_or_else(|| git2::Error::from_str("no object folder to name"))?;
    let odb = git2::Odb::new()?;
    odb.add_disk_alternate(&format!(
        "{}{}",
        objects.trim_end_matches('/'),
        "/".repeat(n + 1)
    ))?;
    Repository::from_odb(odb)
}

#[cfg(test)]
mod tests {
    use super::{apart, own};
    use git2::{Oid, Repository, Signature, Time};

    fn commit(repo: &Repository, file: &str, text: &str, parent: Option<Oid>) -> Oid {
        let who = Signature::new("A", "a@example.com", &Time::new(0, 0)).unwrap();
        let blob = repo.blob(text.as_bytes()).unwrap();
        let mut tree = repo.treebuilder(None).unwrap();
        tree.insert(file, blob, 0o100644).unwrap();
        let tree = repo.find_tree(tree.write().unwrap()).unwrap();
        let parents: Vec<_> = parent
            .map(|p| repo.find_commit(p).unwrap())
            .into_iter()
            .collect();
        let parents: Vec<_> = parents.iter().collect();
        repo.commit(None, &who, &who, file, &tree, &parents)
            .unwrap()
    }

    /// What a handle reads of a commit: its parent, its tree's entries
    /// and their contents.
    fn read(repo: &Repository, id: Oid) -> (Option<Oid>, Vec<(String, Vec<u8>)>) {
        let c = repo.find_commit(id).unwrap();
        let files = c
            .tree()
            .unwrap()
            .iter()
            .map(|e| {
                let blob = repo.find_blob(e.id()).unwrap();
                (e.name().unwrap().to_string(), blob.content().to_vec())
            })
            .collect();
        (c.parent_id(0).ok(), files)
    }

    /// A handle of its own reads what the repository opened as usual
    /// reads, from packs, loose objects and an alternate's objects alike;
    /// where grafts change a parent, the repository itself is opened.
    #[test]
    fn a_handle_of_its_own_reads_what_the_repository_reads() {
        let dir = tempfile::tempdir().unwrap();
        let shared = Repository::init_bare(dir.path().join("shared.git")).unwrap();
        let old = commit(&shared, "a.toml", "a = 1\n", None);
        let repo = Repository::init_bare(dir.path().join("repo.git")).unwrap();
        let info = repo.path().join("objects/info");
        std::fs::create_dir_all(&info).unwrap();
        std::fs::write(
            info.join("alternates"),
            format!("{}\n", shared.path().join("objects").display()),
        )
        .unwrap();
        let repo = Repository::open(repo.path()).unwrap();
        let mid = commit(&repo, "b.toml", "b = 2\n", Some(old));
        // A pack, as most of a repository's objects are, and no loose
        // copy of its objects.
        let mut pack = repo.packbuilder().unwrap();
        pack.insert_commit(mid).unwrap();
        let mut bytes = git2::Buf::new();
        pack.write_buf(&mut bytes).unwrap();
        let odb = repo.odb().unwrap();
        let mut writer = odb.packwriter().unwrap();
        std::io::Write::write_all(&mut writer, &bytes).unwrap();
        writer.commit().unwrap();
        for entry in std::fs::read_dir(repo.path().join("objects")).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap().len() == 2 {
                std::fs::remove_dir_all(path).unwrap();
            }
        }
        let repo = Repository::open(repo.path()).unwrap();
        let new = commit(&repo, "c.toml", "c = 3\n", Some(mid));

        for n in 0..3 {
            let own = own(&repo, n).unwrap();
            for id in [old, mid, new] {
                assert_eq!(read(&own, id), read(&repo, id), "thread {n}, commit {id}");
            }
        }

        std::fs::create_dir_all(repo.path().join("info")).unwrap();
        std::fs::write(repo.path().join("info/grafts"), format!("{new}\n")).unwrap();
        let grafted = Repository::open(repo.path()).unwrap();
        assert!(own(&grafted, 1).is_err());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let path = repo.path().to_path_buf();
        let opened = pool.install(|| apart(Repository::open(&path).unwrap()));
        assert_eq!(read(&opened, new).0, None, "the graft makes a root commit");
    }
}
