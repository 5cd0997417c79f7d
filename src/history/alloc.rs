//! libgit2's memory from mimalloc, as the rest of docket's.
//!
//! libgit2 allocates for every object it reads (the object, its bytes,
//! a parsed commit's fields) through an allocator it can be given before
//! it starts, and the C library's `malloc` otherwise. A cold build of
//! 50,000 orders reads some two million objects on two threads; in its
//! profile the C library's allocator was 2.7% of the samples, and
//! mimalloc, which docket's own allocations already use, is faster at
//! small blocks freed soon after.

use std::ffi::{c_char, c_int, c_void};

/// libgit2's `git_allocator` (include/git2/sys/alloc.h).
#[repr(C)]
struct Allocator {
    gmalloc: unsafe extern "C" fn(usize, *const c_char, c_int) -> *mut c_void,
    grealloc: unsafe extern "C" fn(*mut c_void, usize, *const c_char, c_int) -> *mut c_void,
    gfree: unsafe extern "C" fn(*mut c_void),
}

unsafe extern "C" fn gmalloc(n: usize, _: *const c_char, _: c_int) -> *mut c_void {
    // SAFETY: mimalloc's malloc, for any size.
    unsafe { libmimalloc_sys::mi_malloc(n) }
}

unsafe extern "C" fn grealloc(p: *mut c_void, n: usize, _: *const c_char, _: c_int) -> *mut c_void {
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

/// Give libgit2 mimalloc. Only before anything calls libgit2 (the start
/// of `main`): memory it allocated with another allocator would be freed
/// with this one. libgit2 keeps an allocator set before it starts
/// (`git_allocator_global_init`).
pub fn libgit2_uses_mimalloc() {
    // SAFETY: the option takes a pointer to a `git_allocator`, which
    // libgit2 copies; nothing of libgit2 has run yet (see above).
    unsafe {
        libgit2_sys::git_libgit2_opts(
            libgit2_sys::GIT_OPT_SET_ALLOCATOR as c_int,
            &MIMALLOC as *const Allocator,
        );
    }
}
