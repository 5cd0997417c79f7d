//! `data.json`: the whole model, the derived figures and the findings,
//! for other tools, with what the build itself was made from. It is the
//! largest file of a site by far, so it is streamed, never held whole.

use crate::model::{Model, Record};
use crate::report::CheckReport;
use crate::report::status::Status;
use serde::Serialize;
use std::collections::BTreeMap;

/// What `data.json` says about the build itself: the commit it was built
/// from, whether it used the caches, and the history rewrites it found.
#[derive(Serialize)]
pub struct BuiltFrom<'h> {
    commit: Option<&'h str>,
    caches: bool,
    rewrites: &'h [crate::history::Rewrite],
}

impl<'h> BuiltFrom<'h> {
    pub fn of(history: Option<&'h crate::history::History>) -> BuiltFrom<'h> {
        BuiltFrom {
            commit: history.and_then(|h| h.head.as_deref()),
            caches: history.is_some_and(|h| h.caches),
            rewrites: history.map_or(&[], |h| &h.rewrites),
        }
    }
}

/// The whole model, the derived status and the findings, for other tools.
pub fn data_json(
    model: &Model,
    report: &CheckReport,
    status: &Status,
    built: &BuiltFrom,
    w: &mut impl std::io::Write,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Derived<'a> {
        order_status: BTreeMap<&'a str, &'static str>,
        /// Approved orders whose review no longer covers them (the
        /// status stays one of the lifecycle's; this flag says the GM
        /// must review again).
        awaiting_re_review: BTreeMap<&'a str, bool>,
        capa_stage: BTreeMap<&'a str, &'static str>,
        survey_score: BTreeMap<&'a str, f64>,
    }
    #[derive(Serialize)]
    struct Data<'a> {
        version: u32,
        as_of: String,
        #[serde(flatten)]
        built: &'a BuiltFrom<'a>,
        model: &'a Model,
        derived: Derived<'a>,
        status: &'a Status,
        check: serde_json::Value,
    }
    let again: std::collections::BTreeSet<&str> = status
        .orders
        .awaiting_review
        .iter()
        .filter(|w| w.re_review.is_some())
        .map(|w| w.order.as_str())
        .collect();
    let derived = Derived {
        order_status: model
            .orders
            .iter()
            .map(|o| (o.id(), model.order_status(o).as_str()))
            .collect(),
        awaiting_re_review: model
            .orders
            .iter()
            .map(|o| (o.id(), again.contains(o.id())))
            .collect(),
        capa_stage: model
            .capa
            .iter()
            .map(|c| (c.id(), c.stage().as_str()))
            .collect(),
        survey_score: model
            .surveys
            .iter()
            .filter_map(|s| s.overall().map(|v| (s.id(), v)))
            .collect(),
    };
    let check = serde_json::from_str(&report.to_json()).unwrap_or(serde_json::Value::Null);
    let data = Data {
        version: 1,
        as_of: report.as_of.to_string(),
        built,
        model,
        derived,
        status,
        check,
    };
    serde_json::to_writer_pretty(&mut *w, &data)?;
    w.write_all(b"\n")
}
