//! Findings for a person at a terminal: grouped by file, each with the
//! offending source line under it (annotate-snippets, rustc's style).

use super::CheckReport;
use crate::finding::Severity;
use crate::load::{Guard, LineIndex, MAX_FILE_BYTES};
use crate::model::Language;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::collections::HashMap;
use std::path::Path;

impl CheckReport {
    /// The findings for a terminal; `root` is where the files are read
    /// from to show the offending lines.
    pub fn to_human(&self, root: &Path, color: bool) -> String {
        render(self, root, color)
    }
}

fn render(report: &CheckReport, root: &Path, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // Source lines are read through the guard, like everything else: a
    // finding on a linked file never prints what the link leads to.
    let guard = Guard::new(root).unwrap_or_default();
    let mut sources: HashMap<&str, Option<LineIndex>> = HashMap::new();
    let mut out = String::new();
    let mut last_file = None;
    for r in &report.findings {
        let f = &r.finding;
        if last_file != Some(f.file.as_str()) {
            if last_file.is_some() {
                out.push('\n');
            }
            last_file = Some(&f.file);
        }
        let level = match r.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let zh = report.language == Language::ZhHant;
        let title = f.text(report.language);
        let clause = match (f.rule.clause(), zh) {
            ("-", false) => format!("rule {}", f.rule),
            ("-", true) => format!("規則 {}", f.rule),
            (c, false) => format!("rule {}, procedure clause {c}", f.rule),
            (c, true) => format!("規則 {}，程序書條款 {c}", f.rule),
        };
        let source = sources
            .entry(&f.file)
            .or_insert_with(|| read_source(&guard, &f.file));
        let line = f.pos.and_then(|p| {
            source
                .as_ref()?
                .line_text(p.line)
                .map(|t| (p, t.to_string()))
        });
        let rendered = match &line {
            Some((pos, text)) => {
                let start = text
                    .char_indices()
                    .nth(pos.col.saturating_sub(1) as usize)
                    .map_or(text.len(), |(i, _)| i);
                let end = text[start..]
                    .find([' ', '\t'])
                    .map_or(text.len(), |e| start + e)
                    .max(start + 1)
                    .min(text.len().max(start));
                let snippet = Snippet::source(text.as_str())
                    .line_start(pos.line as usize)
                    .path(f.file.as_str())
                    .annotation(AnnotationKind::Primary.span(start..end.max(start)));
                let groups = [
                    level
                        .clone()
                        .primary_title(title)
                        .id(f.rule.as_str())
                        .element(snippet),
                    Group::with_title(Level::NOTE.secondary_title(clause.as_str())),
                ];
                renderer.render(&groups)
            }
            None => {
                let place = match f.pos {
                    Some(p) => format!("{}:{}:{}", f.file, p.line, p.col),
                    None => f.file.clone(),
                };
                let groups = [
                    level
                        .clone()
                        .primary_title(title)
                        .id(f.rule.as_str())
                        .element(Level::NOTE.message(if zh {
                            format!("位置：{place}")
                        } else {
                            format!("in {place}")
                        })),
                    Group::with_title(Level::NOTE.secondary_title(clause.as_str())),
                ];
                renderer.render(&groups)
            }
        };
        out.push_str(&rendered);
        out.push('\n');
    }
    if !report.findings.is_empty() {
        out.push('\n');
    }
    out.push_str(&report.summary_line(true));
    out
}

/// The file's text for showing lines, if it is small UTF-8 text.
fn read_source(guard: &Guard, rel: &str) -> Option<LineIndex> {
    let text = guard.read_text(rel, Some(MAX_FILE_BYTES)).ok()??;
    Some(LineIndex::new(
        text.strip_prefix('\u{feff}').unwrap_or(&text),
    ))
}
