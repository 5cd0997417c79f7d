//! Stage 2: typed records and their indexes.
//!
//! [`build`] turns the loader's parsed TOML into the structs of DESIGN.md
//! section 2, one file at a time (in parallel), reporting every schema
//! problem with its position. A record that cannot be read whole (a
//! required field missing or mistyped, or an id that does not match its
//! file) is reported and left out, so rules never reason about half a
//! record and no unchecked id ever becomes a page name. Derived values
//! (order status, overdue, CAPA stage, survey score) are methods here, so
//! the rules, the report and the site agree on them.

mod capa;
mod config;
mod order;
mod parties;
pub mod read;
mod signed;

pub use capa::{
    Analysis, Capa, CapaKind, CapaSource, Feedback, Investigation, Stage, Survey, Verification,
};
pub use config::{Company, Config, Department, Language, Person, Policy, Role, SignaturePolicy};
pub use order::{
    Cancelled, Capacity, Change, ChangeWhat, Channel, Dated, Decision, ExtraReview, Feasibility,
    FlowLine, Flowsheet, Followup, NON_SUBSTANCE, Oral, OralPath, Order, OrderLine, Review, Step,
};
pub use parties::{
    Customer, Incident, IncidentKind, Product, ProductStatus, Property, Region, Report,
};
pub use read::{At, Sign, days_between};
pub use signed::{Signed, Signer};

use crate::finding::{Finding, RuleId};
use crate::kind::Kind;
use crate::load::{Doc, Loaded, Role as FileRole};
use jiff::civil::Date;
use rayon::prelude::*;
use read::Diag;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

/// What every record has: its id, kind, file and attachments.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub id: At<String>,
    pub kind: Kind,
    /// Relative to the records root, `/`-separated.
    pub file: String,
    pub attachments: Vec<At<String>>,
    /// Each attachment as the guard found it, in the same order: where it
    /// is and how big, or why it is not read. The `attachment-missing`
    /// rule and the site both use this one answer.
    #[serde(skip)]
    pub found: Vec<Result<crate::load::Attached, crate::load::Refused>>,
}

/// Any record, for code that walks all kinds alike.
pub trait Record {
    fn meta(&self) -> &Meta;
    fn id(&self) -> &str {
        &self.meta().id
    }
}

macro_rules! impl_record {
    ($($t:ty),*) => { $(impl Record for $t { fn meta(&self) -> &Meta { &self.meta } })* };
}
impl_record!(
    Customer, Product, Order, Flowsheet, Capa, Survey, Property, Report
);

/// Records of one kind, in id order, with a lookup by id.
#[derive(Debug, Clone)]
pub struct Index<T> {
    items: Vec<T>,
    by_id: HashMap<String, usize>,
}

impl<T> Default for Index<T> {
    fn default() -> Self {
        Index {
            items: Vec::new(),
            by_id: HashMap::new(),
        }
    }
}

impl<T: Record> Index<T> {
    fn from_vec(mut items: Vec<T>) -> Self {
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

#[derive(Debug, Default, Serialize)]
pub struct Model {
    #[serde(skip)]
    pub root: PathBuf,
    pub config: Config,
    pub people: Vec<Person>,
    pub customers: Index<Customer>,
    pub products: Index<Product>,
    pub orders: Index<Order>,
    pub flowsheets: Index<Flowsheet>,
    pub capa: Index<Capa>,
    pub surveys: Index<Survey>,
    pub property: Index<Property>,
    pub reports: Index<Report>,
    /// The door for reading anything more below the root (attachments,
    /// template overrides, working copies).
    #[serde(skip)]
    pub guard: crate::load::Guard,
    #[serde(skip)]
    pub procedure: Option<String>,
    /// Every record that exists on disk, by kind and id, even if it could
    /// not be read whole: a reference to it is not an `unknown-ref` (its own
    /// findings say what is wrong with it).
    #[serde(skip)]
    pub known_ids: BTreeSet<(Kind, String)>,
    #[serde(skip)]
    flowsheets_by_order: HashMap<String, Vec<usize>>,
    /// The loader's fingerprint of the files this model was built from.
    #[serde(skip)]
    pub source: u64,
}

impl Model {
    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people.iter().find(|p| *p.id == id)
    }

    /// The person whose commit email this is.
    pub fn person_by_email(&self, email: &str) -> Option<&Person> {
        self.people
            .iter()
            .find(|p| p.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
    }

    /// Flow sheets issued for an order, oldest revision first.
    pub fn flowsheets_of(&self, order: &str) -> Vec<&Flowsheet> {
        let mut v: Vec<&Flowsheet> = self
            .flowsheets_by_order
            .get(order)
            .map(|ix| ix.iter().map(|&i| &self.flowsheets.items[i]).collect())
            .unwrap_or_default();
        v.sort_by_key(|f| (f.revision.value, f.issued.value));
        v
    }

    /// Number of records of all kinds.
    pub fn record_count(&self) -> usize {
        self.customers.len()
            + self.products.len()
            + self.orders.len()
            + self.flowsheets.len()
            + self.capa.len()
            + self.surveys.len()
            + self.property.len()
            + self.reports.len()
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
        let open = matches!(
            self.order_status(order),
            OrderStatus::Received | OrderStatus::Approved | OrderStatus::InProduction
        );
        if !open {
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
}

enum AnyRecord {
    Customer(Customer),
    Product(Product),
    Order(Order),
    Flowsheet(Flowsheet),
    Capa(Capa),
    Survey(Survey),
    Property(Property),
    Report(Report),
}

/// Build the model from what the loader read. Findings from the loader are
/// passed through; schema and id findings are added.
pub fn build(loaded: Loaded) -> (Model, Vec<Finding>) {
    let mut findings = loaded.findings;
    let config = match &loaded.config {
        Some(doc) => {
            let diag = Diag::new(doc);
            let cfg = config::read_config(&diag);
            findings.extend(diag.into_findings());
            cfg
        }
        None => Config::default(),
    };
    let people = match &loaded.people {
        Some(doc) => {
            let diag = Diag::new(doc);
            let people = config::read_people(&diag);
            findings.extend(diag.into_findings());
            people
        }
        None => {
            findings.push(Finding::new(
                RuleId::Schema,
                "people.toml",
                None,
                "people.toml is missing: every signer and record owner must be listed there",
            ));
            Vec::new()
        }
    };

    let mut known_ids: BTreeSet<(Kind, String)> = loaded
        .unreadable
        .iter()
        .map(|(kind, rel)| {
            (
                *kind,
                rel.rsplit('/')
                    .next()
                    .unwrap_or(rel)
                    .trim_end_matches(".toml")
                    .to_string(),
            )
        })
        .collect();
    let read: Vec<(Option<String>, Option<AnyRecord>, Vec<Finding>)> = loaded
        .records
        .par_iter()
        .map(|doc| read_record(doc, &config, &loaded.guard))
        .collect();

    let mut first_file: HashMap<String, String> = HashMap::new();
    let (mut customers, mut products, mut orders, mut flowsheets) =
        (vec![], vec![], vec![], vec![]);
    let (mut capas, mut surveys, mut property, mut reports) = (vec![], vec![], vec![], vec![]);
    for ((id, record, mut found), doc) in read.into_iter().zip(&loaded.records) {
        if let Some(id) = id {
            if let FileRole::Record(kind) = doc.role {
                known_ids.insert((kind, id.clone()));
            }
            if let Some(first) = first_file.get(&id) {
                // For products the id is the part number: two files with one
                // part number is clause 1's "one part number, one product".
                let rule = match doc.role {
                    FileRole::Record(Kind::Product) => RuleId::PartNumberUnique,
                    _ => RuleId::DuplicateId,
                };
                found.push(
                    Finding::new(
                        rule,
                        &doc.rel,
                        Some(crate::finding::Pos { line: 1, col: 1 }),
                        format!(
                            "id {id} is already used by {first}; give this record the next free id"
                        ),
                    )
                    .with_record(&id),
                );
                findings.extend(found);
                continue;
            }
            first_file.insert(id, doc.rel.clone());
        }
        findings.extend(found);
        match record {
            Some(AnyRecord::Customer(r)) => customers.push(r),
            Some(AnyRecord::Product(r)) => products.push(r),
            Some(AnyRecord::Order(r)) => orders.push(r),
            Some(AnyRecord::Flowsheet(r)) => flowsheets.push(r),
            Some(AnyRecord::Capa(r)) => capas.push(r),
            Some(AnyRecord::Survey(r)) => surveys.push(r),
            Some(AnyRecord::Property(r)) => property.push(r),
            Some(AnyRecord::Report(r)) => reports.push(r),
            None => {}
        }
    }

    let flowsheets = Index::from_vec(flowsheets);
    let mut flowsheets_by_order: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, f) in flowsheets.iter().enumerate() {
        flowsheets_by_order
            .entry(f.order.value.clone())
            .or_default()
            .push(i);
    }
    let model = Model {
        root: loaded.root,
        config,
        people,
        customers: Index::from_vec(customers),
        products: Index::from_vec(products),
        orders: Index::from_vec(orders),
        flowsheets,
        capa: Index::from_vec(capas),
        surveys: Index::from_vec(surveys),
        property: Index::from_vec(property),
        reports: Index::from_vec(reports),
        guard: loaded.guard,
        procedure: loaded.procedure,
        known_ids,
        flowsheets_by_order,
        source: loaded.fingerprint,
    };
    (model, findings)
}

/// Read one record file: its id (if readable), the record (if whole), and
/// its findings.
fn read_record(
    doc: &Doc,
    config: &Config,
    guard: &crate::load::Guard,
) -> (Option<String>, Option<AnyRecord>, Vec<Finding>) {
    let FileRole::Record(kind) = doc.role else {
        return (None, None, Vec::new());
    };
    let diag = Diag::new(doc);
    let r = diag.root();
    let id: At<String> = r.req(kind.id_key());
    let mut id_ok = !diag.is_broken();
    if id_ok {
        id_ok = check_id(doc, kind, &id, config, &diag);
    }
    let attachments: Vec<At<String>> =
        r.opt::<Vec<String>>("attachments")
            .map_or_else(Vec::new, |a| {
                a.value
                    .into_iter()
                    .map(|v| At {
                        value: v,
                        pos: a.pos,
                    })
                    .collect()
            });
    let found = attachments
        .iter()
        .map(|a| guard.attachment(&doc.rel, a))
        .collect();
    let meta = Meta {
        id: id.clone(),
        kind,
        file: doc.rel.clone(),
        attachments,
        found,
    };
    let record = match kind {
        Kind::Customer => AnyRecord::Customer(Customer::read(&r, meta)),
        Kind::Product => AnyRecord::Product(Product::read(&r, meta)),
        Kind::Order => AnyRecord::Order(Order::read(&r, meta)),
        Kind::Flowsheet => AnyRecord::Flowsheet(Flowsheet::read(&r, meta)),
        Kind::Capa => AnyRecord::Capa(Capa::read(&r, meta)),
        Kind::Survey => AnyRecord::Survey(Survey::read(&r, meta, &config.policy.survey_questions)),
        Kind::Property => AnyRecord::Property(Property::read(&r, meta)),
        Kind::Report => AnyRecord::Report(Report::read(&r, meta)),
    };
    r.finish();
    let whole = id_ok && !diag.is_broken();
    let known = id_ok.then(|| id.value.clone());
    let mut findings = diag.into_findings();
    if let Some(id) = &known {
        for f in &mut findings {
            f.record = Some(id.clone());
        }
    }
    (known, whole.then_some(record), findings)
}

/// `id-mismatch`: the id must equal the file stem and have its kind's shape.
fn check_id(doc: &Doc, kind: Kind, id: &At<String>, config: &Config, diag: &Diag) -> bool {
    let shape_ok = match kind {
        Kind::Product => config.policy.part_number_regex.is_match(id),
        _ => kind.id_shape_ok(id),
    };
    let key = kind.id_key();
    let mut problems = Vec::new();
    if !shape_ok {
        problems.push(match kind {
            Kind::Product => format!(
                "part number \"{}\" does not match policy.part_number_pattern {}",
                id.value, config.policy.part_number_pattern
            ),
            Kind::Customer => format!("{key} \"{}\" is not of the form C-NNNN", id.value),
            _ => format!(
                "{key} \"{}\" is not of the form {}-YYYY-NNNN",
                id.value,
                kind.prefix().unwrap_or_default()
            ),
        });
    }
    if doc.stem() != id.value {
        problems.push(format!(
            "{key} \"{}\" does not match the file name {}.toml; rename the file or fix the {key}",
            id.value,
            doc.stem()
        ));
    }
    for msg in &problems {
        diag.push_at(RuleId::IdMismatch, id.pos, msg.clone());
    }
    problems.is_empty()
}
