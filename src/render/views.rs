//! The view structs templates see: what every page is built from, and
//! nothing else (where things are and how to say them is
//! [`Cx`](super::context::Cx)).
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

use serde::Serialize;

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
    /// The list of what the figure counts (relative to the site root).
    pub href: Option<String>,
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
    /// A CSS class of the whole block (`alert`: what must be seen first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
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
    /// `proven`, `stale`, `unproven`, `broken` or `unverified`: for
    /// styling.
    pub state: String,
    /// "covers current version", or "stale since <commit>: <fields>".
    pub covers: Option<String>,
    /// The git blob id of the file at the signature commit.
    pub blob: Option<String>,
    /// The SHA-256 of the section's canonical value.
    pub sha256: Option<String>,
    /// The trusted time in words ("signed ..., timestamped ... by
    /// <TSA>"), or why there is none; `None` when timestamps are off.
    pub timestamp: Option<String>,
    /// `trusted`, `invalid` or `missing`: for styling.
    pub timestamp_state: Option<String>,
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
