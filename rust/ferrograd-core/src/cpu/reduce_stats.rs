//! Statistics kernels: variance and mean in one pass (Welford's algorithm in float64, as
//! PyTorch computes them), and the exp-sum pass of `logsumexp`. Also the float arithmetic
//! trait the float-only reductions share.

use half::{bf16, f16};

use super::reduce::ReduceKernel;
use super::reduce_fold::Accum;
use super::reduce_minmax::Extremes;
use super::reduce_walk::Pairwise;
use crate::dtype::Element;

/// The arithmetic type PyTorch computes a float type's elementwise maths in.
pub trait RealAcc: Accum + Extremes {
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn ln_1p(self) -> Self;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    fn powf(self, p: Self) -> Self;
    fn is_finite(self) -> bool;
    fn sub(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    fn mul_add(self, a: Self, b: Self) -> Self;
}

macro_rules! real_acc {
    ($t:ty) => {
        impl RealAcc for $t {
            #[inline(always)]
            fn exp(self) -> $t {
                <$t>::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> $t {
                <$t>::ln(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> $t {
                <$t>::ln_1p(self)
            }
            #[inline(always)]
            fn sqrt(self) -> $t {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn abs(self) -> $t {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn powf(self, p: $t) -> $t {
                <$t>::powf(self, p)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn sub(self, o: $t) -> $t {
                self - o
            }
            #[inline(always)]
            fn div(self, o: $t) -> $t {
                self / o
            }
            #[inline(always)]
            fn mul_add(self, a: $t, b: $t) -> $t {
                <$t>::mul_add(self, a, b)
            }
        }
    };
}
real_acc!(f32);
real_acc!(f64);

/// A float element type with its compute type (float32 for the half types and float32).
pub trait Real: Extremes {
    type C: RealAcc;
    fn up(self) -> Self::C;
    fn down(c: Self::C) -> Self;
}

macro_rules! real {
    ($t:ty, $c:ty, $up:expr, $down:expr) => {
        impl Real for $t {
            type C = $c;
            #[inline(always)]
            fn up(self) -> $c {
                $up(self)
            }
            #[inline(always)]
            fn down(c: $c) -> $t {
                $down(c)
            }
        }
    };
}
real!(f32, f32, |x| x, |c| c);
real!(f64, f64, |x| x, |c| c);
real!(f16, f32, f16::to_f32, f16::from_f32);
real!(bf16, f32, bf16::to_f32, bf16::from_f32);

/// Welford's running mean and sum of squared deviations.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Welford {
    pub mean: f64,
    pub m2: f64,
    pub n: f64,
}

impl Welford {
    /// PyTorch's `WelfordOps::combine` (Chan et al.'s parallel update).
    #[inline]
    pub fn merge(a: Welford, b: Welford) -> Welford {
        if a.n == 0.0 {
            return b;
        }
        if b.n == 0.0 {
            return a;
        }
        let delta = b.mean - a.mean;
        let n = a.n + b.n;
        let nb_over_n = b.n / n;
        Welford {
            mean: a.mean + delta * nb_over_n,
            m2: a.m2 + b.m2 + delta * delta * a.n * nb_over_n,
            n,
        }
    }

    /// The variance with `correction` (PyTorch divides by `max(0, n - correction)`).
    pub fn variance(&self, correction: f64) -> f64 {
        let divisor = if self.n > correction {
            self.n - correction
        } else {
            0.0
        };
        self.m2 / divisor
    }
}

/// Mean and variance in one pass, in float64.
pub struct WelfordKernel;

/// Runs this long are reduced with an exact two-pass (mean, then squared deviations) that
/// vectorises, and merged with Welford's combine.
const BLOCK: usize = 1024;

#[inline(always)]
fn block_stats<T: Element>(xs: &[T]) -> Welford {
    const LANES: usize = 8;
    let lanes_sum = |f: &dyn Fn(f64) -> f64| {
        let mut acc = [0.0f64; LANES];
        let mut chunks = xs.chunks_exact(LANES);
        for c in &mut chunks {
            for i in 0..LANES {
                acc[i] += f(c[i].to_f64());
            }
        }
        let s: f64 = acc.iter().sum();
        chunks.remainder().iter().fold(s, |a, x| a + f(x.to_f64()))
    };
    let n = xs.len() as f64;
    let mean = lanes_sum(&|x| x) / n;
    let m2 = lanes_sum(&|x| (x - mean) * (x - mean));
    Welford { mean, m2, n }
}

impl<T: Element> ReduceKernel<T> for WelfordKernel {
    type Acc = Welford;

    fn init(&self) -> Welford {
        Welford::default()
    }

    /// PyTorch's `WelfordOps::reduce`.
    #[inline]
    fn step(&self, acc: Welford, x: T, _index: usize, _out: usize) -> Welford {
        let x = x.to_f64();
        let n = acc.n + 1.0;
        let delta = x - acc.mean;
        let mean = acc.mean + delta / n;
        Welford {
            mean,
            m2: acc.m2 + delta * (x - mean),
            n,
        }
    }

    fn merge(&self, earlier: Welford, later: Welford) -> Welford {
        Welford::merge(earlier, later)
    }

    fn run(&self, xs: &[T], _first: usize, _out: usize) -> Welford {
        xs.chunks(BLOCK)
            .map(block_stats)
            .fold(Welford::default(), Welford::merge)
    }

    /// Every column sees the same count, so the updates run over plain arrays.
    fn columns<I: Iterator<Item = (usize, usize)>>(
        &self,
        src: &[T],
        rows: I,
        _out: usize,
        acc: &mut [Welford],
    ) {
        let width = acc.len();
        let mut mean = vec![0.0f64; width];
        let mut m2 = vec![0.0f64; width];
        let mut n = 0.0f64;
        for (_, off) in rows {
            n += 1.0;
            let row = &src[off..off + width];
            for ((m, s), x) in mean.iter_mut().zip(m2.iter_mut()).zip(row) {
                let x = x.to_f64();
                let delta = x - *m;
                *m += delta / n;
                *s += delta * (x - *m);
            }
        }
        for ((a, m), s) in acc.iter_mut().zip(mean).zip(m2) {
            *a = Welford::merge(*a, Welford { mean: m, m2: s, n });
        }
    }
}

/// `sum(exp(x - m))` with `m` each output's shift (`logsumexp`'s second pass). Every step
/// rounds to the element type, as PyTorch's elementwise ops do between kernels.
pub struct ExpSum<'a, T> {
    pub shifts: &'a [T],
}

impl<T: Real> ExpSum<'_, T> {
    #[inline(always)]
    fn term(x: T, m: T) -> T::C {
        let d = T::down(x.up().sub(m.up()));
        T::down(d.up().exp()).up()
    }
}

impl<T: Real> ReduceKernel<T> for ExpSum<'_, T> {
    type Acc = T::C;

    fn init(&self) -> T::C {
        <T::C as Accum>::ZERO
    }

    fn step(&self, acc: T::C, x: T, _index: usize, out: usize) -> T::C {
        acc.add(Self::term(x, self.shifts[out]))
    }

    fn merge(&self, earlier: T::C, later: T::C) -> T::C {
        earlier.add(later)
    }

    fn run(&self, xs: &[T], _first: usize, out: usize) -> T::C {
        let m = self.shifts[out];
        let mut parts = Pairwise::new(|a: T::C, b| a.add(b));
        for c in xs.chunks(512) {
            parts.push(
                c.iter()
                    .fold(<T::C as Accum>::ZERO, |a, &x| a.add(Self::term(x, m))),
            );
        }
        parts.finish().unwrap_or(<T::C as Accum>::ZERO)
    }

    fn columns<I: Iterator<Item = (usize, usize)>>(
        &self,
        src: &[T],
        rows: I,
        out: usize,
        acc: &mut [T::C],
    ) {
        let width = acc.len();
        let shifts = &self.shifts[out..out + width];
        for (_, off) in rows {
            for ((a, &x), &m) in acc.iter_mut().zip(&src[off..off + width]).zip(shifts) {
                *a = a.add(Self::term(x, m));
            }
        }
    }
}
