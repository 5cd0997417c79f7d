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

use super::{Reading, analyse_with};
use crate::error::Result;
use crate::render::{self, Built, Publisher, SiteOptions, Stats};
use crate::report::CheckReport;
use jiff::civil::Date;
use std::path::Path;

pub struct Options<'a> {
    pub root: &'a Path,
    pub out: &'a Path,
    pub as_of: Option<Date>,
    /// Draw a progress bar (on a terminal, for large sites).
    pub progress: bool,
    /// `--no-cache`: everything from git, no cache read or written.
    pub no_cache: bool,
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

/// What a build read and judged, handed back only to be let go: at
/// 50,000 orders about 800 MB of small allocations, which take a tenth of
/// a second to free one by one (BENCHMARKS.md). A process about to exit
/// can leave them to the system, which takes its memory back whole
/// (`main` does, with `std::mem::forget`).
pub struct Remains {
    pub model: crate::model::Model,
    pub history: crate::history::History,
}

/// Check and render; returns what was built and the check it showed.
pub fn run(opts: &Options) -> Result<(Stats, CheckReport, Remains)> {
    let publisher = crate::timing::stage("open output", || open(opts.root, opts.out))?;
    run_into(opts, publisher)
}

/// [`run`] into an output folder already opened with [`open`]. The site
/// it replaces says which commit it was built from: the history is
/// checked against it (`history-rewritten`), and the new site records
/// this build's commit and the rewrites still open.
pub fn run_into(opts: &Options, mut publisher: Publisher) -> Result<(Stats, CheckReport, Remains)> {
    let previous = publisher.previous_build().published;
    let reading = Reading {
        as_of: opts.as_of,
        no_cache: opts.no_cache,
        published: Some(&previous),
        timelines: true,
        every_signature: publisher.renders_everything(),
    };
    let (model, history, report) = analyse_with(opts.root, &reading)?;
    publisher.set_build(Built {
        published: crate::history::rewrite::next(&history, &previous),
        caches: history.caches,
    });
    let status = crate::timing::stage("status", || {
        crate::report::status::status(&model, &report, Some(&history))
    });
    let site = SiteOptions {
        history: Some(&history),
        templates: true,
        progress: opts.progress,
    };
    let stats = render::site(&model, &report, &status, publisher, &site)?;
    history.count_signatures();
    Ok((stats, report, Remains { model, history }))
}
