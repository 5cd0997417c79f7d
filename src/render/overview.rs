//! The overview pages about the whole repository rather than one record:
//! people and what they signed, findings by rule and by clause, the rule
//! catalog, the procedure with its traceability, recent changes. (The
//! dashboard and the lists of each kind are overviews too, each in its own
//! file.) Each builder turns the catalog and the report into a [`Page`] of
//! blocks.

use super::context::{Cx, anchor};
use super::markdown;
use super::trail::Trail;
use super::views::{Block, Cell, Field, Figure, Page, Row, Table};
use crate::finding::{RuleId, Severity};
use std::collections::BTreeMap;

pub fn people(cx: &Cx) -> Page {
    let signed: Vec<_> = cx.signed.values().flatten().collect();
    let mut blocks = Vec::new();
    let mut people: Vec<_> = cx.model.people.iter().collect();
    people.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    for p in people {
        let mut b = Block::new(format!("{} ({})", p.name.value, p.id.value));
        b.anchor = Some(anchor("p", &p.id));
        b.fields = vec![Field {
            label: cx.t("roles"),
            cell: Cell::text(
                p.roles
                    .iter()
                    .map(|r| cx.value(r.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }];
        if let Some(d) = p.department {
            b.fields.push(Field {
                label: cx.t("department"),
                cell: Cell::text(cx.value(d.as_str())),
            });
        }
        if let Some(l) = p.left {
            b.fields.push(Field {
                label: cx.t("left"),
                cell: Cell::text(l.to_string()),
            });
        }
        let mut table = Table::new(vec![cx.t("record"), cx.t("meaning"), cx.t("date")]);
        let mut mine: Vec<_> = signed.iter().filter(|s| *s.sign.by == *p.id).collect();
        mine.sort_by(|a, b| {
            b.sign
                .date
                .value
                .cmp(&a.sign.date.value)
                .then_with(|| a.meta.id.value.cmp(&b.meta.id.value))
                .then_with(|| a.path.cmp(&b.path))
        });
        for s in mine {
            table.push(vec![
                cx.record(&s.meta.id),
                Cell::text(super::i18n::meaning(cx.lang, &s.path, &s.meaning)),
                Cell::text(s.sign.date.to_string()),
            ]);
        }
        if !table.rows.is_empty() {
            table.filter = table.rows.len() > 10;
            b.table = Some(table);
        }
        blocks.push(b);
    }
    Page {
        title: cx.t("people"),
        blocks,
        ..Page::default()
    }
}

pub fn findings(cx: &Cx) -> Page {
    let mut blocks = Vec::new();
    let all = &cx.report.findings;
    let mut summary = Block::new(String::new());
    summary.figures = vec![
        Figure {
            label: cx.t("errors"),
            value: cx.report.errors().to_string(),
            class: Some("error".into()),
        },
        Figure {
            label: cx.t("warnings"),
            value: cx.report.warnings().to_string(),
            class: Some("warning".into()),
        },
    ];
    if all.is_empty() {
        summary.note = Some(cx.t("no_findings"));
    }
    blocks.push(summary);
    let mut by_rule = Block::new(cx.t("by_rule"));
    by_rule.anchor = Some("by-rule".into());
    blocks.push(by_rule);
    for rule in RuleId::ALL {
        let mine: Vec<_> = all.iter().filter(|r| r.finding.rule == *rule).collect();
        if mine.is_empty() {
            continue;
        }
        let mut b = Block::table(
            format!("{} ({}): {}", rule.as_str(), mine.len(), rule.summary()),
            cx.findings_table(mine.into_iter(), true),
        );
        b.level = 3;
        b.anchor = Some(anchor("rule", rule.as_str()));
        blocks.push(b);
    }
    let mut by_clause = Block::new(cx.t("by_clause"));
    by_clause.anchor = Some("by-clause".into());
    blocks.push(by_clause);
    let mut clauses: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for r in all {
        clauses.entry(r.finding.rule.clause()).or_default().push(r);
    }
    for (clause, mine) in clauses {
        let mut b = Block::table(
            format!("{} {clause} ({})", cx.t("clause"), mine.len()),
            cx.findings_table(mine.into_iter(), true),
        );
        b.level = 3;
        blocks.push(b);
    }
    Page {
        title: cx.t("findings"),
        blocks,
        ..Page::default()
    }
}

pub fn rules(cx: &Cx) -> Page {
    let mut table = Table::new(vec![
        cx.t("rule"),
        cx.t("severity"),
        cx.t("clause"),
        cx.t("summary"),
        cx.t("findings"),
    ]);
    for rule in RuleId::ALL {
        let severity = cx
            .model
            .config
            .severity(*rule)
            .map_or("off", Severity::as_str);
        let n = cx
            .report
            .findings
            .iter()
            .filter(|r| r.finding.rule == *rule)
            .count();
        let count = if n > 0 {
            Cell::link(
                n.to_string(),
                Some(format!("findings.html#{}", anchor("rule", rule.as_str()))),
            )
        } else {
            Cell::text("0")
        };
        table.rows.push(Row {
            anchor: Some(anchor("r", rule.as_str())),
            cells: vec![
                Cell::text(rule.as_str()),
                Cell::text(cx.value(severity)).class(severity),
                cx.clause(*rule),
                Cell::text(rule.summary()),
                count,
            ],
        });
    }
    table.filter = true;
    Page {
        title: cx.t("rules"),
        blocks: vec![Block::table(String::new(), table)],
        ..Page::default()
    }
}

/// The procedure, each clause followed by the rules that enforce it and
/// its open findings: the traceability matrix an auditor asks for.
pub fn procedure(cx: &Cx, sections: &[markdown::Section]) -> Page {
    let mut blocks = Vec::new();
    for s in sections {
        let mut b = Block::new(s.title.clone());
        b.level = s.level.clamp(2, 6);
        if s.level == 0 {
            b.title.clear();
        }
        b.anchor = s.anchor.clone();
        b.html = Some(s.body.clone());
        if let Some(clause) = &s.clause {
            let rules: Vec<RuleId> = RuleId::ALL
                .iter()
                .copied()
                .filter(|r| cx.owning_clause(*r).as_deref() == Some(clause.as_str()))
                .collect();
            b.links = rules.iter().map(|r| cx.rule(*r)).collect();
            let open: Vec<_> = cx
                .report
                .findings
                .iter()
                .filter(|f| rules.contains(&f.finding.rule))
                .collect();
            if !open.is_empty() {
                b.table = Some(cx.findings_table(open.into_iter(), true));
            }
        }
        blocks.push(b);
    }
    if sections.is_empty() {
        let mut b = Block::new(String::new());
        b.note = Some(cx.t("no_procedure"));
        blocks.push(b);
    }
    let unmatched: Vec<RuleId> = RuleId::ALL
        .iter()
        .copied()
        .filter(|r| r.clause() != "-" && cx.owning_clause(*r).is_none())
        .collect();
    if !unmatched.is_empty() {
        let mut b = Block::new(cx.t("unmatched_rules"));
        b.links = unmatched.iter().map(|r| cx.rule(*r)).collect();
        blocks.push(b);
    }
    Page {
        title: cx.t("procedure"),
        blocks,
        ..Page::default()
    }
}

pub fn changes(cx: &Cx, trail: Option<&Trail>) -> Page {
    let mut b = Block::new(String::new());
    match trail.filter(|t| t.available()) {
        Some(trail) => {
            let mut table = Table::new(
                ["date", "commit", "author", "signature", "record", "summary"]
                    .iter()
                    .map(|k| cx.t(k))
                    .collect(),
            );
            for e in trail.recent(cx) {
                let mut records = e.records.into_iter();
                let first = records.next().unwrap_or_default();
                // The summary goes last: it is the long text that wraps.
                let cells = vec![
                    Cell::text(e.time),
                    Cell::text(e.commit),
                    Cell::text(e.author),
                    Cell::text(e.signature),
                    first,
                    Cell::text(e.summary),
                ];
                table.rows.push(Row {
                    anchor: Some(e.anchor),
                    cells,
                });
                // One row per further file, so every record links.
                for more in records {
                    let mut row = vec![Cell::default(); 6];
                    row[4] = more;
                    table.push(row);
                }
            }
            table.filter = true;
            if table.rows.is_empty() {
                b.note = Some(cx.t("none"));
            } else {
                b.table = Some(table);
            }
        }
        None => b.note = Some(cx.t("history_unavailable")),
    }
    Page {
        title: cx.t("changes"),
        blocks: vec![b],
        ..Page::default()
    }
}
