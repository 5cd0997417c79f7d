//! Rendering pages and handing them to the publisher: a page is taken
//! from the previous build when its fingerprint is unchanged, else
//! rendered and written. A record's page is fingerprinted without being
//! laid out, from its own parts and the current value of what it read of
//! other records when it was last built (`reads.rs`).

use super::context::{Cx, page_name};
use super::publish::Publisher;
use super::reads::{self, Read};
use super::records;
use super::templates::template_error;
use super::trail::Trail;
use super::views::Page;
use crate::error::{Error, Result};
use crate::fingerprint::Fingerprint;
use crate::kind::Kind;
use crate::model::Record;
use rayon::prelude::*;

/// Renders pages and hands them to the publisher.
pub(super) struct Renderer<'a> {
    pub(super) cx: &'a Cx<'a>,
    pub(super) trail: Option<&'a Trail<'a>>,
    pub(super) tera: &'a tera::Tera,
    /// The fingerprint of what every page shares.
    pub(super) seed: u64,
    pub(super) publisher: &'a Publisher,
    pub(super) bar: Option<indicatif::ProgressBar>,
    pub(super) rendered: std::sync::atomic::AtomicUsize,
    /// How many record pages were laid out (not taken from the previous
    /// build): counted with `DOCKET_TIMINGS`, for the tests and the
    /// benchmarks.
    pub(super) laid_out: std::sync::atomic::AtomicUsize,
    /// What each record page read, as the previous build kept it (by
    /// number in `values`' table); each page's entry is taken out when its
    /// kind's pages are fingerprinted, and let go with the page, so that by
    /// the last record page, where a build's memory peaks, little of it is
    /// left.
    pub(super) previous: std::sync::Mutex<crate::Lookup<String, (u64, Vec<u32>)>>,
    /// What each record page read in this build.
    pub(super) kept: std::sync::Mutex<reads::Keeping>,
    pub(super) values: Values,
    /// Build the pages taken from the previous site anyway and fail if
    /// one differs (`DOCKET_VERIFY_READS`, see `reads.rs`).
    pub(super) verify: bool,
}

impl Renderer<'_> {
    /// Publish one page that is not a record's (a list, the people page,
    /// the audit page...): taken from the previous build when its
    /// fingerprint (the shared seed and its view) is unchanged, else
    /// rendered and written, long tables in parts. Returns its manifest
    /// entry.
    pub(super) fn emit(
        &self,
        path: String,
        template: &'static str,
        nav: &'static str,
        page: Page,
    ) -> Result<(String, u64)> {
        let fp = Fingerprint::new(self.seed)
            .str(&path)
            .str(template)
            .str(nav)
            .hash(&page)
            .finish();
        self.publish(path, (template, nav), page, fp, Out::Streamed, |_| Ok(()))
    }

    /// Publish one page of fingerprint `fp`: taken from the previous
    /// build when it had the same, else completed, rendered and written.
    fn publish(
        &self,
        path: String,
        (template, nav): (&'static str, &'static str),
        mut page: Page,
        fp: u64,
        out: Out,
        complete: impl FnOnce(&mut Page) -> Result<()>,
    ) -> Result<(String, u64)> {
        let root = if path.contains('/') { "../" } else { "" };
        if !self.publisher.reuse(&path, fp) {
            complete(&mut page)?;
            match out {
                Out::Buffered => {
                    let html = self.lay_out(root, template, nav, page)?;
                    self.publisher.write_page(&path, html.as_bytes())?;
                }
                Out::Streamed => self.stream(&path, template, root, nav, page)?,
            }
            self.rendered
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        self.tick();
        Ok((path, fp))
    }

    /// A page rendered whole.
    fn lay_out(&self, root: &str, template: &str, nav: &str, page: Page) -> Result<String> {
        let ctx = super::parts::context(root, nav, &page);
        drop(page);
        self.tera
            .render(template, &ctx)
            .map_err(|e| template_error(template, &e))
    }

    /// Render straight into the file, long tables in parts
    /// (`parts.rs`): a list of a big company's orders is tens of MB of HTML,
    /// and neither it nor tera's copy of its view is held whole.
    fn stream(&self, path: &str, template: &str, root: &str, nav: &str, page: Page) -> Result<()> {
        let mut failed = None;
        let written = self.publisher.write_streamed(path, |w| {
            let mut out = Noting {
                inner: w,
                error: None,
            };
            super::parts::render(self.tera, template, root, nav, page, &mut out).map_err(|e| {
                match out.error.take() {
                    Some(io) => io,
                    None => {
                        failed = Some(template_error(template, &e));
                        std::io::Error::other("the template failed")
                    }
                }
            })
        });
        match failed {
            Some(e) => Err(e),
            None => written,
        }
    }

    fn tick(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    /// The pages of one kind's records, in parallel. A page is
    /// fingerprinted from its record's file, its own parts
    /// ([`records::own`]), its timeline's inputs and what it read of other
    /// records ([`reads`]): when the previous build kept its reads and
    /// none changed, it is taken as it is without laying it out. The
    /// timeline (old revisions read from git) is the costly part of a page
    /// that is rendered, so it is built only then.
    pub(super) fn records(
        &self,
        kind: Kind,
        records: &[&dyn Record],
    ) -> Result<Vec<(String, u64)>> {
        let (cx, trail) = (self.cx, self.trail);
        // Each page's path and previous reads, taken out in one pass: a
        // lock for each page, on every core, cost more than the removal.
        let previous: Vec<(String, Option<_>)> = {
            let mut kept = self.previous.lock().unwrap_or_else(|e| e.into_inner());
            records
                .iter()
                .map(|r| {
                    let path = format!("{}/{}.html", kind.folder(), page_name(r.id()));
                    let previous = kept.remove(&path);
                    (path, previous)
                })
                .collect()
        };
        // What each page read is kept in the results, and handed to the
        // site's reads under one lock.
        let done: Vec<(String, u64, reads::Entry)> = records
            .par_iter()
            .zip(previous)
            .map(|(r, (path, previous))| {
                let file = &r.meta().file;
                let own = records::own(cx, trail, *r);
                let mut base = Fingerprint::new(self.seed);
                base.str(&path)
                    .str(file)
                    .u64(trail.map_or(0, |t| t.timeline_inputs(file)))
                    .u64(cx.model.sources.get(file).map_or(0, |s| s.hash))
                    .hash(&own);
                if let Some((view, numbers)) = previous {
                    let mut fp = base.clone();
                    self.values.fingerprint_kept(cx, &mut fp, &numbers);
                    let fp = fp.finish();
                    if self.publisher.reuse(&path, fp) {
                        if self.verify {
                            self.verify_taken(&path, kind, *r, own, view)?;
                        }
                        self.tick();
                        return Ok((path, fp, reads::Entry::Kept(view, numbers)));
                    }
                }
                let (page, read) = reads::recording(|| records::record_page(cx, *r, own));
                let mut fp = base;
                self.values.fingerprint(cx, &mut fp, &read);
                let fp = fp.finish();
                let entry = reads::Entry::Made(view_hash(&page), read);
                let out = Out::Buffered;
                let place = ("record.html", kind.folder());
                let (path, fp) = self.publish(path, place, page, fp, out, |page| {
                    let n = self
                        .laid_out
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    crate::memory::working_through(n + 1);
                    page.timeline = self.timeline(file)?;
                    Ok(())
                })?;
                Ok((path, fp, entry))
            })
            .collect::<Result<_>>()?;
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        Ok(done
            .into_iter()
            .map(|(path, fp, entry)| {
                kept.keep(path.clone(), entry);
                (path, fp)
            })
            .collect())
    }

    /// The timeline of the page of `file`, read from git.
    fn timeline(&self, file: &str) -> Result<Option<Vec<super::views::TimelineEntry>>> {
        match self.trail {
            Some(t) => t.timeline(self.cx, file),
            None => Ok(None),
        }
    }

    /// `DOCKET_VERIFY_READS`: the page at `path`, taken from the previous
    /// build, is the page this build makes of `record`: its view hashes as
    /// it did (`view`), and laid out whole, timeline included (which no
    /// view hash covers), it has the very bytes taken.
    fn verify_taken(
        &self,
        path: &str,
        kind: Kind,
        record: &dyn Record,
        own: records::Own,
        view: u64,
    ) -> Result<()> {
        let (mut page, _) = reads::recording(|| records::record_page(self.cx, record, own));
        if view_hash(&page) != view {
            return Err(Error::StalePage(path.to_string()));
        }
        page.timeline = self.timeline(&record.meta().file)?;
        let html = self.lay_out("../", "record.html", kind.folder(), page)?;
        match self.publisher.previous_file(path) {
            Some(taken) if taken == html.as_bytes() => Ok(()),
            _ => Err(Error::StalePage(path.to_string())),
        }
    }
}

/// How a rendered page reaches its file.
#[derive(Clone, Copy)]
enum Out {
    /// Rendered whole, then written, or hard-linked from the previous
    /// build when the bytes are the same: record pages, small and many.
    Buffered,
    /// Written as it is rendered, long tables in parts: every other page
    /// (the lists, the people page and the audit page are as large as
    /// the company's history).
    Streamed,
}

/// A writer that keeps the first I/O error it met: tera turns a failed
/// write into an error of its own, which would read as a template error,
/// where the build must name the file and the system's reason.
struct Noting<'w, W: std::io::Write> {
    inner: &'w mut W,
    error: Option<std::io::Error>,
}

impl<W: std::io::Write> std::io::Write for Noting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf).map_err(|e| self.note(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().map_err(|e| self.note(e))
    }
}

impl<W: std::io::Write> Noting<'_, W> {
    fn note(&mut self, e: std::io::Error) -> std::io::Error {
        let kind = e.kind();
        self.error.get_or_insert(e);
        std::io::Error::from(kind)
    }
}

/// The hash of a record page's view, kept to verify a page taken from
/// the previous build (`DOCKET_VERIFY_READS`).
fn view_hash(page: &Page) -> u64 {
    Fingerprint::new(0).hash(page).finish()
}

/// What `read` is now: a hash of what the page was shown of it, made by
/// the helper that showed it.
fn value(cx: &Cx, read: &Read) -> u64 {
    // A list page of this build built the row already.
    if let Read::Row(kind, id) = read
        && let Some(v) = cx.rows.get(*kind, id)
    {
        return v;
    }
    // Making the value reads the same helpers; it is not the page's read.
    let (v, _) = reads::recording(|| match read {
        Read::Link(id) => reads::value_of(&cx.record(id)),
        Read::Row(kind, id) => reads::value_of(&super::lists::row(cx, *kind, id)),
        Read::Related(owner, id, kind) => reads::value_of(&cx.related_of(*owner, id, *kind)),
        Read::Flowsheets(order) => reads::value_of(&cx.flowsheets_of(order)),
        Read::Person(id) => reads::value_of(&cx.person(id)),
    });
    v
}

/// What `read` is now, with what it is: the part of a page's
/// fingerprint each of its reads makes, the same whether the read was
/// kept by number or made in this build.
fn read_value(cx: &Cx, read: &Read) -> u64 {
    Fingerprint::new(2).hash(read).u64(value(cx, read)).finish()
}

/// The values of reads, each made once per build: the row of an order is
/// read by its customer's page, its product's and more.
pub(super) struct Values {
    /// The previous build's reads ([`reads::Kept::reads`]).
    table: Vec<Read>,
    /// Each one's value once a page asks for it: by number, without a
    /// lock.
    kept: Vec<std::sync::OnceLock<u64>>,
    /// The reads of pages laid out in this build, by read.
    made: std::sync::RwLock<crate::Lookup<Read, u64>>,
}

impl Values {
    /// Values for the reads of the previous build's `table`.
    pub(super) fn new(table: Vec<Read>) -> Values {
        Values {
            kept: table.iter().map(|_| std::sync::OnceLock::new()).collect(),
            table,
            made: Default::default(),
        }
    }

    /// The previous build's table of reads.
    pub(super) fn table(&self) -> &[Read] {
        &self.table
    }

    /// Add the current value of each read numbered in `numbers` (checked
    /// against the table when the file was read) to `fp`.
    fn fingerprint_kept(&self, cx: &Cx, fp: &mut Fingerprint, numbers: &[u32]) {
        for &n in numbers {
            let n = n as usize;
            let v = self.table.get(n).zip(self.kept.get(n));
            let v = v.map(|(r, v)| *v.get_or_init(|| read_value(cx, r)));
            fp.u64(v.unwrap_or_default());
        }
    }

    /// Add the current value of each of `reads` to `fp`. One lock for
    /// all of a page's reads, and one more only if some were not known:
    /// a lock taken for each read cost more than the lookups (630,000
    /// reads at 50,000 orders, when every page is laid out).
    fn fingerprint(&self, cx: &Cx, fp: &mut Fingerprint, reads: &[Read]) {
        let mut values: Vec<Option<u64>> = {
            let known = self.made.read().unwrap_or_else(|e| e.into_inner());
            reads.iter().map(|r| known.get(r).copied()).collect()
        };
        let mut made = Vec::new();
        for (r, v) in reads.iter().zip(&mut values) {
            if v.is_none() {
                let value = read_value(cx, r);
                *v = Some(value);
                made.push((r.clone(), value));
            }
        }
        if !made.is_empty() {
            self.made
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .extend(made);
        }
        for v in values {
            fp.u64(v.unwrap_or_default());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Noting;
    use std::io::{Error, ErrorKind, Write};

    /// A disk that is full.
    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(Error::new(
                ErrorKind::StorageFull,
                "no space left on the test disk",
            ))
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A write that fails while tera renders a streamed page must reach
    /// the build's error as the system's reason, not as tera's.
    #[test]
    fn a_write_that_fails_under_tera_keeps_its_reason() {
        let mut tera = tera::Tera::new();
        tera.add_raw_template("p.html", "{{ text }}").unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("text", "a page");
        let mut disk = Full;
        let mut out = Noting {
            inner: &mut disk,
            error: None,
        };
        assert!(tera.render_to("p.html", &ctx, &mut out).is_err());
        let kept = out.error.take().expect("the write's own error");
        assert_eq!(kept.kind(), ErrorKind::StorageFull);
        assert_eq!(kept.to_string(), "no space left on the test disk");
    }
}
