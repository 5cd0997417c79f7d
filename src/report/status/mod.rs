//! The status figures: what the general manager asks on Monday morning.
//!
//! [`status`] computes them once from the model and the check report, and
//! both the site's dashboard and `docket status` show the same numbers, so
//! the terminal and the intranet never disagree. Everything is derived
//! from the records and the as-of date, never from the clock, and every
//! list is in a fixed order (by id, or by date then id), so the JSON and
//! the site are byte-identical for the same inputs.

use super::CheckReport;
use crate::finding::RuleId;
use crate::history::History;
use crate::model::{CapaSource, Department, Model, OrderStatus, Record, Stage, days_between};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

mod text;
mod waiting;

pub use waiting::{ReReview, Waiting, re_reviews};

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub as_of: Date,
    pub orders: Orders,
    pub capa: Capas,
    pub surveys: Surveys,
    pub property: PropertyStatus,
    pub signatures: Signatures,
    pub findings: FindingCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct Orders {
    pub total: usize,
    /// Every status, in lifecycle order, with its count (zeros included,
    /// so a table of them always has the same rows).
    pub by_status: Vec<Count<OrderStatus>>,
    pub awaiting_review: Vec<Waiting>,
    pub overdue: Vec<Late>,
    pub at_risk: Vec<AtRisk>,
    pub turnaround: Turnaround,
    /// Orders received per month, the last twelve months up to as-of.
    pub per_month: Vec<Count<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Count<K> {
    pub key: K,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Late {
    pub order: String,
    pub customer: String,
    pub part_number: String,
    pub delivery: Date,
    pub days_late: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AtRisk {
    pub order: String,
    pub date: Date,
    pub note: Option<String>,
    pub action: Option<String>,
}

/// Days from receipt to the GM's review, over every reviewed order.
#[derive(Debug, Clone, Serialize)]
pub struct Turnaround {
    pub reviewed: usize,
    pub mean_days: Option<f64>,
    pub max_days: Option<i64>,
    pub within_policy: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Capas {
    pub total: usize,
    /// Open CAPAs per current stage (closed excluded), with the mean and
    /// the longest age in days since opening.
    pub open_by_stage: Vec<StageAge>,
    pub open: Vec<OpenCapa>,
    pub stalled: Vec<String>,
    pub closed_per_month: Vec<Count<String>>,
    pub by_department: Vec<OpenTotal<Department>>,
    pub by_source: Vec<OpenTotal<CapaSource>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageAge {
    pub stage: Stage,
    pub count: usize,
    pub mean_age_days: Option<f64>,
    pub max_age_days: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenCapa {
    pub id: String,
    pub stage: Stage,
    pub age_days: i64,
    /// Days in the current stage.
    pub stage_days: i64,
    pub department: Department,
    pub source: CapaSource,
    pub customer: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenTotal<K> {
    pub key: K,
    pub open: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Surveys {
    pub target: u32,
    pub coverage: Vec<Coverage>,
    pub per_question: Vec<QuestionScore>,
    pub per_year: Vec<YearScore>,
    pub under_target: Vec<UnderTarget>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub year: i64,
    pub surveyed: usize,
    pub active: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionScore {
    pub question: String,
    /// Mean answer, 1..5.
    pub mean: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct YearScore {
    pub year: i64,
    pub returned: usize,
    /// Mean overall score, 0..100.
    pub mean: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnderTarget {
    pub survey: String,
    pub customer: String,
    pub year: i64,
    pub score: f64,
    pub analysed: bool,
    pub capa: Option<String>,
    /// The follow-up CAPA's stage, when it exists.
    pub capa_stage: Option<Stage>,
    pub feedback: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PropertyStatus {
    pub held: usize,
    pub returned: usize,
    pub unverified: usize,
    pub incidents: Vec<IncidentRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentRow {
    pub property: String,
    pub customer: String,
    pub date: Date,
    pub kind: String,
    pub reported: Option<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Signatures {
    pub signed_sections: usize,
    pub unproven: usize,
    pub broken: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingCounts {
    pub errors: usize,
    pub warnings: usize,
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (n, sum) = values.fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
    // Rounded to one decimal so the JSON does not carry float noise.
    (n > 0).then(|| (sum / n as f64 * 10.0).round() / 10.0)
}

/// "2026-03" for a date.
fn month(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The twelve months ending with the as-of month, oldest first.
fn last_months(as_of: Date) -> Vec<String> {
    let (mut y, mut m) = (as_of.year() as i32, as_of.month() as i32);
    let mut out = Vec::with_capacity(12);
    for _ in 0..12 {
        out.push(format!("{y:04}-{m:02}"));
        m -= 1;
        if m == 0 {
            m = 12;
            y -= 1;
        }
    }
    out.reverse();
    out
}

fn per_month(as_of: Date, dates: impl Iterator<Item = Date>) -> Vec<Count<String>> {
    let mut counts: BTreeMap<String, usize> =
        last_months(as_of).into_iter().map(|m| (m, 0)).collect();
    for d in dates {
        if let Some(c) = counts.get_mut(&month(d)) {
            *c += 1;
        }
    }
    counts
        .into_iter()
        .map(|(key, count)| Count { key, count })
        .collect()
}

/// Compute every figure of the dashboard; `history` (its proofs) tells
/// which approved orders wait for a re-review.
pub fn status(model: &Model, report: &CheckReport, history: Option<&History>) -> Status {
    let as_of = report.as_of;
    let count_rule = |rule: RuleId| {
        report
            .findings
            .iter()
            .filter(|r| r.finding.rule == rule)
            .count()
    };
    Status {
        as_of,
        orders: orders(model, as_of, &re_reviews(model, history, as_of)),
        capa: capas(model, as_of),
        surveys: surveys(model, as_of),
        property: property(model),
        signatures: Signatures {
            signed_sections: model.signed_sections().len(),
            unproven: count_rule(RuleId::SignatureUnproven),
            broken: count_rule(RuleId::SignatureBroken),
        },
        findings: FindingCounts {
            errors: report.errors(),
            warnings: report.warnings(),
        },
    }
}

fn orders(model: &Model, as_of: Date, re: &BTreeMap<String, ReReview>) -> Orders {
    let policy_days = i64::from(model.config.policy.review_within_days);
    let mut by: BTreeMap<OrderStatus, usize> = OrderStatus::ALL.iter().map(|s| (*s, 0)).collect();
    let (mut awaiting_review, mut overdue, mut at_risk) = (vec![], vec![], vec![]);
    let mut turnaround = Vec::new();
    for o in model.orders.iter() {
        let status = model.order_status(o);
        *by.entry(status).or_default() += 1;
        if status == OrderStatus::Received && o.review.is_none() {
            let days = days_between(*o.received, as_of);
            awaiting_review.push(Waiting {
                order: o.id().to_string(),
                customer: o.customer.value.clone(),
                received: *o.received,
                days,
                late: days > policy_days,
                re_review: None,
            });
        }
        if let Some(r) = re.get(o.id()) {
            let days = days_between(r.changed, as_of);
            awaiting_review.push(Waiting {
                order: o.id().to_string(),
                customer: o.customer.value.clone(),
                received: *o.received,
                days,
                late: days > policy_days,
                re_review: Some(r.clone()),
            });
        }
        if let Some(r) = &o.review {
            // Measured as the review-missing rule does: a re-review after a
            // change from the change.
            turnaround.push(days_between(o.review_clock(*r.sign.date).0, *r.sign.date));
        }
        for line in model.overdue_lines(o, as_of) {
            overdue.push(Late {
                order: o.id().to_string(),
                customer: o.customer.value.clone(),
                part_number: line.part_number.value.clone(),
                delivery: *line.delivery,
                days_late: days_between(*line.delivery, as_of),
            });
        }
        let open = status.is_open();
        // Only the latest follow-up tells whether the order is still at risk.
        if let Some(f) = o
            .followup
            .iter()
            .max_by_key(|f| *f.date)
            .filter(|f| open && f.risk)
        {
            at_risk.push(AtRisk {
                order: o.id().to_string(),
                date: *f.date,
                note: f.note.as_ref().map(|n| n.value.clone()),
                action: f.action.as_ref().map(|a| a.value.clone()),
            });
        }
    }
    awaiting_review.sort_by(|a, b| b.days.cmp(&a.days).then_with(|| a.order.cmp(&b.order)));
    overdue.sort_by(|a, b| {
        b.days_late
            .cmp(&a.days_late)
            .then_with(|| a.order.cmp(&b.order))
    });
    Orders {
        total: model.orders.len(),
        by_status: OrderStatus::ALL
            .iter()
            .map(|s| Count {
                key: *s,
                count: by[s],
            })
            .collect(),
        awaiting_review,
        overdue,
        at_risk,
        turnaround: Turnaround {
            reviewed: turnaround.len(),
            mean_days: mean(turnaround.iter().map(|d| *d as f64)),
            max_days: turnaround.iter().copied().max(),
            within_policy: turnaround.iter().filter(|d| **d <= policy_days).count(),
        },
        per_month: per_month(as_of, model.orders.iter().map(|o| *o.received)),
    }
}

fn capas(model: &Model, as_of: Date) -> Capas {
    let stall_days = i64::from(model.config.policy.capa_stage_days);
    let mut open = Vec::new();
    let mut by_department: BTreeMap<Department, (usize, usize)> = BTreeMap::new();
    let mut by_source: BTreeMap<CapaSource, (usize, usize)> = BTreeMap::new();
    for c in model.capa.iter() {
        let stage = c.stage();
        let is_open = stage != Stage::Closed;
        for e in [
            by_department.entry(*c.responsible_department).or_default(),
            by_source.entry(*c.source).or_default(),
        ] {
            e.1 += 1;
            if is_open {
                e.0 += 1;
            }
        }
        if is_open {
            let since = c.stage_dates().last().map_or(*c.opened, |(_, d)| **d);
            open.push(OpenCapa {
                id: c.id().to_string(),
                stage,
                age_days: days_between(*c.opened, as_of),
                stage_days: days_between(since, as_of),
                department: *c.responsible_department,
                source: *c.source,
                customer: c.customer.as_ref().map(|x| x.value.clone()),
            });
        }
    }
    let open_by_stage = Stage::ALL
        .iter()
        .filter(|s| **s != Stage::Closed)
        .map(|s| {
            let ages: Vec<i64> = open
                .iter()
                .filter(|c| c.stage == *s)
                .map(|c| c.age_days)
                .collect();
            StageAge {
                stage: *s,
                count: ages.len(),
                mean_age_days: mean(ages.iter().map(|a| *a as f64)),
                max_age_days: ages.iter().copied().max(),
            }
        })
        .collect();
    let stalled = open
        .iter()
        .filter(|c| c.stage_days > stall_days)
        .map(|c| c.id.clone())
        .collect();
    Capas {
        total: model.capa.len(),
        open_by_stage,
        open,
        stalled,
        closed_per_month: per_month(
            as_of,
            model
                .capa
                .iter()
                .filter_map(|c| c.closed.as_ref().map(|d| *d.date)),
        ),
        by_department: by_department
            .into_iter()
            .map(|(key, (open, total))| OpenTotal { key, open, total })
            .collect(),
        by_source: by_source
            .into_iter()
            .map(|(key, (open, total))| OpenTotal { key, open, total })
            .collect(),
    }
}

fn surveys(model: &Model, as_of: Date) -> Surveys {
    let target = model.config.policy.survey_target;
    let mut years: BTreeSet<i64> = model.surveys.iter().map(|s| *s.year).collect();
    years.insert(i64::from(as_of.year()));
    let coverage = years
        .iter()
        .map(|&year| {
            // A customer counts as active in a year if it is active now and
            // was a customer by the end of that year.
            let active: BTreeSet<&str> = model
                .customers
                .iter()
                .filter(|c| {
                    *c.active && c.since.as_ref().is_none_or(|d| i64::from(d.year()) <= year)
                })
                .map(|c| c.id())
                .collect();
            let surveyed: BTreeSet<&str> = model
                .surveys
                .iter()
                .filter(|s| *s.year == year && active.contains(s.customer.as_str()))
                .map(|s| s.customer.as_str())
                .collect();
            Coverage {
                year,
                surveyed: surveyed.len(),
                active: active.len(),
            }
        })
        .collect();
    let per_question = model
        .config
        .policy
        .survey_questions
        .iter()
        .map(|q| QuestionScore {
            question: q.clone(),
            mean: mean(
                model
                    .surveys
                    .iter()
                    .filter_map(|s| s.scores.get(q))
                    .map(|v| v.value as f64),
            ),
        })
        .collect();
    let per_year = years
        .iter()
        .map(|&year| {
            let scores: Vec<f64> = model
                .surveys
                .iter()
                .filter(|s| *s.year == year)
                .filter_map(|s| s.overall())
                .collect();
            YearScore {
                year,
                returned: scores.len(),
                mean: mean(scores.into_iter()),
            }
        })
        .collect();
    let under_target = model
        .surveys
        .iter()
        .filter_map(|s| {
            let score = s.overall().filter(|v| *v < f64::from(target))?;
            let capa = s
                .analysis
                .as_ref()
                .and_then(|a| a.capa.as_ref())
                .map(|c| c.value.clone());
            Some(UnderTarget {
                survey: s.id().to_string(),
                customer: s.customer.value.clone(),
                year: *s.year,
                score,
                analysed: s.analysis.is_some(),
                capa_stage: capa
                    .as_deref()
                    .and_then(|c| model.capa.get(c))
                    .map(|c| c.stage()),
                capa,
                feedback: s.feedback.is_some(),
            })
        })
        .collect();
    Surveys {
        target,
        coverage,
        per_question,
        per_year,
        under_target,
    }
}

fn property(model: &Model) -> PropertyStatus {
    let mut incidents = Vec::new();
    for p in model.property.iter() {
        for i in &p.incidents {
            incidents.push(IncidentRow {
                property: p.id().to_string(),
                customer: p.customer.value.clone(),
                date: *i.date,
                kind: i.kind.as_str().to_string(),
                reported: i.reported_to_customer.as_ref().map(|d| **d),
            });
        }
    }
    incidents.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| a.property.cmp(&b.property))
    });
    PropertyStatus {
        held: model
            .property
            .iter()
            .filter(|p| p.returned.is_none())
            .count(),
        returned: model
            .property
            .iter()
            .filter(|p| p.returned.is_some())
            .count(),
        unverified: model
            .property
            .iter()
            .filter(|p| p.verified.is_none())
            .count(),
        incidents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_wrap_the_year() {
        let m = last_months(Date::new(2026, 2, 10).unwrap());
        assert_eq!(m.len(), 12);
        assert_eq!(m[0], "2025-03");
        assert_eq!(m[11], "2026-02");
    }

    #[test]
    fn mean_rounds_to_one_decimal() {
        assert_eq!(mean([1.0, 2.0, 2.0].into_iter()), Some(1.7));
        assert_eq!(mean(std::iter::empty()), None);
    }
}
