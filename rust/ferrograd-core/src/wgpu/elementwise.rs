//! The GPU's elementwise kernels: one WGSL template (`shaders/map.wgsl`, see `map.rs`) for
//! every unary and binary op, filled in with the op's row of the WGSL op table below.
//!
//! A row is written only where WGSL's function has PyTorch's semantics at float32 tolerance,
//! including NaN and infinities. Left out for now: `log` and `sqrt` (Vulkan leaves them
//! undefined below zero, where PyTorch gives NaN), and `tanh` (drivers compute it from `exp`,
//! which loses all relative accuracy near zero). An op without a row runs its CPU kernel (see
//! `resident.rs`).

use super::map::{self, Input, Map, View};
use crate::cpu::ternary::TernaryOp;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};
use crate::tensor::Tensor;

/// The WGSL op table for unary ops: an expression in `x`.
fn unary_expr(op: UnaryOp) -> Option<&'static str> {
    use UnaryOp::*;
    Some(match op {
        Abs => "abs(x)",
        Neg => "-x",
        Exp => "exp(x)",
        Square => "x * x",
        Sigmoid => "1.0 / (1.0 + exp(-x))",
        // NaN stays NaN (a comparison with NaN is false), as in PyTorch.
        Relu => "select(x, 0.0, x < 0.0)",
        Floor => "floor(x)",
        Ceil => "ceil(x)",
        Trunc => "trunc(x)",
        Reciprocal => "1.0 / x",
        // Vulkan leaves sqrt undefined below zero, where PyTorch gives NaN.
        Sqrt => "select(sqrt(x), nan(), x < 0.0)",
        _ => return None,
    })
}

/// The WGSL op table for binary ops: an expression in `x` and `y`. Comparisons give a bool
/// (a u32 0 or 1, stored as one byte); with NaN only `!=` holds, as in IEEE and PyTorch,
/// which `ordered` (`shaders/float.wgsl`) makes explicit.
fn binary_expr(op: BinaryOp) -> Option<&'static str> {
    use BinaryOp::*;
    Some(match op {
        Add => "x + y",
        Sub => "x - y",
        Mul => "x * y",
        Div => "x / y",
        Eq => "select(0u, 1u, ordered(x, y) && x == y)",
        Ne => "select(0u, 1u, !ordered(x, y) || x != y)",
        Lt => "select(0u, 1u, ordered(x, y) && x < y)",
        Le => "select(0u, 1u, ordered(x, y) && x <= y)",
        Gt => "select(0u, 1u, ordered(x, y) && x > y)",
        Ge => "select(0u, 1u, ordered(x, y) && x >= y)",
        _ => return None,
    })
}

/// `out = op(x)` on the GPU; `x` has `out`'s shape and dtype. False (nothing done) when the GPU
/// has no kernel for the op on this dtype, or the operands are too large for one binding or for
/// 32-bit indices: the caller then runs the CPU kernel.
pub fn unary(op: UnaryOp, out: &Tensor, x: &Tensor) -> Result<bool> {
    match unary_expr(op) {
        Some(expr) => run(op.info().name, expr, out, &[x]),
        None => Ok(false),
    }
}

/// `out = op(x, y)` on the GPU; `x` and `y` have `out`'s shape and dtype. False as in `unary`.
pub fn binary(op: BinaryOp, out: &Tensor, x: &Tensor, y: &Tensor) -> Result<bool> {
    match binary_expr(op) {
        Some(expr) => run(op.info().name, expr, out, &[x, y]),
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

/// `out = where(cond, a, b)` on the GPU: `cond` bool, the branches of `out`'s dtype, all of
/// `out`'s shape. False as in `unary`.
pub fn select(out: &Tensor, cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<bool> {
    if out.dtype() != DType::F32 || cond.dtype() != DType::Bool {
        return Ok(false);
    }
    let view = View::Typed("f32");
    let inputs = [
        Input::new(cond, View::Bytes),
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

/// `out = x - log(y)` on the GPU, for `y >= 1` only: `log_softmax`'s last step, `y` being a
/// sum of exponentials whose largest is 1. Not a general `log`: WGSL's is accurate only to an
/// absolute 2^-21 between 0.5 and 2, which is fine against `x` but not relative to `log(y)`
/// near 1, and undefined below 0.
pub fn sub_log(out: &Tensor, x: &Tensor, y: &Tensor) -> Result<bool> {
    run("log_softmax", "x - log(y)", out, &[x, y])
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
    // The table's expressions are written for float32 inputs so far (the caller has checked
    // that `out` has the op's result dtype: float32, or bool for a comparison).
    let out_view = match out.dtype() {
        DType::F32 => View::Typed("f32"),
        DType::Bool => View::Bytes,
        _ => return Ok(false),
    };
    if inputs.iter().any(|t| t.dtype() != DType::F32) {
        return Ok(false);
    }
    let view = View::Typed("f32");
    let inputs: Vec<Input<'_>> = inputs.iter().map(|t| Input::new(t, view)).collect();
    map::run(&Map {
        name,
        target: out,
        out: out_view,
        inputs: &inputs,
        expr,
        extra,
    })
}
