//! `softmax` and `log_softmax` along one dim: exp(x) / sum(exp(x)) and its logarithm, computed
//! in one stable pass per line (see `cpu::softmax`).

use super::Tensor;
use crate::autograd::formulas::softmax as softmax_grad;
use crate::autograd::tracked;
use crate::cpu::reduce_stats::Real;
use crate::cpu::softmax as kernel;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::op::not_implemented_msg;
use crate::shape::normalize_dim;
use crate::wgpu::softmax as gpu_softmax;

impl Tensor {
    /// `softmax(dim, dtype=None)`: the input is first cast to `dtype` when one is given.
    pub fn softmax(&self, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
        self.softmax_family(dim, dtype, false)
    }

    /// `log_softmax(dim, dtype=None)`: `x - max - log(sum(exp(x - max)))`, without the
    /// underflow of `log(softmax(x))`.
    pub fn log_softmax(&self, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
        self.softmax_family(dim, dtype, true)
    }

    fn softmax_family(&self, dim: i64, dtype: Option<DType>, log: bool) -> Result<Tensor> {
        let d = normalize_dim(dim, self.ndim())?;
        // The cast is an op of its own (recorded as `ToCopyBackward0`), as in PyTorch.
        let input = match dtype {
            Some(dt) => self.to_dtype(dt)?,
            None => self.clone(),
        };
        let name = kernel_name(log, d + 1 >= input.ndim());
        tracked(
            &[&input],
            || match input.dtype() {
                DType::F32 if on_gpu(&input) => softmax_on_gpu(&input, d, log),
                DType::F32 => softmax_of::<f32>(&input, d, log),
                DType::F64 => softmax_of::<f64>(&input, d, log),
                DType::F16 => softmax_of::<half::f16>(&input, d, log),
                DType::BF16 => softmax_of::<half::bf16>(&input, d, log),
                other => Err(not_implemented_msg(format!(
                    "\"{name}\" not implemented for '{}'",
                    other.scalar_type_name()
                ))),
            },
            |y| {
                Ok(if log {
                    softmax_grad::log_softmax_back(y, d)
                } else {
                    softmax_grad::softmax_back(y, d)
                })
            },
        )
    }
}

/// The name of PyTorch's CPU kernel, which its dtype error quotes.
fn kernel_name(log: bool, last_dim: bool) -> &'static str {
    match (log, last_dim) {
        (false, true) => "softmax_lastdim_kernel_impl",
        (false, false) => "softmax_kernel_impl",
        (true, true) => "log_softmax_lastdim_kernel_impl",
        (true, false) => "log_softmax_kernel_impl",
    }
}

fn on_gpu(t: &Tensor) -> bool {
    t.device().is_wgpu() && t.ndim() > 0 && t.numel() > 0
}

/// Softmax on the GPU, in one kernel (`wgpu::softmax`); the CPU's where that declines (a
/// tensor too large for one binding).
fn softmax_on_gpu(t: &Tensor, dim: usize, log: bool) -> Result<Tensor> {
    if let Some(out) = gpu_softmax::softmax(t, dim, log)? {
        return Ok(out);
    }
    softmax_of::<f32>(t, dim, log)
}

fn softmax_of<T: Real + Element + Send + Sync>(
    t: &Tensor,
    dim: usize,
    log: bool,
) -> Result<Tensor> {
    let shape = t.shape().to_vec();
    let (n, inner) = if shape.is_empty() {
        (1, 1)
    } else {
        (shape[dim], shape[dim + 1..].iter().product())
    };
    let src = t.contiguous()?;
    let mut out = vec![T::from_f64(0.0); src.numel()];
    {
        let data = src.storage().read();
        let buf = data.cpu()?;
        let start = src.storage_offset();
        let values = buf
            .as_slice::<T>()
            .get(start..start + src.numel())
            .ok_or_else(|| Error::runtime("softmax: the input's storage is too small"))?;
        kernel::softmax(values, &mut out, n, inner, log);
    }
    Tensor::from_vec(out, &shape)
}
