//! Normalisation kernels (layer, group and batch norm) over contiguous buffers: the mean and
//! variance of each row or channel, then `x * scale + shift` with the statistics folded in.
//!
//! Statistics are taken block by block: each block of up to `BLOCK` values (in cache) gets an
//! exact two-pass mean and sum of squared deviations, summed in `LANES` independent
//! accumulators of the compute type (so the loops vectorise; float32 for float32, as PyTorch
//! sums), and the blocks are merged in float64 with Chan's parallel update. The two passes keep
//! the variance accurate where a one-pass `E[x^2] - E[x]^2` would cancel.
//! The scaling uses `mul` then `add` rather than `mul_add`: without FMA in the target,
//! `mul_add` is a slow library call.

use super::avx2_twin::avx2_dispatch;
use super::reduce_fold::{fold_lanes, Accum};
use super::reduce_stats::{Real, RealAcc, Welford};
use super::{spin_pool, PARALLEL_THRESHOLD};
use crate::dtype::Element;

/// Independent accumulators of a lane sum: wide enough for two AVX vectors of float32.
pub(crate) const LANES: usize = 16;
/// The values summed in the compute type before the partial sum moves to float64.
pub(crate) const BLOCK: usize = 2048;

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

    /// NaN for no values, as a mean over nothing is.
    fn of(w: Welford) -> Moments {
        if w.n == 0.0 {
            return Moments {
                mean: f64::NAN,
                var: f64::NAN,
            };
        }
        Moments {
            mean: w.mean,
            var: w.m2 / w.n,
        }
    }
}

/// `sum(f(i, x[i]))` in LANES accumulators of the compute type (`i` the position in `xs`).
#[inline(always)]
pub(crate) fn lane_sum<T: Real, F: Fn(usize, T::C) -> T::C>(xs: &[T], f: F) -> T::C {
    let mut acc = [<T::C as Accum>::ZERO; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for (k, c) in (&mut chunks).enumerate() {
        for i in 0..LANES {
            acc[i] = acc[i].add(f(k * LANES + i, c[i].up()));
        }
    }
    let tail = xs.len() - chunks.remainder().len();
    // The lanes are added apart from the loop: inlined, their halving pattern leads LLVM to
    // vectorise the loop two lanes at a time.
    let mut total = fold_lanes(acc, &|a: T::C, b| a.add(b));
    for (i, &v) in chunks.remainder().iter().enumerate() {
        total = total.add(f(tail + i, v.up()));
    }
    total
}

/// The mean and sum of squared deviations of a run of up to BLOCK values: two passes over
/// data in cache.
#[inline(always)]
fn block_moments<T: Real + Element>(xs: &[T]) -> Welford {
    let n = xs.len() as f64;
    let mean = lane_sum(xs, |_, v| v).to_f64() / n;
    // The squared deviations are taken from the mean rounded to the compute type, `c`; the
    // sum about the true mean is `sum((x - c)^2) - n * (mean - c)^2`.
    let c = <T::C as Element>::from_f64(mean);
    let about_c = lane_sum(xs, |_, v| {
        let d = v.sub(c);
        d.mul(d)
    });
    let shift = mean - c.to_f64();
    Welford {
        mean,
        m2: (about_c.to_f64() - n * shift * shift).max(0.0),
        n,
    }
}

avx2_dispatch! {
    /// The running moments of a contiguous run, block by block.
    fn run_moments<T: Real + Element> => run_moments_body(xs: &[T]) -> Welford
}

#[inline(always)]
fn run_moments_body<T: Real + Element>(xs: &[T]) -> Welford {
    // A plain loop: an iterator's `fold` would be compiled apart, without AVX2.
    let mut total = Welford::default();
    for block in xs.chunks(BLOCK) {
        total = Welford::merge(total, block_moments(block));
    }
    total
}

/// How many of `items` items of `work` values each one task of the spin pool takes: a few
/// tasks per thread when the job is worth splitting, all the items otherwise. Each item is
/// computed whole by one thread, so the split never changes a result.
pub(crate) fn items_per_task(items: usize, work: usize) -> usize {
    let threads = spin_pool::threads();
    if threads == 1 || items * work < PARALLEL_THRESHOLD {
        return items.max(1);
    }
    items.div_ceil(threads * 4).max(1)
}

/// `out[i] = f(i)` for every item, split over the spin pool.
pub(crate) fn fill_items<R: Send>(out: &mut [R], work: usize, f: impl Fn(usize) -> R + Sync) {
    let per = items_per_task(out.len(), work);
    spin_pool::for_each_chunk_mut(out, per, |task, chunk| {
        for (i, o) in chunk.iter_mut().enumerate() {
            *o = f(task * per + i);
        }
    });
}

/// `f(p, out_plane)` for every `plane`-long piece of `out`, split over the spin pool.
pub(crate) fn for_each_plane<T: Send>(
    out: &mut [T],
    plane: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    if plane == 0 {
        return;
    }
    let per = items_per_task(out.len() / plane, plane);
    spin_pool::for_each_chunk_mut(out, per * plane, |task, chunk| {
        for (i, o) in chunk.chunks_mut(plane).enumerate() {
            f(task * per + i, o);
        }
    });
}

/// The moments of each contiguous row of `row_len` values.
pub fn row_moments<T: Real + Element>(x: &[T], row_len: usize) -> Vec<Moments> {
    if row_len == 0 {
        return Vec::new();
    }
    let mut out = vec![Moments::default(); x.len() / row_len];
    fill_items(&mut out, row_len, |r| {
        Moments::of(run_moments(&x[r * row_len..(r + 1) * row_len]))
    });
    out
}

/// The moments of each channel of a `(batch, channels, plane)` buffer, over batch and plane:
/// each plane's moments (a contiguous run), merged over the batch in order.
pub fn channel_moments<T: Real + Element>(
    x: &[T],
    batch: usize,
    channels: usize,
    plane: usize,
) -> Vec<Moments> {
    let mut out = vec![Moments::default(); channels];
    fill_items(&mut out, batch * plane, |c| {
        let merged = (0..batch)
            .map(|n| {
                let start = (n * channels + c) * plane;
                run_moments(&x[start..start + plane])
            })
            .fold(Welford::default(), Welford::merge);
        Moments::of(merged)
    });
    out
}

/// `out = x * scale[p] + shift[p]` over each contiguous plane `p` of `plane` values.
pub fn scale_shift_planes<T: Real + Element>(
    x: &[T],
    out: &mut [T],
    plane: usize,
    scale: &[f64],
    shift: &[f64],
) {
    for_each_plane(out, plane, |p, o| {
        let c = <T::C as Element>::from_f64;
        scale_shift(o, &x[p * plane..(p + 1) * plane], c(scale[p]), c(shift[p]));
    });
}

avx2_dispatch! {
    /// `out = x * a + b` over one run.
    fn scale_shift<T: Real + Element> => scale_shift_body(out: &mut [T], x: &[T], a: T::C, b: T::C)
}

#[inline(always)]
fn scale_shift_body<T: Real + Element>(out: &mut [T], x: &[T], a: T::C, b: T::C) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = T::down(v.up().mul(a).add(b));
    }
}

avx2_dispatch! {
    /// `(v - mean) * rstd`, then times the weight and plus the bias where given, over one row.
    fn normalise_row<T: Real + Element> => normalise_row_body(
        out: &mut [T],
        row: &[T],
        stats: (T::C, T::C),
        weight: Option<&[T]>,
        bias: Option<&[T]>,
    )
}

/// The four cases are separate loops so that none tests an option per element.
#[inline(always)]
fn normalise_row_body<T: Real + Element>(
    out: &mut [T],
    row: &[T],
    (mean, rstd): (T::C, T::C),
    weight: Option<&[T]>,
    bias: Option<&[T]>,
) {
    let xhat = |v: T| v.up().sub(mean).mul(rstd);
    let pairs = out.iter_mut().zip(row);
    match (weight, bias) {
        (Some(w), Some(b)) => {
            for ((o, &v), (&w, &b)) in pairs.zip(w.iter().zip(b)) {
                *o = T::down(xhat(v).mul(w.up()).add(b.up()));
            }
        }
        (Some(w), None) => {
            for ((o, &v), &w) in pairs.zip(w) {
                *o = T::down(xhat(v).mul(w.up()));
            }
        }
        (None, Some(b)) => {
            for ((o, &v), &b) in pairs.zip(b) {
                *o = T::down(xhat(v).add(b.up()));
            }
        }
        (None, None) => {
            for (o, &v) in pairs {
                *o = T::down(xhat(v));
            }
        }
    }
}

/// Layer norm of each contiguous row: `(x - mean) * rstd * weight + bias`, the affine
/// parameters (when given) applying per position within the row. Returns each row's moments.
///
/// A row's moments and its normalisation are computed together, while the row is in cache:
/// two passes over the whole buffer (all moments, then all rows) would read it from memory
/// twice, which costs a fifth of the time on inputs larger than the cache.
pub fn layer_norm_rows<T: Real + Element>(
    x: &[T],
    out: &mut [T],
    row_len: usize,
    eps: f64,
    weight: Option<&[T]>,
    bias: Option<&[T]>,
) -> Vec<Moments> {
    if row_len == 0 {
        return Vec::new();
    }
    let rows = x.len() / row_len;
    let mut moments = vec![Moments::default(); rows];
    let per = items_per_task(rows, row_len);
    let mut pieces: Vec<(&mut [T], &mut [Moments])> = out
        .chunks_mut(per * row_len)
        .zip(moments.chunks_mut(per))
        .collect();
    spin_pool::for_each_mut(&mut pieces, |task, (o, m)| {
        let first = task * per;
        for (i, (o, m)) in o.chunks_mut(row_len).zip(m.iter_mut()).enumerate() {
            let r = first + i;
            let row = &x[r * row_len..(r + 1) * row_len];
            *m = Moments::of(run_moments(row));
            // `(x - mean) * rstd` rather than the folded `x * rstd - mean * rstd`: the latter
            // loses the low bits of x - mean when the two products nearly cancel.
            let c = <T::C as Element>::from_f64;
            normalise_row(o, row, (c(m.mean), c(m.rstd(eps))), weight, bias);
        }
    });
    moments
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact two-pass moments in float64, to compare the blocked lanes against.
    fn reference(xs: &[f64]) -> Moments {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        Moments { mean, var }
    }

    #[test]
    fn row_moments_match_the_two_pass_reference_across_blocks() {
        // Several blocks and a ragged tail, around a large offset that would cancel in a
        // one-pass variance.
        let len = 3 * BLOCK + 37;
        let xs: Vec<f64> = (0..2 * len)
            .map(|i| 1e4 + ((i * 7919) % 1000) as f64 / 100.0)
            .collect();
        for (got, row) in row_moments(&xs, len).iter().zip(xs.chunks(len)) {
            let want = reference(row);
            assert!((got.mean - want.mean).abs() <= 1e-12 * want.mean.abs());
            assert!((got.var - want.var).abs() <= 1e-9 * want.var);
        }
    }

    #[test]
    fn float32_moments_stay_within_float32_precision() {
        // float32 sums in lanes: the mean and variance agree with float64 to about 1e-6.
        let xs: Vec<f32> = (0..5000)
            .map(|i| ((i * 37) % 101) as f32 * 0.1 - 3.0)
            .collect();
        let wide: Vec<f64> = xs.iter().map(|&v| v as f64).collect();
        let (got, want) = (row_moments(&xs, 5000)[0], reference(&wide));
        assert!((got.mean - want.mean).abs() <= 1e-6 * (1.0 + want.mean.abs()));
        assert!((got.var - want.var).abs() <= 1e-6 * want.var);
    }

    #[test]
    fn channel_moments_merge_planes_over_the_batch() {
        // (batch 2, channels 2, plane 3): channel 0 holds 0..3 and 6..9, channel 1 3..6, 9..12.
        let xs: Vec<f64> = (0..12).map(f64::from).collect();
        // Channel 0: mean 4, deviations -4 -3 -2 2 3 4, var 58 / 6; channel 1 is 3 higher.
        let m = channel_moments(&xs, 2, 2, 3);
        for (got, mean) in m.iter().zip([4.0, 7.0]) {
            assert!((got.mean - mean).abs() < 1e-15);
            assert!((got.var - 58.0 / 6.0).abs() < 1e-14);
        }
    }

    #[test]
    fn layer_norm_rows_applies_weight_and_bias_per_position() {
        // Row [1, 3]: mean 2, rstd 1 -> [-1, 1]; times weight [2, 3], plus bias [0.5, 0].
        let mut out = [0.0f64; 2];
        let (w, b) = ([2.0, 3.0], [0.5, 0.0]);
        let m = layer_norm_rows(&[1.0, 3.0], &mut out, 2, 0.0, Some(&w), Some(&b));
        assert_eq!(out, [-1.5, 3.0]);
        assert_eq!(
            m,
            [Moments {
                mean: 2.0,
                var: 1.0
            }]
        );
        layer_norm_rows(&[1.0, 3.0], &mut out, 2, 0.0, None, Some(&b));
        assert_eq!(out, [-0.5, 1.0]);
    }

    #[test]
    fn the_avx2_build_gives_the_baseline_bits() {
        // `run_moments` takes the AVX2 copy on a CPU that has it, the body is the baseline.
        let xs: Vec<f32> = (0..3000)
            .map(|i| ((i * 53) % 211) as f32 * 0.03 - 2.0)
            .collect();
        assert_eq!(run_moments(&xs), run_moments_body(&xs));
    }
}
