//! Whole slices picked along one dim by a vector of indices: `index_select` and `index_fill_`,
//! and the selection machinery `index_add_`/`index_copy_` (in `index_add_copy.rs`) share.

use super::index_util::{
    assert_no_overlap, gather_tensor, index_values, is_index_dtype, nonempty_shape,
    nonempty_strides, scatter_tensor,
};
use super::Tensor;
use crate::autograd::formulas::index::{index_fill_back, index_select_back};
use crate::autograd::{needs_grad, no_grad, tracked, tracked_in_place};
use crate::cpu::gather::{Combine, OffsetWalk};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::shape::normalize_dim;
use crate::wgpu::gather as gpu_gather;

/// Positions along `dim` (already checked), for walking a tensor whose `dim` has one entry
/// per position.
pub(super) struct Selection {
    pub dim: usize,
    pub positions: Vec<usize>,
}

impl Selection {
    /// The walk over `shape` (with `dim` of length `positions.len()`) through `t`'s storage.
    fn with_walk<R>(&self, t: &Tensor, shape: &[usize], f: impl FnOnce(&OffsetWalk<'_>) -> R) -> R {
        let mut strides = nonempty_strides(t);
        let stride = strides[self.dim];
        strides[self.dim] = 0;
        let offsets: Vec<usize> = self.positions.iter().map(|&p| p * stride).collect();
        let mut offset_strides = vec![0; shape.len()];
        offset_strides[self.dim] = 1;
        f(&OffsetWalk {
            shape,
            strides: &strides,
            base: t.storage_offset(),
            offset_strides: &offset_strides,
            offsets: &offsets,
        })
    }

    /// The selected slices of `t`, a new tensor of `shape` (`t`'s with `dim` of length
    /// `positions.len()`).
    fn gather(&self, t: &Tensor, shape: &[usize]) -> Result<Tensor> {
        if t.device().is_wgpu() {
            if let Some(out) = gpu_gather::select_slices(t, self.dim, &self.positions, shape)? {
                return Ok(out);
            }
        }
        self.with_walk(t, shape, |w| gather_tensor(t, w))
    }

    /// Writes `values` (of `values`' nonempty shape) into `dst` at the selected slices.
    pub(super) fn scatter(&self, dst: &Tensor, values: &Tensor, combine: Combine) -> Result<()> {
        let shape = nonempty_shape(values);
        let value_strides = nonempty_strides(values);
        self.with_walk(dst, &shape, |w| {
            scatter_tensor(dst, w, values, &value_strides, combine)
        })
    }
}

/// Checks index values against `size` with the given error, without wrapping. The values
/// are read on the host, so that a bad index raises here, as on the CPU: for GPU indices a
/// requested transfer (often none: indices moved to the GPU keep their host copy), not an op
/// falling back.
pub(super) fn positions(
    index: &Tensor,
    size: usize,
    err: impl Fn(i64) -> Error,
) -> Result<Vec<usize>> {
    crate::wgpu::fallback::transfer(|| index_values(index))?
        .into_iter()
        .map(|v| {
            if v >= 0 && (v as u64) < size as u64 {
                Ok(v as usize)
            } else {
                Err(err(v))
            }
        })
        .collect()
}

/// The shape without `dim` (0-dim tensors have no dims to remove).
pub(super) fn sliced_sizes(t: &Tensor, dim: usize) -> Vec<usize> {
    let mut s = t.shape().to_vec();
    if dim < s.len() {
        s.remove(dim);
    }
    s
}

impl Tensor {
    /// `index_select(dim, index)`: the slices of `dim` at `index` (a vector), in its order.
    pub fn index_select(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        tracked(
            &[self],
            || self.index_select_untracked(dim, index),
            |_| Ok(index_select_back(self, dim, index)),
        )
    }

    fn index_select_untracked(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        let d = normalize_dim(dim, self.ndim())?;
        if index.ndim() > 1 {
            return Err(Error::index(
                "index_select(): Index is supposed to be a vector",
            ));
        }
        if !is_index_dtype(index.dtype()) {
            return Err(Error::runtime(
                "index_select(): Expected dtype int32 or int64 for index",
            ));
        }
        if self.ndim() == 0 && index.numel() != 1 {
            return Err(Error::runtime(format!(
                "index_select(): Index to scalar can have only 1 value, got {} value(s)",
                index.numel()
            )));
        }
        let size = nonempty_shape(self)[d];
        if self.ndim() > 1 && self.numel() == 0 && index.numel() > 0 {
            return self.index_select_empty(d, index);
        }
        // PyTorch's kernels word this differently for dim 1 of a matrix or higher.
        let middle = d == 1 && self.ndim() >= 2;
        let positions = positions(index, size, |v| {
            if middle {
                Error::runtime(format!(
                    "INDICES element is out of DATA bounds, id={v} axis_dim={size}"
                ))
            } else {
                Error::index("index out of range in self")
            }
        })?;
        let mut shape = nonempty_shape(self);
        shape[d] = positions.len();
        let sel = Selection { dim: d, positions };
        let out = sel.gather(self, &shape)?;
        if self.ndim() == 0 {
            return out.reshape(&[]);
        }
        Ok(out)
    }

    /// `index_select` of an empty tensor with more than one dim, with the messages of PyTorch's
    /// path for it.
    fn index_select_empty(&self, d: usize, index: &Tensor) -> Result<Tensor> {
        let size = self.shape()[d];
        if size == 0 {
            return Err(Error::runtime(
                "index_select(): self indexing axis dim should be positive",
            ));
        }
        if let Some(v) = index_values(index)?
            .into_iter()
            .find(|&v| v < 0 || v >= size as i64)
        {
            return Err(Error::runtime(format!(
                "INDICES element is out of DATA bounds, id={v} axis_dim={size}"
            )));
        }
        let mut shape = self.shape().to_vec();
        shape[d] = index.numel();
        Tensor::zeros(&shape, self.dtype())
    }

    /// `index_fill_(dim, index, value)`: fills the slices of `dim` at `index` (negative indices
    /// count from the end).
    pub fn index_fill_(&self, dim: i64, index: &Tensor, value: Scalar) -> Result<()> {
        if needs_grad(&[self]) {
            let fill = |old: &Tensor| old.index_fill(dim, index, value);
            return tracked_in_place(self, fill).map(drop);
        }
        if index.dtype() != DType::I64 {
            return Err(Error::index(
                "index_fill_(): Expected dtype int64 for index.",
            ));
        }
        assert_no_overlap(self, index)?;
        let d = normalize_dim(dim, self.ndim())?;
        if index.ndim() > 1 {
            return Err(Error::runtime("Index has to be a vector/scalar"));
        }
        if self.numel() == 0 {
            self.bump_version();
            return Ok(());
        }
        let size = nonempty_shape(self)[d];
        let positions = index_values(index)?
            .into_iter()
            .map(|v| {
                super::index_util::wrap_index(v, size).ok_or_else(|| {
                    Error::index(format!(
                        "index {v} is out of bounds for dimension {d} with size {size}"
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut shape = nonempty_shape(self);
        shape[d] = positions.len();
        let target: Vec<i64> = shape.iter().map(|&x| x as i64).collect();
        let values = Tensor::scalar(value, self.dtype()).expand(&target)?;
        Selection { dim: d, positions }.scatter(self, &values, Combine::Assign)?;
        self.bump_version();
        Ok(())
    }

    pub fn index_fill(&self, dim: i64, index: &Tensor, value: Scalar) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                let out = self.deep_clone()?;
                out.index_fill_(dim, index, value)?;
                Ok(out)
            },
            |_| Ok(index_fill_back(dim, index, None)),
        )
    }

    /// `index_fill(dim, index, value)` with a 0-dim tensor `value`, which then gets a gradient
    /// too (PyTorch's `index_fill.int_Tensor`).
    pub fn index_fill_tensor(&self, dim: i64, index: &Tensor, value: &Tensor) -> Result<Tensor> {
        let number = zero_dim_value("index_fill_", value)?;
        tracked(
            &[self, value],
            || self.index_fill(dim, index, number),
            |out| {
                let size = nonempty_shape(out)[normalize_dim(dim, out.ndim())?];
                Ok(index_fill_back(
                    dim,
                    index,
                    Some(distinct_positions(index, size)?),
                ))
            },
        )
    }

    /// `index_fill_(dim, index, value)` with a 0-dim tensor `value`.
    pub fn index_fill_tensor_(&self, dim: i64, index: &Tensor, value: &Tensor) -> Result<()> {
        if needs_grad(&[self, value]) {
            zero_dim_value("index_fill_", value)?;
            let fill = |old: &Tensor| old.index_fill_tensor(dim, index, value);
            return tracked_in_place(self, fill).map(drop);
        }
        self.index_fill_(dim, index, zero_dim_value("index_fill_", value)?)
    }
}

/// The number a 0-dim value tensor holds (PyTorch refuses other value tensors).
pub(super) fn zero_dim_value(op: &str, value: &Tensor) -> Result<Scalar> {
    if value.ndim() != 0 {
        return Err(Error::runtime(format!(
            "{op} only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
            value.ndim()
        )));
    }
    no_grad(|| value.item())
}

/// The distinct positions along a dim of `size` that `index` names (negative ones counted from
/// the end), as an index vector.
fn distinct_positions(index: &Tensor, size: usize) -> Result<Tensor> {
    let mut seen = vec![false; size];
    let mut distinct = Vec::new();
    for v in index_values(index)? {
        if let Some(p) = super::index_util::wrap_index(v, size) {
            if !std::mem::replace(&mut seen[p], true) {
                distinct.push(p as i64);
            }
        }
    }
    let n = distinct.len();
    Tensor::from_vec(distinct, &[n])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Result<Tensor> {
        Tensor::arange(Scalar::Int(0), Scalar::Int(12), Scalar::Int(1), DType::F32)?.view(&[3, 4])
    }

    fn idx(v: Vec<i64>) -> Result<Tensor> {
        let n = v.len();
        Tensor::from_vec(v, &[n])
    }

    #[test]
    fn select_add_copy_fill() -> Result<()> {
        let x = grid()?;
        let s = x.index_select(1, &idx(vec![3, 0])?)?;
        assert_eq!(s.to_vec::<f32>()?, vec![3.0, 0.0, 7.0, 4.0, 11.0, 8.0]);
        let ones = Tensor::ones(&[2, 4], DType::F32)?;
        let a = x.index_add(0, &idx(vec![0, 0])?, &ones, Scalar::Int(2))?;
        assert_eq!(&a.to_vec::<f32>()?[..4], &[4.0, 5.0, 6.0, 7.0]);
        let c = x.index_copy(0, &idx(vec![2, 0])?, &ones)?;
        assert_eq!(c.to_vec::<f32>()?[0], 1.0);
        assert_eq!(c.to_vec::<f32>()?[4], 4.0);
        let f = x.t()?.index_fill(0, &idx(vec![-1])?, Scalar::Float(-1.0))?;
        assert_eq!(f.strides(), &[1, 4]);
        assert_eq!(f.to_vec::<f32>()?[9..], [-1.0, -1.0, -1.0]);
        Ok(())
    }

    #[test]
    fn a_tensor_fill_value_counts_each_filled_slice_once() -> Result<()> {
        use crate::autograd::{backward, BackwardOptions};
        // y = x.index_fill(1, [2, -1, 0], v) on a 2 x 3 x: indices 2 and -1 name the same
        // column, so v fills columns 0 and 2 of both rows: dL/dv = 4 for L = y.sum().
        let x = Tensor::from_vec(vec![0.0f64; 6], &[2, 3])?;
        x.set_requires_grad(true)?;
        let v = Tensor::scalar(Scalar::Float(5.0), DType::F64);
        v.set_requires_grad(true)?;
        let y = x.index_fill_tensor(1, &idx(vec![2, -1, 0])?, &v)?;
        assert_eq!(y.to_vec::<f64>()?, vec![5.0, 0.0, 5.0, 5.0, 0.0, 5.0]);
        let name = y.grad_fn().map(|n| n.name().to_string());
        assert_eq!(name.as_deref(), Some("IndexFillBackward1"));
        backward(
            &[y.sum(None, false, None)?],
            &[None],
            &[],
            BackwardOptions::default(),
        )?;
        let gv = v.grad().map(|g| g.to_vec::<f64>()).transpose()?;
        assert_eq!(gv, Some(vec![4.0]));
        let gx = x.grad().map(|g| g.to_vec::<f64>()).transpose()?;
        assert_eq!(gx, Some(vec![0.0, 1.0, 0.0, 0.0, 1.0, 0.0]));
        Ok(())
    }

    #[test]
    fn errors_match_pytorch() -> Result<()> {
        let x = grid()?;
        let msg = |r: Result<Tensor>| r.err().map(|e| e.to_string());
        assert_eq!(
            msg(x.index_select(0, &idx(vec![5])?)).as_deref(),
            Some("index out of range in self")
        );
        assert_eq!(
            msg(x.index_select(1, &idx(vec![-1])?)).as_deref(),
            Some("INDICES element is out of DATA bounds, id=-1 axis_dim=4")
        );
        let ones = Tensor::ones(&[2, 4], DType::F32)?;
        assert_eq!(
            msg(x.index_copy(0, &idx(vec![0])?, &ones)).as_deref(),
            Some("index_copy_(): Number of indices (1) should be equal to source.size(dim) (2)")
        );
        Ok(())
    }
}
