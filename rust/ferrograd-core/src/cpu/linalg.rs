//! Dense decompositions of one matrix at a time, on top of the `faer` crate.
//!
//! Why faer: it is pure Rust (no BLAS/LAPACK to find or link, so the wheel builds anywhere
//! `cargo` does), actively maintained, and has every factorisation PyTorch's `linalg` needs
//! (LU with partial pivoting, Cholesky, Householder QR, SVD, symmetric and general eigen
//! solvers) with LAPACK-level accuracy and speed. Writing those here would cost thousands of
//! lines of delicate numerics. It reuses the `gemm` crate ferrograd already depends on; with
//! default features off it adds about two minutes of CPU time to a clean release build.
//!
//! Every routine takes a row-major matrix (a `faer::MatRef` over a slice) and returns plain
//! row-major `Vec`s, so nothing outside this file sees faer's types. Conventions follow
//! LAPACK's, as PyTorch's do: 1-based `info` for the first zero pivot, singular values in
//! descending order, symmetric eigenvalues in ascending order. Signs of singular and
//! eigen-vectors (and of QR's factors) are not unique and may differ from PyTorch's.

use super::fork_guard::threads_usable;
use faer::{Mat, MatRef, Side};
use rayon::prelude::*;

use crate::dtype::Element;

/// The float types the decompositions run in (f32, f64).
pub trait LinalgFloat: faer::traits::RealField + Element + Copy {}
impl LinalgFloat for f32 {}
impl LinalgFloat for f64 {}

/// A batch of `count` row-major `m x n` matrices stored back to back.
#[derive(Clone, Copy)]
pub struct Mats<'a, T> {
    pub data: &'a [T],
    pub count: usize,
    pub m: usize,
    pub n: usize,
}

impl<'a, T: LinalgFloat> Mats<'a, T> {
    pub fn get(&self, i: usize) -> MatRef<'a, T> {
        let size = self.m * self.n;
        MatRef::from_row_major_slice(&self.data[i * size..(i + 1) * size], self.m, self.n)
    }

    /// `f` of each matrix, in parallel when there are several: decompositions of small
    /// matrices gain from batch parallelism, and faer splits large ones itself.
    pub fn map<R: Send>(&self, f: impl Fn(MatRef<'a, T>) -> R + Sync + Send) -> Vec<R> {
        self.map_indexed(|_, m| f(m))
    }

    /// Like `map`, also passing each matrix's batch index.
    pub fn map_indexed<R: Send>(
        &self,
        f: impl Fn(usize, MatRef<'a, T>) -> R + Sync + Send,
    ) -> Vec<R> {
        if self.count > 1 && threads_usable() {
            (0..self.count)
                .into_par_iter()
                .map(|i| f(i, self.get(i)))
                .collect()
        } else {
            (0..self.count).map(|i| f(i, self.get(i))).collect()
        }
    }
}

/// A matrix's values in row-major order.
pub fn rows<T: Copy>(a: MatRef<'_, T>) -> Vec<T> {
    let mut out = Vec::with_capacity(a.nrows() * a.ncols());
    for i in 0..a.nrows() {
        out.extend((0..a.ncols()).map(|j| a[(i, j)]));
    }
    out
}

/// The Cholesky factor (lower, or its transpose when `upper`) and `info`: the order of the
/// first leading minor that is not positive-definite, or 0. Only the lower triangle is read.
pub fn cholesky<T: LinalgFloat>(a: MatRef<'_, T>, upper: bool) -> (Vec<T>, i32) {
    let n = a.nrows();
    let (l, info) = match a.llt(Side::Lower) {
        Ok(llt) => (llt.L().to_owned(), 0),
        Err(faer::linalg::cholesky::llt::factor::LltError::NonPositivePivot { index }) => {
            (Mat::<T>::zeros(n, n), index as i32 + 1)
        }
    };
    let l = if upper { l.transpose().to_owned() } else { l };
    (rows(l.as_ref()), info)
}

/// QR with the shapes of `mode`: `(Q, R)` as `m x k` and `k x n` (reduced, `k = min(m, n)`),
/// `m x m` and `m x n` (complete), or no Q and `k x n` R (`r`).
pub fn qr<T: LinalgFloat>(a: MatRef<'_, T>, complete: bool, compute_q: bool) -> (Vec<T>, Vec<T>) {
    let qr = a.qr();
    let (m, n) = (a.nrows(), a.ncols());
    let mut r = rows(qr.thin_R());
    if complete {
        // R is m x n: the thin R (min(m, n) rows) over rows of zeros.
        r.resize(m * n, T::default());
    }
    let q = match (compute_q, complete) {
        (false, _) => Vec::new(),
        (true, true) => rows(qr.compute_Q().as_ref()),
        (true, false) => rows(qr.compute_thin_Q().as_ref()),
    };
    (q, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_positive_definite() {
        let s = [1.0f32, 2.0, 2.0, 4.0];
        let m = MatRef::from_row_major_slice(&s, 2, 2);
        assert_eq!(cholesky(m, false).1, 2);
    }
}
