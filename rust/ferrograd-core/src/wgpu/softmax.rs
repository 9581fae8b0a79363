//! `softmax` and `log_softmax` of float32 along a dim in one kernel (`shaders/softmax.wgsl`):
//! each row's max, sum of exponentials and results without leaving the GPU's workgroup, where
//! composing them from the reductions and elementwise kernels took five passes.

use super::kernel::{dispatch, fill, template_key, Source};
use super::map::{around_dim, dense_operand, input_buffer, output_buffer};
use super::reduce::lanes;
use crate::device_scope::DeviceScope;
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::contiguous_strides;
use crate::tensor::Tensor;

const TEMPLATE: &str = concat!(
    include_str!("shaders/float.wgsl"),
    include_str!("shaders/math.wgsl"),
    include_str!("shaders/softmax.wgsl")
);

/// `softmax` (or `log_softmax`, `log`) of a float32 tensor along `dim`, as a new contiguous
/// tensor. None when the GPU cannot run it.
pub fn softmax(t: &Tensor, dim: usize, log: bool) -> Result<Option<Tensor>> {
    if t.dtype() != DType::F32 || t.ndim() == 0 {
        return Ok(None);
    }
    let Some(x) = dense_operand(t)? else {
        return Ok(None);
    };
    let shape = t.shape();
    let (rows, n, inner) = around_dim(shape, dim);
    let _on = DeviceScope::enter(t.device());
    let out = Tensor::uninit_dense(shape, &contiguous_strides(shape), DType::F32)?;
    if out.numel() == 0 {
        return Ok(Some(out));
    }
    let word = |v: usize| u32::try_from(v).ok();
    let meta = (|| {
        Some([
            word(rows)?,
            word(n)?,
            word(inner)?,
            word(x.storage_offset())?,
            u32::from(log),
        ])
    })();
    let Some(meta) = meta else {
        return Ok(None);
    };
    let lanes = lanes(n);
    let lanes_text = lanes.to_string();
    let pieces = [("{{LANES}}", lanes_text.as_str())];
    let write = || fill(TEMPLATE, &pieces);
    let source = Source::Keyed(template_key("softmax", &pieces), &write);
    let buffers = [output_buffer(&out, false)?, input_buffer(&x)?];
    let groups = (rows as u64).div_ceil(u64::from(256 / lanes));
    let name = if log { "log_softmax" } else { "softmax" };
    dispatch(
        name,
        source,
        &[&buffers[0], &buffers[1]],
        &meta,
        groups * 256,
    )?;
    Ok(Some(out))
}
