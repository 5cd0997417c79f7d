//! The trust rules (DESIGN 8; docs/history.md): changes to the controlled
//! documents made by someone who may not, signatures whose times do not
//! add up, and commit times that go backwards or into the future.
//!
//! The history stage did the judging of governance (`history::govern`);
//! these functions decide what is a finding and say how to put it right.
//! Like the other history rules they say nothing without a usable history.

use super::context::{Context, Sink};
use crate::finding::Message;
use crate::history::{Commit, FileChange, History, Status};
use crate::model::SignaturePolicy;
use crate::msg;
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

fn governance_message(h: &History, judged: usize, f: &FileChange, why: &Message) -> Message {
    let regime = h.regime_for(judged);
    let who = |c: &Commit| regime.who(&c.author.name, &c.author.email);
    let (made, merge) = (&h.commits[f.made_in], &h.commits[judged]);
    let (made_short, made_by) = (made.short(), who(made));
    let mut by = msg!(
        "in commit {made_short} by {made_by}",
        "由 {made_by} 於提交 {made_short}"
    );
    if f.made_in != judged {
        let (merge_short, merged_by) = (merge.short(), who(merge));
        let more = msg!(
            " (on a branch), merged in commit {merge_short} by {merged_by}",
            "（在分支上）、再由 {merged_by} 於提交 {merge_short} 合併"
        );
        by.en.push_str(&more.en);
        by.zh.push_str(&more.zh);
    }
    // What changed is docket's own account of the controlled file (keys,
    // roles, settings as written), kept as it is in both languages.
    let what = if f.changes.is_empty() {
        Message::default()
    } else {
        let list = Message::join(&f.changes, "; ", "；");
        msg!(" It changed: {en}.", "變更內容：{zh}。"; en = list.en, zh = list.zh)
    };
    let roles = regime.governance_roles();
    let zroles = regime.governance_roles_zh();
    let (file, revert) = (&f.file, merge.short());
    msg!(
        "{file} was changed {by_en} without governance: {why_en}.{what_en} The change does not take effect: \
         signatures stay judged by the {file} before it. If it is wanted, someone with role {roles} \
         commits {file} (their commit takes the file over as it stands, and lists what it puts in \
         force); if not, revert it (git revert {revert}).",
        "{file} {by_zh}未經治理即遭變更：{why_zh}。{what_zh}此變更不生效：簽核仍依變更前的 {file} 判定。\
         若此變更是要的，請由具{zroles}角色者提交 {file}（其提交以檔案現況接手，並列出生效的內容）；\
         若不要，請還原（git revert {revert}）。";
        by_en = &by.en,
        by_zh = &by.zh,
        why_en = &why.en,
        why_zh = &why.zh,
        what_en = &what.en,
        what_zh = &what.zh
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
        let mut why: Vec<Message> = Vec::new();
        let apart = crate::model::days_between(written, signed);
        if apart.abs() > t {
            let (side, zside) = if apart > 0 {
                ("before", "早於")
            } else {
                ("after", "晚於")
            };
            why.push(msg!(
                "it is dated {written}, {n} days {side} it was signed on {signed}",
                "日期寫為 {written}，{zside}實際簽核日 {signed} {n} 天";
                n = apart.abs()
            ));
        }
        let back = commit.committer.time - commit.author.time;
        if back > regime.tolerance_seconds() {
            why.push(msg!(
                "the commit's author date ({authored}) is {n} days before it was committed: a backdated \
                 author date (GIT_AUTHOR_DATE)",
                "提交的作者日期（{authored}）早於提交時間 {n} 天：作者日期遭回溯（GIT_AUTHOR_DATE）";
                authored = commit.author.display_at(offset),
                n = back / 86_400
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
            why.push(msg!(
                "{by} left on {left}, before the commit ({day}): someone who has left cannot sign",
                "{name} 已於 {left} 離職，早於此提交（{day}）：已離職者不能簽核";
                by = &s.sign.by.value,
                name = signer.map_or_else(|| by.clone(), |p| p.named())
            ));
        }
        if why.is_empty() {
            continue;
        }
        let name = signer.map_or_else(|| s.sign.by.value.clone(), |p| p.named());
        out.about(
            s.meta,
            Some(s.sign.date.pos),
            msg!(
                "`{path}` signed by {name} in commit {short} (committed {committed}): {why_en}. Dates may differ from the \
                 commit by {most} at most; write the date the section was really signed and \
                 commit it then (timeliness rules count from the later of the two)",
                "{zpath}由 {name} 於提交 {short} 簽核（提交時間 {committed}）：{why_zh}。\
                 日期與提交最多只能相差 {t} 天；請寫上實際簽核的日期並於當時提交（時效規則以兩者中較晚者起算）";
                path = &s.path,
                zpath = crate::lexicon::path(&s.path),
                short = commit.short(),
                committed = commit.committer.display_at(offset),
                joined = Message::join(&why, "; ", "；"),
                why_en = &joined.en,
                why_zh = &joined.zh,
                most = crate::words::count(t, "day")
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
fn stamp_disagrees(
    cx: &Context,
    commit: &Commit,
    gen_time: i64,
    tolerance: i64,
) -> Option<Message> {
    let offset = cx.model.config.company.offset_seconds;
    let stamped = crate::history::date_at(gen_time, offset)?;
    let committed = commit.signed_on(offset)?;
    let after = gen_time - commit.committer.time;
    if after < -tolerance {
        return Some(msg!(
            "its timestamp proves the commit existed on {stamped}, yet the commit says it was \
             made on {committed}: a commit dated after it was stamped (GIT_COMMITTER_DATE)",
            "其時戳證明此提交在 {stamped} 已存在，但提交卻自稱於 {committed} 做成：\
             提交日期晚於時戳（GIT_COMMITTER_DATE）"
        ));
    }
    let within = i64::from(cx.model.config.timestamps.within_days);
    let late = crate::model::days_between(committed, stamped);
    (late > within).then(|| {
        msg!(
            "it was timestamped on {stamped}, {late_en} after its commit date ({committed}), more than \
             the {within_en} [timestamps] allows: nothing proves the commit is older than its timestamp, \
             so its date may have been set back (GIT_COMMITTER_DATE)",
            "於 {stamped} 才取得時戳，晚於提交日期（{committed}）{late} 天，超過 [timestamps] 容許的 {within} 天：\
             沒有任何證據顯示提交早於其時戳，提交日期可能遭回溯（GIT_COMMITTER_DATE）";
            late_en = crate::words::count(late, "day"),
            within_en = crate::words::count(within, "day")
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
    let mut odd: Vec<(usize, Message)> = Vec::new();
    for (k, &c) in line.iter().enumerate() {
        let commit = &h.commits[c];
        if let Some(&p) = k.checked_sub(1).and_then(|j| line.get(j)) {
            let parent = &h.commits[p];
            let back = parent.committer.time - commit.committer.time;
            if back > t {
                odd.push((
                    c,
                    msg!(
                        "was committed {at}, {n} days before its parent {p} ({p_at}): commit times go \
                         backwards along the history",
                        "的提交時間為 {at}，早於其父提交 {p}（{p_at}）{n} 天：提交時間沿歷史倒退";
                        at = commit.committer.display_at(offset),
                        n = back / 86_400,
                        p = parent.short(),
                        p_at = parent.committer.display_at(offset)
                    ),
                ));
            }
        }
        if let Some(end) = end_of_day
            && commit.committer.time - end > t
        {
            odd.push((
                c,
                msg!(
                    "is dated {at}, after the as-of date {as_of}: commit times lie in the future",
                    "的日期為 {at}，晚於基準日 {as_of}：提交時間落在未來";
                    at = commit.committer.display_at(offset),
                    as_of = cx.as_of
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
            msg!(
                "commit {short} by {who} {what_en}. A clock was wrong or a date was set by hand \
                 (GIT_COMMITTER_DATE); the order and dates of the history around it cannot be \
                 relied on: check them against other evidence, and correct the clock",
                "{who} 的提交 {short} {what_zh}。可能是時鐘錯誤或日期遭手動設定（GIT_COMMITTER_DATE）；\
                 其前後歷史的順序與日期不可採信：請以其他證據核對，並校正時鐘";
                short = commit.short(),
                what_en = &what.en,
                what_zh = &what.zh
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
