//! `batch_norm`: normalise each channel of an `(N, C, *)` input over the batch and the
//! spatial dims. In training the batch statistics are used (the biased variance) and the
//! running statistics, when given, move towards them in place (with the unbiased variance);
//! in evaluation the running statistics are used as they are.

use super::elementwise::Arg;
use super::norm_gpu::{self, NormShape};
use super::norm_layers::{
    check_float, dispatch, new_output, norm_inputs, param_values, shape_i64, stats_tensors,
    take_stats, with_output, with_values, StatsCell,
};
use super::Tensor;
use crate::autograd::formulas::normalization::{norm_back, NormFamily, NormView};
use crate::autograd::{no_grad, tracked};
use crate::cpu::norm::{channel_moments, scale_shift_planes, Moments};
use crate::cpu::reduce_stats::Real;
use crate::dtype::{Element, Scalar};
use crate::error::{Error, Result};
use crate::op::BinaryOp;

/// The running statistics of a batch norm and how they are used.
#[derive(Clone, Copy)]
pub struct RunningStats<'a> {
    pub mean: Option<&'a Tensor>,
    pub var: Option<&'a Tensor>,
    /// Use (and update) batch statistics rather than the running ones.
    pub training: bool,
    pub momentum: f64,
}

impl Tensor {
    /// `batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)`.
    pub fn batch_norm(
        &self,
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        running: RunningStats<'_>,
        eps: f64,
    ) -> Result<Tensor> {
        if self.ndim() < 2 {
            return Err(Error::DimOutOfRange {
                dim: 1,
                ndim: self.ndim(),
            });
        }
        let shape = self.shape().to_vec();
        let (batch, channels) = (shape[0], shape[1]);
        let plane: usize = shape[2..].iter().product();
        let named = [
            ("running_mean", running.mean),
            ("running_var", running.var),
            ("weight", weight),
            ("bias", bias),
        ];
        for (name, p) in named {
            if let Some(p) = p.filter(|p| p.numel() != channels) {
                return Err(Error::runtime(format!(
                    "{name} should contain {channels} elements not {}",
                    p.numel()
                )));
            }
        }
        if !running.training {
            for (name, p) in [("running_mean", running.mean), ("running_var", running.var)] {
                if p.is_none() {
                    return Err(Error::runtime(format!(
                        "{name} must be defined in evaluation mode"
                    )));
                }
            }
        }
        check_float(self, "batch_norm")?;
        let stats = StatsCell::default();
        let (n, c, s) = (batch as i64, channels as i64, plane as i64);
        let view = NormView {
            family: NormFamily::Batch,
            canon: vec![n, c, s],
            param_view: vec![1, c, 1],
            stat_dims: vec![0, 2],
            param_sum_dims: vec![0, 2],
            batch_stats: running.training,
            eps,
        };
        let params = [weight, bias, running.mean, running.var];
        tracked(
            &norm_inputs(self, weight, bias),
            || {
                if norm_gpu::takes(self, &params) {
                    let (out, mean, rstd) =
                        batch_norm_on_gpu(self, [weight, bias], running, [n, c, s], eps)?;
                    *stats.borrow_mut() = Some((mean, rstd));
                    return out.reshape(&shape_i64(self.shape()));
                }
                let x = self.contiguous()?;
                let moments = if running.training {
                    let m = dispatch!(self.dtype(), "batch_norm", T => {
                        with_values::<T, _>(&x, |xs| channel_moments(xs, batch, channels, plane))
                    })?;
                    update_running(running, &m, batch * plane)?;
                    m
                } else {
                    running_moments(running)?
                };
                let w = param_values(weight, self)?;
                let b = param_values(bias, self)?;
                let (out, mean, rstd) = dispatch!(self.dtype(), "batch_norm", T => {
                    apply::<T>(&x, &moments, batch, plane, &w, &b, eps)
                })?;
                *stats.borrow_mut() = Some((mean, rstd));
                Ok(out)
            },
            |_| {
                let (mean, rstd) = take_stats(&stats)?;
                Ok(norm_back(
                    "NativeBatchNormBackward0",
                    self,
                    weight,
                    bias.map(|b| shape_i64(b.shape())),
                    mean,
                    rstd,
                    view,
                ))
            },
        )
    }
}

/// `(out, mean, rstd)` from the GPU's kernels (`norm_gpu`), the input seen as `(n, c, s)`.
fn batch_norm_on_gpu(
    x: &Tensor,
    params: [Option<&Tensor>; 2],
    running: RunningStats<'_>,
    [n, c, s]: [i64; 3],
    eps: f64,
) -> Result<(Tensor, Tensor, Tensor)> {
    let shape = NormShape {
        canon: &[n, c, s],
        stat_dims: &[0, 2],
        param_view: &[1, c, 1],
    };
    let moments = match (running.training, running.mean, running.var) {
        (false, Some(mean), Some(var)) => (mean.reshape(&[1, c, 1])?, var.reshape(&[1, c, 1])?),
        (false, ..) => {
            return Err(Error::runtime(
                "running_mean must be defined in evaluation mode",
            ))
        }
        (true, ..) => {
            let (mean, var) = norm_gpu::moments(x, &shape)?;
            let count = (n * s) as f64;
            if let Some(target) = running.mean {
                norm_gpu::update_running(target, &mean, running.momentum)?;
            }
            if let Some(target) = running.var {
                let unbias = Arg::Scalar(Scalar::Float(count / (count - 1.0)));
                let unbiased = var.binary(BinaryOp::Mul, &unbias, None)?;
                norm_gpu::update_running(target, &unbiased, running.momentum)?;
            }
            (mean, var)
        }
    };
    norm_gpu::normalize(x, moments, &shape, params, eps)
}

/// The running statistics as moments (evaluation mode).
fn running_moments(running: RunningStats<'_>) -> Result<Vec<Moments>> {
    let (Some(mean), Some(var)) = (running.mean, running.var) else {
        return Err(Error::runtime(
            "running_mean must be defined in evaluation mode",
        ));
    };
    let (mean, var) = (mean.to_vec::<f64>()?, var.to_vec::<f64>()?);
    Ok(mean
        .into_iter()
        .zip(var)
        .map(|(mean, var)| Moments { mean, var })
        .collect())
}

/// `running = (1 - momentum) * running + momentum * batch`, in place and unrecorded; the
/// variance that goes in is the unbiased one (`var * count / (count - 1)`).
fn update_running(running: RunningStats<'_>, batch: &[Moments], count: usize) -> Result<()> {
    let m = running.momentum;
    let unbias = count as f64 / (count as f64 - 1.0);
    let targets = [
        (
            running.mean,
            batch.iter().map(|b| b.mean).collect::<Vec<_>>(),
        ),
        (running.var, batch.iter().map(|b| b.var * unbias).collect()),
    ];
    for (target, values) in targets {
        let Some(target) = target else { continue };
        let old = target.to_vec::<f64>()?;
        let new: Vec<f64> = old
            .iter()
            .zip(&values)
            .map(|(&r, &v)| (1.0 - m) * r + m * v)
            .collect();
        let new = Tensor::from_vec(new, target.shape())?.to_dtype(target.dtype())?;
        no_grad(|| target.copy_(&new))?;
    }
    Ok(())
}

/// `(x - mean) * rstd * weight + bias` per channel, with the statistics tensors for backward.
fn apply<T: Real + Element>(
    x: &Tensor,
    moments: &[Moments],
    batch: usize,
    plane: usize,
    weight: &Option<Vec<f64>>,
    bias: &Option<Vec<f64>>,
    eps: f64,
) -> Result<(Tensor, Tensor, Tensor)> {
    let channels = moments.len();
    let (mut scale, mut shift) = (Vec::new(), Vec::new());
    for c in 0..channels {
        let a = moments[c].rstd(eps) * weight.as_ref().map_or(1.0, |w| w[c]);
        scale.push(a);
        shift.push(bias.as_ref().map_or(0.0, |b| b[c]) - moments[c].mean * a);
    }
    // One scale and shift per (sample, channel) plane.
    let scale = scale.repeat(batch);
    let shift = shift.repeat(batch);
    let out = new_output::<T>(x.shape())?;
    with_values::<T, _>(x, |xs| {
        with_output::<T, _>(&out, |o| scale_shift_planes(xs, o, plane, &scale, &shift))
    })??;
    let (mean, rstd) = stats_tensors::<T>(moments, eps, &[1, channels, 1])?;
    Ok((out, mean, rstd))
}
