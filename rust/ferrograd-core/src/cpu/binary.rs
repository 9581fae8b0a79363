//! The scalar function of every binary op, per dtype family, run by the `zip` kernel.

use super::iter::Plan;
use super::map::zip;
use super::scalar::{Int, Real};
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::op::BinaryOp;

/// Runs `op` over `plan` (`[out, a, b]`). Both inputs hold `dtype` (the dtype the op computes
/// in); the output holds `dtype`, or bool for comparisons. `alpha` scales `b` in add and sub.
/// Integer division by zero must have been refused by the caller.
///
/// # Safety
/// The pointers must be valid for the plan's offsets, with the element types named above.
pub unsafe fn binary(
    op: BinaryOp,
    dtype: DType,
    alpha: Option<Scalar>,
    plan: &Plan<3>,
    out: *mut u8,
    a: *const u8,
    b: *const u8,
) -> Result<()> {
    // SAFETY: forwarded from the caller, with the element type `dtype` names.
    unsafe {
        match dtype {
            DType::F32 => real::<f32>(op, alpha, plan, out, a, b),
            DType::F64 => real::<f64>(op, alpha, plan, out, a, b),
            DType::F16 => real::<half::f16>(op, alpha, plan, out, a, b),
            DType::BF16 => real::<half::bf16>(op, alpha, plan, out, a, b),
            DType::U8 => int::<u8>(op, alpha, plan, out, a, b),
            DType::I8 => int::<i8>(op, alpha, plan, out, a, b),
            DType::I16 => int::<i16>(op, alpha, plan, out, a, b),
            DType::I32 => int::<i32>(op, alpha, plan, out, a, b),
            DType::I64 => int::<i64>(op, alpha, plan, out, a, b),
            DType::Bool => boolean(op, alpha, plan, out, a, b),
        }
    }
}

fn no_kernel(op: BinaryOp, dtype: DType) -> Error {
    Error::runtime(format!(
        "{}: no kernel for {dtype} (dtype rules should have converted the inputs)",
        op.info().name
    ))
}

/// Comparisons and logical ops: the same in every dtype family.
macro_rules! compare_arms {
    ($op:expr, $plan:expr, $out:expr, $x:expr, $y:expr, $zero:expr, $T:ty, $other:block) => {{
        use BinaryOp::*;
        let bo = $out as *mut bool;
        match $op {
            Eq => zip($plan, bo, $x, $y, |a: $T, b: $T| a == b),
            Ne => zip($plan, bo, $x, $y, |a: $T, b: $T| a != b),
            Lt => zip($plan, bo, $x, $y, |a: $T, b: $T| a < b),
            Le => zip($plan, bo, $x, $y, |a: $T, b: $T| a <= b),
            Gt => zip($plan, bo, $x, $y, |a: $T, b: $T| a > b),
            Ge => zip($plan, bo, $x, $y, |a: $T, b: $T| a >= b),
            LogicalAnd => zip($plan, bo, $x, $y, |a: $T, b: $T| a != $zero && b != $zero),
            LogicalOr => zip($plan, bo, $x, $y, |a: $T, b: $T| a != $zero || b != $zero),
            LogicalXor => zip($plan, bo, $x, $y, |a: $T, b: $T| {
                (a != $zero) != (b != $zero)
            }),
            _ => $other,
        }
    }};
}

unsafe fn real<T: Real>(
    op: BinaryOp,
    alpha: Option<Scalar>,
    plan: &Plan<3>,
    out: *mut u8,
    a: *const u8,
    b: *const u8,
) -> Result<()> {
    let (x, y, o) = (a as *const T, b as *const T, out as *mut T);
    let alpha = alpha.map(|s| s.cast::<T>());
    // SAFETY: forwarded from `binary`.
    unsafe {
        compare_arms!(op, plan, out, x, y, T::ZERO, T, {
            match (op, alpha) {
                (Add, None) => zip(plan, o, x, y, |a: T, b: T| a + b),
                (Add, Some(k)) => zip(plan, o, x, y, |a: T, b: T| a + k * b),
                (Sub, None) => zip(plan, o, x, y, |a: T, b: T| a - b),
                (Sub, Some(k)) => zip(plan, o, x, y, |a: T, b: T| a - k * b),
                (Mul, _) => zip(plan, o, x, y, |a: T, b: T| a * b),
                (Div, _) => zip(plan, o, x, y, |a: T, b: T| a / b),
                (DivTrunc, _) => zip(plan, o, x, y, |a: T, b: T| (a / b).trunc()),
                (DivFloor, _) => zip(plan, o, x, y, T::floor_div),
                (Remainder, _) => zip(plan, o, x, y, T::remainder),
                (Fmod, _) => zip(plan, o, x, y, T::fmod),
                (Pow | FloatPower, _) => zip(plan, o, x, y, T::powf),
                (Atan2, _) => zip(plan, o, x, y, T::atan2),
                (Maximum, _) => zip(plan, o, x, y, T::max_nan),
                (Minimum, _) => zip(plan, o, x, y, T::min_nan),
                (Fmax, _) => zip(
                    plan,
                    o,
                    x,
                    y,
                    |a: T, b: T| {
                        if a.is_nan() || b > a {
                            b
                        } else {
                            a
                        }
                    },
                ),
                (Fmin, _) => zip(
                    plan,
                    o,
                    x,
                    y,
                    |a: T, b: T| {
                        if a.is_nan() || b < a {
                            b
                        } else {
                            a
                        }
                    },
                ),
                (Hypot, _) => zip(plan, o, x, y, T::hypot),
                (Copysign, _) => zip(plan, o, x, y, T::copysign),
                (Xlogy, _) => zip(plan, o, x, y, |a: T, b: T| {
                    if b.is_nan() {
                        T::NAN
                    } else if a == T::ZERO {
                        T::ZERO
                    } else {
                        a * b.ln()
                    }
                }),
                _ => return Err(no_kernel(op, T::DTYPE)),
            }
        })
    }
    Ok(())
}

unsafe fn int<T: Int>(
    op: BinaryOp,
    alpha: Option<Scalar>,
    plan: &Plan<3>,
    out: *mut u8,
    a: *const u8,
    b: *const u8,
) -> Result<()> {
    let (x, y, o) = (a as *const T, b as *const T, out as *mut T);
    let alpha = alpha.map(|s| s.cast::<T>());
    // SAFETY: forwarded from `binary`.
    unsafe {
        compare_arms!(op, plan, out, x, y, T::ZERO, T, {
            match (op, alpha) {
                (Add, None) => zip(plan, o, x, y, T::wadd),
                (Add, Some(k)) => zip(plan, o, x, y, |a: T, b: T| a.wadd(k.wmul(b))),
                (Sub, None) => zip(plan, o, x, y, T::wsub),
                (Sub, Some(k)) => zip(plan, o, x, y, |a: T, b: T| a.wsub(k.wmul(b))),
                (Mul, _) => zip(plan, o, x, y, T::wmul),
                (DivTrunc, _) => zip(plan, o, x, y, T::trunc_div),
                (DivFloor, _) => zip(plan, o, x, y, T::floor_div),
                (Remainder, _) => zip(plan, o, x, y, T::remainder),
                (Fmod, _) => zip(plan, o, x, y, T::fmod),
                (Pow, _) => zip(plan, o, x, y, T::wpow),
                (Maximum | Fmax, _) => zip(plan, o, x, y, |a: T, b: T| a.max(b)),
                (Minimum | Fmin, _) => zip(plan, o, x, y, |a: T, b: T| a.min(b)),
                (BitwiseAnd, _) => zip(plan, o, x, y, T::and),
                (BitwiseOr, _) => zip(plan, o, x, y, T::or),
                (BitwiseXor, _) => zip(plan, o, x, y, T::xor),
                (LeftShift, _) => zip(plan, o, x, y, T::shl),
                (RightShift, _) => zip(plan, o, x, y, T::shr),
                _ => return Err(no_kernel(op, T::DTYPE)),
            }
        })
    }
    Ok(())
}

unsafe fn boolean(
    op: BinaryOp,
    alpha: Option<Scalar>,
    plan: &Plan<3>,
    out: *mut u8,
    a: *const u8,
    b: *const u8,
) -> Result<()> {
    let (x, y, o) = (a as *const bool, b as *const bool, out as *mut bool);
    // SAFETY: forwarded from `binary`.
    unsafe {
        compare_arms!(op, plan, out, x, y, false, bool, {
            match op {
                // On bools, + is "or" and * is "and", as in PyTorch; a false alpha drops `b`.
                Add if alpha.is_some_and(|k| !k.cast::<bool>()) => {
                    zip(plan, o, x, y, |a: bool, _: bool| a)
                }
                Add | Maximum | Fmax | BitwiseOr => zip(plan, o, x, y, |a: bool, b: bool| a | b),
                Mul | Minimum | Fmin | BitwiseAnd => zip(plan, o, x, y, |a: bool, b: bool| a & b),
                BitwiseXor => zip(plan, o, x, y, |a: bool, b: bool| a ^ b),
                _ => return Err(no_kernel(op, <bool as Element>::DTYPE)),
            }
        })
    }
    Ok(())
}
