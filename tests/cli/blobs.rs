//! Old revisions too large for a record, read from git's objects as they
//! are stored: loose, packed whole, or packed as a delta on a larger
//! blob. docket reads an old revision with libgit2 unable to allocate
//! more than a record's size, and asks the blob's size of its header only
//! when that read fails; `DOCKET_TIMINGS` counts those headers, so these
//! tests see which path each revision took, and what a build's memory
//! peaked at.

use crate::fixture::*;
use crate::history::signed;

const PATH: &str = "customers/C-0002.toml";
const LIMIT: usize = 1024 * 1024;

/// Customer C-0002 padded with a comment to `size` bytes; `marker` makes
/// each padded revision a different blob.
fn padded(size: usize, marker: &str) -> String {
    let customer = CUSTOMER.replace("C-0001", "C-0002");
    let head = format!("{customer}# {marker}\n");
    let pad = size - head.len() - 1;
    format!("{head}#{}\n", "x".repeat(pad - 1))
}

/// A customer committed padded one byte past the limit, then 4 KiB
/// under it with a new phone number, then at the limit with another
/// (read first, newest first, it meets the others' blobs in no cache),
/// then as it should be.
fn over_at_and_cut() -> Repo {
    let repo = signed("author");
    repo.write(PATH, &padded(LIMIT + 1, "over"));
    repo.commit_as("li.sales", "2026-03-05", "C-0002 with a pasted export");
    let below = padded(LIMIT - 4096, "at").replace("+49 40 123456", "+49 40 888888");
    repo.write(PATH, &below);
    repo.commit_as("li.sales", "2026-03-06", "Trim the export");
    let at = padded(LIMIT, "at").replace("+49 40 123456", "+49 40 999999");
    repo.write(PATH, &at);
    repo.commit_as("li.sales", "2026-03-07", "Trim the export less");
    assert_eq!(repo.read(PATH).len(), LIMIT);
    repo.write(PATH, &CUSTOMER.replace("C-0001", "C-0002"));
    repo.commit_as("li.sales", "2026-03-08", "Remove the export");
    repo
}

/// `docket build` with `DOCKET_TIMINGS`: how many blob sizes it asked,
/// and the most memory it held (MiB, as the timings say it).
fn build_counting(repo: &Repo) -> (usize, u64) {
    let out = tempfile::tempdir().unwrap();
    let run = Run::from(
        docket_cmd()
            .env("DOCKET_TIMINGS", "1")
            .args(["build", "--as-of", AS_OF, "--out"])
            .arg(out.path().join("site"))
            .arg("--records")
            .arg(&repo.root)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let asked = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("count blob sizes asked"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no count of blob sizes asked:\n{}", run.stderr));
    let peak = run
        .stderr
        .lines()
        .filter_map(|l| {
            l.split_once(" peak ")?
                .1
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .max()
        .unwrap_or_else(|| panic!("no peak of memory:\n{}", run.stderr));
    (asked, peak)
}

/// What `git verify-pack -v` lists of the repository's one pack: a line
/// "id type size size-in-pack offset" per object, and "depth base" after
/// them for a delta.
fn pack_listing(repo: &Repo) -> String {
    let pack = std::fs::read_dir(repo.git().path().join("objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .expect("a pack");
    let listed = std::process::Command::new("git")
        .args(["verify-pack", "-v"])
        .arg(&pack)
        .output()
        .unwrap();
    String::from_utf8(listed.stdout).unwrap()
}

/// The four revisions as `docket log` shows them, newest first: the one
/// at the limit and the one under it read (each one's phone number
/// listed, as the value the next revision changed), the one past it
/// refused, unread.
fn assert_trail(repo: &Repo) {
    let log = repo.docket(&["log", "C-0002", "--format", "json"]);
    assert_eq!(log.code, 0, "{}", log.stderr);
    let log = log.json();
    let revs = log["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 4, "{log:#}");
    for (k, phone) in [(0, "+49 40 999999"), (1, "+49 40 888888")] {
        assert!(
            revs[k]["changes"].to_string().contains(phone),
            "the revision with {phone} was read: {:#}",
            revs[k]
        );
    }
    assert!(revs[1]["parse"].is_null(), "{:#}", revs[1]);
    assert!(revs[2]["parse"].is_null(), "{:#}", revs[2]);
    let over = revs[3]["parse"].as_str().unwrap_or_default();
    assert!(
        over.starts_with("is larger than 1024 KiB, the most docket reads"),
        "{:#}",
        revs[3]
    );
}

/// Loose objects: only the blob past the limit fails the capped read and
/// has its size asked; every other revision is read without asking.
#[test]
fn only_a_revision_past_the_limit_has_its_size_asked() {
    let repo = over_at_and_cut();
    assert_trail(&repo);
    let (asked, _) = build_counting(&repo);
    assert_eq!(asked, 1, "the blob one byte past the limit, alone");
}

/// Packed, the revisions at the limit and under it are deltas on the one
/// past it (directly, or through each other), so reading them needs a
/// block larger than the cap (their base): the read fails, and only the
/// header, saying the blob is small enough, lets it be read after all.
/// A read that took any failure for a blob too large would refuse a
/// revision docket must show; one that checked the size read after the
/// header wrongly would refuse one of the two.
#[test]
fn a_revision_stored_as_a_delta_on_a_larger_one_is_still_read() {
    let repo = over_at_and_cut();
    git_in(&repo, &[], &["repack", "-adfq"]);
    let blob = |rev: &str| {
        let spec = format!("{rev}:{PATH}");
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(&repo.top)
            .args(["rev-parse", &spec])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let (at, below, over) = (blob("HEAD~1"), blob("HEAD~2"), blob("HEAD~3"));
    let listed = pack_listing(&repo);
    let base = |id: &str| {
        let entry = listed
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} not in the pack:\n{listed}"));
        entry
            .split_whitespace()
            .nth(6)
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        base(&at),
        over,
        "git stored the revision at the limit as a delta on the one past it"
    );
    assert!(
        [&at, &over].contains(&&base(&below)),
        "git stored the revision under the limit as a delta on one of them:\n{listed}"
    );
    assert_trail(&repo);
    // The three padded blobs: the one at the limit, read first, and the
    // one under it each have the one past it in their chains.
    let (asked, _) = build_counting(&repo);
    assert_eq!(asked, 3);
}

/// The common case, packed: a customer edited revision after revision,
/// each a small delta on another. Every revision is read under the cap
/// (no size asked), and each one's change is in the trail.
#[test]
fn small_revisions_stored_as_deltas_are_read_without_asking_their_size() {
    let repo = signed("author");
    let customer = CUSTOMER.replace("C-0001", "C-0002");
    let phones = [
        "+49 40 111111",
        "+49 40 222222",
        "+49 40 333333",
        "+49 40 444444",
    ];
    for (day, phone) in phones.iter().enumerate() {
        repo.write(PATH, &customer.replace("+49 40 123456", phone));
        let date = format!("2026-03-{:02}", day + 5);
        repo.commit_as("li.sales", &date, &format!("C-0002 phone {phone}"));
    }
    git_in(&repo, &[], &["repack", "-adfq"]);
    let listed = pack_listing(&repo);
    let deltas = listed
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some("blob"))
        .filter(|l| l.split_whitespace().count() == 7)
        .count();
    assert!(deltas >= 3, "git stored the revisions as deltas:\n{listed}");
    let log = repo.docket(&["log", "C-0002", "--format", "json"]);
    assert_eq!(log.code, 0, "{}", log.stderr);
    let trail = log.json()["revisions"].to_string();
    for phone in phones {
        assert!(trail.contains(phone), "{phone} missing from {trail}");
    }
    let (asked, _) = build_counting(&repo);
    assert_eq!(asked, 0, "no revision needed its size asked");
}

/// A blob of 192 MiB in the history (compressed to almost nothing) costs
/// no memory: it is refused before libgit2 allocates it, whether loose or
/// packed.
#[test]
fn a_huge_old_revision_is_never_inflated() {
    let repo = signed("author");
    let mut huge = CUSTOMER.replace("C-0001", "C-0002");
    huge.push_str(&format!("# {}\n", "0".repeat(192 * LIMIT)));
    repo.write(PATH, &huge);
    drop(huge);
    repo.commit_as("li.sales", "2026-03-05", "C-0002 with a pasted export");
    repo.write(PATH, &CUSTOMER.replace("C-0001", "C-0002"));
    repo.commit_as("li.sales", "2026-03-06", "Remove the export");
    for packed in [false, true] {
        if packed {
            git_in(&repo, &[], &["repack", "-adfq"]);
        }
        let (asked, peak) = build_counting(&repo);
        assert_eq!(asked, 1, "packed: {packed}");
        assert!(
            peak < 96,
            "packed: {packed}: the build peaked at {peak} MiB"
        );
    }
}
