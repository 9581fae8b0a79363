//! Moving values between layouts and dtypes: `contiguous`, `to(dtype)`, `clone`, `copy_`,
//! `fill_`, and reading values out (`item`, `to_vec`).

use super::Tensor;
use crate::autograd::formulas::copy as copy_grad;
use crate::autograd::{self, tracked, NodeSpec};
use crate::cpu::{copy, fill};
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::wgpu::copy as gpu_copy;
use crate::with_dtype;

/// Reads the elements of `t` in row-major order as `D`, casting.
pub fn materialize<D: Element>(t: &Tensor) -> Result<Vec<D>> {
    let data = t.storage().read();
    let buf = data.cpu()?;
    Ok(with_dtype!(t.dtype(), S => copy::gather_to_vec::<S, D>(buf.as_slice::<S>(), t.layout())))
}

/// The values of `t` as raw native-endian bytes in row-major order (for pickling).
pub fn contiguous_bytes(t: &Tensor) -> Result<Vec<u8>> {
    crate::wgpu::fallback::transfer(|| contiguous_bytes_of(t))
}

fn contiguous_bytes_of(t: &Tensor) -> Result<Vec<u8>> {
    let c = t.contiguous()?;
    let data = c.storage().read();
    let start = c.storage_offset() * c.element_size();
    let len = c.numel() * c.element_size();
    Ok(data.cpu()?.as_bytes()[start..start + len].to_vec())
}

/// Whether the layout tiles exactly `numel` elements with no gaps or repeats, in some dim order
/// (a transpose or permute of a contiguous tensor is; a stepped slice or an expand is not).
fn is_non_overlapping_and_dense(layout: &Layout) -> bool {
    let mut order: Vec<usize> = (0..layout.ndim()).collect();
    order.sort_by_key(|&d| std::cmp::Reverse(layout.strides()[d]));
    layout.permute(&order).is_contiguous()
}

/// PyTorch's `infer_dense_strides`: dense strides that keep the input's memory order, with dims
/// of equal or zero stride left in their given order.
fn infer_dense_strides(layout: &Layout) -> Vec<usize> {
    let (shape, strides) = (layout.shape(), layout.strides());
    let n = layout.ndim();
    // `perm` lists dims innermost first; an insertion sort by stride, as TensorIterator does.
    let mut perm: Vec<usize> = (0..n).rev().collect();
    let should_swap = |a: usize, b: usize| -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        let (sa, sb) = (strides[a], strides[b]);
        if sa == 0 || sb == 0 {
            return Equal;
        }
        match sa.cmp(&sb) {
            Equal if shape[a] > shape[b] => Greater,
            Equal => Equal,
            other => other,
        }
    };
    for i in 1..n {
        let mut dim1 = i;
        for dim0 in (0..i).rev() {
            match should_swap(perm[dim0], perm[dim1]) {
                std::cmp::Ordering::Greater => {
                    perm.swap(dim0, dim1);
                    dim1 = dim0;
                }
                std::cmp::Ordering::Less => break,
                std::cmp::Ordering::Equal => {}
            }
        }
    }
    let mut out = vec![0; n];
    let mut stride = 1;
    for &d in &perm {
        out[d] = stride;
        if shape[d] > 1 {
            stride *= shape[d];
        }
    }
    out
}

/// The strides `clone()`, `to()` and the `_like` factories give their result
/// (PyTorch's `preserve_format`).
pub fn preserved_strides(layout: &Layout) -> Vec<usize> {
    if is_non_overlapping_and_dense(layout) {
        layout.strides().to_vec()
    } else {
        infer_dense_strides(layout)
    }
}

impl Tensor {
    /// A copy in a fresh storage: row-major, or with [`preserved_strides`] when `preserve`.
    fn copy_into_new<D: Element>(&self, preserve: bool) -> Result<Tensor> {
        if self.device().is_wgpu() {
            let strides = if preserve {
                preserved_strides(self.layout())
            } else {
                crate::shape::contiguous_strides(self.shape())
            };
            let out = Tensor::uninit_dense(self.shape(), &strides, D::DTYPE)?;
            if self.numel() == 0 || gpu_copy::copy(&out, self, &[])? {
                return Ok(out);
            }
            out.copy_from_unchecked(self)?;
            return Ok(out);
        }
        if !preserve || self.is_contiguous() {
            return Tensor::from_vec(materialize::<D>(self)?, self.shape());
        }
        let out = Tensor::empty_strided(self.shape(), &preserved_strides(self.layout()), D::DTYPE)?;
        out.copy_from_unchecked(self)?;
        Ok(out)
    }

    /// A zero-filled tensor with the given (dense) strides.
    pub fn empty_strided(shape: &[usize], strides: &[usize], dtype: DType) -> Result<Tensor> {
        let layout = Layout::new(shape.to_vec(), strides.to_vec(), 0);
        let bytes = layout.storage_extent() * dtype.size_in_bytes();
        let storage = crate::storage::Storage::zeroed(bytes)?;
        Ok(Tensor::from_parts(storage, layout, dtype))
    }

    /// A tensor with the given non-overlapping, dense strides whose memory is left
    /// uninitialised: only for the output of a kernel that writes every element before the
    /// tensor is handed out (the elementwise ops), where zeroing would double the memory traffic.
    pub(crate) fn uninit_dense(shape: &[usize], strides: &[usize], dtype: DType) -> Result<Tensor> {
        let layout = Layout::new(shape.to_vec(), strides.to_vec(), 0);
        let bytes = layout.storage_extent() * dtype.size_in_bytes();
        let storage = crate::storage::Storage::uninit(bytes)?;
        Ok(Tensor::from_parts(storage, layout, dtype))
    }

    /// A tensor from raw native-endian bytes in row-major order (the inverse of
    /// [`contiguous_bytes`]).
    pub fn from_bytes(bytes: &[u8], dtype: DType, shape: &[usize]) -> Result<Tensor> {
        let t = Tensor::zeros(shape, dtype)?;
        if bytes.len() != t.numel() * dtype.size_in_bytes() {
            return Err(Error::runtime(format!(
                "from_bytes: {} bytes do not hold a {dtype} tensor of shape {shape:?}",
                bytes.len()
            )));
        }
        t.storage()
            .write()
            .cpu_mut()?
            .as_bytes_mut()
            .copy_from_slice(bytes);
        Ok(t)
    }

    /// A copy of this tensor's whole storage, viewed with the same layout (so several views
    /// deep-copied together can share one copied storage, see [`Tensor::view_over`]).
    pub fn copy_storage(&self) -> Result<Tensor> {
        let bytes = self.storage().read().cpu()?.as_bytes().to_vec();
        let copy = Tensor::from_bytes(&bytes, crate::DType::U8, &[bytes.len()])?;
        Ok(Tensor::from_parts(
            copy.storage().clone(),
            self.layout().clone(),
            self.dtype(),
        ))
    }

    /// This tensor's layout and dtype over another tensor's storage.
    pub fn view_over(&self, storage_of: &Tensor) -> Tensor {
        Tensor::from_parts(
            storage_of.storage().clone(),
            self.layout().clone(),
            self.dtype(),
        )
    }

    /// A zero-filled tensor shaped and laid out like `self` (`zeros_like` and friends).
    pub fn zeros_like_layout(&self, dtype: DType) -> Result<Tensor> {
        let _on = self.device_scope();
        Tensor::empty_strided(self.shape(), &preserved_strides(self.layout()), dtype)
    }

    /// Itself when already contiguous (no copy, as in PyTorch), else a row-major copy.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            return Ok(self.clone());
        }
        tracked(
            &[self],
            || with_dtype!(self.dtype(), T => self.copy_into_new::<T>(false)),
            |_| Ok(copy_grad::clone_back()),
        )
    }

    /// `clone()`: always a copy; keeps the strides of dense layouts.
    pub fn deep_clone(&self) -> Result<Tensor> {
        tracked(
            &[self],
            || with_dtype!(self.dtype(), T => self.copy_into_new::<T>(true)),
            |_| Ok(copy_grad::clone_back()),
        )
    }

    /// `to(dtype)`: itself when the dtype already matches, else a converted copy.
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype() {
            return Ok(self.clone());
        }
        tracked(
            &[self],
            || with_dtype!(dtype, T => self.copy_into_new::<T>(true)),
            |_| Ok(copy_grad::to_copy_back(self.dtype())),
        )
    }

    /// Writes `src` (same shape) into `self`, casting; `src` may share storage with `self`.
    fn copy_from_unchecked(&self, src: &Tensor) -> Result<()> {
        // A GPU destination's temporaries (the same-storage copy below) go to its device.
        let _on = self.device().is_wgpu().then(|| self.device_scope());
        if self.device().is_wgpu()
            && !self.storage().same(src.storage())
            && (self.numel() == 0 || gpu_copy::copy(self, src, &[])?)
        {
            return Ok(());
        }
        if self.storage().same(src.storage()) {
            // Reading and writing one buffer at once could read already-overwritten values:
            // take the source's values out first.
            let values = with_dtype!(src.dtype(), S => Tensor::from_vec(materialize::<S>(src)?, src.shape())?);
            return self.copy_from_unchecked(&values);
        }
        let src_data = src.storage().read();
        let src_buf = src_data.cpu()?;
        let mut dst_data = self.storage().write();
        let dst_buf = dst_data.cpu_mut()?;
        with_dtype!(src.dtype(), S => with_dtype!(self.dtype(), D => copy::copy_strided::<S, D>(
            src_buf.as_slice::<S>(), src.layout(), dst_buf.as_mut_slice::<D>(), self.layout()
        )));
        Ok(())
    }

    /// `copy_(src)`: broadcasts `src` to this shape and writes it in, casting. Recorded
    /// (`CopyBackwards`) when either side is part of a graph.
    pub fn copy_(&self, src: &Tensor) -> Result<()> {
        if autograd::needs_grad(&[self, src]) {
            self.check_no_internal_overlap("copy_")?;
            return self.overwrite_with(src, copy_grad::copy_back(src));
        }
        self.copy_untracked(src)
    }

    fn copy_untracked(&self, src: &Tensor) -> Result<()> {
        let target: Vec<i64> = self.shape().iter().map(|&d| d as i64).collect();
        let src = if src.shape() == self.shape() {
            src.clone()
        } else {
            // The source must broadcast *to* this shape, not to something larger.
            let broadcast = crate::shape::broadcast_shapes(self.shape(), src.shape())?;
            if broadcast != self.shape() {
                return Err(Error::runtime(format!(
                    "output with shape {:?} doesn't match the broadcast shape {:?}",
                    self.shape(),
                    broadcast
                )));
            }
            src.expand(&target)?
        };
        self.check_no_internal_overlap("copy_")?;
        self.copy_from_unchecked(&src)?;
        self.bump_version();
        Ok(())
    }

    /// `fill_(value)`; recorded (`FillBackward2`) on a tensor that is part of a graph.
    pub fn fill_(&self, value: Scalar) -> Result<()> {
        self.overwrite("FillBackward2", value)
    }

    /// `zero_()`; recorded as `ZeroBackward0`.
    pub fn zero_(&self) -> Result<()> {
        self.overwrite("ZeroBackward0", Scalar::Int(0))
    }

    fn overwrite(&self, node: &'static str, value: Scalar) -> Result<()> {
        self.check_no_internal_overlap("fill_")?;
        if autograd::needs_grad(&[self]) {
            autograd::tracked_in_place(self, |old| {
                tracked(
                    &[old],
                    || old.full_like_untracked(value),
                    |_| Ok(copy_grad::zero_derivative(node)),
                )
            })?;
            return Ok(());
        }
        self.init_fill(value)?;
        self.bump_version();
        Ok(())
    }

    fn full_like_untracked(&self, value: Scalar) -> Result<Tensor> {
        let out = Tensor::zeros(self.shape(), self.dtype())?;
        out.init_fill(value)?;
        Ok(out)
    }

    /// `fill_(value)` with a 0-dim tensor `value`, which may be part of a graph
    /// (`FillBackward3`).
    pub fn fill_tensor_(&self, value: &Tensor) -> Result<()> {
        if value.ndim() != 0 {
            return Err(Error::runtime(format!(
                "fill_ only supports 0-dimension value tensor but got tensor with {} dimensions.",
                value.ndim()
            )));
        }
        if !autograd::needs_grad(&[self, value]) {
            return self.fill_(value.item()?);
        }
        self.check_no_internal_overlap("fill_")?;
        self.overwrite_with(value, copy_grad::fill_tensor_back())
    }

    /// A recorded write of `src` (broadcast, cast) over all of `self`, as node `spec`.
    fn overwrite_with(&self, src: &Tensor, spec: NodeSpec) -> Result<()> {
        autograd::tracked_in_place(self, |old| {
            tracked(
                &[old, src],
                || {
                    let out = Tensor::zeros(old.shape(), old.dtype())?;
                    out.copy_untracked(src)?;
                    Ok(out)
                },
                |_| Ok(spec),
            )
        })?;
        Ok(())
    }

    /// Fills a tensor that is still being created (`full`, `ones_like`, `eye`): the same
    /// write as `fill_`, but a new tensor starts at version 0, as in PyTorch.
    pub fn init_fill(&self, value: Scalar) -> Result<()> {
        if self.device().is_wgpu() && (self.numel() == 0 || gpu_copy::fill(self, value)?) {
            return Ok(());
        }
        let mut data = self.storage().write();
        let buf = data.cpu_mut()?;
        with_dtype!(self.dtype(), T => fill::fill::<T>(buf.as_mut_slice::<T>(), self.layout(), value.cast::<T>()));
        Ok(())
    }

    /// In-place writes into a layout where two elements share memory (an expanded tensor) are
    /// ambiguous; PyTorch refuses them.
    pub(crate) fn check_no_internal_overlap(&self, _op: &str) -> Result<()> {
        // An empty tensor has no elements to collide (PyTorch calls it contiguous).
        let overlapping = self.numel() > 0
            && self
                .shape()
                .iter()
                .zip(self.strides())
                .any(|(&n, &s)| n > 1 && s == 0);
        if overlapping {
            return Err(Error::runtime(
                "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.",
            ));
        }
        Ok(())
    }

    /// `item()`: the single value of a one-element tensor.
    pub fn item(&self) -> Result<Scalar> {
        if self.numel() != 1 {
            return Err(Error::NotAScalar {
                numel: self.numel(),
            });
        }
        // Asked for by Python: reading a GPU value back is the point, not a fallback.
        crate::wgpu::fallback::transfer(|| {
            let data = self.storage().read();
            let buf = data.cpu()?;
            let off = self.storage_offset();
            Ok(with_dtype!(self.dtype(), T => buf.as_slice::<T>()[off].to_scalar()))
        })
    }

    /// Whether any element equals the matching element of `other` after broadcasting (what
    /// Python's `value in tensor` asks).
    pub fn any_equal(&self, other: &Tensor) -> Result<bool> {
        let shape = crate::shape::broadcast_shapes(self.shape(), other.shape())?;
        let target: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        let a = materialize::<f64>(&self.expand(&target)?)?;
        let b = materialize::<f64>(&other.expand(&target)?)?;
        Ok(a.iter().zip(&b).any(|(x, y)| x == y))
    }

    /// All values in row-major order, cast to `T`. Reading a GPU tensor's values this way
    /// counts as a fallback (an op computing on the host), unless the caller marks the read as
    /// a requested transfer (`wgpu::fallback::transfer`): the values Python asked for, or the
    /// few an op must see on the host, as PyTorch's CUDA ops do too (index bounds, sizes).
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        materialize::<T>(self)
    }

    /// `to_vec` as a requested transfer: values an op must see on the host whatever the
    /// device (sizes, counts, the answer of `equal`), which PyTorch's CUDA ops read back too.
    pub fn host_values<T: Element>(&self) -> Result<Vec<T>> {
        crate::wgpu::fallback::transfer(|| materialize::<T>(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_keeps_transposed_strides() -> Result<()> {
        let t = Tensor::arange(Scalar::Int(0), Scalar::Int(6), Scalar::Int(1), DType::I64)?
            .view(&[2, 3])?
            .t()?;
        let c = t.deep_clone()?;
        assert_eq!(c.strides(), &[1, 3]);
        assert_eq!(c.to_vec::<i64>()?, vec![0, 3, 1, 4, 2, 5]);
        assert!(!c.storage().same(t.storage()));
        Ok(())
    }

    #[test]
    fn copy_between_overlapping_views() -> Result<()> {
        let t = Tensor::arange(Scalar::Int(0), Scalar::Int(4), Scalar::Int(1), DType::F32)?
            .view(&[2, 2])?;
        t.copy_(&t.t()?)?;
        assert_eq!(t.to_vec::<f32>()?, vec![0.0, 2.0, 1.0, 3.0]);
        assert_eq!(t.version(), 1);
        Ok(())
    }

    #[test]
    fn casts_truncate_and_wrap() -> Result<()> {
        let t = Tensor::from_vec(vec![-1.5f32, 2.7, 300.0], &[3])?;
        assert_eq!(t.to_dtype(DType::I64)?.to_vec::<i64>()?, vec![-1, 2, 300]);
        assert_eq!(t.to_dtype(DType::U8)?.to_vec::<u8>()?, vec![255, 2, 44]);
        assert_eq!(
            t.to_dtype(DType::Bool)?.to_vec::<bool>()?,
            vec![true, true, true]
        );
        Ok(())
    }
}
