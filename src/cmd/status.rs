//! `docket status`: the dashboard's figures in the terminal, for the
//! person who wants the numbers without opening the site (and for scripts,
//! with `--format json`). The figures come from [`crate::report::status`],
//! the same computation the site uses.

use super::analyse;
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
pub fn run(root: &Path, format: Format, as_of: Option<Date>) -> Result<String> {
    let (model, report) = analyse(root, as_of)?;
    let status = crate::report::status::status(&model, &report);
    Ok(match format {
        Format::Human => status.to_human(),
        Format::Json => status.to_json(),
    })
}
