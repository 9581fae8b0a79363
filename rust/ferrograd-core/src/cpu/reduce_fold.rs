//! Folds: reductions with an associative, commutative operation (sum, prod, max, all, norms, ...),
//! written so LLVM vectorises them: many independent accumulators over contiguous runs, and
//! output-wise accumulation for columns. Float sums are cascaded (pairwise over blocks), which
//! keeps the rounding error of a 4M-element float32 sum near that of PyTorch's cascade sum.

use half::{bf16, f16};

use super::reduce::ReduceKernel;
use super::reduce_walk::Pairwise;
use crate::dtype::Element;

/// Independent accumulators per run: enough to fill the vector units and hide add latency
/// (eight 256-bit registers of float32).
const LANES: usize = 64;
/// Elements summed directly by the lanes before cascading (each lane adds BLOCK / LANES values:
/// 128, whose rounding error stays far below PyTorch's tolerance; smaller blocks made the
/// cascade's bookkeeping a visible part of a float32 sum).
const BLOCK: usize = 8192;
/// Rows summed directly into a columns block before cascading.
const BLOCK_ROWS: usize = 32;

/// A fold: `map` each element into the accumulator type, combine with `op`, from `init`.
pub struct Fold<A, M, O> {
    pub init: A,
    pub map: M,
    pub op: O,
    /// Sum pairwise over blocks (float sums); other folds lose nothing by folding straight.
    pub cascade: bool,
}

impl<A: Copy, M, O> Fold<A, M, O> {
    pub fn new<T>(init: A, map: M, op: O) -> Self
    where
        M: Fn(T) -> A,
        O: Fn(A, A) -> A,
    {
        Fold {
            init,
            map,
            op,
            cascade: false,
        }
    }

    pub fn cascaded(mut self) -> Self {
        self.cascade = true;
        self
    }
}

impl<A: Copy, M, O: Fn(A, A) -> A> Fold<A, M, O> {
    /// LANES accumulators side by side over the whole LANES-chunks of `xs` (fixed-size arrays,
    /// so LLVM uses full-width vectors).
    #[inline(always)]
    fn lanes<T: Copy>(&self, xs: &[T]) -> [A; LANES]
    where
        M: Fn(T) -> A,
    {
        let mut acc = [self.init; LANES];
        for c in xs.chunks_exact(LANES) {
            let Ok(c) = <&[T; LANES]>::try_from(c) else {
                continue;
            };
            for i in 0..LANES {
                acc[i] = (self.op)(acc[i], (self.map)(c[i]));
            }
        }
        acc
    }

    /// The lanes over blocks of BLOCK elements, the blocks' lane arrays combined pairwise
    /// (lane by lane, which vectorises too), then the lanes folded once, then the tail.
    #[inline(always)]
    fn cascade_run<T: Copy>(&self, xs: &[T]) -> A
    where
        M: Fn(T) -> A,
    {
        let whole = xs.len() - xs.len() % LANES;
        let acc = if !self.cascade || whole <= BLOCK {
            self.lanes(&xs[..whole])
        } else {
            let mut parts = Pairwise::new(|a: [A; LANES], b: [A; LANES]| {
                let mut r = a;
                for i in 0..LANES {
                    r[i] = (self.op)(a[i], b[i]);
                }
                r
            });
            for block in xs[..whole].chunks(BLOCK) {
                parts.push(self.lanes(block));
            }
            parts.finish().unwrap_or([self.init; LANES])
        };
        xs[whole..].iter().fold(fold_lanes(acc, &self.op), |a, &x| {
            (self.op)(a, (self.map)(x))
        })
    }

    #[inline(always)]
    fn add_row<T: Copy>(&self, acc: &mut [A], row: &[T])
    where
        M: Fn(T) -> A,
    {
        for (a, &x) in acc.iter_mut().zip(row) {
            *a = (self.op)(*a, (self.map)(x));
        }
    }

    /// Pushes a finished block into the binary counter of partial rows and resets it.
    #[inline(always)]
    fn carry(&self, levels: &mut Vec<Option<Vec<A>>>, block: &mut Vec<A>) {
        let mut carry = std::mem::replace(block, vec![self.init; block.len()]);
        for level in levels.iter_mut() {
            match level.take() {
                Some(earlier) => {
                    for (c, e) in carry.iter_mut().zip(earlier) {
                        *c = (self.op)(e, *c);
                    }
                }
                None => {
                    *level = Some(carry);
                    return;
                }
            }
        }
        levels.push(Some(carry));
    }
}

impl<T, A, M, O> ReduceKernel<T> for Fold<A, M, O>
where
    T: Element,
    A: Copy + Send + Sync,
    M: Fn(T) -> A + Sync,
    O: Fn(A, A) -> A + Sync,
{
    type Acc = A;

    fn init(&self) -> A {
        self.init
    }

    fn step(&self, acc: A, x: T, _index: usize, _out: usize) -> A {
        (self.op)(acc, (self.map)(x))
    }

    fn merge(&self, earlier: A, later: A) -> A {
        (self.op)(earlier, later)
    }

    fn run(&self, xs: &[T], _first: usize, _out: usize) -> A {
        #[cfg(target_arch = "x86_64")]
        if has_avx512() {
            // SAFETY: the CPU supports AVX-512F (checked just above).
            return unsafe { self.run_avx512(xs) };
        }
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { self.run_avx2(xs) };
        }
        self.cascade_run(xs)
    }

    fn run_rows<I: Iterator<Item = usize>>(
        &self,
        src: &[T],
        starts: I,
        len: usize,
        _out: usize,
        acc: &mut [A],
    ) {
        #[cfg(target_arch = "x86_64")]
        if has_avx512() {
            // SAFETY: the CPU supports AVX-512F (checked just above).
            return unsafe { self.rows_avx512(src, starts, len, acc) };
        }
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { self.rows_avx2(src, starts, len, acc) };
        }
        self.rows_body(src, starts, len, acc)
    }

    fn columns<I: Iterator<Item = (usize, usize)>>(
        &self,
        src: &[T],
        rows: I,
        _out: usize,
        acc: &mut [A],
    ) {
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { self.columns_avx2(src, rows, acc) };
        }
        self.columns_body(src, rows, acc)
    }
}

/// Whether this CPU has AVX2: the hot loops are compiled twice, for the x86-64 baseline and for
/// AVX2, and the faster copy is picked at run time (PyTorch does the same).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

/// Whether this CPU has AVX-512F: full-width loads halve the instructions of a long row, which
/// keeps a row sum fed from the L3 cache. The lanes and their folding order are written out in
/// the code, so every variant gives the same bits.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn has_avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
}

impl<A: Copy, M, O: Fn(A, A) -> A> Fold<A, M, O> {
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn run_avx512<T: Copy>(&self, xs: &[T]) -> A
    where
        M: Fn(T) -> A,
    {
        self.cascade_run(xs)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn run_avx2<T: Copy>(&self, xs: &[T]) -> A
    where
        M: Fn(T) -> A,
    {
        self.cascade_run(xs)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn rows_avx512<T: Copy, I: Iterator<Item = usize>>(
        &self,
        src: &[T],
        starts: I,
        len: usize,
        acc: &mut [A],
    ) where
        M: Fn(T) -> A,
    {
        self.rows_body(src, starts, len, acc)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn rows_avx2<T: Copy, I: Iterator<Item = usize>>(
        &self,
        src: &[T],
        starts: I,
        len: usize,
        acc: &mut [A],
    ) where
        M: Fn(T) -> A,
    {
        self.rows_body(src, starts, len, acc)
    }

    /// Row after row, each as [`Self::cascade_run`] gives it (so a row's bits do not depend on
    /// the rows around it), without leaving the vectorised code in between: for 2048-element
    /// rows this read 4-5% faster than a dispatch and call of `run` per row (one core).
    #[inline(always)]
    fn rows_body<T: Copy, I: Iterator<Item = usize>>(
        &self,
        src: &[T],
        starts: I,
        len: usize,
        acc: &mut [A],
    ) where
        M: Fn(T) -> A,
    {
        for (s, a) in starts.zip(acc.iter_mut()) {
            *a = self.cascade_run(&src[s..s + len]);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn columns_avx2<T: Copy, I: Iterator<Item = (usize, usize)>>(
        &self,
        src: &[T],
        rows: I,
        acc: &mut [A],
    ) where
        M: Fn(T) -> A,
    {
        self.columns_body(src, rows, acc)
    }

    #[inline(always)]
    fn columns_body<T: Copy, I: Iterator<Item = (usize, usize)>>(
        &self,
        src: &[T],
        rows: I,
        acc: &mut [A],
    ) where
        M: Fn(T) -> A,
    {
        let width = acc.len();
        if !self.cascade {
            for (_, off) in rows {
                self.add_row(acc, &src[off..off + width]);
            }
            return;
        }
        // Blocks of rows are summed straight, then the block sums pairwise (a binary counter).
        let mut levels: Vec<Option<Vec<A>>> = Vec::new();
        let mut block = vec![self.init; width];
        let mut in_block = 0;
        for (_, off) in rows {
            self.add_row(&mut block, &src[off..off + width]);
            in_block += 1;
            if in_block == BLOCK_ROWS {
                self.carry(&mut levels, &mut block);
                in_block = 0;
            }
        }
        self.carry(&mut levels, &mut block);
        for level in levels.into_iter().rev().flatten() {
            for (a, b) in acc.iter_mut().zip(level) {
                *a = (self.op)(*a, b);
            }
        }
    }
}

/// Folds the lanes as a tree. Kept out of line: inlined next to the lanes loop, it leads LLVM
/// to vectorise that loop two elements at a time.
#[inline(never)]
pub(super) fn fold_lanes<A: Copy, O: Fn(A, A) -> A, const N: usize>(mut acc: [A; N], op: &O) -> A {
    let mut width = N;
    while width > 1 {
        width /= 2;
        for i in 0..width {
            acc[i] = op(acc[i], acc[i + width]);
        }
    }
    acc[0]
}

/// The accumulator types: int64 for bool and integers (wrapping, as C++ does), float32 for the
/// half types and float32, float64 for float64.
pub trait Accum: Element {
    const ZERO: Self;
    const ONE: Self;
    fn add(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
}

impl Accum for i64 {
    const ZERO: i64 = 0;
    const ONE: i64 = 1;
    #[inline(always)]
    fn add(self, o: i64) -> i64 {
        self.wrapping_add(o)
    }
    #[inline(always)]
    fn mul(self, o: i64) -> i64 {
        self.wrapping_mul(o)
    }
}

macro_rules! float_accum {
    ($t:ty) => {
        impl Accum for $t {
            const ZERO: $t = 0.0;
            const ONE: $t = 1.0;
            #[inline(always)]
            fn add(self, o: $t) -> $t {
                self + o
            }
            #[inline(always)]
            fn mul(self, o: $t) -> $t {
                self * o
            }
        }
    };
}
float_accum!(f32);
float_accum!(f64);

/// An element type with the accumulator PyTorch sums it in.
pub trait Widen: Element {
    type Acc: Accum;
    fn widen(self) -> Self::Acc;
    /// Rounds an accumulated value back to this type.
    fn narrow(a: Self::Acc) -> Self;
}

macro_rules! widen_int {
    ($($t:ty),*) => {$(
        impl Widen for $t {
            type Acc = i64;
            #[inline(always)]
            fn widen(self) -> i64 {
                self as i64
            }
            fn narrow(a: i64) -> $t {
                a as $t
            }
        }
    )*};
}
widen_int!(u8, i8, i16, i32, i64);

impl Widen for bool {
    type Acc = i64;
    #[inline(always)]
    fn widen(self) -> i64 {
        self as i64
    }
    fn narrow(a: i64) -> bool {
        a != 0
    }
}

impl Widen for f32 {
    type Acc = f32;
    #[inline(always)]
    fn widen(self) -> f32 {
        self
    }
    fn narrow(a: f32) -> f32 {
        a
    }
}

impl Widen for f64 {
    type Acc = f64;
    #[inline(always)]
    fn widen(self) -> f64 {
        self
    }
    fn narrow(a: f64) -> f64 {
        a
    }
}

impl Widen for f16 {
    type Acc = f32;
    #[inline(always)]
    fn widen(self) -> f32 {
        self.to_f32()
    }
    fn narrow(a: f32) -> f16 {
        f16::from_f32(a)
    }
}

impl Widen for bf16 {
    type Acc = f32;
    #[inline(always)]
    fn widen(self) -> f32 {
        self.to_f32()
    }
    fn narrow(a: f32) -> bf16 {
        bf16::from_f32(a)
    }
}
