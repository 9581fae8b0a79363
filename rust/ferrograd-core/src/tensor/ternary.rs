//! Three-operand elementwise ops: `where(cond, a, b)`, `lerp`, `addcmul`, `addcdiv`, each
//! recorded for autograd when an operand requires grad.

use super::elementwise::{prepare_target, promoted_dtype, Arg};
use super::raw_access::with_raw;
use super::Tensor;
use crate::autograd::{self, formulas};
use crate::cpu::iter::Plan;
use crate::cpu::ternary::{self, TernaryOp};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::not_implemented;
use crate::shape::broadcast_shapes;
use crate::wgpu::elementwise as gpu_elementwise;

fn broadcast3(a: &Arg, b: &Arg, c: &Arg) -> Result<Vec<usize>> {
    broadcast_shapes(&broadcast_shapes(a.shape(), b.shape())?, c.shape())
}

fn first_tensor_shaped<'a>(args: [&'a Arg; 3], shape: &[usize]) -> Option<&'a Tensor> {
    args.into_iter().find_map(|x| match x {
        Arg::Tensor(t) if t.shape() == shape => Some(t),
        _ => None,
    })
}

/// Runs a three-input kernel: `inputs` (already of their kernel dtypes) broadcast to `shape`.
fn run3(
    shape: &[usize],
    dtype: DType,
    out: Option<&Tensor>,
    like: Option<&Tensor>,
    inputs: [Tensor; 3],
    gpu: impl FnOnce(&Tensor, [&Tensor; 3]) -> Result<bool>,
    kernel: impl FnOnce(&Plan<4>, *mut u8, [*const u8; 3]) -> Result<()>,
) -> Result<Tensor> {
    let target = prepare_target(out, shape, dtype, like)?;
    let [a, b, c] = inputs;
    let (a, b, c) = (
        target.detangle(a)?,
        target.detangle(b)?,
        target.detangle(c)?,
    );
    let on_gpu = target.tensor.device().is_wgpu() && target.tensor.dtype() == dtype;
    if target.tensor.numel() > 0 && !(on_gpu && gpu(&target.tensor, [&a, &b, &c])?) {
        let plan = Plan::new([target.tensor.layout(), a.layout(), b.layout(), c.layout()]);
        with_raw(&target.tensor, &[&a, &b, &c], |o, p| {
            kernel(&plan, o, [p[0], p[1], p[2]])
        })?;
    }
    target.finish(out)
}

/// `addcmul`, `addcdiv` and `lerp` with PyTorch's dtype rules; `out` may be `a` (in-place).
/// When a gradient is needed the op is recorded (`AddcmulBackward0`, `LerpBackward1`, ...)
/// with its tensor operands as the node's inputs.
pub fn ternary_op(
    op: TernaryOp,
    a: &Arg,
    b: &Arg,
    c: &Arg,
    out: Option<&Tensor>,
) -> Result<Tensor> {
    let tensors: Vec<&Tensor> = [a, b, c]
        .into_iter()
        .filter_map(|x| match x {
            Arg::Tensor(t) => Some(t),
            Arg::Scalar(_) => None,
        })
        .collect();
    // `out` may be `a` (in place) or an `out=` tensor: it is written, so it counts too.
    let written: Vec<&Tensor> = tensors.iter().copied().chain(out).collect();
    if autograd::needs_grad(&written) {
        if let (Some(target), Arg::Tensor(first)) = (out, a) {
            if target.is_same(first) {
                return autograd::tracked_in_place(target, |old| {
                    ternary_op(op, &Arg::Tensor(old.clone()), b, c, None)
                });
            }
        }
        if out.is_some() {
            return Err(out_not_differentiable(op.name()));
        }
        return autograd::tracked(
            &tensors,
            || ternary_untracked(op, a, b, c, None),
            |_| Ok(formulas::ternary::ternary_back(op, a, b, c)),
        );
    }
    ternary_untracked(op, a, b, c, out)
}

/// PyTorch's refusal of `out=` when an operand requires grad.
pub(crate) fn out_not_differentiable(name: &str) -> Error {
    Error::runtime(format!(
        "{name}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad."
    ))
}

fn ternary_untracked(
    op: TernaryOp,
    a: &Arg,
    b: &Arg,
    c: &Arg,
    out: Option<&Tensor>,
) -> Result<Tensor> {
    let _on = super::elementwise::operand_scope(&[a, b, c], out)?;
    let dtype = match op {
        TernaryOp::Lerp => lerp_dtype(a, b, c)?,
        _ => promoted_dtype(&[a, b, c]),
    };
    if let TernaryOp::Addcdiv(_) = op {
        let int_div = [b, c]
            .iter()
            .any(|x| matches!(x, Arg::Tensor(t) if !t.dtype().is_floating_point()));
        if int_div {
            return Err(Error::runtime("Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes."));
        }
    }
    if dtype == DType::Bool {
        return Err(not_implemented(op.name(), dtype));
    }
    let shape = broadcast3(a, b, c)?;
    let like = first_tensor_shaped([a, b, c], &shape);
    let inputs = [
        a.prepared(dtype, &shape)?,
        b.prepared(dtype, &shape)?,
        c.prepared(dtype, &shape)?,
    ];
    let gpu = |o: &Tensor, [a, b, c]: [&Tensor; 3]| gpu_elementwise::ternary(op, o, [a, b, c]);
    run3(&shape, dtype, out, like, inputs, gpu, |plan, o, ins| {
        // SAFETY: the plan's layouts belong to the locked tensors, all of `dtype`.
        unsafe { ternary::ternary(op, dtype, plan, o, ins) }
    })
}

/// `lerp` wants `start` and `end` of one float dtype; a Python-number weight adapts to it.
fn lerp_dtype(start: &Arg, end: &Arg, weight: &Arg) -> Result<DType> {
    let (Arg::Tensor(s), Arg::Tensor(e)) = (start, end) else {
        return Err(Error::type_error("lerp(): start and end must be tensors"));
    };
    if e.dtype() != s.dtype() {
        return Err(Error::runtime(format!(
            "expected dtype {} for `end` but got dtype {}",
            s.dtype().cpp_type_name(),
            e.dtype().cpp_type_name()
        )));
    }
    if !s.dtype().is_floating_point() {
        return Err(not_implemented(
            match weight {
                Arg::Scalar(_) => "lerp_kernel_scalar",
                Arg::Tensor(_) => "lerp_kernel_tensor",
            },
            s.dtype(),
        ));
    }
    Ok(s.dtype())
}

/// `where(cond, a, b)`: `a` where `cond` holds, else `b`; either branch may be a number.
pub fn where_op(cond: &Tensor, a: &Arg, b: &Arg, out: Option<&Tensor>) -> Result<Tensor> {
    let branches: Vec<Tensor> = [a, b]
        .into_iter()
        .map(|x| match x {
            Arg::Tensor(t) => t.clone(),
            Arg::Scalar(s) => Tensor::scalar(*s, promoted_dtype(&[a, b])),
        })
        .collect();
    if out.is_none() && autograd::needs_grad(&[&branches[0], &branches[1]]) {
        // The node has the condition as its first input, as PyTorch's `WhereBackward0` does.
        return autograd::tracked(
            &[cond, &branches[0], &branches[1]],
            || where_untracked(cond, a, b, None),
            |_| Ok(formulas::ternary::where_back(cond)),
        );
    }
    where_untracked(cond, a, b, out)
}

fn where_untracked(cond: &Tensor, a: &Arg, b: &Arg, out: Option<&Tensor>) -> Result<Tensor> {
    let _on = super::elementwise::operand_scope(&[&Arg::Tensor(cond.clone()), a, b], out)?;
    if cond.dtype() != DType::Bool {
        return Err(Error::runtime(format!(
            "where expected condition to be a boolean tensor, but got a tensor with dtype {}",
            cond.dtype().scalar_type_name()
        )));
    }
    let dtype = promoted_dtype(&[a, b]);
    let c = Arg::Tensor(cond.clone());
    let shape = broadcast3(&c, a, b)?;
    let like = first_tensor_shaped([a, b, &c], &shape);
    let inputs = [
        c.prepared(DType::Bool, &shape)?,
        a.prepared(dtype, &shape)?,
        b.prepared(dtype, &shape)?,
    ];
    let gpu = |o: &Tensor, [c, a, b]: [&Tensor; 3]| gpu_elementwise::select(o, c, a, b);
    run3(&shape, dtype, out, like, inputs, gpu, |plan, o, ins| {
        // SAFETY: the plan's layouts belong to the locked tensors: a bool condition and two
        // branches of `dtype`, written into an output of `dtype`.
        unsafe { ternary::select(dtype, plan, o, ins) };
        Ok(())
    })
}
