//! Small pieces shared by the indexing ops: reading index tensors, wrapping negative indices,
//! and the C++ dtype names PyTorch's indexing messages use.

use super::{materialize, Tensor};
use crate::autograd::no_grad;
use crate::cpu::gather::{gather_offsets, scatter_offsets, Combine, OffsetWalk};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::shape::contiguous_strides;
use crate::wgpu::offset_walk as gpu_walk;
use crate::with_dtype;

/// Whether a tensor holds integer indices of a dtype the index kernels read (int32 or int64).
pub(crate) fn is_index_dtype(d: DType) -> bool {
    matches!(d, DType::I32 | DType::I64)
}

/// The values of an index tensor in row-major order. Read as a requested transfer: indices
/// are checked and turned into positions on the host on every device, and an index moved to
/// the GPU keeps its host copy, so this usually reads nothing back.
pub(crate) fn index_values(index: &Tensor) -> Result<Vec<i64>> {
    crate::wgpu::fallback::transfer(|| materialize::<i64>(index))
}

/// `value` as a position in a dim of `size`, counting negative values from the end.
#[inline]
pub(crate) fn wrap_index(value: i64, size: usize) -> Option<usize> {
    let size = size as i64;
    if value >= 0 && value < size {
        Some(value as usize)
    } else if value < 0 && value >= -size {
        Some((value + size) as usize)
    } else {
        None
    }
}

/// `value` as a position in a dim of `size`, with no wrapping of negative values (gather,
/// scatter and the `index_*` ops refuse them).
#[inline]
pub(crate) fn plain_index(value: i64, size: usize) -> Option<usize> {
    (value >= 0 && (value as u64) < size as u64).then_some(value as usize)
}

/// The size of `dim`, treating a 0-dim tensor as having one dim of size 1 (PyTorch's
/// `ensure_nonempty_size`).
pub(crate) fn nonempty_size(t: &Tensor, dim: usize) -> usize {
    t.shape().get(dim).copied().unwrap_or(1)
}

/// The shape padded to one dim for a 0-dim tensor.
pub(crate) fn nonempty_shape(t: &Tensor) -> Vec<usize> {
    if t.ndim() == 0 {
        vec![1]
    } else {
        t.shape().to_vec()
    }
}

/// The strides padded the same way.
pub(crate) fn nonempty_strides(t: &Tensor) -> Vec<usize> {
    if t.ndim() == 0 {
        vec![1]
    } else {
        t.strides().to_vec()
    }
}

/// A copy when `a` shares storage with `b` (so a kernel can read `a` while writing `b`
/// without holding two locks of one storage), else `a` itself.
pub(crate) fn unaliased(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.storage().same(b.storage()) {
        a.deep_clone()
    } else {
        Ok(a.clone())
    }
}

/// Gathers `src` through an offset walk into a new contiguous tensor of the walk's shape.
pub(crate) fn gather_tensor(src: &Tensor, w: &OffsetWalk<'_>) -> Result<Tensor> {
    if src.device().is_wgpu() {
        if let Some(out) = gpu_walk::gather(src, w)? {
            return Ok(out);
        }
    }
    let data = src.storage().read();
    let buf = data.cpu()?;
    with_dtype!(src.dtype(), T => Tensor::from_vec(gather_offsets(buf.as_slice::<T>(), w), w.shape))
}

/// Scatters `values` (walked with `value_strides`, same dtype as `dst`, not sharing its
/// storage) into `dst` through an offset walk.
pub(crate) fn scatter_tensor(
    dst: &Tensor,
    w: &OffsetWalk<'_>,
    values: &Tensor,
    value_strides: &[usize],
    combine: Combine,
) -> Result<()> {
    if dst.device().is_wgpu() && gpu_walk::scatter(dst, w, values, value_strides, combine)? {
        return Ok(());
    }
    let value_data = values.storage().read();
    let value_buf = value_data.cpu()?;
    let mut dst_data = dst.storage().write();
    let dst_buf = dst_data.cpu_mut()?;
    let base = values.storage_offset();
    with_dtype!(dst.dtype(), T => scatter_offsets(
        dst_buf.as_mut_slice::<T>(), w, value_buf.as_slice::<T>(), value_strides, base, combine
    ));
    Ok(())
}

/// A fresh row-major copy (what PyTorch's out-of-place scatter and `index_add` start from), on
/// `t`'s device.
pub(crate) fn contiguous_copy(t: &Tensor) -> Result<Tensor> {
    if t.device().is_wgpu() {
        let out = Tensor::uninit_dense(t.shape(), &contiguous_strides(t.shape()), t.dtype())?;
        no_grad(|| out.copy_(t))?;
        return Ok(out);
    }
    with_dtype!(t.dtype(), T => Tensor::from_vec(materialize::<T>(t)?, t.shape()))
}

/// Whether the layout covers exactly `numel` elements with no gaps or repeats (in some order).
fn dense(t: &Tensor) -> bool {
    let mut dims: Vec<(usize, usize)> = t
        .shape()
        .iter()
        .copied()
        .zip(t.strides().iter().copied())
        .filter(|&(n, _)| n != 1)
        .collect();
    dims.sort_by_key(|&(_, s)| s);
    let mut expected = 1;
    for (n, s) in dims {
        if s != expected {
            return false;
        }
        expected *= n;
    }
    true
}

/// PyTorch's `assert_no_overlap`: an in-place op refuses an input that shares memory with the
/// tensor it writes (when both are dense enough for the check to be cheap, as in PyTorch).
pub(crate) fn assert_no_overlap(written: &Tensor, input: &Tensor) -> Result<()> {
    let checkable = written.numel() != 0
        && input.numel() != 0
        && dense(written)
        && dense(input)
        && written.storage().same(input.storage());
    let overlapping = if written.is_same(input) {
        true
    } else if !checkable {
        false
    } else {
        let span = |t: &Tensor| {
            let start = t.storage_offset() * t.element_size();
            (start, start + t.numel() * t.element_size())
        };
        let ((a0, a1), (b0, b1)) = (span(written), span(input));
        a0 < b1 && b0 < a1
    };
    if overlapping {
        return Err(Error::runtime(
            "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation.",
        ));
    }
    Ok(())
}
