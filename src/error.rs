//! The library's failures: things that stop a command before it can say
//! anything useful about the records.
//!
//! Findings about the records are *data* (see [`crate::finding::Finding`]) and
//! never travel through this type. An `Error` means docket itself could not
//! do its job: the records root is missing, an output folder cannot be
//! written, a template does not compile. `main.rs` is the one place that
//! turns these into a message and exit status 2.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Error {
    /// The folder given (or found) holds no `docket.toml`.
    NotARecordsRoot(PathBuf),
    /// Reading or writing a file the command cannot do without.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The command line asked for something that cannot be done.
    Usage(String),
    /// `docket init` would overwrite an existing repository.
    AlreadyExists(PathBuf),
    /// A git operation failed where git was required (log, diff, demo),
    /// in docket's words.
    Git(String),
    /// libgit2 itself failed; its error (class, code and message) is kept
    /// as the [`source`](std::error::Error::source).
    Repository(git2::Error),
    /// A site template failed to parse or render.
    Template(String),
    /// A file docket cannot do without leads where docket must not read
    /// (a link leaving the records root, a hidden file).
    Refused { path: PathBuf, why: String },
    /// The output folder is not one docket may replace.
    Out {
        out: PathBuf,
        /// What made docket refuse, and what to do.
        why: String,
    },
    /// `docket.toml` or `people.toml` cannot be read whole (a parse or
    /// schema problem, or people.toml missing): nothing is judged under a
    /// policy docket cannot read. Every problem, as findings with their
    /// positions.
    Config(Vec<crate::finding::Finding>),
    /// An object the repository should hold cannot be read: the
    /// repository is damaged, so nothing about the records can be trusted.
    Object {
        /// `blob`, `tree` or `commit`.
        kind: &'static str,
        id: String,
        /// Where it was met: the file, the folder or the commit.
        path: String,
        message: String,
    },
    /// `docket stamp` could not get a token it can trust: the TSA cannot be
    /// reached, answered garbage, or signed something that does not verify.
    Timestamp(String),
    /// Under `DOCKET_VERIFY_READS=1`: a page a rebuild took from the
    /// previous site is not the page this build makes (a read the page
    /// did not note; a bug in docket, never in the records).
    StalePage(String),
    /// Under `DOCKET_VERIFY_ANCHORS=1`: a proof whose anchor a run that
    /// walked every commit skipped (`history/anchor.rs`) fails it when
    /// checked anyway (a bug in docket, never in the records).
    AnchorSkipped(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A git object that cannot be read, with where it was met.
    pub fn object(
        kind: &'static str,
        id: impl ToString,
        path: impl Into<String>,
        e: &git2::Error,
    ) -> Self {
        Error::Object {
            kind,
            id: id.to_string(),
            path: path.into(),
            message: e.message().to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotARecordsRoot(p) => write!(
                f,
                "{} is not a records repository: it has no docket.toml \
                 (pass --records DIR, or create one with `docket init DIR`)",
                p.display()
            ),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Usage(msg) => f.write_str(msg),
            Error::AlreadyExists(p) => write!(
                f,
                "{} already holds a records repository (docket.toml); \
                 refusing to overwrite it",
                p.display()
            ),
            Error::Git(msg) => write!(f, "git: {msg}"),
            Error::Repository(e) => write!(f, "git: {}", e.message()),
            Error::Template(msg) => write!(f, "template: {msg}"),
            Error::Refused { path, why } => write!(f, "{}: {why}", path.display()),
            Error::Out { out, why } => write!(f, "refusing to build into {}: {why}", out.display()),
            Error::Config(findings) => {
                write!(
                    f,
                    "the configuration cannot be read, so nothing is judged under it \
                     (fix these and run again):"
                )?;
                for x in findings {
                    write!(f, "\n  {}", x.file)?;
                    if let Some(p) = x.pos {
                        write!(f, ":{}:{}", p.line, p.col)?;
                    }
                    write!(f, ": {}", x.message)?;
                }
                Ok(())
            }
            Error::Object {
                kind,
                id,
                path,
                message,
            } => {
                write!(f, "git: the {kind} {id}")?;
                if !path.is_empty() {
                    write!(f, " ({path})")?;
                }
                write!(
                    f,
                    " cannot be read: {message}. The repository is damaged: run `git fsck` \
                     and restore the object from another clone or a backup"
                )
            }
            Error::Timestamp(msg) => write!(f, "timestamp: {msg}"),
            Error::StalePage(page) => write!(
                f,
                "{page} was taken from the previous build, but this build makes it \
                 differently: docket missed something the page shows (a bug; please \
                 report it with the commit). Delete the site folder to build every page"
            ),
            Error::AnchorSkipped(why) => write!(
                f,
                "a proof's anchor in git was skipped, as this run's walk vouched for \
                 it, but read anyway it fails: {why}. This is a bug in docket; please \
                 report it with the commit"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Repository(source) => Some(source),
            _ => None,
        }
    }
}

impl From<git2::Error> for Error {
    fn from(e: git2::Error) -> Self {
        Error::Repository(e)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_git_error_keeps_its_source() {
        let e = Error::from(git2::Error::new(
            git2::ErrorCode::NotFound,
            git2::ErrorClass::Reference,
            "no such ref",
        ));
        assert_eq!(e.to_string(), "git: no such ref");
        let source = e.source().expect("the libgit2 error");
        let git = source.downcast_ref::<git2::Error>().expect("a git2::Error");
        assert_eq!(git.code(), git2::ErrorCode::NotFound);
        assert_eq!(git.class(), git2::ErrorClass::Reference);
    }
}
