//! Markdown fields and the procedure, made safe to publish.
//!
//! Free-text fields (description, note, summary, ...) are written by many
//! people and shown to everyone, so they pass through pulldown-cmark and
//! then ammonia: no script, no event handler, no `javascript:` link
//! survives. Links to the web stay (a supplier's page is content) but get
//! `rel="noopener noreferrer"`; relative links and images are removed,
//! because a record cannot know where it will be published and the site
//! must not load anything from outside itself.
//!
//! The procedure is split at its headings: `## 4.2.1 Order review {#c4.2.1}`
//! becomes a section whose anchor and clause number the site can attach the
//! enforcing rules and open findings to (the traceability matrix).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::sync::OnceLock;

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static CLEAN: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEAN.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::from(["http", "https", "mailto"]))
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some("noopener noreferrer"))
            .rm_tags(["img"]);
        b
    })
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Markdown to sanitized HTML.
pub fn to_html(text: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(text, options()));
    sanitizer().clean(&html).to_string()
}

/// One heading of the procedure and the text under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// 1..6
    pub level: u8,
    /// The anchor, only when it is a safe fragment (`c4.2.1`).
    pub anchor: Option<String>,
    /// The clause number, from an anchor `c<clause>`.
    pub clause: Option<String>,
    /// The heading's text (plain: markup inside headings is dropped).
    pub title: String,
    /// Sanitized HTML of the text below the heading.
    pub body: String,
}

fn safe_anchor(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Split the procedure into sections at each heading. Text before the
/// first heading becomes a section with level 0 and no title.
pub fn procedure(text: &str) -> Vec<Section> {
    let mut sections = vec![Section {
        level: 0,
        anchor: None,
        clause: None,
        title: String::new(),
        body: String::new(),
    }];
    let mut body_events: Vec<Event> = Vec::new();
    let mut in_heading = false;
    let flush = |events: &mut Vec<Event>, section: &mut Section| {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.drain(..));
        section.body = sanitizer().clean(&html).to_string();
    };
    for event in Parser::new_ext(text, options()) {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                flush(&mut body_events, sections.last_mut().expect("one section"));
                let anchor = id.map(|s| s.to_string()).filter(|s| safe_anchor(s));
                let clause = anchor
                    .as_deref()
                    .and_then(|a| a.strip_prefix('c'))
                    .map(str::to_string);
                sections.push(Section {
                    level: heading_level(level),
                    anchor,
                    clause,
                    title: String::new(),
                    body: String::new(),
                });
                in_heading = true;
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Text(t) | Event::Code(t) if in_heading => {
                sections.last_mut().expect("one section").title.push_str(&t)
            }
            _ if in_heading => {}
            e => body_events.push(e),
        }
    }
    flush(&mut body_events, sections.last_mut().expect("one section"));
    if sections[0].body.trim().is_empty() {
        sections.remove(0);
    }
    for s in &mut sections {
        s.title = s.title.trim().to_string();
    }
    sections
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_markdown_is_inert() {
        let html = to_html(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> \
             <a href=\"#\" onclick=\"alert(1)\">y</a> [rel](../../etc/passwd) [web](https://example.com)",
        );
        for bad in [
            "<script",
            "href=\"javascript:",
            "onerror=",
            "onclick=",
            "<img",
            "href=\"../../etc",
        ] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(
            html.contains("<a href=\"https://example.com\" rel=\"noopener noreferrer\">web</a>"),
            "{html}"
        );
    }

    #[test]
    fn procedure_sections_carry_clauses() {
        let s = procedure(
            "Intro\n\n# Service\n\n## 4.2.1 Order review {#c4.2.1}\n\nThe GM *reviews*.\n\n## Bad {#x\"y}\n",
        );
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].level, 0);
        assert_eq!(s[2].clause.as_deref(), Some("4.2.1"));
        assert_eq!(s[2].anchor.as_deref(), Some("c4.2.1"));
        assert_eq!(s[2].title, "4.2.1 Order review");
        assert!(s[2].body.contains("<em>reviews</em>"));
        assert_eq!(s[3].anchor, None);
    }
}
