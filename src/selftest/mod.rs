//! `docket selftest`: the validation report. Regulated users must show
//! that the software they rely on does what it claims (21 CFR 11.10(a);
//! operational qualification). This builds, in a temporary folder, the
//! scenarios the CLI tests use (a clean signed company, then one attack
//! per scenario), runs a docket binary on each as a user would, compares
//! what it answers with what the procedure requires, and writes the
//! evidence: [`Report`].
//!
//! The binary is the running one unless `--binary` names another (a
//! candidate before it is installed). It is only ever run, never
//! trusted: the scenarios are built here, by the library, and judged by
//! the binary's own command-line output. There is no switch that turns a
//! rule off; a broken rule shows up as a failed scenario, and the tests
//! prove that with a binary whose output has been tampered with.
//!
//! `company` holds the records and keys (shared with the CLI tests),
//! `scenarios` the suite (`timestamps` its RFC 3161 part), `run` how the binary is run and read, `report`
//! the Markdown and HTML.

pub mod company;
pub mod report;
pub mod run;
pub mod scenarios;
pub mod timestamps;

pub use report::{Report, Row};

use crate::error::{Error, Result};
use sha2::Digest;
use std::path::PathBuf;

pub struct Options {
    /// The docket binary to validate.
    pub binary: PathBuf,
    /// The report's date.
    pub date: jiff::civil::Date,
}

/// Build and run every scenario; the report (passed or not).
pub fn run(opts: &Options) -> Result<Report> {
    // The file checksummed must be the file run: a bare name would be
    // looked up on PATH when run, but read from the current folder.
    let path = opts
        .binary
        .canonicalize()
        .map_err(|e| Error::io(&opts.binary, e))?;
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let sha256 = crate::hex::hex(&sha2::Sha256::digest(&bytes));
    let binary = run::Binary { path: path.clone() };
    let version = binary.version()?;
    let tmp = tempfile::Builder::new()
        .prefix("docket-selftest-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let mut all = scenarios::all();
    all.extend(timestamps::scenarios());
    let rows = all
        .iter()
        .map(|s| {
            let dir = tmp.path().join(s.id);
            row(s, &binary, &dir)
        })
        .collect();
    Ok(Report {
        version,
        binary: path.display().to_string(),
        sha256,
        platform: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        date: opts.date.to_string(),
        as_of: run::AS_OF.to_string(),
        rows,
    })
}

fn row(s: &scenarios::Scenario, binary: &run::Binary, dir: &std::path::Path) -> Row {
    let mut want: Vec<&str> = s.rules.to_vec();
    want.sort_unstable();
    let expected = match (s.id, want.is_empty()) {
        ("hostile-text", _) => {
            format!("exit {}; the script shown as text, never as markup", s.exit)
        }
        (_, true) if s.exit == 2 => "exit 2 (nothing judged)".to_string(),
        (_, true) => format!("exit {}; no findings", s.exit),
        (_, false) => format!("exit {}; {}", s.exit, want.join(", ")),
    };
    let observed = std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(dir, e))
        .and_then(|()| (s.setup)(dir, binary))
        .and_then(|probe| binary.observe(&probe));
    let (observed, pass) = match observed {
        Err(e) => (format!("the scenario could not be set up: {e}"), false),
        Ok(o) => {
            let pass = o.exit == Some(s.exit) && o.rules == want && o.sound;
            let exit = o
                .exit
                .map_or("no exit status".into(), |c| format!("exit {c}"));
            let rules = if o.rules.is_empty() {
                String::new()
            } else {
                format!("; {}", o.rules.join(", "))
            };
            (format!("{exit}{rules} ({})", o.note), pass)
        }
    };
    Row {
        id: s.id.to_string(),
        clause: s.clause.to_string(),
        attack: s.attack.to_string(),
        expected,
        observed,
        pass,
    }
}
