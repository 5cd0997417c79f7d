//! The scenario suite: a clean signed company, then one attack per
//! scenario, each with the clause it tries to get past and what docket
//! must answer (exit status and the exact set of rules that fire).
//!
//! Expectations are exact sets, not "at least": a rule that fires where it
//! should not is a failure as much as one that stays silent. Where an
//! attack rightly trips more than one rule (a backdated review was also
//! late), every rule it trips is listed, and the `attack` text says why.
//!
//! Every scenario is under policy `ssh`, the strictest, with every
//! person's key in people.toml, and is checked as of
//! [`AS_OF`](super::run::AS_OF).

use super::company::{
    Company, ORDER, ORDER_PATH, REVIEW, SURVEY_PATH, Signing, people_toml_with_keys, public_key,
};
use super::run::{Binary, MARKER, PAYLOAD, PAYLOAD_TAG, Probe};
use crate::error::{Error, Result};
use std::path::Path;

pub struct Scenario {
    pub id: &'static str,
    /// The clause of the procedure (or of 21 CFR 11) the attack is on.
    pub clause: &'static str,
    /// What the scenario does, in an auditor's words.
    pub attack: &'static str,
    /// The exit status docket must give.
    pub exit: i32,
    /// Exactly the rules that must fire.
    pub rules: &'static [&'static str],
    /// Build the scenario in the given (empty) folder and say what to run.
    pub setup: fn(&Path, &Binary) -> Result<Probe>,
}

/// Every scenario but the timestamp ones (`timestamps.rs`), in the
/// report's order.
pub fn all() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "clean-company",
            clause: "3",
            attack: "none: a company whose GM signs his review with his own SSH key; nothing may be reported",
            exit: 0,
            rules: &[],
            setup: |dir, _| Ok(Probe::check(signed(dir)?)),
        },
        Scenario {
            id: "wrong-author",
            clause: "3",
            attack: "Li (sales) commits the GM's review under her own name and key",
            exit: 1,
            rules: &["signature-unproven"],
            setup: |dir, _| review_as(dir, "li.sales", Signing::KeyOf("li.sales")),
        },
        Scenario {
            id: "unsigned",
            clause: "3",
            attack: "the GM's review committed in his name without an SSH signature",
            exit: 1,
            rules: &["signature-unproven"],
            setup: |dir, _| review_as(dir, "wang.gm", Signing::Unsigned),
        },
        Scenario {
            id: "someone-elses-key",
            clause: "3",
            attack: "the review committed as the GM, signed with Li's key",
            exit: 1,
            rules: &["signature-unproven"],
            setup: |dir, _| review_as(dir, "wang.gm", Signing::KeyOf("li.sales")),
        },
        Scenario {
            id: "injected-key",
            clause: "7.5.3",
            attack: "Li adds her key to the GM's entry in people.toml, then signs his review with it",
            exit: 1,
            rules: &["governance-unproven", "signature-unproven"],
            setup: |dir, _| {
                let c = unreviewed(dir)?;
                let line = format!("keys = [\"{}\"]", public_key("wang.gm"));
                c.edit(
                    "people.toml",
                    &line,
                    &format!(
                        "keys = [\"{}\", \"{}\"]",
                        public_key("wang.gm"),
                        public_key("li.sales")
                    ),
                )?;
                c.commit_on("li.sales", "2026-03-03", "people: keys", li())?;
                c.write(ORDER_PATH, ORDER)?;
                c.commit_on("wang.gm", "2026-03-03", "Review", li())?;
                Ok(Probe::check(c))
            },
        },
        Scenario {
            id: "backdated-signature",
            clause: "3",
            attack: "the GM reviews 17 days after receipt and backdates the author date and the written date \
                     to the deadline (also late, and the flow sheet came before the real approval)",
            exit: 1,
            rules: &["produced-unapproved", "review-missing", "signature-time"],
            setup: |dir, _| {
                let c = unreviewed(dir)?;
                c.write(ORDER_PATH, ORDER)?;
                c.commit("wang.gm", "2026-03-03", "2026-03-19", "Review", gm())?;
                Ok(Probe::check(c))
            },
        },
        Scenario {
            id: "leaver",
            clause: "3.3",
            attack: "Lin, who left on 2026-01-31, signs a review in March with his own key (a signature \
                     after leaving is also a time finding)",
            exit: 1,
            rules: &["review-role", "signature-time", "signature-unproven"],
            setup: |dir, _| {
                let c = unreviewed(dir)?;
                c.write(
                    ORDER_PATH,
                    &ORDER.replace("by = \"wang.gm\"", "by = \"old.gm\""),
                )?;
                c.commit_on("old.gm", "2026-03-03", "Review", Signing::KeyOf("old.gm"))?;
                Ok(Probe::check(c))
            },
        },
        Scenario {
            id: "stale-approval",
            clause: "4.2.2 A",
            attack: "after the GM approved, Li changes the delivery place (with a change entry); the approval \
                     no longer covers the order (and the flow sheet must be reissued)",
            exit: 1,
            rules: &["flowsheet-outdated", "review-stale"],
            setup: |dir, _| {
                let c = signed(dir)?;
                move_delivery(&c)?;
                c.append(
                    ORDER_PATH,
                    "[[change]]\ndate = 2026-03-05\nby = \"li.sales\"\nwhat = [\"delivery-place\"]\n\
                     description = \"Deliver to Bremen\"\nnotified = [\"manufacturing\"]\n",
                )?;
                c.commit_on("li.sales", "2026-03-05", "Deliver to Bremen", li())?;
                Ok(Probe::check(c))
            },
        },
        Scenario {
            id: "unrecorded-change",
            clause: "4.4",
            attack: "after the GM approved, Li changes the delivery place and records no change entry",
            exit: 1,
            rules: &["change-unrecorded", "review-stale"],
            setup: |dir, _| {
                let c = signed(dir)?;
                move_delivery(&c)?;
                c.commit_on("li.sales", "2026-03-05", "Deliver to Bremen", li())?;
                Ok(Probe::check(c))
            },
        },
        Scenario {
            id: "deleted-record",
            clause: "7.5.3",
            attack: "a customer record is committed, then deleted",
            exit: 1,
            rules: &["record-deleted"],
            setup: |dir, _| {
                let c = signed(dir)?;
                add_customer(&c)?;
                c.remove(CUSTOMER2)?;
                c.commit_on("li.sales", "2026-03-06", "Remove C-0002", li())?;
                Ok(Probe::check(c))
            },
        },
        Scenario {
            id: "rewritten-history",
            clause: "7.5.3",
            attack: "the site is published, then the last commit is dropped (git reset --hard HEAD~1, as a \
                     force-push would); check --published compares",
            exit: 1,
            rules: &["history-rewritten"],
            setup: |dir, docket| {
                let c = signed(&dir.join("records"))?;
                add_customer(&c)?;
                let site = dir.join("site");
                docket.build(&c.root, &site)?;
                let repo = c.repo()?;
                repo.revparse_single("HEAD~1")
                    .and_then(|o| repo.reset(&o, git2::ResetType::Hard, None))
                    .map_err(|e| Error::Git(format!("git reset: {}", e.message())))?;
                Ok(Probe::Check {
                    root: c.root,
                    published: Some(site),
                })
            },
        },
        Scenario {
            id: "hostile-text",
            clause: "21 CFR 11.10(a)",
            attack: "a script in a Markdown field and in a commit message; the built site must show it as \
                     text, never as markup",
            exit: 0,
            rules: &[],
            setup: |dir, _| {
                let c = signed(&dir.join("records"))?;
                c.edit(
                    SURVEY_PATH,
                    "returned = 2026-02-01\n",
                    &format!(
                        "returned = 2026-02-01\ncomments = \"{MARKER} {PAYLOAD} {PAYLOAD_TAG}\"\n"
                    ),
                )?;
                c.commit_on(
                    "li.sales",
                    "2026-03-05",
                    &format!("{MARKER} {PAYLOAD}"),
                    li(),
                )?;
                Ok(Probe::Site {
                    root: c.root,
                    out: dir.join("site"),
                })
            },
        },
        Scenario {
            id: "shallow-clone",
            clause: "7.5.3",
            attack: "the check runs on a shallow clone (what `git clone --depth 1` leaves: .git/shallow \
                     marks HEAD as the boundary), where the signing commits are missing",
            exit: 1,
            rules: &["history-unavailable"],
            setup: |dir, _| {
                let c = signed(dir)?;
                let head = c
                    .repo()?
                    .head()
                    .ok()
                    .and_then(|h| h.target())
                    .ok_or_else(|| Error::Git("no HEAD".into()))?;
                c.write(".git/shallow", &format!("{head}\n"))?;
                Ok(Probe::check(c))
            },
        },
        Scenario {
            id: "broken-configuration",
            clause: "3",
            attack: "docket.toml says signatures = \"SSH\" (not a policy): docket must fail closed, judge \
                     nothing and name the line",
            exit: 2,
            rules: &[],
            setup: |dir, _| {
                let c = signed(dir)?;
                c.edit(
                    "docket.toml",
                    "signatures = \"ssh\"",
                    "signatures = \"SSH\"",
                )?;
                Ok(Probe::check(c))
            },
        },
    ]
}

const CUSTOMER2: &str = "customers/C-0002.toml";

fn li() -> Signing<'static> {
    Signing::KeyOf("li.sales")
}

pub(super) fn gm() -> Signing<'static> {
    Signing::KeyOf("wang.gm")
}

/// The company under `ssh` with everyone's key, committed by Li on
/// 2026-03-02 with the order not yet reviewed (the bootstrap commit).
fn unreviewed(dir: &Path) -> Result<Company> {
    unreviewed_with(dir, |_| Ok(()))
}

/// [`unreviewed`], with `more` written before the bootstrap commit.
pub(super) fn unreviewed_with(
    dir: &Path,
    more: impl FnOnce(&Company) -> Result<()>,
) -> Result<Company> {
    let c = Company::base(dir)?;
    c.set_policy("ssh")?;
    c.write("people.toml", &people_toml_with_keys())?;
    c.write(ORDER_PATH, &ORDER.replace(REVIEW, ""))?;
    more(&c)?;
    c.commit_on("li.sales", "2026-03-02", "Records", li())?;
    Ok(c)
}

/// [`unreviewed`], then the GM's review committed on 2026-03-03 by
/// `who`, signed as `signing`.
fn review_as(dir: &Path, who: &str, signing: Signing) -> Result<Probe> {
    let c = unreviewed(dir)?;
    c.write(ORDER_PATH, ORDER)?;
    c.commit_on(who, "2026-03-03", "Review SO-2026-0001", signing)?;
    Ok(Probe::check(c))
}

/// The clean company: the GM's review signed with his key.
fn signed(dir: &Path) -> Result<Company> {
    let c = unreviewed(dir)?;
    c.write(ORDER_PATH, ORDER)?;
    c.commit_on("wang.gm", "2026-03-03", "Review SO-2026-0001", gm())?;
    Ok(c)
}

/// Li moves the order's delivery place (part of its substance).
fn move_delivery(c: &Company) -> Result<()> {
    c.edit(
        ORDER_PATH,
        "delivery_place = \"Hamburg\"",
        "delivery_place = \"Bremen\"",
    )
}

/// Li adds an inactive customer (no survey is owed) on 2026-03-05.
fn add_customer(c: &Company) -> Result<()> {
    let text = super::company::CUSTOMER
        .replace("C-0001", "C-0002")
        .replace("active = true", "active = false");
    c.write(CUSTOMER2, &text)?;
    c.commit_on("li.sales", "2026-03-05", "New customer C-0002", li())?;
    Ok(())
}
