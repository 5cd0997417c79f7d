//! `docket build`: check the records, compute the status figures, and
//! render the site. Findings do not stop the build: they are part of what
//! the site shows. Only docket's own failures (an unreadable repository, a
//! template that does not compile, an output folder that cannot be
//! written or may not be replaced) do, and then the published site is
//! left as it was.
//!
//! The output folder is locked first, before the records are read: a
//! wrong `--out` is refused at once, and two builds into one folder take
//! turns from the start (the second waits, saying so). Whether the folder
//! holds only what docket wrote is checked beside the loading of the
//! records (it lists every file of the site), and refused before anything
//! of the records is reported.

use super::{Reading, analyse_beside};
use crate::error::Result;
use crate::render::{self, Built, Locked, Publisher, SiteOptions, Stats};
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
    /// The process ends after the build: what rendering built (a tenth of
    /// a second of frees at 50,000 orders, at the end, on one core) is
    /// left for the system to take back whole ([`SiteOptions::exits`]).
    pub exits: bool,
}

/// Open the output folder of a build from `root` into `out`: refuses a
/// folder docket may not replace, waits for another build into it.
pub fn open(root: &Path, out: &Path) -> Result<Publisher> {
    lock(root, out)?.open()
}

/// The first half of [`open`] (`Publisher::lock`): what refuses a wrong
/// `--out` and makes a second build wait, before the records are read.
fn lock(root: &Path, out: &Path) -> Result<Locked> {
    Publisher::lock(out, root, || {
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
    /// The hold on freed memory (`crate::memory`), ended when this is
    /// dropped: a process about to exit need not give it back first.
    pub held: crate::memory::Held,
}

/// Check and render; returns what was built and the check it showed.
/// The output folder is locked first; the files of the site it holds are
/// listed and checked beside the loading of the records (a tenth of a
/// second or more at 50,000 orders).
pub fn run(opts: &Options) -> Result<(Stats, CheckReport, Remains)> {
    let locked = crate::timing::stage("open output", || lock(opts.root, opts.out))?;
    let every_signature = locked.renders_everything();
    run_beside(opts, every_signature, || {
        crate::timing::stage("scan output", || locked.open())
    })
}

/// [`run`] into an output folder already opened with [`open`]. The site
/// it replaces says which commit it was built from: the history is
/// checked against it (`history-rewritten`), and the new site records
/// this build's commit and the rewrites still open.
pub fn run_into(opts: &Options, publisher: Publisher) -> Result<(Stats, CheckReport, Remains)> {
    let every_signature = publisher.renders_everything();
    run_beside(opts, every_signature, || Ok(publisher))
}

fn run_beside(
    opts: &Options,
    every_signature: bool,
    publisher: impl FnOnce() -> Result<Publisher> + Send,
) -> Result<(Stats, CheckReport, Remains)> {
    let reading = Reading {
        as_of: opts.as_of,
        no_cache: opts.no_cache,
        published: None,
        timelines: true,
        every_signature,
    };
    // A build that continues a previous one keeps the memory it frees
    // for its own reuse (`crate::memory`).
    let held = crate::memory::hold(
        !every_signature && !opts.no_cache && crate::history::keeps_index(opts.root),
    );
    let (mut publisher, model, history, report) = analyse_beside(opts.root, &reading, publisher)?;
    let previous = publisher.previous_build().published;
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
        exits: opts.exits,
    };
    let stats = render::site(&model, &report, &status, publisher, &site)?;
    history.counts();
    crate::timing::count(
        "freed memory held to the end",
        usize::from(crate::memory::is_held()),
    );
    let remains = Remains {
        model,
        history,
        held,
    };
    Ok((stats, report, remains))
}
