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

/// The order of a folder's entries in the walk of the records: by name,
/// byte for byte, as walkdir's `sort_by_file_name` orders them. A walk's
/// siblings are one parent's path joined to their names, so their whole
/// paths order as their names do, without splitting each path again at
/// every comparison: a tenth of a second of the one thread that lists
/// the files at 50,000 orders, where a year folder holds 50,000 files.
pub fn by_name(a: &walkdir::DirEntry, b: &walkdir::DirEntry) -> std::cmp::Ordering {
    a.path().as_os_str().cmp(b.path().as_os_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names that order differently as names than as text (`a` before
    /// `a-b` and `a.b`, though `/` sorts after both), case, digits and
    /// letters beyond ASCII: the walk visits them as walkdir's own sort
    /// by file name does, at every depth.
    #[test]
    fn the_walk_lists_a_folder_as_walkdir_sorts_it_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let names = ["a", "a-b", "a.b", "a0", "B", "b", "é", "z", "ab", "a b"];
        for top in ["orders", "orders-old", "orders.x", "Orders"] {
            for sub in ["2026", "2026-1", "2026.1"] {
                let folder = dir.path().join(top).join(sub);
                std::fs::create_dir_all(&folder).unwrap();
                for name in names {
                    std::fs::write(folder.join(format!("{name}.toml")), "").unwrap();
                    std::fs::create_dir_all(folder.join(name)).unwrap();
                    std::fs::write(folder.join(name).join("x.toml"), "").unwrap();
                }
            }
        }
        let walk = |w: walkdir::WalkDir| -> Vec<std::path::PathBuf> {
            w.into_iter().map(|e| e.unwrap().into_path()).collect()
        };
        for root in [dir.path().to_path_buf(), dir.path().join("orders/")] {
            let ours = walk(walkdir::WalkDir::new(&root).sort_by(by_name));
            let theirs = walk(walkdir::WalkDir::new(&root).sort_by_file_name());
            assert!(ours.len() > names.len() * 2, "{}", ours.len());
            assert_eq!(ours, theirs);
        }
    }

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
