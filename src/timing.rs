//! Stage timings for profiling: with `DOCKET_TIMINGS=1` in the
//! environment, each stage prints its wall time to stderr. Off by default,
//! so output stays deterministic; `bench/` and BENCHMARKS.md use it to say
//! where the time goes.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("DOCKET_TIMINGS").is_some_and(|v| v != "0"))
}

/// Run `f`, printing how long it took under `name` when timings are on.
pub fn stage<T>(name: &str, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let start = Instant::now();
    let out = f();
    eprintln!("timing {name:<24} {:>8.3} s", start.elapsed().as_secs_f64());
    out
}
