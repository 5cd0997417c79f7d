//! Field-level differences between two revisions of a record.
//!
//! Auditors ask "what changed", not "which lines": a reformatted file, keys
//! written in another order or a comment added is no change at all. So two
//! revisions are compared as parsed TOML values (spans ignored), and every
//! difference is named by its key path, `line[0].quantity: 500 -> 800`.
//! Arrays of tables are compared entry by entry by position (`[[line]]`,
//! `[[change]]` are appended, rarely reordered); other arrays as one value.

use crate::load::{FileRole, Guard, Table, Value};
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

impl FieldChange {
    /// The change in both languages: English as [`Display`](fmt::Display)
    /// writes it, Chinese with the field's Chinese name
    /// ("追蹤第 1 項：新增", "數量：10 → 12").
    pub fn text(&self) -> crate::finding::Message {
        let zpath = crate::lexicon::path(&self.path);
        // A record-format word ("website", "corrective") as the site
        // names it; anything else as written.
        let word = |v: &str| {
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .and_then(crate::lexicon::value_zh)
                .map_or_else(|| v.to_string(), |zh| format!("「{zh}」"))
        };
        let (from, to) = (self.from.as_deref().map(word), self.to.as_deref().map(word));
        let zh = match (&from, &to) {
            (None, Some(to)) if to.starts_with('{') || to.starts_with('[') => {
                format!("{zpath}：新增")
            }
            (None, Some(to)) => format!("{zpath}：新增 {to}"),
            (Some(_), None) => format!("{zpath}：移除"),
            (Some(from), Some(to)) => format!("{zpath}：{from} → {to}"),
            (None, None) => zpath,
        };
        crate::finding::Message {
            en: self.to_string(),
            zh,
        }
    }
}

/// The changes from `old` to `new`; a missing side is an empty file.
pub fn diff_tables(old: Option<&Table>, new: Option<&Table>) -> Vec<FieldChange> {
    let empty = Table::new();
    let mut out = Vec::new();
    let mut path = String::new();
    table(
        old.unwrap_or(&empty),
        new.unwrap_or(&empty),
        &mut path,
        &mut out,
    );
    out
}

/// Both tables' keys in order, each once, as a merge of their sorted
/// entries; a field's path is written into `path` as it is reached and
/// copied only for a change (the proofs and the timelines compare every
/// revision of every record, nearly all of whose fields are unchanged).
fn table(old: &Table, new: &Table, path: &mut String, out: &mut Vec<FieldChange>) {
    use std::cmp::Ordering::{Greater, Less};
    let (mut a, mut b) = (old.iter().peekable(), new.iter().peekable());
    loop {
        // Which side holds the next key: a key missing on one side is
        // taken from the other alone.
        let next = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => Less,
            (None, Some(_)) => Greater,
            (Some((k, _)), Some((l, _))) => k.cmp(l),
        };
        let o = (next != Greater).then(|| a.next()).flatten();
        let n = (next != Less).then(|| b.next()).flatten();
        let Some(key) = o.or(n).map(|(k, _)| k) else {
            break;
        };
        let (o, n) = (o.map(|(_, (_, v))| &v.value), n.map(|(_, (_, v))| &v.value));
        let base = path.len();
        if base > 0 {
            path.push('.');
        }
        path.push_str(key);
        value(o, n, path, out);
        path.truncate(base);
    }
}

fn value(old: Option<&Value>, new: Option<&Value>, path: &mut String, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (Some(Value::Table(a)), Some(Value::Table(b))) => table(a, b, path, out),
        (Some(Value::Array(a)), Some(Value::Array(b)))
            if is_table_array(a) || is_table_array(b) =>
        {
            for i in 0..a.len().max(b.len()) {
                let base = path.len();
                use std::fmt::Write;
                let _ = write!(path, "[{i}]");
                value(
                    a.get(i).map(|n| &n.value),
                    b.get(i).map(|n| &n.value),
                    path,
                    out,
                );
                path.truncate(base);
            }
        }
        (Some(a), Some(b)) if a.same(b) => {}
        (None, None) => {}
        (a, b) => out.push(FieldChange {
            path: path.clone(),
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

/// Who signed a section: the `by` of its table, if it names one.
pub fn signer(section: &Value) -> Option<&str> {
    match section {
        Value::Table(t) => match &t.get("by")?.1.value {
            Value::String(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// A file at one revision, as docket reads it.
#[derive(Debug, Clone)]
pub enum State {
    /// Not there (deleted by this revision).
    Deleted,
    Parsed(Table),
    /// There, but not read: too large, not UTF-8, not TOML. The message
    /// is the `parse` finding's.
    Unreadable(String),
}

impl State {
    pub fn table(&self) -> Option<&Table> {
        match self {
            State::Parsed(t) => Some(t),
            _ => None,
        }
    }

    pub fn into_table(self) -> Option<Table> {
        match self {
            State::Parsed(t) => Some(t),
            _ => None,
        }
    }

    /// Why the revision could not be read, if it could not.
    pub fn problem(&self) -> Option<&str> {
        match self {
            State::Unreadable(why) => Some(why),
            _ => None,
        }
    }
}

/// What one revision of a file did, as a record's timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revised {
    /// The fields it changed against the revision before it (every field
    /// of a first revision; none of a deletion, which says so itself),
    /// each as the timeline says it in the site's language. Text, not
    /// [`FieldChange`]s: a cold build keeps these for every revision of
    /// every signed record until its page is written; as values they
    /// raised a 10,000-order build's peak memory by about 20 MiB, as text
    /// not measurably.
    Changes(Vec<Box<str>>),
    /// It could not be read; the `parse` finding's message.
    Unreadable(Box<str>),
}

/// What each revision did, from the file's states newest first (as a
/// file's history lists its revisions): each against the next older one.
/// The one place this is worked out: the proofs, which parse every
/// revision of a signed record anyway, keep it for the site's timeline
/// (`History::revised`), and a timeline whose record the proofs did not
/// read works it out from the same states.
pub fn revisions_changed(states: &[State], lang: crate::model::Language) -> Vec<Revised> {
    states
        .iter()
        .enumerate()
        .map(|(i, state)| match state {
            State::Unreadable(why) => Revised::Unreadable(why.as_str().into()),
            // As `docket log` has it: a deletion is not every field removed.
            State::Deleted => Revised::Changes(Vec::new()),
            State::Parsed(_) => Revised::Changes(
                diff_tables(states.get(i + 1).and_then(State::table), state.table())
                    .iter()
                    .map(|c| c.text().get(lang).into())
                    .collect(),
            ),
        })
        .collect()
}

/// Parse a revision's bytes as the loader parses a file, keeping only the
/// tree: an old revision is compared value by value, as the loader would
/// read it, and one it would refuse says why.
pub fn parse_state(path: &str, bytes: &[u8]) -> State {
    match crate::load::parse_bytes(path.to_string(), FileRole::Config, bytes) {
        Ok(d) => State::Parsed(d.root),
        Err(f) => State::Unreadable(f.message),
    }
}

/// The working copy of `file`, read through the loader's guard with the
/// loader's size limit; `None` when it is gone or cannot be read.
pub fn working_table(guard: &Guard, file: &str) -> Option<Table> {
    let bytes = guard.read(file, Some(crate::load::MAX_FILE_BYTES)).ok()?;
    parse_state(file, &bytes).into_table()
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
        parse_state("x.toml", s.as_bytes()).into_table().unwrap()
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
