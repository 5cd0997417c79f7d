//! Playing the customer-service side of the story: CAPAs, satisfaction
//! surveys, customer property and usage reports (the orders are in
//! `play.rs`).

use super::cast::{CUSTOMERS, PEOPLE, QC};
use super::company::Company;
use super::git::Writer;
use super::plan;
use super::play::{Act, State};
use super::text::{CapaState, PROBLEMS, Signed, SurveyState, customer_id, property_toml, q};
use crate::error::Result;
use jiff::civil::Date;
use std::fmt::Write;

impl State {
    /// Apply one non-order event; see `State::apply`.
    pub(super) fn service(
        &mut self,
        co: &Company,
        act: Act,
        date: Date,
        w: &mut Writer,
    ) -> Result<(usize, String, bool)> {
        let p = co.plan;
        let sign = |who: usize| Signed::by(who, date);
        Ok(match act {
            Act::SurveySent(i) => {
                let s = &p.surveys[i];
                let am = p.account_manager(s.customer);
                self.surveys[i] = Some(SurveyState {
                    id: self.survey_ids[i].clone(),
                    customer: customer_id(s.customer),
                    year: s.year,
                    sent: date,
                    sent_by: PEOPLE[am].id.to_string(),
                    returned: None,
                    analysis: None,
                    feedback: None,
                });
                self.write_survey(co, i, w)?;
                (
                    am,
                    format!(
                        "{}: {} satisfaction survey sent",
                        self.survey_ids[i], s.year
                    ),
                    true,
                )
            }
            Act::SurveyReturned(i) => {
                let s = &p.surveys[i];
                let who = CUSTOMERS[s.customer % CUSTOMERS.len()].3.to_string();
                self.surveys[i].as_mut().expect("survey").returned = Some((date, who, s.scores));
                self.write_survey(co, i, w)?;
                (
                    p.account_manager(s.customer),
                    format!("{}: survey returned", self.survey_ids[i]),
                    true,
                )
            }
            Act::SurveyAnalysed(i) => {
                let s = &p.surveys[i];
                let am = p.account_manager(s.customer);
                let below = self.surveys[i]
                    .as_ref()
                    .and_then(SurveyState::score)
                    .is_some_and(|x| x < 80.0);
                let capa = s.capa.map(|c| self.capa_ids[c].clone());
                self.surveys[i].as_mut().expect("survey").analysis = Some((sign(am), below, capa));
                self.write_survey(co, i, w)?;
                (am, format!("{}: survey analysed", self.survey_ids[i]), true)
            }
            Act::SurveyFeedback(i) => {
                let am = p.account_manager(p.surveys[i].customer);
                self.surveys[i].as_mut().expect("survey").feedback = Some(sign(am));
                self.write_survey(co, i, w)?;
                (
                    am,
                    format!("{}: results sent back to the customer", self.survey_ids[i]),
                    true,
                )
            }
            Act::PropertyIn(i)
            | Act::PropertyVerified(i)
            | Act::PropertyIncident(i)
            | Act::PropertyOut(i) => {
                let x = &p.property[i];
                let am = p.account_manager(x.customer);
                let stage = match act {
                    Act::PropertyIn(_) => 0,
                    Act::PropertyVerified(_) => 1,
                    Act::PropertyIncident(_) => 2,
                    _ => 3,
                };
                let text = property_toml(&self.property_ids[i], x, am, stage);
                w.put(
                    &co.path("property", &self.property_ids[i], x.received),
                    &text,
                )?;
                let (who, what) = match stage {
                    0 => (am, "received"),
                    1 => (QC, "verified"),
                    2 => (am, "incident reported to the customer"),
                    _ => (am, "returned to the customer"),
                };
                (
                    who,
                    format!("{}: customer property {what}", self.property_ids[i]),
                    true,
                )
            }
            Act::Report(i) => {
                let r = &p.reports[i];
                let am = p.account_manager(r.customer);
                let mut text = format!(
                    "id = {}\ncustomer = {}\ndate = {date}\nby = {}\nto = \"wang.gm\"\n",
                    q(&self.report_ids[i]),
                    q(&customer_id(r.customer)),
                    q(PEOPLE[am].id)
                );
                match r.complaint {
                    Some(c) => {
                        let _ = write!(
                            text,
                            "summary = \"Visit: burrs found on bores of the last lot; line stopped for an hour.\"\n\
                             complaint = true\ncapa = {}\n",
                            q(&self.capa_ids[c])
                        );
                    }
                    None => text.push_str("summary = \"Visit: parts run well; customer plans a larger order next quarter.\"\ncomplaint = false\n"),
                }
                w.put(&co.path("reports", &self.report_ids[i], r.date), &text)?;
                (
                    am,
                    format!("{}: usage report to the GM", self.report_ids[i]),
                    true,
                )
            }
            other => unreachable!("{other:?} is an order event"),
        })
    }

    pub(super) fn capa(
        &mut self,
        co: &Company,
        i: usize,
        stage: usize,
        date: Date,
        w: &mut Writer,
    ) -> Result<(usize, String, bool)> {
        let c = &co.plan.capas[i];
        let sales = c.opened_by;
        let sign = |who: usize| Signed::by(who, date);
        let id = self.capa_ids[i].clone();
        let who = if stage == 0 {
            sales
        } else if stage == 5 {
            QC
        } else {
            plan::capa_actor(stage - 1, c.department, sales)
        };
        if stage == 0 {
            let link = c.from.map(|f| match c.source {
                "survey" => self.survey_ids[f].clone(),
                "usage-report" => self.report_ids[f].clone(),
                _ => self.order_ids[f].clone(),
            });
            let order = (c.source == "complaint").then(|| link.clone()).flatten();
            self.capas[i] = Some(CapaState {
                id: id.clone(),
                source: c.source,
                written: c.source == "complaint" && c.problem.is_multiple_of(2),
                customer: customer_id(c.customer),
                order,
                link,
                opened: date,
                opened_by: PEOPLE[sales].id.to_string(),
                description: PROBLEMS[c.problem % PROBLEMS.len()].0.to_string(),
                department: c.department,
                investigation: None,
                verification: None,
                confirmation: None,
                feedback: None,
                closed: None,
            });
        } else {
            let state = self.capas[i].as_mut().expect("capa");
            let (_, cause, measure) = PROBLEMS[c.problem % PROBLEMS.len()];
            match stage {
                1 => {
                    state.investigation = Some((sign(who), cause.to_string(), measure.to_string()))
                }
                2 => state.verification = Some(sign(who)),
                3 => state.confirmation = Some(sign(who)),
                4 => state.feedback = Some(sign(who)),
                _ => state.closed = Some(date),
            }
        }
        self.write_capa(co, i, w)?;
        let what = [
            "opened",
            "investigation",
            "verification",
            "confirmation",
            "feedback",
            "closed",
        ][stage];
        Ok((who, format!("{id}: {what}"), true))
    }
}
