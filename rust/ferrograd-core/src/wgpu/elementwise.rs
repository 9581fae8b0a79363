//! The GPU's elementwise kernels: one WGSL template (`shaders/map.wgsl`, see `map.rs`) for
//! every unary and binary op, filled in with the op's row of the WGSL op tables below: one
//! each for float32, int32, int64 and bool operands.
//!
//! A row is written only where it has PyTorch's semantics at float32 tolerance, including NaN,
//! infinities and signed zeros. Where WGSL's built-in falls short (its `exp` and `log` are
//! loose, `tanh` loses every digit near 0, `log` and `pow` are undefined below 0, `sin` and
//! `cos` are bounded only on [-pi, pi], `%` is not C's `fmod`, and WGSL has no error or gamma
//! functions) the row calls a function of `shaders/math.wgsl`, `trig.wgsl`, `erf.wgsl`,
//! `gamma.wgsl` or `division.wgsl` instead. An op without a row runs its CPU kernel (see
//! `resident.rs`).

use std::borrow::Cow;

use super::map::{self, Input, Map, View};
use crate::cpu::ternary::TernaryOp;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};
use crate::tensor::Tensor;

/// The WGSL op table for unary ops on float32: an expression in `x`.
fn float_unary(op: UnaryOp) -> Option<&'static str> {
    use UnaryOp::*;
    Some(match op {
        Abs => "abs(x)",
        Neg => "-x",
        // NaN gives 0, as on the CPU.
        Sign => "select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0)",
        Exp => "exp_accurate(x)",
        Exp2 => "exp2_accurate(x)",
        Expm1 => "expm1_accurate(x)",
        Log => "log_accurate(x)",
        Log2 => "log2_accurate(x)",
        Log10 => "log10_accurate(x)",
        Log1p => "log1p_accurate(x)",
        // Vulkan leaves sqrt undefined below zero, where PyTorch gives NaN.
        Sqrt => "select(sqrt(x), nan(), x < 0.0)",
        Rsqrt => "select(1.0 / sqrt(x), nan(), x < 0.0)",
        Square => "x * x",
        Tanh => "tanh_accurate(x)",
        Sinh => "sinh_accurate(x)",
        Cosh => "cosh_accurate(x)",
        Sigmoid => "sigmoid_accurate(x)",
        Sin => "sin_accurate(x)",
        Cos => "cos_accurate(x)",
        Tan => "tan_accurate(x)",
        Asin => "asin_accurate(x)",
        Acos => "acos_accurate(x)",
        Atan => "atan_accurate(x)",
        Asinh => "asinh_accurate(x)",
        Acosh => "acosh_accurate(x)",
        Atanh => "atanh_accurate(x)",
        Erf => "erf_accurate(x)",
        Erfc => "erfc_accurate(x)",
        Erfinv => "erfinv_accurate(x)",
        Lgamma => "lgamma_accurate(x)",
        Digamma => "digamma_accurate(x)",
        // NaN stays NaN (a comparison with NaN is false), as in PyTorch.
        Relu => "select(x, 0.0, x < 0.0)",
        Floor => "floor(x)",
        Ceil => "ceil(x)",
        // Halves to even, as PyTorch rounds.
        Round => "round(x)",
        Trunc => "trunc(x)",
        Frac => "x - trunc(x)",
        Reciprocal => "1.0 / x",
        IsNan => "select(0u, 1u, is_nan(x))",
        IsInf => "select(0u, 1u, is_inf(x))",
        IsFinite => "select(0u, 1u, !is_nan(x) && !is_inf(x))",
        IsPosInf => "select(0u, 1u, bitcast<u32>(x) == 0x7f800000u)",
        IsNegInf => "select(0u, 1u, bitcast<u32>(x) == 0xff800000u)",
        Signbit => "bitcast<u32>(x) >> 31u",
        LogicalNot => "select(0u, 1u, !is_nonzero(x))",
        _ => return None,
    })
}

/// The WGSL op table for unary ops on int32 (WGSL's integer arithmetic wraps, as the CPU's).
fn int_unary(op: UnaryOp) -> Option<&'static str> {
    use UnaryOp::*;
    Some(match op {
        Abs => "abs(x)",
        Neg => "-x",
        Sign => "sign(x)",
        Square => "x * x",
        Relu => "max(x, 0)",
        Floor | Ceil | Round | Trunc => "x",
        BitwiseNot => "~x",
        Signbit => "select(0u, 1u, x < 0)",
        LogicalNot => "select(0u, 1u, x == 0)",
        _ => return None,
    })
}

/// The WGSL op table for unary ops on int64 (a `vec2<u32>`, see `shaders/int64.wgsl`).
fn int64_unary(op: UnaryOp) -> Option<&'static str> {
    use UnaryOp::*;
    Some(match op {
        Abs => "select(x, i64_neg(x), i64_is_negative(x))",
        Neg => "i64_neg(x)",
        Sign => "select(vec2<u32>(select(0u, 1u, any(x != vec2<u32>(0u))), 0u), vec2<u32>(0xffffffffu), i64_is_negative(x))",
        Relu => "select(x, vec2<u32>(0u), i64_is_negative(x))",
        Floor | Ceil | Round | Trunc => "x",
        Square => "i64_mul(x, x)",
        BitwiseNot => "~x",
        Signbit => "select(0u, 1u, i64_is_negative(x))",
        LogicalNot => "select(0u, 1u, all(x == vec2<u32>(0u)))",
        _ => return None,
    })
}

/// The WGSL op table for unary ops on bools (bytes holding 0 or 1, read as a u32).
fn bool_unary(op: UnaryOp) -> Option<&'static str> {
    use UnaryOp::*;
    Some(match op {
        LogicalNot | BitwiseNot => "1u - x",
        _ => return None,
    })
}

/// The WGSL op table for binary ops on float32: an expression in `x` and `y`, and `alpha`
/// (`add`'s and `sub`'s multiplier). Comparisons give a bool (a u32 0 or 1, stored as one
/// byte); with NaN only `!=` holds, as in IEEE and PyTorch, which `ordered`
/// (`shaders/float.wgsl`) makes explicit.
fn float_binary(op: BinaryOp) -> Option<&'static str> {
    use BinaryOp::*;
    Some(match op {
        Add => "x + alpha * y",
        Sub => "x - alpha * y",
        Mul => "x * y",
        Div => "x / y",
        DivTrunc => "trunc(x / y)",
        DivFloor => "floor_divide_float(x, y)",
        Remainder => "remainder_float(x, y)",
        Fmod => "fmod_exact(x, y)",
        Atan2 => "atan2_accurate(x, y)",
        Hypot => "hypot_accurate(x, y)",
        Pow => "pow_accurate(x, y)",
        // NaN wins in maximum and minimum, loses in fmax and fmin.
        // Compared and chosen as bits (see `greater` in float.wgsl): y of equal zeros, as on
        // the CPU, and subnormals compared where a GPU may flush them.
        Maximum => "select(pick(y, x, greater(x, y)), nan(), !ordered(x, y))",
        Minimum => "select(pick(y, x, greater(y, x)), nan(), !ordered(x, y))",
        Fmax => "pick(x, y, is_nan(x) || (!is_nan(y) && greater(y, x)))",
        Fmin => "pick(x, y, is_nan(x) || (!is_nan(y) && greater(x, y)))",
        Copysign => "with_sign(x, y)",
        Xlogy => "select(select(x * log_accurate(y), 0.0, x == 0.0), nan(), is_nan(y))",
        Eq => "select(0u, 1u, ordered(x, y) && x == y)",
        Ne => "select(0u, 1u, !ordered(x, y) || x != y)",
        Lt => "select(0u, 1u, ordered(x, y) && x < y)",
        Le => "select(0u, 1u, ordered(x, y) && x <= y)",
        Gt => "select(0u, 1u, ordered(x, y) && x > y)",
        Ge => "select(0u, 1u, ordered(x, y) && x >= y)",
        LogicalAnd => "select(0u, 1u, is_nonzero(x) && is_nonzero(y))",
        LogicalOr => "select(0u, 1u, is_nonzero(x) || is_nonzero(y))",
        LogicalXor => "select(0u, 1u, is_nonzero(x) != is_nonzero(y))",
        _ => return None,
    })
}

/// The WGSL op table for binary ops on int32.
fn int_binary(op: BinaryOp) -> Option<&'static str> {
    use BinaryOp::*;
    Some(match op {
        Add => "x + alpha * y",
        Sub => "x - alpha * y",
        DivTrunc => "x / y",
        DivFloor => "i32_div_floor(x, y)",
        Remainder => "i32_remainder(x, y)",
        Fmod => "x % y",
        Mul => "x * y",
        Maximum | Fmax => "max(x, y)",
        Minimum | Fmin => "min(x, y)",
        BitwiseAnd => "x & y",
        BitwiseOr => "x | y",
        BitwiseXor => "x ^ y",
        Eq => "select(0u, 1u, x == y)",
        Ne => "select(0u, 1u, x != y)",
        Lt => "select(0u, 1u, x < y)",
        Le => "select(0u, 1u, x <= y)",
        Gt => "select(0u, 1u, x > y)",
        Ge => "select(0u, 1u, x >= y)",
        LogicalAnd => "select(0u, 1u, x != 0 && y != 0)",
        LogicalOr => "select(0u, 1u, x != 0 || y != 0)",
        LogicalXor => "select(0u, 1u, (x != 0) != (y != 0))",
        _ => return None,
    })
}

/// The WGSL op table for binary ops on int64 (see `int64_unary`).
fn int64_binary(op: BinaryOp) -> Option<&'static str> {
    use BinaryOp::*;
    Some(match op {
        Add => "i64_add(x, i64_mul(alpha, y))",
        Sub => "i64_add(x, i64_neg(i64_mul(alpha, y)))",
        Mul => "i64_mul(x, y)",
        DivTrunc => "i64_divmod_trunc(x, y).xy",
        DivFloor => "i64_div_floor(x, y)",
        Remainder => "i64_remainder(x, y)",
        Fmod => "i64_divmod_trunc(x, y).zw",
        Maximum | Fmax => "select(x, y, i64_lt(x, y))",
        Minimum | Fmin => "select(x, y, i64_lt(y, x))",
        BitwiseAnd => "x & y",
        BitwiseOr => "x | y",
        BitwiseXor => "x ^ y",
        Eq => "select(0u, 1u, all(x == y))",
        Ne => "select(0u, 1u, any(x != y))",
        Lt => "select(0u, 1u, i64_lt(x, y))",
        Le => "select(0u, 1u, !i64_lt(y, x))",
        Gt => "select(0u, 1u, i64_lt(y, x))",
        Ge => "select(0u, 1u, !i64_lt(x, y))",
        LogicalAnd => "select(0u, 1u, any(x != vec2<u32>(0u)) && any(y != vec2<u32>(0u)))",
        LogicalOr => "select(0u, 1u, any(x != vec2<u32>(0u)) || any(y != vec2<u32>(0u)))",
        LogicalXor => "select(0u, 1u, any(x != vec2<u32>(0u)) != any(y != vec2<u32>(0u)))",
        _ => return None,
    })
}

/// The WGSL op table for binary ops on bools (0 or 1 in a u32).
fn bool_binary(op: BinaryOp) -> Option<&'static str> {
    use BinaryOp::*;
    Some(match op {
        LogicalAnd | BitwiseAnd | Mul | Minimum | Fmin => "x & y",
        LogicalOr | BitwiseOr | Add | Maximum | Fmax => "x | y",
        LogicalXor | BitwiseXor | Ne => "x ^ y",
        Eq => "1u - (x ^ y)",
        Lt => "(1u - x) & y",
        Le => "(1u - x) | y",
        Gt => "x & (1u - y)",
        Ge => "x | (1u - y)",
        _ => return None,
    })
}

/// `out = op(x)` on the GPU; `x` has `out`'s shape and the op's compute dtype. False (nothing
/// done) when the GPU has no kernel for the op on this dtype, or the operands are too large
/// for one binding or for 32-bit indices: the caller then runs the CPU kernel.
pub fn unary(op: UnaryOp, out: &Tensor, x: &Tensor) -> Result<bool> {
    let expr = match x.dtype() {
        DType::F32 | DType::F16 | DType::BF16 => float_unary(op),
        DType::I32 => int_unary(op),
        DType::I64 => int64_unary(op),
        DType::Bool => bool_unary(op),
        _ => None,
    };
    match expr {
        Some(expr) => run(op.info().name, expr, out, &[x]),
        None => Ok(false),
    }
}

/// `out = op(x, y)` on the GPU (`x + alpha * y` for add); `x` and `y` have `out`'s shape and
/// the op's compute dtype. False as in `unary`.
pub fn binary(
    op: BinaryOp,
    out: &Tensor,
    x: &Tensor,
    y: &Tensor,
    alpha: Option<Scalar>,
) -> Result<bool> {
    // alpha (cast as the CPU kernel casts it) travels in extra words, not in the source: a
    // learning rate that changes every step (`add_(grad, alpha=-lr)`) must not compile a
    // kernel per step.
    let (expr, alpha): (Option<String>, Vec<u32>) = match x.dtype() {
        DType::F32 | DType::F16 | DType::BF16 => (
            float_binary(op).map(|e| e.replace("alpha", "bitcast<f32>(extra(0u))")),
            vec![alpha.map_or(1.0, |a| a.cast::<f32>()).to_bits()],
        ),
        DType::I32 => (
            int_binary(op).map(|e| e.replace("alpha", "bitcast<i32>(extra(0u))")),
            vec![alpha.map_or(1, |a| a.cast::<i32>()) as u32],
        ),
        DType::I64 => {
            let a = alpha.map_or(1, |a| a.cast::<i64>());
            (
                int64_binary(op).map(|e| e.replace("alpha", "vec2<u32>(extra(0u), extra(1u))")),
                vec![a as u32, (a >> 32) as u32],
            )
        }
        // (a bool alpha is the CPU's)
        DType::Bool if alpha.is_none() => (bool_binary(op).map(str::to_string), vec![]),
        _ => return Ok(false),
    };
    match expr {
        Some(expr) => run_with(op.info().name, &expr, out, &[x, y], &alpha),
        None => Ok(false),
    }
}

/// `out = op(a, b, c)` (`addcmul`, `addcdiv`, `lerp`) on the GPU; the inputs have `out`'s
/// shape and dtype. False as in `unary`.
pub fn ternary(op: TernaryOp, out: &Tensor, inputs: [&Tensor; 3]) -> Result<bool> {
    let (expr, value) = match op {
        // In the CPU kernel's order of operations: (value * y) * z.
        TernaryOp::Addcmul(v) => ("x + bitcast<f32>(extra(0u)) * y * z", v),
        TernaryOp::Addcdiv(v) => ("x + bitcast<f32>(extra(0u)) * y / z", v),
        // From whichever end is nearer, as on the CPU.
        TernaryOp::Lerp => (
            "select(y - (y - x) * (1.0 - z), x + z * (y - x), abs(z) < 0.5)",
            Scalar::Int(0),
        ),
    };
    let extra = [(value.to_f64() as f32).to_bits()];
    run_with(op.name(), expr, out, &inputs, &extra)
}

/// `out = where(cond, a, b)` on the GPU: `cond` bool, the branches of `out`'s dtype (any:
/// their bits are picked unchanged), all of `out`'s shape. False as in `unary`.
pub fn select(out: &Tensor, cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<bool> {
    let Some(view) = View::bits(out.dtype()) else {
        return Ok(false);
    };
    if cond.dtype() != DType::Bool || a.dtype() != out.dtype() || b.dtype() != out.dtype() {
        return Ok(false);
    }
    let inputs = [
        Input::new(cond, View::BYTES),
        Input::new(a, view),
        Input::new(b, view),
    ];
    map::run(&Map {
        name: "where",
        target: out,
        out: view,
        inputs: &inputs,
        expr: "select(z, y, x != 0u)",
        extra: &[],
    })
}

fn run(name: &str, expr: &str, out: &Tensor, inputs: &[&Tensor]) -> Result<bool> {
    run_with(name, expr, out, inputs, &[])
}

fn run_with(
    name: &str,
    expr: &str,
    out: &Tensor,
    inputs: &[&Tensor],
    extra: &[u32],
) -> Result<bool> {
    // Every input has the compute dtype, which the output has too unless it is a bool. A
    // 16-bit float is computed in float32 and rounded once into its result, as on the CPU.
    let compute = inputs[0].dtype();
    let view = match compute {
        DType::F32 | DType::I32 | DType::I64 | DType::Bool | DType::F16 | DType::BF16 => {
            View::computed(compute)
        }
        _ => None,
    };
    // (A rounding around the expression is the only text built here, and only for 16 bits.)
    let (out_view, expr): (_, Cow<'_, str>) = match View::narrow(out.dtype()) {
        _ if out.dtype() == DType::Bool => (Some(View::BYTES), expr.into()),
        _ if out.dtype() != compute => (None, expr.into()),
        Some(narrow) => (View::bits(compute), format!("{narrow}({expr})").into()),
        None => (view, expr.into()),
    };
    let (Some(view), Some(out_view)) = (view, out_view) else {
        return Ok(false);
    };
    if inputs.iter().any(|t| t.dtype() != compute) {
        return Ok(false);
    }
    let inputs: Vec<Input<'_>> = inputs.iter().map(|t| Input::new(t, view)).collect();
    map::run(&Map {
        name,
        target: out,
        out: out_view,
        inputs: &inputs,
        expr: &expr,
        extra,
    })
}
