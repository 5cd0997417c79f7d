//! Whether git may store a file as other bytes than the working tree
//! holds: what decides if its index can vouch for the bytes docket reads.
//!
//! The index names the blob git would store for a file (its "clean"
//! form) and the file's stat. Where no conversion applies, that blob is
//! the hash of the file's bytes, and a file whose stat is the recorded
//! one holds it: docket then neither reads nor hashes it (`stat.rs`).
//! Where git converts (line endings under `core.autocrlf` or the `text`,
//! `eol` and `crlf` attributes; `ident`; a `filter` such as Git LFS; a
//! `working-tree-encoding`), the blob is the converted text, not the
//! bytes on disk: a token git rewrote with CRLF line endings is not the
//! token that verified, and a record checked out with them is not the
//! committed file byte for byte. Trusting the index there would make the
//! answer depend on how fresh the index is, and keep a token's verdict
//! for bytes no longer on disk.
//!
//! So the index vouches for nothing in a repository where git may
//! convert a file docket reads. Asking libgit2 for each file's attributes
//! costs more than hashing the file, so the attribute files themselves are
//! read, conservatively: a line counts unless its pattern is `*.EXT` for an
//! extension docket never reads through the index (`*.pdf filter=lfs`
//! leaves the records alone), or every attribute it sets is one that
//! converts nothing (`binary`, `-text`, `diff`...). An attribute docket
//! does not know (a macro, say) counts as converting.

use std::path::Path;

/// The extensions of the files the index may vouch for: records and
/// configuration (`.toml`), the procedure (`.md`), timestamp tokens
/// (`.tsr`) and the TSA certificates (`.pem`).
const READ: &[&str] = &["toml", "md", "tsr", "pem"];

/// The attributes that change a file's bytes between the working tree
/// and git's objects when set or given a value.
const CONVERTING: &[&str] = &[
    "text",
    "eol",
    "crlf",
    "ident",
    "filter",
    "working-tree-encoding",
];

/// The attributes, and git's built-in macro, that change no bytes.
const INERT: &[&str] = &[
    "binary",
    "diff",
    "merge",
    "whitespace",
    "export-ignore",
    "export-subst",
    "delta",
    "lockable",
];

/// Whether git may convert a file docket reads in `repo`, whose index
/// lists `paths` (every entry, from the work tree's top).
pub(super) fn may_convert<'p>(
    repo: &git2::Repository,
    paths: impl Iterator<Item = &'p [u8]>,
) -> bool {
    let config = repo.config().ok();
    let setting = |name: &str| config.as_ref().and_then(|c| c.get_string(name).ok());
    // `core.autocrlf` is a boolean or `input`: anything but false converts.
    if setting("core.autocrlf").is_some_and(|v| {
        !matches!(
            v.to_ascii_lowercase().as_str(),
            "false" | "no" | "off" | "0"
        )
    }) {
        return true;
    }
    let mut files = vec![repo.commondir().join("info/attributes")];
    match setting("core.attributesFile") {
        Some(f) => files.push(home_relative(&f)),
        None => files.extend(xdg_attributes()),
    }
    if let Ok(system) = git2::Config::find_system()
        && let Some(dir) = system.parent()
    {
        files.push(dir.join("gitattributes"));
    }
    // A `.gitattributes` applies below its folder, tracked or not: every
    // folder that holds an indexed file is looked in, and its parents.
    if let Some(top) = repo.workdir() {
        let mut folders = std::collections::BTreeSet::from([String::new()]);
        for path in paths {
            let path = String::from_utf8_lossy(path);
            let mut at = path.as_ref();
            while let Some((parent, _)) = at.rsplit_once('/') {
                if folders.contains(parent) {
                    break;
                }
                folders.insert(parent.to_string());
                at = parent;
            }
        }
        files.extend(folders.iter().map(|f| top.join(f).join(".gitattributes")));
    }
    files.iter().any(|f| converts_in(f))
}

/// Whether the attributes file at `path` may convert a file docket
/// reads; one that cannot be read but exists is taken to.
fn converts_in(path: &Path) -> bool {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).lines().any(converts),
        Err(e) => e.kind() != std::io::ErrorKind::NotFound,
    }
}

/// Whether one line of an attributes file may convert a file docket reads.
fn converts(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let Some(pattern) = words.next().filter(|w| !w.starts_with('#')) else {
        return false;
    };
    // A macro's definition (`[attr]name ...`) counts by what it sets,
    // wherever it is used.
    if !pattern.starts_with("[attr]") && !reaches_read(pattern) {
        return false;
    }
    words.any(|attr| {
        // Unset (`-text`) or unspecified (`!text`) converts nothing.
        if attr.starts_with('-') || attr.starts_with('!') {
            return false;
        }
        let name = attr.split_once('=').map_or(attr, |(n, _)| n);
        if CONVERTING.contains(&name) {
            return true;
        }
        !(INERT.contains(&name) || name.starts_with("linguist-"))
    })
}

/// Whether files matching `pattern` may be files docket reads: every
/// pattern but `*.EXT` for another extension (compared without case, as
/// a file system may).
fn reaches_read(pattern: &str) -> bool {
    let Some(ext) = pattern.strip_prefix("*.") else {
        return true;
    };
    if ext.contains(['/', '*', '?', '[', '\\', '"', '.']) {
        return true;
    }
    READ.iter().any(|r| r.eq_ignore_ascii_case(ext))
}

/// `~/x` as git expands it in `core.attributesFile`.
fn home_relative(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => path.into(),
    }
}

/// git's default user attributes file, when `core.attributesFile` is not
/// set: `$XDG_CONFIG_HOME/git/attributes`, or `~/.config/git/attributes`.
fn xdg_attributes() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")))?;
    Some(base.join("git/attributes"))
}

#[cfg(test)]
mod tests {
    use super::converts;

    #[test]
    fn lines_that_convert_what_docket_reads() {
        for line in [
            "* text=auto",
            "*.toml text eol=crlf",
            "timestamps/*.tsr text eol=crlf",
            "*.TSR eol=lf",
            "*.toml filter=lfs diff=lfs merge=lfs -text",
            "*.md ident",
            "*.toml working-tree-encoding=UTF-16LE",
            "*.toml crlf",
            "*.toml mymacro",
            "[attr]mymacro text eol=crlf",
            "orders/** filter=secret",
            "\"*.toml\" text",
        ] {
            assert!(converts(line), "{line}");
        }
    }

    #[test]
    fn lines_that_convert_nothing_docket_reads() {
        for line in [
            "",
            "# *.toml text eol=crlf",
            "*.pdf filter=lfs diff=lfs merge=lfs -text",
            "*.png binary",
            "*.tsr binary",
            "*.toml -text",
            "*.toml !eol diff",
            "* whitespace=trailing-space linguist-generated",
            "*.toml",
            "[attr]inert -diff -merge",
        ] {
            assert!(!converts(line), "{line}");
        }
    }
}
