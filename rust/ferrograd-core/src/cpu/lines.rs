//! Working on a tensor one line at a time: the values along one dim, for every position of the
//! other dims. Sorting, `topk` and batched `searchsorted` are all "do this to each line".

use super::fork_guard::worth_parallel;
use rayon::prelude::*;

use crate::dtype::Element;
use crate::layout::Layout;
use crate::strided::offsets;

/// The storage offset where each line along `dim` starts, in row-major order of the other dims.
pub fn line_starts(layout: &Layout, dim: usize) -> Vec<usize> {
    let mut shape = layout.shape().to_vec();
    let mut strides = layout.strides().to_vec();
    shape.remove(dim);
    strides.remove(dim);
    let others = Layout::new(shape, strides, layout.offset());
    offsets(&others).collect()
}

/// Calls `f(line, out)` for every line of `layout` along `dim`, where `line` holds the line's
/// values in order and `out` is that line's `out_len` results. Returns the results line after
/// line (the "dim-last" order). Lines are spread across threads when the work is large.
pub fn map_lines<T: Element, U: Copy + Default + Send + Sync>(
    src: &[T],
    layout: &Layout,
    dim: usize,
    out_len: usize,
    f: impl Fn(&[T], &mut [U]) + Sync,
) -> Vec<U> {
    let starts = line_starts(layout, dim);
    let (len, stride) = (layout.shape()[dim], layout.strides()[dim]);
    let mut out = vec![U::default(); starts.len() * out_len];
    if out_len == 0 {
        // Still visit each line: callers may validate it.
        let mut none: [U; 0] = [];
        starts
            .iter()
            .for_each(|&s| f(&read_line(src, s, len, stride), &mut none));
        return out;
    }
    let run = |(chunk, &start): (&mut [U], &usize)| f(&read_line(src, start, len, stride), chunk);
    if starts.len() > 1 && worth_parallel(starts.len() * len.max(out_len)) {
        out.par_chunks_mut(out_len)
            .zip(starts.par_iter())
            .for_each(run);
    } else {
        out.chunks_mut(out_len).zip(starts.iter()).for_each(run);
    }
    out
}

fn read_line<T: Element>(src: &[T], start: usize, len: usize, stride: usize) -> Vec<T> {
    if len == 0 {
        return Vec::new(); // an empty line's start may lie past the storage
    }
    if stride == 1 {
        return src[start..start + len].to_vec();
    }
    (0..len).map(|i| src[start + i * stride]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_along_each_dim() {
        let src: Vec<i64> = (0..6).collect();
        let l = Layout::contiguous(&[2, 3]);
        let sums = map_lines(&src, &l, 1, 1, |line, out| {
            out[0] = line.iter().sum::<i64>()
        });
        assert_eq!(sums, vec![3, 12]);
        let firsts = map_lines(&src, &l, 0, 2, |line, out| out.copy_from_slice(line));
        assert_eq!(firsts, vec![0, 3, 1, 4, 2, 5]);
    }
}
