//! Integer-valued sampling: `randint`, `random_(from, to)`, `random_()` and the full 64-bit
//! range case. All of them are `%`-based like PyTorch (slightly biased, and reproduced as is).

use super::convert::from_i64;
use super::generator::Generator;
use crate::dtype::{DType, Element};

/// PyTorch switches from one 32-bit draw to one 64-bit draw per element at this range, trading
/// the modulo bias of a 32-bit draw for speed below it.
const WIDE_RANGE: u64 = 1 << 28;

/// `random_(from, to)` / `randint(from, to)`: integers in `[from, to)` written to `out` as `T`.
/// `Err` if `from >= to`; checking that the range fits `T` is the caller's job.
pub fn random_from_to<T: Element>(
    g: &mut Generator,
    out: &mut [T],
    from: i64,
    to_exclusive: i64,
) -> Result<(), String> {
    if from >= to_exclusive {
        return Err(format!(
            "random_ expects 'from' to be less than 'to', but got from={from} >= to={to_exclusive}"
        ));
    }
    random_range(
        g,
        out,
        from,
        (to_exclusive as u64).wrapping_sub(from as u64),
    )
}

/// The kernel behind [`random_from_to`]: `from + (draw % range)`, where PyTorch states the
/// range as an unsigned count so that `random_(from)` on int64 (`to` = 2^63) fits. For the whole
/// 2^64 range use [`random_full_range`]; `range == 0` is an `Err`.
pub fn random_range<T: Element>(
    g: &mut Generator,
    out: &mut [T],
    from: i64,
    range: u64,
) -> Result<(), String> {
    if range == 0 {
        return Err("random_range: empty range (use random_full_range for 2^64)".to_string());
    }
    for o in out.iter_mut() {
        let draw = if range >= WIDE_RANGE {
            g.random_u64()
        } else {
            g.random_u32() as u64
        };
        *o = from_i64((draw % range).wrapping_add(from as u64) as i64);
    }
    Ok(())
}

/// `random_(i64::MIN, None)`: any 64-bit integer, defined by PyTorch only for int64, float,
/// double and bfloat16 (floats receive the integer rounded once).
pub fn random_full_range<T: Element>(g: &mut Generator, out: &mut [T]) -> Result<(), String> {
    if !matches!(T::DTYPE, DType::I64 | DType::F32 | DType::F64 | DType::BF16) {
        return Err(
            "random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16"
                .to_string(),
        );
    }
    for o in out.iter_mut() {
        *o = from_i64(g.random_u64() as i64);
    }
    Ok(())
}

/// How many values `random_()` with no bounds draws from for `dtype`, counting from 0:
/// `[0, 2^mantissa]` for floats (mantissa digits incl. the implicit bit: 24, 53, 11, 8),
/// `[0, max]` for integers, a fair coin for bool.
pub fn default_range(dtype: DType) -> u64 {
    match dtype {
        DType::Bool => 2,
        DType::U8 => 1 << 8,
        DType::I8 => 1 << 7,
        DType::I16 => 1 << 15,
        DType::I32 => 1 << 31,
        DType::I64 => 1 << 63,
        DType::F16 => (1 << 11) + 1,
        DType::BF16 => (1 << 8) + 1,
        DType::F32 => (1 << 24) + 1,
        DType::F64 => (1 << 53) + 1,
    }
}

/// `random_()` with no bounds, over [`default_range`]. `double` and `int64` use a 64-bit
/// draw, every other dtype a 32-bit one.
pub fn random_default<T: Element>(g: &mut Generator, out: &mut [T]) -> Result<(), String> {
    let modulus = default_range(T::DTYPE);
    let wide = matches!(T::DTYPE, DType::I64 | DType::F64);
    if T::DTYPE == DType::Bool {
        for o in out.iter_mut() {
            *o = T::from_bool(g.random_u32() & 1 != 0);
        }
        return Ok(());
    }
    for o in out.iter_mut() {
        let draw = if wide {
            g.random_u64()
        } else {
            g.random_u32() as u64
        };
        *o = from_i64((draw % modulus) as i64);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::test_util::{bits, sample, AVX2};
    use half::{bf16, f16};

    #[test]
    fn randint_matches_pytorch() {
        // torch.manual_seed(0); torch.randint(lo, hi, (n,), dtype=...)
        let r = |lo, hi, n| sample(AVX2, 0, n, |g, o: &mut [i64]| random_from_to(g, o, lo, hi));
        assert_eq!(r(0, 10, 8), [4, 9, 3, 0, 3, 9, 7, 3]);
        assert_eq!(
            r(-5, 1 << 40, 4),
            [741234585336, 506077272957, 291397093751, 841111833108]
        ); // range >= 2^28: 64-bit draws
        let i8s = sample(AVX2, 0, 8, |g, o: &mut [i8]| {
            random_from_to(g, o, -128, 128)
        });
        assert_eq!(i8s, [44, -81, -11, 64, -61, 123, 67, -25]);
        let u8s = sample(AVX2, 0, 8, |g, o: &mut [u8]| random_from_to(g, o, 0, 256));
        assert_eq!(u8s, [172, 47, 117, 192, 67, 251, 195, 103]);
        let fl = sample(AVX2, 0, 4, |g, o: &mut [f32]| {
            random_from_to(g, o, -(1 << 24), 1 << 24)
        });
        assert_eq!(bits(&fl), [0xcb00f554, 0x4b44aa2f, 0x49b533a8, 0xcb5e3340]);
    }

    #[test]
    fn random_without_bounds_matches_pytorch() {
        // torch.manual_seed(0); torch.empty(6, dtype=...).random_()
        let s = |g: &mut Generator, o: &mut [i64]| random_default(g, o);
        assert_eq!(
            sample(AVX2, 0, 6, s),
            [
                900450186894289455,
                3969543146641149120,
                1895649597198586619,
                827948490035658087,
                7815051614634499795,
                2691271404617651954
            ]
        );
        let s = |g: &mut Generator, o: &mut [i32]| random_default(g, o);
        assert_eq!(
            sample(AVX2, 0, 6, s),
            [209652396, 398764591, 924231285, 1478610112, 441365315, 1537364731]
        );
        let s = |g: &mut Generator, o: &mut [u8]| random_default(g, o);
        assert_eq!(sample(AVX2, 0, 6, s), [172, 47, 117, 192, 67, 251]);
        let s = |g: &mut Generator, o: &mut [bool]| random_default(g, o);
        assert_eq!(
            sample(AVX2, 0, 6, s),
            [false, true, true, false, true, true]
        );
        let s = |g: &mut Generator, o: &mut [f32]| random_default(g, o);
        assert_eq!(
            bits(&sample(AVX2, 0, 6, s)),
            [0x4afe1440, 0x4b44a998, 0x49b52df0, 0x4a072fa0, 0x4a9d6552, 0x4b225220]
        );
        let s = |g: &mut Generator, o: &mut [f64]| random_default(g, o);
        assert_eq!(
            bits(&sample(AVX2, 0, 6, s)),
            [
                0x433f0aac97c4a5cc,
                0x4336a675d821c708,
                0x432d6687b7449c52,
                0x433d76c3d8e5790c,
                0x4334a4099fa1db70,
                0x433951156266d1c8
            ]
        );
        let s = |g: &mut Generator, o: &mut [f16]| random_default(g, o);
        assert_eq!(
            bits(&sample(AVX2, 0, 6, s)),
            [0x64fd, 0x63f2, 0x667d, 0x63ce, 0x63ac, 0x603e]
        );
        let s = |g: &mut Generator, o: &mut [bf16]| random_default(g, o);
        assert_eq!(
            bits(&sample(AVX2, 0, 6, s)),
            [0x4315, 0x4333, 0x423c, 0x4278, 0x428a, 0x42e0]
        );
    }

    #[test]
    fn full_64_bit_range_matches_pytorch() {
        // torch.empty(3, dtype=...).random_(-2**63, None)
        let s = |g: &mut Generator, o: &mut [i64]| random_full_range(g, o);
        assert_eq!(
            sample(AVX2, 0, 3, s),
            [
                -8322921849960486353,
                -5253828890213626688,
                -7327722439656189189
            ]
        );
        let s = |g: &mut Generator, o: &mut [f32]| random_full_range(g, o);
        assert_eq!(
            bits(&sample(AVX2, 0, 3, s)),
            [0xdee701eb, 0xde91d2b3, 0xdecb6299]
        );
        assert!(random_full_range(&mut Generator::new(0), &mut [0i32; 2]).is_err());
    }

    #[test]
    fn empty_ranges_are_errors() {
        let mut g = Generator::new(0);
        assert!(random_from_to(&mut g, &mut [0i64; 2], 5, 5).is_err());
        assert!(random_range(&mut g, &mut [0i64; 2], 0, 0).is_err());
        // The widest range that still fits: [i64::MIN, i64::MAX).
        assert!(random_from_to(&mut g, &mut [0i64; 2], i64::MIN, i64::MAX).is_ok());
    }
}
