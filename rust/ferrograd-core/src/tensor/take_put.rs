//! Indexing a tensor as if it were flattened: `take`, `put_`, and `take_along_dim`.

use super::index_util::{
    assert_no_overlap, gather_tensor, index_values, scatter_tensor, unaliased,
};
use super::Tensor;
use crate::autograd::formulas::index::{put_back, take_back};
use crate::autograd::{needs_grad, tracked, tracked_in_place};
use crate::cpu::gather::{Combine, OffsetWalk};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::shape::{broadcast_shapes, contiguous_strides, normalize_dim};

/// The storage offsets of flat (row-major) positions of `t`, negative positions counting from
/// the end; PyTorch's `take`/`put_` message for the others.
fn flat_offsets(t: &Tensor, index: &Tensor) -> Result<Vec<usize>> {
    let n = t.numel();
    let (shape, strides) = (t.shape(), t.strides());
    index_values(index)?
        .into_iter()
        .map(|v| {
            let p = super::index_util::wrap_index(v, n).ok_or_else(|| {
                Error::index(format!(
                    "out of range: tried to access index {v} on a tensor of {n} elements."
                ))
            })?;
            let mut rest = p;
            let mut offset = t.storage_offset();
            for d in (0..shape.len()).rev() {
                offset += (rest % shape[d]) * strides[d];
                rest /= shape[d];
            }
            Ok(offset)
        })
        .collect()
}

/// A walk over `shape` that reads one offset per position (nothing else moves).
fn offsets_walk<'a>(
    shape: &'a [usize],
    zeros: &'a [usize],
    cs: &'a [usize],
    offsets: &'a [usize],
) -> OffsetWalk<'a> {
    OffsetWalk {
        shape,
        strides: zeros,
        base: 0,
        offset_strides: cs,
        offsets,
    }
}

impl Tensor {
    /// `take(index)`: the elements at flat positions `index`, shaped like `index`.
    pub fn take(&self, index: &Tensor) -> Result<Tensor> {
        tracked(
            &[self],
            || self.take_untracked(index),
            |_| Ok(take_back(self, index)),
        )
    }

    fn take_untracked(&self, index: &Tensor) -> Result<Tensor> {
        if index.dtype() != DType::I64 {
            return Err(Error::runtime(format!(
                "take(): Expected a long tensor for index, but got {}",
                index.dtype().scalar_type_name()
            )));
        }
        if self.numel() == 0 && index.numel() != 0 {
            return Err(Error::index("take(): tried to take from an empty tensor"));
        }
        let offsets = flat_offsets(self, index)?;
        let shape = index.shape();
        let (zeros, cs) = (vec![0; shape.len()], contiguous_strides(shape));
        gather_tensor(self, &offsets_walk(shape, &zeros, &cs, &offsets))
    }

    /// `put_(index, source, accumulate)`: writes (or adds) `source`'s elements at the flat
    /// positions `index`.
    pub fn put_(&self, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<()> {
        if needs_grad(&[self, source]) {
            let put = |old: &Tensor| old.put(index, source, accumulate);
            return tracked_in_place(self, put).map(drop);
        }
        if index.dtype() != DType::I64 {
            return Err(Error::runtime(format!(
                "put_(): Expected a long tensor for index, but got {}",
                index.dtype().scalar_type_name()
            )));
        }
        if self.dtype() != source.dtype() {
            return Err(Error::runtime(format!(
                "put_(): self and source expected to have the same dtype, but got self.dtype = {} and source.dtype = {}",
                self.dtype().scalar_type_name(),
                source.dtype().scalar_type_name()
            )));
        }
        if source.numel() != index.numel() {
            return Err(Error::index(format!(
                "put_(): Expected source and index to have the same number of elements, but got source.numel() = {}, index.numel() = {}",
                source.numel(),
                index.numel()
            )));
        }
        if self.numel() == 0 && index.numel() != 0 {
            return Err(Error::index(
                "put_(): Tried to put elements into an empty tensor",
            ));
        }
        self.check_no_internal_overlap("put_")?;
        assert_no_overlap(self, index)?;
        assert_no_overlap(self, source)?;
        let offsets = flat_offsets(self, index)?;
        let source = unaliased(source, self)?.reshape(&[source.numel() as i64])?;
        let shape = [offsets.len()];
        let (zeros, cs) = ([0usize], [1usize]);
        let combine = if accumulate {
            Combine::Add
        } else {
            Combine::Assign
        };
        let w = offsets_walk(&shape, &zeros, &cs, &offsets);
        scatter_tensor(self, &w, &source, source.strides(), combine)?;
        self.bump_version();
        Ok(())
    }

    pub fn put(&self, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<Tensor> {
        tracked(
            &[self, source],
            || {
                let out = self.deep_clone()?;
                out.put_(index, source, accumulate)?;
                Ok(out)
            },
            |_| Ok(put_back(index, source, accumulate)),
        )
    }

    /// `take_along_dim(indices, dim)`: `gather` after broadcasting `self` and `indices` against
    /// each other in every dim but `dim`. Without a dim, both are flattened. PyTorch (2.15)
    /// wraps indices along a given dim modulo its size; this does the same.
    pub fn take_along_dim(&self, indices: &Tensor, dim: Option<i64>) -> Result<Tensor> {
        let Some(dim) = dim else {
            return self.view(&[-1])?.gather(0, &indices.view(&[-1])?);
        };
        if self.ndim() != indices.ndim() {
            return Err(Error::runtime(format!(
                "torch.take_along_dim(): input and indices should have the same number of dimensions, but got {} dimensions for input, and {} dimensions for indices",
                self.ndim(),
                indices.ndim()
            )));
        }
        if indices.dtype() != DType::I64 {
            return Err(Error::runtime(format!(
                "torch.take_along_dim(): dtype of indices should be Long but got {}",
                indices.dtype().scalar_type_name()
            )));
        }
        let d = normalize_dim(dim, self.ndim())?;
        if self.ndim() == 0 {
            return self.gather(0, indices);
        }
        let mut self_sizes = self.shape().to_vec();
        self_sizes[d] = indices.shape()[d];
        let index_shape = broadcast_shapes(&self_sizes, indices.shape())?;
        let mut index_sizes = indices.shape().to_vec();
        index_sizes[d] = self.shape()[d];
        let self_shape = broadcast_shapes(&index_sizes, self.shape())?;
        let as_i64 = |s: &[usize]| s.iter().map(|&x| x as i64).collect::<Vec<_>>();
        let src = self.expand(&as_i64(&self_shape))?;
        let idx = indices.expand(&as_i64(&index_shape))?;
        src.gather(d as i64, &wrapped_modulo(&idx, self.shape()[d])?)
    }
}

/// Index values reduced modulo `size` into `0..size` (left alone when `size` is 0).
fn wrapped_modulo(index: &Tensor, size: usize) -> Result<Tensor> {
    if size == 0 {
        return Ok(index.clone());
    }
    let n = size as i64;
    let values: Vec<i64> = index_values(index)?
        .into_iter()
        .map(|v| v.rem_euclid(n))
        .collect();
    Tensor::from_vec(values, index.shape())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scalar;

    #[test]
    fn take_put_and_along_dim() -> Result<()> {
        let x = Tensor::arange(Scalar::Int(0), Scalar::Int(6), Scalar::Int(1), DType::F32)?
            .view(&[2, 3])?
            .t()?;
        // x is [[0, 3], [1, 4], [2, 5]]: flat positions follow that order.
        let i = Tensor::from_vec(vec![1i64, -1], &[2])?;
        assert_eq!(x.take(&i)?.to_vec::<f32>()?, vec![3.0, 5.0]);
        let p = x.put(&i, &Tensor::from_vec(vec![7.0f32, 8.0], &[2])?, true)?;
        assert_eq!(p.to_vec::<f32>()?, vec![0.0, 10.0, 1.0, 4.0, 2.0, 13.0]);
        let j = Tensor::from_vec(vec![1i64, 0, 5], &[3, 1])?;
        let t = x.take_along_dim(&j, Some(1))?;
        assert_eq!(t.to_vec::<f32>()?, vec![3.0, 1.0, 5.0]);
        let e = x
            .take(&Tensor::from_vec(vec![6i64], &[1])?)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("out of range: tried to access index 6 on a tensor of 6 elements.")
        );
        Ok(())
    }
}
