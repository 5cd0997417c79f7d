//! Orders (4.1-4.4) and manufacturing flow sheets (4.2.2 B, 4.2.3).

use super::config::Config;
use super::config::Department;
use super::meta::{Meta, ReadRecord};
use super::read::{At, Reader, Sign};
use crate::toml_enum;
use jiff::civil::Date;
use serde::Serialize;

toml_enum! {
    pub enum Channel { Website = "website", Fax = "fax", Sales = "sales", Email = "email", Oral = "oral" }
}
toml_enum! {
    pub enum Decision { Approved = "approved", Rejected = "rejected" }
}
toml_enum! {
    pub enum Feasibility { Feasible = "feasible", NotFeasible = "not-feasible" }
}
toml_enum! {
    pub enum OralPath {
        GmSignedFlowsheet = "gm-signed-flowsheet",
        CustomerConfirmedFlowsheet = "customer-confirmed-flowsheet",
        WrittenOrder = "written-order",
    }
}
toml_enum! {
    pub enum ChangeWhat {
        Quantity = "quantity", Quality = "quality", Technical = "technical",
        DeliveryDate = "delivery-date", DeliveryPlace = "delivery-place",
    }
}

/// The keys of an order that are *not* its substance: everything else is
/// what the GM approved, so a change to it makes the review stale.
pub const NON_SUBSTANCE: &[&str] = &[
    "review",
    "extra_review",
    "followup",
    "change",
    "delivery",
    "closed",
    "cancelled",
];

#[derive(Debug, Clone, Serialize)]
pub struct Order {
    #[serde(flatten)]
    pub meta: Meta,
    pub customer: At<String>,
    pub customer_ref: Option<At<String>>,
    pub channel: At<Channel>,
    pub received: At<Date>,
    pub owner: At<String>,
    pub legible: At<bool>,
    pub special_requirements: Option<At<String>>,
    pub delivery_place: Option<At<String>>,
    pub lines: Vec<OrderLine>,
    pub capacity: Option<Capacity>,
    pub extra_review: Vec<ExtraReview>,
    pub review: Option<Review>,
    pub oral: Option<Oral>,
    pub change: Vec<Change>,
    pub followup: Vec<Followup>,
    pub delivery: Option<Dated>,
    pub closed: Option<Dated>,
    pub cancelled: Option<Cancelled>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrderLine {
    pub part_number: At<String>,
    pub product: At<String>,
    pub spec: At<String>,
    pub batch: Option<At<String>>,
    pub quantity: At<u32>,
    pub delivery: At<Date>,
    #[serde(skip)]
    pub pos: crate::finding::Pos,
}

#[derive(Debug, Clone, Serialize)]
pub struct Capacity {
    pub stock: At<u32>,
    pub producible: At<bool>,
    pub materials_ready: At<bool>,
    pub new_product: At<bool>,
    pub design_record: Option<At<String>>,
    #[serde(skip)]
    pub pos: crate::finding::Pos,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExtraReview {
    pub department: At<Department>,
    #[serde(flatten)]
    pub sign: Sign,
    pub result: At<Feasibility>,
    pub note: Option<At<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub decision: At<Decision>,
    #[serde(flatten)]
    pub sign: Sign,
    pub note: Option<At<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Oral {
    pub path: At<OralPath>,
    pub written_order_due: Option<At<Date>>,
    pub written_order_received: Option<At<Date>>,
    #[serde(skip)]
    pub pos: crate::finding::Pos,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub date: At<Date>,
    pub by: At<String>,
    pub what: At<Vec<ChangeWhat>>,
    pub description: Option<At<String>>,
    pub notified: Option<At<Vec<Department>>>,
    #[serde(skip)]
    pub pos: crate::finding::Pos,
}

#[derive(Debug, Clone, Serialize)]
pub struct Followup {
    pub date: At<Date>,
    pub by: At<String>,
    pub note: Option<At<String>>,
    pub risk: bool,
    pub action: Option<At<String>>,
    #[serde(skip)]
    pub pos: crate::finding::Pos,
}

/// A table holding only a date (and an optional note): delivery, closed.
#[derive(Debug, Clone, Serialize)]
pub struct Dated {
    pub date: At<Date>,
    pub note: Option<At<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cancelled {
    pub date: At<Date>,
    pub reason: At<String>,
}

pub(super) fn read_dated(r: Reader, with_note: bool) -> Dated {
    let d = Dated {
        date: r.req("date"),
        note: if with_note { r.opt("note") } else { None },
    };
    r.finish();
    d
}

impl ReadRecord for Order {
    fn read(r: &Reader, meta: Meta, _config: &Config) -> Order {
        let lines: Vec<OrderLine> = r
            .req_tables(
                "line",
                crate::msg!(
                    "an order needs at least one [[line]] (4.2.1 C)",
                    "訂單至少需要一個訂購項目 [[line]]（4.2.1 C）"
                ),
            )
            .into_iter()
            .map(|l| {
                l.with(|l| OrderLine {
                    part_number: l.req("part_number"),
                    product: l.req("product"),
                    spec: l.req("spec"),
                    batch: l.opt("batch"),
                    quantity: l.req("quantity"),
                    delivery: l.req("delivery"),
                    pos: l.pos(),
                })
            })
            .collect();
        Order {
            meta,
            customer: r.req("customer"),
            customer_ref: r.opt("customer_ref"),
            channel: r.req("channel"),
            received: r.req("received"),
            owner: r.req("owner"),
            legible: r.req("legible"),
            special_requirements: r.opt("special_requirements"),
            delivery_place: r.opt("delivery_place"),
            lines,
            capacity: r.table("capacity").map(|c| {
                c.with(|c| Capacity {
                    stock: c.req("stock"),
                    producible: c.req("producible"),
                    materials_ready: c.req("materials_ready"),
                    new_product: c.req("new_product"),
                    design_record: c.opt("design_record"),
                    pos: c.pos(),
                })
            }),
            extra_review: r
                .tables("extra_review")
                .into_iter()
                .map(|e| {
                    e.with(|e| ExtraReview {
                        department: e.req("department"),
                        sign: Sign::read(e),
                        result: e.req("result"),
                        note: e.opt("note"),
                    })
                })
                .collect(),
            review: r.table("review").map(|v| {
                v.with(|v| Review {
                    decision: v.req("decision"),
                    sign: Sign::read(v),
                    note: v.opt("note"),
                })
            }),
            oral: r.table("oral").map(|o| {
                o.with(|o| Oral {
                    path: o.req("path"),
                    written_order_due: o.opt("written_order_due"),
                    written_order_received: o.opt("written_order_received"),
                    pos: o.pos(),
                })
            }),
            change: r
                .tables("change")
                .into_iter()
                .map(|c| {
                    c.with(|c| Change {
                        date: c.req("date"),
                        by: c.req("by"),
                        what: c.req("what"),
                        description: c.opt("description"),
                        notified: c.opt("notified"),
                        pos: c.pos(),
                    })
                })
                .collect(),
            followup: r
                .tables("followup")
                .into_iter()
                .map(|f| {
                    f.with(|f| Followup {
                        date: f.req("date"),
                        by: f.req("by"),
                        note: f.opt("note"),
                        risk: f.opt::<bool>("risk").is_some_and(|b| b.value),
                        action: f.opt("action"),
                        pos: f.pos(),
                    })
                })
                .collect(),
            delivery: r.table("delivery").map(|d| read_dated(d, true)),
            closed: r.table("closed").map(|d| read_dated(d, false)),
            cancelled: r.table("cancelled").map(|c| {
                c.with(|c| Cancelled {
                    date: c.req("date"),
                    reason: c.req("reason"),
                })
            }),
        }
    }
}

impl Order {
    /// When the clock of the review signed on `review_date` started, and
    /// why: a changed order is reviewed again (4.2.2), so the latest change
    /// on or before the review restarts it; otherwise receipt does.
    pub fn review_clock(&self, review_date: Date) -> (Date, &'static str) {
        self.change
            .iter()
            .map(|c| *c.date)
            .filter(|d| *d <= review_date)
            .max()
            .map_or((*self.received, "receipt"), |d| {
                (d.max(*self.received), "the last change")
            })
    }

    pub fn is_approved(&self) -> bool {
        self.review
            .as_ref()
            .is_some_and(|r| *r.decision == Decision::Approved)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Flowsheet {
    #[serde(flatten)]
    pub meta: Meta,
    pub order: At<String>,
    pub issued: At<Date>,
    pub by: At<String>,
    pub revision: At<u32>,
    pub lines: Vec<FlowLine>,
    pub steps: Vec<Step>,
    pub gm_signed: Option<Sign>,
    pub customer_confirmed: Option<CustomerConfirmed>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowLine {
    pub part_number: At<String>,
    pub quantity: At<u32>,
    pub due: At<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub name: At<String>,
    pub department: At<Department>,
    pub done: Option<At<Date>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerConfirmed {
    pub date: At<Date>,
    pub reference: At<String>,
}

impl ReadRecord for Flowsheet {
    fn read(r: &Reader, meta: Meta, _config: &Config) -> Flowsheet {
        let lines: Vec<FlowLine> = r
            .req_tables(
                "line",
                crate::msg!(
                    "a flow sheet needs at least one [[line]]",
                    "製造流程單至少需要一個項目 [[line]]"
                ),
            )
            .into_iter()
            .map(|l| {
                l.with(|l| FlowLine {
                    part_number: l.req("part_number"),
                    quantity: l.req("quantity"),
                    due: l.req("due"),
                })
            })
            .collect();
        Flowsheet {
            meta,
            order: r.req("order"),
            issued: r.req("issued"),
            by: r.req("by"),
            revision: r.opt("revision").unwrap_or(At {
                value: 1,
                pos: r.pos(),
            }),
            lines,
            steps: r
                .tables("step")
                .into_iter()
                .map(|s| {
                    s.with(|s| Step {
                        name: s.req("name"),
                        department: s.req("department"),
                        done: s.opt("done"),
                    })
                })
                .collect(),
            gm_signed: r.table("gm_signed").map(|s| s.with(Sign::read)),
            customer_confirmed: r.table("customer_confirmed").map(|c| {
                c.with(|c| CustomerConfirmed {
                    date: c.req("date"),
                    reference: c.req("reference"),
                })
            }),
        }
    }
}
