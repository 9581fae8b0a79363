//! How kernels bind tensors: an input's or output's GPU buffer, a dense copy to read from,
//! and whether storages fit one binding. Shared by every kernel's dispatcher.

use crate::device::Device;
use crate::error::Result;
use crate::tensor::Tensor;

/// An input's GPU buffer. A CPU input (a 0-dim tensor, which PyTorch lets GPU ops take as a
/// number) is uploaded for this one kernel.
pub(crate) fn input_buffer(t: &Tensor) -> Result<::wgpu::Buffer> {
    if t.device() == Device::Cpu {
        let guard = t.storage().read();
        return super::transfer::upload_for_kernel(guard.cpu()?.as_bytes());
    }
    let mut guard = t.storage().write_gpu();
    Ok(guard.wgpu_mut()?.gpu()?.buffer().clone())
}

/// An output's GPU buffer. `keep`: the kernel reads the old values too (an in-place op, a
/// partial write); otherwise the kernel writes every element and nothing is uploaded first.
pub(crate) fn output_buffer(t: &Tensor, keep: bool) -> Result<::wgpu::Buffer> {
    let mut guard = t.storage().write_gpu();
    let data = guard.wgpu_mut()?;
    let gpu = if keep {
        data.gpu_mut()?
    } else {
        data.gpu_overwrite()?
    };
    Ok(gpu.buffer().clone())
}

/// `t` as a contiguous tensor that a kernel can read from its offset with 32-bit indices in
/// one binding (a copy when `t` is a view); None when it cannot, and the caller runs the CPU
/// kernel.
pub(crate) fn dense_operand(t: &Tensor) -> Result<Option<Tensor>> {
    if !fits_bindings(&[t])? {
        return Ok(None);
    }
    let t = t.contiguous()?;
    Ok(u32::try_from(t.storage_offset() + t.numel())
        .is_ok()
        .then_some(t))
}

/// `shape` seen around `dim` as (lanes, n, inner): `n` elements along the dim at each of
/// `lanes` positions of the other dims, `inner` the elements after the dim (its stride in a
/// contiguous tensor). The kernels that work a lane at a time (sort, scan, softmax) index so.
pub(crate) fn around_dim(shape: &[usize], dim: usize) -> (usize, usize, usize) {
    let n = shape[dim];
    let inner: usize = shape[dim + 1..].iter().product();
    let outer: usize = shape[..dim].iter().product();
    (outer * inner, n, inner)
}

/// Whether every tensor's storage fits one shader binding.
pub fn fits_bindings(tensors: &[&Tensor]) -> Result<bool> {
    let most = super::context()?.limits.max_storage_buffer_binding_size as usize;
    Ok(tensors.iter().all(|t| t.storage().nbytes() <= most))
}
