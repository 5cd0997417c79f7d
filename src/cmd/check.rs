//! `docket check`: the CI gate.

use super::{Outcome, Reading, analyse_with};
use crate::error::Result;
use crate::words::{count, count_as};
use jiff::civil::Date;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Findings grouped by file, each with the offending line.
    Human,
    /// The stable JSON report other tools read.
    Json,
    /// GitHub workflow annotations, shown on the pull request's diff.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF readers.
    Sarif,
    /// GitLab Code Quality report (the codequality artifact of a job).
    Gitlab,
}

pub struct Options<'a> {
    pub root: &'a Path,
    pub format: Format,
    pub as_of: Option<Date>,
    pub color: bool,
    /// `--base REV`: findings on files changed since REV come first.
    pub base: Option<String>,
    /// `--no-cache`: everything from git, no cache read or written.
    pub no_cache: bool,
    /// `--published SITE`: check that the commit the site was built from
    /// is still in the history (`history-rewritten`).
    pub published: Option<&'a Path>,
}

/// Run the check and return the text to print and the outcome.
pub fn run(opts: &Options) -> Result<(String, Outcome)> {
    let published = match opts.published {
        Some(site) => {
            let built = crate::render::published(site)?.unwrap_or_default();
            if built.published == crate::history::Published::default() {
                eprintln!(
                    "docket: note: {} records no commit (it was built without git history, or \
                     by an earlier docket): there is nothing to compare yet; its next build \
                     records one",
                    site.display()
                );
            }
            Some(built)
        }
        None => None,
    };
    let reading = Reading {
        as_of: opts.as_of,
        no_cache: opts.no_cache,
        published: published.as_ref().map(|b| &b.published),
        timelines: false,
        every_signature: false,
    };
    let (model, history, mut report) = analyse_with(opts.root, &reading)?;
    let mut heading = String::new();
    let mut changed_files = None;
    let mut governance = None;
    if let Some(base) = &opts.base {
        let changed = crate::history::changed_since(opts.root, &history, base)?;
        let listed = governance_since(opts.root, &history, base, &model)?;
        heading = governance_text(base, &listed);
        let on_changed = report
            .findings
            .iter()
            .filter(|r| changed.contains(&r.finding.file))
            .count();
        heading += &format!(
            "{} since {base}, with {}: {} first\n\n",
            count_as(changed.len(), "file changed", "files changed"),
            count(on_changed, "finding"),
            if on_changed == 1 {
                "it comes"
            } else {
                "those come"
            }
        );
        report.put_first(&changed);
        changed_files = Some(changed);
        governance = Some(listed);
    }
    let text = match opts.format {
        Format::Human => heading + &report.to_human(opts.root, opts.color),
        Format::Json => report.to_json_marking(changed_files.as_ref(), governance.as_deref()),
        Format::Github => report.to_github(&github_prefix(opts.root)),
        Format::Sarif => report.to_sarif(&github_prefix(opts.root)),
        Format::Gitlab => report.to_gitlab(&github_prefix(opts.root)),
    };
    let outcome = if report.errors() > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    };
    Ok((text, outcome))
}

/// The governance changes the commits since `base` brought.
fn governance_since(
    root: &Path,
    history: &crate::history::History,
    base: &str,
    model: &crate::model::Model,
) -> Result<Vec<crate::history::Listed>> {
    let Some((repo, _)) = crate::history::discover(root)? else {
        return Ok(Vec::new());
    };
    let base = crate::history::resolve(&repo, base)?;
    history.governance_since(&repo, base, model.config.company.offset_seconds)
}

/// The governance changes, listed before everything else: they change how
/// everything else is judged, whether or not they were made by someone
/// who may.
fn governance_text(base: &str, listed: &[crate::history::Listed]) -> String {
    if listed.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "{} since {base} (people.toml, docket.toml, procedure.md, tsa/*.pem), proven or not:\n",
        count_as(listed.len(), "governance change", "governance changes")
    );
    for g in listed {
        out.push_str(&format!("  {}\n", g.headline()));
        for c in &g.changes {
            out.push_str(&format!("    {c}\n"));
        }
    }
    out + "\n"
}

/// Annotations, SARIF and Code Quality name files relative to the git work
/// tree, not the records root: prefix the root's path inside the repository.
fn github_prefix(root: &Path) -> String {
    match crate::history::discover(root) {
        Ok(Some((_, prefix))) => prefix,
        _ => String::new(),
    }
}
