//! Stage 6: the static site.
//!
//! [`site`] is the one entry: it builds the view structs of every page
//! from the model, the check report and the status figures, renders them
//! with tera, and publishes the result. Templates are embedded in the
//! binary (the project's `templates/` folder), so an installed docket
//! needs no files beside it; a records repository's own `templates/`
//! folder overrides any of them by name, and a broken override fails the
//! build with tera's message rather than publishing half a site.
//!
//! Publishing is all or nothing: pages are written to a temporary folder
//! beside the output and swapped in only when every page rendered, so the
//! intranet never serves a half-written site and a failed build leaves
//! yesterday's site in place. Output is a pure function of the inputs:
//! no timestamps, sorted collections only, so two builds of the same
//! commit and as-of date are byte-identical.

mod dashboard;
mod files;
mod i18n;
mod lists;
mod markdown;
mod pages;
mod records;
mod svg;
mod trail;
mod views;

use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::model::{Model, Record};
use crate::report::CheckReport;
use crate::report::status::Status;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use views::{Cx, Page, page_name};

/// The built-in templates and assets, by name.
const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("list.html", include_str!("../../templates/list.html")),
    ("record.html", include_str!("../../templates/record.html")),
    ("people.html", include_str!("../../templates/people.html")),
    (
        "findings.html",
        include_str!("../../templates/findings.html"),
    ),
    ("rules.html", include_str!("../../templates/rules.html")),
    (
        "procedure.html",
        include_str!("../../templates/procedure.html"),
    ),
    ("changes.html", include_str!("../../templates/changes.html")),
    ("feed.xml", include_str!("../../templates/feed.xml")),
];

/// Copied as they are (overridable by name too).
const ASSETS: &[(&str, &str)] = &[
    ("site.css", include_str!("../../templates/site.css")),
    ("site.js", include_str!("../../templates/site.js")),
];

/// Marks a folder as a docket site, so `--out` never replaces anything else.
const MARKER: &str = ".docket-site";

pub struct SiteOptions<'h> {
    /// The git history, for signature proofs, timelines and recent
    /// changes; `None` builds the site from the working tree alone.
    pub history: Option<&'h crate::history::History>,
    /// A folder of template overrides (the records repository's
    /// `templates/`); absent or missing means the built-ins only.
    pub templates: Option<PathBuf>,
    /// Show a progress bar (the caller decides whether stderr is a terminal).
    pub progress: bool,
}

/// What a build wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub pages: usize,
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
}

/// One page to render.
struct Job {
    path: String,
    template: &'static str,
    nav: &'static str,
    page: Page,
}

/// Render the whole site into `out`.
pub fn site(
    model: &Model,
    report: &CheckReport,
    status: &Status,
    out: &Path,
    opts: &SiteOptions,
) -> Result<Stats> {
    let tera = load_templates(opts.templates.as_deref())?;
    let sections = model
        .procedure
        .as_deref()
        .map(markdown::procedure)
        .unwrap_or_default();
    let clauses = sections.iter().filter_map(|s| s.anchor.clone()).collect();
    let cx = Cx::new(model, report, opts.history, clauses);
    let jobs = jobs(&cx, status, &sections);
    let mut tera = tera;
    let global = tera.global_context();
    global.insert("t", &cx.t);
    global.insert("site", &site_view(&cx, report));

    let bar = progress_bar(opts.progress, jobs.len());
    let rendered: Vec<(String, Vec<u8>)> = jobs
        .par_iter()
        .map(|job| {
            let mut ctx = tera::Context::new();
            ctx.insert("root", if job.path.contains('/') { "../" } else { "" });
            ctx.insert("current", job.nav);
            ctx.insert("page", &job.page);
            let html = tera
                .render(job.template, &ctx)
                .map_err(|e| template_error(job.template, &e))?;
            if let Some(b) = &bar {
                b.inc(1);
            }
            Ok((job.path.clone(), html.into_bytes()))
        })
        .collect::<Result<_>>()?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }

    let mut outputs = rendered;
    outputs.push(("feed.xml".into(), render_feed(&tera, &cx)?));
    outputs.push(("data.json".into(), data_json(model, report, status)));
    for (name, builtin) in ASSETS {
        outputs.push((
            name.to_string(),
            read_override(opts.templates.as_deref(), name)?
                .unwrap_or_else(|| builtin.to_string())
                .into_bytes(),
        ));
    }
    outputs.push((
        MARKER.into(),
        b"docket site: this folder is replaced by each `docket build`\n".to_vec(),
    ));
    let attachments = files::to_copy(&cx);
    let stats = Stats {
        pages: jobs.len(),
        files: attachments.len(),
        records: model.record_count(),
        findings: report.findings.len(),
    };
    publish(out, &outputs, model, &attachments)?;
    Ok(stats)
}

fn progress_bar(enabled: bool, len: usize) -> Option<indicatif::ProgressBar> {
    // Small sites render in a blink; a bar would only flicker.
    (enabled && len > 300).then(|| {
        let bar = indicatif::ProgressBar::new(len as u64);
        bar.set_message("rendering pages");
        bar
    })
}

fn site_view<'a>(cx: &Cx<'a>, report: &CheckReport) -> SiteView<'a> {
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
    }
}

fn jobs(cx: &Cx, status: &Status, sections: &[markdown::Section]) -> Vec<Job> {
    let job = |path: &str, template, nav, page| Job {
        path: path.to_string(),
        template,
        nav,
        page,
    };
    let mut jobs = vec![
        job(
            "index.html",
            "index.html",
            "dashboard",
            dashboard::dashboard(cx, status),
        ),
        job("people.html", "people.html", "people", pages::people(cx)),
        job(
            "findings.html",
            "findings.html",
            "findings",
            pages::findings(cx),
        ),
        job("rules.html", "rules.html", "rules", pages::rules(cx)),
        job(
            "procedure.html",
            "procedure.html",
            "procedure",
            pages::procedure(cx, sections),
        ),
        job(
            "changes.html",
            "changes.html",
            "changes",
            pages::changes(cx),
        ),
    ];
    for kind in Kind::ALL {
        jobs.push(job(
            &format!("{}/index.html", kind.folder()),
            "list.html",
            kind.folder(),
            lists::list_page(cx, kind),
        ));
    }
    let m = cx.model;
    // Record pages are independent and most of the work: build them in
    // parallel (collect keeps the order, so the output does not change).
    jobs.extend(record_jobs(
        cx,
        Kind::Customer,
        m.customers.iter().as_slice(),
    ));
    jobs.extend(record_jobs(cx, Kind::Product, m.products.iter().as_slice()));
    jobs.extend(record_jobs(cx, Kind::Order, m.orders.iter().as_slice()));
    jobs.extend(record_jobs(
        cx,
        Kind::Flowsheet,
        m.flowsheets.iter().as_slice(),
    ));
    jobs.extend(record_jobs(cx, Kind::Capa, m.capa.iter().as_slice()));
    jobs.extend(record_jobs(cx, Kind::Survey, m.surveys.iter().as_slice()));
    jobs.extend(record_jobs(
        cx,
        Kind::Property,
        m.property.iter().as_slice(),
    ));
    jobs.extend(record_jobs(cx, Kind::Report, m.reports.iter().as_slice()));
    jobs
}

fn record_jobs<T: Record + Serialize + Sync>(cx: &Cx, kind: Kind, records: &[T]) -> Vec<Job> {
    records
        .par_iter()
        .map(|r| Job {
            path: format!("{}/{}.html", kind.folder(), page_name(r.id())),
            template: "record.html",
            nav: kind.folder(),
            page: records::record_page(cx, r),
        })
        .collect()
}

fn template_error(name: &str, e: &tera::Error) -> Error {
    let mut msg = format!("{name}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    Error::Template(msg)
}

fn read_override(dir: Option<&Path>, name: &str) -> Result<Option<String>> {
    let Some(path) = dir.map(|d| d.join(name)) else {
        return Ok(None);
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// The built-in templates, each replaced by the repository's file of the
/// same name when there is one.
fn load_templates(dir: Option<&Path>) -> Result<tera::Tera> {
    let mut sources = Vec::new();
    for (name, builtin) in BUILTIN {
        sources.push((
            *name,
            read_override(dir, name)?.unwrap_or_else(|| builtin.to_string()),
        ));
    }
    let mut tera = tera::Tera::new();
    tera.add_raw_templates(sources.iter().map(|(n, s)| (*n, s.as_str())))
        .map_err(|e| {
            let overridden: Vec<&str> = sources
                .iter()
                .map(|(n, _)| *n)
                .filter(|n| dir.is_some_and(|d| d.join(n).is_file()))
                .collect();
            let hint = if overridden.is_empty() {
                String::new()
            } else {
                format!(" (overridden here: {})", overridden.join(", "))
            };
            template_error(&format!("templates{hint}"), &e)
        })?;
    Ok(tera)
}

fn render_feed(tera: &tera::Tera, cx: &Cx) -> Result<Vec<u8>> {
    let mut ctx = tera::Context::new();
    ctx.insert("root", "");
    // The feed changes only when the records do: it is as new as its
    // newest commit (the as-of date without history), never the clock.
    let entries = cx.trail.as_ref().map(|t| t.recent(cx)).unwrap_or_default();
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

/// The whole model, the derived status and the findings, for other tools.
fn data_json(model: &Model, report: &CheckReport, status: &Status) -> Vec<u8> {
    #[derive(Serialize)]
    struct Derived<'a> {
        order_status: BTreeMap<&'a str, &'static str>,
        capa_stage: BTreeMap<&'a str, &'static str>,
        survey_score: BTreeMap<&'a str, f64>,
    }
    #[derive(Serialize)]
    struct Data<'a> {
        version: u32,
        as_of: String,
        model: &'a Model,
        derived: Derived<'a>,
        status: &'a Status,
        check: serde_json::Value,
    }
    let derived = Derived {
        order_status: model
            .orders
            .iter()
            .map(|o| (o.id(), model.order_status(o).as_str()))
            .collect(),
        capa_stage: model
            .capa
            .iter()
            .map(|c| (c.id(), c.stage().as_str()))
            .collect(),
        survey_score: model
            .surveys
            .iter()
            .filter_map(|s| s.overall().map(|v| (s.id(), v)))
            .collect(),
    };
    let check = serde_json::from_str(&report.to_json()).unwrap_or(serde_json::Value::Null);
    let data = Data {
        version: 1,
        as_of: report.as_of.to_string(),
        model,
        derived,
        status,
        check,
    };
    let mut bytes = serde_json::to_vec_pretty(&data).expect("the model serializes");
    bytes.push(b'\n');
    bytes
}

/// Write everything into a fresh folder beside `out`, then swap it in.
fn publish(
    out: &Path,
    outputs: &[(String, Vec<u8>)],
    model: &Model,
    attachments: &[String],
) -> Result<()> {
    let name = out
        .file_name()
        .ok_or_else(|| Error::Usage(format!("--out {} must name a folder", out.display())))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .map_err(|e| Error::io(out, e))?
            .next()
            .is_none();
        if !empty && !out.join(MARKER).is_file() {
            return Err(Error::Usage(format!(
                "{} exists and is not a site docket built (no {MARKER}); refusing to replace it",
                out.display()
            )));
        }
    }
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let tmp = parent.join(format!(".{}.docket-new", name.to_string_lossy()));
    let old = parent.join(format!(".{}.docket-old", name.to_string_lossy()));
    for stale in [&tmp, &old] {
        if stale.exists() {
            std::fs::remove_dir_all(stale).map_err(|e| Error::io(stale, e))?;
        }
    }
    let previous = out.join(MARKER).is_file().then_some(out);
    let written = write_all(&tmp, previous, outputs, model, attachments);
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if out.exists() {
        std::fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
    }
    if let Err(e) = std::fs::rename(&tmp, out) {
        // Put the previous site back before reporting.
        let _ = std::fs::rename(&old, out);
        return Err(Error::io(out, e));
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(())
}

/// Write the site into `tmp`. A file whose bytes equal the previous
/// site's is hard-linked from it instead of written, so it keeps its
/// modification time through the swap and an intranet mirror (rsync)
/// copies only what changed.
fn write_all(
    tmp: &Path,
    previous: Option<&Path>,
    outputs: &[(String, Vec<u8>)],
    model: &Model,
    attachments: &[String],
) -> Result<()> {
    for (rel, bytes) in outputs {
        let path = tmp.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        if !reuse(previous.map(|p| p.join(rel)), bytes, &path) {
            std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        }
    }
    for rel in attachments {
        let dest = tmp.join("files").join(rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let src = model.root.join(rel);
        let bytes = std::fs::read(&src).map_err(|e| Error::io(&src, e))?;
        let rel_out = format!("files/{rel}");
        if !reuse(previous.map(|p| p.join(&rel_out)), &bytes, &dest) {
            std::fs::write(&dest, &bytes).map_err(|e| Error::io(&dest, e))?;
        }
    }
    Ok(())
}

/// Hard-link `old` to `new` if `old` is a plain file holding exactly
/// `bytes`; false (and nothing done) otherwise.
fn reuse(old: Option<PathBuf>, bytes: &[u8], new: &Path) -> bool {
    let Some(old) = old else { return false };
    let same = std::fs::symlink_metadata(&old)
        .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(&old).is_ok_and(|b| b == bytes);
    same && std::fs::hard_link(&old, new).is_ok()
}
