//! `docket init DIR`: a records repository to start from.
//!
//! By default it is the company's own, minimal: a commented `docket.toml`,
//! a `people.toml` of placeholder people to replace, the procedure, a
//! README about the repository, and a folder per kind holding only a README
//! (git keeps no empty folder, and docket reads no hidden file, so a
//! `.gitkeep` would do less). No record is written: a repository that
//! starts with invented records either keeps them or deletes them, and a
//! deleted quality record is a finding for good (`record-deleted`).
//! `--example` writes the example company instead ([`crate::example`]),
//! for looking around; `--ci github|gitlab` adds the CI file that makes
//! `docket check` the pull-request gate ([`crate::cmd::ci`]).
//!
//! Nothing is overwritten and nothing is left half-written: every path is
//! checked before the first file is written, and a failure removes what
//! this run wrote.

use super::ci::{self, Ci};
use crate::error::{Error, Result};
use crate::example::{EXAMPLE, EXAMPLE_AS_OF};
use crate::kind::{IdShape, Kind};
use include_dir::{Dir, DirEntry};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The minimal repository's files, kept as files in the source tree
/// (`scaffold/`) so they read as what they are.
const DOCKET_TOML: &str = include_str!("../../scaffold/docket.toml");
const PEOPLE_TOML: &str = include_str!("../../scaffold/people.toml");
const README: &str = include_str!("../../scaffold/README.md");
const GITIGNORE: &str = include_str!("../../scaffold/gitignore");

/// What `docket init` was told.
#[derive(Debug, Default, Clone, Copy)]
pub struct InitOptions {
    /// Write the example company's records instead of the minimal start.
    pub example: bool,
    /// Also write this CI system's workflow.
    pub ci: Option<Ci>,
}

/// The files of the repository to write: (path relative to DIR, text).
pub fn files(opts: &InitOptions) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if opts.example {
        collect(&EXAMPLE, &mut out);
    } else {
        out.push(("docket.toml".into(), DOCKET_TOML.into()));
        out.push(("people.toml".into(), PEOPLE_TOML.into()));
        let procedure = crate::example::file("procedure.md").unwrap_or_default();
        out.push(("procedure.md".into(), procedure.into()));
        out.push(("README.md".into(), README.into()));
        out.push((".gitignore".into(), GITIGNORE.into()));
        for kind in Kind::ALL {
            out.push((format!("{}/README.md", kind.folder()), kind_readme(kind)));
        }
    }
    if let Some(ci) = opts.ci {
        out.push((ci.path().into(), ci.workflow()));
    }
    out
}

fn collect(src: &Dir<'_>, out: &mut Vec<(String, String)>) {
    for entry in src.entries() {
        match entry {
            DirEntry::Dir(d) => collect(d, out),
            DirEntry::File(f) => out.push((
                f.path().to_string_lossy().replace('\\', "/"),
                f.contents_utf8().unwrap_or_default().to_string(),
            )),
        }
    }
}

/// What goes in a kind's folder, from the kind table.
fn kind_readme(kind: Kind) -> String {
    let (title, zh) = kind.title();
    let example = match (kind.id_shape(), kind.id_form()) {
        (IdShape::PartNumber, _) | (_, None) => {
            format!("{}/<part number>.toml", kind.folder())
        }
        (IdShape::Yearly(_), Some(form)) => format!("{}/YYYY/{form}.toml", kind.folder()),
        (IdShape::Serial(_), Some(form)) => format!("{}/{form}.toml", kind.folder()),
    };
    let mut text = format!(
        "# {title} ({zh})\n\nOne TOML file per {label}, named by its id: `{example}`",
        label = kind.label()
    );
    if kind.by_year() {
        text.push_str(", in a folder per year");
    }
    let _ = write!(
        text,
        ".\nCreate the next one with `docket new {}`; docket's format reference\n\
         (docs/format.md) describes every field. Other files in this folder are\n\
         attachments of the records that list them (`attachments = [...]`).\n",
        kind.name()
    );
    text
}

/// Write the repository into `dir`; returns the files written. Refuses a
/// folder that already holds a records repository, and any file that
/// exists.
pub fn init(dir: &Path, opts: &InitOptions) -> Result<Vec<PathBuf>> {
    if dir.join("docket.toml").exists() {
        return Err(Error::AlreadyExists(dir.to_path_buf()));
    }
    if let Some(top) = opts.ci.and_then(|_| enclosing_work_tree(dir)) {
        return Err(Error::Usage(format!(
            "{} is inside the git repository {}: a CI file belongs at the top of the \
             repository, and the templates expect the records there. Run docket init \
             without --ci, or in a folder of its own",
            dir.display(),
            top.display()
        )));
    }
    let files = files(opts);
    for (rel, _) in &files {
        let path = dir.join(rel);
        if path.exists() {
            return Err(Error::AlreadyExists(path));
        }
    }
    let mut written = Vec::new();
    for (rel, text) in &files {
        let path = dir.join(rel);
        let result = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text));
        if let Err(e) = result {
            for w in &written {
                let _ = std::fs::remove_file(w);
            }
            return Err(Error::io(&path, e));
        }
        written.push(path);
    }
    Ok(written)
}

/// The git work tree `dir` lies in (or would, once made), if any.
fn enclosing_work_tree(dir: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(dir).ok()?;
    let existing = abs.ancestors().find(|p| p.exists())?;
    let repo = git2::Repository::discover(existing).ok()?;
    repo.workdir().map(Path::to_path_buf)
}

/// A path as a shell command takes it: quoted when it has to be.
fn shell_word(path: &Path) -> String {
    let s = path.display().to_string();
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./+,:@%".contains(c));
    if plain {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// What `init` prints: what was made and exactly what to type next.
pub fn summary(dir: &Path, opts: &InitOptions, written: usize) -> String {
    let mut out = String::new();
    let files = crate::words::count(written, "file");
    let d = dir.display();
    let inside = enclosing_work_tree(dir);
    if opts.example {
        let _ = writeln!(
            out,
            "created the example records repository in {d} ({files}): a fictional company's \
             records, for looking around"
        );
    } else {
        let _ = writeln!(
            out,
            "created a records repository in {d} ({files}): docket.toml, people.toml, \
             procedure.md, README.md and a folder per record kind"
        );
    }
    if let Some(ci) = opts.ci {
        let _ = writeln!(
            out,
            "and {}, the pull-request gate (it installs docket from DOCKET_GIT: set that to \
             where you get docket's source)",
            ci.path()
        );
    }
    out.push_str("\nnext:\n");
    let mut step = 1;
    if !opts.example {
        let _ = writeln!(
            out,
            "  {step}. replace the placeholder people in {} with yours (ids, names, the emails \
             you commit with, roles)",
            dir.join("people.toml").display()
        );
        step += 1;
        let _ = writeln!(
            out,
            "  {step}. put your company's name and time zone in {}, and choose how signatures \
             are proven (signatures = ...)",
            dir.join("docket.toml").display()
        );
        step += 1;
    }
    let _ = writeln!(out, "  {step}. commit the repository and check it:");
    let _ = writeln!(out, "       cd {}", shell_word(dir));
    match &inside {
        Some(top) => {
            let _ = writeln!(
                out,
                "       (already inside the git repository {}: no git init)",
                top.display()
            );
        }
        None => out.push_str("       git init\n"),
    }
    out.push_str("       git add -A\n");
    if opts.example {
        out.push_str("       git commit -m \"docket's example records\"\n");
        let _ = writeln!(out, "       docket check --as-of {EXAMPLE_AS_OF}");
        out.push_str(
            "\nThe examples are for looking around. To start your own records, run docket init \
             in a new folder without --example.\n",
        );
    } else {
        out.push_str("       git commit -m \"Set up the quality records repository\"\n");
        out.push_str("       docket check\n");
        out.push_str(
            "\nThen create records with docket new (docket new customer, docket new order \
             --customer C-0001 --part-number P) and commit them; README.md has the first steps.\n",
        );
    }
    if opts.ci.is_some() {
        out.push_str(&ci::summary_note());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_only_when_a_shell_needs_it() {
        assert_eq!(shell_word(Path::new("qms")), "qms");
        assert_eq!(shell_word(Path::new("/tmp/a-b/c_d.e")), "/tmp/a-b/c_d.e");
        assert_eq!(shell_word(Path::new("my records")), "'my records'");
        assert_eq!(shell_word(Path::new("it's")), r"'it'\''s'");
        assert_eq!(shell_word(Path::new("$HOME")), "'$HOME'");
    }

    #[test]
    fn every_kind_folder_has_a_readme_naming_its_command() {
        let files = files(&InitOptions::default());
        for kind in Kind::ALL {
            let (_, text) = files
                .iter()
                .find(|(rel, _)| *rel == format!("{}/README.md", kind.folder()))
                .unwrap_or_else(|| panic!("no README for {}", kind.folder()));
            assert!(
                text.contains(&format!("docket new {}", kind.name())),
                "{text}"
            );
        }
        assert!(
            !files
                .iter()
                .any(|(rel, _)| rel.ends_with(".toml") && rel.contains('/')),
            "the minimal repository holds no record"
        );
    }
}
