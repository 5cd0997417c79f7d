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
use crate::report::Reported;
use std::collections::BTreeMap;

/// Findings with the errors first, otherwise in the report's order: what
/// must be fixed before an audit is what a reader sees first, on the
/// findings page, the procedure and every record page.
pub fn errors_first<'r>(findings: impl IntoIterator<Item = &'r Reported>) -> Vec<&'r Reported> {
    let mut v: Vec<&Reported> = findings.into_iter().collect();
    v.sort_by_key(|r| r.severity);
    v
}

pub fn people(cx: &Cx, trail: Option<&Trail>) -> Page {
    // Each person's signatures, gathered once: a filter of every
    // signature for each person cost a quarter of a second at 50,000
    // orders.
    let mut signed: crate::Lookup<&str, Vec<_>> = Default::default();
    for s in cx.signed.values().flatten() {
        signed.entry(s.sign.by.as_str()).or_default().push(s);
    }
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
        let mut headers = vec![cx.t("record"), cx.t("meaning"), cx.t("date")];
        if trail.is_some() {
            headers.push(cx.t("proof"));
        }
        let mut table = Table::new(headers);
        let mut mine = signed.get(p.id.as_str()).cloned().unwrap_or_default();
        mine.sort_by(|a, b| {
            b.sign
                .date
                .value
                .cmp(&a.sign.date.value)
                .then_with(|| a.meta.id.value.cmp(&b.meta.id.value))
                .then_with(|| a.path.cmp(&b.path))
        });
        for s in mine {
            let mut row = vec![
                cx.record(&s.meta.id),
                Cell::text(super::i18n::meaning(cx.lang, &s.path, &s.meaning)),
                Cell::text(s.sign.date.to_string()),
            ];
            if let Some(t) = trail {
                row.push(match t.state_words(cx, &s.meta.file, &s.path) {
                    Some((words, state)) => Cell::text(words).class(format!("proof-{state}")),
                    None => Cell::text(cx.t("not_verified")).class("proof-unverified"),
                });
            }
            table.push(row);
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
            href: None,
        },
        Figure {
            label: cx.t("warnings"),
            value: cx.report.warnings().to_string(),
            class: Some("warning".into()),
            href: None,
        },
    ];
    if all.is_empty() {
        summary.note = Some(cx.t("no_findings"));
    }
    blocks.push(summary);
    let mut by_rule = Block::new(cx.t("by_rule"));
    by_rule.anchor = Some("by-rule".into());
    blocks.push(by_rule);
    // The rules with errors first, then those with warnings.
    let mut rules: Vec<(RuleId, Vec<&Reported>)> = RuleId::ALL
        .iter()
        .map(|rule| {
            let mine = all.iter().filter(|r| r.finding.rule == *rule);
            (*rule, errors_first(mine))
        })
        .filter(|(_, mine)| !mine.is_empty())
        .collect();
    rules.sort_by_key(|(_, mine)| mine[0].severity);
    for (rule, mine) in rules {
        let mut b = Block::table(
            format!(
                "{} ({}): {}",
                rule.as_str(),
                mine.len(),
                rule.summary_in(cx.lang)
            ),
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
            cx.findings_table(errors_first(mine).into_iter(), true),
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
                Cell::text(rule.summary_in(cx.lang)),
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
            let open = errors_first(
                cx.report
                    .findings
                    .iter()
                    .filter(|f| rules.contains(&f.finding.rule)),
            );
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
                // The summary goes last: it is the long text that wraps.
                let cells = vec![
                    Cell::text(e.time),
                    Cell::text(e.commit),
                    Cell::text(e.author),
                    Cell::text(e.signature),
                    records_cell(e.records),
                    Cell::text(e.summary),
                ];
                table.rows.push(Row {
                    anchor: Some(e.anchor),
                    cells,
                });
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

/// The records one commit changed, in one cell: a commit that touched
/// several records is one row, so sorting or filtering the table never
/// parts a record from the commit that changed it. Several records are a
/// list of links (escaped here, since the cell carries HTML); the changes
/// page is at the site root, so the links need no prefix.
fn records_cell(mut records: Vec<Cell>) -> Cell {
    if records.len() < 2 {
        return records.pop().unwrap_or_default();
    }
    let escape = |s: &str| {
        let mut out = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = tera::escape_html(s, &mut out);
        String::from_utf8(out).unwrap_or_default()
    };
    let mut html = String::from("<ul class=\"records\">");
    for r in &records {
        html.push_str("<li>");
        match &r.href {
            Some(href) => html.push_str(&format!(
                "<a href=\"{}\">{}</a>",
                escape(href),
                escape(&r.text)
            )),
            None => html.push_str(&escape(&r.text)),
        }
        html.push_str("</li>");
    }
    html.push_str("</ul>");
    Cell {
        text: records
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        html: Some(html),
        ..Cell::default()
    }
}
