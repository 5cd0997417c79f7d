//! The site's templates: the built-in ones embedded in the binary (the
//! project's `templates/` folder), each replaced by a file of the same name
//! in the records repository's own `templates/` when there is one. A
//! broken override fails the build with tera's message rather than
//! publishing half a site.

use crate::error::{Error, Result};
use std::path::Path;

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

pub(super) fn read_override(dir: Option<&Path>, name: &str) -> Result<Option<String>> {
    let Some(path) = dir.map(|d| d.join(name)) else {
        return Ok(None);
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Template names and their sources, as loaded.
type Sources = Vec<(&'static str, String)>;

/// The built-in templates, each replaced by the repository's file of the
/// same name when there is one. Returns the sources too: they are part of
/// every page's fingerprint.
pub(super) fn load(dir: Option<&Path>) -> Result<(tera::Tera, Sources)> {
    let mut sources = Vec::new();
    for (name, builtin) in BUILTIN {
        sources.push((
            *name,
            read_override(dir, name)?.unwrap_or_else(|| builtin.to_string()),
        ));
    }
    let mut tera = tera::Tera::new();
    tera.add_raw_templates(sources.iter().map(|(n, s)| (*n, s.as_str())))
        .map_err(|e| {
            let overridden: Vec<&str> = sources
                .iter()
                .map(|(n, _)| *n)
                .filter(|n| dir.is_some_and(|d| d.join(n).is_file()))
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
