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
use rayon::prelude::*;
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

/// What the previous build kept: every distinct read once, in order, and
/// each page's view hash and reads by their numbers in that table.
///
/// At 50,000 orders a hundred thousand pages made 630,000 reads of
/// 200,000 distinct things (an order's row is read by its customer's
/// page, its product's, its flow sheets'...). Written as text for each
/// page, the file held every read three times over, and the next build
/// parsed each copy, then looked each up by its text to share its value
/// between pages. By number, each distinct read is parsed once, its value
/// made once, and a page's fingerprint takes it by its index.
#[derive(Debug, Default)]
pub struct Kept {
    /// Every read a kept page made, once each, in `Read`'s order.
    pub reads: Vec<Read>,
    /// page -> (view hash, the numbers of its reads in `reads`, ascending)
    pub pages: Lookup<String, (u64, Vec<u32>)>,
}

/// The file name of the kept reads inside a site.
pub const FILE: &str = ".docket-reads";
/// 2: each distinct read once, pages by number (December 2026); 1 wrote
/// every page's reads as texts.
const FORMAT: u32 = 2;

/// The file as read, on one core beside the making of the render
/// context: the pages hashed, not put in order, and each read parsed
/// from the file's bytes as it is met, not copied into a string first.
#[derive(serde::Deserialize)]
struct KeptFileIn {
    format: u32,
    /// The seed of the build that kept the reads: every page's fingerprint
    /// starts from it.
    seed: u64,
    reads: Vec<Read>,
    pages: Lookup<String, (u64, Vec<u32>)>,
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

/// Whether `v` is strictly ascending: a table without duplicates, a
/// page's numbers as they were written.
fn ascending<T: Ord>(v: &[T]) -> bool {
    v.windows(2).all(|w| w[0] < w[1])
}

impl Kept {
    /// Read a previous site's reads, with the seed they were kept under
    /// ([`Kept::under`] takes them only under this build's); `None` for
    /// anything unreadable, of another format, naming an unknown read,
    /// with a table out of order or a number past its end (every page is
    /// built). Read beside the making of the render context, before this
    /// build's seed is known.
    pub fn parse(bytes: &[u8]) -> Option<(u64, Kept)> {
        // An unknown read fails the whole file, as an unreadable one does.
        let file = serde_json::from_slice::<KeptFileIn>(bytes).ok()?;
        let len = file.reads.len();
        let sound = file.format == FORMAT
            && ascending(&file.reads)
            && file.pages.values().all(|(_, numbers)| {
                ascending(numbers) && numbers.last().is_none_or(|&n| (n as usize) < len)
            });
        sound.then_some((
            file.seed,
            Kept {
                reads: file.reads,
                pages: file.pages,
            },
        ))
    }

    /// The reads [`Kept::parse`] read, if they were kept under `seed`.
    /// Under another seed (another version of docket, docket.toml
    /// changed) every fingerprint starts elsewhere, so no
    /// page of that site can be taken: they are let go at once rather
    /// than held (about 50 MiB at 50,000 orders) while every page is
    /// rendered again, the build's peak of memory.
    pub fn under(parsed: Option<(u64, Kept)>, seed: u64) -> Kept {
        match parsed {
            Some((kept_seed, kept)) if kept_seed == seed => kept,
            _ => Kept::default(),
        }
    }
}

/// A page's view hash and reads, as this build has them.
#[derive(Debug)]
pub enum Entry {
    /// Taken from the previous build: its reads by their numbers in the
    /// previous build's table ([`Kept::reads`]).
    Kept(u64, Vec<u32>),
    /// Laid out in this build: what it read, in order, each once (as
    /// [`recording`] gives them).
    Made(u64, Vec<Read>),
}

/// The reads of this build's pages, as they are built.
#[derive(Debug, Default)]
pub struct Keeping {
    /// In the order kept; put in page order once, when written.
    pages: Vec<(String, Entry)>,
}

impl Keeping {
    /// Keep `page`'s entry (a later entry for the same page replaces the
    /// earlier, as a map would).
    pub fn keep(&mut self, page: String, entry: Entry) {
        self.pages.push((page, entry));
    }

    /// Write the file, kept under `seed`, its pages' kept numbers being
    /// in `previous` (the previous build's table). The file is the same,
    /// byte for byte, whichever pages were taken and which laid out: the
    /// table holds the reads the pages make, each once, in order, so a
    /// rebuild keeps what a cold build would.
    pub fn write(
        mut self,
        w: &mut impl std::io::Write,
        seed: u64,
        previous: &[Read],
    ) -> std::io::Result<()> {
        // Stable: of one page's entries, the last kept comes last, and is
        // the one kept.
        self.pages.par_sort_by(|a, b| a.0.cmp(&b.0));
        let mut pages: Vec<(String, Entry)> = Vec::with_capacity(self.pages.len());
        for p in self.pages {
            match pages.last_mut() {
                Some(last) if last.0 == p.0 => *last = p,
                _ => pages.push(p),
            }
        }
        // The previous table's reads still made, and the reads it lacks
        // (after a rebuild, those of the few pages laid out; after a cold
        // build, all of them).
        let mut used = vec![false; previous.len()];
        for (_, entry) in &pages {
            let numbers = match entry {
                Entry::Kept(_, numbers) => numbers,
                Entry::Made(..) => continue,
            };
            for &n in numbers {
                used[n as usize] = true;
            }
        }
        // The made reads, searched in the previous table and sorted on
        // every core: after a cold build, 630,000 of them at 50,000 orders.
        let found: Vec<Result<usize, &Read>> = pages
            .par_iter()
            .flat_map_iter(|(_, entry)| match entry {
                Entry::Made(_, reads) => &reads[..],
                Entry::Kept(..) => &[],
            })
            .map(|r| previous.binary_search(r).map_err(|_| r))
            .collect();
        let made = found.len();
        let mut new: Vec<&Read> = Vec::new();
        for f in found {
            match f {
                Ok(n) => used[n] = true,
                Err(r) => new.push(r),
            }
        }
        new.par_sort_unstable();
        new.dedup();
        // Both in order and apart: merged, with each previous number's
        // new one.
        let mut table: Vec<&Read> = Vec::with_capacity(new.len() + previous.len());
        let mut renumbered = vec![u32::MAX; previous.len()];
        let mut new_reads = new.into_iter().peekable();
        for (n, r) in previous.iter().enumerate().filter(|(n, _)| used[*n]) {
            while let Some(m) = new_reads.next_if(|m| *m < r) {
                table.push(m);
            }
            renumbered[n] = number(table.len());
            table.push(r);
        }
        table.extend(new_reads);
        // Each page's numbers, on every core. After a cold build, a made
        // read is found by hash, not by a search of the table: at 50,000
        // orders that was 630,000 searches of 200,000 reads, most of a
        // second of one core at the very end of the build. After a
        // rebuild, the few made reads are searched: a map of the whole
        // table would cost more than they do.
        let at: Option<Lookup<&Read, u32>> = (made > table.len() / 4).then(|| {
            table
                .iter()
                .enumerate()
                .map(|(n, r)| (*r, number(n)))
                .collect()
        });
        let number_of = |r: &Read| match &at {
            Some(at) => at.get(r).copied().unwrap_or(u32::MAX),
            None => number(table.partition_point(|t| *t < r)),
        };
        let numbered: Vec<(u64, Vec<u32>)> = pages
            .par_iter()
            .map(|(_, entry)| match entry {
                Entry::Kept(view, numbers) => (
                    *view,
                    numbers.iter().map(|&n| renumbered[n as usize]).collect(),
                ),
                Entry::Made(view, reads) => (*view, reads.iter().map(number_of).collect()),
            })
            .collect();
        write!(w, "{{\"format\":{FORMAT},\"seed\":{seed},\"reads\":[")?;
        let mut text = String::new();
        for (i, r) in table.iter().enumerate() {
            if i > 0 {
                w.write_all(b",")?;
            }
            text.clear();
            r.write_text(&mut text);
            serde_json::to_writer(&mut *w, text.as_str())?;
        }
        w.write_all(b"],\"pages\":{")?;
        for (i, ((page, _), (view, numbers))) in pages.iter().zip(&numbered).enumerate() {
            if i > 0 {
                w.write_all(b",")?;
            }
            serde_json::to_writer(&mut *w, page)?;
            write!(w, ":[{view},[")?;
            for (i, n) in numbers.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                write!(w, "{n}")?;
            }
            w.write_all(b"]]")?;
        }
        w.write_all(b"}}")
    }
}

/// A read's number in a table: fewer than four billion reads, as a site
/// has fewer than four billion pages.
fn number(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
