//! Exponential sampling: `Tensor.exponential_(lambd)`.

use super::convert::{from_f64, require_float};
use super::generator::Generator;
use super::uniform::unit_f64;
use crate::dtype::Element;

/// `exponential_(lambd)`: `-1/lambd * log1p(-u)` from a 53-bit double uniform `u`, computed in
/// double and then cast to `T` (whatever `T` is).
///
/// This is PyTorch's portable kernel. Some PyTorch builds have used MKL's VSL streams for this
/// op; the 2.15 x86-64 wheel links no VSL generator, so it runs this kernel on every CPU.
/// Checking `lambd > 0` is the caller's job.
pub fn exponential<T: Element>(g: &mut Generator, out: &mut [T], lambd: f64) -> Result<(), String> {
    require_float::<T>("exponential_cpu")?;
    for o in out.iter_mut() {
        *o = from_f64(sample_exponential_f64(g, lambd));
    }
    Ok(())
}

/// One `exponential_distribution<double>(lambd)` draw.
pub(crate) fn sample_exponential_f64(g: &mut Generator, lambd: f64) -> f64 {
    let u = unit_f64(g);
    // log1p(-u) is finite since u < 1; u = 0 gives exactly 0 (PyTorch accepts that too).
    (-1.0 / lambd) * (-u).ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::test_util::{bits, sample, AVX2};
    use half::{bf16, f16};

    #[test]
    fn matches_pytorch_for_every_float_dtype() {
        // torch.manual_seed(0); torch.empty(5, dtype=...).exponential_(1.5)
        let e = |g: &mut Generator, o: &mut [f32]| exponential(g, o, 1.5);
        assert_eq!(
            bits(&sample(AVX2, 0, 5, e)),
            [0x4015b047, 0x3f51fc55, 0x3ed1ef5f, 0x3fd85483, 0x3f30c2a9]
        );
        let e = |g: &mut Generator, o: &mut [f64]| exponential(g, o, 1.5);
        assert_eq!(
            bits(&sample(AVX2, 0, 5, e)),
            [
                0x4002b608e13deb20,
                0x3fea3f8a944dd50a,
                0x3fda3debef7a91e6,
                0x3ffb0a9060d9764c,
                0x3fe6185526987fb9
            ]
        );
        let e = |g: &mut Generator, o: &mut [f16]| exponential(g, o, 1.5);
        assert_eq!(
            bits(&sample(AVX2, 0, 5, e)),
            [0x40ae, 0x3a90, 0x368f, 0x3ec3, 0x3986]
        );
        let e = |g: &mut Generator, o: &mut [bf16]| exponential(g, o, 1.5);
        assert_eq!(
            bits(&sample(AVX2, 0, 5, e)),
            [0x4016, 0x3f52, 0x3ed2, 0x3fd8, 0x3f31]
        );
        assert!(exponential(&mut Generator::new(0), &mut [0i64; 1], 1.0).is_err());
    }
}
