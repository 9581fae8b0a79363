//! Normalisation kernels (layer, group and batch norm) over contiguous buffers: the mean and
//! variance of each row or channel, then `x * scale + shift` with the statistics folded in.
//!
//! Statistics are summed in f64 with two passes over data that is still in cache (the mean,
//! then the squared deviations from it), which keeps the variance accurate where a one-pass
//! `E[x^2] - E[x]^2` would cancel. The normalising pass runs in the compute type (f32 for
//! f32 and the half types).
//! The scaling uses `mul` then `add` rather than `mul_add`: without FMA in the target,
//! `mul_add` is a slow library call.

use rayon::prelude::*;

use super::reduce_fold::Accum;
use super::reduce_stats::{Real, RealAcc};
use super::PARALLEL_THRESHOLD;
use crate::dtype::Element;

/// A chunk of the output with the matching chunk of the input.
type OutIn<'a, T> = (&'a mut [T], &'a [T]);

/// The mean and biased variance of one group of values.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    pub mean: f64,
    pub var: f64,
}

impl Moments {
    /// `1 / sqrt(var + eps)`.
    pub fn rstd(self, eps: f64) -> f64 {
        1.0 / (self.var + eps).sqrt()
    }
}

fn sum_f64<T: Element>(x: &[T]) -> f64 {
    x.iter().map(|v| v.to_f64()).sum()
}

fn squared_deviations<T: Element>(x: &[T], mean: f64) -> f64 {
    x.iter()
        .map(|v| {
            let d = v.to_f64() - mean;
            d * d
        })
        .sum()
}

/// How many items of `work` elements each a rayon task should take, so that a task is worth
/// waking a thread for; `None` when the whole job is too small to split.
fn items_per_task(total: usize, work: usize) -> Option<usize> {
    (total >= PARALLEL_THRESHOLD).then(|| (PARALLEL_THRESHOLD / work.max(1)).max(1))
}

/// The moments of each contiguous row of `row_len` values.
pub fn row_moments<T: Element>(x: &[T], row_len: usize) -> Vec<Moments> {
    if row_len == 0 {
        return Vec::new();
    }
    let one = |row: &[T]| {
        let n = row.len() as f64;
        let mean = sum_f64(row) / n;
        Moments {
            mean,
            var: squared_deviations(row, mean) / n,
        }
    };
    match items_per_task(x.len(), row_len) {
        Some(per_task) => x
            .par_chunks(row_len)
            .with_min_len(per_task)
            .map(one)
            .collect(),
        None => x.chunks(row_len).map(one).collect(),
    }
}

/// The moments of each channel of a `(batch, channels, plane)` buffer, over batch and plane.
pub fn channel_moments<T: Element>(
    x: &[T],
    batch: usize,
    channels: usize,
    plane: usize,
) -> Vec<Moments> {
    let count = (batch * plane) as f64;
    let planes_of = move |c: usize| {
        (0..batch).map(move |n| {
            let start = (n * channels + c) * plane;
            &x[start..start + plane]
        })
    };
    let one = |c: usize| {
        let mean = planes_of(c).map(sum_f64).sum::<f64>() / count;
        let m2: f64 = planes_of(c).map(|p| squared_deviations(p, mean)).sum();
        Moments {
            mean,
            var: m2 / count,
        }
    };
    if x.len() >= PARALLEL_THRESHOLD {
        (0..channels).into_par_iter().map(one).collect()
    } else {
        (0..channels).map(one).collect()
    }
}

/// `out = x * scale[p] + shift[p]` over each contiguous plane `p` of `plane` values.
pub fn scale_shift_planes<T: Real + Element>(
    x: &[T],
    out: &mut [T],
    plane: usize,
    scale: &[f64],
    shift: &[f64],
) {
    if plane == 0 {
        return;
    }
    let one = |((o, v), (&a, &b)): (OutIn<'_, T>, (&f64, &f64))| {
        let (a, b) = (
            <T::C as Element>::from_f64(a),
            <T::C as Element>::from_f64(b),
        );
        for (o, &v) in o.iter_mut().zip(v) {
            *o = T::down(v.up().mul(a).add(b));
        }
    };
    let pairs = scale.iter().zip(shift);
    match items_per_task(x.len(), plane) {
        Some(per_task) => out
            .par_chunks_mut(plane)
            .zip(x.par_chunks(plane))
            .zip(scale.par_iter().zip(shift))
            .with_min_len(per_task)
            .for_each(one),
        None => out
            .chunks_mut(plane)
            .zip(x.chunks(plane))
            .zip(pairs)
            .for_each(one),
    }
}

/// Layer norm of each contiguous row: `(x - mean) * rstd * weight + bias`, the affine
/// parameters (when given) applying per position within the row.
pub fn layer_norm_rows<T: Real + Element>(
    x: &[T],
    out: &mut [T],
    row_len: usize,
    stats: &[(f64, f64)],
    weight: Option<&[T]>,
    bias: Option<&[T]>,
) {
    if row_len == 0 {
        return;
    }
    // `(x - mean) * rstd` rather than the folded `x * rstd - mean * rstd`: the latter loses
    // the low bits of x - mean when the two products nearly cancel.
    let one = |((o, v), &(mean, rstd)): (OutIn<'_, T>, &(f64, f64))| {
        let mean = <T::C as Element>::from_f64(mean);
        let rstd = <T::C as Element>::from_f64(rstd);
        for (k, (o, &v)) in o.iter_mut().zip(v).enumerate() {
            let mut y = v.up().sub(mean).mul(rstd);
            if let Some(w) = weight {
                y = y.mul(w[k].up());
            }
            if let Some(b) = bias {
                y = y.add(b[k].up());
            }
            *o = T::down(y);
        }
    };
    match items_per_task(x.len(), row_len) {
        Some(per_task) => out
            .par_chunks_mut(row_len)
            .zip(x.par_chunks(row_len))
            .zip(stats.par_iter())
            .with_min_len(per_task)
            .for_each(one),
        None => out
            .chunks_mut(row_len)
            .zip(x.chunks(row_len))
            .zip(stats)
            .for_each(one),
    }
}
