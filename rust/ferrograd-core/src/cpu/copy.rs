//! Copying between layouts, with a dtype cast on the way: `contiguous`, `to(dtype)`, `copy_`,
//! `clone` all end here.

use super::fork_guard::worth_parallel;
use rayon::prelude::*;

use crate::dtype::Element;
use crate::layout::Layout;
use crate::strided::{offsets, Runs};

/// `src` as a slice of `D` when `S` and `D` are the same type, so copies can be memcpys.
pub fn as_same_type<S: Element, D: Element>(src: &[S]) -> Option<&[D]> {
    if std::any::TypeId::of::<S>() != std::any::TypeId::of::<D>() {
        return None;
    }
    // SAFETY: S and D are the same type.
    Some(unsafe { std::slice::from_raw_parts(src.as_ptr() as *const D, src.len()) })
}

/// Reads the elements of `layout` from `src` in row-major order into a new vector, casting.
pub fn gather_to_vec<S: Element, D: Element>(src: &[S], layout: &Layout) -> Vec<D> {
    let n = layout.numel();
    if n == 0 {
        return Vec::new(); // an empty view may have an offset past its storage's end
    }
    if layout.is_contiguous() {
        let part = &src[layout.offset()..layout.offset() + n];
        if let Some(same) = as_same_type::<S, D>(part) {
            return same.to_vec(); // a plain memcpy
        }
        if worth_parallel(n) {
            return part.par_iter().map(|&v| v.cast_to::<D>()).collect();
        }
        return part.iter().map(|&v| v.cast_to::<D>()).collect();
    }
    let mut out = Vec::with_capacity(n);
    for run in Runs::new(layout) {
        if run.stride == 1 {
            out.extend(
                src[run.start..run.start + run.len]
                    .iter()
                    .map(|&v| v.cast_to::<D>()),
            );
        } else {
            out.extend((0..run.len).map(|i| src[run.start + i * run.stride].cast_to::<D>()));
        }
    }
    out
}

/// Writes `values` (row-major, one per element of `layout`) into `dst` at `layout`'s offsets.
pub fn scatter_from_slice<S: Element, D: Element>(values: &[S], dst: &mut [D], layout: &Layout) {
    if layout.numel() == 0 {
        return;
    }
    if layout.is_contiguous() {
        let start = layout.offset();
        let part = &mut dst[start..start + values.len()];
        if let Some(same) = as_same_type::<S, D>(values) {
            part.copy_from_slice(same);
        } else if worth_parallel(values.len()) {
            part.par_iter_mut()
                .zip(values.par_iter())
                .for_each(|(d, &v)| *d = v.cast_to::<D>());
        } else {
            part.iter_mut()
                .zip(values)
                .for_each(|(d, &v)| *d = v.cast_to::<D>());
        }
        return;
    }
    for (off, &v) in offsets(layout).zip(values) {
        dst[off] = v.cast_to::<D>();
    }
}

/// Copies `src` at `src_layout` to `dst` at `dst_layout` (same shape), casting. The two must
/// be different buffers: the caller materialises overlapping sources first.
pub fn copy_strided<S: Element, D: Element>(
    src: &[S],
    src_layout: &Layout,
    dst: &mut [D],
    dst_layout: &Layout,
) {
    if src_layout.numel() == 0 {
        return;
    }
    if src_layout.is_contiguous() {
        let s = src_layout.offset();
        scatter_from_slice(&src[s..s + src_layout.numel()], dst, dst_layout);
    } else {
        let values: Vec<S> = gather_to_vec(src, src_layout);
        scatter_from_slice(&values, dst, dst_layout);
    }
}
