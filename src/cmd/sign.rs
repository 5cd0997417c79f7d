//! `docket sign ID SECTION`: write a signed section for the person at the
//! keyboard, and with `--commit` make the commit that signs it.
//!
//! A signature is the commit that first wrote a section's current content
//! (docs/history.md), so re-signing means writing something new into the
//! section and committing it as the signer. Without help a GM has to guess
//! that: an empty commit, or a review rewritten with the same values,
//! signs nothing. This command makes it one step, and refuses before
//! writing anything when the signature could not stand:
//!
//! - the signer is the person whose `git config user.email` is one of
//!   their `emails` in the people.toml *in force at HEAD* (the governed
//!   policy, not an uncommitted edit of people.toml: a key or role slipped
//!   into the working tree must not let anyone sign);
//! - they must hold what the section requires (a role, or membership of the
//!   department the section belongs to) and must not have left;
//! - the new section must differ from the one there: the date is today, so
//!   a stale review (always older than the change that made it stale) gets
//!   a new date; signing twice on one day with the same content is refused
//!   with what to do, never turned into an empty commit.
//!
//! The file is edited with `toml_edit`, so its comments, key order and
//! layout stay as they were, and replaced whole (written beside it, then
//! renamed): nothing half-written is left. `--commit` runs the `git`
//! command (so the user's own signing setup, key and agent are used): `git
//! commit -S` under policy `ssh`, committing only that file.

use crate::error::{Error, Result};
use crate::history::History;
use crate::kind::Kind;
use crate::model::{Person, SignaturePolicy};
use jiff::civil::Date;
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item, Table, Value};

pub struct Options<'a> {
    pub root: &'a Path,
    /// The record id.
    pub id: &'a str,
    /// `review`, `extra_review[1]`, `verification`, ...
    pub section: &'a str,
    /// The section's outcome: a review's `decision`, an extra review's
    /// `result`, a verification's `effective` (effective | not-effective).
    pub decision: Option<&'a str>,
    /// A note written into the section (reviews and extra reviews).
    pub note: Option<&'a str>,
    pub commit: bool,
    /// The date to write (default: today in the company's time zone).
    pub as_of: Option<Date>,
}

/// Sign, and say what was done.
pub fn run(opts: &Options) -> Result<String> {
    let loaded = crate::load::load(opts.root)?;
    // The record is found among the files, not the model: a section
    // written by hand but not yet signed (no `by`) makes the record
    // invalid, and it is exactly what is about to be signed.
    let (rel, kind) = find(&loaded, opts.id)?;
    let (model, findings) = crate::model::build(loaded);
    super::fail_closed(&findings)?;
    let mut history = History::open_with(opts.root, None, true)?;
    crate::history::govern(&mut history, model.config.company.offset_seconds)?;
    let (people, policy) = if history.governance.ready {
        let r = history.governance.current();
        (r.people.clone(), r.signatures)
    } else {
        (model.people.clone(), model.config.policy.signatures)
    };
    let path = opts.root.join(&rel);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let refuse = |why: String| {
        Error::Usage(format!(
            "cannot sign [{}] of {} ({rel}): {why}",
            opts.section, opts.id
        ))
    };
    let table: toml::Table = toml::from_str(&text)
        .map_err(|e| refuse(format!("the file is not valid TOML ({e}); fix it first")))?;
    let signer = crate::model::signer_for(kind, opts.section, &table).map_err(refuse)?;
    let today = match opts.as_of {
        Some(d) => d,
        None => super::today(model.config.company.offset_seconds)?,
    };
    let person = who(opts.root, &people)?;
    if !signer.allows(person) {
        return Err(Error::Usage(format!(
            "cannot sign [{}] of {}: it needs {}, and {} has {} (people.toml in force at HEAD)",
            opts.section,
            opts.id,
            signer.describe(),
            person.named(),
            holds(person)
        )));
    }
    if let Some(left) = person.left.filter(|l| *l < today) {
        return Err(Error::Usage(format!(
            "cannot sign [{}] of {}: {} left on {left} (people.toml in force at HEAD), and a \
             signature after leaving is invalid",
            opts.section,
            opts.id,
            person.named()
        )));
    }
    let fill = Fill {
        kind,
        section: opts.section,
        by: &person.id.value,
        date: today,
        decision: opts.decision,
        note: opts.note,
    };
    // "Changes nothing" is judged against the commit, not the working
    // tree: a section written by an earlier `sign` whose commit failed (or
    // that was never committed) is committed now, not refused.
    let committed = committed_text(&path);
    let signed = edit(&text, committed.as_deref(), &fill).map_err(refuse)?;
    write_whole(&path, &signed)?;
    let outcome = opts.decision.map(|d| format!(" ({d})")).unwrap_or_default();
    let mut out = format!(
        "signed [{}] of {}{outcome} as {} on {today}: {}\n",
        opts.section,
        opts.id,
        person.named(),
        rel
    );
    let message = format!("Sign {} of {}{outcome}", opts.section, opts.id);
    if opts.commit {
        let id = commit(opts.root, &path, &message, policy == SignaturePolicy::Ssh)?;
        out.push_str(&format!("committed {id}: {message}\n"));
    } else {
        let s = if policy == SignaturePolicy::Ssh {
            " -S"
        } else {
            ""
        };
        out.push_str(&format!(
            "not committed yet: the commit is the signature (git commit{s} -m \"{message}\" -- {}), \
             or run again with --commit\n",
            rel
        ));
    }
    Ok(out)
}

/// The record file of `id`: its path below the root and its kind.
fn find(loaded: &crate::load::Loaded, id: &str) -> Result<(String, Kind)> {
    loaded
        .records
        .iter()
        .find_map(|d| match d.role {
            crate::load::FileRole::Record(kind) if d.stem() == id => Some((d.rel.clone(), kind)),
            _ => None,
        })
        .ok_or_else(|| {
            Error::Usage(format!(
                "no record {id} that docket can read in this records repository (give its id, \
                 e.g. SO-2026-0050; `docket check` says what is wrong with a file it cannot read)"
            ))
        })
}

fn holds(p: &Person) -> String {
    let roles: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
    let roles = if roles.is_empty() {
        "no role".to_string()
    } else {
        format!("role {}", roles.join(", "))
    };
    match &p.department {
        Some(d) => format!("{roles} in department {d}"),
        None => format!("{roles} and no department"),
    }
}

/// The person whose email git will record as the commit's author.
fn who<'p>(root: &Path, people: &'p [Person]) -> Result<&'p Person> {
    let email = super::new::git_email(root);
    if let Some(p) = email
        .as_deref()
        .and_then(|e| crate::model::person_by_email_in(people, e))
    {
        return Ok(p);
    }
    let why = match email {
        Some(e) => format!("your git email ({e}) is no one's in the people.toml in force at HEAD"),
        None => "git has no user.email set".into(),
    };
    Err(Error::Usage(format!(
        "who is signing? {why}: set it (git config user.email you@example.com) to the email \
         your entry in people.toml lists; a change to people.toml counts once the GM has \
         committed it"
    )))
}

/// What to write into the section.
struct Fill<'a> {
    kind: Kind,
    section: &'a str,
    by: &'a str,
    date: Date,
    decision: Option<&'a str>,
    note: Option<&'a str>,
}

impl Fill<'_> {
    /// The section's outcome field and its value as TOML, from
    /// `--decision`: (key, literal).
    fn outcome(&self) -> Option<(&'static str, String)> {
        let d = self.decision?;
        let key = self.outcome_key()?;
        Some(match key {
            "effective" => (key, (d == "effective").to_string()),
            _ => (key, format!("\"{d}\"")),
        })
    }

    /// The field `--decision` fills in this section, and its choices.
    fn outcome_key(&self) -> Option<&'static str> {
        self.choices().map(|(k, _)| k)
    }

    fn choices(&self) -> Option<(&'static str, &'static [&'static str])> {
        match (self.kind, self.section) {
            (Kind::Order, "review") => Some(("decision", &["approved", "rejected"])),
            (Kind::Order, _) => Some(("result", &["feasible", "not-feasible"])),
            (Kind::Capa, "verification") => Some(("effective", &["effective", "not-effective"])),
            _ => None,
        }
    }
}

/// Fields a section must already hold (written by hand: `docket sign`
/// signs what is written, it does not write the findings for you).
fn required(kind: Kind, section: &str) -> &'static [&'static str] {
    match (kind, section) {
        (Kind::Capa, "investigation") => &["root_cause", "countermeasure"],
        (Kind::Order, s) if s.starts_with("extra_review") => &["department"],
        _ => &[],
    }
}

/// The file's text with the section signed; `Err` says why not, such as
/// the section at HEAD (`committed`) already saying exactly this.
fn edit(text: &str, committed: Option<&str>, fill: &Fill) -> std::result::Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| format!("the file is not valid TOML ({e}); fix it first"))?;
    let before = committed.and_then(|c| section_value(c, fill.section));
    let table = table_mut(&mut doc, fill.section)?;
    match (fill.choices(), fill.decision) {
        (Some((key, choices)), Some(d)) if !choices.contains(&d) => {
            return Err(format!(
                "--decision {d} is not one of {} (it fills `{key}`)",
                choices.join(", ")
            ));
        }
        (Some((key, choices)), None) if key == "decision" || !table.contains_key(key) => {
            return Err(format!(
                "pass --decision {} (it fills `{key}`)",
                choices.join(" or --decision ")
            ));
        }
        (None, Some(_)) => {
            return Err("this section has no decision; leave out --decision".into());
        }
        _ => {}
    }
    let missing: Vec<&str> = required(fill.kind, fill.section)
        .iter()
        .copied()
        .filter(|k| !table.contains_key(k))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "write {} into [{}] first; docket sign signs what is written",
            missing.join(" and "),
            fill.section
        ));
    }
    let has_note = fill.kind == Kind::Order;
    if let Some(note) = fill.note {
        if !has_note {
            return Err(format!(
                "[{}] has no note field; leave out --note",
                fill.section
            ));
        }
        set(table, "note", Value::from(note));
    }
    if let Some((key, literal)) = fill.outcome() {
        let v: Value = literal.parse().expect("a TOML literal of our own");
        set(table, key, v);
    }
    set(table, "by", Value::from(fill.by));
    let date: toml_edit::Datetime = fill.date.to_string().parse().expect("a TOML date");
    set(table, "date", Value::from(date));
    let out = doc.to_string();
    if before.is_some() && before == section_value(&out, fill.section) {
        let what = if has_note {
            "say what you checked again with --note TEXT, or sign on another day"
        } else {
            "sign on another day"
        };
        return Err(format!(
            "[{}] already says this, signed by {} on {}: writing it again changes nothing, and a \
             signature is the commit that first wrote the section's content; {what}",
            fill.section, fill.by, fill.date
        ));
    }
    Ok(out)
}

/// The file's text at HEAD, if it is committed there and no larger than
/// the loader reads (a blob's size is read from its header first).
fn committed_text(file: &Path) -> Option<String> {
    let repo = git2::Repository::discover(file.parent()?).ok()?;
    let top = repo.workdir()?.canonicalize().ok()?;
    let rel = file
        .canonicalize()
        .ok()?
        .strip_prefix(&top)
        .ok()?
        .to_path_buf();
    let entry = repo.head().ok()?.peel_to_tree().ok()?.get_path(&rel).ok()?;
    let (size, _) = repo.odb().ok()?.read_header(entry.id()).ok()?;
    if size as u64 > crate::load::MAX_FILE_BYTES {
        return None;
    }
    let blob = repo.find_blob(entry.id()).ok()?;
    String::from_utf8(blob.content().to_vec()).ok()
}

/// The section `path` as parsed TOML (to compare content, not text).
fn section_value(text: &str, path: &str) -> Option<toml::Value> {
    let table: toml::Table = toml::from_str(text).ok()?;
    match index_of(path) {
        Some((key, i)) => table.get(key)?.as_array()?.get(i).cloned(),
        None => table.get(path).cloned(),
    }
}

/// `extra_review[1]` -> ("extra_review", 1).
fn index_of(path: &str) -> Option<(&str, usize)> {
    let (key, rest) = path.split_once('[')?;
    Some((key, rest.strip_suffix(']')?.parse().ok()?))
}

fn table_mut<'d>(
    doc: &'d mut DocumentMut,
    path: &str,
) -> std::result::Result<&'d mut dyn toml_edit::TableLike, String> {
    if let Some((key, i)) = index_of(path) {
        return doc
            .get_mut(key)
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|a| a.get_mut(i))
            .map(|t| t as &mut dyn toml_edit::TableLike)
            .ok_or_else(|| format!("there is no [[{key}]] number {i} (counting from 0)"));
    }
    if !doc.contains_key(path) {
        doc.insert(path, Item::Table(Table::new()));
    }
    doc.get_mut(path)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| format!("`{path}` is not a table"))
}

/// Set `key`, keeping the comment and spacing around an old value.
fn set(table: &mut dyn toml_edit::TableLike, key: &str, mut v: Value) {
    if let Some(old) = table.get(key).and_then(Item::as_value) {
        *v.decor_mut() = old.decor().clone();
    }
    table.insert(key, Item::Value(v));
}

/// Replace `path` whole: write beside it, then rename over it.
fn write_whole(path: &Path, text: &str) -> Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.docket-sign"));
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Commit only `file` through the `git` command; the new commit's id.
fn commit(root: &Path, file: &Path, message: &str, signed: bool) -> Result<String> {
    let repo = git2::Repository::discover(root).map_err(|_| {
        Error::Usage(format!(
            "--commit needs a git repository, and {} is in none; the section is written",
            root.display()
        ))
    })?;
    let top: PathBuf = repo
        .workdir()
        .ok_or_else(|| Error::Usage("--commit needs a work tree, not a bare repository".into()))?
        .to_path_buf();
    let git = |args: &[&str]| -> Result<String> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(&top)
            .args(args)
            .output()
            .map_err(|e| {
                Error::Git(format!(
                    "could not run git ({e}); the section is written, commit it yourself"
                ))
            })?;
        if !out.status.success() {
            return Err(Error::Git(format!(
                "git {} failed: {}; the section is written but not committed",
                args.first().unwrap_or(&""),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let file = file.to_string_lossy();
    git(&["add", "--", &file])?;
    let mut args = vec!["commit", "-q", "-m", message];
    if signed {
        args.push("-S");
    }
    args.extend(["--", &file]);
    git(&args)?;
    git(&["rev-parse", "HEAD"])
}
