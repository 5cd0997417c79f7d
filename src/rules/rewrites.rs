//! `history-rewritten` (7.5.3): the history a site was published from
//! must stay the history. A record that was published and approved can
//! disappear without a trace in the new history (`git reset --hard`, a
//! rebase, a force-push): the walk only sees what is there, so
//! `record-deleted` never fires. The commit a site was built from is the
//! one trace left; the command that has the site (`build`, `check
//! --published`) hands it to the history stage, which compares it with
//! `HEAD` ([`crate::history::rewrite`]); this rule only words what it
//! found, one finding per published commit that is gone, on `docket.toml`
//! (the repository as a whole, as `history-unavailable`).

use super::context::{Context, Sink};
use crate::history::{Rewrite, short};
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

fn message(cx: &Context, r: &Rewrite) -> String {
    let at = short(&r.published);
    let mut m = format!(
        "the site was built from commit {at}, which is no longer in the history of HEAD (a reset, \
         rebase or force-push took it out)"
    );
    let known = !r.lost.is_empty() || !r.records.is_empty();
    if !known {
        m.push_str(
            ": its objects are gone from this repository (pruned, or the site was built from \
             another repository), so which commits and records were lost cannot be told",
        );
    } else {
        if !r.objects {
            m.push_str("; its objects are gone now, and this is what an earlier build found");
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
        m.push_str(&format!(
            ": {} {are} no longer reachable: {}",
            count(r.lost_count, "commit"),
            listed(commits, r.lost_count)
        ));
        if !r.records.is_empty() {
            let records: Vec<String> = r
                .records
                .iter()
                .take(NAMED)
                .map(|l| {
                    let now = if l.gone(cx.model) {
                        "gone from the records"
                    } else {
                        "still in the records, without what the lost commits changed"
                    };
                    format!("{} ({now}; last in commit {})", l.id, short(&l.commit))
                })
                .collect();
            m.push_str(&format!(
                "; they touched {}: {}",
                count(r.records.len(), "record"),
                listed(records, r.records.len())
            ));
        }
    }
    if r.objects {
        m.push_str(&format!(
            "; quality records are kept, not rewritten: put the commits back into the history \
             (git merge {at}; `git merge -s ours {at}` keeps them in the history without their \
             changes), then build again"
        ));
    } else {
        m.push_str(&format!(
            "; quality records are kept, not rewritten: fetch the commits back from a clone that \
             still has them (git fetch CLONE {}) and merge them (git merge {at}), then build again",
            r.published
        ));
    }
    m
}

/// `items` (the first of `total`), joined, with how many more there are.
fn listed(mut items: Vec<String>, total: usize) -> String {
    if total > items.len() {
        items.push(format!("and {} more", total - items.len()));
    }
    items.join("; ")
}
