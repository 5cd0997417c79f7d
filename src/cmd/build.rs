//! `docket build`: check the records, compute the status figures, and
//! render the site. Findings do not stop the build: they are part of what
//! the site shows. Only docket's own failures (an unreadable repository, a
//! template that does not compile, an output folder that cannot be
//! written or may not be replaced) do, and then the published site is
//! left as it was.
//!
//! The output folder is opened first, before the records are read: a
//! wrong `--out` is refused at once, and two builds into one folder take
//! turns from the start (the second waits, saying so).

use super::analyse_history;
use crate::error::Result;
use crate::render::{self, Publisher, SiteOptions, Stats};
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

/// Open the output folder of a build from `root` into `out`: refuses a
/// folder docket may not replace, waits for another build into it.
pub fn open(root: &Path, out: &Path) -> Result<Publisher> {
    Publisher::open(out, root, || {
        eprintln!(
            "docket: another build into {} is running; waiting for it to finish",
            out.display()
        );
    })
}

/// Check and render; returns what was built and the check it showed.
pub fn run(opts: &Options) -> Result<(Stats, CheckReport)> {
    let publisher = crate::timing::stage("open output", || open(opts.root, opts.out))?;
    run_into(opts, publisher)
}

/// [`run`] into an output folder already opened with [`open`].
pub fn run_into(opts: &Options, publisher: Publisher) -> Result<(Stats, CheckReport)> {
    let (model, history, report) = analyse_history(opts.root, opts.as_of)?;
    let status = crate::timing::stage("status", || crate::report::status::status(&model, &report));
    let site = SiteOptions {
        history: Some(&history),
        templates: true,
        progress: opts.progress,
    };
    let stats = render::site(&model, &report, &status, publisher, &site)?;
    Ok((stats, report))
}
