//! `softmax` and `log_softmax` of float32 along a dim in one kernel (`shaders/softmax.wgsl`):
//! each row's max, sum of exponentials and results without leaving the GPU's workgroup, where
//! composing them from the reductions and elementwise kernels took five passes. Their
//! gradients likewise (`shaders/softmax_backward.wgsl`): the row's sum and the results in one
//! kernel, where the composed formula took four.

use super::bindings::{around_dim, dense_operand, input_buffer, output_buffer};
use super::kernel::{dispatch, fill, template_key, Source};
use super::reduce::lanes;
use crate::device_scope::DeviceScope;
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::contiguous_strides;
use crate::tensor::Tensor;

/// A row kernel: its pipeline cache key and its template.
type RowKernel = (&'static str, &'static str);

const FORWARD: RowKernel = (
    "softmax",
    concat!(
        include_str!("shaders/float.wgsl"),
        include_str!("shaders/math.wgsl"),
        include_str!("shaders/row_fold.wgsl"),
        include_str!("shaders/softmax.wgsl")
    ),
);

const BACKWARD: RowKernel = (
    "softmax_backward",
    concat!(
        include_str!("shaders/float.wgsl"),
        include_str!("shaders/math.wgsl"),
        include_str!("shaders/row_fold.wgsl"),
        include_str!("shaders/softmax_backward.wgsl")
    ),
);

/// `softmax` (or `log_softmax`, `log`) of a float32 tensor along `dim`, as a new contiguous
/// tensor. None when the GPU cannot run it.
pub fn softmax(t: &Tensor, dim: usize, log: bool) -> Result<Option<Tensor>> {
    let name = if log { "log_softmax" } else { "softmax" };
    rows(name, FORWARD, &[t], dim, log)
}

/// The gradient of `softmax` (or `log_softmax`, `log`) along `dim` from its result `y` and
/// the incoming gradient `g` (float32, of `y`'s shape), as a new contiguous tensor. None when
/// the GPU cannot run it.
pub fn softmax_backward(y: &Tensor, g: &Tensor, dim: usize, log: bool) -> Result<Option<Tensor>> {
    if g.dtype() != DType::F32 || g.shape() != y.shape() {
        return Ok(None);
    }
    let name = if log {
        "log_softmax_backward"
    } else {
        "softmax_backward"
    };
    rows(name, BACKWARD, &[y, g], dim, log)
}

/// Runs the row kernel `kernel` over `inputs` (float32, of one shape, each read from its
/// offset once made dense) along `dim`, into a new contiguous tensor of their shape.
fn rows(
    name: &str,
    (key, template): RowKernel,
    inputs: &[&Tensor],
    dim: usize,
    log: bool,
) -> Result<Option<Tensor>> {
    let first = inputs[0];
    if first.dtype() != DType::F32 || first.ndim() == 0 {
        return Ok(None);
    }
    let mut dense = Vec::with_capacity(inputs.len());
    for t in inputs {
        let Some(x) = dense_operand(t)? else {
            return Ok(None);
        };
        dense.push(x);
    }
    let shape = first.shape();
    let (rows, n, inner) = around_dim(shape, dim);
    let _on = DeviceScope::enter(first.device());
    let out = Tensor::uninit_dense(shape, &contiguous_strides(shape), DType::F32)?;
    if out.numel() == 0 {
        return Ok(Some(out));
    }
    let word = |v: usize| u32::try_from(v).ok();
    let Some(mut meta) = (|| Some(vec![word(rows)?, word(n)?, word(inner)?]))() else {
        return Ok(None);
    };
    meta.extend(dense.iter().map(|x| x.storage_offset() as u32));
    meta.push(u32::from(log));
    let lanes = lanes(n);
    let lanes_text = lanes.to_string();
    let pieces = [("{{LANES}}", lanes_text.as_str())];
    let write = || fill(template, &pieces);
    let source = Source::Keyed(template_key(key, &pieces), &write);
    let mut buffers = vec![output_buffer(&out, false)?];
    for x in &dense {
        buffers.push(input_buffer(x)?);
    }
    let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
    let groups = (rows as u64).div_ceil(u64::from(256 / lanes));
    dispatch(name, source, &refs, &meta, groups * 256)?;
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Device;
    use crate::op::{BinaryOp, UnaryOp};
    use crate::tensor::Arg;
    use crate::wgpu::gpu_present;

    /// The fused gradients equal the composed formulas' (the CPU's) on a row of every width.
    #[test]
    fn fused_gradients_match_the_composed_formulas() -> Result<()> {
        if !gpu_present() {
            return Ok(());
        }
        let gpu = Device::Wgpu(0);
        for n in [3usize, 40, 700] {
            let x: Vec<f32> = (0..2 * n)
                .map(|i| ((i * 37) % 23) as f32 * 0.3 - 3.0)
                .collect();
            let g: Vec<f32> = (0..2 * n).map(|i| ((i * 11) % 7) as f32 - 3.0).collect();
            let x = Tensor::from_vec(x, &[2, n])?;
            let g = Tensor::from_vec(g, &[2, n])?;
            for log in [false, true] {
                let y = if log {
                    x.log_softmax(1, None)?
                } else {
                    x.softmax(1, None)?
                };
                let (y_gpu, g_gpu) = (y.to_device(gpu)?, g.to_device(gpu)?);
                let fused = softmax_backward(&y_gpu, &g_gpu, 1, log)?.expect("runs on the GPU");
                let sum = |t: &Tensor| Ok(Arg::Tensor(t.sum(Some(&[1]), true, None)?));
                let (mul, sub) = (BinaryOp::Mul, BinaryOp::Sub);
                let composed = if log {
                    let p = y.unary(UnaryOp::Exp, None)?.binary(mul, &sum(&g)?, None)?;
                    g.binary(sub, &Arg::Tensor(p), None)?
                } else {
                    let gy = g.binary(mul, &Arg::Tensor(y.clone()), None)?;
                    let p = y.binary(mul, &sum(&gy)?, None)?;
                    gy.binary(sub, &Arg::Tensor(p), None)?
                };
                let fused = fused.to_device(Device::Cpu)?.to_vec::<f32>()?;
                for (a, b) in fused.iter().zip(composed.to_vec::<f32>()?) {
                    assert!(
                        (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
                        "{a} vs {b} (log {log})"
                    );
                }
            }
        }
        Ok(())
    }
}
