//! The status figures as text: JSON for scripts, a short summary for a
//! person at a terminal (`docket status`).

use super::Status;
use crate::words::count;
use serde::Serialize;

impl Status {
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Json<'a> {
            version: u32,
            #[serde(flatten)]
            status: &'a Status,
        }
        serde_json::to_string_pretty(&Json {
            version: 1,
            status: self,
        })
        .expect("status serializes")
            + "\n"
    }

    /// The figures for a terminal: short, aligned, most urgent first.
    pub fn to_human(&self) -> String {
        let mut out = format!("status as of {}\n\n", self.as_of);
        let o = &self.orders;
        out.push_str(&format!("orders: {}\n", o.total));
        for c in o.by_status.iter().filter(|c| c.count > 0) {
            out.push_str(&format!("  {:14} {}\n", c.key.as_str(), c.count));
        }
        if let Some(mean) = o.turnaround.mean_days {
            out.push_str(&format!(
                "  review turnaround: mean {mean} days, max {}, {}/{} within policy\n",
                count(o.turnaround.max_days.unwrap_or(0), "day"),
                o.turnaround.within_policy,
                o.turnaround.reviewed
            ));
        }
        for w in &o.awaiting_review {
            let late = if w.late { " (late)" } else { "" };
            let again = match &w.re_review {
                Some(r) => format!(
                    " (re-review: changed since approval in {}: {})",
                    r.since
                        .as_deref()
                        .map_or("the working tree", crate::history::short),
                    r.fields.join(", ")
                ),
                None => String::new(),
            };
            out.push_str(&format!(
                "  awaiting review: {} {} waiting {}{late}{again}\n",
                w.order,
                w.customer,
                count(w.days, "day")
            ));
        }
        for l in &o.overdue {
            out.push_str(&format!(
                "  overdue: {} {} due {} ({} late)\n",
                l.order,
                l.part_number,
                l.delivery,
                count(l.days_late, "day")
            ));
        }
        for r in &o.at_risk {
            out.push_str(&format!("  at risk: {} since {}\n", r.order, r.date));
        }
        let c = &self.capa;
        out.push_str(&format!("\nCAPA: {} ({} open)\n", c.total, c.open.len()));
        for s in c.open_by_stage.iter().filter(|s| s.count > 0) {
            out.push_str(&format!(
                "  {:14} {} (oldest {})\n",
                s.stage.as_str(),
                s.count,
                count(s.max_age_days.unwrap_or(0), "day")
            ));
        }
        if !c.stalled.is_empty() {
            out.push_str(&format!("  stalled: {}\n", c.stalled.join(", ")));
        }
        let s = &self.surveys;
        out.push_str(&format!("\nsurveys (target {}):\n", s.target));
        for (cov, score) in s.coverage.iter().zip(&s.per_year) {
            let mean = score.mean.map_or("-".to_string(), |m| format!("{m}"));
            out.push_str(&format!(
                "  {}: {}/{} customers surveyed, mean score {mean}\n",
                cov.year, cov.surveyed, cov.active
            ));
        }
        for u in &s.under_target {
            let capa = u.capa.as_deref().unwrap_or("no CAPA");
            out.push_str(&format!(
                "  under target: {} {} score {} ({capa})\n",
                u.survey, u.customer, u.score
            ));
        }
        let p = &self.property;
        out.push_str(&format!(
            "\ncustomer property: {} held, {}\n",
            p.held,
            count(p.incidents.len(), "incident")
        ));
        let g = &self.signatures;
        out.push_str(&format!(
            "signatures: {}, {} unproven, {} broken\n",
            count(g.signed_sections, "signed section"),
            g.unproven,
            g.broken
        ));
        out.push_str(&format!(
            "findings: {}, {}\n",
            count(self.findings.errors, "error"),
            count(self.findings.warnings, "warning")
        ));
        out
    }
}
