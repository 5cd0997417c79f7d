//! The banner a site shows above everything else when the history it was
//! published from has been rewritten (`history-rewritten`): which
//! published commit is gone, the commits no longer reachable, and the
//! records they touched with their last known commit. A record the
//! rewrite took off the records has no page in the new site; this is
//! where the site still names it, and the commit that holds its last
//! known state (`git show COMMIT:PATH`), build after build until the
//! commits are back in the history.

use super::context::Cx;
use super::trail::Trail;
use super::views::{Block, Cell, Field, Table};
use crate::finding::RuleId;
use crate::history::{LOST_SHOWN, LeftLine, Rewrite, short};

/// The banner's blocks, one pair per rewrite; none without rewrites.
pub fn banner(cx: &Cx, trail: Option<&Trail>) -> Vec<Block> {
    let Some(t) = trail.filter(|t| t.available()) else {
        return Vec::new();
    };
    t.rewrites()
        .iter()
        .flat_map(|r| match &r.left_line {
            Some(l) => vec![left_line(cx, r, l)],
            None => blocks(cx, r).to_vec(),
        })
        .collect()
}

/// The block of a published commit a merge took off the main line.
fn left_line(cx: &Cx, r: &Rewrite, l: &LeftLine) -> Block {
    let t = |k: &str| cx.t(k);
    let mut head = Block::new(t("rewritten"));
    head.wide = true;
    head.class = Some("alert".into());
    let field = |label: &str, cell: Cell| Field {
        label: t(label),
        cell,
    };
    head.fields = vec![
        field(
            "published_commit",
            Cell::text(short(&r.published)).class("error"),
        ),
        field("line_merge", Cell::text(short(&l.merge)).class("error")),
        field(
            "line_fork",
            match &l.fork {
                Some(fork) if l.fork_branch => {
                    Cell::text(format!("{} ({})", short(fork), t("line_fork_branch")))
                        .class("error")
                }
                Some(fork) => Cell::text(short(fork)),
                None => Cell::text(t("line_unrelated")).class("error"),
            },
        ),
    ];
    if l.commits > 0 {
        head.fields
            .push(field("line_commits", Cell::text(l.commits.to_string())));
    }
    if !l.changed.is_empty() {
        head.fields
            .push(field("line_changed", Cell::text(l.changed.join(", "))));
    }
    if !l.dropped.is_empty() {
        head.fields.push(field(
            "line_dropped",
            Cell::text(l.dropped.join(", ")).class("error"),
        ));
    }
    head.note = Some(t("left_line_note"));
    head.links = vec![findings_link(cx)];
    head
}

fn findings_link(cx: &Cx) -> Cell {
    let rule = RuleId::HistoryRewritten.as_str();
    Cell::link(
        cx.t("findings"),
        Some(format!(
            "findings.html#{}",
            super::context::anchor("rule", rule)
        )),
    )
}

fn blocks(cx: &Cx, r: &Rewrite) -> [Block; 2] {
    let t = |k: &str| cx.t(k);
    let mut head = Block::new(t("rewritten"));
    head.wide = true;
    head.class = Some("alert".into());
    head.fields = vec![
        Field {
            label: t("published_commit"),
            cell: Cell::text(short(&r.published)).class("error"),
        },
        Field {
            label: t("lost_commits"),
            cell: Cell::text(if r.lost_count == 0 && !r.objects {
                t("objects_gone")
            } else {
                r.lost_count.to_string()
            }),
        },
    ];
    head.note = Some(t("rewritten_note"));
    head.links = vec![findings_link(cx)];
    let offset = cx.model.config.company.offset_seconds;
    let mut commits = Table::new(vec![t("commit"), t("author"), t("date"), t("summary")]);
    for c in &r.lost {
        commits.push(vec![
            Cell::text(short(&c.id)),
            Cell::text(&c.author),
            Cell::text(c.date_at(offset).map(|d| d.to_string()).unwrap_or_default()),
            Cell::text(&c.summary),
        ]);
    }
    if r.lost_count > r.lost.len() {
        let more = r.lost_count - r.lost.len();
        commits.push(vec![
            Cell::default(),
            Cell::default(),
            Cell::default(),
            Cell::text(format!("+{more}")),
        ]);
    }
    debug_assert!(r.lost.len() <= LOST_SHOWN);
    if !commits.rows.is_empty() {
        head.table = Some(commits);
    }
    let mut records = Block::new(t("rewritten_records"));
    records.wide = true;
    records.class = Some("alert".into());
    let mut table = Table::new(vec![t("record"), t("file"), t("last_known"), t("now")]);
    for l in &r.records {
        let now = if l.gone(cx.model) {
            Cell::text(t("record_gone")).class("error")
        } else {
            Cell::text(t("record_kept"))
        };
        table.push(vec![
            cx.record(&l.id),
            Cell::text(&l.file),
            Cell::text(short(&l.commit)),
            now,
        ]);
    }
    table.filter = table.rows.len() > 10;
    if table.rows.is_empty() {
        records.note = Some(t("none"));
    } else {
        records.table = Some(table);
    }
    [head, records]
}
