//! Reading typed fields out of a parsed TOML table, collecting every
//! problem instead of stopping at the first.
//!
//! serde's derive stops at the first error, and a person fixing a record
//! wants all of them at once, each with its line. So records are read
//! field by field through a [`Reader`]: every accessor records the field it
//! was asked for (that list is the schema, and the candidates for "did you
//! mean"), reports a missing or mistyped value as a `schema` finding at the
//! right position, and returns a default so reading goes on. A record whose
//! required field failed is marked broken and is left out of the model
//! after its findings are reported; unknown fields are reported but do not
//! break it.
//!
//! The same reading code also *describes* the format: a [`Diag`] made with
//! [`Diag::describing`] hands out readers over an empty table that record
//! every field they are asked for ([`super::shape`]) instead of reading
//! it. So `docket schema` and `docket check` take what a file may hold
//! from one place.

use super::shape::{Describing, Fields, Shape};
use crate::finding::{Finding, Message, Pos, RuleId};
use crate::load::{Doc, Node, Span, Table, Value};
use crate::{lexicon, msg};
use jiff::civil::Date;
use std::cell::{Cell, RefCell};
use std::ops::Deref;

/// A value and where it was written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct At<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T> Deref for At<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: std::fmt::Display> std::fmt::Display for At<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

/// A type that can be read from one TOML value.
pub trait FromToml: Sized + Default {
    /// What a correct value looks like, for messages: "a date like 2026-03-02".
    const EXPECTED: &'static str;
    fn from_toml(v: &Value) -> Result<Self, String>;
    /// What a correct value is, for schemas.
    fn shape() -> Shape;
}

/// Types that are one TOML value type as it is.
macro_rules! plain {
    ($($t:ty = $variant:ident, $expected:literal, $shape:expr;)*) => {
        $(impl FromToml for $t {
            const EXPECTED: &'static str = $expected;
            fn shape() -> Shape {
                $shape
            }
            fn from_toml(v: &Value) -> Result<Self, String> {
                match v {
                    Value::$variant(x) => Ok(x.clone()),
                    _ => Err(String::new()),
                }
            }
        })*
    };
}

plain! {
    String = String, "a string", Shape::Text { pattern: None };
    bool = Boolean, "true or false", Shape::Bool;
    i64 = Integer, "a whole number", Shape::Integer { min: None, max: None };
}

impl FromToml for u32 {
    const EXPECTED: &'static str = "a whole number, 0 or more";
    fn shape() -> Shape {
        Shape::Integer {
            min: Some(0),
            max: Some(u32::MAX.into()),
        }
    }
    fn from_toml(v: &Value) -> Result<Self, String> {
        match v {
            Value::Integer(n) => u32::try_from(*n).map_err(|_| format!("{n} is out of range")),
            _ => Err(String::new()),
        }
    }
}

impl FromToml for Date {
    const EXPECTED: &'static str = "a date like 2026-03-02 (unquoted)";
    fn shape() -> Shape {
        Shape::Date
    }
    fn from_toml(v: &Value) -> Result<Self, String> {
        match v {
            Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => Date::new(d.year as i16, d.month as i8, d.day as i8)
                    .map_err(|e| format!("{dt} is not a valid date: {e}")),
                _ => Err(format!("{dt} has a time or offset; write the date alone")),
            },
            Value::String(s) if s.parse::<Date>().is_ok() => Err(format!(
                "\"{s}\" is a quoted string; write the date without quotes"
            )),
            _ => Err(String::new()),
        }
    }
}

impl<T: FromToml> FromToml for Vec<T> {
    const EXPECTED: &'static str = "an array";
    fn shape() -> Shape {
        Shape::Array(Box::new(T::shape()))
    }
    fn from_toml(v: &Value) -> Result<Self, String> {
        let Value::Array(items) = v else {
            return Err(String::new());
        };
        items
            .iter()
            .map(|n| {
                T::from_toml(&n.value).map_err(|m| {
                    if m.is_empty() {
                        format!(
                            "each item must be {}, found {}",
                            T::EXPECTED,
                            n.value.type_name()
                        )
                    } else {
                        m
                    }
                })
            })
            .collect()
    }
}

pub fn bad_enum(found: &str, allowed: &[&str]) -> String {
    let list = allowed
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ");
    match suggest(found, allowed.iter().copied()) {
        Some(s) => {
            format!("\"{found}\" is not allowed here; did you mean \"{s}\"? (one of {list})")
        }
        None => format!("\"{found}\" is not allowed here; use one of {list}"),
    }
}

/// The closest candidate, if it is close enough to be a typo.
pub fn suggest<'a>(found: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(found, c), c))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Per-document reading state shared by a reader and its sub-readers.
pub struct Diag<'d> {
    doc: &'d Doc,
    findings: RefCell<Vec<Finding>>,
    broken: Cell<bool>,
    /// Set in describe mode: the fields asked for, table by table.
    describing: Option<RefCell<Describing>>,
}

impl<'d> Diag<'d> {
    pub fn new(doc: &'d Doc) -> Self {
        Diag {
            doc,
            findings: RefCell::new(Vec::new()),
            broken: Cell::new(false),
            describing: None,
        }
    }

    /// A diag whose readers describe instead of read: run a reader with
    /// it over an empty document, then take [`Diag::described`].
    pub fn describing(doc: &'d Doc) -> Self {
        Diag {
            describing: Some(RefCell::new(Describing::new())),
            ..Diag::new(doc)
        }
    }

    /// The fields the readers asked for, in describe mode.
    pub fn described(&self) -> Option<Fields> {
        self.describing.as_ref().map(|d| d.borrow().finish())
    }

    /// The file being read, relative to the records root.
    pub fn file(&self) -> &str {
        &self.doc.rel
    }

    pub fn pos(&self, span: Span) -> Pos {
        self.doc.lines.pos(span.start as usize)
    }

    /// A schema problem; `breaks` says whether the record can still be used.
    pub fn schema(&self, span: Option<Span>, message: Message, breaks: bool) {
        self.push(RuleId::Schema, span, message);
        if breaks {
            self.broken.set(true);
        }
    }

    pub fn push(&self, rule: RuleId, span: Option<Span>, message: Message) {
        let pos = span.map(|s| self.pos(s));
        self.findings
            .borrow_mut()
            .push(Finding::new(rule, &self.doc.rel, pos, message));
    }

    pub fn push_at(&self, rule: RuleId, pos: Pos, message: Message) {
        self.findings
            .borrow_mut()
            .push(Finding::new(rule, &self.doc.rel, Some(pos), message));
    }

    pub fn is_broken(&self) -> bool {
        self.broken.get()
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings.into_inner()
    }

    pub fn root(&self) -> Reader<'_> {
        Reader {
            diag: self,
            table: &self.doc.root,
            span: None,
            path: String::new(),
            asked: RefCell::default(),
            at: 0,
        }
    }
}

/// Reads the fields of one table.
pub struct Reader<'a> {
    diag: &'a Diag<'a>,
    table: &'a Table,
    /// The table's own span (its header); `None` for the document root.
    span: Option<Span>,
    /// `review.` or `line[2].`: prefixes field names in messages.
    path: String,
    asked: RefCell<Vec<&'static str>>,
    /// In describe mode, this table's index in the describing state.
    at: usize,
}

impl<'a> Reader<'a> {
    /// Record a field in describe mode; nothing otherwise.
    fn describe(&self, key: &'static str, shape: impl FnOnce() -> Shape, required: bool) {
        if let Some(d) = &self.diag.describing {
            d.borrow_mut().leaf(self.at, key, shape(), required);
        }
    }

    /// In describe mode, a reader for the sub-table `key` (made by `make`
    /// from the describing state and this reader's index).
    fn describe_sub(
        &self,
        key: &'static str,
        make: impl FnOnce(&mut Describing, usize) -> usize,
    ) -> Option<Reader<'a>> {
        let d = self.diag.describing.as_ref()?;
        let at = make(&mut d.borrow_mut(), self.at);
        let mut sub = self.sub(&self.diag.doc.root, Span::default(), self.name(key) + ".");
        sub.at = at;
        Some(sub)
    }

    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.path)
    }

    /// Where the table starts (the document start for the root).
    pub fn pos(&self) -> Pos {
        self.span
            .map_or(Pos { line: 1, col: 1 }, |s| self.diag.pos(s))
    }

    pub fn diag(&self) -> &'a Diag<'a> {
        self.diag
    }

    fn get(&self, key: &'static str) -> Option<&'a (Span, Node)> {
        self.asked.borrow_mut().push(key);
        self.table.get(key)
    }

    fn convert<T: FromToml>(&self, key: &'static str, node: &Node, breaks: bool) -> Option<At<T>> {
        match T::from_toml(&node.value) {
            Ok(value) => Some(At {
                value,
                pos: self.diag.pos(node.span),
            }),
            Err(msg) => {
                let name = self.name(key);
                let msg = if msg.is_empty() {
                    msg!(
                        "`{name}` must be {expected}, found {found}",
                        "`{name}`（{zname}）的值型別不正確：應為 {expected}，實為 {found}";
                        zname = lexicon::path(&name),
                        expected = T::EXPECTED,
                        found = node.value.type_name()
                    )
                } else {
                    msg!(
                        "`{name}`: {msg}",
                        "`{name}`（{zname}）的值不正確：{msg}";
                        zname = lexicon::path(&name)
                    )
                };
                self.diag.schema(Some(node.span), msg, breaks);
                None
            }
        }
    }

    /// A required field. Missing or wrong, it is reported and the record is
    /// marked broken; the default keeps reading going.
    pub fn req<T: FromToml>(&self, key: &'static str) -> At<T> {
        if self.diag.describing.is_some() {
            self.describe(key, T::shape, true);
            self.asked.borrow_mut().push(key);
            return At::default();
        }
        match self.get(key) {
            Some((_, node)) => self.convert(key, node, true).unwrap_or_default(),
            None => {
                self.diag.schema(
                    self.span,
                    msg!(
                        "missing required field `{name}`",
                        "缺少必填欄位 `{name}`（{zname}）";
                        name = self.name(key),
                        zname = lexicon::path(&name)
                    ),
                    true,
                );
                At {
                    value: T::default(),
                    pos: self.pos(),
                }
            }
        }
    }

    /// An optional field: absent is fine; a wrong value is reported and
    /// treated as absent.
    pub fn opt<T: FromToml>(&self, key: &'static str) -> Option<At<T>> {
        self.describe(key, T::shape, false);
        let (_, node) = self.get(key)?;
        self.convert(key, node, false)
    }

    /// An optional sub-table such as `[review]`.
    pub fn table(&self, key: &'static str) -> Option<Reader<'a>> {
        if let Some(sub) = self.describe_sub(key, |d, at| d.table(at, key, false)) {
            return Some(sub);
        }
        let (_, node) = self.get(key)?;
        match &node.value {
            Value::Table(t) => Some(self.sub(t, node.span, format!("{}{key}.", self.path))),
            other => {
                self.diag.schema(
                    Some(node.span),
                    msg!(
                        "`{name}` must be a table ([{name}]), found {found}",
                        "`{name}`（{zname}）必須是表格（[{name}]），實為 {found}";
                        name = self.name(key),
                        zname = lexicon::path(&name),
                        found = other.type_name()
                    ),
                    true,
                );
                None
            }
        }
    }

    /// A required sub-table.
    pub fn req_table(&self, key: &'static str) -> Option<Reader<'a>> {
        if let Some(sub) = self.describe_sub(key, |d, at| d.table(at, key, true)) {
            return Some(sub);
        }
        let found = self.table(key);
        if found.is_none() && !self.table.contains_key(key) {
            self.diag.schema(
                self.span,
                msg!(
                    "missing required table `[{name}]`",
                    "缺少必要的表格 `[{name}]`（{zname}）";
                    name = self.name(key),
                    zname = lexicon::path(&name)
                ),
                true,
            );
        }
        found
    }

    /// An array of tables such as `[[line]]`; absent is an empty list.
    pub fn tables(&self, key: &'static str) -> Vec<Reader<'a>> {
        if let Some(sub) = self.describe_sub(key, |d, at| d.tables(at, key, 0)) {
            return vec![sub];
        }
        let Some((_, node)) = self.get(key) else {
            return Vec::new();
        };
        let Value::Array(items) = &node.value else {
            self.diag.schema(
                Some(node.span),
                msg!(
                    "`{name}` must be an array of tables ([[{key}]]), found {found}",
                    "`{name}`（{zname}）必須是表格陣列（[[{key}]]），實為 {found}";
                    name = self.name(key),
                    zname = lexicon::path(&name),
                    found = node.value.type_name()
                ),
                true,
            );
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match &item.value {
                Value::Table(t) => {
                    out.push(self.sub(t, item.span, format!("{}{key}[{i}].", self.path)))
                }
                other => self.diag.schema(
                    Some(item.span),
                    msg!(
                        "`{name}[{i}]` must be a table, found {found}",
                        "`{name}[{i}]`（{zname}）必須是表格，實為 {found}";
                        name = self.name(key),
                        zname = lexicon::path(&format!("{name}[{i}]")),
                        found = other.type_name()
                    ),
                    true,
                ),
            }
        }
        out
    }

    /// An array of tables that must have at least one entry: without one,
    /// `missing` is reported and the record is broken.
    pub fn req_tables(&self, key: &'static str, missing: Message) -> Vec<Reader<'a>> {
        if let Some(sub) = self.describe_sub(key, |d, at| d.tables(at, key, 1)) {
            return vec![sub];
        }
        let found = self.tables(key);
        if found.is_empty() {
            self.diag.schema(self.span, missing, true);
        }
        found
    }

    /// The raw entries of a table whose keys are data (survey scores).
    pub fn entries(&self) -> impl Iterator<Item = (&'a str, &'a Node)> {
        self.table.iter().map(|(k, (_, n))| (k.as_str(), n))
    }

    /// Declare that this table's keys are data, read through
    /// [`Reader::entries`] (so `finish` accepts them): `keys` are the ones
    /// allowed, each value of shape `value`. The caller checks them; a
    /// schema describes them.
    pub fn accept_entries(&self, keys: impl IntoIterator<Item = String>, value: Shape) {
        if let Some(d) = &self.diag.describing {
            d.borrow_mut()
                .entries(self.at, keys.into_iter().collect(), value);
        }
        self.asked.borrow_mut().push("*");
    }

    fn sub(&self, table: &'a Table, span: Span, path: String) -> Reader<'a> {
        Reader {
            diag: self.diag,
            table,
            span: Some(span),
            path,
            asked: RefCell::default(),
            at: self.at,
        }
    }

    /// Report every key that no accessor asked for.
    pub fn finish(self) {
        // Taken, not copied: nothing asks again once the table is done.
        let asked = self.asked.take();
        if asked.contains(&"*") {
            return;
        }
        for (key, (key_span, _)) in self.table {
            if asked.contains(&key.as_str()) {
                continue;
            }
            let hint = match suggest(key, asked.iter().copied()) {
                Some(s) => msg!("; did you mean `{s}`?", "；是否應為 `{s}`？"),
                None => msg!(
                    "; known fields here: {known}",
                    "；此處可用的欄位：{known}";
                    known = asked.join(", ")
                ),
            };
            self.diag.schema(
                Some(*key_span),
                msg!(
                    "unknown field `{name}`{en}",
                    "不明的欄位 `{name}`{zh}";
                    name = self.name(key),
                    en = &hint.en,
                    zh = &hint.zh
                ),
                false,
            );
        }
    }
}

impl<T: serde::Serialize> serde::Serialize for At<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// A signed section's `by` and `date`, and where the table starts.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Sign {
    pub by: At<String>,
    pub date: At<Date>,
    #[serde(skip)]
    pub pos: Pos,
}

impl Sign {
    pub fn read(r: &Reader) -> Sign {
        Sign {
            by: r.req("by"),
            date: r.req("date"),
            pos: r.pos(),
        }
    }
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    to.duration_since(from).as_secs() / 86_400
}

impl Reader<'_> {
    /// Read a table's fields with `f`, then report its unknown keys.
    pub fn with<T>(self, f: impl FnOnce(&Self) -> T) -> T {
        let value = f(&self);
        self.finish();
        value
    }
}

impl Reader<'_> {
    /// The table's span, or the document start for the root.
    pub fn span_or_default(&self) -> Span {
        self.span.unwrap_or_default()
    }
}
