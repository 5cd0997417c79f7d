//! Rules that judge the records against their git history
//! (docs/history.md): signatures, stale reviews, unrecorded changes,
//! deleted records, and where history could not be read.
//!
//! The history stage did the reading ([`crate::history::prove`]); these
//! functions only decide what is a finding, and say how to put it right.
//! Without history ([`Context::history`] is `None`, or the repository is
//! missing or shallow) only `history-unavailable` speaks: guessing
//! signatures from a partial history would accuse the wrong people.

use super::context::{Context, Sink};
use crate::finding::{Finding, Message, RuleId, Severity};
use crate::history::{Dirty, ProofState, ProofStatus, Unavailable};
use crate::kind::Kind;
use crate::load::stem;
use crate::model::{Record, SignaturePolicy};
use crate::{lexicon, msg};

/// `signature-unproven` (3): the signature commit of a signed section must
/// prove it under `policy.signatures`; an uncommitted section is unsigned.
pub fn signature_unproven(cx: &Context, out: &mut Sink) {
    let Some(h) = cx.usable_history() else { return };
    for p in &h.proofs.sections {
        if p.status.state() != ProofState::Unproven {
            continue;
        }
        let zsection = lexicon::path(&p.section);
        let zby = named(cx, &p.by);
        let why = match &p.status {
            ProofStatus::Unproven(why) => msg!(
                "`{section}` is signed by {by} in the file, but git does not prove it: {en}",
                "檔案中{zsection}由 {zby} 簽核，但 git 無法證實：{zh}";
                section = &p.section,
                by = &p.by,
                en = &why.en,
                zh = &why.zh
            ),
            _ => msg!(
                "`{section}` (signed by {by}) is not committed yet, so it is not signed: {by} must commit it",
                "{zsection}（由 {zby} 簽核）尚未提交，因此尚未簽核：{zby} 必須提交";
                section = &p.section,
                by = &p.by
            ),
        };
        if let Some((meta, pos)) = cx.location(&p.file, &p.section) {
            out.about(meta, Some(pos), why);
        }
    }
}

/// `signature-broken` (3): a signed section changed after signing by
/// someone other than its signer.
pub fn signature_broken(cx: &Context, out: &mut Sink) {
    let Some(h) = cx.usable_history() else { return };
    for p in &h.proofs.sections {
        let ProofStatus::Broken { signed, changed_by } = &p.status else {
            continue;
        };
        let changed_in = p
            .commit
            .map(|c| h.commits[c].short().to_string())
            .unwrap_or_default();
        let msg = msg!(
            "`{section}` was signed by {by} in commit {signed}, then changed by {changed_by} in commit {changed_in}: \
             the signature no longer covers what is there; {by} must review and sign it again",
            "{zsection}由 {by} 於提交 {signed} 簽核，之後由 {zchanged} 於提交 {changed_in} 修改：\
             簽核已不涵蓋現在的內容；{by} 必須重新審閱並簽核";
            section = &p.section,
            zsection = lexicon::path(&p.section),
            by = named(cx, &p.by),
            signed = h.commits[*signed].short(),
            zchanged = named(cx, changed_by)
        );
        if let Some((meta, pos)) = cx.location(&p.file, &p.section) {
            out.about(meta, Some(pos), msg);
        }
    }
}

/// The changes as a person reads them: `line 1 quantity: 500 -> 800`.
fn list(changes: &[crate::history::FieldChange]) -> Message {
    const SHOWN: usize = 5;
    let mut s: Vec<Message> = changes
        .iter()
        .take(SHOWN)
        .map(|c| {
            let text = c.text();
            let rest = text.en.strip_prefix(c.path.as_str()).unwrap_or(&text.en);
            Message {
                en: format!("{}{rest}", crate::words::field(&c.path)),
                zh: text.zh,
            }
        })
        .collect();
    if changes.len() > SHOWN {
        let more = changes.len() - SHOWN;
        s.push(msg!("and {more} more", "另有 {more} 項"));
    }
    Message::join(&s, "; ", "；")
}

/// `review-stale` (4.2.2 A): the order's substance changed after the
/// current review's signature commit; a changed order is reviewed again.
pub fn review_stale(cx: &Context, out: &mut Sink) {
    let Some(h) = cx.usable_history() else { return };
    for o in cx.model.orders.iter() {
        let (Some(review), Some(oh)) = (&o.review, h.proofs.orders.get(&o.meta().file)) else {
            continue;
        };
        if oh.stale.is_empty() {
            continue;
        }
        let since = oh
            .review_commit
            .map(|c| msg!(" (commit {short})", "（提交 {short}）"; short = h.commits[c].short()))
            .unwrap_or_default();
        let changes = list(&oh.stale);
        out.at(
            o,
            review.sign.by.pos,
            msg!(
                "the order changed after {by} signed the review{since_en}: {changes_en}; the changed order must be reviewed again: \
                 the GM signs it anew with `docket sign {id} review --decision {decision} --commit`",
                "{by} 簽核審查{since_zh}後訂單又有變更：{changes_zh}；變更後的訂單必須重新審查：\
                 由總經理以 `docket sign {id} review --decision {decision} --commit` 重新簽核";
                by = named(cx, &review.sign.by.value),
                since_en = &since.en,
                since_zh = &since.zh,
                changes_en = &changes.en,
                changes_zh = &changes.zh,
                id = &o.meta().id.value,
                decision = &review.decision.value
            ),
        );
    }
}

/// `change-unrecorded` (4.4): every change of an approved order's
/// substance needs a `[[change]]` entry dated on or after the review.
pub fn change_unrecorded(cx: &Context, out: &mut Sink) {
    let Some(h) = cx.usable_history() else { return };
    for o in cx.model.orders.iter() {
        let Some(oh) = h.proofs.orders.get(&o.meta().file) else {
            continue;
        };
        for c in &oh.after_approval {
            let recorded = c
                .review_date
                .is_none_or(|d| o.change.iter().any(|e| *e.date >= d));
            if recorded {
                continue;
            }
            let when = match c.commit {
                Some(ix) => msg!(
                    "in commit {short} by {who}",
                    "由 {who} 於提交 {short} 中";
                    short = h.commits[ix].short(),
                    who = author(cx, &h.commits[ix].author.email)
                ),
                None => msg!("in the working tree", "於工作目錄中"),
            };
            let after = c
                .review_date
                .map(|d| msg!(" (approved {d})", "（{d} 核准）"))
                .unwrap_or_default();
            let changes = list(&c.changes);
            out.at(
                o,
                changed_at(o, c.changes.first().map(|f| f.path.as_str())),
                msg!(
                    "the approved order{after_en} was changed {when_en}: {changes_en}; add a [[change]] entry saying what \
                     changed and which departments were told",
                    "已核准的訂單{after_zh}{when_zh}遭修改：{changes_zh}；請加上訂單變更紀錄 [[change]]，\
                     寫明變更內容與已通知的部門";
                    after_en = &after.en,
                    after_zh = &after.zh,
                    when_en = &when.en,
                    when_zh = &when.zh,
                    changes_en = &changes.en,
                    changes_zh = &changes.zh
                ),
            );
        }
    }
}

/// A person as messages name them: "Wang Daming (wang.gm)", or the id
/// as written when people.toml does not know it.
fn named(cx: &Context, id: &str) -> String {
    cx.model
        .person(id)
        .map_or_else(|| id.to_string(), crate::model::Person::named)
}

/// A commit author as messages name them: the person their email belongs
/// to, or the email.
fn author(cx: &Context, email: &str) -> String {
    cx.model
        .person_by_email(email)
        .map_or_else(|| email.to_string(), crate::model::Person::named)
}

/// Where in the order a changed field is: the line of the first change,
/// so an editor jumps to it; the top of the file for what has no place
/// of its own.
fn changed_at(o: &crate::model::Order, path: Option<&str>) -> crate::finding::Pos {
    let top = crate::finding::Pos { line: 1, col: 1 };
    let Some(path) = path else { return top };
    if let Some(rest) = path.strip_prefix("line[") {
        let (i, field) = rest.split_once(']').unwrap_or((rest, ""));
        let Some(l) = i.parse::<usize>().ok().and_then(|i| o.lines.get(i)) else {
            return top;
        };
        return match field.trim_start_matches('.') {
            "product" => l.product.pos,
            "spec" => l.spec.pos,
            "quantity" => l.quantity.pos,
            "delivery" => l.delivery.pos,
            "batch" => l.batch.as_ref().map_or(l.part_number.pos, |b| b.pos),
            _ => l.part_number.pos,
        };
    }
    match path {
        "customer" => o.customer.pos,
        "channel" => o.channel.pos,
        "received" => o.received.pos,
        "owner" => o.owner.pos,
        "legible" => o.legible.pos,
        "customer_ref" => o.customer_ref.as_ref().map_or(top, |v| v.pos),
        "special_requirements" => o.special_requirements.as_ref().map_or(top, |v| v.pos),
        "delivery_place" => o.delivery_place.as_ref().map_or(top, |v| v.pos),
        _ => top,
    }
}

/// `record-deleted` (7.5.3): a record file that existed in history is gone
/// from `HEAD` or the working tree and was not moved (its id is nowhere).
/// docket's own example records, deleted as shipped, are not records of
/// the company (docs/decisions.md).
pub fn record_deleted(cx: &Context, out: &mut Sink) {
    let Some(h) = cx.usable_history() else { return };
    let mut push = |rel: &str, how: Message, restore: String| {
        let Some(kind) = Kind::of_path(rel) else {
            return;
        };
        if cx.model.known_ids.contains(kind, stem(rel)) {
            return;
        }
        out.file(
            rel,
            Some(stem(rel)),
            msg!(
                "record {id} {how_en}; quality records are kept, not deleted: restore it (from the \
                 records folder: {restore}) and close or cancel it instead",
                "紀錄 {id} {how_zh}；品質紀錄應保存而不得刪除：請將其還原（於紀錄資料夾執行 {restore}），\
                 改以結案或取消處理";
                id = stem(rel),
                how_en = &how.en,
                how_zh = &how.zh
            ),
        );
    };
    for f in h
        .files
        .values()
        .filter(|f| f.deleted() && !shipped_example(f))
    {
        let rev = &f.revisions[0];
        let c = &h.commits[rev.commit];
        push(
            &f.path,
            msg!(
                "was deleted in commit {short} by {who}",
                "已由 {who} 於提交 {short} 刪除";
                short = c.short(),
                who = author(cx, &c.author.email)
            ),
            format!("git checkout {}^ -- {}", c.short(), f.path),
        );
    }
    for (rel, d) in &h.worktree {
        let example = h.files.get(rel).is_some_and(shipped_example);
        if *d == Dirty::Deleted && !example {
            push(
                rel,
                msg!("is deleted in the working tree", "已在工作目錄中刪除"),
                format!("git checkout HEAD -- {rel}"),
            );
        }
    }
}

/// Whether every revision of a file was docket's example file as shipped
/// (`docket init --example`, committed unchanged).
fn shipped_example(f: &crate::history::FileHistory) -> bool {
    let mut kept = f
        .revisions
        .iter()
        .filter_map(|r| Some((r.path.as_str(), r.blob.as_deref()?)))
        .peekable();
    kept.peek().is_some() && kept.all(|(path, blob)| crate::example::is_shipped(path, blob))
}

/// `history-unavailable`: where the history rules could not run. Under
/// `author` or `ssh`, a missing or shallow history is an error that
/// `[rules]` cannot lower: a gate that passed because it could not see the
/// signatures would be no gate (docs/decisions.md). Uncommitted changes
/// stay a warning: a check before committing must be able to pass.
pub fn history_unavailable(cx: &Context, out: &mut Sink) {
    let Some(h) = cx.history else { return };
    let gate = cx.model.config.policy.signatures != SignaturePolicy::None;
    let mut missing = |message: Message| {
        let mut f = Finding::new(RuleId::HistoryUnavailable, "docket.toml", None, message);
        if gate {
            f = f.pinned(Severity::Error);
        } else if cx
            .model
            .config
            .severity(RuleId::HistoryUnavailable)
            .is_none()
        {
            return;
        }
        out.push(f);
    };
    match h.unavailable {
        Some(Unavailable::NoRepository) => {
            missing(msg!(
                "no git repository above the records root: signatures, stale reviews and deleted \
                 records cannot be checked (git init, then commit the records)",
                "紀錄庫之上沒有 git 儲存庫：無法檢查簽核、過期審查與已刪除的紀錄\
                 （請先 git init，再提交紀錄）"
            ));
            return;
        }
        Some(Unavailable::Shallow) => {
            missing(msg!(
                "the git repository is a shallow clone, so the commits that signed the records may be \
                 missing: history rules did not run; fetch the whole history (git fetch --unshallow; \
                 in CI, fetch-depth: 0 for GitHub's actions/checkout, GIT_DEPTH: 0 for GitLab)",
                "git 儲存庫為淺層複製，簽核紀錄的提交可能不在其中：歷史規則未執行；請取得完整歷史\
                 （git fetch --unshallow；CI 中，GitHub 的 actions/checkout 設 fetch-depth: 0，GitLab 設 GIT_DEPTH: 0）"
            ));
            return;
        }
        None => {}
    }
    if cx
        .model
        .config
        .severity(RuleId::HistoryUnavailable)
        .is_none()
    {
        return;
    }
    // Before the first commit every file is "not committed": one finding
    // says so, instead of one per file burying everything else.
    if h.files.is_empty() && !h.worktree.is_empty() {
        out.file(
            "docket.toml",
            None,
            msg!(
                "nothing below the records root is committed yet ({files} not committed): the records \
                 are checked as they are, but signatures, stale reviews and deleted records need \
                 commits (git add -A, then git commit)",
                "紀錄庫中尚未提交任何檔案（{n} 個檔案未提交）：紀錄依現況檢查，但簽核、過期審查與\
                 已刪除的紀錄需要提交（git add -A，再 git commit）";
                n = h.worktree.len(),
                files = crate::words::count(n, "file")
            ),
        );
        return;
    }
    let unsigned_files: std::collections::BTreeSet<&str> = h
        .proofs
        .sections
        .iter()
        .filter(|p| p.status == ProofStatus::Uncommitted)
        .map(|p| p.file.as_str())
        .collect();
    for (rel, d) in &h.worktree {
        if unsigned_files.contains(rel.as_str()) {
            continue;
        }
        let (what, zwhat) = match d {
            Dirty::Modified => ("has uncommitted changes", "有未提交的變更"),
            Dirty::Untracked => ("is not committed", "尚未提交"),
            Dirty::Deleted => continue,
        };
        out.file(
            rel,
            Kind::of_path(rel).map(|_| stem(rel)),
            msg!(
                "{what}: the working copy is checked, but its history rules cover only what is committed",
                "{zwhat}：工作目錄中的版本已檢查，但歷史規則只涵蓋已提交的內容"
            ),
        );
    }
}
