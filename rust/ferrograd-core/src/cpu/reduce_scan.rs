//! Scans (cumulative reductions) along one dim of a row-major buffer viewed as
//! `[outer, n, inner]`: `cumsum`, `cumprod`, `cummax`, `cummin`, `logcumsumexp`.
//!
//! With `inner == 1` each lane is a contiguous run scanned in order; otherwise a whole row of
//! `inner` running states is advanced at once, which reads memory contiguously and vectorises.

use super::fork_guard::worth_parallel;
use half::{bf16, f16};
use rayon::prelude::*;

use super::reduce_fold::Accum;
use super::reduce_minmax::is_nan;
use super::reduce_stats::RealAcc;
use super::PARALLEL_THRESHOLD;
use crate::dtype::Element;

/// A scan: a running state, advanced by each element, yielding one output per element.
pub struct Scan<S, F> {
    pub init: S,
    pub step: F,
}

impl<S, F> Scan<S, F> {
    pub fn new<T, O>(init: S, step: F) -> Self
    where
        F: Fn(S, T, usize) -> (S, O),
    {
        Scan { init, step }
    }
}

impl<S: Copy + Send + Sync, F> Scan<S, F> {
    /// Scans `src` (row-major `[outer, n, inner]`) along its middle dim.
    pub fn run<T, O>(&self, src: &[T], outer: usize, n: usize, inner: usize) -> Vec<O>
    where
        T: Copy + Sync,
        O: Copy + Send + Sync + Default,
        F: Fn(S, T, usize) -> (S, O) + Sync,
    {
        let total = outer * n * inner;
        let mut out = vec![O::default(); total];
        if total == 0 {
            return out;
        }
        let block = n * inner;
        // Blocks of whole outer slices per job, each job at least PARALLEL_THRESHOLD elements.
        let per_job = (PARALLEL_THRESHOLD / block).max(1) * block;
        let work = |(dst, src): (&mut [O], &[T])| {
            for (d, s) in dst.chunks_mut(block).zip(src.chunks(block)) {
                self.block(d, s, n, inner);
            }
        };
        if worth_parallel(total) && outer > 1 {
            out.par_chunks_mut(per_job)
                .zip(src.par_chunks(per_job))
                .for_each(work);
        } else if worth_parallel(total) && inner >= 64 {
            self.split_inner(&mut out, src, n, inner);
        } else {
            work((&mut out, src));
        }
        out
    }

    /// One outer slice: `n` steps of `inner` lanes.
    fn block<T: Copy, O: Copy>(&self, dst: &mut [O], src: &[T], n: usize, inner: usize)
    where
        F: Fn(S, T, usize) -> (S, O),
    {
        if inner == 1 {
            let mut s = self.init;
            for (i, (d, &x)) in dst.iter_mut().zip(src).enumerate().take(n) {
                let (next, o) = (self.step)(s, x, i);
                s = next;
                *d = o;
            }
            return;
        }
        let mut state = vec![self.init; inner];
        for i in 0..n {
            let row = &src[i * inner..(i + 1) * inner];
            let out = &mut dst[i * inner..(i + 1) * inner];
            for ((s, d), &x) in state.iter_mut().zip(out).zip(row) {
                let (next, o) = (self.step)(*s, x, i);
                *s = next;
                *d = o;
            }
        }
    }

    /// A single outer slice with many lanes: lanes are split into column tiles across threads.
    fn split_inner<T, O>(&self, out: &mut [O], src: &[T], n: usize, inner: usize)
    where
        T: Copy + Sync,
        O: Copy + Send + Sync,
        F: Fn(S, T, usize) -> (S, O) + Sync,
    {
        let tile = (inner / 16).max(64);
        let tiles: Vec<(usize, Vec<O>)> = (0..inner)
            .step_by(tile)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|c| {
                let w = tile.min(inner - c);
                let part: Vec<T> = (0..n)
                    .flat_map(|i| src[i * inner + c..i * inner + c + w].iter().copied())
                    .collect();
                let mut dst = vec![out[0]; n * w];
                self.block(&mut dst, &part, n, w);
                (c, dst)
            })
            .collect();
        for (c, dst) in tiles {
            let w = dst.len() / n.max(1);
            for i in 0..n {
                out[i * inner + c..i * inner + c + w].copy_from_slice(&dst[i * w..(i + 1) * w]);
            }
        }
    }
}

/// The type PyTorch's CPU scans accumulate in (`acc_type<T, false>`): float64 for float32 and
/// float64, float32 for the half types, int64 for integers.
pub trait ScanElem: Element {
    type Acc: Accum;
    fn acc(self) -> Self::Acc;
    fn from_acc(a: Self::Acc) -> Self;
}

macro_rules! scan_elem {
    ($($t:ty => $a:ty, $to:expr, $from:expr);* $(;)?) => {$(
        impl ScanElem for $t {
            type Acc = $a;
            #[inline(always)]
            fn acc(self) -> $a {
                $to(self)
            }
            #[inline(always)]
            fn from_acc(a: $a) -> $t {
                $from(a)
            }
        }
    )*};
}
scan_elem! {
    bool => i64, |x: bool| x as i64, |a: i64| a != 0;
    u8 => i64, |x: u8| x as i64, |a: i64| a as u8;
    i8 => i64, |x: i8| x as i64, |a: i64| a as i8;
    i16 => i64, |x: i16| x as i64, |a: i64| a as i16;
    i32 => i64, |x: i32| x as i64, |a: i64| a as i32;
    i64 => i64, |x: i64| x, |a: i64| a;
    f16 => f32, f16::to_f32, f16::from_f32;
    bf16 => f32, bf16::to_f32, bf16::from_f32;
    f32 => f64, |x: f32| x as f64, |a: f64| a as f32;
    f64 => f64, |x: f64| x, |a: f64| a;
}

/// PyTorch's `_log_add_exp_helper(x, y)` for real numbers: `log(exp(x) + exp(y))` computed as
/// `log1p(exp(min - max)) + max`, NaN-propagating, with equal infinities passed through.
#[inline]
pub fn log_add_exp<C: RealAcc>(x: C, y: C) -> C {
    let y_nan = is_nan(y);
    // std::min / std::max: the first argument unless the second compares strictly better.
    let min = if y_nan || y < x { y } else { x };
    let max = if y_nan || x < y { y } else { x };
    if min != max || min.is_finite() {
        min.sub(max).exp().ln_1p().add(max)
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_columns_scan_alike() {
        let src: Vec<i64> = (1..=12).collect();
        let sum = Scan::new(0i64, |s: i64, x: i64, _| (s + x, s + x));
        // [2, 3, 2]: scanning the middle dim.
        let got = sum.run(&src, 2, 3, 2);
        assert_eq!(got, vec![1, 2, 4, 6, 9, 12, 7, 8, 16, 18, 27, 30]);
        let lanes = sum.run(&src, 4, 3, 1);
        assert_eq!(lanes[..3], [1, 3, 6]);
    }

    #[test]
    fn log_add_exp_edge_cases() {
        let ninf = f64::NEG_INFINITY;
        assert_eq!(log_add_exp(ninf, ninf), ninf);
        assert_eq!(log_add_exp(f64::INFINITY, 1.0), f64::INFINITY);
        assert!(log_add_exp(1.0, f64::NAN).is_nan());
        assert!((log_add_exp(0.0f64, 0.0) - 2f64.ln()).abs() < 1e-15);
    }
}
