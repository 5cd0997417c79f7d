//! The site's templates: the built-in ones embedded in the binary (the
//! project's `templates/` folder), each replaced by a file of the same name
//! in the records repository's own `templates/` when there is one, read
//! through the loader's guard like every file of the repository. A
//! broken override fails the build with tera's message rather than
//! publishing half a site.

use crate::error::{Error, Result};
use crate::load::Guard;

/// The built-in templates and assets, by name.
pub(super) const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("list.html", include_str!("../../templates/list.html")),
    ("record.html", include_str!("../../templates/record.html")),
    ("people.html", include_str!("../../templates/people.html")),
    (
        "findings.html",
        include_str!("../../templates/findings.html"),
    ),
    ("rules.html", include_str!("../../templates/rules.html")),
    (
        "procedure.html",
        include_str!("../../templates/procedure.html"),
    ),
    ("changes.html", include_str!("../../templates/changes.html")),
    ("audit.html", include_str!("../../templates/audit.html")),
    ("feed.xml", include_str!("../../templates/feed.xml")),
];

/// Copied as they are (overridable by name too).
pub(super) const ASSETS: &[(&str, &str)] = &[
    ("site.css", include_str!("../../templates/site.css")),
    ("site.js", include_str!("../../templates/site.js")),
];

pub(super) fn template_error(name: &str, e: &tera::Error) -> Error {
    let mut msg = format!("{name}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    Error::Template(msg)
}

/// The repository's `templates/<name>`, if there is one. One that leads
/// outside the records root or to a hidden file fails the build: it
/// would publish whatever it points at (`/proc/self/environ`, a CI
/// token) as the site's stylesheet.
pub(super) fn read_override(guard: Option<&Guard>, name: &str) -> Result<Option<String>> {
    let Some(guard) = guard else {
        return Ok(None);
    };
    let rel = format!("templates/{name}");
    guard
        .read_text(&rel, None)
        .map_err(|why| guard.refusal(&rel, &why))
}

/// Template names and their sources, as loaded.
type Sources = Vec<(&'static str, String)>;

/// The built-in templates, each replaced by the repository's file of the
/// same name when there is one. Returns the sources too: they are part of
/// every page's fingerprint.
pub(super) fn load(dir: Option<&Guard>) -> Result<(tera::Tera, Sources)> {
    let mut sources = Vec::new();
    for (name, builtin) in BUILTIN {
        sources.push((
            *name,
            read_override(dir, name)?.unwrap_or_else(|| builtin.to_string()),
        ));
    }
    let mut tera = tera::Tera::new();
    tera.register_filter(
        "css_string",
        |text: &str, _: tera::Kwargs, _: &tera::State| tera::Value::safe_string(&css_string(text)),
    );
    tera.add_raw_templates(sources.iter().map(|(n, s)| (*n, s.as_str())))
        .map_err(|e| {
            let overridden: Vec<&str> = sources
                .iter()
                .map(|(n, _)| *n)
                .filter(|n| dir.is_some_and(|g| g.check(&format!("templates/{n}")).is_ok()))
                .collect();
            let hint = if overridden.is_empty() {
                String::new()
            } else {
                format!(" (overridden here: {})", overridden.join(", "))
            };
            template_error(&format!("templates{hint}"), &e)
        })?;
    Ok((tera, sources))
}

/// Any text as a CSS string literal, quotes included: the print
/// stylesheet puts the page's title and the company at the foot of every
/// printed sheet. Whatever could end the string or the `<style>` element
/// it sits in (quotes, backslashes, `<`, `>`, `&`, line breaks and other
/// control characters) becomes a CSS escape, so no user-written text
/// leaves the string.
fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c.is_control() || matches!(c, '"' | '\\' | '<' | '>' | '&') {
            out.push_str(&format!("\\{:x} ", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// Seed each hash map Tera makes from a counter of the thread's own.
/// Tera's maps hash with ahash, whose default source seeds every new map
/// from one counter all threads add to: both cores laying out pages wrote
/// the same cache line for each of the maps a page makes, 3% of the
/// record pages' time at 50,000 orders (0.02% with this; BENCHMARKS.md).
/// The keys stay as random: ahash's seeds per process, and a counter
/// that starts at an address. Call it before Tera makes its first map;
/// after that ahash keeps its own source and this does nothing.
pub fn seed_maps_per_thread() {
    let _ = ahash::random_state::set_random_source(PerThread);
}

struct PerThread;

impl ahash::random_state::RandomSource for PerThread {
    fn gen_hasher_seed(&self) -> usize {
        thread_local!(static LAST: std::cell::Cell<usize> = const { std::cell::Cell::new(0) });
        LAST.with(|last| {
            let from = match last.get() {
                0 => std::ptr::from_ref(last) as usize,
                n => n,
            };
            // An odd step: every value comes once before any repeats.
            let next = from.wrapping_add(0x9e37_79b9_7f4a_7c15_u64 as usize);
            last.set(next);
            next
        })
    }
}

#[cfg(test)]
mod tests {
    use super::css_string;

    /// Every map gets a seed of its own, on one thread and on two.
    #[test]
    fn each_map_is_seeded_apart_on_each_thread() {
        use ahash::random_state::RandomSource;
        let seeds = || {
            (0..3)
                .map(|_| super::PerThread.gen_hasher_seed())
                .collect::<Vec<_>>()
        };
        let here = seeds();
        let there = std::thread::spawn(seeds).join().unwrap();
        let mut all: Vec<usize> = here.iter().chain(&there).copied().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 6, "{here:?} {there:?}");
    }

    #[test]
    fn css_strings_keep_user_text_inside_the_string() {
        assert_eq!(css_string("SO-2026-0001 · 台灣"), "\"SO-2026-0001 · 台灣\"");
        assert_eq!(
            css_string("a\"b\\c</style><x>&\n"),
            "\"a\\22 b\\5c c\\3c /style\\3e \\3c x\\3e \\26 \\a \""
        );
    }
}
