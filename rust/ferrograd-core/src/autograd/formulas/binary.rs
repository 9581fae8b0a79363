//! Backward of the binary elementwise ops: one arm per differentiable row of `op::binary`.
//! Either operand may be a Python number (it gets no gradient); gradients of the broadcast
//! shape are summed back to each operand's shape by the engine (`sum_to_shape`).

use super::math::*;
use super::operand::Operand;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};
use crate::tensor::{Arg, Tensor};

/// PyTorch's name for the node of `op`; `None` for ops without a gradient (comparisons,
/// logical and bitwise ops). A number on either side picks the overload PyTorch records:
/// `x ** 2` is `PowBackward0`, `x ** y` `PowBackward1`, `2 ** x` `PowBackward2`, `1 - x`
/// `RsubBackward1`.
pub fn node_name(op: BinaryOp, a_number: bool, b_number: bool) -> Option<&'static str> {
    use BinaryOp::*;
    Some(match op {
        Add => "AddBackward0",
        Sub if a_number => "RsubBackward1",
        Sub => "SubBackward0",
        Mul => "MulBackward0",
        Div | DivTrunc | DivFloor => "DivBackward0",
        Remainder => "RemainderBackward0",
        Fmod => "FmodBackward0",
        Pow | FloatPower if a_number => "PowBackward2",
        Pow | FloatPower if b_number => "PowBackward0",
        Pow | FloatPower => "PowBackward1",
        Atan2 => "Atan2Backward0",
        Maximum => "MaximumBackward0",
        Minimum => "MinimumBackward0",
        Fmax => "FmaxBackward0",
        Fmin => "FminBackward0",
        Hypot => "HypotBackward0",
        Copysign => "CopysignBackward0",
        Xlogy => "XlogyBackward0",
        Eq | Ne | Lt | Le | Gt | Ge | LogicalAnd | LogicalOr | LogicalXor | BitwiseAnd
        | BitwiseOr | BitwiseXor | LeftShift | RightShift => return None,
    })
}

/// Which operands are inputs of the node: every tensor, and a number where PyTorch wraps it
/// as a tensor (add, sub, mul, div) rather than calling an overload that takes a number
/// (`x ** 2`, `1 - x`, `x % 2`).
pub fn recorded_operands(op: BinaryOp, a: &Arg, b: &Arg) -> [bool; 2] {
    use BinaryOp::*;
    let wraps_numbers = matches!(op, Add | Mul | Div | DivTrunc | DivFloor)
        || (op == Sub && matches!(a, Arg::Tensor(_)));
    [a, b].map(|x| matches!(x, Arg::Tensor(_)) || wraps_numbers)
}

/// The node of `y = op(a, b)` (with `alpha` scaling `b` for add and sub). It has one input per
/// tensor operand, in order.
pub fn spec(op: BinaryOp, a: &Arg, b: &Arg, alpha: Option<Scalar>, y: &Tensor) -> Result<NodeSpec> {
    let numbers = (matches!(a, Arg::Scalar(_)), matches!(b, Arg::Scalar(_)));
    let name = node_name(op, numbers.0, numbers.1).unwrap_or("BinaryBackward0");
    let (xa, xb) = (Operand::of(a), Operand::of(b));
    // Only the formulas of pow, hypot and copysign use the result.
    let ys = matches!(
        op,
        BinaryOp::Pow | BinaryOp::FloatPower | BinaryOp::Hypot | BinaryOp::Copysign
    )
    .then(|| SavedTensor::output(y, 0));
    let mut saved: Vec<SavedTensor> = ys.iter().cloned().collect();
    for o in [&xa, &xb] {
        if let Operand::Tensor(s) = o {
            saved.push(s.clone());
        }
    }
    let alpha = alpha.map(|k| k.to_f64()).unwrap_or(1.0);
    let recorded = recorded_operands(op, a, b);
    Ok(NodeSpec::new(name, saved, move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized by the engine");
        // The node's inputs are the recorded operands, in order; numbers never need a gradient.
        let mut flags = needs.iter().copied();
        let mut need = [false; 2];
        for (k, operand) in [&xa, &xb].into_iter().enumerate() {
            let flag = if recorded[k] {
                flags.next().unwrap_or(false)
            } else {
                false
            };
            need[k] = flag && operand.is_tensor();
        }
        let (ga, gb) = grad_inputs(op, g, &xa, &xb, ys.as_ref(), alpha, (need[0], need[1]))?;
        // Gradients nobody asked for (numbers, inputs that need none) are dropped here.
        Ok([ga, gb]
            .into_iter()
            .zip(need)
            .zip(recorded)
            .filter(|(_, r)| *r)
            .map(|((g, n), _)| g.filter(|_| n))
            .collect())
    }))
}

/// (dL/da, dL/db) from `g = dL/dy`, both of the broadcast shape.
fn grad_inputs(
    op: BinaryOp,
    g: &Tensor,
    xa: &Operand,
    xb: &Operand,
    ys: Option<&SavedTensor>,
    alpha: f64,
    (need_a, need_b): (bool, bool),
) -> Result<(Option<Tensor>, Option<Tensor>)> {
    use BinaryOp::*;
    // The operand gradients that are wanted; the others are skipped (`None`).
    let when = |need: bool, f: &dyn Fn() -> Result<Tensor>| -> Result<Option<Tensor>> {
        if need {
            f().map(Some)
        } else {
            Ok(None)
        }
    };
    let a = || xa.value(g);
    let b = || xb.value(g);
    let some = |t: Result<Tensor>| t.map(Some);
    let y = || ys.expect("saved for the ops that use it").get();
    let (ga, gb) = match op {
        Add => (some(Ok(g.clone()))?, some(mul_scalar(g, alpha))?),
        Sub => (some(Ok(g.clone()))?, some(mul_scalar(g, -alpha))?),
        Mul => (
            when(need_a, &|| mul(g, &b()?))?,
            when(need_b, &|| mul(g, &a()?))?,
        ),
        // d(a/b)/db = -a / b^2
        Div => (
            when(need_a, &|| div(g, &b()?))?,
            when(need_b, &|| {
                neg(&div(&mul(g, &a()?)?, &unary(UnaryOp::Square, &b()?)?)?)
            })?,
        ),
        DivTrunc | DivFloor => (some(zeros_like(g))?, some(zeros_like(g))?),
        // a - b * floor(a / b)
        Remainder => {
            let q = a()?.binary(DivFloor, &Arg::Tensor(b()?), None)?;
            (Some(g.clone()), some(neg(&mul(g, &q)?))?)
        }
        // a - b * trunc(a / b)
        Fmod => {
            let q = a()?.binary(DivTrunc, &Arg::Tensor(b()?), None)?;
            (Some(g.clone()), some(neg(&mul(g, &q)?))?)
        }
        Pow | FloatPower => {
            let (a, b) = (a()?, b()?);
            // b a^(b-1), taken as 0 where b == 0 (so that 0^0 has gradient 0, as PyTorch).
            let da = mul(&b, &pow(&a, &add_scalar(&b, -1.0)?)?)?;
            let da = zero_where(&compare_scalar(Eq, &b, 0.0)?, &da)?;
            // y ln(a), taken as 0 where a == 0 and b >= 0.
            let db = mul(&y()?, &unary(UnaryOp::Log, &a)?)?;
            let at_zero = compare_scalar(Eq, &a, 0.0)?.binary(
                LogicalAnd,
                &Arg::Tensor(compare_scalar(Ge, &b, 0.0)?),
                None,
            )?;
            let db = zero_where(&at_zero, &db)?;
            (Some(mul(g, &da)?), Some(mul(g, &db)?))
        }
        // d atan2(a, b) = (b da - a db) / (a^2 + b^2)
        Atan2 => {
            let (a, b) = (a()?, b()?);
            let r2 = add(&unary(UnaryOp::Square, &a)?, &unary(UnaryOp::Square, &b)?)?;
            (
                Some(div(&mul(g, &b)?, &r2)?),
                Some(div(&neg(&mul(g, &a)?)?, &r2)?),
            )
        }
        // The larger (smaller) operand gets the gradient; ties split it in halves.
        Maximum | Minimum | Fmax | Fmin => {
            let (a, b) = (a()?, b()?);
            let wins = if matches!(op, Maximum | Fmax) { Gt } else { Lt };
            let half = mul_scalar(g, 0.5)?;
            let tie = compare(Eq, &a, &b)?;
            let a_wins = compare(wins, &a, &b)?;
            let b_wins = compare(wins, &b, &a)?;
            let mut ga = zero_where(
                &b_wins,
                &crate::tensor::where_op(
                    &tie,
                    &Arg::Tensor(half.clone()),
                    &Arg::Tensor(g.clone()),
                    None,
                )?,
            )?;
            let mut gb = zero_where(
                &a_wins,
                &crate::tensor::where_op(&tie, &Arg::Tensor(half), &Arg::Tensor(g.clone()), None)?,
            )?;
            if matches!(op, Fmax | Fmin) {
                // fmax/fmin return the number when the other operand is NaN.
                let a_nan = unary(UnaryOp::IsNan, &a)?;
                let b_nan = unary(UnaryOp::IsNan, &b)?;
                ga = crate::tensor::where_op(
                    &b_nan,
                    &Arg::Tensor(g.clone()),
                    &Arg::Tensor(zero_where(&a_nan, &ga)?),
                    None,
                )?;
                gb = crate::tensor::where_op(
                    &a_nan,
                    &Arg::Tensor(g.clone()),
                    &Arg::Tensor(zero_where(&b_nan, &gb)?),
                    None,
                )?;
                ga = zero_where(&a_nan, &ga)?;
                gb = zero_where(&b_nan, &gb)?;
            }
            (Some(ga), Some(gb))
        }
        // d hypot = a / y, b / y
        Hypot => {
            let y = y()?;
            (
                Some(mul(g, &div(&a()?, &y)?)?),
                Some(mul(g, &div(&b()?, &y)?)?),
            )
        }
        // |a| with b's sign: the derivative is y / a (0 where a == 0); none for b.
        Copysign => {
            let a = a()?;
            let d = zero_where(&compare_scalar(Eq, &a, 0.0)?, &div(&y()?, &a)?)?;
            (Some(mul(g, &d)?), some(zeros_like(g))?)
        }
        // a log(b): log(b) (0 where a == 0 and b <= 0), and a / b.
        Xlogy => {
            let (a, b) = (a()?, b()?);
            let da = unary(UnaryOp::Log, &b)?;
            let mask = compare_scalar(Eq, &a, 0.0)?.binary(
                LogicalAnd,
                &Arg::Tensor(compare_scalar(Le, &b, 0.0)?),
                None,
            )?;
            (
                Some(zero_where(&mask, &mul(g, &da)?)?),
                Some(mul(g, &div(&a, &b)?)?),
            )
        }
        _ => (None, None),
    };
    Ok((ga, gb))
}
