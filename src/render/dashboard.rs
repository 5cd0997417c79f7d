//! The dashboard: the status figures of [`crate::report::status`] as
//! figures, tables and charts, most urgent first. It is the page the
//! general manager opens on Monday morning, so it stays short: long lists
//! show their most urgent rows and link to the full list.

use super::context::Cx;
use super::markdown;
use super::svg::Bars;
use super::trail::Trail;
use super::views::{Block, Cell, Figure, Page, Table};
use crate::history::short;
use crate::report::status::{Capas, Orders, PropertyStatus, Signatures, Status, Surveys};

fn fig(label: String, value: impl ToString) -> Figure {
    Figure {
        label,
        value: value.to_string(),
        class: None,
        href: None,
    }
}

/// A figure linked to the list of what it counts.
fn tile(label: String, value: impl ToString, href: &str) -> Figure {
    Figure {
        href: Some(href.to_string()),
        ..fig(label, value)
    }
}

/// The pages listing in full what a dashboard figure counts, where no
/// list page of a kind does: (path, navigation key).
pub const AWAITING_REVIEW: &str = "awaiting-review.html";
pub const OVERDUE: &str = "overdue.html";
pub const OPEN_CAPA: &str = "open-capa.html";

/// Where a signature rule's count leads: its findings, or, with none,
/// the rule in the catalog.
fn rule_link(n: usize, rule: &str) -> String {
    if n > 0 {
        format!("findings.html#rule-{rule}")
    } else {
        format!("rules.html#r-{rule}")
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"))
}

/// The dashboard: a history rewrite above everything else, then a
/// summary, then one section per area of the status figures, in the order
/// of [`Status`].
pub fn dashboard(cx: &Cx, s: &Status, trail: Option<&Trail>) -> Page {
    let mut blocks = super::rewritten::banner(cx, trail);
    blocks.push(summary(cx, s));
    orders(cx, &s.orders, &mut blocks);
    capa(cx, &s.capa, &mut blocks);
    surveys(cx, &s.surveys, &mut blocks);
    property(cx, &s.property, &mut blocks);
    signatures(cx, &s.signatures, &mut blocks);
    Page {
        title: cx.t("dashboard"),
        blocks,
        ..Page::default()
    }
}

/// The figures at the top: what needs attention, across the areas.
fn summary(cx: &Cx, s: &Status) -> Block {
    let t = |k: &str| cx.t(k);
    let mut top = Block::new(String::new());
    let open_capa = s.capa.open.len();
    top.figures = vec![
        tile(t("orders"), s.orders.total, "orders/index.html"),
        tile(
            t("awaiting_review"),
            s.orders.awaiting_review.len(),
            AWAITING_REVIEW,
        ),
        tile(t("overdue"), s.orders.overdue.len(), OVERDUE),
        tile(t("capa_open"), open_capa, OPEN_CAPA),
        alert(
            t("errors"),
            s.findings.errors,
            "error",
            "findings.html#by-rule",
        ),
        alert(
            t("warnings"),
            s.findings.warnings,
            "warning",
            "findings.html#by-rule",
        ),
    ];
    top.links = vec![Cell::link(t("audit_link"), Some("audit.html".into()))];
    top
}

/// Orders: by status, per month, awaiting review, overdue, at risk, review
/// turnaround.
fn orders(cx: &Cx, o: &Orders, blocks: &mut Vec<Block>) {
    let t = |k: &str| cx.t(k);
    let mut b = Block::new(t("orders_by_status"));
    let mut table = Table::new(vec![t("status"), t("count")]);
    for c in &o.by_status {
        table.push(vec![
            Cell::text(cx.value(c.key.as_str())).class(format!("status-{}", c.key.as_str())),
            Cell::text(c.count.to_string()),
        ]);
    }
    b.table = Some(table);
    blocks.push(b);
    let mut b = Block::new(t("orders_per_month"));
    b.html = Some(
        Bars {
            title: &t("orders_per_month"),
            bars: o
                .per_month
                .iter()
                .map(|c| (c.key[2..].to_string(), c.count as f64))
                .collect(),
            target: None,
        }
        .to_svg(),
    );
    blocks.push(b);
    blocks.push(maybe_empty(
        cx,
        Block::table(t("awaiting_review"), awaiting_table(cx, o)),
        AWAITING_REVIEW,
    ));
    blocks.push(maybe_empty(
        cx,
        Block::table(t("overdue"), overdue_table(cx, o)),
        OVERDUE,
    ));
    let mut table = Table::new(vec![t("orders"), t("date"), t("summary"), t("action")]);
    for r in &o.at_risk {
        let md = |v: &Option<String>| {
            v.as_deref().map_or_else(Cell::default, |s| Cell {
                text: s.into(),
                html: Some(markdown::to_html(s)),
                ..Cell::default()
            })
        };
        table.push(vec![
            cx.record(&r.order),
            Cell::text(r.date.to_string()),
            md(&r.note),
            md(&r.action),
        ]);
    }
    let mut table_block = Block::table(t("at_risk"), table);
    table_block.wide = true;
    blocks.push(maybe_empty(cx, table_block, "orders/index.html"));
    let mut b = Block::new(t("turnaround"));
    let ta = &o.turnaround;
    // Each is a figure about the reviewed orders, listed with their
    // review on the orders' list.
    let orders = "orders/index.html";
    b.figures = vec![
        tile(t("reviewed"), ta.reviewed, orders),
        tile(t("mean_days"), num(ta.mean_days), orders),
        tile(
            t("max_days"),
            ta.max_days.map_or("-".into(), |d| d.to_string()),
            orders,
        ),
        tile(
            t("within_policy"),
            format!("{}/{}", ta.within_policy, ta.reviewed),
            orders,
        ),
    ];
    blocks.push(b);
}

/// CAPAs: age by stage, the open ones, by department and source, closed
/// per month.
fn capa(cx: &Cx, capas: &Capas, blocks: &mut Vec<Block>) {
    let t = |k: &str| cx.t(k);
    let mut b = Block::new(t("capa_age"));
    // With nothing open, an empty chart says less than one word.
    if capas.open.is_empty() {
        b.note = Some(t("none"));
    } else {
        b.html = Some(
            Bars {
                title: &t("capa_age"),
                bars: capas
                    .open_by_stage
                    .iter()
                    .map(|st| (cx.value(st.stage.as_str()), st.mean_age_days.unwrap_or(0.0)))
                    .collect(),
                target: None,
            }
            .to_svg(),
        );
    }
    blocks.push(b);
    blocks.push(maybe_empty(
        cx,
        Block::table(t("capa_open"), open_capa_table(cx, capas)),
        OPEN_CAPA,
    ));
    let by_department = open_total_rows(
        cx,
        capas
            .by_department
            .iter()
            .map(|d| (d.key.as_str(), d.open, d.total)),
    );
    let by_source = open_total_rows(
        cx,
        capas
            .by_source
            .iter()
            .map(|d| (d.key.as_str(), d.open, d.total)),
    );
    for (key, title, body) in [
        ("department", "by_department", by_department),
        ("source", "by_source", by_source),
    ] {
        let mut table = Table::new(vec![t(key), t("open"), t("total")]);
        for row in body {
            table.push(row);
        }
        blocks.push(maybe_empty(
            cx,
            Block::table(t(title), table),
            "capa/index.html",
        ));
    }
    let mut table = Table::new(vec![t("date"), t("count")]);
    for c in capas.closed_per_month.iter().filter(|c| c.count > 0) {
        table.push(vec![Cell::text(&c.key), Cell::text(c.count.to_string())]);
    }
    blocks.push(maybe_empty(
        cx,
        Block::table(t("closed_per_month"), table),
        "capa/index.html",
    ));
}

/// Satisfaction surveys: scores per year, coverage, per question, under
/// target.
fn surveys(cx: &Cx, v: &Surveys, blocks: &mut Vec<Block>) {
    let t = |k: &str| cx.t(k);
    let mut b = Block::new(t("satisfaction"));
    b.html = Some(
        Bars {
            title: &t("satisfaction"),
            bars: v
                .per_year
                .iter()
                .map(|y| (y.year.to_string(), y.mean.unwrap_or(0.0)))
                .collect(),
            target: Some(f64::from(v.target)),
        }
        .to_svg(),
    );
    blocks.push(b);
    let mut table = Table::new(vec![t("year"), t("surveyed"), t("active"), t("score")]);
    for (c, y) in v.coverage.iter().zip(&v.per_year) {
        let mut score = Cell::text(num(y.mean));
        if y.mean.is_some_and(|m| m < f64::from(v.target)) {
            score = score.class("error");
        }
        table.push(vec![
            Cell::text(c.year.to_string()),
            Cell::text(c.surveyed.to_string()),
            Cell::text(c.active.to_string()),
            score,
        ]);
    }
    blocks.push(Block::table(t("coverage"), table));
    let mut table = Table::new(vec![t("question"), t("score")]);
    for q in &v.per_question {
        table.push(vec![Cell::text(&q.question), Cell::text(num(q.mean))]);
    }
    blocks.push(Block::table(t("per_question"), table));
    let mut table = Table::new(vec![
        t("surveys"),
        t("customer"),
        t("year"),
        t("score"),
        t("analysed"),
        t("capa"),
        t("stage"),
        t("feedback"),
    ]);
    let yn = |b: bool| {
        Cell::text(t(if b { "yes" } else { "no" })).class(if b { "ok" } else { "warning" })
    };
    for u in &v.under_target {
        table.push(vec![
            cx.record(&u.survey),
            cx.record(&u.customer),
            Cell::text(u.year.to_string()),
            Cell::text(format!("{:.0}", u.score)).class("error"),
            yn(u.analysed),
            u.capa
                .as_deref()
                .map_or_else(Cell::default, |c| cx.record(c)),
            u.capa_stage
                .map_or_else(Cell::default, |st| Cell::text(cx.value(st.as_str()))),
            yn(u.feedback),
        ]);
    }
    blocks.push(maybe_empty(
        cx,
        Block::table(t("under_target"), table),
        "surveys/index.html",
    ));
}

/// Customer property: incidents and what is held.
fn property(cx: &Cx, p: &PropertyStatus, blocks: &mut Vec<Block>) {
    let t = |k: &str| cx.t(k);
    let mut table = Table::new(vec![
        t("property"),
        t("customer"),
        t("date"),
        t("kind"),
        t("reported"),
    ]);
    for i in &p.incidents {
        let reported = i.reported.map_or_else(
            || Cell::text(t("no")).class("error"),
            |d| Cell::text(d.to_string()),
        );
        table.push(vec![
            cx.record(&i.property),
            cx.record(&i.customer),
            Cell::text(i.date.to_string()),
            Cell::text(cx.value(&i.kind)),
            reported,
        ]);
    }
    let mut b = maybe_empty(
        cx,
        Block::table(t("incidents"), table),
        "property/index.html",
    );
    b.figures = vec![tile(t("held"), p.held, "property/index.html")];
    blocks.push(b);
}

/// Signatures: how many, and how many unproven or broken.
fn signatures(cx: &Cx, g: &Signatures, blocks: &mut Vec<Block>) {
    let t = |k: &str| cx.t(k);
    let mut b = Block::new(t("signatures_status"));
    b.figures = vec![
        tile(t("signed_sections"), g.signed_sections, "people.html"),
        alert(
            t("unproven"),
            g.unproven,
            "error",
            &rule_link(g.unproven, "signature-unproven"),
        ),
        alert(
            t("broken"),
            g.broken,
            "error",
            &rule_link(g.broken, "signature-broken"),
        ),
    ];
    blocks.push(b);
}

/// A figure that is styled as `class` when it is not zero, linked to
/// what it counts.
fn alert(label: String, n: usize, class: &str, href: &str) -> Figure {
    Figure {
        label,
        value: n.to_string(),
        class: (n > 0).then(|| class.into()),
        href: Some(href.to_string()),
    }
}

/// The orders awaiting the GM's review, the longest waiting first: new
/// ones since receipt, approved ones that changed since the change.
pub fn awaiting_table(cx: &Cx, o: &Orders) -> Table {
    let t = |k: &str| cx.t(k);
    let mut table = Table::new(vec![
        t("orders"),
        t("customer"),
        t("status"),
        t("date"),
        t("waiting"),
    ]);
    for w in &o.awaiting_review {
        let days = Cell::text(format!("{} {}", w.days, t("days")));
        let (status, since) = match &w.re_review {
            Some(r) => {
                let at = r
                    .since
                    .as_deref()
                    .map_or_else(|| t("working_tree"), |c| short(c).to_string());
                (
                    Cell::text(format!(
                        "{} ({} {at}: {})",
                        t("awaiting_re_review"),
                        t("stale_since"),
                        super::trail::fields_in(&r.fields, cx.lang)
                    ))
                    .class("status-awaiting-re-review"),
                    r.changed,
                )
            }
            None => (
                Cell::text(cx.value("received")).class("status-received"),
                w.received,
            ),
        };
        table.push(vec![
            cx.record(&w.order),
            cx.record(&w.customer),
            status,
            Cell::text(since.to_string()),
            if w.late { days.class("error") } else { days },
        ]);
    }
    table
}

/// Order lines past their delivery date, the latest first.
pub fn overdue_table(cx: &Cx, o: &Orders) -> Table {
    let t = |k: &str| cx.t(k);
    let mut table = Table::new(vec![
        t("orders"),
        t("customer"),
        t("part_number"),
        t("delivery"),
        t("days_late"),
    ]);
    for l in &o.overdue {
        table.push(vec![
            cx.record(&l.order),
            cx.record(&l.customer),
            cx.record(&l.part_number),
            Cell::text(l.delivery.to_string()),
            Cell::text(l.days_late.to_string()).class("error"),
        ]);
    }
    table
}

/// The open CAPAs, with their age and stage.
pub fn open_capa_table(cx: &Cx, capas: &Capas) -> Table {
    let t = |k: &str| cx.t(k);
    let mut table = Table::new(vec![
        t("id"),
        t("customer"),
        t("stage"),
        t("age"),
        t("in_stage"),
        t("department"),
        t("source"),
    ]);
    for c in &capas.open {
        let stalled = capas.stalled.contains(&c.id);
        let in_stage = Cell::text(format!("{} {}", c.stage_days, t("days")));
        table.push(vec![
            cx.record(&c.id),
            c.customer
                .as_deref()
                .map_or_else(Cell::default, |x| cx.record(x)),
            Cell::text(cx.value(c.stage.as_str())).class(format!("status-{}", c.stage.as_str())),
            Cell::text(format!("{} {}", c.age_days, t("days"))),
            if stalled {
                in_stage.class("warning")
            } else {
                in_stage
            },
            Cell::text(cx.value(c.department.as_str())),
            Cell::text(cx.value(c.source.as_str())),
        ]);
    }
    table
}

/// A page listing in full what a dashboard figure counts.
pub fn full_list(cx: &Cx, title: &str, table: Table) -> Page {
    let mut table = table;
    table.filter = table.rows.len() > 5;
    let empty = table.rows.is_empty();
    let mut block = Block::table(String::new(), table);
    if empty {
        block.table = None;
        block.note = Some(cx.t("none"));
    }
    Page {
        title: cx.t(title),
        blocks: vec![block],
        ..Page::default()
    }
}

/// Most a dashboard table shows: the lists are sorted most urgent first,
/// and a Monday-morning page must stay short on a large repository.
const DASHBOARD_ROWS: usize = 20;

/// Rows of a "key, open, total" table (CAPAs by department, by source).
fn open_total_rows<'a>(
    cx: &Cx,
    items: impl Iterator<Item = (&'a str, usize, usize)>,
) -> Vec<Vec<Cell>> {
    items
        .map(|(key, open, total)| {
            vec![
                Cell::text(cx.value(key)),
                Cell::text(open.to_string()),
                Cell::text(total.to_string()),
            ]
        })
        .collect()
}

/// A table block with no rows says so instead of showing empty headers;
/// a long one shows its first rows and links to the full list.
fn maybe_empty(cx: &Cx, mut b: Block, more: &str) -> Block {
    let Some(table) = b.table.as_mut() else {
        return b;
    };
    // Tables of many columns get the whole width rather than a scrollbar.
    b.wide |= table.headers.len() >= 4;
    let total = table.rows.len();
    if total == 0 {
        b.wide = false;
        b.table = None;
        b.note = Some(cx.t("none"));
    } else if total > DASHBOARD_ROWS {
        table.rows.truncate(DASHBOARD_ROWS);
        b.note = Some(
            cx.t("shown")
                .replace("{n}", &DASHBOARD_ROWS.to_string())
                .replace("{total}", &total.to_string()),
        );
        b.links = vec![Cell::link(cx.t("all"), Some(more.to_string()))];
    }
    b
}
