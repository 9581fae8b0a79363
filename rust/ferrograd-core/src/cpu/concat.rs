//! The fast path of `cat` for contiguous inputs: each input is `outer` blocks of `block`
//! elements, and block `o` lands at column `at` of row `o` of the contiguous output.

use super::fork_guard::worth_parallel;
use rayon::prelude::*;

/// Elements each thread copies at least, when one long block is cut up.
const PIECE: usize = 1 << 16;

/// `dst[o * row + at .. + block] = src[o * block .. + block]` for every `o`. `src` holds
/// `outer * block` elements and `dst` `outer * row`.
pub fn copy_blocks<T: Copy + Send + Sync>(
    src: &[T],
    block: usize,
    dst: &mut [T],
    row: usize,
    at: usize,
) {
    if block == 0 || row == 0 {
        return;
    }
    let parallel = worth_parallel(src.len());
    if dst.len() == row {
        // One row: a single memcpy, split across threads when it is long.
        let out = &mut dst[at..at + block];
        if parallel {
            out.par_chunks_mut(PIECE)
                .zip(src.par_chunks(PIECE))
                .for_each(|(d, s)| d.copy_from_slice(s));
        } else {
            out.copy_from_slice(src);
        }
    } else if parallel {
        dst.par_chunks_mut(row)
            .zip(src.par_chunks(block))
            .with_min_len((PIECE / block).max(1))
            .for_each(|(d, s)| d[at..at + block].copy_from_slice(s));
    } else {
        for (d, s) in dst.chunks_mut(row).zip(src.chunks(block)) {
            d[at..at + block].copy_from_slice(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::PARALLEL_THRESHOLD;

    #[test]
    fn blocks_land_in_their_columns() {
        // Two rows of 5: columns 1..4 take blocks of 3.
        let mut dst = vec![0; 10];
        copy_blocks(&[1, 2, 3, 4, 5, 6], 3, &mut dst, 5, 1);
        assert_eq!(dst, vec![0, 1, 2, 3, 0, 0, 4, 5, 6, 0]);
        let n = PARALLEL_THRESHOLD * 2;
        let src: Vec<u32> = (0..n as u32).collect();
        let mut dst = vec![0; 2 * n];
        copy_blocks(&src, n, &mut dst, 2 * n, n);
        assert_eq!(&dst[n..], &src[..]);
        let mut dst = vec![0; n + n / 4];
        copy_blocks(&src, 4, &mut dst, 5, 0);
        assert_eq!(&dst[5..9], &src[4..8]);
    }
}
