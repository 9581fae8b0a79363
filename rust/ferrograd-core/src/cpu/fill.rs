//! Filling every element of a layout with one value.

use crate::dtype::Element;
use crate::layout::Layout;
use crate::strided::Runs;

pub fn fill<T: Element>(dst: &mut [T], layout: &Layout, value: T) {
    if layout.numel() == 0 {
        return;
    }
    if layout.is_contiguous() {
        let s = layout.offset();
        dst[s..s + layout.numel()].fill(value);
        return;
    }
    for run in Runs::new(layout) {
        for i in 0..run.len {
            dst[run.start + i * run.stride] = value;
        }
    }
}
