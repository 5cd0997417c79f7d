//! The caches in `.git/docket` attacked: a doctored index or doctored
//! proofs, one records root's index offered to another in the same
//! repository, and `--no-cache` (reads none, writes none), with what the
//! site says about them.

use crate::fixture::*;

const REVIEW: &str = "[review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = 2026-03-03\n\n";

/// Under policy `ssh`: Li records the order, the review in the GM's name
/// arrives in an unsigned commit, then the GM makes an SSH-signed commit
/// that has nothing to do with it (a customer's contact). Returns the
/// repository and the signed commit.
fn unsigned_review_then_a_signed_commit() -> (Repo, git2::Oid) {
    let repo = Repo::empty();
    repo.set_policy("ssh");
    repo.write("people.toml", &people_toml_with_keys());
    repo.write("customers/C-0001.toml", CUSTOMER);
    repo.write("products/AP-SH-1020.toml", PRODUCT);
    repo.write(ORDER_PATH, &ORDER.replace(REVIEW, ""));
    repo.write(FLOWSHEET_PATH, FLOWSHEET);
    repo.write("surveys/2026/SV-2026-0001.toml", SURVEY);
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Order received");
    repo.write(ORDER_PATH, ORDER);
    repo.commit_as("wang.gm", "2026-03-03", "Review");
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    let signed = repo.commit_with(
        "wang.gm",
        "2026-03-04",
        "New contact",
        Signing::KeyOf("wang.gm"),
    );
    (repo, signed)
}

fn unproven(run: &Run) -> Vec<F> {
    run.findings()
        .into_iter()
        .filter(|f| f.rule == "signature-unproven" && f.file == ORDER_PATH)
        .collect()
}

/// Point the order's newest revision in history.bin at `commit`.
fn doctor_index(repo: &Repo, commit: git2::Oid) {
    edit_history_index(repo, |index| {
        let at = index["commits"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c[0] == commit.to_string())
            .expect("the signed commit is in the index");
        let files = index["files"].as_array_mut().unwrap();
        let order = files
            .iter_mut()
            .find(|f| f[0] == ORDER_PATH)
            .expect("the order's history");
        order[1][0][0] = at.into();
    });
}

#[test]
fn a_doctored_index_cannot_lend_a_signed_commit_to_an_unsigned_section() {
    let (repo, signed) = unsigned_review_then_a_signed_commit();
    let before = repo.check();
    assert_eq!(unproven(&before).len(), 1, "{:#?}", before.findings());
    doctor_index(&repo, signed);
    let after = repo.check();
    let f = unproven(&after);
    assert_eq!(
        f.len(),
        1,
        "the doctored index proved it: {:#?}",
        after.findings()
    );
    assert!(
        f[0].message.contains(&signed.to_string()[..10])
            && f[0].message.contains("already held the same `review`"),
        "{}",
        f[0].message
    );
    assert_eq!(after.code, 1);
    // The site and `log` say the same.
    let log = repo
        .docket(&["log", "SO-2026-0001", "--format", "json"])
        .json();
    assert_eq!(
        log["signatures"][0]["status"]["status"], "unproven",
        "{log:#}"
    );
}

#[test]
fn a_doctored_index_continued_by_new_commits_is_still_anchored() {
    // The run after a push walks only the new commits and takes the rest
    // from the doctored index: the run read some commits itself, but not
    // the one the index lies about.
    let (repo, signed) = unsigned_review_then_a_signed_commit();
    repo.check();
    doctor_index(&repo, signed);
    repo.edit("products/AP-SH-1020.toml", "Stainless shaft", "Steel shaft");
    repo.commit_with(
        "wang.gm",
        "2026-03-05",
        "Product name",
        Signing::KeyOf("wang.gm"),
    );
    let run = repo.check();
    let f = unproven(&run);
    assert_eq!(f.len(), 1, "{:#?}", run.findings());
    assert!(
        f[0].message.contains("already held the same `review`"),
        "{}",
        f[0].message
    );
    // The same run from git alone finds no anchor to doubt, and the
    // section unproven all the same: nobody signed it.
    let cold = repo.docket(&["check", "--no-cache", "--format", "json"]);
    let f = unproven(&cold);
    assert_eq!(f.len(), 1, "{:#?}", cold.findings());
    assert!(!f[0].message.contains("already held"), "{}", f[0].message);
}

#[test]
fn a_doctored_index_naming_a_commit_that_never_held_the_revision_is_caught() {
    // The first commit holds the order without the review: its tree does
    // not hold the revision the index claims for it.
    let (repo, _) = unsigned_review_then_a_signed_commit();
    repo.check();
    let first = repo
        .git()
        .revparse_single("HEAD~2")
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id();
    doctor_index(&repo, first);
    let f = unproven(&repo.check());
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message.contains("does not hold this revision"),
        "{}",
        f[0].message
    );
}

#[test]
fn the_real_signature_commit_passes_the_anchor_check_warm_and_cold() {
    // Near miss: the GM signs the review himself; warm runs (from both
    // caches) and a cold one all prove it.
    let (repo, _) = unsigned_review_then_a_signed_commit();
    repo.edit(ORDER_PATH, "date = 2026-03-03", "date = 2026-03-04");
    repo.commit_with(
        "wang.gm",
        "2026-03-04",
        "Re-sign",
        Signing::KeyOf("wang.gm"),
    );
    clean(&repo.check());
    clean(&repo.check());
    std::fs::remove_dir_all(repo.top.join(".git/docket")).unwrap();
    clean(&repo.check());
}

/// Mark the order's review proven in proofs.json, as someone with write
/// access to `.git` could.
fn doctor_proofs(repo: &Repo) {
    let path = repo.top.join(".git/docket/proofs.json");
    let mut proofs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("proofs.json written")).unwrap();
    // The cache keeps a reason in both languages, each text once in a
    // list the proofs name by position.
    let texts = proofs["texts"].as_array().unwrap().len();
    let entry = &mut proofs["files"][ORDER_PATH]["proofs"];
    let review = entry
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["section"] == "review")
        .expect("the review's proof");
    review["status"] = serde_json::json!({ "Proven": [texts, texts + 1] });
    for text in [
        "SSH signature by wang.gm's key SHA256:forged",
        "wang.gm 的金鑰所做的 SSH 簽章",
    ] {
        proofs["texts"].as_array_mut().unwrap().push(text.into());
    }
    std::fs::write(&path, serde_json::to_vec(&proofs).unwrap()).unwrap();
}

fn site_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    (dir, out)
}

#[test]
fn a_doctored_proofs_cache_is_caught_by_no_cache_and_the_site_says_which_it_was() {
    let (repo, _) = unsigned_review_then_a_signed_commit();
    assert_eq!(unproven(&repo.check()).len(), 1);
    doctor_proofs(&repo);
    // What docs/history.md ("The caches") says a doctored proofs.json can
    // do: show the section proven on a run that uses the caches. (Should
    // this ever change, change the docs with it.)
    let warm = repo.check();
    assert!(unproven(&warm).is_empty(), "{:#?}", warm.findings());
    // --no-cache proves everything from git again.
    let fresh = repo.docket(&["check", "--format", "json", "--as-of", AS_OF, "--no-cache"]);
    assert_eq!(unproven(&fresh).len(), 1, "{:#?}", fresh.findings());
    assert_eq!(fresh.code, 1);
    // The site says whether caches were used, in the footer, data.json
    // and the manifest.
    let (_keep, out) = site_dir();
    let site = |extra: &[&str]| {
        let mut args = vec!["build", "--out", out.to_str().unwrap(), "--as-of", AS_OF];
        args.extend(extra);
        let run = repo.docket(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let page = std::fs::read_to_string(out.join("orders/SO-2026-0001.html")).unwrap();
        let data: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("data.json")).unwrap()).unwrap();
        let manifest = std::fs::read_to_string(out.join(".docket-manifest")).unwrap();
        (page, data["caches"].clone(), manifest)
    };
    let (page, caches, manifest) = site(&[]);
    assert!(
        page.contains("built with the caches in .git/docket"),
        "{page}"
    );
    assert!(
        page.contains("class=\"sig-proven\""),
        "the doctored proof: {page}"
    );
    assert_eq!(caches, true);
    assert!(manifest.contains("\"caches\":true"), "{manifest}");
    let (page, caches, manifest) = site(&["--no-cache"]);
    assert!(page.contains("built without caches"), "{page}");
    assert!(!page.contains("built with the caches"));
    assert_eq!(caches, false);
    assert!(manifest.contains("\"caches\":false"), "{manifest}");
    assert!(page.contains("class=\"sig-unproven\""), "{page}");
    assert!(!page.contains("class=\"sig-proven\""), "{page}");
}

#[test]
fn no_cache_reads_no_cache_and_writes_none() {
    let (repo, _) = unsigned_review_then_a_signed_commit();
    let cold = repo.check();
    let caches = repo.top.join(".git/docket");
    for cache in ["history.bin", "proofs.json", "records.bin"] {
        assert!(caches.join(cache).is_file(), "{cache}");
    }
    std::fs::remove_dir_all(&caches).unwrap();
    let (_keep, out) = site_dir();
    let out = out.to_str().unwrap();
    for args in [
        &["check", "--format", "json", "--as-of", AS_OF, "--no-cache"][..],
        &["build", "--out", out, "--as-of", AS_OF, "--no-cache"],
        &["status", "--as-of", AS_OF, "--no-cache"],
        &["log", "SO-2026-0001", "--no-cache"],
        &["diff", "HEAD~1..HEAD", "--as-of", AS_OF, "--no-cache"],
    ] {
        let run = repo.docket(args);
        assert!(run.code <= 1, "{args:?}: {}", run.stderr);
        assert!(!caches.exists(), "{args:?} wrote {}", caches.display());
    }
    let fresh = repo.docket(&["check", "--format", "json", "--as-of", AS_OF, "--no-cache"]);
    assert_eq!(fresh.stdout, cold.stdout);
    // The same without --no-cache writes them again.
    repo.check();
    assert!(caches.join("history.bin").is_file());
}

/// The proofs cache is written by a whole-repository run that found
/// something new, and only then: a warm run leaves it alone (its bytes and
/// its time), `docket log` (one record's proofs, which know nothing of the
/// others) never writes it, and new commits rewrite it once more than 32
/// files differ from it.
#[test]
fn the_proofs_cache_is_written_when_a_full_run_learns_something_and_only_then() {
    let (repo, _) = unsigned_review_then_a_signed_commit();
    let proofs = repo.top.join(".git/docket/proofs.json");
    let log = repo.docket(&["log", "SO-2026-0001"]);
    assert_eq!(log.code, 0, "{}", log.stderr);
    assert!(!proofs.exists(), "docket log wrote the proofs cache");

    repo.check();
    let cold = std::fs::read(&proofs).expect("a cold check writes the proofs cache");
    let past = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(&proofs)
        .unwrap()
        .set_modified(past)
        .unwrap();
    repo.check();
    assert_eq!(
        std::fs::metadata(&proofs).unwrap().modified().unwrap(),
        past,
        "a warm check rewrote the proofs cache"
    );
    let log = repo.docket(&["log", "SO-2026-0001"]);
    assert_eq!(log.code, 0, "{}", log.stderr);
    assert_eq!(
        std::fs::metadata(&proofs).unwrap().modified().unwrap(),
        past
    );

    // A new commit to a signed record: that file differs from the cache,
    // and each run proves it again, with the result of a run without
    // caches, until more than 32 files differ.
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 520");
    repo.commit_as("li.sales", "2026-03-09", "Quantity 520");
    for _ in 0..2 {
        let warm = repo.check();
        assert_eq!(
            std::fs::read(&proofs).unwrap(),
            cold,
            "rewritten for one file"
        );
        let cold_run = repo.docket(&["check", "--format", "json", "--as-of", AS_OF, "--no-cache"]);
        assert_eq!(warm.stdout, cold_run.stdout);
        assert!(!warm.of("review-stale").is_empty(), "{}", warm.stdout);
    }
    // Copies of the order, committed and checked.
    let orders = |numbers: std::ops::RangeInclusive<u32>, date: &str| {
        for n in numbers {
            let id = format!("SO-2026-{n:04}");
            let text = repo.read(ORDER_PATH).replace("SO-2026-0001", &id);
            repo.write(&format!("orders/2026/{id}.toml"), &text);
        }
        repo.commit_as("li.sales", date, "More orders");
        repo.check();
    };
    orders(2..=33, "2026-03-10");
    let files = |bytes: &[u8]| -> Vec<String> {
        let json: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        json["files"].as_object().unwrap().keys().cloned().collect()
    };
    let written = files(&std::fs::read(&proofs).unwrap());
    assert_eq!(written.len(), 33, "{written:?}");
    // 33 more: written again, with the 33 whose cached proofs held.
    orders(34..=66, "2026-03-11");
    let again = files(&std::fs::read(&proofs).unwrap());
    assert_eq!(again.len(), 66);
    assert!(written.iter().all(|f| again.contains(f)), "{again:?}");
    // Records deleted count as differing too: 33 gone and two changed,
    // written without them.
    for n in 34..=66 {
        repo.remove(&format!("orders/2026/SO-2026-{n:04}.toml"));
    }
    for n in [2, 3] {
        let path = format!("orders/2026/SO-2026-{n:04}.toml");
        repo.edit(&path, "quantity = 520", "quantity = 530");
    }
    repo.commit_as("li.sales", "2026-03-12", "33 orders withdrawn");
    repo.check();
    assert_eq!(files(&std::fs::read(&proofs).unwrap()), written);
}

/// Two records roots in one repository (two plants, `plant-a/` and
/// `plant-b/`, each with its own docket.toml) share `.git/docket`. The
/// history cache written for one is not the other's: plant B's order,
/// "reviewed" in the GM's name by Li, stays unproven after a check of
/// plant A, whose identical order the GM really reviewed, left its index
/// in the cache.
#[test]
fn the_history_cache_of_one_records_root_is_not_another_s() {
    let repo = Repo::empty_in("plant-a");
    repo.set_policy("author");
    let b = repo.top.join("plant-b");
    for (rel, text) in [
        ("customers/C-0001.toml", CUSTOMER.to_string()),
        ("products/AP-SH-1020.toml", PRODUCT.to_string()),
        (ORDER_PATH, ORDER.replace(REVIEW, "")),
        (FLOWSHEET_PATH, FLOWSHEET.to_string()),
        ("surveys/2026/SV-2026-0001.toml", SURVEY.to_string()),
    ] {
        repo.write(rel, &text);
    }
    for rel in [
        "docket.toml",
        "people.toml",
        "customers",
        "products",
        "orders",
        "flowsheets",
        "surveys",
    ] {
        copy_tree(&repo.path(rel), &b.join(rel));
    }
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Orders received at both plants");
    repo.write(ORDER_PATH, ORDER);
    repo.commit_as("wang.gm", "2026-03-03", "Review plant A's order");
    std::fs::write(b.join(ORDER_PATH), ORDER).unwrap();
    repo.commit_as("li.sales", "2026-03-03", "Plant B's order, 'reviewed'");

    let check =
        |root: &std::path::Path| docket_on(root, &["check", "--format", "json", "--as-of", AS_OF]);
    clean(&check(&repo.root));
    assert!(repo.top.join(".git/docket/history.bin").is_file());
    let run = check(&b);
    let f = unproven(&run);
    assert_eq!(f.len(), 1, "{:#?}", run.findings());
    assert!(f[0].message.contains("li.sales"), "{}", f[0].message);
}

/// Copy a file or a folder's files.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    if from.is_dir() {
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            copy_tree(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

/// A cache that cannot be put in place (a folder stands where
/// `history.bin` goes, as a careless restore or a tool might leave it)
/// is no error: the run gives the output it gives without caches, and
/// leaves no half-written file behind. The proofs cache beside it is
/// written as usual, all of it or nothing.
#[test]
fn a_cache_that_cannot_be_put_in_place_leaves_nothing_half_written() {
    let (repo, _) = unsigned_review_then_a_signed_commit();
    let caches = repo.top.join(".git/docket");
    std::fs::create_dir_all(caches.join("history.bin")).unwrap();
    std::fs::create_dir_all(caches.join("records.bin")).unwrap();
    let run = repo.check();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let fresh = repo.docket(&["check", "--format", "json", "--as-of", AS_OF, "--no-cache"]);
    assert_eq!(run.stdout, fresh.stdout);
    let mut left: Vec<String> = std::fs::read_dir(&caches)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["history.bin", "proofs.json", "records.bin"]);
    assert!(caches.join("history.bin").is_dir() && caches.join("records.bin").is_dir());
    let proofs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(caches.join("proofs.json")).unwrap()).unwrap();
    assert!(proofs["files"].get(ORDER_PATH).is_some(), "{proofs:#}");
}

/// The history cache keeps every kind of revision, a deletion and a move
/// included, so a repository where a record was deleted or moved once
/// does not pay a full walk on every run. Seen from outside by a marker:
/// a commit summary changed in history.bin shows in `docket log` only if
/// the cache was read (docket shows the cache's copy, docs/history.md);
/// and the review, proved again from the cached index, is still proven.
#[test]
fn a_history_with_deletions_and_moves_is_read_from_the_cache() {
    let repo = crate::history::signed("author");
    repo.remove(SURVEY_PATH);
    repo.commit_as("li.sales", "2026-03-10", "Survey filed by mistake");
    let text = repo.read(ORDER_PATH);
    repo.remove(ORDER_PATH);
    repo.write("orders/archive/SO-2026-0001.toml", &text);
    repo.commit_as("li.sales", "2026-03-11", "Archive SO-2026-0001");
    repo.check();
    let git_dir = repo.top.join(".git");
    let mut index = docket::history::cached_index_json(&git_dir).expect("history.bin written");
    let changes: Vec<u64> = index["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            f[1].as_array()
                .unwrap()
                .iter()
                .map(|r| r[3].as_u64().unwrap())
        })
        .collect();
    assert!(changes.contains(&2) && changes.contains(&3), "{changes:?}");
    for c in index["commits"].as_array_mut().unwrap() {
        if c[3] == "Review SO-2026-0001" {
            c[3] = "Review SO-2026-0001 (read from the cache)".into();
        }
    }
    assert!(docket::history::write_cached_index_json(&git_dir, index));
    let log = repo.docket(&["log", "SO-2026-0001"]);
    assert!(
        log.stdout.contains("(read from the cache)"),
        "{}",
        log.stdout
    );
    // Proved again from the cached index alone: the review's revisions
    // kept the path they had before the move, where git holds them.
    let with_proofs = repo.check();
    std::fs::remove_file(repo.top.join(".git/docket/proofs.json")).unwrap();
    let proved_again = repo.check();
    assert!(
        proved_again.of("signature-unproven").is_empty(),
        "{}",
        proved_again.stdout
    );
    assert_eq!(proved_again.stdout, with_proofs.stdout);
}

/// A garbled `proofs.json` whose commit positions are out of range (the
/// largest number a position can hold, one past the file's revisions) is
/// not a crash: the entry is not taken and the file proved again, so the
/// check says what a run without caches says.
#[test]
fn a_cached_commit_position_out_of_range_is_proved_again_not_a_crash() {
    let (repo, _) = unsigned_review_then_a_signed_commit();
    let cold = repo.docket(&["check", "--format", "json", "--as-of", AS_OF, "--no-cache"]);
    repo.check();
    let path = repo.top.join(".git/docket/proofs.json");
    let pristine = std::fs::read(&path).expect("proofs.json written");
    for position in [u64::MAX, 2] {
        let mut proofs: serde_json::Value = serde_json::from_slice(&pristine).unwrap();
        let entry = &mut proofs["files"][ORDER_PATH]["proofs"];
        let mut garbled = 0;
        for p in entry.as_array_mut().unwrap() {
            if p["commit"].is_u64() {
                p["commit"] = position.into();
                garbled += 1;
            }
        }
        assert!(garbled > 0, "no committed proof to garble: {entry:#}");
        std::fs::write(&path, serde_json::to_vec(&proofs).unwrap()).unwrap();
        let warm = repo.docket(&["check", "--format", "json", "--as-of", AS_OF]);
        assert!(warm.code < 2, "position {position}: {}", warm.stderr);
        assert_eq!(warm.stdout, cold.stdout, "position {position}");
    }
}

/// The index is written again only when a walk read more than 32 commits
/// past it: in between, each run walks the commits past the cached head
/// once more, and sees what a walk of everything sees.
#[test]
fn the_index_is_rewritten_only_after_32_commits_past_it() {
    let repo = crate::history::signed("author");
    let cache = repo.top.join(".git/docket/history.bin");
    let log = |extra: &[&str]| {
        let mut args = vec!["log", "SO-2026-0001", "--format", "json"];
        args.extend(extra);
        let run = repo.docket(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    log(&[]);
    let written = std::fs::read(&cache).expect("history.bin written");
    let note = |n: usize| {
        repo.append(ORDER_PATH, &format!("\n# note {n}\n"));
        repo.commit_as("li.sales", "2026-03-20", &format!("Note {n}"))
    };
    for n in 1..=32 {
        note(n);
        let warm = log(&[]);
        assert_eq!(
            std::fs::read(&cache).unwrap(),
            written,
            "rewritten after {n}"
        );
        if n % 16 == 0 {
            assert_eq!(warm, log(&["--no-cache"]), "after {n} commits");
            assert!(warm.contains(&format!("\"Note {n}\"")), "{warm}");
        }
    }
    let head = note(33);
    log(&[]);
    let rewritten = docket::history::cached_index_json(&repo.top.join(".git")).unwrap();
    assert_eq!(rewritten["head"], head.to_string());
}

/// A first run walks the history beside the loading of the records only
/// when the whole history is small: its pack files fit what the walk may
/// map (128 MiB). A larger history is walked after the records, so the
/// two are never held at once where memory is tightest. A cache, once
/// written, decides by its own size.
#[test]
fn a_first_run_walks_beside_the_records_only_when_the_history_is_small() {
    let repo = Repo::base();
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Customer C-0001");
    let beside = || docket::history::walk_beside_load(&repo.root);
    assert!(beside(), "a small history without a cache");
    let pack = repo.top.join(".git/objects/pack/pack-big.pack");
    std::fs::File::create(&pack)
        .unwrap()
        .set_len((128 << 20) + 1)
        .unwrap();
    assert!(
        !beside(),
        "a history over 128 MiB of packs, without a cache"
    );
    assert!(repo.check().code < 2);
    let cache = repo.top.join(".git/docket/history.bin");
    assert!(cache.is_file());
    assert!(beside(), "a small cache, whatever the packs");
    std::fs::remove_file(&pack).unwrap();
    std::fs::remove_file(&cache).unwrap();
    assert!(beside());
}
