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

/// The convolution as matrix products: per sample and group, `weights (c_out/g, rows) @
/// cols (rows, windows)`, where rows = c_in/g * kernel_numel.
struct Gemm {
    groups: usize,
    batch: usize,
    rows: usize,
    windows: usize,
    out_per_group: usize,
}

impl Gemm {
    fn of(shape: &ConvShape) -> Gemm {
        let groups = shape.groups;
        Gemm {
            groups,
            batch: shape.batch,
            rows: shape.x_channels / groups * shape.geometry.kernel_numel(),
            windows: shape.geometry.output_numel(),
            out_per_group: shape.y_channels / groups,
        }
    }

    /// The weights as `(groups, c_out/g, rows)`.
    fn weights(&self, w: &Tensor) -> Result<Tensor> {
        w.reshape(&dims(&[self.groups, self.out_per_group, self.rows]))
    }

    /// An output-shaped tensor (`(n, c_out, out...)`) as `(n, groups, c_out/g, windows)`.
    fn outputs(&self, y: &Tensor) -> Result<Tensor> {
        y.reshape(&dims(&[
            self.batch,
            self.groups,
            self.out_per_group,
            self.windows,
        ]))
    }

    /// Column matrices (`(n, c_in * K, windows)`) as `(n, groups, rows, windows)`.
    fn columns(&self, cols: &Tensor) -> Result<Tensor> {
        cols.reshape(&dims(&[self.batch, self.groups, self.rows, self.windows]))
    }
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
    let gemm = Gemm::of(shape);
    let mut y_shape = vec![shape.batch, shape.y_channels];
    y_shape.extend(&shape.geometry.output);
    let y = gemm.weights(w)?.matmul(&gemm.columns(&cols)?)?;
    add_bias(y.reshape(&dims(&y_shape))?, b).map(Some)
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
    let gemm = Gemm::of(shape);
    let cols_shape = [
        gemm.batch,
        shape.x_channels * shape.geometry.kernel_numel(),
        gemm.windows,
    ];
    let cols = gemm
        .weights(w)?
        .transpose(1, 2)?
        .matmul(&gemm.outputs(y)?)?
        .reshape(&dims(&cols_shape))?;
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
    let gemm = Gemm::of(shape);
    let inner = gemm.batch * gemm.windows;
    let grads = gemm.outputs(y)?.permute(&[1, 2, 0, 3])?.reshape(&dims(&[
        gemm.groups,
        gemm.out_per_group,
        inner,
    ]))?;
    let cols = gemm
        .columns(&cols)?
        .permute(&[1, 0, 3, 2])?
        .reshape(&dims(&[gemm.groups, inner, gemm.rows]))?;
    grads.matmul(&cols)?.reshape(&dims(w_shape)).map(Some)
}
