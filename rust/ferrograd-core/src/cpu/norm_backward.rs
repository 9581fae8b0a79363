//! Fused first-order backward kernels of layer, group and batch norm over contiguous buffers.
//!
//! With `xhat = (x - mean) * rstd`, `gw = g * weight` and `n` values per statistic:
//! `dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat))` (batch statistics) or
//! `dx = gw * rstd` (fixed statistics), `dweight = sum(g * xhat)`, `dbias = sum(g)`.
//! Per row or plane one pass takes the two sums `sum(gw)` and `sum(gw * (x - mean))`, and one
//! pass writes `dx = gw * rstd + (x - mean) * q + r`, with `q` and `r` folded from the sums.
//! Sums run in lanes of the compute type over blocks of `BLOCK` values, the blocks adding up
//! in float64. Work is split into pieces fixed by the shapes alone and the pieces' partial
//! parameter gradients are added in order, so results do not depend on the thread count.

use super::avx2_twin::avx2_dispatch;
use super::norm::{fill_items, for_each_plane, BLOCK, LANES};
use super::reduce_fold::{fold_lanes, Accum};
use super::reduce_stats::{Real, RealAcc};
use super::{spin_pool, PARALLEL_THRESHOLD};
use crate::dtype::Element;

/// Most rows whose parameter gradients one piece sums in the compute type (short rows go
/// about one task's worth of values to a piece).
const MAX_PIECE_ROWS: usize = 256;

/// The LANES-arrays of `xs` (its tail left out; `xs[tail_start(xs.len())..]` is the rest).
#[inline(always)]
fn lanes_of<T>(xs: &[T]) -> impl Iterator<Item = &[T; LANES]> {
    xs.chunks_exact(LANES)
        .filter_map(|c| <&[T; LANES]>::try_from(c).ok())
}

#[inline(always)]
fn tail_start(len: usize) -> usize {
    len - len % LANES
}

/// `(sum(g * w), sum(g * w * (x - mean)))` over one block; `w` per position, or 1.
#[inline(always)]
fn block_sums<T: Real>(g: &[T], x: &[T], w: Option<&[T::C]>, mean: T::C) -> (T::C, T::C) {
    let zero = <T::C as Accum>::ZERO;
    let (mut a, mut b) = ([zero; LANES], [zero; LANES]);
    let mut step = |i: usize, gw: T::C, x: T| {
        a[i] = a[i].add(gw);
        b[i] = b[i].add(gw.mul(x.up().sub(mean)));
    };
    let pairs = lanes_of(g).zip(lanes_of(x));
    match w {
        Some(w) => {
            for ((g, x), w) in pairs.zip(lanes_of(w)) {
                for i in 0..LANES {
                    step(i, g[i].up().mul(w[i]), x[i]);
                }
            }
        }
        None => {
            for (g, x) in pairs {
                for i in 0..LANES {
                    step(i, g[i].up(), x[i]);
                }
            }
        }
    }
    // Added apart from the loop (see `norm::lane_sum`).
    let add = |p: T::C, q: T::C| p.add(q);
    let (mut sa, mut sb) = (fold_lanes(a, &add), fold_lanes(b, &add));
    for k in tail_start(g.len())..g.len() {
        let gw = w.map_or(g[k].up(), |w| g[k].up().mul(w[k]));
        sa = sa.add(gw);
        sb = sb.add(gw.mul(x[k].up().sub(mean)));
    }
    (sa, sb)
}

avx2_dispatch! {
    /// `(sum(g * w), sum(g * w * (x - mean)))` over a run, block by block.
    fn run_sums<T: Real + Element> => run_sums_body(g: &[T], x: &[T], w: Option<&[T::C]>, mean: T::C) -> (f64, f64)
}

#[inline(always)]
fn run_sums_body<T: Real>(g: &[T], x: &[T], w: Option<&[T::C]>, mean: T::C) -> (f64, f64) {
    let mut total = (0.0, 0.0);
    for start in (0..g.len()).step_by(BLOCK) {
        let end = (start + BLOCK).min(g.len());
        let w = w.map(|w| &w[start..end]);
        let (a, b) = block_sums(&g[start..end], &x[start..end], w, mean);
        total = (total.0 + a.to_f64(), total.1 + b.to_f64());
    }
    total
}

/// How `dx` follows from one statistic's sums `a = sum(gw)` and `b = sum(gw * (x - mean))`:
/// `dx = gw * rstd + (x - mean) * q + r`.
fn folded(rstd: f64, (a, b): (f64, f64), count: f64) -> (f64, f64) {
    (-rstd * rstd * rstd * b / count, -rstd * a / count)
}

avx2_dispatch! {
    /// Writes `dx = g * w * p + (x - mean) * q + r` over a run; `w` per position, or 1.
    fn write_dx<T: Real + Element> => write_dx_body(
        dx: &mut [T],
        g: &[T],
        x: Option<&[T]>,
        w: Option<&[T::C]>,
        coef: [T::C; 4],
    )
}

#[inline(always)]
fn write_dx_body<T: Real + Element>(
    dx: &mut [T],
    g: &[T],
    x: Option<&[T]>,
    w: Option<&[T::C]>,
    [mean, p, q, r]: [T::C; 4],
) {
    match (x, w) {
        (Some(x), Some(w)) => {
            for (((o, &g), &x), &w) in dx.iter_mut().zip(g).zip(x).zip(w) {
                *o = T::down(g.up().mul(w).mul(p).add(x.up().sub(mean).mul(q)).add(r));
            }
        }
        (Some(x), None) => {
            for ((o, &g), &x) in dx.iter_mut().zip(g).zip(x) {
                *o = T::down(g.up().mul(p).add(x.up().sub(mean).mul(q)).add(r));
            }
        }
        // Fixed statistics: `dx = g * p` (p = weight * rstd), the input not read at all.
        (None, _) => {
            for (o, &g) in dx.iter_mut().zip(g) {
                *o = T::down(g.up().mul(p));
            }
        }
    }
}

/// The gradients of a normalisation's weight and bias (float64), when they were asked for.
pub type ParamGrads = Option<(Vec<f64>, Vec<f64>)>;

/// Layer norm backward over contiguous rows of `row_len` values. `stats` holds each row's
/// `(mean, rstd)`, `weight` the per-position weight (None: 1). Writes `dx` when given and
/// returns `(dweight, dbias)` when `want_params`.
pub fn layer_norm_backward<T: Real + Element>(
    g: &[T],
    x: &[T],
    row_len: usize,
    stats: &[(f64, f64)],
    weight: Option<&[f64]>,
    dx: Option<&mut [T]>,
    want_params: bool,
) -> ParamGrads {
    if row_len == 0 {
        return want_params.then(|| (Vec::new(), Vec::new()));
    }
    let w: Option<Vec<T::C>> = weight.map(|w| w.iter().map(|&v| T::C::from_f64(v)).collect());
    let piece_rows = (PARALLEL_THRESHOLD / row_len).clamp(1, MAX_PIECE_ROWS);
    let piece = piece_rows * row_len;
    let pieces = g.len().div_ceil(piece);
    let outs: Vec<Option<&mut [T]>> = match dx {
        Some(dx) => dx.chunks_mut(piece).map(Some).collect(),
        None => (0..pieces).map(|_| None).collect(),
    };
    // Each piece: its slice of dx, and the slot for its partial parameter gradients.
    let mut items: Vec<(Option<&mut [T]>, Partial<T>)> =
        outs.into_iter().map(|dx| (dx, None)).collect();
    let run = |k: usize, (dx, partial): &mut (Option<&mut [T]>, Partial<T>)| {
        let rows = k * piece..((k + 1) * piece).min(g.len());
        *partial = layer_norm_piece(
            &g[rows.clone()],
            &x[rows],
            row_len,
            &stats[k * piece_rows..],
            w.as_deref(),
            dx.as_deref_mut(),
            want_params,
        );
    };
    if g.len() >= PARALLEL_THRESHOLD {
        spin_pool::for_each_mut(&mut items, run);
    } else {
        items
            .iter_mut()
            .enumerate()
            .for_each(|(k, item)| run(k, item));
    }
    let partials = items.into_iter().filter_map(|(_, partial)| partial);
    want_params.then(|| add_in_order(partials, row_len))
}

/// One piece's partial `(dweight, dbias)` in the compute type.
type Partial<T> = Option<(Vec<<T as Real>::C>, Vec<<T as Real>::C>)>;

/// The pieces' partial parameter gradients added up in order, in float64.
fn add_in_order<C: Element>(
    parts: impl Iterator<Item = (Vec<C>, Vec<C>)>,
    len: usize,
) -> (Vec<f64>, Vec<f64>) {
    let (mut dw, mut db) = (vec![0.0; len], vec![0.0; len]);
    for (pw, pb) in parts {
        for (acc, v) in dw.iter_mut().zip(&pw).chain(db.iter_mut().zip(&pb)) {
            *acc += v.to_f64();
        }
    }
    (dw, db)
}

/// One piece of whole rows: their `dx`, and their partial `(dweight, dbias)` when wanted.
fn layer_norm_piece<T: Real + Element>(
    g: &[T],
    x: &[T],
    row_len: usize,
    stats: &[(f64, f64)],
    w: Option<&[T::C]>,
    mut dx: Option<&mut [T]>,
    want_params: bool,
) -> Partial<T> {
    let zero = <T::C as Accum>::ZERO;
    let mut params = want_params.then(|| (vec![zero; row_len], vec![zero; row_len]));
    let count = row_len as f64;
    for (i, (g, x)) in g.chunks(row_len).zip(x.chunks(row_len)).enumerate() {
        let (mean, rstd) = stats[i];
        let c = <T::C as Element>::from_f64;
        let (mean_c, rstd_c) = (c(mean), c(rstd));
        if let Some(dx) = dx.as_deref_mut() {
            let sums = run_sums(g, x, w, mean_c);
            let (q, r) = folded(rstd_c.to_f64(), sums, count);
            let row = &mut dx[i * row_len..(i + 1) * row_len];
            write_dx(row, g, Some(x), w, [mean_c, rstd_c, c(q), c(r)]);
        }
        if let Some((dw, db)) = params.as_mut() {
            add_param_grads(dw, db, g, x, (mean_c, rstd_c));
        }
    }
    params
}

avx2_dispatch! {
    /// `dw += g * xhat`, `db += g` along one row.
    fn add_param_grads<T: Real + Element> => add_param_grads_body(
        dw: &mut [T::C],
        db: &mut [T::C],
        g: &[T],
        x: &[T],
        stats: (T::C, T::C),
    )
}

#[inline(always)]
fn add_param_grads_body<T: Real + Element>(
    dw: &mut [T::C],
    db: &mut [T::C],
    g: &[T],
    x: &[T],
    (mean, rstd): (T::C, T::C),
) {
    for (((dw, db), &g), &x) in dw.iter_mut().zip(db.iter_mut()).zip(g).zip(x) {
        *dw = dw.add(g.up().mul(x.up().sub(mean).mul(rstd)));
        *db = db.add(g.up());
    }
}

/// A `(batch, channels, plane)` buffer and how its planes map to statistics: batch norm has
/// one per channel, group norm one per group of `channels / groups` channels of each sample.
#[derive(Clone, Copy, Debug)]
pub struct Planes {
    pub batch: usize,
    pub channels: usize,
    pub plane: usize,
    /// `Some(groups)` for group norm, `None` for batch norm.
    pub groups: Option<usize>,
}

impl Planes {
    /// The statistic of plane `p` (sample `p / channels`, channel `p % channels`).
    fn stat_of(&self, p: usize) -> usize {
        let (n, c) = (p / self.channels, p % self.channels);
        match self.groups {
            Some(groups) => n * groups + c / (self.channels / groups),
            None => c,
        }
    }

    /// How many values each statistic was taken over.
    fn count(&self) -> f64 {
        match self.groups {
            Some(groups) => (self.channels / groups * self.plane) as f64,
            None => (self.batch * self.plane) as f64,
        }
    }
}

/// Group or batch norm backward. `mean` and `rstd` hold one value per statistic, `weight`
/// one per channel (None: 1); `batch_stats` is false for batch norm in evaluation (fixed
/// statistics). Writes `dx` when given and returns `(dweight, dbias)` when `want_params`.
#[allow(clippy::too_many_arguments)]
pub fn planes_backward<T: Real + Element>(
    g: &[T],
    x: &[T],
    planes: Planes,
    mean: &[f64],
    rstd: &[f64],
    weight: Option<&[f64]>,
    batch_stats: bool,
    dx: Option<&mut [T]>,
    want_params: bool,
) -> ParamGrads {
    let (channels, plane) = (planes.channels, planes.plane);
    let w = |c: usize| weight.map_or(1.0, |w| w[c]);
    let c = <T::C as Element>::from_f64;
    let needs_sums = want_params || (dx.is_some() && batch_stats);
    let sums = if needs_sums && plane > 0 {
        plane_sums(g, x, planes, mean)
    } else {
        Vec::new()
    };
    if let Some(dx) = dx.filter(|_| plane > 0) {
        // Per statistic: a = sum(gw), b = sum(gw * (x - mean)), in plane order.
        let mut folds = vec![(0.0, 0.0); mean.len()];
        if batch_stats {
            let mut ab = vec![(0.0, 0.0); mean.len()];
            for (p, &(s1, s2)) in sums.iter().enumerate() {
                let (s, wc) = (planes.stat_of(p), w(p % channels));
                ab[s] = (ab[s].0 + wc * s1, ab[s].1 + wc * s2);
            }
            for (f, (&r, &ab)) in folds.iter_mut().zip(rstd.iter().zip(&ab)) {
                *f = folded(r, ab, planes.count());
            }
        }
        for_each_plane(dx, plane, |p, o| {
            let s = planes.stat_of(p);
            let coef = [mean[s], rstd[s] * w(p % channels), folds[s].0, folds[s].1].map(c);
            let part = p * plane..(p + 1) * plane;
            let x = batch_stats.then(|| &x[part.clone()]);
            write_dx(o, &g[part], x, None, coef);
        });
    }
    want_params.then(|| {
        // dweight = sum(g * xhat) = sum(rstd * s2), dbias = sum(g), over the samples in order.
        let (mut dw, mut db) = (vec![0.0; channels], vec![0.0; channels]);
        for (p, &(s1, s2)) in sums.iter().enumerate() {
            dw[p % channels] += rstd[planes.stat_of(p)] * s2;
            db[p % channels] += s1;
        }
        (dw, db)
    })
}

/// Per plane: `(sum(g), sum(g * (x - mean)))`, the mean being that of the plane's statistic.
fn plane_sums<T: Real + Element>(
    g: &[T],
    x: &[T],
    planes: Planes,
    mean: &[f64],
) -> Vec<(f64, f64)> {
    let plane = planes.plane;
    let mut sums = vec![(0.0, 0.0); g.len() / plane];
    fill_items(&mut sums, plane, |p| {
        let m = <T::C as Element>::from_f64(mean[planes.stat_of(p)]);
        let part = p * plane..(p + 1) * plane;
        run_sums(&g[part.clone()], &x[part], None, m)
    });
    sums
}

#[cfg(test)]
mod tests;
