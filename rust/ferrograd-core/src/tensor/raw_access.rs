//! Handing a kernel raw pointers to its operands' data while the storages stay locked: the
//! output's storage for writing, each other storage once for reading.

use super::Tensor;
use crate::error::Result;
use crate::storage::StorageData;
use std::sync::RwLockReadGuard;

/// Calls `f` with the base pointer of `out`'s storage and of each input's storage (offsets come
/// from the layouts). An input that shares `out`'s storage gets `out`'s pointer: callers make
/// sure such an input has `out`'s exact layout (or copy it first), so the kernel reads each
/// element before writing it.
pub(crate) fn with_raw<R>(
    out: &Tensor,
    inputs: &[&Tensor],
    f: impl FnOnce(*mut u8, &[*const u8]) -> Result<R>,
) -> Result<R> {
    let mut out_guard = out.storage().write();
    let out_ptr = out_guard.cpu_mut()?.as_mut_ptr();
    // Each distinct storage is locked once: taking a read lock twice from one thread can
    // deadlock behind a waiting writer.
    let mut guards: Vec<(usize, RwLockReadGuard<'_, StorageData>)> = Vec::new();
    let mut ptrs = Vec::with_capacity(inputs.len());
    for (i, t) in inputs.iter().enumerate() {
        if t.storage().same(out.storage()) {
            ptrs.push(out_ptr as *const u8);
            continue;
        }
        if let Some(j) = (0..i).find(|&j| inputs[j].storage().same(t.storage())) {
            ptrs.push(ptrs[j]);
            continue;
        }
        let guard = t.storage().read();
        ptrs.push(guard.cpu()?.as_ptr());
        guards.push((i, guard));
    }
    let result = f(out_ptr, &ptrs);
    drop(guards);
    drop(out_guard);
    result
}
