//! What one commit changed, read from git's trees as they really are: a
//! records folder that early commits lack or that was once a file, a
//! hidden file committed beside records, a record beside a folder of the
//! same name, and a damaged repository (a tree object missing, a HEAD
//! naming nothing, a config git cannot parse). The walk compares trees entry by entry in git's own
//! order; these are the trees where a slip in that order, in what it
//! skips, or in which errors it forgives would give a record a history it
//! never had.

use crate::fixture::*;
use crate::history::signed;
use docket::selftest::company::REVIEW;

/// The review's signature, as `docket log` reports it.
fn review_status(repo: &Repo, id: &str) -> serde_json::Value {
    let log = repo.docket(&["log", id, "--format", "json"]);
    assert_eq!(log.code, 0, "{}", log.stderr);
    log.json()
}

/// `docket diff RANGE --format json`.
fn diff_of(repo: &Repo, range: &str) -> serde_json::Value {
    repo.docket(&["diff", range, "--format", "json", "--as-of", AS_OF])
        .json()
}

/// How many revisions `docket log` shows for a record.
fn revisions(repo: &Repo, id: &str) -> usize {
    review_status(repo, id)["revisions"]
        .as_array()
        .map_or(0, Vec::len)
}

/// A repository that held other things before its quality records: first
/// only a README, then a file named `records` (a note saying where the
/// records will go), and only then the `records/` folder. The commits
/// before the folder existed have no records; they are neither an error
/// nor a tree read as one.
#[test]
fn a_records_folder_that_came_late_or_was_once_a_file_starts_the_history() {
    let repo = Repo::empty_in("records");
    let held = repo.top.join("records.held");
    std::fs::rename(&repo.root, &held).unwrap();
    repo.git_init();
    repo.write_top("README.md", "# Quality\n");
    repo.commit_as("li.sales", "2026-01-05", "Start the repository");
    repo.write_top("records", "The quality records go here from March.\n");
    repo.commit_as("li.sales", "2026-02-02", "Say where the records will go");
    std::fs::remove_file(repo.top.join("records")).unwrap();
    std::fs::rename(&held, &repo.root).unwrap();
    repo.set_policy("author");
    repo.write("customers/C-0001.toml", CUSTOMER);
    repo.write("products/AP-SH-1020.toml", PRODUCT);
    repo.write(ORDER_PATH, &ORDER.replace(REVIEW, ""));
    repo.write(FLOWSHEET_PATH, FLOWSHEET);
    repo.write(SURVEY_PATH, SURVEY);
    repo.commit_as("li.sales", "2026-03-02", "Order SO-2026-0001 received");
    repo.write(ORDER_PATH, ORDER);
    repo.commit_as("wang.gm", "2026-03-03", "Review SO-2026-0001");

    let run = repo.check();
    assert_eq!(run.code, 0, "{}\n{:?}", run.stderr, run.findings());
    let log = review_status(&repo, "SO-2026-0001");
    assert_eq!(
        log["revisions"].as_array().map(Vec::len),
        Some(2),
        "{log:#}"
    );
    assert_eq!(
        log["signatures"][0]["status"]["status"], "proven",
        "{log:#}"
    );
    assert_eq!(revisions(&repo, "C-0001"), 1);
    // From the commit where `records` was a file: every record is new.
    let diff = diff_of(&repo, "HEAD~2..HEAD");
    let added: Vec<&str> = diff["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        added,
        [
            "customers/C-0001.toml",
            FLOWSHEET_PATH,
            ORDER_PATH,
            "products/AP-SH-1020.toml",
            SURVEY_PATH
        ],
        "{diff:#}"
    );
}

/// An editor's hidden copy (`.#SO-2026-0002.toml`, `.SO-2026-0002.toml`)
/// committed into a record folder and deleted the next day is not a
/// record: the loader does not read hidden files, and neither does the
/// walk, so no record was ever added or deleted there.
#[test]
fn a_hidden_file_committed_in_a_record_folder_is_no_record_of_the_history() {
    let repo = signed("author");
    let draft = ORDER.replace("SO-2026-0001", "SO-2026-0002");
    repo.write("orders/2026/.SO-2026-0002.toml", &draft);
    repo.write("orders/2026/.drafts/SO-2026-0002.toml", &draft);
    repo.commit_as("li.sales", "2026-03-10", "Save a draft by mistake");
    repo.remove("orders/2026/.SO-2026-0002.toml");
    repo.remove("orders/2026/.drafts/SO-2026-0002.toml");
    repo.commit_as("li.sales", "2026-03-11", "Remove the draft");

    let run = repo.check();
    assert_eq!(run.code, 0, "{}\n{:?}", run.stderr, run.findings());
    let diff = diff_of(&repo, "HEAD~2..HEAD");
    for list in ["added", "changed", "deleted"] {
        assert_eq!(diff[list], serde_json::json!([]), "{list}: {diff:#}");
    }
    let added = diff_of(&repo, "HEAD~2..HEAD~1");
    assert_eq!(added["added"], serde_json::json!([]), "{added:#}");
}

/// Git sorts a folder as if its name ended in `/`, so the order file
/// `SO-2026-0001.toml` comes before the folder `SO-2026-0001/` ('.' is
/// before '/'). A follow-up order filed in that folder must keep one
/// revision when the first order's file is moved away and the folder
/// stays: read in the wrong order, the two trees fall out of step and the
/// follow-up seems deleted and added again in the move.
#[test]
fn a_record_beside_a_folder_of_its_name_moves_without_touching_the_folder() {
    let repo = signed("author");
    let follow_up = "orders/2026/SO-2026-0001/SO-2026-0002.toml";
    repo.write(follow_up, &ORDER.replace("SO-2026-0001", "SO-2026-0002"));
    repo.commit_as("wang.gm", "2026-03-04", "Follow-up order SO-2026-0002");
    let text = repo.read(ORDER_PATH);
    repo.remove(ORDER_PATH);
    repo.write("orders/archive/SO-2026-0001.toml", &text);
    repo.commit_as("li.sales", "2026-04-01", "Archive SO-2026-0001");
    // And back, beside its folder again.
    repo.remove("orders/archive/SO-2026-0001.toml");
    repo.write(ORDER_PATH, &text);
    repo.commit_as("li.sales", "2026-04-02", "SO-2026-0001 is still open");

    assert_eq!(revisions(&repo, "SO-2026-0002"), 1);
    assert_eq!(revisions(&repo, "SO-2026-0001"), 4);
    let diff = diff_of(&repo, "HEAD~2..HEAD~1");
    assert_eq!(diff["added"], serde_json::json!([]), "{diff:#}");
    assert_eq!(diff["deleted"], serde_json::json!([]), "{diff:#}");
}

/// A folder on the way to the records root whose tree object is missing
/// (a damaged clone, an object deleted by hand) is not a commit without
/// records: the run stops and names the object, as for any object git
/// cannot read, instead of reading the records as never added.
#[test]
fn a_missing_tree_above_the_records_root_stops_the_run_and_names_it() {
    let repo = Repo::empty_in("quality/records");
    repo.write("customers/C-0001.toml", CUSTOMER);
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Customer C-0001");
    let git = repo.git();
    let head = git.head().unwrap().peel_to_tree().unwrap();
    let quality = head.get_name("quality").unwrap().id().to_string();
    let (dir, file) = quality.split_at(2);
    std::fs::remove_file(repo.top.join(".git/objects").join(dir).join(file)).unwrap();

    let run = repo.check();
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(&quality), "{}", run.stderr);
}

/// A tree object that inflates but does not parse (an entry's mode not
/// octal, an entry cut short): docket reads tree objects' bytes itself,
/// and refuses what libgit2 would refuse, naming the tree and the folder,
/// instead of reading the folder as holding fewer records.
#[test]
fn a_tree_that_does_not_parse_stops_the_run_and_names_it() {
    let repo = signed("author");
    clean(&repo.check());
    let git = repo.git();
    let head = git.head().unwrap().peel_to_commit().unwrap();
    let customers = head
        .tree()
        .unwrap()
        .get_name("customers")
        .unwrap()
        .to_object(&git)
        .unwrap();
    let customers = customers.as_tree().unwrap();
    let entry = customers.iter().next().unwrap();
    // The folder's first entry as git wrote it, then one with a mode that
    // is not octal and an id cut short.
    let mut bytes = format!("100644 {}\0", entry.name().unwrap()).into_bytes();
    bytes.extend_from_slice(entry.id().as_bytes());
    bytes.extend_from_slice(b"10x644 C-9999.toml\0\x01\x02");
    let damaged = git
        .odb()
        .unwrap()
        .write(git2::ObjectType::Tree, &bytes)
        .unwrap();
    let mut root = git.treebuilder(Some(&head.tree().unwrap())).unwrap();
    root.insert("customers", damaged, 0o040000).unwrap();
    let root = git.find_tree(root.write().unwrap()).unwrap();
    let who = git2::Signature::now("Li Mei", "li@acme.example").unwrap();
    git.commit(Some("HEAD"), &who, &who, "customers", &root, &[&head])
        .unwrap();
    std::fs::remove_dir_all(repo.top.join(".git/docket")).unwrap();

    let run = repo.check();
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let named = format!("the tree {damaged} (customers/) cannot be read: failed to parse tree");
    assert!(run.stderr.contains(&named), "{}", run.stderr);
    assert!(run.stderr.contains("git fsck"), "{}", run.stderr);
}

/// A HEAD that names no valid branch (a hand-edited or half-written
/// `.git/HEAD`) is not "a repository with no commits yet", which would
/// read every record as never signed: the run stops and says so.
#[test]
fn a_damaged_head_stops_the_run_instead_of_reading_no_history() {
    let repo = signed("author");
    std::fs::write(
        repo.top.join(".git/HEAD"),
        "ref: refs/heads/../../nowhere\n",
    )
    .unwrap();
    let run = repo.check();
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("the reference HEAD cannot be read") && run.stderr.contains("git fsck"),
        "{}",
        run.stderr
    );
}

/// A folder once stood where the order file is now (someone made
/// `SO-2026-0001.toml/` by mistake). The commit that replaced it with the
/// reviewed order wrote the review: its parent held a folder there, not an
/// earlier copy of the section, and the review is proven.
#[test]
fn a_review_written_where_a_folder_of_that_name_stood_is_proven() {
    let repo = Repo::empty();
    repo.set_policy("author");
    repo.write("customers/C-0001.toml", CUSTOMER);
    repo.write("products/AP-SH-1020.toml", PRODUCT);
    repo.write(FLOWSHEET_PATH, FLOWSHEET);
    repo.write(SURVEY_PATH, SURVEY);
    repo.write(&format!("{ORDER_PATH}/note.txt"), "the order goes here\n");
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Records");
    std::fs::remove_dir_all(repo.path(ORDER_PATH)).unwrap();
    repo.write(ORDER_PATH, ORDER);
    repo.commit_as("wang.gm", "2026-03-03", "Order SO-2026-0001, reviewed");

    clean(&repo.check());
    let log = review_status(&repo, "SO-2026-0001");
    assert_eq!(
        log["signatures"][0]["status"]["status"], "proven",
        "{log:#}"
    );
}

/// A repository git cannot open (its `.git/config` garbled) is not "no
/// repository", which would read as records kept without git: the run
/// stops and says what git said.
#[test]
fn a_repository_git_cannot_open_stops_the_run() {
    let repo = signed("author");
    std::fs::write(repo.top.join(".git/config"), "[core\nbroken = \n").unwrap();
    let run = repo.check();
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("config"), "{}", run.stderr);
}

/// A revision larger than a record may be (1024 KiB) is refused by the size
/// git records for it, unread, as the loader refuses such a file: the
/// trail says so instead of listing what it held. One of exactly
/// 1024 KiB is read. Here a customer was once committed padded past the limit (a
/// pasted export), then at exactly the limit, then cut back.
#[test]
fn an_old_revision_over_the_size_limit_is_refused_unread() {
    let repo = signed("author");
    let path = "customers/C-0002.toml";
    let customer = CUSTOMER.replace("C-0001", "C-0002");
    let padded = |size: usize, marker: &str| {
        let head = format!("{customer}# {marker}\n");
        let pad = size - head.len() - 1;
        format!("{head}#{}\n", "x".repeat(pad - 1))
    };
    let limit = 1024 * 1024;
    repo.write(path, &padded(limit + 1, "over"));
    repo.commit_as(
        "li.sales",
        "2026-03-05",
        "Customer C-0002 with a pasted export",
    );
    assert_eq!(
        std::fs::metadata(repo.path(path)).unwrap().len(),
        limit as u64 + 1
    );
    repo.write(
        path,
        &padded(limit, "at").replace("phone = \"+49 40 123456\"", "phone = \"+49 40 999999\""),
    );
    repo.commit_as("li.sales", "2026-03-06", "Trim the export");
    assert_eq!(
        std::fs::metadata(repo.path(path)).unwrap().len(),
        limit as u64
    );
    repo.write(path, &customer);
    repo.commit_as("li.sales", "2026-03-07", "Remove the export");

    let log = review_status(&repo, "C-0002");
    let revs = log["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 3, "{log:#}");
    // The revision at the limit was read: its change of phone is listed.
    assert!(
        revs[0]["changes"].to_string().contains("+49 40 999999"),
        "{:#}",
        revs[0]
    );
    assert!(revs[1]["parse"].is_null(), "{:#}", revs[1]);
    let over = revs[2]["parse"].as_str().unwrap_or_default();
    assert!(
        over.starts_with("is larger than 1024 KiB, the most docket reads"),
        "{:#}",
        revs[2]
    );
    assert_eq!(revs[2]["changes"], serde_json::json!([]), "{:#}", revs[2]);
}

/// A damaged commit on an old side branch that touched no record (the
/// walk had no reason to read it), met while reading where a later branch
/// left the main line: the run stops and names it, instead of judging
/// the branch as if it had no fork point.
#[test]
fn a_damaged_commit_met_while_finding_a_fork_stops_the_run() {
    let repo = signed("author");
    let base = repo.git().head().unwrap().target().unwrap();
    repo.write_top("README.md", "# Our records\n");
    let side = repo.commit_raw(
        "li.sales",
        "2026-03-05",
        "README",
        Signing::Unsigned,
        &[base],
    );
    let merged = repo.commit_raw(
        "wang.gm",
        "2026-03-06",
        "Merge the README",
        Signing::Unsigned,
        &[base, side],
    );
    repo.set_head(merged);
    repo.edit("customers/C-0001.toml", "Hamburg", "Bremen");
    let branch = repo.commit_raw(
        "li.sales",
        "2026-03-07",
        "C-0001 moved",
        Signing::Unsigned,
        &[base],
    );
    let tip = repo.commit_raw(
        "wang.gm",
        "2026-03-08",
        "Merge branch 'address'",
        Signing::Unsigned,
        &[merged, branch],
    );
    repo.set_head(tip);
    clean(&repo.check());
    std::fs::remove_dir_all(repo.top.join(".git/docket")).unwrap();
    corrupt(&repo, side);
    let run = repo.check();
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let named = format!("the commit {tip} (its merged branch) cannot be read");
    assert!(run.stderr.contains(&named), "{}", run.stderr);
}

/// A damaged tree in the commit before a signature, met when the proof
/// checks (from a warm history cache, which spared the walk reading it)
/// that this parent did not already hold the review: the run stops and
/// says the repository is damaged, rather than treating the parent as
/// holding no such file and proving the review.
#[test]
fn a_damaged_tree_met_while_anchoring_a_proof_stops_the_run() {
    let repo = signed("author");
    clean(&repo.check());
    let git = repo.git();
    let head = git.head().unwrap().peel_to_commit().unwrap();
    let parent = head.parent(0).unwrap().tree().unwrap();
    let year = parent
        .get_path(std::path::Path::new("orders/2026"))
        .unwrap()
        .id();
    assert_ne!(
        year,
        head.tree()
            .unwrap()
            .get_path(std::path::Path::new("orders/2026"))
            .unwrap()
            .id()
    );
    std::fs::remove_file(repo.top.join(".git/docket/proofs.json")).unwrap();
    corrupt(&repo, year);
    let run = repo.check();
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("git fsck"), "{}", run.stderr);
}

/// The first-parent line is listed from each commit's header as git
/// writes it; a commit object written another way (here its parent in
/// upper-case hex, which git never writes and libgit2 reads) is read by
/// libgit2, and the line goes on through it. Were it taken for a root,
/// every record would be new in it, unsigned, and the run not clean.
#[test]
fn a_commit_header_git_would_not_write_still_leads_to_its_parent() {
    let repo = signed("author");
    clean(&repo.check());
    let before = revisions(&repo, "SO-2026-0001");
    assert!(before > 1);
    let git = repo.git();
    let head = git.head().unwrap().peel_to_commit().unwrap();
    let raw = format!(
        "tree {}\nparent {}\nauthor Li Mei <li@acme.example> {t} +0800\n\
         committer Li Mei <li@acme.example> {t} +0800\n\nA note\n",
        head.tree_id(),
        head.id().to_string().to_uppercase(),
        t = head.time().seconds() + 60,
    );
    let odd = git
        .odb()
        .unwrap()
        .write(git2::ObjectType::Commit, raw.as_bytes())
        .unwrap();
    assert_eq!(
        git.find_commit(odd).unwrap().parent_id(0).unwrap(),
        head.id()
    );
    repo.set_head(odd);
    std::fs::remove_dir_all(repo.top.join(".git/docket")).unwrap();
    clean(&repo.check());
    assert_eq!(revisions(&repo, "SO-2026-0001"), before);
}

/// A work tree whose `.git` is a file naming a git folder elsewhere
/// (`git init --separate-git-dir`), without `core.worktree`: libgit2
/// takes the git folder's parent for the work tree, git the folder that
/// holds the file, and so does docket. The check is the check made with
/// the git folder in place, with the caches and without.
#[test]
fn a_git_folder_apart_from_its_work_tree_is_read_from_the_work_tree() {
    let repo = signed("author");
    let before = repo.check();
    let apart = tempfile::tempdir().unwrap();
    let git_dir = apart.path().join("records.git");
    std::fs::rename(repo.top.join(".git"), &git_dir).unwrap();
    let gitlink = format!("gitdir: {}\n", git_dir.display());
    std::fs::write(repo.top.join(".git"), gitlink).unwrap();
    assert_eq!(repo.check().stdout, before.stdout);
    let cold = repo.docket(&["check", "--format", "json", "--as-of", AS_OF, "--no-cache"]);
    assert_eq!(cold.stdout, before.stdout);
}

/// Two commits on top of `repo`, each adding a note to the order: the
/// commit they start from, and the last.
fn two_notes(repo: &Repo) -> (git2::Oid, git2::Oid) {
    let base = repo.git().head().unwrap().target().unwrap();
    repo.append(ORDER_PATH, "\n# a note\n");
    repo.commit_as("li.sales", "2026-03-05", "a note");
    repo.append(ORDER_PATH, "# another\n");
    (
        base,
        repo.commit_as("li.sales", "2026-03-06", "another note"),
    )
}

/// A repository with grafts (`.git/info/grafts`, which libgit2 reads in
/// place of the parents a commit names) is read as libgit2 reads it,
/// the first-parent line included: here the commit a graft skips is no
/// revision of the order. Listed from the commits' own headers instead,
/// the line would hold it while each commit is compared with its
/// grafted parent, and the order would show it as a revision still.
#[test]
fn grafts_are_read_as_libgit2_reads_them_in_the_first_parent_line_too() {
    let repo = signed("author");
    let before = revisions(&repo, "SO-2026-0001");
    let (base, last) = two_notes(&repo);
    assert_eq!(revisions(&repo, "SO-2026-0001"), before + 2);
    std::fs::create_dir_all(repo.top.join(".git/info")).unwrap();
    std::fs::write(
        repo.top.join(".git/info/grafts"),
        format!("{last} {base}\n"),
    )
    .unwrap();
    std::fs::remove_dir_all(repo.top.join(".git/docket")).unwrap();
    assert_eq!(revisions(&repo, "SO-2026-0001"), before + 1);
}

/// Grafts written, changed or removed after the caches were (the
/// history index, the proofs): the parents git reads changed under a
/// head the index was kept for, so the index and the proofs kept with it
/// are not the history any more. The run is the run without caches, in
/// each direction.
#[test]
fn grafts_changed_after_the_caches_were_kept_are_read_as_a_cold_run_reads_them() {
    let repo = signed("author");
    let before = revisions(&repo, "SO-2026-0001");
    let (base, last) = two_notes(&repo);
    let check = |cache: bool| {
        let mut args = vec!["check", "--format", "json", "--as-of", AS_OF];
        if !cache {
            args.push("--no-cache");
        }
        repo.docket(&args).stdout
    };
    assert_eq!(revisions(&repo, "SO-2026-0001"), before + 2);
    let ungrafted = check(true);
    assert!(repo.top.join(".git/docket/history.bin").exists());
    let grafts = repo.top.join(".git/info/grafts");
    std::fs::create_dir_all(grafts.parent().unwrap()).unwrap();
    // The last commit's parent is now the base: the note is gone.
    std::fs::write(&grafts, format!("{last} {base}\n")).unwrap();
    assert_eq!(revisions(&repo, "SO-2026-0001"), before + 1, "grafts added");
    assert_eq!(check(true), check(false), "grafts added");
    // The last commit made a root: its order was added there.
    std::fs::write(&grafts, format!("{last}\n")).unwrap();
    assert_eq!(revisions(&repo, "SO-2026-0001"), 1, "grafts changed");
    assert_eq!(check(true), check(false), "grafts changed");
    std::fs::remove_file(&grafts).unwrap();
    assert_eq!(
        revisions(&repo, "SO-2026-0001"),
        before + 2,
        "grafts removed"
    );
    assert_eq!(check(true), check(false), "grafts removed");
    assert_eq!(check(true), ungrafted);
}

/// The walk reads the first-parent line in runs of consecutive commits,
/// each commit compared with its parent's tree as the listing read it,
/// and with the trees the commit before kept for it. Over several runs
/// (600 commits, each editing the order or moving a customer), every
/// edit is one revision, every move keeps the customer's history, and
/// the run is the same with and without the caches a walk continues.
#[test]
fn a_long_history_read_in_runs_keeps_every_revision() {
    let repo = signed("author");
    let first = revisions(&repo, "SO-2026-0001");
    let mut customer = "customers/C-0001.toml".to_string();
    let mut edits = 0;
    for n in 0..600 {
        if n % 7 == 3 {
            let to = if customer.contains("/old/") {
                "customers/C-0001.toml".to_string()
            } else {
                "customers/old/C-0001.toml".to_string()
            };
            let text = std::fs::read_to_string(repo.path(&customer)).unwrap();
            repo.remove(&customer).write(&to, &text);
            customer = to;
        } else {
            repo.write(ORDER_PATH, &format!("{ORDER}\n# edit {n}\n"));
            edits += 1;
        }
        repo.commit_as("li.sales", "2026-03-20", &format!("Edit {n}"));
    }
    assert_eq!(revisions(&repo, "SO-2026-0001"), first + edits);
    let customer_revisions = revisions(&repo, "C-0001");
    assert!(customer_revisions > 85, "{customer_revisions} revisions");
    let cold = repo.docket(&["check", "--no-cache", "--format", "json", "--as-of", AS_OF]);
    let warm = repo.docket(&["check", "--format", "json", "--as-of", AS_OF]);
    assert_eq!(cold.stdout, warm.stdout);
}

/// A clone that borrows its objects from another repository (`git clone
/// --shared`: `objects/info/alternates`) and a linked worktree (its
/// objects in the main repository's folder) are read as the repository
/// itself: the walk's threads read objects through handles of their own
/// on the object folder, which must find them in both.
#[test]
fn a_shared_clone_and_a_linked_worktree_read_the_history_of_the_repository() {
    let repo = signed("author");
    repo.write(ORDER_PATH, &format!("{ORDER}\n# edit\n"));
    repo.commit_as("li.sales", "2026-03-20", "Edit the order");
    let log = |root: &std::path::Path| {
        let out = docket_cmd()
            .args(["log", "SO-2026-0001", "--format", "json", "--records"])
            .arg(root)
            .output()
            .unwrap();
        Run::from(out)
    };
    let expected = log(&repo.root);
    assert_eq!(expected.code, 0, "{}", expected.stderr);
    assert!(revisions(&repo, "SO-2026-0001") >= 2);
    let dir = tempfile::tempdir().unwrap();
    let (clone, tree) = (dir.path().join("clone"), dir.path().join("tree"));
    let top = repo.top.to_str().unwrap();
    let (clone_at, tree_at) = (clone.to_str().unwrap(), tree.to_str().unwrap());
    crate::ci_templates::git(dir.path(), &["clone", "-q", "--shared", top, clone_at]);
    assert!(clone.join(".git/objects/info/alternates").exists());
    crate::ci_templates::git(&repo.top, &["worktree", "add", "-q", "--detach", tree_at]);
    let below = repo.root.strip_prefix(&repo.top).unwrap();
    for top in [clone, tree] {
        let run = log(&top.join(below));
        assert_eq!(run.code, 0, "{}: {}", top.display(), run.stderr);
        assert_eq!(run.stdout, expected.stdout, "{}", top.display());
    }
}
