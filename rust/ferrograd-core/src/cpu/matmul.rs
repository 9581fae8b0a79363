//! Batched matrix products over strided operands: `out[b] = beta * out[b] + alpha * A[b] @ B[b]`.
//!
//! f32 and f64 go to the `gemm` crate, which takes arbitrary row and column strides, so
//! transposed or broadcast (stride-0) operands are multiplied without being copied. Integer
//! dtypes use a cache-blocked loop with wrapping arithmetic (PyTorch's integer matmul wraps).
//! f16/bf16 never reach this file: the Tensor layer computes them in f32 and rounds once.

use super::fork_guard::{rayon_threads, threads_usable, worth_parallel};
use rayon::prelude::*;

use super::PARALLEL_THRESHOLD;
use crate::dtype::Element;
use crate::error::{Error, Result};

/// The arithmetic the product kernels need, for every dtype: wrapping for integers (as C++
/// integer arithmetic in PyTorch), logical and/or for bool (used by `outer` and `kron`).
pub trait Ring: Element {
    fn add(self, other: Self) -> Self;
    fn sub(self, other: Self) -> Self;
    fn mul(self, other: Self) -> Self;
}

macro_rules! int_ring {
    ($($t:ty),*) => {$(
        impl Ring for $t {
            #[inline(always)]
            fn add(self, o: Self) -> Self { self.wrapping_add(o) }
            #[inline(always)]
            fn sub(self, o: Self) -> Self { self.wrapping_sub(o) }
            #[inline(always)]
            fn mul(self, o: Self) -> Self { self.wrapping_mul(o) }
        }
    )*};
}
int_ring!(u8, i8, i16, i32, i64);

macro_rules! float_ring {
    ($($t:ty),*) => {$(
        impl Ring for $t {
            #[inline(always)]
            fn add(self, o: Self) -> Self { self + o }
            #[inline(always)]
            fn sub(self, o: Self) -> Self { self - o }
            #[inline(always)]
            fn mul(self, o: Self) -> Self { self * o }
        }
    )*};
}
float_ring!(f32, f64, half::f16, half::bf16);

impl Ring for bool {
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self | o
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        self ^ o
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        self & o
    }
}

/// Where the matrices of one operand live in its buffer: batch `b`'s matrix starts at
/// `starts[b]`, and its element `(i, j)` is at `starts[b] + i * rs + j * cs`.
#[derive(Clone, Copy, Debug)]
pub struct MatView<'a> {
    pub starts: &'a [usize],
    pub rs: usize,
    pub cs: usize,
}

impl MatView<'_> {
    /// Checks that every matrix of `rows x cols` lies inside a buffer of `len` elements
    /// (the raw-pointer GEMM relies on it).
    fn check(&self, rows: usize, cols: usize, len: usize) -> Result<()> {
        if rows == 0 || cols == 0 {
            return Ok(());
        }
        let span = (rows - 1) * self.rs + (cols - 1) * self.cs;
        match self.starts.iter().map(|&s| s + span).max() {
            Some(last) if last >= len => Err(Error::runtime(
                "matmul: operand layout exceeds its storage (internal error)",
            )),
            _ => Ok(()),
        }
    }
}

/// One batched product. `out` is contiguous `(batch, m, n)`; `beta = None` overwrites it,
/// `Some(beta)` scales what is there first (addmm's `beta * input`).
pub struct Product<'a, T> {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub a: &'a [T],
    pub a_view: MatView<'a>,
    pub b: &'a [T],
    pub b_view: MatView<'a>,
    pub alpha: T,
    pub beta: Option<T>,
}

/// Element types with a product kernel. Floats override the default (the blocked loop) with
/// the `gemm` crate.
pub trait MatmulElement: Ring {
    fn batched_product(p: &Product<'_, Self>, out: &mut [Self]) {
        super::matmul_int::batched(p, out)
    }
}

impl MatmulElement for u8 {}
impl MatmulElement for i8 {}
impl MatmulElement for i16 {}
impl MatmulElement for i32 {}
impl MatmulElement for i64 {}
impl MatmulElement for bool {}
impl MatmulElement for half::f16 {}
impl MatmulElement for half::bf16 {}
impl MatmulElement for f32 {
    fn batched_product(p: &Product<'_, Self>, out: &mut [Self]) {
        super::matmul_float::batched(p, out)
    }
}
impl MatmulElement for f64 {
    fn batched_product(p: &Product<'_, Self>, out: &mut [Self]) {
        super::matmul_float::batched(p, out)
    }
}

/// Runs a batched product after checking that the views fit their buffers.
pub fn batched_product<T: MatmulElement>(p: &Product<'_, T>, out: &mut [T]) -> Result<()> {
    let batch = p.a_view.starts.len();
    if p.b_view.starts.len() != batch || out.len() != batch * p.m * p.n {
        return Err(Error::runtime(
            "matmul: batch sizes disagree (internal error)",
        ));
    }
    p.a_view.check(p.m, p.k, p.a.len())?;
    p.b_view.check(p.k, p.n, p.b.len())?;
    if out.is_empty() {
        return Ok(());
    }
    if p.k == 0 {
        // An empty sum: only the scaled input remains.
        match p.beta {
            Some(beta) => scale(out, beta),
            None => out.fill(T::default()),
        }
        return Ok(());
    }
    T::batched_product(p, out);
    Ok(())
}

/// How to split the work of a batch across threads.
pub(crate) enum Split {
    /// Everything on the calling thread.
    None,
    /// One matrix product per task: many small products.
    Batch,
    /// The products one after another, each split internally: few large products.
    Inner,
}

pub(crate) fn choose_split(batch: usize, m: usize, n: usize, k: usize) -> Split {
    let per_product = m.saturating_mul(n).saturating_mul(k);
    let total = per_product.saturating_mul(batch);
    // A product of ~PARALLEL_THRESHOLD * 16 multiply-adds takes a few microseconds: less than
    // that is not worth waking threads for.
    if total < PARALLEL_THRESHOLD * 16 || !threads_usable() {
        Split::None
    } else if batch >= rayon_threads() && per_product <= 512 * 512 * 512 {
        Split::Batch
    } else {
        Split::Inner
    }
}

/// `out *= beta`, elementwise (addmm's `beta * input` when no product is added).
pub fn scale<T: Ring>(out: &mut [T], beta: T) {
    out.iter_mut().for_each(|v| *v = beta.mul(*v));
}

/// `out[i] = a[i] * b[i]` (einsum's contraction with nothing to sum).
pub fn hadamard<T: Ring>(a: &[T], b: &[T], out: &mut [T]) {
    let f = |((o, &x), &y): ((&mut T, &T), &T)| *o = x.mul(y);
    if worth_parallel(out.len()) {
        out.par_iter_mut()
            .zip(a.par_iter())
            .zip(b.par_iter())
            .for_each(f);
    } else {
        out.iter_mut().zip(a).zip(b).for_each(f);
    }
}

/// `out[i * n + j] = a[i] * b[j]`: the outer product of two row-major vectors.
pub fn outer<T: Ring>(a: &[T], b: &[T], out: &mut [T]) {
    let n = b.len();
    if n == 0 {
        return;
    }
    let fill_row = |(row, &ai): (&mut [T], &T)| {
        for (o, &bj) in row.iter_mut().zip(b) {
            *o = ai.mul(bj);
        }
    };
    if worth_parallel(out.len()) {
        out.par_chunks_mut(n).zip(a.par_iter()).for_each(fill_row);
    } else {
        out.chunks_mut(n).zip(a.iter()).for_each(fill_row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[i64], b: &[i64], m: usize, n: usize, k: usize) -> Vec<i64> {
        let mut out = vec![0; m * n];
        for i in 0..m {
            for j in 0..n {
                out[i * n + j] = (0..k).map(|q| a[i * k + q] * b[q * n + j]).sum();
            }
        }
        out
    }

    #[test]
    fn integer_product_matches_naive() -> Result<()> {
        let (m, n, k) = (7, 600, 300);
        let a: Vec<i64> = (0..m * k).map(|i| (i % 11) as i64 - 5).collect();
        let b: Vec<i64> = (0..k * n).map(|i| (i % 7) as i64 - 3).collect();
        let mut out = vec![0i64; m * n];
        let p = Product {
            m,
            n,
            k,
            a: &a,
            a_view: MatView {
                starts: &[0],
                rs: k,
                cs: 1,
            },
            b: &b,
            b_view: MatView {
                starts: &[0],
                rs: n,
                cs: 1,
            },
            alpha: 1,
            beta: None,
        };
        batched_product(&p, &mut out)?;
        assert_eq!(out, naive(&a, &b, m, n, k));
        Ok(())
    }

    #[test]
    fn float_product_with_transposed_operand_and_beta() -> Result<()> {
        // A = [[1, 2], [3, 4]] stored transposed (column-major); B = I; out = 10 + 2 * A.
        let a = [1.0f32, 3.0, 2.0, 4.0];
        let b = [1.0f32, 0.0, 0.0, 1.0];
        let mut out = vec![10.0f32; 4];
        let p = Product {
            m: 2,
            n: 2,
            k: 2,
            a: &a,
            a_view: MatView {
                starts: &[0],
                rs: 1,
                cs: 2,
            },
            b: &b,
            b_view: MatView {
                starts: &[0],
                rs: 2,
                cs: 1,
            },
            alpha: 2.0,
            beta: Some(1.0),
        };
        batched_product(&p, &mut out)?;
        assert_eq!(out, vec![12.0, 14.0, 16.0, 18.0]);
        Ok(())
    }

    #[test]
    fn wrapping_and_out_of_bounds() {
        let a = [100i8, 100];
        let b = [1i8, 1];
        let mut out = [0i8];
        let view = MatView {
            starts: &[0],
            rs: 2,
            cs: 1,
        };
        let col = MatView {
            starts: &[0],
            rs: 1,
            cs: 1,
        };
        let p = Product {
            m: 1,
            n: 1,
            k: 2,
            a: &a,
            a_view: view,
            b: &b,
            b_view: col,
            alpha: 1,
            beta: None,
        };
        assert!(batched_product(&p, &mut out).is_ok());
        assert_eq!(out, [-56]); // 200 wraps to -56
        let bad = MatView {
            starts: &[1],
            rs: 2,
            cs: 1,
        };
        let p = Product {
            m: 1,
            n: 1,
            k: 2,
            a: &a,
            a_view: bad,
            b: &b,
            b_view: col,
            alpha: 1,
            beta: None,
        };
        assert!(batched_product(&p, &mut out).is_err());
    }
}
