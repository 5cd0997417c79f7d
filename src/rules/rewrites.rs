//! `history-rewritten` (7.5.3): the history a site was published from
//! must stay the history. A record that was published and approved can
//! disappear without a trace in the new history (`git reset --hard`, a
//! rebase, a force-push): the walk only sees what is there, so
//! `record-deleted` never fires. The commit a site was built from is the
//! one trace left; the command that has the site (`build`, `check
//! --published`) hands it to the history stage, which compares it with
//! `HEAD` ([`crate::history::rewrite`]); this rule only words what it
//! found, one finding per published commit that is gone, on `docket.toml`
//! (the repository as a whole, as `history-unavailable`). A published
//! commit still in the history but taken off the main line by a merge
//! is worded apart ([`left_line`]): no commit was lost, but the new line
//! came from an unrelated history, or its commits are judged under rules
//! the published line had already changed, or the merge left out what
//! the site showed.

use super::context::{Context, Sink};
use crate::finding::Message;
use crate::history::{LOST_READ, LeftLine, Rewrite, short};
use crate::msg;
use crate::words::count;

/// How many commits and records a message names; the rest are counted.
const NAMED: usize = 10;

/// `history-rewritten`: a published commit no longer in the history.
pub fn history_rewritten(cx: &Context, out: &mut Sink) {
    let Some(h) = cx.history.filter(|h| h.unavailable.is_none()) else {
        return;
    };
    for r in &h.rewrites {
        out.file("docket.toml", None, message(cx, r));
    }
}

fn message(cx: &Context, r: &Rewrite) -> Message {
    if let Some(l) = &r.left_line {
        return left_line(r, l);
    }
    let at = short(&r.published);
    let mut m = msg!(
        "the site was built from commit {at}, which is no longer in the history of HEAD (a reset, \
         rebase or force-push took it out)",
        "本站產出所依據的提交 {at} 已不在 HEAD 的歷史中（遭 reset、rebase 或強制推送移除）"
    );
    let mut add = |more: Message| {
        m.en.push_str(&more.en);
        m.zh.push_str(&more.zh);
    };
    let known = !r.lost.is_empty() || !r.records.is_empty();
    if !known {
        add(msg!(
            ": its objects are gone from this repository (pruned, or the site was built from \
             another repository), so which commits and records were lost cannot be told",
            "：其物件已不在此儲存庫中（已清除，或本站產出自另一個儲存庫），因此無法得知遺失了哪些提交與紀錄"
        ));
    } else {
        if !r.objects {
            add(msg!(
                "; its objects are gone now, and this is what an earlier build found",
                "；其物件現已不存在，以下是先前產出時的發現"
            ));
        }
        let offset = cx.model.config.company.offset_seconds;
        let commits: Vec<String> = r
            .lost
            .iter()
            .take(NAMED)
            .map(|c| {
                let day = c
                    .date_at(offset)
                    .map(|d| format!(", {d}"))
                    .unwrap_or_default();
                format!("{} \"{}\" ({}{day})", short(&c.id), c.summary, c.author)
            })
            .collect();
        let are = if r.lost_count == 1 { "is" } else { "are" };
        let lost = Message {
            en: listed(commits.clone(), r.lost_count, false),
            zh: listed(commits, r.lost_count, true),
        };
        add(msg!(
            ": {n_en} {are} no longer reachable: {en}",
            "：有 {n} 個提交已無法到達：{zh}";
            n = r.lost_count,
            n_en = count(n, "commit"),
            en = &lost.en,
            zh = &lost.zh
        ));
        // Only the newest LOST_READ lost commits are read for records: say
        // so, or "they touched 1 record" would claim more than was read.
        let they = if r.lost_count > LOST_READ {
            msg!(
                "the newest {n} of them (older ones were not read)",
                "其中最新的 {n} 個提交（較舊者未讀取）";
                n = LOST_READ
            )
        } else {
            msg!("they", "這些提交")
        };
        if !r.records.is_empty() {
            let records: Vec<Message> = r
                .records
                .iter()
                .take(NAMED)
                .map(|l| {
                    let now = if l.gone(cx.model) {
                        msg!("gone from the records", "已自紀錄庫消失")
                    } else {
                        msg!(
                            "still in the records, without what the lost commits changed",
                            "仍在紀錄庫中，但不含遺失提交所做的變更"
                        )
                    };
                    msg!(
                        "{id} ({now_en}; last in commit {c})",
                        "{id}（{now_zh}；最後見於提交 {c}）";
                        id = &l.id,
                        now_en = &now.en,
                        now_zh = &now.zh,
                        c = short(&l.commit)
                    )
                })
                .collect();
            let n = r.records.len();
            add(msg!(
                "; {they_en} touched {n_en}: {en}",
                "；{they_zh}涉及 {n} 筆紀錄：{zh}";
                they_en = &they.en,
                they_zh = &they.zh,
                n_en = count(n, "record"),
                en = listed(records.iter().map(|m| m.en.clone()).collect(), n, false),
                zh = listed(records.iter().map(|m| m.zh.clone()).collect(), n, true)
            ));
        } else if r.lost_count > LOST_READ {
            add(msg!(
                "; {they_en} touched no record",
                "；{they_zh}未涉及任何紀錄";
                they_en = &they.en,
                they_zh = &they.zh
            ));
        }
    }
    if r.objects {
        add(msg!(
            "; quality records are kept, not rewritten: put the commits back into the history \
             (git merge {at}; `git merge -s ours {at}` keeps them in the history without their \
             changes), then build again",
            "；品質紀錄應保存而不得改寫：請將這些提交併回歷史（git merge {at}；\
             `git merge -s ours {at}` 可保留提交而不採用其變更），然後重新產出"
        ));
    } else {
        let published = &r.published;
        add(msg!(
            "; quality records are kept, not rewritten: fetch the commits back from a clone that \
             still has them (git fetch CLONE {published}) and merge them (git merge {at}), then build again",
            "；品質紀錄應保存而不得改寫：請自仍保有這些提交的複本取回（git fetch CLONE {published}）\
             並合併（git merge {at}），然後重新產出"
        ));
    }
    m
}

/// The published commit is in the history, off the main line.
fn left_line(r: &Rewrite, l: &LeftLine) -> Message {
    let at = short(&r.published);
    let merge = short(&l.merge);
    let n = l.commits;
    let n_en = count(n, "commit");
    let mut m = msg!(
        "the site was built from commit {at}, which is still in the history of HEAD but no longer \
         on its main line (the first-parent line): merge {merge} took it in through a later parent",
        "本站產出所依據的提交 {at} 仍在 HEAD 的歷史中，但已不在主線（第一父提交線）上：合併提交 \
         {merge} 經由非第一父提交將其併入"
    );
    let mut add = |more: Message| {
        m.en.push_str(&more.en);
        m.zh.push_str(&more.zh);
    };
    match &l.fork {
        None => add(msg!(
            ". The main line before that merge shares no commit with the published line (an \
             unrelated history, what `git checkout --orphan` makes): its {n_en} up to and \
             including that merge were judged under that history's own rules",
            "。該合併之前的主線與已發佈的主線沒有任何共同的提交（不相關的歷史，即 `git checkout \
             --orphan` 所產生者）：其上直到並包含該合併的 {n} 個提交，依該歷史自身的規則判斷"
        )),
        Some(fork) => {
            let fork = short(fork);
            if l.fork_branch {
                add(msg!(
                    ". Where the two lines parted, commit {fork} was not on the published line's \
                     main line but a branch commit there: the main line's {n_en} from it, up to and \
                     including that merge, are judged under the rules in force along another line \
                     than the one the site was judged by",
                    "。兩線分出處的提交 {fork} 不在已發佈的主線上，而是其上的分支提交：主線上自該處起、\
                     直到並包含該合併的 {n} 個提交，依另一條線上當時的規則判斷，而非本站判斷時所依的規則"
                ));
            }
            if !l.changed.is_empty() {
                let files = l.changed.join(", ");
                add(msg!(
                    ". The main line's {n_en} after commit {fork}, where the two lines parted, up \
                     to and including that merge, were made without the change the published line \
                     had made to {files}, and are judged under the rules at {fork}, as if that \
                     change had not been made (what `git merge main` on an old branch, pushed as \
                     a fast-forward, does)",
                    "。主線上自兩線分出處（提交 {fork}）之後、直到並包含該合併提交的 {n} 個提交，\
                     並未包含已發佈主線對 {files} 所做的變更，因而依 {fork} 當時的規則判斷，彷彿該\
                     變更從未發生（在舊分支上執行 `git merge main` 後以快轉推送即會如此）"
                ));
            }
        }
    }
    if !l.dropped.is_empty() {
        let named = || l.dropped.iter().take(NAMED).cloned().collect();
        let (en, zh) = (
            listed(named(), l.dropped.len(), false),
            listed(named(), l.dropped.len(), true),
        );
        let (since_en, since_zh) = match &l.fork {
            Some(fork) => (
                format!(" since commit {}", short(fork)),
                format!("自提交 {} 以來", short(fork)),
            ),
            None => (String::new(), String::new()),
        };
        add(Message {
            en: format!(
                ". That merge does not hold as published what the published line had made to \
                 {en}{since_en}: the site showed it, and the main line never held it, so no change \
                 of it shows"
            ),
            zh: format!(
                "。該合併未依已發佈的內容保留已發佈主線{since_zh}對 {zh} 所做的變更：本站曾顯示這些\
                 內容，而主線從未包含它們，因此不會顯示任何變更"
            ),
        });
    }
    add(msg!(
        ". Put the published commit back on the main line: `git switch -c mainline {at}`, `git \
         merge --no-ff main`, fast-forward main to it (`git switch main`, `git merge --ff-only \
         mainline`), then build again; and protect main so that it moves only by merges the \
         server makes",
        "。請讓已發佈的提交回到主線：`git switch -c mainline {at}`、`git merge --no-ff main`，\
         將 main 快轉至該處（`git switch main`、`git merge --ff-only mainline`）後重新產出；\
         並保護 main，使其只經由伺服器所做的合併前進"
    ));
    m
}

fn listed(mut items: Vec<String>, total: usize, zh: bool) -> String {
    if total > items.len() {
        let more = total - items.len();
        items.push(if zh {
            format!("另有 {more} 項")
        } else {
            format!("and {more} more")
        });
    }
    items.join(if zh { "；" } else { "; " })
}
