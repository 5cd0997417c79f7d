//! The view structs templates see, and the small pieces every page is
//! built from.
//!
//! Templates get data shaped for display, not the model: a [`Page`] is a
//! title and a list of [`Block`]s (figures, fields, a table, some HTML),
//! and every value is already a [`Cell`] (text, optional link, optional
//! sanitized HTML), translated and with its link resolved. So templates
//! stay free of logic and of knowledge about record kinds, an override
//! can restyle any page without reimplementing it, and the rules about
//! links (relative, only to pages that exist) and escaping live in Rust
//! where they are tested. Links are relative to the site root; templates
//! prefix them with `root` (`""` or `"../"`), which works from `file://`
//! and under any intranet path.

use super::i18n;
use crate::finding::RuleId;
use crate::history::History;
use crate::kind::Kind;
use crate::model::{Language, Model, Record, Signed};
use crate::report::{CheckReport, Reported};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One value on a page.
#[derive(Debug, Clone, Default, Hash, Serialize)]
pub struct Cell {
    pub text: String,
    /// Relative to the site root.
    // Absent rather than null when unset: a list of every order is
    // hundreds of thousands of cells, and each key is a map entry in the
    // template's copy of the page (templates only test them with `if`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Sanitized HTML, shown instead of `text` (Markdown fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// A CSS class: `error`, `warning`, a status name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            ..Cell::default()
        }
    }

    pub fn link(s: impl Into<String>, href: Option<String>) -> Cell {
        Cell {
            text: s.into(),
            href,
            ..Cell::default()
        }
    }

    pub fn class(mut self, c: impl Into<String>) -> Cell {
        self.class = Some(c.into());
        self
    }
}

#[derive(Debug, Clone, Hash, Serialize)]
pub struct Field {
    pub label: String,
    pub cell: Cell,
}

#[derive(Debug, Clone, Default, Hash, Serialize)]
pub struct Row {
    /// An anchor for the row (`r-review-missing`), safe as an HTML id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Default, Hash, Serialize)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// Whether the script should offer a filter box (long lists).
    pub filter: bool,
}

impl Table {
    pub fn new(headers: Vec<String>) -> Table {
        Table {
            headers,
            ..Table::default()
        }
    }

    pub fn push(&mut self, cells: Vec<Cell>) {
        self.rows.push(Row {
            anchor: None,
            cells,
        });
    }
}

/// A figure: a number with its label.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct Figure {
    pub label: String,
    pub value: String,
    pub class: Option<String>,
}

/// A section of a page.
#[derive(Debug, Clone, Default, Hash, Serialize)]
pub struct Block {
    pub title: String,
    /// Heading level, 2 unless set.
    pub level: u8,
    pub anchor: Option<String>,
    pub note: Option<String>,
    /// Trusted HTML: sanitized Markdown or generated SVG.
    pub html: Option<String>,
    pub figures: Vec<Figure>,
    pub fields: Vec<Field>,
    pub links: Vec<Cell>,
    pub table: Option<Table>,
    /// Spans the whole page width in a multi-column layout (wide tables).
    pub wide: bool,
}

impl Block {
    pub fn new(title: impl Into<String>) -> Block {
        Block {
            title: title.into(),
            level: 2,
            ..Block::default()
        }
    }

    pub fn table(title: impl Into<String>, table: Table) -> Block {
        Block {
            table: Some(table),
            ..Block::new(title)
        }
    }
}

/// One signature, as 21 CFR 11.50 asks to show it.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct SignatureView {
    pub section: String,
    pub name: Cell,
    pub role: String,
    pub date: String,
    /// When the signature commit was made, in the company's time zone.
    pub time: Option<String>,
    pub meaning: String,
    pub commit: Option<String>,
    pub proof: String,
    /// `proven`, `unproven`, `broken` or `unverified`: for styling.
    pub state: String,
}

/// One commit that touched a record.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct TimelineEntry {
    pub commit: String,
    pub author: String,
    pub time: String,
    pub signature: String,
    pub changes: Vec<String>,
    /// Why this revision could not be read (too large, not TOML).
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Default, Hash, Serialize)]
pub struct Page {
    pub title: String,
    /// A line above the title: the kind of record.
    pub kicker: Option<String>,
    pub badge: Option<Cell>,
    pub blocks: Vec<Block>,
    pub signatures: Vec<SignatureView>,
    /// Whether records of this kind have signed sections at all.
    pub signable: bool,
    /// `None`: no history in this build.
    pub timeline: Option<Vec<TimelineEntry>>,
}

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
    pub t: BTreeMap<&'static str, &'static str>,
    /// Record id -> page path, for every record with a page.
    pub pages: HashMap<&'a str, String>,
    /// Procedure anchors present (`c4.2.1`).
    pub clauses: BTreeSet<String>,
    /// Findings by record id (findings about no readable record are on
    /// the findings page only).
    pub findings_by_record: HashMap<&'a str, Vec<&'a Reported>>,
    /// Signed sections by record file, computed once: every record page
    /// and the people page need them.
    pub signed: HashMap<&'a str, Vec<Signed<'a>>>,
    /// What git history says, when the build has it.
    pub trail: Option<super::trail::Trail<'a>>,
    /// The records listed on a record's page (a customer's orders, ...).
    pub related: super::records::Related<'a>,
}

impl<'a> Cx<'a> {
    pub fn new(
        model: &'a Model,
        report: &'a CheckReport,
        history: Option<&'a History>,
        clauses: BTreeSet<String>,
    ) -> Cx<'a> {
        let lang = model.config.company.language;
        let mut pages = HashMap::new();
        let mut add = |kind: Kind, id: &'a str| {
            pages.insert(id, format!("{}/{}.html", kind.folder(), page_name(id)));
        };
        model
            .customers
            .iter()
            .for_each(|r| add(Kind::Customer, r.id()));
        model
            .products
            .iter()
            .for_each(|r| add(Kind::Product, r.id()));
        model.orders.iter().for_each(|r| add(Kind::Order, r.id()));
        model
            .flowsheets
            .iter()
            .for_each(|r| add(Kind::Flowsheet, r.id()));
        model.capa.iter().for_each(|r| add(Kind::Capa, r.id()));
        model.surveys.iter().for_each(|r| add(Kind::Survey, r.id()));
        model
            .property
            .iter()
            .for_each(|r| add(Kind::Property, r.id()));
        model.reports.iter().for_each(|r| add(Kind::Report, r.id()));
        let mut findings_by_record: HashMap<&str, Vec<&Reported>> = HashMap::new();
        for r in &report.findings {
            if let Some(id) = r.finding.record.as_deref() {
                findings_by_record.entry(id).or_default().push(r);
            }
        }
        let mut signed: HashMap<&str, Vec<Signed>> = HashMap::new();
        for s in model.signed_sections() {
            signed.entry(s.meta.file.as_str()).or_default().push(s);
        }
        Cx {
            model,
            report,
            lang,
            t: i18n::labels(lang),
            pages,
            clauses,
            findings_by_record,
            signed,
            trail: history.map(super::trail::Trail::new),
            related: super::records::related_index(model),
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.t.get(key).copied().unwrap_or(key).to_string()
    }

    pub fn value(&self, v: &str) -> String {
        i18n::value(self.lang, v)
    }

    /// A link to a record's page, or plain text if it has none. A
    /// customer is named too: "C-0007" alone means nothing to a reader.
    pub fn record(&self, id: &str) -> Cell {
        let text = match self.model.customers.get(id) {
            Some(c) => format!("{id} {}", c.name.value),
            None => id.to_string(),
        };
        Cell::link(text, self.pages.get(id).cloned())
    }

    /// A person by printed name, linked to the people page.
    pub fn person(&self, id: &str) -> Cell {
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
            cells.extend([Cell::text(place), Cell::text(&f.message)]);
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
