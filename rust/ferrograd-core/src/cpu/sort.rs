//! Sorting one line: PyTorch's order (NaN above everything, so last ascending and first
//! descending; equal values keep their index order), and `topk`'s selection, which replays
//! libstdc++'s algorithms so that ties come out as PyTorch's CPU kernel leaves them.

use std::cmp::Ordering;

use super::fork_guard::worth_parallel;
use rayon::prelude::*;

use crate::dtype::Element;
use crate::random::stl_select::{nth_element, partial_sort, sort as stl_sort};

#[inline]
pub fn is_nan<T: Element>(v: T) -> bool {
    // Only NaN is unequal to itself.
    #[allow(clippy::eq_op)]
    let nan = v != v;
    nan
}

/// Ascending order with NaN greatest (all NaNs equal).
#[inline]
pub fn cmp_nan_last<T: Element>(a: T, b: T) -> Ordering {
    match (is_nan(a), is_nan(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// Stable sort of one line into `(value, index)` pairs.
pub fn sort_line<T: Element>(line: &[T], descending: bool, out: &mut [(T, i64)]) {
    for (i, (o, &v)) in out.iter_mut().zip(line).enumerate() {
        *o = (v, i as i64);
    }
    let cmp = |a: &(T, i64), b: &(T, i64)| {
        if descending {
            cmp_nan_last(b.0, a.0)
        } else {
            cmp_nan_last(a.0, b.0)
        }
    };
    if worth_parallel(out.len()) {
        out.par_sort_by(cmp); // rayon's parallel merge sort is stable too
    } else {
        out.sort_by(cmp);
    }
}

/// `topk` of one line as PyTorch's CPU kernel computes it: `partial_sort` when `k * 64 <= n`,
/// else `nth_element` (followed, when `sorted`, by a sort of the first `k - 1`).
pub fn topk_line<T: Element>(
    line: &[T],
    k: usize,
    largest: bool,
    sorted: bool,
    out: &mut [(T, i64)],
) {
    if k == 0 {
        return;
    }
    let mut queue: Vec<(T, i64)> = line.iter().copied().zip(0..).collect();
    let before = |x: &(T, i64), y: &(T, i64)| {
        if largest {
            (is_nan(x.0) && !is_nan(y.0)) || x.0 > y.0
        } else {
            (!is_nan(x.0) && is_nan(y.0)) || x.0 < y.0
        }
    };
    if k * 64 <= queue.len() {
        partial_sort(&mut queue, k, &before);
    } else {
        nth_element(&mut queue, k - 1, &before);
        if sorted {
            stl_sort(&mut queue[..k - 1], &before);
        }
    }
    out.copy_from_slice(&queue[..k]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_last_and_stable() {
        let line = [3.0f32, f32::NAN, 1.0, 3.0, f32::NEG_INFINITY, f32::NAN, 2.0];
        let mut out = [(0.0f32, 0i64); 7];
        sort_line(&line, false, &mut out);
        let idx: Vec<i64> = out.iter().map(|p| p.1).collect();
        assert_eq!(idx, vec![4, 2, 6, 0, 3, 1, 5]);
        sort_line(&line, true, &mut out);
        let idx: Vec<i64> = out.iter().map(|p| p.1).collect();
        assert_eq!(idx, vec![1, 5, 0, 3, 6, 2, 4]);
    }

    #[test]
    fn topk_ties_follow_libstdcxx() {
        // PyTorch: torch.tensor([1, 3, 3, 2, 3]).topk(2) -> indices [2, 4].
        let mut out = [(0i64, 0i64); 2];
        topk_line(&[1i64, 3, 3, 2, 3], 2, true, true, &mut out);
        assert_eq!(out, [(3, 2), (3, 4)]);
        topk_line(&[1i64, 3, 3, 2, 3], 2, false, true, &mut out);
        assert_eq!(out, [(1, 0), (2, 3)]);
    }
}
