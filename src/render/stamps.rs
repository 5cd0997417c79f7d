//! Trusted time on the site: what a signature's RFC 3161 token proves,
//! next to the signature on its record page, in words a reader of the
//! record understands (docs/timestamps.md).
//!
//! A commit's own time is whatever the signer's computer said; a verified
//! token says the commit existed by the TSA's time. The record page shows
//! both, `signed 11:31, timestamped 11:33 by <TSA>`, and only a token that
//! verifies gets to show a time. A token that does not verify shows none
//! and says why in a phrase, not in the verifier's vocabulary: someone
//! reading an approval needs "the timestamp is for another commit", not
//! "message imprint mismatch". The technical reason stays in the
//! `timestamp-missing` finding and `docket check`.
//!
//! The audit page lists what the trust rests on: each TSA certificate
//! the company listed (file, subject, SHA-256, validity), and the
//! tokens' coverage of the signing commits, every commit without a valid
//! token named with its reason in full.
//!
//! Every phrase is a site label, so both languages say it; the TSA's
//! subject is text from a certificate and goes to the template as plain
//! text, which escapes it like every other user-written string.

use super::context::Cx;
use super::views::{Block, Cell, Field, Table};
use crate::history::History;
use crate::model::TimestampPolicy;
use crate::tsa::{Reject, Token, TrustedTime, certificate_files};
use std::collections::BTreeMap;

/// How a signature's trusted time is shown: the words and a state for
/// styling (`trusted`, `invalid` or `missing`).
pub struct Shown {
    pub words: String,
    pub state: &'static str,
}

/// The trusted time of signing commit `c` in words, or `None` when
/// timestamps are off (no token is looked for).
pub fn trusted_time(
    t: impl Fn(&str) -> String,
    h: &History,
    c: usize,
    offset: i32,
) -> Option<Shown> {
    let committed = h.commits[c].committer.time;
    Some(match h.stamps.token(c)? {
        Token::Trusted(tt) => Shown {
            words: trusted_words(&t, committed, tt, offset),
            state: "trusted",
        },
        Token::Rejected(r) => Shown {
            words: format!("{}: {}", t("ts_no_trusted_time"), reason(&t, r)),
            state: "invalid",
        },
        Token::Missing => Shown {
            words: t("ts_missing"),
            state: "missing",
        },
    })
}

/// "signed 2026-03-03 11:31:00 +08:00, timestamped 11:33:10 by <TSA>":
/// the token's time without its date and zone when it falls on the same
/// day as the signing at the company's offset, as people say it.
pub fn trusted_words(
    t: impl Fn(&str) -> String,
    committed: i64,
    tt: &TrustedTime,
    offset: i32,
) -> String {
    let signed = crate::history::time_at(committed, offset);
    let stamped = crate::history::time_at(tt.gen_time, offset);
    let same_day =
        crate::history::date_at(committed, offset) == crate::history::date_at(tt.gen_time, offset);
    let stamped = if same_day {
        // "2026-03-03 11:33:10 +08:00" -> "11:33:10"
        stamped
            .split(' ')
            .nth(1)
            .map_or(stamped.clone(), str::to_string)
    } else {
        stamped
    };
    // The TSA's subject goes in last, so nothing it says is read as a
    // placeholder.
    t("ts_trusted")
        .replace("{signed}", &signed)
        .replace("{time}", &stamped)
        .replace("{tsa}", &tt.tsa_subject)
}

/// Why a token proves nothing, for a reader of the record.
pub fn reason(t: impl Fn(&str) -> String, r: &Reject) -> String {
    t(match r {
        Reject::Malformed(_) => "ts_why_malformed",
        Reject::NotGranted(_) => "ts_why_not_granted",
        Reject::OtherCommit => "ts_why_other_commit",
        Reject::Tampered(_) => "ts_why_tampered",
        Reject::UntrustedTsa(_) => "ts_why_untrusted",
        Reject::NotValidAt(_) => "ts_why_not_valid_at",
        Reject::BadEku(_) => "ts_why_bad_eku",
        Reject::Unsupported(_) => "ts_why_unsupported",
    })
}

/// The audit page's part on timestamps (`[timestamps] policy` not off):
/// the TSA certificates the company trusts, and how far the tokens cover
/// the signing commits, with every one not covered and why.
pub fn audit_blocks(cx: &Cx, h: &History) -> Vec<Block> {
    let config = &cx.model.config.timestamps;
    if config.policy == TimestampPolicy::Off {
        return Vec::new();
    }
    vec![certificates(cx), coverage(cx, h)]
}

fn certificates(cx: &Cx) -> Block {
    let t = |k: &str| cx.t(k);
    let mut table = Table::new(vec![
        t("file"),
        t("ts_subject"),
        "SHA-256".into(),
        t("ts_valid_from"),
        t("ts_valid_until"),
    ]);
    let day = |secs: i64| crate::tsa::certs::utc(secs);
    for (file, certs) in certificate_files(&cx.model.guard, &cx.model.config.timestamps) {
        match certs {
            Ok(certs) => {
                for c in certs {
                    let (from, until) = c.window();
                    table.push(vec![
                        Cell::text(file.clone()),
                        Cell::text(c.subject()).class("long"),
                        Cell::text(c.sha256()).class("cmd"),
                        Cell::text(day(from)),
                        Cell::text(day(until)),
                    ]);
                }
            }
            Err(why) => table.push(vec![
                Cell::text(file.clone()),
                Cell::text(why).class("error long"),
                Cell::text("-"),
                Cell::text("-"),
                Cell::text("-"),
            ]),
        }
    }
    let mut b = Block::table(t("ts_audit_certs"), table);
    b.anchor = Some("tsa-certificates".into());
    b.note = Some(t("ts_audit_certs_note"));
    b.wide = true;
    b
}

fn coverage(cx: &Cx, h: &History) -> Block {
    let t = |k: &str| cx.t(k);
    let offset = cx.model.config.company.offset_seconds;
    let ts = &cx.model.config.timestamps;
    let mut signed: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for p in &h.proofs.sections {
        if let Some(c) = p.commit {
            signed
                .entry(c)
                .or_default()
                .push(format!("{} {}", p.record, p.section));
        }
    }
    let (mut valid, mut missing, mut invalid) = (0, 0, 0);
    let mut table = Table::new(vec![
        t("commit"),
        t("date"),
        t("signed"),
        t("status"),
        t("ts_reason"),
    ]);
    for (&c, token) in &h.stamps.commits {
        let (status, class, why) = match token {
            Token::Trusted(_) => {
                valid += 1;
                continue;
            }
            Token::Missing => {
                missing += 1;
                (t("ts_missing"), "warning", String::new())
            }
            Token::Rejected(r) => {
                invalid += 1;
                (reason(t, r), "error", r.to_string())
            }
        };
        let commit = &h.commits[c];
        table.push(vec![
            Cell::text(commit.short().to_string()).class("cmd"),
            Cell::text(commit.committer.display_at(offset)),
            Cell::text(signed.remove(&c).unwrap_or_default().join("; ")).class("long"),
            Cell::text(status).class(class),
            Cell::text(why).class("long"),
        ]);
    }
    table.filter = table.rows.len() > 5;
    let mut b = Block::table(t("ts_audit_coverage"), table);
    b.anchor = Some("timestamp-coverage".into());
    b.fields = vec![
        Field {
            label: t("ts_policy"),
            cell: Cell::text(format!(
                "{} ({} {})",
                ts.policy.as_str(),
                t("ts_within_days"),
                ts.within_days
            )),
        },
        Field {
            label: t("ts_signing_commits"),
            cell: Cell::text(h.stamps.commits.len().to_string()),
        },
        Field {
            label: t("ts_with_valid"),
            cell: Cell::text(valid.to_string()),
        },
        Field {
            label: t("ts_without"),
            cell: Cell::text(missing.to_string()),
        },
        Field {
            label: t("ts_with_invalid"),
            cell: Cell::text(invalid.to_string()),
        },
    ];
    b.note = Some(t("ts_audit_coverage_note"));
    b.wide = true;
    if b.table.as_ref().is_some_and(|t| t.rows.is_empty()) {
        b.table = None;
    }
    b
}
