//! What every record is, whatever its kind: its [`Meta`] (id, kind, file,
//! attachments), the [`Record`] trait code uses to walk all kinds alike,
//! [`ReadRecord`] that each kind's type implements to be read from its
//! file, and the [`Index`] that holds one kind's records.
//!
//! These sit apart from the model itself so the kind modules (`order.rs`,
//! `capa.rs`, ...) depend on them and the model depends on the kind
//! modules, never the other way round.

use super::config::Config;
use super::read::{At, Reader};
use crate::kind::Kind;
use crate::load::{Attached, Refused};
use serde::Serialize;

/// What every record has: its id, kind, file and attachments.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub id: At<String>,
    pub kind: Kind,
    /// Relative to the records root, `/`-separated.
    pub file: String,
    pub attachments: Vec<At<String>>,
    /// Each attachment as the loader's guard found it, in the same order:
    /// where it is and how big, or why it is not read. The
    /// `attachment-missing` rule and the site both use this one answer.
    #[serde(skip)]
    pub found: Vec<Result<Attached, Refused>>,
}

/// Any record, for code that walks all kinds alike. Implemented for each
/// kind's type by the kind table's expansion in the model.
pub trait Record: Sync {
    fn meta(&self) -> &Meta;

    fn id(&self) -> &str {
        &self.meta().id
    }

    /// Every field of the record as JSON (what the site's record page
    /// shows and `data.json` holds).
    fn to_json(&self) -> serde_json::Value;
}

/// How a record of a kind is read from its file, field by field: every
/// kind's type implements it, and the model calls it through the kind
/// table.
pub trait ReadRecord: Sized {
    fn read(r: &Reader, meta: Meta, config: &Config) -> Self;
}

/// Records of one kind, in id order, with a lookup by id.
#[derive(Debug, Clone)]
pub struct Index<T> {
    items: Vec<T>,
    by_id: crate::Lookup<String, usize>,
}

impl<T> Default for Index<T> {
    fn default() -> Self {
        Index {
            items: Vec::new(),
            by_id: crate::Lookup::default(),
        }
    }
}

impl<T: Record> Index<T> {
    pub(super) fn from_vec(mut items: Vec<T>) -> Self {
        items.sort_by(|a, b| a.id().cmp(b.id()));
        let by_id = items
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id().to_string(), i))
            .collect();
        Index { items, by_id }
    }

    pub fn get(&self, id: &str) -> Option<&T> {
        self.by_id.get(id).map(|&i| &self.items[i])
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn as_slice(&self) -> &[T] {
        &self.items
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<T: Serialize> Serialize for Index<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.items.serialize(s)
    }
}
