//! `linalg` ops built on LU and Cholesky factorisations: `det`, `slogdet`, `logdet`, `inv`
//! (`inv_ex`), `solve` (`solve_ex`), `cholesky` (`cholesky_ex`), plus the shared pieces of
//! every linalg op: argument checks with PyTorch's messages and the batch driver that feeds
//! each matrix of a `(..., m, n)` tensor to the per-matrix routines in `cpu::linalg*`.

use super::{where_op, Arg, Tensor};
use crate::autograd::formulas::linalg_factor::cholesky_back;
use crate::autograd::formulas::{linalg as grad, math};
use crate::autograd::{needs_grad, tracked, tracked_many, NodeSpec};
use crate::cpu::linalg::{self, LinalgFloat, Mats};
use crate::cpu::linalg_lu;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, ErrorKind, Result};
use crate::shape::broadcast_shapes;

/// Runs `$body` with `$T` bound to f32 or f64 (the dtypes decompositions run in); callers
/// have already refused every other dtype.
macro_rules! with_float {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
            other => Err($crate::Error::runtime(format!(
                "linalg: unsupported dtype {other}"
            ))),
        }
    };
}
pub(crate) use with_float;

/// PyTorch's `checkFloatingOrComplex`: integers and bool are refused, and so are the half
/// types (no LAPACK kernel has them).
pub(crate) fn check_float(op: &str, t: &Tensor) -> Result<()> {
    check_float_kernel(op, None, t)
}

/// As [`check_float`]; for ops whose half-precision refusal comes from a named kernel
/// (`"lu_cpu" not implemented for 'Half'`), `kernel` names it.
pub(crate) fn check_float_kernel(op: &str, kernel: Option<&str>, t: &Tensor) -> Result<()> {
    let d = t.dtype();
    if let (Some(k), DType::F16 | DType::BF16) = (kernel, d) {
        return Err(crate::op::not_implemented(k, d));
    }
    let msg = if !d.is_floating_point() {
        format!(
            "{op}: Expected a floating point or complex tensor as input. Got {}",
            d.scalar_type_name()
        )
    } else if matches!(d, DType::F16 | DType::BF16) {
        format!(
            "{op}: Low precision dtypes not supported. Got {}",
            d.scalar_type_name()
        )
    } else {
        return Ok(());
    };
    Err(Error::Other {
        kind: ErrorKind::NotImplemented,
        msg,
    })
}

pub(crate) fn check_matrix(op: &str, t: &Tensor) -> Result<()> {
    if t.ndim() < 2 {
        return Err(Error::runtime(format!(
            "{op}: The input tensor A must have at least 2 dimensions."
        )));
    }
    Ok(())
}

/// PyTorch's `squareCheckInputs`.
pub(crate) fn check_square(op: &str, t: &Tensor) -> Result<()> {
    check_matrix(op, t)?;
    let (m, n) = matrix_dims(t);
    if m != n {
        return Err(Error::runtime(format!(
            "{op}: A must be batches of square matrices, but they are {m} by {n} matrices"
        )));
    }
    Ok(())
}

pub(crate) fn matrix_dims(t: &Tensor) -> (usize, usize) {
    let s = t.shape();
    (s[s.len() - 2], s[s.len() - 1])
}

/// " (Batch element i): " for batched inputs, as PyTorch prefixes per-matrix failures.
pub(crate) fn batch_prefix(batched: bool, i: usize) -> String {
    if batched {
        format!("(Batch element {i}): ")
    } else {
        String::new()
    }
}

/// The matrices of a `(..., m, n)` tensor as one row-major buffer in `T`.
pub(crate) struct Matrices<T> {
    pub data: Vec<T>,
    pub batch: Vec<usize>,
    pub m: usize,
    pub n: usize,
}

impl<T: LinalgFloat> Matrices<T> {
    pub fn new(a: &Tensor) -> Result<Self> {
        let (m, n) = matrix_dims(a);
        Ok(Matrices {
            data: a.to_vec::<T>()?,
            batch: a.shape()[..a.ndim() - 2].to_vec(),
            m,
            n,
        })
    }

    pub fn mats(&self) -> Mats<'_, T> {
        Mats {
            data: &self.data,
            count: self.batch.iter().product(),
            m: self.m,
            n: self.n,
        }
    }
}

/// A tensor of shape `batch + tail` from row-major values.
pub(crate) fn batch_tensor<T: Element>(
    data: Vec<T>,
    batch: &[usize],
    tail: &[usize],
) -> Result<Tensor> {
    let mut shape = batch.to_vec();
    shape.extend_from_slice(tail);
    Tensor::from_vec(data, &shape)
}

/// The first non-zero `info` with its batch index.
fn first_failure(infos: &[i32]) -> Option<(usize, i32)> {
    infos.iter().copied().enumerate().find(|&(_, i)| i != 0)
}

fn linalg_err(msg: String) -> Error {
    Error::LinAlg { msg }
}

/// Runs an op with two results (a factor and its `info`, eigenvalues and eigenvectors) under
/// one recorded node, which `spec` builds from both results.
pub(crate) fn tracked_pair(
    inputs: &[&Tensor],
    forward: impl FnOnce() -> Result<(Tensor, Tensor)>,
    spec: impl FnOnce(&Tensor, &Tensor) -> NodeSpec,
) -> Result<(Tensor, Tensor)> {
    let outs = tracked_many(
        inputs,
        || {
            let (first, second) = forward()?;
            Ok(vec![first, second])
        },
        |outs| Ok(spec(&outs[0], &outs[1])),
    )?;
    let mut outs = outs.into_iter();
    let first = outs.next().expect("two results");
    Ok((first, outs.next().expect("two results")))
}

impl Tensor {
    /// `linalg.det`: the determinant of each square matrix.
    pub fn linalg_det(&self) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                check_square("linalg.det", self)?;
                check_float_kernel("linalg.det", Some("lu_cpu"), self)?;
                with_float!(self.dtype(), T => {
                    let a = Matrices::<T>::new(self)?;
                    let d: Vec<T> = a.mats().map(|m| linalg_lu::det(m).det);
                    batch_tensor(d, &a.batch, &[])
                })
            },
            |det| Ok(grad::det_back(self, det)),
        )
    }

    /// `linalg.slogdet`: `(sign, log|det|)` of each square matrix.
    pub fn linalg_slogdet(&self) -> Result<(Tensor, Tensor)> {
        self.slogdet_checked("linalg.slogdet")
    }

    /// `slogdet`, recorded; `op` names the function in the argument checks' messages.
    fn slogdet_checked(&self, op: &str) -> Result<(Tensor, Tensor)> {
        tracked_pair(
            &[self],
            || self.slogdet_values(op),
            |_, _| grad::slogdet_back(self),
        )
    }

    fn slogdet_values(&self, op: &str) -> Result<(Tensor, Tensor)> {
        check_square(op, self)?;
        check_float(op, self)?;
        with_float!(self.dtype(), T => {
            let a = Matrices::<T>::new(self)?;
            let d = a.mats().map(linalg_lu::det::<T>);
            let sign = d.iter().map(|d| d.sign).collect();
            let logabs = d.iter().map(|d| d.logabsdet).collect();
            Ok((batch_tensor(sign, &a.batch, &[])?, batch_tensor(logabs, &a.batch, &[])?))
        })
    }

    /// `logdet`: `log(det)`, NaN for a negative determinant and -inf for a singular matrix.
    /// Under autograd it is PyTorch's composite `where(sign == -1, nan, logabsdet)`, so that its
    /// gradient is slogdet's (and zero where the value is NaN).
    pub fn logdet(&self) -> Result<Tensor> {
        if needs_grad(&[self]) {
            let (sign, logabs) = self.slogdet_checked("logdet")?;
            let negative = math::compare_scalar(crate::op::BinaryOp::Eq, &sign, -1.0)?;
            let nan = Arg::Scalar(Scalar::Float(f64::NAN));
            return where_op(&negative, &nan, &Arg::Tensor(logabs), None);
        }
        let (sign, logabs) = self.slogdet_values("logdet")?;
        with_float!(self.dtype(), T => {
            let s = sign.to_vec::<T>()?;
            let l = logabs.to_vec::<T>()?;
            let v: Vec<T> = s.iter().zip(&l).map(|(&s, &l)| {
                let s = s.to_f64();
                if s < 0.0 { T::from_f64(f64::NAN) } else if s == 0.0 { T::from_f64(f64::NEG_INFINITY) } else { l }
            }).collect();
            Tensor::from_vec(v, sign.shape())
        })
    }

    /// `linalg.inv_ex`: the inverses and LAPACK's `info` per matrix (int32), raising on a
    /// singular matrix only when `check_errors`.
    pub fn linalg_inv_ex(&self, check_errors: bool) -> Result<(Tensor, Tensor)> {
        tracked_pair(
            &[self],
            || self.inv_ex_values(check_errors),
            |inv, _| grad::inv_back(inv),
        )
    }

    fn inv_ex_values(&self, check_errors: bool) -> Result<(Tensor, Tensor)> {
        check_square("linalg.inv", self)?;
        check_float("linalg.inv", self)?;
        let n = self.shape()[self.ndim() - 1];
        let (inv, infos) = with_float!(self.dtype(), T => {
            let a = Matrices::<T>::new(self)?;
            let r = a.mats().map(linalg_lu::inverse::<T>);
            let infos: Vec<i32> = r.iter().map(|x| x.1).collect();
            let data = r.into_iter().flat_map(|x| x.0).collect();
            Ok((batch_tensor(data, &a.batch, &[n, n])?, infos))
        })?;
        if check_errors {
            if let Some((i, info)) = first_failure(&infos) {
                return Err(linalg_err(format!(
                    "linalg.inv: {}The diagonal element {info} is zero, the inversion could not be completed because the input matrix is singular.",
                    batch_prefix(self.ndim() > 2, i)
                )));
            }
        }
        let info = Tensor::from_vec(infos, &self.shape()[..self.ndim() - 2])?;
        Ok((inv, info))
    }

    /// `linalg.inv` / `inverse`.
    pub fn linalg_inv(&self) -> Result<Tensor> {
        Ok(self.linalg_inv_ex(true)?.0)
    }

    /// `linalg.cholesky_ex(A, upper)`: the factor and `info` per matrix.
    pub fn linalg_cholesky_ex(&self, upper: bool, check_errors: bool) -> Result<(Tensor, Tensor)> {
        tracked_pair(
            &[self],
            || self.cholesky_ex_values(upper, check_errors),
            |l, _| cholesky_back(l, upper),
        )
    }

    fn cholesky_ex_values(&self, upper: bool, check_errors: bool) -> Result<(Tensor, Tensor)> {
        check_square("linalg.cholesky", self)?;
        check_float_kernel("linalg.cholesky", Some("cholesky_cpu"), self)?;
        let n = self.shape()[self.ndim() - 1];
        let (l, infos) = with_float!(self.dtype(), T => {
            let a = Matrices::<T>::new(self)?;
            let r = a.mats().map(|m| linalg::cholesky(m, upper));
            let infos: Vec<i32> = r.iter().map(|x| x.1).collect();
            let data = r.into_iter().flat_map(|x| x.0).collect();
            Ok((batch_tensor(data, &a.batch, &[n, n])?, infos))
        })?;
        if check_errors {
            if let Some((i, info)) = first_failure(&infos) {
                return Err(linalg_err(format!(
                    "linalg.cholesky: {}The factorization could not be completed because the input is not positive-definite (the leading minor of order {info} is not positive-definite).",
                    batch_prefix(self.ndim() > 2, i)
                )));
            }
        }
        let info = Tensor::from_vec(infos, &self.shape()[..self.ndim() - 2])?;
        Ok((l, info))
    }

    /// `linalg.cholesky(A, upper=False)`.
    pub fn linalg_cholesky(&self, upper: bool) -> Result<Tensor> {
        Ok(self.linalg_cholesky_ex(upper, true)?.0)
    }
}

/// How `solve`'s right-hand side is laid out: PyTorch treats `B` as a (batch of) vector(s)
/// when it is 1-D or has exactly A's batch shape plus one dim.
fn is_vector_rhs(a: &Tensor, b: &Tensor) -> bool {
    b.ndim() == 1 || (b.ndim() + 1 == a.ndim() && b.shape() == &a.shape()[..a.ndim() - 1])
}

impl Tensor {
    /// `linalg.solve_ex(A, B, left)`: `X` with `A X = B` (or `X A = B`), and `info` per
    /// matrix of A, raising on a singular A only when `check_errors`.
    pub fn linalg_solve_ex(
        &self,
        b: &Tensor,
        left: bool,
        check_errors: bool,
    ) -> Result<(Tensor, Tensor)> {
        let vector = is_vector_rhs(self, b);
        tracked_pair(
            &[self, b],
            || self.solve_ex_values(b, left, check_errors, vector),
            |x, _| grad::solve_back(self, b, x, left, vector),
        )
    }

    /// `solve` with `B` taken as (a batch of) matrices, however its shape looks: what the
    /// backward formulas solve with (recorded, so that they can be differentiated again).
    /// Singular matrices are not reported: their solutions are infinities or NaN.
    pub(crate) fn solve_matrices(&self, b: &Tensor, left: bool) -> Result<Tensor> {
        let (x, _info) = tracked_pair(
            &[self, b],
            || self.solve_ex_values(b, left, false, false),
            |x, _| grad::solve_back(self, b, x, left, false),
        )?;
        Ok(x)
    }

    /// `solve_ex` without recording; `vector` says whether `B` is a (batch of) vector(s).
    fn solve_ex_values(
        &self,
        b: &Tensor,
        left: bool,
        check_errors: bool,
        vector: bool,
    ) -> Result<(Tensor, Tensor)> {
        if !self.dtype().is_floating_point() {
            check_float("linalg.solve", self)?; // PyTorch checks the dtype first here
        }
        check_square("linalg.solve", self)?;
        check_float_kernel("linalg.solve", Some("lu_cpu"), self)?;
        if self.dtype() != b.dtype() {
            return Err(Error::runtime(format!(
                "linalg.solve: Expected A and B to have the same dtype, but found A of type {} and B of type {} instead",
                self.dtype().scalar_type_name(),
                b.dtype().scalar_type_name()
            )));
        }
        let b2 = if vector { b.unsqueeze(-1)? } else { b.clone() };
        let n = self.shape()[self.ndim() - 1];
        let (br, bc) = matrix_dims(&b2);
        if (left && br != n) || (!left && bc != n) {
            return Err(Error::runtime(format!(
                "linalg.solve: Incompatible shapes of A and B for the equation {} ({n}x{n} and {br}x{bc})",
                if left { "AX = B" } else { "XA = B" }
            )));
        }
        // X A = B  <=>  A^T X^T = B^T
        let (a, rhs) = if left {
            (self.clone(), b2)
        } else {
            (self.matrix_transpose()?, b2.matrix_transpose()?)
        };
        let (x, infos) = solve_broadcast(&a, &rhs)?;
        if check_errors {
            if let Some((i, _)) = first_failure(&infos) {
                return Err(linalg_err(format!(
                    "torch.linalg.solve: {}The solver failed because the input matrix is singular.",
                    batch_prefix(self.ndim() > 2, i)
                )));
            }
        }
        let x = if left {
            x
        } else {
            x.matrix_transpose()?.contiguous()?
        };
        let x = if vector { x.squeeze(Some(&[-1]))? } else { x };
        let info = Tensor::from_vec(infos, &self.shape()[..self.ndim() - 2])?;
        Ok((x, info))
    }

    pub fn linalg_solve(&self, b: &Tensor, left: bool) -> Result<Tensor> {
        Ok(self.linalg_solve_ex(b, left, true)?.0)
    }
}

/// Solves `A X = B` with broadcast batch dims; `info` describes A's own batch.
fn solve_broadcast(a: &Tensor, b: &Tensor) -> Result<(Tensor, Vec<i32>)> {
    let (na, nb) = (a.ndim() - 2, b.ndim() - 2);
    let batch = broadcast_shapes(&a.shape()[..na], &b.shape()[..nb])?;
    let n = a.shape()[na];
    let k = b.shape()[nb + 1];
    let expand = |t: &Tensor, tail: [usize; 2]| {
        let mut s: Vec<i64> = batch.iter().map(|&d| d as i64).collect();
        s.extend(tail.iter().map(|&d| d as i64));
        t.expand(&s)
    };
    let (ae, be) = (expand(a, [n, n])?, expand(b, [n, k])?);
    with_float!(a.dtype(), T => {
        let am = Matrices::<T>::new(&ae)?;
        let bm = Matrices::<T>::new(&be)?;
        let bmats = bm.mats();
        let r = am.mats().map_indexed(|i, m| linalg_lu::solve(m, bmats.get(i)));
        let mut infos: Vec<i32> = r.iter().map(|x| x.1).collect();
        if a.shape()[..na] != batch[..] {
            // A was broadcast: report info for A's own matrices.
            let own = Matrices::<T>::new(a)?;
            infos = own.mats().map(linalg_lu::lu_info::<T>);
        }
        let data = r.into_iter().flat_map(|x| x.0).collect();
        Ok((batch_tensor(data, &batch, &[n, k])?, infos))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn det_inv_solve_of_a_batch() -> Result<()> {
        // [[4, 1], [2, 3]] (det 10) and the identity
        let a = Tensor::from_vec(vec![4.0f64, 1.0, 2.0, 3.0, 1.0, 0.0, 0.0, 1.0], &[2, 2, 2])?;
        assert_eq!(a.linalg_det()?.to_vec::<f64>()?, vec![10.0, 1.0]);
        let b = Tensor::from_vec(vec![5.0f64, 5.0], &[2])?;
        let x = a.linalg_solve(&b, true)?; // vector right-hand side, broadcast over the batch
        assert_eq!(x.shape(), &[2, 2]);
        let xs = x.to_vec::<f64>()?;
        assert!((xs[0] - 1.0).abs() < 1e-12 && (xs[1] - 1.0).abs() < 1e-12);
        assert_eq!(&xs[2..], &[5.0, 5.0]);
        let (_, info) = a.linalg_inv_ex(false)?;
        assert_eq!(info.to_vec::<i32>()?, vec![0, 0]);
        Ok(())
    }

    #[test]
    fn singular_batch_element_is_reported() -> Result<()> {
        let a = Tensor::from_vec(vec![1.0f32, 0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 4.0], &[2, 2, 2])?;
        let err = a.linalg_inv().err();
        assert!(
            matches!(&err, Some(Error::LinAlg { msg }) if msg.starts_with("linalg.inv: (Batch element 1): The diagonal element 2 is zero"))
        );
        let ints = Tensor::from_vec(vec![1i64, 0, 0, 1], &[2, 2])?;
        assert_eq!(
            ints.linalg_det().err().map(|e| e.to_string()).as_deref(),
            Some("linalg.det: Expected a floating point or complex tensor as input. Got Long")
        );
        Ok(())
    }
}
