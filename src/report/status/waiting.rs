//! Orders waiting for the GM: new ones since receipt, and approved ones
//! whose approval no longer covers them since a change (21 CFR 11.70).
//! Whether an approval still covers its order is the history's finding
//! (the review's proof is stale, `history::covers`); here it becomes a
//! line of the dashboard's "Awaiting review", with the days since the
//! change.

use crate::history::{Covers, History};
use crate::model::{Model, Record};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    pub order: String,
    pub customer: String,
    pub received: Date,
    /// Days waiting: since receipt, or, for a re-review, since the change
    /// that made the approval stale.
    pub days: i64,
    /// Past `review_within_days`.
    pub late: bool,
    /// Set when the order was approved and changed since: the GM's
    /// approval no longer covers it (21 CFR 11.70).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub re_review: Option<ReReview>,
}

/// Why an approved order waits for review again.
#[derive(Debug, Clone, Serialize)]
pub struct ReReview {
    /// The first commit that changed what the GM approved; `None`: the
    /// working tree.
    pub since: Option<String>,
    /// That commit's date in the company's time zone (the as-of date for
    /// the working tree).
    pub changed: Date,
    /// The changed fields.
    pub fields: Vec<String>,
}

/// The approved orders whose review no longer covers them (its proof is
/// stale), by order id: when and what changed. Without history, none.
pub fn re_reviews(
    model: &Model,
    history: Option<&History>,
    as_of: Date,
) -> BTreeMap<String, ReReview> {
    let Some(h) = history else {
        return BTreeMap::new();
    };
    let offset = model.config.company.offset_seconds;
    let approved: BTreeMap<&str, &str> = model
        .orders
        .iter()
        .filter(|o| {
            o.review
                .as_ref()
                .is_some_and(|r| r.decision.value.as_str() == "approved")
        })
        .map(|o| (o.meta().file.as_str(), o.id()))
        .collect();
    h.proofs
        .sections
        .iter()
        .filter(|p| p.section == "review")
        .filter_map(|p| {
            let id = approved.get(p.file.as_str())?;
            let Covers::Stale { since, fields } = &p.covers else {
                return None;
            };
            let commit = since.map(|c| &h.commits[c]);
            Some((
                id.to_string(),
                ReReview {
                    since: commit.map(|c| c.id.clone()),
                    changed: commit
                        .and_then(|c| c.committer.date_at(offset))
                        .unwrap_or(as_of),
                    fields: fields.clone(),
                },
            ))
        })
        .collect()
}
