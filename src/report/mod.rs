//! Stage 5: what the user sees of a check.
//!
//! [`CheckReport::new`] is the one place where findings get their final
//! severity (catalog default, then `[rules]` in docket.toml), where rules
//! turned off disappear, and where the order is fixed (by file, line,
//! column, rule), so every output format and the exit status agree.
//! The formats are: human (with the offending source line), JSON (the
//! stable v1 shape documented in the README), GitHub workflow annotations,
//! and SARIF and GitLab Code Quality for code-review platforms (`ci.rs`).

mod ci;
mod human;
pub mod status;

use crate::finding::{Finding, RuleId, Severity};
use crate::model::{Config, Language};
use crate::words::count;
use jiff::civil::Date;
use serde::Serialize;

/// A finding with its final severity.
#[derive(Debug, Clone)]
pub struct Reported {
    pub finding: Finding,
    pub severity: Severity,
}

#[derive(Debug, Clone)]
pub struct CheckReport {
    pub as_of: Date,
    /// The company's language: what the human output and GitHub
    /// annotations are written in. JSON, SARIF and Code Quality stay in
    /// English, the canonical text CI fingerprints are made of.
    pub language: Language,
    pub records: usize,
    pub findings: Vec<Reported>,
}

impl CheckReport {
    pub fn new(config: &Config, mut findings: Vec<Finding>, records: usize, as_of: Date) -> Self {
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings.dedup();
        let findings = findings
            .into_iter()
            .filter_map(|f| {
                f.pinned
                    .or_else(|| config.severity(f.rule))
                    .map(|severity| Reported {
                        finding: f,
                        severity,
                    })
            })
            .collect();
        CheckReport {
            as_of,
            language: config.company.language,
            records,
            findings,
        }
    }

    /// "12 records checked as of 2026-03-31: 2 errors, 1 warning", in
    /// the report's language (`as_of` says whether to name the date).
    pub fn summary_line(&self, as_of: bool) -> String {
        let (n, e, w) = (self.records, self.errors(), self.warnings());
        match (self.language, as_of) {
            (Language::ZhHant, true) => {
                let at = self.as_of;
                format!("已檢查 {n} 筆紀錄（基準日 {at}）：{e} 個錯誤、{w} 個警告\n")
            }
            (Language::ZhHant, false) => format!("已檢查 {n} 筆紀錄：{e} 個錯誤、{w} 個警告\n"),
            (Language::En, true) => format!(
                "{} checked as of {}: {}, {}\n",
                count(n, "record"),
                self.as_of,
                count(e, "error"),
                count(w, "warning")
            ),
            (Language::En, false) => format!(
                "{} checked: {}, {}\n",
                count(n, "record"),
                count(e, "error"),
                count(w, "warning")
            ),
        }
    }

    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|r| r.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|r| r.severity == Severity::Warning)
            .count()
    }

    /// Findings of files in `first` come first (the files a pull request
    /// changed), the rest after; order within each group is kept.
    pub fn put_first(&mut self, first: &std::collections::BTreeSet<String>) {
        self.findings
            .sort_by_key(|r| !first.contains(&r.finding.file));
    }

    pub fn to_json(&self) -> String {
        self.to_json_marking(None, None)
    }

    /// The JSON report; with `changed` (the files a pull request touched,
    /// `check --base`), each finding also says whether its file is one of
    /// them, and `governance` lists the changes to the controlled documents
    /// since the base. Without them the v1 shape is exactly as before: no
    /// `changed` or `governance` key.
    pub fn to_json_marking(
        &self,
        changed: Option<&std::collections::BTreeSet<String>>,
        governance: Option<&[crate::history::Listed]>,
    ) -> String {
        #[derive(Serialize)]
        struct Json<'a> {
            version: u32,
            as_of: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            governance: Option<&'a [crate::history::Listed]>,
            findings: Vec<JsonFinding<'a>>,
            summary: Summary,
        }
        #[derive(Serialize)]
        struct JsonFinding<'a> {
            rule: RuleId,
            severity: Severity,
            clause: &'static str,
            file: &'a str,
            line: Option<u32>,
            column: Option<u32>,
            record: Option<&'a str>,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            changed: Option<bool>,
        }
        #[derive(Serialize)]
        struct Summary {
            records: usize,
            errors: usize,
            warnings: usize,
        }
        let json = Json {
            version: 1,
            as_of: self.as_of.to_string(),
            governance,
            findings: self
                .findings
                .iter()
                .map(|r| JsonFinding {
                    rule: r.finding.rule,
                    severity: r.severity,
                    clause: r.finding.rule.clause(),
                    file: &r.finding.file,
                    line: r.finding.pos.map(|p| p.line),
                    column: r.finding.pos.map(|p| p.col),
                    record: r.finding.record.as_deref(),
                    message: &r.finding.message,
                    changed: changed.map(|c| c.contains(&r.finding.file)),
                })
                .collect(),
            summary: Summary {
                records: self.records,
                errors: self.errors(),
                warnings: self.warnings(),
            },
        };
        serde_json::to_string_pretty(&json).expect("findings serialize") + "\n"
    }

    /// GitHub workflow commands: one `::error` or `::warning` per finding.
    pub fn to_github(&self, prefix: &str) -> String {
        let mut out = String::new();
        for r in &self.findings {
            let f = &r.finding;
            let mut props = format!("file={}", escape_property(&format!("{prefix}{}", f.file)));
            if let Some(p) = f.pos {
                props.push_str(&format!(",line={},col={}", p.line, p.col));
            }
            props.push_str(&format!(
                ",title={}",
                escape_property(&format!("{} ({})", f.rule, f.rule.clause()))
            ));
            out.push_str(&format!(
                "::{} {props}::{}\n",
                r.severity.as_str(),
                escape_data(f.text(self.language))
            ));
        }
        out.push_str(&self.summary_line(false));
        out
    }
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
