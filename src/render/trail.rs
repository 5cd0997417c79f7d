//! The audit trail: what git history says about each record, shaped for
//! the site. It feeds three things: the proof of each signature (which
//! commit signed it and how that was proven, docs/history.md), the
//! timeline of a record page (every commit that touched the file, its
//! author, time, commit signature and field-level changes), and the recent
//! changes page and Atom feed.
//!
//! The history stage did the work (walking commits, proving signatures);
//! this module only looks things up and formats them. It reads file
//! contents at old revisions to show field changes; record pages are built
//! in parallel and a git handle cannot be shared between threads, so each
//! thread opens its own, once.

use super::context::Cx;
use super::reads;
use super::views::{Cell, SignatureView, TimelineEntry};
use crate::Lookup;
use crate::fingerprint::Fingerprint;
use crate::history::{
    Change, Covers, History, Objects, Proof, ProofStatus, Revised, Shown, revisions_changed,
};
use crate::model::{Language, Person};
use rayon::prelude::*;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;

thread_local! {
    /// This thread's git handle, and the repository it is for.
    static OBJECTS: RefCell<Option<(PathBuf, Objects)>> = const { RefCell::new(None) };
}

/// Close every thread's git handle. Once the record pages are written
/// nothing reads git again, and a handle keeps its packs mapped (their
/// index whole, and the windows last read) to the end of the build.
pub fn close_git_handles() {
    rayon::broadcast(|_| OBJECTS.with(|o| o.borrow_mut().take()));
    OBJECTS.with(|o| o.borrow_mut().take());
}

/// How a person in people.toml is named as a commit's author.
fn named(p: &Person) -> String {
    format!("{} ({})", p.name.value, p.id.value)
}

/// How many commits the recent-changes page and the feed show.
pub const RECENT: usize = 50;

pub struct Trail<'h> {
    history: &'h History,
    proofs: crate::Lookup<(&'h str, &'h str), &'h Proof>,
    /// The newest commits' index -> (file path, how it changed), for
    /// recent changes.
    touched: BTreeMap<usize, Vec<(&'h str, &'h Change)>>,
    /// The person in people.toml who made each commit (by index), by
    /// position in the people, with how the timeline names them as a
    /// value ([`reads::value_of`]): what a timeline shows of people.toml,
    /// found and fingerprinted by the one lookup. Looked up once per
    /// commit, the commits read in order, rather than once per revision
    /// on every page, each a jump to a commit and on to its email (a
    /// rebuild at 50,000 orders fingerprints every page's timeline).
    authors: Vec<Option<(usize, u64)>>,
    /// Every file's history by path, hashed: each record page looks its
    /// file up to fingerprint its timeline, and the history's ordered
    /// map compares a path with some seventeen others to find one of a
    /// hundred thousand.
    files: Lookup<&'h str, &'h crate::history::FileHistory>,
}

/// One commit on the recent-changes page and in the feed.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeEntry {
    pub commit: String,
    pub anchor: String,
    pub author: String,
    /// In the company's time zone, for people.
    pub time: String,
    /// RFC 3339 in UTC, for the feed.
    pub updated: String,
    pub summary: String,
    pub signature: String,
    pub records: Vec<Cell>,
}

impl<'h> Trail<'h> {
    pub fn new(history: &'h History, people: &[Person]) -> Trail<'h> {
        let proofs = history
            .proofs
            .sections
            .iter()
            .map(|p| ((p.file.as_str(), p.section.as_str()), p))
            .collect();
        // Only the newest commits are shown (recent changes, the feed):
        // pick them first, then gather their files, rather than index
        // every revision of a long history by commit.
        let mut any = vec![false; history.commits.len()];
        for r in history.files.values().flat_map(|f| &f.revisions) {
            any[r.commit] = true;
        }
        let mut newest: Vec<usize> = (0..any.len()).filter(|&c| any[c]).collect();
        newest.sort_by_key(|&c| (std::cmp::Reverse(history.commits[c].author.time), c));
        newest.truncate(RECENT);
        let mut touched: BTreeMap<usize, Vec<(&str, &Change)>> =
            newest.into_iter().map(|c| (c, Vec::new())).collect();
        for f in history.files.values() {
            for r in &f.revisions {
                if let Some(files) = touched.get_mut(&r.commit) {
                    files.push((r.path.as_str(), &r.change));
                }
            }
        }
        for files in touched.values_mut() {
            files.sort_by(|a, b| a.0.cmp(b.0));
        }
        // The first person with an email is its author, as
        // `person_by_email` finds them.
        let mut authors: Lookup<String, (usize, u64)> = Lookup::default();
        for (i, p) in people.iter().enumerate() {
            for email in &p.emails {
                authors
                    .entry(email.to_ascii_lowercase())
                    .or_insert_with(|| (i, reads::value_of(&named(p))));
            }
        }
        let authors = history
            .commits
            .par_iter()
            .map(|c| {
                let email = &c.author.email;
                let found = if email.bytes().any(|b| b.is_ascii_uppercase()) {
                    authors.get(&email.to_ascii_lowercase())
                } else {
                    authors.get(email.as_str())
                };
                found.copied()
            })
            .collect();
        let files = history
            .files
            .iter()
            .map(|(path, f)| (path.as_str(), f))
            .collect();
        Trail {
            history,
            proofs,
            touched,
            authors,
            files,
        }
    }

    /// Published commits no longer in the history (`history-rewritten`).
    pub fn rewrites(&self) -> &'h [crate::history::Rewrite] {
        &self.history.rewrites
    }

    /// Whether there is any history to show.
    pub fn available(&self) -> bool {
        self.history.unavailable.is_none()
    }

    fn short(&self, commit: usize) -> String {
        self.history.commits[commit].short().to_string()
    }

    /// Who made a commit: the person in people.toml with that email, else
    /// what git says.
    fn author(&self, cx: &Cx, commit: usize) -> String {
        let a = &self.history.commits[commit].author;
        match self.author_of(commit) {
            Some((i, _)) => named(&cx.model.people[i]),
            None => format!("{} <{}>", a.name, a.email),
        }
    }

    /// The value of how commit `c`'s author is named ([`Trail::author`]):
    /// 0 for an author not in people.toml, whom the commit itself names.
    fn author_value(&self, c: usize) -> u64 {
        self.author_of(c).map_or(0, |(_, value)| value)
    }

    /// Commit `c`'s author in people.toml, and how the timeline names
    /// them as a value.
    fn author_of(&self, c: usize) -> Option<(usize, u64)> {
        self.authors.get(c).copied().flatten()
    }

    /// Fill in what the history proves about the signature `view` shows
    /// (its section of `file`): the signature commit, its time, the proof
    /// in words and its state. Without a proof the view stays as it is
    /// ("not verified").
    pub fn prove(&self, cx: &Cx, file: &str, view: &mut SignatureView) {
        let Some(p) = self.proofs.get(&(file, view.section.as_str())) else {
            return;
        };
        let offset = cx.model.config.company.offset_seconds;
        view.commit = p.commit.map(|c| self.short(c));
        // The signing time is the commit's committer time (when it was
        // made), not its author time, which a committer may set at will.
        view.time = p
            .commit
            .map(|c| self.history.commits[c].committer.display_at(offset));
        view.proof = signature_words(p, cx.lang, |k| cx.t(k), |c| self.short(c));
        view.state = p.shown().as_str().into();
        view.covers = Some(self.covers_words(cx, p));
        view.blob = p.blob.clone();
        view.sha256 = p.sha256.clone();
        if let Some(shown) = p
            .commit
            .and_then(|c| super::stamps::trusted_time(|k| cx.t(k), self.history, c, offset))
        {
            view.timestamp = Some(shown.words);
            view.timestamp_state = Some(shown.state.into());
        }
    }

    /// "covers current version" or "stale since <commit>: <fields>".
    fn covers_words(&self, cx: &Cx, p: &Proof) -> String {
        match &p.covers {
            Covers::Current => cx.t("covers_current"),
            Covers::Stale { since, fields } => format!(
                "{}: {}",
                stale_since(|k| cx.t(k), |c| self.short(c), *since),
                fields_in(fields, cx.lang)
            ),
        }
    }

    /// How the signature of `section` of `file` is shown in a list (the
    /// people page): its state in a word, or "stale since <commit>:
    /// <fields>", and the state's name for styling.
    pub fn state_words(
        &self,
        cx: &Cx,
        file: &str,
        section: &str,
    ) -> Option<(String, &'static str)> {
        let p = self.proofs.get(&(file, section))?;
        let shown = p.shown();
        let words = match shown {
            Shown::Proven => cx.t("proof_proven"),
            Shown::Stale => self.covers_words(cx, p),
            Shown::Unverified => cx.t("not_verified"),
            Shown::Unproven => cx.t("unproven"),
            Shown::Broken => cx.t("broken"),
        };
        Some((words, shown.as_str()))
    }

    /// Run `f` with this thread's git handle (opened on first use);
    /// `None` without history.
    fn with_objects<T>(&self, f: impl FnOnce(&Objects) -> T) -> crate::Result<Option<T>> {
        if !self.available() {
            return Ok(None);
        }
        OBJECTS.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot
                .as_ref()
                .is_none_or(|(dir, _)| *dir != self.history.git_dir)
            {
                *slot = Some((self.history.git_dir.clone(), self.history.objects()?));
            }
            Ok(slot.as_ref().map(|(_, o)| f(o)))
        })
    }

    /// What each revision of `f` did, newest first: as the proofs kept it
    /// when they read the file (taken: one page shows it), else read here
    /// (an object that cannot be read fails the build).
    fn revised(&self, cx: &Cx, f: &crate::history::FileHistory) -> crate::Result<Vec<Revised>> {
        if let Some(kept) = self.history.revised.take(&f.path)
            && kept.len() == f.revisions.len()
        {
            return Ok(kept);
        }
        let states = self
            .with_objects(|o| o.states(f))?
            .transpose()?
            .unwrap_or_default();
        Ok(revisions_changed(&states, cx.lang))
    }

    /// How commit `c` is signed, in a short phrase.
    fn signature(&self, c: usize, lang: Language) -> String {
        self.with_objects(|o| {
            self.history
                .signature(o, c)
                .described()
                .get(lang)
                .to_string()
        })
        .ok()
        .flatten()
        .unwrap_or_default()
    }

    /// A hash of what the timeline of `file` is made of: its revisions,
    /// and how people.toml names their authors (a commit's signature is
    /// judged by the policy in force for it, which later commits never
    /// change).
    pub fn timeline_inputs(&self, file: &str) -> u64 {
        let mut fp = Fingerprint::new(1);
        let f = self.files.get(file);
        fp.u64(f.map_or(0, |f| self.history.revisions_key_of(f)));
        for rev in f.map_or(&[][..], |f| &f.revisions) {
            fp.u64(self.author_value(rev.commit));
        }
        fp.finish()
    }

    /// Every commit that touched `file`, newest first, with its changes;
    /// `None` for a file without history.
    pub fn timeline(&self, cx: &Cx, file: &str) -> crate::Result<Option<Vec<TimelineEntry>>> {
        let Some(f) = self.files.get(file).copied() else {
            return Ok(None);
        };
        let mut revised = self.revised(cx, f)?.into_iter();
        let offset = cx.model.config.company.offset_seconds;
        let entries = f
            .revisions
            .iter()
            .map(|rev| {
                let commit = self.history.commit(rev);
                let mut changes: Vec<String> = match &rev.change {
                    Change::Moved(from) => vec![format!("{} {from}", cx.t("moved_from"))],
                    Change::Deleted => vec![cx.value("deleted")],
                    _ => Vec::new(),
                };
                let problem = match revised.next() {
                    Some(Revised::Unreadable(why)) => Some(why.into_string()),
                    Some(Revised::Changes(lines)) => {
                        changes.extend(lines.into_iter().map(String::from));
                        None
                    }
                    None => None,
                };
                TimelineEntry {
                    commit: commit.short().to_string(),
                    author: self.author(cx, rev.commit),
                    time: commit.author.display_at(offset),
                    signature: self.signature(rev.commit, cx.lang),
                    changes,
                    problem,
                }
            })
            .collect();
        Ok(Some(entries))
    }

    /// The newest commits that touched the records, for the changes page
    /// and the feed.
    pub fn recent(&self, cx: &Cx) -> Vec<ChangeEntry> {
        let offset = cx.model.config.company.offset_seconds;
        let mut commits: Vec<usize> = self.touched.keys().copied().collect();
        // Newest first by time; the index keeps equal times in a fixed order.
        commits.sort_by_key(|&c| (std::cmp::Reverse(self.history.commits[c].author.time), c));
        commits
            .into_iter()
            .take(RECENT)
            .map(|c| {
                let commit = &self.history.commits[c];
                let records = self.touched[&c]
                    .iter()
                    .map(|(path, change)| {
                        let stem = crate::load::stem(path);
                        let deleted = matches!(change, Change::Deleted);
                        let text = if deleted {
                            format!("{stem} ({})", cx.value("deleted"))
                        } else {
                            stem.to_string()
                        };
                        let href = if deleted {
                            None
                        } else {
                            cx.links.get(stem).cloned()
                        };
                        Cell::link(text, href)
                    })
                    .collect();
                ChangeEntry {
                    commit: commit.short().to_string(),
                    anchor: format!("commit-{}", commit.short()),
                    author: self.author(cx, c),
                    time: commit.author.display_at(offset),
                    updated: jiff::Timestamp::from_second(commit.author.time)
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    summary: commit.summary.clone(),
                    // The fingerprint is on the record's timeline; a list
                    // of commits only needs who signed.
                    signature: short_signature(&self.signature(c, cx.lang)),
                    records,
                }
            })
            .collect()
    }
}

fn short_signature(described: &str) -> String {
    let end = [" (", "（"]
        .iter()
        .filter_map(|sep| described.find(sep))
        .min()
        .unwrap_or(described.len());
    described[..end].to_string()
}

/// A signature in words: its proof status, and, when it no longer
/// covers the record, "stale since <commit>: <fields>" first, so a stale
/// approval never reads as plainly proven.
pub fn signature_words(
    proof: &Proof,
    lang: Language,
    t: impl Fn(&str) -> String,
    short: impl Fn(usize) -> String,
) -> String {
    let words = proof_words(&proof.status, lang, &t, &short);
    match (&proof.covers, proof.shown()) {
        (Covers::Stale { since, fields }, Shown::Stale) => {
            format!(
                "{}: {} ({words})",
                stale_since(&t, &short, *since),
                fields_in(fields, lang)
            )
        }
        _ => words,
    }
}

/// ": " in English, "：" in Chinese.
fn colon(lang: Language) -> &'static str {
    match lang {
        Language::ZhHant => "：",
        Language::En => ": ",
    }
}

/// Field paths a stale signature no longer covers, as the language names
/// them.
pub(crate) fn fields_in(fields: &[String], lang: Language) -> String {
    match lang {
        Language::ZhHant => fields
            .iter()
            .map(|f| crate::lexicon::path(f))
            .collect::<Vec<_>>()
            .join("、"),
        Language::En => fields.join(", "),
    }
}

/// "stale since 1a2b3c4d5e", or "stale since the working tree".
pub fn stale_since(
    t: impl Fn(&str) -> String,
    short: impl Fn(usize) -> String,
    since: Option<usize>,
) -> String {
    let at = since.map_or_else(|| t("working_tree"), short);
    format!("{} {at}", t("stale_since"))
}

/// A proof status in words, each word a site label looked up with `t`, so
/// the site in every language and `docket log` say it alike; `short` names
/// a commit by its index.
pub fn proof_words(
    status: &ProofStatus,
    lang: Language,
    t: impl Fn(&str) -> String,
    short: impl Fn(usize) -> String,
) -> String {
    let (t, short) = (&t, &short);
    match status {
        ProofStatus::Proven(how) => {
            format!("{}{}{}", t("proof_proven"), colon(lang), how.get(lang))
        }
        ProofStatus::Recorded => t("proof_recorded"),
        ProofStatus::Uncommitted => t("proof_uncommitted"),
        ProofStatus::Unproven(why) => format!("{}{}{}", t("unproven"), colon(lang), why.get(lang)),
        ProofStatus::Broken { signed, changed_by } => format!(
            "{}: {} {changed_by} ({})",
            t("broken"),
            t("changed_by"),
            short(*signed)
        ),
    }
}
