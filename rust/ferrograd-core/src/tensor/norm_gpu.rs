//! Batch norm's, layer norm's and group norm's forward on the GPU, composed from its kernels
//! (reductions and elementwise ops): the input seen as `canon` ((N, C, S), (rows, len) or
//! (N, G, C / G, S)), its
//! mean and biased variance over `stat_dims` (two passes: the variance of the centred values,
//! as the CPU's), then `(x - mean) * rstd * weight + bias`. The backward needs nothing more:
//! off the CPU it is the composed formula of `autograd::formulas::normalization`.

use super::elementwise::Arg;
use super::norm_layers::shape_i64;
use super::Tensor;
use crate::autograd::no_grad;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};

/// How one normalisation sees its input and parameters.
pub(super) struct NormShape<'a> {
    pub canon: &'a [i64],
    pub stat_dims: &'a [i64],
    /// The view of the weight and bias that broadcasts over `canon`.
    pub param_view: &'a [i64],
}

/// Whether the GPU path takes this input and these parameters: float32 GPU tensors, not empty.
pub(super) fn takes(x: &Tensor, params: &[Option<&Tensor>]) -> bool {
    let gpu_f32 = |t: &Tensor| t.device().is_wgpu() && t.dtype() == DType::F32;
    gpu_f32(x) && x.numel() > 0 && params.iter().flatten().all(|p| gpu_f32(p))
}

/// The batch statistics of `x`: (mean, biased variance), each keeping `canon`'s rank.
pub(super) fn moments(x: &Tensor, shape: &NormShape<'_>) -> Result<(Tensor, Tensor)> {
    let x = x.reshape(shape.canon)?;
    let mean = x.mean(Some(shape.stat_dims), true, None)?;
    let centred = x.binary(BinaryOp::Sub, &Arg::Tensor(mean.clone()), None)?;
    let square = centred.unary(UnaryOp::Square, None)?;
    let var = square.mean(Some(shape.stat_dims), true, None)?;
    Ok((mean, var))
}

/// `(out, mean, rstd)`: `x` normalised with `mean` and `var` (of `canon`'s rank, keepdim), then
/// scaled and shifted; `rstd = 1 / sqrt(var + eps)`.
pub(super) fn normalize(
    x: &Tensor,
    (mean, var): (Tensor, Tensor),
    shape: &NormShape<'_>,
    [weight, bias]: [Option<&Tensor>; 2],
    eps: f64,
) -> Result<(Tensor, Tensor, Tensor)> {
    let eps = Arg::Scalar(Scalar::Float(eps));
    let rstd = var
        .binary(BinaryOp::Add, &eps, None)?
        .unary(UnaryOp::Rsqrt, None)?;
    let x = x.reshape(shape.canon)?;
    let centred = x.binary(BinaryOp::Sub, &Arg::Tensor(mean.clone()), None)?;
    let mut out = centred.binary(BinaryOp::Mul, &Arg::Tensor(rstd.clone()), None)?;
    for (param, op) in [(weight, BinaryOp::Mul), (bias, BinaryOp::Add)] {
        if let Some(p) = param {
            let p = Arg::Tensor(p.detach().reshape(shape.param_view)?);
            out = out.binary(op, &p, None)?;
        }
    }
    Ok((out, mean, rstd))
}

/// `running = (1 - momentum) * running + momentum * batch`, in place and unrecorded, from a
/// batch statistic of any shape with the running one's elements.
pub(super) fn update_running(running: &Tensor, batch: &Tensor, momentum: f64) -> Result<()> {
    let keep = Arg::Scalar(Scalar::Float(1.0 - momentum));
    let take = Arg::Scalar(Scalar::Float(momentum));
    let batch = batch.reshape(&shape_i64(running.shape()))?;
    let new = running.binary(BinaryOp::Mul, &keep, None)?.binary(
        BinaryOp::Add,
        &Arg::Tensor(batch.binary(BinaryOp::Mul, &take, None)?),
        None,
    )?;
    no_grad(|| running.copy_(&new))?;
    Ok(())
}
