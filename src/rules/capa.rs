//! CAPA rules (4.5.2).

use super::context::{Context, Sink};
use crate::model::{Capa, CapaSource, Record, Role, Stage, days_between};

/// `capa-stage-order` (4.5.2): opened, investigation, verification,
/// confirmation, feedback, closed, each after the one before, dates never
/// going backwards (a signed stage counted from the later of its written
/// date and the day it was signed), and nothing past an ineffective verification (which
/// sends the CAPA back to investigation).
pub fn capa_stage_order(cx: &Context, out: &mut Sink) {
    for c in cx.model.capa.iter() {
        let stages = c.stage_dates();
        let at: Vec<jiff::civil::Date> = stages
            .iter()
            .map(|(s, d)| effective(cx, c, *s, d.value))
            .collect();
        let present: Vec<Stage> = stages.iter().map(|(s, _)| *s).collect();
        for (i, (stage, date)) in stages.iter().enumerate() {
            if let Some(missing) = Stage::ALL
                .iter()
                .take_while(|s| *s != stage)
                .find(|s| !present.contains(s))
            {
                out.at(
                    c,
                    date.pos,
                    format!(
                        "stage {} is recorded but the earlier stage {} is missing",
                        stage.as_str(),
                        missing.as_str()
                    ),
                );
            }
            if let Some(j) = i.checked_sub(1)
                && at[i] < at[j]
            {
                let (prev, prev_date) = &stages[j];
                let signed = if at[j] > prev_date.value {
                    format!(", signed on {} (dated {})", at[j], prev_date.value)
                } else {
                    format!(" on {}", at[j])
                };
                out.at(
                    c,
                    date.pos,
                    format!(
                        "{} is dated {}, before {}{signed}",
                        stage.as_str(),
                        date.value,
                        prev.as_str(),
                    ),
                );
            }
        }
        if let Some(v) = &c.verification
            && !*v.effective
        {
            for (stage, date) in stages.iter().filter(|(s, _)| *s > Stage::Verification) {
                out.at(
                    c,
                    date.pos,
                    format!(
                        "{} follows a verification that found the countermeasure not effective; \
                         the CAPA goes back to investigation",
                        stage.as_str()
                    ),
                );
            }
        }
    }
}

/// When a stage counts from: its date, or for a signed stage the later of
/// its written date and the day it was signed.
fn effective(
    cx: &Context,
    c: &Capa,
    stage: Stage,
    written: jiff::civil::Date,
) -> jiff::civil::Date {
    match stage {
        Stage::Opened | Stage::Closed => written,
        signed => cx.effective_date(c.meta(), signed.as_str(), written),
    }
}

/// `capa-stalled` (4.5.2): an open CAPA sitting in one stage longer than
/// `capa_stage_days`.
pub fn capa_stalled(cx: &Context, out: &mut Sink) {
    let limit = i64::from(cx.model.config.policy.capa_stage_days);
    for c in cx.model.capa.iter() {
        if c.closed.is_some() {
            continue;
        }
        let Some((stage, since)) = c.stage_dates().pop() else {
            continue;
        };
        let from = effective(cx, c, stage, since.value);
        let days = days_between(from, cx.as_of);
        if days > limit {
            out.at(
                c,
                since.pos,
                format!(
                    "in stage {} since {from} ({days} days; limit {limit})",
                    stage.as_str(),
                ),
            );
        }
    }
}

/// `capa-source` (4.5.2, 4.5.4): a CAPA from a survey or usage report links
/// it; a written complaint is a complaint; sales opens CAPAs, and QC may
/// open one for a written complaint.
pub fn capa_source(cx: &Context, out: &mut Sink) {
    for c in cx.model.capa.iter() {
        match *c.source {
            CapaSource::Survey if c.survey.is_none() => out.at(
                c,
                c.source.pos,
                "source is survey, but `survey` does not name it",
            ),
            CapaSource::UsageReport if c.report.is_none() => out.at(
                c,
                c.source.pos,
                "source is usage-report, but `report` does not name it",
            ),
            _ => {}
        }
        if c.written_complaint && *c.source != CapaSource::Complaint {
            out.at(
                c,
                c.source.pos,
                format!(
                    "a written complaint must have source = \"complaint\", not \"{}\"",
                    c.source.value
                ),
            );
        }
        if let Some(p) = cx.model.person(&c.opened_by) {
            let may_open = p.has_role(Role::Sales) || (c.written_complaint && p.has_role(Role::Qc));
            if !may_open {
                let who = if c.written_complaint {
                    "sales or QC"
                } else {
                    "sales"
                };
                out.at(
                    c,
                    c.opened_by.pos,
                    format!(
                        "opened by {}, but CAPAs are opened by {who} and handed to QC",
                        p.id.value
                    ),
                );
            }
        }
    }
}
