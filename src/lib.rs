//! docket: checks a git repository of quality records against the
//! company procedure and its own history, and renders it as a static site.
//!
//! The stages run in one direction, each a module that takes the results
//! of the ones before it and never reaches back:
//! [`load`] (walk and parse, with spans) -> [`model`] (typed records) ->
//! [`history`] (git read once: revisions, signatures, proofs) ->
//! [`rules`] (findings) -> [`report`] (severities, output formats, status
//! figures) -> [`render`] (the site). [`cmd`] runs them for each command;
//! the `docket` binary parses the command line, prints what a command
//! returns and is the one place that turns an [`Error`] into a message and
//! an exit status. The vocabulary every stage shares sits beside them:
//! [`kind`] (the record kinds, one table), [`finding`] (findings and the
//! rule catalog), [`error`], [`fingerprint`], [`timing`] and [`words`] (counts in
//! docket's own output); [`example`]
//! (the example repository) and [`demo`] (a generated company) serve
//! `init` and `demo`.
//! docs/architecture.md draws the stages and says where new code goes.

mod atomic;
pub mod cmd;
pub mod demo;
pub mod error;
pub mod example;
pub mod finding;
pub mod fingerprint;
pub mod hex;
pub mod history;
pub mod kind;
pub mod lexicon;
pub mod load;
pub mod memory;
pub mod model;
pub mod render;
pub mod report;
pub mod rules;
pub mod selftest;
pub mod timing;
pub mod tsa;
pub mod words;

pub use error::{Error, Result};

/// A map looked up by key and never walked for output, hashed fast
/// (foldhash, seeded afresh by each process) rather than with std's
/// SipHash: the maps of a run are keyed by paths and ids, a hundred
/// thousand of each at 50,000 orders, and SipHash was 2% of a rebuild.
pub type Lookup<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A set of [`Lookup`]'s kind.
pub type LookupSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// Whether the environment variable `name` is set to anything but `0`:
/// how the switches for profiling (`DOCKET_TIMINGS`) and for the test
/// suite's checks of docket itself (`DOCKET_VERIFY_READS`,
/// `DOCKET_VERIFY_ANCHORS`) are read.
pub fn env_flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v != "0")
}

/// What a scoped thread returned; its panic, if it panicked, raised again
/// here, as if the work had run on this thread.
pub(crate) fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
