//! `docket check`: the CI gate.

use super::{Outcome, analyse_history};
use crate::error::Result;
use crate::history::History;
use jiff::civil::Date;
use std::collections::BTreeSet;
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
}

/// Run the check and return the text to print and the outcome.
pub fn run(opts: &Options) -> Result<(String, Outcome)> {
    let (_model, history, mut report) = analyse_history(opts.root, opts.as_of)?;
    let mut heading = String::new();
    let mut changed_files = None;
    if let Some(base) = &opts.base {
        let changed = changed_since(opts.root, &history, base)?;
        let on_changed = report
            .findings
            .iter()
            .filter(|r| changed.contains(&r.finding.file))
            .count();
        heading = format!(
            "{} files changed since {base}, with {on_changed} findings: those come first\n\n",
            changed.len()
        );
        report.put_first(&changed);
        changed_files = Some(changed);
    }
    let text = match opts.format {
        Format::Human => heading + &report.to_human(opts.root, opts.color),
        Format::Json => report.to_json_marking(changed_files.as_ref()),
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

/// Files below the records root that differ between `base` and `HEAD`,
/// or in the working tree: what a pull request touched.
fn changed_since(root: &Path, history: &History, base: &str) -> Result<BTreeSet<String>> {
    let Some((repo, prefix)) = crate::history::discover(root)? else {
        return Err(crate::Error::Usage(format!(
            "--base {base} needs a git repository above the records root"
        )));
    };
    let base_id = repo
        .revparse_single(base)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| {
            crate::Error::Usage(format!("cannot find revision \"{base}\": {}", e.message()))
        })?
        .id();
    let old = crate::history::files_at(&repo, base_id, &prefix)?;
    let new = match repo.head().ok().and_then(|h| h.target()) {
        Some(head) => crate::history::files_at(&repo, head, &prefix)?,
        None => Default::default(),
    };
    let mut changed: BTreeSet<String> = old
        .iter()
        .filter(|(p, id)| new.get(*p) != Some(id))
        .map(|(p, _)| p.clone())
        .collect();
    changed.extend(
        new.iter()
            .filter(|(p, id)| old.get(*p) != Some(id))
            .map(|(p, _)| p.clone()),
    );
    changed.extend(history.worktree.keys().cloned());
    Ok(changed)
}

/// Annotations, SARIF and Code Quality name files relative to the git work
/// tree, not the records root: prefix the root's path inside the repository.
fn github_prefix(root: &Path) -> String {
    let Ok(repo) = git2::Repository::discover(root) else {
        return String::new();
    };
    let (Some(workdir), Ok(root)) = (repo.workdir(), root.canonicalize()) else {
        return String::new();
    };
    let Ok(workdir) = workdir.canonicalize() else {
        return String::new();
    };
    match root.strip_prefix(&workdir) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", crate::load::rel_path(Path::new(""), rel)),
        Err(_) => String::new(),
    }
}
