//! An owned, spanned TOML tree.
//!
//! toml's `DeTable` borrows the text it was parsed from; records outlive
//! their text (and the history stage compares values across revisions), so
//! the loader converts each document once into this small owned tree. Spans
//! are byte ranges into the file's text.

use std::collections::BTreeMap;
use toml::de::{DeTable, DeValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span {
            start: r.start as u32,
            end: r.end as u32,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

/// Keys in file order would be nicer for display, but toml sorts them; the
/// sorted map gives deterministic output and field-by-field comparison.
pub type Table = BTreeMap<String, (Span, Node)>;

#[derive(Debug, Clone)]
pub enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Datetime(toml::value::Datetime),
    Array(Vec<Node>),
    Table(Table),
}

impl Value {
    /// The TOML type name, for "expected a date, found a string" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date/time",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }

    /// Equality of content, ignoring spans: reformatting or reordering a
    /// file must not count as a change.
    pub fn same(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Integer(a), Value::Integer(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits() || a == b,
            (Value::Boolean(a), Value::Boolean(b)) => a == b,
            (Value::Datetime(a), Value::Datetime(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.value.same(&y.value))
            }
            (Value::Table(a), Value::Table(b)) => same_table(a, b),
            _ => false,
        }
    }
}

pub fn same_table(a: &Table, b: &Table) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((ka, (_, va)), (kb, (_, vb)))| ka == kb && va.value.same(&vb.value))
}

pub(super) fn table_from(t: DeTable<'_>) -> Table {
    t.into_iter()
        .map(|(k, v)| {
            let key_span = Span::from(k.span());
            (k.into_inner().into_owned(), (key_span, node_from(v)))
        })
        .collect()
}

fn node_from(v: toml::Spanned<DeValue<'_>>) -> Node {
    let span = Span::from(v.span());
    let value = match v.into_inner() {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Integer(n),
            // Out of i64 range: no record field can hold it; keep the text so
            // the schema check names the value instead of failing here.
            Err(_) => Value::String(i.as_str().to_owned()),
        },
        DeValue::Float(f) => Value::Float(f.as_str().parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Boolean(b),
        DeValue::Datetime(d) => Value::Datetime(d),
        DeValue::Array(a) => Value::Array(a.iter().cloned().map(node_from).collect()),
        DeValue::Table(t) => Value::Table(table_from(t)),
    };
    Node { span, value }
}
