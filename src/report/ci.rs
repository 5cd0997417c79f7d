//! The findings in the two report formats that code-review platforms read:
//! SARIF 2.1.0 (GitHub code scanning and most other tools) and GitLab's
//! Code Quality JSON.
//!
//! Both are views of the same [`CheckReport`] as the JSON and GitHub
//! formats: same findings, same order, same final severities. What they
//! add is what those platforms need to show a finding on a pull request
//! and to follow it from one run to the next:
//!
//! - Paths are relative to the git work tree (the platform knows the
//!   repository, not the records root), so the caller passes the records
//!   root's prefix inside the work tree, as for `--format github`.
//! - A finding's identity across runs is a fingerprint of its rule, file and
//!   message with every run of digits made one `#`, never its line: a
//!   record edited above a finding must not make it look fixed and new
//!   again, and "overdue by 12 days" must be the same finding as yesterday's
//!   "overdue by 11 days". Two findings with the same three get an
//!   occurrence number (in report order), so none swallows another (GitLab
//!   keeps one issue per fingerprint).
//! - SARIF carries the whole rule catalog, with each rule's clause, so a
//!   code-scanning alert can say which part of the procedure it enforces.
//!   Columns count characters, so the run declares `unicodeCodePoints`
//!   rather than SARIF's default of UTF-16 code units.

use super::CheckReport;
use crate::finding::{RuleId, Severity};
use serde_json::{Value, json};
use sha1::Digest;
use std::collections::HashMap;

/// The SARIF schema a log names in `$schema`.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

impl CheckReport {
    /// SARIF 2.1.0: one run, the catalog as the driver's rules, one result
    /// per finding.
    pub fn to_sarif(&self, prefix: &str) -> String {
        let rules: Vec<Value> = RuleId::ALL
            .iter()
            .map(|r| {
                let clause = r.clause();
                let full = if clause == "-" {
                    format!(
                        "{} (a format rule: no procedure clause).",
                        capitalise(r.summary())
                    )
                } else {
                    format!("Procedure clause {clause}: {}.", r.summary())
                };
                json!({
                    "id": r.as_str(),
                    "name": rule_name(r.as_str()),
                    "shortDescription": {"text": r.summary()},
                    "fullDescription": {"text": full},
                    "defaultConfiguration": {"level": level(r.default_severity())},
                    "properties": {"clause": clause},
                })
            })
            .collect();
        let index: HashMap<RuleId, usize> = RuleId::ALL
            .iter()
            .enumerate()
            .map(|(i, r)| (*r, i))
            .collect();
        let fingerprints = self.fingerprints(prefix);
        let results: Vec<Value> = self
            .findings
            .iter()
            .zip(&fingerprints)
            .map(|(r, fp)| {
                let f = &r.finding;
                let mut physical = json!({
                    "artifactLocation": {"uri": uri_escape(&format!("{prefix}{}", f.file))},
                });
                if let Some(p) = f.pos {
                    physical["region"] = json!({"startLine": p.line, "startColumn": p.col});
                }
                let mut properties = json!({"clause": f.rule.clause()});
                if let Some(id) = &f.record {
                    properties["record"] = json!(id);
                }
                json!({
                    "ruleId": f.rule.as_str(),
                    "ruleIndex": index[&f.rule],
                    "level": level(r.severity),
                    "message": {"text": f.message},
                    "locations": [{"physicalLocation": physical}],
                    "partialFingerprints": {"docketFinding/v1": fp},
                    "properties": properties,
                })
            })
            .collect();
        let log = json!({
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "docket",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }],
        });
        serde_json::to_string_pretty(&log).expect("SARIF serializes") + "\n"
    }

    /// GitLab Code Quality: an array of issues. GitLab needs a line, so a
    /// finding about a whole file points at its line 1.
    pub fn to_gitlab(&self, prefix: &str) -> String {
        let issues: Vec<Value> = self
            .findings
            .iter()
            .zip(self.fingerprints(prefix))
            .map(|(r, fp)| {
                let f = &r.finding;
                let clause = f.rule.clause();
                let description = if clause == "-" {
                    f.message.clone()
                } else {
                    format!("{} (clause {clause})", f.message)
                };
                json!({
                    "description": description,
                    "check_name": f.rule.as_str(),
                    "fingerprint": fp,
                    "severity": match r.severity {
                        Severity::Error => "major",
                        Severity::Warning => "minor",
                    },
                    "location": {
                        "path": format!("{prefix}{}", f.file),
                        "lines": {"begin": f.pos.map_or(1, |p| p.line)},
                    },
                })
            })
            .collect();
        serde_json::to_string_pretty(&issues).expect("Code Quality serializes") + "\n"
    }

    /// One fingerprint per finding, in report order: SHA-1 of rule, path
    /// and message, plus the occurrence number when those repeat.
    fn fingerprints(&self, prefix: &str) -> Vec<String> {
        let mut seen: HashMap<(RuleId, &str, String), u32> = HashMap::new();
        self.findings
            .iter()
            .map(|r| {
                let f = &r.finding;
                let shape = without_numbers(&f.message);
                let n = seen
                    .entry((f.rule, f.file.as_str(), shape.clone()))
                    .or_insert(0);
                let mut sha = sha1::Sha1::new();
                for part in [f.rule.as_str(), prefix, &f.file, &shape] {
                    sha.update(part.as_bytes());
                    sha.update([0]);
                }
                if *n > 0 {
                    sha.update(n.to_string().as_bytes());
                }
                *n += 1;
                crate::hex::hex(&sha.finalize())
            })
            .collect()
    }
}

/// A message with each run of ASCII digits replaced by one `#`: what stays
/// of it from one day to the next (counts of days, dates, amounts move).
fn without_numbers(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_number = false;
    for c in message.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `review-stale` -> `ReviewStale`: SARIF's rule name, an identifier.
fn rule_name(id: &str) -> String {
    id.split('-').map(capitalise).collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|first| first.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A relative path as a URI reference: everything but unreserved
/// characters and `/` percent-encoded (a file name may hold spaces, `#` or
/// `%`, which would otherwise change what the URI means).
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_escaped() {
        assert_eq!(
            uri_escape("records/orders/2026/SO-2026-0001.toml"),
            "records/orders/2026/SO-2026-0001.toml"
        );
        assert_eq!(uri_escape("a b#c%.txt"), "a%20b%23c%25.txt");
        assert_eq!(uri_escape("客戶.toml"), "%E5%AE%A2%E6%88%B6.toml");
    }

    #[test]
    fn rule_names() {
        assert_eq!(rule_name("review-stale"), "ReviewStale");
        assert_eq!(rule_name("parse"), "Parse");
    }
}
