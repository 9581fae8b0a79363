//! `gather` and `scatter` along one dim: `out[i][j] = self[i][index[i][j]]` (dim 1) and its
//! inverse, with the older `scatter(reduce=...)` and `scatter_add_`. Index values are checked
//! (never wrapped) before any data moves. `scatter_reduce_` is in `scatter_reduce.rs`.

use super::index_util::{
    assert_no_overlap, contiguous_copy, gather_tensor, index_values, is_index_dtype, nonempty_size,
    nonempty_strides, plain_index, scatter_tensor, unaliased,
};
use super::scatter_reduce::ScatterReduce;
use super::Tensor;
use crate::autograd::formulas::scatter::{
    gather_back, scatter_add_back, scatter_back, scatter_legacy_reduce_back,
};
use crate::autograd::{needs_grad, tracked, tracked_in_place};
use crate::cpu::gather::{Combine, OffsetWalk};
use crate::dtype::Scalar;
use crate::error::{shape_str, Error, Result};
use crate::shape::{contiguous_strides, normalize_dim};

/// An index of a gather or scatter, checked and turned into positions along `dim`.
pub(super) struct DimIndex {
    pub dim: usize,
    /// The index values in row-major order, each in `0..size`.
    positions: Vec<usize>,
    /// The walk shape (the index's shape).
    pub shape: Vec<usize>,
}

impl DimIndex {
    fn new(index: &Tensor, dim: usize, size: usize) -> Result<DimIndex> {
        let positions = index_values(index)?
            .into_iter()
            .map(|v| {
                plain_index(v, size).ok_or_else(|| {
                    Error::runtime(format!(
                        "index {v} is out of bounds for dimension {dim} with size {size}"
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(DimIndex {
            dim,
            positions,
            shape: index.shape().to_vec(),
        })
    }

    /// Storage offsets along `dim` of a tensor whose stride there is `stride`.
    fn offsets(&self, stride: usize) -> Vec<usize> {
        self.positions.iter().map(|&p| p * stride).collect()
    }

    /// Strides of `t` for walking the index shape: its own, with `dim` standing still.
    fn walk_strides(&self, t: &Tensor) -> Vec<usize> {
        if self.shape.is_empty() {
            return Vec::new();
        }
        let mut s = nonempty_strides(t);
        s[self.dim] = 0;
        s
    }

    /// Gathers `src` along the dim at these positions.
    fn gather(&self, src: &Tensor) -> Result<Tensor> {
        let stride = nonempty_strides(src)[self.dim];
        let (strides, offsets) = (self.walk_strides(src), self.offsets(stride));
        let offset_strides = contiguous_strides(&self.shape);
        gather_tensor(
            src,
            &OffsetWalk {
                shape: &self.shape,
                strides: &strides,
                base: src.storage_offset(),
                offset_strides: &offset_strides,
                offsets: &offsets,
            },
        )
    }

    /// Scatters `values` (walked with its own strides over the index shape) into `dst`.
    pub(super) fn scatter(&self, dst: &Tensor, values: &Tensor, combine: Combine) -> Result<()> {
        let stride = nonempty_strides(dst)[self.dim];
        let (strides, offsets) = (self.walk_strides(dst), self.offsets(stride));
        let offset_strides = contiguous_strides(&self.shape);
        let value_strides = if self.shape.is_empty() {
            Vec::new()
        } else {
            nonempty_strides(values)
        };
        let w = OffsetWalk {
            shape: &self.shape,
            strides: &strides,
            base: dst.storage_offset(),
            offset_strides: &offset_strides,
            offsets: &offsets,
        };
        scatter_tensor(dst, &w, values, &value_strides, combine)
    }
}

fn nonempty_ndim(t: &Tensor) -> usize {
    t.ndim().max(1)
}

fn gather_shape_check(input: &Tensor, dim: usize, index: &Tensor) -> Result<()> {
    if nonempty_ndim(input) != nonempty_ndim(index) {
        return Err(Error::runtime(
            "Index tensor must have the same number of dimensions as input tensor",
        ));
    }
    for d in (0..nonempty_ndim(input)).filter(|&d| d != dim) {
        if nonempty_size(index, d) > nonempty_size(input, d) {
            return Err(Error::runtime(format!(
                "Size does not match at dimension {d} expected index {} to be no larger than self {} apart from dimension {dim}",
                shape_str(index.shape()),
                shape_str(input.shape())
            )));
        }
    }
    Ok(())
}

fn scatter_shape_check(
    dst: &Tensor,
    dim: usize,
    index: &Tensor,
    src: Option<&Tensor>,
) -> Result<()> {
    if index.numel() == 0 {
        return Ok(());
    }
    if nonempty_ndim(dst) != nonempty_ndim(index) {
        return Err(Error::runtime(
            "Index tensor must have the same number of dimensions as self tensor",
        ));
    }
    let dims = 0..nonempty_ndim(dst);
    let mut wrong = dims
        .clone()
        .any(|d| d != dim && nonempty_size(index, d) > nonempty_size(dst, d));
    let head = format!(
        "Expected index {} to be no larger than self {} apart from dimension {dim}",
        shape_str(index.shape()),
        shape_str(dst.shape())
    );
    let Some(src) = src else {
        return if wrong {
            Err(Error::runtime(head))
        } else {
            Ok(())
        };
    };
    wrong = wrong
        || dims
            .clone()
            .any(|d| nonempty_size(index, d) > nonempty_size(src, d));
    if nonempty_ndim(src) != nonempty_ndim(index) {
        return Err(Error::runtime(
            "Index tensor must have the same number of dimensions as src tensor",
        ));
    }
    if wrong {
        return Err(Error::runtime(format!(
            "{head} and to be no larger size than src {}",
            shape_str(src.shape())
        )));
    }
    Ok(())
}

fn dtype_check(op: &str, dst: &Tensor, index: &Tensor, src: Option<&Tensor>) -> Result<()> {
    if index.numel() != 0 && !is_index_dtype(index.dtype()) {
        return Err(Error::runtime(format!(
            "{op}(): Expected dtype int32/int64 for index"
        )));
    }
    if src.is_some_and(|s| s.dtype() != dst.dtype()) {
        return Err(Error::runtime(format!(
            "{op}(): Expected self.dtype to be equal to src.dtype"
        )));
    }
    Ok(())
}

impl Tensor {
    /// `gather(dim, index)`: `out[..., j, ...] = self[..., index[..., j, ...], ...]` along `dim`;
    /// the result has the index's shape.
    pub fn gather(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let d = normalize_dim(dim, self.ndim())?;
                if index.numel() == 0 {
                    return Tensor::zeros(index.shape(), self.dtype());
                }
                dtype_check("gather", self, index, None)?;
                gather_shape_check(self, d, index)?;
                DimIndex::new(index, d, nonempty_size(self, d))?.gather(self)
            },
            |_| Ok(gather_back(self, dim, index)),
        )
    }

    /// The checks and index of an in-place scatter.
    fn scatter_prepare(&self, dim: i64, index: &Tensor, src: Option<&Tensor>) -> Result<DimIndex> {
        self.scatter_prepare_for(dim, index, src, None)
    }

    /// The same, failing for a `reduce` with no kernel for this dtype before any index is
    /// looked at (PyTorch checks indices inside its kernel).
    pub(super) fn scatter_prepare_for(
        &self,
        dim: i64,
        index: &Tensor,
        src: Option<&Tensor>,
        reduce: Option<ScatterReduce>,
    ) -> Result<DimIndex> {
        let d = normalize_dim(dim, self.ndim())?;
        dtype_check("scatter", self, index, src)?;
        scatter_shape_check(self, d, index, src)?;
        self.check_no_internal_overlap("scatter_")?;
        assert_no_overlap(self, index)?;
        if let Some(src) = src {
            assert_no_overlap(self, src)?;
        }
        if let Some(reduce) = reduce {
            reduce.check_kernel(self.dtype(), index)?;
        }
        DimIndex::new(index, d, nonempty_size(self, d))
    }

    /// `scatter_(dim, index, src, reduce=None|"add"|"multiply")`.
    pub fn scatter_(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Tensor,
        reduce: Option<ScatterReduce>,
    ) -> Result<()> {
        if needs_grad(&[self, src]) {
            let scatter = |old: &Tensor| old.scatter(dim, index, src, reduce);
            return tracked_in_place(self, scatter).map(drop);
        }
        let idx = self.scatter_prepare(dim, index, Some(src))?;
        let combine = reduce.map_or(Combine::Assign, ScatterReduce::combine);
        idx.scatter(self, &unaliased(src, self)?, combine)?;
        self.bump_version();
        Ok(())
    }

    /// `scatter_(dim, index, value, reduce=...)` with a number: every indexed position gets it.
    pub fn scatter_value_(
        &self,
        dim: i64,
        index: &Tensor,
        value: Scalar,
        reduce: Option<ScatterReduce>,
    ) -> Result<()> {
        if needs_grad(&[self]) {
            let scatter = |old: &Tensor| old.scatter_value(dim, index, value, reduce);
            return tracked_in_place(self, scatter).map(drop);
        }
        let idx = self.scatter_prepare(dim, index, None)?;
        let combine = reduce.map_or(Combine::Assign, ScatterReduce::combine);
        let target: Vec<i64> = index_target(index);
        let values = Tensor::scalar(value, self.dtype()).expand(&target)?;
        idx.scatter(self, &values, combine)?;
        self.bump_version();
        Ok(())
    }

    pub fn scatter(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Tensor,
        reduce: Option<ScatterReduce>,
    ) -> Result<Tensor> {
        tracked(
            &[self, src],
            || {
                let out = contiguous_copy(self)?;
                out.scatter_(dim, index, src, reduce)?;
                Ok(out)
            },
            |_| {
                Ok(match reduce {
                    None => scatter_back(dim, index, true),
                    Some(_) => scatter_legacy_reduce_back(),
                })
            },
        )
    }

    pub fn scatter_value(
        &self,
        dim: i64,
        index: &Tensor,
        value: Scalar,
        reduce: Option<ScatterReduce>,
    ) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let out = contiguous_copy(self)?;
                out.scatter_value_(dim, index, value, reduce)?;
                Ok(out)
            },
            |_| {
                Ok(match reduce {
                    None => scatter_back(dim, index, false),
                    Some(_) => scatter_legacy_reduce_back(),
                })
            },
        )
    }

    /// `scatter_add_(dim, index, src)`: adds instead of assigning.
    pub fn scatter_add_(&self, dim: i64, index: &Tensor, src: &Tensor) -> Result<()> {
        if needs_grad(&[self, src]) {
            let add = |old: &Tensor| old.scatter_add(dim, index, src);
            return tracked_in_place(self, add).map(drop);
        }
        self.scatter_(dim, index, src, Some(ScatterReduce::Sum))
    }

    pub fn scatter_add(&self, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        tracked(
            &[self, src],
            || self.scatter(dim, index, src, Some(ScatterReduce::Sum)),
            |_| Ok(scatter_add_back(dim, index)),
        )
    }
}

/// The index's shape as an `expand` target (a scalar expanded to it walks like the index).
pub(super) fn index_target(t: &Tensor) -> Vec<i64> {
    t.shape().iter().map(|&d| d as i64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    fn grid() -> Result<Tensor> {
        Tensor::arange(Scalar::Int(0), Scalar::Int(12), Scalar::Int(1), DType::F32)?.view(&[3, 4])
    }

    fn idx(v: Vec<i64>, shape: &[usize]) -> Result<Tensor> {
        Tensor::from_vec(v, shape)
    }

    #[test]
    fn gather_along_dims() -> Result<()> {
        let x = grid()?;
        let g = x.gather(1, &idx(vec![3, 0, 1, 1], &[2, 2])?)?;
        assert_eq!(g.to_vec::<f32>()?, vec![3.0, 0.0, 5.0, 5.0]);
        let g = x.t()?.gather(0, &idx(vec![2, 0], &[1, 2])?)?;
        assert_eq!(g.to_vec::<f32>()?, vec![2.0, 4.0]);
        let e = x
            .gather(1, &idx(vec![4], &[1, 1])?)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("index 4 is out of bounds for dimension 1 with size 4")
        );
        Ok(())
    }
}
