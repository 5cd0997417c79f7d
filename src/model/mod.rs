//! Stage 2: typed records and their indexes.
//!
//! [`build`] turns the loader's parsed TOML into the structs of the record
//! format (docs/format.md), one file at a time (in parallel), reporting
//! every schema problem with its position. A record that cannot be read
//! whole (a required field missing or mistyped, or an id that does not
//! match its file) is reported and left out, so rules never reason about
//! half a record and no unchecked id ever becomes a page name. Derived
//! values (order status, overdue, CAPA stage, survey score), the signed
//! sections and the relations between records are computed here, so the
//! rules, the report and the site agree on them.
//!
//! This file only declares and re-exports: each part lives in the module
//! named for it, and the kind modules (`order.rs`, `capa.rs`,
//! `parties.rs`) depend on [`meta`] and [`read`], never on the model that
//! holds them.

mod build;
mod capa;
mod config;
mod keys;
pub mod meta;
mod order;
mod parties;
pub mod read;
mod records;
mod related;
pub mod shape;
mod signed;
mod toml_enum;

pub use build::{Records, build, describe, read_config_bytes, read_people_bytes, read_records};
pub use capa::{
    Analysis, Capa, CapaKind, CapaSource, Feedback, Investigation, Stage, Survey, Verification,
};
pub use config::{
    Company, Config, Department, Language, Person, Policy, Role, SignaturePolicy, TimestampPolicy,
    Timestamps, is_certificate, person_by_email_in, person_in,
};
pub use keys::Key;
pub use meta::{Index, Meta, ReadRecord, Record};
pub use order::{
    Cancelled, Capacity, Change, ChangeWhat, Channel, Dated, Decision, ExtraReview, Feasibility,
    FlowLine, Flowsheet, Followup, NON_SUBSTANCE, Oral, OralPath, Order, OrderLine, Review, Step,
};
pub use parties::{
    Customer, Incident, IncidentKind, Product, ProductStatus, Property, Region, Report,
};
pub use read::{At, Sign, days_between};
pub use records::{Model, OrderStatus};
pub use related::Related;
pub use shape::{Field, Fields, Shape};
pub use signed::{SIGNED, Signed, Signer, is_signable, signed_keys, signer_for};
