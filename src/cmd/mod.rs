//! The commands, as library functions: each takes its options, runs the
//! stages it needs, and returns the text to print (`check` also an
//! outcome); `main.rs` prints it, turns errors into messages and picks the
//! exit status. [`analyse_history`] is the first half every checking
//! command shares: load, model, history, rules.

pub mod build;
pub mod check;
pub mod ci;
pub mod demo;
pub mod diff;
pub mod export;
pub mod init;
pub mod log;
pub mod new;
pub mod rules;
pub mod schema;
pub mod selftest;
pub mod sign;
pub mod stamp;
pub mod status;

use crate::error::{Error, Result};
use crate::history::{History, Published};
use crate::model::Model;
use crate::report::CheckReport;
use jiff::civil::Date;
use std::path::Path;

/// How a command ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing wrong (exit 0).
    Clean,
    /// The records have errors (exit 1).
    Findings,
}

/// How a checking command reads the records and their history, beyond
/// where they are.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reading<'a> {
    /// "Today" for date rules (`--as-of`).
    pub as_of: Option<Date>,
    /// `--no-cache`: read everything from git, and read and write nothing
    /// in `<git dir>/docket`.
    pub no_cache: bool,
    /// What a published site recorded about the history it was built
    /// from: checked for rewrites (`history-rewritten`).
    pub published: Option<&'a Published>,
    /// The command shows each record's timeline (`build`): the proofs keep
    /// what each revision they read did, so it is not read twice.
    pub timelines: bool,
    /// The command will show the signature of every commit (a build with
    /// no published site to take pages from): the walk verifies them as
    /// it reads the commits, on the core the walk leaves idle, instead of
    /// the record pages verifying each on first sight.
    pub every_signature: bool,
}

/// Load, build and check the records below `root`: the shared first half
/// of `check`, `build` and `status`.
pub fn analyse(root: &Path, as_of: Option<Date>) -> Result<(Model, CheckReport)> {
    let (model, _history, report) = analyse_history(root, as_of)?;
    Ok((model, report))
}

/// [`analyse`], also returning the git history it read (the site's
/// timelines and signature blocks, `log`, `diff`).
pub fn analyse_history(root: &Path, as_of: Option<Date>) -> Result<(Model, History, CheckReport)> {
    analyse_with(
        root,
        &Reading {
            as_of,
            ..Reading::default()
        },
    )
}

/// [`analyse_history`] as `reading` asks.
pub fn analyse_with(root: &Path, reading: &Reading) -> Result<(Model, History, CheckReport)> {
    let ((), model, history, report) = analyse_beside(root, reading, || Ok(()))?;
    Ok((model, history, report))
}

/// What a command does beside the loading of the records
/// ([`analyse_beside`]), and what it says a published site recorded
/// about the history it was built from, for `history-rewritten`.
pub trait Beside: Send {
    fn published(&self) -> Option<Published> {
        None
    }
}

impl Beside for () {}

impl Beside for crate::render::Publisher {
    fn published(&self) -> Option<Published> {
        Some(self.previous_build().published)
    }
}

/// [`analyse_with`], with `beside` run on a thread of its own while the
/// records are read (a build looks into its output folder there, which
/// lists every file of the published site). Its error is the command's,
/// before any of the records': as when it ran first.
pub fn analyse_beside<T: Beside>(
    root: &Path,
    reading: &Reading,
    beside: impl FnOnce() -> Result<T> + Send,
) -> Result<(T, Model, History, CheckReport)> {
    use crate::timing::stage;
    let as_of = reading.as_of;
    // The commits are read from git beside the records when both fit in
    // memory (two stages that share nothing); which records the working
    // tree changed is decided after the records were read, and the
    // proofs after the model is built: data flows one way.
    let walk = |listed, index| {
        stage("history walk", || {
            History::walk(
                root,
                None,
                !reading.no_cache,
                reading.every_signature,
                listed,
                index,
            )
        })
    };
    let walk_beside = !reading.no_cache && crate::history::walk_beside_load(root);
    // Where the walk waits for the records, its first, one-thread part
    // need not.
    let list = || crate::history::list_beside_load(root, !reading.no_cache);
    let keep = (!reading.no_cache)
        .then(|| crate::history::cache_dir(root))
        .flatten();
    let (side, built, walked, listed) = std::thread::scope(|s| {
        let side = s.spawn(beside);
        let walked = walk_beside.then(|| s.spawn(|| walk(None, None)));
        let listing = !walk_beside && crate::history::lists_beside_load(root, !reading.no_cache);
        let listed = listing.then(|| s.spawn(list));
        // With a cached index too big to read beside the records
        // (neither walked nor listed here), git's index is read here:
        // after the records it would be read beside the cached index,
        // and outlast it (at 50,000 orders 0.23-0.29 s of one core,
        // against 0.15 for the cached index).
        let beside_load = !walk_beside && !listing && keep.is_some();
        let indexed = (beside_load && crate::history::keeps_index(root))
            .then(|| s.spawn(|| stage("history index", || crate::history::git_index(root))));
        let built = stage("load", || crate::load::load_keeping(root, keep.as_deref()))
            .map(|loaded| stage("model", || crate::model::read_records(loaded)));
        // The listing of a big history outlasts the records (2.9 s
        // against 2.5 at 50,000 orders): git's index is read while this
        // thread waits for it, not beside the walk, which keeps both
        // cores busy.
        let index = match indexed {
            Some(indexed) => crate::joined(indexed),
            None => listing
                .then(|| stage("history index", || crate::history::git_index(root)))
                .flatten(),
        };
        let listed = listed.and_then(|l| l.join().ok()).flatten();
        (
            crate::joined(side),
            built,
            walked.map(|w| w.join()),
            (listed, index),
        )
    });
    // The records' errors first, as when the walk ran after them; a
    // panic of the walk is raised only where its error would be.
    let side = side?;
    let records = built?;
    // The model's last, one-thread part beside the walk's first (reading
    // the cached index): the records' parsed trees are freed by now, so
    // the index takes the memory they held.
    let ((mut model, findings), walked) = match walked {
        Some(joined) => (stage("model assemble", || records.assemble()), joined),
        None => std::thread::scope(|s| {
            let walking = s.spawn(|| walk(listed.0, listed.1));
            let built = stage("model assemble", || records.assemble());
            (built, walking.join())
        }),
    };
    fail_closed(&findings)?;
    let walked = walked.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let mut history = stage("history working tree", || {
        walked?.worktree(root, Some(&model.sources))
    })?;
    history.keep_revised = reading.timelines;
    let published = side.published();
    if let Some(published) = published.as_ref().or(reading.published) {
        history.rewrites = stage("history rewrites", || {
            crate::history::rewrite::rewrites(&history, published)
        })?;
    }
    let report = judge(&mut model, &mut history, findings, as_of)?;
    Ok((side, model, history, report))
}

/// Judge a model with its history, in the one order every checking
/// command uses: the proofs under the policy in force for each commit,
/// the governed signature policy put in the model's settings, the
/// timestamp tokens of the signing commits, then the rules.
pub fn judge(
    model: &mut Model,
    history: &mut History,
    findings: Vec<crate::finding::Finding>,
    as_of: Option<Date>,
) -> Result<CheckReport> {
    use crate::timing::stage;
    // The verified tokens kept are read beside the proofs, which leave
    // part of a core idle; their seed is known only after them.
    let kept_tokens =
        (history.unavailable.is_none() && history.caches).then(|| history.git_dir.clone());
    let (unsaved, ahead) = std::thread::scope(|s| {
        let ahead =
            kept_tokens.map(|git_dir| s.spawn(move || crate::tsa::cache::Verified::read(&git_dir)));
        let unsaved = stage("history proofs", || crate::history::prove(history, model));
        (unsaved, ahead.map(crate::joined))
    });
    let unsaved = unsaved?;
    // The proofs cache is written beside the stages after the proofs.
    std::thread::scope(|s| {
        s.spawn(|| stage("history proofs save", || unsaved.save()));
        crate::history::apply_governed(&mut model.config, history);
        history.stamps = stage("timestamps", || {
            crate::tsa::stamps::stamps_read(&model.guard, history, &model.config, ahead)
        });
        // A revoked key is judged on the tokens' time once they are known.
        crate::history::judge_revoked_on_trusted_time(
            history,
            model.config.timestamps.policy,
            model.config.company.offset_seconds,
        )?;
        stage("rules", || {
            check_model(model, Some(history), findings, as_of)
        })
    })
}

/// Run the rules on a built model, with or without history.
pub fn check_model(
    model: &Model,
    history: Option<&History>,
    mut findings: Vec<crate::finding::Finding>,
    as_of: Option<Date>,
) -> Result<CheckReport> {
    let as_of = match as_of {
        Some(d) => d,
        None => today(model.config.company.offset_seconds)?,
    };
    let cx = crate::rules::Context::new(model, as_of, history);
    findings.extend(crate::rules::run(&cx));
    Ok(CheckReport::new(
        &model.config,
        findings,
        model.record_count(),
        as_of,
    ))
}

/// Fail closed: a `docket.toml` or `people.toml` that does not read whole
/// (it does not parse, holds an unknown key or value, or people.toml is
/// missing) stops the command with every problem, before anything is
/// judged. A default standing in for a setting docket could not read
/// (`signatures = "SSH"` read as the default) would judge signatures under
/// a policy nobody chose.
pub fn fail_closed(findings: &[crate::finding::Finding]) -> Result<()> {
    let mut config: Vec<crate::finding::Finding> = findings
        .iter()
        .filter(|f| matches!(f.file.as_str(), "docket.toml" | "people.toml"))
        .cloned()
        .collect();
    config.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    if config.is_empty() {
        Ok(())
    } else {
        Err(Error::Config(config))
    }
}

/// "Today": `SOURCE_DATE_EPOCH` if set (reproducible builds), else the
/// clock, as a date in the company's time zone.
pub fn today(offset_seconds: i32) -> Result<Date> {
    let offset = jiff::tz::Offset::from_seconds(offset_seconds).unwrap_or(jiff::tz::Offset::UTC);
    let ts = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => {
            let secs: i64 = s.trim().parse().map_err(|_| {
                Error::Usage(format!(
                    "SOURCE_DATE_EPOCH=\"{s}\" is not a number of seconds since 1970"
                ))
            })?;
            jiff::Timestamp::from_second(secs)
                .map_err(|e| Error::Usage(format!("SOURCE_DATE_EPOCH={s} is out of range: {e}")))?
        }
        Err(_) => jiff::Timestamp::now(),
    };
    Ok(offset.to_datetime(ts).date())
}

/// Parse `--as-of`.
pub fn parse_date(s: &str) -> Result<Date, String> {
    s.parse::<Date>()
        .map_err(|_| format!("\"{s}\" is not a date like 2026-11-26"))
}
