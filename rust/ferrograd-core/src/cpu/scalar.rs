//! Scalar arithmetic the elementwise kernels are written with: `Real` for the float dtypes, here,
//! and `Int` for the integer ones, in `scalar_int.rs` and re-exported from this module. Each gives
//! PyTorch's answer at the edges (wrapping integers, Python-style floor division and remainder,
//! NaN-propagating max, round-half-to-even). float16 and bfloat16 compute in float32 and round
//! once, as PyTorch's CPU kernels do.

use half::{bf16, f16};
use std::ops::{Add, Div, Mul, Neg, Sub};

use super::special;
use crate::dtype::Element;

// Kernels import both traits from one path, `cpu::scalar`.
pub use super::scalar_int::Int;

/// A float dtype's arithmetic and math functions.
pub trait Real:
    Element
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    const NAN: Self;
    const INFINITY: Self;
    const NEG_INFINITY: Self;
    const MAX: Self;
    const MIN: Self;
    fn is_nan(self) -> bool;
    fn is_infinite(self) -> bool;
    fn is_sign_negative(self) -> bool;
    fn abs(self) -> Self;
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    fn trunc(self) -> Self;
    /// Round half to even, as C's `nearbyint` in the default rounding mode.
    fn round_even(self) -> Self;
    fn sqrt(self) -> Self;
    fn exp(self) -> Self;
    fn exp2(self) -> Self;
    fn exp_m1(self) -> Self;
    fn ln(self) -> Self;
    fn log2(self) -> Self;
    fn log10(self) -> Self;
    fn ln_1p(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tan(self) -> Self;
    fn asin(self) -> Self;
    fn acos(self) -> Self;
    fn atan(self) -> Self;
    fn sinh(self) -> Self;
    fn cosh(self) -> Self;
    fn tanh(self) -> Self;
    fn asinh(self) -> Self;
    fn acosh(self) -> Self;
    fn atanh(self) -> Self;
    fn erf(self) -> Self;
    fn erfc(self) -> Self;
    fn erfinv(self) -> Self;
    fn lgamma(self) -> Self;
    fn digamma(self) -> Self;
    fn powf(self, e: Self) -> Self;
    fn atan2(self, x: Self) -> Self;
    fn hypot(self, y: Self) -> Self;
    fn copysign(self, sign: Self) -> Self;
    /// C's `fmod`: the remainder with the sign of the dividend.
    fn fmod(self, d: Self) -> Self;

    #[inline]
    fn sigmoid(self) -> Self {
        Self::ONE / (Self::ONE + (-self).exp())
    }

    /// Python's `%`: the remainder with the sign of the divisor (PyTorch's `remainder`).
    #[inline]
    fn remainder(self, d: Self) -> Self {
        let r = self.fmod(d);
        if r != Self::ZERO && (r < Self::ZERO) != (d < Self::ZERO) {
            r + d
        } else {
            r
        }
    }

    /// Python's `//` on floats (PyTorch's `div(..., rounding_mode='floor')`).
    #[inline]
    fn floor_div(self, d: Self) -> Self {
        if d == Self::ZERO {
            return self / d;
        }
        let m = self.fmod(d);
        let mut q = (self - m) / d;
        if m != Self::ZERO && (d < Self::ZERO) != (m < Self::ZERO) {
            q = q - Self::ONE;
        }
        if q == Self::ZERO {
            Self::ZERO.copysign(self / d)
        } else {
            let f = q.floor();
            if q - f > Self::from_f64(0.5) {
                f + Self::ONE
            } else {
                f
            }
        }
    }

    /// `maximum`: NaN wins.
    #[inline]
    fn max_nan(self, o: Self) -> Self {
        if self.is_nan() || o.is_nan() {
            Self::NAN
        } else if self > o {
            self
        } else {
            o
        }
    }

    #[inline]
    fn min_nan(self, o: Self) -> Self {
        if self.is_nan() || o.is_nan() {
            Self::NAN
        } else if self < o {
            self
        } else {
            o
        }
    }
}

macro_rules! native_real {
    ($t:ident, $exp:path, $tanh:path, $erf:path, $erfc:path, $lgamma:path,
     [$asinh:path, $acosh:path, $atanh:path]) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NAN: Self = $t::NAN;
            const INFINITY: Self = $t::INFINITY;
            const NEG_INFINITY: Self = $t::NEG_INFINITY;
            const MAX: Self = $t::MAX;
            const MIN: Self = $t::MIN;
            #[inline]
            fn is_nan(self) -> bool {
                $t::is_nan(self)
            }
            #[inline]
            fn is_infinite(self) -> bool {
                $t::is_infinite(self)
            }
            #[inline]
            fn is_sign_negative(self) -> bool {
                $t::is_sign_negative(self)
            }
            #[inline]
            fn abs(self) -> Self {
                $t::abs(self)
            }
            #[inline]
            fn floor(self) -> Self {
                $t::floor(self)
            }
            #[inline]
            fn ceil(self) -> Self {
                $t::ceil(self)
            }
            #[inline]
            fn trunc(self) -> Self {
                $t::trunc(self)
            }
            #[inline]
            fn round_even(self) -> Self {
                $t::round_ties_even(self)
            }
            #[inline]
            fn sqrt(self) -> Self {
                $t::sqrt(self)
            }
            #[inline]
            fn exp(self) -> Self {
                $exp(self)
            }
            #[inline]
            fn exp2(self) -> Self {
                $t::exp2(self)
            }
            #[inline]
            fn exp_m1(self) -> Self {
                $t::exp_m1(self)
            }
            #[inline]
            fn ln(self) -> Self {
                $t::ln(self)
            }
            #[inline]
            fn log2(self) -> Self {
                $t::log2(self)
            }
            #[inline]
            fn log10(self) -> Self {
                $t::log10(self)
            }
            #[inline]
            fn ln_1p(self) -> Self {
                $t::ln_1p(self)
            }
            #[inline]
            fn sin(self) -> Self {
                $t::sin(self)
            }
            #[inline]
            fn cos(self) -> Self {
                $t::cos(self)
            }
            #[inline]
            fn tan(self) -> Self {
                $t::tan(self)
            }
            #[inline]
            fn asin(self) -> Self {
                $t::asin(self)
            }
            #[inline]
            fn acos(self) -> Self {
                $t::acos(self)
            }
            #[inline]
            fn atan(self) -> Self {
                $t::atan(self)
            }
            #[inline]
            fn sinh(self) -> Self {
                $t::sinh(self)
            }
            #[inline]
            fn cosh(self) -> Self {
                $t::cosh(self)
            }
            #[inline]
            fn tanh(self) -> Self {
                $tanh(self)
            }
            #[inline]
            fn asinh(self) -> Self {
                $asinh(self)
            }
            #[inline]
            fn acosh(self) -> Self {
                $acosh(self)
            }
            #[inline]
            fn atanh(self) -> Self {
                $atanh(self)
            }
            #[inline]
            fn erf(self) -> Self {
                $erf(self)
            }
            #[inline]
            fn erfc(self) -> Self {
                $erfc(self)
            }
            #[inline]
            fn erfinv(self) -> Self {
                special::erfinv(self as f64) as $t
            }
            #[inline]
            fn lgamma(self) -> Self {
                $lgamma(self)
            }
            #[inline]
            fn digamma(self) -> Self {
                special::digamma(self as f64) as $t
            }
            #[inline]
            fn powf(self, e: Self) -> Self {
                $t::powf(self, e)
            }
            #[inline]
            fn atan2(self, x: Self) -> Self {
                $t::atan2(self, x)
            }
            #[inline]
            fn hypot(self, y: Self) -> Self {
                $t::hypot(self, y)
            }
            #[inline]
            fn copysign(self, s: Self) -> Self {
                $t::copysign(self, s)
            }
            #[inline]
            fn fmod(self, d: Self) -> Self {
                self % d
            }
        }
    };
}

native_real!(
    f32,
    special::exp_f32,
    special::tanh_f32,
    libm::erff,
    libm::erfcf,
    libm::lgammaf,
    // Not std's: its asinh and acosh overflow near the float maximum (asinh(3.4e38) = inf), and
    // its atanh loses most digits near -1 (it rounds 1 - x before a log1p near -1).
    [libm::asinhf, special::acosh_f32, libm::atanhf]
);
native_real!(
    f64,
    f64::exp,
    f64::tanh,
    libm::erf,
    libm::erfc,
    libm::lgamma,
    [libm::asinh, special::acosh_f64, libm::atanh]
);

/// float16 and bfloat16: widen to float32, compute, round back.
macro_rules! half_real {
    ($t:ident) => {
        impl Real for $t {
            const ZERO: Self = $t::ZERO;
            const ONE: Self = $t::ONE;
            const NAN: Self = $t::NAN;
            const INFINITY: Self = $t::INFINITY;
            const NEG_INFINITY: Self = $t::NEG_INFINITY;
            const MAX: Self = $t::MAX;
            const MIN: Self = $t::MIN;
            #[inline] fn is_nan(self) -> bool { $t::is_nan(self) }
            #[inline] fn is_infinite(self) -> bool { $t::is_infinite(self) }
            #[inline] fn is_sign_negative(self) -> bool { $t::is_sign_negative(self) }
            #[inline] fn abs(self) -> Self { half_real!(@1 self, abs) }
            #[inline] fn floor(self) -> Self { half_real!(@1 self, floor) }
            #[inline] fn ceil(self) -> Self { half_real!(@1 self, ceil) }
            #[inline] fn trunc(self) -> Self { half_real!(@1 self, trunc) }
            #[inline] fn round_even(self) -> Self { half_real!(@1 self, round_even) }
            #[inline] fn sqrt(self) -> Self { half_real!(@1 self, sqrt) }
            #[inline] fn exp(self) -> Self { half_real!(@1 self, exp) }
            #[inline] fn exp2(self) -> Self { half_real!(@1 self, exp2) }
            #[inline] fn exp_m1(self) -> Self { half_real!(@1 self, exp_m1) }
            #[inline] fn ln(self) -> Self { half_real!(@1 self, ln) }
            #[inline] fn log2(self) -> Self { half_real!(@1 self, log2) }
            #[inline] fn log10(self) -> Self { half_real!(@1 self, log10) }
            #[inline] fn ln_1p(self) -> Self { half_real!(@1 self, ln_1p) }
            #[inline] fn sin(self) -> Self { half_real!(@1 self, sin) }
            #[inline] fn cos(self) -> Self { half_real!(@1 self, cos) }
            #[inline] fn tan(self) -> Self { half_real!(@1 self, tan) }
            #[inline] fn asin(self) -> Self { half_real!(@1 self, asin) }
            #[inline] fn acos(self) -> Self { half_real!(@1 self, acos) }
            #[inline] fn atan(self) -> Self { half_real!(@1 self, atan) }
            #[inline] fn sinh(self) -> Self { half_real!(@1 self, sinh) }
            #[inline] fn cosh(self) -> Self { half_real!(@1 self, cosh) }
            #[inline] fn tanh(self) -> Self { half_real!(@1 self, tanh) }
            #[inline] fn asinh(self) -> Self { half_real!(@1 self, asinh) }
            #[inline] fn acosh(self) -> Self { half_real!(@1 self, acosh) }
            #[inline] fn atanh(self) -> Self { half_real!(@1 self, atanh) }
            #[inline] fn erf(self) -> Self { half_real!(@1 self, erf) }
            #[inline] fn erfc(self) -> Self { half_real!(@1 self, erfc) }
            #[inline] fn erfinv(self) -> Self { half_real!(@1 self, erfinv) }
            #[inline] fn lgamma(self) -> Self { half_real!(@1 self, lgamma) }
            #[inline] fn digamma(self) -> Self { half_real!(@1 self, digamma) }
            #[inline] fn sigmoid(self) -> Self { half_real!(@1 self, sigmoid) }
            #[inline] fn powf(self, e: Self) -> Self { half_real!(@2 self, e, powf) }
            #[inline] fn atan2(self, x: Self) -> Self { half_real!(@2 self, x, atan2) }
            #[inline] fn hypot(self, y: Self) -> Self { half_real!(@2 self, y, hypot) }
            #[inline] fn copysign(self, s: Self) -> Self { half_real!(@2 self, s, copysign) }
            #[inline] fn fmod(self, d: Self) -> Self { half_real!(@2 self, d, fmod) }
            #[inline] fn remainder(self, d: Self) -> Self { half_real!(@2 self, d, remainder) }
            #[inline] fn floor_div(self, d: Self) -> Self { half_real!(@2 self, d, floor_div) }
        }
    };
    (@1 $x:expr, $f:ident) => {
        Self::from_f32(<f32 as Real>::$f($x.to_f32()))
    };
    (@2 $x:expr, $y:expr, $f:ident) => {
        Self::from_f32(<f32 as Real>::$f($x.to_f32(), $y.to_f32()))
    };
}

half_real!(f16);
half_real!(bf16);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_division_semantics() {
        assert_eq!((-7.0f64).floor_div(2.0), -4.0);
        assert_eq!(5.0f64.remainder(-3.0), -1.0);
        assert!(5.0f64.remainder(0.0).is_nan());
        assert_eq!(7.0f64.floor_div(0.0), f64::INFINITY);
    }

    #[test]
    fn nan_propagating_extrema_and_rounding() {
        assert!(1.0f32.max_nan(f32::NAN).is_nan());
        assert_eq!(2.5f64.round_even(), 2.0);
        assert_eq!((-0.5f64).round_even(), -0.0);
        assert_eq!(f16::from_f32(2.5).round_even(), f16::from_f32(2.0));
    }
}
