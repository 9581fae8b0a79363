//! The two kernels under every indexing op: gathering values from precomputed storage offsets
//! and scattering values to them (assigning or reducing). The index arithmetic is done by the
//! caller once, into an `offsets` vector; here a walk over the output (or the scattered
//! operand) adds the offset of the indexed position to the strided offset of the rest.

use super::accumulate::Accumulate;
use super::walk::{fill_walk, walk};
use crate::dtype::Element;
use crate::shape::numel;

/// Where the values of a gather come from: `src[base + Σ walk(src_strides) + offsets[walk(offset_strides)]]`
/// for each position of the output shape.
pub struct OffsetWalk<'a> {
    pub shape: &'a [usize],
    pub strides: &'a [usize],
    pub base: usize,
    pub offset_strides: &'a [usize],
    pub offsets: &'a [usize],
}

/// Reads `src` at the positions of `walk`, row-major over its shape; parallel when large.
pub fn gather_offsets<T: Element>(src: &[T], w: &OffsetWalk<'_>) -> Vec<T> {
    let mut out = vec![T::default(); numel(w.shape)];
    let offsets = w.offsets;
    fill_walk(
        &mut out,
        w.shape,
        [w.strides, w.offset_strides],
        [w.base, 0],
        |_, o| src[o[0] + offsets[o[1]]],
    );
    out
}

/// How scattered values combine with what is already there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Combine {
    Assign,
    Add,
    Multiply,
    Max,
    Min,
}

impl Combine {
    #[inline]
    pub fn apply<T: Accumulate>(self, old: T, new: T) -> T {
        match self {
            Combine::Assign => new,
            Combine::Add => old.add(new),
            Combine::Multiply => old.mul(new),
            Combine::Max => old.max_nan(new),
            Combine::Min => old.min_nan(new),
        }
    }
}

/// Writes `values` (walked with `value_strides` from `value_base` over `w.shape`) into `dst` at
/// the positions of `w`, combining with `combine`. Serial, so repeated indices combine in order.
pub fn scatter_offsets<T: Accumulate>(
    dst: &mut [T],
    w: &OffsetWalk<'_>,
    values: &[T],
    value_strides: &[usize],
    value_base: usize,
    combine: Combine,
) {
    let offsets = w.offsets;
    walk(
        w.shape,
        [w.strides, w.offset_strides, value_strides],
        [w.base, 0, value_base],
        0..numel(w.shape),
        |_, o| {
            let at = o[0] + offsets[o[1]];
            dst[at] = combine.apply(dst[at], values[o[2]]);
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_rows_by_offset() {
        // Rows 2 and 0 of a contiguous [3, 2] matrix.
        let src = [0, 1, 2, 3, 4, 5];
        let w = OffsetWalk {
            shape: &[2, 2],
            strides: &[0, 1],
            base: 0,
            offset_strides: &[1, 0],
            offsets: &[4, 0],
        };
        assert_eq!(gather_offsets(&src, &w), vec![4, 5, 0, 1]);
    }

    #[test]
    fn scatter_adds_repeats_in_order() {
        let mut dst = [0.0f32; 3];
        let w = OffsetWalk {
            shape: &[3],
            strides: &[0],
            base: 0,
            offset_strides: &[1],
            offsets: &[1, 1, 2],
        };
        scatter_offsets(&mut dst, &w, &[1.0, 2.0, 5.0], &[1], 0, Combine::Add);
        assert_eq!(dst, [0.0, 3.0, 5.0]);
    }
}
