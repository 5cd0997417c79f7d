//! libgit2's memory from mimalloc, as the rest of docket's.
//!
//! libgit2 allocates for every object it reads (the object, its bytes,
//! a parsed commit's fields) through an allocator it can be given before
//! it starts, and the C library's `malloc` otherwise. A cold build of
//! 50,000 orders reads some two million objects on two threads; in its
//! profile the C library's allocator was 2.7% of the samples, and
//! mimalloc, which docket's own allocations already use, is faster at
//! small blocks freed soon after.
//!
//! Owning libgit2's allocator also lets docket refuse a blob too large
//! for a record without asking its size first ([`capped`]). libgit2 reads
//! a blob into one new block of its size, allocated before a byte of it
//! is inflated (a delta's bases are inflated first, each into a block of
//! its own), so a reading thread may cap the new blocks libgit2
//! allocates for it: a blob over the cap fails to read before its bytes
//! cost anything. Asking
//! the size first (`git_odb_read_header`) walks the object's whole delta
//! chain, taking libgit2's global lock at every step, only to learn the
//! type the tree already named: at 50,000 orders, the largest cause of
//! the proofs' threads waiting on each other, and 4% of a cold build's
//! CPU.

use std::cell::Cell;
use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};

/// libgit2's `git_allocator` (include/git2/sys/alloc.h).
#[repr(C)]
struct Allocator {
    gmalloc: unsafe extern "C" fn(usize, *const c_char, c_int) -> *mut c_void,
    grealloc: unsafe extern "C" fn(*mut c_void, usize, *const c_char, c_int) -> *mut c_void,
    gfree: unsafe extern "C" fn(*mut c_void),
}

unsafe extern "C" fn gmalloc(n: usize, _: *const c_char, _: c_int) -> *mut c_void {
    if !allowed(n) {
        return std::ptr::null_mut();
    }
    // SAFETY: mimalloc's malloc, for any size.
    unsafe { libmimalloc_sys::mi_malloc(n) }
}

unsafe extern "C" fn grealloc(p: *mut c_void, n: usize, _: *const c_char, _: c_int) -> *mut c_void {
    // Only a new block is capped: a blob's bytes are always one, and
    // libgit2 does not always survive a refused growth of a block it
    // holds. Its cache of delta bases, shared by every thread reading a
    // pack, counts a base it failed to add to its map as held, for good
    // (`cache_add` in pack.c ignores the failure); refused often enough,
    // its eviction loop would never end.
    if p.is_null() && !allowed(n) {
        return std::ptr::null_mut();
    }
    // SAFETY: `p` is null or came from `gmalloc`/`grealloc`: libgit2 uses
    // this allocator for all it allocates, from before it starts.
    unsafe { libmimalloc_sys::mi_realloc(p, n) }
}

unsafe extern "C" fn gfree(p: *mut c_void) {
    // SAFETY: as for `grealloc`.
    unsafe { libmimalloc_sys::mi_free(p) }
}

static MIMALLOC: Allocator = Allocator {
    gmalloc,
    grealloc,
    gfree,
};

/// Whether libgit2 allocates through this module, so that [`capped`]
/// can cap it.
static INSTALLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The largest block libgit2 may allocate on this thread now.
    static CAP: Cell<usize> = const { Cell::new(usize::MAX) };
    /// Whether a block was refused under the cap now in force.
    static REFUSED: Cell<bool> = const { Cell::new(false) };
}

/// Whether libgit2 may allocate `n` bytes on this thread. Never panics
/// (it is called from C): a thread whose locals are gone is not capped.
fn allowed(n: usize) -> bool {
    let fits = CAP.try_with(|cap| n <= cap.get()).unwrap_or(true);
    if !fits {
        let _ = REFUSED.try_with(|refused| refused.set(true));
    }
    fits
}

/// Run `read` with every new block libgit2 allocates on this thread
/// capped at `limit` bytes (a block it grows is not: see `grealloc`);
/// with whether a block was refused. `None`, without running it, when
/// libgit2 does not allocate through this module (a library caller that
/// did not call [`libgit2_uses_mimalloc`]): then nothing can be capped.
///
/// A refusal fails what libgit2 was doing. It does not say the object
/// read was over the limit: a small blob may be a delta on a large one.
/// The caller learns the size another way before it concludes.
///
/// `read` should call libgit2 and nothing else: other work on this
/// thread (a rayon task it waits for, stolen here) would be capped too.
///
/// One block libgit2 must never be refused: the copy of a delta base
/// taken from its cache (a base of at most 1 MiB, copied into a block of
/// its size and one byte), whose failure leaves the cache entry pinned
/// for good. So `limit` is never below 1 MiB and one byte (the caller
/// asserts it of its own).
pub fn capped<T>(limit: usize, read: impl FnOnce() -> T) -> Option<(T, bool)> {
    INSTALLED
        .load(Ordering::Relaxed)
        .then(|| under_cap(limit, read))
}

/// [`capped`]'s work, whoever allocates: `read` with this thread's cap
/// at `limit`, and whether [`allowed`] refused anything meanwhile.
/// Within an enclosing call the tighter cap holds, and a refusal here is
/// one there too; the enclosing cap is back however `read` ends.
fn under_cap<T>(limit: usize, read: impl FnOnce() -> T) -> (T, bool) {
    struct Outer(usize, bool);
    impl Drop for Outer {
        fn drop(&mut self) {
            CAP.set(self.0);
            REFUSED.set(self.1 || REFUSED.get());
        }
    }
    let cap = limit.min(CAP.get());
    let outer = Outer(CAP.replace(cap), REFUSED.replace(false));
    let out = read();
    let refused = REFUSED.get();
    drop(outer);
    (out, refused)
}

/// Give libgit2 mimalloc. Only before anything calls libgit2 (the start
/// of `main`): memory it allocated with another allocator would be freed
/// with this one. libgit2 keeps an allocator set before it starts
/// (`git_allocator_global_init`).
pub fn libgit2_uses_mimalloc() {
    // SAFETY: the option takes a pointer to a `git_allocator`, which
    // libgit2 copies; nothing of libgit2 has run yet (see above).
    let set = unsafe {
        libgit2_sys::git_libgit2_opts(
            libgit2_sys::GIT_OPT_SET_ALLOCATOR as c_int,
            &MIMALLOC as *const Allocator,
        )
    };
    INSTALLED.store(set == 0, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::{allowed, under_cap};

    // Only the cap's bookkeeping: libgit2 itself cannot be given this
    // allocator in a test process that has already started it (the CLI
    // tests, tests/cli/blobs.rs, see it at work).
    #[test]
    fn a_cap_refuses_larger_blocks_on_its_thread_until_it_ends() {
        assert!(allowed(usize::MAX), "no cap outside");
        let ((), refused) = under_cap(100, || {
            assert!(allowed(100));
            assert!(std::thread::spawn(|| allowed(101)).join().unwrap());
            assert!(!allowed(101));
        });
        assert!(refused);
        let ((), refused) = under_cap(100, || assert!(allowed(10)));
        assert!(!refused, "a refusal is not carried into the next cap");
        assert!(allowed(usize::MAX), "the cap ends with its call");
    }

    #[test]
    fn a_nested_cap_keeps_the_tighter_limit_and_passes_a_refusal_up() {
        let (inner, outer) = under_cap(100, || {
            let ((), inner) = under_cap(1000, || assert!(!allowed(101)));
            inner
        });
        assert!(inner && outer, "the inner refusal is the outer's too");
        let ((), outer) = under_cap(100, || {
            let ((), inner) = under_cap(10, || assert!(allowed(10)));
            assert!(!inner);
            assert!(allowed(100), "the outer cap is back, not the inner");
        });
        assert!(!outer);
        let ((), outer) = under_cap(100, || {
            under_cap(1000, || ());
            assert!(!allowed(101), "the outer cap is back, not none");
        });
        assert!(outer);
        let panicked = std::panic::catch_unwind(|| under_cap(5, || panic!("a read that fails")));
        assert!(panicked.is_err());
        assert!(allowed(usize::MAX), "the cap ends with a panic too");
    }
}
