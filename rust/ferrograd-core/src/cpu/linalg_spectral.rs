//! Spectral decompositions of one matrix (faer underneath, see `linalg.rs`) and what is built
//! on them: SVD, symmetric and general eigendecompositions, pseudo-inverse, rank, least
//! squares, matrix norms and condition numbers.

use faer::{MatRef, Side};

use super::linalg::{rows, LinalgFloat};

/// Why a spectral routine gave no result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpectralError {
    /// The iteration did not converge (in practice: the input held inf or NaN).
    NoConvergence,
    /// `eig` of a real matrix with complex eigenvalues, which ferrograd cannot represent.
    ComplexEigenvalues,
}

fn identity<T: LinalgFloat>(n: usize) -> Vec<T> {
    let mut out = vec![T::default(); n * n];
    for i in 0..n {
        out[i * n + i] = T::from_f64(1.0);
    }
    out
}

/// An SVD `a = U diag(S) Vh`, row-major. Singular values descend.
pub struct Svd<T> {
    pub u: Vec<T>,
    pub s: Vec<T>,
    pub vh: Vec<T>,
}

pub fn singular_values<T: LinalgFloat>(a: MatRef<'_, T>) -> Result<Vec<T>, SpectralError> {
    if a.nrows() == 0 || a.ncols() == 0 {
        return Ok(Vec::new());
    }
    a.singular_values()
        .map_err(|_| SpectralError::NoConvergence)
}

/// The SVD; `full` gives square U and Vh, otherwise `m x k` and `k x n` (`k = min(m, n)`).
pub fn svd<T: LinalgFloat>(a: MatRef<'_, T>, full: bool) -> Result<Svd<T>, SpectralError> {
    let (m, n) = (a.nrows(), a.ncols());
    if m == 0 || n == 0 {
        // No singular values; the full factors are identities, the reduced ones empty.
        let (u, vh) = if full {
            (identity(m), identity(n))
        } else {
            (Vec::new(), Vec::new())
        };
        return Ok(Svd {
            u,
            s: Vec::new(),
            vh,
        });
    }
    let svd =
        if full { a.svd() } else { a.thin_svd() }.map_err(|_| SpectralError::NoConvergence)?;
    let s = svd.S().column_vector().iter().copied().collect();
    Ok(Svd {
        u: rows(svd.U()),
        s,
        vh: rows(svd.V().transpose()),
    })
}

/// Eigenvalues (ascending) and, if asked, eigenvectors (columns) of a symmetric matrix,
/// reading only its lower (or upper) triangle.
pub fn eigh<T: LinalgFloat>(
    a: MatRef<'_, T>,
    lower: bool,
    vectors: bool,
) -> Result<(Vec<T>, Vec<T>), SpectralError> {
    if a.nrows() == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let side = if lower { Side::Lower } else { Side::Upper };
    if !vectors {
        let w = a
            .self_adjoint_eigenvalues(side)
            .map_err(|_| SpectralError::NoConvergence)?;
        return Ok((w, Vec::new()));
    }
    let e = a
        .self_adjoint_eigen(side)
        .map_err(|_| SpectralError::NoConvergence)?;
    let w = e.S().column_vector().iter().copied().collect();
    Ok((w, rows(e.U())))
}

/// Eigenvalues and (if asked) unit-norm eigenvectors of a general real matrix, provided they
/// are all real.
pub fn eig<T: LinalgFloat>(
    a: MatRef<'_, T>,
    vectors: bool,
) -> Result<(Vec<T>, Vec<T>), SpectralError> {
    let n = a.nrows();
    if n == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    if !vectors {
        let w = a.eigenvalues().map_err(|_| SpectralError::NoConvergence)?;
        if w.iter().any(|z| z.im != T::default()) {
            return Err(SpectralError::ComplexEigenvalues);
        }
        return Ok((w.iter().map(|z| z.re).collect(), Vec::new()));
    }
    let e = a.eigen().map_err(|_| SpectralError::NoConvergence)?;
    let s = e.S().column_vector();
    if s.iter().any(|z| z.im != T::default()) {
        return Err(SpectralError::ComplexEigenvalues);
    }
    let w = s.iter().map(|z| z.re).collect();
    let u = e.U();
    // Unit Euclidean norm per column, as LAPACK's geev returns them.
    let norms: Vec<f64> = (0..n)
        .map(|j| {
            (0..n)
                .map(|i| u[(i, j)].re.to_f64().powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .collect();
    let mut v = Vec::with_capacity(n * n);
    for i in 0..n {
        v.extend((0..n).map(|j| {
            let x = u[(i, j)].re.to_f64();
            T::from_f64(if norms[j] > 0.0 { x / norms[j] } else { x })
        }));
    }
    Ok((w, v))
}

/// The cut-off below which singular values count as zero: `max(atol, rtol * s_max)`.
fn cutoff(s: &[f64], atol: f64, rtol: f64) -> f64 {
    let smax = s.iter().copied().fold(0.0f64, f64::max);
    atol.max(rtol * smax)
}

/// The number of singular values (or, for `hermitian`, |eigenvalues|) above the cut-off.
pub fn rank<T: LinalgFloat>(
    a: MatRef<'_, T>,
    atol: f64,
    rtol: f64,
    hermitian: bool,
) -> Result<i64, SpectralError> {
    let s: Vec<f64> = if hermitian {
        eigh(a, true, false)?
            .0
            .iter()
            .map(|v| v.to_f64().abs())
            .collect()
    } else {
        singular_values(a)?.iter().map(|v| v.to_f64()).collect()
    };
    let tol = cutoff(&s, atol, rtol);
    Ok(s.iter().filter(|&&v| v > tol).count() as i64)
}

/// The Moore-Penrose pseudo-inverse (`n x m`), dropping singular values at or below the
/// cut-off. `hermitian` uses the eigendecomposition of the lower triangle instead.
pub fn pinv<T: LinalgFloat>(
    a: MatRef<'_, T>,
    atol: f64,
    rtol: f64,
    hermitian: bool,
) -> Result<Vec<T>, SpectralError> {
    let (m, n) = (a.nrows(), a.ncols());
    // a = U diag(s) Vh  =>  pinv = Vh^T diag(1/s) U^T; for hermitian a = V diag(w) V^T.
    let (u, s, vh, k) = if hermitian {
        let (w, v) = eigh(a, true, true)?;
        let vt = transpose(&v, n, n);
        (v, w, vt, n)
    } else {
        let d = svd(a, false)?;
        let k = d.s.len();
        (d.u, d.s, d.vh, k)
    };
    let sv: Vec<f64> = s.iter().map(|v| v.to_f64()).collect();
    let abs: Vec<f64> = sv.iter().map(|v| v.abs()).collect();
    let tol = cutoff(&abs, atol, rtol);
    let inv: Vec<f64> = sv
        .iter()
        .map(|&v| if v.abs() > tol { 1.0 / v } else { 0.0 })
        .collect();
    let mut out = vec![T::default(); n * m];
    for i in 0..n {
        for j in 0..m {
            let acc: f64 = (0..k)
                .map(|p| vh[p * n + i].to_f64() * inv[p] * u[j * k + p].to_f64())
                .sum();
            out[i * m + j] = T::from_f64(acc);
        }
    }
    Ok(out)
}

fn transpose<T: Copy>(v: &[T], r: usize, c: usize) -> Vec<T> {
    (0..c)
        .flat_map(|j| (0..r).map(move |i| v[i * c + j]))
        .collect()
}

/// A least-squares solution of `a x = b` (`a`: `m x n`, `b`: `m x k`) through the SVD.
pub struct Lstsq<T> {
    pub x: Vec<T>,
    /// Squared residual norm of each column of `b`.
    pub residuals: Vec<T>,
    pub rank: i64,
    pub s: Vec<T>,
}

pub fn lstsq<T: LinalgFloat>(
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    rcond: f64,
) -> Result<Lstsq<T>, SpectralError> {
    let (m, n, k) = (a.nrows(), a.ncols(), b.ncols());
    let d = svd(a, false)?;
    let r = d.s.len();
    let s: Vec<f64> = d.s.iter().map(|v| v.to_f64()).collect();
    let tol = cutoff(&s, 0.0, rcond);
    let rank = s.iter().filter(|&&v| v > tol).count() as i64;
    // x = Vh^T diag(1/s) U^T b over the kept singular values.
    let mut utb = vec![0.0f64; r * k];
    for p in (0..r).filter(|&p| s[p] > tol) {
        for c in 0..k {
            let dot: f64 = (0..m)
                .map(|i| d.u[i * r + p].to_f64() * b[(i, c)].to_f64())
                .sum();
            utb[p * k + c] = dot / s[p];
        }
    }
    let mut x = vec![T::default(); n * k];
    for i in 0..n {
        for c in 0..k {
            let v: f64 = (0..r)
                .map(|p| d.vh[p * n + i].to_f64() * utb[p * k + c])
                .sum();
            x[i * k + c] = T::from_f64(v);
        }
    }
    let residuals = (0..k)
        .map(|c| {
            let sq: f64 = (0..m)
                .map(|i| {
                    let ax: f64 = (0..n)
                        .map(|j| a[(i, j)].to_f64() * x[j * k + c].to_f64())
                        .sum();
                    (ax - b[(i, c)].to_f64()).powi(2)
                })
                .sum();
            T::from_f64(sq)
        })
        .collect();
    Ok(Lstsq {
        x,
        residuals,
        rank,
        s: d.s,
    })
}

/// The matrix norms `linalg.matrix_norm` takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MatrixOrd {
    Fro,
    Nuc,
    Two,
    NegTwo,
    One,
    NegOne,
    Inf,
    NegInf,
}

/// Sums of absolute values along rows (`by_rows`) or columns.
fn abs_sums<T: LinalgFloat>(a: MatRef<'_, T>, by_rows: bool) -> Vec<f64> {
    let (outer, inner) = if by_rows {
        (a.nrows(), a.ncols())
    } else {
        (a.ncols(), a.nrows())
    };
    (0..outer)
        .map(|o| {
            (0..inner)
                .map(|i| if by_rows { a[(o, i)] } else { a[(i, o)] }.to_f64().abs())
                .sum()
        })
        .collect()
}

fn max_or_zero(v: &[f64], smallest: bool) -> f64 {
    let mut it = v.iter().copied();
    let first = it.next().unwrap_or(0.0);
    it.fold(
        first,
        |acc, x| if smallest { acc.min(x) } else { acc.max(x) },
    )
}

pub fn matrix_norm<T: LinalgFloat>(a: MatRef<'_, T>, ord: MatrixOrd) -> Result<f64, SpectralError> {
    Ok(match ord {
        MatrixOrd::Fro => abs_sq_sum(a).sqrt(),
        MatrixOrd::Nuc => singular_values(a)?.iter().map(|v| v.to_f64()).sum(),
        MatrixOrd::Two | MatrixOrd::NegTwo => {
            let s: Vec<f64> = singular_values(a)?.iter().map(|v| v.to_f64()).collect();
            max_or_zero(&s, ord == MatrixOrd::NegTwo)
        }
        MatrixOrd::One | MatrixOrd::NegOne => {
            max_or_zero(&abs_sums(a, false), ord == MatrixOrd::NegOne)
        }
        MatrixOrd::Inf | MatrixOrd::NegInf => {
            max_or_zero(&abs_sums(a, true), ord == MatrixOrd::NegInf)
        }
    })
}

fn abs_sq_sum<T: LinalgFloat>(a: MatRef<'_, T>) -> f64 {
    (0..a.nrows())
        .flat_map(|i| (0..a.ncols()).map(move |j| a[(i, j)].to_f64().powi(2)))
        .sum()
}

/// The condition number for `ord`: `s_max / s_min` for 2 (and its inverse for -2), otherwise
/// `norm(a) * norm(inv(a))`, infinite when `a` is singular.
pub fn cond<T: LinalgFloat>(a: MatRef<'_, T>, ord: MatrixOrd) -> Result<f64, SpectralError> {
    if a.nrows() == 0 || a.ncols() == 0 {
        return Ok(0.0);
    }
    if matches!(ord, MatrixOrd::Two | MatrixOrd::NegTwo) {
        let s: Vec<f64> = singular_values(a)?.iter().map(|v| v.to_f64()).collect();
        let (hi, lo) = (max_or_zero(&s, false), max_or_zero(&s, true));
        return Ok(if ord == MatrixOrd::Two {
            hi / lo
        } else {
            lo / hi
        });
    }
    let (inv, info) = super::linalg_lu::inverse(a);
    if info != 0 {
        return Ok(f64::INFINITY);
    }
    let inv = MatRef::from_row_major_slice(&inv, a.nrows(), a.ncols());
    Ok(matrix_norm(a, ord)? * matrix_norm(inv, ord)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svd_reconstructs_and_norms() -> Result<(), SpectralError> {
        let a = [4.0f64, 1.0, 2.0, 3.0];
        let m = MatRef::from_row_major_slice(&a, 2, 2);
        let d = svd(m, true)?;
        assert!(d.s[0] >= d.s[1]);
        for i in 0..2 {
            for j in 0..2 {
                let v: f64 = (0..2)
                    .map(|p| d.u[i * 2 + p] * d.s[p] * d.vh[p * 2 + j])
                    .sum();
                assert!((v - a[i * 2 + j]).abs() < 1e-12);
            }
        }
        assert_eq!(matrix_norm(m, MatrixOrd::One)?, 6.0);
        assert_eq!(matrix_norm(m, MatrixOrd::NegInf)?, 5.0);
        assert!((matrix_norm(m, MatrixOrd::Fro)? - 30f64.sqrt()).abs() < 1e-12);
        assert!((cond(m, MatrixOrd::One)? - 3.0).abs() < 1e-12);
        Ok(())
    }

    #[test]
    fn eig_real_and_complex() {
        let a = [4.0f64, 1.0, 2.0, 3.0];
        let m = MatRef::from_row_major_slice(&a, 2, 2);
        let (mut w, _) = eig(m, true).unwrap_or_default();
        w.sort_by(f64::total_cmp);
        assert!((w[0] - 2.0).abs() < 1e-12 && (w[1] - 5.0).abs() < 1e-12);
        let rot = [0.0f64, 1.0, -1.0, 0.0];
        let r = MatRef::from_row_major_slice(&rot, 2, 2);
        assert_eq!(eig(r, false).err(), Some(SpectralError::ComplexEigenvalues));
    }
}
