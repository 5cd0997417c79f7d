//! The stages alone, so a regression in one shows: loading (walk, parse,
//! model), the history index, the rules, and rendering (cold, and again
//! over an unchanged site), each timed on a generated demo repository.
//!
//!     cargo bench --bench stages [-- ORDERS]      (default 2000 orders)
//!
//! Prints the median of several runs per stage. Not a test: nothing is
//! asserted; compare figures from one run, the machine is shared.

use docket::render::{self, SiteOptions};
use std::time::{Duration, Instant};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(f());
        times.push(start.elapsed());
    }
    (median(times), last.expect("at least one run"))
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this
    // too, without it, and then a small company is enough to prove the
    // bench still works.
    let benching = std::env::args().any(|a| a == "--bench");
    let orders: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if benching { 2000 } else { 50 });
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("records");
    let made = docket::demo::generate(&docket::demo::Options {
        repo: repo.clone(),
        orders,
        seed: 1,
        force: false,
    })
    .expect("demo generates");
    let as_of = docket::demo::AS_OF;
    println!("{orders} orders, {} commits", made.commits);

    let (t, (model, findings)) = time(5, || {
        docket::model::build(docket::load::load(&repo).expect("loads"))
    });
    println!(
        "load + model   {:>8.1} ms  ({} records)",
        t.as_secs_f64() * 1e3,
        model.record_count()
    );

    let (t, report) = time(5, || {
        docket::cmd::check_model(&model, None, findings.clone(), Some(as_of)).expect("checks")
    });
    println!(
        "rules          {:>8.1} ms  ({} findings)",
        t.as_secs_f64() * 1e3,
        report.findings.len()
    );

    let (t, (model, history, report)) = time(3, || {
        let _ = std::fs::remove_dir_all(repo.join(".git/docket"));
        docket::cmd::analyse_history(&repo, Some(as_of)).expect("history")
    });
    println!("check + history (cold) {:>8.1} ms", t.as_secs_f64() * 1e3);

    let status = docket::report::status::status(&model, &report, Some(&history));
    let out = dir.path().join("site");
    let site = SiteOptions {
        history: Some(&history),
        templates: false,
        progress: false,
        exits: false,
    };
    // Cold: no previous site, every page rendered.
    let (t, stats) = time(3, || {
        let _ = std::fs::remove_dir_all(&out);
        let publisher = render::Publisher::open(&out, &repo, || {}).expect("opens");
        render::site(&model, &report, &status, publisher, &site).expect("renders")
    });
    assert_eq!(
        stats.rendered, stats.pages,
        "a cold render renders every page"
    );
    println!(
        "render         {:>8.1} ms  ({} pages, {:.0} µs a page)",
        t.as_secs_f64() * 1e3,
        stats.pages,
        t.as_secs_f64() * 1e6 / stats.pages as f64
    );
    // Again over the published site, nothing changed: views, fingerprints
    // and hard links only.
    let (t, stats) = time(3, || {
        let publisher = render::Publisher::open(&out, &repo, || {}).expect("opens");
        render::site(&model, &report, &status, publisher, &site).expect("renders")
    });
    println!(
        "render, unchanged {:>5.1} ms  ({} of {} pages rendered)",
        t.as_secs_f64() * 1e3,
        stats.rendered,
        stats.pages
    );
}
