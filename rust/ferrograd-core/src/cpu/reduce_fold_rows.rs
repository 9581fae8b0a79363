//! Row sums side by side: a fold over many short contiguous rows (`x.sum(-1)`) runs on through
//! several rows in one loop, so the loads of one row are in flight while another finishes.
//! Reduced one at a time, every row's end drained the pipeline (a third of the time of a
//! 2048 x 2048 row sum).

use super::reduce_fold::{fold_lanes, Fold};

/// Accumulators per row: a 512-bit register of float32 (two of 256 bits).
const ROW_LANES: usize = 16;
/// Rows reduced side by side.
const ROW_GROUP: usize = 4;

impl<A: Copy, M, O: Fn(A, A) -> A> Fold<A, M, O> {
    /// `acc[i]` = the fold of the `len` elements at `starts[i]`. Each row's result depends only
    /// on the row (its lanes and their folding order are fixed), not on the rows beside it.
    pub(super) fn rows_side_by_side<T: Copy>(
        &self,
        src: &[T],
        starts: &[usize],
        len: usize,
        acc: &mut [A],
    ) where
        M: Fn(T) -> A,
    {
        #[cfg(target_arch = "x86_64")]
        {
            use super::reduce_fold::{has_avx2, has_avx512};
            if has_avx512() {
                // SAFETY: the CPU supports AVX-512F (checked just above).
                return unsafe { self.rows_avx512(src, starts, len, acc) };
            }
            if has_avx2() {
                // SAFETY: the CPU supports AVX2 (checked just above).
                return unsafe { self.rows_avx2(src, starts, len, acc) };
            }
        }
        self.rows_body(src, starts, len, acc)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn rows_avx512<T: Copy>(&self, src: &[T], starts: &[usize], len: usize, acc: &mut [A])
    where
        M: Fn(T) -> A,
    {
        self.rows_body(src, starts, len, acc)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn rows_avx2<T: Copy>(&self, src: &[T], starts: &[usize], len: usize, acc: &mut [A])
    where
        M: Fn(T) -> A,
    {
        self.rows_body(src, starts, len, acc)
    }

    #[inline(always)]
    fn rows_body<T: Copy>(&self, src: &[T], starts: &[usize], len: usize, acc: &mut [A])
    where
        M: Fn(T) -> A,
    {
        let whole = len - len % ROW_LANES;
        let mut groups = starts.chunks_exact(ROW_GROUP);
        let mut outs = acc.chunks_exact_mut(ROW_GROUP);
        for (g, out) in (&mut groups).zip(&mut outs) {
            let [r0, r1, r2, r3] = [0, 1, 2, 3].map(|r| &src[g[r]..g[r] + len]);
            let mut lanes = [[self.init; ROW_LANES]; ROW_GROUP];
            let chunks = r0[..whole]
                .chunks_exact(ROW_LANES)
                .zip(r1[..whole].chunks_exact(ROW_LANES))
                .zip(r2[..whole].chunks_exact(ROW_LANES))
                .zip(r3[..whole].chunks_exact(ROW_LANES));
            for (((c0, c1), c2), c3) in chunks {
                self.add_lanes(&mut lanes[0], c0);
                self.add_lanes(&mut lanes[1], c1);
                self.add_lanes(&mut lanes[2], c2);
                self.add_lanes(&mut lanes[3], c3);
            }
            for (r, row) in [r0, r1, r2, r3].into_iter().enumerate() {
                out[r] = self.finish_row(lanes[r], &row[whole..]);
            }
        }
        for (&s, out) in groups.remainder().iter().zip(outs.into_remainder()) {
            let row = &src[s..s + len];
            let mut lanes = [self.init; ROW_LANES];
            for c in row[..whole].chunks_exact(ROW_LANES) {
                self.add_lanes(&mut lanes, c);
            }
            *out = self.finish_row(lanes, &row[whole..]);
        }
    }

    #[inline(always)]
    fn add_lanes<T: Copy>(&self, lanes: &mut [A; ROW_LANES], chunk: &[T])
    where
        M: Fn(T) -> A,
    {
        for (l, &x) in lanes.iter_mut().zip(chunk) {
            *l = (self.op)(*l, (self.map)(x));
        }
    }

    /// The row's lanes folded as a tree, then its last elements in order.
    #[inline(always)]
    fn finish_row<T: Copy>(&self, lanes: [A; ROW_LANES], tail: &[T]) -> A
    where
        M: Fn(T) -> A,
    {
        tail.iter().fold(fold_lanes(lanes, &self.op), |a, &x| {
            (self.op)(a, (self.map)(x))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_gives_the_same_bits_beside_others_or_alone() {
        let len = 203;
        let src: Vec<f32> = (0..len * 9)
            .map(|i| ((i * 7919) % 1000) as f32 * 0.013)
            .collect();
        let sum = Fold::new(0.0f32, |x: f32| x, |a, b| a + b).cascaded();
        let starts: Vec<usize> = (0..9).map(|r| r * len).collect();
        let mut together = vec![0.0; 9];
        sum.rows_side_by_side(&src, &starts, len, &mut together);
        for (r, &s) in starts.iter().enumerate() {
            let mut alone = [0.0];
            sum.rows_side_by_side(&src, &[s], len, &mut alone);
            assert_eq!(alone[0].to_bits(), together[r].to_bits());
            let exact: f64 = src[s..s + len].iter().map(|&x| x as f64).sum();
            assert!((together[r] as f64 - exact).abs() < 1e-3);
        }
    }
}
