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

    /// The newest state after `since`, up to `upto`, in which the record
    /// took the identity (`id`, or a product's `part_number`) it has in
    /// `upto`, if that is not the one it had in `since`: a file renamed
    /// and given a new id is another record, and what was signed in the
    /// first is not signed in it. That state's commit is not taken for
    /// the writer of any section it left alone: the one who fixes an id
    /// does not sign what someone else wrote before.
    pub fn identity_taken(&self, since: usize, upto: usize) -> Option<usize> {
        let identity = |k: usize| IDENTITY.map(|key| self.section(k, key));
        let now = identity(upto);
        let alike = |k: usize| identity(k).iter().zip(&now).all(|(a, b)| same(*a, *b));
        (since + 1..=upto).rev().find(|&k| !alike(k - 1))
    }
}

/// The fields that say which record a file is (docs/format.md, "Ids and
/// file names").
const IDENTITY: [&str; 2] = ["id", "part_number"];

/// Equality of two optional values, spans ignored.
pub fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.same(b),
        (None, None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::fields::parse_state;

    fn states(texts: &[&str]) -> States {
        let list = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (Some(i), parse_state("x.toml", t.as_bytes()).into_table()))
            .collect();
        States { list, dirty: false }
    }

    /// A section removed and still absent is "the same" as far back as
    /// it has been absent: the walk stops at the removal, not at once.
    #[test]
    fn an_absent_section_goes_back_to_where_it_was_removed() {
        let s = states(&[
            "id = \"A\"\n[review]\nby = \"w\"\n",
            "id = \"A\"\n",
            "id = \"A\"\nnote = \"x\"\n",
            "id = \"A\"\nnote = \"y\"\n",
        ]);
        assert_eq!(s.first_with(3, "review", None), 1);
        let review = s.section(0, "review");
        assert!(review.is_some());
        assert_eq!(s.first_with(1, "review", review), 0);
        assert_eq!(s.first_with(3, "review", review), 3);
    }
}
