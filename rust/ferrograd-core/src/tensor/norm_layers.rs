//! `layer_norm` and `group_norm`: normalise each sample over its trailing dims (layer norm) or
//! over groups of channels (group norm) to zero mean and unit variance, then apply the
//! optional per-element or per-channel affine parameters. Batch norm is in `batch_norm.rs`.

use std::cell::RefCell;

use super::norm_gpu::{self, NormShape};
use super::Tensor;
use crate::autograd::formulas::normalization::{norm_back, NormFamily, NormView};
use crate::autograd::tracked;
use crate::cpu::norm::{layer_norm_rows, row_moments, scale_shift_planes, Moments};
use crate::cpu::reduce_stats::Real;
use crate::dtype::{DType, Element};
use crate::error::{shape_str, Error, Result};
use crate::op::not_implemented_msg;
use crate::shape::contiguous_strides;

/// The saved statistics of a forward pass, handed from the forward to its backward node.
pub(crate) type StatsCell = RefCell<Option<(Tensor, Tensor)>>;

/// Runs `$body` with `$t` bound to the element type of a floating dtype; other dtypes get
/// PyTorch's NotImplementedError naming its kernel. (Paths are absolute so that any module
/// can use it.)
macro_rules! dispatch {
    ($dtype:expr, $kernel:expr, $t:ident => $body:expr) => {
        match $dtype {
            $crate::dtype::DType::F32 => {
                type $t = f32;
                $body
            }
            $crate::dtype::DType::F64 => {
                type $t = f64;
                $body
            }
            $crate::dtype::DType::F16 => {
                type $t = half::f16;
                $body
            }
            $crate::dtype::DType::BF16 => {
                type $t = half::bf16;
                $body
            }
            other => Err($crate::op::not_implemented_msg(format!(
                "\"{}\" not implemented for '{}'",
                $kernel,
                other.scalar_type_name()
            ))),
        }
    };
}
pub(crate) use dispatch;

impl Tensor {
    /// `layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05)`.
    pub fn layer_norm(
        &self,
        normalized_shape: &[usize],
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        eps: f64,
    ) -> Result<Tensor> {
        let norm_str = shape_str(normalized_shape);
        if normalized_shape.is_empty() {
            return Err(Error::runtime(format!(
                "Expected normalized_shape to be at least 1-dimensional, i.e., containing at \
                 least one element, but got normalized_shape = {norm_str}"
            )));
        }
        for (name, p) in [("weight", weight), ("bias", bias)] {
            if let Some(p) = p.filter(|p| p.shape() != normalized_shape) {
                return Err(Error::runtime(format!(
                    "Expected {name} to be of same shape as normalized_shape, but got {name} of \
                     shape {} and normalized_shape = {norm_str}",
                    shape_str(p.shape())
                )));
            }
        }
        let shape = self.shape();
        let lead = shape.len().checked_sub(normalized_shape.len());
        if lead.is_none_or(|lead| &shape[lead..] != normalized_shape) {
            return Err(Error::runtime(format!(
                "Given normalized_shape={norm_str}, expected input with shape [*, {}], but got \
                 input of size{}",
                &norm_str[1..norm_str.len() - 1],
                shape_str(shape)
            )));
        }
        check_float(self, "LayerNormKernelImpl")?;
        let row_len: usize = normalized_shape.iter().product();
        let rows: usize = shape[..lead.unwrap_or(0)].iter().product();
        let stats = StatsCell::default();
        let view = NormView {
            family: NormFamily::Layer {
                normalized_shape: normalized_shape.to_vec(),
            },
            canon: vec![rows as i64, row_len as i64],
            param_view: vec![1, row_len as i64],
            stat_dims: vec![1],
            param_sum_dims: vec![0],
            batch_stats: true,
            eps,
        };
        tracked(
            &norm_inputs(self, weight, bias),
            || {
                if norm_gpu::takes(self, &[weight, bias]) {
                    let len = row_len as i64;
                    let shape = NormShape {
                        canon: &[rows as i64, len],
                        stat_dims: &[1],
                        param_view: &[1, len],
                    };
                    let moments = norm_gpu::moments(self, &shape)?;
                    let (out, mean, rstd) =
                        norm_gpu::normalize(self, moments, &shape, [weight, bias], eps)?;
                    *stats.borrow_mut() = Some((mean, rstd));
                    return out.reshape(&shape_i64(self.shape()));
                }
                let w = param_like(weight, self)?;
                let b = param_like(bias, self)?;
                let (out, mean, rstd) = dispatch!(self.dtype(), "LayerNormKernelImpl", T => {
                    layer_norm_of::<T>(self, rows, row_len, w.as_ref(), b.as_ref(), eps)
                })?;
                *stats.borrow_mut() = Some((mean, rstd));
                Ok(out)
            },
            |_| {
                let (mean, rstd) = take_stats(&stats)?;
                Ok(norm_back(
                    "NativeLayerNormBackward0",
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

    /// `group_norm(input, num_groups, weight=None, bias=None, eps=1e-05)` for an input of
    /// shape `(N, C, *)`: the statistics are taken over each group of `C / num_groups`
    /// channels of each sample; `weight` and `bias` have one value per channel.
    pub fn group_norm(
        &self,
        num_groups: i64,
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
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
        if num_groups <= 0 {
            return Err(Error::runtime(format!(
                "Expected num groups to be greater than 0, got {num_groups}"
            )));
        }
        let groups = num_groups as usize;
        if channels % groups != 0 {
            return Err(Error::runtime(format!(
                "Expected number of channels in input to be divisible by num_groups, but got \
                 input of shape {} and num_groups={num_groups}",
                shape_str(&shape)
            )));
        }
        for (name, p) in [("weight", weight), ("bias", bias)] {
            if let Some(p) = p.filter(|p| p.ndim() != 1 || p.numel() != channels) {
                return Err(Error::runtime(format!(
                    "Expected {name} to be a vector of size equal to the number of channels in \
                     input, but got {name} of shape {} and input of shape {}",
                    shape_str(p.shape()),
                    shape_str(&shape)
                )));
            }
        }
        check_float(self, "GroupNormKernelImpl")?;
        let plane: usize = shape[2..].iter().product();
        let per_group = channels / groups;
        let stats = StatsCell::default();
        let (n, g, cg, s) = (batch as i64, groups as i64, per_group as i64, plane as i64);
        let view = NormView {
            family: NormFamily::Group { groups },
            canon: vec![n, g, cg, s],
            param_view: vec![1, g, cg, 1],
            stat_dims: vec![2, 3],
            param_sum_dims: vec![0, 3],
            batch_stats: true,
            eps,
        };
        tracked(
            &norm_inputs(self, weight, bias),
            || {
                if norm_gpu::takes(self, &[weight, bias]) {
                    let shape = NormShape {
                        canon: &[n, g, cg, s],
                        stat_dims: &[2, 3],
                        param_view: &[1, g, cg, 1],
                    };
                    let moments = norm_gpu::moments(self, &shape)?;
                    let (out, mean, rstd) =
                        norm_gpu::normalize(self, moments, &shape, [weight, bias], eps)?;
                    *stats.borrow_mut() = Some((mean, rstd));
                    return out.reshape(&shape_i64(self.shape()));
                }
                let w = param_values(weight, self)?;
                let b = param_values(bias, self)?;
                let (out, mean, rstd) = dispatch!(self.dtype(), "GroupNormKernelImpl", T => {
                    group_norm_of::<T>(self, [batch, groups, per_group, plane], &w, &b, eps)
                })?;
                *stats.borrow_mut() = Some((mean, rstd));
                Ok(out)
            },
            |_| {
                let (mean, rstd) = take_stats(&stats)?;
                Ok(norm_back(
                    "NativeGroupNormBackward0",
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

/// PyTorch's NotImplementedError for an input that is not floating point.
pub(crate) fn check_float(t: &Tensor, kernel: &str) -> Result<()> {
    if t.dtype().is_floating_point() {
        return Ok(());
    }
    Err(not_implemented_msg(format!(
        "\"{kernel}\" not implemented for '{}'",
        t.dtype().scalar_type_name()
    )))
}

/// The tensors an op is recorded against: the input, then the parameters that are given.
pub(crate) fn norm_inputs<'a>(
    input: &'a Tensor,
    weight: Option<&'a Tensor>,
    bias: Option<&'a Tensor>,
) -> Vec<&'a Tensor> {
    [Some(input), weight, bias].into_iter().flatten().collect()
}

pub(crate) fn take_stats(stats: &StatsCell) -> Result<(Tensor, Tensor)> {
    stats
        .borrow_mut()
        .take()
        .ok_or_else(|| Error::runtime("normalisation: the forward pass kept no statistics"))
}

pub(crate) fn shape_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// A parameter in the input's dtype. PyTorch accepts float32 parameters for a half input
/// (they are computed in float32 anyway) and refuses any other mix.
pub(crate) fn param_like(p: Option<&Tensor>, input: &Tensor) -> Result<Option<Tensor>> {
    let Some(p) = p else { return Ok(None) };
    let half_input = matches!(input.dtype(), DType::F16 | DType::BF16);
    if p.dtype() != input.dtype() && !(half_input && p.dtype() == DType::F32) {
        return Err(Error::runtime(format!(
            "mixed dtype (CPU): expect parameter to have scalar type of {}",
            input.dtype().scalar_type_name()
        )));
    }
    Ok(Some(p.detach().to_dtype(input.dtype())?.contiguous()?))
}

/// A per-channel parameter's values in f64, checked as `param_like` does.
pub(crate) fn param_values(p: Option<&Tensor>, input: &Tensor) -> Result<Option<Vec<f64>>> {
    param_like(p, input)?.map(|p| p.to_vec::<f64>()).transpose()
}

/// Runs `f` on the values of a contiguous tensor.
pub(crate) fn with_values<T: Element, R>(t: &Tensor, f: impl FnOnce(&[T]) -> R) -> Result<R> {
    let data = t.storage().read();
    let buf = data.cpu()?;
    let start = t.storage_offset();
    let values = buf
        .as_slice::<T>()
        .get(start..start + t.numel())
        .ok_or_else(|| Error::runtime("normalisation: the input's storage is too small"))?;
    Ok(f(values))
}

/// A new contiguous tensor left uninitialised, for a kernel to write in full: zeroing it
/// first would add a pass over memory.
pub(crate) fn new_output<T: Element>(shape: &[usize]) -> Result<Tensor> {
    Tensor::uninit_dense(shape, &contiguous_strides(shape), T::DTYPE)
}

/// Runs `f` on the values of a contiguous tensor, for writing.
pub(crate) fn with_output<T: Element, R>(t: &Tensor, f: impl FnOnce(&mut [T]) -> R) -> Result<R> {
    let mut data = t.storage().write();
    let start = t.storage_offset();
    let values = data
        .cpu_mut()?
        .as_mut_slice::<T>()
        .get_mut(start..start + t.numel())
        .ok_or_else(|| Error::runtime("normalisation: the output's storage is too small"))?;
    Ok(f(values))
}

/// The means and rstds of `moments` as two tensors of the input's dtype.
pub(crate) fn stats_tensors<T: Element>(
    moments: &[Moments],
    eps: f64,
    shape: &[usize],
) -> Result<(Tensor, Tensor)> {
    let mean = moments.iter().map(|m| T::from_f64(m.mean)).collect();
    let rstd = moments.iter().map(|m| T::from_f64(m.rstd(eps))).collect();
    Ok((
        Tensor::from_vec(mean, shape)?,
        Tensor::from_vec(rstd, shape)?,
    ))
}

fn layer_norm_of<T: Real + Element>(
    input: &Tensor,
    rows: usize,
    row_len: usize,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
) -> Result<(Tensor, Tensor, Tensor)> {
    let x = input.contiguous()?;
    let w = weight.map(|w| w.to_vec::<T>()).transpose()?;
    let b = bias.map(|b| b.to_vec::<T>()).transpose()?;
    let out = new_output::<T>(input.shape())?;
    let moments = with_values::<T, _>(&x, |xs| {
        with_output::<T, _>(&out, |o| {
            layer_norm_rows(xs, o, row_len, eps, w.as_deref(), b.as_deref())
        })
    })??;
    // An empty row has no statistics: NaN, as a mean over nothing is.
    let moments = if row_len == 0 {
        vec![
            Moments {
                mean: f64::NAN,
                var: f64::NAN
            };
            rows
        ]
    } else {
        moments
    };
    let (mean, rstd) = stats_tensors::<T>(&moments, eps, &[rows, 1])?;
    Ok((out, mean, rstd))
}

fn group_norm_of<T: Real + Element>(
    input: &Tensor,
    [batch, groups, per_group, plane]: [usize; 4],
    weight: &Option<Vec<f64>>,
    bias: &Option<Vec<f64>>,
    eps: f64,
) -> Result<(Tensor, Tensor, Tensor)> {
    let x = input.contiguous()?;
    let channels = groups * per_group;
    let out = new_output::<T>(input.shape())?;
    let moments = with_values::<T, _>(&x, |xs| {
        let moments = if per_group * plane == 0 {
            vec![Moments::default(); batch * groups]
        } else {
            row_moments(xs, per_group * plane)
        };
        let (mut scale, mut shift) = (Vec::new(), Vec::new());
        for n in 0..batch {
            for c in 0..channels {
                let m = moments[n * groups + c / per_group];
                let a = m.rstd(eps) * weight.as_ref().map_or(1.0, |w| w[c]);
                scale.push(a);
                shift.push(bias.as_ref().map_or(0.0, |b| b[c]) - m.mean * a);
            }
        }
        with_output::<T, _>(&out, |o| scale_shift_planes(xs, o, plane, &scale, &shift))?;
        Ok::<_, Error>(moments)
    })??;
    let (mean, rstd) = stats_tensors::<T>(&moments, eps, &[batch, groups, 1, 1])?;
    Ok((out, mean, rstd))
}
