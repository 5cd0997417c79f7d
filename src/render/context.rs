//! [`Cx`], the context every page builder shares: the model and the
//! report, the site's language and labels, where each record's page is,
//! and lookups made once for the whole build (findings by record, signed
//! sections by file, the relations between records). Its helpers turn ids
//! into linked cells, so the rules about links (relative, only to pages
//! that exist) live in one place.
//!
//! It holds no git history: the pages that show history are given the
//! [`Trail`](super::trail::Trail) explicitly, so of the site this module
//! depends only on the display structs ([`super::views`]) and the labels
//! (`i18n.rs`).

use super::i18n;
use super::reads::{self, Read};
use super::views::{Cell, Table};
use crate::finding::RuleId;
use crate::kind::Kind;
use crate::model::{Language, Model, Related, Signed};
use crate::report::{CheckReport, Reported};
use std::collections::{BTreeMap, BTreeSet};

/// A file name for a record id: ids are checked by the model, but a page
/// name never comes from user text unchecked, so anything outside
/// `[A-Za-z0-9_-]` is spelled `~XX`.
pub fn page_name(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            out.push_str(&format!("~{b:02X}"));
        }
    }
    out
}

/// An HTML id for a person or rule anchor.
pub fn anchor(prefix: &str, id: &str) -> String {
    format!("{prefix}-{}", page_name(id))
}

/// Where things are, and how to say them: shared by every page builder.
pub struct Cx<'a> {
    pub model: &'a Model,
    pub report: &'a CheckReport,
    pub lang: Language,
    /// The labels in order, as the templates and the site's seed read them.
    pub t: BTreeMap<&'static str, &'static str>,
    /// The same labels hashed, for [`Cx::t`]: every page asks for a few
    /// dozen, a hundred thousand pages at 50,000 orders.
    labels: crate::Lookup<&'static str, &'static str>,
    /// Record id -> the path of its page, for every record with one.
    pub links: crate::Lookup<&'a str, String>,
    /// Procedure anchors present (`c4.2.1`).
    pub clauses: BTreeSet<String>,
    /// Findings by record id (findings about no readable record are on
    /// the findings page only).
    pub findings_by_record: crate::Lookup<&'a str, Vec<&'a Reported>>,
    /// Signed sections by record file, computed once: every record page
    /// and the people page need them.
    pub signed: crate::Lookup<&'a str, Vec<Signed<'a>>>,
    /// The records listed on a record's page (a customer's orders, ...),
    /// read through [`Cx::related_of`].
    related: Related<'a>,
    /// Approved orders whose review no longer covers them: shown as
    /// "awaiting re-review" wherever their status is.
    pub re_review: BTreeSet<String>,
    /// The value of each list row built so far ([`reads::Rows`]).
    pub rows: reads::Rows,
}

impl<'a> Cx<'a> {
    pub fn new(model: &'a Model, report: &'a CheckReport, clauses: BTreeSet<String>) -> Cx<'a> {
        let lang = model.config.company.language;
        let links = model
            .metas()
            .map(|m| {
                let id = m.id.as_str();
                (id, format!("{}/{}.html", m.kind.folder(), page_name(id)))
            })
            .collect();
        let mut findings_by_record: crate::Lookup<&str, Vec<&Reported>> = Default::default();
        for r in &report.findings {
            if let Some(id) = r.finding.record.as_deref() {
                findings_by_record.entry(id).or_default().push(r);
            }
        }
        let mut signed: crate::Lookup<&str, Vec<Signed>> = Default::default();
        for s in model.signed_sections() {
            signed.entry(s.meta.file.as_str()).or_default().push(s);
        }
        let t = i18n::labels(lang);
        Cx {
            model,
            report,
            lang,
            labels: t.iter().map(|(k, v)| (*k, *v)).collect(),
            t,
            links,
            clauses,
            findings_by_record,
            signed,
            related: model.related(),
            re_review: BTreeSet::new(),
            rows: reads::Rows::default(),
        }
    }

    /// An order's status as a styled cell: its derived status, or
    /// "awaiting re-review" when the GM's approval went stale.
    pub fn order_status(&self, order: &crate::model::Order) -> Cell {
        if self.re_review.contains(crate::model::Record::id(order)) {
            return Cell::text(self.t("awaiting_re_review")).class("status-awaiting-re-review");
        }
        let s = self.model.order_status(order).as_str();
        Cell::text(self.value(s)).class(format!("status-{s}"))
    }

    pub fn t(&self, key: &str) -> String {
        self.labels.get(key).copied().unwrap_or(key).to_string()
    }

    pub fn value(&self, v: &str) -> String {
        i18n::value(self.lang, v)
    }

    /// A link to a record's page, or plain text if it has none. A
    /// customer is named too: "C-0007" alone means nothing to a reader.
    pub fn record(&self, id: &str) -> Cell {
        reads::note(|| Read::Link(id.to_string()));
        let text = match self.model.customers.get(id) {
            Some(c) => format!("{id} {}", c.name.value),
            None => id.to_string(),
        };
        Cell::link(text, self.links.get(id).cloned())
    }

    /// The records of `kind` that belong to record `id` of kind `owner`
    /// (a customer's orders).
    pub fn related_of(&self, owner: Kind, id: &str, kind: Kind) -> &[&'a str] {
        reads::note(|| Read::Related(owner, id.to_string(), kind));
        // Only a record (which has a page) has related records.
        match self.links.get_key_value(id) {
            Some((id, _)) => self.related.of(owner, id, kind),
            None => &[],
        }
    }

    /// The ids of an order's flow sheets.
    pub fn flowsheets_of(&self, order: &str) -> Vec<&'a str> {
        reads::note(|| Read::Flowsheets(order.to_string()));
        self.model
            .flowsheets_of(order)
            .into_iter()
            .map(crate::model::Record::id)
            .collect()
    }

    /// A person by printed name, linked to the people page.
    pub fn person(&self, id: &str) -> Cell {
        reads::note(|| Read::Person(id.to_string()));
        match self.model.person(id) {
            Some(p) => Cell::link(
                format!("{} ({id})", p.name.value),
                Some(format!("people.html#{}", anchor("p", id))),
            ),
            None => Cell::text(id),
        }
    }

    /// Where a clause is explained: its procedure section, else the rules.
    pub fn clause(&self, rule: RuleId) -> Cell {
        let clause = rule.clause();
        if let Some(owner) = self.owning_clause(rule) {
            Cell::link(clause, Some(format!("procedure.html#c{owner}")))
        } else {
            Cell::link(
                clause,
                Some(format!("rules.html#{}", self::anchor("r", rule.as_str()))),
            )
        }
    }

    /// The procedure heading a rule belongs to: its clause without the
    /// item letter ("4.2.1 B" -> 4.2.1), or the nearest parent clause the
    /// procedure has a heading for ("3.3" -> 3).
    pub fn owning_clause(&self, rule: RuleId) -> Option<String> {
        let mut clause = rule.clause().split(' ').next()?.to_string();
        loop {
            if clause.is_empty() || clause == "-" {
                return None;
            }
            if self.clauses.contains(&format!("c{clause}")) {
                return Some(clause);
            }
            match clause.rsplit_once('.') {
                Some((parent, _)) => clause = parent.to_string(),
                None => return None,
            }
        }
    }

    pub fn rule(&self, rule: RuleId) -> Cell {
        Cell::link(
            rule.as_str(),
            Some(format!("rules.html#{}", anchor("r", rule.as_str()))),
        )
    }

    pub fn severity(&self, r: &Reported) -> Cell {
        Cell::text(self.value(r.severity.as_str())).class(r.severity.as_str())
    }

    /// A table of findings; `with_record` adds the record/file column.
    pub fn findings_table<'r>(
        &self,
        findings: impl Iterator<Item = &'r Reported>,
        with_record: bool,
    ) -> Table {
        let mut headers = vec![self.t("severity"), self.t("rule"), self.t("clause")];
        if with_record {
            headers.push(self.t("record"));
        }
        headers.extend([self.t("file"), self.t("message")]);
        let mut table = Table::new(headers);
        for r in findings {
            let f = &r.finding;
            let mut cells = vec![self.severity(r), self.rule(f.rule), self.clause(f.rule)];
            if with_record {
                cells.push(
                    f.record
                        .as_deref()
                        .map_or_else(Cell::default, |id| self.record(id)),
                );
            }
            let place = match f.pos {
                Some(p) => format!("{}:{}:{}", f.file, p.line, p.col),
                None => f.file.clone(),
            };
            // A message may hold a long token (a key fingerprint) that
            // must not widen the table past the page: its cell breaks
            // anywhere (site.css `.message`).
            cells.extend([
                Cell::text(place),
                Cell::text(f.text(self.lang)).class("message"),
            ]);
            table.push(cells);
        }
        table.filter = table.rows.len() > 10;
        table
    }

    /// The number of findings of a record, as a cell (empty when none).
    pub fn finding_count(&self, id: &str) -> Cell {
        match self.findings_by_record.get(id) {
            Some(v) if !v.is_empty() => {
                let errors = v
                    .iter()
                    .any(|r| r.severity == crate::finding::Severity::Error);
                Cell::text(v.len().to_string()).class(if errors { "error" } else { "warning" })
            }
            _ => Cell::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_names_are_always_safe() {
        assert_eq!(page_name("SO-2026-0001"), "SO-2026-0001");
        assert_eq!(page_name("../x"), "~2E~2E~2Fx");
        assert_eq!(page_name("a b"), "a~20b");
    }
}
