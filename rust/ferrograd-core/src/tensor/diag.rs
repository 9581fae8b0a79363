//! Diagonals that copy: `diag`, `diag_embed`, `diagflat` and `trace`. (The view `diagonal`
//! lives with the other views.)

use std::sync::Arc;

use super::Tensor;
use crate::autograd::formulas::{shape, view};
use crate::autograd::tracked;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, ErrorKind, Result};
use crate::shape::normalize_dim;

impl Tensor {
    /// `diag(diagonal)`: a 1-D input becomes a square matrix with it on diagonal `diagonal`
    /// (PyTorch records that as `diag_embed`); a matrix gives a copy of that diagonal
    /// (`diagonal_copy`, whose gradient is the diagonal's: `g` put back on it, zeros elsewhere).
    pub fn diag(&self, diagonal: i64) -> Result<Tensor> {
        match self.ndim() {
            1 => self.diag_embed(diagonal, -2, -1),
            2 => tracked(
                &[self],
                || Tensor::new_contiguous_copy(&self.diagonal(diagonal, 0, 1)?),
                |_| {
                    Ok(view::embed_back(
                        "DiagonalBackward0_copy",
                        self,
                        Arc::new(move |t: &Tensor| t.diagonal(diagonal, 0, 1)),
                    ))
                },
            ),
            n => Err(Error::runtime(format!(
                "diag(): Supports 1D or 2D tensors. Got {n}D"
            ))),
        }
    }

    /// `diag_embed(offset, dim1, dim2)`: a zero tensor with one more dim whose diagonal
    /// (`offset`, over `dim1` and `dim2`) holds the last dim of the input.
    pub fn diag_embed(&self, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
        let ndim = self.ndim() + 1;
        let (a, b) = (normalize_dim(dim1, ndim)?, normalize_dim(dim2, ndim)?);
        if a == b {
            return Err(Error::runtime(format!(
                "diagonal dimensions cannot be identical {dim1}, {dim2}"
            )));
        }
        tracked(
            &[self],
            || self.diag_embed_untracked(offset, a, b),
            |_| Ok(shape::diag_embed_back(offset, a as i64, b as i64)),
        )
    }

    /// [`Tensor::diag_embed`] with the dims wrapped.
    fn diag_embed_untracked(&self, offset: i64, a: usize, b: usize) -> Result<Tensor> {
        let last = self.shape().last().copied().unwrap_or(1);
        let len = offset.unsigned_abs() as usize + last;
        let mut shape = self.shape().to_vec();
        shape.pop();
        shape.insert(a.min(b), len);
        shape.insert(a.max(b), len);
        let out = Tensor::zeros(&shape, self.dtype())?;
        out.diagonal(offset, a as i64, b as i64)?
            .write_from(self, &[])?;
        Ok(out)
    }

    /// `diagflat(offset)`: `diag` of the flattened input (flattened as PyTorch does, by a
    /// contiguous copy when needed and a view, which its graph shows).
    pub fn diagflat(&self, offset: i64) -> Result<Tensor> {
        self.contiguous()?.view(&[-1])?.diag(offset)
    }

    /// `trace()`: the sum of a matrix's main diagonal, accumulated as PyTorch's CPU kernel does
    /// (double for float32, float for half types, int64 for integers, which it returns).
    pub fn trace(&self) -> Result<Tensor> {
        tracked(
            &[self],
            || self.trace_untracked(),
            |_| Ok(shape::trace_back(self.shape())),
        )
    }

    fn trace_untracked(&self) -> Result<Tensor> {
        let dtype = self.dtype();
        if dtype == DType::Bool {
            return Err(Error::Other {
                kind: ErrorKind::NotImplemented,
                msg: format!(
                    "\"trace\" not implemented for '{}'",
                    dtype.scalar_type_name()
                ),
            });
        }
        if self.ndim() != 2 {
            return Err(Error::runtime(format!(
                "trace: expected a matrix, but got tensor with dim {}",
                self.ndim()
            )));
        }
        let diag = self.diagonal(0, 0, 1)?;
        Ok(match dtype {
            DType::F16 | DType::BF16 => {
                let sum = diag.to_vec::<f32>()?.iter().fold(0f32, |acc, &v| acc + v);
                Tensor::scalar(Scalar::Float(sum as f64), dtype)
            }
            DType::F32 | DType::F64 => {
                let sum = diag.to_vec::<f64>()?.iter().fold(0f64, |acc, &v| acc + v);
                Tensor::scalar(Scalar::Float(sum), dtype)
            }
            _ => {
                let sum = diag
                    .to_vec::<i64>()?
                    .iter()
                    .fold(0i64, |acc, &v| acc.wrapping_add(v));
                Tensor::scalar(Scalar::Int(sum), DType::I64)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Result<Tensor> {
        Tensor::arange(Scalar::Int(0), Scalar::Int(12), Scalar::Int(1), DType::I64)?.view(&[3, 4])
    }

    #[test]
    fn diag_both_ways() -> Result<()> {
        let v = Tensor::from_vec(vec![1i64, 2], &[2])?;
        let m = v.diag(1)?;
        assert_eq!(
            (m.shape(), m.to_vec::<i64>()?),
            (&[3usize, 3][..], vec![0, 1, 0, 0, 0, 2, 0, 0, 0])
        );
        assert_eq!(grid()?.diag(-1)?.to_vec::<i64>()?, vec![4, 9]);
        assert!(!grid()?.diag(0)?.storage().same(grid()?.storage()));
        Ok(())
    }

    #[test]
    fn embed_and_trace() -> Result<()> {
        let e = grid()?.narrow(1, 0, 2)?.diag_embed(-1, 0, 2)?;
        assert_eq!(e.shape(), &[3, 3, 3]);
        assert_eq!(grid()?.trace()?.item()?, Scalar::Int(15));
        assert_eq!(
            grid()?.t()?.to_dtype(DType::F16)?.trace()?.dtype(),
            DType::F16
        );
        Ok(())
    }
}
