//! The page of each record (the lists of records are `lists.rs`).
//!
//! A record page shows *every* field. Rather than a hand-written template
//! per kind (which would silently drop a field added later), the record is
//! serialized ([`Record::to_json`]) and laid out: scalars become fields,
//! tables become blocks, arrays of tables become tables. What needs
//! knowing is kept in small lists here: which keys are Markdown, which are
//! references to other records or people (and become links, only when the
//! target exists), which are enum values (and get translated). Around the
//! fields go the records that belong to this one, its attachments, its
//! findings and its signatures, proven from the [`Trail`] when the build
//! has git history.

use super::context::Cx;
use super::markdown;
use super::trail::Trail;
use super::views::{Block, Cell, Field, Page, SignatureView, Table};
use crate::history::Shown;
use crate::kind::Kind;
use crate::model::{Meta, Record};
use serde_json::Value;

const MARKDOWN: &[&str] = &[
    "description",
    "note",
    "summary",
    "root_cause",
    "countermeasure",
    "comments",
];
const PERSON: &[&str] = &[
    "by",
    "owner",
    "account_manager",
    "custodian",
    "sent_by",
    "opened_by",
    "to",
];
const ENUMS: &[&str] = &[
    "status",
    "region",
    "channel",
    "decision",
    "result",
    "path",
    "what",
    "notified",
    "kind",
    "source",
    "responsible_department",
    "department",
];
/// Fields first in this order, the rest alphabetically.
const ORDER: &[&str] = &[
    "name",
    "item",
    "part_number",
    "product",
    "customer",
    "customer_ref",
    "order",
    "kind",
    "source",
    "region",
    "channel",
    "year",
    "received",
    "issued",
    "opened",
    "sent",
    "date",
    "since",
    "owner",
    "by",
    "opened_by",
    "sent_by",
    "custodian",
    "account_manager",
    "to",
    "returned",
    "respondent",
    "decision",
    "result",
    "legible",
    "written_complaint",
    "complaint",
    "active",
    "spec",
    "batch",
    "quantity",
    "unit",
    "due",
    "delivery",
    "done",
    "status",
    "address",
    "contact",
    "phone",
    "fax",
    "email",
    "location",
    "revision",
    "responsible_department",
    "description",
    "root_cause",
    "countermeasure",
    "effective",
    "evidence",
    "special_requirements",
    "delivery_place",
    "lines",
    "steps",
];

/// Fields in the order of [`ORDER`], the rest alphabetically.
fn sort_keys(keys: &mut [&String]) {
    keys.sort_by_cached_key(|k| {
        (
            ORDER.iter().position(|o| o == k).unwrap_or(usize::MAX),
            k.as_str(),
        )
    });
}

fn sorted_keys(map: &serde_json::Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = map.keys().collect();
    sort_keys(&mut keys);
    keys
}

fn scalar_text(cx: &Cx, key: &str, v: &Value) -> String {
    match v {
        Value::String(s) if ENUMS.contains(&key) => cx.value(s),
        Value::String(s) => s.clone(),
        Value::Bool(b) => cx.t(if *b { "yes" } else { "no" }),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a
            .iter()
            .map(|x| scalar_text(cx, key, x))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => String::new(),
        Value::Object(_) => String::new(),
    }
}

/// One value as a cell: Markdown rendered, references linked.
fn cell(cx: &Cx, key: &str, v: &Value) -> Cell {
    if let Value::String(s) = v {
        if MARKDOWN.contains(&key) {
            return Cell {
                text: s.clone(),
                html: Some(markdown::to_html(s)),
                ..Cell::default()
            };
        }
        if PERSON.contains(&key) {
            return cx.person(s);
        }
        if matches!(
            key,
            "customer" | "order" | "survey" | "report" | "capa" | "part_number"
        ) {
            return cx.record(s);
        }
    }
    Cell::text(scalar_text(cx, key, v))
}

/// Nested tables in the order a person reads the form.
const NESTED: &[&str] = &[
    "lines",
    "steps",
    "scores",
    "capacity",
    "extra_review",
    "review",
    "oral",
    "gm_signed",
    "customer_confirmed",
    "investigation",
    "verification",
    "confirmation",
    "analysis",
    "feedback",
    "verified",
    "incidents",
    "change",
    "followup",
    "delivery",
    "returned",
    "closed",
    "cancelled",
];

/// Fields, blocks and tables for a serialized record or table.
fn lay_out(
    cx: &Cx,
    map: &serde_json::Map<String, Value>,
    skip: &[&str],
    title: String,
    out: &mut Vec<Block>,
) {
    let mut fields = Block::new(title);
    let mut nested: Vec<(usize, Vec<Block>)> = Vec::new();
    for key in sorted_keys(map) {
        if skip.contains(&key.as_str()) {
            continue;
        }
        let rank = NESTED.iter().position(|n| n == key).unwrap_or(NESTED.len());
        match &map[key] {
            Value::Null => {}
            Value::Array(items) if items.is_empty() => {}
            Value::Object(inner) if key == "scores" => {
                nested.push((rank, vec![scores(cx, inner)]));
            }
            Value::Object(inner) => {
                let mut blocks = Vec::new();
                lay_out(
                    cx,
                    inner,
                    &[],
                    super::i18n::field(cx.lang, key),
                    &mut blocks,
                );
                nested.push((rank, blocks));
            }
            Value::Array(items) if items.iter().any(Value::is_object) => {
                nested.push((
                    rank,
                    vec![Block::table(
                        super::i18n::field(cx.lang, key),
                        array_table(cx, items),
                    )],
                ));
            }
            v => fields.fields.push(Field {
                label: super::i18n::field(cx.lang, key),
                cell: cell(cx, key, v),
            }),
        }
    }
    if !fields.fields.is_empty() {
        out.push(fields);
    }
    nested.sort_by_key(|(rank, _)| *rank);
    out.extend(nested.into_iter().flat_map(|(_, b)| b));
}

/// A survey's scores in the order the company asks the questions
/// (`policy.survey_questions`), as on the paper form; a score for a
/// question no longer asked (the model reports it) comes after them.
fn scores(cx: &Cx, map: &serde_json::Map<String, Value>) -> Block {
    let asked = &cx.model.config.policy.survey_questions;
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|k| (asked.iter().position(|q| q == *k).unwrap_or(usize::MAX), *k));
    let mut b = Block::new(super::i18n::field(cx.lang, "scores"));
    b.fields = keys
        .into_iter()
        .map(|k| Field {
            label: super::i18n::field(cx.lang, k),
            cell: cell(cx, k, &map[k]),
        })
        .collect();
    b
}

fn array_table(cx: &Cx, items: &[Value]) -> Table {
    let mut keys: Vec<&String> = Vec::new();
    for item in items.iter().filter_map(Value::as_object) {
        for k in sorted_keys(item) {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    sort_keys(&mut keys);
    let mut table = Table::new(
        keys.iter()
            .map(|k| super::i18n::field(cx.lang, k))
            .collect(),
    );
    for item in items.iter().filter_map(Value::as_object) {
        table.push(
            keys.iter()
                .map(|k| item.get(*k).map_or_else(Cell::default, |v| cell(cx, k, v)))
                .collect(),
        );
    }
    table
}

/// What a record's page shows of the record itself besides its fields
/// (which its file's hash stands for): its status, findings, attachments
/// and signatures. Cheap to make, so a rebuild makes it for every page,
/// even one it takes from the previous build, and fingerprints it.
#[derive(Hash)]
pub struct Own {
    badge: Option<Cell>,
    findings: Block,
    attachments: Option<Block>,
    signatures: Vec<SignatureView>,
}

/// The record's own parts; its signatures are proven from `trail` when
/// the build has git history.
pub fn own(cx: &Cx, trail: Option<&Trail>, record: &dyn Record) -> Own {
    let meta = record.meta();
    let findings = cx
        .findings_by_record
        .get(meta.id.as_str())
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut fb = Block::new(cx.t("findings"));
    fb.anchor = Some("findings".into());
    if findings.is_empty() {
        fb.note = Some(cx.t("no_findings"));
    } else {
        fb.table = Some(cx.findings_table(
            super::overview::errors_first(findings.iter().copied()).into_iter(),
            false,
        ));
    }
    Own {
        badge: badge(cx, meta),
        findings: fb,
        attachments: super::files::attachments_block(cx, meta),
        signatures: signatures(cx, trail, meta),
    }
}

/// The page of one record, around its own parts ([`own`]).
pub fn record_page(cx: &Cx, record: &dyn Record, own: Own) -> Page {
    let meta = record.meta();
    let value = record.to_json();
    let map = value.as_object().cloned().unwrap_or_default();
    let mut blocks = Vec::new();
    // The id is the title; a product's is its part number.
    let skip = ["id", "kind", "file", "attachments", meta.kind.id_key()];
    lay_out(cx, &map, &skip, cx.t("fields"), &mut blocks);
    if let Some(b) = blocks.first_mut().filter(|b| b.title == cx.t("fields")) {
        b.fields.push(Field {
            label: cx.t("file"),
            cell: Cell::text(&meta.file),
        });
    }
    blocks.extend(related(cx, meta));
    blocks.extend(own.attachments);
    blocks.push(own.findings);
    let title = ["name", "item"]
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_str))
        .map_or_else(
            || meta.id.value.clone(),
            |n| format!("{} {n}", meta.id.value),
        );
    Page {
        title,
        kicker: Some(cx.t(meta.kind.folder())),
        badge: own.badge,
        blocks,
        signable: crate::model::is_signable(meta.kind),
        signatures: own.signatures,
        // Filled only when the page is rendered (see `Renderer::records`).
        timeline: None,
    }
}

fn badge(cx: &Cx, meta: &Meta) -> Option<Cell> {
    let m = cx.model;
    let id = meta.id.as_str();
    let s = match meta.kind {
        Kind::Order => return Some(cx.order_status(m.orders.get(id)?)),
        Kind::Capa => m.capa.get(id)?.stage().as_str().to_string(),
        Kind::Survey => {
            return m
                .surveys
                .get(id)?
                .overall()
                .map(|v| Cell::text(format!("{} {v:.0}", cx.t("score"))));
        }
        _ => return None,
    };
    Some(Cell::text(cx.value(&s)).class(format!("status-{s}")))
}

/// The record's signed sections, each "not verified" unless the trail
/// proves it.
fn signatures(cx: &Cx, trail: Option<&Trail>, meta: &Meta) -> Vec<SignatureView> {
    cx.signed
        .get(meta.file.as_str())
        .into_iter()
        .flatten()
        .map(|s| {
            let person = cx.model.person(&s.sign.by);
            let roles = person.map(|p| {
                p.roles
                    .iter()
                    .map(|r| cx.value(r.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            let mut view = SignatureView {
                section: s.path.clone(),
                name: cx.person(&s.sign.by),
                role: roles
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| s.signer.described().get(cx.lang).to_string()),
                date: s.sign.date.to_string(),
                time: None,
                meaning: super::i18n::meaning(cx.lang, &s.path, &s.meaning),
                commit: None,
                proof: cx.t("not_verified"),
                state: Shown::Unverified.as_str().into(),
                covers: None,
                blob: None,
                sha256: None,
                timestamp: None,
                timestamp_state: None,
            };
            if let Some(trail) = trail {
                trail.prove(cx, &meta.file, &mut view);
            }
            view
        })
        .collect()
}

/// Records that belong to this one: a customer's orders, CAPAs, surveys...
fn related(cx: &Cx, meta: &Meta) -> Vec<Block> {
    let id = meta.id.as_str();
    let mut out = Vec::new();
    let mut add = |kind: Kind, ids: &[&str]| {
        let table = super::lists::list_table(cx, kind, ids);
        if !table.rows.is_empty() {
            out.push(Block::table(cx.t(kind.folder()), table));
        }
    };
    let of = |kind: Kind| cx.related_of(meta.kind, id, kind);
    match meta.kind {
        Kind::Customer => {
            let orders = of(Kind::Order);
            add(Kind::Order, orders);
            let sheets: Vec<&str> = orders.iter().flat_map(|o| cx.flowsheets_of(o)).collect();
            add(Kind::Flowsheet, &sheets);
            for kind in [
                Kind::Capa,
                Kind::Survey,
                Kind::Property,
                Kind::Report,
                Kind::Product,
            ] {
                add(kind, of(kind));
            }
        }
        Kind::Order => {
            add(Kind::Flowsheet, &cx.flowsheets_of(id));
            add(Kind::Capa, of(Kind::Capa));
        }
        Kind::Product => add(Kind::Order, of(Kind::Order)),
        _ => {}
    }
    out
}
