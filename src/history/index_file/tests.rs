//! The reader against libgit2, on index files git itself wrote in every
//! layout an ordinary work tree gets, and on damaged ones.

use super::super::stat::from_libgit2;
use super::{Stat, entries};
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// A repository with files in folders, a staged intent-to-add, a file
/// marked skip-worktree, a cache tree (after a commit), and if `long` a
/// path longer than the 12 bits of an entry's name length; `extra` runs
/// last.
fn repository(long: bool, extra: &[&[&str]]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q"]);
    git(p, &["config", "user.name", "t"]);
    git(p, &["config", "user.email", "t@example.com"]);
    std::fs::create_dir_all(p.join("orders/2026")).unwrap();
    for (name, text) in [
        ("docket.toml", "x = 1\n"),
        ("orders/2026/SO-1.toml", "id = \"SO-1\"\n"),
        ("orders/2026/SO-2.toml", "id = \"SO-2\"\n"),
        ("orders/2026/SO-10.toml", "id = \"SO-10\"\n"),
        ("people.toml", "[[person]]\n"),
    ] {
        std::fs::write(p.join(name), text).unwrap();
    }
    // Names of every length modulo eight: each way an entry is padded.
    for n in 0..8 {
        std::fs::write(p.join(format!("p{}.toml", "q".repeat(n))), "").unwrap();
    }
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "first"]);
    let blob = git(p, &["hash-object", "-w", "docket.toml"]);
    if long {
        let long = format!("{}/long.toml", vec!["d".repeat(200); 22].join("/"));
        let info = format!("100644,{},{long}", blob.trim());
        git(p, &["update-index", "--add", "--cacheinfo", &info]);
    }
    std::fs::write(p.join("new.toml"), "n = 1\n").unwrap();
    git(p, &["add", "-N", "new.toml"]);
    git(p, &["update-index", "--skip-worktree", "people.toml"]);
    for args in extra {
        git(p, args);
    }
    dir
}

fn by_libgit2(index: &Path) -> Vec<(Vec<u8>, Stat)> {
    let index = git2::Index::open(index).unwrap();
    index.iter().filter_map(from_libgit2).collect()
}

fn read(dir: &tempfile::TempDir) -> (Vec<u8>, Vec<(Vec<u8>, Stat)>) {
    let file = dir.path().join(".git/index");
    (std::fs::read(&file).unwrap(), by_libgit2(&file))
}

fn version(bytes: &[u8]) -> u32 {
    u32::from_be_bytes(bytes[4..8].try_into().unwrap())
}

/// Every layout of versions 2, 3 and 4 reads as libgit2 reads it: the
/// same paths, blobs, sizes, times, inodes and modes.
#[test]
fn each_version_git_writes_reads_as_libgit2_reads_it() {
    let v4 = &["update-index", "--index-version", "4"][..];
    let v2 = [
        &["update-index", "--no-skip-worktree", "people.toml"][..],
        &["rm", "-q", "--cached", "new.toml"],
    ];
    let untracked = [
        &["update-index", "--untracked-cache"][..],
        &["status", "--porcelain"],
    ];
    // libgit2 reads no version 4 index with a path of 4,095 bytes or more
    // ("invalid entry"): that one is below.
    for (want, long, extra) in [
        (3, true, &[][..]),
        (2, true, &v2[..]),
        (4, false, &[v4][..]),
        (3, true, &untracked[..]),
    ] {
        let dir = repository(long, extra);
        let (bytes, expected) = read(&dir);
        assert_eq!(version(&bytes), want, "{extra:?}");
        let got = entries(&bytes).expect("the index is read");
        assert_eq!(got, expected, "{extra:?}");
        let files = if want == 2 { 13 } else { 14 } + usize::from(long);
        assert_eq!(got.len(), files, "{extra:?}");
        assert_eq!(got.iter().any(|(p, _)| p.len() > 0xfff), long, "{extra:?}");
    }
}

/// A path longer than an entry's name length can say, in a version 4
/// index (whose paths are each cut from the one before): read as the
/// same index in version 3 reads.
#[test]
fn a_long_path_in_version_4_reads_as_in_version_3() {
    let dir = repository(true, &[]);
    let file = dir.path().join(".git/index");
    let named = |bytes: &[u8]| {
        let read = entries(bytes).expect("the index is read");
        read.into_iter()
            .map(|(p, s)| (p, s.id, s.mode, s.ino, s.mtime))
            .collect::<Vec<_>>()
    };
    let v3 = named(&std::fs::read(&file).unwrap());
    git(dir.path(), &["update-index", "--index-version", "4"]);
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(version(&bytes), 4);
    assert_eq!(named(&bytes), v3);
    assert!(v3.iter().any(|e| e.0.len() > 0xfff));
}

/// A conflict's sides (stages 1 to 3) are not the staged file, and a
/// resolved conflict's record (`REUC`) is an extension a reader may pass
/// over: only stage 0 is read, as libgit2's entries are filtered.
#[test]
fn a_conflicts_sides_are_not_staged_files() {
    let dir = repository(true, &[]);
    let p = dir.path();
    let blob = git(p, &["hash-object", "-w", "docket.toml"]);
    let blob = blob.trim();
    let info = format!(
        "0 {z}\tconflict.toml\n100644 {blob} 1\tconflict.toml\n100644 {blob} 2\tconflict.toml\n100644 {blob} 3\tconflict.toml\n",
        z = "0".repeat(40)
    );
    let mut child = Command::new("git")
        .current_dir(p)
        .args(["update-index", "--index-info"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(info.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let (bytes, expected) = read(&dir);
    let all = git2::Index::open(&p.join(".git/index")).unwrap().len();
    let got = entries(&bytes).expect("the index is read");
    assert_eq!(got, expected);
    assert_eq!(all, got.len() + 3, "three sides left out");
    assert!(!got.iter().any(|(path, _)| path == b"conflict.toml"));
}

/// A split index (`link`) is an extension a reader must understand, so
/// this one declines it, and libgit2 answers as before.
#[test]
fn a_split_index_is_left_to_libgit2() {
    let dir = repository(true, &[&["update-index", "--split-index"]]);
    let bytes = std::fs::read(dir.path().join(".git/index")).unwrap();
    assert!(bytes.windows(4).any(|w| w == b"link"));
    assert_eq!(entries(&bytes), None);
}

/// A file cut short, or one byte changed under its checksum, is not read;
/// no byte changed with its checksum made again panics the reader (what
/// it then reads is the forger's, as it would be git's).
#[test]
fn a_damaged_index_is_declined_and_a_forged_one_never_panics() {
    for extra in [
        &[][..],
        &[&["update-index", "--index-version", "4"][..]][..],
    ] {
        let dir = repository(false, extra);
        let (bytes, _) = read(&dir);
        for len in 0..bytes.len() {
            assert_eq!(entries(&bytes[..len]), None, "cut at {len}");
        }
        for at in 0..bytes.len() - 20 {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x40;
            assert_eq!(entries(&damaged), None, "byte {at} changed");
            let n = damaged.len() - 20;
            let sum = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &damaged[..n]);
            damaged[n..].copy_from_slice(sum.as_ref());
            for flip in [0x01, 0x80, 0xff] {
                damaged[at] = bytes[at] ^ flip;
                let sum =
                    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &damaged[..n]);
                damaged[n..].copy_from_slice(sum.as_ref());
                let _ = entries(&damaged);
            }
        }
    }
}

/// A count of entries forged up to four billion, under a checksum made
/// again, asks for no more room than the file could describe, and is
/// declined when the entries run out.
#[test]
fn a_forged_count_is_declined_without_a_huge_allocation() {
    let dir = repository(false, &[]);
    let (mut bytes, _) = read(&dir);
    bytes[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
    let n = bytes.len() - 20;
    let sum = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &bytes[..n]);
    bytes[n..].copy_from_slice(sum.as_ref());
    assert_eq!(entries(&bytes), None);
}

/// The stat cache's reading: what this reader takes is what libgit2
/// would have given; a split index, which neither reads, is none (and
/// every file is then hashed).
#[test]
fn the_stat_cache_reads_what_either_reads() {
    use super::super::stat::staged;
    let dir = repository(true, &[]);
    let file = dir.path().join(".git/index");
    assert_eq!(staged(&file), Some(by_libgit2(&file)));
    let dir = repository(true, &[&["update-index", "--split-index"]]);
    assert_eq!(staged(&dir.path().join(".git/index")), None);
}
