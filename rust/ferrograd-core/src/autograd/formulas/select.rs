//! Backward of the reductions that pick elements rather than combine them (`max`, `min`,
//! `amax`, `aminmax`, `median`, `mode`, `kthvalue`, `sort`, `topk`): a picked value's gradient
//! goes back to the element it was picked from and nowhere else. Where several elements tie,
//! ops that return an index send it to that index; those that return only a value share it
//! evenly among the tied elements, as PyTorch does.

use super::math::{
    add, add_scalar, compare, compare_scalar, div, fill_where, mul, rsub_scalar, sub, sum_kept,
    unary, zero_where,
};
use super::reduce::keep_dims;
use crate::autograd::grad_mode::no_grad;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::cpu::reduce_order::Interpolation;
use crate::device::Device;
use crate::device_scope::DeviceScope;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};
use crate::tensor::{where_op, Arg, Tensor};

/// Zeros of `shape` with `g` written at `indices` along `dim`: the gradient of values that
/// were picked at those positions (with `keepdim`, the picked dim is still there as size 1;
/// without it, it is put back).
pub fn route_to_indices(
    g: &Tensor,
    indices: &Tensor,
    dim: usize,
    shape: &[usize],
    keepdim: bool,
) -> Result<Tensor> {
    if shape.is_empty() {
        // A 0-dim input has one element, and it was the one picked.
        return Ok(g.clone());
    }
    let (g, indices) = if keepdim {
        (g.clone(), indices.clone())
    } else {
        (g.unsqueeze(dim as i64)?, indices.unsqueeze(dim as i64)?)
    };
    Tensor::zeros(shape, g.dtype())?.scatter(dim as i64, &indices, &g, None)
}

/// The node of an op whose values were picked along `dim` at the positions it returned as
/// its second result (`MaxBackward0`, `SortBackward0`, `TopkBackward0`, ...).
pub fn picked_back(
    name: &'static str,
    input: &Tensor,
    indices: &Tensor,
    dim: usize,
    keepdim: bool,
) -> NodeSpec {
    // Integer indices have no history: saved as a plain tensor (version-checked), as
    // PyTorch's message for a modified one names no producing node.
    let saved = SavedTensor::input(indices);
    let shape = input.shape().to_vec();
    NodeSpec::new(name, vec![saved.clone()], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        let indices = saved.get()?;
        Ok(vec![Some(route_to_indices(
            g, &indices, dim, &shape, keepdim,
        )?)])
    })
}

/// The node of a whole-tensor pick that returns no index (`max()`: `MaxBackward1`, `median()`:
/// `MedianBackward0`, ...): the gradient is shared evenly among the elements equal to the
/// result (or among the NaNs when the result is NaN).
pub fn evenly_back(name: &'static str, input: &Tensor, result: &Tensor) -> NodeSpec {
    let (sx, sy) = (SavedTensor::input(input), SavedTensor::output(result, 0));
    NodeSpec::new(name, vec![sx.clone(), sy.clone()], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        let (x, y) = (sx.get()?, sy.get()?);
        let picked = if y.item()?.to_f64().is_nan() {
            unary(UnaryOp::IsNan, &x)?
        } else {
            compare(BinaryOp::Eq, &x, &y)?
        };
        let share = div(g, &picked.sum(None, false, None)?)?;
        let zero = Arg::Scalar(Scalar::Float(0.0));
        Ok(vec![Some(where_op(
            &picked,
            &Arg::Tensor(share),
            &zero,
            None,
        )?)])
    })
}

/// The gradient of `amax`/`amin` over the flagged dims: `g / count` at each element equal to
/// its slice's extreme, where `count` is how many tie for it. (A NaN extreme equals nothing,
/// so its slice gets `g / 0 * 0`, NaN, as in PyTorch.)
fn extreme_grad(
    g: &Tensor,
    x: &Tensor,
    y: &Tensor,
    reduced: &[bool],
    keepdim: bool,
) -> Result<Tensor> {
    let g = keep_dims(g, reduced, keepdim)?;
    let y = keep_dims(y, reduced, keepdim)?;
    let picked = compare(BinaryOp::Eq, &y, x)?;
    let count = sum_kept(&picked, reduced)?;
    mul(&div(&g, &count)?, &picked.to_dtype(g.dtype())?)
}

/// `amax`/`amin` over the flagged dims (`AmaxBackward0`, `AminBackward0`).
pub fn extreme_back(
    name: &'static str,
    input: &Tensor,
    result: &Tensor,
    reduced: Vec<bool>,
    keepdim: bool,
) -> NodeSpec {
    let (sx, sy) = (SavedTensor::input(input), SavedTensor::output(result, 0));
    NodeSpec::new(name, vec![sx.clone(), sy.clone()], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        let grad = extreme_grad(g, &sx.get()?, &sy.get()?, &reduced, keepdim)?;
        Ok(vec![Some(grad)])
    })
}

/// `aminmax` (`AminmaxBackward0`): the minimum's and the maximum's gradients, each shared
/// among its ties as `amin`/`amax` do, added.
pub fn aminmax_back(
    input: &Tensor,
    min: &Tensor,
    max: &Tensor,
    reduced: Vec<bool>,
    keepdim: bool,
) -> NodeSpec {
    let sx = SavedTensor::input(input);
    let (smin, smax) = (SavedTensor::output(min, 0), SavedTensor::output(max, 1));
    let saved = vec![sx.clone(), smin.clone(), smax.clone()];
    NodeSpec::new("AminmaxBackward0", saved, move |grads, _needs| {
        let (g_min, g_max) = (
            grads[0].as_ref().expect("materialized"),
            grads[1].as_ref().expect("materialized"),
        );
        let x = sx.get()?;
        let from_min = extreme_grad(g_min, &x, &smin.get()?, &reduced, keepdim)?;
        let from_max = extreme_grad(g_max, &x, &smax.get()?, &reduced, keepdim)?;
        Ok(vec![Some(add(&from_min, &from_max)?)])
    })
}

/// `quantile`/`nanquantile` over lanes: each lane is a row of `x` (all of `x` when no dim is
/// given) and each quantile is `lerp(sorted[below], sorted[above], w)` with `w` the fractional
/// part of its rank `q * factor`. What the backward needs is found once, at forward time.
/// (Among equal values, which one a rank lands on follows the stable sort; PyTorch's own
/// choice among ties can differ, though the gradient each tied value gets in total is the
/// same.)
///
/// The ranks are formed in float64 on the host, whatever `x`'s device: a GPU may have no
/// 64-bit floats, and they are a few numbers per lane. What meets `x`'s values or gradient
/// is then moved to its device.
pub struct QuantilePlan {
    /// Where each quantile's lower and upper neighbours sit in their lane, `[lanes, nq]`, on
    /// `x`'s device.
    below: Tensor,
    above: Tensor,
    /// On the host: the rank rounded down (float64), the rank's factor per lane (`n - 1`, or
    /// the count of non-NaN values minus 1, float64, `[lanes, 1]`), and the ranks that do not
    /// come from `q` (a lane with a NaN in `quantile`, an all-NaN lane in `nanquantile`):
    /// their weight is 0 and `q` gets no gradient through them.
    below_rank: Tensor,
    factor: Tensor,
    fixed: Tensor,
    /// `fixed`, and `factor` in `x`'s dtype (float64 on the host), on `x`'s device.
    fixed_there: Tensor,
    factor_there: Tensor,
    device: Device,
    /// The interpolation weights, `[lanes, nq]` in `x`'s dtype on its device (`None` for the
    /// modes that take one value, with no interpolation).
    weight: Option<Tensor>,
    x_shape: Vec<usize>,
    q_shape: Vec<usize>,
    dim: Option<usize>,
}

/// `x` as lanes `[lanes, n]`: along `dim` (moved last), or all of it as one lane.
fn to_lanes(x: &Tensor, dim: Option<usize>) -> Result<Tensor> {
    match dim {
        Some(d) if x.ndim() > 0 => {
            let n = x.shape()[d] as i64;
            x.movedim(&[d as i64], &[-1])?.reshape(&[-1, n])
        }
        _ => x.reshape(&[1, -1]),
    }
}

/// The inverse of [`to_lanes`] for a tensor of `shape`.
fn from_lanes(lanes: &Tensor, shape: &[usize], dim: Option<usize>) -> Result<Tensor> {
    match dim {
        Some(d) if !shape.is_empty() => {
            let mut moved: Vec<i64> = shape.iter().map(|&n| n as i64).collect();
            let n = moved.remove(d);
            moved.push(n);
            lanes.reshape(&moved)?.movedim(&[-1], &[d as i64])
        }
        _ => lanes.reshape(&shape.iter().map(|&n| n as i64).collect::<Vec<_>>()),
    }
}

impl QuantilePlan {
    /// Sorts the lanes of `x` and forms every quantile's rank as the forward does (in
    /// float64, NaNs sorted last), recording nothing.
    pub fn new(
        x: &Tensor,
        q: &Tensor,
        dim: Option<usize>,
        how: Interpolation,
        ignore_nan: bool,
    ) -> Result<QuantilePlan> {
        no_grad(|| {
            let device = x.device();
            let (sorted, order) = to_lanes(x, dim)?.sort(-1, false)?;
            let n = sorted.shape()[1];
            let lanes = sorted.shape()[0];
            // What the ranks need from the lanes: each one's count of numbers, or whether it
            // holds a NaN (sorted last), brought to the host.
            let lane_facts = if ignore_nan {
                let counted = compare(BinaryOp::Eq, &sorted, &sorted)?;
                counted.sum(Some(&[-1]), true, None)?
            } else {
                unary(UnaryOp::IsNan, &sorted.narrow(-1, n as i64 - 1, 1)?)?
            };
            let lane_facts = lane_facts.to_device(Device::Cpu)?;
            let q_here = q.to_device(Device::Cpu)?;
            let (factor, fixed, below_rank, above_rank) = {
                let _host = DeviceScope::enter(Device::Cpu);
                let factor = if ignore_nan {
                    add_scalar(&lane_facts.to_dtype(DType::F64)?, -1.0)?
                } else {
                    Tensor::full(&[lanes, 1], Scalar::Float(n as f64 - 1.0), DType::F64)?
                };
                let rank = mul(&q_here.to_dtype(DType::F64)?.reshape(&[1, -1])?, &factor)?;
                // nanquantile of an all-NaN lane: rank 0; quantile of a lane with a NaN: the
                // last rank, where the NaN is.
                let (fixed, fixed_rank) = if ignore_nan {
                    (compare_scalar(BinaryOp::Lt, &rank, 0.0)?, 0.0)
                } else {
                    (lane_facts, n as f64 - 1.0)
                };
                let rank = fill_where(&fixed, fixed_rank, &rank)?;
                let rank = match how {
                    Interpolation::Lower => unary(UnaryOp::Floor, &rank)?,
                    Interpolation::Higher => unary(UnaryOp::Ceil, &rank)?,
                    Interpolation::Nearest => unary(UnaryOp::Round, &rank)?,
                    Interpolation::Linear | Interpolation::Midpoint => rank,
                };
                let below_rank = unary(UnaryOp::Floor, &rank)?;
                let above_rank = unary(UnaryOp::Ceil, &rank)?;
                (factor, fixed, below_rank, above_rank)
            };
            let there = |t: &Tensor, dtype: DType| t.to_dtype(dtype)?.to_device(device);
            let factor_dtype = if device.is_wgpu() {
                x.dtype()
            } else {
                DType::F64
            };
            let mut plan = QuantilePlan {
                below: order.gather(-1, &there(&below_rank, DType::I64)?)?,
                above: order.gather(-1, &there(&above_rank, DType::I64)?)?,
                fixed_there: fixed.to_device(device)?,
                factor_there: there(&factor, factor_dtype)?,
                below_rank,
                factor,
                fixed,
                device,
                weight: None,
                x_shape: x.shape().to_vec(),
                q_shape: q.shape().to_vec(),
                dim,
            };
            plan.weight = match how {
                Interpolation::Linear => Some(plan.linear_weight(q, x.dtype())?),
                Interpolation::Midpoint => Some(Tensor::full(
                    plan.below.shape(),
                    Scalar::Float(0.5),
                    x.dtype(),
                )?),
                _ => None,
            };
            Ok(plan)
        })
    }

    /// The linear interpolation weight `rank - floor(rank)` with `rank = q * factor`, as a
    /// function of `q` (so that `q`'s gradient can be taken through it), rounded from float64
    /// to `dtype` as the forward does; formed on the host, and moved to `x`'s device.
    fn linear_weight(&self, q: &Tensor, dtype: DType) -> Result<Tensor> {
        let q = q.to_device(Device::Cpu)?;
        let weight = {
            let _host = DeviceScope::enter(Device::Cpu);
            let rank = mul(&q.to_dtype(DType::F64)?.reshape(&[1, -1])?, &self.factor)?;
            zero_where(&self.fixed, &sub(&rank, &self.below_rank)?)?.to_dtype(dtype)?
        };
        weight.to_device(self.device)
    }

    /// The gradient of `x` from `g`, the gradient of the result (shaped `[nq, ...]` for a
    /// 1-D `q`, without that dim for a 0-dim one), and the weights to use.
    fn x_grad(&self, g: &Tensor, weight: Option<&Tensor>) -> Result<Tensor> {
        let lanes = self.below.shape()[0];
        let lane_len = match self.dim {
            Some(d) if !self.x_shape.is_empty() => self.x_shape[d],
            _ => self.x_shape.iter().product(),
        };
        let g = self.g_lanes(g)?;
        let zeros = Tensor::zeros(&[lanes, lane_len], g.dtype())?;
        let gx = match weight {
            None => zeros.scatter_add(-1, &self.below, &g)?,
            // lerp(lo, hi, w) = lo + w (hi - lo): lo gets (1 - w) g, hi gets w g.
            Some(w) => zeros
                .scatter_add(-1, &self.below, &mul(&g, &rsub_scalar(w, 1.0)?)?)?
                .scatter_add(-1, &self.above, &mul(&g, w)?)?,
        };
        from_lanes(&gx, &self.x_shape, self.dim)
    }

    /// The gradient of a linear-interpolation `q`: d/dq = (hi - lo) * dw/dq, and dw/dq is the
    /// rank's factor (0 for the fixed ranks), summed over the lanes.
    fn q_grad(&self, g: &Tensor, x: &Tensor) -> Result<Tensor> {
        let g = self.g_lanes(g)?;
        let lanes = to_lanes(x, self.dim)?;
        let spread = sub(
            &lanes.gather(-1, &self.above)?,
            &lanes.gather(-1, &self.below)?,
        )?;
        let per_lane = mul(
            &zero_where(&self.fixed_there, &mul(&g, &spread)?)?,
            &self.factor_there,
        )?;
        let q_shape: Vec<i64> = self.q_shape.iter().map(|&n| n as i64).collect();
        per_lane.sum(Some(&[0]), false, None)?.reshape(&q_shape)
    }

    /// The result's gradient as `[lanes, nq]`.
    fn g_lanes(&self, g: &Tensor) -> Result<Tensor> {
        let nq = self.below.shape()[1] as i64;
        let g = if self.q_shape.is_empty() {
            g.unsqueeze(0)?
        } else {
            g.clone()
        };
        g.reshape(&[nq, -1])?.t()
    }
}

/// `quantile`/`nanquantile`. PyTorch builds them from `gather`s at the sorted positions,
/// `lerp` and an in-place `squeeze_`, so its result's node is that squeeze's,
/// `SqueezeBackward4`; here one node of that name does the whole backward. `q` is an input
/// only for `'linear'` (the one interpolation whose weights depend on `q`) when it needs a
/// gradient: then `x` and `q` are saved, for `q`'s gradient and its derivatives.
pub fn quantile_back(x: &Tensor, q: Option<&Tensor>, plan: QuantilePlan) -> NodeSpec {
    let saved: Vec<SavedTensor> = match q {
        Some(q) => vec![SavedTensor::input(x), SavedTensor::input(q)],
        None => vec![],
    };
    NodeSpec::new("SqueezeBackward4", saved.clone(), move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let [sx, sq] = saved.as_slice() else {
            return Ok(vec![Some(plan.x_grad(g, plan.weight.as_ref())?)]);
        };
        let q = sq.get()?;
        let weight = plan.linear_weight(&q, g.dtype())?;
        let gx = needs[0]
            .then(|| plan.x_grad(g, Some(&weight)))
            .transpose()?;
        let gq = needs[1].then(|| plan.q_grad(g, &sx.get()?)).transpose()?;
        Ok(vec![gx, gq])
    })
}
