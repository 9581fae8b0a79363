//! `index_add_` and `index_copy_`: adding or copying the slices of a source into the slices of
//! one dim picked by a vector of indices, with PyTorch's checks and messages.

use super::index_ops::{positions, sliced_sizes, Selection};
use super::index_util::{
    assert_no_overlap, contiguous_copy, is_index_dtype, nonempty_shape, unaliased,
};
use super::{materialize, Tensor};
use crate::autograd::formulas::index::{index_add_back, index_copy_back};
use crate::autograd::{needs_grad, tracked, tracked_in_place};
use crate::cpu::accumulate::Accumulate;
use crate::cpu::gather::Combine;
use crate::dtype::{DType, Scalar};
use crate::error::{shape_str, Error, Result};
use crate::shape::normalize_dim;
use crate::wgpu::scatter as gpu_scatter;
use crate::with_dtype;

impl Tensor {
    /// The checks `index_add_` makes (PyTorch's `index_func_meta_impl`); returns the dim.
    fn index_func_check(
        &self,
        op: &str,
        dim: i64,
        index: &Tensor,
        source: &Tensor,
    ) -> Result<usize> {
        let d = normalize_dim(dim, self.ndim())?;
        if index.ndim() > 1 {
            return Err(Error::index(format!(
                "{op}(): Index is supposed to be a vector, but got dim: {} with type: {} and size: {}",
                index.ndim(),
                index.dtype().scalar_type_name(),
                shape_str(index.shape())
            )));
        }
        if !is_index_dtype(index.dtype()) {
            return Err(Error::runtime(format!(
                "{op}(): Expected dtype int32/int64 for index but got: {}",
                index.dtype().scalar_type_name()
            )));
        }
        if self.dtype() != source.dtype() {
            return Err(Error::runtime(format!(
                "{op}(): self ({}) and source ({}) must have the same scalar type",
                self.dtype().scalar_type_name(),
                source.dtype().scalar_type_name()
            )));
        }
        self.index_func_shape_check(op, d, index, source)?;
        Ok(d)
    }

    /// The shape half of [`Tensor::index_func_check`].
    fn index_func_shape_check(
        &self,
        op: &str,
        d: usize,
        index: &Tensor,
        source: &Tensor,
    ) -> Result<()> {
        if !(d == 0 || d < source.ndim()) {
            return Err(Error::runtime(format!(
                "{op}(): Indexing dim {d} is out of bounds of the source tensor with dim {}",
                source.ndim()
            )));
        }
        let source_size = nonempty_shape(source)[d];
        if index.numel() != source_size {
            if source.ndim() == 0 {
                // PyTorch's message asks a 0-dim source for its size, which fails first.
                return Err(Error::DimOnScalar { dim: d as i64 });
            }
            return Err(Error::runtime(format!(
                "{op}(): Number of indices ({}) should be equal to source.size(dim): ({source_size}), for dim: {d}",
                index.numel()
            )));
        }
        let both = self.ndim() != 0 && source.ndim() != 0;
        let (a, b) = if both {
            (sliced_sizes(self, d), sliced_sizes(source, d))
        } else {
            (self.shape().to_vec(), source.shape().to_vec())
        };
        if a != b {
            return Err(Error::runtime(format!(
                "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = {} source.shape = {}",
                shape_str(self.shape()),
                shape_str(source.shape())
            )));
        }
        Ok(())
    }

    /// `index_add_(dim, index, source, alpha)`: adds `alpha * source` into the slices of `dim`
    /// at `index` (repeated indices add up).
    pub fn index_add_(
        &self,
        dim: i64,
        index: &Tensor,
        source: &Tensor,
        alpha: Scalar,
    ) -> Result<()> {
        if needs_grad(&[self, source]) {
            let add = |old: &Tensor| old.index_add(dim, index, source, alpha);
            return tracked_in_place(self, add).map(drop);
        }
        let d = self.index_func_check("index_add_", dim, index, source)?;
        self.check_no_internal_overlap("index_add_")?;
        assert_no_overlap(self, index)?;
        assert_no_overlap(self, source)?;
        if self.ndim() > 1 && self.numel() == 0 {
            self.bump_version();
            return Ok(()); // PyTorch's kernel returns before looking at the indices
        }
        let size = nonempty_shape(self)[d];
        // A matrix with alpha 1 goes through PyTorch's scatter_add path, with its message.
        let via_scatter = self.ndim() == 2 && alpha.to_f64() == 1.0;
        let positions = positions(index, size, |v| {
            if via_scatter {
                Error::runtime(format!(
                    "index {v} is out of bounds for dimension {d} with size {size}"
                ))
            } else {
                Error::index("index out of range in self")
            }
        })?;
        let source = unaliased(source, self)?;
        if !(self.device().is_wgpu()
            && gpu_scatter::index_add(self, d, &positions, &source, alpha)?)
        {
            let scaled = with_dtype!(self.dtype(), T => scaled_copy::<T>(&source, alpha))?;
            Selection { dim: d, positions }.scatter(self, &scaled, Combine::Add)?;
        }
        self.bump_version();
        Ok(())
    }

    pub fn index_add(
        &self,
        dim: i64,
        index: &Tensor,
        source: &Tensor,
        alpha: Scalar,
    ) -> Result<Tensor> {
        tracked(
            &[self, source],
            || {
                let out = contiguous_copy(self)?;
                out.index_add_(dim, index, source, alpha)?;
                Ok(out)
            },
            |_| Ok(index_add_back(dim, index, source, alpha.to_f64())),
        )
    }

    /// `index_copy_(dim, index, source)`: copies the slices of `source` into the slices of
    /// `dim` at `index`.
    pub fn index_copy_(&self, dim: i64, index: &Tensor, source: &Tensor) -> Result<()> {
        if needs_grad(&[self, source]) {
            let copy = |old: &Tensor| old.index_copy(dim, index, source);
            return tracked_in_place(self, copy).map(drop);
        }
        let d = normalize_dim(dim, self.ndim())?;
        self.index_copy_check(d, index, source)?;
        self.check_no_internal_overlap("index_copy_")?;
        assert_no_overlap(self, index)?;
        assert_no_overlap(self, source)?;
        if self.numel() == 0 {
            self.bump_version();
            return Ok(()); // nothing to write, and PyTorch checks indices only as it writes
        }
        let size = nonempty_shape(self)[d];
        let positions = positions(index, size, |v| {
            Error::index(format!(
                "index_copy_(): index {v} is out of bounds for dimension {d} with size {size}"
            ))
        })?;
        let source = unaliased(source, self)?;
        Selection { dim: d, positions }.scatter(self, &source, Combine::Assign)?;
        self.bump_version();
        Ok(())
    }

    fn index_copy_check(&self, d: usize, index: &Tensor, source: &Tensor) -> Result<()> {
        if index.ndim() >= 2 {
            return Err(Error::index(format!(
                "index_copy_(): Index should have dimension 1 or 0 (got {})",
                index.ndim()
            )));
        }
        let n = index.numel();
        if source.ndim() == 0 && n != 1 {
            return Err(Error::index(format!(
                "index_copy_(): When source is scalar, index should have one element (got {n})"
            )));
        }
        if source.ndim() != self.ndim() && source.ndim() != 0 && self.ndim() != 0 {
            return Err(Error::index(format!(
                "index_copy_(): When source and destination are not scalars, their dimensionality must match. Source dimensionality ({}), destination dimensionality ({})",
                source.ndim(),
                self.ndim()
            )));
        }
        if index.dtype() != DType::I64 {
            return Err(Error::runtime(format!(
                "index_copy_(): Expected a long tensor for index, but got {}",
                index.dtype().scalar_type_name()
            )));
        }
        if self.dtype() != source.dtype() {
            return Err(Error::runtime(format!(
                "index_copy_(): self and source expected to have the same dtype, but got (self) {} and (source) {}",
                self.dtype().scalar_type_name(),
                source.dtype().scalar_type_name()
            )));
        }
        let (a, b) = (sliced_sizes(self, d), sliced_sizes(source, d));
        if a != b {
            let join = |v: &[usize]| {
                v.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            return Err(Error::runtime(format!(
                "index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: {} at dimension {d} and source slice shape: {} at dimension 0.",
                join(&a),
                join(&b)
            )));
        }
        let source_size = source.shape().get(d).copied().unwrap_or(1);
        if source.ndim() != 0 && n != source_size {
            return Err(Error::index(format!(
                "index_copy_(): Number of indices ({n}) should be equal to source.size(dim) ({source_size})"
            )));
        }
        Ok(())
    }

    pub fn index_copy(&self, dim: i64, index: &Tensor, source: &Tensor) -> Result<Tensor> {
        tracked(
            &[self, source],
            || {
                let out = contiguous_copy(self)?;
                out.index_copy_(dim, index, source)?;
                Ok(out)
            },
            |_| Ok(index_copy_back(dim, index, source)),
        )
    }
}

/// `source * alpha` as a fresh tensor (or `source` itself when `alpha` is one).
fn scaled_copy<T: Accumulate>(source: &Tensor, alpha: Scalar) -> Result<Tensor> {
    let a = alpha.cast::<T>();
    if alpha.to_f64() == 1.0 {
        return Ok(source.clone());
    }
    let values: Vec<T> = materialize::<T>(source)?
        .into_iter()
        .map(|v| v.mul(a))
        .collect();
    Tensor::from_vec(values, source.shape())
}
