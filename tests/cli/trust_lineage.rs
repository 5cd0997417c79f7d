//! Histories an attacker with commit access (li.sales) shapes so that a
//! signature seems to travel where its signer never put it: a governed
//! file moved aside and written anew, a branch forked from before a
//! change of the signing rules, a signed section carried to another
//! record by a rename, two histories that end at one path. Found by a
//! review on 2026-12-02; each test failed before its fix.

use crate::fixture::*;
use crate::trust::{add_key, company};
use serde_json::Value;

fn log_json(repo: &Repo, id: &str, extra: &[&str]) -> Value {
    let mut args = vec!["log", id, "--format", "json"];
    args.extend_from_slice(extra);
    let run = repo.docket(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

fn signature(log: &Value, section: &str) -> Value {
    log["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == section)
        .unwrap_or_else(|| panic!("no signature {section} in {log:#}"))
        .clone()
}

fn show(run: &Run) -> String {
    run.findings()
        .iter()
        .map(|f| format!("  {} {} {}: {}", f.severity, f.rule, f.file, f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// people.toml is judged along the history of the file at the path
/// `people.toml` (govern.rs `by_position`). Li moves people.toml away
/// (`archive/p.toml`, same bytes: a move paired by blob, so its history
/// follows it there), then commits a new people.toml in which his own key
/// is one of the GM's keys. That file's history begins with Li's
/// commit, and as no earlier people.toml is in view, the governance
/// timeline takes it as the bootstrap: in force, not judged, no
/// `governance-unproven`. Li then signs a review in the GM's name with
/// his own key (author email the GM's, which anyone can set), and under
/// policy "ssh" it is proven.
#[test]
fn people_toml_moved_aside_and_written_anew_is_judged_not_a_new_bootstrap() {
    let repo = company("ssh");
    let original = repo.read("people.toml");
    // Li, commit 1: move people.toml out of the way, unchanged.
    repo.remove("people.toml");
    repo.write("archive/p.toml", &original);
    repo.commit_with(
        "li.sales",
        "2026-03-03 09:00",
        "Archive people",
        Signing::KeyOf("li.sales"),
    );
    // Li, commit 2: a new people.toml with Li's key on the GM; the archive
    // copy removed.
    repo.remove("archive/p.toml");
    repo.write("people.toml", &original);
    add_key(&repo, "wang.gm", &public_key("li.sales"));
    repo.commit_with(
        "li.sales",
        "2026-03-03 09:30",
        "People",
        Signing::KeyOf("li.sales"),
    );
    // Li, commit 3: the review in the GM's name, SSH-signed with Li's key.
    repo.write(ORDER_PATH, ORDER);
    repo.commit_with(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::KeyOf("li.sales"),
    );

    for cache in [&["--no-cache"][..], &[][..]] {
        let sig = signature(&log_json(&repo, "SO-2026-0001", cache), "review");
        let mut args = vec!["check", "--format", "json", "--as-of", AS_OF];
        args.extend_from_slice(cache);
        let run = repo.docket(&args);
        eprintln!(
            "run {cache:?}: exit {}; SO-2026-0001 review: {sig:#}\nfindings:\n{}",
            run.code,
            show(&run)
        );
        assert_ne!(sig["state"], "proven", "a review signed with Li's key");
        // Both of Li's commits are judged as changes to people.toml: the
        // move aside as its deletion, the new file as an edit of it.
        let governance = run.of("governance-unproven");
        assert_eq!(governance.len(), 2, "{}", show(&run));
        assert!(
            governance[0].message.contains("people.toml deleted"),
            "{}",
            show(&run)
        );
        assert!(
            governance[1].message.contains("keys added: wang.gm"),
            "{}",
            show(&run)
        );
    }
}
