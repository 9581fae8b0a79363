//! The scalar function of every unary op, per dtype family, run by the `map` kernel.

use super::iter::Plan;
use super::map::map;
use super::scalar::{Int, Real};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::UnaryOp;

/// Runs `op` over `plan` (`[out, input]`). The input holds `dtype` (the dtype the op computes
/// in); the output holds `dtype`, or bool for predicates.
///
/// # Safety
/// The pointers must be valid for the plan's offsets, with the element types named above.
pub unsafe fn unary(
    op: UnaryOp,
    dtype: DType,
    plan: &Plan<2>,
    out: *mut u8,
    input: *const u8,
) -> Result<()> {
    // SAFETY: forwarded from the caller, with the element type `dtype` names.
    unsafe {
        match dtype {
            DType::F32 => real::<f32>(op, plan, out, input),
            DType::F64 => real::<f64>(op, plan, out, input),
            DType::F16 => real::<half::f16>(op, plan, out, input),
            DType::BF16 => real::<half::bf16>(op, plan, out, input),
            DType::U8 => int::<u8>(op, plan, out, input),
            DType::I8 => int::<i8>(op, plan, out, input),
            DType::I16 => int::<i16>(op, plan, out, input),
            DType::I32 => int::<i32>(op, plan, out, input),
            DType::I64 => int::<i64>(op, plan, out, input),
            DType::Bool => boolean(op, plan, out, input),
        }
    }
}

fn no_kernel(op: UnaryOp, dtype: DType) -> Error {
    Error::runtime(format!(
        "{}: no kernel for {dtype} (dtype rules should have converted the input)",
        op.info().name
    ))
}

unsafe fn real<T: Real>(op: UnaryOp, plan: &Plan<2>, out: *mut u8, x: *const u8) -> Result<()> {
    use UnaryOp::*;
    let x = x as *const T;
    let o = out as *mut T;
    let b = out as *mut bool;
    // SAFETY: forwarded from `unary`.
    unsafe {
        match op {
            Abs => map(plan, o, x, T::abs),
            Neg => map(plan, o, x, |v: T| -v),
            Sign => map(plan, o, x, |v: T| {
                T::from_i64((T::ZERO < v) as i64 - (v < T::ZERO) as i64)
            }),
            Exp => map(plan, o, x, T::exp),
            Exp2 => map(plan, o, x, T::exp2),
            Expm1 => map(plan, o, x, T::exp_m1),
            Log => map(plan, o, x, T::ln),
            Log2 => map(plan, o, x, T::log2),
            Log10 => map(plan, o, x, T::log10),
            Log1p => map(plan, o, x, T::ln_1p),
            Sqrt => map(plan, o, x, T::sqrt),
            Rsqrt => map(plan, o, x, |v: T| T::ONE / v.sqrt()),
            Square => map(plan, o, x, |v: T| v * v),
            Sin => map(plan, o, x, T::sin),
            Cos => map(plan, o, x, T::cos),
            Tan => map(plan, o, x, T::tan),
            Asin => map(plan, o, x, T::asin),
            Acos => map(plan, o, x, T::acos),
            Atan => map(plan, o, x, T::atan),
            Sinh => map(plan, o, x, T::sinh),
            Cosh => map(plan, o, x, T::cosh),
            Tanh => map(plan, o, x, T::tanh),
            Asinh => map(plan, o, x, T::asinh),
            Acosh => map(plan, o, x, T::acosh),
            Atanh => map(plan, o, x, T::atanh),
            Sigmoid => map(plan, o, x, T::sigmoid),
            Relu => map(plan, o, x, |v: T| {
                if v.is_nan() || v > T::ZERO {
                    v
                } else {
                    T::ZERO
                }
            }),
            Erf => map(plan, o, x, T::erf),
            Erfc => map(plan, o, x, T::erfc),
            Erfinv => map(plan, o, x, T::erfinv),
            Lgamma => map(plan, o, x, T::lgamma),
            Digamma => map(plan, o, x, T::digamma),
            Floor => map(plan, o, x, T::floor),
            Ceil => map(plan, o, x, T::ceil),
            Round => map(plan, o, x, T::round_even),
            Trunc => map(plan, o, x, T::trunc),
            Frac => map(plan, o, x, |v: T| v - v.trunc()),
            Reciprocal => map(plan, o, x, |v: T| T::ONE / v),
            IsNan => map(plan, b, x, T::is_nan),
            IsInf => map(plan, b, x, T::is_infinite),
            IsFinite => map(plan, b, x, |v: T| !v.is_nan() && !v.is_infinite()),
            IsPosInf => map(plan, b, x, |v: T| v == T::INFINITY),
            IsNegInf => map(plan, b, x, |v: T| v == T::NEG_INFINITY),
            Signbit => map(plan, b, x, T::is_sign_negative),
            LogicalNot => map(plan, b, x, |v: T| v == T::ZERO),
            BitwiseNot => return Err(no_kernel(op, T::DTYPE)),
        }
    }
    Ok(())
}

unsafe fn int<T: Int>(op: UnaryOp, plan: &Plan<2>, out: *mut u8, x: *const u8) -> Result<()> {
    use UnaryOp::*;
    let x = x as *const T;
    let o = out as *mut T;
    let b = out as *mut bool;
    // SAFETY: forwarded from `unary`.
    unsafe {
        match op {
            Abs => map(plan, o, x, T::wabs),
            Neg => map(plan, o, x, T::wneg),
            Sign => map(plan, o, x, T::signum),
            Square => map(plan, o, x, |v: T| v.wmul(v)),
            Relu => map(plan, o, x, |v: T| v.max(T::ZERO)),
            Floor | Ceil | Round | Trunc => map(plan, o, x, |v: T| v),
            BitwiseNot => map(plan, o, x, T::not),
            IsNan | IsInf | IsPosInf | IsNegInf => map(plan, b, x, |_: T| false),
            IsFinite => map(plan, b, x, |_: T| true),
            Signbit => map(plan, b, x, |v: T| v < T::ZERO),
            LogicalNot => map(plan, b, x, |v: T| v == T::ZERO),
            _ => return Err(no_kernel(op, T::DTYPE)),
        }
    }
    Ok(())
}

unsafe fn boolean(op: UnaryOp, plan: &Plan<2>, out: *mut u8, x: *const u8) -> Result<()> {
    use UnaryOp::*;
    let x = x as *const bool;
    let o = out as *mut bool;
    // SAFETY: forwarded from `unary`.
    unsafe {
        match op {
            Sign => map(plan, o, x, |v: bool| v),
            BitwiseNot | LogicalNot => map(plan, o, x, |v: bool| !v),
            IsNan | IsInf | IsPosInf | IsNegInf | Signbit => map(plan, o, x, |_: bool| false),
            IsFinite => map(plan, o, x, |_: bool| true),
            _ => return Err(no_kernel(op, DType::Bool)),
        }
    }
    Ok(())
}
