//! The reduction driver shared by every reducing kernel: it splits a layout into kept dims (the
//! output) and reduced dims, picks a loop order that reads memory contiguously, and splits large
//! reductions across threads. Kernels ([`ReduceKernel`]) only ever see contiguous slices.
//!
//! Three loop orders:
//! - *rows*: the reduced dims end in a contiguous run (`x.sum(-1)`, full reductions): each output
//!   reduces its runs with the kernel's vectorised `run`;
//! - *columns*: the kept dims end in a contiguous run (`x.sum(0)` of a row-major matrix): whole
//!   rows of outputs are accumulated at once, elementwise, which vectorises across outputs;
//! - *gather*: anything else is first copied in (kept, reduced) order, then reduced as rows.
//!
//! The way work is split depends on the sizes only, never on the number of threads, so results
//! are the same bits on any machine.

use super::reduce_walk::{Pairwise, Walk};
use super::{spin_pool, PARALLEL_THRESHOLD};
use crate::dtype::Element;
use crate::layout::Layout;

/// One reduction (sum, max, argmax, ...) over elements of type `T`.
pub trait ReduceKernel<T: Copy>: Sync {
    /// The running state; also what the driver returns per output.
    type Acc: Copy + Send + Sync;

    /// The result over no elements, and the state before the first `step`.
    fn init(&self) -> Self::Acc;

    /// Folds in one element found at position `index` of the reduction order of output `out`.
    fn step(&self, acc: Self::Acc, x: T, index: usize, out: usize) -> Self::Acc;

    /// Combines the results of two consecutive stretches of the reduction order.
    fn merge(&self, earlier: Self::Acc, later: Self::Acc) -> Self::Acc;

    /// Reduces a contiguous stretch starting at position `first`, for output `out`. Kernels
    /// override this with a loop LLVM vectorises.
    fn run(&self, xs: &[T], first: usize, out: usize) -> Self::Acc {
        let mut acc = self.init();
        for (i, &x) in xs.iter().enumerate() {
            acc = self.step(acc, x, first + i, out);
        }
        acc
    }

    /// Reduces the contiguous rows of `len` elements that start at `starts` (a reduction over
    /// the innermost dim) into `acc`: row `i` is output `out + i`. Kernels override this to stay
    /// in their vectorised code from one row to the next.
    fn run_rows<I: Iterator<Item = usize>>(
        &self,
        src: &[T],
        starts: I,
        len: usize,
        out: usize,
        acc: &mut [Self::Acc],
    ) {
        for (i, (s, a)) in starts.zip(acc.iter_mut()).enumerate() {
            *a = self.run(&src[s..s + len], 0, out + i);
        }
    }

    /// Reduces whole rows into `acc` (outputs `out..out + acc.len()`): `rows` yields each row's
    /// position in the reduction order and its offset in `src`; a row is `acc.len()` contiguous
    /// elements. `acc` arrives holding `init()`.
    fn columns<I: Iterator<Item = (usize, usize)>>(
        &self,
        src: &[T],
        rows: I,
        out: usize,
        acc: &mut [Self::Acc],
    ) {
        let width = acc.len();
        for (pos, off) in rows {
            for (j, (a, &x)) in acc.iter_mut().zip(&src[off..off + width]).enumerate() {
                *a = self.step(*a, x, pos, out + j);
            }
        }
    }
}

/// Outputs per columns tile. Wide, so that rows are read as long contiguous stretches (the
/// prefetchers lose track of short ones); a tile's accumulators still fit in the L2 cache.
const TILE: usize = 8192;
/// Contiguous runs shorter than this are reduced through a gathered copy or as columns.
const SHORT_RUN: usize = 16;
/// Enough parallel jobs to keep any thread count busy.
const MIN_JOBS: usize = 32;
/// Elements per parallel job of a rows reduction: a job runs for tens of microseconds, so
/// rayon's per-job cost stays negligible (at 32K elements it was a visible share of a sum).
const JOB_ELEMENTS: usize = 1 << 18;

/// How the dims of one reduction are walked.
struct Plan {
    offset: usize,
    /// Kept dims in output order (the output is row-major over them).
    kept: Walk,
    /// Reduced dims in reduction order.
    red: Walk,
}

impl Plan {
    /// `reorder`: the kernel does not care about the order (sums, extrema), so the reduced dims
    /// may be walked in memory order.
    fn new(layout: &Layout, reduced: &[bool], reorder: bool) -> Plan {
        let dims = || {
            layout
                .shape()
                .iter()
                .copied()
                .zip(layout.strides().iter().copied())
        };
        let kept = Walk::coalesce(dims().zip(reduced).filter(|(_, &r)| !r).map(|(d, _)| d));
        let mut red_dims: Vec<(usize, usize)> = dims()
            .zip(reduced)
            .filter(|(_, &r)| r)
            .map(|(d, _)| d)
            .collect();
        if reorder {
            red_dims.sort_by_key(|&(_, s)| std::cmp::Reverse(s));
        }
        Plan {
            offset: layout.offset(),
            kept,
            red: Walk::coalesce(red_dims),
        }
    }
}

/// Reduces the dims flagged in `reduced` (one flag per dim of `layout`); returns one result per
/// output, row-major over the kept dims. An empty reduction gives `init()` for every output.
pub fn reduce<T: Element, K: ReduceKernel<T>>(
    src: &[T],
    layout: &Layout,
    reduced: &[bool],
    reorder: bool,
    k: &K,
) -> Vec<K::Acc> {
    let plan = Plan::new(layout, reduced, reorder);
    let (n_out, n_red) = (plan.kept.len(), plan.red.len());
    if n_out == 0 || n_red == 0 || layout.numel() == 0 {
        return vec![k.init(); n_out];
    }
    let run = plan.red.innermost().unwrap_or((1, 1));
    let rows_ok = run.1 == 1 || plan.red.shape.is_empty();
    let cols_ok = matches!(plan.kept.innermost(), Some((w, 1)) if w >= 8);
    if rows_ok && (run.0 >= SHORT_RUN || !cols_ok) && (run.0 >= SHORT_RUN || run.0 == n_red) {
        rows(src, &plan, k)
    } else if cols_ok {
        columns(src, &plan, k)
    } else {
        gathered(src, layout, reduced, k)
    }
}

/// Copies the input in (kept, reduced) order, then reduces each output's contiguous block.
fn gathered<T: Element, K: ReduceKernel<T>>(
    src: &[T],
    layout: &Layout,
    reduced: &[bool],
    k: &K,
) -> Vec<K::Acc> {
    let order: Vec<usize> = (0..layout.ndim())
        .filter(|&d| !reduced[d])
        .chain((0..layout.ndim()).filter(|&d| reduced[d]))
        .collect();
    let buf: Vec<T> = super::copy::gather_to_vec(src, &layout.permute(&order));
    let n_red: usize = (0..layout.ndim())
        .filter(|&d| reduced[d])
        .map(|d| layout.shape()[d])
        .product();
    let n_out = buf.len() / n_red;
    let plan = Plan {
        offset: 0,
        kept: Walk::coalesce([(n_out, n_red)]),
        red: Walk::coalesce([(n_red, 1)]),
    };
    rows(&buf, &plan, k)
}

/// Reduces positions `lo..hi` of one output whose reduced elements start at `base`.
fn span<T: Element, K: ReduceKernel<T>>(
    src: &[T],
    plan: &Plan,
    base: usize,
    (lo, hi): (usize, usize),
    out: usize,
    k: &K,
) -> K::Acc {
    let run_len = plan.red.innermost().map_or(1, |(n, _)| n);
    if lo % run_len + (hi - lo) <= run_len {
        // One contiguous stretch (a row of `x.sum(-1)`): no partial results to combine.
        let start = base + plan.red.offset_of(lo);
        return k.run(&src[start..start + (hi - lo)], lo, out);
    }
    let outer = plan.red.outer();
    let mut parts = Pairwise::new(|a, b| k.merge(a, b));
    let mut pos = lo;
    while pos < hi {
        let within = pos % run_len;
        let take = (run_len - within).min(hi - pos);
        let start = base + outer.offset_of(pos / run_len) + within;
        parts.push(k.run(&src[start..start + take], pos, out));
        pos += take;
    }
    parts.finish().unwrap_or_else(|| k.init())
}

fn rows<T: Element, K: ReduceKernel<T>>(src: &[T], plan: &Plan, k: &K) -> Vec<K::Acc> {
    let (n_out, n_red) = (plan.kept.len(), plan.red.len());
    // Outputs `first..first + acc.len()`, each reduced whole. A row of `x.sum(-1)` is one
    // contiguous run for the kernel's vectorised loop: rows one after another read memory as
    // one stream, which beat reducing four rows side by side (54 against 42 GB/s per core for
    // a 2048 x 2048 float32 row sum on an AVX-512 CPU). A 2048-element row is read in a few
    // hundred cycles, so the row offsets are walked, not recomputed per row.
    let rows_contiguous = plan.red.strides == [1];
    let fill = |first: usize, acc: &mut [K::Acc]| {
        let offsets = plan.kept.offsets(first, first + acc.len());
        if rows_contiguous {
            let starts = offsets.map(|(_, off)| plan.offset + off);
            return k.run_rows(src, starts, n_red, first, acc);
        }
        for ((i, off), a) in offsets.zip(acc.iter_mut()) {
            *a = span(src, plan, plan.offset + off, (0, n_red), i, k);
        }
    };
    let large = n_out * n_red >= PARALLEL_THRESHOLD;
    if n_out >= MIN_JOBS || !large {
        // Whole rows per output: the same bits whichever thread reduces a row.
        let mut out = vec![k.init(); n_out];
        if large && spin_pool::threads() > 1 {
            let per_job = (JOB_ELEMENTS / n_red.max(1)).max(1);
            spin_pool::for_each_chunk_mut(&mut out, per_job, |j, chunk| fill(j * per_job, chunk));
        } else {
            fill(0, &mut out);
        }
        return out;
    }
    // Few outputs, long reductions: split each output's reduction into chunks.
    let chunk = JOB_ELEMENTS.max(n_red.div_ceil(4 * MIN_JOBS));
    (0..n_out)
        .map(|o| {
            let base = plan.offset + plan.kept.offset_of(o);
            let parts = spin_pool::map(n_red.div_ceil(chunk), |c| {
                span(
                    src,
                    plan,
                    base,
                    (c * chunk, ((c + 1) * chunk).min(n_red)),
                    o,
                    k,
                )
            });
            merge_all(k, parts)
        })
        .collect()
}

fn merge_all<T: Copy, K: ReduceKernel<T>>(k: &K, parts: Vec<K::Acc>) -> K::Acc {
    let mut p = Pairwise::new(|a, b| k.merge(a, b));
    parts.into_iter().for_each(|a| p.push(a));
    p.finish().unwrap_or_else(|| k.init())
}

/// One columns job: a tile of outputs (in one outer position) and a range of rows.
#[derive(Clone, Copy)]
struct Job {
    outer: usize,
    col: usize,
    rows: (usize, usize),
}

/// `out` (rows of `width` outputs) cut into the tiles' slices, in job order.
fn tile_slices<'a, A>(
    out: &'a mut [A],
    width: usize,
    tiles: &[(usize, usize)],
) -> Vec<&'a mut [A]> {
    let mut slices = Vec::new();
    for row in out.chunks_mut(width) {
        let mut rest = row;
        for &(_, w) in tiles {
            let (tile, tail) = rest.split_at_mut(w);
            slices.push(tile);
            rest = tail;
        }
    }
    slices
}

fn columns<T: Element, K: ReduceKernel<T>>(src: &[T], plan: &Plan, k: &K) -> Vec<K::Acc> {
    let (n_out, n_red) = (plan.kept.len(), plan.red.len());
    let width = plan.kept.innermost().map_or(1, |(w, _)| w);
    let outer = plan.kept.outer();
    let n_outer = outer.len();
    let run_job = |job: Job, acc: &mut [K::Acc]| {
        let base = plan.offset + outer.offset_of(job.outer) + job.col;
        let rows = plan
            .red
            .offsets(job.rows.0, job.rows.1)
            .map(|(p, o)| (p, base + o));
        k.columns(src, rows, job.outer * width + job.col, acc);
    };
    let tiles: Vec<(usize, usize)> = (0..width)
        .step_by(TILE)
        .map(|c| (c, TILE.min(width - c)))
        .collect();
    let mut out = vec![k.init(); n_out];
    let parallel = n_out * n_red >= PARALLEL_THRESHOLD;
    let units = n_outer * tiles.len();
    if !parallel || units >= MIN_JOBS {
        let jobs: Vec<Job> = (0..n_outer)
            .flat_map(|outer| {
                tiles.iter().map(move |&(col, _)| Job {
                    outer,
                    col,
                    rows: (0, n_red),
                })
            })
            .collect();
        let mut chunks = tile_slices(&mut out, width, &tiles);
        if parallel {
            spin_pool::for_each_mut(&mut chunks, |i, acc| run_job(jobs[i], acc));
        } else {
            jobs.iter()
                .zip(chunks)
                .for_each(|(job, acc)| run_job(*job, acc));
        }
        return out;
    }
    // Few tiles, many rows: each tile's rows are split, and the partial rows merged in order.
    let splits = MIN_JOBS.div_ceil(units).min(n_red.div_ceil(64)).max(1);
    let per_split = n_red.div_ceil(splits);
    for o in 0..n_outer {
        for &(col, w) in &tiles {
            let partials = spin_pool::map(n_red.div_ceil(per_split), |s| {
                let mut acc = vec![k.init(); w];
                let rows = (s * per_split, ((s + 1) * per_split).min(n_red));
                run_job(
                    Job {
                        outer: o,
                        col,
                        rows,
                    },
                    &mut acc,
                );
                acc
            });
            // Merged a whole partial row at a time (the same pairwise order for every output).
            let mut rows = Pairwise::new(|mut a: Vec<K::Acc>, b: Vec<K::Acc>| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x = k.merge(*x, y);
                }
                a
            });
            partials.into_iter().for_each(|p| rows.push(p));
            if let Some(merged) = rows.finish() {
                out[o * width + col..o * width + col + w].copy_from_slice(&merged);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::reduce_fold::Fold;
    use crate::cpu::reduce_minmax::ArgExtreme;

    fn sums(src: &[i64], layout: &Layout, reduced: &[bool]) -> Vec<i64> {
        reduce(
            src,
            layout,
            reduced,
            true,
            &Fold::new(0i64, |x: i64| x, |a, b| a + b),
        )
    }

    #[test]
    fn a_row_sum_has_the_bits_of_the_row_summed_alone() {
        // Rows of x.sum(-1) go through `run_rows` (many, in parallel jobs, or few); a row on its
        // own through `run`. Lengths around the lanes' width and past the cascade's block.
        let sum = Fold::new(0.0f32, |x: f32| x, |a, b| a + b).cascaded();
        for len in [1, 63, 64, 203, 2048, 9000] {
            let n_rows = (1 << 16) / len + 40;
            let src: Vec<f32> = (0..n_rows * len)
                .map(|i| ((i * 7919) % 1000) as f32 * 0.013)
                .collect();
            let layout = Layout::contiguous(&[n_rows, len]);
            let rows = reduce(&src, &layout, &[false, true], true, &sum);
            for (r, &got) in rows.iter().enumerate() {
                let alone = ReduceKernel::run(&sum, &src[r * len..(r + 1) * len], 0, 0);
                assert_eq!(got.to_bits(), alone.to_bits(), "row {r} of {len}");
            }
        }
    }

    #[test]
    fn every_loop_order_gives_the_same_sums() {
        // [4, 10, 12] row-major: reducing the last dim walks rows, the first dim columns, the
        // middle dim of a transposed view needs a gather.
        let src: Vec<i64> = (0..480).collect();
        let l = Layout::contiguous(&[4, 10, 12]);
        let by_hand = |keep: &dyn Fn(usize, usize, usize) -> usize, n: usize| {
            let mut out = vec![0i64; n];
            for (i, &v) in src.iter().enumerate() {
                out[keep(i / 120, (i / 12) % 10, i % 12)] += v;
            }
            out
        };
        assert_eq!(
            sums(&src, &l, &[false, false, true]),
            by_hand(&|a, b, _| a * 10 + b, 40)
        );
        assert_eq!(
            sums(&src, &l, &[true, false, false]),
            by_hand(&|_, b, c| b * 12 + c, 120)
        );
        assert_eq!(
            sums(&src, &l, &[false, true, false]),
            by_hand(&|a, _, c| a * 12 + c, 48)
        );
        assert_eq!(
            sums(&src, &l, &[true, true, true]),
            vec![(0..480).sum::<i64>()]
        );
        let t = l.permute(&[2, 0, 1]);
        assert_eq!(
            sums(&src, &t, &[false, true, false]),
            by_hand(&|_, b, c| c * 10 + b, 120)
        );
    }

    #[test]
    fn large_reductions_split_across_jobs_stay_exact() {
        let n = 3 * PARALLEL_THRESHOLD + 7;
        let src: Vec<i64> = (0..n as i64).collect();
        let total = (n as i64 - 1) * n as i64 / 2;
        assert_eq!(sums(&src, &Layout::contiguous(&[n]), &[true]), vec![total]);
        let cols = Layout::contiguous(&[n / 8, 8]);
        let col0: i64 = (0..n / 8).map(|r| (r * 8) as i64).sum();
        assert_eq!(sums(&src, &cols, &[true, false])[0], col0);
    }

    #[test]
    fn arg_positions_count_in_row_major_order() {
        let src = [1.0f32, 9.0, 9.0, 3.0, 9.0, 2.0];
        // transposed 3x2 view of a 2x3 buffer: row-major order is 1, 3, 9, 9, 9, 2
        let t = Layout::contiguous(&[2, 3]).transpose(0, 1);
        let got = reduce(&src, &t, &[true, true], false, &ArgExtreme::<true>);
        assert_eq!(got, vec![(9.0, 2)]);
        let cols = reduce(
            &src,
            &Layout::contiguous(&[2, 3]),
            &[true, false],
            false,
            &ArgExtreme::<false>,
        );
        assert_eq!(cols, vec![(1.0, 0), (9.0, 0), (2.0, 1)]);
    }
}
