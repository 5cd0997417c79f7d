//! An order's substance and how it moved: what the GM approved is the
//! order without its non-substance sections, and a change to it after the
//! review makes the review stale (4.2.2 A) and needs a `[[change]]` entry
//! (4.4).
//!
//! Computed from a file's states (`states.rs`) alongside its proofs
//! (`prove.rs`), cached with them, and judged by the rules `review-stale`
//! and `change-unrecorded`; `docket diff` compares two revisions'
//! substance the same way.

use super::fields::{FieldChange, diff_tables, section, without};
use super::states::{States, same};
use crate::load::{Table, Value};
use crate::model::NON_SUBSTANCE;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A change of an order's substance made after an approved review.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubstanceChange {
    /// The commit that made it (index); `None` for the working tree.
    pub commit: Option<usize>,
    /// The date of the approved review it came after.
    pub review_date: Option<Date>,
    pub changes: Vec<FieldChange>,
}

/// What the history says about one order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OrderHistory {
    /// Substance changes since the current review's signature commit.
    pub stale: Vec<FieldChange>,
    /// The current review's signature commit (index), if committed.
    pub review_commit: Option<usize>,
    /// Every substance change made after an approved review.
    pub after_approval: Vec<SubstanceChange>,
}

/// An order's substance: the order without its non-substance sections
/// ([`NON_SUBSTANCE`]), and without `oral.written_order_received`. The
/// day the customer's written order arrived records an event of the 4.2.3
/// path, as `delivery` does, not something the GM reviewed: recording it
/// must not make the review stale (docs/history.md).
pub fn substance(order: &Table) -> Table {
    let mut t = without(order, NON_SUBSTANCE);
    if let Some((_, node)) = t.get_mut("oral")
        && let Value::Table(oral) = &mut node.value
    {
        oral.remove("written_order_received");
    }
    t
}

fn review_date(t: &Table) -> Option<Date> {
    match section(t, "review")? {
        Value::Table(r) => match &r.get("date")?.1.value {
            Value::Datetime(d) => d.to_string().parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

fn approved(t: &Table) -> bool {
    match section(t, "review") {
        Some(Value::Table(r)) => {
            matches!(r.get("decision").map(|x| &x.1.value), Some(Value::String(s)) if s == "approved")
        }
        _ => false,
    }
}

/// The substance history of an order file from its states.
pub fn order_history(st: &States) -> OrderHistory {
    let mut out = OrderHistory::default();
    let Some((_, Some(now))) = st.list.last() else {
        return out;
    };
    // Stale: substance now against substance at the review's signature commit.
    if let Some(cur) = section(now, "review") {
        // The newest committed state (none for a file never committed).
        if let Some(head) = st.committed().checked_sub(1)
            && same(st.section(head, "review"), Some(cur))
        {
            let s = st.first_with(head, "review", Some(cur));
            if let Some(at) = &st.list[s].1 {
                out.stale = diff_tables(Some(&substance(at)), Some(&substance(now)));
                out.review_commit = st.list[s].0;
            }
        }
    }
    for pair in st.list.windows(2) {
        let ((_, Some(prev)), (commit, Some(next))) = (&pair[0], &pair[1]) else {
            continue;
        };
        if !approved(prev) {
            continue;
        }
        let changes = diff_tables(Some(&substance(prev)), Some(&substance(next)));
        if !changes.is_empty() {
            out.after_approval.push(SubstanceChange {
                commit: *commit,
                review_date: review_date(prev),
                changes,
            });
        }
    }
    out
}
