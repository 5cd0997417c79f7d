//! The list page of each record kind, and the same rows wherever records
//! are listed elsewhere (a customer's orders, an order's flow sheets), so
//! a record looks the same in every table: id, the few fields that tell
//! records apart, its status, and how many findings it has.

use super::views::{Block, Cell, Cx, Page, Table};
use crate::kind::Kind;
use crate::model::Record;

/// Every record of a kind.
pub fn all_ids(cx: &Cx, kind: Kind) -> Vec<String> {
    let m = cx.model;
    let v: Vec<&str> = match kind {
        Kind::Customer => m.customers.iter().map(|r| r.id()).collect(),
        Kind::Product => m.products.iter().map(|r| r.id()).collect(),
        Kind::Order => m.orders.iter().map(|r| r.id()).collect(),
        Kind::Flowsheet => m.flowsheets.iter().map(|r| r.id()).collect(),
        Kind::Capa => m.capa.iter().map(|r| r.id()).collect(),
        Kind::Survey => m.surveys.iter().map(|r| r.id()).collect(),
        Kind::Property => m.property.iter().map(|r| r.id()).collect(),
        Kind::Report => m.reports.iter().map(|r| r.id()).collect(),
    };
    v.into_iter().map(str::to_string).collect()
}

/// The list table of a kind, for the given ids (in that order).
pub fn list_table<S: AsRef<str>>(cx: &Cx, kind: Kind, ids: &[S]) -> Table {
    let m = cx.model;
    let h = |keys: &[&str]| keys.iter().map(|k| cx.t(k)).collect::<Vec<_>>();
    let opt = |v: Option<&crate::model::At<String>>| v.map_or_else(Cell::default, |c| cx.record(c));
    let mut table = Table::new(match kind {
        Kind::Customer => h(&["id", "name", "kind", "customer", "active", "findings"]),
        Kind::Product => h(&[
            "part_number",
            "name",
            "kind",
            "status",
            "customer",
            "findings",
        ]),
        Kind::Order => h(&["id", "customer", "date", "status", "delivery", "findings"]),
        Kind::Flowsheet => h(&["id", "orders", "date", "kind", "delivery", "findings"]),
        Kind::Capa => h(&["id", "customer", "date", "source", "stage", "findings"]),
        Kind::Survey => h(&["id", "customer", "year", "date", "score", "findings"]),
        Kind::Property => h(&["id", "customer", "name", "date", "incidents", "findings"]),
        Kind::Report => h(&["id", "customer", "date", "kind", "capa", "findings"]),
    });
    // Column meanings that differ by kind get their own header words.
    let field = |k: &str| crate::render::i18n::field(cx.lang, k);
    let renamed: &[(usize, &str)] = match kind {
        Kind::Customer => &[(2, "region"), (3, "account_manager")],
        Kind::Product => &[(2, "spec")],
        Kind::Order => &[(2, "received")],
        Kind::Flowsheet => &[(2, "issued"), (3, "revision"), (4, "due")],
        Kind::Capa => &[(2, "opened")],
        Kind::Survey => &[(3, "returned")],
        Kind::Property => &[(2, "item"), (3, "received")],
        Kind::Report => &[(3, "complaint")],
    };
    for (i, k) in renamed {
        table.headers[*i] = field(k);
    }
    for id in ids {
        let id = id.as_ref();
        let cells = match kind {
            Kind::Customer => m.customers.get(id).map(|c| {
                vec![
                    cx.record(id),
                    Cell::text(&c.name.value),
                    Cell::text(cx.value(c.region.as_str())),
                    cx.person(&c.account_manager),
                    Cell::text(cx.t(if *c.active { "yes" } else { "no" })),
                ]
            }),
            Kind::Product => m.products.get(id).map(|p| {
                vec![
                    cx.record(id),
                    Cell::text(&p.name.value),
                    Cell::text(&p.spec.value),
                    Cell::text(cx.value(p.status.as_str())),
                    opt(p.customer.as_ref()),
                ]
            }),
            Kind::Order => m.orders.get(id).map(|o| {
                let status = m.order_status(o).as_str();
                let delivery = o
                    .lines
                    .iter()
                    .map(|l| *l.delivery)
                    .min()
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                let late = !m.overdue_lines(o, cx.report.as_of).is_empty();
                let mut d = Cell::text(delivery);
                if late {
                    d = d.class("error");
                }
                vec![
                    cx.record(id),
                    cx.record(&o.customer),
                    Cell::text(o.received.to_string()),
                    Cell::text(cx.value(status)).class(format!("status-{status}")),
                    d,
                ]
            }),
            Kind::Flowsheet => m.flowsheets.get(id).map(|f| {
                let due = f
                    .lines
                    .iter()
                    .map(|l| *l.due)
                    .min()
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                vec![
                    cx.record(id),
                    cx.record(&f.order),
                    Cell::text(f.issued.to_string()),
                    Cell::text(f.revision.to_string()),
                    Cell::text(due),
                ]
            }),
            Kind::Capa => m.capa.get(id).map(|c| {
                let stage = c.stage().as_str();
                vec![
                    cx.record(id),
                    opt(c.customer.as_ref()),
                    Cell::text(c.opened.to_string()),
                    Cell::text(cx.value(c.source.as_str())),
                    Cell::text(cx.value(stage)).class(format!("status-{stage}")),
                ]
            }),
            Kind::Survey => m.surveys.get(id).map(|s| {
                let score = s.overall().map(|v| format!("{v:.0}")).unwrap_or_default();
                let returned = s
                    .returned
                    .as_ref()
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                let mut sc = Cell::text(score);
                if s.overall()
                    .is_some_and(|v| v < f64::from(m.config.policy.survey_target))
                {
                    sc = sc.class("error");
                }
                vec![
                    cx.record(id),
                    cx.record(&s.customer),
                    Cell::text(s.year.to_string()),
                    Cell::text(returned),
                    sc,
                ]
            }),
            Kind::Property => m.property.get(id).map(|p| {
                vec![
                    cx.record(id),
                    cx.record(&p.customer),
                    Cell::text(&p.item.value),
                    Cell::text(p.received.to_string()),
                    Cell::text(p.incidents.len().to_string()),
                ]
            }),
            Kind::Report => m.reports.get(id).map(|r| {
                vec![
                    cx.record(id),
                    cx.record(&r.customer),
                    Cell::text(r.date.to_string()),
                    Cell::text(cx.t(if r.complaint { "yes" } else { "no" })),
                    opt(r.capa.as_ref()),
                ]
            }),
        };
        if let Some(mut cells) = cells {
            cells.push(cx.finding_count(id));
            table.push(cells);
        }
    }
    table.filter = table.rows.len() > 5;
    table
}

/// The list page of a kind.
pub fn list_page(cx: &Cx, kind: Kind) -> Page {
    let ids = all_ids(cx, kind);
    let mut block = Block::table(String::new(), list_table(cx, kind, &ids));
    if ids.is_empty() {
        block.note = Some(cx.t("none"));
    }
    if let Some(t) = block.table.as_mut() {
        t.filter = true;
    }
    Page {
        title: cx.t(kind.folder()),
        blocks: vec![block],
        ..Page::default()
    }
}
