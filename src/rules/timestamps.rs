//! `timestamp-missing`: every signing commit gets an RFC 3161 token
//! within `[timestamps] within_days` of being made (docs/timestamps.md).
//!
//! The history stage verified the tokens ([`crate::tsa::stamps()`]); this
//! rule only decides what is late. A token that is present but does not
//! verify counts as none, and the finding says why it does not. What a
//! valid token says about the signing time (a commit dated after its
//! token, a token long after its commit) is for the rules on signing
//! times, not this one.

use super::context::{Context, Sink};
use crate::model::TimestampPolicy;
use crate::model::read::days_between;
use crate::msg;
use crate::tsa::{Token, token_path};

/// `timestamp-missing` (3): a signing commit older than `within_days`
/// (from its committer date, in the company's time zone, to the as-of
/// date) without a valid token.
pub fn timestamp_missing(cx: &Context, out: &mut Sink) {
    let ts = &cx.model.config.timestamps;
    if ts.policy == TimestampPolicy::Off {
        return;
    }
    let Some(h) = cx.usable_history() else { return };
    let offset = cx.model.config.company.offset_seconds;
    for p in &h.proofs.sections {
        let Some(i) = p.commit else { continue };
        let c = &h.commits[i];
        let why = match h.stamps.token(i) {
            Some(Token::Trusted(_)) => continue,
            Some(Token::Rejected(r)) => msg!(
                "its token {path} is not valid: {r}",
                "其時戳 {path} 無效（{r}）";
                path = token_path(&c.id)
            ),
            Some(Token::Missing) | None => msg!(
                "there is no {path}",
                "沒有 {path}";
                path = token_path(&c.id)
            ),
        };
        let Some(day) = c.committer.date_at(offset) else {
            continue;
        };
        let days = days_between(day, cx.as_of);
        if days <= i64::from(ts.within_days) {
            continue;
        }
        let Some((meta, pos)) = cx.location(&p.file, &p.section) else {
            continue;
        };
        out.about(
            meta,
            Some(pos),
            msg!(
                "`{section}` was signed by {by} in commit {short} on {day}, {ago} ago, and has no valid \
                 timestamp (the policy allows {allowed}): {why_en}; run `docket stamp` and commit timestamps/",
                "{zsection}由 {zby} 於 {day} 在提交 {short} 簽核，已過 {days} 天，仍沒有有效的時戳\
                 （政策容許 {within} 天）：{why_zh}；請執行 `docket stamp` 並提交 timestamps/";
                section = &p.section,
                zsection = crate::lexicon::path(&p.section),
                by = &p.by,
                zby = cx.model.person(&p.by).map_or_else(|| p.by.clone(), |x| x.named()),
                short = c.short(),
                ago = crate::words::count(days, "day"),
                within = ts.within_days,
                allowed = crate::words::count(within, "day"),
                why_en = &why.en,
                why_zh = &why.zh
            ),
        );
    }
}
