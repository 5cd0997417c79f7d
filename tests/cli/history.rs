//! History rules, `log`, `diff` and `check --base`, on real git
//! repositories made with git2: chosen authors, dates and SSH signatures.

use crate::fixture::*;

const REVIEW: &str = "[review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = 2026-03-03\n\n";

fn order_unreviewed() -> String {
    assert!(ORDER.contains(REVIEW));
    ORDER.replace(REVIEW, "")
}

/// The base records, committed as the procedure means: Li writes them on
/// 2026-03-02; the review is added by `reviewer`'s own commit next day.
fn repo_in(sub: &str, policy: &str, reviewer: &str, signing: Signing) -> Repo {
    let repo = Repo::empty_in(sub);
    repo.set_policy(policy);
    if policy == "ssh" {
        repo.write("people.toml", &people_toml_with_keys());
    }
    repo.write("customers/C-0001.toml", CUSTOMER);
    repo.write("products/AP-SH-1020.toml", PRODUCT);
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.write(FLOWSHEET_PATH, FLOWSHEET);
    repo.write("surveys/2026/SV-2026-0001.toml", SURVEY);
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Order SO-2026-0001 received");
    repo.write(ORDER_PATH, ORDER);
    repo.commit_with(reviewer, "2026-03-03", "Review SO-2026-0001", signing);
    repo
}

pub fn signed(policy: &str) -> Repo {
    repo_in("", policy, "wang.gm", Signing::Unsigned)
}

fn messages(fs: &[F]) -> String {
    fs.iter()
        .map(|f| f.message.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn review_committed_by_the_signer_is_proven() {
    clean(&signed("author").check());
}

#[test]
fn review_committed_by_the_wrong_person_is_unproven() {
    let repo = repo_in("", "author", "li.sales", Signing::Unsigned);
    let f = fires(&repo.check(), "signature-unproven");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].file, ORDER_PATH);
    assert!(f[0].message.contains("li.sales"), "{}", f[0].message);
    assert!(f[0].line.is_some());
}

#[test]
fn policy_none_proves_nothing_and_accuses_no_one() {
    clean(&repo_in("", "none", "li.sales", Signing::Unsigned).check());
}

#[test]
fn ssh_signed_by_the_signer_is_proven() {
    clean(&repo_in("", "ssh", "wang.gm", Signing::KeyOf("wang.gm")).check());
}

/// `docket log` says, on each revision's line, how its commit is signed:
/// by whose key (and which), or not at all.
#[test]
fn log_names_each_revisions_signature() {
    let repo = repo_in("", "ssh", "wang.gm", Signing::KeyOf("wang.gm"));
    let run = repo.docket(&["log", "SO-2026-0001"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = |who: &str| {
        run.stdout
            .lines()
            .find(|l| l.starts_with("commit ") && l.contains(who))
            .unwrap_or_else(|| panic!("no revision by {who}:\n{}", run.stdout))
            .to_string()
    };
    let review = line("wang@acme.example");
    assert!(
        review.contains("SSH-signed by wang.gm (SHA256:"),
        "{review}"
    );
    assert!(
        line("li@acme.example").ends_with("unsigned"),
        "{}",
        run.stdout
    );
}

#[test]
fn unsigned_commit_under_policy_ssh_is_unproven() {
    let repo = repo_in("", "ssh", "wang.gm", Signing::Unsigned);
    let f = fires(&repo.check(), "signature-unproven");
    assert!(messages(&f).contains("unsigned"), "{}", messages(&f));
}

#[test]
fn key_of_someone_else_is_unproven() {
    let repo = repo_in("", "ssh", "wang.gm", Signing::KeyOf("li.sales"));
    let f = fires(&repo.check(), "signature-unproven");
    assert!(messages(&f).contains("li.sales's key"), "{}", messages(&f));
}

#[test]
fn unknown_key_is_unproven() {
    let repo = repo_in("", "ssh", "wang.gm", Signing::KeyOf("mallory"));
    let f = fires(&repo.check(), "signature-unproven");
    assert!(messages(&f).contains("unknown key"), "{}", messages(&f));
}

#[test]
fn tampered_ssh_signature_is_unproven() {
    let repo = repo_in("", "ssh", "wang.gm", Signing::Tampered("wang.gm"));
    let f = fires(&repo.check(), "signature-unproven");
    assert!(messages(&f).contains("does not verify"), "{}", messages(&f));
}

#[test]
fn openpgp_signature_is_recognised_not_verified() {
    let repo = repo_in("", "ssh", "wang.gm", Signing::OpenPgp);
    let f = fires(&repo.check(), "signature-unproven");
    assert!(
        messages(&f).contains("OpenPGP signature, not verified"),
        "{}",
        messages(&f)
    );
    let log = repo
        .docket(&["log", "SO-2026-0001", "--format", "json"])
        .json();
    assert_eq!(log["revisions"][0]["signature"]["status"], "open-pgp");
}

#[test]
fn signature_committed_after_the_signer_left_is_unproven() {
    let repo = Repo::base();
    repo.set_policy("author");
    // Lin signed with a date while still employed, but committed in March.
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.git_init();
    repo.commit_as("li.sales", "2026-01-10", "Order received");
    repo.write(
        ORDER_PATH,
        &ORDER.replace(
            "by = \"wang.gm\"\ndate = 2026-03-03",
            "by = \"old.gm\"\ndate = 2026-01-20",
        ),
    );
    repo.commit_as("old.gm", "2026-03-03", "Review");
    let f = fires(&repo.check(), "signature-unproven");
    assert!(
        messages(&f).contains("left on 2026-01-31"),
        "{}",
        messages(&f)
    );
}

/// The leaving day is the last day a person signs: a review committed
/// on it is theirs, one committed the next day is not (and says why).
#[test]
fn a_leaver_signs_on_the_leaving_day_and_not_the_day_after() {
    let on_the_day = |day: &str| {
        let repo = Repo::base();
        repo.set_policy("author");
        repo.write(ORDER_PATH, &order_unreviewed());
        repo.git_init();
        repo.commit_as("li.sales", "2026-01-10", "Order received");
        let date = format!("date = {day}");
        repo.write(
            ORDER_PATH,
            &ORDER.replace(
                "by = \"wang.gm\"\ndate = 2026-03-03",
                &format!("by = \"old.gm\"\n{date}"),
            ),
        );
        repo.commit_as("old.gm", day, "Review");
        repo.check()
    };
    let last_day = on_the_day("2026-01-31");
    assert!(
        last_day.of("signature-unproven").is_empty(),
        "{}",
        last_day.stdout
    );
    assert!(last_day.of("review-role").is_empty(), "{}", last_day.stdout);
    let after = on_the_day("2026-02-01");
    let f = fires(&after, "signature-unproven");
    assert!(
        messages(&f).contains("left on 2026-01-31"),
        "{}",
        messages(&f)
    );
}

#[test]
fn signed_section_edited_by_another_person_is_broken() {
    let repo = signed("author");
    repo.edit(
        ORDER_PATH,
        "date = 2026-03-03\n",
        "date = 2026-03-03\nnote = \"checked stock\"\n",
    );
    repo.commit_as("li.sales", "2026-03-05", "Add a note to the review");
    let run = repo.check();
    let f = fires(&run, "signature-broken");
    assert!(f[0].message.contains("li.sales"), "{}", f[0].message);
    assert!(
        run.of("signature-unproven").is_empty(),
        "broken, not unproven"
    );
}

#[test]
fn section_never_signed_by_its_signer_is_unproven_not_broken() {
    // Li writes the review in Wang's name, then edits it: Wang never signed.
    let repo = repo_in("", "author", "li.sales", Signing::Unsigned);
    repo.edit(
        ORDER_PATH,
        "date = 2026-03-03\n",
        "date = 2026-03-03\nnote = \"ok\"\n",
    );
    repo.commit_as("li.sales", "2026-03-05", "Add a note");
    let run = repo.check();
    fires(&run, "signature-unproven");
    assert!(
        run.of("signature-broken").is_empty(),
        "{:#?}",
        run.findings()
    );
}

#[test]
fn signer_editing_own_section_keeps_it_proven() {
    let repo = signed("author");
    repo.edit(
        ORDER_PATH,
        "date = 2026-03-03\n",
        "date = 2026-03-03\nnote = \"checked stock\"\n",
    );
    // The edit is a new signature, made the next day: within the
    // tolerance of the date written in the section.
    repo.commit_as("wang.gm", "2026-03-04", "Note on my review");
    clean(&repo.check());
    // Two days later, the date written no longer says when the section
    // (as it is now) was signed.
    repo.edit(ORDER_PATH, "checked stock", "checked stock twice");
    repo.commit_as("wang.gm", "2026-03-05", "Another note");
    let run = repo.check();
    fires(&run, "signature-time");
    assert!(run.of("signature-unproven").is_empty(), "still proven");
}

#[test]
fn substance_change_after_approval_without_change_entry() {
    let repo = signed("author");
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
    let run = repo.check();
    let stale = fires(&run, "review-stale");
    assert!(
        stale[0].message.contains("line 1 quantity: 500 -> 800"),
        "{}",
        stale[0].message
    );
    assert!(
        stale[0]
            .message
            .contains("after Wang Daming (wang.gm) signed"),
        "{}",
        stale[0].message
    );
    let unrecorded = fires(&run, "change-unrecorded");
    assert!(
        unrecorded[0].message.contains("by Li Mei (li.sales)"),
        "{}",
        unrecorded[0].message
    );
    // The finding points at the changed quantity, not at the file's top.
    let line = ORDER
        .lines()
        .position(|l| l.starts_with("quantity = "))
        .unwrap()
        + 1;
    assert_eq!(unrecorded[0].line, Some(line as u64), "{unrecorded:#?}");
}

#[test]
fn change_unrecorded_points_at_the_field_that_changed() {
    // Whatever field of an approved order changes, the finding's line is
    // that field's, so an editor (or the pull request's annotation) lands
    // on it; what has no line of its own points at the top.
    let cases = [
        (
            "customer = \"C-0001\"",
            "customer = \"C-0002\"",
            "customer = ",
        ),
        ("channel = \"website\"", "channel = \"email\"", "channel = "),
        (
            "received = 2026-03-02",
            "received = 2026-03-01",
            "received = ",
        ),
        ("owner = \"li.sales\"", "owner = \"sun.qc\"", "owner = "),
        ("legible = true", "legible = false", "legible = "),
        ("PO-88812", "PO-88813", "customer_ref = "),
        ("\"Hamburg\"", "\"Bremen\"", "delivery_place = "),
        (
            "delivery_place = \"Hamburg\"\n",
            "delivery_place = \"Hamburg\"\nspecial_requirements = \"Salt spray test\"\n",
            "special_requirements = ",
        ),
        (
            "part_number = \"AP-SH-1020\"",
            "part_number = \"AP-SH-1021\"",
            "part_number = ",
        ),
        (
            "\"Stainless shaft\"",
            "\"Stainless shaft, polished\"",
            "product = ",
        ),
        ("x 200 mm", "x 210 mm", "spec = "),
        (
            "delivery = 2026-04-15",
            "delivery = 2026-04-20",
            "delivery = ",
        ),
        (
            "delivery = 2026-04-15\n",
            "delivery = 2026-04-15\nbatch = \"B-7\"\n",
            "batch = ",
        ),
        (
            "\n[capacity]",
            "\n[[line]]\npart_number = \"AP-SH-1020\"\nproduct = \"Stainless shaft\"\n\
             spec = \"D10 x 200 mm, SUS304\"\nquantity = 100\ndelivery = 2026-05-15\n\n[capacity]",
            "a second line",
        ),
    ];
    for (from, to, key) in cases {
        let repo = signed("author");
        repo.edit(ORDER_PATH, from, to);
        repo.commit_as("li.sales", "2026-03-20", "Customer's change");
        let run = repo.check();
        let f = run.of("change-unrecorded");
        assert_eq!(f.len(), 1, "{to}: {:#?}", run.findings());
        let text = repo.read(ORDER_PATH);
        let line = match key {
            "a second line" => {
                let lines: Vec<&str> = text.lines().collect();
                lines.iter().rposition(|l| l.starts_with("part_number = "))
            }
            _ => text.lines().position(|l| l.starts_with(key)),
        };
        let line = line.unwrap() + 1;
        assert_eq!(f[0].line, Some(line as u64), "{to}: {}", f[0].message);
    }
}

#[test]
fn a_long_list_of_changes_shows_five_and_counts_the_rest() {
    let edits = [
        ("PO-88812", "PO-88813"),
        ("\"website\"", "\"email\""),
        ("\"Hamburg\"", "\"Bremen\""),
        ("\"Stainless shaft\"", "\"Polished shaft\""),
        ("x 200 mm", "x 210 mm"),
        ("quantity = 500", "quantity = 800"),
        ("delivery = 2026-04-15", "delivery = 2026-04-20"),
    ];
    for (n, more) in [
        (5, None),
        (6, Some("; and 1 more")),
        (7, Some("; and 2 more")),
    ] {
        let repo = signed("author");
        for (from, to) in &edits[..n] {
            repo.edit(ORDER_PATH, from, to);
        }
        repo.commit_as("li.sales", "2026-03-20", "Customer's changes");
        let f = fires(&repo.check(), "change-unrecorded");
        let m = &f[0].message;
        assert_eq!(m.contains(" more"), more.is_some(), "{n}: {m}");
        if let Some(more) = more {
            assert!(m.contains(more), "{n}: {m}");
        }
        assert_eq!(m.matches(" -> ").count(), n.min(5), "{n}: {m}");
    }
}

#[test]
fn substance_change_with_change_entry_is_recorded_but_stale() {
    let repo = signed("author");
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.append(
        ORDER_PATH,
        "[[change]]\ndate = 2026-03-20\nby = \"li.sales\"\nwhat = [\"quantity\"]\nnotified = [\"manufacturing\"]\n",
    );
    repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
    let run = repo.check();
    fires(&run, "review-stale");
    assert!(
        run.of("change-unrecorded").is_empty(),
        "{:#?}",
        run.findings()
    );
}

/// Taking the GM's approval out does not take out what it approved: a
/// quantity changed in the same commit that removed the review is still
/// a change to an approved order, and needs its `[[change]]` entry.
#[test]
fn removing_the_review_with_a_substance_change_does_not_hide_the_change() {
    let repo = signed("author");
    repo.write(
        ORDER_PATH,
        &order_unreviewed().replace("quantity = 500", "quantity = 800"),
    );
    repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
    let f = fires(&repo.check(), "change-unrecorded");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("500 -> 800"), "{}", f[0].message);
    assert!(
        f[0].message.contains("(approved 2026-03-03)"),
        "{}",
        f[0].message
    );
}

/// A `[[change]]` entry records changes made after the approval it
/// follows: one dated before the approval cannot cover a later change.
#[test]
fn a_change_entry_older_than_the_approval_does_not_record_a_later_change() {
    let repo = signed("author");
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.append(
        ORDER_PATH,
        "[[change]]\ndate = 2026-03-01\nby = \"li.sales\"\nwhat = [\"quantity\"]\nnotified = [\"manufacturing\"]\n",
    );
    repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
    let f = fires(&repo.check(), "change-unrecorded");
    assert!(
        f[0].message.contains("(approved 2026-03-03)"),
        "{}",
        f[0].message
    );
}

/// Only an approved order needs a `[[change]]` entry: editing one not yet
/// reviewed, or one refused, changes nothing anyone approved.
#[test]
fn only_an_approved_order_needs_its_changes_recorded() {
    for (decision, needs_entry) in [
        (None, false),
        (Some("rejected"), false),
        (Some("approved"), true),
    ] {
        let repo = Repo::base();
        repo.set_policy("author");
        let text = match decision {
            None => order_unreviewed(),
            Some(d) => ORDER.replace("decision = \"approved\"", &format!("decision = \"{d}\"")),
        };
        repo.write(ORDER_PATH, &text);
        repo.git_init();
        repo.commit_as("wang.gm", "2026-03-03", "Order and its review");
        repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
        repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
        let run = repo.check();
        assert_eq!(
            !run.of("change-unrecorded").is_empty(),
            needs_entry,
            "{decision:?}: {}",
            run.stdout
        );
    }
}

/// The review may come in the order's first commit (the GM writes the
/// order and reviews it at once): a later change still makes it stale.
#[test]
fn a_review_in_the_orders_first_commit_goes_stale_when_the_order_changes() {
    let repo = Repo::base();
    repo.set_policy("author");
    repo.git_init();
    repo.commit_as("wang.gm", "2026-03-03", "Order and its review");
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.append(
        ORDER_PATH,
        "[[change]]\ndate = 2026-03-20\nby = \"li.sales\"\nwhat = [\"quantity\"]\nnotified = [\"manufacturing\"]\n",
    );
    // Stale while the change is only in the working tree, and once committed.
    let f = fires(&repo.check(), "review-stale");
    assert!(f[0].message.contains("quantity"), "{}", f[0].message);
    repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
    let f = fires(&repo.check(), "review-stale");
    assert!(f[0].message.contains("quantity"), "{}", f[0].message);
}

/// A new order, reviewed but not yet committed, has nothing to be stale
/// against: its review is unsigned, not stale.
#[test]
fn an_uncommitted_new_order_with_its_review_is_not_stale() {
    let repo = signed("author");
    let new = ORDER
        .replace("SO-2026-0001", "SO-2026-0002")
        .replace("PO-88812", "PO-88813");
    repo.write("orders/2026/SO-2026-0002.toml", &new);
    let run = repo.check();
    assert!(run.code <= 1, "{}", run.stderr);
    assert!(run.of("review-stale").is_empty(), "{}", run.stdout);
}

#[test]
fn re_review_after_a_change_clears_stale() {
    let repo = signed("author");
    repo.edit(ORDER_PATH, "quantity = 500", "quantity = 800");
    repo.append(
        ORDER_PATH,
        "[[change]]\ndate = 2026-03-20\nby = \"li.sales\"\nwhat = [\"quantity\"]\nnotified = [\"manufacturing\"]\n",
    );
    repo.edit(FLOWSHEET_PATH, "quantity = 500", "quantity = 800");
    repo.edit(FLOWSHEET_PATH, "issued = 2026-03-04", "issued = 2026-03-21");
    repo.commit_as("li.sales", "2026-03-20", "Customer wants 800");
    repo.edit(ORDER_PATH, "date = 2026-03-03", "date = 2026-03-21");
    repo.commit_as("wang.gm", "2026-03-21", "Review the change");
    let run = repo.check();
    assert!(run.of("review-stale").is_empty(), "{:#?}", run.findings());
    assert!(
        run.of("change-unrecorded").is_empty(),
        "{:#?}",
        run.findings()
    );
    assert!(
        run.of("signature-unproven").is_empty(),
        "{:#?}",
        run.findings()
    );
}

#[test]
fn recording_the_written_order_of_an_oral_order_is_not_a_change() {
    let oral = |text: &str| {
        text.replace("channel = \"website\"", "channel = \"oral\"")
            + "\n[oral]\npath = \"written-order\"\nwritten_order_due = 2026-03-10\n"
    };
    let repo = Repo::base();
    repo.write(ORDER_PATH, &oral(&order_unreviewed()));
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Oral order");
    repo.write(ORDER_PATH, &oral(ORDER));
    repo.commit_as("wang.gm", "2026-03-03", "Review the oral order");
    repo.edit(
        ORDER_PATH,
        "written_order_due = 2026-03-10\n",
        "written_order_due = 2026-03-10\nwritten_order_received = 2026-03-08\n",
    );
    repo.commit_as("li.sales", "2026-03-08", "The written order came");
    let run = repo.check();
    assert!(run.of("review-stale").is_empty(), "{:#?}", run.findings());
    assert!(
        run.of("change-unrecorded").is_empty(),
        "{:#?}",
        run.findings()
    );
}

#[test]
fn reformatted_file_does_not_make_the_review_stale() {
    let repo = signed("author");
    // Same values, other layout: keys reordered, spacing, a comment.
    let text = repo.read(ORDER_PATH);
    let reformatted = text
        .replace(
            "customer = \"C-0001\"\ncustomer_ref = \"PO-88812\"\n",
            "customer_ref   =   \"PO-88812\"   # the PO\ncustomer = \"C-0001\"\n",
        )
        .replace(
            "quantity = 500\ndelivery = 2026-04-15",
            "delivery = 2026-04-15\nquantity = 500",
        );
    assert_ne!(text, reformatted);
    repo.write(ORDER_PATH, &reformatted);
    repo.commit_as("li.sales", "2026-03-10", "Tidy the file");
    clean(&repo.check());
}

#[test]
fn record_moved_to_another_folder_keeps_its_signature() {
    let repo = signed("author");
    let text = repo.read(ORDER_PATH);
    repo.remove(ORDER_PATH);
    repo.write("orders/archive/SO-2026-0001.toml", &text);
    repo.commit_as("li.sales", "2026-05-01", "Archive the order");
    clean(&repo.check());
    let log = repo.docket(&["log", "SO-2026-0001"]);
    assert_eq!(log.code, 0, "{}", log.stderr);
    assert!(
        log.stdout
            .contains("moved from orders/2026/SO-2026-0001.toml"),
        "{}",
        log.stdout
    );
    assert!(log.stdout.contains("Wang Daming"), "{}", log.stdout);
}

#[test]
fn deleted_record_is_reported() {
    let repo = signed("author");
    repo.remove("surveys/2026/SV-2026-0001.toml");
    repo.commit_as("li.sales", "2026-05-01", "Remove the survey");
    let f = fires(&repo.check(), "record-deleted");
    assert_eq!(f[0].file, "surveys/2026/SV-2026-0001.toml");
    assert!(
        f[0].message.contains("Li Mei (li.sales)"),
        "{}",
        f[0].message
    );
}

#[test]
fn uncommitted_deletion_is_reported() {
    let repo = signed("author");
    repo.remove("surveys/2026/SV-2026-0001.toml");
    let f = fires(&repo.check(), "record-deleted");
    assert!(f[0].message.contains("working tree"), "{}", f[0].message);
}

#[test]
fn merged_pull_request_attributes_the_review_to_its_author() {
    let repo = Repo::base();
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.git_init();
    let base = repo.commit_as("li.sales", "2026-03-02", "Order received");
    // The GM reviews on a branch.
    repo.write(ORDER_PATH, ORDER);
    let review = repo.commit_raw(
        "wang.gm",
        "2026-03-03",
        "Review",
        Signing::Unsigned,
        &[base],
    );
    // Meanwhile on main, Li edits the customer.
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.edit(
        "customers/C-0001.toml",
        "phone = \"+49 40 123456\"",
        "phone = \"+49 40 654321\"",
    );
    let main = repo.commit_as("li.sales", "2026-03-03", "New phone number");
    // Li merges the pull request.
    repo.write(ORDER_PATH, ORDER);
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-04",
        "Merge pull request #1",
        Signing::Unsigned,
        &[main, review],
    );
    repo.set_head(merge);
    clean(&repo.check());
    let log = repo.docket(&["log", "SO-2026-0001", "--format", "json"]);
    assert_eq!(log.code, 0, "{}", log.stderr);
    let json = log.json();
    let newest = &json["revisions"][0];
    assert_eq!(newest["author"]["email"], "wang@acme.example", "{json:#}");
    assert_eq!(newest["commit"], review.to_string());
}

#[test]
fn content_the_merge_itself_wrote_is_attributed_to_the_merge() {
    let repo = Repo::base();
    repo.set_policy("author");
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.git_init();
    let base = repo.commit_as("li.sales", "2026-03-02", "Order received");
    repo.write(ORDER_PATH, ORDER);
    let review = repo.commit_raw(
        "wang.gm",
        "2026-03-03",
        "Review",
        Signing::Unsigned,
        &[base],
    );
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.edit(
        "customers/C-0001.toml",
        "contact = \"Anna Keller\"",
        "contact = \"Jan Ott\"",
    );
    let main = repo.commit_as("li.sales", "2026-03-03", "New contact");
    // Li "resolves" the merge by changing the review's date.
    repo.write(
        ORDER_PATH,
        &ORDER.replace("date = 2026-03-03", "date = 2026-03-04"),
    );
    let merge = repo.commit_raw(
        "li.sales",
        "2026-03-04",
        "Merge",
        Signing::Unsigned,
        &[main, review],
    );
    repo.set_head(merge);
    let f = fires(&repo.check(), "signature-broken");
    assert!(f[0].message.contains("li.sales"), "{}", f[0].message);
}

#[test]
fn moved_and_edited_in_one_commit_keeps_its_history() {
    let repo = signed("author");
    let text = repo.read(ORDER_PATH).replace(
        "delivery_place = \"Hamburg\"",
        "delivery_place = \"Bremen\"",
    );
    repo.remove(ORDER_PATH);
    repo.write("orders/2027/SO-2026-0001.toml", &text);
    repo.commit_as("li.sales", "2026-05-01", "Move and edit");
    let run = repo.check();
    assert!(run.of("record-deleted").is_empty(), "{:#?}", run.findings());
    assert!(
        run.of("signature-unproven").is_empty(),
        "{:#?}",
        run.findings()
    );
    fires(&run, "review-stale");
    let log = repo.docket(&["log", "SO-2026-0001"]).stdout;
    assert!(
        log.contains("moved from orders/2026/SO-2026-0001.toml"),
        "{log}"
    );
    assert!(
        log.contains("delivery_place: \"Hamburg\" -> \"Bremen\""),
        "{log}"
    );
}

#[test]
fn shallow_clone_is_history_unavailable() {
    let repo = signed("author");
    let dest = tempfile::tempdir().unwrap();
    let clone = dest.path().join("clone");
    let url = format!("file://{}", repo.top.display());
    let ok = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(&clone)
        .status()
        .unwrap();
    assert!(ok.success());
    let run = Run::from(
        docket_cmd()
            .args(["check", "--format", "json", "--as-of", AS_OF, "--records"])
            .arg(&clone)
            .output()
            .unwrap(),
    );
    let f = fires(&run, "history-unavailable");
    assert!(f[0].message.contains("shallow"), "{}", f[0].message);
    // Under "author" a shallow clone cannot pass the gate.
    assert_eq!(f[0].severity, "error");
    assert_eq!(run.code, 1);
}

#[test]
fn records_root_inside_a_bigger_repository() {
    let repo = repo_in("records", "author", "wang.gm", Signing::Unsigned);
    repo.write_top("README.md", "the company repository\n");
    clean(&repo.check());
    let human = repo.docket(&["check", "--as-of", AS_OF]);
    assert_eq!(human.code, 0, "{}{}", human.stdout, human.stderr);
    let wrong = repo_in("records", "author", "li.sales", Signing::Unsigned);
    fires(&wrong.check(), "signature-unproven");
}

#[test]
fn no_git_repository_is_history_unavailable() {
    let run = Repo::base().check();
    let all = run.all_findings();
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0].rule, "history-unavailable");
    assert!(all[0].message.contains("no git repository"));
    assert_eq!(run.code, 0);
}

/// `docket log` without history says why there is none, and what it
/// needs, instead of an empty trail.
#[test]
fn log_without_history_says_why() {
    let run = Repo::base().docket(&["log", "SO-2026-0001"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains(
            "no history to show (no git repository above the records root); \
             docket log needs the full git history"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn uncommitted_changes_are_checked_and_flagged() {
    let repo = signed("author");
    repo.edit(
        "customers/C-0001.toml",
        "phone = \"+49 40 123456\"",
        "phone = \"+49 40 654321\"",
    );
    let f = fires(&repo.check(), "history-unavailable");
    assert_eq!(f[0].file, "customers/C-0001.toml");
    assert_eq!(f[0].severity, "warning");
}

#[test]
fn uncommitted_signed_section_is_unproven() {
    let repo = Repo::base();
    repo.set_policy("author");
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.git_init();
    repo.commit_as("li.sales", "2026-03-02", "Order received");
    repo.write(ORDER_PATH, ORDER);
    let run = repo.check();
    let f = fires(&run, "signature-unproven");
    assert!(f[0].message.contains("not committed"), "{}", f[0].message);
    assert!(
        run.of("history-unavailable").is_empty(),
        "{:#?}",
        run.findings()
    );
}

/// Before the first commit no policy has been governed into force: the
/// working tree's docket.toml and people.toml are all there is. A company
/// under "none" setting up its repository records its signatures; one
/// under "author" knows its signers, and each signature waits for its
/// commit.
#[test]
fn before_the_first_commit_the_working_trees_policy_and_people_stand() {
    for policy in ["none", "author"] {
        let repo = Repo::base();
        repo.set_policy(policy);
        repo.write("customers/C-0001.toml", CUSTOMER);
        repo.write("products/AP-SH-1020.toml", PRODUCT);
        repo.write(ORDER_PATH, ORDER);
        repo.git_init();
        let run = repo.check();
        let signature: Vec<F> = run
            .findings()
            .into_iter()
            .filter(|f| f.rule.starts_with("signature-") || f.rule.starts_with("signer-"))
            .collect();
        if policy == "none" {
            assert!(signature.is_empty(), "{policy}: {signature:#?}");
        } else {
            assert_eq!(signature.len(), 1, "{policy}: {signature:#?}");
            assert_eq!(signature[0].rule, "signature-unproven");
            assert!(
                signature[0].message.contains("not committed"),
                "{}",
                signature[0].message
            );
        }
    }
}

const CAPA_PATH: &str = "capa/2026/CAPA-2026-0001.toml";
const CAPA: &str = r#"id = "CAPA-2026-0001"
kind = "corrective"
source = "complaint"
customer = "C-0001"
order = "SO-2026-0001"
opened = 2026-05-02
opened_by = "li.sales"
description = "Shafts arrived scratched."
responsible_department = "manufacturing"
"#;

#[test]
fn each_stage_of_a_capa_is_proven_by_its_own_signer() {
    let repo = signed("author");
    repo.write(CAPA_PATH, CAPA);
    repo.commit_as("li.sales", "2026-05-02", "Open CAPA");
    let stages = [
        (
            "zhao.mfg",
            "2026-05-06",
            "[investigation]\nby = \"zhao.mfg\"\ndate = 2026-05-06\nroot_cause = \"No sleeve.\"\ncountermeasure = \"Sleeve.\"\ndue = 2026-05-30\n",
        ),
        (
            "sun.qc",
            "2026-06-02",
            "[verification]\nby = \"sun.qc\"\ndate = 2026-06-02\neffective = true\nevidence = \"Clean lot.\"\n",
        ),
        // Li commits the GM's confirmation: not his signature to make.
        (
            "li.sales",
            "2026-06-03",
            "[confirmation]\nby = \"wang.gm\"\ndate = 2026-06-03\n",
        ),
        (
            "li.sales",
            "2026-06-05",
            "[feedback]\nby = \"li.sales\"\ndate = 2026-06-05\nchannel = \"email\"\nsummary = \"Told.\"\n",
        ),
    ];
    for (who, date, section) in stages {
        repo.append(CAPA_PATH, section);
        repo.commit_as(who, date, "CAPA stage");
    }
    let run = repo.check();
    let f = fires(&run, "signature-unproven");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].file, CAPA_PATH);
    assert!(
        f[0].message.starts_with("`confirmation`"),
        "{}",
        f[0].message
    );
}

#[test]
fn extra_reviews_are_proven_entry_by_entry() {
    let repo = signed("author");
    let extra = |n: u32| {
        format!(
            "[[extra_review]]\ndepartment = \"rnd\"\nby = \"chen.rnd\"\ndate = 2026-03-0{n}\nresult = \"feasible\"\n"
        )
    };
    repo.append(ORDER_PATH, &extra(3));
    repo.commit_as("chen.rnd", "2026-03-03", "R&D review");
    repo.append(ORDER_PATH, &extra(4));
    repo.commit_as("li.sales", "2026-03-04", "Second R&D review, typed by Li");
    let f = fires(&repo.check(), "signature-unproven");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.starts_with("`extra_review[1]`"),
        "{}",
        f[0].message
    );
}

/// Wang's review written into a copy of the order under a name that is not
/// UTF-8, which Li then moves to the order's name. docket reads no such
/// name, in the working tree or in a commit (two of them would be indexed
/// as one path), so the review first appears in Li's commit and is not
/// Wang's. A run that continues the cached index says the same as the
/// first run, and no anchor disagrees with the walk.
#[test]
fn a_review_written_under_a_name_that_is_not_utf8_is_not_proven_by_it() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let repo = repo_in("", "author", "li.sales", Signing::Unsigned);
    repo.write(ORDER_PATH, &order_unreviewed());
    repo.commit_as("li.sales", "2026-03-03", "Review withdrawn");
    let odd = repo
        .path("orders/2026")
        .join(OsStr::from_bytes(b"SO-2026-0001\xff.toml"));
    repo.remove(ORDER_PATH);
    std::fs::write(&odd, ORDER).unwrap();
    repo.commit_as("wang.gm", "2026-03-04", "Review SO-2026-0001");
    std::fs::remove_file(&odd).unwrap();
    repo.write(ORDER_PATH, ORDER);
    repo.commit_as("li.sales", "2026-03-05", "Name fixed");

    let unproven = |run: &Run| -> Vec<F> {
        fires(run, "signature-unproven")
            .into_iter()
            .filter(|f| f.file == ORDER_PATH)
            .collect()
    };
    let cold = repo.check();
    assert!(!cold.stderr.contains("panicked"), "{}", cold.stderr);
    let first = unproven(&cold);
    assert_eq!(first.len(), 1, "{:#?}", cold.findings());
    assert!(
        first[0].message.contains("li.sales"),
        "{}",
        first[0].message
    );
    // One more commit: the next run continues the cached index, and
    // anchors what it proves.
    repo.append("surveys/2026/SV-2026-0001.toml", "\n# noted\n");
    repo.commit_as("li.sales", "2026-03-06", "Survey note");
    let warm = repo.check();
    assert_eq!(warm.code, cold.code, "{}", warm.stderr);
    assert_eq!(unproven(&warm), first);
}

/// A record deleted and another added in one commit are two records, not
/// a move: only the same name, or the same content, pairs them.
#[test]
fn a_record_deleted_beside_another_added_is_reported_deleted() {
    let repo = signed("author");
    repo.remove("surveys/2026/SV-2026-0001.toml");
    repo.write(
        "surveys/2026/SV-2026-0002.toml",
        &SURVEY.replace("SV-2026-0001", "SV-2026-0002"),
    );
    repo.commit_as("li.sales", "2026-05-01", "Replace the survey");
    let f = fires(&repo.check(), "record-deleted");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].file, "surveys/2026/SV-2026-0001.toml");
}
