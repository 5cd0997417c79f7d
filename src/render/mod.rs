//! Stage 6: the static site.
//!
//! [`site`] builds the view structs of every page from the model, the
//! check report, the status figures and the git history, renders them
//! with tera, and publishes the result ([`proof_words`] lends the site's
//! wording of a proof status to `docket log`). Templates are embedded in
//! the binary (the project's `templates/` folder, `templates.rs`), so an
//! installed docket needs no files beside it; a records repository's own
//! `templates/` folder overrides any of them by name, and a broken
//! override fails the build with tera's message rather than publishing
//! half a site.
//!
//! The parts: `views.rs` (the display structs templates see),
//! `context.rs` (what every page builder shares: labels, links, lookups),
//! `records.rs` (a record's page), `lists.rs` (a kind's list, and the same
//! rows wherever records are listed), `overview.rs` and `dashboard.rs`
//! (the pages about the whole repository), `trail.rs` (what git history
//! says, handed to the pages that show it), `reads.rs` (what a record's
//! page read of other records, so a rebuild can skip it), `files.rs`
//! (attachments),
//! `i18n.rs`, `markdown.rs`, `svg.rs`, and `publish/` (which folders may
//! be replaced, the lock, the all or nothing swap). This file walks the
//! pages and renders them.
//!
//! Publishing is all or nothing: pages are written to a temporary folder
//! beside the output and swapped in only when every page rendered, so the
//! intranet never serves a half-written site and a failed build leaves
//! yesterday's site in place; and only into a folder docket may replace
//! ([`Publisher::open`]; a build locks the folder before the records are
//! even read, so a wrong `--out` is refused at once, and lists its files
//! while they are read). Output is a pure function
//! of the inputs: no timestamps, sorted collections only, so two builds of
//! the same commit and as-of date are byte-identical.

mod audit;
mod context;
mod dashboard;
mod data;
mod files;
pub mod i18n;
mod lists;
mod markdown;
mod overview;
mod pages;
mod parts;
mod publish;
mod reads;
mod records;
mod rewritten;
mod stamps;
mod svg;
mod templates;
mod trail;
mod views;

pub use publish::{Built, Locked, Publisher, published};
pub use templates::seed_maps_per_thread;

use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::model::Model;
use crate::report::CheckReport;
use crate::report::status::Status;
use crate::timing::stage;
use context::Cx;
use data::{BuiltFrom, data_json};
use rayon::prelude::*;
use serde::Serialize;
use templates::template_error;
use trail::Trail;
use views::Page;

pub struct SiteOptions<'h> {
    /// The git history, for signature proofs, timelines and recent
    /// changes; `None` builds the site from the working tree alone.
    pub history: Option<&'h crate::history::History>,
    /// Whether the records repository's own `templates/` folder overrides
    /// the built-in templates (read through the loader's guard).
    pub templates: bool,
    /// Show a progress bar (the caller decides whether stderr is a terminal).
    pub progress: bool,
    /// The process ends after the build: the context and the reads'
    /// values (600,000 of them at 50,000 orders) are left for the system
    /// to take back with the rest of the process, not freed one by one.
    pub exits: bool,
}

/// What a build wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub pages: usize,
    /// Pages rendered; the others were unchanged since the previous build
    /// and taken from it.
    pub rendered: usize,
    pub files: usize,
    pub records: usize,
    pub findings: usize,
}

#[derive(Serialize)]
struct NavItem {
    key: &'static str,
    href: String,
    text: String,
}

#[derive(Serialize)]
struct SiteView<'a> {
    company: &'a str,
    lang: &'static str,
    as_of: String,
    nav: Vec<NavItem>,
    /// Whether the build used the caches in `.git/docket` (the footer
    /// says so).
    caches: bool,
}

/// The overview pages, every page that is not a record's: where each goes
/// and which view it shows. The view is built only when the page is
/// rendered, so the big lists (every order of ten years) are never all in
/// memory at once.
enum Overview {
    Dashboard,
    People,
    Findings,
    Rules,
    Procedure,
    Changes,
    /// The full list behind a dashboard figure (`dashboard::AWAITING_REVIEW`...).
    Counted(&'static str),
    List(Kind),
}

impl Overview {
    fn all() -> Vec<Overview> {
        let mut all = vec![
            Overview::Dashboard,
            Overview::People,
            Overview::Findings,
            Overview::Rules,
            Overview::Procedure,
            Overview::Changes,
            Overview::Counted(dashboard::AWAITING_REVIEW),
            Overview::Counted(dashboard::OVERDUE),
            Overview::Counted(dashboard::OPEN_CAPA),
        ];
        all.extend(Kind::ALL.map(Overview::List));
        all
    }

    /// (path, template, navigation key)
    fn place(&self) -> (String, &'static str, &'static str) {
        match self {
            Overview::Dashboard => ("index.html".into(), "index.html", "dashboard"),
            Overview::People => ("people.html".into(), "people.html", "people"),
            Overview::Findings => ("findings.html".into(), "findings.html", "findings"),
            Overview::Rules => ("rules.html".into(), "rules.html", "rules"),
            Overview::Procedure => ("procedure.html".into(), "procedure.html", "procedure"),
            Overview::Changes => ("changes.html".into(), "changes.html", "changes"),
            Overview::Counted(path) => (
                path.to_string(),
                "list.html",
                if *path == dashboard::OPEN_CAPA {
                    "capa"
                } else {
                    "orders"
                },
            ),
            Overview::List(kind) => (
                format!("{}/index.html", kind.folder()),
                "list.html",
                kind.folder(),
            ),
        }
    }

    fn view(
        &self,
        cx: &Cx,
        trail: Option<&Trail>,
        status: &Status,
        sections: &[markdown::Section],
    ) -> Page {
        match self {
            Overview::Dashboard => dashboard::dashboard(cx, status, trail),
            Overview::People => overview::people(cx, trail),
            Overview::Findings => overview::findings(cx),
            Overview::Rules => overview::rules(cx),
            Overview::Procedure => overview::procedure(cx, sections),
            Overview::Changes => overview::changes(cx, trail),
            Overview::Counted(path) => match *path {
                dashboard::AWAITING_REVIEW => dashboard::full_list(
                    cx,
                    "awaiting_review",
                    dashboard::awaiting_table(cx, &status.orders),
                ),
                dashboard::OVERDUE => dashboard::full_list(
                    cx,
                    "overdue",
                    dashboard::overdue_table(cx, &status.orders),
                ),
                _ => dashboard::full_list(
                    cx,
                    "capa_open",
                    dashboard::open_capa_table(cx, &status.capa),
                ),
            },
            Overview::List(kind) => lists::list_page(cx, *kind),
        }
    }
}

/// A proof status in the site's words, in `lang`: `docket log` prints what
/// the signature blocks of the site say.
pub fn proof_words(
    status: &crate::history::ProofStatus,
    lang: crate::model::Language,
    history: &crate::history::History,
) -> String {
    let labels = i18n::labels(lang);
    trail::proof_words(
        status,
        lang,
        |k| labels.get(k).copied().unwrap_or(k).to_string(),
        |c| history.commits[c].short().to_string(),
    )
}

/// A signature in the site's words, in `lang` (a stale one says so
/// first): what `docket log` prints under each signature.
pub fn signature_words(
    proof: &crate::history::Proof,
    lang: crate::model::Language,
    history: &crate::history::History,
) -> String {
    let labels = i18n::labels(lang);
    trail::signature_words(
        proof,
        lang,
        |k| labels.get(k).copied().unwrap_or(k).to_string(),
        |c| history.commits[c].short().to_string(),
    )
}

/// Render the whole site and publish it through `publisher`.
pub fn site(
    model: &Model,
    report: &CheckReport,
    status: &Status,
    publisher: Publisher,
    opts: &SiteOptions,
) -> Result<Stats> {
    let overrides = opts.templates.then_some(&model.guard);
    let (mut tera, sources) = templates::load(overrides)?;
    let sections = model
        .procedure
        .as_deref()
        .map(markdown::procedure)
        .unwrap_or_default();
    let clauses = sections.iter().filter_map(|s| s.anchor.clone()).collect();
    // The previous site's reads (21 MB of JSON at 50,000 orders) are read
    // beside the context, both on one core.
    let ((mut cx, trail), previous) = std::thread::scope(|s| {
        let previous = s.spawn(|| {
            stage("render reads kept", || {
                let bytes = publisher.previous_file(reads::FILE)?;
                reads::Kept::parse(&bytes)
            })
        });
        let cx = stage("render context", || {
            (
                Cx::new(model, report, clauses),
                opts.history.map(|h| Trail::new(h, &model.people)),
            )
        });
        (cx, crate::joined(previous))
    });
    cx.re_review = status
        .orders
        .awaiting_review
        .iter()
        .filter(|w| w.re_review.is_some())
        .map(|w| w.order.clone())
        .collect();
    let cx = cx;
    let trail = trail.as_ref();
    let site = site_view(&cx, report, opts.history.is_some_and(|h| h.caches));
    let global = tera.global_context();
    global.insert("t", &cx.t);
    global.insert("site", &site);
    // Everything every page depends on, beyond its own view. The number
    // changes when the same inputs come to be shown differently, so a
    // site published by an earlier docket of the same version is
    // rendered again (1: a deleted revision's timeline row, 2026-12-01).
    let mut seed = crate::fingerprint::Fingerprint::new(1);
    seed.str(env!("CARGO_PKG_VERSION"));
    for (name, source) in &sources {
        seed.str(name).str(source);
    }
    // Not people.toml: a page reads what it shows of a person as a value
    // (reads.rs), so a new employee or key lays out only the pages that
    // name the person.
    seed.json(&cx.t).json(&site).json(&model.config);

    let seed_value = seed.finish();
    let previous = reads::Kept::under(previous, seed_value);
    let renderer = pages::Renderer {
        cx: &cx,
        trail,
        tera: &tera,
        seed: seed_value,
        publisher: &publisher,
        bar: progress_bar(opts.progress, cx.links.len()),
        rendered: std::sync::atomic::AtomicUsize::new(0),
        laid_out: std::sync::atomic::AtomicUsize::new(0),
        previous: std::sync::Mutex::new(previous.pages),
        kept: Default::default(),
        values: pages::Values::new(previous.reads),
        verify: crate::env_flag("DOCKET_VERIFY_READS"),
    };
    // The whole model as JSON is the largest file by far (hundreds of
    // megabytes for a big company): streamed, never held in memory, and
    // made only when its inputs changed: the files the model was read
    // from, the findings and the date (the status derives from them; the
    // seed covers docket's version and configuration). It is written on
    // one thread, start to end (a fifth of a second at 10,000 orders,
    // after every commit): beside the pages, which leave a core idle at
    // times, not after them.
    let built = BuiltFrom::of(opts.history);
    let data_fp = crate::fingerprint::Fingerprint::new(seed_value)
        .str("data.json")
        .u64(model.source)
        .str(&report.to_json())
        .json(&built)
        .finish();
    // Its hash when written now; `None` when taken from the previous build.
    let data = || {
        stage("render data.json", || -> Result<Option<String>> {
            if publisher.reuse("data.json", data_fp) {
                return Ok(None);
            }
            publisher
                .write_hashed("data.json", |w| data_json(model, report, status, &built, w))
                .map(Some)
        })
    };
    // Without a previous build's reads under this seed, every record page
    // is laid out, and each reads its timeline from git: the revisions of
    // the files no proof read, and after a walk that continued the cache
    // (which verified no old signature) every signed commit too. Set up
    // for that while no thread reads git, and back once none does again.
    // A first build peaks at these pages; with libgit2's memory from
    // mimalloc (`history::libgit2_uses_mimalloc`) the windows fit.
    let every_page = renderer.previous.lock().is_ok_and(|kept| kept.is_empty());
    // Every page laid out is a cold build's peak: memory goes back as
    // freed from here on.
    if every_page {
        crate::memory::release();
    }
    let reading = opts
        .history
        .filter(|_| every_page)
        .map(crate::history::History::reading_every_timeline);
    let (manifest, data) = rayon::join(|| pages(&renderer, status, &sections), data);
    drop(reading);
    let mut manifest = manifest?;
    let data_sha256 = data?;
    if let Some(b) = &renderer.bar {
        b.finish_and_clear();
    }

    // And the audit page, rendered after data.json (it names its hash).
    let mut page_count = manifest.len() + 1;
    let attachments = files::to_copy(&cx);
    stage("render data", || -> Result<()> {
        stage("render feed", || -> Result<()> {
            publisher.write("feed.xml", &render_feed(&tera, &cx, trail)?)
        })?;
        manifest.push(("data.json".to_string(), data_fp));
        // The audit page names data.json's hash, so it comes after it,
        // with the allowed_signers file its commands use.
        let provenance = audit::Provenance {
            history: opts.history,
            data_sha256: match data_sha256 {
                Some(sha) => sha,
                None => stage("render data sha", || publisher.sha256("data.json"))?,
            },
        };
        let view = stage("render audit view", || audit::audit(&cx, &provenance));
        manifest.push(stage("render audit emit", || {
            renderer.emit("audit.html".into(), "audit.html", "audit", view)
        })?);
        if let Some(h) = opts.history.filter(|h| h.unavailable.is_none()) {
            let pages = stage("render audit signatures", || {
                audit::signature_months(&cx, h)
                    .par_iter()
                    .map(|(month, proofs)| {
                        let (path, page) = audit::signature_page(&cx, h, month.as_deref(), proofs);
                        renderer.emit(path, "audit.html", "audit", page)
                    })
                    .collect::<Result<Vec<_>>>()
            })?;
            page_count += pages.len();
            manifest.extend(pages);
        }
        if let Some(h) = opts.history.filter(|h| h.unavailable.is_none()) {
            let head = h.head.as_deref().unwrap_or("HEAD");
            let signers = crate::history::signers::allowed_signers(
                h,
                model.config.company.offset_seconds,
                head,
            );
            publisher.write("allowed_signers", signers.text.as_bytes())?;
        }
        for (name, builtin) in templates::ASSETS {
            let text =
                templates::read_override(overrides, name)?.unwrap_or_else(|| builtin.to_string());
            publisher.write(name, text.as_bytes())?;
        }
        publisher.write(
            publish::MARKER,
            b"docket site: this folder is replaced by each `docket build`\n",
        )?;
        for rel in &attachments {
            // Read through the guard again: the file may have become a
            // link since the model was built.
            let bytes = model
                .guard
                .read(rel, None)
                .map_err(|why| model.guard.refusal(rel, &why))?;
            publisher.write(&format!("files/{rel}"), &bytes)?;
        }
        Ok(())
    })?;
    let count = |n: &std::sync::atomic::AtomicUsize| n.load(std::sync::atomic::Ordering::Relaxed);
    crate::timing::count("record pages laid out", count(&renderer.laid_out));
    let stats = Stats {
        pages: page_count,
        rendered: count(&renderer.rendered),
        files: attachments.len(),
        records: model.record_count(),
        findings: report.findings.len(),
    };
    if opts.exits {
        std::mem::forget(renderer);
    }
    stage("publish", || publisher.finish(manifest))?;
    if opts.exits {
        std::mem::forget(cx);
    }
    Ok(stats)
}

/// The overview pages, then every record's page, and the reads the
/// record pages noted (for the next build): what they publish, with their
/// fingerprints.
fn pages(
    renderer: &pages::Renderer,
    status: &Status,
    sections: &[markdown::Section],
) -> Result<Vec<(String, u64)>> {
    let (cx, trail, publisher) = (renderer.cx, renderer.trail, renderer.publisher);
    let mut manifest = stage("render static pages", || {
        // A list page of a big company is the largest view there is (every
        // order of ten years, as cells), and the people page lists every
        // signature: these go one after another, beside the small pages,
        // so at most one is in memory.
        let emit = |page: Overview| {
            let (path, template, nav) = page.place();
            let view = page.view(cx, trail, status, sections);
            renderer.emit(path, template, nav, view)
        };
        let (big, small): (Vec<Overview>, Vec<Overview>) = Overview::all()
            .into_iter()
            .partition(|p| matches!(p, Overview::List(_) | Overview::People));
        let (big, small) = rayon::join(
            || big.into_iter().map(emit).collect::<Result<Vec<_>>>(),
            || small.into_par_iter().map(emit).collect::<Result<Vec<_>>>(),
        );
        let mut all = big?;
        all.extend(small?);
        Ok::<_, Error>(all)
    })?;
    let m = cx.model;
    stage("render record pages", || -> Result<()> {
        for kind in Kind::ALL {
            manifest.extend(renderer.records(kind, &m.records(kind))?);
        }
        trail::close_git_handles();
        let kept = std::mem::take(&mut *renderer.kept.lock().unwrap_or_else(|e| e.into_inner()));
        stage("render reads write", || {
            publisher.write_other(reads::FILE, |w| {
                kept.write(w, renderer.seed, renderer.values.table())
            })
        })
    })?;
    Ok(manifest)
}

fn progress_bar(enabled: bool, len: usize) -> Option<indicatif::ProgressBar> {
    // Small sites render in a blink; a bar would only flicker.
    (enabled && len > 300).then(|| {
        let bar = indicatif::ProgressBar::new(len as u64);
        bar.set_message("rendering pages");
        bar
    })
}

fn site_view<'a>(cx: &Cx<'a>, report: &CheckReport, caches: bool) -> SiteView<'a> {
    let mut nav = vec![NavItem {
        key: "dashboard",
        href: "index.html".into(),
        text: cx.t("dashboard"),
    }];
    for kind in Kind::ALL {
        nav.push(NavItem {
            key: kind.folder(),
            href: format!("{}/index.html", kind.folder()),
            text: cx.t(kind.folder()),
        });
    }
    for key in ["people", "findings", "rules", "procedure", "changes"] {
        nav.push(NavItem {
            key,
            href: format!("{key}.html"),
            text: cx.t(key),
        });
    }
    SiteView {
        company: &cx.model.config.company.name,
        lang: cx.model.config.company.language.as_str(),
        as_of: report.as_of.to_string(),
        nav,
        caches,
    }
}

fn render_feed(tera: &tera::Tera, cx: &Cx, trail: Option<&Trail>) -> Result<Vec<u8>> {
    let mut ctx = tera::Context::new();
    ctx.insert("root", "");
    // The feed changes only when the records do: it is as new as its
    // newest commit (the as-of date without history), never the clock.
    let entries = trail.map(|t| t.recent(cx)).unwrap_or_default();
    let updated = entries.first().map_or_else(
        || format!("{}T00:00:00Z", cx.report.as_of),
        |e| e.updated.clone(),
    );
    ctx.insert("entries", &entries);
    ctx.insert("updated", &updated);
    tera.render("feed.xml", &ctx)
        .map(String::into_bytes)
        .map_err(|e| template_error("feed.xml", &e))
}
