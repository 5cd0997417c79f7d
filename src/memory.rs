//! When docket's allocator gives freed memory back to the system.
//!
//! mimalloc, docket's allocator, returns memory to the system a second
//! after it is freed (it "purges" it), and the system hands it back one
//! page at a time, zeroed, when it is next touched: a page fault for
//! every 4 KiB.
//! That keeps a process no larger than what it holds, which a cold build
//! of a big company needs (its peak, at 50,000 orders, is near issue 16's
//! 1 GiB). A rebuild after one commit frees and allocates as much, stage
//! after stage (the records' parsed trees, then the model's views...),
//! but never holds more than a cold build did: returning each stage's
//! memory only for the next one to fault it in again cost a rebuild of
//! 50,000 orders a third of a second of system time, a twentieth of its
//! CPU time (BENCHMARKS.md).
//!
//! So a build that finds what a previous one kept ([`hold`]: a published
//! site and the history's cached index) keeps what it frees for its own
//! reuse, until it proves more files or lays out more record pages than
//! a few commits change ([`working_through`]): a build that proves every
//! file again, or lays out every page (another docket version, a changed
//! configuration), reads every revision from git as a cold build does,
//! and peaks as high. It then gives back what it held, at once, and
//! freed memory from there on as usual ([`release`]). Held, freed memory
//! is still marked to go back, after ten minutes instead of a second, so
//! that a release can return it: held for ever (a delay of -1), a
//! 50,000-order build that laid out every page peaked at 1,031-1,120 MiB
//! instead of 945-950; and memory freed before the hold, a second old
//! when the build has loaded its records, is returned when the hold
//! begins, or mimalloc would return everything freed until then at that
//! second. The choice changes only when memory goes back, never what a
//! build computes.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

/// mimalloc's `mi_option_purge_delay` (its `mimalloc.h`, version 3, the
/// one `libmimalloc-sys` builds): milliseconds before freed memory is
/// returned, or -1 for never.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The purge delay while memory is held: longer than any build that
/// lays out few pages. Not "never" (-1): memory freed then would not even
/// be marked to go back, and [`release`] could not return it.
const HELD_MS: std::ffi::c_long = 10 * 60 * 1000;

// Longer than any rebuild that holds (a few seconds at 50,000 orders): a
// short delay would return memory in mid-build, and 0 at once.
const _: () = assert!(HELD_MS >= 60_000);

/// More record pages laid out, or more files proven, than this, and freed
/// memory goes back to the system again: a commit changes a handful; a new
/// employee, the pages that name her.
pub const LOTS: usize = 1_000;

/// Whether freed memory is held now ([`hold`]), and the purge delay
/// before, which [`release`] restores.
static HELD: AtomicBool = AtomicBool::new(false);
static BEFORE: AtomicI64 = AtomicI64::new(0);

/// Releases the hold when dropped: at the end of a build, whether it
/// succeeded or failed, so that a process that goes on (a library's
/// user) gives memory back as before.
/// A guard that held nothing (not incremental, or a hold already in
/// place) releases nothing: only the one that began the hold ends it.
#[must_use = "the hold ends when this is dropped"]
pub struct Held(bool);

impl Drop for Held {
    fn drop(&mut self) {
        if self.0 {
            release();
        }
    }
}

/// Hold freed memory when `incremental` (the build continues a previous
/// one: see the module's comment), until [`release`] or the guard's end.
pub fn hold(incremental: bool) -> Held {
    if !incremental || HELD.swap(true, Ordering::SeqCst) {
        return Held(false);
    }
    // SAFETY: reading and setting an option of mimalloc, which it reads
    // again each time it would purge. Then a collection, forced: what was
    // freed before is returned now, and with it goes the deadline it set
    // (mimalloc keeps one per arena, the first one set), which would
    // otherwise return, a second into the build, all that was freed until
    // then.
    unsafe {
        let before = libmimalloc_sys::mi_option_get(PURGE_DELAY);
        // `c_long` is 64 bits here, 32 on Windows.
        #[allow(clippy::useless_conversion)]
        BEFORE.store(i64::from(before), Ordering::SeqCst);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, HELD_MS);
        libmimalloc_sys::mi_collect(true);
    }
    Held(true)
}

/// `done` record pages laid out, or files proven, so far by one stage:
/// past [`LOTS`], [`release`].
pub fn working_through(done: usize) {
    if done > LOTS {
        release();
    }
}

/// Give back what is held now, and freed memory from here on as before
/// (any thread; nothing if nothing is held).
pub fn release() {
    if HELD.swap(false, Ordering::SeqCst) {
        let before = std::ffi::c_long::try_from(BEFORE.load(Ordering::SeqCst)).unwrap_or(1000);
        // SAFETY: as in `hold`; then a collection, forced: every arena's
        // memory marked to go back goes now, whatever its delay.
        unsafe {
            libmimalloc_sys::mi_option_set(PURGE_DELAY, before);
            libmimalloc_sys::mi_collect(true);
        }
    }
}

/// Whether freed memory is held now.
pub fn is_held() -> bool {
    HELD.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delay() -> std::ffi::c_long {
        // SAFETY: reading an option.
        unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }
    }

    /// The option set is the purge delay (a wrong index would set another
    /// of mimalloc's options), and it comes back when released.
    #[test]
    fn a_hold_sets_the_purge_delay_and_a_release_restores_it() {
        let before = delay();
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // mimalloc's default (a second), which none of the options
            // beside this one in its list has.
            assert_eq!(before, 1000);
        }
        drop(hold(false));
        assert!(!is_held());
        assert_eq!(delay(), before);
        let held = hold(true);
        assert!(is_held());
        assert_eq!(delay(), HELD_MS);
        working_through(LOTS);
        assert!(is_held());
        working_through(LOTS + 1);
        assert!(!is_held());
        assert_eq!(delay(), before);
        release();
        drop(held);
        assert_eq!(delay(), before);
        // A build that fails ends its hold too.
        let failed = || -> Result<(), ()> {
            let _held = hold(true);
            Err(())
        };
        assert!(failed().is_err());
        assert!(!is_held());
        assert_eq!(delay(), before);
    }
}
