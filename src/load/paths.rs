//! Paths below the records root as docket writes them: relative,
//! `/`-separated on every platform. Every finding, cache key and page
//! names a file this way, so there is one function that makes the name.

use std::path::Path;

/// `path` relative to `root`, with `/` separators on every platform.
pub fn rel_path(root: &Path, path: &Path) -> String {
    if let Some(rel) = joined_below(root, path) {
        return rel.to_string();
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// What [`rel_path`] gives, read off the bytes, for the path a walk makes
/// by joining plain UTF-8 names to `root` on Unix: `Path::strip_prefix`
/// and `components` parse every part again, a few percent of a rebuild's
/// loading, most of it on the one thread that lists the files. `None`
/// for anything else (a `.` or empty part, another separator), which
/// the general way handles.
fn joined_below<'p>(root: &Path, path: &'p Path) -> Option<&'p str> {
    if !cfg!(unix) {
        return None;
    }
    let root = root.to_str()?.trim_end_matches('/');
    let rest = path.to_str()?.strip_prefix(root)?;
    let rest = if root.is_empty() {
        rest
    } else {
        rest.strip_prefix('/')?
    };
    let plain = !rest.is_empty() && rest.split('/').all(|part| !part.is_empty() && part != ".");
    plain.then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes' answer is the components' answer wherever it is given.
    #[test]
    fn a_path_read_off_its_bytes_is_what_its_components_say() {
        let slow = |root: &str, path: &str| {
            let (root, path) = (Path::new(root), Path::new(path));
            let rel = path.strip_prefix(root).unwrap_or(path);
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        };
        let cases = [
            ("records", "records/orders/2026/SO-1.toml", true),
            ("records/", "records/orders/x.toml", true),
            ("/tmp/r", "/tmp/r/docket.toml", true),
            ("", "orders/x.toml", true),
            ("records/.", "records/./orders/x.toml", true),
            ("records", "records/a/./b.toml", false),
            ("records", "records//a.toml", false),
            ("records", "records/a/", false),
            ("records", "recordsX/a.toml", false),
            ("records", "records", false),
            ("", "/abs/x.toml", false),
            ("/", "/x.toml", false),
            ("records", "records/../x.toml", true),
        ];
        for (root, path, fast) in cases {
            let got = joined_below(Path::new(root), Path::new(path));
            assert_eq!(got.is_some(), fast, "{root:?} {path:?}");
            assert_eq!(
                rel_path(Path::new(root), Path::new(path)),
                slow(root, path),
                "{root:?} {path:?}"
            );
        }
    }
}
