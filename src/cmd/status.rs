//! `docket status`: the dashboard's figures in the terminal, for the
//! person who wants the numbers without opening the site (and for scripts,
//! with `--format json`). The figures come from [`crate::report::status`],
//! the same computation the site uses.

use super::{Reading, analyse_with};
use crate::error::Result;
use jiff::civil::Date;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// The text to print. Status is a report, not a gate: it succeeds whatever
/// the findings are (the gate is `docket check`).
/// `no_cache`: read everything from git, use and write no cache.
pub fn run(root: &Path, format: Format, as_of: Option<Date>, no_cache: bool) -> Result<String> {
    let reading = Reading {
        as_of,
        no_cache,
        published: None,
        timelines: false,
        every_signature: false,
    };
    let (model, history, report) = analyse_with(root, &reading)?;
    let status = crate::report::status::status(&model, &report, Some(&history));
    Ok(match format {
        Format::Human => status.to_human(),
        Format::Json => status.to_json(),
    })
}
