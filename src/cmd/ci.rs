//! The CI files `docket init --ci` writes: GitHub Actions and GitLab CI,
//! each making `docket check` the gate of a pull (merge) request and
//! building the site on the main branch.
//!
//! The templates are files in the source tree (`scaffold/ci/`), so they
//! read as a person will read them; the only thing filled in is docket's
//! version, so the CI installs the docket that wrote the file. How docket
//! is installed there, and why, is in docs/decisions.md ("CI").

/// A CI system `docket init --ci` writes a workflow for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Ci {
    // No doc comments on the variants: clap would list them one per line
    // and switch the whole help page to its long layout.
    Github,
    Gitlab,
}

const GITHUB: &str = include_str!("../../scaffold/ci/github.yml");
const GITLAB: &str = include_str!("../../scaffold/ci/gitlab.yml");

impl Ci {
    /// Where the file goes, relative to the top of the repository.
    pub fn path(self) -> &'static str {
        match self {
            Ci::Github => ".github/workflows/docket.yml",
            Ci::Gitlab => ".gitlab-ci.yml",
        }
    }

    /// The file, for this version of docket.
    pub fn workflow(self) -> String {
        let template = match self {
            Ci::Github => GITHUB,
            Ci::Gitlab => GITLAB,
        };
        template.replace("@DOCKET_VERSION@", env!("CARGO_PKG_VERSION"))
    }
}

/// What `init` adds to its closing hint when it wrote a CI file.
pub fn summary_note() -> String {
    "\nBefore pushing, set DOCKET_GIT in the CI file to the git URL you install docket \
     from; the CI builds docket at this version's tag (v"
        .to_string()
        + env!("CARGO_PKG_VERSION")
        + ") and caches it.\n"
}
