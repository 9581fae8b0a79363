//! Picking slabs along one dim by index (`repeat_interleave` with per-element counts,
//! `combinations`): a contiguous `[outer, n, inner]` input becomes a contiguous
//! `[outer, indices.len(), inner]` output, each slab a memcpy.

use super::fork_guard::worth_parallel;
use rayon::prelude::*;

/// `dst[o, j, :] = src[o, indices[j], :]`. Indices must be below `n` (the caller checks; a bad
/// one panics on the slice bound rather than reading out of bounds).
pub fn gather_slabs<T: Copy + Send + Sync>(
    src: &[T],
    n: usize,
    inner: usize,
    indices: &[usize],
    dst: &mut [T],
) {
    if dst.is_empty() || inner == 0 {
        return;
    }
    let m = indices.len();
    let copy_slab = |(slab, out): (usize, &mut [T])| {
        let (o, j) = (slab / m, slab % m);
        let start = (o * n + indices[j]) * inner;
        out.copy_from_slice(&src[start..start + inner]);
    };
    if worth_parallel(dst.len()) {
        // Enough slabs per task that a task is worth scheduling even for tiny slabs.
        let min_slabs = (4096 / inner).max(1);
        dst.par_chunks_mut(inner)
            .enumerate()
            .with_min_len(min_slabs)
            .for_each(copy_slab);
    } else {
        dst.chunks_mut(inner).enumerate().for_each(copy_slab);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::PARALLEL_THRESHOLD;

    #[test]
    fn picks_middle_dim_slabs() {
        // src is [2, 3, 2]: slabs 0..6 of two elements.
        let src: Vec<i32> = (0..12).collect();
        let mut dst = vec![0; 2 * 4 * 2];
        gather_slabs(&src, 3, 2, &[2, 0, 0, 1], &mut dst);
        assert_eq!(dst, vec![4, 5, 0, 1, 0, 1, 2, 3, 10, 11, 6, 7, 6, 7, 8, 9]);
    }

    #[test]
    fn large_gathers_match() {
        let n = PARALLEL_THRESHOLD + 3;
        let src: Vec<i64> = (0..n as i64).collect();
        let idx: Vec<usize> = (0..n).rev().collect();
        let mut dst = vec![0; n];
        gather_slabs(&src, n, 1, &idx, &mut dst);
        assert!(dst.iter().rev().copied().eq(0..n as i64));
    }
}
