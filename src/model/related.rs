//! Which records belong to a record: a customer's orders, CAPAs, surveys,
//! property, usage reports and part numbers; a part number's orders; an
//! order's CAPAs.
//!
//! The relations are facts of the records (an order names its customer),
//! so they are worked out here, once, and the site only looks them up:
//! a record page of a big company must not scan every record of a kind.

use super::meta::Record;
use super::records::Model;
use crate::kind::Kind;

/// (owner kind, owner id, listed kind) -> the ids of the listed kind's
/// records that name the owner, in the model's (id) order.
#[derive(Debug, Default)]
pub struct Related<'a>(crate::Lookup<(Kind, &'a str, Kind), Vec<&'a str>>);

impl<'a> Related<'a> {
    /// The records of `kind` that belong to the record `id` of `owner`.
    pub fn of(&self, owner: Kind, id: &'a str, kind: Kind) -> &[&'a str] {
        self.0
            .get(&(owner, id, kind))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    fn add(&mut self, owner: Kind, id: &'a str, kind: Kind, member: &'a str) {
        self.0.entry((owner, id, kind)).or_default().push(member);
    }
}

impl Model {
    /// Every relation between the records, built in one pass.
    pub fn related(&self) -> Related<'_> {
        let mut out = Related::default();
        for o in self.orders.iter() {
            out.add(Kind::Customer, o.customer.as_str(), Kind::Order, o.id());
            let mut parts: Vec<&str> = o.lines.iter().map(|l| l.part_number.as_str()).collect();
            parts.sort_unstable();
            parts.dedup();
            for p in parts {
                out.add(Kind::Product, p, Kind::Order, o.id());
            }
        }
        for c in self.capa.iter() {
            if let Some(cu) = &c.customer {
                out.add(Kind::Customer, cu.as_str(), Kind::Capa, c.id());
            }
            if let Some(o) = &c.order {
                out.add(Kind::Order, o.as_str(), Kind::Capa, c.id());
            }
        }
        for s in self.surveys.iter() {
            out.add(Kind::Customer, s.customer.as_str(), Kind::Survey, s.id());
        }
        for p in self.property.iter() {
            out.add(Kind::Customer, p.customer.as_str(), Kind::Property, p.id());
        }
        for r in self.reports.iter() {
            out.add(Kind::Customer, r.customer.as_str(), Kind::Report, r.id());
        }
        for p in self.products.iter() {
            if let Some(cu) = &p.customer {
                out.add(Kind::Customer, cu.as_str(), Kind::Product, p.id());
            }
        }
        out
    }
}
