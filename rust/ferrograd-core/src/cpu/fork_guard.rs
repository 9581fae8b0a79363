//! Parallel kernels in a forked child.
//!
//! Thread pools do not survive `fork()`: the child gets a copy of rayon's pool (and of faer's
//! setting to use it) but none of its threads, so its first parallel job would wait forever.
//! DataLoader workers started with the `fork` method are such children. A handler registered
//! with `pthread_atfork` marks the child, and every parallel path then runs on the child's one
//! thread, as PyTorch's workers do (they set one thread too). The spin pool checks its owner's
//! process id for the same reason.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Once;

use super::PARALLEL_THRESHOLD;

static FORKED: AtomicBool = AtomicBool::new(false);

/// Runs in the child right after `fork()`: only async-signal-safe work (two atomic stores).
extern "C" fn on_fork_child() {
    FORKED.store(true, Relaxed);
    faer::set_global_parallelism(faer::Par::Seq);
}

#[cfg(unix)]
extern "C" {
    /// From the C library every Unix Rust program links.
    fn pthread_atfork(
        prepare: Option<extern "C" fn()>,
        parent: Option<extern "C" fn()>,
        child: Option<extern "C" fn()>,
    ) -> i32;
}

/// Registers the fork handler, once per process. Called when the Python module loads and when
/// the spin pool starts, before any thread pool can exist.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(unix)]
        // SAFETY: the handler is a plain function that touches only atomics.
        unsafe {
            pthread_atfork(None, None, Some(on_fork_child));
        }
    });
}

/// Whether rayon's (and faer's) threads can run jobs: false in a forked child.
pub fn threads_usable() -> bool {
    !FORKED.load(Relaxed)
}

/// The threads rayon would split a job over: 1 in a forked child.
pub fn rayon_threads() -> usize {
    if threads_usable() {
        rayon::current_num_threads()
    } else {
        1
    }
}

/// Whether a job over `n` elements is worth splitting across rayon's threads (and can be).
pub fn worth_parallel(n: usize) -> bool {
    n >= PARALLEL_THRESHOLD && threads_usable()
}
