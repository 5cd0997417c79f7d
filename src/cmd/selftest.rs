//! `docket selftest [--report FILE] [--binary PATH] [--as-of DATE]`: run
//! the scenario suite (`crate::selftest`) on a docket binary and write the
//! validation report: Markdown to stdout by default, or to FILE (Markdown
//! for `.md`, HTML for `.html`), written whole or not at all.

use super::Outcome;
use crate::error::{Error, Result};
use jiff::civil::Date;
use std::path::{Path, PathBuf};

pub struct Options<'a> {
    pub report: Option<&'a Path>,
    /// The binary to validate (default: this one).
    pub binary: Option<PathBuf>,
    /// The report's date (default: SOURCE_DATE_EPOCH, else the clock, UTC).
    pub as_of: Option<Date>,
}

#[derive(Clone, Copy)]
enum Form {
    Markdown,
    Html,
}

/// Run the suite; the text to print and whether every scenario passed.
pub fn run(opts: &Options) -> Result<(String, Outcome)> {
    let form = match opts.report {
        None => Form::Markdown,
        Some(p) => match p.extension().and_then(|e| e.to_str()) {
            Some("md") => Form::Markdown,
            Some("html") => Form::Html,
            _ => {
                return Err(Error::Usage(format!(
                    "--report {}: name a .md (Markdown) or .html (HTML) file",
                    p.display()
                )));
            }
        },
    };
    let binary = match &opts.binary {
        Some(b) => b.clone(),
        None => std::env::current_exe()
            .map_err(|e| Error::Usage(format!("cannot find the running docket: {e}")))?,
    };
    let date = match opts.as_of {
        Some(d) => d,
        None => super::today(0)?,
    };
    let report = crate::selftest::run(&crate::selftest::Options { binary, date })?;
    let outcome = if report.failed().is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    };
    let text = match form {
        Form::Markdown => report.markdown(),
        Form::Html => report.html(),
    };
    let Some(path) = opts.report else {
        return Ok((text, outcome));
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.docket-tmp"));
    std::fs::write(&tmp, &text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })?;
    Ok((
        format!(
            "selftest: {}; report in {}\n",
            report.summary(),
            path.display()
        ),
        outcome,
    ))
}
