//! Continuous uniform sampling: `torch.rand`, `Tensor.uniform_`, and the unit uniforms every
//! other sampler builds on (PyTorch's `uniform_real_distribution`).

use super::convert::{from_f32, from_f64, require_float};
use super::flavor::KernelFlavor;
use super::generator::Generator;
use crate::dtype::{DType, Element};

/// `x * y + z`, fused when the imitated build contracts multiply-adds.
#[inline]
pub(crate) fn madd_f32(flavor: KernelFlavor, x: f32, y: f32, z: f32) -> f32 {
    if flavor.fused_multiply_add {
        x.mul_add(y, z)
    } else {
        x * y + z
    }
}

/// `x * y + z` in double precision, fused when the imitated build contracts multiply-adds.
#[inline]
pub(crate) fn madd_f64(flavor: KernelFlavor, x: f64, y: f64, z: f64) -> f64 {
    if flavor.fused_multiply_add {
        x.mul_add(y, z)
    } else {
        x * y + z
    }
}

/// A float in [0, 1) from the low 24 bits of one 32-bit draw (float's mantissa width).
#[inline]
pub(crate) fn unit_f32(g: &mut Generator) -> f32 {
    (g.random_u32() & 0x00ff_ffff) as f32 * (1.0 / 16_777_216.0)
}

/// A double in [0, 1) from the low 53 bits of one 64-bit draw (double's mantissa width).
#[inline]
pub(crate) fn unit_f64(g: &mut Generator) -> f64 {
    (g.random_u64() & ((1u64 << 53) - 1)) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// `uniform_real_distribution<float>(from, to)`: the unit draw scaled in float arithmetic.
#[inline]
pub(crate) fn sample_f32(g: &mut Generator, from: f32, to: f32) -> f32 {
    let x = unit_f32(g);
    madd_f32(g.flavor(), x, to - from, from)
}

/// `uniform_real_distribution<double>(from, to)`.
#[inline]
pub(crate) fn sample_f64(g: &mut Generator, from: f64, to: f64) -> f64 {
    let x = unit_f64(g);
    madd_f64(g.flavor(), x, to - from, from)
}

/// `uniform_(from, to)` / `rand` (with 0, 1) over `out` in order.
///
/// `double` uses 53 bits of a 64-bit draw; `float`, `float16` and `bfloat16` all compute in
/// float from 24 bits of a 32-bit draw (PyTorch's opmath type for the half types is float) and
/// then round. A value that rounds up to `to` is replaced by `from`, as PyTorch does, so the
/// result stays in [from, to). Checking `from <= to` is the caller's job.
pub fn uniform<T: Element>(
    g: &mut Generator,
    out: &mut [T],
    from: f64,
    to: f64,
) -> Result<(), String> {
    require_float::<T>("uniform_kernel_cpu")?;
    let to_scalar: T = from_f64(to);
    let from_scalar: T = from_f64(from);
    let clamp = |v: T| if v == to_scalar { from_scalar } else { v };
    if T::DTYPE == DType::F64 {
        for o in out.iter_mut() {
            *o = clamp(T::from_f64(sample_f64(g, from, to)));
        }
    } else {
        let (from32, to32) = (from as f32, to as f32);
        for o in out.iter_mut() {
            *o = clamp(from_f32(sample_f32(g, from32, to32)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::test_util::{bits, sample, AVX2, DEFAULT};
    use half::{bf16, f16};

    #[test]
    fn rand_matches_pytorch_for_every_float_dtype() {
        // torch.manual_seed(0); torch.rand(5, dtype=...)
        for flavor in [AVX2, DEFAULT] {
            let r = |g: &mut Generator, o: &mut [f32]| uniform(g, o, 0.0, 1.0);
            assert_eq!(
                bits(&sample(flavor, 0, 5, r)),
                [0x3efe1558, 0x3f44aa2f, 0x3db533a8, 0x3e073300, 0x3e9d6686]
            );
            let r = |g: &mut Generator, o: &mut [f64]| uniform(g, o, 0.0, 1.0);
            assert_eq!(
                bits(&sample(flavor, 0, 5, r)),
                [
                    0x3fef0aac97c4aa2f,
                    0x3fe6a675d821ccc0,
                    0x3fdd6687b744a5f6,
                    0x3fed76c3d8e57d67,
                    0x3fe4a4099fa1ded3
                ]
            );
            let r = |g: &mut Generator, o: &mut [f16]| uniform(g, o, 0.0, 1.0);
            assert_eq!(
                bits(&sample(flavor, 0, 5, r)),
                [0x37f1, 0x3a25, 0x2daa, 0x303a, 0x34eb]
            );
            let r = |g: &mut Generator, o: &mut [bf16]| uniform(g, o, 0.0, 1.0);
            assert_eq!(
                bits(&sample(flavor, 0, 5, r)),
                [0x3efe, 0x3f45, 0x3db5, 0x3e07, 0x3e9d]
            );
        }
    }

    #[test]
    fn uniform_range_matches_pytorch_per_flavor() {
        // torch.manual_seed(0); torch.empty(8, dtype=...).uniform_(-3.7, 5.1)
        let f32s = |fl| {
            bits(&sample(fl, 0, 8, |g, o: &mut [f32]| {
                uniform(g, o, -3.7, 5.1)
            }))
        };
        let f64s = |fl| {
            bits(&sample(fl, 0, 8, |g, o: &mut [f64]| {
                uniform(g, o, -3.7, 5.1)
            }))
        };
        assert_eq!(
            f32s(AVX2),
            [
                0x3f2ac451, 0x4043dcce, 0xc03af832, 0xc02270c0, 0xbf7ea34c, 0x3ff0a051, 0x3f1ce1e8,
                0x408609f2
            ]
        );
        assert_eq!(
            f32s(DEFAULT),
            [
                0x3f2ac454, 0x4043dccf, 0xc03af832, 0xc02270c0, 0xbf7ea34c, 0x3ff0a052, 0x3f1ce1e4,
                0x408609f2
            ]
        );
        assert_eq!(
            f64s(AVX2),
            [
                0x4013588aa6f1ee67,
                0x40043b0341e3f5a7,
                0x3fd5ecaa4cc28144,
                0x40119c3dd4fc7058,
                0x3fff9e90be61d46e,
                0x400a18c8a548a5af,
                0xc00106b0253a7fa7,
                0xbfe3873119d6462c
            ]
        );
        assert_eq!(
            f64s(DEFAULT),
            [
                0x4013588aa6f1ee67,
                0x40043b0341e3f5a8,
                0x3fd5ecaa4cc28140,
                0x40119c3dd4fc7059,
                0x3fff9e90be61d470,
                0x400a18c8a548a5ae,
                0xc00106b0253a7fa7,
                0xbfe3873119d6462c
            ]
        );
        let h = sample(AVX2, 0, 8, |g, o: &mut [f16]| uniform(g, o, -3.7, 5.1));
        assert_eq!(
            bits(&h),
            [0x3956, 0x421f, 0xc1d8, 0xc114, 0xbbf5, 0x3f85, 0x38e7, 0x4430]
        );
        let b = sample(AVX2, 0, 8, |g, o: &mut [bf16]| uniform(g, o, -3.7, 5.1));
        assert_eq!(
            bits(&b),
            [0x3f2b, 0x4044, 0xc03b, 0xc022, 0xbf7f, 0x3ff1, 0x3f1d, 0x4086]
        );
    }

    #[test]
    fn integer_dtypes_are_rejected() {
        let mut g = Generator::new(0);
        assert!(uniform(&mut g, &mut [0i64; 3], 0.0, 1.0).is_err());
    }
}
