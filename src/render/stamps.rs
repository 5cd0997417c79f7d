//! Trusted time on the site: what a signature's RFC 3161 token proves,
//! next to the signature on its record page, in words a reader of the
//! record understands (docs/timestamps.md).
//!
//! A commit's own time is whatever the signer's computer said; a verified
//! token says the commit existed by the TSA's time. The record page shows
//! both, "signed 11:31, timestamped 11:33 by <TSA>", and only a token that
//! verifies gets to show a time. A token that does not verify shows none
//! and says why in a phrase, not in the verifier's vocabulary: someone
//! reading an approval needs "the timestamp is for another commit", not
//! "message imprint mismatch". The technical reason stays in the
//! `timestamp-missing` finding and `docket check`.
//!
//! Every phrase is a site label, so both languages say it; the TSA's
//! subject is text from a certificate and goes to the template as plain
//! text, which escapes it like every other user-written string.

use crate::history::History;
use crate::tsa::{Reject, Token, TrustedTime};

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
