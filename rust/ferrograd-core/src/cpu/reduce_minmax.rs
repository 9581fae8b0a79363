//! Extremes: NaN-propagating max/min of values, and the arg kernel that also finds where the
//! extreme is (max/min along a dim, argmax/argmin). As in PyTorch, a NaN beats every number,
//! and among equal values the first position wins.

use half::{bf16, f16};

use super::reduce::ReduceKernel;
#[cfg(target_arch = "x86_64")]
use super::reduce_fold::has_avx2;
use crate::dtype::Element;

/// The smallest and largest values of a type (infinities for floats), and its NaN (floats
/// only; integers never produce one).
pub trait Extremes: Element {
    const LOWEST: Self;
    const HIGHEST: Self;
    const NAN: Self;
}

macro_rules! extremes {
    ($($t:ty: $lo:expr, $hi:expr, $nan:expr);* $(;)?) => {$(
        impl Extremes for $t {
            const LOWEST: $t = $lo;
            const HIGHEST: $t = $hi;
            const NAN: $t = $nan;
        }
    )*};
}
extremes! {
    bool: false, true, false;
    u8: u8::MIN, u8::MAX, 0;
    i8: i8::MIN, i8::MAX, 0;
    i16: i16::MIN, i16::MAX, 0;
    i32: i32::MIN, i32::MAX, 0;
    i64: i64::MIN, i64::MAX, 0;
    f16: f16::NEG_INFINITY, f16::INFINITY, f16::NAN;
    bf16: bf16::NEG_INFINITY, bf16::INFINITY, bf16::NAN;
    f32: f32::NEG_INFINITY, f32::INFINITY, f32::NAN;
    f64: f64::NEG_INFINITY, f64::INFINITY, f64::NAN;
}

/// Whether `x` is NaN (always false for integers; LLVM drops the test there).
#[inline(always)]
#[allow(clippy::eq_op)]
pub fn is_nan<T: PartialEq>(x: T) -> bool {
    x != x
}

/// PyTorch's `max_propagate_nan`: the larger value, or NaN if either is one. Written so that
/// LLVM vectorises loops around it (`|` rather than `||`, and a constant NaN rather than one of
/// the operands, which would turn an accumulator update into a slow masked store).
#[inline(always)]
pub fn max_nan<T: Extremes>(a: T, b: T) -> T {
    if is_nan(a) | is_nan(b) {
        T::NAN
    } else if a > b {
        a
    } else {
        b
    }
}

/// PyTorch's `min_propagate_nan`.
#[inline(always)]
pub fn min_nan<T: Extremes>(a: T, b: T) -> T {
    if is_nan(a) | is_nan(b) {
        T::NAN
    } else if a < b {
        a
    } else {
        b
    }
}

/// The better of two values: the larger (`LARGEST`) or the smaller, NaN winning.
#[inline(always)]
pub fn pick<const LARGEST: bool, T: Extremes>(a: T, b: T) -> T {
    if LARGEST {
        max_nan(a, b)
    } else {
        min_nan(a, b)
    }
}

/// Whether `x` replaces the current best `v`: strictly better (so ties keep the first
/// position), or a NaN replacing a number.
#[inline(always)]
fn better<const LARGEST: bool, T: PartialOrd + Copy>(x: T, v: T) -> bool {
    let beats = if LARGEST { x > v } else { x < v };
    beats | (is_nan(x) & !is_nan(v))
}

/// The best value of a non-empty run, with independent lanes so it vectorises.
#[inline(always)]
fn best_value<const LARGEST: bool, T: Extremes>(xs: &[T]) -> T {
    const LANES: usize = 16;
    let mut acc = [xs[0]; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        let Ok(c) = <&[T; LANES]>::try_from(c) else {
            continue;
        };
        for i in 0..LANES {
            acc[i] = pick::<LARGEST, T>(acc[i], c[i]);
        }
    }
    let best = acc.iter().fold(acc[0], |a, &b| pick::<LARGEST, T>(a, b));
    chunks
        .remainder()
        .iter()
        .fold(best, |a, &b| pick::<LARGEST, T>(a, b))
}

/// The first position of `target` in `xs` (of a NaN when `target` is NaN), scanning blocks
/// with a vectorisable test before looking inside the block that has it.
#[inline(always)]
fn first_position<T: Element>(xs: &[T], target: T) -> usize {
    const BLOCK: usize = 64;
    let hit = |x: T| {
        if is_nan(target) {
            is_nan(x)
        } else {
            x == target
        }
    };
    for (b, block) in xs.chunks(BLOCK).enumerate() {
        if block.iter().fold(false, |f, &x| f | hit(x)) {
            let within = block.iter().position(|&x| hit(x)).unwrap_or(0);
            return b * BLOCK + within;
        }
    }
    0
}

/// Two passes over a run (it is in cache for the second): the best value, then where it
/// first occurs.
#[inline(always)]
fn arg_run<const LARGEST: bool, T: Extremes>(xs: &[T]) -> (T, usize) {
    let best = best_value::<LARGEST, T>(xs);
    (best, first_position(xs, best))
}

/// Columns: values and positions kept in separate arrays (positions as u32, the width of the
/// values), so the update vectorises. Positions are double-buffered: writing an unchanged
/// position back in place would become a (slow) masked store.
#[inline(always)]
fn arg_columns<const LARGEST: bool, T: Extremes, I: Iterator<Item = (usize, usize)>>(
    src: &[T],
    mut rows: I,
    acc: &mut [(T, usize)],
) {
    let width = acc.len();
    let mut vals: Vec<T> = acc.iter().map(|a| a.0).collect();
    let mut idx: Vec<u32> = acc.iter().map(|a| a.1 as u32).collect();
    let mut next: Vec<u32> = idx.clone();
    for (pos, off) in rows.by_ref() {
        let row = &src[off..off + width];
        let Ok(p) = u32::try_from(pos) else {
            // Past 2^32 rows: finish with full-width positions, one step at a time.
            let mut state: Vec<(T, usize)> = vals
                .iter()
                .zip(&idx)
                .map(|(&v, &i)| (v, i as usize))
                .collect();
            for (pos, off) in std::iter::once((pos, off)).chain(rows) {
                for (a, &x) in state.iter_mut().zip(&src[off..off + width]) {
                    if better::<LARGEST, T>(x, a.0) {
                        *a = (x, pos);
                    }
                }
            }
            acc.copy_from_slice(&state);
            return;
        };
        let n = width
            .min(row.len())
            .min(idx.len())
            .min(next.len())
            .min(vals.len());
        let (vals, idx_in, idx_out, row) = (&mut vals[..n], &idx[..n], &mut next[..n], &row[..n]);
        for k in 0..n {
            let (v, x) = (vals[k], row[k]);
            idx_out[k] = if better::<LARGEST, T>(x, v) {
                p
            } else {
                idx_in[k]
            };
            vals[k] = pick::<LARGEST, T>(v, x);
        }
        std::mem::swap(&mut idx, &mut next);
    }
    for ((a, v), i) in acc.iter_mut().zip(vals).zip(idx) {
        *a = (v, i as usize);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn arg_run_avx2<const LARGEST: bool, T: Extremes>(xs: &[T]) -> (T, usize) {
    arg_run::<LARGEST, T>(xs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn arg_columns_avx2<const LARGEST: bool, T: Extremes, I: Iterator<Item = (usize, usize)>>(
    src: &[T],
    rows: I,
    acc: &mut [(T, usize)],
) {
    arg_columns::<LARGEST, T, I>(src, rows, acc)
}

/// Finds the largest (`LARGEST`) or smallest value and the first position holding it; a NaN
/// wins over numbers, the first NaN over later ones.
pub struct ArgExtreme<const LARGEST: bool>;

impl<const LARGEST: bool, T: Extremes> ReduceKernel<T> for ArgExtreme<LARGEST> {
    type Acc = (T, usize);

    fn init(&self) -> (T, usize) {
        (if LARGEST { T::LOWEST } else { T::HIGHEST }, 0)
    }

    fn step(&self, acc: (T, usize), x: T, index: usize, _out: usize) -> (T, usize) {
        if better::<LARGEST, T>(x, acc.0) {
            (x, index)
        } else {
            acc
        }
    }

    fn merge(&self, earlier: (T, usize), later: (T, usize)) -> (T, usize) {
        if better::<LARGEST, T>(later.0, earlier.0) {
            later
        } else {
            earlier
        }
    }

    fn run(&self, xs: &[T], first: usize, _out: usize) -> (T, usize) {
        if xs.is_empty() {
            return ReduceKernel::<T>::init(self);
        }
        #[cfg(target_arch = "x86_64")]
        let (best, at) = if has_avx2() {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { arg_run_avx2::<LARGEST, T>(xs) }
        } else {
            arg_run::<LARGEST, T>(xs)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let (best, at) = arg_run::<LARGEST, T>(xs);
        (best, first + at)
    }

    fn columns<I: Iterator<Item = (usize, usize)>>(
        &self,
        src: &[T],
        rows: I,
        _out: usize,
        acc: &mut [(T, usize)],
    ) {
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { arg_columns_avx2::<LARGEST, T, I>(src, rows, acc) };
        }
        arg_columns::<LARGEST, T, I>(src, rows, acc)
    }
}
