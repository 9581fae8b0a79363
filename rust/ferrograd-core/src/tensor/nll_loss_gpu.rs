//! `nll_loss` and its gradient on the GPU (`wgpu::nll`), for float32 inputs there: the targets
//! are checked on the host as on the CPU (the same plan, `with_plan`), and each target
//! position's class and coefficient go to the kernels.

use super::elementwise::Arg;
use super::nll_loss::{sum_from_zero, with_plan, LossReduction, NllArgs};
use super::Tensor;
use crate::cpu::nll_loss::NllPlan;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::op::BinaryOp;
use crate::wgpu::nll::{self, Targets, IGNORED};

/// The loss (reduced as asked) and the total weight, or None when the input is not a float32
/// GPU tensor or the GPU cannot run it.
pub(super) fn forward(input: &Tensor, args: &NllArgs) -> Result<Option<(Tensor, f64)>> {
    if !on_gpu(input) {
        return Ok(None);
    }
    with_plan(input.shape(), args, |plan| {
        let (classes, weights) = classes_and_weights(plan);
        let total_weight = sum_from_zero(&weights);
        let coefs: Vec<f32> = weights.iter().map(|w| -w as f32).collect();
        let targets = Targets {
            dims: [plan.n, plan.c, plan.k],
            classes: &classes,
            coefs: &coefs,
        };
        let Some(losses) = nll::pick(input, &targets)? else {
            return Ok(None);
        };
        let loss = match args.reduction {
            LossReduction::None => {
                let shape: Vec<i64> = if input.ndim() == 1 {
                    vec![]
                } else {
                    args.target.shape().iter().map(|&d| d as i64).collect()
                };
                losses.reshape(&shape)?
            }
            LossReduction::Sum => losses.sum(None, false, None)?,
            LossReduction::Mean => losses.sum(None, false, None)?.binary(
                BinaryOp::Div,
                &Arg::Scalar(Scalar::Float(total_weight)),
                None,
            )?,
        };
        Ok(Some((loss, total_weight)))
    })
}

/// The gradient with respect to the input (of `input_shape`) given the loss's gradient `grad`
/// (a float32 GPU tensor), or None when the GPU cannot run it.
pub(super) fn gradient(
    grad: &Tensor,
    input_shape: &[usize],
    args: &NllArgs,
    total_weight: f64,
) -> Result<Option<Tensor>> {
    with_plan(input_shape, args, |plan| {
        let scale = match args.reduction {
            LossReduction::Mean => 1.0 / total_weight,
            _ => 1.0,
        };
        let (classes, weights) = classes_and_weights(plan);
        let coefs: Vec<f32> = weights.iter().map(|w| (-w * scale) as f32).collect();
        let targets = Targets {
            dims: [plan.n, plan.c, plan.k],
            classes: &classes,
            coefs: &coefs,
        };
        nll::spread(grad, input_shape, &targets)
    })
}

fn on_gpu(t: &Tensor) -> bool {
    t.device().is_wgpu() && t.dtype() == DType::F32 && t.numel() > 0
}

/// Each target position's class (`IGNORED` where ignored) and weight (0 there).
fn classes_and_weights(plan: &NllPlan<'_>) -> (Vec<u32>, Vec<f64>) {
    (0..plan.target.len())
        .map(|p| match plan.pick(p) {
            Some((class, weight)) => (class as u32, weight),
            None => (IGNORED, 0.0),
        })
        .unzip()
}
