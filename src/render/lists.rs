//! The list page of each record kind, and the same rows wherever records
//! are listed elsewhere (a customer's orders, an order's flow sheets), so
//! a record looks the same in every table: id, the few fields that tell
//! records apart, its status, and how many findings it has.

use super::context::Cx;
use super::reads::{self, Read};
use super::views::{Block, Cell, Page, Table};
use crate::kind::Kind;
use crate::model::At;
use rayon::prelude::*;

/// A column heading: a site label (`t`), or a record field's name.
#[derive(Clone, Copy)]
enum Heading {
    Label(&'static str),
    Field(&'static str),
}

use Heading::{Field as F, Label as L};

/// The cells of one record's row (its findings are added after), `None`
/// when there is no such record.
type Row = fn(&Cx, &str) -> Option<Vec<Cell>>;

/// Each kind's columns and how a row is made: the one place a kind's list
/// is described.
fn columns(kind: Kind) -> (&'static [Heading], Row) {
    match kind {
        Kind::Customer => (
            &[
                L("id"),
                L("name"),
                F("region"),
                F("account_manager"),
                L("active"),
            ],
            customer,
        ),
        Kind::Product => (
            &[
                L("part_number"),
                L("name"),
                F("spec"),
                L("status"),
                L("customer"),
            ],
            product,
        ),
        Kind::Order => (
            &[
                L("id"),
                L("customer"),
                F("received"),
                L("status"),
                L("delivery"),
            ],
            order,
        ),
        Kind::Flowsheet => (
            &[L("id"), L("orders"), F("issued"), F("revision"), F("due")],
            flowsheet,
        ),
        Kind::Capa => (
            &[L("id"), L("customer"), F("opened"), L("source"), L("stage")],
            capa,
        ),
        Kind::Survey => (
            &[L("id"), L("customer"), L("year"), F("returned"), L("score")],
            survey,
        ),
        Kind::Property => (
            &[
                L("id"),
                L("customer"),
                F("item"),
                F("received"),
                L("incidents"),
            ],
            property,
        ),
        Kind::Report => (
            &[L("id"), L("customer"), L("date"), F("complaint"), L("capa")],
            report,
        ),
    }
}

/// The list table of a kind, for the given ids (in that order).
pub fn list_table<S: AsRef<str>>(cx: &Cx, kind: Kind, ids: &[S]) -> Table {
    let rows = ids.iter().map(|id| built_row(cx, kind, id.as_ref()));
    table_of(cx, kind, ids, rows)
}

/// A row and its value, built apart from the page's reads: the page
/// reads the row ([`Read::Row`], noted by [`table_of`]), not each link in
/// it, so it may be built on any thread.
fn built_row(cx: &Cx, kind: Kind, id: &str) -> (Option<Vec<Cell>>, u64) {
    let (row, _) = reads::recording(|| self::row(cx, kind, id));
    let value = reads::value_of(&row);
    (row, value)
}

fn table_of<S: AsRef<str>>(
    cx: &Cx,
    kind: Kind,
    ids: &[S],
    rows: impl Iterator<Item = (Option<Vec<Cell>>, u64)>,
) -> Table {
    let (headings, _) = columns(kind);
    let mut headers: Vec<String> = headings
        .iter()
        .map(|h| match h {
            L(key) => cx.t(key),
            F(key) => crate::render::i18n::field(cx.lang, key),
        })
        .collect();
    headers.push(cx.t("findings"));
    let mut table = Table::new(headers);
    let mut values = Vec::with_capacity(ids.len());
    for (id, (row, value)) in ids.iter().zip(rows) {
        let id = id.as_ref();
        reads::note(|| Read::Row(kind, id.to_string()));
        values.push((id, value));
        if let Some(cells) = row {
            table.push(cells);
        }
    }
    cx.rows.keep(kind, values);
    table.filter = table.rows.len() > 5;
    table
}

/// A record's row as every list table shows it (its findings counted
/// last), `None` when there is no such record.
pub fn row(cx: &Cx, kind: Kind, id: &str) -> Option<Vec<Cell>> {
    let mut cells = (columns(kind).1)(cx, id)?;
    cells.push(cx.finding_count(id));
    Some(cells)
}

/// The earliest of some dates, as text (empty when there are none).
fn earliest(dates: impl Iterator<Item = jiff::civil::Date>) -> String {
    dates.min().map(|d| d.to_string()).unwrap_or_default()
}

fn yes_no(cx: &Cx, b: bool) -> Cell {
    Cell::text(cx.t(if b { "yes" } else { "no" }))
}

fn optional(cx: &Cx, id: Option<&At<String>>) -> Cell {
    id.map_or_else(Cell::default, |c| cx.record(c))
}

fn customer(cx: &Cx, id: &str) -> Option<Vec<Cell>> {
    let c = cx.model.customers.get(id)?;
    Some(vec![
        cx.record(id),
        Cell::text(&c.name.value),
        Cell::text(cx.value(c.region.as_str())),
        cx.person(&c.account_manager),
        yes_no(cx, *c.active),
    ])
}

fn product(cx: &Cx, id: &str) -> Option<Vec<Cell>> {
    let p = cx.model.products.get(id)?;
    Some(vec![
        cx.record(id),
        Cell::text(&p.name.value),
        Cell::text(&p.spec.value),
        Cell::text(cx.value(p.status.as_str())),
        optional(cx, p.customer.as_ref()),
    ])
}

fn order(cx: &Cx, id: &str) -> Option<Vec<Cell>> {
    let m = cx.model;
    let o = m.orders.get(id)?;
    let delivery = earliest(o.lines.iter().map(|l| *l.delivery));
    let late = !m.overdue_lines(o, cx.report.as_of).is_empty();
    let mut d = Cell::text(delivery);
    if late {
        d = d.class("error");
    }
    Some(vec![
        cx.record(id),
        cx.record(&o.customer),
        Cell::text(o.received.to_string()),
        cx.order_status(o),
        d,
    ])
}

fn flowsheet(cx: &Cx, id: &str) -> Option<Vec<Cell>> {
    let f = cx.model.flowsheets.get(id)?;
    let due = earliest(f.lines.iter().map(|l| *l.due));
    Some(vec![
        cx.record(id),
        cx.record(&f.order),
        Cell::text(f.issued.to_string()),
        Cell::text(f.revision.to_string()),
        Cell::text(due),
    ])
}

fn capa(cx: &Cx, id: &str) -> Option<Vec<Cell>> {
    let c = cx.model.capa.get(id)?;
    let stage = c.stage().as_str();
    Some(vec![
        cx.record(id),
        optional(cx, c.customer.as_ref()),
        Cell::text(c.opened.to_string()),
        Cell::text(cx.value(c.source.as_str())),
        Cell::text(cx.value(stage)).class(format!("status-{stage}")),
    ])
}

fn survey(cx: &Cx, id: &str) -> Option<Vec<Cell>> {
    let s = cx.model.surveys.get(id)?;
    let score = s.overall().map(|v| format!("{v:.0}")).unwrap_or_default();
    let returned = s
        .returned
        .as_ref()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let mut sc = Cell::text(score);
    let target = f64::from(cx.model.config.policy.survey_target);
    if s.overall().is_some_and(|v| v < target) {
        sc = sc.class("error");
    }
    Some(vec![
        cx.record(id),
        cx.record(&s.customer),
        Cell::text(s.year.to_string()),
        Cell::text(returned),
        sc,
    ])
}

fn property(cx: &Cx, id: &str) -> Option<Vec<Cell>> {
    let p = cx.model.property.get(id)?;
    Some(vec![
        cx.record(id),
        cx.record(&p.customer),
        Cell::text(&p.item.value),
        Cell::text(p.received.to_string()),
        Cell::text(p.incidents.len().to_string()),
    ])
}

fn report(cx: &Cx, id: &str) -> Option<Vec<Cell>> {
    let r = cx.model.reports.get(id)?;
    Some(vec![
        cx.record(id),
        cx.record(&r.customer),
        Cell::text(r.date.to_string()),
        yes_no(cx, r.complaint),
        optional(cx, r.capa.as_ref()),
    ])
}

/// The list page of a kind.
pub fn list_page(cx: &Cx, kind: Kind) -> Page {
    let ids = cx.model.ids(kind);
    // Every row of the kind, built on every core: a big company's list
    // of orders has tens of thousands, and the list pages are built one
    // after another (at most one in memory).
    let rows: Vec<_> = ids.par_iter().map(|id| built_row(cx, kind, id)).collect();
    let table = table_of(cx, kind, &ids, rows.into_iter());
    let mut block = Block::table(String::new(), table);
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
