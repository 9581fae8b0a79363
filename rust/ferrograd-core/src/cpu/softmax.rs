//! Softmax and log-softmax kernels over a contiguous buffer seen as `(outer, n, inner)`: the
//! softmax runs along the middle dim. Numerically stable: the maximum of each line is subtracted
//! before `exp` (so `exp` never overflows), and sums are kept in the compute type (float32 for
//! the half types).

use super::fork_guard::worth_parallel;
use rayon::prelude::*;

use super::reduce_fold::Accum;
use super::reduce_minmax::{max_nan, Extremes};
use super::reduce_stats::{Real, RealAcc};
use super::PARALLEL_THRESHOLD;

/// `dst = softmax(src)` (or `log_softmax` when `log`) along the middle dim of `(outer, n, inner)`.
pub fn softmax<T: Real + Send + Sync>(src: &[T], dst: &mut [T], n: usize, inner: usize, log: bool) {
    let block = n * inner;
    if block == 0 || src.is_empty() {
        return;
    }
    let run = |(out, x): (&mut [T], &[T])| {
        if inner == 1 {
            softmax_row(x, out, log);
        } else {
            softmax_columns(x, out, n, inner, log);
        }
    };
    if worth_parallel(src.len()) && src.len() > block {
        // Enough blocks per task that a task is worth waking a thread for.
        let per_task = (PARALLEL_THRESHOLD / block).max(1);
        dst.par_chunks_mut(block * per_task)
            .zip(src.par_chunks(block * per_task))
            .for_each(|(out, x)| {
                out.chunks_mut(block).zip(x.chunks(block)).for_each(run);
            });
    } else {
        dst.chunks_mut(block).zip(src.chunks(block)).for_each(run);
    }
}

/// One contiguous line: max, then the shifted exps and their sum, then the normalisation.
fn softmax_row<T: Real>(x: &[T], out: &mut [T], log: bool) {
    let max = x
        .iter()
        .map(|&v| v.up())
        .fold(<T::C as Extremes>::LOWEST, max_nan);
    // An infinite maximum makes `inf - inf` NaN somewhere in the line: so it does in PyTorch,
    // whose results (a line of NaN) this keeps.
    let shift = max;
    let mut sum = <T::C as Accum>::ZERO;
    if log {
        for &v in x {
            sum = sum.add(v.up().sub(shift).exp());
        }
        let log_sum = sum.ln();
        for (o, &v) in out.iter_mut().zip(x) {
            *o = T::down(v.up().sub(shift).sub(log_sum));
        }
    } else {
        for (o, &v) in out.iter_mut().zip(x) {
            let e = v.up().sub(shift).exp();
            sum = sum.add(e);
            *o = T::down(e);
        }
        let inv = <T::C as Accum>::ONE.div(sum);
        for o in out.iter_mut() {
            *o = T::down(o.up().mul(inv));
        }
    }
}

/// One `(n, inner)` block, softmax down each of the `inner` columns: the rows are walked in
/// order (contiguous, so the inner loops vectorise) with one running max and sum per column.
fn softmax_columns<T: Real>(x: &[T], out: &mut [T], n: usize, inner: usize, log: bool) {
    let mut max = vec![<T::C as Extremes>::LOWEST; inner];
    for row in x.chunks_exact(inner) {
        for (m, &v) in max.iter_mut().zip(row) {
            *m = max_nan(*m, v.up());
        }
    }
    let mut sum = vec![<T::C as Accum>::ZERO; inner];
    for (row, out_row) in x.chunks_exact(inner).zip(out.chunks_exact_mut(inner)) {
        for ((s, o), (&v, &m)) in sum.iter_mut().zip(out_row).zip(row.iter().zip(&max)) {
            let e = v.up().sub(m).exp();
            *s = s.add(e);
            if !log {
                *o = T::down(e);
            }
        }
    }
    debug_assert_eq!(x.len(), n * inner);
    if log {
        let shift: Vec<T::C> = max.iter().zip(&sum).map(|(&m, s)| m.add(s.ln())).collect();
        for (row, out_row) in x.chunks_exact(inner).zip(out.chunks_exact_mut(inner)) {
            for ((o, &v), &c) in out_row.iter_mut().zip(row).zip(&shift) {
                *o = T::down(v.up().sub(c));
            }
        }
    } else {
        let inv: Vec<T::C> = sum.iter().map(|s| <T::C as Accum>::ONE.div(*s)).collect();
        for out_row in out.chunks_exact_mut(inner) {
            for (o, &k) in out_row.iter_mut().zip(&inv) {
                *o = T::down(o.up().mul(k));
            }
        }
    }
}
