//! `Int`, the scalar arithmetic of the integer dtypes for the elementwise kernels: wrapping on
//! overflow, Python-style floor division and remainder, and shifts defined for any amount, as
//! PyTorch's are. Its float counterpart `Real` is in `scalar.rs`, which re-exports this trait.

use crate::dtype::Element;

/// An integer dtype's arithmetic, wrapping on overflow as PyTorch's does.
pub trait Int: Element + Ord + Eq {
    const ZERO: Self;
    const ONE: Self;
    const BITS: u32;
    const SIGNED: bool;
    fn wadd(self, o: Self) -> Self;
    fn wsub(self, o: Self) -> Self;
    fn wmul(self, o: Self) -> Self;
    fn wneg(self) -> Self;
    fn wabs(self) -> Self;
    fn signum(self) -> Self;
    /// Truncating division; the divisor is non-zero (callers check and raise first).
    fn trunc_div(self, o: Self) -> Self;
    /// C's `%` (sign of the dividend); the divisor is non-zero.
    fn fmod(self, o: Self) -> Self;
    fn and(self, o: Self) -> Self;
    fn or(self, o: Self) -> Self;
    fn xor(self, o: Self) -> Self;
    fn not(self) -> Self;
    /// Shifts by any amount: beyond the width, left gives 0 and right gives the sign fill.
    fn shl(self, by: Self) -> Self;
    fn shr(self, by: Self) -> Self;

    /// Python's `//`; the divisor is non-zero.
    #[inline]
    fn floor_div(self, o: Self) -> Self {
        let q = self.trunc_div(o);
        if self.fmod(o) != Self::ZERO && ((self < Self::ZERO) != (o < Self::ZERO)) {
            q.wsub(Self::ONE)
        } else {
            q
        }
    }

    /// Python's `%`; the divisor is non-zero.
    #[inline]
    fn remainder(self, o: Self) -> Self {
        let r = self.fmod(o);
        if r != Self::ZERO && ((r < Self::ZERO) != (o < Self::ZERO)) {
            r.wadd(o)
        } else {
            r
        }
    }

    /// Integer power by squaring, wrapping. Negative exponents follow PyTorch: 1 for a base
    /// of 1, ±1 for -1, and 0 otherwise (including a base of 0).
    #[inline]
    fn wpow(self, e: Self) -> Self {
        if e < Self::ZERO {
            return if self == Self::ONE {
                Self::ONE
            } else if Self::SIGNED && self == Self::ONE.wneg() {
                if e.and(Self::ONE) == Self::ZERO {
                    Self::ONE
                } else {
                    self
                }
            } else {
                Self::ZERO
            };
        }
        let (mut base, mut exp, mut acc) = (self, e.to_i64() as u64, Self::ONE);
        while exp > 0 {
            if exp & 1 == 1 {
                acc = acc.wmul(base);
            }
            base = base.wmul(base);
            exp >>= 1;
        }
        acc
    }
}

macro_rules! int_impl {
    ($t:ty, $signed:expr) => {
        #[allow(unused_comparisons)]
        impl Int for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            const BITS: u32 = <$t>::BITS;
            const SIGNED: bool = $signed;
            #[inline]
            fn wadd(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline]
            fn wsub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            #[inline]
            fn wmul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline]
            fn wneg(self) -> Self {
                self.wrapping_neg()
            }
            #[inline]
            fn wabs(self) -> Self {
                if self < 0 as $t {
                    self.wrapping_neg()
                } else {
                    self
                }
            }
            #[inline]
            fn signum(self) -> Self {
                (self > 0) as $t - (self < 0) as $t
            }
            #[inline]
            fn trunc_div(self, o: Self) -> Self {
                self.wrapping_div(o)
            }
            #[inline]
            fn fmod(self, o: Self) -> Self {
                self.wrapping_rem(o)
            }
            #[inline]
            fn and(self, o: Self) -> Self {
                self & o
            }
            #[inline]
            fn or(self, o: Self) -> Self {
                self | o
            }
            #[inline]
            fn xor(self, o: Self) -> Self {
                self ^ o
            }
            #[inline]
            fn not(self) -> Self {
                !self
            }
            #[inline]
            fn shl(self, by: Self) -> Self {
                if by < 0 as $t || by as u64 >= <$t>::BITS as u64 {
                    0
                } else {
                    self << by
                }
            }
            #[inline]
            fn shr(self, by: Self) -> Self {
                if by < 0 as $t || by as u64 >= <$t>::BITS as u64 {
                    if self < 0 as $t {
                        (0 as $t).wrapping_sub(1)
                    } else {
                        0
                    }
                } else {
                    self >> by
                }
            }
        }
    };
}

int_impl!(u8, false);
int_impl!(i8, true);
int_impl!(i16, true);
int_impl!(i32, true);
int_impl!(i64, true);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_division_semantics() {
        assert_eq!((-3i64).floor_div(2), -2);
        assert_eq!(3i64.floor_div(-2), -2);
        assert_eq!((-3i64).remainder(2), 1);
        assert_eq!(3i64.remainder(-2), -1);
        assert_eq!((-3i64).fmod(2), -1);
    }

    #[test]
    fn wrapping_integer_powers_and_shifts() {
        assert_eq!(2i64.wpow(63), i64::MIN);
        assert_eq!(2i64.wpow(64), 0);
        assert_eq!((-1i64).wpow(-3), -1);
        assert_eq!(0i64.wpow(-1), 0);
        assert_eq!(1i8.shl(7), -128);
        assert_eq!((-8i64).shr(70), -1);
        assert_eq!(1i64.shl(64), 0);
        assert_eq!(200u8.wadd(100), 44);
    }
}
