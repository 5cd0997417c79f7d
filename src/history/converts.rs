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
//! costs more than hashing the file, and libgit2 does not read all that
//! git reads, so docket reads the sources itself, the way git does:
//!
//! - the configuration libgit2 reads, the files `GIT_CONFIG_GLOBAL` and
//!   `GIT_CONFIG_SYSTEM` name, and `/usr/local/etc/gitconfig` (a git
//!   built there reads it): `core.autocrlf` converts; `attr.tree` (an
//!   attributes tree never on disk) may; `core.attributesFile` names a
//!   file to read, `~/` from the home folder, a relative path from the
//!   work tree's top;
//! - the environment: `GIT_ATTR_SOURCE`, and `GIT_CONFIG_COUNT` or
//!   `GIT_CONFIG_PARAMETERS` setting one of those keys, may convert;
//! - the attribute files: `info/attributes`, the user's, the system's
//!   (in `/etc` and `/usr/local/etc`), a `.gitattributes` in any folder
//!   that holds a tracked file below the records root or is a parent of
//!   one, and each such tracked `.gitattributes` as the index holds it
//!   (git reads that one where the work tree has none: a sparse
//!   checkout, a file deleted).
//!
//! An attributes line counts unless its pattern is `*.EXT` for an
//! extension docket never reads through the index (`*.pdf filter=lfs`
//! leaves the records alone), or every attribute it sets is one that
//! converts nothing (`binary`, `-text`, `diff`...). An attribute docket
//! does not know (a macro, say) counts as converting. A configuration
//! file libgit2 does not read itself, which docket opens alone, counts as
//! converting if it includes another (libgit2 follows no `includeIf` in
//! a file opened alone). Not read: an `includeIf "hasconfig:..."` that
//! libgit2 does not follow in the files it reads, and the settings a
//! file was checked out under, where they were changed since; the
//! token cache has a second line for both (`crate::tsa::cache`).

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

/// Whether git may convert a file docket reads in `repo`, whose work
/// tree is `top` (as the records root was found: a repository opened by
/// its git folder alone takes the folder's parent for it) and whose
/// records root is `prefix` in it (`""` or `records/`); its index lists
/// `entries` (every path, from the work tree's top, and its blob).
pub(super) fn may_convert<'p>(
    repo: &git2::Repository,
    top: Option<&Path>,
    prefix: &str,
    entries: impl Iterator<Item = (&'p [u8], git2::Oid)>,
) -> bool {
    if from_environment() {
        return true;
    }
    // The configuration libgit2 reads (the repository's, the worktree's,
    // the user's and /etc's), and what git alone reads: the files named
    // by the environment, and a system folder of a git built elsewhere.
    // libgit2 follows no `includeIf` in a file opened alone, so one there
    // may set anything.
    // Values are read as bytes, which libgit2 gives of a snapshot only.
    let Ok(config) = repo.config().and_then(|mut c| c.snapshot()) else {
        return true;
    };
    let mut files = vec![repo.commondir().join("info/attributes")];
    files.extend(xdg_attributes());
    let alone = ["GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM"]
        .iter()
        .filter_map(|v| std::env::var_os(v).filter(|f| !f.is_empty()))
        .chain(["/usr/local/etc/gitconfig".into()]);
    for file in alone {
        if !Path::new(&file).is_file() {
            continue;
        }
        let opened = git2::Config::open(Path::new(&file)).and_then(|mut c| c.snapshot());
        let Ok(opened) = opened else {
            return true;
        };
        if includes(&opened) || settings(&opened, top, &mut files) {
            return true;
        }
    }
    if settings(&config, top, &mut files) {
        return true;
    }
    files.extend(
        ["/etc/gitattributes", "/usr/local/etc/gitattributes"]
            .iter()
            .map(std::path::PathBuf::from),
    );
    if let Ok(system) = git2::Config::find_system()
        && let Some(dir) = system.parent()
    {
        files.push(dir.join("gitattributes"));
    }
    // A `.gitattributes` applies below its folder, tracked or not: every
    // folder that holds a tracked file below the records root is looked
    // in, and its parents up to the top. One elsewhere reaches no file
    // docket reads.
    let mut tracked = Vec::new();
    // Hashed, not ordered: a hundred thousand paths at 50,000 orders, each
    // looked up on every run, in the index's own order.
    let mut folders = crate::LookupSet::from_iter([String::new()]);
    for (path, id) in entries {
        // Checked whole first: the lossy reading goes byte by byte.
        let path = match std::str::from_utf8(path) {
            Ok(path) => std::borrow::Cow::Borrowed(path),
            Err(_) => String::from_utf8_lossy(path),
        };
        if path == ".gitattributes" || path.ends_with("/.gitattributes") {
            let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
            let above = prefix
                .strip_prefix(folder)
                .is_some_and(|rest| folder.is_empty() || rest.starts_with('/'));
            if above || path.starts_with(prefix) {
                tracked.push(id);
            }
        }
        if !path.starts_with(prefix) {
            continue;
        }
        let mut at = path.as_ref();
        while let Some((parent, _)) = at.rsplit_once('/') {
            if folders.contains(parent) {
                break;
            }
            folders.insert(parent.to_string());
            at = parent;
        }
    }
    if let Some(top) = top {
        files.extend(folders.iter().map(|f| top.join(f).join(".gitattributes")));
    }
    // git reads a tracked `.gitattributes` from the index where the work
    // tree has none (deleted, or left out of a sparse checkout).
    let staged = tracked.iter().any(|id| match repo.find_blob(*id) {
        Ok(blob) => String::from_utf8_lossy(blob.content())
            .lines()
            .any(converts),
        Err(_) => true,
    });
    staged || files.iter().any(|f| converts_in(f))
}

/// Whether `config` includes other files (followed or not by libgit2).
fn includes(config: &git2::Config) -> bool {
    let Ok(mut entries) = config.entries(None) else {
        return true;
    };
    let mut found = false;
    while let Some(Ok(e)) = entries.next() {
        let name = e.name_bytes().to_ascii_lowercase();
        found |= name.starts_with(b"include.") || name.starts_with(b"includeif.");
    }
    found
}

/// Whether `config` makes git convert, or may: `core.autocrlf`, attributes
/// read from a tree (`attr.tree`), an attributes file docket cannot
/// place, a setting that is not text. The attributes file it names is
/// added to `files`.
fn settings(
    config: &git2::Config,
    top: Option<&Path>,
    files: &mut Vec<std::path::PathBuf>,
) -> bool {
    // A value that is not UTF-8 is taken as a value all the same.
    let setting = |name: &str| match config.get_bytes(name) {
        Ok(v) => Some(String::from_utf8_lossy(v).into_owned()),
        Err(e) if e.code() == git2::ErrorCode::NotFound => None,
        Err(_) => Some(String::new()),
    };
    // `core.autocrlf` is a boolean or `input`: anything but false converts.
    let autocrlf = setting("core.autocrlf").is_some_and(|v| {
        !matches!(
            v.to_ascii_lowercase().as_str(),
            "false" | "no" | "off" | "0"
        )
    });
    if autocrlf || setting("attr.tree").is_some() {
        return true;
    }
    let Some(file) = setting("core.attributesFile") else {
        return false;
    };
    // git reads `~/` from the home folder, and a relative path from the
    // work tree's top; `~user/` names another user's home.
    let home = std::env::var_os("HOME");
    let place = match (file.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ if file.starts_with('~') || file.is_empty() => return true,
        _ if Path::new(&file).is_absolute() => file.into(),
        _ => match top {
            Some(top) => top.join(file),
            None => return true,
        },
    };
    files.push(place);
    false
}

/// Whether the environment hands git attributes or settings that no file
/// holds: a tree to read attributes from (`GIT_ATTR_SOURCE`), or
/// configuration given on the command line or by CI (`GIT_CONFIG_COUNT`,
/// `GIT_CONFIG_PARAMETERS`) that sets a key deciding conversions or
/// includes a file.
fn from_environment() -> bool {
    const KEYS: &[&str] = &["core.autocrlf", "core.attributesfile", "attr.tree"];
    let decides = |key: &str| {
        let key = key.to_ascii_lowercase();
        KEYS.iter().any(|k| key.contains(k)) || key.contains("include")
    };
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(|v| v.to_string_lossy().into_owned())
    };
    if var("GIT_ATTR_SOURCE").is_some() || var("GIT_CONFIG_PARAMETERS").is_some_and(|p| decides(&p))
    {
        return true;
    }
    // git reads keys 0 to COUNT - 1, and stops at the first missing.
    let count: usize = var("GIT_CONFIG_COUNT")
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (0..count)
        .map_while(|i| var(&format!("GIT_CONFIG_KEY_{i}")))
        .any(|k| decides(&k))
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
    // git splits a line on ASCII blanks only (not on a no-break space,
    // which may be part of a name).
    let mut words = line
        .split([' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty());
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
            // git splits on ASCII blanks: this names `x.pdf\u{a0}.toml`.
            "*.pdf\u{a0}.toml text",
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
