//! Matrix norms and condition numbers: `linalg.matrix_norm` and `linalg.cond`.
//! (`linalg.vector_norm` belongs to the reductions; `linalg.norm` dispatches in Python.)
//!
//! Under autograd both are PyTorch's composites of differentiable ops (vector norms, `amax`,
//! singular values, the inverse), so their gradients and graphs are those of their parts.

use super::linalg::{batch_tensor, check_float, check_square, with_float, Matrices};
use super::linalg_decomp::{check_svd_finite, spectral_error};
use super::{where_op, Arg, Tensor};
use crate::autograd::formulas::linalg_lstsq::pinv_back;
use crate::autograd::formulas::math::{compare_scalar, div, mul};
use crate::autograd::{needs_grad, tracked};
use crate::cpu::linalg_spectral::{self as spectral, MatrixOrd};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::op::BinaryOp;
use crate::shape::normalize_dim;

impl MatrixOrd {
    /// `'fro'` and `'nuc'`.
    pub fn from_name(s: &str) -> Option<MatrixOrd> {
        match s {
            "fro" => Some(MatrixOrd::Fro),
            "nuc" => Some(MatrixOrd::Nuc),
            _ => None,
        }
    }

    /// 1, -1, 2, -2, inf, -inf.
    pub fn from_number(v: f64) -> Option<MatrixOrd> {
        Some(match v {
            1.0 => MatrixOrd::One,
            -1.0 => MatrixOrd::NegOne,
            2.0 => MatrixOrd::Two,
            -2.0 => MatrixOrd::NegTwo,
            f64::INFINITY => MatrixOrd::Inf,
            f64::NEG_INFINITY => MatrixOrd::NegInf,
            _ => return None,
        })
    }

    /// Whether the norm needs singular values (no half-precision kernel for those).
    fn spectral(self) -> bool {
        matches!(self, MatrixOrd::Nuc | MatrixOrd::Two | MatrixOrd::NegTwo)
    }
}

/// Runs a per-matrix `f64`-valued routine over the matrices of `a` (f32/f64), giving a
/// tensor of the batch shape in `a`'s dtype.
fn per_matrix(
    a: &Tensor,
    op: &str,
    f: impl Fn(faer::MatRef<'_, f64>) -> std::result::Result<f64, spectral::SpectralError> + Sync + Send,
    g: impl Fn(faer::MatRef<'_, f32>) -> std::result::Result<f64, spectral::SpectralError> + Sync + Send,
) -> Result<Tensor> {
    let run = |vals: Vec<std::result::Result<f64, spectral::SpectralError>>| {
        vals.into_iter()
            .map(|r| r.map_err(|e| spectral_error(op, e)))
            .collect::<Result<Vec<f64>>>()
    };
    match a.dtype() {
        DType::F64 => {
            let m = Matrices::<f64>::new(a)?;
            let v = run(m.mats().map(f))?;
            batch_tensor(v, &m.batch, &[])
        }
        _ => {
            let m = Matrices::<f32>::new(a)?;
            let v: Vec<f32> = run(m.mats().map(g))?
                .into_iter()
                .map(|x| x as f32)
                .collect();
            batch_tensor(v, &m.batch, &[])
        }
    }
}

/// PyTorch computes the negative matrix norms as `amin` over a reduced tensor, and `amin` over
/// an empty dim is an IndexError naming that dim of the intermediate tensor (the positive ones
/// use `amax`, which PyTorch lets give 0 there).
fn check_min_over_empty(
    ord: MatrixOrd,
    shape: &[usize],
    (d0, d1): (usize, usize),
    keepdim: bool,
) -> Result<()> {
    let dim = match ord {
        MatrixOrd::NegTwo if shape[d0] == 0 || shape[d1] == 0 => -1,
        MatrixOrd::NegOne | MatrixOrd::NegInf => {
            // ord -1 sums over d0 and takes the min over d1; -inf swaps the two.
            let (summed, kept) = if ord == MatrixOrd::NegInf {
                (d1, d0)
            } else {
                (d0, d1)
            };
            if shape[kept] != 0 {
                return Ok(());
            }
            (kept - usize::from(!keepdim && summed < kept)) as i64
        }
        _ => return Ok(()),
    };
    Err(Error::index(format!(
        "amin(): Expected reduction dim {dim} to have non-zero size."
    )))
}

impl Tensor {
    /// `linalg.matrix_norm(A, ord, dim, keepdim, dtype=)`.
    pub fn linalg_matrix_norm(
        &self,
        ord: MatrixOrd,
        dim: (i64, i64),
        keepdim: bool,
        dtype: Option<DType>,
    ) -> Result<Tensor> {
        let _on = self.device_scope();
        let op = "linalg.matrix_norm";
        if self.ndim() < 2 {
            return Err(Error::runtime(format!(
                "{op}: The input tensor A must have at least 2 dimensions."
            )));
        }
        let (d0, d1) = (
            normalize_dim(dim.0, self.ndim())?,
            normalize_dim(dim.1, self.ndim())?,
        );
        if d0 == d1 {
            return Err(Error::runtime(format!(
                "{op}: dims must be different. Got ({}, {})",
                dim.0, dim.1
            )));
        }
        if let Some(d) = dtype {
            if !d.is_floating_point() {
                return Err(Error::runtime(format!(
                    "{op}: dtype should be floating point or complex, but got {}",
                    d.scalar_type_name()
                )));
            }
        }
        let half = matches!(self.dtype(), DType::F16 | DType::BF16);
        if !self.dtype().is_floating_point() || (half && ord.spectral()) {
            check_float(op, self)?;
        }
        let a = match dtype {
            Some(d) => self.to_dtype(d)?,
            None => self.clone(),
        };
        let out_dtype = a.dtype();
        // Half types are summed in f32 and rounded once.
        let a = if matches!(out_dtype, DType::F16 | DType::BF16) {
            a.to_dtype(DType::F32)?
        } else {
            a
        };
        if ord.spectral() {
            check_svd_finite(&a)?;
        }
        check_min_over_empty(ord, self.shape(), (d0, d1), keepdim)?;
        if needs_grad(&[self]) && self.numel() > 0 {
            let cast = match dtype {
                Some(d) => self.to_dtype(d)?,
                None => self.clone(),
            };
            return cast.matrix_norm_composite(ord, (d0, d1), keepdim);
        }
        let moved = a.movedim(&[d0 as i64, d1 as i64], &[-2, -1])?;
        let r = per_matrix(
            &moved,
            "linalg.svd",
            |m| spectral::matrix_norm(m, ord),
            |m| spectral::matrix_norm(m, ord),
        )?;
        let r = r.to_dtype(out_dtype)?;
        if !keepdim {
            return Ok(r);
        }
        let (lo, hi) = (d0.min(d1), d0.max(d1));
        r.unsqueeze(lo as i64)?.unsqueeze(hi as i64)
    }

    /// `matrix_norm` as PyTorch composes it: the Frobenius norm is the 2-norm of the entries;
    /// `1` (`inf`) is the largest absolute column (row) sum, `-1` (`-inf`) the smallest; the
    /// spectral norms are the largest / smallest singular value and `nuc` their sum.
    fn matrix_norm_composite(
        &self,
        ord: MatrixOrd,
        (d0, d1): (usize, usize),
        keepdim: bool,
    ) -> Result<Tensor> {
        let (d0, d1) = (d0 as i64, d1 as i64);
        let largest = !matches!(
            ord,
            MatrixOrd::NegOne | MatrixOrd::NegTwo | MatrixOrd::NegInf
        );
        let extreme = |t: &Tensor, dim: i64| {
            if largest {
                t.amax(&[dim], keepdim)
            } else {
                t.amin(&[dim], keepdim)
            }
        };
        match ord {
            MatrixOrd::Fro => self.vector_norm(2.0, Some(&[d0, d1]), keepdim, None),
            MatrixOrd::One | MatrixOrd::NegOne | MatrixOrd::Inf | MatrixOrd::NegInf => {
                // Sum |a| down the columns (along the rows for inf), then the extreme one.
                let (summed, mut across) = if matches!(ord, MatrixOrd::Inf | MatrixOrd::NegInf) {
                    (d1, d0)
                } else {
                    (d0, d1)
                };
                if !keepdim && summed < across {
                    across -= 1;
                }
                extreme(
                    &self.vector_norm(1.0, Some(&[summed]), keepdim, None)?,
                    across,
                )
            }
            MatrixOrd::Nuc | MatrixOrd::Two | MatrixOrd::NegTwo => {
                let s = self.movedim(&[d0, d1], &[-2, -1])?.linalg_svdvals()?;
                let r = if ord == MatrixOrd::Nuc {
                    s.sum(Some(&[-1]), keepdim, None)?
                } else {
                    extreme(&s, -1)?
                };
                if !keepdim {
                    return Ok(r);
                }
                r.unsqueeze(-1)?.movedim(&[-2, -1], &[d0, d1])
            }
        }
    }

    /// `linalg.cond(A, p)`: `None` is the 2-norm; `shown` is how the user wrote `p`, for messages.
    pub fn linalg_cond(&self, ord: Option<MatrixOrd>, shown: &str) -> Result<Tensor> {
        let ord = ord.unwrap_or(MatrixOrd::Two);
        let by_svd = matches!(ord, MatrixOrd::Two | MatrixOrd::NegTwo);
        if by_svd && self.ndim() < 2 {
            return Err(Error::runtime(
                "linalg.cond: The input tensor must have at least 2 dimensions.",
            ));
        }
        if by_svd {
            super::linalg::check_float_kernel("linalg.svd", Some("linalg_svd_cpu"), self)?;
            check_svd_finite(self)?;
        } else {
            check_square(&format!("linalg.cond(ord={shown})"), self)?;
            check_float("linalg.inv", self)?;
        }
        if needs_grad(&[self]) && self.numel() > 0 {
            return self.cond_composite(ord);
        }
        per_matrix(
            self,
            "linalg.svd",
            |m| spectral::cond(m, ord),
            |m| spectral::cond(m, ord),
        )
    }
}

impl Tensor {
    /// `cond` as PyTorch composes it: `s_max / s_min` (`s_min / s_max` for -2) from the singular
    /// values, else `‖A‖ ‖A⁻¹‖` in the chosen norm, with a singular matrix's inverse taken as
    /// infinite (NaN from `0 · inf` becomes inf).
    fn cond_composite(&self, ord: MatrixOrd) -> Result<Tensor> {
        let norm = |t: &Tensor| t.linalg_matrix_norm(ord, (-2, -1), false, None);
        match ord {
            MatrixOrd::Two | MatrixOrd::NegTwo => {
                let s = self.linalg_svdvals()?;
                let k = s.shape()[s.ndim() - 1] as i64;
                let (max, min) = (s.narrow(-1, 0, 1)?, s.narrow(-1, k - 1, 1)?);
                let ratio = if ord == MatrixOrd::Two {
                    div(&max, &min)?
                } else {
                    div(&min, &max)?
                };
                ratio.squeeze(Some(&[-1]))
            }
            MatrixOrd::Nuc => mul(&norm(self)?, &norm(&self.linalg_inv()?)?),
            _ => {
                let (inv, info) = self.linalg_inv_ex(false)?;
                let singular = compare_scalar(BinaryOp::Gt, &info, 0.0)?
                    .unsqueeze(-1)?
                    .unsqueeze(-1)?;
                let infinite = Arg::Scalar(Scalar::Float(f64::INFINITY));
                let inv = where_op(&singular, &infinite, &Arg::Tensor(inv), None)?;
                let inf = f64::INFINITY;
                mul(&norm(self)?, &norm(&inv)?)?.nan_to_num(Some(inf), Some(inf), Some(-inf), None)
            }
        }
    }
}

/// The default relative tolerance of `pinv` and `matrix_rank`: `eps * max(m, n)` unless an
/// absolute tolerance above zero was given.
pub(crate) fn default_rtol(dtype: DType, m: usize, n: usize, atol: Option<f64>) -> f64 {
    if atol.is_some_and(|a| a > 0.0) {
        return 0.0;
    }
    let eps = if dtype == DType::F64 {
        f64::EPSILON
    } else {
        f32::EPSILON as f64
    };
    eps * m.max(n) as f64
}

/// `ferrograd` refuses integer matrices in the SVD-based helpers with PyTorch's wording.
pub(crate) fn check_float_or_double(t: &Tensor) -> Result<()> {
    if !matches!(t.dtype(), DType::F32 | DType::F64) {
        return Err(Error::runtime(
            "This function doesn't handle types other than float and double",
        ));
    }
    Ok(())
}

impl Tensor {
    /// `linalg.matrix_rank(A, atol=, rtol=, hermitian=)`: int64 ranks of the batch.
    pub fn linalg_matrix_rank(
        &self,
        atol: Option<f64>,
        rtol: Option<f64>,
        hermitian: bool,
    ) -> Result<Tensor> {
        let _on = self.device_scope();
        if self.ndim() < 2 {
            return Err(Error::runtime(
                "torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.",
            ));
        }
        check_float_or_double(self)?;
        if hermitian {
            check_square("linalg.eigh", self)?;
        } else {
            check_svd_finite(self)?;
        }
        let (m, n) = super::linalg::matrix_dims(self);
        let rtol = rtol.unwrap_or_else(|| default_rtol(self.dtype(), m, n, atol));
        let atol = atol.unwrap_or(0.0);
        with_float!(self.dtype(), T => {
            let a = Matrices::<T>::new(self)?;
            let r = a.mats().map(|x| spectral::rank(x, atol, rtol, hermitian));
            let ranks = r.into_iter().map(|x| x.map_err(|e| spectral_error("linalg.svd", e))).collect::<Result<Vec<i64>>>()?;
            batch_tensor(ranks, &a.batch, &[])
        })
    }

    /// `linalg.pinv(A, atol=, rtol=, hermitian=)`: the pseudo-inverses, `(..., n, m)`.
    pub fn linalg_pinv(
        &self,
        atol: Option<f64>,
        rtol: Option<f64>,
        hermitian: bool,
    ) -> Result<Tensor> {
        tracked(
            &[self],
            || self.pinv_values(atol, rtol, hermitian),
            |p| Ok(pinv_back(self, p)),
        )
    }

    fn pinv_values(&self, atol: Option<f64>, rtol: Option<f64>, hermitian: bool) -> Result<Tensor> {
        if self.ndim() < 2 || !matches!(self.dtype(), DType::F32 | DType::F64) {
            return Err(Error::runtime(format!(
                "linalg.pinv({}{{{:?}}}): expected a tensor with 2 or more dimensions of float, double, cfloat or cdouble types",
                self.dtype().scalar_type_name(),
                self.shape()
            )));
        }
        if hermitian {
            check_square("linalg.eigh", self)?;
        } else {
            check_svd_finite(self)?;
        }
        let (m, n) = super::linalg::matrix_dims(self);
        let rtol = rtol.unwrap_or_else(|| default_rtol(self.dtype(), m, n, atol));
        let atol = atol.unwrap_or(0.0);
        with_float!(self.dtype(), T => {
            let a = Matrices::<T>::new(self)?;
            let mut data: Vec<T> = Vec::with_capacity(a.data.len());
            for r in a.mats().map(|x| spectral::pinv(x, atol, rtol, hermitian)) {
                data.extend(r.map_err(|e| spectral_error("linalg.svd", e))?);
            }
            batch_tensor(data, &a.batch, &[n, m])
        })
    }
}
