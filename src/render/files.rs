//! Attachments: the customer's own order, a fax scan, test evidence.
//!
//! An attachment is named relative to its record's folder. The site copies
//! it to `files/<path below the records root>` and links it with its size
//! and git blob id (what an auditor compares with the repository). Where
//! it is, and whether it may be read at all, the loader's guard decided
//! once (`Meta::found`): the `attachment-missing` rule reports exactly the
//! attachments this module does not copy, and every byte copied is read
//! through the guard again, so nothing outside the root or hidden in it
//! (`.git/config`) is ever published.
//!
//! Active content (HTML, SVG, XML, scripts) is not published: a page or
//! an SVG with a script would run on the site's own origin, beside the
//! evidence. The record page lists such a file with its size and blob id
//! and says it is kept in the repository only.

use super::context::Cx;
use super::views::{Block, Cell, Table};
use crate::load::Attached;
use crate::model::Meta;

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

/// The git blob id of an attachment, read through the guard.
fn blob_id(cx: &Cx, a: &Attached) -> Option<String> {
    let bytes = cx.model.guard.read(&a.rel, None).ok()?;
    let oid = git2::Oid::hash_object(git2::ObjectType::Blob, &bytes).ok()?;
    Some(oid.to_string())
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
    for (a, found) in meta.attachments.iter().zip(&meta.found) {
        let described = found
            .as_ref()
            .ok()
            .and_then(|f| blob_id(cx, f).map(|oid| (f, oid)));
        match described {
            Some((f, oid)) if f.is_active() => table.push(vec![
                Cell::text(format!("{} ({})", a.value, cx.t("attachment_active"))).class("warning"),
                Cell::text(size(f.size)),
                Cell::text(oid),
            ]),
            Some((f, oid)) => table.push(vec![
                Cell::link(a.value.clone(), Some(href(&f.rel))),
                Cell::text(size(f.size)),
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

/// Every attachment to copy into the site: its path below the records
/// root. Refused and active ones are not.
pub fn to_copy(cx: &Cx) -> Vec<String> {
    let mut out: Vec<String> = cx
        .model
        .metas()
        .flat_map(|meta| meta.found.iter().filter_map(|f| f.as_ref().ok()))
        .filter(|f| !f.is_active())
        .map(|f| f.rel.clone())
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
