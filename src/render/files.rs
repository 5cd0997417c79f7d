//! Attachments: the customer's own order, a fax scan, test evidence.
//!
//! An attachment is named relative to its record's folder. The site copies
//! it to `files/<path below the records root>` and links it with its size
//! and git blob id (what an auditor compares with the repository). A path
//! is only ever built from a name the loader found on disk below the
//! records root (`Model::files`), after resolving `.` and `..` without
//! touching the file system, so no record can make the site copy or link
//! anything outside the repository.

use super::context::Cx;
use super::views::{Block, Cell, Table};
use crate::model::Meta;

/// The attachment's path below the records root, if it is a file the
/// loader saw there.
pub fn resolve(cx: &Cx, meta: &Meta, name: &str) -> Option<String> {
    let dir = meta.file.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in name.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let rel = parts.join("/");
    let safe = parts
        .iter()
        .all(|p| !p.starts_with('.') && !p.contains(['\0', ':']));
    (safe && cx.model.files.contains(&rel)).then_some(rel)
}

/// A site path as an href: each segment percent-encoded.
pub fn href(rel: &str) -> String {
    let mut out = String::from("files");
    for seg in rel.split('/') {
        out.push('/');
        for b in seg.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Size and git blob id of an attachment, read from the records root.
fn describe(cx: &Cx, rel: &str) -> Option<(u64, String)> {
    let bytes = std::fs::read(cx.model.root.join(rel)).ok()?;
    let oid = git2::Oid::hash_object(git2::ObjectType::Blob, &bytes).ok()?;
    Some((bytes.len() as u64, oid.to_string()))
}

fn size(n: u64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

/// The attachments block of a record page.
pub fn attachments_block(cx: &Cx, meta: &Meta) -> Option<Block> {
    if meta.attachments.is_empty() {
        return None;
    }
    let mut table = Table::new(vec![cx.t("file"), cx.t("size"), cx.t("blob")]);
    for a in &meta.attachments {
        match resolve(cx, meta, a).and_then(|rel| describe(cx, &rel).map(|d| (rel, d))) {
            Some((rel, (n, oid))) => table.push(vec![
                Cell::link(a.value.clone(), Some(href(&rel))),
                Cell::text(size(n)),
                Cell::text(oid),
            ]),
            None => table.push(vec![
                Cell::text(a.value.clone()).class("error"),
                Cell::default(),
                Cell::default(),
            ]),
        }
    }
    Some(Block::table(cx.t("attachments"), table))
}

/// Every attachment to copy: (path below the records root).
pub fn to_copy(cx: &Cx) -> Vec<String> {
    let mut out: Vec<String> = cx
        .model
        .metas()
        .flat_map(|meta| meta.attachments.iter().filter_map(|a| resolve(cx, meta, a)))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_encoded() {
        assert_eq!(
            href("orders/2026/SO 1/po#1.pdf"),
            "files/orders/2026/SO%201/po%231.pdf"
        );
    }
}
