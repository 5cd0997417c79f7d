//! Satisfaction survey rules (4.6).

use super::context::{Context, Sink};
use crate::model::{Record, days_between};
use crate::msg;
use std::collections::HashSet;

/// Days after the analysis by which the customer should have the results.
const FEEDBACK_DAYS: i64 = 30;

/// `survey-missing` (4.6.1): every active customer gets a survey each
/// year. A year is owed once its due day (`policy.survey_due`) has passed,
/// for customers who were customers by then (`since`). Without `since`,
/// the first year owed is the earliest survey year in the repository.
pub fn survey_missing(cx: &Context, out: &mut Sink) {
    let m = cx.model;
    let surveyed: HashSet<(&str, i64)> = m
        .surveys
        .iter()
        .map(|s| (s.customer.as_str(), *s.year))
        .collect();
    let earliest = m
        .surveys
        .iter()
        .map(|s| *s.year)
        .min()
        .unwrap_or(i64::from(cx.as_of.year()));
    for c in m.customers.iter().filter(|c| *c.active) {
        let first = c.since.as_ref().map_or(earliest, |d| i64::from(d.year()));
        for year in first..=i64::from(cx.as_of.year()) {
            let Ok(y) = i16::try_from(year) else { continue };
            let due = m.config.survey_due_in(y);
            let was_customer = c.since.as_ref().is_none_or(|s| s.value <= due);
            if due < cx.as_of && was_customer && !surveyed.contains(&(c.id(), year)) {
                let pos = c.since.as_ref().map_or(c.meta.id.pos, |s| s.pos);
                out.at(
                    c,
                    pos,
                    msg!(
                        "no satisfaction survey for {year} (due {due}); send one with `docket new survey --customer {id}`",
                        "{year} 年度沒有顧客滿意度調查（期限 {due}）；請以 `docket new survey --customer {id}` 寄發";
                        id = c.id()
                    ),
                );
            }
        }
    }
}

/// `survey-below-target` (4.6.3): a returned survey under
/// `policy.survey_target` is analysed and handled through a CAPA.
pub fn survey_below_target(cx: &Context, out: &mut Sink) {
    let target = f64::from(cx.model.config.policy.survey_target);
    for s in cx.model.surveys.iter() {
        let Some(score) = s.overall() else { continue };
        if score >= target {
            continue;
        }
        let handled = s.analysis.as_ref().is_some_and(|a| a.capa.is_some());
        if !handled {
            let pos = s.returned.as_ref().map_or(s.meta.id.pos, |r| r.pos);
            let missing = if s.analysis.is_none() {
                msg!("no [analysis]", "沒有分析 [analysis]")
            } else {
                msg!("no CAPA in [analysis]", "分析 [analysis] 中沒有 CAPA")
            };
            out.at(
                s,
                pos,
                msg!(
                    "overall score {score:.0} is under the target {target:.0}, and there is {en}",
                    "總平均分數 {score:.0} 低於目標 {target:.0}，且{zh}";
                    en = &missing.en,
                    zh = &missing.zh
                ),
            );
        }
    }
}

/// `survey-serious` (4.6.2): a serious problem goes through 4.5, a CAPA.
pub fn survey_serious(cx: &Context, out: &mut Sink) {
    for s in cx.model.surveys.iter() {
        if let Some(a) = &s.analysis
            && a.serious
            && a.capa.is_none()
        {
            out.at(
                s,
                a.sign.pos,
                msg!(
                    "the analysis is marked serious but names no `capa`",
                    "分析判定為嚴重，但沒有指明 CAPA（`capa`）"
                ),
            );
        }
    }
}

/// `survey-feedback-missing` (4.6.2): sales gives the results back to the
/// customer; warn when an analysis is more than 30 days old without it.
pub fn survey_feedback_missing(cx: &Context, out: &mut Sink) {
    for s in cx.model.surveys.iter() {
        let Some(a) = &s.analysis else { continue };
        let analysed = cx.effective_date(s.meta(), "analysis", *a.sign.date);
        let days = days_between(analysed, cx.as_of);
        if s.feedback.is_none() && days > FEEDBACK_DAYS {
            out.at(
                s,
                a.sign.pos,
                msg!(
                    "analysed {analysed} ({ago} ago) and the results have not gone back to the customer",
                    "{analysed} 已分析（{days} 天前），結果尚未回覆客戶";
                    ago = crate::words::count(days, "day")
                ),
            );
        }
    }
}
