//! Field-level differences between two revisions of a record.
//!
//! Auditors ask "what changed", not "which lines": a reformatted file, keys
//! written in another order or a comment added is no change at all. So two
//! revisions are compared as parsed TOML values (spans ignored), and every
//! difference is named by its key path, `line[0].quantity: 500 -> 800`.
//! Arrays of tables are compared entry by entry by position (`[[line]]`,
//! `[[change]]` are appended, rarely reordered); other arrays as one value.

use crate::load::{Table, Value};
use serde::Serialize;
use std::fmt;

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FieldChange {
    /// `review`, `line[0].quantity`.
    pub path: String,
    /// The old value as TOML text; `None` when the field was added.
    pub from: Option<String>,
    /// The new value as TOML text; `None` when the field was removed.
    pub to: Option<String>,
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.from, &self.to) {
            (None, Some(to)) if to.starts_with('{') || to.starts_with('[') => {
                write!(f, "{}: added", self.path)
            }
            (None, Some(to)) => write!(f, "{}: added {to}", self.path),
            (Some(_), None) => write!(f, "{}: removed", self.path),
            (Some(from), Some(to)) => write!(f, "{}: {from} -> {to}", self.path),
            (None, None) => write!(f, "{}", self.path),
        }
    }
}

/// The changes from `old` to `new`; a missing side is an empty file.
pub fn diff_tables(old: Option<&Table>, new: Option<&Table>) -> Vec<FieldChange> {
    let empty = Table::new();
    let mut out = Vec::new();
    table(old.unwrap_or(&empty), new.unwrap_or(&empty), "", &mut out);
    out
}

fn table(old: &Table, new: &Table, base: &str, out: &mut Vec<FieldChange>) {
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let path = if base.is_empty() {
            key.clone()
        } else {
            format!("{base}.{key}")
        };
        let o = old.get(key).map(|(_, n)| &n.value);
        let n = new.get(key).map(|(_, n)| &n.value);
        value(o, n, &path, out);
    }
}

fn value(old: Option<&Value>, new: Option<&Value>, path: &str, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (Some(Value::Table(a)), Some(Value::Table(b))) => table(a, b, path, out),
        (Some(Value::Array(a)), Some(Value::Array(b)))
            if is_table_array(a) || is_table_array(b) =>
        {
            for i in 0..a.len().max(b.len()) {
                value(
                    a.get(i).map(|n| &n.value),
                    b.get(i).map(|n| &n.value),
                    &format!("{path}[{i}]"),
                    out,
                );
            }
        }
        (Some(a), Some(b)) if a.same(b) => {}
        (None, None) => {}
        (a, b) => out.push(FieldChange {
            path: path.to_string(),
            from: a.map(render),
            to: b.map(render),
        }),
    }
}

fn is_table_array(a: &[crate::load::Node]) -> bool {
    a.first()
        .is_some_and(|n| matches!(n.value, Value::Table(_)))
}

/// A value as inline TOML, for messages and the audit trail.
pub fn render(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => d.to_string(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter()
                .map(|n| render(&n.value))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Table(t) => format!(
            "{{ {} }}",
            t.iter()
                .map(|(k, (_, n))| format!("{k} = {}", render(&n.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A section by its path (`review`, `extra_review[1]`), as signed sections
/// name themselves.
pub fn section<'t>(root: &'t Table, path: &str) -> Option<&'t Value> {
    let (key, index) = match path.split_once('[') {
        Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (path, None),
    };
    let v = &root.get(key)?.1.value;
    match (index, v) {
        (None, v) => Some(v),
        (Some(i), Value::Array(a)) => a.get(i).map(|n| &n.value),
        _ => None,
    }
}

/// The table without the given top-level keys (an order's substance is the
/// order without its non-substance sections).
pub fn without(root: &Table, keys: &[&str]) -> Table {
    root.iter()
        .filter(|(k, _)| !keys.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Table {
        crate::history::parse_state("x.toml", s.as_bytes())
            .into_table()
            .unwrap()
    }

    #[test]
    fn names_changed_fields_and_ignores_format() {
        let a = parse("id = \"A\"\n[[line]]\nquantity = 500\npart = \"X\"\n");
        let b = parse(
            "id = \"A\"\n[[line]]\npart   = \"X\"   # the part\nquantity = 800\n[review]\nby = \"w\"\n",
        );
        let changes: Vec<String> = diff_tables(Some(&a), Some(&b))
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(changes, ["line[0].quantity: 500 -> 800", "review: added"]);
        let same = parse("[[line]]\npart = \"X\"\nquantity = 500\n");
        let reordered = parse("[[line]]\nquantity = 500\npart = \"X\"\n");
        assert!(diff_tables(Some(&same), Some(&reordered)).is_empty());
    }
}
