//! Scalar conversions with the rounding C++ `static_cast` gives in PyTorch's kernels.
//!
//! `c10::Half` and `c10::BFloat16` are only constructible from `float`, so a `double` headed
//! for a half type is rounded twice (to `float`, then to the half type), and an `int64_t` goes
//! through `float` too. Getting this wrong changes the last bit now and then.

use crate::dtype::{DType, Element};
use half::{bf16, f16};

/// `static_cast<T>(float)`: a single correct rounding into `T`.
#[inline]
pub(crate) fn from_f32<T: Element>(x: f32) -> T {
    match T::DTYPE {
        // Route through the half crate's f32 conversions (exact round-to-nearest-even); the
        // resulting value is representable, so `from_f64` cannot round it again.
        DType::F16 => T::from_f64(f16::from_f32(x).to_f64()),
        DType::BF16 => T::from_f64(bf16::from_f32(x).to_f64()),
        _ => T::from_f64(x as f64),
    }
}

/// `static_cast<T>(double)` for the floating types: half types round via `float` first.
#[inline]
pub(crate) fn from_f64<T: Element>(x: f64) -> T {
    match T::DTYPE {
        DType::F16 | DType::BF16 => from_f32(x as f32),
        _ => T::from_f64(x),
    }
}

/// `static_cast<T>(int64_t)`: integers wrap; floats round once from the integer (`float` for
/// the 32-bit and half types, `double` for `double`), never through a wider float first.
#[inline]
pub(crate) fn from_i64<T: Element>(v: i64) -> T {
    match T::DTYPE {
        DType::F32 | DType::F16 | DType::BF16 => from_f32(v as f32),
        DType::F64 => T::from_f64(v as f64),
        _ => T::from_i64(v),
    }
}

/// `Err` unless `T` is a floating dtype, in PyTorch's wording for the op `what`.
pub(crate) fn require_float<T: Element>(what: &str) -> Result<(), String> {
    if T::DTYPE.is_floating_point() {
        Ok(())
    } else {
        Err(format!(
            "\"{what}\" not implemented for '{}'",
            (T::DTYPE).scalar_type_name()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_to_half_rounds_through_float() {
        // 1 + 2^-11 + 2^-40 rounds up when taken straight to f16 (just above the halfway
        // point), but the f32 step drops the 2^-40 and leaves an exact tie, which rounds to even.
        let x = 1.0 + 2f64.powi(-11) + 2f64.powi(-40);
        let h: f16 = from_f64(x);
        assert_eq!(h, f16::from_f32(1.0));
    }

    #[test]
    fn int_to_float_rounds_once() {
        // 2^53 + 2^29 + 1 is just above a tie for f32, but the f64 step drops the +1 and
        // leaves an exact tie that rounds down: going through f64 would be wrong.
        let v: i64 = (1 << 53) + (1 << 29) + 1;
        let got: f32 = from_i64(v);
        assert_eq!(got, (2f64.powi(53) + 2f64.powi(30)) as f32);
        assert_ne!(got, (v as f64) as f32);
    }
}
