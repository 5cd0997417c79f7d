//! The example records repository (the project's own `records/` folder),
//! embedded in the binary.
//!
//! `docket init` writes it out, so an installed docket scaffolds a
//! repository without the source tree, and `docket demo` gives its
//! generated company the same procedure. Both commands build on it, so it
//! sits below them both instead of inside one of them.

use include_dir::{Dir, include_dir};

/// Every file of the example repository.
pub static EXAMPLE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/records");

/// A file of the example repository, such as `procedure.md`.
pub fn file(path: &str) -> Option<&'static str> {
    EXAMPLE.get_file(path).and_then(|f| f.contents_utf8())
}
