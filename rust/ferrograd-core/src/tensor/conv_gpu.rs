//! The convolution primitives of `conv_ops.rs` on the GPU, as column matrices and matrix
//! products: im2col/col2im kernels (`wgpu/unfold.rs`) around the tiled matmul kernel, per
//! group, with the batch folded into the products.
//!
//! Each returns None (nothing done) when the GPU cannot run it (not float32, or too large), and
//! the caller runs the CPU kernel. They run inside the primitives' recorded ops (no grad).

use super::Tensor;
use crate::cpu::conv_gemm::ConvShape;
use crate::dtype::DType;
use crate::error::Result;
use crate::op::BinaryOp;
use crate::tensor::elementwise::Arg;
use crate::wgpu::unfold;

fn dims(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// Whether every operand is a float32 GPU tensor.
fn on_gpu(tensors: &[Option<&Tensor>]) -> bool {
    tensors
        .iter()
        .flatten()
        .all(|t| t.device().is_wgpu() && t.dtype() == DType::F32)
}

/// `t + bias` with the per-channel `bias` broadcast over dim 1.
fn add_bias(t: Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
    let Some(bias) = bias else {
        return Ok(t);
    };
    let mut shape = vec![1, bias.numel() as i64];
    shape.resize(t.ndim(), 1);
    t.binary(BinaryOp::Add, &Arg::Tensor(bias.reshape(&shape)?), None)
}

/// `y = conv(x, w) + b`: per sample and group, `w (c_out/g, c_in/g * K) @ cols`.
pub(crate) fn forward(
    x: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    shape: &ConvShape,
) -> Result<Option<Tensor>> {
    if !on_gpu(&[Some(x), Some(w), b]) {
        return Ok(None);
    }
    let Some(cols) = unfold::im2col(x, &shape.geometry)? else {
        return Ok(None);
    };
    let g = shape.groups;
    let (n, rows) = (
        shape.batch,
        shape.x_channels / g * shape.geometry.kernel_numel(),
    );
    let windows = shape.geometry.output_numel();
    let weights = w.reshape(&dims(&[g, shape.y_channels / g, rows]))?;
    let cols = cols.reshape(&dims(&[n, g, rows, windows]))?;
    let mut y_shape = vec![n, shape.y_channels];
    y_shape.extend(&shape.geometry.output);
    let y = weights.matmul(&cols)?.reshape(&dims(&y_shape))?;
    add_bias(y, b).map(Some)
}

/// `x = conv_transpose(y, w) + b`: the columns `w^T @ y` per sample and group, summed back
/// into the input's shape.
pub(crate) fn backward_input(
    y: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    shape: &ConvShape,
) -> Result<Option<Tensor>> {
    if !on_gpu(&[Some(y), Some(w), b]) {
        return Ok(None);
    }
    let g = shape.groups;
    let (n, rows) = (
        shape.batch,
        shape.x_channels / g * shape.geometry.kernel_numel(),
    );
    let windows = shape.geometry.output_numel();
    let weights = w
        .reshape(&dims(&[g, shape.y_channels / g, rows]))?
        .transpose(1, 2)?;
    let grads = y.reshape(&dims(&[n, g, shape.y_channels / g, windows]))?;
    let cols = weights.matmul(&grads)?.reshape(&dims(&[
        n,
        shape.x_channels * shape.geometry.kernel_numel(),
        windows,
    ]))?;
    let Some(x) = unfold::col2im(&cols, shape.x_channels, &shape.geometry)? else {
        return Ok(None);
    };
    add_bias(x, b).map(Some)
}

/// `w = weight_grad(x, y)`: per group, `y (c_out/g, n * L) @ cols^T (n * L, c_in/g * K)`, the
/// batch folded into the products' inner dim.
pub(crate) fn backward_weight(
    x: &Tensor,
    y: &Tensor,
    w_shape: &[usize],
    shape: &ConvShape,
) -> Result<Option<Tensor>> {
    if !on_gpu(&[Some(x), Some(y)]) {
        return Ok(None);
    }
    let Some(cols) = unfold::im2col(x, &shape.geometry)? else {
        return Ok(None);
    };
    let g = shape.groups;
    let (n, rows) = (
        shape.batch,
        shape.x_channels / g * shape.geometry.kernel_numel(),
    );
    let windows = shape.geometry.output_numel();
    let inner = (n * windows) as i64;
    let grads = y
        .reshape(&dims(&[n, g, shape.y_channels / g, windows]))?
        .permute(&[1, 2, 0, 3])?
        .reshape(&[g as i64, (shape.y_channels / g) as i64, inner])?;
    let cols = cols
        .reshape(&dims(&[n, g, rows, windows]))?
        .permute(&[1, 0, 3, 2])?
        .reshape(&[g as i64, inner, rows as i64])?;
    grads.matmul(&cols)?.reshape(&dims(w_shape)).map(Some)
}
