//! The records' texts kept between runs (`.git/docket/records.bin`, the
//! base, and `records.tail`), attacked: a record rewritten with its size,
//! its modification time and its inode kept; two records of one size
//! swapped by renames; records added, deleted, moved and replaced by a
//! link; the kept files damaged. Every run must say what a run that reads
//! every file says (`--no-cache`), and the runs that may take texts must
//! take them (counted by `DOCKET_TIMINGS`), or the cache is tested idle.

use crate::fixture::*;
use std::time::Duration;

/// Past any file system's time granularity (some keep whole seconds): a
/// file written before it changed before the next run began reading,
/// which is when a run may keep its text.
fn past_a_tick() {
    std::thread::sleep(Duration::from_millis(1100));
}

/// `check --format json`, and how many files it took from the kept texts.
fn check_counting(repo: &Repo) -> (Run, usize) {
    let mut cmd = docket_cmd();
    cmd.env("DOCKET_TIMINGS", "1")
        .args(["check", "--format", "json", "--as-of", AS_OF, "--records"])
        .arg(&repo.root);
    let run = Run::from(cmd.output().expect("docket runs"));
    assert!(run.code <= 1, "{}", run.stderr);
    let kept = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("count records kept from last run"))
        .and_then(|n| n.trim().parse().ok())
        .expect("the count of kept records");
    (run, kept)
}

/// A check as the kept texts allow, which must say what reading every file
/// says; how many it took from them.
fn check_as_if_read(repo: &Repo) -> usize {
    let (run, kept) = check_counting(repo);
    let fresh = repo.docket(&["check", "--format", "json", "--as-of", AS_OF, "--no-cache"]);
    assert_eq!(run.stdout, fresh.stdout, "kept texts told another story");
    kept
}

/// The small company, committed, and its texts kept by a first run, which
/// had nothing to take; returns how many files it reads.
fn kept_company() -> (Repo, usize) {
    let repo = Repo::base();
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Records");
    past_a_tick();
    assert_eq!(check_as_if_read(&repo), 0, "nothing kept yet");
    let files = check_as_if_read(&repo);
    // docket.toml, people.toml and the five records.
    assert_eq!(files, 7);
    (repo, files)
}

/// The sharpest edit for a cache keyed by the file's metadata: the same
/// length, the modification time put back, the same inode. Only the change
/// time tells, and the text is read again.
#[test]
fn a_record_rewritten_with_its_size_time_and_inode_kept_is_read_again() {
    let (repo, files) = kept_company();
    let path = repo.path(ORDER_PATH);
    let edited = repo
        .read(ORDER_PATH)
        .replace("customer = \"C-0001\"", "customer = \"C-0009\"");
    write_keeping_time(&path, edited.as_bytes());
    past_a_tick();
    let base = std::fs::read(repo.top.join(".git/docket/records.bin")).unwrap();
    let (run, kept) = check_counting(&repo);
    assert_eq!(kept, files - 1);
    assert!(
        run.findings()
            .iter()
            .any(|f| f.file == ORDER_PATH && f.message.contains("C-0009")),
        "{}",
        run.stdout
    );
    // The text read again was kept in its turn, in a tail: the base is
    // left as it was.
    assert_eq!(check_as_if_read(&repo), files);
    assert!(repo.top.join(".git/docket/records.tail").is_file());
    assert_eq!(
        std::fs::read(repo.top.join(".git/docket/records.bin")).unwrap(),
        base
    );
}

/// Two records of one length swapped by renames: each name now has the
/// other's inode, size and modification time; the change time moved.
#[test]
fn two_records_swapped_by_renames_are_read_again() {
    let repo = Repo::base();
    let other = CUSTOMER
        .replace("C-0001", "C-0002")
        .replace("Anna Keller", "Anna Kellex");
    repo.write("customers/C-0002.toml", &other);
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Records");
    past_a_tick();
    check_as_if_read(&repo);
    assert_eq!(check_as_if_read(&repo), 8);
    let (a, b) = (
        repo.path("customers/C-0001.toml"),
        repo.path("customers/C-0002.toml"),
    );
    let tmp = repo.path("customers/swap");
    std::fs::rename(&a, &tmp).unwrap();
    std::fs::rename(&b, &a).unwrap();
    std::fs::rename(&tmp, &b).unwrap();
    past_a_tick();
    // Each file's id now disagrees with its name: a finding on both.
    let (run, kept) = check_counting(&repo);
    assert_eq!(kept, 6);
    let named = |file: &str| run.findings().iter().any(|f| f.file == file);
    assert!(
        named("customers/C-0001.toml") && named("customers/C-0002.toml"),
        "{}",
        run.stdout
    );
    assert_eq!(check_as_if_read(&repo), 8, "read again, and kept");
}

/// Records added, deleted, moved, and replaced by a link to another file
/// inside the root: each run says what reading everything says.
#[test]
fn kept_texts_follow_records_added_deleted_moved_and_linked() {
    let (repo, files) = kept_company();
    repo.write(
        "customers/C-0002.toml",
        &CUSTOMER.replace("C-0001", "C-0002"),
    );
    assert_eq!(check_as_if_read(&repo), files);
    repo.remove(SURVEY_PATH);
    assert!(check_as_if_read(&repo) <= files);
    let moved = FLOWSHEET_PATH.replace("2026", "2025");
    std::fs::create_dir_all(repo.path(&moved).parent().unwrap()).unwrap();
    std::fs::rename(repo.path(FLOWSHEET_PATH), repo.path(&moved)).unwrap();
    check_as_if_read(&repo);
    // The customer's name becomes a link to a copy that says otherwise.
    let copy = "customers/copy/C-0001.toml";
    repo.write(copy, &CUSTOMER.replace("Nordlicht", "Sudlicht!"));
    let link = repo.path("customers/C-0001.toml");
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(repo.path(copy), &link).unwrap();
    check_as_if_read(&repo);
    past_a_tick();
    check_as_if_read(&repo);
    // A link is read through its target every time, and nothing of it is
    // kept: a run that changed nothing writes nothing.
    let docket = repo.top.join(".git/docket");
    let written = |name: &str| {
        std::fs::metadata(docket.join(name))
            .and_then(|m| m.modified())
            .ok()
    };
    let before = (written("records.bin"), written("records.tail"));
    assert_eq!(check_as_if_read(&repo), files);
    assert_eq!((written("records.bin"), written("records.tail")), before);
}

/// A kept file damaged on disk, a tail of another base, and a tail that is
/// garbage: the run reads what it must from the files, and says the same.
#[test]
fn damaged_kept_files_keep_nothing_and_change_nothing() {
    let (repo, files) = kept_company();
    let docket = repo.top.join(".git/docket");
    let base = docket.join("records.bin");
    let mut bytes = std::fs::read(&base).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    std::fs::write(&base, &bytes).unwrap();
    assert_eq!(check_as_if_read(&repo), 0, "a damaged base is read as none");
    assert_eq!(check_as_if_read(&repo), files, "and written again");

    // A tail written over the base now, kept aside: it holds the order
    // as it is now, which changes again before a new base is written.
    repo.edit(ORDER_PATH, "PO-88812", "PO-88813");
    past_a_tick();
    check_as_if_read(&repo);
    let tail = docket.join("records.tail");
    let old_tail = std::fs::read(&tail).expect("one changed file: a tail");
    repo.edit(ORDER_PATH, "PO-88813", "PO-88814");
    past_a_tick();
    // A new base from a run that had none; the old tail offered to it.
    // Read, its entry for the order would send the order to the disk.
    std::fs::remove_file(&base).unwrap();
    assert_eq!(check_as_if_read(&repo), 0);
    assert!(!tail.exists(), "a new base removes the tail");
    std::fs::write(&tail, &old_tail).unwrap();
    let of_another = check_as_if_read(&repo);
    assert_eq!(of_another, files, "a tail of another base is not read");
    std::fs::write(&tail, b"not a tail at all").unwrap();
    assert_eq!(check_as_if_read(&repo), files);

    // A tail is no base; nor is a base with bytes after what it encodes
    // (its hash made again to cover them).
    let good = std::fs::read(&base).unwrap();
    repo.edit(ORDER_PATH, "PO-88814", "PO-88815");
    past_a_tick();
    check_as_if_read(&repo);
    // This tail holds the order as it is: as a base it would lend it.
    std::fs::rename(&tail, &base).unwrap();
    assert_eq!(check_as_if_read(&repo), 0, "a tail offered as the base");
    let mut longer = good[..good.len() - 8].to_vec();
    longer.extend_from_slice(&[0; 4]);
    let hash = xxhash_rust::xxh3::xxh3_64(&longer).to_le_bytes();
    longer.extend_from_slice(&hash);
    std::fs::write(&base, &longer).unwrap();
    assert_eq!(check_as_if_read(&repo), 0, "bytes after what it encodes");
    assert_eq!(check_as_if_read(&repo), files);
}

/// Many files changed at once write a new base, not a tail that outweighs
/// it; then one change writes a tail again.
#[test]
fn many_changes_write_a_new_base() {
    let repo = Repo::base();
    for n in 2..80 {
        let id = format!("C-{n:04}");
        repo.write(
            &format!("customers/{id}.toml"),
            &CUSTOMER.replace("C-0001", &id),
        );
    }
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Records");
    past_a_tick();
    check_as_if_read(&repo);
    let files = check_as_if_read(&repo);
    assert_eq!(files, 85);
    let docket = repo.top.join(".git/docket");
    for n in 2..80 {
        repo.edit(
            &format!("customers/C-{n:04}.toml"),
            "Anna Keller",
            "Anna Kellee",
        );
    }
    past_a_tick();
    assert_eq!(check_as_if_read(&repo), files - 78);
    assert!(
        !docket.join("records.tail").exists(),
        "78 changes of 85: a new base"
    );
    assert_eq!(check_as_if_read(&repo), files);
    repo.edit(ORDER_PATH, "PO-88812", "PO-88813");
    past_a_tick();
    check_as_if_read(&repo);
    assert!(docket.join("records.tail").is_file(), "one change: a tail");
    assert_eq!(check_as_if_read(&repo), files);
}

/// Runs at once on one repository, each keeping what it read, while a
/// record is rewritten under them (its size and modification time kept):
/// whichever run's kept files stand last, the next run says what a run
/// that reads every file says.
#[test]
fn runs_at_once_while_a_record_changes_keep_nothing_stale() {
    let (repo, _) = kept_company();
    let path = repo.path(ORDER_PATH);
    let texts = [
        repo.read(ORDER_PATH),
        repo.read(ORDER_PATH)
            .replace("customer = \"C-0001\"", "customer = \"C-0009\""),
    ];
    for round in 1..=4 {
        let mut runs = vec![repo.spawn_check(), repo.spawn_check()];
        // The same length, the modification time put back, no pause.
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::fs::write(&path, &texts[round % 2]).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        runs.push(repo.spawn_check());
        for run in runs {
            let run = Run::from(run.wait_with_output().unwrap());
            assert!(run.code <= 1, "round {round}: {}", run.stderr);
        }
        past_a_tick();
        check_as_if_read(&repo);
    }
}

/// A record edited and not committed, whose text later runs take from the
/// kept texts: a text taken says nothing of git's index, and the working
/// tree's check must still find the edit uncommitted, staged or not, as a
/// run that reads every file does. (A version that handed the loader's
/// `lstat` to that check, to save the second, was measured and dropped:
/// no faster at 50,000 orders, and a higher peak.)
#[test]
fn an_uncommitted_edit_taken_from_the_kept_texts_is_still_uncommitted() {
    let (repo, files) = kept_company();
    let edited = format!("{}# checked again\n", repo.read(ORDER_PATH));
    repo.write(ORDER_PATH, &edited);
    past_a_tick();
    assert_eq!(check_as_if_read(&repo), files - 1, "the edit is read");
    for staged in [false, true] {
        if staged {
            let git = repo.git();
            let mut index = git.index().unwrap();
            index.add_path(std::path::Path::new(ORDER_PATH)).unwrap();
            index.write().unwrap();
            past_a_tick();
        }
        let (run, kept) = check_counting(&repo);
        assert_eq!(kept, files, "staged: {staged}: every text taken");
        assert_eq!(run.uncommitted(), [ORDER_PATH], "staged: {staged}");
        assert_eq!(check_as_if_read(&repo), files, "staged: {staged}");
    }
}
