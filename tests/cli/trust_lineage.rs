//! Histories an attacker with commit access (li.sales) shapes so that a
//! signature seems to travel where its signer never put it: a governed
//! file moved aside and written anew, a branch forked from before a
//! change of the signing rules, a signed section carried to another
//! record by a rename, two histories that end at one path. Found by a
//! review on 2026-12-02; each test failed before its fix.

use crate::fixture::*;
use crate::rewrites::{build, check_published, short, site};
use crate::trust::{add_key, company, review};
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

/// `docket log` of `id`'s `section` and `docket check` as of `as_of`, with
/// the extra arguments `cache` (`--no-cache` or none); both printed for a
/// failing test's output.
fn judged(repo: &Repo, id: &str, section: &str, as_of: &str, cache: &[&str]) -> (Value, Run) {
    let sig = signature(&log_json(repo, id, cache), section);
    let mut args = vec!["check", "--format", "json", "--as-of", as_of];
    args.extend_from_slice(cache);
    let run = repo.docket(&args);
    eprintln!(
        "run {cache:?}: exit {}; {id} {section}: {sig:#}\nfindings:\n{}",
        run.code,
        show(&run)
    );
    (sig, run)
}

/// The company under "author" with the GM's governed move to "ssh"
/// committed: the repository, the root commit (before the switch) and
/// the switch.
fn switched_to_ssh() -> (Repo, git2::Oid, git2::Oid) {
    let repo = company("author");
    let root = repo.git().head().unwrap().target().unwrap();
    repo.set_policy("ssh");
    let main = repo.commit_with(
        "wang.gm",
        "2026-03-03 09:00",
        "Policy: ssh",
        Signing::KeyOf("wang.gm"),
    );
    (repo, root, main)
}

/// Li's branch, based on `root` (docket.toml still "author" in that
/// tree): the review in the GM's name, unsigned. Returns the commit.
fn forged_on_a_branch(repo: &Repo, root: git2::Oid) -> git2::Oid {
    repo.set_policy("author");
    repo.write(ORDER_PATH, ORDER);
    repo.commit_raw(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::Unsigned,
        &[root],
    )
}

/// The GM's key rotated in the working tree as the docs advise: the old
/// key kept, revoked from `revoked`, and a new one.
fn rotate_gm_key(repo: &Repo, revoked: &str) {
    let people = repo.read("people.toml");
    let old = format!("keys = [\"{}\"]", public_key("wang.gm"));
    assert!(people.contains(&old));
    let new = format!(
        "keys = [{{ key = \"{}\", revoked = {revoked} }}, \"{}\"]",
        public_key("wang.gm"),
        public_key("wang.gm.new")
    );
    repo.write("people.toml", &people.replace(&old, &new));
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
/// policy "ssh" it was proven. Now the move is people.toml's deletion and
/// the new file an edit of it, both judged, and the review is unproven.
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
        let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, cache);
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

/// A commit a merge brought in is judged by the policy in force where its
/// branch forked (govern.rs `regime_for`, walk.rs `fork_of`), and where
/// a branch forks is the branch author's choice. The company started
/// under policy "author" and the GM moved it to "ssh" by a governed
/// commit. Li bases a branch on the root commit, from before the switch,
/// writes the GM's review there as an unsigned commit whose author email
/// is the GM's (anyone can set it), and merges the branch today. The
/// review was judged under "author" and shown proven, though the policy
/// in force on the main line, and at HEAD, is "ssh". Now a branch's
/// signature stands only where the merge's policy signs alike.
#[test]
fn a_branch_forked_before_the_switch_to_ssh_does_not_prove_by_author() {
    let (repo, root, main) = switched_to_ssh();
    let forged = forged_on_a_branch(&repo, root);
    // Li merges it; the merge keeps main's docket.toml ("ssh").
    repo.set_policy("ssh");
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-03 11:00",
        "Merge branch 'review'",
        Signing::KeyOf("li.sales"),
        &[main, forged],
    );
    repo.set_head(merge);
    assert!(repo.read("docket.toml").contains("signatures = \"ssh\""));

    for cache in [&["--no-cache"][..], &[][..]] {
        let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, cache);
        assert_eq!(sig["state"], "unproven", "{sig:#}");
        let detail = sig["status"]["detail"].as_str().unwrap_or_default();
        for want in [
            format!("left the main line at commit {}", Repo::short(root)),
            format!("merged in commit {}", Repo::short(merge)),
            "sign it again after the merge".to_string(),
        ] {
            assert!(detail.contains(&want), "{want:?} in {detail}");
        }
        assert_eq!(
            fires(&run, "signature-unproven")
                .iter()
                .filter(|f| f.file == ORDER_PATH)
                .count(),
            1,
            "{}",
            show(&run)
        );
    }

    // Near miss: the GM signs again on a branch forked after the switch,
    // and the main line moves on with no change to the signing rules
    // before the merge: proven.
    let again = ORDER.replace("date = 2026-03-03\n", "date = 2026-03-04\n");
    assert_ne!(again, ORDER);
    repo.write(ORDER_PATH, &again);
    let resigned = repo.commit_raw(
        "wang.gm",
        "2026-03-04 10:00",
        "Review again",
        Signing::KeyOf("wang.gm"),
        &[merge],
    );
    repo.write(ORDER_PATH, ORDER);
    repo.edit("customers/C-0001.toml", "Hamburg", "Bremen");
    let moved_on = repo.commit_raw(
        "li.sales",
        "2026-03-04 11:00",
        "C-0001 moved",
        Signing::KeyOf("li.sales"),
        &[merge],
    );
    repo.write(ORDER_PATH, &again);
    let merged = repo.commit_raw(
        "li.sales",
        "2026-03-04 12:00",
        "Merge branch 'again'",
        Signing::KeyOf("li.sales"),
        &[moved_on, resigned],
    );
    repo.set_head(merged);
    for cache in [&["--no-cache"][..], &[][..]] {
        let sig = signature(&log_json(&repo, "SO-2026-0001", cache), "review");
        assert_eq!(sig["state"], "proven", "{sig:#}");
    }
}

/// Two histories that end at the same path (an add/add merge: main added
/// the file, a branch forked before that added it too, and the merge took
/// the branch's) are kept apart by a full walk, `P` and `P@k`
/// (walk.rs `lineage_state`, `keyed`). A run that continues the cached
/// index appends every cached history to the new one that leads back to
/// its path (walk.rs `walk`, `alias.get(&f.path)`), both of them: once a
/// new commit touches the file, the warm run glued main's history under
/// the branch's and proved the branch's copy of the review by the GM's
/// commit on main, where a cold run (a fresh clone) calls it unproven.
/// Now only the history the path held is continued.
#[test]
fn two_histories_at_one_path_are_read_alike_cold_and_warm() {
    let repo = company("ssh");
    let root = repo.git().head().unwrap().target().unwrap();
    let path = "orders/2026/SO-2026-0002.toml";
    let gm = ORDER.replace("SO-2026-0001", "SO-2026-0002");
    // Main: the GM writes order SO-2026-0002 with his review.
    repo.write(path, &gm);
    let main = repo.commit_with(
        "wang.gm",
        "2026-03-03 09:00",
        "SO-2026-0002, reviewed",
        Signing::KeyOf("wang.gm"),
    );
    // Li's branch, forked before: the same file, quantity 800, the GM's
    // review copied in.
    let li = gm.replace("quantity = 500", "quantity = 800");
    repo.write(path, &li);
    let branch = repo.commit_raw(
        "li.sales",
        "2026-03-03 10:00",
        "SO-2026-0002",
        Signing::KeyOf("li.sales"),
        &[root],
    );
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-03 11:00",
        "Merge",
        Signing::KeyOf("li.sales"),
        &[main, branch],
    );
    repo.set_head(merge);
    let cold_log = |repo: &Repo| log_json(repo, "SO-2026-0002", &["--no-cache"]);
    // A first run with the caches, then one more commit by Li.
    let _ = repo.check();
    repo.edit(
        path,
        "delivery_place = \"Hamburg\"",
        "delivery_place = \"Hamburg port\"",
    );
    repo.commit_with(
        "li.sales",
        "2026-03-03 12:00",
        "Place",
        Signing::KeyOf("li.sales"),
    );

    let cold = cold_log(&repo);
    let warm = log_json(&repo, "SO-2026-0002", &[]);
    let commits = |log: &Value| -> Vec<String> {
        log["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["commit"].as_str().unwrap()[..10].to_string())
            .collect()
    };
    let cold_check = repo.docket(&["check", "--format", "json", "--as-of", AS_OF, "--no-cache"]);
    let warm_check = repo.check();
    eprintln!(
        "cold revisions {:?}, review {}\nwarm revisions {:?}, review {}\ncold findings:\n{}\nwarm findings:\n{}",
        commits(&cold),
        signature(&cold, "review")["status"],
        commits(&warm),
        signature(&warm, "review")["status"],
        show(&cold_check),
        show(&warm_check)
    );
    assert_eq!(commits(&cold), commits(&warm), "the histories differ");
    assert_eq!(signature(&warm, "review")["state"], "unproven");
    assert_eq!(
        signature(&cold, "review")["status"],
        signature(&warm, "review")["status"],
        "the proofs differ"
    );
    assert_eq!(cold_check.stdout, warm_check.stdout, "the checks differ");
    // The second history is no file of the working tree, deleted or not.
    assert!(
        warm_check.findings().iter().all(|f| !f.file.contains('@')),
        "{}",
        show(&warm_check)
    );
}

/// The GM signs flow sheet MF-2026-0001 (SSH-signed, policy "ssh"). Li,
/// in one commit, renames the file unchanged to MF-2026-0002.toml (the
/// walk pairs the deletion and the addition by blob: a "move"), and in
/// the next commit changes its `id` and points it at his own oral order
/// SO-2026-0002. `[gm_signed]` never changed, so its signature commit is
/// still the GM's, and what it covers (`issued`, `line`) did not change
/// either: the GM's signature approved production of an order he never
/// saw. Now a section is signed in one record (its `id`), and Li's change
/// of the id breaks the GM's signature.
#[test]
fn a_signed_section_carried_to_another_record_by_a_rename_and_a_new_id_is_not_proven() {
    let repo = company("ssh");
    review(&repo, "wang.gm", Signing::KeyOf("wang.gm"));
    // A second, current revision of SO-2026-0001's flow sheet, so that
    // losing the first one leaves that order with a flow sheet.
    repo.write(
        "flowsheets/2026/MF-2026-0003.toml",
        &FLOWSHEET
            .replace("MF-2026-0001", "MF-2026-0003")
            .replace("revision = 1", "revision = 2")
            .replace("issued = 2026-03-04", "issued = 2026-03-05"),
    );
    repo.append(
        FLOWSHEET_PATH,
        "[gm_signed]\nby = \"wang.gm\"\ndate = 2026-03-04\n",
    );
    repo.commit_with(
        "wang.gm",
        "2026-03-04",
        "GM signs the flow sheet",
        Signing::KeyOf("wang.gm"),
    );
    let signed = repo.read(FLOWSHEET_PATH);
    assert_eq!(
        signature(&log_json(&repo, "MF-2026-0001", &[]), "gm_signed")["state"],
        "proven"
    );

    // Li: a pure rename (same bytes) to another id's file name.
    let stolen = "flowsheets/2026/MF-2026-0002.toml";
    repo.remove(FLOWSHEET_PATH);
    repo.write(stolen, &signed);
    repo.commit_with(
        "li.sales",
        "2026-03-05 10:00",
        "Tidy flow sheets",
        Signing::KeyOf("li.sales"),
    );
    // Li: the id and the order changed; [gm_signed] untouched.
    repo.write(
        stolen,
        &signed
            .replace("id = \"MF-2026-0001\"", "id = \"MF-2026-0002\"")
            .replace("order = \"SO-2026-0001\"", "order = \"SO-2026-0002\""),
    );
    repo.write("orders/2026/SO-2026-0002.toml", ORAL_ORDER);
    repo.commit_with(
        "li.sales",
        "2026-03-05 11:00",
        "Oral order",
        Signing::KeyOf("li.sales"),
    );

    for cache in [&["--no-cache"][..], &[][..], &[][..]] {
        let (sig, run) = judged(&repo, "MF-2026-0002", "gm_signed", "2026-03-06", cache);
        assert_eq!(sig["state"], "unproven", "{sig:#}");
        let unproven: Vec<F> = fires(&run, "signature-unproven")
            .into_iter()
            .filter(|f| f.file == stolen)
            .collect();
        assert_eq!(unproven.len(), 1, "{}", show(&run));
        assert!(
            unproven[0]
                .message
                .contains("took its present id in commit")
                && unproven[0].message.contains("by Li Mei (li.sales)"),
            "{}",
            unproven[0].message
        );
    }
}

/// The GM reviews on a branch, SSH-signed with his key, while on the main
/// line he hires someone: a governed change to people.toml that touches
/// nobody who judges the review. After the merge the review stays proven
/// (a first version compared all of people.toml at fork and merge, and
/// unproved every open branch's signatures at each hire).
#[test]
fn a_new_hire_on_the_main_line_does_not_unprove_the_gms_review_on_a_branch() {
    let repo = company("ssh");
    let root = repo.git().head().unwrap().target().unwrap();
    // Main: the GM adds a new employee, governed.
    repo.append(
        "people.toml",
        "[[person]]\nid = \"chen.sales\"\nname = \"Chen Jie\"\nemails = [\"chen@acme.example\"]\n\
         roles = [\"sales\"]\ndepartment = \"sales\"\n",
    );
    let hired = repo.commit_with(
        "wang.gm",
        "2026-03-03 09:00",
        "Hire Chen",
        Signing::KeyOf("wang.gm"),
    );
    let people = repo.read("people.toml");
    // The GM's branch, forked before the hire: his review, SSH-signed.
    repo.write("people.toml", &people_toml_with_keys());
    repo.write(ORDER_PATH, ORDER);
    let reviewed = repo.commit_raw(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::KeyOf("wang.gm"),
        &[root],
    );
    // The GM merges it.
    repo.write("people.toml", &people);
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-03 11:00",
        "Merge branch 'review'",
        Signing::KeyOf("wang.gm"),
        &[hired, reviewed],
    );
    repo.set_head(merge);

    for cache in [&["--no-cache"][..], &[][..]] {
        let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, cache);
        assert_eq!(sig["state"], "proven", "{sig:#}");
        assert!(run.of("signature-unproven").is_empty(), "{}", show(&run));
    }
}

/// Li makes a root commit of her own, the same tree but with her key on
/// the GM, and merges it as an unrelated history (supported: records
/// brought in from another repository), keeping her people.toml. Two
/// histories end at people.toml; governance judged only the one the path
/// holds, whose first revision was Li's: a second bootstrap, in force
/// unjudged. Now every history at the path is judged, and Li's version is
/// a change she may not make.
#[test]
fn people_toml_added_again_by_an_unrelated_history_is_no_new_bootstrap() {
    let repo = company("ssh");
    let main = repo.git().head().unwrap().target().unwrap();
    // Li's own root commit: the records as they are, with her key on the GM.
    add_key(&repo, "wang.gm", &public_key("li.sales"));
    let orphan = repo.commit_raw(
        "li.sales",
        "2026-03-03 08:00",
        "Import",
        Signing::KeyOf("li.sales"),
        &[],
    );
    // The merge keeps her people.toml (the add/add conflict resolved so).
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-03 09:00",
        "Merge branch 'import'",
        Signing::KeyOf("li.sales"),
        &[main, orphan],
    );
    repo.set_head(merge);
    // The review in the GM's name, SSH-signed with Li's key.
    repo.write(ORDER_PATH, ORDER);
    repo.commit_with(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::KeyOf("li.sales"),
    );

    for cache in [&["--no-cache"][..], &[][..]] {
        let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, cache);
        assert_ne!(sig["state"], "proven", "a review signed with Li's key");
        assert!(
            !run.of("governance-unproven").is_empty(),
            "Li's people.toml was put in force unjudged:\n{}",
            show(&run)
        );
    }
}

const ORAL_ORDER: &str = r#"id = "SO-2026-0002"
customer = "C-0001"
channel = "oral"
received = 2026-03-05
owner = "li.sales"
legible = true

[[line]]
part_number = "AP-SH-1020"
product = "Stainless shaft"
spec = "D10 x 200 mm, SUS304"
quantity = 500
delivery = 2026-04-15

[capacity]
stock = 200
producible = true
materials_ready = true
new_product = false

[oral]
path = "gm-signed-flowsheet"
"#;

/// Li points the GM's signed flow sheet at her own oral order (path
/// `gm-signed-flowsheet`), a one-line edit with no rename and no new id:
/// the GM's `gm_signed` covered `issued` and `line` only, and stayed
/// proven and current for an order he never saw. It covers `order` now.
#[test]
fn a_gm_signed_flow_sheet_pointed_at_another_order_is_not_proven_current() {
    let repo = company("ssh");
    crate::trust::review(&repo, "wang.gm", Signing::KeyOf("wang.gm"));
    repo.write(
        "flowsheets/2026/MF-2026-0003.toml",
        &FLOWSHEET
            .replace("MF-2026-0001", "MF-2026-0003")
            .replace("revision = 1", "revision = 2")
            .replace("issued = 2026-03-04", "issued = 2026-03-05"),
    );
    repo.append(
        FLOWSHEET_PATH,
        "[gm_signed]\nby = \"wang.gm\"\ndate = 2026-03-04\n",
    );
    repo.commit_with(
        "wang.gm",
        "2026-03-04",
        "GM signs the flow sheet",
        Signing::KeyOf("wang.gm"),
    );
    // Li: the flow sheet now for her oral order; id, file and
    // [gm_signed] untouched.
    repo.edit(
        FLOWSHEET_PATH,
        "order = \"SO-2026-0001\"",
        "order = \"SO-2026-0002\"",
    );
    repo.write("orders/2026/SO-2026-0002.toml", ORAL_ORDER);
    repo.commit_with(
        "li.sales",
        "2026-03-05 11:00",
        "Oral order",
        Signing::KeyOf("li.sales"),
    );

    for cache in [&["--no-cache"][..], &[][..]] {
        let (sig, _) = judged(&repo, "MF-2026-0001", "gm_signed", "2026-03-06", cache);
        assert_eq!(sig["covers"]["state"], "stale", "{sig:#}");
        assert!(
            sig["covers"]["fields"].to_string().contains("order"),
            "{sig:#}"
        );
    }
}

/// The attack the tests below share: a site built from `main` (the switch
/// to "ssh"); Li's branch from the root commit with the GM's review,
/// unsigned, author email the GM's; `git merge main` on it, docket.toml
/// at the merge saying `merge_policy` ("ssh" takes main's, "author" is
/// `git merge -s ours`), pushed as a fast-forward: HEAD is the merge.
struct Replaced {
    repo: Repo,
    root: git2::Oid,
    main: git2::Oid,
    forged: git2::Oid,
    merge: git2::Oid,
    out: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn replaced_main_line(merge_policy: &str) -> Replaced {
    let (repo, root, main) = switched_to_ssh();
    let (_dir, out) = site();
    build(&repo, &out);
    repo.set_policy("author");
    repo.write(ORDER_PATH, ORDER);
    let forged = repo.commit_raw(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::Unsigned,
        &[root],
    );
    repo.set_policy(merge_policy);
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-03 11:00",
        "Merge branch 'main' into review",
        Signing::Unsigned,
        &[forged, main],
    );
    repo.set_head(merge);
    Replaced {
        repo,
        root,
        main,
        forged,
        merge,
        out,
        _dir,
    }
}

/// After a remedy: nothing reported, before a build and after; Li's
/// review is the branch commit it was, unproven under "ssh" (cold and
/// warm).
fn assert_put_back(repo: &Repo, out: &std::path::Path) {
    assert!(
        check_published(repo, out)
            .of("history-rewritten")
            .is_empty()
    );
    build(repo, out);
    assert!(
        check_published(repo, out)
            .of("history-rewritten")
            .is_empty()
    );
    for cache in [&["--no-cache"][..], &[][..]] {
        let (sig, _) = judged(repo, "SO-2026-0001", "review", AS_OF, cache);
        assert_ne!(sig["state"], "proven", "{sig:#}");
    }
}

/// The dashboard's banner of a rewritten history, from its heading to the
/// end of its section.
fn banner(out: &std::path::Path) -> String {
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    let at = html.find("History rewritten").expect("the banner");
    let banner = &html[at..];
    banner[..banner.find("</section>").expect("the banner ends")].to_string()
}

/// The one `history-rewritten` of `check --published`, saying each of
/// `expected`.
fn rewritten_saying(repo: &Repo, out: &std::path::Path, expected: &[&str]) {
    let run = check_published(repo, out);
    let f = run.of("history-rewritten");
    assert_eq!(f.len(), 1, "{}", show(&run));
    for e in expected {
        assert!(f[0].message.contains(e), "{e:?} not in {}", f[0].message);
    }
}

/// The remedy: a merge with the `published` commit as first parent and
/// the replacing `merge` as the other, which main fast-forwards to.
fn put_back(repo: &Repo, out: &std::path::Path, published: git2::Oid, merge: git2::Oid) {
    let back = repo.commit_raw(
        "wang.gm",
        "2026-03-05",
        "Main line back",
        Signing::KeyOf("wang.gm"),
        &[published, merge],
    );
    repo.set_head(back);
    assert_put_back(repo, out);
}

/// The fifth and seventh reviews' start: the GM fixes a typo in
/// docket.toml on main (signed), published; his older clone, with another
/// fix of docket.toml of his (signed), is force-pushed over it and
/// published: the first fix is reported lost.
struct TwoFixes {
    repo: Repo,
    _dir: tempfile::TempDir,
    out: std::path::PathBuf,
    /// docket.toml before either fix.
    first: String,
    fixed: git2::Oid,
    other: git2::Oid,
}

fn two_published_fixes() -> TwoFixes {
    let repo = company("ssh");
    let root = repo.git().head().unwrap().target().unwrap();
    let first = repo.read("docket.toml");
    repo.write("docket.toml", &format!("{first}\n# typo fixed\n"));
    let fixed = repo.commit_with(
        "wang.gm",
        "2026-03-03 09:00",
        "docket.toml: typo",
        Signing::KeyOf("wang.gm"),
    );
    let (_dir, out) = site();
    build(&repo, &out);

    repo.write("docket.toml", &format!("# the company's settings\n{first}"));
    let other = repo.commit_raw(
        "wang.gm",
        "2026-03-03 10:00",
        "docket.toml: heading",
        Signing::KeyOf("wang.gm"),
        &[root],
    );
    repo.set_head(other);
    build(&repo, &out);
    rewritten_saying(&repo, &out, &[&format!("git merge {}", short(fixed))]);
    TwoFixes {
        repo,
        _dir,
        out,
        first,
        fixed,
        other,
    }
}

/// The seventh and eighth reviews' start: the GM tidies docket.toml on
/// main (signed), published; Li pushes a `git pull` merge of it onto her
/// own commit (reported); the GM switches to "ssh" on main (signed) and
/// the site shows it, as `built`.
struct Switched {
    repo: Repo,
    _dir: tempfile::TempDir,
    out: std::path::PathBuf,
    published: git2::Oid,
    /// Li's `git pull` merge, HEAD before the switch.
    pulled: git2::Oid,
    switch: git2::Oid,
}

fn switch_published_over_a_pull() -> Switched {
    let repo = company("author");
    let base = repo.git().head().unwrap().target().unwrap();
    let tidy = format!("# the company's settings\n{}", repo.read("docket.toml"));
    repo.write("docket.toml", &tidy);
    let published = repo.commit_with(
        "wang.gm",
        "2026-03-02 12:00",
        "docket.toml: heading",
        Signing::KeyOf("wang.gm"),
    );
    let (_dir, out) = site();
    build(&repo, &out);

    // Li's `git pull`: her commit first, the published one second.
    repo.edit("customers/C-0001.toml", "+49 40 123456", "+49 40 654321");
    let local = repo.commit_raw(
        "li.sales",
        "2026-03-02 13:00",
        "C-0001: new phone",
        Signing::KeyOf("li.sales"),
        &[base],
    );
    let pulled = repo.commit_raw(
        "li.sales",
        "2026-03-02 13:30",
        "Merge branch 'main' of origin",
        Signing::KeyOf("li.sales"),
        &[local, published],
    );
    repo.set_head(pulled);
    build(&repo, &out);
    assert_eq!(
        check_published(&repo, &out).of("history-rewritten").len(),
        1
    );

    // The GM switches to "ssh" on main; the site shows it.
    repo.set_policy("ssh");
    let switch = repo.commit_with(
        "wang.gm",
        "2026-03-03 09:00",
        "Policy: ssh",
        Signing::KeyOf("wang.gm"),
    );
    build(&repo, &out);
    Switched {
        repo,
        _dir,
        out,
        published,
        pulled,
        switch,
    }
}

/// The GM's lost fix of docket.toml merged back onto `tip` as the finding
/// advises, both fixes kept; then, if that is reported, the published
/// commit put first as that finding advises: nothing is reported after.
fn merge_the_fix_back(
    repo: &Repo,
    out: &std::path::Path,
    first: &str,
    tip: git2::Oid,
    fixed: git2::Oid,
) {
    repo.write(
        "docket.toml",
        &format!("# the company's settings\n{first}\n# typo fixed\n"),
    );
    let merged = repo.commit_raw(
        "wang.gm",
        "2026-03-04 09:00",
        "Merge the typo fix back",
        Signing::KeyOf("wang.gm"),
        &[tip, fixed],
    );
    repo.set_head(merged);
    build(repo, out);
    if check_published(repo, out)
        .of("history-rewritten")
        .is_empty()
    {
        return;
    }
    let back = repo.commit_raw(
        "wang.gm",
        "2026-03-05 09:00",
        "Main line back",
        Signing::KeyOf("wang.gm"),
        &[fixed, merged],
    );
    repo.set_head(back);
    build(repo, out);
    let run = check_published(repo, out);
    assert!(
        run.of("history-rewritten").is_empty(),
        "still reported after both remedies: {}",
        show(&run)
    );
}

/// A new customer, C-0002, committed by Li on HEAD.
fn new_customer(repo: &Repo, date: &str) -> git2::Oid {
    repo.write(
        "customers/C-0002.toml",
        &CUSTOMER.replace("C-0001", "C-0002"),
    );
    repo.commit_with("li.sales", date, "New customer", Signing::KeyOf("li.sales"))
}

/// `git merge main` run on Li's branch, based on a commit from before the
/// switch to "ssh", and pushed as a fast-forward of main: her branch is
/// now the first-parent line, and her unsigned review in the GM's name is
/// judged under "author". The history alone cannot tell this from a
/// branch that brought the switch in while main went on under "author";
/// the published site can: the commit it was built from has left the
/// main line, behind a change of docket.toml the new line never had.
/// Carried from build to build until a merge puts the published commit
/// back on the main line, which then judges Li's review as the branch
/// commit it is.
#[test]
fn a_main_line_replaced_by_a_merge_s_first_parent_is_history_rewritten() {
    let Replaced {
        repo,
        root,
        main,
        merge,
        out,
        _dir,
        ..
    } = replaced_main_line("ssh");
    assert!(repo.git().graph_descendant_of(merge, main).unwrap());

    let run = check_published(&repo, &out);
    assert_eq!(run.code, 1);
    let f = run.of("history-rewritten");
    assert_eq!(f.len(), 1, "{}", show(&run));
    assert_eq!(
        (f[0].file.as_str(), f[0].severity.as_str()),
        ("docket.toml", "error")
    );
    let m = &f[0].message;
    for expected in [
        format!("built from commit {}", short(main)),
        "no longer on its main line".to_string(),
        format!("merge {}", short(merge)),
        format!(
            "commits after commit {}, where the two lines parted",
            short(root)
        ),
        "main line's 2 commits".to_string(),
        "docket.toml".to_string(),
        "git merge --no-ff".to_string(),
    ] {
        assert!(m.contains(&expected), "{expected:?} not in {m}");
    }
    // Without the site the history looks as a merged branch would.
    assert!(repo.check().of("history-rewritten").is_empty());

    // The site shows it first, and a new commit on top does not clear it.
    build(&repo, &out);
    let banner = banner(&out);
    assert!(banner.contains(&short(merge)), "the banner names the merge");
    assert!(
        banner.contains("Changed on the published line") && banner.contains("docket.toml"),
        "{banner}"
    );
    assert!(!banner.contains("Left out by the merge"), "{banner}");
    assert!(
        banner.contains("findings.html#rule-history-rewritten"),
        "the banner links to the finding: {banner}"
    );
    let more = new_customer(&repo, "2026-03-04");
    build(&repo, &out);
    let f = check_published(&repo, &out).of("history-rewritten");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains(&short(main)), "{}", f[0].message);

    // The remedy: the published commit the first parent of a merge of
    // main (which main then fast-forwards to).
    let back = repo.commit_raw(
        "wang.gm",
        "2026-03-05",
        "Main line back",
        Signing::KeyOf("wang.gm"),
        &[main, more],
    );
    repo.set_head(back);
    assert_put_back(&repo, &out);
}

/// The main line replaced and published, a customer added on the new
/// line and published, then the new line reset away. The site showed the
/// customer, so its loss is reported, though the manifest kept the first
/// published commit as the one built from. Then that commit is pruned
/// (`git gc` once the reflog expires) before a build: what the manifest
/// carried about the merge no longer describes the history, and the
/// commit is reported as one lost whose objects are gone, not as one
/// beside the main line.
#[test]
fn a_replaced_main_line_reset_away_is_reported_as_lost() {
    let Replaced {
        repo,
        main,
        forged,
        out,
        _dir,
        ..
    } = replaced_main_line("ssh");
    let more = new_customer(&repo, "2026-03-04");
    build(&repo, &out);
    let open = check_published(&repo, &out).of("history-rewritten");
    assert_eq!(open.len(), 1);
    assert!(open[0].message.contains("no longer on its main line"));

    repo.set_head(forged);
    let about = |run: &Run, commit: git2::Oid| -> String {
        let f = run.of("history-rewritten");
        let at = format!("built from commit {}", short(commit));
        let of: Vec<_> = f.iter().filter(|f| f.message.contains(&at)).collect();
        assert_eq!(of.len(), 1, "{at}: {}", show(run));
        of[0].message.clone()
    };
    let run = check_published(&repo, &out);
    let m = about(&run, more);
    assert!(m.contains(&short(more)) && m.contains("C-0002"), "{m}");
    assert!(!about(&run, main).contains("main line"));

    // Pruned before a build recorded the reset.
    let hex = main.to_string();
    std::fs::remove_file(
        repo.top
            .join(".git/objects")
            .join(&hex[..2])
            .join(&hex[2..]),
    )
    .unwrap();
    let run = check_published(&repo, &out);
    let m = about(&run, main);
    assert!(
        m.contains("its objects are gone from this repository"),
        "{m}"
    );
    assert!(!m.contains("main line"), "{m}");
}

/// The other remedy: `main` reset back to the published commit. What the
/// replaced line made, and the site showed, is lost: reported until the
/// line is merged back as a branch, whose commits are then judged as
/// branch commits (Li's review, unsigned, unproven).
#[test]
fn a_replaced_main_line_reset_to_the_published_commit_is_reported_until_merged_back() {
    let Replaced {
        repo,
        main,
        out,
        _dir,
        ..
    } = replaced_main_line("ssh");
    let more = new_customer(&repo, "2026-03-04");
    build(&repo, &out);

    repo.set_head(main);
    let f = check_published(&repo, &out).of("history-rewritten");
    assert_eq!(f.len(), 1);
    let m = &f[0].message;
    assert!(
        m.contains(&format!("built from commit {}", short(more))) && m.contains("C-0002"),
        "{m}"
    );
    build(&repo, &out);
    assert_eq!(
        check_published(&repo, &out).of("history-rewritten").len(),
        1
    );

    let back = repo.commit_raw(
        "wang.gm",
        "2026-03-05",
        "Merge branch 'review'",
        Signing::KeyOf("wang.gm"),
        &[main, more],
    );
    repo.set_head(back);
    assert_put_back(&repo, &out);
}

/// `git checkout --orphan` (fourth review): Li starts a new root commit
/// holding the company's records as they were under "author" (people.toml
/// names the GM, so it is the new line's bootstrap), writes the GM's
/// review there, unsigned, then merges main in (keeping main's "ssh"
/// docket.toml) and pushes it as a fast-forward. The new line shares no
/// commit with the published one: there is no fork to judge from, and
/// that is the finding.
#[test]
fn an_orphan_line_merged_with_the_published_commit_is_history_rewritten() {
    let (repo, _root, main) = switched_to_ssh();
    let (_dir, out) = site();
    build(&repo, &out);
    repo.set_policy("author");
    let orphan = repo.commit_raw(
        "li.sales",
        "2026-03-03 09:30",
        "Records",
        Signing::KeyOf("li.sales"),
        &[],
    );
    repo.write(ORDER_PATH, ORDER);
    let forged = repo.commit_raw(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::Unsigned,
        &[orphan],
    );
    repo.set_policy("ssh");
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-03 11:00",
        "Merge branch 'main' into review",
        Signing::Unsigned,
        &[forged, main],
    );
    repo.set_head(merge);
    assert!(repo.git().graph_descendant_of(merge, main).unwrap());
    rewritten_saying(
        &repo,
        &out,
        &[
            &format!("merge {}", short(merge)),
            "shares no commit with the published line",
            "its 3 commits up to and including that merge",
        ],
    );
    build(&repo, &out);
    let banner = banner(&out);
    assert!(banner.contains("Nowhere: an unrelated history"), "{banner}");
    assert!(
        !banner.contains("Changed on the published line"),
        "{banner}"
    );
    put_back(&repo, &out, main, merge);
}

/// Fourth review: Chen prepares the switch to "ssh" on a branch (his
/// commit, ungoverned, as branch commits are: the GM's merge is what is
/// judged); the GM merges it, signed, and that merge is published. Li
/// forks from Chen's commit, whose docket.toml is byte for byte the
/// published one; but on the new line Chen's commit is an ungoverned
/// change, and the policy in force there is still "author". Her unsigned
/// review in the GM's name, then `git merge main` (touching docket.toml,
/// a merge under "author" in the GM's name), pushed as a fast-forward.
/// What the published line changed is read commit by commit, not from
/// the two ends.
#[test]
fn a_fork_at_a_branch_commit_whose_rules_were_not_in_force_is_history_rewritten() {
    let repo = company("author");
    let root = repo.git().head().unwrap().target().unwrap();
    repo.set_policy("ssh");
    let proposed = repo.commit_raw(
        "chen.rnd",
        "2026-03-03 08:00",
        "Policy: ssh",
        Signing::KeyOf("chen.rnd"),
        &[root],
    );
    let published = repo.commit_raw(
        "wang.gm",
        "2026-03-03 09:00",
        "Merge branch 'ssh'",
        Signing::KeyOf("wang.gm"),
        &[root, proposed],
    );
    repo.set_head(published);
    let run = repo.check();
    assert!(run.of("governance-unproven").is_empty(), "{}", show(&run));
    let (_dir, out) = site();
    build(&repo, &out);

    repo.write(ORDER_PATH, ORDER);
    let forged = repo.commit_raw(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::Unsigned,
        &[proposed],
    );
    let docket = repo.read("docket.toml");
    repo.write("docket.toml", &format!("{docket}\n# merged\n"));
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-03 11:00",
        "Merge branch 'main' into review",
        Signing::Unsigned,
        &[forged, published],
    );
    repo.set_head(merge);
    rewritten_saying(
        &repo,
        &out,
        &[
            &format!(
                "commit {} was not on the published line's main line",
                short(proposed)
            ),
            "the main line's 2 commits from it",
        ],
    );
    put_back(&repo, &out, published, merge);
}

/// Fourth review: a customer added on main and published; Li merges main
/// into a commit from before it with `-s ours` (the merge keeps her
/// side's tree, without the customer) and pushes it as a fast-forward.
/// The published commit is an ancestor, so nothing is lost; no rule
/// changed; and the main line never held the customer, so no
/// `record-deleted`. The site showed C-0002: what the merge left out is
/// the finding. Once the published commit is back on the main line, the
/// merge that brought the line back deletes it there, in the open.
#[test]
fn a_published_record_dropped_by_a_merge_s_ours_is_reported() {
    let repo = company("ssh");
    let base = review(&repo, "wang.gm", Signing::KeyOf("wang.gm"));
    repo.write(
        "customers/C-0002.toml",
        &CUSTOMER.replace("C-0001", "C-0002"),
    );
    let published = repo.commit_with(
        "li.sales",
        "2026-03-03",
        "New customer",
        Signing::KeyOf("li.sales"),
    );
    let (_dir, out) = site();
    build(&repo, &out);
    repo.remove("customers/C-0002.toml");
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-04",
        "Merge branch 'main'",
        Signing::KeyOf("li.sales"),
        &[base, published],
    );
    repo.set_head(merge);
    rewritten_saying(
        &repo,
        &out,
        &[
            "does not hold as published what the published line had made to \
             customers/C-0002.toml",
            &format!("since commit {}", short(base)),
        ],
    );
    build(&repo, &out);
    let banner = banner(&out);
    assert!(
        banner.contains("Left out by the merge") && banner.contains("customers/C-0002.toml"),
        "{banner}"
    );
    assert!(
        !banner.contains("Changed on the published line"),
        "{banner}"
    );
    let back = repo.commit_raw(
        "wang.gm",
        "2026-03-05",
        "Main line back",
        Signing::KeyOf("wang.gm"),
        &[published, merge],
    );
    repo.set_head(back);
    let run = check_published(&repo, &out);
    assert!(run.of("history-rewritten").is_empty());
    let deleted = run.of("record-deleted");
    assert_eq!(deleted.len(), 1, "{}", show(&run));
    assert!(
        deleted[0].message.contains("C-0002"),
        "{}",
        deleted[0].message
    );
}

/// Fourth review: a merge that holds nothing the published commit did
/// not, and still the new line judges a review under the old rules. Li
/// commits the GM's review in his name, unsigned, on main: unproven under
/// "ssh", and published so. She then writes the same review on a branch
/// from before the switch and merges main into it, the merge's tree
/// exactly the published one, pushed as a fast-forward: the commit that
/// wrote the review is now hers, under "author". Only a merge made right
/// on the fork, holding exactly the published commit, is a fast-forward
/// in all but name.
#[test]
fn a_published_unproven_review_rewritten_under_the_old_rules_is_history_rewritten() {
    let (repo, root, _main) = switched_to_ssh();
    repo.write(ORDER_PATH, ORDER);
    let published = repo.commit_with(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::Unsigned,
    );
    let (sig, _) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    assert_ne!(sig["state"], "proven", "published unproven: {sig:#}");
    let (_dir, out) = site();
    build(&repo, &out);

    repo.set_policy("author");
    let forged = repo.commit_raw(
        "wang.gm",
        "2026-03-03 10:30",
        "Review SO-2026-0001",
        Signing::Unsigned,
        &[root],
    );
    repo.set_policy("ssh");
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-03 11:00",
        "Merge branch 'main' into review",
        Signing::Unsigned,
        &[forged, published],
    );
    repo.set_head(merge);
    rewritten_saying(&repo, &out, &["had made to docket.toml"]);
    put_back(&repo, &out, published, merge);
}

/// The same with the merge resolved as `git merge -s ours main`: the old
/// docket.toml kept, so the main line never had the switch to "ssh" and
/// no governance change shows on it. After the remedy the published
/// commit of the build in between (which had "author") is off the line
/// too, but no main-line commit is judged under its rules: nothing more.
#[test]
fn a_merge_that_keeps_the_old_rules_is_history_rewritten_until_put_back() {
    let Replaced {
        repo,
        main,
        merge,
        out,
        _dir,
        ..
    } = replaced_main_line("author");
    assert!(repo.read("docket.toml").contains("signatures = \"author\""));
    assert!(repo.check().of("governance-unproven").is_empty());
    let f = check_published(&repo, &out).of("history-rewritten");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("docket.toml"), "{}", f[0].message);
    build(&repo, &out);

    repo.set_policy("ssh");
    let back = repo.commit_raw(
        "wang.gm",
        "2026-03-05",
        "Main line back",
        Signing::KeyOf("wang.gm"),
        &[main, merge],
    );
    repo.set_head(back);
    assert!(
        check_published(&repo, &out)
            .of("history-rewritten")
            .is_empty()
    );
}

/// The shortest form: no commit on the branch, the review written into
/// the merge itself (`git checkout ROOT`, `git merge --no-commit main`,
/// the review added, committed, pushed as a fast-forward). No main-line
/// commit lies between the fork and the merge; the merge's own content is
/// what is judged under the old rules.
#[test]
fn an_evil_merge_off_the_published_line_is_history_rewritten() {
    let (repo, root, main) = switched_to_ssh();
    let (_dir, out) = site();
    build(&repo, &out);
    repo.write(ORDER_PATH, ORDER);
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-03 11:00",
        "Merge branch 'main'",
        Signing::Unsigned,
        &[root, main],
    );
    repo.set_head(merge);
    let f = check_published(&repo, &out).of("history-rewritten");
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message.contains(&format!("merge {}", short(merge))),
        "{}",
        f[0].message
    );
    build(&repo, &out);

    let back = repo.commit_raw(
        "wang.gm",
        "2026-03-05",
        "Main line back",
        Signing::KeyOf("wang.gm"),
        &[main, merge],
    );
    repo.set_head(back);
    assert!(
        check_published(&repo, &out)
            .of("history-rewritten")
            .is_empty()
    );
    for cache in [&["--no-cache"][..], &[][..]] {
        let (sig, _) = judged(&repo, "SO-2026-0001", "review", AS_OF, cache);
        assert_ne!(sig["state"], "proven", "{sig:#}");
    }
}

/// A merge that only drops the new rules: Li's old base merged with
/// main keeping the old docket.toml, nothing else. The main line never
/// changes docket.toml, so no governance change shows, and her review in
/// the GM's name, committed on top, is judged under "author".
#[test]
fn a_merge_that_only_drops_the_new_rules_is_history_rewritten() {
    let (repo, root, main) = switched_to_ssh();
    let (_dir, out) = site();
    build(&repo, &out);
    repo.set_policy("author");
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-03 11:00",
        "Merge branch 'main'",
        Signing::Unsigned,
        &[root, main],
    );
    repo.set_head(merge);
    repo.write(ORDER_PATH, ORDER);
    repo.commit_as("wang.gm", "2026-03-03 12:00", "Review SO-2026-0001");
    let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    assert!(run.of("governance-unproven").is_empty());
    assert_eq!(sig["state"], "proven", "judged without the site: {sig:#}");
    let f = check_published(&repo, &out).of("history-rewritten");
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message.contains(&format!("merge {}", short(merge))),
        "{}",
        f[0].message
    );
}

/// The trusted timestamping authorities are governed as the documents
/// are: the GM withdraws trust from one (a compromised TSA), and a merge
/// from before that keeps trusting it.
#[test]
fn a_merge_past_a_withdrawn_tsa_is_history_rewritten() {
    let repo = company("ssh");
    repo.write("tsa/old-tsa.pem", "an authority's certificate\n");
    let fork = repo.commit_with(
        "wang.gm",
        "2026-03-03",
        "Trust a TSA",
        Signing::KeyOf("wang.gm"),
    );
    repo.remove("tsa/old-tsa.pem");
    let published = repo.commit_with(
        "wang.gm",
        "2026-03-04",
        "Withdraw the TSA",
        Signing::KeyOf("wang.gm"),
    );
    let (_dir, out) = site();
    build(&repo, &out);
    repo.write("tsa/old-tsa.pem", "an authority's certificate\n");
    repo.write(
        "customers/C-0002.toml",
        &CUSTOMER.replace("C-0001", "C-0002"),
    );
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-05",
        "Merge branch 'main'",
        Signing::KeyOf("li.sales"),
        &[fork, published],
    );
    repo.set_head(merge);
    let f = check_published(&repo, &out).of("history-rewritten");
    assert_eq!(f.len(), 1);
    // The merge is the one commit of the new line past the fork.
    for expected in [
        "to tsa,".to_string(),
        format!("main line's 1 commit after commit {}", short(fork)),
    ] {
        assert!(
            f[0].message.contains(&expected),
            "{expected:?} not in {}",
            f[0].message
        );
    }
}

/// The near case: a `git pull` that merged main into a local commit, and
/// was pushed. The published commit left the main line as above, but the
/// rules did not change on its side, so nothing is judged otherwise:
/// nothing to report.
#[test]
fn a_pull_merge_that_leaves_the_rules_alone_is_not_history_rewritten() {
    let repo = company("ssh");
    let base = repo.git().head().unwrap().target().unwrap();
    repo.write(
        "customers/C-0002.toml",
        &CUSTOMER.replace("C-0001", "C-0002"),
    );
    let published = repo.commit_with(
        "li.sales",
        "2026-03-03",
        "New customer",
        Signing::KeyOf("li.sales"),
    );
    let (_dir, out) = site();
    build(&repo, &out);
    repo.write(
        "customers/C-0003.toml",
        &CUSTOMER.replace("C-0001", "C-0003"),
    );
    let local = repo.commit_raw(
        "li.sales",
        "2026-03-03 12:00",
        "Another customer",
        Signing::KeyOf("li.sales"),
        &[base],
    );
    let pulled = repo.commit_raw(
        "li.sales",
        "2026-03-03 13:00",
        "Merge branch 'main' of origin",
        Signing::KeyOf("li.sales"),
        &[local, published],
    );
    repo.set_head(pulled);
    assert!(
        check_published(&repo, &out)
            .of("history-rewritten")
            .is_empty()
    );
}

/// The near case of the rename: the GM renames his own signed flow sheet
/// (a tidy-up he may make), and Li then gives it the new id: not the
/// GM's signature in this record.
#[test]
fn a_new_id_given_after_the_signers_own_rename_breaks_the_signature() {
    let repo = company("ssh");
    review(&repo, "wang.gm", Signing::KeyOf("wang.gm"));
    repo.append(
        FLOWSHEET_PATH,
        "[gm_signed]\nby = \"wang.gm\"\ndate = 2026-03-04\n",
    );
    repo.commit_with(
        "wang.gm",
        "2026-03-04",
        "GM signs the flow sheet",
        Signing::KeyOf("wang.gm"),
    );
    let signed = repo.read(FLOWSHEET_PATH);
    let renamed = "flowsheets/2026/MF-2026-0002.toml";
    repo.remove(FLOWSHEET_PATH);
    repo.write(renamed, &signed);
    repo.commit_with(
        "wang.gm",
        "2026-03-05 09:00",
        "Tidy flow sheets",
        Signing::KeyOf("wang.gm"),
    );
    repo.write(
        renamed,
        &signed.replace("id = \"MF-2026-0001\"", "id = \"MF-2026-0002\""),
    );
    repo.commit_with(
        "li.sales",
        "2026-03-05 10:00",
        "Id",
        Signing::KeyOf("li.sales"),
    );
    for cache in [&["--no-cache"][..], &[][..]] {
        let sig = signature(&log_json(&repo, "MF-2026-0002", cache), "gm_signed");
        assert_eq!(sig["state"], "unproven", "{sig:#}");
        let detail = sig["status"]["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("took its present id"), "{detail}");
    }
}

/// The near case of the unrelated history: the GM merges records from
/// another repository whose people.toml lists Li's key on the GM, and
/// the merge keeps the company's people.toml. Only what the main line held
/// is in force: a review signed with Li's key in the GM's name after the
/// merge is unproven, and the merge changed no controlled document.
#[test]
fn an_imported_people_toml_the_merge_did_not_keep_is_never_in_force() {
    let repo = company("ssh");
    let main = repo.git().head().unwrap().target().unwrap();
    let ours = repo.read("people.toml");
    add_key(&repo, "wang.gm", &public_key("li.sales"));
    let imported = repo.commit_raw(
        "li.sales",
        "2026-03-03 08:00",
        "Suzhou records",
        Signing::KeyOf("li.sales"),
        &[],
    );
    repo.write("people.toml", &ours);
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-03 09:00",
        "Merge the Suzhou records",
        Signing::KeyOf("wang.gm"),
        &[main, imported],
    );
    repo.set_head(merge);
    repo.write(ORDER_PATH, ORDER);
    repo.commit_with(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::KeyOf("li.sales"),
    );
    for cache in [&["--no-cache"][..], &[][..]] {
        let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, cache);
        assert_eq!(sig["state"], "unproven", "{sig:#}");
        assert!(run.of("governance-unproven").is_empty(), "{}", show(&run));
    }
}

/// Li writes order SO-2026-0001 with a typo in its id ("SO-2026-001":
/// `id-mismatch`) and, in the same commit, a review in the GM's name that
/// the GM never made. The GM fixes the typo: his SSH-signed commit changes
/// the `id` line and nothing else. states.rs `first_with` now stops the
/// walk back where the identity changed, so the GM's id fix is taken for
/// the commit that wrote the review; the anchor (anchor.rs `read_anchor`)
/// skips the parent's blob as "the previous revision, whose section
/// differs", which was no longer true. Found by the third review; now the
/// writer is found as before and an id taken since is checked apart.
#[test]
fn the_gm_fixing_an_id_typo_does_not_sign_a_review_li_wrote_in_his_name() {
    let repo = company("ssh");
    let typo = ORDER.replace("id = \"SO-2026-0001\"", "id = \"SO-2026-001\"");
    assert_ne!(typo, ORDER);
    repo.write(ORDER_PATH, &typo);
    repo.commit_with(
        "li.sales",
        "2026-03-03 09:00",
        "SO-2026-0001 reviewed",
        Signing::KeyOf("li.sales"),
    );
    // Left out while the id does not match its file name: `id-mismatch`.
    // The GM fixes the id, nothing else.
    repo.write(ORDER_PATH, ORDER);
    repo.commit_with(
        "wang.gm",
        "2026-03-04 09:00",
        "Fix id of SO-2026-0001",
        Signing::KeyOf("wang.gm"),
    );
    for cache in [&["--no-cache"][..], &[][..]] {
        let sig = signature(&log_json(&repo, "SO-2026-0001", cache), "review");
        eprintln!(
            "after the GM's fix {cache:?}: {} {} commit {}",
            sig["state"], sig["status"], sig["commit"]
        );
        assert_ne!(sig["state"], "proven", "{sig:#}");
    }
}

/// Chen signs an extra review on a branch on 2026-03-03; on the main line
/// the GM records on 2026-03-10 that Chen leaves on 2026-03-20; the GM
/// merges on 2026-03-11. Under both policies Chen signed before leaving,
/// with his key: proven (the third review showed a comparison of whole
/// entries unproving it, and a leaver cannot sign again).
#[test]
fn a_leaving_recorded_on_the_main_line_does_not_unprove_what_the_leaver_signed_before_on_a_branch()
{
    let repo = company("ssh");
    let root = repo.git().head().unwrap().target().unwrap();
    // Main: the GM records that Chen leaves on 2026-03-20.
    let people = repo.read("people.toml");
    let chen = format!("keys = [\"{}\"]\n", public_key("chen.rnd"));
    assert!(people.contains(&chen));
    repo.write(
        "people.toml",
        &people.replace(&chen, &format!("{chen}left = 2026-03-20\n")),
    );
    let recorded = repo.commit_with(
        "wang.gm",
        "2026-03-10",
        "people: Chen leaves",
        Signing::KeyOf("wang.gm"),
    );
    let leaving = repo.read("people.toml");
    // The branch, opened on 2026-03-03: Chen's extra review, SSH-signed.
    repo.write("people.toml", &people);
    let order = crate::trust::order_unreviewed().replace(
        "[delivery]",
        "[[extra_review]]\ndepartment = \"rnd\"\nby = \"chen.rnd\"\ndate = 2026-03-03\n\
         result = \"feasible\"\n\n[delivery]",
    );
    repo.write(ORDER_PATH, &order);
    let reviewed = repo.commit_raw(
        "chen.rnd",
        "2026-03-03",
        "SO-2026-0001: rnd review",
        Signing::KeyOf("chen.rnd"),
        &[root],
    );
    // Merged by the GM on 2026-03-11.
    repo.write("people.toml", &leaving);
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-11",
        "Merge branch 'rnd-review'",
        Signing::KeyOf("wang.gm"),
        &[recorded, reviewed],
    );
    repo.set_head(merge);
    for cache in [&["--no-cache"][..], &[][..]] {
        let log = log_json(&repo, "SO-2026-0001", cache);
        let sig = signature(&log, "extra_review[0]");
        eprintln!("{cache:?}: {} {}", sig["state"], sig["status"]["detail"]);
        assert_eq!(sig["state"], "proven", "{sig:#}");
    }
}

/// The GM reviews on a branch with his old key; on the main line he then
/// rotates it as the docs advise (the old key kept with `revoked` from
/// 2026-03-10, a new one added); he merges with the new key. The old key
/// was his and valid on the signing day under both policies: proven.
#[test]
fn the_gm_rotating_his_key_as_advised_does_not_unprove_his_review_on_an_open_branch() {
    let repo = company("ssh");
    let root = repo.git().head().unwrap().target().unwrap();
    let people = repo.read("people.toml");
    rotate_gm_key(&repo, "2026-03-10");
    let rotated = repo.commit_with(
        "wang.gm",
        "2026-03-10",
        "people: the GM's new key",
        // Governed: signed with the key in force before the change.
        Signing::KeyOf("wang.gm"),
    );
    let rotated_people = repo.read("people.toml");
    repo.write("people.toml", &people);
    repo.write(ORDER_PATH, ORDER);
    let reviewed = repo.commit_raw(
        "wang.gm",
        "2026-03-03",
        "Review SO-2026-0001",
        Signing::KeyOf("wang.gm"),
        &[root],
    );
    repo.write("people.toml", &rotated_people);
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-11",
        "Merge branch 'review'",
        Signing::KeyOf("wang.gm.new"),
        &[rotated, reviewed],
    );
    repo.set_head(merge);
    for cache in [&["--no-cache"][..], &[][..]] {
        let sig = signature(&log_json(&repo, "SO-2026-0001", cache), "review");
        eprintln!("{cache:?}: {} {}", sig["state"], sig["status"]["detail"]);
        assert_eq!(sig["state"], "proven", "{sig:#}");
    }
}

/// A key revived by a branch: the GM once put Li's key on his own entry by
/// mistake and took it off again. Li bases a branch on the commit in
/// between and signs the GM's review there with her key. At the fork the
/// key was the GM's; at the merge it is not: unproven, naming why.
#[test]
fn a_key_the_gm_took_back_does_not_sign_on_a_branch_forked_before() {
    let repo = company("ssh");
    let people = repo.read("people.toml");
    add_key(&repo, "wang.gm", &public_key("li.sales"));
    let granted = repo.commit_with(
        "wang.gm",
        "2026-03-03 08:00",
        "people: a key for the GM",
        Signing::KeyOf("wang.gm"),
    );
    let mistaken = repo.read("people.toml");
    repo.write("people.toml", &people);
    let taken_back = repo.commit_with(
        "wang.gm",
        "2026-03-03 09:00",
        "people: not that key",
        Signing::KeyOf("wang.gm"),
    );
    repo.write("people.toml", &mistaken);
    repo.write(ORDER_PATH, ORDER);
    let forged = repo.commit_raw(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::KeyOf("li.sales"),
        &[granted],
    );
    repo.write("people.toml", &people);
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-03 11:00",
        "Merge branch 'review'",
        Signing::KeyOf("li.sales"),
        &[taken_back, forged],
    );
    repo.set_head(merge);
    for cache in [&["--no-cache"][..], &[][..]] {
        let (sig, _) = judged(&repo, "SO-2026-0001", "review", AS_OF, cache);
        assert_eq!(sig["state"], "unproven", "{sig:#}");
        let detail = sig["status"]["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("when it was merged") && detail.contains("not one of wang.gm's keys"),
            "{detail}"
        );
    }
}

/// A key revoked at HEAD counts under the merge's policy too. The company
/// moved from "author" to "ssh"; a branch forked before the switch carries
/// a review in the GM's name signed with his key, which was stolen: the GM
/// later revokes it from a day before the signing. At the fork nothing
/// asked for a key ("author"); under the merge's policy the key is revoked
/// on the signing day: unproven.
#[test]
fn a_key_revoked_later_is_revoked_under_the_merges_policy_too() {
    let (repo, root, main) = switched_to_ssh();
    repo.set_policy("author");
    repo.write(ORDER_PATH, ORDER);
    let stolen = repo.commit_raw(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::KeyOf("wang.gm"),
        &[root],
    );
    repo.set_policy("ssh");
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-03 11:00",
        "Merge branch 'review'",
        Signing::KeyOf("li.sales"),
        &[main, stolen],
    );
    repo.set_head(merge);
    rotate_gm_key(&repo, "2026-03-01");
    repo.commit_with(
        "wang.gm",
        "2026-03-04 09:00",
        "people: the GM's key was stolen",
        Signing::KeyOf("wang.gm"),
    );
    for cache in [&["--no-cache"][..], &[][..]] {
        let (sig, _) = judged(&repo, "SO-2026-0001", "review", AS_OF, cache);
        assert_eq!(sig["state"], "unproven", "{sig:#}");
        let detail = sig["status"]["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("revoked"), "{detail}");
    }
}

/// The other side of an id fix: the GM's review went in with a typo in the
/// order's id, and Li fixes the id in the next commit. The review was
/// signed in a record of another id: unproven, naming Li's commit as the
/// one the record took its id in.
#[test]
fn a_review_signed_before_someone_else_fixed_the_id_is_signed_again() {
    let repo = company("ssh");
    repo.write(
        ORDER_PATH,
        &ORDER.replace("id = \"SO-2026-0001\"", "id = \"SO-2026-001\""),
    );
    repo.commit_with(
        "wang.gm",
        "2026-03-03 09:00",
        "Review SO-2026-0001",
        Signing::KeyOf("wang.gm"),
    );
    repo.write(ORDER_PATH, ORDER);
    let fixed = repo.commit_with(
        "li.sales",
        "2026-03-03 10:00",
        "Fix the id",
        Signing::KeyOf("li.sales"),
    );
    for cache in [&["--no-cache"][..], &[][..]] {
        let (sig, _) = judged(&repo, "SO-2026-0001", "review", AS_OF, cache);
        assert_eq!(sig["state"], "unproven", "{sig:#}");
        let detail = sig["status"]["detail"].as_str().unwrap_or_default();
        let want = format!(
            "took its present id in commit {} by Li Mei",
            Repo::short(fixed)
        );
        assert!(detail.contains(&want), "{want:?} in {detail}");
    }
}

/// A role revived by a branch: the GM gave Li role gm while he travelled
/// and took it back. Li bases a branch on the commit in between and signs
/// a review as herself there. At the fork she held the role; at the merge
/// she does not: unproven, naming the role.
#[test]
fn a_role_the_gm_took_back_does_not_sign_on_a_branch_forked_before() {
    let repo = company("ssh");
    let people = repo.read("people.toml");
    repo.edit(
        "people.toml",
        "roles = [\"sales\"]",
        "roles = [\"sales\", \"gm\"]",
    );
    let granted = repo.commit_with(
        "wang.gm",
        "2026-03-03 08:00",
        "people: Li acts as GM",
        Signing::KeyOf("wang.gm"),
    );
    let acting = repo.read("people.toml");
    repo.write("people.toml", &people);
    let taken_back = repo.commit_with(
        "wang.gm",
        "2026-03-03 09:00",
        "people: the GM is back",
        Signing::KeyOf("wang.gm"),
    );
    repo.write("people.toml", &acting);
    let by_li = ORDER.replace("by = \"wang.gm\"", "by = \"li.sales\"");
    repo.write(ORDER_PATH, &by_li);
    let signed = repo.commit_raw(
        "li.sales",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::KeyOf("li.sales"),
        &[granted],
    );
    repo.write("people.toml", &people);
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-03 11:00",
        "Merge branch 'review'",
        Signing::KeyOf("li.sales"),
        &[taken_back, signed],
    );
    repo.set_head(merge);
    for cache in [&["--no-cache"][..], &[][..]] {
        let (sig, _) = judged(&repo, "SO-2026-0001", "review", AS_OF, cache);
        assert_eq!(sig["state"], "unproven", "{sig:#}");
        let detail = sig["status"]["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("no longer holds role gm"), "{detail}");
    }
}

/// Fifth review: Li writes the GM's review, unsigned, on a
/// branch from before the switch to "ssh" (`L`), and merges that branch
/// into main herself (a merge touching only the order, no governance):
/// the site, built from that merge, shows the review unproven, a branch
/// commit judged under "ssh". She then merges the published commit into
/// `L` (tree exactly the published one, the merge in the GM's name,
/// governed under "author" in force at `L`) and pushes it as a
/// fast-forward: `L` is now a main-line commit under "author", and the
/// review proven. The fork is taken as `L`, a commit the published line
/// only held as a branch commit, so the merge looks "right on the fork".
#[test]
fn a_fork_at_lis_own_merged_branch_commit_is_history_rewritten() {
    let (repo, root, main) = switched_to_ssh();
    let forged = forged_on_a_branch(&repo, root);
    repo.set_policy("ssh");
    let published = repo.commit_raw(
        "li.sales",
        "2026-03-03 10:30",
        "Merge branch 'review'",
        Signing::KeyOf("li.sales"),
        &[main, forged],
    );
    repo.set_head(published);
    let (sig, _) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    assert_ne!(sig["state"], "proven", "published unproven: {sig:#}");
    let (_dir, out) = site();
    build(&repo, &out);

    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-03 11:00",
        "Merge branch 'main' into review",
        Signing::Unsigned,
        &[forged, published],
    );
    repo.set_head(merge);
    let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    let published_run = check_published(&repo, &out);
    assert!(
        sig["state"] != "proven" || !published_run.of("history-rewritten").is_empty(),
        "the review is proven and nothing says the main line was replaced: {sig:#}\n{}\n{}",
        show(&run),
        show(&published_run)
    );
}

/// Fifth review: the `-s ours` case with one byte more. The
/// customer C-0001 is deactivated on main and published; Li merges main
/// into a commit from before it whose C-0001 carries a comment of hers,
/// the merge keeping her C-0001 (active), and pushes it as a
/// fast-forward. The merge holds the record neither as the published line
/// made it nor as it was at the fork, so it is not "left out"; the main
/// line never held the deactivation, so no change of it shows: the
/// record the site showed reverts silently.
#[test]
fn a_published_change_reverted_by_a_merge_holding_a_third_version_is_reported() {
    let repo = company("ssh");
    let base = review(&repo, "wang.gm", Signing::KeyOf("wang.gm"));
    let customer = "customers/C-0001.toml";
    let before = repo.read(customer);
    assert!(before.contains("active = true"));
    repo.write(customer, &before.replace("active = true", "active = false"));
    let published = repo.commit_with(
        "li.sales",
        "2026-03-03",
        "C-0001 no longer a customer",
        Signing::KeyOf("li.sales"),
    );
    let (_dir, out) = site();
    build(&repo, &out);
    let clean = check_published(&repo, &out);
    assert_eq!(clean.code, 0, "{}", show(&clean));

    repo.write(customer, &format!("{before}# called 2026-03-03\n"));
    let local = repo.commit_raw(
        "li.sales",
        "2026-03-03 12:00",
        "Customer call",
        Signing::KeyOf("li.sales"),
        &[base],
    );
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-03 13:00",
        "Merge branch 'main'",
        Signing::KeyOf("li.sales"),
        &[local, published],
    );
    repo.set_head(merge);
    assert!(repo.read(customer).contains("active = true"));
    let run = check_published(&repo, &out);
    eprintln!(
        "before: exit {}\n{}\nafter: exit {}\n{}",
        clean.code,
        show(&clean),
        run.code,
        show(&run)
    );
    assert_eq!(
        run.of("history-rewritten").len(),
        1,
        "the published deactivation of C-0001 left out by the merge: {}",
        show(&run)
    );
}

/// Fifth review: while a replaced main line is open, builds
/// record the commit they were built from as `built`, checked only for
/// being lost. Li adds a customer on the new line and it is published
/// (`built`); she then merges that commit into the one before it with
/// `-s ours` (C-0002 left out) and pushes it as a fast-forward: `built`
/// is still an ancestor, so nothing more is said. The GM applies the
/// documented remedy for the open finding, and the customer the site
/// showed is gone with no finding at all.
#[test]
fn a_record_published_from_the_replacing_line_then_dropped_by_a_merge_s_ours_is_reported() {
    let Replaced {
        repo,
        main,
        merge,
        out,
        _dir,
        ..
    } = replaced_main_line("ssh");
    build(&repo, &out);
    let more = new_customer(&repo, "2026-03-04");
    build(&repo, &out);
    // The site shows C-0002 (built from `more`).
    let manifest = std::fs::read_to_string(out.join(".docket-manifest")).unwrap();
    assert!(manifest.contains(&more.to_string()), "{manifest}");
    repo.remove("customers/C-0002.toml");
    let ours = repo.commit_raw(
        "li.sales",
        "2026-03-04 12:00",
        "Merge branch 'customer'",
        Signing::KeyOf("li.sales"),
        &[merge, more],
    );
    repo.set_head(ours);
    build(&repo, &out);
    let back = repo.commit_raw(
        "wang.gm",
        "2026-03-05",
        "Main line back",
        Signing::KeyOf("wang.gm"),
        &[main, ours],
    );
    repo.set_head(back);
    let run = check_published(&repo, &out);
    let said = |f: &F| f.message.contains("C-0002");
    assert!(
        run.of("history-rewritten").iter().any(said) || run.of("record-deleted").iter().any(said),
        "C-0002, published, gone without a word: {}",
        show(&run)
    );
}

/// Fifth review: the "fast-forward in all but name". The GM
/// switches to "ssh"; Li commits his review in his name, unsigned, on
/// main: unproven, and published so. She merges that published commit
/// into the root, right on the fork, the merge holding exactly the
/// published tree, in the GM's name, unsigned, and pushes it as a
/// fast-forward. The published line's commits are now branch commits,
/// judged under the rules at the fork and "at the merge": but the merge
/// is judged under the rules in force before it (the root's "author"),
/// and the switch to "ssh" is on the branch, so both are "author" and
/// the review is proven, with nothing said.
#[test]
fn a_merge_right_on_the_fork_holding_exactly_the_published_commit_proves_nothing_new() {
    let (repo, root, _main) = switched_to_ssh();
    repo.write(ORDER_PATH, ORDER);
    let published = repo.commit_with(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::Unsigned,
    );
    let (sig, _) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    assert_ne!(sig["state"], "proven", "published unproven: {sig:#}");
    let (_dir, out) = site();
    build(&repo, &out);

    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-03 11:00",
        "Merge branch 'main'",
        Signing::Unsigned,
        &[root, published],
    );
    repo.set_head(merge);
    let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    let published_run = check_published(&repo, &out);
    assert!(
        sig["state"] != "proven" || !published_run.of("history-rewritten").is_empty(),
        "the review published unproven is proven now, and nothing is said: {sig:#}\n{}\n{}",
        show(&run),
        show(&published_run)
    );
}

/// Fifth review: the same with rules Li wrote, in a company on
/// "ssh" from its first commit. Li starts an orphan root holding the
/// records under "author" and joins it to main with `-s ours` (her merge
/// changes no file: nothing to govern, nothing shown). Later she commits
/// the GM's review in his name, unsigned, on main: unproven, published.
/// She merges the published commit into her orphan root, the merge
/// holding exactly the published tree, and pushes it as a fast-forward.
/// The fork is her orphan root, the merge "right on the fork": the whole
/// published line is now branch commits judged under her root's
/// "author", and the review is proven, with nothing said.
#[test]
fn an_orphan_root_joined_earlier_is_a_fork_that_judges_the_published_line_by_its_rules() {
    let repo = company("ssh");
    let base = repo.git().head().unwrap().target().unwrap();
    repo.set_policy("author");
    let orphan = repo.commit_raw(
        "li.sales",
        "2026-03-02 12:00",
        "Records",
        Signing::KeyOf("li.sales"),
        &[],
    );
    repo.set_policy("ssh");
    let joined = repo.commit_raw(
        "li.sales",
        "2026-03-02 13:00",
        "Merge branch 'records'",
        Signing::KeyOf("li.sales"),
        &[base, orphan],
    );
    repo.set_head(joined);
    assert!(repo.check().of("governance-unproven").is_empty());
    repo.write(ORDER_PATH, ORDER);
    let published = repo.commit_with(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::Unsigned,
    );
    let (sig, _) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    assert_ne!(sig["state"], "proven", "published unproven: {sig:#}");
    let (_dir, out) = site();
    build(&repo, &out);

    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-03 11:00",
        "Merge branch 'main'",
        Signing::Unsigned,
        &[orphan, published],
    );
    repo.set_head(merge);
    let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    let published_run = check_published(&repo, &out);
    assert!(
        sig["state"] != "proven" || !published_run.of("history-rewritten").is_empty(),
        "the review published unproven is proven now, and nothing is said: {sig:#}\n{}\n{}",
        show(&run),
        show(&published_run)
    );
}

/// Fifth review, a false alarm with no way out: the GM fixes a
/// typo in docket.toml on main (signed), and it is published; his own
/// older clone, with another fix of docket.toml of his (signed), is
/// force-pushed over it by mistake, and published: the first fix is
/// reported lost. Following that finding he merges it back (`git merge
/// PUBLISHED`), which takes it in through a later parent: reported as a
/// main line replaced. Following that finding he puts it on the main
/// line (`git switch -c mainline PUBLISHED`, `git merge --no-ff main`):
/// now the commit the manifest kept (his second fix) is the one off the
/// main line, with a change to docket.toml on its side, and is reported
/// in its turn. Two published commits, each with a controlled change, can
/// never both be on one first-parent line: every merge is reported, by
/// everything the findings advise, for ever.
#[test]
fn two_published_fixes_of_docket_toml_merged_back_as_advised_are_cleared() {
    let TwoFixes {
        repo,
        _dir,
        out,
        first,
        fixed,
        other,
    } = two_published_fixes();

    // As the finding says: merge the lost commit back.
    merge_the_fix_back(&repo, &out, &first, other, fixed);
}

/// Fifth review: the fork at Li's own merge of the switch. On a
/// branch from before the switch to "ssh", Li writes the GM's review,
/// unsigned (`L0`), then merges main into it in the GM's name (`K`, the
/// switch taken in). She merges that branch into main herself (no
/// controlled document changes there): the site, built from it, shows the
/// review unproven, a branch commit. Then she merges the published commit
/// into her branch, adds a commit of her own, and pushes it as a
/// fast-forward. The fork is `K`, which holds the switch, so the published
/// line changed no controlled document "since the fork"; but on the new
/// line `K` is a main-line merge judged under "author", and `L0` before
/// it a main-line commit under "author": the review is proven, and
/// nothing is said.
#[test]
fn a_fork_at_lis_merge_of_the_switch_hides_the_switch_from_the_published_line() {
    let (repo, root, main) = switched_to_ssh();
    let forged = forged_on_a_branch(&repo, root);
    repo.set_policy("ssh");
    let took = repo.commit_raw(
        "wang.gm",
        "2026-03-03 10:10",
        "Merge branch 'main' into review",
        Signing::Unsigned,
        &[forged, main],
    );
    let published = repo.commit_raw(
        "li.sales",
        "2026-03-03 10:30",
        "Merge branch 'review'",
        Signing::KeyOf("li.sales"),
        &[main, took],
    );
    repo.set_head(published);
    let (sig, _) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    assert_ne!(sig["state"], "proven", "published unproven: {sig:#}");
    let (_dir, out) = site();
    build(&repo, &out);

    repo.edit("customers/C-0001.toml", "+49 40 123456", "+49 40 654321");
    let own = repo.commit_raw(
        "li.sales",
        "2026-03-03 11:00",
        "C-0001: new phone",
        Signing::KeyOf("li.sales"),
        &[took],
    );
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-03 11:30",
        "Merge branch 'main' into review",
        Signing::KeyOf("li.sales"),
        &[own, published],
    );
    repo.set_head(merge);
    let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    let published_run = check_published(&repo, &out);
    assert!(
        sig["state"] != "proven" || !published_run.of("history-rewritten").is_empty(),
        "the review is proven and nothing says the main line was replaced: {sig:#}\n{}\n{}",
        show(&run),
        show(&published_run)
    );
}

/// Sixth review, a false alarm with no way out: a replaced main line is
/// open, and Li's phone fix of C-0001 on the replacing line is published
/// (`built`). The GM puts the published commit back, and in that merge
/// also notes the call in C-0001 (a third version of a record the
/// replacing line changed). That was reported, as the remedy merge "did
/// not hold as published" Li's C-0001, and the remedy that finding gave
/// reopened the first one, for ever. A built commit's records are now
/// held only to not being put back to the fork's version, which no
/// change on the main line would show.
#[test]
fn a_remedy_merge_touching_a_record_the_replacing_line_published_can_be_cleared() {
    let Replaced {
        repo,
        main,
        out,
        _dir,
        ..
    } = replaced_main_line("ssh");
    build(&repo, &out);
    repo.edit("customers/C-0001.toml", "+49 40 123456", "+49 40 654321");
    let more = repo.commit_with(
        "li.sales",
        "2026-03-04",
        "C-0001: new phone",
        Signing::KeyOf("li.sales"),
    );
    build(&repo, &out);
    // The GM's remedy, with a note of his in C-0001.
    let c1 = repo.read("customers/C-0001.toml");
    repo.write(
        "customers/C-0001.toml",
        &format!("{c1}# called 2026-03-05\n"),
    );
    let back = repo.commit_raw(
        "wang.gm",
        "2026-03-05",
        "Main line back",
        Signing::KeyOf("wang.gm"),
        &[main, more],
    );
    repo.set_head(back);
    // The GM's note shows as his merge's own change of C-0001 on the main
    // line: nothing the site showed vanished without a trace.
    assert!(
        check_published(&repo, &out)
            .of("history-rewritten")
            .is_empty()
    );
    build(&repo, &out);
    assert!(
        check_published(&repo, &out)
            .of("history-rewritten")
            .is_empty()
    );
}

/// Seventh review: a switch of the rules made while a finding is open is
/// a `built` commit, never judged. The GM tidies docket.toml on main
/// (signed) and it is published; Li pushes a `git pull` merge of it onto
/// her own commit (reported: a controlled document changed on the
/// published line, the finding open). Before anyone applies the remedy,
/// the GM switches to "ssh" on main (signed) and the site shows it: the
/// manifest keeps the first published commit, and notes the switch as
/// `built`. Li then applies the remedy herself (the published commit the
/// first parent of a merge of her line) on a branch, writes the GM's
/// review there, unsigned, merges main (the switch) into it, and pushes
/// that as a fast-forward. The published commit is back on the main
/// line; the switch, `built`, is checked only for records put back: it is
/// now a branch commit, the main line ran under "author" until Li's merge,
/// and her review is proven, with nothing said.
#[test]
fn a_switch_published_as_a_built_commit_is_judged_when_taken_off_the_main_line() {
    let Switched {
        repo,
        _dir,
        out,
        published,
        pulled,
        switch,
    } = switch_published_over_a_pull();
    let manifest = std::fs::read_to_string(out.join(".docket-manifest")).unwrap();
    assert!(manifest.contains(&switch.to_string()), "{manifest}");

    // Li: the remedy, her review, main merged in, pushed at once.
    repo.set_policy("author");
    let back = repo.commit_raw(
        "li.sales",
        "2026-03-03 09:30",
        "Main line back",
        Signing::KeyOf("li.sales"),
        &[published, pulled],
    );
    repo.write(ORDER_PATH, ORDER);
    let forged = repo.commit_raw(
        "wang.gm",
        "2026-03-03 10:00",
        "Review SO-2026-0001",
        Signing::Unsigned,
        &[back],
    );
    repo.set_policy("ssh");
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-03 11:00",
        "Merge branch 'main' into review",
        Signing::Unsigned,
        &[forged, switch],
    );
    repo.set_head(merge);
    // The three commits of the new line past the published one, the
    // merge included, judged without the switch the site showed.
    rewritten_saying(
        &repo,
        &out,
        &[
            &format!("main line's 3 commits after commit {}", short(published)),
            "had made to docket.toml",
        ],
    );
    let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    let published_run = check_published(&repo, &out);
    assert!(
        sig["state"] != "proven" || !published_run.of("history-rewritten").is_empty(),
        "the GM's review, unsigned, proven after the switch to ssh was published, \
         and nothing is said: {sig:#}\n{}\n{}",
        show(&run),
        show(&published_run)
    );
}

/// Seventh review, a false alarm with no way out: the two published fixes
/// of docket.toml of the fifth review, but the GM had one commit of his
/// own (a customer's phone) on top of the force-pushed one, not yet
/// pushed, when he merged the lost fix back as the finding advised; he
/// pushes both at once. The merge-back is no longer right after the
/// commit the site was last built from, so it is judged: reported as a
/// main line replaced. Its remedy (the lost fix first) then takes the
/// commit the manifest kept (his second fix) off the main line, with a
/// change to docket.toml on its side: reported in its turn, for ever.
#[test]
fn two_published_fixes_merged_back_with_a_commit_before_the_merge_are_cleared() {
    let TwoFixes {
        repo,
        _dir,
        out,
        first,
        fixed,
        ..
    } = two_published_fixes();

    // A commit of his own, then the lost commit merged back, pushed at once.
    repo.edit("customers/C-0001.toml", "+49 40 123456", "+49 40 654321");
    let phone = repo.commit_with(
        "wang.gm",
        "2026-03-04 08:00",
        "C-0001: new phone",
        Signing::KeyOf("wang.gm"),
    );
    merge_the_fix_back(&repo, &out, &first, phone, fixed);
}

/// Seventh review: the "third version" revert, of a record the site
/// showed from a `built` commit. A replaced main line is open; on it
/// C-0001 is deactivated, and published (`built`). Li branches from the
/// published commit, notes a call in C-0001 (still active), and merges
/// the built commit into that, keeping her C-0001; pushed as a
/// fast-forward. The published commit is on the main line again, so its
/// finding is cleared; the built commit is held only to C-0001 not being
/// put back to its version at the fork, and Li's is a third one. Her
/// merge holds C-0001 as its first parent did, so no change of it shows
/// there either: the deactivation the site showed reverts silently.
#[test]
fn a_record_published_from_a_built_commit_reverted_by_a_third_version_is_reported() {
    let Replaced {
        repo,
        main,
        out,
        _dir,
        ..
    } = replaced_main_line("ssh");
    build(&repo, &out);
    let customer = "customers/C-0001.toml";
    let before = repo.read(customer);
    repo.write(customer, &before.replace("active = true", "active = false"));
    let built = repo.commit_with(
        "wang.gm",
        "2026-03-04",
        "C-0001 no longer a customer",
        Signing::KeyOf("wang.gm"),
    );
    build(&repo, &out);
    let manifest = std::fs::read_to_string(out.join(".docket-manifest")).unwrap();
    assert!(manifest.contains(&built.to_string()), "{manifest}");

    // Li's branch from the published commit: a note in C-0001.
    let at_main = |path: &str| -> String {
        let git = repo.git();
        let tree = git.find_commit(main).unwrap().tree().unwrap();
        let blob = tree
            .get_path(std::path::Path::new(path))
            .unwrap()
            .to_object(&git)
            .unwrap()
            .peel_to_blob()
            .unwrap();
        String::from_utf8(blob.content().to_vec()).unwrap()
    };
    let built_order = repo.read(ORDER_PATH);
    repo.write(ORDER_PATH, &at_main(ORDER_PATH));
    repo.write(customer, &format!("{before}# called 2026-03-04\n"));
    let local = repo.commit_raw(
        "li.sales",
        "2026-03-04 12:00",
        "Customer call",
        Signing::KeyOf("li.sales"),
        &[main],
    );
    // Her merge of main: everything the built line made but C-0001.
    repo.write(ORDER_PATH, &built_order);
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-04 13:00",
        "Merge branch 'main'",
        Signing::KeyOf("li.sales"),
        &[local, built],
    );
    repo.set_head(merge);
    assert!(repo.read(customer).contains("active = true"));
    let run = check_published(&repo, &out);
    let said = |f: &F| f.message.contains("C-0001");
    assert!(
        run.of("history-rewritten").iter().any(said),
        "the deactivation of C-0001 the site showed, reverted without a word: {}",
        show(&run)
    );
}

/// Eighth review: the seventh review's attack with no commit between the
/// remedy and the merge of the switch. The switch to "ssh" is published
/// as `built` while the `git pull` finding is open; Li makes the remedy
/// merge herself (the published commit first, the switch second), in the
/// GM's name, unsigned, and writes his review into that merge. The merge
/// is the first commit after the last one the site was built from
/// (rewrite.rs: `via > published + 1`), so the switch it passes over is
/// not counted; the merge is judged under the rules before it ("author"),
/// and the review is proven, with nothing said.
#[test]
fn a_remedy_merge_passing_over_a_published_switch_judges_its_own_content_under_the_old_rules() {
    let Switched {
        repo,
        _dir,
        out,
        published,
        switch,
        ..
    } = switch_published_over_a_pull();

    // Li: the remedy merge, main's tree ("ssh"), the review written in it.
    repo.write(ORDER_PATH, ORDER);
    let back = repo.commit_raw(
        "wang.gm",
        "2026-03-03 09:30",
        "Main line back",
        Signing::Unsigned,
        &[published, switch],
    );
    repo.set_head(back);
    let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    let published_run = check_published(&repo, &out);
    assert!(
        sig["state"] != "proven" || !published_run.of("history-rewritten").is_empty(),
        "the GM's review, unsigned, proven after the switch to ssh was published, \
         and nothing is said: {sig:#}\n{}\n{}",
        show(&run),
        show(&published_run)
    );
}

/// Eighth review: the published switch made built-like by an open loss.
/// The GM's phone fix of C-0001 is published; his older clone (another
/// customer's fix, signed) is force-pushed over it by mistake and
/// published: the fix is reported lost. Before anyone merges it back, the
/// GM switches to "ssh" (signed) and the site shows it: built while a
/// loss was open, so the manifest marks it `under_rewrite`, checked like
/// `built`. Li then "merges the lost fix back" the other way round: the
/// lost fix first, main (the switch) second, in the GM's name, unsigned,
/// with his review written into the merge. The lost fix is a commit the
/// site was built from (`known`), right before the merge, so the switch
/// passed over is not counted; the lost fix is on the main line, so its
/// finding clears; the merge is judged under "author", the review proven,
/// and nothing is said.
#[test]
fn a_switch_published_while_a_loss_was_open_is_passed_over_by_merging_the_lost_commit_first() {
    let repo = company("author");
    let root = repo.git().head().unwrap().target().unwrap();
    repo.edit("customers/C-0001.toml", "+49 40 123456", "+49 40 654321");
    let fix = repo.commit_with(
        "wang.gm",
        "2026-03-02 09:00",
        "C-0001: new phone",
        Signing::KeyOf("wang.gm"),
    );
    let (_dir, out) = site();
    build(&repo, &out);

    // His older clone, force-pushed by mistake.
    repo.edit("customers/C-0001.toml", "+49 40 654321", "+49 40 123456");
    repo.write(
        "customers/C-0002.toml",
        &CUSTOMER.replace("C-0001", "C-0002"),
    );
    let clone = repo.commit_raw(
        "wang.gm",
        "2026-03-02 10:00",
        "New customer",
        Signing::KeyOf("wang.gm"),
        &[root],
    );
    repo.set_head(clone);
    build(&repo, &out);
    rewritten_saying(&repo, &out, &[&short(fix)]);

    // The switch, published while the loss is open.
    repo.set_policy("ssh");
    let switch = repo.commit_with(
        "wang.gm",
        "2026-03-03 09:00",
        "Policy: ssh",
        Signing::KeyOf("wang.gm"),
    );
    build(&repo, &out);

    // Li: the lost fix first, main second, the review in the merge.
    repo.edit("customers/C-0001.toml", "+49 40 123456", "+49 40 654321");
    repo.write(ORDER_PATH, ORDER);
    let merge = repo.commit_raw(
        "wang.gm",
        "2026-03-03 10:00",
        "Merge the phone fix back",
        Signing::Unsigned,
        &[fix, switch],
    );
    repo.set_head(merge);
    assert!(repo.read("docket.toml").contains("ssh"));
    let (sig, run) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    let published_run = check_published(&repo, &out);
    assert!(
        sig["state"] != "proven" || !published_run.of("history-rewritten").is_empty(),
        "the GM's review, unsigned, proven after the switch to ssh was published, \
         and nothing is said: {sig:#}\n{}\n{}",
        show(&run),
        show(&published_run)
    );
}

/// A proof that names the merge whose rules it was judged by, kept in the
/// proofs cache, and the merge made again (the same parents and tree,
/// another message: a force-push of an amended merge). The branch
/// commit's revision is the same, at the same positions; the merge's id
/// is in its cache key too, so the proof names the merge that is there.
#[test]
fn a_merge_made_again_is_the_merge_a_cached_proof_names() {
    let (repo, root, main) = switched_to_ssh();
    let forged = forged_on_a_branch(&repo, root);
    repo.set_policy("ssh");
    let merge = |message: &str| {
        let merge = repo.commit_raw(
            "li.sales",
            "2026-03-03 11:00",
            message,
            Signing::KeyOf("li.sales"),
            &[main, forged],
        );
        repo.set_head(merge);
        merge
    };
    let first = merge("Merge branch 'review'");
    let (sig, _) = judged(&repo, "SO-2026-0001", "review", AS_OF, &[]);
    let detail = sig["status"]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(&Repo::short(first)), "{detail}");
    let again = merge("Merge branch 'review' into main");
    assert_ne!(first, again);
    for cache in [&[][..], &["--no-cache"][..]] {
        let (sig, _) = judged(&repo, "SO-2026-0001", "review", AS_OF, cache);
        assert_eq!(sig["state"], "unproven", "{sig:#}");
        let detail = sig["status"]["detail"].as_str().unwrap_or_default();
        let want = format!("merged in commit {}", Repo::short(again));
        assert!(detail.contains(&want), "{want:?} in {detail}");
    }
}
