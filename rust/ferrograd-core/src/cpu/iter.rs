//! Walking several same-shaped strided operands in lockstep (an output and its inputs), in the
//! output's memory order, as runs along the innermost dim: the loop every elementwise kernel
//! shares. Dims are reordered so the output is written sequentially, and merged wherever every
//! operand steps over them uniformly, so contiguous operands of any rank become one long run.

use super::{spin_pool, PARALLEL_THRESHOLD};
use crate::layout::Layout;

/// A walk over `N` operands. Operand 0 decides the order (it is the output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan<const N: usize> {
    /// Sizes from outermost to innermost, size-1 dims dropped, mergeable dims merged.
    shape: Vec<usize>,
    /// `strides[d][k]`: operand k's step along dim d, in elements.
    strides: Vec<[usize; N]>,
    offsets: [usize; N],
    numel: usize,
}

/// One run: `len` elements; operand k starts at `starts[k]` and steps `steps[k]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run<const N: usize> {
    pub starts: [usize; N],
    pub steps: [usize; N],
    pub len: usize,
}

impl<const N: usize> Plan<N> {
    /// `layouts` must all have the same shape (broadcast inputs are expanded beforehand).
    pub fn new(layouts: [&Layout; N]) -> Self {
        let shape = layouts[0].shape();
        debug_assert!(layouts.iter().all(|l| l.shape() == shape));
        let numel = shape.iter().product();
        // Outermost first: sort dims by the output's stride, largest first. The sort is stable,
        // so dims the output does not tell apart (size 1, stride 0) keep their order.
        let mut order: Vec<usize> = (0..shape.len()).filter(|&d| shape[d] != 1).collect();
        order.sort_by_key(|&d| std::cmp::Reverse(layouts[0].strides()[d]));
        let mut dims: Vec<usize> = Vec::with_capacity(order.len());
        let mut strides: Vec<[usize; N]> = Vec::with_capacity(order.len());
        for d in order {
            let s: [usize; N] = std::array::from_fn(|k| layouts[k].strides()[d]);
            let n = shape[d];
            if let (Some(pn), Some(ps)) = (dims.last_mut(), strides.last_mut()) {
                // Merge into the previous (outer) dim when it steps exactly over this one.
                if (0..N).all(|k| ps[k] == s[k] * n) {
                    *pn *= n;
                    *ps = s;
                    continue;
                }
            }
            dims.push(n);
            strides.push(s);
        }
        Plan {
            shape: dims,
            strides,
            offsets: std::array::from_fn(|k| layouts[k].offset()),
            numel,
        }
    }

    pub fn numel(&self) -> usize {
        self.numel
    }

    /// Length of the innermost dim (1 for a single element).
    fn inner_len(&self) -> usize {
        self.shape.last().copied().unwrap_or(1)
    }

    fn inner_steps(&self) -> [usize; N] {
        self.strides.last().copied().unwrap_or([0; N])
    }

    /// Calls `f` for each run covering the row-major (in plan order) positions `begin..end`.
    pub fn walk_range(&self, begin: usize, end: usize, mut f: impl FnMut(Run<N>)) {
        if begin >= end {
            return;
        }
        let inner = self.inner_len();
        let steps = self.inner_steps();
        let outer_dims = self.shape.len().saturating_sub(1);
        // Unravel `begin` into an outer index and a position within the run.
        let mut index = vec![0usize; outer_dims];
        let mut rest = begin / inner;
        for d in (0..outer_dims).rev() {
            index[d] = rest % self.shape[d];
            rest /= self.shape[d];
        }
        let mut starts = self.offsets;
        for (d, &i) in index.iter().enumerate() {
            for (start, stride) in starts.iter_mut().zip(self.strides[d]) {
                *start += i * stride;
            }
        }
        let mut pos = begin % inner;
        let mut remaining = end - begin;
        while remaining > 0 {
            let len = (inner - pos).min(remaining);
            f(Run {
                starts: std::array::from_fn(|k| starts[k] + pos * steps[k]),
                steps,
                len,
            });
            remaining -= len;
            pos = 0;
            // Advance the outer index like an odometer.
            for d in (0..outer_dims).rev() {
                index[d] += 1;
                for (start, stride) in starts.iter_mut().zip(self.strides[d]) {
                    *start += stride;
                }
                if index[d] < self.shape[d] {
                    break;
                }
                for (start, stride) in starts.iter_mut().zip(self.strides[d]) {
                    *start -= stride * self.shape[d];
                }
                index[d] = 0;
            }
        }
    }

    /// Calls `f` for every run, splitting the work across the worker threads when it is large
    /// enough to pay for them. Runs handed to different threads never share an output element.
    pub fn for_each_run(&self, f: impl Fn(Run<N>) + Sync) {
        let n = self.numel;
        let threads = spin_pool::threads();
        if n < PARALLEL_THRESHOLD || threads == 1 {
            self.walk_range(0, n, f);
            return;
        }
        let chunks = (threads * 4).min(n / (PARALLEL_THRESHOLD / 4)).max(1);
        let chunk = n.div_ceil(chunks);
        spin_pool::run(chunks, &|c| {
            let begin = c * chunk;
            self.walk_range(begin, (begin + chunk).min(n), &f);
        });
    }
}

/// A raw pointer that may cross to the worker threads: kernels hand each thread disjoint output
/// elements, and inputs are only read.
#[derive(Clone, Copy, Debug)]
pub struct SendPtr<T>(pub *mut T);

impl<T> SendPtr<T> {
    /// The pointer. A method (not `.0`) so closures capture the whole `Send` wrapper.
    #[inline(always)]
    pub fn get(self) -> *mut T {
        self.0
    }
}

// SAFETY: see the type's doc: the walk partitions output elements between threads.
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs<const N: usize>(plan: &Plan<N>, begin: usize, end: usize) -> Vec<Run<N>> {
        let mut out = Vec::new();
        plan.walk_range(begin, end, |r| out.push(r));
        out
    }

    #[test]
    fn contiguous_operands_merge_into_one_run() {
        let a = Layout::contiguous(&[2, 3, 4]);
        let plan = Plan::new([&a, &a]);
        assert_eq!(
            runs(&plan, 0, 24),
            vec![Run {
                starts: [0, 0],
                steps: [1, 1],
                len: 24
            }]
        );
    }

    #[test]
    fn output_order_wins_and_broadcast_has_stride_zero() {
        // Output transposed (column-major 2x3), input a row vector broadcast over rows.
        let out = Layout::new(vec![2, 3], vec![1, 2], 0);
        let b = Layout::new(vec![2, 3], vec![0, 1], 0);
        let plan = Plan::new([&out, &b]);
        let got = runs(&plan, 0, 6);
        // Walk the output sequentially: dim 1 outer, dim 0 inner.
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].starts, [2, 1]);
        assert_eq!(got[1].steps, [1, 0]);
        assert_eq!(got[1].len, 2);
    }

    #[test]
    fn ranges_split_runs_at_any_position() {
        let a = Layout::new(vec![3, 4], vec![8, 2], 1);
        let plan = Plan::new([&a]);
        let all: Vec<usize> = runs(&plan, 0, 12)
            .iter()
            .flat_map(|r| (0..r.len).map(move |i| r.starts[0] + i * r.steps[0]))
            .collect();
        let mut pieces = Vec::new();
        for (b, e) in [(0, 5), (5, 6), (6, 12)] {
            for r in runs(&plan, b, e) {
                pieces.extend((0..r.len).map(|i| r.starts[0] + i * r.steps[0]));
            }
        }
        assert_eq!(all, pieces);
        assert_eq!(all[..5], [1, 3, 5, 7, 9]);
    }

    #[test]
    fn scalars_and_empty() {
        let s = Layout::new(vec![], vec![], 3);
        let plan = Plan::new([&s, &s]);
        assert_eq!(runs(&plan, 0, 1)[0].starts, [3, 3]);
        let e = Layout::contiguous(&[2, 0]);
        let plan = Plan::new([&e]);
        assert_eq!(plan.numel(), 0);
        assert!(runs(&plan, 0, 0).is_empty());
    }
}
