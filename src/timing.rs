//! Stage timings for profiling: with `DOCKET_TIMINGS=1` in the
//! environment, each stage prints its wall time to stderr, and on Linux the
//! process's resident and peak memory when it ended. Off by default, so
//! output stays deterministic; BENCHMARKS.md uses it to say where the time
//! and the memory go.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| crate::env_flag("DOCKET_TIMINGS"))
}

/// When the run began ([`begin`]), for each stage's end to say when it
/// came: the gaps between stages, and the time before the first and after
/// the last, are part of what a run costs.
static BEGAN: OnceLock<Instant> = OnceLock::new();

/// Mark the start of the run: called first thing in `main`.
pub fn begin() {
    BEGAN.get_or_init(Instant::now);
}

/// Print when the run's last stage is over and only exiting remains.
pub fn end() {
    if enabled() {
        eprintln!("timing {:<24} {:>8} at {:.3} s", "(end)", "", since_began());
    }
}

fn since_began() -> f64 {
    BEGAN.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// Run `f`, printing how long it took under `name` when timings are on.
pub fn stage<T>(name: &str, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let (start, cpu) = (Instant::now(), cpu_seconds());
    let out = f();
    let wall = start.elapsed().as_secs_f64();
    // The process's CPU time over the stage's wall time says how many of
    // the cores it kept busy: a stage near 1.0 runs alone on one core,
    // and another could run beside it. Threads working in the background
    // (a cache being saved) count in whichever stage they overlap.
    let cores = match (cpu, cpu_seconds()) {
        (Some(a), Some(b)) if wall > 0.0 => format!("  cores {:>4.1}", (b - a) / wall),
        _ => String::new(),
    };
    let at = since_began();
    eprintln!(
        "timing {name:<24} {wall:>8.3} s{cores}{}  at {at:.3} s",
        memory()
    );
    out
}

/// Print how many of some piece of work a run did, under `name`, when
/// timings are on: where a cost went, not only how long it took (the
/// signatures a first build verifies in the walk, and those verified when
/// a page first asked). Tests read these to see an optimisation still
/// does its work, which the output alone cannot show.
pub fn count(name: &str, n: usize) {
    if enabled() {
        eprintln!("count {name:<24} {n:>8}");
    }
}

/// The process's user and system CPU time, from `/proc/self/stat`
/// (in clock ticks, a hundredth of a second on Linux); none elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; fields count from after it.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// `  rss N MiB  peak N MiB`, from `/proc/self/status`; empty elsewhere.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or_else(|| "?".to_string(), |kb| (kb / 1024).to_string())
    };
    // File-backed pages (git's packs, mapped) count in the peak as much
    // as the heap does; the split says which one a change must cut.
    format!(
        "  rss {:>5} MiB (mapped files {:>4})  peak {:>5} MiB",
        field("VmRSS:"),
        field("RssFile:"),
        field("VmHWM:")
    )
}
