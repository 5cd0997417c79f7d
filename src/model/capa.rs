//! Corrective/preventive actions (4.5) and satisfaction surveys (4.6).

use super::config::Config;
use super::config::Department;
use super::meta::{Meta, ReadRecord};
use super::order::Dated;
use super::read::{At, FromToml, Reader, Sign};
use crate::toml_enum;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

toml_enum! {
    pub enum CapaKind { Corrective = "corrective", Preventive = "preventive" }
}
toml_enum! {
    pub enum CapaSource { Complaint = "complaint", Survey = "survey", UsageReport = "usage-report", Internal = "internal" }
}

#[derive(Debug, Clone, Serialize)]
pub struct Capa {
    #[serde(flatten)]
    pub meta: Meta,
    pub kind: At<CapaKind>,
    pub source: At<CapaSource>,
    pub written_complaint: bool,
    pub customer: Option<At<String>>,
    pub order: Option<At<String>>,
    pub survey: Option<At<String>>,
    pub report: Option<At<String>>,
    pub opened: At<Date>,
    pub opened_by: At<String>,
    pub description: At<String>,
    pub responsible_department: At<Department>,
    pub investigation: Option<Investigation>,
    pub verification: Option<Verification>,
    pub confirmation: Option<Sign>,
    pub feedback: Option<Feedback>,
    pub closed: Option<Dated>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Investigation {
    #[serde(flatten)]
    pub sign: Sign,
    pub root_cause: At<String>,
    pub countermeasure: At<String>,
    pub due: Option<At<Date>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    #[serde(flatten)]
    pub sign: Sign,
    pub effective: At<bool>,
    pub evidence: Option<At<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Feedback {
    #[serde(flatten)]
    pub sign: Sign,
    pub channel: Option<At<String>>,
    pub summary: Option<At<String>>,
}

/// The stages a CAPA moves through, in order (4.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Opened,
    Investigation,
    Verification,
    Confirmation,
    Feedback,
    Closed,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Opened,
        Stage::Investigation,
        Stage::Verification,
        Stage::Confirmation,
        Stage::Feedback,
        Stage::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Opened => "opened",
            Stage::Investigation => "investigation",
            Stage::Verification => "verification",
            Stage::Confirmation => "confirmation",
            Stage::Feedback => "feedback",
            Stage::Closed => "closed",
        }
    }
}

impl ReadRecord for Capa {
    fn read(r: &Reader, meta: Meta, _config: &Config) -> Capa {
        Capa {
            meta,
            kind: r.req("kind"),
            source: r.req("source"),
            written_complaint: r.opt::<bool>("written_complaint").is_some_and(|b| b.value),
            customer: r.opt("customer"),
            order: r.opt("order"),
            survey: r.opt("survey"),
            report: r.opt("report"),
            opened: r.req("opened"),
            opened_by: r.req("opened_by"),
            description: r.req("description"),
            responsible_department: r.req("responsible_department"),
            investigation: r.table("investigation").map(|t| {
                t.with(|t| Investigation {
                    sign: Sign::read(t),
                    root_cause: t.req("root_cause"),
                    countermeasure: t.req("countermeasure"),
                    due: t.opt("due"),
                })
            }),
            verification: r.table("verification").map(|t| {
                t.with(|t| Verification {
                    sign: Sign::read(t),
                    effective: t.req("effective"),
                    evidence: t.opt("evidence"),
                })
            }),
            confirmation: r.table("confirmation").map(|t| t.with(Sign::read)),
            feedback: r.table("feedback").map(|t| {
                t.with(|t| Feedback {
                    sign: Sign::read(t),
                    channel: t.opt("channel"),
                    summary: t.opt("summary"),
                })
            }),
            closed: r
                .table("closed")
                .map(|t| super::order::read_dated(t, false)),
        }
    }
}

impl Capa {
    /// The date each present stage was reached, in stage order.
    pub fn stage_dates(&self) -> Vec<(Stage, At<Date>)> {
        let mut out = vec![(Stage::Opened, self.opened.clone())];
        let mut push = |stage, date: Option<&At<Date>>| {
            if let Some(d) = date {
                out.push((stage, d.clone()));
            }
        };
        push(
            Stage::Investigation,
            self.investigation.as_ref().map(|s| &s.sign.date),
        );
        push(
            Stage::Verification,
            self.verification.as_ref().map(|s| &s.sign.date),
        );
        push(
            Stage::Confirmation,
            self.confirmation.as_ref().map(|s| &s.date),
        );
        push(
            Stage::Feedback,
            self.feedback.as_ref().map(|s| &s.sign.date),
        );
        push(Stage::Closed, self.closed.as_ref().map(|s| &s.date));
        out
    }

    /// The last stage reached (the CAPA's current stage).
    pub fn stage(&self) -> Stage {
        self.stage_dates().last().map_or(Stage::Opened, |(s, _)| *s)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Survey {
    #[serde(flatten)]
    pub meta: Meta,
    pub customer: At<String>,
    pub year: At<i64>,
    pub sent: At<Date>,
    pub sent_by: At<String>,
    pub returned: Option<At<Date>>,
    pub respondent: Option<At<String>>,
    pub comments: Option<At<String>>,
    /// Question -> score 1..5, in question order of the policy.
    pub scores: BTreeMap<String, At<i64>>,
    pub analysis: Option<Analysis>,
    pub feedback: Option<SurveyFeedback>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    #[serde(flatten)]
    pub sign: Sign,
    pub summary: Option<At<String>>,
    pub serious: bool,
    pub capa: Option<At<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SurveyFeedback {
    #[serde(flatten)]
    pub sign: Sign,
    pub summary: Option<At<String>>,
}

impl ReadRecord for Survey {
    fn read(r: &Reader, meta: Meta, config: &Config) -> Survey {
        let questions = &config.policy.survey_questions;
        let returned: Option<At<Date>> = r.opt("returned");
        let mut scores = BTreeMap::new();
        match r.table("scores") {
            Some(t) => {
                t.accept_entries(
                    questions.iter().cloned(),
                    super::shape::Shape::Integer {
                        min: Some(1),
                        max: Some(5),
                    },
                );
                for (q, node) in t.entries() {
                    if !questions.iter().any(|x| x == q) {
                        let hint = super::read::suggest(q, questions.iter().map(String::as_str));
                        let (en, zh) = hint.map_or_else(Default::default, |s| {
                            (format!("did you mean `{s}`? "), format!("是否應為 `{s}`？"))
                        });
                        t.diag().schema(
                            Some(node.span),
                            crate::msg!(
                                "`scores.{q}` is not a survey question; {en}(policy.survey_questions: {list})",
                                "`scores.{q}` 不是調查題目；{zh}（policy.survey_questions：{list}）";
                                list = questions.join(", ")
                            ),
                            false,
                        );
                        continue;
                    }
                    match i64::from_toml(&node.value) {
                        Ok(n) if (1..=5).contains(&n) => {
                            scores.insert(
                                q.to_string(),
                                At {
                                    value: n,
                                    pos: t.diag().pos(node.span),
                                },
                            );
                        }
                        _ => t.diag().schema(
                            Some(node.span),
                            crate::msg!(
                                "`scores.{q}` must be a whole number from 1 to 5",
                                "分數 `scores.{q}` 必須是 1 到 5 的整數"
                            ),
                            true,
                        ),
                    }
                }
                if returned.is_some() {
                    for q in questions.iter().filter(|q| !scores.contains_key(*q)) {
                        t.diag().schema(
                            Some(t.span_or_default()),
                            crate::msg!("missing score `scores.{q}`", "缺少分數 `scores.{q}`"),
                            true,
                        );
                    }
                }
                t.finish();
            }
            None if returned.is_some() => {
                r.diag().schema(
                    None,
                    crate::msg!(
                        "a returned survey needs its [scores]",
                        "已回收的調查需要分數 [scores]"
                    ),
                    true,
                );
            }
            None => {}
        }
        Survey {
            meta,
            customer: r.req("customer"),
            year: r.req("year"),
            sent: r.req("sent"),
            sent_by: r.req("sent_by"),
            returned,
            respondent: r.opt("respondent"),
            comments: r.opt("comments"),
            scores,
            analysis: r.table("analysis").map(|t| {
                t.with(|t| Analysis {
                    sign: Sign::read(t),
                    summary: t.opt("summary"),
                    serious: t.opt::<bool>("serious").is_some_and(|b| b.value),
                    capa: t.opt("capa"),
                })
            }),
            feedback: r.table("feedback").map(|t| {
                t.with(|t| SurveyFeedback {
                    sign: Sign::read(t),
                    summary: t.opt("summary"),
                })
            }),
        }
    }
}

impl Survey {
    /// Overall score 0-100: the mean of the answered scores times 20.
    pub fn overall(&self) -> Option<f64> {
        if self.returned.is_none() || self.scores.is_empty() {
            return None;
        }
        let sum: i64 = self.scores.values().map(|s| s.value).sum();
        Some(sum as f64 / self.scores.len() as f64 * 20.0)
    }
}
