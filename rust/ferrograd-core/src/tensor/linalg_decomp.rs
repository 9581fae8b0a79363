//! Decompositions returning factors: `linalg.qr`, `linalg.svd` / `svdvals` (and the legacy
//! `svd`), `linalg.eigh` / `eigvalsh`, `linalg.eig` / `eigvals`.
//!
//! `eig` of a real matrix is complex in general. ferrograd has no complex dtypes, so `eig` and
//! `eigvals` return real tensors when every eigenvalue is real and raise otherwise.

use super::linalg::{
    batch_tensor, check_float_kernel, check_matrix, check_square, matrix_dims, tracked_pair,
    with_float, Matrices,
};
use super::Tensor;
use crate::autograd::formulas::linalg_factor::{qr_back, QrMode};
use crate::autograd::formulas::linalg_spectral::{eig_back, eigh_back, svd_back};
use crate::autograd::{attach, needs_grad, no_grad, tracked_many, NodeSpec};
use crate::cpu::linalg;
use crate::cpu::linalg_spectral::{self as spectral, SpectralError};
use crate::dtype::DType;
use crate::dtype::Element;
use crate::error::{Error, Result};
use crate::op::not_implemented;

/// The message of a failed spectral routine, in PyTorch's words where it has them.
pub(crate) fn spectral_error(op: &str, e: SpectralError) -> Error {
    match e {
        SpectralError::NoConvergence => Error::LinAlg {
            msg: format!(
                "{op}: The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated singular values (error code: 1)."
            ),
        },
        SpectralError::ComplexEigenvalues => Error::runtime(format!(
            "{op}: the input has complex eigenvalues, which ferrograd cannot represent (it has no complex dtypes); only matrices whose eigenvalues are all real are supported"
        )),
    }
}

/// PyTorch refuses NaN before its SVD (LAPACK would not converge).
pub(crate) fn check_svd_finite(t: &Tensor) -> Result<()> {
    let has_nan =
        with_float!(t.dtype(), T => Ok(t.to_vec::<T>()?.iter().any(|v| v.to_f64().is_nan())))?;
    if has_nan {
        return Err(Error::LinAlg {
            msg: "linalg.svd: The algorithm failed to converge because the input matrix contained non-finite values.".into(),
        });
    }
    Ok(())
}

/// Collects per-matrix results `(first, second)` into two tensors.
fn split<T: crate::dtype::Element>(r: Vec<(Vec<T>, Vec<T>)>) -> (Vec<T>, Vec<T>) {
    let mut a = Vec::new();
    let mut b = Vec::new();
    for (x, y) in r {
        a.extend(x);
        b.extend(y);
    }
    (a, b)
}

impl Tensor {
    /// `linalg.qr(A, mode)`: mode "reduced", "complete" or "r" (Q is then an empty tensor).
    pub fn linalg_qr(&self, mode: &str) -> Result<(Tensor, Tensor)> {
        tracked_pair(
            &[self],
            || self.qr_values(mode),
            |q, r| {
                let mode = match mode {
                    "reduced" => QrMode::Reduced,
                    "complete" => QrMode::Complete,
                    _ => QrMode::R,
                };
                qr_back(q, r, mode, matrix_dims(self))
            },
        )
    }

    fn qr_values(&self, mode: &str) -> Result<(Tensor, Tensor)> {
        check_matrix("linalg.qr", self)?;
        check_float_kernel("linalg.qr", Some("geqrf_cpu"), self)?;
        let (complete, compute_q) = match mode {
            "reduced" => (false, true),
            "complete" => (true, true),
            "r" => (false, false),
            _ => {
                return Err(Error::runtime(format!(
                    "qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or 'complete'"
                )))
            }
        };
        let (m, n) = matrix_dims(self);
        let k = m.min(n);
        let (qc, rr) = if complete { (m, m) } else { (k, k) };
        with_float!(self.dtype(), T => {
            let a = Matrices::<T>::new(self)?;
            let (q, r) = split(a.mats().map(|x| linalg::qr(x, complete, compute_q)));
            let q = if compute_q {
                batch_tensor(q, &a.batch, &[m, qc])?
            } else {
                Tensor::zeros(&[0], self.dtype())?
            };
            Ok((q, batch_tensor(r, &a.batch, &[rr, n])?))
        })
    }

    /// `linalg.svd(A, full_matrices)`: `(U, S, Vh)` with `A = U diag(S) Vh`.
    pub fn linalg_svd(&self, full_matrices: bool) -> Result<(Tensor, Tensor, Tensor)> {
        let outs = tracked_many(
            &[self],
            || {
                let (u, s, vh) = self.svd_values(full_matrices)?;
                Ok(vec![u, s, vh])
            },
            |outs| Ok(svd_back(&outs[0], &outs[1], &outs[2], full_matrices)),
        )?;
        let mut outs = outs.into_iter();
        let mut next = || outs.next().expect("three results");
        Ok((next(), next(), next()))
    }

    fn svd_values(&self, full_matrices: bool) -> Result<(Tensor, Tensor, Tensor)> {
        check_matrix("linalg.svd", self)?;
        check_float_kernel("linalg.svd", Some("linalg_svd_cpu"), self)?;
        check_svd_finite(self)?;
        let (m, n) = matrix_dims(self);
        let k = m.min(n);
        let (uc, vr) = if full_matrices { (m, n) } else { (k, k) };
        with_float!(self.dtype(), T => {
            let a = Matrices::<T>::new(self)?;
            let r = a.mats().map(|x| spectral::svd(x, full_matrices));
            let (mut u, mut s, mut vh) = (Vec::new(), Vec::new(), Vec::new());
            for d in r {
                let d = d.map_err(|e| spectral_error("linalg.svd", e))?;
                u.extend(d.u);
                s.extend(d.s);
                vh.extend(d.vh);
            }
            Ok((
                batch_tensor(u, &a.batch, &[m, uc])?,
                batch_tensor(s, &a.batch, &[k])?,
                batch_tensor(vh, &a.batch, &[vr, n])?,
            ))
        })
    }

    /// `linalg.svdvals(A)`: the singular values, descending.
    /// Under autograd the singular vectors are computed too (the gradient needs them), and the
    /// values are output 1 of the SVD's node, as in PyTorch.
    pub fn linalg_svdvals(&self) -> Result<Tensor> {
        if needs_grad(&[self]) {
            let (u, s, vh) = no_grad(|| self.svd_values(false))?;
            attach(&[self], &[&u, &s, &vh], svd_back(&u, &s, &vh, false));
            return Ok(s);
        }
        check_matrix("linalg.svd", self)?;
        check_float_kernel("linalg.svd", Some("linalg_svd_cpu"), self)?;
        check_svd_finite(self)?;
        let (m, n) = matrix_dims(self);
        with_float!(self.dtype(), T => {
            let a = Matrices::<T>::new(self)?;
            let mut s = Vec::new();
            for r in a.mats().map(spectral::singular_values::<T>) {
                s.extend(r.map_err(|e| spectral_error("linalg.svd", e))?);
            }
            batch_tensor(s, &a.batch, &[m.min(n)])
        })
    }

    /// The legacy `svd(A, some, compute_uv)`: `(U, S, V)` with `A = U diag(S) V^T`; without
    /// `compute_uv`, U and V are zero-filled `m x m` and `n x n` matrices.
    pub fn svd(&self, some: bool, compute_uv: bool) -> Result<(Tensor, Tensor, Tensor)> {
        if !compute_uv {
            let s = self.linalg_svdvals()?;
            let (m, n) = matrix_dims(self);
            let batch = &self.shape()[..self.ndim() - 2];
            let zeros = |r: usize, c: usize| {
                let mut shape = batch.to_vec();
                shape.extend([r, c]);
                Tensor::zeros(&shape, self.dtype())
            };
            return Ok((zeros(m, m)?, s, zeros(n, n)?));
        }
        let (u, s, vh) = self.linalg_svd(!some)?;
        Ok((u, s, vh.matrix_transpose()?))
    }

    /// `linalg.eigh(A, UPLO)`: eigenvalues ascending and eigenvectors (columns) of symmetric
    /// matrices, read from the lower (`"L"`) or upper (`"U"`) triangle.
    pub fn linalg_eigh(&self, uplo: &str) -> Result<(Tensor, Tensor)> {
        tracked_pair(&[self], || self.eigh_impl(uplo, true), eigh_back)
    }

    /// Under autograd the eigenvectors are computed too (the gradient needs them).
    pub fn linalg_eigvalsh(&self, uplo: &str) -> Result<Tensor> {
        if needs_grad(&[self]) {
            return self.values_with_vectors(|| self.eigh_impl(uplo, true), eigh_back);
        }
        Ok(self.eigh_impl(uplo, false)?.0)
    }

    /// The eigenvalues of a decomposition run with its vectors, recorded under the full
    /// decomposition's node (the values are its output 0), as PyTorch does for `eigvals(h)`.
    fn values_with_vectors(
        &self,
        decompose: impl FnOnce() -> Result<(Tensor, Tensor)>,
        spec: impl FnOnce(&Tensor, &Tensor) -> NodeSpec,
    ) -> Result<Tensor> {
        let (w, v) = no_grad(decompose)?;
        attach(&[self], &[&w, &v], spec(&w, &v));
        Ok(w)
    }

    fn eigh_impl(&self, uplo: &str, vectors: bool) -> Result<(Tensor, Tensor)> {
        let lower = match uplo {
            "L" | "l" => true,
            "U" | "u" => false,
            _ => {
                return Err(Error::runtime(format!(
                    "Expected UPLO argument to be 'L' or 'U', but got {uplo}"
                )))
            }
        };
        check_square("linalg.eigh", self)?;
        if !self.dtype().is_floating_point() || matches!(self.dtype(), DType::F16 | DType::BF16) {
            return Err(not_implemented("linalg_eigh_cpu", self.dtype()));
        }
        let n = self.shape()[self.ndim() - 1];
        with_float!(self.dtype(), T => {
            let a = Matrices::<T>::new(self)?;
            let mut pairs = Vec::new();
            for r in a.mats().map(|x| spectral::eigh(x, lower, vectors)) {
                pairs.push(r.map_err(|e| spectral_error("linalg.eigh", e))?);
            }
            let (w, v) = split(pairs);
            let v = if vectors { batch_tensor(v, &a.batch, &[n, n])? } else { Tensor::zeros(&[0], self.dtype())? };
            Ok((batch_tensor(w, &a.batch, &[n])?, v))
        })
    }

    /// `linalg.eig(A)`: eigenvalues and unit-norm eigenvectors (columns), as real tensors;
    /// raises when an eigenvalue is complex (ferrograd has no complex dtypes).
    pub fn linalg_eig(&self) -> Result<(Tensor, Tensor)> {
        tracked_pair(&[self], || self.eig_impl(true), eig_back)
    }

    /// Under autograd the eigenvectors are computed too (the gradient needs them).
    pub fn linalg_eigvals(&self) -> Result<Tensor> {
        if needs_grad(&[self]) {
            return self.values_with_vectors(|| self.eig_impl(true), eig_back);
        }
        Ok(self.eig_impl(false)?.0)
    }

    fn eig_impl(&self, vectors: bool) -> Result<(Tensor, Tensor)> {
        let op = if vectors {
            "linalg.eig"
        } else {
            "linalg.eigvals"
        };
        if !self.dtype().is_floating_point() {
            // PyTorch fails choosing the complex result dtype before it looks at the shape.
            return Err(Error::runtime(format!(
                "Unknown Complex ScalarType for {}",
                self.dtype().scalar_type_name()
            )));
        }
        check_square(op, self)?;
        if matches!(self.dtype(), DType::F16 | DType::BF16) {
            return Err(not_implemented("linalg_eig_out_cpu", self.dtype()));
        }
        let finite = with_float!(self.dtype(), T => Ok(self.to_vec::<T>()?.iter().all(|v| v.to_f64().is_finite())))?;
        if !finite {
            return Err(Error::runtime(
                "torch.linalg.eig: input tensor should not contain infs or NaNs.",
            ));
        }
        let n = self.shape()[self.ndim() - 1];
        with_float!(self.dtype(), T => {
            let a = Matrices::<T>::new(self)?;
            let mut pairs = Vec::new();
            for r in a.mats().map(|x| spectral::eig(x, vectors)) {
                pairs.push(r.map_err(|e| spectral_error(op, e))?);
            }
            let (w, v) = split(pairs);
            let v = if vectors { batch_tensor(v, &a.batch, &[n, n])? } else { Tensor::zeros(&[0], self.dtype())? };
            Ok((batch_tensor(w, &a.batch, &[n])?, v))
        })
    }
}
