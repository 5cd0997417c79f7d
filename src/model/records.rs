//! The [`Model`]: every record, indexed by kind, and what is derived from
//! them (an order's status, its overdue lines).
//!
//! The model's indexes, the walk over all kinds ([`Model::records`],
//! [`Model::metas`], [`Model::ids`], [`Model::count`]) and the dispatch
//! that reads a record of a kind are expanded from the kind table
//! ([`crate::kind`]), so no list of kinds is written here by hand: a new
//! kind's line in the table gives it an index and a place in every walk.

use super::capa::{Capa, Survey};
use super::config::{Config, Person};
use super::meta::{Index, Meta, ReadRecord, Record};
use super::order::{Decision, Flowsheet, Order, OrderLine};
use super::parties::{Customer, Product, Property, Report};
use super::read::Reader;
use crate::kind::{Kind, kinds};
use crate::load::Guard;
use jiff::civil::Date;
use serde::Serialize;

macro_rules! model {
    ($($variant:ident = $name:literal, $folder:literal, $shape:expr, $label:literal,
       $en:literal, $zh:literal, $field:ident: $ty:ident;)*) => {
        $(
            impl Record for $ty {
                fn meta(&self) -> &Meta {
                    &self.meta
                }

                fn to_json(&self) -> serde_json::Value {
                    serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
                }
            }
        )*

        /// Every record of the repository, by kind, with the configuration
        /// and people they were read with. Serialized (`data.json`) in the
        /// kind table's order.
        #[derive(Debug, Default, Serialize)]
        pub struct Model {
            pub config: Config,
            pub people: Vec<Person>,
            $(pub $field: Index<$ty>,)*
            /// The door for reading anything more below the root
            /// (attachments, template overrides, working copies).
            #[serde(skip)]
            pub guard: Guard,
            #[serde(skip)]
            pub procedure: Option<String>,
            /// Every record that exists on disk, by kind and id, even if it
            /// could not be read whole: a reference to it is not an
            /// `unknown-ref` (its own findings say what is wrong with it).
            #[serde(skip)]
            pub known_ids: KnownIds,
            #[serde(skip)]
            pub(super) flowsheets_by_order: crate::Lookup<String, Vec<usize>>,
            /// The loader's fingerprint of the files this model was built
            /// from.
            #[serde(skip)]
            pub source: u64,
            /// What the loader knows of each file read (path -> the hash
            /// of its bytes, its stat as read): a site rebuild tells by
            /// the hash that a record's page is unchanged without laying
            /// it out again; the history's check of the working tree
            /// compares the stat with git's index.
            #[serde(skip)]
            pub sources: crate::Lookup<String, crate::load::Source>,
        }

        /// One record of any kind, as read, before it joins its index.
        pub(super) enum AnyRecord {
            $($variant($ty),)*
        }

        /// Read a record of `kind` from its file.
        pub(super) fn read_kind(kind: Kind, r: &Reader, meta: Meta, config: &Config) -> AnyRecord {
            match kind {
                $(Kind::$variant => AnyRecord::$variant(<$ty as ReadRecord>::read(r, meta, config)),)*
            }
        }

        /// The records read, by kind, before they are indexed.
        #[derive(Default)]
        pub(super) struct ByKind {
            $($field: Vec<$ty>,)*
        }

        impl ByKind {
            pub(super) fn push(&mut self, record: AnyRecord) {
                match record {
                    $(AnyRecord::$variant(r) => self.$field.push(r),)*
                }
            }

            /// A model holding these records, indexed; the caller fills
            /// in the rest.
            pub(super) fn into_model(self) -> Model {
                Model {
                    $($field: Index::from_vec(self.$field),)*
                    ..Model::default()
                }
            }
        }

        impl Model {
            /// The records of one kind, in id order.
            pub fn records(&self, kind: Kind) -> Vec<&dyn Record> {
                match kind {
                    $(Kind::$variant => self.$field.iter().map(|r| r as &dyn Record).collect(),)*
                }
            }

            /// How many records of one kind there are.
            pub fn count(&self, kind: Kind) -> usize {
                match kind {
                    $(Kind::$variant => self.$field.len(),)*
                }
            }

            /// What every record is, kind by kind in the table's order,
            /// each kind in id order.
            pub fn metas(&self) -> impl Iterator<Item = &Meta> {
                std::iter::empty()
                    $(.chain(self.$field.iter().map(Record::meta)))*
            }
        }
    };
}
kinds!(model);

impl Model {
    /// The ids of one kind's records, in id order.
    pub fn ids(&self, kind: Kind) -> Vec<&str> {
        self.records(kind).into_iter().map(|r| r.id()).collect()
    }

    /// Number of records of all kinds.
    pub fn record_count(&self) -> usize {
        Kind::ALL.iter().map(|k| self.count(*k)).sum()
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        super::config::person_in(&self.people, id)
    }

    /// The person whose commit email this is.
    pub fn person_by_email(&self, email: &str) -> Option<&Person> {
        super::config::person_by_email_in(&self.people, email)
    }

    /// Flow sheets issued for an order, oldest revision first.
    pub fn flowsheets_of(&self, order: &str) -> Vec<&Flowsheet> {
        let all = self.flowsheets.as_slice();
        let mut v: Vec<&Flowsheet> = self
            .flowsheets_by_order
            .get(order)
            .map(|ix| ix.iter().map(|&i| &all[i]).collect())
            .unwrap_or_default();
        v.sort_by_key(|f| (f.revision.value, f.issued.value));
        v
    }

    /// Index the flow sheets by the order they are for.
    pub(super) fn index_flowsheets(&mut self) {
        let mut by_order: crate::Lookup<String, Vec<usize>> = Default::default();
        for (i, f) in self.flowsheets.iter().enumerate() {
            by_order.entry(f.order.value.clone()).or_default().push(i);
        }
        self.flowsheets_by_order = by_order;
    }

    pub fn order_status(&self, order: &Order) -> OrderStatus {
        if order.cancelled.is_some() {
            OrderStatus::Cancelled
        } else if order.closed.is_some() {
            OrderStatus::Closed
        } else if order.delivery.is_some() {
            OrderStatus::Delivered
        } else if order
            .review
            .as_ref()
            .is_some_and(|r| *r.decision == Decision::Rejected)
        {
            OrderStatus::Rejected
        } else if self.flowsheets_by_order.contains_key(order.id()) {
            OrderStatus::InProduction
        } else if order.is_approved() {
            OrderStatus::Approved
        } else {
            OrderStatus::Received
        }
    }

    /// The order's lines whose delivery date has passed undelivered.
    pub fn overdue_lines<'o>(&self, order: &'o Order, as_of: Date) -> Vec<&'o OrderLine> {
        if !self.order_status(order).is_open() {
            return Vec::new();
        }
        order.lines.iter().filter(|l| *l.delivery < as_of).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrderStatus {
    Received,
    Rejected,
    Approved,
    InProduction,
    Delivered,
    Closed,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::Received,
        OrderStatus::Rejected,
        OrderStatus::Approved,
        OrderStatus::InProduction,
        OrderStatus::Delivered,
        OrderStatus::Closed,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Received => "received",
            OrderStatus::Rejected => "rejected",
            OrderStatus::Approved => "approved",
            OrderStatus::InProduction => "in-production",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Closed => "closed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// Whether the order is still to be delivered: received, approved or
    /// in production.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderStatus::Received | OrderStatus::Approved | OrderStatus::InProduction
        )
    }
}

/// The ids of every record on disk, by kind. Filled with a hundred
/// thousand ids in one pass at 50,000 orders: a hash set took a tenth of
/// the time of the ordered set it replaced, and a reference is looked up
/// by its text, without a key made for each.
#[derive(Debug, Default)]
pub struct KnownIds(crate::Lookup<Kind, crate::LookupSet<String>>);

impl KnownIds {
    pub fn insert(&mut self, kind: Kind, id: String) {
        self.0.entry(kind).or_default().insert(id);
    }

    /// Whether a record of `kind` has this id.
    pub fn contains(&self, kind: Kind, id: &str) -> bool {
        self.0.get(&kind).is_some_and(|ids| ids.contains(id))
    }
}
