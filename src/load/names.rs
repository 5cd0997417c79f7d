//! Names given in records, resolved without touching the disk.
//!
//! An attachment is named relative to its record's folder, with `/` only:
//! a `\\` would name different files on Windows and Unix, a `:` a drive or
//! a Windows stream. These functions say what path below the root a name
//! means, or why it means none, before the guard ([`super::Guard`]) looks
//! at the disk; and which names are active content a browser would run.

use super::refused::Refused;
use crate::kind::Kind;

/// Extensions of active content, lower case.
const ACTIVE: &[&str] = &["html", "htm", "xhtml", "svg", "xml", "js", "mjs"];

/// Whether a file name has an active extension (case does not matter).
pub fn is_active(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    file.rsplit_once('.')
        .is_some_and(|(_, ext)| ACTIVE.iter().any(|a| a.eq_ignore_ascii_case(ext)))
}

/// Characters refused in any name: `\` (a separator on Windows, a letter
/// on Unix), `:` (drive letters, Windows streams) and NUL.
pub(super) fn check_name(name: &str) -> Result<(), Refused> {
    if name.contains('\\') {
        return Err(Refused::BadName("\\"));
    }
    if name.contains(':') {
        return Err(Refused::BadName(":"));
    }
    if name.contains('\0') {
        return Err(Refused::BadName("a NUL character"));
    }
    Ok(())
}

/// The path below the root of the attachment `name` of the record in
/// `record_file` (names are relative to the record's folder), without
/// touching the disk; or why it names none.
pub fn attachment_path(record_file: &str, name: &str) -> Result<String, Refused> {
    let dir = record_file.rsplit_once('/').map_or("", |(d, _)| d);
    join(dir, name)
}

/// Whether `rel` is a plain name of a file below the root: relative,
/// `/`-separated, no `..`, `.`, empty or hidden part, no character that
/// means different things on different systems.
pub fn plain_name(rel: &str) -> bool {
    check_name(rel).is_ok()
        && !rel.starts_with('/')
        && rel
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != ".." && !p.starts_with('.'))
}

/// `name` resolved against the folder `dir` (both `/`-separated, below the
/// root) without touching the disk: the path below the root it names, or
/// why it names none. It must lie below a record kind's folder.
pub fn join(dir: &str, name: &str) -> Result<String, Refused> {
    check_name(name)?;
    if name.starts_with('/') {
        return Err(Refused::Outside);
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in name.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or(Refused::Outside)?;
            }
            s => parts.push(s),
        }
    }
    if parts.iter().any(|p| p.starts_with('.')) {
        return Err(Refused::Hidden);
    }
    // A kind folder itself, or anything outside the kind folders, is not
    // an attachment.
    if parts.len() < 2 || Kind::from_folder(parts[0]).is_none() {
        return Err(Refused::NotInRecords);
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_resolved_below_the_record_folders() {
        let dir = "orders/2026";
        assert_eq!(
            join(dir, "SO-2026-0001/po.pdf").as_deref(),
            Ok("orders/2026/SO-2026-0001/po.pdf")
        );
        assert_eq!(join(dir, "./../po.pdf").as_deref(), Ok("orders/po.pdf"));
        assert_eq!(join(dir, "../../po.pdf"), Err(Refused::NotInRecords));
        assert_eq!(
            join(dir, "../../templates/x.css"),
            Err(Refused::NotInRecords)
        );
        assert_eq!(join(dir, "../../../../etc/passwd"), Err(Refused::Outside));
        assert_eq!(join(dir, "/etc/passwd"), Err(Refused::Outside));
        assert_eq!(join(dir, "C:/x.pdf"), Err(Refused::BadName(":")));
        assert_eq!(join(dir, "SO-1\\po.pdf"), Err(Refused::BadName("\\")));
        assert_eq!(join(dir, "SO-1/.env"), Err(Refused::Hidden));
        assert_eq!(join(dir, "../.git/config"), Err(Refused::Hidden));
    }

    #[test]
    fn active_content_is_known_by_extension_in_any_case() {
        for name in [
            "a/po.html",
            "a/x.HTM",
            "a/d.Svg",
            "a/f.xhtml",
            "a/f.xml",
            "a/s.js",
            "a/m.MJS",
        ] {
            assert!(is_active(name), "{name}");
        }
        for name in [
            "a/po.pdf",
            "a/html",
            "a/x.html.pdf",
            "a/scan.png",
            "a/noext",
        ] {
            assert!(!is_active(name), "{name}");
        }
    }
}
