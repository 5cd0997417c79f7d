//! The comparison reads tree objects' bytes itself: these tests hold it to
//! libgit2's own reading of the same trees, on trees changed at random
//! (files added, changed, deleted, renamed, made executable, folders
//! added and emptied, hidden files, links and submodules), and to
//! libgit2's refusals of damaged entries.

use super::*;
use std::collections::BTreeMap;

/// A tree's content: path -> (mode, text). A submodule's text is unused.
type State = BTreeMap<String, (i32, String)>;

const FILE: i32 = 0o100644;
const EXEC: i32 = 0o100755;
const LINK: i32 = 0o120000;
const SUBMODULE: i32 = 0o160000;

fn write_tree(repo: &Repository, state: &State, submodule: Oid) -> Oid {
    // Folders first, deepest first, each written before its parent.
    let mut folders: BTreeMap<String, Vec<(String, Oid, i32)>> = BTreeMap::new();
    folders.insert(String::new(), Vec::new());
    for (path, (mode, text)) in state {
        let id = if *mode == SUBMODULE {
            submodule
        } else {
            repo.blob(text.as_bytes()).unwrap()
        };
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let mut at = String::new();
        for part in dir.split('/').filter(|p| !p.is_empty()) {
            at = if at.is_empty() {
                part.to_string()
            } else {
                format!("{at}/{part}")
            };
            folders.entry(at.clone()).or_default();
        }
        folders
            .entry(dir.to_string())
            .or_default()
            .push((name.to_string(), id, *mode));
    }
    let mut written: BTreeMap<String, Oid> = BTreeMap::new();
    let mut paths: Vec<String> = folders.keys().cloned().collect();
    paths.sort_by_key(|p| std::cmp::Reverse(p.matches('/').count() + usize::from(!p.is_empty())));
    for dir in paths {
        let mut builder = repo.treebuilder(None).unwrap();
        for (name, id, mode) in &folders[&dir] {
            builder.insert(name, *id, *mode).unwrap();
        }
        for (sub, id) in &written {
            let parent = sub.rsplit_once('/').map_or("", |(p, _)| p);
            if parent == dir && !sub.is_empty() && sub != &dir {
                let name = sub.rsplit_once('/').map_or(sub.as_str(), |(_, n)| n);
                builder.insert(name, *id, 0o040000).unwrap();
            }
        }
        written.insert(dir, builder.write().unwrap());
    }
    written[""]
}

/// libgit2's reading of a tree: every blob below it (hidden paths and
/// submodules left out, as docket reads them).
fn listed_by_libgit2(repo: &Repository, tree: Oid) -> BTreeMap<String, Oid> {
    let mut out = BTreeMap::new();
    let tree = repo.find_tree(tree).unwrap();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
        let name = e.name().unwrap();
        if name.starts_with('.') {
            return git2::TreeWalkResult::Skip;
        }
        if e.kind() == Some(ObjectType::Blob) {
            out.insert(format!("{dir}{name}"), e.id());
        }
        git2::TreeWalkResult::Ok
    })
    .unwrap();
    out
}

fn commit(repo: &Repository, tree: Oid, parent: Option<Oid>) -> Oid {
    let sig = git2::Signature::new("T", "t@example.com", &git2::Time::new(0, 0)).unwrap();
    let tree = repo.find_tree(tree).unwrap();
    let parents: Vec<git2::Commit> = parent
        .map(|p| repo.find_commit(p).unwrap())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(None, &sig, &sig, "t", &tree, &parents).unwrap()
}

/// One random change to a state.
fn change(state: &mut State, rng: &mut fastrand::Rng, n: usize) {
    let names = [
        "a",
        "b",
        "orders",
        "orders/2026",
        "orders/2026/11",
        ".hidden",
        "tsa",
        "z",
    ];
    let keys: Vec<String> = state.keys().cloned().collect();
    let any = |rng: &mut fastrand::Rng| keys.get(rng.usize(..keys.len().max(1))).cloned();
    match rng.u8(..10) {
        0..=2 => {
            let dir = names[rng.usize(..names.len())];
            let ext = ["toml", "toml", "md", "pem", "txt"][rng.usize(..5)];
            state.insert(format!("{dir}/f{n}.{ext}"), (FILE, format!("new {n}")));
        }
        3 | 4 => {
            if let Some(k) = any(rng) {
                state.get_mut(&k).unwrap().1 = format!("changed {n}");
            }
        }
        5 => {
            if let Some(k) = any(rng) {
                state.remove(&k);
            }
        }
        6 => {
            if let Some(k) = any(rng) {
                let v = state.remove(&k).unwrap();
                state.insert(format!("{k}.moved.toml"), v);
            }
        }
        7 => {
            if let Some(k) = any(rng) {
                let v = state.get_mut(&k).unwrap();
                v.0 = if v.0 == FILE { EXEC } else { FILE };
            }
        }
        8 => {
            let kind = [LINK, SUBMODULE][rng.usize(..2)];
            state.insert(format!("orders/x{n}.toml"), (kind, format!("link {n}")));
        }
        _ => {
            // A folder emptied, or a file where a folder of its name was.
            let dir = names[rng.usize(..names.len())];
            state.retain(|k, _| !k.starts_with(&format!("{dir}/")));
            state.insert(dir.to_string(), (FILE, format!("was a folder {n}")));
        }
    }
}

fn wanted(path: &str) -> bool {
    path.ends_with(".toml") || path == PROCEDURE || super::super::controlled::is_certificate(path)
}

#[test]
fn the_comparison_reads_what_libgit2_reads_of_trees_changed_at_random() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init_bare(dir.path()).unwrap();
    let submodule = commit(
        &repo,
        repo.treebuilder(None).unwrap().write().unwrap(),
        None,
    );
    let mut rng = fastrand::Rng::with_seed(16);
    let mut state = State::new();
    for i in 0..40 {
        state.insert(
            format!("orders/2026/11/SO-{i:03}.toml"),
            (FILE, format!("order {i}")),
        );
    }
    state.insert("procedure.md".into(), (FILE, "p".into()));
    let mut parent: Option<Oid> = None;
    let mut before = BTreeMap::new();
    let mut line = Vec::new();
    for n in 0..300 {
        // Most commits change one thing; some change several at once.
        for _ in 0..[1, 1, 1, 2, 5][rng.usize(..5)] {
            change(&mut state, &mut rng, n);
        }
        let tree = write_tree(&repo, &state, submodule);
        let id = commit(&repo, tree, parent);
        let c = repo.find_commit(id).unwrap();
        let p = parent.map(|p| repo.find_commit(p).unwrap());

        let after = listed_by_libgit2(&repo, tree);
        assert_eq!(files_at(&repo, id, "").unwrap(), after, "commit {n}");
        let mut expected: Vec<(String, Option<Oid>, Option<Oid>)> = before
            .keys()
            .chain(after.keys())
            .filter(|p: &&String| wanted(p))
            .map(|p| (p.clone(), before.get(p).copied(), after.get(p).copied()))
            .filter(|(_, o, n)| o != n)
            .collect();
        expected.sort();
        expected.dedup();
        let mut got: Vec<_> = changed_files(&repo, &c, p.as_ref(), "")
            .unwrap()
            .into_iter()
            .map(|r| (r.path, r.old, r.new))
            .collect();
        got.sort();
        assert_eq!(got, expected, "commit {n}");
        before = after;
        parent = Some(id);
        line.push((id, tree, got));
    }
    // Read again as the walk reads, newest first with the trees each
    // commit kept for the next: the same changes, and the kept trees do
    // serve (an emptied `last` or a key mixed up would read them again).
    let odb = repo.odb().unwrap();
    let mut kept = Kept::new(&odb);
    let mut served = 0;
    for n in (0..line.len()).rev() {
        let old = n.checked_sub(1).map(|p| line[p].1);
        let (id, tree, expected) = &line[n];
        let ready: Vec<Oid> = kept.last.iter().map(|(k, _)| *k).collect();
        served += usize::from(ready.contains(tree));
        let mut got: Vec<_> = changed_between(&mut kept, old, Some(*tree))
            .unwrap()
            .into_iter()
            .map(|r| (r.path, r.old, r.new))
            .collect();
        got.sort();
        assert_eq!(&got, expected, "commit {n} ({id}) read as the walk reads");
    }
    assert!(
        served > 250,
        "only {served} of 300 roots kept for the next commit"
    );
}

#[test]
fn an_entry_libgit2_would_refuse_is_refused() {
    let id = [7u8; 20];
    let entry = |head: &[u8], name: &[u8], id: &[u8]| [head, name, b"\0", id].concat();
    let good = entry(b"100644 ", b"a.toml", &id);
    let (e, len) = parse_entry(&good).unwrap();
    assert_eq!(
        (e.name, e.tree, e.read, len),
        (&b"a.toml"[..], false, true, good.len())
    );
    let kind = |head: &[u8], name: &[u8]| {
        let bytes = entry(head, name, &id);
        let (e, _) = parse_entry(&bytes).unwrap();
        (e.tree, e.read)
    };
    assert_eq!(kind(b"40000 ", b"orders"), (true, true));
    // Zero-padded (git reads it; `git fsck` only warns), and any mode
    // whose type bits say folder, as libgit2 reads them.
    assert_eq!(kind(b"040000 ", b"orders"), (true, true));
    assert_eq!(kind(b"0100644 ", b"a.toml"), (false, true));
    assert_eq!(kind(b"40755 ", b"orders"), (true, true));
    assert_eq!(kind(b"0160000 ", b"sub"), (false, false));
    assert_eq!(
        kind(b"120000 ", b"link.toml"),
        (false, true),
        "a link is a blob"
    );
    assert_eq!(
        kind(b"160000 ", b"sub"),
        (false, false),
        "a submodule is not read"
    );
    assert_eq!(
        kind(b"100644 ", b".gitignore"),
        (false, false),
        "a hidden file is not read"
    );
    for (bytes, why) in [
        (entry(b"100648 ", b"a", &id), "can't parse filemode"),
        (entry(b"+100644 ", b"a", &id), "can't parse filemode"),
        (entry(b"1006440 ", b"a", &id), "can't parse filemode"),
        (entry(b" ", b"a", &id), "can't parse filemode"),
        (entry(b"777777 ", b"a", &id), "can't parse filemode"),
        (b"100644".to_vec(), "can't parse filemode"),
        (entry(b"100644 ", b"", &id), "can't parse filename"),
        (
            entry(b"100644 ", &[b'a'; 65536], &id),
            "can't parse filename",
        ),
        (b"100644 a.toml".to_vec(), "object is corrupted"),
        (entry(b"100644 ", b"a", &id[..19]), "can't parse OID"),
    ] {
        assert_eq!(parse_entry(&bytes).err(), Some(why), "{bytes:?}");
    }
}

#[test]
fn a_damaged_tree_is_an_error_naming_it_wherever_the_damage_is() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init_bare(dir.path()).unwrap();
    let blob = repo.blob(b"x").unwrap();
    let good: Vec<u8> = (0..50u8)
        .flat_map(|i| {
            [
                format!("100644 f{i:02}.toml\0").into_bytes(),
                blob.as_bytes().to_vec(),
            ]
            .concat()
        })
        .collect();
    let odb = repo.odb().unwrap();
    let old = odb.write(ObjectType::Tree, &good).unwrap();
    // The damage at the start, in the middle, at the end, and in an
    // entry both trees share.
    for at in [0, good.len() / 2, good.len() - 3] {
        let mut bad = good.clone();
        bad.truncate(at);
        bad.extend_from_slice(b"10x644 g.toml\0");
        let new = odb.write(ObjectType::Tree, &bad).unwrap();
        let mut out = Vec::new();
        let e = compare(
            &mut Kept::new(&odb),
            Some(old),
            Some(new),
            "orders/",
            &mut out,
        )
        .unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.contains(&new.to_string()) && shown.contains("orders/"),
            "{shown}"
        );
    }
    let blob_as_tree =
        compare(&mut Kept::new(&odb), None, Some(blob), "", &mut Vec::new()).unwrap_err();
    assert!(
        blob_as_tree.to_string().contains("is a blob"),
        "{blob_as_tree}"
    );
}
