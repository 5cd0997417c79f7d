//! Publishing, attacked: `docket build` pointed at the records, at a git
//! work tree, at a folder with someone else's files; two builds at once; a
//! build killed in the middle of its swap; links that lead to secrets;
//! active attachments; `docket demo` over existing files; a huge record and
//! a damaged object in the history. Each case is the attack first, then
//! what must hold.

use crate::fixture::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every entry below `dir`: files with their bytes, links with their
/// targets, folders: a repository byte for byte, `.git` included.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
        let t = e.file_type();
        let what = if t.is_symlink() {
            format!("link {}", std::fs::read_link(e.path()).unwrap().display())
        } else if t.is_dir() {
            "dir".to_string()
        } else {
            format!("file {:?}", std::fs::read(e.path()).unwrap())
        };
        map.insert(rel, what);
    }
    map
}

/// The files of a site, relative paths.
fn file_set(out: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(out).unwrap().display().to_string())
        .collect()
}

/// The first file below `dir` whose bytes contain `needle`.
fn find_bytes(dir: &Path, needle: &str) -> Option<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .find(|e| {
            std::fs::read(e.path())
                .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        })
        .map(|e| e.path().to_path_buf())
}

fn build(repo: &Repo, out: &Path) -> Run {
    repo.docket(&["build", "--out", out.to_str().unwrap(), "--as-of", AS_OF])
}

#[track_caller]
fn built(repo: &Repo, out: &Path) -> Run {
    let run = build(repo, out);
    assert_eq!(run.code, 0, "build failed:\n{}\n{}", run.stdout, run.stderr);
    run
}

/// Exit 2, and the message names each of `needles`.
#[track_caller]
fn refused(run: &Run, needles: &[&str]) {
    assert_eq!(
        run.code, 2,
        "expected a refusal:\n{}\n{}",
        run.stdout, run.stderr
    );
    for n in needles {
        assert!(run.stderr.contains(n), "{n:?} not in: {}", run.stderr);
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

fn lock_beside(out: &Path) -> PathBuf {
    let name = out.file_name().unwrap().to_string_lossy();
    out.parent().unwrap().join(format!(".{name}.docket-lock"))
}

fn site_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    (dir, out)
}

/// The base records, committed by Li (order) and the GM (review).
fn committed() -> Repo {
    let repo = Repo::base();
    let review = "[review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = 2026-03-03\n\n";
    repo.write(ORDER_PATH, &ORDER.replace(review, ""));
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Order SO-2026-0001");
    repo.write(ORDER_PATH, ORDER);
    repo.commit_as("wang.gm", "2026-03-03", "Review SO-2026-0001");
    repo
}

// ---------------------------------------------------------------------------
// 1. Which output folders docket may replace.

#[test]
fn out_as_the_records_root_with_a_committed_marker_leaves_the_repository_intact() {
    let repo = Repo::base();
    repo.write(".docket-site", "");
    repo.git_init();
    repo.commit_as(
        "li.sales",
        "2026-03-02",
        "Records, and a marker anyone can commit",
    );
    let before = snapshot(&repo.top);
    let run = build(&repo, &repo.root);
    refused(&run, &["records root", "--out ../site"]);
    assert_eq!(before, snapshot(&repo.top), "the repository changed");
    assert!(!lock_beside(&repo.root).exists(), "nothing is created");
    // Not with --out . from inside either.
    let run = Run::from(
        docket_cmd()
            .current_dir(&repo.root)
            .args(["build", "--out", ".", "--as-of", AS_OF])
            .output()
            .unwrap(),
    );
    refused(&run, &["records root"]);
    assert_eq!(before, snapshot(&repo.top));
}

#[test]
fn out_holding_the_records_and_other_files_is_refused_even_with_a_forged_manifest() {
    // company/ holds main.c, a marker, and the records in company/records.
    let repo = Repo::empty_in("records");
    repo.write(ORDER_PATH, ORDER);
    repo.write_top("main.c", "int main(void) { return 0; }\n");
    repo.write_top(".docket-site", "");
    let mut listed: Vec<String> = file_set(&repo.top)
        .into_iter()
        .map(|f| format!("- {f}"))
        .collect();
    listed.sort();
    repo.write_top(
        ".docket-manifest",
        &format!("docket-manifest 2\n{}\n", listed.join("\n")),
    );
    let before = snapshot(&repo.top);
    let run = build(&repo, &repo.top);
    refused(&run, &["holds the records root"]);
    assert_eq!(before, snapshot(&repo.top));
}

#[test]
fn out_inside_the_records_root_is_refused_and_nothing_is_created_there() {
    let repo = Repo::base();
    let before = snapshot(&repo.root);
    for out in ["site", "orders/2026/site"] {
        let run = build(&repo, &repo.path(out));
        refused(&run, &["lies inside the records root"]);
    }
    assert_eq!(before, snapshot(&repo.root));
}

#[test]
fn a_site_with_a_file_docket_did_not_write_is_refused_and_kept() {
    let repo = Repo::base();
    let (_dir, out) = site_dir();
    built(&repo, &out);
    let site = snapshot(&out);

    // Someone's notes dropped into the site.
    std::fs::write(out.join("notes.txt"), "keep me").unwrap();
    refused(&build(&repo, &out), &["notes.txt", "did not write"]);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep me"
    );
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    assert_eq!(site, snapshot(&out), "the site itself was not touched");

    // A git repository made inside it.
    git2::Repository::init(&out).unwrap();
    refused(&build(&repo, &out), &["git repository"]);
    std::fs::remove_dir_all(out.join(".git")).unwrap();

    // Records copied below it.
    std::fs::write(out.join("orders/docket.toml"), DOCKET_TOML).unwrap();
    refused(&build(&repo, &out), &["orders/docket.toml"]);
    std::fs::remove_file(out.join("orders/docket.toml")).unwrap();

    // A link, even under the name of a file docket writes.
    std::fs::remove_file(out.join("site.css")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/hostname", out.join("site.css")).unwrap();
        refused(&build(&repo, &out), &["site.css", "link"]);
        std::fs::remove_file(out.join("site.css")).unwrap();
    }

    // A manifest that is not docket's, or from an earlier docket.
    let manifest = std::fs::read_to_string(out.join(".docket-manifest")).unwrap();
    std::fs::write(out.join(".docket-manifest"), "\u{0}garbage").unwrap();
    refused(&build(&repo, &out), &["damaged"]);
    std::fs::write(
        out.join(".docket-manifest"),
        "00000000000000ff index.html\n",
    )
    .unwrap();
    refused(&build(&repo, &out), &["earlier docket"]);
    std::fs::write(out.join(".docket-manifest"), manifest).unwrap();
    // With everything back as docket left it, it builds over it again.
    built(&repo, &out);
    assert!(out.join("index.html").is_file());
}

/// The files of the published site are checked while the records are
/// read: a refused folder is still the one error reported (not the
/// records' errors, as when it was checked before them), the run writes
/// nothing beside it, and the published site stays as it was.
#[test]
fn a_refused_site_is_reported_before_the_records_errors_and_left_as_it_was() {
    let repo = committed();
    let (dir, out) = site_dir();
    built(&repo, &out);
    std::fs::write(out.join("notes.txt"), "keep me").unwrap();
    let site = snapshot(&out);
    repo.edit("docket.toml", "[policy]", "[policy\n");
    let run = build(&repo, &out);
    refused(&run, &["notes.txt", "did not write"]);
    assert!(!run.stderr.contains("docket.toml"), "{}", run.stderr);
    assert_eq!(site, snapshot(&out));
    let mut beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(
        beside,
        [".site.docket-lock", "site"],
        "left beside the site"
    );
    // With the folder accepted, the records' errors are the ones shown.
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    let run = build(&repo, &out);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("docket.toml:"), "{}", run.stderr);
    assert!(out.join("index.html").is_file());
}

#[test]
fn a_marker_alone_proves_nothing() {
    let repo = Repo::base();
    let (_dir, out) = site_dir();
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join(".docket-site"), "").unwrap();
    std::fs::write(out.join("precious.txt"), "keep me").unwrap();
    refused(&build(&repo, &out), &[".docket-manifest"]);
    assert_eq!(
        std::fs::read_to_string(out.join("precious.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn out_in_a_git_work_tree_must_be_ignored_and_hold_nothing_tracked() {
    // The records in company/records, company/ a git work tree.
    let repo = Repo::empty_in("records");
    repo.write(ORDER_PATH, ORDER);
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "records");
    let out = repo.top.join("site");
    refused(
        &build(&repo, &out),
        &["git does not ignore", "site/", ".gitignore"],
    );
    assert!(!out.exists());

    // Ignored, as the docket checkout ignores site/ for `docket demo`.
    repo.write_top(".gitignore", "site/\n");
    built(&repo, &out);
    assert!(out.join("index.html").is_file());
    // The site it replaces is not kept beside it as the spare: git does
    // not ignore that name, and `git add -A` would take a copy of the
    // site. Once .gitignore lists it, it is kept.
    let spare = repo.top.join(".site.docket-spare");
    built(&repo, &out);
    assert!(!spare.exists(), "a spare git does not ignore");
    let beside: Vec<String> = std::fs::read_dir(&repo.top)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".docket-"))
        .collect();
    assert_eq!(
        beside,
        [".site.docket-lock"],
        "the site replaced is removed"
    );
    repo.write_top(".gitignore", "site/\n.site.docket-spare/\n");
    built(&repo, &out);
    assert!(spare.join("index.html").is_file());
    // A folder of that name that git tracks is neither taken up nor
    // removed.
    std::fs::remove_dir_all(&spare).unwrap();
    std::fs::create_dir(&spare).unwrap();
    std::fs::write(spare.join("index.html"), "tracked").unwrap();
    // Added past the ignore, as `git add -f` does.
    let git = repo.git();
    let mut index = git.index().unwrap();
    index
        .add_path(Path::new(".site.docket-spare/index.html"))
        .unwrap();
    index.write().unwrap();
    repo.commit_as("li.sales", "2026-03-03", "a spare tracked");
    built(&repo, &out);
    built(&repo, &out);
    assert!(
        std::fs::read_to_string(spare.join("index.html")).is_ok_and(|t| t == "tracked"),
        "the folder git tracks under the spare's name was taken up"
    );
    assert!(out.join("index.html").is_file());
    repo.write_top(".gitignore", "site/\n");

    // Ignored, but git tracks a file below it (added before the ignore).
    let kept = repo.top.join("published");
    std::fs::create_dir_all(&kept).unwrap();
    std::fs::write(kept.join("kept.txt"), "tracked").unwrap();
    repo.commit_as("li.sales", "2026-03-03", "a tracked file");
    repo.write_top(".gitignore", "site/\npublished/\n");
    refused(&build(&repo, &kept), &["published/kept.txt", "tracks"]);
    assert_eq!(
        std::fs::read_to_string(kept.join("kept.txt")).unwrap(),
        "tracked"
    );

    // The work tree itself, and its git folder.
    refused(&build(&repo, &repo.top), &["records root"]);
    let other = tempfile::tempdir().unwrap();
    git2::Repository::init(other.path()).unwrap();
    refused(&build(&repo, other.path()), &["git repository"]);
    refused(&build(&repo, &other.path().join(".git")), &["git"]);
    refused(
        &build(&repo, &other.path().join(".git/site")),
        &["git folder"],
    );
    assert!(!other.path().join(".git/site").exists());
}

// ---------------------------------------------------------------------------
// 2. Several builds into one folder at once.

#[test]
fn concurrent_builds_take_turns_and_every_one_leaves_a_complete_site() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let repo = committed();
    let (dir, out) = site_dir();
    let reference = dir.path().join("reference");
    built(&repo, &reference);
    let expected = file_set(&reference);
    built(&repo, &out);

    // While the builds run, the published site is read as a web server
    // would: its index must be there at every look. The reader spins
    // without pausing: the gap two renames leave lasts microseconds, and a
    // reader that sleeps between looks misses it (tried: with the swap
    // forced to two renames, this loop fails three runs in four).
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let looks = std::sync::Arc::new(AtomicUsize::new(0));
    let misses = std::sync::Arc::new(AtomicUsize::new(0));
    let reader = {
        let (stop, looks, misses, index) = (
            stop.clone(),
            looks.clone(),
            misses.clone(),
            out.join("index.html"),
        );
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                looks.fetch_add(1, Ordering::Relaxed);
                if std::fs::metadata(&index).is_err() {
                    misses.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    let mut waited = 0;
    for round in 0..2 {
        let children: Vec<_> = (0..4)
            .map(|_| {
                docket_cmd()
                    .args(["build", "--out"])
                    .arg(&out)
                    .args(["--as-of", AS_OF, "--records"])
                    .arg(&repo.root)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let run = Run::from(child.wait_with_output().unwrap());
            assert_eq!(run.code, 0, "round {round}: {}\n{}", run.stdout, run.stderr);
            assert!(run.stdout.starts_with("built "), "{}", run.stdout);
            let says = run.stderr.matches("waiting for it to finish").count();
            assert!(says <= 1, "said more than once: {}", run.stderr);
            waited += says;
            assert_eq!(
                file_set(&out),
                expected,
                "round {round}: an incomplete site"
            );
        }
    }
    stop.store(true, Ordering::Relaxed);
    reader.join().unwrap();
    assert!(waited >= 1, "no build ever waited for another");
    assert!(looks.load(Ordering::Relaxed) > 100);
    assert_eq!(
        misses.load(Ordering::Relaxed),
        0,
        "index.html was missing at some instant"
    );
    // Nothing of theirs is left beside the site but the lock file and the
    // spare: the site before the last, whole, for the next build to write
    // into.
    let beside: BTreeSet<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(file_set(&dir.path().join(".site.docket-spare")), expected);
    let expect: BTreeSet<String> = [
        ".site.docket-lock",
        ".site.docket-spare",
        ".reference.docket-lock",
        "reference",
        "site",
    ]
    .map(String::from)
    .into();
    assert_eq!(beside, expect);
}

// ---------------------------------------------------------------------------
// 3. A build killed in the middle of its swap.

#[test]
fn every_state_an_interrupted_swap_leaves_is_repaired_by_the_next_build() {
    let repo = committed();
    let (dir, out) = site_dir();
    built(&repo, &out);
    let reference = snapshot(&out);
    let old = dir.path().join(".site.docket-old");
    let new = |n: u32| dir.path().join(format!(".site.docket-new.{n}"));
    let half = |p: &Path| {
        std::fs::create_dir_all(p.join("orders")).unwrap();
        std::fs::write(p.join("orders/half.html"), "half a page").unwrap();
    };
    let leftovers = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".docket-new") || n.contains(".docket-old"))
            .collect::<Vec<_>>()
    };

    // Killed between the two renames of the fallback: no site, the
    // previous one beside it, the new one (complete or not) too.
    std::fs::rename(&out, &old).unwrap();
    half(&new(1));
    built(&repo, &out);
    assert_eq!(reference, snapshot(&out));
    assert_eq!(leftovers(), Vec::<String>::new());

    // Killed while writing: a temporary folder, possibly of an older
    // docket (no process id in its name).
    half(&new(2));
    half(&dir.path().join(".site.docket-new"));
    built(&repo, &out);
    assert_eq!(reference, snapshot(&out));
    assert_eq!(leftovers(), Vec::<String>::new());

    // Killed after the swap, before the old site was removed.
    std::fs::create_dir_all(&old).unwrap();
    std::fs::copy(out.join("index.html"), old.join("index.html")).unwrap();
    built(&repo, &out);
    assert_eq!(reference, snapshot(&out));
    assert_eq!(leftovers(), Vec::<String>::new());

    // A link planted under one of docket's names is removed as a link,
    // never followed, and never becomes the site.
    #[cfg(unix)]
    {
        let precious = tempfile::tempdir().unwrap();
        std::fs::write(precious.path().join("keep.txt"), "keep me").unwrap();
        std::fs::remove_dir_all(&out).unwrap();
        std::os::unix::fs::symlink(precious.path(), &old).unwrap();
        std::os::unix::fs::symlink(precious.path(), new(3)).unwrap();
        built(&repo, &out);
        assert!(
            !std::fs::symlink_metadata(&out)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_to_string(precious.path().join("keep.txt")).unwrap(),
            "keep me"
        );
        assert_eq!(leftovers(), Vec::<String>::new());
    }
}

// ---------------------------------------------------------------------------
// 3b. The spare: the site before the published one, written into by the
// next build.

fn spare_of(out: &Path) -> PathBuf {
    let name = out.file_name().unwrap().to_string_lossy();
    out.parent().unwrap().join(format!(".{name}.docket-spare"))
}

/// The order's quantity changed and committed: its page, the lists and
/// `data.json` change.
fn change_quantity(repo: &Repo, quantity: &str) {
    let text = repo.read(ORDER_PATH);
    repo.write(
        ORDER_PATH,
        &text.replacen("quantity = 500", &format!("quantity = {quantity}"), 1),
    );
    repo.commit_as("li.sales", "2026-03-04", "Quantity changed");
}

#[cfg(unix)]
#[test]
fn a_page_being_served_is_never_written_into_by_the_next_build() {
    let repo = committed();
    let (dir, out) = site_dir();
    built(&repo, &out);
    // Nothing changed: every page of the published site is now the same
    // file as the spare's (a hard link), and the spare is what the next
    // build writes into.
    built(&repo, &out);
    let page = "orders/SO-2026-0001.html";
    assert!(spare_of(&out).join(page).is_file());
    // A reader (a web server, an rsync) holds the published page and
    // data.json while the next build runs.
    let mut held = Vec::new();
    for rel in [page, "data.json"] {
        let keep = dir.path().join(rel.replace('/', "-"));
        std::fs::hard_link(out.join(rel), &keep).unwrap();
        held.push((keep, std::fs::read(out.join(rel)).unwrap()));
    }

    change_quantity(&repo, "501");
    assert!(built_from_spare(&repo, &out));

    let shown = std::fs::read_to_string(out.join(page)).unwrap();
    assert!(shown.contains("501"), "the page shows the new quantity");
    for (keep, bytes) in held {
        assert!(
            std::fs::read(&keep).unwrap() == bytes,
            "{} was written into while it was being served",
            keep.display()
        );
    }
}

/// A site's files and folders, its manifest (which names the build's
/// commit and whether it used the caches) left out.
fn site_files(out: &Path) -> BTreeMap<String, String> {
    let mut shot = snapshot(out);
    shot.remove(".docket-manifest");
    shot
}

/// What a build from nothing makes of `repo` (into a new folder).
fn cold(repo: &Repo) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    built(repo, &out);
    site_files(&out)
}

/// The paths where the site in `out` is not `want`.
fn differ(out: &Path, want: &BTreeMap<String, String>) -> Vec<String> {
    let got = site_files(out);
    got.keys()
        .chain(want.keys())
        .filter(|k| got.get(*k) != want.get(*k))
        .cloned()
        .collect()
}

/// A folder's inode and birth time: the same after a build when the
/// build took up the spare (renamed, written into, swapped in). The time
/// tells a new folder that was given a removed spare's inode number.
#[cfg(unix)]
fn inode(path: &Path) -> (u64, Option<std::time::SystemTime>) {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::symlink_metadata(path).unwrap();
    (meta.ino(), meta.created().ok())
}

/// Build into `out`, and say whether the build took up the spare.
#[cfg(unix)]
fn built_from_spare(repo: &Repo, out: &Path) -> bool {
    let spare = std::fs::symlink_metadata(spare_of(out))
        .ok()
        .filter(|m| m.is_dir())
        .map(|_| inode(&spare_of(out)));
    built(repo, out);
    spare == Some(inode(out))
}

#[cfg(unix)]
#[test]
fn the_spare_is_taken_up_only_when_its_manifest_accounts_for_it_and_never_followed() {
    let none: [String; 0] = [];
    let repo = committed();
    let (_dir, out) = site_dir();
    built(&repo, &out);
    assert!(!built_from_spare(&repo, &out), "no spare after one build");
    let spare = spare_of(&out);
    let want = cold(&repo);
    assert_eq!(differ(&out, &want), none);
    assert!(built_from_spare(&repo, &out));

    // A page dropped into the spare: not in its manifest, so the spare is
    // not taken up, and the page is published nowhere.
    std::fs::write(spare.join("orders/planted.html"), "<p>planted</p>").unwrap();
    assert!(!built_from_spare(&repo, &out));
    assert_eq!(differ(&out, &want), none);
    assert!(find_bytes(&out, "planted").is_none());
    assert!(find_bytes(&spare, "planted").is_none());
    // An empty folder dropped into it: not docket's either.
    std::fs::create_dir(spare.join("extra")).unwrap();
    assert!(!built_from_spare(&repo, &out));
    assert_eq!(differ(&out, &want), none);

    // A page the spare's manifest lists but that is gone (a cleaner of old
    // files, a hand): not taken up either, as its folder could be left
    // behind empty for the next build to refuse.
    std::fs::remove_file(spare.join("orders/SO-2026-0001.html")).unwrap();
    assert!(!built_from_spare(&repo, &out));
    assert_eq!(differ(&out, &want), none);

    // A page that must change is replaced, and one whose record is gone
    // is removed, however many builds ago the spare was the site.
    change_quantity(&repo, "502");
    let want = cold(&repo);
    assert!(built_from_spare(&repo, &out));
    assert_eq!(differ(&out, &want), none);
    repo.remove(FLOWSHEET_PATH);
    repo.commit_as("li.sales", "2026-03-05", "Flow sheet withdrawn");
    let want = cold(&repo);
    assert!(!want.contains_key("flowsheets/MF-2026-0001.html"));
    assert!(built_from_spare(&repo, &out));
    assert!(built_from_spare(&repo, &out));
    assert_eq!(
        differ(&out, &want),
        none,
        "a page of a record gone stays gone"
    );

    // The site deleted by hand: a build from nothing, the spare not
    // taken up (and removed), as the docs promise.
    std::fs::remove_dir_all(&out).unwrap();
    assert!(!built_from_spare(&repo, &out));
    assert_eq!(differ(&out, &want), none);

    // A link planted as the spare, to a folder that looks like a site:
    // removed as a link, never written into or emptied.
    built(&repo, &out);
    let precious = tempfile::tempdir().unwrap();
    let lookalike = precious.path().join("site");
    built(&repo, &lookalike);
    let before = snapshot(precious.path());
    std::fs::remove_dir_all(&spare).unwrap();
    std::os::unix::fs::symlink(&lookalike, &spare).unwrap();
    built(&repo, &out);
    assert_eq!(snapshot(precious.path()), before);
    assert!(!std::fs::symlink_metadata(&spare).is_ok_and(|m| m.file_type().is_symlink()));
    assert_eq!(differ(&out, &want), none);
    // A file in the spare's place.
    std::fs::remove_dir_all(&spare).unwrap();
    std::fs::write(&spare, "not a folder").unwrap();
    built(&repo, &out);
    assert_eq!(differ(&out, &want), none);
    assert!(spare.is_dir(), "the site swapped out is the spare again");
}

/// The order lists one attachment, `SO-2026-0001/<name>`, holding
/// `text`; the attachments' folder.
fn attach_one(repo: &Repo, name: &str, text: &str) -> PathBuf {
    let folder = repo.path("orders/2026/SO-2026-0001");
    std::fs::create_dir_all(folder.join(name).parent().unwrap()).unwrap();
    std::fs::write(folder.join(name), text).unwrap();
    repo.edit(
        ORDER_PATH,
        "legible = true",
        &format!("legible = true\nattachments = [\"SO-2026-0001/{name}\"]"),
    );
    folder
}

/// Rebuild `rounds` times: each build takes up the spare, and each site
/// is the one a build from nothing makes (a file or folder left behind
/// would also make the next build refuse the site).
#[cfg(unix)]
#[track_caller]
fn rebuilt_from_spare_as_from_nothing(repo: &Repo, out: &Path, rounds: usize) {
    let want = cold(repo);
    for round in 0..rounds {
        assert!(built_from_spare(repo, out), "round {round}");
        assert_eq!(differ(out, &want), [] as [String; 0], "round {round}");
    }
}

/// An attachment that becomes a folder of attachments, a file again,
/// then goes: the spare holds a file where the new site needs a folder, a
/// folder where it needs a file, then a folder the new site does not
/// have.
#[cfg(unix)]
#[test]
fn a_spare_whose_files_became_folders_is_taken_up_and_pruned() {
    let repo = committed();
    let (_dir, out) = site_dir();
    let folder = attach_one(&repo, "scan", "one scan");
    built(&repo, &out);
    built(&repo, &out);
    let published = out.join("files/orders/2026/SO-2026-0001/scan");
    assert!(published.is_file());

    std::fs::remove_file(folder.join("scan")).unwrap();
    std::fs::create_dir(folder.join("scan")).unwrap();
    std::fs::write(folder.join("scan/p1.pdf"), "page one").unwrap();
    repo.edit(ORDER_PATH, "/scan\"", "/scan/p1.pdf\"");
    rebuilt_from_spare_as_from_nothing(&repo, &out, 2);
    assert!(published.join("p1.pdf").is_file());

    std::fs::remove_dir_all(folder.join("scan")).unwrap();
    std::fs::write(folder.join("scan"), "one scan again").unwrap();
    repo.edit(ORDER_PATH, "/scan/p1.pdf\"", "/scan\"");
    rebuilt_from_spare_as_from_nothing(&repo, &out, 2);
    assert!(published.is_file());

    repo.edit(ORDER_PATH, "\nattachments = [\"SO-2026-0001/scan\"]", "");
    assert!(!cold(&repo).keys().any(|k| k.starts_with("files/")));
    rebuilt_from_spare_as_from_nothing(&repo, &out, 3);
}

/// An attachment renamed in case only (`Scan.PDF` to `scan.pdf`): where
/// names keep their case, the spare's old name is another file and goes;
/// left behind, it would be a file the manifest does not list, and the
/// next build would refuse the site.
#[cfg(unix)]
#[test]
fn an_attachment_renamed_in_case_only_leaves_nothing_behind() {
    let repo = committed();
    let (_dir, out) = site_dir();
    let folder = attach_one(&repo, "Scan.PDF", "the scan");
    built(&repo, &out);
    built(&repo, &out);
    std::fs::rename(folder.join("Scan.PDF"), folder.join("scan.pdf")).unwrap();
    repo.edit(ORDER_PATH, "Scan.PDF", "scan.pdf");
    rebuilt_from_spare_as_from_nothing(&repo, &out, 3);
}

/// A page that changes and changes back (an order's quantity corrected,
/// then the correction undone) is the spare's page again, byte for byte;
/// but taken as it is, its modification time would go back to before the
/// page it replaces, and a browser asking "changed since?" would be told
/// no. It is made anew.
#[cfg(unix)]
#[test]
fn a_page_changed_back_is_not_older_than_the_page_it_replaces() {
    let repo = committed();
    let (_dir, out) = site_dir();
    let page = out.join("orders/SO-2026-0001.html");
    let modified = || std::fs::metadata(&page).unwrap().modified().unwrap();
    built(&repo, &out);
    built(&repo, &out);
    let text = repo.read(ORDER_PATH);
    change_quantity(&repo, "503");
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert!(built_from_spare(&repo, &out));
    let changed = modified();
    repo.write(ORDER_PATH, &text);
    repo.commit_as("li.sales", "2026-03-05", "Quantity change undone");
    assert!(built_from_spare(&repo, &out));
    assert!(std::fs::read_to_string(&page).unwrap().contains("500"));
    assert!(
        modified() >= changed,
        "the page changed back is dated before the page it replaced"
    );
}

// ---------------------------------------------------------------------------
// 4. Links and names that lead to secrets.

/// A repository as a CI checkout has it: `.git/config` holds a token.
const TOKEN: &str = "ghp_SECRETTOKEN0123456789";

fn checkout_with_token() -> Repo {
    let repo = committed();
    let config = repo.git().path().join("config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "[remote \"origin\"]\n\turl = https://x-access-token:{TOKEN}@example.com/acme/records\n"
    ));
    std::fs::write(config, text).unwrap();
    repo
}

#[cfg(unix)]
#[test]
fn a_template_override_linked_out_of_the_root_fails_the_build_and_publishes_nothing() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.css");
    std::fs::write(&secret, "body { --token: OUTSIDE-SECRET; }").unwrap();
    for target in [
        secret.clone(),
        PathBuf::from("/proc/self/environ"),
        PathBuf::from("../.git/config"),
    ] {
        let repo = checkout_with_token();
        std::fs::create_dir_all(repo.path("templates")).unwrap();
        std::os::unix::fs::symlink(&target, repo.path("templates/site.css")).unwrap();
        let (dir, out) = site_dir();
        let mut cmd = docket_cmd();
        cmd.env("DOCKET_TEST_SECRET", "ENV-SECRET-VALUE")
            .args(["build", "--out"])
            .arg(&out)
            .args(["--as-of", AS_OF, "--records"])
            .arg(&repo.root);
        let run = Run::from(cmd.output().unwrap());
        refused(&run, &["templates/site.css"]);
        for s in ["OUTSIDE-SECRET", "ENV-SECRET-VALUE", TOKEN] {
            assert!(find_bytes(dir.path(), s).is_none(), "{s} published");
            assert!(!run.stderr.contains(s) && !run.stdout.contains(s));
        }
    }
}

#[cfg(unix)]
#[test]
fn procedure_and_records_linked_out_of_the_root_are_findings_and_never_shown() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("p.md"), "# OUTSIDE-PROCEDURE\n").unwrap();
    let repo = checkout_with_token();
    std::os::unix::fs::symlink(outside.path().join("p.md"), repo.path("procedure.md")).unwrap();
    // A record that is a link to the checkout's credentials.
    std::os::unix::fs::symlink("../.git/config", repo.path("customers/C-0009.toml")).unwrap();
    let run = repo.check();
    let procedure = fires(&run, "parse")
        .into_iter()
        .find(|f| f.file == "procedure.md")
        .expect("a finding on procedure.md");
    assert!(
        procedure.message.contains("link leaving the records root"),
        "{}",
        procedure.message
    );
    let record = run
        .of("parse")
        .into_iter()
        .find(|f| f.file == "customers/C-0009.toml")
        .expect("a finding on the linked record");
    assert!(record.message.contains("hidden"), "{}", record.message);
    for format in ["human", "json", "github"] {
        let out = repo.docket(&["check", "--format", format, "--as-of", AS_OF]);
        assert!(!out.stdout.contains(TOKEN) && !out.stdout.contains("OUTSIDE-PROCEDURE"));
    }
    let (dir, out) = site_dir();
    built(&repo, &out);
    for s in [TOKEN, "OUTSIDE-PROCEDURE"] {
        assert_eq!(find_bytes(dir.path(), s), None, "{s} published");
    }
}

#[cfg(unix)]
#[test]
fn configuration_linked_out_of_the_root_stops_every_command() {
    for file in ["docket.toml", "people.toml"] {
        let outside = tempfile::tempdir().unwrap();
        let repo = Repo::base();
        let target = outside.path().join(file);
        std::fs::rename(repo.path(file), &target).unwrap();
        std::os::unix::fs::symlink(&target, repo.path(file)).unwrap();
        let customers = std::fs::read_dir(repo.path("customers")).unwrap().count();
        let (_dir, out) = site_dir();
        for args in [
            vec!["check", "--as-of", AS_OF],
            vec!["status", "--as-of", AS_OF],
            vec!["build", "--out", out.to_str().unwrap(), "--as-of", AS_OF],
            // These two judge nothing, so only the loader stands between
            // them and a policy or a people list read from outside.
            vec!["new", "customer", "--as-of", AS_OF],
            vec!["stamp", "--url", "http://127.0.0.1:9/"],
        ] {
            let run = repo.docket(&args);
            refused(&run, &[file, "link leaving the records root"]);
        }
        assert!(!out.exists());
        assert_eq!(
            std::fs::read_dir(repo.path("customers")).unwrap().count(),
            customers
        );
    }
}

/// A configuration file that is merely unreadable (a link that loops,
/// a file too large) is not refused as unsafe on its own: it is one of
/// the problems `check` lists together before judging nothing, so a
/// person fixes them all in one go.
#[cfg(unix)]
#[test]
fn an_unreadable_configuration_is_listed_with_the_others_not_refused_alone() {
    let repo = Repo::base();
    let mut big = std::fs::read_to_string(repo.path("docket.toml")).unwrap();
    big.push_str(&format!("# {}\n", "x".repeat(1024 * 1024)));
    std::fs::write(repo.path("docket.toml"), big).unwrap();
    std::fs::remove_file(repo.path("people.toml")).unwrap();
    std::os::unix::fs::symlink("people.toml", repo.path("people.toml")).unwrap();
    let run = repo.docket(&["check", "--as-of", AS_OF]);
    refused(
        &run,
        &[
            "the configuration cannot be read",
            "docket.toml: is larger than 1024 KiB",
            "people.toml: cannot be read",
        ],
    );
}

#[cfg(unix)]
#[test]
fn attachments_are_judged_once_and_the_rule_and_the_site_agree() {
    let repo = checkout_with_token();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("scan.pdf"), "OUTSIDE-ATTACHMENT").unwrap();
    let dir = repo.path("orders/2026/SO-2026-0001");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("po.pdf"), "%PDF the customer's order").unwrap();
    std::fs::write(repo.path("orders/2026/.env"), format!("TOKEN={TOKEN}")).unwrap();
    std::os::unix::fs::symlink("../../../.git/config", dir.join("po.txt")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("scan.pdf"), dir.join("scan.pdf")).unwrap();
    std::os::unix::fs::symlink("po.pdf", dir.join("alias.pdf")).unwrap();
    // A link to its own folder, a link to itself, a name too long for the
    // file system: each refused for what it is, none "not there".
    std::os::unix::fs::symlink(".", dir.join("folder.pdf")).unwrap();
    std::os::unix::fs::symlink("loop.pdf", dir.join("loop.pdf")).unwrap();
    let long = format!("SO-2026-0001/{}.pdf", "x".repeat(300));
    let attached = [
        ("SO-2026-0001/po.pdf", None),
        ("SO-2026-0001/alias.pdf", None),
        (
            "SO-2026-0001/po.txt",
            Some("hidden files are not read or published"),
        ),
        (
            "SO-2026-0001/scan.pdf",
            Some("link leaving the records root"),
        ),
        (".env", Some("hidden")),
        ("SO-2026-0001\\\\po.pdf", Some("uses \\")),
        (
            "../../../.git/config",
            Some("points outside the records root"),
        ),
        ("/etc/passwd", Some("points outside the records root")),
        ("SO-2026-0001/none.pdf", Some("is not there")),
        ("SO-2026-0001/folder.pdf", Some("is not a file")),
        ("SO-2026-0001/loop.pdf", Some("cannot be read")),
        (long.as_str(), Some("cannot be read")),
    ];
    let list: Vec<String> = attached.iter().map(|(a, _)| format!("\"{a}\"")).collect();
    repo.edit(
        ORDER_PATH,
        "legible = true",
        &format!("legible = true\nattachments = [{}]", list.join(", ")),
    );
    let run = repo.check();
    let missing = run.of("attachment-missing");
    let (_site, out) = site_dir();
    built(&repo, &out);
    let page = std::fs::read_to_string(out.join("orders/SO-2026-0001.html")).unwrap();
    for (name, why) in attached {
        let shown = name.replace("\\\\", "\\");
        let found: Vec<_> = missing
            .iter()
            .filter(|f| f.message.contains(&format!("\"{shown}\"")))
            .collect();
        match why {
            None => assert!(found.is_empty(), "{name}: {found:?}"),
            Some(why) => {
                assert_eq!(found.len(), 1, "{name}: {missing:#?}");
                assert!(
                    found[0].message.contains(why),
                    "{name}: {}",
                    found[0].message
                );
            }
        }
        // The site links exactly the attachments the rule accepts.
        let linked = page.contains(&format!(">{}</a>", shown.replace('\\', "&#x5C;")))
            || page.contains(&format!(">{shown}</a>"));
        assert_eq!(linked, why.is_none(), "{name} linked: {linked}");
    }
    let files = file_set(&out.join("files"));
    assert_eq!(
        files,
        BTreeSet::from([
            "orders/2026/SO-2026-0001/alias.pdf".to_string(),
            "orders/2026/SO-2026-0001/po.pdf".to_string()
        ])
    );
    for s in [TOKEN, "OUTSIDE-ATTACHMENT"] {
        assert_eq!(find_bytes(&out, s), None, "{s} published");
    }
}

// ---------------------------------------------------------------------------
// 5. Active attachments.

#[test]
fn active_attachments_are_listed_but_not_published() {
    let repo = Repo::base();
    let dir = "orders/2026/SO-2026-0001";
    repo.write(
        &format!("{dir}/po.html"),
        "<script>alert(document.cookie)</script>",
    );
    repo.write(
        &format!("{dir}/drawing.SVG"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
    );
    repo.write(&format!("{dir}/po.pdf"), "%PDF the order");
    repo.edit(
        ORDER_PATH,
        "legible = true",
        "legible = true\nattachments = [\"SO-2026-0001/po.html\", \"SO-2026-0001/drawing.SVG\", \"SO-2026-0001/po.pdf\"]",
    );
    assert!(repo.check().of("attachment-missing").is_empty());
    let (_dir, out) = site_dir();
    built(&repo, &out);
    assert_eq!(
        file_set(&out.join("files")),
        BTreeSet::from([format!("{dir}/po.pdf")])
    );
    assert_eq!(find_bytes(&out, "<script>alert"), None);
    let page = std::fs::read_to_string(out.join("orders/SO-2026-0001.html")).unwrap();
    let block = &page[page.find("Attachments").unwrap()..];
    let block = &block[..block.find("</table>").unwrap()];
    for (name, bytes) in [
        ("po.html", "<script>alert(document.cookie)</script>"),
        (
            "drawing.SVG",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        ),
    ] {
        let row = block
            .split("<tr>")
            .find(|r| r.contains(name))
            .unwrap_or_else(|| panic!("{name} not listed: {block}"));
        assert!(!row.contains("href"), "{name} is linked: {row}");
        assert!(row.contains("kept in the repository only"), "{row}");
        assert!(row.contains(&format!("{} B", bytes.len())), "size: {row}");
        let blob = git2::Oid::hash_object(git2::ObjectType::Blob, bytes.as_bytes()).unwrap();
        assert!(row.contains(&blob.to_string()), "blob id: {row}");
    }
    assert!(
        block.contains("href=\"../files/orders/2026/SO-2026-0001/po.pdf\""),
        "{block}"
    );
}

// ---------------------------------------------------------------------------
// 6. `docket demo` over existing files.

fn demo(args: &[&str], dir: &Path) -> Run {
    Run::from(
        docket_cmd()
            .args(["demo", "--orders", "5", "--repo"])
            .arg(dir.join("records"))
            .arg("--out")
            .arg(dir.join("site"))
            .args(args)
            .output()
            .unwrap(),
    )
}

#[test]
fn demo_overwrites_no_existing_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("keys")).unwrap();
    std::fs::write(dir.path().join("keys/wang.gm"), "my own key").unwrap();
    let run = demo(&[], dir.path());
    refused(&run, &["keys/wang.gm", "--force"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("keys/wang.gm")).unwrap(),
        "my own key"
    );
    assert!(!dir.path().join("records").exists(), "nothing generated");
    assert!(!dir.path().join("site").exists());

    let run = demo(&["--force"], dir.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::read_to_string(dir.path().join("keys/wang.gm"))
            .unwrap()
            .contains("OPENSSH PRIVATE KEY")
    );
    // Again over the earlier demo: refused without --force, naming it.
    let run = demo(&[], dir.path());
    refused(&run, &["records", "earlier demo", "--force"]);
    let run = demo(&["--force"], dir.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    // --force replaces only what a demo made.
    let other = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(other.path().join("records")).unwrap();
    std::fs::write(other.path().join("records/thesis.tex"), "keep me").unwrap();
    refused(
        &demo(&["--force"], other.path()),
        &["not made by `docket demo`"],
    );
    assert_eq!(
        std::fs::read_to_string(other.path().join("records/thesis.tex")).unwrap(),
        "keep me"
    );
}

// ---------------------------------------------------------------------------
// 7. A huge record in the past; 8. a damaged object.

/// Run `cmd` and return its result and docket's own peak memory in MiB.
/// The kernel starts a child's peak at the high-water mark of the process
/// that spawned it, and this test binary runs many tests at once (its own
/// peak is far above docket's), so docket is started from a small
/// python3 process whose peak is a few MiB: the figure is docket's own,
/// give or take that. No figure (and the test says so) without python3.
#[cfg(target_os = "linux")]
fn peak_mib(mut cmd: Command) -> (Run, Option<u64>) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("peak");
    let script = "import resource, subprocess, sys\n\
                  r = subprocess.run(sys.argv[2:])\n\
                  open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n\
                  sys.exit(r.returncode)\n";
    let mut wrapped = Command::new("python3");
    wrapped
        .arg("-c")
        .arg(script)
        .arg(&report)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => wrapped.env(k, v),
            None => wrapped.env_remove(k),
        };
    }
    let out = match wrapped.output() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("SKIPPED the memory ceiling: python3 cannot be run ({e})");
            return (Run::from(cmd.output().expect("docket runs")), None);
        }
    };
    let run = Run::from(out);
    let mib = std::fs::read_to_string(&report)
        .ok()
        .and_then(|k| k.trim().parse::<u64>().ok())
        .map(|kib| kib / 1024);
    eprintln!("peak {mib:?} MiB: {cmd:?}");
    (run, mib)
}

#[cfg(target_os = "linux")]
#[test]
fn a_fifty_megabyte_record_in_the_past_is_a_parse_note_in_bounded_memory() {
    use std::io::Write;
    let repo = committed();
    // Written in pieces, so this test holds no 50 MB buffer of its own.
    let mut f = std::io::BufWriter::new(std::fs::File::create(repo.path(ORDER_PATH)).unwrap());
    write!(f, "{}\nnote = \"", ORDER.trim_end()).unwrap();
    let mib = vec![b'x'; 1024 * 1024];
    for _ in 0..50 {
        f.write_all(&mib).unwrap();
    }
    f.write_all(b"\"\n").unwrap();
    drop(f);
    repo.commit_as("li.sales", "2026-03-04", "A huge order");
    repo.write(ORDER_PATH, ORDER);
    repo.commit_as("li.sales", "2026-03-05", "Back to normal");
    // docket's own peak (see peak_mib); reading the 50 MB blob once, or
    // printing it, is over the ceiling.
    let ceiling = 200;
    let cmd = |args: &[&str]| {
        let mut c = docket_cmd();
        c.args(args).arg("--records").arg(&repo.root);
        c
    };

    let (log, mib) = peak_mib(cmd(&["log", "SO-2026-0001"]));
    assert_eq!(log.code, 0, "{}", log.stderr);
    assert!(
        mib.is_none_or(|m| m < ceiling),
        "docket log peaked at {mib:?} MiB"
    );
    assert!(
        log.stdout.len() < 100_000,
        "{} bytes printed",
        log.stdout.len()
    );
    let huge = &log.stdout[log.stdout.find("A huge order").expect(&log.stdout)..];
    let huge = &huge[..huge.find("commit ").unwrap_or(huge.len())];
    assert!(
        huge.contains("parse") && huge.contains("larger than 1024 KiB"),
        "{huge}"
    );

    let (json, _) = peak_mib(cmd(&["log", "SO-2026-0001", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let flagged: Vec<_> = v["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["parse"].is_string())
        .collect();
    assert_eq!(flagged.len(), 1, "{:#}", v["revisions"]);

    let (diff, mib) = peak_mib(cmd(&["diff", "HEAD~2..HEAD~1"]));
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert!(
        mib.is_none_or(|m| m < ceiling),
        "docket diff peaked at {mib:?} MiB"
    );
    assert!(
        diff.stdout.contains("larger than 1024 KiB"),
        "{}",
        diff.stdout
    );

    let (check, mib) = peak_mib(cmd(&["check", "--as-of", AS_OF, "--format", "json"]));
    assert!(check.code < 2, "{}", check.stderr);
    assert!(
        mib.is_none_or(|m| m < ceiling),
        "docket check peaked at {mib:?} MiB"
    );

    let (_dir, out) = site_dir();
    let (build, mib) = peak_mib(cmd(&[
        "build",
        "--as-of",
        AS_OF,
        "--out",
        out.to_str().unwrap(),
    ]));
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(
        mib.is_none_or(|m| m < ceiling),
        "docket build peaked at {mib:?} MiB"
    );
    let page = std::fs::read_to_string(out.join("orders/SO-2026-0001.html")).unwrap();
    assert!(
        page.contains("larger than 1024 KiB"),
        "the timeline says why"
    );
    assert!(page.len() < 200_000);
}

#[test]
fn a_damaged_blob_stops_every_command_naming_it() {
    let repo = committed();
    let git = repo.git();
    let head = git.head().unwrap().peel_to_tree().unwrap();
    let blob = head.get_path(Path::new(ORDER_PATH)).unwrap().id();
    corrupt(&repo, blob);
    let (_dir, out) = site_dir();
    for args in [
        vec!["check", "--as-of", AS_OF],
        vec!["log", "SO-2026-0001"],
        vec!["diff", "HEAD~1..HEAD"],
        vec!["build", "--out", out.to_str().unwrap(), "--as-of", AS_OF],
    ] {
        let run = repo.docket(&args);
        refused(&run, &[&blob.to_string(), ORDER_PATH, "git fsck"]);
        assert!(!run.stdout.contains("not committed"), "{}", run.stdout);
    }
    assert!(!out.exists());
}

#[test]
fn a_damaged_tree_or_commit_stops_the_history_walk_naming_it() {
    let repo = committed();
    let git = repo.git();
    let head = git.head().unwrap().peel_to_commit().unwrap();
    let tree = head
        .tree()
        .unwrap()
        .get_path(Path::new("orders/2026"))
        .unwrap()
        .id();
    corrupt(&repo, tree);
    refused(
        &repo.docket(&["check", "--as-of", AS_OF]),
        &[&tree.to_string(), "orders/2026/"],
    );

    let repo = committed();
    let first = repo
        .git()
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .parent_id(0)
        .unwrap();
    corrupt(&repo, first);
    let run = repo.docket(&["check", "--as-of", AS_OF]);
    refused(&run, &[&first.to_string(), "commit"]);
}
