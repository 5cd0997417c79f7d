//! The validation report: which binary was validated, where and when, and
//! per scenario what was expected and what was observed. Markdown for a
//! repository or a ticket, HTML for a printed, signed record (a
//! self-contained page, no scripts, no external assets).
//!
//! Everything in it comes from the run: the version is what the binary
//! printed, the checksum is of the file that ran, the observations are
//! what it answered. Text from scenarios is escaped in both formats.

/// One scenario's line of the report.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub clause: String,
    pub attack: String,
    pub expected: String,
    pub observed: String,
    pub pass: bool,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report {
    /// What `--version` printed.
    pub version: String,
    pub binary: String,
    /// SHA-256 of the binary file, hex.
    pub sha256: String,
    /// Operating system and architecture of the machine that ran it.
    pub platform: String,
    /// The report's date.
    pub date: String,
    /// "Today" of every scenario's check.
    pub as_of: String,
    pub rows: Vec<Row>,
}

impl Report {
    pub fn failed(&self) -> Vec<&Row> {
        self.rows.iter().filter(|r| !r.pass).collect()
    }

    /// "19 of 19 scenarios passed" or which failed.
    pub fn summary(&self) -> String {
        let failed = self.failed();
        let passed = self.rows.len() - failed.len();
        let mut s = format!("{passed} of {} scenarios passed", self.rows.len());
        if !failed.is_empty() {
            let ids: Vec<&str> = failed.iter().map(|r| r.id.as_str()).collect();
            s.push_str(&format!("; FAILED: {}", ids.join(", ")));
        }
        s
    }

    fn facts(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("docket version", &self.version),
            ("binary", &self.binary),
            ("SHA-256 of the binary", &self.sha256),
            ("platform", &self.platform),
            ("date", &self.date),
            ("scenarios checked as of", &self.as_of),
        ]
    }

    pub fn markdown(&self) -> String {
        let cell = |s: &str| s.replace('|', "\\|").replace(['\n', '\r'], " ");
        let mut out = String::from("# docket validation report (operational qualification)\n\n");
        for (k, v) in self.facts() {
            out.push_str(&format!("- {k}: `{}`\n", cell(v)));
        }
        out.push_str(&format!("\n**Result: {}.**\n\n", cell(&self.summary())));
        out.push_str("| scenario | clause | attack | expected | observed | result |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for r in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                cell(&r.id),
                cell(&r.clause),
                cell(&r.attack),
                cell(&r.expected),
                cell(&r.observed),
                if r.pass { "pass" } else { "**FAIL**" }
            ));
        }
        out.push_str(&format!("\n{FOOTER}\n"));
        out
    }

    pub fn html(&self) -> String {
        let mut out = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>docket validation report</title>\n<style>\n\
             body{font-family:sans-serif;margin:2em;max-width:70em}\
             table{border-collapse:collapse;width:100%}\
             th,td{border:1px solid #888;padding:.3em .5em;text-align:left;vertical-align:top}\
             .fail{color:#a00;font-weight:bold}.pass{color:#060}\
             dt{font-weight:bold}dd{margin:0 0 .4em 0;font-family:monospace}\
             </style>\n</head>\n<body>\n\
             <h1>docket validation report (operational qualification)</h1>\n<dl>\n",
        );
        for (k, v) in self.facts() {
            out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", esc(k), esc(v)));
        }
        let class = if self.failed().is_empty() {
            "pass"
        } else {
            "fail"
        };
        out.push_str(&format!(
            "</dl>\n<p class=\"{class}\">Result: {}.</p>\n<table>\n<thead><tr><th>scenario</th>\
             <th>clause</th><th>attack</th><th>expected</th><th>observed</th><th>result</th>\
             </tr></thead>\n<tbody>\n",
            esc(&self.summary())
        ));
        for r in &self.rows {
            let (class, word) = if r.pass {
                ("pass", "pass")
            } else {
                ("fail", "FAIL")
            };
            out.push_str(&format!(
                "<tr id=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td class=\"{class}\">{word}</td></tr>\n",
                esc(&r.id),
                esc(&r.id),
                esc(&r.clause),
                esc(&r.attack),
                esc(&r.expected),
                esc(&r.observed),
            ));
        }
        out.push_str(&format!(
            "</tbody>\n</table>\n<p>{}</p>\n<p>Reviewed by: ____________________ \
             Date: ____________</p>\n</body>\n</html>\n",
            esc(FOOTER)
        ));
        out
    }
}

const FOOTER: &str = "Each scenario is built in a temporary folder (a records repository \
    with a signed git history) and the binary above is run on it as a user would run it. \
    Expected: the exit status and exactly the rules that must fire. docs/validation.md \
    explains each scenario and how to file this report.";

/// Text made safe for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
