//! The one-time warning for ops that have no GPU kernel yet.
//!
//! Such an op runs its CPU kernel on host copies of its GPU inputs (see `resident.rs`). The
//! binding names the op being run (`with_op`); the first time that op has to read GPU data
//! back, a warning naming it is queued, and the binding raises it as a Python warning. Explicit
//! transfers (`.to("cpu")`, printing, `.item()`) are marked as such and never warn.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

thread_local! {
    static OP: Cell<&'static str> = const { Cell::new("") };
    static TRANSFER: Cell<bool> = const { Cell::new(false) };
    static QUEUED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

static WARNED: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);

/// How many times an op read GPU data back for want of a kernel; the tests use it to check
/// that an op really ran on the GPU.
static FALLBACKS: AtomicU64 = AtomicU64::new(0);

/// The number of fallbacks so far (see [`FALLBACKS`]).
pub fn fallback_count() -> u64 {
    FALLBACKS.load(Ordering::Relaxed)
}

/// Runs `f` as the op `name` (for the warning's wording).
pub fn with_op<R>(name: &'static str, f: impl FnOnce() -> R) -> R {
    let previous = OP.with(|op| op.replace(name));
    let result = f();
    OP.with(|op| op.set(previous));
    result
}

/// Runs `f` as a requested transfer: reading GPU data back inside it is not a fallback.
pub fn transfer<R>(f: impl FnOnce() -> R) -> R {
    let previous = TRANSFER.with(|t| t.replace(true));
    let result = f();
    TRANSFER.with(|t| t.set(previous));
    result
}

/// Called when host code reads GPU-resident data.
pub(crate) fn note_host_access() {
    if TRANSFER.with(Cell::get) {
        return;
    }
    FALLBACKS.fetch_add(1, Ordering::Relaxed);
    let op = OP.with(Cell::get);
    let name = if op.is_empty() { "an op" } else { op };
    let first = {
        let mut warned = WARNED.lock().unwrap_or_else(|p| p.into_inner());
        warned.get_or_insert_with(HashSet::new).insert(name)
    };
    if first {
        QUEUED.with(|q| {
            q.borrow_mut().push(format!(
                "{name}: no wgpu kernel yet, so it ran on the CPU (its GPU inputs were copied \
                 to the host and its result back). This warning is shown once per op."
            ))
        });
    }
}

/// The warnings queued on this thread since the last call.
pub fn take_warnings() -> Vec<String> {
    QUEUED.with(|q| std::mem::take(&mut *q.borrow_mut()))
}
