//! An owned, spanned TOML tree.
//!
//! toml's `DeTable` borrows the text it was parsed from; records outlive
//! their text (and the history stage compares values across revisions), so
//! the loader converts each document once into this small owned tree. Spans
//! are byte ranges into the file's text.

use serde::{Deserialize, Serialize};
use toml::de::{DeTable, DeValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

/// A TOML table: entries sorted by key (deterministic output, and
/// field-by-field comparison by merging). A sorted vector, not a
/// `BTreeMap`: records are hundreds of thousands of small tables, and a
/// B-tree node is about a kilobyte however few keys it holds (a record
/// took 7.7 KB loaded; BENCHMARKS.md).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Table {
    entries: Vec<(String, (Span, Node))>,
}

impl Table {
    pub fn new() -> Table {
        Table::default()
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut (Span, Node)> {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn get(&self, key: &str) -> Option<&(Span, Node)> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Insert or replace; returns the previous value.
    pub fn insert(&mut self, key: String, value: (Span, Node)) -> Option<(Span, Node)> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<(Span, Node)> {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries in key order.
    pub fn iter(
        &self,
    ) -> impl DoubleEndedIterator<Item = (&String, &(Span, Node))> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &(Span, Node)> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }
}

impl FromIterator<(String, (Span, Node))> for Table {
    /// Like a map: a later duplicate key replaces the earlier one.
    fn from_iter<I: IntoIterator<Item = (String, (Span, Node))>>(iter: I) -> Table {
        let mut entries: Vec<(String, (Span, Node))> = iter.into_iter().collect();
        // Stable: among equal keys the last one is kept below.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, (Span, Node))> = Vec::with_capacity(entries.len());
        for e in entries {
            match out.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
                _ => out.push(e),
            }
        }
        out.shrink_to_fit();
        Table { entries: out }
    }
}

impl<'t> IntoIterator for &'t Table {
    type Item = (&'t String, &'t (Span, Node));
    type IntoIter = std::iter::Map<
        std::slice::Iter<'t, (String, (Span, Node))>,
        fn(&'t (String, (Span, Node))) -> (&'t String, &'t (Span, Node)),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    /// Kept as its TOML text (`load/kept.rs`): toml's own form needs a
    /// self-describing format.
    Datetime(#[serde(with = "datetime_text")] toml::value::Datetime),
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
        DeValue::Array(a) => Value::Array(a.into_iter().map(node_from).collect()),
        DeValue::Table(t) => Value::Table(table_from(t)),
    };
    Node { span, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(n: i64) -> (Span, Node) {
        let span = Span::default();
        let value = Value::Integer(n);
        (span, Node { span, value })
    }

    fn number(t: &Table, key: &str) -> Option<i64> {
        match t.get(key).map(|(_, n)| &n.value) {
            Some(Value::Integer(n)) => Some(*n),
            _ => None,
        }
    }

    /// A tree read back from its encoding (`load/kept.rs`) is the tree parsed, whatever
    /// the values (dates and times of every form, floats, nesting).
    #[test]
    fn a_tree_reads_back_as_parsed() {
        let text = "id = \"A\"\nwhen = 2026-03-02\nat = 07:32:00.5\nstamp = 1979-05-27T07:32:00-08:00\n\
                    local = 1979-05-27T07:32:00.999999\nn = -3\nx = 1.5e3\nnan = nan\nok = true\n\
                    list = [1, \"two\", [3.0]]\n[t.u]\nv = { w = 1 }\n";
        let root = table_from(DeTable::parse(text).expect("parses").into_inner());
        let bytes = postcard::to_allocvec(&root).unwrap();
        let back: Table = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(format!("{back:?}"), format!("{root:?}"));
    }

    /// The sorted vector behaves as the map the loader, the schema check
    /// and the history's substance comparison take it for.
    #[test]
    fn a_table_is_a_map_in_key_order() {
        let mut t: Table = [("b", 1), ("a", 2), ("b", 3)]
            .into_iter()
            .map(|(k, n)| (k.to_string(), node(n)))
            .collect();
        assert_eq!(t.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!((t.len(), t.is_empty()), (2, false));
        assert_eq!(number(&t, "b"), Some(3), "a later duplicate replaces");
        assert!(t.contains_key("a") && !t.contains_key("c"));

        assert!(t.insert("c".into(), node(4)).is_none());
        let old = t.insert("a".into(), node(5)).map(|(_, n)| n.value);
        assert!(matches!(old, Some(Value::Integer(2))));
        if let Some((_, n)) = t.get_mut("c") {
            n.value = Value::Integer(6);
        }
        assert_eq!(number(&t, "c"), Some(6));
        assert!(t.get_mut("z").is_none());

        assert!(matches!(
            t.remove("b").map(|(_, n)| n.value),
            Some(Value::Integer(3))
        ));
        assert!(t.remove("b").is_none());
        assert_eq!(t.keys().collect::<Vec<_>>(), ["a", "c"]);
        assert!(!Table::new().contains_key("a") && Table::new().is_empty());
    }

    /// Content, not spans or order, decides sameness; an extra key, a
    /// longer list or another type is a difference.
    #[test]
    fn sameness_ignores_spans_and_sees_every_entry() {
        let parse = |s: &str| table_from(DeTable::parse(s).unwrap().into_inner());
        let a = parse("f = 2.5\nx = 1\ny = [1, 2]\n[t]\nz = \"s\"\n");
        let b = parse("[t]\n  z   = \"s\"\n\n[root]\n");
        let b2 = parse("y = [1,2]\nx=1\nf = 2.50\n[t]\nz = 's'\n");
        assert!(same_table(&a, &b2));
        // Re-saving a file is no change, even for the odd floats: nan is
        // nan, and 0.0 is -0.0.
        assert!(same_table(&parse("f = nan\n"), &parse("f = nan\n")));
        assert!(same_table(&parse("f = 0.0\n"), &parse("f = -0.0\n")));
        assert!(!same_table(&a, &b));
        for other in [
            "f = 2.5\nx = 1\ny = [1, 2]\n[t]\nz = \"s\"\nw = 0\n",
            "f = 2.5\nx = 1\ny = [1, 2]\nzz = 0\n[t]\nz = \"s\"\n",
            "f = 2.5\nx = 1\ny = [1, 2, 3]\n[t]\nz = \"s\"\n",
            "f = 2.5\nx = 1.0\ny = [1, 2]\n[t]\nz = \"s\"\n",
            "f = 2.25\nx = 1\ny = [1, 2]\n[t]\nz = \"s\"\n",
            "f = 2.5\nx = 1\ny = [1, 2]\n[t]\nz = \"S\"\n",
        ] {
            assert!(!same_table(&a, &parse(other)), "{other}");
            assert!(!same_table(&parse(other), &a), "{other}");
        }
    }
}

/// A TOML date or time as its text, for the kept records.
mod datetime_text {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use toml::value::Datetime;

    pub fn serialize<S: Serializer>(d: &Datetime, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(d)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Datetime, D::Error> {
        // Borrowed from the kept bytes, which are read whole: no copy of
        // each date of a hundred thousand records.
        let text = <&str>::deserialize(d)?;
        text.parse().map_err(D::Error::custom)
    }
}
