//! docket: checks a git repository of quality records against the
//! company procedure and its own history, and renders it as a static site.
//!
//! The stages, each a module with one public entry, run in one direction:
//! [`load`] (walk and parse) -> [`model`] (typed records) -> [`rules`]
//! (findings) -> [`report`] (what the user sees) -> [`render`] (the site).
//! `main.rs` only parses the command line and turns [`Error`]s into exit
//! codes.

pub mod cmd;
pub mod demo;
pub mod error;
pub mod finding;
pub mod fingerprint;
pub mod history;
pub mod kind;
pub mod load;
pub mod model;
pub mod render;
pub mod report;
pub mod rules;
pub mod timing;

pub use error::{Error, Result};
