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

    /// Casts between element types. Integer targets go through i64 so that large integers keep
    /// every bit; float targets go through f64.
    #[inline]
    fn cast_to<U: Element>(self) -> U {
        if U::DTYPE == DType::Bool {
            U::from_bool(self.to_bool())
        } else if U::DTYPE.is_floating_point() || Self::DTYPE.is_floating_point() {
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
    ($t:ty, $dt:expr, $to:expr, $from:expr) => {
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
                $from(v as f64)
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

float_element!(f32, DType::F32, |v: f32| v as f64, |v: f64| v as f32);
float_element!(f64, DType::F64, |v: f64| v, |v: f64| v);
float_element!(f16, DType::F16, f16::to_f64, f16::from_f64);
float_element!(bf16, DType::BF16, bf16::to_f64, bf16::from_f64);

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
