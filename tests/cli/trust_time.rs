//! Time attacks: backdated author dates, written dates far from the
//! commit, signatures after leaving, and commit times that go backwards
//! or into the future. The signing time of a section is its signature
//! commit's committer time; the tolerance `t` is `policy.date_tolerance_days`
//! (default 1), and a difference of exactly `t` is never a finding.

use crate::fixture::*;
use crate::trust::{company, order_unreviewed, review};

/// The order with its review written by `by` on `written`.
fn reviewed(by: &str, written: &str) -> String {
    ORDER
        .replace("by = \"wang.gm\"", &format!("by = \"{by}\""))
        .replace("date = 2026-03-03", &format!("date = {written}"))
}

#[test]
pub(crate) fn signature_time_fires_for_a_leaver_who_backdates_the_author_date() {
    // Lin left on 2026-01-31. In March he signs a review of a January
    // order, with GIT_AUTHOR_DATE (and the written date) before he left.
    let repo = company("author");
    let order = order_unreviewed().replace("received = 2026-03-02", "received = 2026-01-10");
    repo.write(ORDER_PATH, &order);
    repo.commit_as("li.sales", "2026-03-02", "The order came in January");
    repo.write(
        ORDER_PATH,
        &reviewed("old.gm", "2026-01-12").replace("received = 2026-03-02", "received = 2026-01-10"),
    );
    let signed = repo.commit_times(
        "old.gm",
        "2026-01-12",
        "2026-03-03",
        "Review",
        Signing::Unsigned,
    );
    let run = repo.check();
    let t = fires(&run, "signature-time");
    assert_eq!(t.len(), 1, "{t:#?}");
    let m = &t[0].message;
    for want in [
        Repo::short(signed).as_str(),
        "Lin Old (old.gm)",
        "2026-01-12",
        "2026-03-03",
        "left on 2026-01-31",
    ] {
        assert!(m.contains(want), "{want:?} in {m}");
    }
    assert_eq!(t[0].severity, "error");
    let u = fires(&run, "signature-unproven");
    assert!(u[0].message.contains("left"), "{}", u[0].message);
    // And the review, really made on 2026-03-03, was late.
    fires(&run, "review-missing");
}

#[test]
pub(crate) fn signature_time_fires_for_a_late_review_dated_inside_the_deadline() {
    // Received 2026-03-02; the GM reviews 17 days later and writes
    // 2026-03-03 (author date too).
    let repo = company("author");
    repo.write(ORDER_PATH, ORDER);
    let late = repo.commit_times(
        "wang.gm",
        "2026-03-03",
        "2026-03-19",
        "Review",
        Signing::Unsigned,
    );
    let run = repo.check();
    let t = fires(&run, "signature-time");
    assert!(
        t[0].message.contains(&Repo::short(late)) && t[0].message.contains("Wang Daming (wang.gm)"),
        "{}",
        t[0].message
    );
    assert!(t[0].message.contains("backdated"), "{}", t[0].message);
    let r = fires(&run, "review-missing");
    assert!(
        r[0].message.contains("17 days") && r[0].message.contains("2026-03-19"),
        "{}",
        r[0].message
    );
    // The flow sheet was issued before the approval really came.
    fires(&run, "produced-unapproved");
}

#[test]
pub(crate) fn signature_time_fires_for_a_written_date_far_from_the_commit() {
    let repo = company("author");
    repo.write(ORDER_PATH, &reviewed("wang.gm", "2026-03-03"));
    repo.commit_as("wang.gm", "2026-03-05", "Review");
    let t = fires(&repo.check(), "signature-time");
    assert!(
        t[0].message
            .contains("it is dated 2026-03-03, 2 days before it was signed on 2026-03-05"),
        "{}",
        t[0].message
    );
    // And the other way: a section dated days after the commit that
    // signed it (written ahead, as if signed later).
    repo.write(ORDER_PATH, &reviewed("wang.gm", "2026-03-11"));
    repo.commit_as("wang.gm", "2026-03-07", "Review, dated ahead");
    let t = fires(&repo.check(), "signature-time");
    assert!(
        t[0].message
            .contains("it is dated 2026-03-11, 4 days after it was signed on 2026-03-07"),
        "{}",
        t[0].message
    );
}

#[test]
pub(crate) fn signature_time_near_miss_exactly_the_tolerance() {
    // Written a day before the commit, author time a day (to the second)
    // before the committer time: at the tolerance, not beyond.
    let repo = company("author");
    repo.write(ORDER_PATH, &reviewed("wang.gm", "2026-03-03"));
    repo.commit_times(
        "wang.gm",
        "2026-03-03 11:00",
        "2026-03-04 11:00",
        "Review",
        Signing::Unsigned,
    );
    clean(&repo.check());
}

#[test]
pub(crate) fn signature_time_near_miss_policy_none_judges_no_commit() {
    let repo = company("none");
    repo.write(ORDER_PATH, ORDER);
    repo.commit_times(
        "li.sales",
        "2026-03-03",
        "2026-03-19",
        "Review",
        Signing::Unsigned,
    );
    clean(&repo.check());
}

#[test]
fn the_tolerance_is_a_setting() {
    let repo = company("author");
    repo.edit(
        "docket.toml",
        "review_within_days = 3",
        "review_within_days = 3\ndate_tolerance_days = 3",
    );
    repo.commit_as("wang.gm", "2026-03-02", "Tolerance");
    repo.write(ORDER_PATH, &reviewed("wang.gm", "2026-03-03"));
    repo.commit_as("wang.gm", "2026-03-05", "Review");
    let run = repo.check();
    assert!(run.of("signature-time").is_empty(), "{:#?}", run.findings());
    // The author date may lie up to three days before the committer date
    // too (days, not seconds: two and a half days is fine)...
    repo.write(ORDER_PATH, &reviewed("wang.gm", "2026-03-06"));
    repo.commit_times(
        "wang.gm",
        "2026-03-06 09:00",
        "2026-03-08 21:00",
        "Review again",
        Signing::Unsigned,
    );
    let run = repo.check();
    assert!(run.of("signature-time").is_empty(), "{:#?}", run.findings());
    // ...and not four.
    repo.write(ORDER_PATH, &reviewed("wang.gm", "2026-03-13"));
    repo.commit_times(
        "wang.gm",
        "2026-03-09 09:00",
        "2026-03-13 09:00",
        "Review, backdated",
        Signing::Unsigned,
    );
    let late = fires(&repo.check(), "signature-time");
    assert!(
        late[0].message.contains("backdated author date"),
        "{}",
        late[0].message
    );
}

#[test]
fn review_missing_fires_for_a_review_dated_before_the_order_came() {
    let repo = company("author");
    repo.write(ORDER_PATH, &reviewed("wang.gm", "2026-03-01"));
    repo.commit_as("wang.gm", "2026-03-02", "Review");
    let run = repo.check();
    let r = fires(&run, "review-missing");
    assert!(
        r[0].message
            .contains("dated 2026-03-01, before the order was received on 2026-03-02"),
        "{}",
        r[0].message
    );
    assert!(run.of("signature-time").is_empty(), "{:#?}", run.findings());
}

#[test]
fn a_capa_stage_committed_after_the_next_is_out_of_order() {
    // Verification written 2026-06-02 but committed 2026-06-20, after the
    // confirmation (2026-06-03, committed that day).
    let repo = company("author");
    review(&repo, "wang.gm", Signing::Unsigned);
    let capa = "capa/2026/CAPA-2026-0001.toml";
    repo.write(
        capa,
        "id = \"CAPA-2026-0001\"\nkind = \"corrective\"\nsource = \"internal\"\n\
         opened = 2026-05-02\nopened_by = \"li.sales\"\ndescription = \"d\"\n\
         responsible_department = \"manufacturing\"\n\
         [investigation]\nby = \"zhao.mfg\"\ndate = 2026-05-06\nroot_cause = \"r\"\ncountermeasure = \"c\"\n",
    );
    repo.commit_as("zhao.mfg", "2026-05-06", "CAPA");
    repo.append(
        capa,
        "[confirmation]\nby = \"wang.gm\"\ndate = 2026-06-03\n",
    );
    repo.commit_as("wang.gm", "2026-06-03", "Confirm");
    let text = repo.read(capa).replace(
        "[confirmation]",
        "[verification]\nby = \"sun.qc\"\ndate = 2026-06-02\neffective = true\n\n[confirmation]",
    );
    repo.write(capa, &text);
    repo.commit_as("sun.qc", "2026-06-20", "Verification");
    let run = repo.check_as_of("2026-06-25");
    let o = fires(&run, "capa-stage-order");
    // The finding says why a stage dated before the next one is still out
    // of order: the day it was signed, with the date written beside it.
    assert_eq!(o.len(), 1, "{o:#?}");
    assert_eq!(
        o[0].message,
        "confirmation is dated 2026-06-03, before verification, signed on 2026-06-20 \
         (dated 2026-06-02)"
    );
}

#[test]
pub(crate) fn history_time_fires_for_a_commit_older_than_its_parent() {
    let repo = company("author");
    review(&repo, "wang.gm", Signing::Unsigned);
    repo.edit(
        "customers/C-0001.toml",
        "phone = \"+49 40 123456\"",
        "phone = \"+49 40 654321\"",
    );
    repo.commit_as("li.sales", "2026-03-10", "Phone");
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    let back = repo.commit_as("li.sales", "2026-03-05", "Contact");
    let run = repo.check();
    let h = fires(&run, "history-time");
    assert_eq!(h.len(), 1, "{h:#?}");
    assert_eq!(h[0].severity, "warning");
    assert_eq!(h[0].file, "customers/C-0001.toml");
    assert!(
        h[0].message.contains(&Repo::short(back)) && h[0].message.contains("Li Mei (li.sales)"),
        "{}",
        h[0].message
    );
    assert_eq!(run.code, 0, "a warning");
}

#[test]
pub(crate) fn history_time_near_miss_a_day_back_exactly() {
    let repo = company("author");
    review(&repo, "wang.gm", Signing::Unsigned);
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    repo.commit_as("li.sales", "2026-03-10", "Contact");
    repo.edit("customers/C-0001.toml", "Jan Ott", "Anna Keller");
    repo.commit_as("li.sales", "2026-03-09", "Contact back");
    clean(&repo.check());
    // A second more than the day is too far back.
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    repo.commit_as("li.sales", "2026-03-10", "Contact");
    repo.edit("customers/C-0001.toml", "Jan Ott", "Anna Keller");
    let back = repo.commit_as("li.sales", "2026-03-09 09:59:59", "Contact back");
    let h = fires(&repo.check(), "history-time");
    assert!(
        h[0].message.contains(&Repo::short(back)),
        "{}",
        h[0].message
    );
}

#[test]
pub(crate) fn history_time_fires_for_a_commit_from_the_future() {
    let repo = company("author");
    review(&repo, "wang.gm", Signing::Unsigned);
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    let future = repo.commit_as("li.sales", "2030-01-01", "Contact");
    let h = fires(&repo.check(), "history-time");
    assert!(
        h[0].message.contains(&Repo::short(future)) && h[0].message.contains("2030-01-01"),
        "{}",
        h[0].message
    );
    // A commit that touches nothing below the records root is on the
    // line too: its finding is on docket.toml.
    let repo = company("author");
    review(&repo, "wang.gm", Signing::Unsigned);
    repo.write_top("README.md", "hello\n");
    repo.commit_as("li.sales", "2030-01-01", "Readme");
    let h = fires(&repo.check(), "history-time");
    assert_eq!(h[0].file, "docket.toml");
}

#[test]
pub(crate) fn history_time_near_miss_within_a_day_of_the_as_of_date() {
    let repo = company("author");
    review(&repo, "wang.gm", Signing::Unsigned);
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    // As of 2026-06-15: the day ends at 24:00 +08:00; a day more is
    // 2026-06-17 00:00, to the second.
    repo.commit_as("li.sales", "2026-06-16 23:59", "Contact");
    clean(&repo.check());
    // Exactly a day past the as-of day's end is still fine...
    repo.edit("customers/C-0001.toml", "Jan Ott", "Anna Keller");
    repo.commit_as("li.sales", "2026-06-17 00:00:00", "Contact back");
    clean(&repo.check());
    // ...and a second more lies in the future.
    repo.edit("customers/C-0001.toml", "Anna Keller", "Jan Ott");
    let future = repo.commit_as("li.sales", "2026-06-17 00:00:01", "Contact again");
    let h = fires(&repo.check(), "history-time");
    assert!(
        h[0].message.contains(&Repo::short(future)),
        "{}",
        h[0].message
    );
}
