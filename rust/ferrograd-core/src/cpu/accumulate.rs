//! The arithmetic that accumulating index kernels need (`index_add_`, `scatter_reduce_`,
//! `index_put_(accumulate=True)`, `bincount`): add, multiply, NaN-propagating max/min and the
//! identities of each, for every dtype, with PyTorch's integer semantics (wrapping, floor division).

use half::{bf16, f16};

use crate::dtype::Element;

pub trait Accumulate: Element {
    fn add(self, other: Self) -> Self;
    fn mul(self, other: Self) -> Self;
    /// The larger of the two; a NaN wins, as in `scatter_reduce(..., "amax")`.
    fn max_nan(self, other: Self) -> Self;
    /// The smaller of the two; a NaN wins.
    fn min_nan(self, other: Self) -> Self;
    /// The identity of `max_nan` (`-inf`, or the type's minimum).
    fn lowest() -> Self;
    /// The identity of `min_nan` (`inf`, or the type's maximum).
    fn highest() -> Self;
    fn is_nan(self) -> bool;
    /// `self / count` as a mean: true division for floats, floor division for integers.
    fn mean_div(self, count: usize) -> Self;
}

macro_rules! int_accumulate {
    ($($t:ty),*) => {$(
        impl Accumulate for $t {
            #[inline]
            fn add(self, other: Self) -> Self { self.wrapping_add(other) }
            #[inline]
            fn mul(self, other: Self) -> Self { self.wrapping_mul(other) }
            #[inline]
            fn max_nan(self, other: Self) -> Self { self.max(other) }
            #[inline]
            fn min_nan(self, other: Self) -> Self { self.min(other) }
            fn lowest() -> Self { <$t>::MIN }
            fn highest() -> Self { <$t>::MAX }
            #[inline]
            fn is_nan(self) -> bool { false }
            #[inline]
            fn mean_div(self, count: usize) -> Self {
                // Floor division; a positive divisor makes Euclid's division the floor.
                (self as i64).div_euclid(count.max(1) as i64) as $t
            }
        }
    )*};
}

int_accumulate!(u8, i8, i16, i32, i64);

macro_rules! float_accumulate {
    ($t:ty, $lo:expr, $hi:expr) => {
        impl Accumulate for $t {
            #[inline]
            fn add(self, other: Self) -> Self {
                self + other
            }
            #[inline]
            fn mul(self, other: Self) -> Self {
                self * other
            }
            #[inline]
            fn max_nan(self, other: Self) -> Self {
                if other.is_nan() || other > self {
                    other
                } else {
                    self
                }
            }
            #[inline]
            fn min_nan(self, other: Self) -> Self {
                if other.is_nan() || other < self {
                    other
                } else {
                    self
                }
            }
            fn lowest() -> Self {
                $lo
            }
            fn highest() -> Self {
                $hi
            }
            #[inline]
            fn is_nan(self) -> bool {
                self.is_nan()
            }
            #[inline]
            fn mean_div(self, count: usize) -> Self {
                self / <$t as Element>::from_f64(count.max(1) as f64)
            }
        }
    };
}

float_accumulate!(f32, f32::NEG_INFINITY, f32::INFINITY);
float_accumulate!(f64, f64::NEG_INFINITY, f64::INFINITY);
float_accumulate!(f16, f16::NEG_INFINITY, f16::INFINITY);
float_accumulate!(bf16, bf16::NEG_INFINITY, bf16::INFINITY);

impl Accumulate for bool {
    fn add(self, other: Self) -> Self {
        self || other
    }
    fn mul(self, other: Self) -> Self {
        self && other
    }
    fn max_nan(self, other: Self) -> Self {
        self || other
    }
    fn min_nan(self, other: Self) -> Self {
        self && other
    }
    fn lowest() -> Self {
        false
    }
    fn highest() -> Self {
        true
    }
    fn is_nan(self) -> bool {
        false
    }
    fn mean_div(self, _count: usize) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_semantics() {
        assert_eq!(250u8.add(10), 4);
        assert_eq!((-7i64).mean_div(2), -4);
        assert_eq!(7i32.mean_div(2), 3);
        assert_eq!(i8::lowest(), -128);
    }

    #[test]
    fn nan_wins_max_and_min() {
        assert!(1.0f32.max_nan(f32::NAN).is_nan());
        assert!(f64::NAN.min_nan(1.0).is_nan());
        assert_eq!(2.0f64.max_nan(3.0), 3.0);
        assert_eq!(
            f16::from_f32(1.5).add(f16::from_f32(1.0)),
            f16::from_f32(2.5)
        );
    }
}
