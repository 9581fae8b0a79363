//! Backward of the unary elementwise ops: one arm per row of `op::unary`, with `g` the
//! gradient of the result, `x` the input and `y` the result.

use std::f64::consts::{LN_10, LN_2, PI};

use super::math::*;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::error::{Error, Result};
use crate::op::{BinaryOp, UnaryOp};
use crate::tensor::Tensor;

/// PyTorch's name for the node of `op`, or `None` when `op` has no gradient (its result is
/// bool or piecewise constant with no node at all).
pub fn node_name(op: UnaryOp) -> Option<&'static str> {
    use UnaryOp::*;
    Some(match op {
        Abs => "AbsBackward0",
        Neg => "NegBackward0",
        Sign => "SignBackward0",
        Exp => "ExpBackward0",
        Exp2 => "Exp2Backward0",
        Expm1 => "Expm1Backward0",
        Log => "LogBackward0",
        Log2 => "Log2Backward0",
        Log10 => "Log10Backward0",
        Log1p => "Log1PBackward0",
        Sqrt => "SqrtBackward0",
        Rsqrt => "RsqrtBackward0",
        Square => "PowBackward0",
        Sin => "SinBackward0",
        Cos => "CosBackward0",
        Tan => "TanBackward0",
        Asin => "AsinBackward0",
        Acos => "AcosBackward0",
        Atan => "AtanBackward0",
        Sinh => "SinhBackward0",
        Cosh => "CoshBackward0",
        Tanh => "TanhBackward0",
        Asinh => "AsinhBackward0",
        Acosh => "AcoshBackward0",
        Atanh => "AtanhBackward0",
        Sigmoid => "SigmoidBackward0",
        Relu => "ReluBackward0",
        Erf => "ErfBackward0",
        Erfc => "ErfcBackward0",
        Erfinv => "ErfinvBackward0",
        Lgamma => "LgammaBackward0",
        Digamma => "DigammaBackward0",
        Floor => "FloorBackward0",
        Ceil => "CeilBackward0",
        Round => "RoundBackward0",
        Trunc => "TruncBackward0",
        Frac => "FracBackward0",
        Reciprocal => "ReciprocalBackward0",
        IsNan | IsInf | IsFinite | IsPosInf | IsNegInf | Signbit | LogicalNot | BitwiseNot => {
            return None
        }
    })
}

/// Whether the formula of `op` is written with its result `y` (else with its input `x`):
/// only the one it needs is saved, as PyTorch does (an in-place change of the other then
/// stays legal).
fn uses_result(op: UnaryOp) -> bool {
    use UnaryOp::*;
    matches!(
        op,
        Exp | Exp2 | Expm1 | Sqrt | Rsqrt | Tan | Tanh | Sigmoid | Relu | Erfinv | Reciprocal
    )
}

/// The node of `y = op(x)`.
pub fn spec(op: UnaryOp, x: &Tensor, y: &Tensor) -> Result<NodeSpec> {
    let name = node_name(op).unwrap_or("UnaryBackward0");
    let saved = if uses_result(op) {
        SavedTensor::output(y, 0)
    } else {
        SavedTensor::input(x)
    };
    Ok(NodeSpec::new(
        name,
        vec![saved.clone()],
        move |grads, _needs| {
            let g = grads[0].as_ref().expect("materialized by the engine");
            Ok(vec![Some(grad_input(op, g, &saved)?)])
        },
    ))
}

/// `dL/dx` from `g = dL/dy`; `saved` is `y` for the ops of [`uses_result`], else `x`.
fn grad_input(op: UnaryOp, g: &Tensor, saved: &SavedTensor) -> Result<Tensor> {
    use UnaryOp::*;
    let x = || saved.get();
    let y = || saved.get();
    match op {
        Abs => mul(g, &unary(Sign, &x()?)?),
        Neg => neg(g),
        Sign | Floor | Ceil | Round | Trunc => zeros_like(g),
        Frac => Ok(g.clone()),
        Exp => mul(g, &y()?),
        Exp2 => mul(g, &mul_scalar(&y()?, LN_2)?),
        Expm1 => mul(g, &add_scalar(&y()?, 1.0)?),
        Log => div(g, &x()?),
        Log2 => div(g, &mul_scalar(&x()?, LN_2)?),
        Log10 => div(g, &mul_scalar(&x()?, LN_10)?),
        Log1p => div(g, &add_scalar(&x()?, 1.0)?),
        Sqrt => div(g, &mul_scalar(&y()?, 2.0)?),
        // d/dx x^(-1/2) = -1/2 x^(-3/2) = -1/2 y^3
        Rsqrt => mul(g, &mul_scalar(&pow_scalar(&y()?, 3.0)?, -0.5)?),
        Square => mul(g, &mul_scalar(&x()?, 2.0)?),
        Sin => mul(g, &unary(Cos, &x()?)?),
        Cos => mul(g, &neg(&unary(Sin, &x()?)?)?),
        // 1 + tan^2
        Tan => mul(g, &add_scalar(&unary(Square, &y()?)?, 1.0)?),
        // 1 / sqrt(1 - x^2)
        Asin => mul(
            g,
            &unary(Rsqrt, &rsub_scalar(&unary(Square, &x()?)?, 1.0)?)?,
        ),
        Acos => neg(&mul(
            g,
            &unary(Rsqrt, &rsub_scalar(&unary(Square, &x()?)?, 1.0)?)?,
        )?),
        Atan => div(g, &add_scalar(&unary(Square, &x()?)?, 1.0)?),
        Sinh => mul(g, &unary(Cosh, &x()?)?),
        Cosh => mul(g, &unary(Sinh, &x()?)?),
        // 1 - tanh^2
        Tanh => mul(g, &rsub_scalar(&unary(Square, &y()?)?, 1.0)?),
        Asinh => mul(g, &unary(Rsqrt, &add_scalar(&unary(Square, &x()?)?, 1.0)?)?),
        Acosh => mul(
            g,
            &unary(Rsqrt, &add_scalar(&unary(Square, &x()?)?, -1.0)?)?,
        ),
        Atanh => div(g, &rsub_scalar(&unary(Square, &x()?)?, 1.0)?),
        // s (1 - s)
        Sigmoid => {
            let s = y()?;
            mul(g, &mul(&s, &rsub_scalar(&s, 1.0)?)?)
        }
        // The gradient passes where the result is positive (0 at the kink, as PyTorch).
        Relu => zero_where(&compare_scalar(BinaryOp::Le, &y()?, 0.0)?, g),
        // 2/sqrt(pi) e^(-x^2)
        Erf => mul(
            g,
            &mul_scalar(&unary(Exp, &neg(&unary(Square, &x()?)?)?)?, 2.0 / PI.sqrt())?,
        ),
        Erfc => mul(
            g,
            &mul_scalar(
                &unary(Exp, &neg(&unary(Square, &x()?)?)?)?,
                -2.0 / PI.sqrt(),
            )?,
        ),
        // sqrt(pi)/2 e^(erfinv(x)^2)
        Erfinv => mul(
            g,
            &mul_scalar(&unary(Exp, &unary(Square, &y()?)?)?, PI.sqrt() / 2.0)?,
        ),
        Lgamma => mul(g, &unary(Digamma, &x()?)?),
        // -1/x^2 = -y^2
        Reciprocal => mul(g, &neg(&unary(Square, &y()?)?)?),
        Digamma => Err(Error::runtime(
            "the derivative for 'digamma' (polygamma of order 1) is not implemented.",
        )),
        IsNan | IsInf | IsFinite | IsPosInf | IsNegInf | Signbit | LogicalNot | BitwiseNot => {
            zeros_like(g)
        }
    }
}
