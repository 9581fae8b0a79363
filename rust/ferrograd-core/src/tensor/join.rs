//! Joining tensors along a dim: `cat` and the `stack` family built on it.

use super::Tensor;
use crate::autograd::formulas::join;
use crate::autograd::{needs_grad, tracked};
use crate::dtype::{promote_types, DType};
use crate::error::{shape_str, Error, Result};
use crate::shape::{normalize_dim, normalize_insert_dim};

/// What `cat` will produce: the output's shape and dtype, and the (wrapped) dim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatPlan {
    pub shape: Vec<usize>,
    pub dim: usize,
    pub dtype: DType,
}

/// PyTorch's legacy rule: 1-D tensors of size 0 are skipped by `cat` (except for dtype
/// promotion), whatever the other inputs' shapes.
fn is_skipped(t: &Tensor) -> bool {
    t.shape() == [0]
}

impl Tensor {
    /// Checks `cat`'s inputs and computes its result's shape and dtype (PyTorch's `cat_meta`,
    /// with its checks in its order).
    pub fn cat_plan(tensors: &[Tensor], dim: i64) -> Result<CatPlan> {
        if let Some(i) = tensors.iter().position(|t| t.ndim() == 0) {
            return Err(Error::runtime(format!(
                "zero-dimensional tensor (at position {i}) cannot be concatenated"
            )));
        }
        let valid = tensors.iter().position(|t| !is_skipped(t));
        let dtype = tensors
            .iter()
            .map(|t| t.dtype())
            .reduce(promote_types)
            .ok_or_else(|| Error::value("torch.cat(): expected a non-empty list of Tensors"))?;
        let Some(valid) = valid else {
            return Ok(CatPlan {
                shape: vec![0],
                dim: 0,
                dtype,
            });
        };
        let first = &tensors[valid];
        let dim = normalize_dim(dim, first.ndim())?;
        let mut size_at_dim = 0;
        for (i, t) in tensors.iter().enumerate().filter(|(_, t)| !is_skipped(t)) {
            check_shape_except_dim(first.shape(), t.shape(), dim, i)?;
            size_at_dim += t.shape()[dim];
        }
        let mut shape = first.shape().to_vec();
        shape[dim] = size_at_dim;
        Ok(CatPlan { shape, dim, dtype })
    }

    /// `cat(tensors, dim)`: a new tensor holding the inputs one after the other along `dim`,
    /// in their promoted dtype.
    pub fn cat(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
        let plan = Tensor::cat_plan(tensors, dim)?;
        tracked(
            &tensors.iter().collect::<Vec<_>>(),
            || {
                let out = Tensor::zeros(&plan.shape, plan.dtype)?;
                out.write_cat(tensors, plan.dim)?;
                Ok(out)
            },
            |_| {
                let lens = tensors
                    .iter()
                    .map(|t| (!is_skipped(t)).then(|| t.shape()[plan.dim]))
                    .collect();
                Ok(join::cat_back(lens, plan.dim))
            },
        )
    }

    /// Copies each non-skipped input into its slice of this (already shaped) output.
    fn write_cat(&self, tensors: &[Tensor], dim: usize) -> Result<()> {
        let outer: usize = self.shape()[..dim].iter().product();
        let inner: usize = self.shape()[dim + 1..].iter().product();
        let row = self.shape()[dim] * inner;
        let mut start = 0;
        for t in tensors.iter().filter(|t| !is_skipped(t)) {
            let len = t.shape()[dim];
            // Rows of a contiguous output hold each contiguous input's blocks side by side:
            // plain memcpys, unless the blocks are so short that the strided loop wins.
            // (On the GPU, the strided copy kernel covers both.)
            let blockwise = !self.device().is_wgpu()
                && self.is_contiguous()
                && t.is_contiguous()
                && t.dtype() == self.dtype()
                && !t.storage().same(self.storage())
                && (outer == 1 || len * inner >= 16);
            if blockwise {
                self.write_blocks(t, len * inner, row, start * inner)?;
            } else {
                self.narrow(dim as i64, start as i64, len as i64)?
                    .write_from(t, &[])?;
            }
            start += len;
        }
        Ok(())
    }

    /// `cat(tensors, dim, out=out)` when `out` already has the result's shape: writes into it,
    /// casting to its dtype (which the caller checked with [`can_cast`]).
    pub fn cat_into(tensors: &[Tensor], dim: i64, out: &Tensor) -> Result<()> {
        if needs_grad(&tensors.iter().chain([out]).collect::<Vec<_>>()) {
            return Err(Error::runtime(
                "cat(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.",
            ));
        }
        let plan = Tensor::cat_plan(tensors, dim)?;
        if out.shape() != plan.shape.as_slice() {
            return Err(Error::runtime(format!(
                "cat: out has shape {}, expected {}",
                shape_str(out.shape()),
                shape_str(&plan.shape)
            )));
        }
        out.check_no_internal_overlap("cat")?;
        if tensors.iter().any(|t| t.overlaps(out)) {
            return Err(Error::runtime(
                "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation.",
            ));
        }
        out.write_cat(tensors, plan.dim)?;
        out.bump_version();
        Ok(())
    }

    /// Whether the two tensors' elements may share memory: the same storage and intersecting
    /// ranges of it.
    pub fn overlaps(&self, other: &Tensor) -> bool {
        if !self.storage().same(other.storage()) || self.numel() == 0 || other.numel() == 0 {
            return false;
        }
        let range = |t: &Tensor| {
            let start = t.storage_offset() * t.element_size();
            (start, t.layout().storage_extent() * t.element_size())
        };
        let ((a0, a1), (b0, b1)) = (range(self), range(other));
        a0 < b1 && b0 < a1
    }

    /// `stack(tensors, dim)`: joins equal-shaped tensors along a new dim.
    pub fn stack(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
        tracked(
            &tensors.iter().collect::<Vec<_>>(),
            || {
                let (parts, d) = Tensor::stack_inputs(tensors, dim)?;
                Tensor::cat(&parts, d)
            },
            // The result has one dim more than each input; `dim` is where it went.
            |out| {
                let d = normalize_insert_dim(dim, out.ndim() - 1)?;
                Ok(join::stack_back(d as i64))
            },
        )
    }

    /// The `cat` that `stack` is: each input with a new size-1 dim at `dim`.
    pub fn stack_inputs(tensors: &[Tensor], dim: i64) -> Result<(Vec<Tensor>, i64)> {
        let first = tensors
            .first()
            .ok_or_else(|| Error::runtime("stack expects a non-empty TensorList"))?;
        let d = normalize_insert_dim(dim, first.ndim())? as i64;
        for (i, t) in tensors.iter().enumerate().skip(1) {
            if t.shape() != first.shape() {
                return Err(Error::runtime(format!(
                    "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {i}",
                    shape_str(first.shape()),
                    shape_str(t.shape())
                )));
            }
        }
        let parts = tensors
            .iter()
            .map(|t| t.unsqueeze(d))
            .collect::<Result<_>>()?;
        Ok((parts, d))
    }

    /// The `cat` that `hstack` is: along dim 0 for 1-D inputs, else dim 1.
    pub fn hstack_inputs(tensors: &[Tensor]) -> Result<(Vec<Tensor>, i64)> {
        non_empty(tensors, "hstack")?;
        let parts = Tensor::atleast_nd(tensors, 1)?;
        let dim = if parts.first().is_some_and(|t| t.ndim() == 1) {
            0
        } else {
            1
        };
        Ok((parts, dim))
    }

    /// The `cat` that `vstack` (`row_stack`) is: at least 2-D inputs along dim 0.
    pub fn vstack_inputs(tensors: &[Tensor]) -> Result<(Vec<Tensor>, i64)> {
        non_empty(tensors, "vstack")?;
        Ok((Tensor::atleast_nd(tensors, 2)?, 0))
    }

    /// The `cat` that `dstack` is: at least 3-D inputs along dim 2.
    pub fn dstack_inputs(tensors: &[Tensor]) -> Result<(Vec<Tensor>, i64)> {
        non_empty(tensors, "dstack")?;
        Ok((Tensor::atleast_nd(tensors, 3)?, 2))
    }

    /// The `cat` that `column_stack` is: 0-D and 1-D inputs become columns, then `hstack`.
    pub fn column_stack_inputs(tensors: &[Tensor]) -> Result<(Vec<Tensor>, i64)> {
        non_empty(tensors, "column_stack")?;
        let columns = tensors
            .iter()
            .map(|t| {
                if t.ndim() <= 1 {
                    t.reshape(&[t.numel() as i64, 1])
                } else {
                    Ok(t.clone())
                }
            })
            .collect::<Result<Vec<_>>>()?;
        Tensor::hstack_inputs(&columns)
    }

    pub fn hstack(tensors: &[Tensor]) -> Result<Tensor> {
        let (parts, dim) = Tensor::hstack_inputs(tensors)?;
        Tensor::cat(&parts, dim)
    }

    pub fn vstack(tensors: &[Tensor]) -> Result<Tensor> {
        let (parts, dim) = Tensor::vstack_inputs(tensors)?;
        Tensor::cat(&parts, dim)
    }

    pub fn dstack(tensors: &[Tensor]) -> Result<Tensor> {
        let (parts, dim) = Tensor::dstack_inputs(tensors)?;
        Tensor::cat(&parts, dim)
    }

    pub fn column_stack(tensors: &[Tensor]) -> Result<Tensor> {
        let (parts, dim) = Tensor::column_stack_inputs(tensors)?;
        Tensor::cat(&parts, dim)
    }
}

fn non_empty(tensors: &[Tensor], op: &str) -> Result<()> {
    if tensors.is_empty() {
        return Err(Error::runtime(format!(
            "{op} expects a non-empty TensorList"
        )));
    }
    Ok(())
}

/// PyTorch's `check_cat_shape_except_dim`.
fn check_shape_except_dim(
    first: &[usize],
    other: &[usize],
    dim: usize,
    index: usize,
) -> Result<()> {
    if first.len() != other.len() {
        return Err(Error::runtime(format!(
            "Tensors must have same number of dimensions: got {} and {}",
            first.len(),
            other.len()
        )));
    }
    for (d, (&a, &b)) in first.iter().zip(other).enumerate() {
        if d != dim && a != b {
            return Err(Error::runtime(format!(
                "Sizes of tensors must match except in dimension {dim}. Expected size {a} but got size {b} for tensor number {index} in the list."
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scalar;

    fn grid(dtype: DType) -> Result<Tensor> {
        Tensor::arange(Scalar::Int(0), Scalar::Int(6), Scalar::Int(1), dtype)?.view(&[2, 3])
    }

    #[test]
    fn cat_promotes_and_skips_legacy_empties() -> Result<()> {
        let a = grid(DType::I64)?;
        let empty = Tensor::zeros(&[0], DType::F64)?;
        let out = Tensor::cat(&[a.t()?, empty, a.t()?], 1)?;
        assert_eq!(out.dtype(), DType::F64);
        assert_eq!(out.shape(), &[3, 4]);
        assert_eq!(
            out.to_vec::<i64>()?,
            vec![0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5]
        );
        Ok(())
    }

    #[test]
    fn messages() -> Result<()> {
        let a = grid(DType::F32)?;
        let msg = |r: Result<Tensor>| r.err().map(|e| e.to_string());
        assert_eq!(
            msg(Tensor::cat(&[a.clone(), a.t()?], 1)).as_deref(),
            Some("Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1 in the list.")
        );
        let v2 = a.select(0, 0)?.narrow(0, 0, 2)?;
        assert_eq!(
            msg(Tensor::stack(&[v2, a.select(0, 0)?], 0)).as_deref(),
            Some("stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1")
        );
        assert_eq!(
            msg(Tensor::cat(&[], 0)).as_deref(),
            Some("torch.cat(): expected a non-empty list of Tensors")
        );
        Ok(())
    }

    #[test]
    fn stack_family() -> Result<()> {
        let v = Tensor::arange(Scalar::Int(0), Scalar::Int(3), Scalar::Int(1), DType::I64)?;
        let s = Tensor::stack(&[v.clone(), v.clone()], -1)?;
        assert_eq!(s.to_vec::<i64>()?, vec![0, 0, 1, 1, 2, 2]);
        assert_eq!(
            Tensor::column_stack(&[v.clone(), v.clone()])?.shape(),
            &[3, 2]
        );
        assert_eq!(Tensor::dstack(&[v.clone(), v.clone()])?.shape(), &[1, 3, 2]);
        assert_eq!(Tensor::hstack(&[v.clone(), v])?.shape(), &[6]);
        Ok(())
    }
}
