//! PyTorch's `normal_fill`: the 16-at-a-time Box-Muller used for contiguous tensors of 16 or
//! more elements.
//!
//! Uniforms are drawn in the opmath type (double for `float64`, float for the three others),
//! and each block of 16 becomes 8 pairs: element `j` (cosine) and `j + 8` (sine) share the
//! uniforms `u1 = 1 - block[j]` and `u2 = block[j + 8]`. When the length is not a multiple of 16
//! PyTorch redraws 16 fresh uniforms and overwrites the *last 16* elements, so the tail overlaps
//! the previous block. `float`/`double` draw uniforms for the whole buffer first (so the
//! leftover elements' uniforms are consumed and then discarded); `float16`/`bfloat16` work
//! block by block and draw nothing for the leftovers. Both quirks change the stream and are
//! reproduced.

use super::avx_mathfun::{log_ps, sincos_ps};
use super::convert::{from_f32, require_float};
use super::generator::Generator;
use super::normal::NORMAL_FILL_MIN_LEN;
use super::uniform::{unit_f32, unit_f64};
use crate::dtype::{DType, Element};

const BLOCK: usize = 16;
const HALF: usize = BLOCK / 2;

/// The fill algorithm itself, for any floating `T`; `out.len()` must be at least 16.
/// Prefer [`normal`](super::normal::normal), which picks the path like PyTorch does.
pub fn normal_fill<T: Element>(
    g: &mut Generator,
    out: &mut [T],
    mean: f64,
    std: f64,
) -> Result<(), String> {
    require_float::<T>("normal_kernel_cpu")?;
    let n = out.len();
    if n < NORMAL_FILL_MIN_LEN {
        return Err(format!("normal_fill needs at least 16 elements, got {n}"));
    }
    let rem = n % BLOCK;
    let full = n - rem;
    match T::DTYPE {
        DType::F64 => {
            let mut buf = [0f64; BLOCK];
            let mut fill = |g: &mut Generator, dst: &mut [T]| {
                buf.iter_mut().for_each(|b| *b = unit_f64(g));
                transform_f64(&mut buf, mean, std);
                dst.iter_mut()
                    .zip(buf)
                    .for_each(|(d, v)| *d = T::from_f64(v));
            };
            for block in out[..full].chunks_exact_mut(BLOCK) {
                fill(g, block);
            }
            if rem != 0 {
                // Uniforms PyTorch wrote into the leftover slots before redrawing the tail.
                for _ in 0..rem {
                    unit_f64(g);
                }
                fill(g, &mut out[n - BLOCK..]);
            }
        }
        _ => {
            let (mean, std) = (mean as f32, std as f32);
            let avx2 = g.flavor().avx2_normal_fill;
            let mut buf = [0f32; BLOCK];
            let mut fill = |g: &mut Generator, dst: &mut [T]| {
                buf.iter_mut().for_each(|b| *b = unit_f32(g));
                if avx2 {
                    transform_f32_avx2(&mut buf, mean, std);
                } else {
                    transform_f32_scalar(&mut buf, mean, std);
                }
                dst.iter_mut().zip(buf).for_each(|(d, v)| *d = from_f32(v));
            };
            for block in out[..full].chunks_exact_mut(BLOCK) {
                fill(g, block);
            }
            if rem != 0 {
                if T::DTYPE == DType::F32 {
                    for _ in 0..rem {
                        unit_f32(g);
                    }
                }
                fill(g, &mut out[n - BLOCK..]);
            }
        }
    }
    Ok(())
}

/// The scalar `NormalFill16<double>` (used by every build).
fn transform_f64(b: &mut [f64; BLOCK], mean: f64, std: f64) {
    for j in 0..HALF {
        let u1 = 1.0 - b[j];
        let u2 = b[j + HALF];
        let radius = (-2.0 * u1.ln()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u2;
        b[j] = (radius * theta.cos()).mul_add(std, mean);
        b[j + HALF] = (radius * theta.sin()).mul_add(std, mean);
    }
}

/// The scalar `NormalFill16<float>` (builds without AVX2) with libm's float functions.
fn transform_f32_scalar(b: &mut [f32; BLOCK], mean: f32, std: f32) {
    for j in 0..HALF {
        let u1 = 1.0 - b[j];
        let u2 = b[j + HALF];
        let radius = (-2.0 * u1.ln()).sqrt();
        // The angle is formed in double (the constant is a double) and then stored as float.
        let theta = (2.0 * std::f64::consts::PI * u2 as f64) as f32;
        b[j] = (radius * theta.cos()).mul_add(std, mean);
        b[j + HALF] = (radius * theta.sin()).mul_add(std, mean);
    }
}

/// The AVX2 `NormalFill16<float>`, lane by lane: Cephes-style `log`/`sincos` and a float
/// `2*pi` constant.
fn transform_f32_avx2(b: &mut [f32; BLOCK], mean: f32, std: f32) {
    const TWO_PI: f32 = (2.0 * std::f64::consts::PI) as f32;
    for j in 0..HALF {
        let u1 = 1.0 - b[j];
        let u2 = b[j + HALF];
        let radius = (-2.0 * log_ps(u1)).sqrt();
        let (sin, cos) = sincos_ps(TWO_PI * u2);
        b[j] = (radius * cos).mul_add(std, mean);
        b[j + HALF] = (radius * sin).mul_add(std, mean);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::normal::normal;
    use crate::random::test_util::{bits, sample, AVX2, DEFAULT};
    use half::{bf16, f16};

    fn randn<T: Element>(fl: crate::random::KernelFlavor, n: usize) -> Vec<T> {
        sample(fl, 0, n, |g, o: &mut [T]| normal(g, o, 0.0, 1.0))
    }

    #[test]
    fn float32_fill_matches_pytorch_per_flavor() {
        // torch.manual_seed(0); torch.randn(n): 16 = one block, 17 and 20 redraw the tail.
        assert_eq!(
            bits(&randn::<f32>(AVX2, 16)),
            [
                0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d, 0x3f594515, 0x3f312783, 0xbea1cc6d,
                0xc0075fc1, 0x3ea50138, 0xbfa1b4f4, 0x3eb330ff, 0x3e9dc3bb, 0x3df56f77, 0x3f9e6b93,
                0x3f8ef28e, 0xbe7d367c
            ]
        );
        assert_eq!(
            bits(&randn::<f32>(DEFAULT, 16)),
            [
                0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255e, 0x3f594515, 0x3f312784, 0xbea1cc6d,
                0xc0075fc2, 0x3ea50138, 0xbfa1b4f4, 0x3eb330ff, 0x3e9dc3ba, 0x3df56f77, 0x3f9e6b93,
                0x3f8ef28e, 0xbe7d365a
            ]
        );
        assert_eq!(
            bits(&randn::<f32>(AVX2, 17)),
            [
                0xbf901b85, 0xbfd91446, 0x3f111004, 0x3f4b235d, 0x3f194d8b, 0xbfc70d5b, 0xbeaec6ca,
                0x3fed2f4e, 0x3eefaa55, 0xbf15e32b, 0xbe318eeb, 0x3e3be1a4, 0x3fb1d6c0, 0x3fcb0d00,
                0x3f72409c, 0xbf57fb33, 0x3f6e8c30
            ]
        );
        assert_eq!(
            bits(&randn::<f32>(DEFAULT, 17)),
            [
                0xbf901b85, 0xbfd91447, 0x3f111002, 0x3f4b235e, 0x3f194d8b, 0xbfc70d5b, 0xbeaec6c7,
                0x3fed2f4e, 0x3eefaa55, 0xbf15e324, 0xbe318efd, 0x3e3be1a3, 0x3fb1d6c0, 0x3fcb0d01,
                0x3f72409c, 0xbf57fb34, 0x3f6e8c31
            ]
        );
        assert_eq!(
            bits(&randn::<f32>(AVX2, 20)),
            [
                0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d, 0x3f194d8b, 0xbfc70d5b, 0xbeaec6ca,
                0x3fed2f4e, 0x3eefaa55, 0xbe217f5f, 0x3fb8c9db, 0x3e8837a1, 0x3fb1d6c0, 0x3fcb0d00,
                0x3f72409c, 0xbf57fb33, 0x3f6e8c30, 0x3fa12737, 0x4000519a, 0x3d5c1b3a
            ]
        );
        assert_eq!(
            bits(&randn::<f32>(DEFAULT, 20)),
            [
                0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255e, 0x3f194d8b, 0xbfc70d5b, 0xbeaec6c7,
                0x3fed2f4e, 0x3eefaa55, 0xbe217f5f, 0x3fb8c9db, 0x3e8837a1, 0x3fb1d6c0, 0x3fcb0d01,
                0x3f72409c, 0xbf57fb34, 0x3f6e8c31, 0x3fa12737, 0x4000519a, 0x3d5c1b39
            ]
        );
    }

    #[test]
    fn float64_fill_matches_pytorch() {
        for fl in [AVX2, DEFAULT] {
            assert_eq!(
                bits(&randn::<f64>(fl, 17)),
                [
                    0xc0027bb92e9262dc,
                    0xbfe443c91ccf2402,
                    0xbff42cbf54f08f8e,
                    0xbfe7432edfaba107,
                    0xbf9471a3c0e2f22a,
                    0x3fcaeb1b572b6a04,
                    0x3fc6ae2402b7b62b,
                    0xbfea9389d082941d,
                    0x3fce8e503666016d,
                    0xbfcf101e358981ad,
                    0xbfe8bc82256d975b,
                    0xbff985dd0627b1f0,
                    0xbfe5fbef2bc4be3b,
                    0x3ff7cf270386ca66,
                    0xbfdcb2d8340fb171,
                    0xbfec8318cc163de5,
                    0x3fe5986ed8e63e98
                ]
            );
            assert_eq!(
                bits(&randn::<f64>(fl, 20)),
                [
                    0xc0027bb92e9262dc,
                    0xbfd7e35794939460,
                    0xbff0f91ae8d685b6,
                    0x3feffbfb0ada994b,
                    0xbf9471a3c0e2f22a,
                    0x3fcaeb1b572b6a04,
                    0x3fc6ae2402b7b62b,
                    0xbfea9389d082941d,
                    0x3fce8e503666016d,
                    0x3fe779107c3069d9,
                    0xbff5266d8f957969,
                    0x3ff50977a45ee462,
                    0xbfe5fbef2bc4be3b,
                    0x3ff7cf270386ca66,
                    0xbfdcb2d8340fb171,
                    0xbfec8318cc163de5,
                    0x3fe5986ed8e63e98,
                    0x3ff0bff5e8d733a2,
                    0x3fc3bff1c51bd9a4,
                    0xbfe7ff1c81c48b11
                ]
            );
        }
    }

    #[test]
    fn half_fills_match_pytorch() {
        // No leftover uniforms are drawn for the half types, unlike float/double.
        assert_eq!(
            bits(&randn::<f16>(AVX2, 17)),
            [
                0xbc81, 0xbd69, 0xbec9, 0x3889, 0x3a59, 0x38ca, 0xbe38, 0xb576, 0x3f69, 0x3a00,
                0xb8af, 0xb18c, 0x31df, 0x3d8f, 0x3e58, 0x3b92, 0xbac0
            ]
        );
        assert_eq!(
            bits(&randn::<f16>(AVX2, 20)),
            [
                0xbc81, 0xbc9c, 0xb402, 0xb6f1, 0xbd69, 0xbec9, 0x3889, 0x3a59, 0x38ca, 0xbe38,
                0xb576, 0x3f69, 0x3a00, 0xb8af, 0xb18c, 0x31df, 0x3d8f, 0x3e58, 0x3b92, 0xbac0
            ]
        );
        assert_eq!(
            bits(&randn::<bf16>(AVX2, 17)),
            [
                0xbf90, 0xbfad, 0xbfd9, 0x3f11, 0x3f4b, 0x3f19, 0xbfc7, 0xbeaf, 0x3fed, 0x3f40,
                0xbf16, 0xbe32, 0x3e3c, 0x3fb2, 0x3fcb, 0x3f72, 0xbf58
            ]
        );
        assert_eq!(
            bits(&randn::<bf16>(AVX2, 20)),
            [
                0xbf90, 0xbf94, 0xbe80, 0xbede, 0xbfad, 0xbfd9, 0x3f11, 0x3f4b, 0x3f19, 0xbfc7,
                0xbeaf, 0x3fed, 0x3f40, 0xbf16, 0xbe32, 0x3e3c, 0x3fb2, 0x3fcb, 0x3f72, 0xbf58
            ]
        );
    }

    #[test]
    fn short_or_integer_buffers_are_rejected() {
        let mut g = Generator::new(0);
        assert!(normal_fill(&mut g, &mut [0f32; 15], 0.0, 1.0).is_err());
        assert!(normal_fill(&mut g, &mut [0i32; 32], 0.0, 1.0).is_err());
    }
}
