//! A revoked key judged on trusted time (docs/timestamps.md).
//!
//! A key's `revoked` date stops it proving signatures made from that day
//! on, and "made" is, without more, the commit's committer date: the
//! signer's own word. A thief with a stolen key dates his commit the day
//! before the revocation and, judged on that date, proves a signature.
//! An RFC 3161 token is the one time no committer controls, so once the
//! tokens are verified ([`crate::tsa::stamps()`], after the proofs, since
//! the proofs name the signing commits) this pass judges again every
//! proven SSH signature whose key is revoked, there or in the people.toml
//! in force now:
//!
//! - a valid token keeps the signature only if it is dated before the
//!   revocation day (in the company's zone); one dated on or after it
//!   shows only that the commit existed by then, so it proves nothing;
//! - without a valid token, under `[timestamps] policy = "required"`, the
//!   commit's date is not evidence: the signature is not proven;
//! - without one under "optional" (and with timestamps off, when there
//!   are no tokens at all), the commit's date is judged, as the proofs
//!   already did.
//!
//! It only ever takes a proof away, never gives one: a signature the
//! commit's date already puts on or after the revocation stays unproven
//! whatever its token says. It runs on every run after the tokens, never
//! on cached proofs alone: the proof cache holds what the commits prove,
//! this what the tokens add, and a token changes without any record
//! changing.

use super::clock::date_at;
use super::index::History;
use super::proof::ProofStatus;
use super::sig::SignatureCheck;
use crate::finding::Message;
use crate::model::{SignaturePolicy, TimestampPolicy};
use crate::msg;
use crate::tsa::verdict::Token;
use jiff::civil::Date;

/// Take the proof from every SSH signature made with a revoked key that
/// no valid token dates before its revocation (the rules above), under
/// the timestamps `policy` in force now; `offset` is the company's.
pub fn judge_revoked_on_trusted_time(
    h: &mut History,
    policy: TimestampPolicy,
    offset: i32,
) -> crate::Result<()> {
    // Under "off" there are no tokens and the commit's date stands (without
    // history there are no proofs to judge).
    if policy == TimestampPolicy::Off {
        return Ok(());
    }
    let mut objects = None;
    let mut verdicts = Vec::new();
    for (i, p) in h.proofs.sections.iter().enumerate() {
        let (ProofStatus::Proven(_), Some(c)) = (&p.status, p.commit) else {
            continue;
        };
        let regime = h.regime_for(c);
        if regime.signatures != SignaturePolicy::Ssh || !holds_a_revoked_key(h, c, &p.by) {
            continue;
        }
        if objects.is_none() {
            objects = Some(h.objects()?);
        }
        let Some(o) = objects.as_ref() else { continue };
        let SignatureCheck::Valid { fingerprint, .. } = h.signature(o, c) else {
            continue;
        };
        let revoked = [
            regime
                .keyring()
                .key_of(&p.by, &fingerprint)
                .and_then(|k| k.revoked),
            h.governance.current().keyring().revoked(&fingerprint),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(r) = revoked else { continue };
        if let Some(why) = why_not_kept(h, c, r, policy, offset) {
            let commit = &h.commits[c];
            verdicts.push((
                i,
                msg!(
                    "policy \"ssh\" needs an SSH signature by {by}, but its signature commit {short} \
                     is signed with {by}'s key {fingerprint}, revoked from {r}, and {why_en}; the \
                     signer signs again with a key in force",
                    "簽核政策 \"ssh\" 要求 {by} 的 SSH 簽章，但其簽核提交 {short} 是以 {by} 自 {r} \
                     起已撤銷的金鑰 {fingerprint} 簽章，且{why_zh}；請簽核人以有效金鑰重新簽核";
                    short = commit.short(),
                    by = &p.by,
                    why_en = &why.en,
                    why_zh = &why.zh,
                ),
            ));
        }
    }
    for (i, why) in verdicts {
        h.proofs.sections[i].status = ProofStatus::Unproven(why);
    }
    Ok(())
}

/// Whether `by` holds a key with a `revoked` date in the policy in force
/// for commit `c` or now: only their signatures need a second look.
fn holds_a_revoked_key(h: &History, c: usize, by: &str) -> bool {
    let now = h.governance.current().keyring();
    h.regime_for(c)
        .keyring()
        .fingerprints()
        .filter(|(owner, ..)| *owner == by)
        .any(|(_, fp, key)| key.revoked.is_some() || now.revoked(fp).is_some())
}

/// Why the signature of commit `c`, made with a key revoked from `r`, is
/// not kept; `None` when it is.
fn why_not_kept(
    h: &History,
    c: usize,
    r: Date,
    policy: TimestampPolicy,
    offset: i32,
) -> Option<Message> {
    match h.stamps.token(c) {
        Some(Token::Trusted(t)) => {
            let day = date_at(t.gen_time, offset)?;
            (day >= r).then(|| {
                msg!(
                    "its timestamp shows only that it existed on {day}, not that it was made \
                     before {r}",
                    "其時間戳記只證明它在 {day} 已存在，不能證明它是在 {r} 之前所作"
                )
            })
        }
        _ if policy == TimestampPolicy::Required => Some(msg!(
            "it has no valid timestamp from before {r}: under [timestamps] policy \"required\" a \
             commit's own date does not show that a revoked key signed before its revocation (a \
             stolen key can date its commit at will)",
            "它沒有 {r} 之前的有效時間戳記：在 [timestamps] policy \"required\" 之下，提交本身的日期\
             不能證明已撤銷的金鑰是在撤銷前簽章（被盜的金鑰可任意設定提交日期）"
        )),
        _ => None,
    }
}
