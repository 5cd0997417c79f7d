//! `docket demo`: generate the sample company, then do the main job on it:
//! check it and build its site.

use crate::error::Result;
use crate::words::count;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// Generate the demo repository, check it and build its site into `out`;
/// returns the text to print.
pub fn run(opts: &crate::demo::Options, out: &Path, progress: bool) -> Result<String> {
    // Everything that could be refused is, before anything is written.
    crate::demo::check(opts)?;
    let publisher = super::build::open(&opts.repo, out)?;
    let made = crate::demo::generate(opts)?;
    let build = super::build::Options {
        root: &made.repo,
        out,
        as_of: Some(crate::demo::AS_OF),
        progress,
        no_cache: false,
        exits: false,
    };
    let (stats, report, _) = super::build::run_into(&build, publisher)?;

    let mut text = String::new();
    let _ = writeln!(
        text,
        "created {} ({}, {}, each signed with its author's SSH key; keys in {})",
        made.repo.display(),
        count(made.orders, "order"),
        count(made.commits, "commit"),
        made.keys.display()
    );
    let _ = writeln!(
        text,
        "checked {} as of {}: {}, {}; what the procedure caught:",
        count(report.records, "record"),
        report.as_of,
        count(report.errors(), "error"),
        count(report.warnings(), "warning")
    );
    let mut by_rule: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for r in &report.findings {
        *by_rule
            .entry((r.finding.rule.as_str(), r.finding.rule.clause()))
            .or_default() += 1;
    }
    for ((rule, clause), n) in by_rule {
        let _ = writeln!(text, "  {n:>4}  {rule} (clause {clause})");
    }
    let index = out.join("index.html");
    let _ = writeln!(
        text,
        "built {} into {}",
        count(stats.pages, "page"),
        out.display()
    );
    let _ = writeln!(
        text,
        "open {}",
        std::path::absolute(&index).unwrap_or(index).display()
    );
    Ok(text)
}
