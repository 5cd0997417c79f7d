//! `docket build`: check the records, compute the status figures, and
//! render the site. Findings do not stop the build: they are part of what
//! the site shows. Only docket's own failures (an unreadable repository, a
//! template that does not compile, an output folder that cannot be
//! written) do, and then the published site is left as it was.

use super::analyse_history;
use crate::error::Result;
use crate::render::{self, SiteOptions, Stats};
use crate::report::CheckReport;
use jiff::civil::Date;
use std::path::Path;

pub struct Options<'a> {
    pub root: &'a Path,
    pub out: &'a Path,
    pub as_of: Option<Date>,
    /// Draw a progress bar (on a terminal, for large sites).
    pub progress: bool,
}

/// Check and render; returns what was built and the check it showed.
pub fn run(opts: &Options) -> Result<(Stats, CheckReport)> {
    let (model, history, report) = analyse_history(opts.root, opts.as_of)?;
    let status = crate::timing::stage("status", || crate::report::status::status(&model, &report));
    let site = SiteOptions {
        history: Some(&history),
        templates: Some(opts.root.join("templates")),
        progress: opts.progress,
    };
    let stats = render::site(&model, &report, &status, opts.out, &site)?;
    Ok((stats, report))
}
