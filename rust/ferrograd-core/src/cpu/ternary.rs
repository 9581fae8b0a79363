//! The scalar functions of the three-operand ops (`where`, `lerp`, `addcmul`, `addcdiv`), run
//! by the `zip3` kernel.

use super::iter::Plan;
use super::map::zip3;
use super::scalar::Real;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::with_dtype;

/// A three-operand op; `value` is the scale of `addcmul`/`addcdiv`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TernaryOp {
    /// `a + value * b * c`
    Addcmul(Scalar),
    /// `a + value * b / c` (floats only)
    Addcdiv(Scalar),
    /// `a + c * (b - a)`, computed from the nearer end for accuracy (floats only)
    Lerp,
}

impl TernaryOp {
    pub fn name(self) -> &'static str {
        match self {
            TernaryOp::Addcmul(_) => "addcmul",
            TernaryOp::Addcdiv(_) => "addcdiv",
            TernaryOp::Lerp => "lerp",
        }
    }
}

/// Runs `op` over `plan` (`[out, a, b, c]`), every operand of dtype `dtype`.
///
/// # Safety
/// The pointers must be valid for the plan's offsets and hold `dtype`.
pub unsafe fn ternary(
    op: TernaryOp,
    dtype: DType,
    plan: &Plan<4>,
    out: *mut u8,
    ins: [*const u8; 3],
) -> Result<()> {
    // SAFETY: forwarded from the caller.
    unsafe {
        match dtype {
            DType::F32 => real::<f32>(op, plan, out, ins),
            DType::F64 => real::<f64>(op, plan, out, ins),
            DType::F16 => real::<half::f16>(op, plan, out, ins),
            DType::BF16 => real::<half::bf16>(op, plan, out, ins),
            DType::Bool => Err(Error::runtime(format!("{}: no bool kernel", op.name()))),
            DType::U8 => integer_addcmul::<u8>(op, plan, out, ins),
            DType::I8 => integer_addcmul::<i8>(op, plan, out, ins),
            DType::I16 => integer_addcmul::<i16>(op, plan, out, ins),
            DType::I32 => integer_addcmul::<i32>(op, plan, out, ins),
            DType::I64 => integer_addcmul::<i64>(op, plan, out, ins),
        }
    }
}

unsafe fn real<T: Real>(
    op: TernaryOp,
    plan: &Plan<4>,
    out: *mut u8,
    ins: [*const u8; 3],
) -> Result<()> {
    let o = out as *mut T;
    let [a, b, c] = ins.map(|p| p as *const T);
    // SAFETY: forwarded from `ternary`.
    unsafe {
        match op {
            TernaryOp::Addcmul(v) => {
                let v = v.cast::<T>();
                zip3(plan, o, a, b, c, |x: T, y: T, z: T| x + v * y * z)
            }
            TernaryOp::Addcdiv(v) => {
                let v = v.cast::<T>();
                zip3(plan, o, a, b, c, |x: T, y: T, z: T| x + v * y / z)
            }
            TernaryOp::Lerp => zip3(plan, o, a, b, c, |s: T, e: T, w: T| {
                // From whichever end is nearer, so w = 0 gives s and w = 1 gives e exactly.
                if w.abs() < T::from_f64(0.5) {
                    s + w * (e - s)
                } else {
                    e - (e - s) * (T::ONE - w)
                }
            }),
        }
    }
    Ok(())
}

/// Integer `addcmul` (wrapping); the other ternary ops are float-only and refused earlier.
unsafe fn integer_addcmul<T: super::scalar::Int>(
    op: TernaryOp,
    plan: &Plan<4>,
    out: *mut u8,
    ins: [*const u8; 3],
) -> Result<()> {
    let TernaryOp::Addcmul(v) = op else {
        return Err(Error::runtime(format!("{}: no integer kernel", op.name())));
    };
    let v = v.cast::<T>();
    let o = out as *mut T;
    let [a, b, c] = ins.map(|p| p as *const T);
    // SAFETY: forwarded from `ternary`.
    unsafe {
        zip3(plan, o, a, b, c, |x: T, y: T, z: T| {
            x.wadd(v.wmul(y.wmul(z)))
        })
    };
    Ok(())
}

/// `where(cond, a, b)` over `plan` (`[out, cond, a, b]`); `a`, `b` and the output hold `dtype`.
///
/// # Safety
/// As for [`ternary`]; `cond` holds bools.
pub unsafe fn select(dtype: DType, plan: &Plan<4>, out: *mut u8, ins: [*const u8; 3]) {
    with_dtype!(dtype, T => {
        let o = out as *mut T;
        let cond = ins[0] as *const bool;
        let (a, b) = (ins[1] as *const T, ins[2] as *const T);
        // SAFETY: forwarded from the caller.
        unsafe { zip3(plan, o, cond, a, b, |k: bool, x: T, y: T| if k { x } else { y }) }
    })
}
