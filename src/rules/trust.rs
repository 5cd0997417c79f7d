//! The trust rules (DESIGN 8; docs/history.md): changes to the controlled
//! documents made by someone who may not, signatures whose times do not
//! add up, and commit times that go backwards or into the future.
//!
//! The history stage did the judging of governance (`history::govern`);
//! these functions decide what is a finding and say how to put it right.
//! Like the other history rules they say nothing without a usable history.

use super::context::{Context, Sink};
use crate::history::{Commit, FileChange, History, Status};
use crate::model::SignaturePolicy;
use std::collections::{BTreeMap, BTreeSet};

/// `governance-unproven` (7.5.3): a change to people.toml, docket.toml or
/// procedure.md not made by a governance role under the policy in force.
/// It did not take effect; it stops failing once a governed commit of the
/// same file takes the file over as it stands (that commit's own listing
/// in `diff` and `check --base` shows what it put in force).
pub fn governance_unproven(cx: &Context, out: &mut Sink) {
    let Some(h) = cx.usable_history() else { return };
    for e in &h.governance.events {
        for f in &e.files {
            let Status::Unproven(why) = &f.status else {
                continue;
            };
            if f.superseded {
                continue;
            }
            out.file(&f.file, None, governance_message(h, e.commit, f, why));
        }
    }
}

fn governance_message(h: &History, judged: usize, f: &FileChange, why: &str) -> String {
    let regime = h.regime_for(judged);
    let who = |c: &Commit| regime.who(&c.author.name, &c.author.email);
    let (made, merge) = (&h.commits[f.made_in], &h.commits[judged]);
    let mut by = format!("in commit {} by {}", made.short(), who(made));
    if f.made_in != judged {
        by.push_str(&format!(
            " (on a branch), merged in commit {} by {}",
            merge.short(),
            who(merge)
        ));
    }
    let what = if f.changes.is_empty() {
        String::new()
    } else {
        format!(" It changed: {}.", f.changes.join("; "))
    };
    let roles = regime.governance_roles();
    format!(
        "{} was changed {by} without governance: {why}.{what} The change does not take effect: \
         signatures stay judged by the {} before it. If it is wanted, someone with role {roles} \
         commits {} (their commit takes the file over as it stands, and lists what it puts in \
         force); if not, revert it (git revert {}).",
        f.file,
        f.file,
        f.file,
        merge.short()
    )
}

/// `signature-time` (3): a signed section whose written date is more than
/// the tolerance from its signing time (the signature commit's committer
/// time), whose commit's author time is earlier than its committer time
/// by more than the tolerance (a backdated author date), or whose signer
/// had left by either. One finding per section, with every reason.
pub fn signature_time(cx: &Context, out: &mut Sink) {
    let Some(h) = cx.usable_history() else { return };
    let offset = cx.model.config.company.offset_seconds;
    for s in cx.model.signed_sections() {
        let Some(c) = cx.proof(s.meta, &s.path).and_then(|p| p.commit) else {
            continue;
        };
        let regime = h.regime_for(c);
        if regime.signatures == SignaturePolicy::None {
            continue;
        }
        let commit = &h.commits[c];
        let (Some(signed), Some(authored)) =
            (commit.signed_on(offset), commit.author.date_at(offset))
        else {
            continue;
        };
        let t = i64::from(regime.tolerance_days);
        let written = *s.sign.date;
        let mut why = Vec::new();
        let apart = crate::model::days_between(written, signed);
        if apart.abs() > t {
            let side = if apart > 0 { "before" } else { "after" };
            why.push(format!(
                "it is dated {written}, {} days {side} it was signed on {signed}",
                apart.abs()
            ));
        }
        let back = commit.committer.time - commit.author.time;
        if back > regime.tolerance_seconds() {
            why.push(format!(
                "the commit's author date ({}) is {} days before it was committed: a backdated \
                 author date (GIT_AUTHOR_DATE)",
                commit.author.display_at(offset),
                back / 86_400
            ));
        }
        if let Some(stamped) = h.stamps.trusted_time(c) {
            why.extend(stamp_disagrees(
                cx,
                commit,
                stamped.gen_time,
                regime.tolerance_seconds(),
            ));
        }
        let signer = regime.person(&s.sign.by);
        if let Some((left, day)) =
            signer.and_then(|p| crate::history::regime::left_by(p, Some(signed), Some(authored)))
        {
            why.push(format!(
                "{} left on {left}, before the commit ({day}): someone who has left cannot sign",
                s.sign.by.value
            ));
        }
        if why.is_empty() {
            continue;
        }
        let name = signer.map_or_else(|| s.sign.by.value.clone(), |p| p.named());
        out.about(
            s.meta,
            Some(s.sign.date.pos),
            format!(
                "`{}` signed by {name} in commit {} (committed {}): {}. Dates may differ from the \
                 commit by {} at most; write the date the section was really signed and \
                 commit it then (timeliness rules count from the later of the two)",
                s.path,
                commit.short(),
                commit.committer.display_at(offset),
                why.join("; "),
                crate::words::count(t, "day"),
            ),
        );
    }
}

/// What a verified timestamp says against its commit's committer time.
/// The token's `genTime` is the one time no committer controls: a commit
/// cannot have been made after it was stamped (beyond the tolerance), and
/// a commit stamped more than `[timestamps] within_days` after its date
/// may carry any date its committer chose (`GIT_COMMITTER_DATE` set before
/// a leaving day, a key's revocation or a deadline): the date the token
/// bounds is then the only one that counts, and the signature is not
/// trusted to be as old as it says.
fn stamp_disagrees(cx: &Context, commit: &Commit, gen_time: i64, tolerance: i64) -> Option<String> {
    let offset = cx.model.config.company.offset_seconds;
    let stamped = crate::history::date_at(gen_time, offset)?;
    let committed = commit.signed_on(offset)?;
    let after = gen_time - commit.committer.time;
    if after < -tolerance {
        return Some(format!(
            "its timestamp proves the commit existed on {stamped}, yet the commit says it was              made on {committed}: a commit dated after it was stamped (GIT_COMMITTER_DATE)"
        ));
    }
    let within = i64::from(cx.model.config.timestamps.within_days);
    let late = crate::model::days_between(committed, stamped);
    (late > within).then(|| {
        format!(
            "it was timestamped on {stamped}, {} after its commit date ({committed}), more than              the {} [timestamps] allows: nothing proves the commit is older than its timestamp,              so its date may have been set back (GIT_COMMITTER_DATE)",
            crate::words::count(late, "day"),
            crate::words::count(within, "day")
        )
    })
}

/// `history-time` (7.5.3): a first-parent commit whose committer time is
/// earlier than its parent's, or later than the end of the as-of day, by
/// more than the tolerance. The finding is on the first file below the
/// records root the commit touched (so `check --base` puts it with the
/// change), or on docket.toml for a commit that touched none.
pub fn history_time(cx: &Context, out: &mut Sink) {
    let Some(h) = cx.usable_history() else { return };
    let offset = cx.model.config.company.offset_seconds;
    let t = i64::from(cx.model.config.policy.date_tolerance_days) * 86_400;
    let end_of_day = jiff::tz::Offset::from_seconds(offset)
        .ok()
        .and_then(|o| {
            o.to_timestamp(
                cx.as_of
                    .tomorrow()
                    .ok()?
                    .to_datetime(jiff::civil::Time::midnight()),
            )
            .ok()
        })
        .map(|ts| ts.as_second());
    let line = h.line();
    let mut odd: Vec<(usize, String)> = Vec::new();
    for (k, &c) in line.iter().enumerate() {
        let commit = &h.commits[c];
        if let Some(&p) = k.checked_sub(1).and_then(|j| line.get(j)) {
            let parent = &h.commits[p];
            let back = parent.committer.time - commit.committer.time;
            if back > t {
                odd.push((
                    c,
                    format!(
                        "was committed {}, {} days before its parent {} ({}): commit times go \
                         backwards along the history",
                        commit.committer.display_at(offset),
                        back / 86_400,
                        parent.short(),
                        parent.committer.display_at(offset)
                    ),
                ));
            }
        }
        if let Some(end) = end_of_day
            && commit.committer.time - end > t
        {
            odd.push((
                c,
                format!(
                    "is dated {}, after the as-of date {}: commit times lie in the future",
                    commit.committer.display_at(offset),
                    cx.as_of
                ),
            ));
        }
    }
    if odd.is_empty() {
        return;
    }
    let files = touched(h, odd.iter().map(|(c, _)| *c).collect());
    for (c, what) in odd {
        let commit = &h.commits[c];
        let who = h
            .regime_for(c)
            .who(&commit.author.name, &commit.author.email);
        let file = files.get(&c).and_then(|f| f.first());
        let record = file
            .filter(|f| crate::kind::Kind::of_path(f).is_some())
            .map(|f| crate::load::stem(f));
        out.file(
            file.map_or("docket.toml", |f| f.as_str()),
            record,
            format!(
                "commit {} by {who} {what}. A clock was wrong or a date was set by hand \
                 (GIT_COMMITTER_DATE); the order and dates of the history around it cannot be \
                 relied on: check them against other evidence, and correct the clock",
                commit.short()
            ),
        );
    }
}

/// The files (path order) each of `commits` touched.
fn touched(h: &History, commits: BTreeSet<usize>) -> BTreeMap<usize, Vec<String>> {
    let mut out: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for f in h.files.values() {
        for r in f.revisions.iter().filter(|r| commits.contains(&r.commit)) {
            out.entry(r.commit).or_default().push(r.path.clone());
        }
    }
    for files in out.values_mut() {
        files.sort();
    }
    out
}
