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

/// A record that git checks out with other line endings than it stores
/// (`.gitattributes`: `*.toml text eol=crlf`) is not the committed file
/// byte for byte, and docket reads the bytes: it differs from `HEAD`
/// however fresh git's index is. The index names the blob git would
/// store, not the hash of the file, so where git converts it vouches for
/// nothing (before, a refreshed index said "committed" and a racily
/// clean one "not committed", of the same file).
#[test]
fn a_record_git_converts_on_checkout_is_not_committed_whatever_the_index_says() {
    let repo = signed("author");
    let git_cli = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(&repo.top)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    let committed = repo.check();
    clean(&committed);
    std::fs::write(repo.top.join(".gitattributes"), "*.toml text eol=crlf\n").unwrap();
    let order = repo.path(ORDER_PATH);
    std::fs::remove_file(&order).unwrap();
    git_cli(&["checkout", "--", &format!("{}", order.display())]);
    assert!(std::fs::read_to_string(&order).unwrap().contains("\r\n"));
    // The file's modification time well before the index is written:
    // not racily clean, so the index's entry would vouch for it.
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(30);
    std::fs::File::options()
        .write(true)
        .open(&order)
        .unwrap()
        .set_modified(past)
        .unwrap();
    git_cli(&["update-index", "--refresh"]);
    let run = repo.check();
    let f = fires(&run, "history-unavailable");
    assert_eq!(f.len(), 1, "{:#?}", run.findings());
    assert_eq!(f[0].file, ORDER_PATH);
    assert!(
        f[0].message.contains("uncommitted changes"),
        "{}",
        f[0].message
    );
    // And a tracked .gitattributes converts as an untracked one does.
    git_cli(&["add", ".gitattributes"]);
    git_cli(&["update-index", "--refresh"]);
    assert_eq!(repo.check().stdout, run.stdout);
}
