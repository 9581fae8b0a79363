//! LU factorisation with partial pivoting and what it gives: determinants, LAPACK's `info`
//! (the first exactly-zero pivot), inverses and solutions of `A X = B`.
//!
//! Small matrices (the common case in examples and tests) use LAPACK's reference unblocked
//! algorithm (`getf2`: pivot on the largest magnitude, scale the column by the pivot's
//! reciprocal, rank-1 update), so an exactly singular input such as `[[1,2,3],[4,5,6],[7,8,9]]`
//! gives an exactly zero pivot as it does in PyTorch. Larger ones use faer's blocked LU.

use faer::linalg::solvers::{DenseSolveCore, SolveCore};
use faer::MatRef;

use super::linalg::{rows, LinalgFloat};

/// Largest order factorised with the unblocked algorithm.
const SMALL: usize = 32;

/// An LU factorisation `P A = L U` of an `n x n` matrix, row-major, L unit lower triangular
/// below the diagonal and U on and above it. `ipiv[j]` is the row swapped with row `j` at step
/// `j` (LAPACK's convention, 0-based).
struct Lu<T> {
    n: usize,
    lu: Vec<T>,
    ipiv: Vec<usize>,
}

impl<T: LinalgFloat> Lu<T> {
    fn new(a: MatRef<'_, T>) -> Self {
        let n = a.nrows();
        if n > SMALL {
            return Self::blocked(a);
        }
        let mut lu = rows(a);
        let mut ipiv = vec![0; n];
        let tiny = if std::mem::size_of::<T>() == 4 {
            f32::MIN_POSITIVE as f64
        } else {
            f64::MIN_POSITIVE
        };
        for j in 0..n {
            // The first row holding the largest magnitude, as LAPACK's i?amax picks it.
            let mut p = j;
            for i in j + 1..n {
                if lu[i * n + j].to_f64().abs() > lu[p * n + j].to_f64().abs() {
                    p = i;
                }
            }
            ipiv[j] = p;
            if p != j {
                for k in 0..n {
                    lu.swap(j * n + k, p * n + k);
                }
            }
            let pivot = lu[j * n + j];
            if pivot != T::default() {
                if pivot.to_f64().abs() >= tiny {
                    let r = T::from_f64(1.0) / pivot;
                    (j + 1..n).for_each(|i| lu[i * n + j] *= r);
                } else {
                    (j + 1..n).for_each(|i| lu[i * n + j] /= pivot);
                }
            }
            for i in j + 1..n {
                let l = lu[i * n + j];
                for k in j + 1..n {
                    let u = lu[j * n + k];
                    lu[i * n + k] -= l * u;
                }
            }
        }
        Lu { n, lu, ipiv }
    }

    /// faer's factorisation, repacked into the same form.
    fn blocked(a: MatRef<'_, T>) -> Self {
        let n = a.nrows();
        let f = a.partial_piv_lu();
        let (l, u) = (f.L(), f.U());
        let mut lu = rows(u);
        for i in 0..n {
            for j in 0..i {
                lu[i * n + j] = l[(i, j)];
            }
        }
        // faer gives the final permutation (row i of P A is row perm[i] of A); turn it into
        // successive swaps.
        let perm = f.P().arrays().0;
        let mut current: Vec<usize> = (0..n).collect();
        let mut position: Vec<usize> = (0..n).collect();
        let mut ipiv = vec![0; n];
        for j in 0..n {
            let p = position[perm[j]];
            ipiv[j] = p;
            let (rj, rp) = (current[j], current[p]);
            current.swap(j, p);
            position[rj] = p;
            position[rp] = j;
        }
        Lu { n, lu, ipiv }
    }

    fn diag(&self, i: usize) -> T {
        self.lu[i * self.n + i]
    }

    fn info(&self) -> i32 {
        first_zero((0..self.n).map(|i| self.diag(i)))
    }

    fn swaps(&self) -> usize {
        self.ipiv
            .iter()
            .enumerate()
            .filter(|(j, &p)| *j != p)
            .count()
    }

    /// Solves `A X = B` in place for row-major `b` with `k` columns (LAPACK's getrs).
    fn solve_in_place(&self, b: &mut [T], k: usize) {
        let n = self.n;
        for (j, &p) in self.ipiv.iter().enumerate() {
            if p != j {
                for c in 0..k {
                    b.swap(j * k + c, p * k + c);
                }
            }
        }
        for i in 0..n {
            for j in 0..i {
                let l = self.lu[i * n + j];
                for c in 0..k {
                    b[i * k + c] -= l * b[j * k + c];
                }
            }
        }
        for i in (0..n).rev() {
            for j in i + 1..n {
                let u = self.lu[i * n + j];
                for c in 0..k {
                    b[i * k + c] -= u * b[j * k + c];
                }
            }
            let d = self.diag(i);
            for c in 0..k {
                b[i * k + c] /= d;
            }
        }
    }
}

/// LAPACK's `info`: the 1-based index of the first exactly-zero pivot, or 0.
fn first_zero<T: LinalgFloat>(diag: impl Iterator<Item = T>) -> i32 {
    diag.enumerate()
        .find(|(_, d)| *d == T::default())
        .map_or(0, |(i, _)| i as i32 + 1)
}

fn faer_info<T: LinalgFloat>(u: MatRef<'_, T>) -> i32 {
    first_zero((0..u.nrows()).map(|i| u[(i, i)]))
}

/// Determinant pieces from an LU factorisation: `det`, and `(sign, log|det|)` as slogdet.
pub struct Det<T> {
    pub det: T,
    pub sign: T,
    pub logabsdet: T,
}

pub fn det<T: LinalgFloat>(a: MatRef<'_, T>) -> Det<T> {
    let lu = Lu::new(a);
    let psign = if lu.swaps() % 2 == 0 { 1.0 } else { -1.0 };
    // The product runs in T, as LAPACK-based code does, so overflow behaves the same.
    let mut det = T::from_f64(psign);
    let (mut sign, mut logabs) = (psign, 0.0f64);
    for i in 0..lu.n {
        let d = lu.diag(i);
        det *= d;
        let v = d.to_f64();
        sign *= if v > 0.0 {
            1.0
        } else if v < 0.0 {
            -1.0
        } else {
            0.0
        };
        logabs += v.abs().ln();
    }
    Det {
        det,
        sign: T::from_f64(sign),
        logabsdet: T::from_f64(logabs),
    }
}

/// LAPACK's `info` of the factorisation alone (0: not singular).
pub fn lu_info<T: LinalgFloat>(a: MatRef<'_, T>) -> i32 {
    Lu::new(a).info()
}

/// The inverse and `info` (non-zero: singular, and the values are then inf or NaN).
pub fn inverse<T: LinalgFloat>(a: MatRef<'_, T>) -> (Vec<T>, i32) {
    let n = a.nrows();
    if n > SMALL {
        let f = a.partial_piv_lu();
        return (rows(f.inverse().as_ref()), faer_info(f.U()));
    }
    let lu = Lu::new(a);
    let mut x = vec![T::default(); n * n];
    for i in 0..n {
        x[i * n + i] = T::from_f64(1.0);
    }
    lu.solve_in_place(&mut x, n);
    (x, lu.info())
}

/// Solves `a x = b` for a square `a` and an `n x k` right-hand side; returns `x` and `info`.
pub fn solve<T: LinalgFloat>(a: MatRef<'_, T>, b: MatRef<'_, T>) -> (Vec<T>, i32) {
    let n = a.nrows();
    if n > SMALL {
        let f = a.partial_piv_lu();
        let mut x = b.to_owned();
        f.solve_in_place_with_conj(faer::Conj::No, x.as_mut());
        return (rows(x.as_ref()), faer_info(f.U()));
    }
    let lu = Lu::new(a);
    let mut x = rows(b);
    lu.solve_in_place(&mut x, b.ncols());
    (x, lu.info())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn det_and_inverse_of_a_2x2() {
        let a = [4.0f64, 1.0, 2.0, 3.0];
        let m = MatRef::from_row_major_slice(&a, 2, 2);
        assert_eq!(det(m).det, 10.0);
        let (inv, info) = inverse(m);
        assert_eq!(info, 0);
        let expect = [0.3, -0.1, -0.2, 0.4];
        assert!(inv.iter().zip(expect).all(|(x, y)| (x - y).abs() < 1e-12));
    }

    #[test]
    fn exactly_singular_3x3() {
        // LAPACK's elimination leaves an exact zero in U[2, 2] (PyTorch: "diagonal element 3").
        let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        let m = MatRef::from_row_major_slice(&a, 3, 3);
        assert_eq!(inverse(m).1, 3);
        assert_eq!(det(m).det, 0.0);
    }

    #[test]
    fn blocked_path_agrees_with_small_path() {
        // A 40x40 matrix goes through faer; check det sign and a solve against a known x.
        let n = 40;
        let a: Vec<f64> = (0..n * n)
            .map(|i| {
                if i % (n + 1) == 0 {
                    10.0
                } else {
                    ((i * 7) % 5) as f64 - 2.0
                }
            })
            .collect();
        let m = MatRef::from_row_major_slice(&a, n, n);
        let x_true: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let b: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| a[i * n + j] * x_true[j]).sum())
            .collect();
        let (x, info) = solve(m, MatRef::from_row_major_slice(&b, n, 1));
        assert_eq!(info, 0);
        assert!(x.iter().zip(&x_true).all(|(p, q)| (p - q).abs() < 1e-9));
        let d = det(m);
        assert_eq!(d.sign, d.det.signum());
        assert!((d.logabsdet - d.det.abs().ln()).abs() < 1e-9);
    }
}
