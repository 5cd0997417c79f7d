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
//! So a build that finds what a previous one kept ([`Hold::when`]: a
//! published site and the history's cached index) keeps what it frees
//! for its own reuse, until it lays out more record pages than a few
//! commits change ([`Hold::laying_out`]): a build that lays out every
//! page (another docket version, a changed configuration) reads every
//! page's timeline from git, as a cold build does, and peaks as high: it
//! then gives back what it held, and freed memory from there on as usual.
//! (Held, freed memory is still marked to go back, after ten minutes
//! instead of a second, so that a release can return it at once; held
//! for ever, the pages' build of a 50,000-order company peaked at 1,056-
//! 1,146 MiB instead of 944-970.)
//! The choice changes only when memory goes back, never what a build
//! computes.

use std::sync::atomic::{AtomicBool, Ordering};

/// mimalloc's `mi_option_purge_delay` (its `mimalloc.h`, version 3, the
/// one `libmimalloc-sys` builds): milliseconds before freed memory is
/// returned, or -1 for never.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The purge delay while memory is held: longer than any build that
/// lays out few pages. Not "never" (-1): memory freed then would not even
/// be marked to go back, and [`Hold::release`] could not return it.
const HELD_MS: std::ffi::c_long = 10 * 60 * 1000;

/// More record pages laid out than this, and freed memory goes back to the
/// system again: a commit lays out a handful; a new employee, the pages
/// that name her.
pub const LAID_OUT: usize = 1_000;

/// Freed memory held for reuse, from [`Hold::when`] until
/// [`Hold::release`] (or the end of the process).
pub struct Hold {
    /// The purge delay before, restored by [`Hold::release`].
    before: std::ffi::c_long,
    held: AtomicBool,
}

impl Hold {
    /// Hold freed memory when `incremental` (the build continues a
    /// previous one: see the module's comment); `None` otherwise.
    pub fn when(incremental: bool) -> Option<Hold> {
        if !incremental {
            return None;
        }
        // SAFETY: reading and setting an option of mimalloc, which it reads
        // again each time it would purge.
        let before = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, HELD_MS) };
        Some(Hold {
            before,
            held: AtomicBool::new(true),
        })
    }

    /// `laid_out` record pages have been laid out so far: past
    /// [`LAID_OUT`], release.
    pub fn laying_out(&self, laid_out: usize) {
        if laid_out > LAID_OUT {
            self.release();
        }
    }

    /// Give back what is held now, and freed memory from here on as
    /// before (once; any thread).
    pub fn release(&self) {
        if self.held.swap(false, Ordering::Relaxed) {
            // SAFETY: as in `when`; then a collection, forced: every arena's
            // memory marked to go back goes now, whatever its delay.
            unsafe {
                libmimalloc_sys::mi_option_set(PURGE_DELAY, self.before);
                libmimalloc_sys::mi_collect(true);
            }
        }
    }

    /// Whether freed memory is still held.
    pub fn is_held(&self) -> bool {
        self.held.load(Ordering::Relaxed)
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.release();
    }
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
    fn a_hold_sets_the_purge_delay_and_restores_it() {
        assert!(Hold::when(false).is_none());
        let before = delay();
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // mimalloc's default (a second), which none of the options
            // beside this one in its list has.
            assert_eq!(before, 1000);
        }
        let hold = Hold::when(true).unwrap();
        assert_eq!(delay(), HELD_MS);
        hold.laying_out(LAID_OUT);
        assert!(hold.is_held());
        hold.laying_out(LAID_OUT + 1);
        assert!(!hold.is_held());
        assert_eq!(delay(), before);
        hold.release();
        assert_eq!(delay(), before);
        drop(hold);
        assert_eq!(delay(), before);
    }
}
