//! The `Element` trait kernels are generic over, its impls for every Rust type a tensor can
//! hold (casting as C++'s `static_cast` does on x86, as PyTorch's CPU casts do), and the
//! `with_dtype!` macro that turns a runtime dtype into one of those types.

use half::{bf16, f16};

use super::{Category, DType, Scalar};

/// A type a tensor can hold. Conversions follow C++'s `static_cast` as PyTorch uses it:
/// floats truncate toward zero when cast to integers (out-of-range values as x86 gives them),
/// integers wrap, anything non-zero is `true`.
pub trait Element: Copy + Send + Sync + PartialOrd + Default + std::fmt::Debug + 'static {
    const DTYPE: DType;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
    fn to_i64(self) -> i64;
    fn from_i64(v: i64) -> Self;
    fn to_bool(self) -> bool;
    fn from_bool(v: bool) -> Self;

    /// Casts between element types. A float goes through f64 (which holds every float
    /// exactly); an integer or bool through i64, so that large integers keep every bit and a
    /// float target rounds them once, as C++'s cast from the integer does.
    #[inline]
    fn cast_to<U: Element>(self) -> U {
        if U::DTYPE == DType::Bool {
            U::from_bool(self.to_bool())
        } else if Self::DTYPE.is_floating_point() {
            U::from_f64(self.to_f64())
        } else {
            U::from_i64(self.to_i64())
        }
    }

    fn to_scalar(self) -> Scalar {
        match Self::DTYPE.category() {
            Category::Bool => Scalar::Bool(self.to_bool()),
            Category::Integer => Scalar::Int(self.to_i64()),
            Category::Floating => Scalar::Float(self.to_f64()),
        }
    }
}

const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// C++'s float-to-integer cast as x86 performs it (`cvttsd2si`): truncate toward zero, and NaN
/// or out-of-range values give the "integer indefinite" value, the type's minimum.
fn f64_to_i64_x86(v: f64) -> i64 {
    if !(-TWO_POW_63..TWO_POW_63).contains(&v) {
        i64::MIN
    } else {
        v as i64
    }
}

/// The same for 32-bit targets; PyTorch's narrower integer casts go through this and keep the
/// low bits (so `-129.0` becomes `127` as int8).
fn f64_to_i32_x86(v: f64) -> i32 {
    if !(-2_147_483_648.0..2_147_483_648.0).contains(&v) {
        i32::MIN
    } else {
        v as i32
    }
}

macro_rules! int_element {
    ($t:ty, $dt:expr, $from_float:expr) => {
        impl Element for $t {
            const DTYPE: DType = $dt;
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn from_f64(v: f64) -> Self {
                $from_float(v) as $t
            }
            #[inline]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline]
            fn to_bool(self) -> bool {
                self != 0
            }
            #[inline]
            fn from_bool(v: bool) -> Self {
                v as $t
            }
        }
    };
}

int_element!(u8, DType::U8, f64_to_i32_x86);
int_element!(i8, DType::I8, f64_to_i32_x86);
int_element!(i16, DType::I16, f64_to_i32_x86);
int_element!(i32, DType::I32, f64_to_i32_x86);
int_element!(i64, DType::I64, f64_to_i64_x86);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    #[inline]
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    #[inline]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    #[inline]
    fn to_bool(self) -> bool {
        self
    }
    #[inline]
    fn from_bool(v: bool) -> Self {
        v
    }
}

macro_rules! float_element {
    ($t:ty, $dt:expr, $to:expr, $from:expr, $from_int:expr) => {
        impl Element for $t {
            const DTYPE: DType = $dt;
            #[inline]
            fn to_f64(self) -> f64 {
                $to(self)
            }
            #[inline]
            fn from_f64(v: f64) -> Self {
                $from(v)
            }
            #[inline]
            fn to_i64(self) -> i64 {
                $to(self) as i64
            }
            #[inline]
            fn from_i64(v: i64) -> Self {
                $from_int(v)
            }
            #[inline]
            fn to_bool(self) -> bool {
                $to(self) != 0.0
            }
            #[inline]
            fn from_bool(v: bool) -> Self {
                $from(v as u8 as f64)
            }
        }
    };
}

// `c10::Half` and `c10::BFloat16` are built from a `float` only, so a double or an integer
// headed for them rounds to float first (the half crate's own `from_f64` rounds once, and
// drops low bits of the double as it does, which can round a float wrongly). An integer
// rounds once into float (never through double, which would round it twice).
float_element!(
    f32,
    DType::F32,
    |v: f32| v as f64,
    |v: f64| v as f32,
    |v: i64| v as f32
);
float_element!(f64, DType::F64, |v: f64| v, |v: f64| v, |v: i64| v as f64);
macro_rules! half_element {
    ($t:ident, $dt:expr) => {
        float_element!(
            $t,
            $dt,
            $t::to_f64,
            |v: f64| $t::from_f32(v as f32),
            |v: i64| $t::from_f32(v as f32)
        );
    };
}

half_element!(f16, DType::F16);
half_element!(bf16, DType::BF16);

/// Runs `$body` with `$T` bound to the Rust type of `$dtype`: the one place a runtime dtype
/// becomes a compile-time type.
#[macro_export]
macro_rules! with_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::DType::Bool => {
                type $T = bool;
                $body
            }
            $crate::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::DType::I8 => {
                type $T = i8;
                $body
            }
            $crate::DType::I16 => {
                type $T = i16;
                $body
            }
            $crate::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::DType::F16 => {
                type $T = half::f16;
                $body
            }
            $crate::DType::BF16 => {
                type $T = half::bf16;
                $body
            }
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_round_once_into_floats() {
        // Just above a tie for float32; through float64 the + 1 is lost and the tie rounds
        // down (PyTorch gives 9007200328482816).
        let v: i64 = (1 << 53) + (1 << 29) + 1;
        assert_eq!(v.cast_to::<f32>(), 9_007_200_328_482_816.0);
    }

    #[test]
    fn floats_round_to_nearest_into_half_types() {
        // The low bits that put -28.312506 above the bfloat16 tie lie in the float's last three
        // mantissa bits, which the half crate's double conversion drops (PyTorch: -28.375).
        let x = -28.312_506_f32;
        assert_eq!(x.cast_to::<bf16>().to_f32(), -28.375);
        assert_eq!(x.cast_to::<f16>(), f16::from_f32(x));
        // A double rounds to float first, as c10's half types are built from a float.
        let d = 1.0 + 2f64.powi(-11) + 2f64.powi(-40);
        assert_eq!(d.cast_to::<f16>(), f16::from_f32(1.0));
    }
}
