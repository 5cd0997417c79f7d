//! `docket demo`: generate the sample company, then do the main job on it.

use crate::error::Result;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Generate the demo repository and check it; returns the text to print.
pub fn run(opts: &crate::demo::Options) -> Result<String> {
    let made = crate::demo::generate(opts)?;
    let (_model, report) = super::analyse(&made.repo, Some(crate::demo::AS_OF))?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "created {} ({} orders, {} commits, each signed with its author's SSH key; keys in {})",
        made.repo.display(),
        made.orders,
        made.commits,
        made.keys.display()
    );
    let _ = writeln!(
        out,
        "checked {} records as of {}: {} errors, {} warnings",
        report.records,
        report.as_of,
        report.errors(),
        report.warnings()
    );
    let mut by_rule: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for r in &report.findings {
        *by_rule
            .entry((r.finding.rule.as_str(), r.finding.rule.clause()))
            .or_default() += 1;
    }
    for ((rule, clause), n) in by_rule {
        let _ = writeln!(out, "  {n:>4}  {rule} (clause {clause})");
    }
    let _ = writeln!(
        out,
        "see every finding: docket check --records {} --as-of {}",
        made.repo.display(),
        report.as_of
    );
    Ok(out)
}
