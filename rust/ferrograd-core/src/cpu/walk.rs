//! Walking one shape in row-major order while tracking the storage offset of several operands
//! at once: the loop under the indexing, gather and scatter kernels.

use std::ops::Range;

use super::{spin_pool, PARALLEL_THRESHOLD};

/// Calls `f(position, offsets)` for the row-major positions `range` of `shape`, where
/// `offsets[k]` is `base[k] + Σ_d index[d] * strides[k][d]`. The innermost dim is a tight loop;
/// outer dims advance like an odometer.
pub fn walk<const N: usize>(
    shape: &[usize],
    strides: [&[usize]; N],
    base: [usize; N],
    range: Range<usize>,
    mut f: impl FnMut(usize, [usize; N]),
) {
    if range.is_empty() {
        return;
    }
    let Some(last) = shape.len().checked_sub(1) else {
        f(0, base); // a 0-dim walk has one position
        return;
    };
    let mut index = vec![0usize; shape.len()];
    let mut rest = range.start;
    for d in (0..shape.len()).rev() {
        index[d] = rest % shape[d];
        rest /= shape[d];
    }
    let mut offsets = base;
    for k in 0..N {
        for d in 0..shape.len() {
            offsets[k] += index[d] * strides[k][d];
        }
    }
    let inner: [usize; N] = std::array::from_fn(|k| strides[k][last]);
    let mut pos = range.start;
    while pos < range.end {
        let n = (shape[last] - index[last]).min(range.end - pos);
        let mut o = offsets;
        for j in 0..n {
            f(pos + j, o);
            for k in 0..N {
                o[k] += inner[k];
            }
        }
        pos += n;
        index[last] += n;
        for k in 0..N {
            offsets[k] += n * inner[k];
        }
        let mut d = last;
        while d > 0 && index[d] == shape[d] {
            for k in 0..N {
                offsets[k] = offsets[k] - shape[d] * strides[k][d] + strides[k][d - 1];
            }
            index[d] = 0;
            d -= 1;
            index[d] += 1;
        }
    }
}

/// How many positions each parallel task walks: big enough that a task's cost dwarfs the
/// scheduling, small enough that every thread gets several.
fn chunk_len(n: usize) -> usize {
    let tasks = spin_pool::threads() * 4;
    n.div_ceil(tasks).max(PARALLEL_THRESHOLD / 4).max(1)
}

/// Fills `out` (one value per position of `shape`, row-major) with `f(position, offsets)`,
/// split across threads above [`PARALLEL_THRESHOLD`].
pub fn fill_walk<T: Send, const N: usize>(
    out: &mut [T],
    shape: &[usize],
    strides: [&[usize]; N],
    base: [usize; N],
    f: impl Fn(usize, [usize; N]) -> T + Sync,
) {
    let n = out.len();
    if n < PARALLEL_THRESHOLD {
        walk(shape, strides, base, 0..n, |p, o| out[p] = f(p, o));
        return;
    }
    let chunk = chunk_len(n);
    spin_pool::for_each_chunk_mut(out, chunk, |c, part| {
        let start = c * chunk;
        walk(shape, strides, base, start..start + part.len(), |p, o| {
            part[p - start] = f(p, o)
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_two_layouts_together() {
        // A [2, 3] contiguous operand and its transpose's strides.
        let mut seen = Vec::new();
        walk(&[2, 3], [&[3, 1], &[1, 2]], [0, 10], 0..6, |p, o| {
            seen.push((p, o[0], o[1]))
        });
        assert_eq!(
            seen,
            vec![
                (0, 0, 10),
                (1, 1, 12),
                (2, 2, 14),
                (3, 3, 11),
                (4, 4, 13),
                (5, 5, 15)
            ]
        );
    }

    #[test]
    fn partial_ranges_resume_mid_row() {
        let mut seen = Vec::new();
        walk(&[2, 2, 2], [&[4, 2, 1]], [0], 3..7, |p, o| {
            seen.push((p, o[0]))
        });
        assert_eq!(seen, vec![(3, 3), (4, 4), (5, 5), (6, 6)]);
        let mut zero_dim = Vec::new();
        walk(&[], [&[]], [7], 0..1, |p, o| zero_dim.push((p, o[0])));
        assert_eq!(zero_dim, vec![(0, 7)]);
    }

    #[test]
    fn parallel_fill_matches_serial() {
        let n = PARALLEL_THRESHOLD * 3 + 5;
        let shape = [3, n / 3];
        let strides = [1usize, 3];
        let mut out = vec![0usize; 3 * (n / 3)];
        fill_walk(&mut out, &shape, [&strides], [0], |_, o| o[0]);
        let mut expect = Vec::new();
        walk(&shape, [&strides], [0], 0..out.len(), |_, o| {
            expect.push(o[0])
        });
        assert_eq!(out, expect);
    }
}
