//! `nll_loss`: the negative log-likelihood loss of log-probabilities against class indices,
//! for `(C,)`, `(N, C)` and `(N, C, d1, ...)` inputs, with class weights, an ignored index and
//! the three reductions. Its gradient is an op of its own (`nll_loss_backward`), as in PyTorch,
//! so that the gradient can be differentiated again.

use std::cell::Cell;

use super::{nll_loss_gpu, Tensor};
use crate::autograd::formulas::nn_loss;
use crate::autograd::{needs_grad, tracked};
use crate::cpu::nll_loss::{nll_backward, nll_forward, NllPlan};
use crate::dtype::{DType, Element};
use crate::error::{shape_str, Error, ErrorKind, Result};
use crate::op::not_implemented_msg;

/// How a loss reduces its per-element values: PyTorch's `reduction=` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossReduction {
    None,
    Mean,
    Sum,
}

impl LossReduction {
    /// `'none'`, `'mean'` or `'sum'`, with PyTorch's ValueError for anything else.
    pub fn parse(name: &str) -> Result<LossReduction> {
        match name {
            "none" => Ok(LossReduction::None),
            "mean" => Ok(LossReduction::Mean),
            "sum" => Ok(LossReduction::Sum),
            other => Err(Error::value(format!(
                "{other} is not a valid value for reduction"
            ))),
        }
    }
}

/// Everything of an `nll_loss` call but its input: what its gradient op needs too.
#[derive(Clone)]
pub struct NllArgs {
    pub target: Tensor,
    pub weight: Option<Tensor>,
    pub reduction: LossReduction,
    pub ignore_index: i64,
    /// PyTorch's `nll_loss2d` (a 4-D input) rather than `nll_loss` (1-D or 2-D).
    pub spatial: bool,
}

impl Tensor {
    /// `nll_loss(input, target, weight=None, ignore_index=-100, reduction='mean')` for any
    /// input rank >= 1 (PyTorch's `nll_loss_nd`): ranks 3 and above 4 are viewed as 4-D.
    pub fn nll_loss(
        &self,
        target: &Tensor,
        weight: Option<&Tensor>,
        reduction: LossReduction,
        ignore_index: i64,
    ) -> Result<Tensor> {
        let dim = self.ndim();
        if dim < 1 {
            return Err(Error::value(format!(
                "Expected 1 or more dimensions (got {dim})"
            )));
        }
        let target_batch = target.shape().first().copied().unwrap_or(1);
        if dim != 1 && self.shape()[0] != target_batch {
            return Err(Error::value(format!(
                "Expected input batch_size ({}) to match target batch_size ({target_batch}).",
                self.shape()[0]
            )));
        }
        if dim == 1 && target.ndim() == 1 && target.shape()[0] != 1 {
            return Err(Error::value(format!(
                "For 1D input, 1D target must have size 1, but got target size: {}",
                target.shape()[0]
            )));
        }
        let args = |spatial| NllArgs {
            target: target.clone(),
            weight: weight.cloned(),
            reduction,
            ignore_index,
            spatial,
        };
        match dim {
            1 | 2 => self.nll_loss_op(&args(false)),
            4 => self.nll_loss_op(&args(true)),
            _ => self.nll_loss_as_4d(target, args(true)),
        }
    }

    /// Inputs of rank 3 or above 4: `(N, C, d1, ...)` viewed as `(N, C, 1, d1 * ...)`, the
    /// unreduced loss viewed back (PyTorch's graph: `ViewBackward0` over `NllLoss2DBackward0`).
    fn nll_loss_as_4d(&self, target: &Tensor, mut args: NllArgs) -> Result<Tensor> {
        let (n, c) = (self.shape()[0], self.shape()[1]);
        if target.ndim() != self.ndim() - 1 || target.shape()[1..] != self.shape()[2..] {
            let mut expected = vec![n];
            expected.extend_from_slice(&self.shape()[2..]);
            return Err(Error::runtime(format!(
                "Expected target size {}, got {}",
                shape_str(&expected),
                shape_str(target.shape())
            )));
        }
        let k: usize = self.shape()[2..].iter().product();
        let as_i64 = |v: &[usize]| v.iter().map(|&d| d as i64).collect::<Vec<i64>>();
        let input = self.contiguous()?.reshape(&as_i64(&[n, c, 1, k]))?;
        args.target = target.contiguous()?.reshape(&as_i64(&[n, 1, k]))?;
        let out = input.nll_loss_op(&args)?;
        if args.reduction == LossReduction::None {
            return out.reshape(&as_i64(target.shape()));
        }
        Ok(out)
    }

    /// One `nll_loss` or `nll_loss2d` op: checks, the forward kernel, and its node.
    fn nll_loss_op(&self, args: &NllArgs) -> Result<Tensor> {
        check_nll_args(self, args)?;
        let total_weight = Cell::new(0.0);
        tracked(
            &[self],
            || {
                let (out, tw) = nll_loss_forward(self, args)?;
                total_weight.set(tw);
                Ok(out)
            },
            |_| {
                Ok(nn_loss::nll_loss_back(
                    self,
                    args.clone(),
                    total_weight.get(),
                ))
            },
        )
    }

    /// The gradient of `nll_loss` with respect to its `input`, given the gradient of the loss
    /// (`self`): PyTorch's `nll_loss_backward`. Linear in `self`, so its own backward is
    /// `nll_loss` again; `input` only gives the shape (and is an edge of the graph, as in
    /// PyTorch).
    pub fn nll_loss_backward(
        &self,
        input: &Tensor,
        args: &NllArgs,
        total_weight: f64,
    ) -> Result<Tensor> {
        let input_shape = input.shape();
        tracked(
            &[self, input],
            || match self.dtype() {
                DType::F32 if self.device().is_wgpu() => {
                    match nll_loss_gpu::gradient(self, input_shape, args, total_weight)? {
                        Some(grad) => Ok(grad),
                        None => nll_grad_of::<f32>(self, input_shape, args, total_weight),
                    }
                }
                DType::F32 => nll_grad_of::<f32>(self, input_shape, args, total_weight),
                DType::F64 => nll_grad_of::<f64>(self, input_shape, args, total_weight),
                DType::F16 => nll_grad_of::<half::f16>(self, input_shape, args, total_weight),
                DType::BF16 => nll_grad_of::<half::bf16>(self, input_shape, args, total_weight),
                d => Err(Error::UnsupportedDType {
                    op: "nll_loss_backward",
                    dtype: d,
                }),
            },
            |_| Ok(nn_loss::nll_loss_backward_back(args.clone())),
        )
    }
}

/// PyTorch's argument checks of `nll_loss_forward` / `nll_loss2d_forward`, in its order.
fn check_nll_args(input: &Tensor, args: &NllArgs) -> Result<()> {
    let target = &args.target;
    if args.spatial {
        if target.ndim() != 3 {
            return Err(Error::runtime(format!(
                "only batches of spatial targets supported (3D tensors) but got targets of dimension: {}",
                target.ndim()
            )));
        }
        let s = input.shape();
        if target.shape() != [s[0], s[2], s[3]] {
            return Err(Error::runtime(format!(
                "size mismatch (got input: {} , target: {}",
                shape_str(s),
                shape_str(target.shape())
            )));
        }
    } else if target.ndim() > 1 {
        return Err(Error::runtime(
            "0D or 1D target tensor expected, multi-target not supported",
        ));
    }
    if !matches!(target.dtype(), DType::I64 | DType::U8) {
        return Err(Error::runtime(format!(
            "expected target dtype to be Long or Byte, but got {}",
            target.dtype().scalar_type_name()
        )));
    }
    let classes = if input.ndim() == 1 {
        input.shape()[0]
    } else {
        input.shape()[1]
    };
    if let Some(w) = &args.weight {
        if w.ndim() != 1 || w.numel() != classes {
            return Err(Error::runtime(if args.spatial {
                "weight tensor should be defined either for all or no classes".to_string()
            } else {
                format!(
                    "weight tensor should be defined either for all {classes} classes or no classes but got weight tensor of shape: {}",
                    shape_str(w.shape())
                )
            }));
        }
        if needs_grad(&[w]) {
            let op = if args.spatial {
                "nll_loss2d_forward"
            } else {
                "nll_loss_forward"
            };
            return Err(Error::runtime(format!(
                "The function '{op}' is not differentiable with respect to argument 'weight'. This input cannot have requires_grad True."
            )));
        }
        if w.dtype() != input.dtype() && input.dtype().is_floating_point() {
            return Err(Error::runtime(format!(
                "expected scalar type {} but found {}",
                input.dtype().scalar_type_name(),
                w.dtype().scalar_type_name()
            )));
        }
    }
    Ok(())
}

/// The plan of the kernels: the input as `(n, c, k)` and the targets and weights as values.
pub(super) fn with_plan<R>(
    input_shape: &[usize],
    args: &NllArgs,
    f: impl FnOnce(&NllPlan<'_>) -> Result<R>,
) -> Result<R> {
    let (n, c, k) = match input_shape {
        [c] => (1, *c, 1),
        [n, c] => (*n, *c, 1),
        [n, c, rest @ ..] => (*n, *c, rest.iter().product()),
        [] => return Err(Error::runtime("nll_loss: a 0-dim input")),
    };
    // Read as requested transfers, like the index checks of other ops: the targets must be
    // checked on the host, and targets moved to the GPU keep their host copy.
    let target = args.target.host_values::<i64>()?;
    let weight = match &args.weight {
        Some(w) => Some(w.host_values::<f64>()?),
        None => None,
    };
    let plan = NllPlan {
        n,
        c,
        k,
        target: &target,
        weight: weight.as_deref(),
        ignore_index: args.ignore_index,
    };
    debug_assert_eq!(plan.n * plan.k, target.len());
    if let Some(t) = plan.bad_target() {
        return Err(Error::Other {
            kind: ErrorKind::Index,
            msg: format!("Target {t} is out of bounds."),
        });
    }
    f(&plan)
}

/// The loss (reduced as asked) and the total weight of the targets that count.
fn nll_loss_forward(input: &Tensor, args: &NllArgs) -> Result<(Tensor, f64)> {
    if let Some(done) = nll_loss_gpu::forward(input, args)? {
        return Ok(done);
    }
    match input.dtype() {
        DType::F32 => nll_loss_of::<f32>(input, args),
        DType::F64 => nll_loss_of::<f64>(input, args),
        DType::F16 => nll_loss_of::<half::f16>(input, args),
        DType::BF16 => nll_loss_of::<half::bf16>(input, args),
        d => {
            let kernel = if args.spatial {
                "nll_loss2d_forward_out_frame"
            } else {
                "nll_loss_out_frame"
            };
            Err(not_implemented_msg(format!(
                "\"{kernel}\" not implemented for '{}'",
                d.scalar_type_name()
            )))
        }
    }
}

fn nll_loss_of<T: Element>(input: &Tensor, args: &NllArgs) -> Result<(Tensor, f64)> {
    let x = input.contiguous()?.to_vec::<T>()?;
    with_plan(input.shape(), args, |plan| {
        let (losses, total_weight) = nll_forward(&x, plan);
        let out = match args.reduction {
            LossReduction::None => {
                let shape = if input.ndim() == 1 {
                    vec![]
                } else {
                    args.target.shape().to_vec()
                };
                let values = losses.into_iter().map(T::from_f64).collect();
                Tensor::from_vec::<T>(values, &shape)?
            }
            LossReduction::Sum => Tensor::from_vec(vec![T::from_f64(sum_from_zero(&losses))], &[])?,
            LossReduction::Mean => {
                let mean = sum_from_zero(&losses) / total_weight;
                Tensor::from_vec(vec![T::from_f64(mean)], &[])?
            }
        };
        Ok((out, total_weight))
    })
}

/// The sum starting from +0.0, as PyTorch's: Rust's float `sum` starts from -0.0, so a
/// confident prediction's zero losses (each -0.0) would print as `-0.` where PyTorch has `0.`.
pub(super) fn sum_from_zero(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |total, v| total + v)
}

fn nll_grad_of<T: Element>(
    grad: &Tensor,
    input_shape: &[usize],
    args: &NllArgs,
    total_weight: f64,
) -> Result<Tensor> {
    let g = grad.to_vec::<f64>()?;
    with_plan(input_shape, args, |plan| {
        let mut out = vec![T::from_f64(0.0); crate::shape::numel(input_shape)];
        let scale = match args.reduction {
            LossReduction::Mean => 1.0 / total_weight,
            _ => 1.0,
        };
        nll_backward(&g, plan, scale, &mut out);
        Tensor::from_vec(out, input_shape)
    })
}
