//! A build that continues a previous one keeps the memory it frees for
//! its own reuse, and gives it back as usual once it lays out every page,
//! as a cold build does (src/memory.rs). `DOCKET_TIMINGS` counts whether
//! freed memory was still held when the build ended.

use crate::fixture::*;
use std::path::Path;

/// Build the records at `records` into `site` with `DOCKET_TIMINGS`:
/// (whether freed memory was held to the end, record pages laid out).
fn build(records: &Path, site: &Path, extra: &[&str]) -> (usize, usize) {
    let run: Run = docket_cmd()
        .env("DOCKET_TIMINGS", "1")
        .args(["build", "--as-of", "2026-11-20", "--out"])
        .arg(site)
        .arg("--records")
        .arg(records)
        .args(extra)
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let count = |name: &str| -> usize {
        run.stderr
            .lines()
            .filter_map(|l| l.strip_prefix("count "))
            .find_map(|l| {
                let (n, v) = l.trim_end().rsplit_once(' ')?;
                (n.trim() == name).then(|| v.parse().unwrap())
            })
            .unwrap_or_else(|| panic!("no count of {name}:\n{}", run.stderr))
    };
    (
        count("freed memory held to the end"),
        count("record pages laid out"),
    )
}

fn commit(records: &Path, message: &str) {
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(records)
            .args(["-c", "user.name=Li Mei", "-c", "user.email=li@acme.example"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    git(&["commit", "-qam", message]);
}

/// Append `text` to the file `rel` below `records`.
fn append(records: &Path, rel: &str, text: &str) {
    let path = records.join(rel);
    let before = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{before}{text}")).unwrap();
}

#[test]
fn a_rebuild_holds_freed_memory_until_it_lays_out_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let records = demo_records(dir.path(), 12);
    let site = dir.path().join("site");

    // A first build into a new folder: nothing to continue.
    let (held, every) = build(&records, &site, &[]);
    assert_eq!(held, 0, "a cold build gives freed memory back");
    assert!(every > 10, "{every} record pages laid out");

    // One commit: a handful of pages laid out, memory held to the end.
    let order = walkdir::WalkDir::new(records.join("orders"))
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .last()
        .unwrap();
    let order = order
        .path()
        .strip_prefix(&records)
        .unwrap()
        .to_str()
        .unwrap();
    append(
        &records,
        order,
        "\n[[followup]]\ndate = 2026-11-20\nby = \"li.sales\"\nnote = \"Called.\"\nrisk = false\n",
    );
    commit(&records, "A follow-up");
    let (held, laid_out) = build(&records, &site, &[]);
    assert_eq!(held, 1, "a rebuild after one commit keeps freed memory");
    assert!(laid_out > 0 && laid_out < every, "{laid_out} of {every}");

    // The configuration is part of every page's seed: every page is laid
    // out again, as in a cold build, and memory goes back as usual.
    let config = std::fs::read_to_string(records.join("docket.toml")).unwrap();
    let changed = config.replace("survey_target = 80", "survey_target = 85");
    assert_ne!(changed, config, "{config}");
    std::fs::write(records.join("docket.toml"), changed).unwrap();
    commit(&records, "policy: a higher survey target");
    let (held, laid_out) = build(&records, &site, &[]);
    assert_eq!(held, 0, "every page laid out gives freed memory back");
    assert_eq!(laid_out, every);

    // Without the caches nothing is continued.
    append(
        &records,
        order,
        "\n[[followup]]\ndate = 2026-11-20\nby = \"li.sales\"\nnote = \"Again.\"\nrisk = false\n",
    );
    commit(&records, "Another follow-up");
    let (held, _) = build(&records, &site, &["--no-cache"]);
    assert_eq!(held, 0, "--no-cache continues nothing");
}
