//! The portable product kernel (integers, with wrapping arithmetic): `B` is packed row-major, then each output row accumulates
//! `a[i, p] * B[p, :]` over blocks of `B` that stay in cache.

use rayon::prelude::*;

use super::matmul::{choose_split, Product, Ring, Split};
use super::PARALLEL_THRESHOLD;

/// Rows of B per block and columns per block: a block is at most 256 x 512 elements
/// (1 MiB for int64), which stays in L2.
const KC: usize = 256;
const NC: usize = 512;

fn pack_b<T: Ring>(p: &Product<'_, T>, bi: usize) -> Vec<T> {
    let (start, rs, cs) = (p.b_view.starts[bi], p.b_view.rs, p.b_view.cs);
    let mut packed = Vec::with_capacity(p.k * p.n);
    for r in 0..p.k {
        packed.extend((0..p.n).map(|c| p.b[start + r * rs + c * cs]));
    }
    packed
}

/// Rows `rows` of batch entry `bi`; `out` holds exactly those rows.
fn rows<T: Ring>(p: &Product<'_, T>, bi: usize, b: &[T], first: usize, out: &mut [T]) {
    let (n, k) = (p.n, p.k);
    let (a0, ars, acs) = (p.a_view.starts[bi], p.a_view.rs, p.a_view.cs);
    match p.beta {
        Some(beta) => out.iter_mut().for_each(|v| *v = beta.mul(*v)),
        None => out.fill(T::default()),
    }
    for jb in (0..n).step_by(NC) {
        let je = (jb + NC).min(n);
        for pb in (0..k).step_by(KC) {
            let pe = (pb + KC).min(k);
            for (r, row) in out.chunks_mut(n).enumerate() {
                let arow = a0 + (first + r) * ars;
                let row = &mut row[jb..je];
                for q in pb..pe {
                    let aik = p.alpha.mul(p.a[arow + q * acs]);
                    let brow = &b[q * n + jb..q * n + je];
                    for (o, &bv) in row.iter_mut().zip(brow) {
                        *o = o.add(aik.mul(bv));
                    }
                }
            }
        }
    }
}

pub fn batched<T: Ring>(p: &Product<'_, T>, out: &mut [T]) {
    let size = p.m * p.n;
    let batch = p.a_view.starts.len();
    let run = |bi: usize, o: &mut [T], parallel_rows: bool| {
        let b = pack_b(p, bi);
        if parallel_rows {
            // Row blocks sized so that each task does a useful amount of work.
            let rows_per_task = (PARALLEL_THRESHOLD / (p.n * p.k).max(1)).max(1);
            o.par_chunks_mut(rows_per_task * p.n)
                .enumerate()
                .for_each(|(t, chunk)| rows(p, bi, &b, t * rows_per_task, chunk));
        } else {
            rows(p, bi, &b, 0, o);
        }
    };
    match choose_split(batch, p.m, p.n, p.k) {
        Split::Batch => out
            .par_chunks_mut(size)
            .enumerate()
            .for_each(|(bi, o)| run(bi, o, false)),
        Split::Inner => out
            .chunks_mut(size)
            .enumerate()
            .for_each(|(bi, o)| run(bi, o, true)),
        Split::None => out
            .chunks_mut(size)
            .enumerate()
            .for_each(|(bi, o)| run(bi, o, false)),
    }
}
