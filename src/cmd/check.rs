//! `docket check`: the CI gate.

use super::{Outcome, analyse};
use crate::error::Result;
use jiff::civil::Date;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
}

pub struct Options<'a> {
    pub root: &'a Path,
    pub format: Format,
    pub as_of: Option<Date>,
    pub color: bool,
}

/// Run the check and return the text to print and the outcome.
pub fn run(opts: &Options) -> Result<(String, Outcome)> {
    let (_model, report) = analyse(opts.root, opts.as_of)?;
    let text = match opts.format {
        Format::Human => report.to_human(opts.root, opts.color),
        Format::Json => report.to_json(),
        Format::Github => report.to_github(&github_prefix(opts.root)),
    };
    let outcome = if report.errors() > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    };
    Ok((text, outcome))
}

/// Annotations name files relative to the git work tree, not the records
/// root: prefix the root's path inside the repository.
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
