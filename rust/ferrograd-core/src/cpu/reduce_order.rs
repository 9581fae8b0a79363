//! Order statistics over rows: `kthvalue`, `median`/`nanmedian`, `mode`, `quantile`.
//!
//! PyTorch's CPU kernels pick among equal values by the exact moves of their selection
//! algorithms (its own quickselect for `kthvalue`, libstdc++'s `nth_element` and `sort` for
//! `median` and `mode`), so those algorithms are replayed step for step here; only then are the
//! returned indices PyTorch's.

use super::fork_guard::worth_parallel;
use rayon::prelude::*;

use super::reduce_minmax::is_nan;
use super::reduce_stats::RealAcc;
use crate::dtype::Element;
use crate::random::stl_select::{nth_element, sort};

/// Applies `f` to every row of `n` elements, in parallel when the input is large.
pub fn per_row<T: Sync, O: Send>(
    src: &[T],
    n: usize,
    f: impl Fn(&[T]) -> O + Sync + Send,
) -> Vec<O> {
    if n == 0 {
        return Vec::new();
    }
    if worth_parallel(src.len()) {
        src.par_chunks(n).map(f).collect()
    } else {
        src.chunks(n).map(f).collect()
    }
}

/// `a > b`, with NaN above every number: PyTorch orders NaN last "for numpy compatibility".
#[inline]
fn gt_or_nan<T: PartialOrd + Copy>(a: T, b: T) -> bool {
    (is_nan(a) && !is_nan(b)) || a > b
}

/// The `k`-th smallest (0-based) of a row and its index: PyTorch's `quick_select_template`
/// (Sedgewick's median-of-three quickselect), move for move.
pub fn kth_smallest<T: Element>(row: &[T], k: usize) -> (T, usize) {
    let mut v = row.to_vec();
    let mut idx: Vec<usize> = (0..row.len()).collect();
    let mut swap = |v: &mut Vec<T>, a: usize, b: usize| {
        v.swap(a, b);
        idx.swap(a, b);
    };
    let k = k as i64;
    let (mut l, mut r) = (0i64, row.len() as i64 - 1);
    let at = |v: &[T], i: i64| v[i as usize];
    loop {
        if r <= l {
            break;
        }
        if r == l + 1 {
            if gt_or_nan(at(&v, l), at(&v, r)) {
                swap(&mut v, l as usize, r as usize);
            }
            break;
        }
        let p = (l + r) >> 1;
        swap(&mut v, p as usize, (l + 1) as usize);
        if gt_or_nan(at(&v, l + 1), at(&v, r)) {
            swap(&mut v, (l + 1) as usize, r as usize);
        }
        if gt_or_nan(at(&v, l), at(&v, r)) {
            swap(&mut v, l as usize, r as usize);
        }
        if gt_or_nan(at(&v, l + 1), at(&v, l)) {
            swap(&mut v, (l + 1) as usize, l as usize);
        }
        let (mut i, mut j) = (l + 1, r);
        let piv = at(&v, l);
        loop {
            i += 1;
            while gt_or_nan(piv, at(&v, i)) {
                i += 1;
            }
            j -= 1;
            while gt_or_nan(at(&v, j), piv) {
                j -= 1;
            }
            if j < i {
                break;
            }
            swap(&mut v, i as usize, j as usize);
        }
        swap(&mut v, l as usize, j as usize);
        if j <= k {
            l = i;
        }
        if j >= k {
            r = j - 1;
        }
    }
    let k = k as usize;
    (v[k], idx[k])
}

/// The (lower) median of a row and its index, as PyTorch's `median(dim)` finds it: the first
/// NaN if there is one (unless `ignore_nan`), else `nth_element` over indices ordered by
/// (value, index), NaNs last.
pub fn median_row<T: Element>(row: &[T], ignore_nan: bool) -> (T, usize) {
    if !ignore_nan {
        if let Some(i) = row.iter().position(|&x| is_nan(x)) {
            return (row[i], i);
        }
    }
    let nans = if ignore_nan {
        row.iter().filter(|&&x| is_nan(x)).count()
    } else {
        0
    };
    // C++ integer division truncates toward zero: an all-NaN row selects position 0.
    let nth = ((row.len() as i64 - nans as i64 - 1) / 2).max(0) as usize;
    let mut idx: Vec<usize> = (0..row.len()).collect();
    let before = |&i: &usize, &j: &usize| {
        let (a, b) = (row[i], row[j]);
        a < b || (a == b && i < j) || (ignore_nan && is_nan(b) && !is_nan(a))
    };
    nth_element(&mut idx, nth, &before);
    let i = idx[nth];
    (row[i], i)
}

/// The median of all values (no index), as PyTorch's `median()` computes it.
pub fn median_all<T: Element>(values: &[T], ignore_nan: bool) -> T {
    let nans = values.iter().filter(|&&x| is_nan(x)).count();
    if nans > 0 && !ignore_nan {
        return values[values.iter().position(|&x| is_nan(x)).unwrap_or(0)];
    }
    let mut v = values.to_vec();
    let nth = ((v.len() as i64 - nans as i64 - 1) / 2).max(0) as usize;
    let before = |a: &T, b: &T| *a < *b || (is_nan(*b) && !is_nan(*a));
    nth_element(&mut v, nth, &before);
    v[nth]
}

/// The most frequent value of a row (the smallest among equally frequent ones) and the index
/// PyTorch reports for it: the last of its run after libstdc++'s `std::sort` by value.
pub fn mode_row<T: Element>(row: &[T]) -> (T, usize) {
    let mut elems: Vec<(T, usize)> = row.iter().copied().zip(0..).collect();
    sort(&mut elems, &|a: &(T, usize), b: &(T, usize)| a.0 < b.0);
    let (mut mode, mut at) = (T::default(), 0usize);
    let (mut run, mut best) = (0usize, 0usize);
    for i in 0..elems.len() {
        run += 1;
        let last = i + 1 == elems.len() || elems[i].0 != elems[i + 1].0;
        if last {
            if run > best {
                (mode, at, best) = (elems[i].0, elems[i].1, run);
            }
            run = 0;
        }
    }
    (mode, at)
}

/// How `quantile` picks between the two values around a fractional rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interpolation {
    Linear,
    Lower,
    Higher,
    Midpoint,
    Nearest,
}

/// The quantiles `qs` of one row, with PyTorch's arithmetic: the rank in float64 (NaN ranks
/// pushed to the end for quantile, counted out for nanquantile), the weight rounded to the
/// row's dtype, then `lerp`.
pub fn quantiles_row<T: RealAcc>(
    row: &[T],
    qs: &[T],
    ignore_nan: bool,
    how: Interpolation,
) -> Vec<T> {
    let mut sorted = row.to_vec();
    sorted.sort_by(|a, b| {
        use std::cmp::Ordering::*;
        match (is_nan(*a), is_nan(*b)) {
            (true, true) => Equal,
            (true, false) => Greater,
            (false, true) => Less,
            _ => a.partial_cmp(b).unwrap_or(Equal),
        }
    });
    let n = sorted.len();
    let nans = sorted.iter().filter(|&&x| is_nan(x)).count();
    qs.iter()
        .map(|&q| {
            let q = q.to_f64();
            let rank = if ignore_nan {
                (q * ((n - nans) as f64 - 1.0)).max(0.0)
            } else if nans > 0 {
                n as f64 - 1.0
            } else {
                q * (n as f64 - 1.0)
            };
            let rank = match how {
                Interpolation::Lower => rank.floor(),
                Interpolation::Higher => rank.ceil(),
                Interpolation::Nearest => rank.round_ties_even(),
                _ => rank,
            };
            let below = (rank as usize).min(n - 1);
            let lo = sorted[below];
            if !matches!(how, Interpolation::Linear | Interpolation::Midpoint) {
                return lo;
            }
            let weight = T::from_f64(if how == Interpolation::Midpoint {
                0.5
            } else {
                rank - below as f64
            });
            let hi = sorted[(rank.ceil() as usize).min(n - 1)];
            lerp(lo, hi, weight)
        })
        .collect()
}

/// PyTorch's CPU `lerp` (its vectorised form): `fma(w - 1, end - start, end)` for weights of
/// 0.5 and more, `fma(w, end - start, start)` below.
#[inline]
fn lerp<T: RealAcc>(start: T, end: T, weight: T) -> T {
    let diff = end.sub(start);
    if weight.abs() < T::from_f64(0.5) {
        weight.mul_add(diff, start)
    } else {
        weight.sub(T::ONE).mul_add(diff, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kthvalue_ties_follow_pytorch() {
        // torch.tensor([2., 5., 2., 5., 1., 2., 5.]).kthvalue(k) for k = 1..7
        let z = [2.0f32, 5.0, 2.0, 5.0, 1.0, 2.0, 5.0];
        let idx: Vec<usize> = (0..7).map(|k| kth_smallest(&z, k).1).collect();
        assert_eq!(idx, vec![4, 0, 2, 5, 3, 1, 6]);
        let nan = [1.0f32, f32::NAN, 3.0, f32::NAN];
        assert_eq!(kth_smallest(&nan, 1), (3.0, 2));
    }

    #[test]
    fn median_and_mode_indices() {
        let z = [2.0f32, 5.0, 2.0, 5.0, 1.0, 2.0, 5.0];
        assert_eq!(median_row(&z, false), (2.0, 5));
        assert_eq!(mode_row(&z), (2.0, 5));
        let y = [3.0f32, 1.0, 3.0, 1.0, 2.0, 2.0];
        assert_eq!(mode_row(&y), (1.0, 3));
        // All-NaN rows: nanmedian picks what libstdc++'s nth_element leaves at position 0.
        assert_eq!(median_row(&[f32::NAN; 5], true).1, 2);
        assert_eq!(median_row(&[f32::NAN; 20], true).1, 12);
    }

    #[test]
    fn quantile_interpolations() {
        let row = [1.0f32, 2.0, 4.0, 8.0];
        let got: Vec<f32> = [
            Interpolation::Linear,
            Interpolation::Lower,
            Interpolation::Higher,
            Interpolation::Midpoint,
            Interpolation::Nearest,
        ]
        .iter()
        .map(|&how| quantiles_row(&row, &[0.4], false, how)[0])
        .collect();
        assert_eq!(got, vec![2.4f32, 2.0, 4.0, 3.0, 2.0]);
    }
}
