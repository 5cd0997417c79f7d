//! CAPA rules (4.5.2).

use super::context::{Context, Sink};
use crate::model::{Capa, CapaSource, Record, Role, Stage, days_between};
use crate::{lexicon, msg};

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
                    msg!(
                        "stage {en} is recorded but the earlier stage {missing_en} is missing",
                        "已記錄「{zh}」階段，但缺少較早的「{missing_zh}」階段";
                        en = stage.as_str(),
                        zh = lexicon::value(stage.as_str()),
                        missing_en = missing.as_str(),
                        missing_zh = lexicon::value(missing.as_str())
                    ),
                );
            }
            if let Some(j) = i.checked_sub(1)
                && at[i] < at[j]
            {
                let (prev, prev_date) = &stages[j];
                let prev_at = at[j];
                let signed = if prev_at > prev_date.value {
                    msg!(
                        ", signed on {prev_at} (dated {written})",
                        "（於 {prev_at} 簽核，日期寫為 {written}）";
                        written = &prev_date.value
                    )
                } else {
                    msg!(" on {prev_at}", "（{prev_at}）")
                };
                out.at(
                    c,
                    date.pos,
                    msg!(
                        "{en} is dated {date}, before {prev_en}{signed_en}",
                        "「{zh}」的日期為 {date}，早於「{prev_zh}」{signed_zh}";
                        en = stage.as_str(),
                        zh = lexicon::value(stage.as_str()),
                        date = &date.value,
                        prev_en = prev.as_str(),
                        prev_zh = lexicon::value(prev.as_str()),
                        signed_en = &signed.en,
                        signed_zh = &signed.zh
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
                    msg!(
                        "{en} follows a verification that found the countermeasure not effective; \
                         the CAPA goes back to investigation",
                        "效果驗證判定對策無效後仍有「{zh}」；CAPA 應退回原因調查";
                        en = stage.as_str(),
                        zh = lexicon::value(stage.as_str())
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
                msg!(
                    "in stage {en} since {from} ({days} days; limit {limit})",
                    "自 {from} 起停留在「{zh}」階段（{days} 天；上限 {limit} 天）";
                    en = stage.as_str(),
                    zh = lexicon::value(stage.as_str())
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
                msg!(
                    "source is survey, but `survey` does not name it",
                    "來源為滿意度調查，但 `survey` 沒有指明是哪一份"
                ),
            ),
            CapaSource::UsageReport if c.report.is_none() => out.at(
                c,
                c.source.pos,
                msg!(
                    "source is usage-report, but `report` does not name it",
                    "來源為使用狀況報告，但 `report` 沒有指明是哪一份"
                ),
            ),
            _ => {}
        }
        if c.written_complaint && *c.source != CapaSource::Complaint {
            out.at(
                c,
                c.source.pos,
                msg!(
                    "a written complaint must have source = \"complaint\", not \"{source}\"",
                    "書面客訴的來源必須是客訴（source = \"complaint\"），而不是{zh}（\"{source}\"）";
                    source = &c.source.value,
                    zh = lexicon::value(c.source.as_str())
                ),
            );
        }
        if let Some(p) = cx.model.person(&c.opened_by) {
            let may_open = p.has_role(Role::Sales) || (c.written_complaint && p.has_role(Role::Qc));
            if !may_open {
                let (who, zwho) = if c.written_complaint {
                    ("sales or QC", "業務或品管")
                } else {
                    ("sales", "業務")
                };
                out.at(
                    c,
                    c.opened_by.pos,
                    msg!(
                        "opened by {id}, but CAPAs are opened by {who} and handed to QC",
                        "由 {name} 開立，但 CAPA 應由{zwho}開立後交給品管";
                        id = &p.id.value,
                        name = p.named()
                    ),
                );
            }
        }
    }
}
