//! Hostile input: every case is a finding naming the file, the run ends,
//! nothing panics, and nothing from outside the records root shows up.

use crate::fixture::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Run `check --format <fmt>` with a hang guard: a run that has not ended
/// after a minute is a hang, whatever the machine's speed.
fn check_guarded(repo: &Repo, format: &str) -> Run {
    let mut child = docket_cmd()
        .args(["check", "--format", format, "--as-of", AS_OF, "--records"])
        .arg(&repo.root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("docket check did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let run = Run::from(child.wait_with_output().unwrap());
    assert!(
        !run.stderr.contains("panicked"),
        "docket panicked:\n{}",
        run.stderr
    );
    assert_eq!(
        run.code, 1,
        "expected findings (exit 1); stderr:\n{}",
        run.stderr
    );
    run
}

fn only_finding(run: &Run, file: &str) -> F {
    let found: Vec<F> = run
        .findings()
        .into_iter()
        .filter(|f| f.file == file)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one finding for {file}, got {found:#?}"
    );
    found.into_iter().next().unwrap()
}

#[test]
fn invalid_utf8_is_a_parse_finding_at_its_line() {
    let repo = Repo::base();
    repo.write_bytes(
        "orders/2026/SO-2026-0002.toml",
        b"id = \"SO-2026-0002\"\nnote = \"caf\xe9\"\n",
    );
    let f = only_finding(
        &check_guarded(&repo, "json"),
        "orders/2026/SO-2026-0002.toml",
    );
    assert_eq!(f.rule, "parse");
    assert!(f.message.contains("UTF-8"), "{}", f.message);
    assert_eq!((f.line, f.column), (Some(2), Some(12)));
}

#[test]
fn empty_file_is_a_parse_finding() {
    let repo = Repo::base();
    repo.write("customers/C-0002.toml", "");
    let f = only_finding(&check_guarded(&repo, "json"), "customers/C-0002.toml");
    assert_eq!(f.rule, "parse");
    assert!(f.message.contains("empty"));
}

#[test]
fn six_megabyte_file_is_refused_unread() {
    let repo = Repo::base();
    let mut big = String::from("id = \"C-0002\"\nname = \"");
    big.push_str(&"x".repeat(6 * 1024 * 1024));
    big.push_str("\"\n");
    repo.write("customers/C-0002.toml", &big);
    let f = only_finding(&check_guarded(&repo, "json"), "customers/C-0002.toml");
    assert_eq!(f.rule, "parse");
    assert!(f.message.contains("larger than"), "{}", f.message);
}

/// The limit is 1 MiB exactly: a record of 1,048,576 bytes is read, one
/// byte more is refused.
#[test]
fn a_record_of_exactly_the_limit_is_read_and_one_byte_more_is_not() {
    let repo = Repo::base();
    let file = "customers/C-0001.toml";
    let mut text = repo.read(file);
    text.push_str("# ");
    let pad = 1024 * 1024 - text.len() - 1;
    text.push_str(&"x".repeat(pad));
    text.push('\n');
    assert_eq!(text.len(), 1024 * 1024);
    repo.write(file, &text);
    let too_large = |run: &Run| {
        run.findings()
            .into_iter()
            .any(|f| f.file == file && f.message.contains("larger than"))
    };
    let check = || {
        let run = repo.docket(&["check", "--format", "json", "--as-of", AS_OF]);
        assert!(run.code < 2, "{}", run.stderr);
        run
    };
    assert!(!too_large(&check()));
    text.insert(0, '\n');
    repo.write(file, &text);
    assert!(too_large(&check()));
}

#[test]
fn deeply_nested_arrays_do_not_overflow() {
    let repo = Repo::base();
    let deep = format!(
        "id = \"C-0002\"\nx = {}{}\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    repo.write("customers/C-0002.toml", &deep);
    let f = only_finding(&check_guarded(&repo, "json"), "customers/C-0002.toml");
    assert_eq!(f.rule, "parse");
    assert_eq!(f.line, Some(2));
}

#[test]
fn path_traversal_id_is_rejected_and_never_used() {
    let repo = Repo::base();
    let text = ORDER.replace("SO-2026-0001", "../../etc/passwd");
    repo.write("orders/2026/SO-2026-0002.toml", &text);
    let run = check_guarded(&repo, "json");
    let found = run.of("id-mismatch");
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|f| f.file == "orders/2026/SO-2026-0002.toml" && f.line == Some(1))
    );
    // The record is left out of the model, so it counts for nothing else.
    assert_eq!(run.json()["summary"]["records"], 5);
    assert!(
        run.findings().iter().all(|f| f.rule == "id-mismatch"),
        "{:#?}",
        run.findings()
    );
}

/// A record that is a pipe is not a file. The loader opens each record
/// without looking at it first, so the open must not wait for a writer
/// that never comes: the run ends, with the pipe reported.
#[cfg(unix)]
#[test]
fn a_pipe_named_like_a_record_is_not_a_file_and_does_not_hang() {
    use std::os::unix::ffi::OsStrExt;
    let repo = Repo::base();
    let pipe = repo.path("customers/C-0009.toml");
    let name = std::ffi::CString::new(pipe.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid, NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let run = check_guarded(&repo, "json");
    let f = only_finding(&run, "customers/C-0009.toml");
    assert_eq!(f.rule, "parse");
    assert!(f.message.contains("is not a file"), "{}", f.message);
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_root_is_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.toml");
    std::fs::write(&secret, "id = \"C-0009\"\nname = \"TOP-SECRET-CONTENT\"\n").unwrap();
    std::fs::write(outside.path().join("scan.pdf"), "TOP-SECRET-ATTACHMENT").unwrap();
    let repo = Repo::base();
    std::os::unix::fs::symlink(&secret, repo.path("customers/C-0009.toml")).unwrap();
    std::fs::create_dir_all(repo.path("orders/2026/SO-2026-0001")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("scan.pdf"),
        repo.path("orders/2026/SO-2026-0001/scan.pdf"),
    )
    .unwrap();
    repo.edit(
        ORDER_PATH,
        "legible = true",
        "legible = true\nattachments = [\"SO-2026-0001/scan.pdf\"]",
    );
    let run = check_guarded(&repo, "json");
    let f = only_finding(&run, "customers/C-0009.toml");
    assert_eq!(f.rule, "parse");
    assert!(f.message.contains("outside the records root"));
    // The linked attachment is not there as far as docket is concerned.
    assert_eq!(run.of("attachment-missing").len(), 1);
    for format in ["json", "human", "github"] {
        let out = check_guarded(&repo, format);
        assert!(
            !out.stdout.contains("TOP-SECRET"),
            "{format} output leaks the linked file"
        );
        assert!(!out.stderr.contains("TOP-SECRET"));
    }
}

#[test]
fn all_hostile_files_at_once_are_all_reported() {
    let repo = Repo::base();
    repo.write_bytes("customers/C-0002.toml", b"\xff\xfe");
    repo.write("customers/C-0003.toml", "   \n");
    repo.write(
        "customers/C-0004.toml",
        &format!("x = {}", "{a = ".repeat(5_000)),
    );
    repo.write(
        "products/BAD.toml",
        "part_number = \"BAD\"\nname = [1, \"a\"\n",
    );
    let run = check_guarded(&repo, "json");
    let files: Vec<String> = run.of("parse").into_iter().map(|f| f.file).collect();
    assert_eq!(
        files,
        [
            "customers/C-0002.toml",
            "customers/C-0003.toml",
            "customers/C-0004.toml",
            "products/BAD.toml"
        ]
    );
}

#[test]
fn bom_and_crlf_are_fine() {
    let repo = Repo::base();
    let text = format!(
        "\u{feff}{}",
        CUSTOMER.replace("C-0001", "C-0002").replace('\n', "\r\n")
    );
    repo.write("customers/C-0002.toml", &text);
    let run = repo.check();
    // The new customer owes a survey, nothing else: it parsed.
    assert_eq!(run.rules(), ["survey-missing"]);
    assert_eq!(run.findings()[0].file, "customers/C-0002.toml");
}

/// A byte that is not UTF-8 is placed where an editor shows it: after a
/// byte-order mark (which editors do not show) as without one, as a TOML
/// error is.
#[test]
fn a_byte_that_is_not_utf8_is_placed_as_an_editor_shows_it_after_a_bom() {
    let repo = Repo::base();
    for (bom, file) in [(&b""[..], "C-0002"), (&b"\xef\xbb\xbf"[..], "C-0003")] {
        let mut bytes = bom.to_vec();
        bytes.extend_from_slice(b"id = \"\xff\"\n");
        repo.write_bytes(&format!("customers/{file}.toml"), &bytes);
    }
    let run = check_guarded(&repo, "json");
    for file in ["customers/C-0002.toml", "customers/C-0003.toml"] {
        let f = only_finding(&run, file);
        assert_eq!(f.rule, "parse");
        assert!(f.message.contains("UTF-8"), "{}", f.message);
        // `id = "` is six characters: the byte is the seventh.
        assert_eq!((f.line, f.column), (Some(1), Some(7)), "{file}");
    }
}

#[test]
fn an_unparseable_record_still_exists_for_references() {
    let repo = Repo::base();
    repo.write("customers/C-0001.toml", "id = \"C-0001\"\nname = [\n");
    let run = check_guarded(&repo, "json");
    // One parse finding; the order and survey naming C-0001 are not
    // additionally "unknown-ref".
    assert_eq!(run.rules(), ["parse"], "{:#?}", run.findings());
}

/// The folders docket keeps for itself (`templates/`, `site/`,
/// `timestamps/`, `tsa/`) are skipped only at the top of the records
/// root: a record filed in a folder of the same name inside its kind's
/// folder is read and judged like any other, so no folder name hides one.
#[test]
fn a_record_in_a_folder_named_like_docket_s_own_is_still_checked() {
    let repo = Repo::base();
    let files = ["templates", "site", "timestamps", "tsa"]
        .map(|sub| format!("customers/{sub}/C-9001.toml"));
    for file in &files {
        repo.write(file, "");
    }
    let run = check_guarded(&repo, "json");
    for file in &files {
        assert_eq!(only_finding(&run, file).rule, "parse");
    }
}

/// A name that is not UTF-8 can be named by no record, finding or link,
/// and two of them can be shown alike (each such byte becomes U+FFFD):
/// every one is a finding of its own, nothing below such a folder is read,
/// the rest of the records are still judged, and a run on the history
/// cache says what a first run says.
#[test]
fn names_that_are_not_utf8_are_each_refused_by_name_cold_and_warm() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let repo = Repo::base();
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-03", "The records");
    let order = repo.read(ORDER_PATH);
    let dir = repo.path("orders/2026");
    for name in [&b"SO-\xff.toml"[..], &b"SO-\xfe.toml"[..]] {
        std::fs::write(dir.join(OsStr::from_bytes(name)), &order).unwrap();
    }
    let folder = repo.path("customers").join(OsStr::from_bytes(b"old\xe9"));
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("C-0009.toml"), "not = [toml").unwrap();
    repo.write("customers/C-0002.toml", "");
    repo.commit_as("li.sales", "2026-03-04", "Names an editor cannot show");

    let mut judged = Vec::new();
    for cold in [true, false, false] {
        if cold {
            let _ = std::fs::remove_dir_all(repo.top.join(".git/docket"));
        }
        let run = check_guarded(&repo, "json");
        let named = |file: &str| -> Vec<F> {
            run.findings()
                .into_iter()
                .filter(|f| f.file == file)
                .collect()
        };
        let files = named("orders/2026/SO-\u{fffd}.toml");
        assert_eq!(files.len(), 2, "one finding per file: {files:#?}");
        let folders = named("customers/old\u{fffd}");
        assert_eq!(folders.len(), 1, "{folders:#?}");
        let spelled = |f: &F| f.message.split('`').nth(1).unwrap_or_default().to_string();
        let mut names: Vec<String> = files.iter().chain(&folders).map(spelled).collect();
        names.sort();
        assert_eq!(names, [r"SO-\xFE.toml", r"SO-\xFF.toml", r"old\xE9"]);
        for f in files.iter().chain(&folders) {
            assert_eq!(f.rule, "parse");
            assert!(
                f.message.contains("not UTF-8") && f.message.contains("rename"),
                "{}",
                f.message
            );
        }
        assert!(
            run.findings().iter().all(|f| !f.file.contains("C-0009")),
            "nothing below the folder is read"
        );
        let empty = only_finding(&run, "customers/C-0002.toml");
        assert!(empty.message.contains("empty"), "{}", empty.message);
        judged.push(run.findings());
    }
    assert_eq!(judged[0], judged[1], "the cached history judges alike");
    assert_eq!(judged[1], judged[2]);
}

/// `docket` with its open files limited to 1,024, soft and hard, as on
/// many machines: the guard then keeps a handle on 256 folders.
#[cfg(unix)]
fn docket_with_1024_files(repo: &Repo, args: &[&str]) -> Run {
    use std::os::unix::process::CommandExt;
    let mut cmd = docket_cmd();
    cmd.args(args).arg("--records").arg(&repo.root);
    let limit = rustix::process::Rlimit {
        current: Some(1024),
        maximum: Some(1024),
    };
    // SAFETY: between fork and exec the closure makes one system call,
    // allocating nothing and taking no lock.
    unsafe {
        cmd.pre_exec(move || {
            Ok(rustix::process::setrlimit(
                rustix::process::Resource::Nofile,
                limit,
            )?)
        });
    }
    let run = Run::from(cmd.output().unwrap());
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

/// More folders than docket keeps a handle on (256 under a limit of 1,024
/// open files): every attachment is still copied with its own bytes, the
/// folders past the handles reached from the root one name at a time
/// like the others, and a folder among them that is a link out of the
/// root is refused like any other.
#[cfg(unix)]
#[test]
fn a_link_among_more_folders_than_docket_holds_open_is_still_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("scan.pdf"), "TOP-SECRET-ATTACHMENT").unwrap();
    let repo = Repo::base();
    let mut names = Vec::new();
    for i in 0..=300 {
        if i < 300 {
            let rel = format!("orders/2026/SO-2026-0001/p{i:03}/scan.pdf");
            repo.write(&rel, &format!("scan {i}"));
        }
        names.push(format!("\"SO-2026-0001/p{i:03}/scan.pdf\""));
    }
    std::os::unix::fs::symlink(outside.path(), repo.path("orders/2026/SO-2026-0001/p300")).unwrap();
    repo.edit(
        ORDER_PATH,
        "legible = true",
        &format!("legible = true\nattachments = [{}]", names.join(", ")),
    );
    let check = ["check", "--format", "json", "--as-of", AS_OF];
    let missing = docket_with_1024_files(&repo, &check).of("attachment-missing");
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(
        missing[0].message.contains("p300/scan.pdf"),
        "{}",
        missing[0].message
    );
    assert!(missing[0].message.contains("outside the records root"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    docket_with_1024_files(
        &repo,
        &["build", "--out", out.to_str().unwrap(), "--as-of", AS_OF],
    );
    let files = out.join("files/orders/2026/SO-2026-0001");
    for i in 0..300 {
        let copied = std::fs::read_to_string(files.join(format!("p{i:03}/scan.pdf")));
        assert_eq!(copied.unwrap(), format!("scan {i}"), "p{i:03}");
    }
    assert!(!files.join("p300").exists());
    for e in walkdir::WalkDir::new(&out) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let bytes = std::fs::read(e.path()).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("TOP-SECRET"),
                "{} publishes the linked file",
                e.path().display()
            );
        }
    }
}
