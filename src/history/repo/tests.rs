//! The tests of `repo.rs`: libgit2's settings between passes, and the
//! commit headers read without libgit2.

/// The pack-window limits must be in force once a repository is found,
/// before anything is read from it: set later, they never applied to the
/// window `HEAD` was read through, and a walk of 50,000 orders kept
/// 900 MiB of its pack resident.
#[test]
fn libgit2_is_tuned_before_the_first_repository_is_read() {
    let dir = std::env::temp_dir().join(format!("docket-tune-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    git2::Repository::init(&dir).unwrap();
    let found = super::discover(&dir).unwrap();
    // SAFETY: reads libgit2's global settings; nothing sets them now.
    let (window, mapped) = unsafe {
        (
            git2::opts::get_mwindow_size().unwrap(),
            git2::opts::get_mwindow_mapped_limit().unwrap(),
        )
    };
    let _ = std::fs::remove_dir_all(&dir);
    assert!(found.is_some());
    assert_eq!((window, mapped), (32 << 20, 256 << 20));
    // And between passes (one test: the settings are the process's).
    let now = || unsafe {
        (
            git2::opts::get_mwindow_size().unwrap(),
            git2::opts::get_mwindow_mapped_limit().unwrap(),
            git2::opts::get_cached_memory().unwrap().1,
        )
    };
    assert_eq!(now(), (32 << 20, 256 << 20, 64 << 10));
    super::tune_for(super::Reading::Sparse);
    assert_eq!(now(), (8 << 20, 64 << 20, 8 << 20));
    {
        let _proving = super::Tuned::during(super::Reading::Proofs, super::Reading::Sparse);
        assert_eq!(now(), (8 << 20, 128 << 20, 8 << 20));
    }
    assert_eq!(now(), (8 << 20, 64 << 20, 8 << 20));
    // A build that lays out every record page reads the timelines of a
    // big history as the proofs read, and sparsely again after; one whose
    // packs fit the walk's windows reads as the walk did throughout.
    let history_in = |dir: &std::path::Path, pack: u64| {
        let repo = git2::Repository::init(dir).unwrap();
        let file = repo.path().join("objects/pack/pack-a.pack");
        std::fs::File::create(file).unwrap().set_len(pack).unwrap();
        crate::history::History {
            git_dir: repo.path().to_path_buf(),
            ..Default::default()
        }
    };
    let (big, small) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let big = history_in(big.path(), (128 << 20) + 1);
    {
        let _every = big.reading_every_timeline();
        assert_eq!(now(), (8 << 20, 128 << 20, 8 << 20));
    }
    assert_eq!(now(), (8 << 20, 64 << 20, 8 << 20));
    super::tune_for(super::Reading::Walk);
    let small = history_in(small.path(), 1 << 20);
    {
        let _every = small.reading_every_timeline();
        assert_eq!(now(), (32 << 20, 256 << 20, 64 << 10));
    }
    assert_eq!(now(), (32 << 20, 256 << 20, 64 << 10));
}

#[test]
fn packs_the_walk_could_map_whole_are_read_as_the_walk_read_them() {
    use super::Reading;
    assert_eq!(Reading::after_walk_of(0), Reading::Walk);
    assert_eq!(Reading::after_walk_of(128 << 20), Reading::Walk);
    assert_eq!(Reading::after_walk_of((128 << 20) + 1), Reading::Sparse);
    // The proofs read a big pack with more of it mapped, a small one
    // as the walk did.
    assert_eq!(Reading::Sparse.proving(), Reading::Proofs);
    assert_eq!(Reading::Walk.proving(), Reading::Walk);
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init_bare(dir.path()).unwrap();
    let sized = |name: &str, len: u64| {
        let file = std::fs::File::create(repo.path().join("objects/pack").join(name));
        file.unwrap().set_len(len).unwrap();
    };
    // Only pack files count (their size, not their contents), all of
    // them together.
    sized("pack-a.idx", 1 << 30);
    sized("pack-a.pack", 100 << 20);
    assert_eq!(Reading::after_walk(repo.path()), Reading::Walk);
    sized("pack-b.pack", 28 << 20);
    assert_eq!(Reading::after_walk(repo.path()), Reading::Walk);
    sized("pack-c.pack", 1);
    assert_eq!(Reading::after_walk(repo.path()), Reading::Sparse);
}

/// The listing's reading of a first parent and a tree agrees with
/// libgit2's on every commit git writes and on every oddity an
/// attacker can write as a commit object: the same parent and tree,
/// or an error where libgit2 has one.
#[test]
fn a_first_parent_and_tree_read_from_the_header_are_the_ones_libgit2_reads() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init_bare(dir.path()).unwrap();
    let odb = repo.odb().unwrap();
    let who = git2::Signature::new("A", "a@example.com", &git2::Time::new(0, 0)).unwrap();
    let tree = repo.treebuilder(None).unwrap().write().unwrap();
    let tree = repo.find_tree(tree).unwrap();
    let root = repo.commit(None, &who, &who, "root", &tree, &[]).unwrap();
    let one = repo.find_commit(root).unwrap();
    let next = repo
        .commit(None, &who, &who, "next", &tree, &[&one])
        .unwrap();
    let side = repo
        .commit(None, &who, &who, "side", &tree, &[&one])
        .unwrap();
    let (next_c, side_c) = (
        repo.find_commit(next).unwrap(),
        repo.find_commit(side).unwrap(),
    );
    let merge = repo
        .commit(None, &who, &who, "merge", &tree, &[&next_c, &side_c])
        .unwrap();
    let raw = |text: String| {
        odb.write(git2::ObjectType::Commit, text.as_bytes())
            .unwrap()
    };
    let t = tree.id();
    let mut other = repo.treebuilder(None).unwrap();
    other.insert("a", t, 0o040000).unwrap();
    let other = other.write().unwrap();
    let tail = "author A <a@example.com> 0 +0000\ncommitter A <a@example.com> 0 +0000\n\nm\n";
    let mut ids = vec![root, next, side, merge];
    ids.extend([
        // Another tree than the parent's, which must not be mixed up.
        raw(format!("tree {other}\nparent {merge}\n{tail}")),
        // Upper-case hex, which the plain reading leaves to libgit2.
        raw(format!(
            "tree {t}\nparent {}\n{tail}",
            next.to_string().to_uppercase()
        )),
        // No tree line; a tree line that is no id; a short parent.
        raw(format!("parent {next}\n{tail}")),
        raw(format!("tree xyz\nparent {next}\n{tail}")),
        raw(format!(
            "tree {t}\nparent {}\n{tail}",
            &next.to_string()[..39]
        )),
        // A parent line after the author, where git never writes it.
        raw(format!("tree {t}\n{tail}parent {next}\n")),
        // Neither a parent nor an author after the tree.
        raw(format!("tree {t}\nencoding x\n{tail}")),
        // Not a commit at all.
        odb.write(git2::ObjectType::Blob, b"tree x\nparent y\n")
            .unwrap(),
    ]);
    let odb = super::headers(&repo);
    assert!(odb.is_some());
    for id in ids {
        let ours = super::first_parent_and_tree(&repo, id, odb.as_ref()).map_err(|_| ());
        let libgit2 = repo
            .find_commit(id)
            .map(|c| (c.parent_id(0).ok(), c.tree_id()))
            .map_err(|_| ());
        assert_eq!(ours, libgit2, "commit object {id}");
    }
    // Grafts, which libgit2 reads in place of the parents a commit
    // names: there the header is not asked.
    std::fs::create_dir_all(repo.path().join("info")).unwrap();
    std::fs::write(repo.path().join("info/grafts"), format!("{next} {side}\n")).unwrap();
    let grafted = git2::Repository::open(dir.path()).unwrap();
    assert!(super::headers(&grafted).is_none());
    assert_eq!(
        grafted.find_commit(next).unwrap().parent_id(0).unwrap(),
        side
    );
    assert_eq!(
        super::first_parent_and_tree(&grafted, next, None).unwrap(),
        (Some(side), t)
    );
    assert_eq!(
        super::first_parent_and_tree(&grafted, next, Some(&grafted.odb().unwrap())).unwrap(),
        (Some(root), t)
    );
    // The plain reading itself, so that a fallback cannot hide it.
    let plain = |s: &str| super::plain_header(s.as_bytes());
    assert_eq!(
        plain(&format!("tree {t}\nparent {next}\nparent {side}\n{tail}")),
        Some((t, Some(next)))
    );
    assert_eq!(plain(&format!("tree {other}\n{tail}")), Some((other, None)));
    assert_eq!(
        plain(&format!(
            "tree {t}\nparent {}\n{tail}",
            next.to_string().to_uppercase()
        )),
        None
    );
    assert_eq!(plain(&format!("tree {t}\nencoding x\n{tail}")), None);
    assert_eq!(plain(&format!("tree {t}")), None);
}
