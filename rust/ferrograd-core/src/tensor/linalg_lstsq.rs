//! `linalg.lstsq`: least-squares solutions through the SVD, with the outputs each of
//! PyTorch's LAPACK drivers reports (`gelsy` by default on the CPU).

use super::linalg::{batch_tensor, with_float, Matrices};
use super::linalg_decomp::{check_svd_finite, spectral_error};
use super::linalg_norm::check_float_or_double;
use super::Tensor;
use crate::autograd::formulas::linalg_lstsq::{lstsq_back, LstsqSpec};
use crate::autograd::{attach, needs_grad, no_grad};
use crate::cpu::linalg_spectral as spectral;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::shape::broadcast_shapes;

/// The four results of `lstsq`; a result the driver does not compute is an empty tensor.
pub struct LstsqResult {
    pub solution: Tensor,
    pub residuals: Tensor,
    pub rank: Tensor,
    pub singular_values: Tensor,
}

fn check_args(a: &Tensor, b: &Tensor, driver: &str) -> Result<()> {
    let op = "torch.linalg.lstsq";
    if a.ndim() < 2 {
        return Err(Error::runtime(format!(
            "{op}: input must have at least 2 dimensions."
        )));
    }
    if b.ndim() < 1 {
        return Err(Error::runtime(format!(
            "{op}: other must have at least 1 dimension."
        )));
    }
    check_float_or_double(a)?;
    if a.dtype() != b.dtype() {
        return Err(Error::runtime(format!(
            "{op}: Expected input and other to have the same dtype, but got input's dtype {} and other's dtype {}",
            a.dtype().scalar_type_name(),
            b.dtype().scalar_type_name()
        )));
    }
    if !(a.ndim() >= b.ndim() && a.ndim() - b.ndim() <= 1) {
        return Err(Error::runtime(format!(
            "{op}: input.dim() must be greater or equal to other.dim() and (input.dim() - other.dim()) <= 1"
        )));
    }
    if !["gels", "gelsy", "gelsd", "gelss"].contains(&driver) {
        return Err(Error::runtime(format!(
            "{op}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
        )));
    }
    Ok(())
}

impl Tensor {
    /// `linalg.lstsq(A, B, rcond=None, driver=None)`. `B` may be a batch of vectors (one dim
    /// fewer than `A`). Residuals are reported, as by LAPACK, only when `m > n`, every matrix
    /// has full rank and the driver is not `gelsy`. The solution and the residuals are
    /// differentiable (the rank and the singular values are not, as in PyTorch).
    pub fn linalg_lstsq(
        &self,
        b: &Tensor,
        rcond: Option<f64>,
        driver: Option<&str>,
    ) -> Result<LstsqResult> {
        if !needs_grad(&[self, b]) {
            return self.lstsq_values(b, rcond, driver);
        }
        let result = no_grad(|| self.lstsq_values(b, rcond, driver))?;
        let spec = lstsq_back(LstsqSpec {
            a: self,
            b,
            solution: &result.solution,
            has_residuals: result.residuals.numel() > 0,
            vector: b.ndim() + 1 == self.ndim(),
        });
        attach(&[self, b], &[&result.solution, &result.residuals], spec);
        Ok(result)
    }

    fn lstsq_values(
        &self,
        b: &Tensor,
        rcond: Option<f64>,
        driver: Option<&str>,
    ) -> Result<LstsqResult> {
        let driver = driver.unwrap_or("gelsy");
        check_args(self, b, driver)?;
        let vector = b.ndim() + 1 == self.ndim();
        let b2 = if vector { b.unsqueeze(-1)? } else { b.clone() };
        let (m, n) = super::linalg::matrix_dims(self);
        let batch = broadcast_shapes(
            &self.shape()[..self.ndim() - 2],
            &b2.shape()[..b2.ndim() - 2],
        )?;
        if b2.shape()[b2.ndim() - 2] != m {
            return Err(Error::runtime(
                "torch.linalg.lstsq: input.size(-2) should match other.size(-2)",
            ));
        }
        check_svd_finite(self)?;
        let k = b2.shape()[b2.ndim() - 1];
        let with_tail = |r: usize, c: usize| {
            let mut s: Vec<i64> = batch.iter().map(|&d| d as i64).collect();
            s.extend([r as i64, c as i64]);
            s
        };
        let (ae, be) = (self.expand(&with_tail(m, n))?, b2.expand(&with_tail(m, k))?);
        let eps = if self.dtype() == DType::F64 {
            f64::EPSILON
        } else {
            f32::EPSILON as f64
        };
        let rcond = rcond.filter(|r| *r >= 0.0).unwrap_or(eps * m.max(n) as f64);
        let dtype = self.dtype();
        let (x, res, ranks, s) = with_float!(dtype, T => {
            let am = Matrices::<T>::new(&ae)?;
            let bm = Matrices::<T>::new(&be)?;
            let bmats = bm.mats();
            let r = am.mats().map_indexed(|i, a| spectral::lstsq(a, bmats.get(i), rcond));
            let (mut x, mut res, mut ranks, mut s) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for l in r {
                let l = l.map_err(|e| spectral_error("linalg.svd", e))?;
                x.extend(l.x);
                res.extend(l.residuals);
                ranks.push(l.rank);
                s.extend(l.s);
            }
            let full_rank = ranks.iter().all(|&r| r as usize == n);
            let res = if m > n && full_rank && driver != "gelsy" {
                batch_tensor(res, &batch, &[k])?
            } else {
                Tensor::zeros(&[0], dtype)?
            };
            let s = if matches!(driver, "gelsd" | "gelss") {
                batch_tensor(s, &batch, &[m.min(n)])?
            } else {
                Tensor::zeros(&[0], dtype)?
            };
            Ok((batch_tensor(x, &batch, &[n, k])?, res, ranks, s))
        })?;
        let rank = if driver == "gels" {
            Tensor::zeros(&[0], DType::I64)?
        } else {
            Tensor::from_vec(ranks, &batch)?
        };
        let solution = if vector { x.squeeze(Some(&[-1]))? } else { x };
        Ok(LstsqResult {
            solution,
            residuals: res,
            rank,
            singular_values: s,
        })
    }
}
