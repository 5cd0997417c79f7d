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

/// The day as of which the example records check clean: their story ends
/// in November 2026, and a later "today" makes its open orders overdue.
pub const EXAMPLE_AS_OF: &str = "2026-11-26";

/// Whether `blob` (a git blob id, hex) is the example's file at `rel`
/// (relative to the records root) byte for byte, as this docket ships it.
/// Such a file is docket's invention, never a company's record: removing
/// it removes nothing the company kept.
pub fn is_shipped(rel: &str, blob: &str) -> bool {
    EXAMPLE.get_file(rel).is_some_and(|f| {
        git2::Oid::hash_object(git2::ObjectType::Blob, f.contents())
            .is_ok_and(|id| id.to_string() == blob)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_shipped_file_is_known_by_its_blob_and_path() {
        let text = super::file("customers/C-0001.toml").expect("an example customer");
        let blob = git2::Oid::hash_object(git2::ObjectType::Blob, text.as_bytes())
            .unwrap()
            .to_string();
        assert!(super::is_shipped("customers/C-0001.toml", &blob));
        assert!(
            !super::is_shipped("customers/C-0002.toml", &blob),
            "another path"
        );
        let edited = git2::Oid::hash_object(git2::ObjectType::Blob, format!("{text}\n").as_bytes())
            .unwrap()
            .to_string();
        assert!(
            !super::is_shipped("customers/C-0001.toml", &edited),
            "edited"
        );
    }
}
