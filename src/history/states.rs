//! A file's states, oldest first: each committed revision parsed, and
//! last the working tree when it differs from `HEAD`.
//!
//! Proving a signature and dating a review both ask the same question of
//! them: going back from one state, how far does a section keep the value
//! it has now? That walk is [`States::first_with`], written once.

use super::fields::section;
use crate::load::{Table, Value};

/// The states of a file, oldest first: (commit index, parsed table) for
/// each committed revision, then `(None, _)` for the working tree if it
/// differs. A table is `None` where the file was deleted or unparsable.
#[derive(Default)]
pub struct States {
    pub list: Vec<(Option<usize>, Option<Table>)>,
    /// Whether the last state is the uncommitted working tree.
    pub dirty: bool,
}

impl States {
    /// How many of the states are committed (the working tree excluded).
    pub fn committed(&self) -> usize {
        if self.dirty {
            self.list.len() - 1
        } else {
            self.list.len()
        }
    }

    /// The section at `path` (`review`, `extra_review[1]`) in state `k`.
    pub fn section(&self, k: usize, path: &str) -> Option<&Value> {
        self.list[k].1.as_ref().and_then(|t| section(t, path))
    }

    /// The oldest state, going back from state `from`, from which the
    /// section at `path` has been `value` without a break: where that
    /// content was first written. State `from` itself is not compared.
    pub fn first_with(&self, from: usize, path: &str, value: Option<&Value>) -> usize {
        let mut s = from;
        while s > 0 && same(self.section(s - 1, path), value) {
            s -= 1;
        }
        s
    }
}

/// Equality of two optional values, spans ignored.
pub fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.same(b),
        (None, None) => true,
        _ => false,
    }
}
