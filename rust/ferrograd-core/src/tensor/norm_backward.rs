//! The fused first-order backward of layer, group and batch norm as Tensor ops that are not
//! recorded (PyTorch's `native_layer_norm_backward`, `native_group_norm_backward` and
//! `native_batch_norm_backward`): `self` is the gradient of the output, and `output_mask` says
//! which of `(grad_input, grad_weight, grad_bias)` to compute. Each runs the CPU kernels of
//! `cpu::norm_backward` in two passes over the data, where the composed Tensor-op formula of
//! `autograd::formulas::normalization` takes about eight. The gradients have the input's dtype;
//! those of the parameters have shape `normalized_shape` (layer norm) or `(C,)`.

use super::norm_layers::{dispatch, new_output, with_output, with_values};
use super::Tensor;
use crate::autograd::no_grad;
use crate::cpu::norm_backward::{layer_norm_backward, planes_backward, ParamGrads, Planes};
use crate::dtype::{DType, Element};
use crate::error::{shape_str, Error, Result};
use crate::op::not_implemented_msg;

/// `(grad_input, grad_weight, grad_bias)`, each present when its mask entry is set.
pub type NormGrads = (Option<Tensor>, Option<Tensor>, Option<Tensor>);

impl Tensor {
    /// `native_layer_norm_backward(grad_out, input, normalized_shape, mean, rstd, weight,
    /// output_mask)`: `mean` and `rstd` hold one value per row of `normalized_shape`'s size.
    pub fn native_layer_norm_backward(
        &self,
        input: &Tensor,
        normalized_shape: &[usize],
        mean: &Tensor,
        rstd: &Tensor,
        weight: Option<&Tensor>,
        output_mask: [bool; 3],
    ) -> Result<NormGrads> {
        let shape = input.shape();
        let lead = shape.len().checked_sub(normalized_shape.len());
        if lead.is_none_or(|lead| &shape[lead..] != normalized_shape) {
            return Err(Error::runtime(format!(
                "native_layer_norm_backward: input of shape {} does not end in \
                 normalized_shape {}",
                shape_str(shape),
                shape_str(normalized_shape)
            )));
        }
        let row_len: usize = normalized_shape.iter().product();
        let rows: usize = shape[..lead.unwrap_or(0)].iter().product();
        let stats = Stats::read(mean, rstd, rows, "native_layer_norm_backward")?;
        let w = param_values(weight, row_len, "native_layer_norm_backward")?;
        let (g, x) = operands(self, input, "native_layer_norm_backward")?;
        let want_params = output_mask[1] || output_mask[2];
        let pairs: Vec<(f64, f64)> = stats.mean.into_iter().zip(stats.rstd).collect();
        let (dx, params) = dispatch!(x.dtype(), "native_layer_norm_backward", T => {
            run_kernel::<T>(&g, &x, output_mask[0], |gs, xs, dx| {
                layer_norm_backward(gs, xs, row_len, &pairs, w.as_deref(), dx, want_params)
            })
        })?;
        param_tensors(dx, params, normalized_shape, x.dtype(), output_mask)
    }

    /// `native_group_norm_backward(grad_out, input, mean, rstd, weight, groups,
    /// output_mask)` for an `(N, C, *)` input: `mean` and `rstd` hold `N * groups` values.
    pub fn native_group_norm_backward(
        &self,
        input: &Tensor,
        mean: &Tensor,
        rstd: &Tensor,
        weight: Option<&Tensor>,
        groups: usize,
        output_mask: [bool; 3],
    ) -> Result<NormGrads> {
        let planes = planes_of(input, Some(groups), "native_group_norm_backward")?;
        let count = planes.batch * groups;
        let stats = Stats::read(mean, rstd, count, "native_group_norm_backward")?;
        let op = "native_group_norm_backward";
        planes_grads(self, input, planes, (stats, weight, true), output_mask, op)
    }

    /// `native_batch_norm_backward(grad_out, input, weight, mean, rstd, train, output_mask)`
    /// for an `(N, C, *)` input: `mean` and `rstd` hold one value per channel, the batch's
    /// (`train`) or the running statistics' (evaluation, where `dx = g * weight * rstd`).
    pub fn native_batch_norm_backward(
        &self,
        input: &Tensor,
        weight: Option<&Tensor>,
        mean: &Tensor,
        rstd: &Tensor,
        train: bool,
        output_mask: [bool; 3],
    ) -> Result<NormGrads> {
        let planes = planes_of(input, None, "native_batch_norm_backward")?;
        let stats = Stats::read(mean, rstd, planes.channels, "native_batch_norm_backward")?;
        let op = "native_batch_norm_backward";
        planes_grads(self, input, planes, (stats, weight, train), output_mask, op)
    }
}

/// The saved statistics, read out in float64.
struct Stats {
    mean: Vec<f64>,
    rstd: Vec<f64>,
}

impl Stats {
    fn read(mean: &Tensor, rstd: &Tensor, count: usize, op: &str) -> Result<Stats> {
        for t in [mean, rstd] {
            if t.numel() != count {
                return Err(Error::runtime(format!(
                    "{op}: expected {count} saved statistics, got a tensor of shape {}",
                    shape_str(t.shape())
                )));
            }
        }
        Ok(Stats {
            mean: mean.to_vec()?,
            rstd: rstd.to_vec()?,
        })
    }
}

/// A parameter's values in float64, checked to hold `len` of them.
fn param_values(p: Option<&Tensor>, len: usize, op: &str) -> Result<Option<Vec<f64>>> {
    let Some(p) = p else { return Ok(None) };
    if p.numel() != len {
        return Err(Error::runtime(format!(
            "{op}: expected a weight of {len} elements, got shape {}",
            shape_str(p.shape())
        )));
    }
    p.to_vec().map(Some)
}

/// The `(N, C, plane)` view of an input of shape `(N, C, *)`.
fn planes_of(input: &Tensor, groups: Option<usize>, op: &str) -> Result<Planes> {
    let shape = input.shape();
    if shape.len() < 2 || groups.is_some_and(|g| g == 0 || shape[1] % g != 0) {
        return Err(Error::runtime(format!(
            "{op}: expected an input of shape (N, C, *) with C divisible by the groups, got {}",
            shape_str(shape)
        )));
    }
    Ok(Planes {
        batch: shape[0],
        channels: shape[1],
        plane: shape[2..].iter().product(),
        groups,
    })
}

/// The gradient and the input as contiguous buffers of one float dtype (the gradient cast to
/// the input's), on separate storages so that each is locked once.
fn operands(grad: &Tensor, input: &Tensor, op: &str) -> Result<(Tensor, Tensor)> {
    if grad.shape() != input.shape() {
        return Err(Error::runtime(format!(
            "{op}: the gradient's shape {} differs from the input's {}",
            shape_str(grad.shape()),
            shape_str(input.shape())
        )));
    }
    if !input.dtype().is_floating_point() {
        return Err(not_implemented_msg(format!(
            "\"{op}\" not implemented for '{}'",
            input.dtype().scalar_type_name()
        )));
    }
    no_grad(|| {
        let x = input.contiguous()?;
        let mut g = grad.to_dtype(x.dtype())?.contiguous()?;
        if g.storage().same(x.storage()) {
            g = g.deep_clone()?;
        }
        Ok((g, x))
    })
}

/// Runs a kernel over the values of `g` and `x`, handing it a new `dx` buffer when `want_dx`.
fn run_kernel<T: Element>(
    g: &Tensor,
    x: &Tensor,
    want_dx: bool,
    kernel: impl FnOnce(&[T], &[T], Option<&mut [T]>) -> ParamGrads,
) -> Result<(Option<Tensor>, ParamGrads)> {
    let dx = want_dx.then(|| new_output::<T>(x.shape())).transpose()?;
    // Three storages to lock, each of which can fail: three `?`.
    let params = with_values::<T, _>(g, |gs| {
        with_values::<T, _>(x, |xs| match &dx {
            Some(dx) => with_output(dx, |dx| kernel(gs, xs, Some(dx))),
            None => Ok(kernel(gs, xs, None)),
        })
    })???;
    Ok((dx, params))
}

/// The group or batch norm backward on the CPU kernels.
/// `saved` is the statistics, the weight and whether the statistics are the batch's.
fn planes_grads(
    grad: &Tensor,
    input: &Tensor,
    planes: Planes,
    (stats, weight, batch_stats): (Stats, Option<&Tensor>, bool),
    output_mask: [bool; 3],
    op: &str,
) -> Result<NormGrads> {
    let w = param_values(weight, planes.channels, op)?;
    let (g, x) = operands(grad, input, op)?;
    let want_params = output_mask[1] || output_mask[2];
    let (dx, params) = dispatch!(x.dtype(), op, T => {
        run_kernel::<T>(&g, &x, output_mask[0], |gs, xs, dx| {
            let (mean, rstd) = (&stats.mean, &stats.rstd);
            planes_backward(gs, xs, planes, mean, rstd, w.as_deref(), batch_stats, dx, want_params)
        })
    })?;
    param_tensors(dx, params, &[planes.channels], x.dtype(), output_mask)
}

/// The three results, the parameter gradients as tensors of `shape` and `dtype`.
fn param_tensors(
    dx: Option<Tensor>,
    params: ParamGrads,
    shape: &[usize],
    dtype: DType,
    output_mask: [bool; 3],
) -> Result<NormGrads> {
    let Some((dw, db)) = params else {
        return Ok((dx, None, None));
    };
    let tensor = |v: Vec<f64>, wanted: bool| -> Result<Option<Tensor>> {
        wanted
            .then(|| Tensor::from_vec(v, shape).and_then(|t| t.to_dtype(dtype)))
            .transpose()
    };
    Ok((dx, tensor(dw, output_mask[1])?, tensor(db, output_mask[2])?))
}
