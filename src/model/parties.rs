//! Customers (6.1), the part-number registry (1), customer property (4.7)
//! and usage reports (4.5.1).

use super::config::Config;
use super::meta::{Meta, ReadRecord};
use super::order::Dated;
use super::read::{At, Reader, Sign};
use crate::toml_enum;
use jiff::civil::Date;
use serde::Serialize;

toml_enum! {
    pub enum Region { International = "international", Domestic = "domestic" }
}
toml_enum! {
    pub enum ProductStatus { Active = "active", Obsolete = "obsolete" }
}
toml_enum! {
    pub enum IncidentKind { Damaged = "damaged", Lost = "lost", Unsuitable = "unsuitable" }
}

#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: At<String>,
    pub region: At<Region>,
    /// Address, contact and phone are what 4.2.1 B needs to review an
    /// order; their absence is the `customer-incomplete` rule's business,
    /// not a schema error, so the record still loads.
    pub address: Option<At<String>>,
    pub contact: Option<At<String>>,
    pub phone: Option<At<String>>,
    pub fax: Option<At<String>>,
    pub email: Option<At<String>>,
    pub since: Option<At<Date>>,
    pub account_manager: At<String>,
    pub active: At<bool>,
}

impl ReadRecord for Customer {
    fn read(r: &Reader, meta: Meta, _config: &Config) -> Customer {
        Customer {
            meta,
            name: r.req("name"),
            region: r.req("region"),
            address: r.opt("address"),
            contact: r.opt("contact"),
            phone: r.opt("phone"),
            fax: r.opt("fax"),
            email: r.opt("email"),
            since: r.opt("since"),
            account_manager: r.req("account_manager"),
            active: r.opt("active").unwrap_or(At {
                value: true,
                pos: r.pos(),
            }),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Product {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: At<String>,
    pub spec: At<String>,
    pub unit: At<String>,
    pub customer: Option<At<String>>,
    pub status: At<ProductStatus>,
}

impl ReadRecord for Product {
    fn read(r: &Reader, meta: Meta, _config: &Config) -> Product {
        Product {
            meta,
            name: r.req("name"),
            spec: r.req("spec"),
            unit: r.req("unit"),
            customer: r.opt("customer"),
            status: r.opt("status").unwrap_or(At {
                value: ProductStatus::Active,
                pos: r.pos(),
            }),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Property {
    #[serde(flatten)]
    pub meta: Meta,
    pub customer: At<String>,
    pub item: At<String>,
    pub received: At<Date>,
    pub custodian: At<String>,
    pub location: At<String>,
    pub verified: Option<Sign>,
    pub incidents: Vec<Incident>,
    pub returned: Option<Dated>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub date: At<Date>,
    pub kind: At<IncidentKind>,
    pub description: At<String>,
    pub reported_to_customer: Option<At<Date>>,
    pub resolution: Option<At<String>>,
    #[serde(skip)]
    pub pos: crate::finding::Pos,
}

impl ReadRecord for Property {
    fn read(r: &Reader, meta: Meta, _config: &Config) -> Property {
        Property {
            meta,
            customer: r.req("customer"),
            item: r.req("item"),
            received: r.req("received"),
            custodian: r.req("custodian"),
            location: r.req("location"),
            verified: r.table("verified").map(|t| t.with(Sign::read)),
            incidents: r
                .tables("incident")
                .into_iter()
                .map(|t| {
                    t.with(|t| Incident {
                        date: t.req("date"),
                        kind: t.req("kind"),
                        description: t.req("description"),
                        reported_to_customer: t.opt("reported_to_customer"),
                        resolution: t.opt("resolution"),
                        pos: t.pos(),
                    })
                })
                .collect(),
            returned: r
                .table("returned")
                .map(|t| super::order::read_dated(t, true)),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub meta: Meta,
    pub customer: At<String>,
    pub date: At<Date>,
    pub by: At<String>,
    pub to: At<String>,
    pub summary: At<String>,
    pub complaint: bool,
    pub capa: Option<At<String>>,
}

impl ReadRecord for Report {
    fn read(r: &Reader, meta: Meta, _config: &Config) -> Report {
        Report {
            meta,
            customer: r.req("customer"),
            date: r.req("date"),
            by: r.req("by"),
            to: r.req("to"),
            summary: r.req("summary"),
            complaint: r.opt::<bool>("complaint").is_some_and(|b| b.value),
            capa: r.opt("capa"),
        }
    }
}
