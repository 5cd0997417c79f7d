//! The working tree against `HEAD`: what docket counts as not committed.
//! The working tree is what `check` reads and `build` publishes, so a
//! record or a controlled document that differs from the commits must be
//! said to, however it got there: an edit whose modification time was put
//! back, a file git ignores, the procedure edited in place. And what is
//! committed must not be: an attachment, a file named like the procedure
//! in a record's folder.

use crate::fixture::*;
use crate::history::signed;

/// An uncommitted edit that keeps the file's size, with its modification
/// time put back (`touch -r`, or an editor that preserves it), is still an
/// uncommitted edit. git's index vouches for a file by its size, times and
/// inode; the change time, which no one can set back, is compared too, as
/// git does. Here the GM's review is changed to a later decision date in
/// place, after a run that cached its proof.
#[test]
fn an_edit_with_its_modification_time_put_back_is_still_uncommitted() {
    let repo = signed("author");
    {
        // Stage with git's own index, as `git add` would, so that it holds
        // the file's times.
        let git = repo.git();
        let mut index = git.index().unwrap();
        index.add_path(std::path::Path::new(ORDER_PATH)).unwrap();
        index.write().unwrap();
    }
    clean(&repo.check());
    let edited = repo
        .read(ORDER_PATH)
        .replace("date = 2026-03-03", "date = 2026-03-02");
    write_keeping_time(&repo.path(ORDER_PATH), edited.as_bytes());
    let run = repo.check();
    let f = fires(&run, "signature-unproven");
    assert_eq!(f.len(), 1, "{:#?}", run.findings());
    assert!(f[0].message.contains("not committed"), "{}", f[0].message);
}

/// A record git ignores (a careless `*.toml` in .gitignore, meant for a
/// local setting) will never be committed: it is checked like any record
/// in the working tree, and flagged as not committed, whatever
/// .gitignore says. A file outside the record folders is not.
#[test]
fn a_record_git_ignores_is_flagged_as_not_committed() {
    let repo = signed("author");
    repo.write_top(".gitignore", "*.toml\n!docket.toml\n!people.toml\n");
    repo.write(
        "customers/C-0002.toml",
        &CUSTOMER.replace("C-0001", "C-0002"),
    );
    repo.write("local.toml", "editor = \"vim\"\n");
    let run = repo.check();
    let f = fires(&run, "history-unavailable");
    assert_eq!(f.len(), 1, "{:#?}", run.findings());
    assert_eq!(f[0].file, "customers/C-0002.toml");
    assert!(
        f[0].message.starts_with("is not committed"),
        "{}",
        f[0].message
    );
}

/// The procedure is a controlled document: an uncommitted edit of it is
/// flagged like one of a record.
#[test]
fn an_uncommitted_edit_of_the_procedure_is_flagged() {
    let repo = signed("author");
    repo.write("procedure.md", "# Procedure\n\nRevision 1.\n");
    repo.commit_as("wang.gm", "2026-03-05", "Procedure, revision 1");
    clean(&repo.check());
    repo.write(
        "procedure.md",
        "# Procedure\n\nRevision 2, not yet approved.\n",
    );
    let run = repo.check();
    let f = fires(&run, "history-unavailable");
    assert_eq!(f.len(), 1, "{:#?}", run.findings());
    assert_eq!(f[0].file, "procedure.md");
    assert!(
        f[0].message.starts_with("has uncommitted changes"),
        "{}",
        f[0].message
    );
}

/// Committed attachments are committed: a customer's framework agreement
/// and its quality procedure (a file that happens to be named
/// `procedure.md`), kept in the customer's folder, flag nothing.
#[test]
fn committed_attachments_flag_nothing() {
    let repo = signed("author");
    repo.edit(
        "customers/C-0001.toml",
        "id = \"C-0001\"\n",
        "id = \"C-0001\"\nattachments = [\"C-0001/agreement-2025.pdf\", \"C-0001/procedure.md\"]\n",
    );
    repo.write("customers/C-0001/agreement-2025.pdf", "%PDF-1.4\n");
    repo.write(
        "customers/C-0001/procedure.md",
        "# The customer's incoming inspection\n",
    );
    repo.commit_as("li.sales", "2026-03-03", "File the framework agreement");
    clean(&repo.check());
}

/// The order checked out again after `convert` set up a conversion
/// git applies to it (with the environment `env`, given to git and to
/// docket), made to look clean to git's index (its modification time
/// before the index's, the index refreshed): what `check` says, which
/// must be that the order has uncommitted changes, since its bytes are
/// not the committed blob's.
#[track_caller]
fn converted_order_is_not_committed(env: &[(&str, &str)], convert: impl Fn(&Repo)) {
    let repo = signed("author");
    clean(&repo.check());
    convert(&repo);
    let order = repo.path(ORDER_PATH);
    std::fs::remove_file(&order).unwrap();
    git_in(
        &repo,
        env,
        &["checkout", "--", &order.display().to_string()],
    );
    assert!(std::fs::read_to_string(&order).unwrap().contains("\r\n"));
    modified_before_the_index(&order);
    git_in(&repo, env, &["update-index", "-q", "--refresh"]);
    let run = repo.check_in(env, &[]);
    let f = fires(&run, "history-unavailable");
    assert_eq!(f.len(), 1, "{:#?}", run.findings());
    assert_eq!(f[0].file, ORDER_PATH);
    assert!(
        f[0].message.contains("uncommitted changes"),
        "{}",
        f[0].message
    );
}

/// A record that git checks out with other line endings than it stores
/// is not the committed file byte for byte, and docket reads the bytes:
/// it differs from `HEAD` however fresh git's index is. The index names
/// the blob git would store, not the hash of the file, so where git
/// converts it vouches for nothing (before, a refreshed index said
/// "committed" and a racily clean one "not committed", of the same
/// file). Each way a reviewer found of setting the conversion where
/// docket did not look is here.
#[test]
fn a_record_git_converts_on_checkout_is_not_committed_whatever_the_index_says() {
    let crlf = "*.toml text eol=crlf\n";
    // An untracked .gitattributes, then a tracked one.
    converted_order_is_not_committed(&[], |repo| {
        std::fs::write(repo.top.join(".gitattributes"), crlf).unwrap();
    });
    converted_order_is_not_committed(&[], |repo| {
        std::fs::write(repo.top.join(".gitattributes"), crlf).unwrap();
        git_in(repo, &[], &["add", ".gitattributes"]);
    });
    // A staged one deleted from the work tree: git reads the index's.
    converted_order_is_not_committed(&[], |repo| {
        std::fs::write(repo.top.join(".gitattributes"), crlf).unwrap();
        git_in(repo, &[], &["add", ".gitattributes"]);
        std::fs::remove_file(repo.top.join(".gitattributes")).unwrap();
    });
    // core.attributesFile relative to the work tree's top (docket runs
    // elsewhere).
    converted_order_is_not_committed(&[], |repo| {
        std::fs::write(repo.top.join(".myattrs"), crlf).unwrap();
        git_in(repo, &[], &["config", "core.attributesFile", ".myattrs"]);
    });
    // core.autocrlf in the repository's configuration, then given by the
    // environment only, as CI gives settings.
    converted_order_is_not_committed(&[], |repo| {
        git_in(repo, &[], &["config", "core.autocrlf", "true"]);
    });
    let env = [
        ("GIT_CONFIG_COUNT", "1"),
        ("GIT_CONFIG_KEY_0", "core.autocrlf"),
        ("GIT_CONFIG_VALUE_0", "true"),
    ];
    converted_order_is_not_committed(&env, |_| {});
    let env = [("GIT_CONFIG_PARAMETERS", "'core.autocrlf'='true'")];
    converted_order_is_not_committed(&env, |_| {});
    // The repository's own info/attributes, and the user's attributes
    // file where git looks for it by default.
    converted_order_is_not_committed(&[], |repo| {
        let info = repo.top.join(".git/info");
        std::fs::create_dir_all(&info).unwrap();
        std::fs::write(info.join("attributes"), crlf).unwrap();
    });
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("git")).unwrap();
    std::fs::write(home.path().join("git/attributes"), crlf).unwrap();
    let xdg = [("XDG_CONFIG_HOME", home.path().to_str().unwrap())];
    converted_order_is_not_committed(&xdg, |_| {});
    // A global configuration that libgit2 does not read
    // (`GIT_CONFIG_GLOBAL`), setting core.autocrlf itself, then only
    // through an include libgit2 does not follow in a file opened alone.
    let global = home.path().join("global.gitconfig");
    let included = home.path().join("included.gitconfig");
    std::fs::write(&included, "[core]\n\tautocrlf = true\n").unwrap();
    let env = [("GIT_CONFIG_GLOBAL", global.to_str().unwrap())];
    std::fs::write(&global, "[core]\n\tautocrlf = true\n").unwrap();
    converted_order_is_not_committed(&env, |_| {});
    let include = format!(
        "[includeIf \"gitdir:/\"]\n\tpath = {}\n",
        included.display()
    );
    std::fs::write(&global, include).unwrap();
    converted_order_is_not_committed(&env, |_| {});
    // A git folder apart from the work tree (`git init
    // --separate-git-dir`): the work tree's .gitattributes is the one
    // read.
    let apart = tempfile::tempdir().unwrap();
    converted_order_is_not_committed(&[], |repo| {
        let git_dir = apart.path().join("records.git");
        std::fs::rename(repo.top.join(".git"), &git_dir).unwrap();
        let gitlink = format!("gitdir: {}\n", git_dir.display());
        std::fs::write(repo.top.join(".git"), gitlink).unwrap();
        std::fs::write(repo.top.join(".gitattributes"), crlf).unwrap();
    });
}

/// Runs at once on one repository while its `.gitattributes` comes and
/// goes under them, the order checked out again each time with the line
/// endings it asks for (CRLF, then the committed LF): whatever each run
/// saw and kept, the next run, with every cache, says what a run that
/// reads every file says, and the order is uncommitted exactly when it
/// holds CRLF.
#[test]
fn runs_at_once_while_the_attributes_change_keep_nothing_stale() {
    let repo = signed("author");
    clean(&repo.check());
    let order = repo.path(ORDER_PATH);
    let attributes = repo.top.join(".gitattributes");
    for round in 1..=4 {
        let crlf = round % 2 == 1;
        let mut runs = vec![repo.spawn_check(), repo.spawn_check()];
        if crlf {
            std::fs::write(&attributes, "*.toml text eol=crlf\n").unwrap();
        } else {
            std::fs::remove_file(&attributes).unwrap();
        }
        std::fs::remove_file(&order).unwrap();
        git_in(
            &repo,
            &[],
            &["checkout", "--", &order.display().to_string()],
        );
        assert_eq!(
            std::fs::read_to_string(&order).unwrap().contains("\r\n"),
            crlf
        );
        runs.push(repo.spawn_check());
        modified_before_the_index(&order);
        git_in(&repo, &[], &["update-index", "-q", "--refresh"]);
        runs.push(repo.spawn_check());
        for run in runs {
            let run = Run::from(run.wait_with_output().unwrap());
            assert!(run.code <= 1, "round {round}: {}", run.stderr);
        }
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let warm = repo.check();
        let cold = repo.check_in(&[], &["--no-cache"]);
        assert_eq!(warm.stdout, cold.stdout, "round {round}");
        let expected: &[&str] = if crlf { &[ORDER_PATH] } else { &[] };
        assert_eq!(warm.uncommitted(), expected, "round {round}");
    }
}

/// The audit trail's newest commit shows what was committed, whatever the
/// working copy holds: `check` reads the working tree, the trail is git's.
/// Here the copy is edited in place with its modification time put back,
/// after a commit (a reading of the newest revision from the working
/// tree, to spare git a lookup, would take the edit for the commit): the
/// commit still reads 500 -> 800, in the log and on the page, and the
/// edit is shown on its own as not committed.
#[test]
fn the_trail_shows_the_committed_revision_not_an_edited_working_copy() {
    let repo = signed("author");
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
    let edited = repo
        .read(ORDER_PATH)
        .replace("quantity = 800", "quantity = 900");
    write_keeping_time(&repo.path(ORDER_PATH), edited.as_bytes());
    let log = repo.docket(&["log", "SO-2026-0001", "--format", "json"]);
    assert_eq!(log.code, 0, "{}", log.stderr);
    let json = log.json();
    let revisions = json["revisions"].as_array().unwrap();
    let committed: Vec<_> = revisions
        .iter()
        .filter(|r| !r["commit"].is_null())
        .collect();
    assert_eq!(committed.len(), 3, "{json:#}");
    let change = &committed[0]["changes"][0];
    assert_eq!(change["path"], "line[0].quantity", "{json:#}");
    assert_eq!(
        (&change["from"], &change["to"]),
        (&"500".into(), &"800".into()),
        "{json:#}"
    );
    let text = repo.docket(&["log", "SO-2026-0001"]).stdout;
    assert!(text.contains("line[0].quantity: 500 -> 800"), "{text}");
    assert!(text.contains("line[0].quantity: 800 -> 900"), "{text}");
    let site = repo.path("../site");
    let build = repo.docket(&["build", "--out", site.to_str().unwrap()]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let page = std::fs::read_to_string(site.join("orders/SO-2026-0001.html")).unwrap();
    let commit = page.find("2026-03-20").expect("the commit on the page");
    assert!(page[commit..].contains("800"), "{page}");
}

/// git's index in each layout git writes for a work tree: versions 2, 3
/// (an entry with extended flags: skip-worktree) and 4 (paths cut from the one before) are
/// read by docket itself, every staged file; a split index, which
/// neither docket nor libgit2 reads, vouches for nothing, and every file
/// is hashed. Either way a clean tree is clean and an edit that kept its
/// size and modification time is not committed.
#[test]
fn each_layout_of_gits_index_is_read_or_left_and_an_edit_is_still_found() {
    for (layout, version, by_docket) in [
        (&[][..], 2, true),
        (
            &[&["update-index", "--skip-worktree", "people.toml"][..]][..],
            3,
            true,
        ),
        (
            &[&["update-index", "--index-version", "4"][..]][..],
            4,
            true,
        ),
        (&[&["update-index", "--split-index"][..]][..], 2, false),
    ] {
        let repo = signed("author");
        git_in(&repo, &[], &["add", "--", ORDER_PATH]);
        for args in layout {
            git_in(&repo, &[], args);
        }
        let index = std::fs::read(repo.top.join(".git/index")).unwrap();
        assert_eq!(index[4..8], u32::to_be_bytes(version), "{layout:?}");
        // What git says it staged (libgit2 reads no split index).
        let listed = std::process::Command::new("git")
            .arg("-C")
            .arg(&repo.top)
            .args(["ls-files", "-z"])
            .output()
            .unwrap();
        let staged = listed.stdout.iter().filter(|b| **b == 0).count();
        let timed = |repo: &Repo| {
            let run = repo.check_in(&[("DOCKET_TIMINGS", "1")], &[]);
            let read = run
                .stderr
                .lines()
                .find_map(|l| l.strip_prefix("count index entries read by docket"))
                .map(|n| n.trim().parse::<usize>().unwrap());
            (run, read)
        };
        let (run, read) = timed(&repo);
        clean(&run);
        assert_eq!(
            read,
            by_docket.then_some(staged),
            "{layout:?}: {}",
            run.stderr
        );
        assert!(staged > 3, "{staged}");
        let edited = repo
            .read(ORDER_PATH)
            .replace("date = 2026-03-03", "date = 2026-03-02");
        write_keeping_time(&repo.path(ORDER_PATH), edited.as_bytes());
        let (run, _) = timed(&repo);
        let f = fires(&run, "signature-unproven");
        assert_eq!(f.len(), 1, "{layout:?}: {:#?}", run.findings());
        assert!(f[0].message.contains("not committed"), "{}", f[0].message);
    }
}
