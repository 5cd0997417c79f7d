//! The shape of a file of the format, as the readers describe it.
//!
//! The readers of [`super::read`] are the one statement of what each file
//! may hold: which keys, of which types, which are required. Rather than
//! copy that into a schema by hand (and let the copy drift), the same
//! reading code runs in *describe* mode on an empty table: every field it
//! asks for is recorded here instead of read, with its type, whether it is
//! required and its allowed values. `docket schema` turns the result into
//! JSON Schemas for editors; nothing else needs it.

/// What one value may be.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A string; `pattern` when only some strings are allowed.
    Text {
        pattern: Option<String>,
    },
    Bool,
    /// A whole number, within the bounds given.
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    /// A TOML local date, `2026-03-02`.
    Date,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// An array, every item of one shape.
    Array(Box<Shape>),
    /// A table such as `[review]`.
    Table(Fields),
    /// Any one of these shapes (a key is a string or a table).
    AnyOf(Vec<Shape>),
    /// An array of tables such as `[[line]]`, with at least `min` entries.
    Tables {
        fields: Fields,
        min: usize,
    },
}

/// The keys of one table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fields {
    /// Every key the reader asks for, in the order it asks.
    pub fields: Vec<Field>,
    /// For a table whose keys are data (a survey's `[scores]`, the
    /// `[rules]` of docket.toml): the keys allowed and the shape of each
    /// value.
    pub entries: Option<(Vec<String>, Box<Shape>)>,
}

/// One key of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: &'static str,
    pub shape: Shape,
    pub required: bool,
}

impl Fields {
    /// The field `key`, if the reader asks for it.
    pub fn get(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Every key, with the keys of its tables as `table.key`: what a
    /// person could write in the file.
    pub fn paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        for f in &self.fields {
            out.push(f.key.to_string());
            if let Shape::Table(t) | Shape::Tables { fields: t, .. } = &f.shape {
                out.extend(t.paths().into_iter().map(|p| format!("{}.{p}", f.key)));
            }
        }
        out
    }
}

/// While describing: a table's fields, its sub-tables by index into the
/// describing state, so readers can record into a table while reading its
/// children.
#[derive(Debug, Default)]
pub(super) struct Pending {
    fields: Vec<(&'static str, Slot, bool)>,
    entries: Option<(Vec<String>, Box<Shape>)>,
}

#[derive(Debug)]
enum Slot {
    Leaf(Shape),
    Table(usize),
    Tables(usize, usize),
}

/// The tables described so far; index 0 is the document's root.
#[derive(Debug)]
pub(super) struct Describing {
    tables: Vec<Pending>,
}

impl Describing {
    pub(super) fn new() -> Describing {
        Describing {
            tables: vec![Pending::default()],
        }
    }

    /// Record a field of table `at`; a key asked for twice is kept once
    /// (the later, more specific, description wins).
    fn put(&mut self, at: usize, key: &'static str, slot: Slot, required: bool) {
        let fields = &mut self.tables[at].fields;
        match fields.iter_mut().find(|(k, _, _)| *k == key) {
            Some(f) => *f = (key, slot, required || f.2),
            None => fields.push((key, slot, required)),
        }
    }

    pub(super) fn leaf(&mut self, at: usize, key: &'static str, shape: Shape, required: bool) {
        self.put(at, key, Slot::Leaf(shape), required);
    }

    /// A new sub-table of `at` under `key`; returns its index.
    pub(super) fn table(&mut self, at: usize, key: &'static str, required: bool) -> usize {
        if let Some((_, Slot::Table(i), _)) = self.tables[at].fields.iter().find(|f| f.0 == key) {
            return *i;
        }
        self.tables.push(Pending::default());
        let i = self.tables.len() - 1;
        self.put(at, key, Slot::Table(i), required);
        i
    }

    /// A new array of tables of `at` under `key`, with at least `min`
    /// entries; returns the index of its entries' table.
    pub(super) fn tables(&mut self, at: usize, key: &'static str, min: usize) -> usize {
        if let Some((_, Slot::Tables(i, _), _)) = self.tables[at].fields.iter().find(|f| f.0 == key)
        {
            let i = *i;
            self.put(at, key, Slot::Tables(i, min), min > 0);
            return i;
        }
        self.tables.push(Pending::default());
        let i = self.tables.len() - 1;
        self.put(at, key, Slot::Tables(i, min), min > 0);
        i
    }

    pub(super) fn entries(&mut self, at: usize, keys: Vec<String>, value: Shape) {
        self.tables[at].entries = Some((keys, Box::new(value)));
    }

    /// The root table, with its sub-tables in place.
    pub(super) fn finish(&self) -> Fields {
        self.resolve(0)
    }

    fn resolve(&self, at: usize) -> Fields {
        let t = &self.tables[at];
        Fields {
            fields: t
                .fields
                .iter()
                .map(|(key, slot, required)| Field {
                    key,
                    required: *required,
                    shape: match slot {
                        Slot::Leaf(s) => s.clone(),
                        Slot::Table(i) => Shape::Table(self.resolve(*i)),
                        Slot::Tables(i, min) => Shape::Tables {
                            fields: self.resolve(*i),
                            min: *min,
                        },
                    },
                })
                .collect(),
            entries: t.entries.clone(),
        }
    }
}
