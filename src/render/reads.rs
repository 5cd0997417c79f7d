//! What each record page read of other records while its view was built,
//! so that a rebuild can tell the page is unchanged without building it.
//!
//! A record's page shows its own file, and pieces of other records: the
//! row of each order on its customer's page, the customer's name beside
//! an order's link, which flow sheets an order has. Fingerprinting every
//! view to find the few that changed costs as much as building them all
//! (a second for 23,000 pages), and a fingerprint of inputs written by
//! hand forgets one sooner or later: the day a page shows something new.
//!
//! So the reads are recorded where they happen. The few `Cx` helpers
//! that hand one record's data to another's page (a link, a list row, a
//! relation) [`note`] what they were asked for while a page is being
//! built ([`recording`]); the site keeps each page's reads beside it
//! (`.docket-reads`). The next build fingerprints a page from its own
//! parts and the current value of each thing it read last time (`pages.rs`): the
//! value is made by the same helper that made the page, so it cannot
//! miss what the page shows of it. If nothing the page read has changed,
//! nothing it would decide to read has either, and the page is taken as
//! it is. With `DOCKET_VERIFY_READS=1` (the test suite sets it) every
//! page taken this way is built anyway and must hash as it did when it
//! was rendered: a page that depends on something it did not note fails
//! the build, rather than serving yesterday's page.

use crate::kind::Kind;
use rayon::slice::ParallelSliceMut;
use std::cell::RefCell;
use std::collections::BTreeSet;

// Page paths share long prefixes, which a `BTreeMap` compares over and
// over: the maps of pages are `Lookup`s.
use crate::Lookup;

/// The value of each list row built in this build, by kind and id: a
/// list page builds the row of every record of its kind, and the record
/// pages that read a row ([`Read::Row`]) take its value from here rather
/// than build it again (at 50,000 orders, a quarter of a second of work
/// on each rebuild). The value is made by one function wherever the row
/// is built ([`value_of`]), so both ways agree.
#[derive(Default)]
pub struct Rows(std::sync::RwLock<Lookup<(Kind, String), u64>>);

impl Rows {
    pub fn get(&self, kind: Kind, id: &str) -> Option<u64> {
        let rows = self.0.read().unwrap_or_else(|e| e.into_inner());
        // The key is borrowed for the lookup: no id copied for each read.
        rows.get(&(kind, id) as &dyn RowKey).copied()
    }

    /// Keep the values of rows of `kind`, by id, under one lock: a list
    /// page of a big company has tens of thousands.
    pub fn keep<'i>(&self, kind: Kind, values: impl IntoIterator<Item = (&'i str, u64)>) {
        let mut rows = self.0.write().unwrap_or_else(|e| e.into_inner());
        for (id, v) in values {
            if !rows.contains_key(&(kind, id) as &dyn RowKey) {
                rows.insert((kind, id.to_string()), v);
            }
        }
    }
}

/// A row's key, owned or borrowed, hashed and compared alike.
trait RowKey {
    fn key(&self) -> (Kind, &str);
}

impl RowKey for (Kind, String) {
    fn key(&self) -> (Kind, &str) {
        (self.0, &self.1)
    }
}

impl RowKey for (Kind, &str) {
    fn key(&self) -> (Kind, &str) {
        *self
    }
}

impl<'a> std::borrow::Borrow<dyn RowKey + 'a> for (Kind, String) {
    fn borrow(&self) -> &(dyn RowKey + 'a) {
        self
    }
}

impl PartialEq for dyn RowKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for dyn RowKey + '_ {}

impl std::hash::Hash for dyn RowKey + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// The value of something a page read: a hash of what the page was
/// shown of it, made the same way wherever it is made (a row by a list
/// page, any read by the record pages' fingerprints).
pub fn value_of(shown: &impl std::hash::Hash) -> u64 {
    crate::fingerprint::Fingerprint::new(1).hash(shown).finish()
}

/// One thing a page read of another record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Read {
    /// A link to a record: its text (a customer's name) and whether it
    /// has a page.
    Link(String),
    /// A record's row in a list table.
    Row(Kind, String),
    /// Which records of a kind belong to a record (a customer's orders).
    Related(Kind, String, Kind),
    /// An order's flow sheets.
    Flowsheets(String),
    /// A person's name and link, by id (people.toml is read as values,
    /// not as part of every page's seed: a new employee lays out only
    /// the pages that name her).
    Person(String),
}

impl Read {
    #[cfg(test)]
    fn text(&self) -> String {
        let mut text = String::new();
        self.write_text(&mut text);
        text
    }

    /// One line of `.docket-reads`, into `out` (a rebuild writes every
    /// page's reads again, a hundred thousand pages at 50,000 orders); the
    /// id comes last, so it may hold anything but a newline (which JSON
    /// escapes).
    fn write_text(&self, out: &mut String) {
        let mut put = |parts: &[&str]| {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(part);
            }
        };
        match self {
            Read::Link(id) => put(&["link", id]),
            Read::Row(k, id) => put(&["row", k.folder(), id]),
            Read::Related(k, id, of) => put(&["related", k.folder(), of.folder(), id]),
            Read::Flowsheets(id) => put(&["flowsheets", id]),
            Read::Person(id) => put(&["person", id]),
        }
    }

    fn parse(text: &str) -> Option<Read> {
        let (tag, rest) = text.split_once(' ')?;
        let kind = |s: &str| -> Option<(Kind, String)> {
            let (k, id) = s.split_once(' ')?;
            Some((Kind::from_folder(k)?, id.to_string()))
        };
        match tag {
            "link" => Some(Read::Link(rest.to_string())),
            "row" => kind(rest).map(|(k, id)| Read::Row(k, id)),
            "related" => {
                let (k, rest) = rest.split_once(' ')?;
                let (of, id) = kind(rest)?;
                Some(Read::Related(Kind::from_folder(k)?, id, of))
            }
            "flowsheets" => Some(Read::Flowsheets(rest.to_string())),
            "person" => Some(Read::Person(rest.to_string())),
            _ => None,
        }
    }
}

thread_local! {
    /// The reads of the page being built on this thread, if one is.
    static READS: RefCell<Option<BTreeSet<Read>>> = const { RefCell::new(None) };
}

/// Note that the page being built read `read` (nothing when none is).
pub fn note(read: impl FnOnce() -> Read) {
    READS.with(|r| {
        if let Some(set) = r.borrow_mut().as_mut() {
            set.insert(read());
        }
    });
}

/// Run `build` (a page's view, built on this thread), and what it read.
pub fn recording<T>(build: impl FnOnce() -> T) -> (T, Vec<Read>) {
    let outer = READS.with(|r| r.replace(Some(BTreeSet::new())));
    let out = build();
    let reads = READS.with(|r| r.replace(outer)).unwrap_or_default();
    (out, reads.into_iter().collect())
}

/// Each page's reads and the hash of its view when it was rendered, as
/// the previous build kept them.
#[derive(Debug, Default)]
pub struct Kept {
    pub pages: Lookup<String, (u64, Vec<Read>)>,
}

/// The file name of the kept reads inside a site.
pub const FILE: &str = ".docket-reads";
const FORMAT: u32 = 1;

#[cfg(test)]
#[derive(serde::Serialize)]
struct KeptFile {
    format: u32,
    /// The seed of the build that kept the reads: every page's fingerprint
    /// starts from it. Absent from files written before December 2026.
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    /// page -> (view hash, reads)
    pages: std::collections::BTreeMap<String, (u64, Vec<String>)>,
}

/// The file as read, on one core beside the making of the render
/// context, which it outlasted at 50,000 orders: the pages hashed, not
/// put in order, and each read parsed from the file's bytes as it is met,
/// not copied into a string first.
#[derive(serde::Deserialize)]
struct KeptFileIn {
    format: u32,
    /// The seed of the build that kept the reads: every page's fingerprint
    /// starts from it. Absent from files written before December 2026.
    #[serde(default)]
    seed: Option<u64>,
    pages: Lookup<String, (u64, Vec<Read>)>,
}

impl<'de> serde::Deserialize<'de> for Read {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Read, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Read;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a read, as `.docket-reads` writes it")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Read, E> {
                Read::parse(text).ok_or_else(|| E::custom("an unknown read"))
            }
        }
        d.deserialize_str(Text)
    }
}

impl Kept {
    /// Read a previous site's reads, with the seed they were kept under
    /// ([`Kept::under`] takes them only under this build's); `None` for
    /// anything unreadable, of another format or naming an unknown read
    /// (every page is built). Read beside the making of the render
    /// context, before this build's seed is known.
    pub fn parse(bytes: &[u8]) -> Option<(Option<u64>, Kept)> {
        // An unknown read fails the whole file, as an unreadable one does.
        let file = serde_json::from_slice::<KeptFileIn>(bytes).ok()?;
        (file.format == FORMAT).then_some((file.seed, Kept { pages: file.pages }))
    }

    /// The reads [`Kept::parse`] read, if they were kept under `seed`.
    /// Under another seed (another version of docket, docket.toml
    /// changed) every fingerprint starts elsewhere, so no
    /// page of that site can be taken: they are let go at once rather
    /// than held (about 50 MiB at 50,000 orders) while every page is
    /// rendered again, the build's peak of memory.
    pub fn under(parsed: Option<(Option<u64>, Kept)>, seed: u64) -> Kept {
        match parsed {
            Some((kept_seed, kept)) if kept_seed.is_none_or(|s| s == seed) => kept,
            _ => Kept::default(),
        }
    }
}

/// The reads of this build's pages, as they are built: each page's entry
/// is kept as the JSON text it will have in `.docket-reads`, not as
/// values. For 100,000 pages the values took about 40 MB, and making the
/// file from them copied them all again, and then the file's bytes, at
/// the moment the build's memory peaked (the last record page); the text
/// is written out as it is kept.
#[derive(Debug, Default)]
pub struct Keeping {
    /// In the order kept; put in page order once, when written.
    pages: Vec<(String, Box<str>)>,
}

/// A page's view hash and reads as its entry in `.docket-reads`: made
/// before taking the lock the pages share.
pub fn entry(view: u64, reads: &[Read]) -> Box<str> {
    // The bytes `serde_json` makes of `(view, [texts])`, each text
    // escaped by it, without a `String` per read.
    let mut out = Vec::with_capacity(24 + 32 * reads.len());
    // Into the buffer, not through a string of its own: a page each.
    let _ = std::io::Write::write_fmt(&mut out, format_args!("[{view},["));
    let mut text = String::new();
    for (i, read) in reads.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        text.clear();
        read.write_text(&mut text);
        // Writing a string into a vector cannot fail.
        let _ = serde_json::to_writer(&mut out, text.as_str());
    }
    out.extend_from_slice(b"]]");
    String::from_utf8(out).unwrap_or_default().into_boxed_str()
}

impl Keeping {
    /// Keep `page`'s [`entry`] (a later entry for the same page replaces
    /// the earlier, as a map would).
    pub fn keep(&mut self, page: String, entry: Box<str>) {
        self.pages.push((page, entry));
    }

    /// Write the file, kept under `seed`: the same bytes `serde_json`
    /// makes of a `KeptFile` (compact, pages in order), which
    /// [`Kept::parse`] reads.
    pub fn write(mut self, w: &mut impl std::io::Write, seed: u64) -> std::io::Result<()> {
        // Stable: of one page's entries, the last kept comes last, and is
        // the one kept.
        self.pages.par_sort_by(|a, b| a.0.cmp(&b.0));
        let mut pages: Vec<(String, Box<str>)> = Vec::with_capacity(self.pages.len());
        for p in self.pages {
            match pages.last_mut() {
                Some(last) if last.0 == p.0 => *last = p,
                _ => pages.push(p),
            }
        }
        write!(w, "{{\"format\":{FORMAT},\"seed\":{seed},\"pages\":{{")?;
        for (i, (page, entry)) in pages.iter().enumerate() {
            if i > 0 {
                w.write_all(b",")?;
            }
            serde_json::to_writer(&mut *w, page)?;
            w.write_all(b":")?;
            w.write_all(entry.as_bytes())?;
        }
        w.write_all(b"}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_survive_their_text_whatever_the_id() {
        for r in [
            Read::Link("C-0001".into()),
            Read::Row(Kind::Order, "SO 2026 0001".into()),
            Read::Related(Kind::Customer, "C 1".into(), Kind::Capa),
            Read::Flowsheets("SO-2026-0001".into()),
            Read::Person("li sales \"x\"".into()),
        ] {
            assert_eq!(Read::parse(&r.text()), Some(r));
        }
        assert_eq!(Read::parse("row nowhere X"), None);
    }

    #[test]
    fn reads_are_noted_only_while_recording() {
        note(|| Read::Link("lost".into()));
        let ((), reads) = recording(|| {
            note(|| Read::Link("B".into()));
            note(|| Read::Link("A".into()));
            note(|| Read::Link("B".into()));
        });
        assert_eq!(reads, vec![Read::Link("A".into()), Read::Link("B".into())]);
    }

    #[test]
    fn kept_text_is_what_serde_makes_of_the_file_and_reads_back() {
        let pages = [
            ("orders/B.html", 7u64, vec![Read::Link("C \"1\"\n".into())]),
            ("orders/A.html", u64::MAX, vec![]),
            (
                "customers/\u{8a02}.html",
                0,
                vec![
                    Read::Row(Kind::Order, "SO-1".into()),
                    Read::Flowsheets("SO-1".into()),
                ],
            ),
        ];
        let mut keeping = Keeping::default();
        let seed = u64::MAX - 1;
        let mut file = KeptFile {
            format: FORMAT,
            seed: Some(seed),
            pages: std::collections::BTreeMap::new(),
        };
        // Kept twice: the later entry is the one written.
        keeping.keep("orders/B.html".into(), entry(1, &[]));
        for (page, view, reads) in &pages {
            keeping.keep(page.to_string(), entry(*view, reads));
            let texts = reads.iter().map(Read::text).collect();
            file.pages.insert(page.to_string(), (*view, texts));
        }
        let mut bytes = Vec::new();
        keeping.write(&mut bytes, seed).unwrap();
        assert_eq!(bytes, serde_json::to_vec(&file).unwrap());
        let back = Kept::under(Kept::parse(&bytes), seed);
        assert_eq!(back.pages.len(), 3);
        assert_eq!(back.pages["orders/B.html"], (7, pages[0].2.clone()));
        assert_eq!(back.pages["customers/\u{8a02}.html"].1, pages[2].2);
    }

    /// Reads kept under another seed lend nothing, whichever way the
    /// seeds differ (one a prefix of the other's digits included); a file
    /// from before seeds were kept is read as it was.
    #[test]
    fn reads_kept_under_another_seed_are_not_read() {
        let mut keeping = Keeping::default();
        keeping.keep(
            "orders/A.html".into(),
            entry(3, &[Read::Link("C-1".into())]),
        );
        let mut bytes = Vec::new();
        keeping.write(&mut bytes, 12).unwrap();
        assert_eq!(Kept::under(Kept::parse(&bytes), 12).pages.len(), 1);
        for other in [1, 120, 2, 0, u64::MAX] {
            assert!(
                Kept::under(Kept::parse(&bytes), other).pages.is_empty(),
                "{other}"
            );
        }
        let older = br#"{"format":1,"pages":{"orders/A.html":[3,["link C-1"]]}}"#;
        assert_eq!(Kept::under(Kept::parse(older), 12).pages.len(), 1);
        let reordered = br#"{"pages":{"orders/A.html":[3,["link C-1"]]},"seed":7,"format":1}"#;
        assert!(Kept::under(Kept::parse(reordered), 12).pages.is_empty());
        assert_eq!(Kept::under(Kept::parse(reordered), 7).pages.len(), 1);
    }

    /// A file naming a read this docket does not know, or holding
    /// anything but texts where the reads go, or of another format, lends
    /// no page: every page is laid out, none taken on a read misread.
    #[test]
    fn a_kept_file_with_a_read_unknown_lends_nothing() {
        let good = br#"{"format":1,"pages":{"a.html":[3,["link C-1"]],"b.html":[4,[]]}}"#;
        assert_eq!(Kept::under(Kept::parse(good), 1).pages.len(), 2);
        for bad in [
            &br#"{"format":1,"pages":{"a.html":[3,["link C-1"]],"b.html":[4,["mystery x"]]}}"#[..],
            br#"{"format":1,"pages":{"a.html":[3,["link C-1"]],"b.html":[4,[7]]}}"#,
            br#"{"format":1,"pages":{"a.html":[3,["row nowhere C-1"]]}}"#,
            br#"{"format":2,"pages":{"a.html":[3,["link C-1"]]}}"#,
            br#"{"format":1,"pages":{"a.html":[3,["link C-1"]]}"#,
        ] {
            assert!(
                Kept::parse(bad).is_none(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
