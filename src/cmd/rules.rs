//! `docket rules`: the catalog, as a table or JSON.

use crate::finding::RuleId;
use serde::Serialize;

#[derive(Serialize)]
struct Entry {
    id: &'static str,
    severity: &'static str,
    clause: &'static str,
    summary: &'static str,
}

fn entries() -> Vec<Entry> {
    RuleId::ALL
        .iter()
        .map(|r| Entry {
            id: r.as_str(),
            severity: r.default_severity().as_str(),
            clause: r.clause(),
            summary: r.summary(),
        })
        .collect()
}

pub fn json() -> String {
    serde_json::to_string_pretty(&entries()).expect("catalog serializes") + "\n"
}

pub fn table() -> String {
    let rows = entries();
    let w = rows.iter().map(|e| e.id.len()).max().unwrap_or(0);
    let mut out = format!(
        "{:w$}  {:8}  {:8}  {}\n",
        "rule", "severity", "clause", "finds"
    );
    for e in rows {
        out.push_str(&format!(
            "{:w$}  {:8}  {:8}  {}\n",
            e.id, e.severity, e.clause, e.summary
        ));
    }
    out
}

/// The rule table as Markdown, for the README (kept in sync by a test).
pub fn markdown() -> String {
    let mut out = String::from("| id | default | clause | finds |\n|---|---|---|---|\n");
    for e in entries() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            e.id, e.severity, e.clause, e.summary
        ));
    }
    out
}
