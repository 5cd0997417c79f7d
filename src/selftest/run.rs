//! Running the binary under validation on a scenario, and reading what it
//! answered.
//!
//! The binary is run as a user runs it: a separate process, through its
//! command line and its JSON output, never through the library. That is
//! what makes the report evidence about *that* binary (`--binary` names a
//! candidate before it is installed): a build with a rule broken, or a
//! wrapper that edits its output, fails the scenarios that rule guards.

use super::company::Company;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// "Today" for every scenario's check: the records' dates are fixed.
pub const AS_OF: &str = "2026-06-15";

/// What a hostile user writes into a Markdown field and a commit message:
/// it must never reach a page as markup.
pub const PAYLOAD: &str = "<script>alert('docket-selftest')</script>";

/// The same in a tag of its own, as an attribute would carry it.
pub const PAYLOAD_TAG: &str = "<img src=x onerror=alert(1)>";

/// Written next to the payload: proves the hostile text was rendered at all.
pub const MARKER: &str = "Selftest-hostile-7d1";

/// The docket binary under validation.
pub struct Binary {
    pub path: PathBuf,
}

/// What to run on a built scenario.
pub enum Probe {
    /// `docket check --format json` (with `--published SITE`).
    Check {
        root: PathBuf,
        published: Option<PathBuf>,
    },
    /// `docket build`, then every page searched for the hostile text.
    Site { root: PathBuf, out: PathBuf },
}

impl Probe {
    pub fn check(c: Company) -> Probe {
        Probe::Check {
            root: c.root,
            published: None,
        }
    }
}

/// What the binary answered.
#[derive(Debug, Clone)]
pub struct Observed {
    /// The exit status (`None`: killed by a signal, or did not start).
    pub exit: Option<i32>,
    /// The rules that fired, each once, sorted.
    pub rules: Vec<String>,
    /// What else was seen, in words (the error of an exit 2, the pages
    /// searched).
    pub note: String,
    /// Whether what else was seen is right (the output was docket's JSON;
    /// no page holds the hostile text as markup).
    pub sound: bool,
}

impl Binary {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.path);
        cmd.env_remove("SOURCE_DATE_EPOCH").env("NO_COLOR", "1");
        cmd
    }

    fn output(&self, args: &[&std::ffi::OsStr]) -> Result<Output> {
        self.command()
            .args(args)
            .output()
            .map_err(|e| Error::io(&self.path, e))
    }

    /// `docket --version`, as it prints it.
    pub fn version(&self) -> Result<String> {
        let out = self.output(&["--version".as_ref()])?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !out.status.success() || text.is_empty() {
            return Err(Error::Usage(format!(
                "{} --version did not answer; is it docket?",
                self.path.display()
            )));
        }
        Ok(text)
    }

    /// `docket build` of `root` into `out`, which must succeed (a step of
    /// a scenario's setup).
    pub fn build(&self, root: &Path, out: &Path) -> Result<Output> {
        let o = self.output(&[
            "build".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
            "--as-of".as_ref(),
            AS_OF.as_ref(),
            "--no-cache".as_ref(),
            "--records".as_ref(),
            root.as_os_str(),
        ])?;
        if !o.status.success() {
            return Err(Error::Usage(format!(
                "docket build failed: {}",
                first_line(&o.stderr)
            )));
        }
        Ok(o)
    }

    /// Run `probe` and read the answer.
    pub fn observe(&self, probe: &Probe) -> Result<Observed> {
        match probe {
            Probe::Check { root, published } => {
                let mut args: Vec<&std::ffi::OsStr> = vec![
                    "check".as_ref(),
                    "--format".as_ref(),
                    "json".as_ref(),
                    "--as-of".as_ref(),
                    AS_OF.as_ref(),
                    "--no-cache".as_ref(),
                    "--records".as_ref(),
                    root.as_os_str(),
                ];
                if let Some(site) = published {
                    args.extend(["--published".as_ref(), site.as_os_str()]);
                }
                Ok(read_check(&self.output(&args)?))
            }
            Probe::Site { root, out } => {
                let o = self.build(root, out);
                let exit = match &o {
                    Ok(o) => o.status.code(),
                    Err(_) => Some(2),
                };
                let (pages, raw, shown) = search(out);
                let sound = o.is_ok() && raw.is_empty() && shown > 0;
                let mut note = format!(
                    "{pages} pages and feeds: the script appears as markup in {}, the text is shown in {shown}",
                    raw.len()
                );
                if let Some(first) = raw.first() {
                    note.push_str(&format!(" (first: {first})"));
                }
                if let Err(e) = o {
                    note = e.to_string();
                }
                Ok(Observed {
                    exit,
                    rules: Vec::new(),
                    note,
                    sound,
                })
            }
        }
    }
}

/// The first `n` lines of an output, joined, cut at 240 characters each.
fn lines(bytes: &[u8], n: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<String> = text
        .lines()
        .take(n)
        .map(|l| l.trim().chars().take(240).collect())
        .collect();
    lines.join(" ")
}

fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().next().unwrap_or("").trim();
    line.chars().take(240).collect()
}

/// The answer of `docket check --format json`.
fn read_check(o: &Output) -> Observed {
    let exit = o.status.code();
    if exit == Some(2) {
        return Observed {
            exit,
            rules: Vec::new(),
            note: lines(&o.stderr, 2),
            sound: o.stdout.is_empty(),
        };
    }
    let json: Option<serde_json::Value> = serde_json::from_slice(&o.stdout).ok();
    let Some(findings) = json.as_ref().and_then(|j| j["findings"].as_array()) else {
        return Observed {
            exit,
            rules: Vec::new(),
            note: format!("the output is not docket's JSON: {}", first_line(&o.stdout)),
            sound: false,
        };
    };
    let mut rules: Vec<String> = findings
        .iter()
        .filter_map(|f| f["rule"].as_str().map(String::from))
        .collect();
    rules.sort();
    rules.dedup();
    Observed {
        exit,
        rules,
        note: crate::words::count(findings.len(), "finding"),
        sound: true,
    }
}

/// Search the site's pages and feed for the hostile text: (files, files
/// holding the script as markup, files showing the marker).
fn search(out: &Path) -> (usize, Vec<String>, usize) {
    let mut pages = 0;
    let mut raw = Vec::new();
    let mut shown = 0;
    for entry in walkdir::WalkDir::new(out).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        // Pages, and the Atom feed (commit messages are in it).
        if path.extension().is_none_or(|e| e != "html" && e != "xml") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        pages += 1;
        if text.contains(PAYLOAD) || text.contains(PAYLOAD_TAG) {
            let rel = path.strip_prefix(out).unwrap_or(path);
            raw.push(rel.display().to_string());
        }
        if text.contains(MARKER) {
            shown += 1;
        }
    }
    (pages, raw, shown)
}
