//! Normal sampling entry points (`randn`, `normal_`) and the serial Box-Muller sampler with
//! PyTorch's cached second sample.
//!
//! PyTorch's CPU `normal_` picks one of two algorithms:
//!
//! * **fill** ([`normal_fill`](super::normal_fill::normal_fill)) when the tensor has at least
//!   16 elements *and is contiguous*: uniforms are transformed 16 at a time;
//! * **serial** ([`normal_serial`]) otherwise: one `normal_distribution<double>` draw per
//!   element, in the order PyTorch's `TensorIterator` visits the elements. Box-Muller yields two
//!   samples per pair of draws; the second waits in the generator's cache for the next call.
//!
//! The fill path neither reads nor clears that cache, so a cached sample survives a large
//! `randn` and is used by the next small one, exactly as in PyTorch.

use super::convert::{from_f64, require_float};
use super::generator::Generator;
use super::normal_fill::normal_fill;
use super::uniform::{madd_f64, unit_f64};
use crate::dtype::Element;

/// Smallest element count for which a contiguous tensor takes the fill path.
pub const NORMAL_FILL_MIN_LEN: usize = 16;

/// `normal_(mean, std)` / `randn` on a freshly allocated **contiguous** buffer: takes the fill
/// path for 16 or more elements and the serial path below that, like PyTorch. "Contiguous"
/// is PyTorch's `is_contiguous()` (row-major; a channels-last tensor is *not*).
///
/// For a non-contiguous tensor call [`normal_serial`] instead, whatever its size, with `out`
/// listing the elements in the order PyTorch's `TensorIterator` visits them (memory order:
/// dimensions sorted by decreasing stride), then scatter the values back.
pub fn normal<T: Element>(
    g: &mut Generator,
    out: &mut [T],
    mean: f64,
    std: f64,
) -> Result<(), String> {
    if out.len() >= NORMAL_FILL_MIN_LEN {
        normal_fill(g, out, mean, std)
    } else {
        normal_serial(g, out, mean, std)
    }
}

/// PyTorch's serial normal kernel: every dtype draws `normal_distribution<double>` samples and
/// casts each to `T`. Uses (and refills) the generator's cached double sample.
pub fn normal_serial<T: Element>(
    g: &mut Generator,
    out: &mut [T],
    mean: f64,
    std: f64,
) -> Result<(), String> {
    require_float::<T>("normal_kernel_cpu")?;
    for o in out.iter_mut() {
        *o = from_f64(sample_normal_f64(g, mean, std));
    }
    Ok(())
}

/// One `normal_distribution<double>(mean, std)` draw (Box-Muller on two 53-bit uniforms).
pub(crate) fn sample_normal_f64(g: &mut Generator, mean: f64, std: f64) -> f64 {
    let flavor = g.flavor();
    if let Some(z) = g.next_double_normal.take() {
        return madd_f64(flavor, z, std, mean);
    }
    let u1 = unit_f64(g);
    let u2 = unit_f64(g);
    // log1p(-u2) rather than log(1 - u2): u2 lies in [0, 1), so the log never sees 0.
    let r = (-2.0 * (-u2).ln_1p()).sqrt();
    let theta = 2.0 * std::f64::consts::PI * u1;
    g.next_double_normal = Some(r * theta.sin());
    madd_f64(flavor, r * theta.cos(), std, mean)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::test_util::{bits, sample, AVX2, DEFAULT};
    use crate::random::uniform;
    use half::{bf16, f16};

    #[test]
    fn small_randn_matches_pytorch() {
        // torch.manual_seed(0); torch.randn(5, dtype=...): the serial path.
        for fl in [AVX2, DEFAULT] {
            let n = |g: &mut Generator, o: &mut [f32]| normal(g, o, 0.0, 1.0);
            assert_eq!(
                bits(&sample(fl, 0, 5, n)),
                [0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0x3f1184b6, 0xbf8ad1a1]
            );
            let n = |g: &mut Generator, o: &mut [f64]| normal(g, o, 0.0, 1.0);
            assert_eq!(
                bits(&sample(fl, 0, 5, n)),
                [
                    0x3ff8a7eb8902be3a,
                    0xbfd2c78a087c6fea,
                    0xc0016e2920a70ee5,
                    0x3fe23096ca3e350d,
                    0xbff15a341987e136
                ]
            );
            let n = |g: &mut Generator, o: &mut [f16]| normal(g, o, 0.0, 1.0);
            assert_eq!(
                bits(&sample(fl, 0, 5, n)),
                [0x3e2a, 0xb4b2, 0xc05c, 0x388c, 0xbc57]
            );
            let n = |g: &mut Generator, o: &mut [bf16]| normal(g, o, 0.0, 1.0);
            assert_eq!(
                bits(&sample(fl, 0, 5, n)),
                [0x3fc5, 0xbe96, 0xc00b, 0x3f12, 0xbf8b]
            );
        }
    }

    #[test]
    fn normal_with_mean_and_std_matches_pytorch() {
        // torch.manual_seed(0); torch.empty(6, dtype=...).normal_(0.3, 2.7)
        let f64s = |fl| bits(&sample(fl, 0, 6, |g, o: &mut [f64]| normal(g, o, 0.3, 2.7)));
        assert_eq!(
            f64s(AVX2),
            [
                0x4011d7befc7b739b,
                0xbfdf8127e3b6615f,
                0xc01654b785ae541c,
                0x3ffd5b31f76d946c,
                0xc005069322777009,
                0xc00bcf45e9c4356c
            ]
        );
        assert_eq!(
            f64s(DEFAULT),
            [
                0x4011d7befc7b739a,
                0xbfdf8127e3b6615f,
                0xc01654b785ae541c,
                0x3ffd5b31f76d946c,
                0xc00506932277700a,
                0xc00bcf45e9c4356d
            ]
        );
        let f = sample(AVX2, 0, 6, |g, o: &mut [f32]| normal(g, o, 0.3, 2.7));
        assert_eq!(
            bits(&f),
            [0x408ebdf8, 0xbefc093f, 0xc0b2a5bc, 0x3fead990, 0xc0283499, 0xc05e7a2f]
        );
        let h = sample(AVX2, 0, 6, |g, o: &mut [f16]| normal(g, o, 0.3, 2.7));
        assert_eq!(bits(&h), [0x4476, 0xb7e0, 0xc595, 0x3f57, 0xc142, 0xc2f4]);
        let b = sample(AVX2, 0, 6, |g, o: &mut [bf16]| normal(g, o, 0.3, 2.7));
        assert_eq!(bits(&b), [0x408f, 0xbefc, 0xc0b3, 0x3feb, 0xc028, 0xc05e]);
    }

    /// randn(3), randn(20), randn(3), rand(2), randn(1): the cached sample left by the first
    /// call survives the fill path and the uniform draws, as in PyTorch.
    fn interleaved(g: &mut Generator) -> Vec<f32> {
        let mut all = Vec::new();
        for (n, gaussian) in [(3, true), (20, true), (3, true), (2, false), (1, true)] {
            let mut v = vec![0f32; n];
            if gaussian {
                normal(g, &mut v, 0.0, 1.0).expect("float");
            } else {
                uniform(g, &mut v, 0.0, 1.0).expect("float");
            }
            all.extend(v);
        }
        all
    }

    #[test]
    fn interleaved_calls_use_the_cache_like_pytorch() {
        let mut g = Generator::with_flavor(0, AVX2);
        assert_eq!(
            bits(&interleaved(&mut g)),
            [
                0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0xbeb65675, 0x3edfdba8, 0x3efb8c53, 0xbe51000b,
                0x3e2a7345, 0x3f5fd77d, 0xbe12eacf, 0xbde4936f, 0xbf1d13c8, 0x3d016764, 0xbefc4028,
                0x3e7e6070, 0x3f1e38f6, 0xbed35ad0, 0xbf575006, 0xc0143a08, 0xbdd187b9, 0x3f4add9c,
                0xbe944f53, 0x3d571217, 0x3f1184b6, 0x3f709762, 0x3f465c7e, 0x3e8e771c, 0x3ef6c34e,
                0xbf9f11d5
            ]
        );
        let mut g = Generator::with_flavor(0, DEFAULT);
        assert_eq!(
            bits(&interleaved(&mut g)),
            [
                0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0xbeb65674, 0x3edfdbaa, 0x3efb8c57, 0xbe51000b,
                0x3e2a7344, 0x3f5fd77d, 0xbe12eae9, 0xbde4936f, 0xbf1d13c8, 0x3d016764, 0xbefc402a,
                0x3e7e6070, 0x3f1e38f6, 0xbed35ad0, 0xbf575004, 0xc0143a08, 0xbdd187b9, 0x3f4add9c,
                0xbe944f4e, 0x3d571217, 0x3f1184b6, 0x3f709762, 0x3f465c7e, 0x3e8e771c, 0x3ef6c34e,
                0xbf9f11d5
            ]
        );
    }

    #[test]
    fn manual_seed_resets_stream_and_cache() {
        let mut g = Generator::new(0);
        let first = interleaved(&mut g);
        // The trailing randn(1) left the second Box-Muller sample cached.
        assert!(g.next_double_normal.is_some());
        g.manual_seed(0);
        assert_eq!(bits(&interleaved(&mut g)), bits(&first));
    }

    #[test]
    fn state_after_small_randn_holds_the_cached_sample() {
        // torch.manual_seed(0); torch.randn(5); torch.get_rng_state()[:24] and [5016:]
        let mut g = Generator::new(0);
        normal(&mut g, &mut [0f32; 5], 0.0, 1.0).expect("float");
        let s = g.get_state();
        assert_eq!(
            &s[..24],
            &[0, 0, 0, 0, 0, 0, 0, 0, 101, 2, 0, 0, 1, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            &s[5016..],
            &[
                0, 0, 0, 0, 0, 0, 0, 0, 4, 68, 183, 144, 165, 96, 246, 191, 0, 0, 0, 0, 0, 0, 0, 0,
                1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
            ]
        );
    }

    #[test]
    fn serial_path_is_used_for_any_length() {
        // torch.empty(40, 2)[:, 0].normal_() goes through the serial kernel although n >= 16.
        let mut a = Generator::new(3);
        let mut b = Generator::new(3);
        let mut x = vec![0f64; 40];
        normal_serial(&mut a, &mut x, 0.0, 1.0).expect("float");
        let y: Vec<f64> = (0..40)
            .map(|_| sample_normal_f64(&mut b, 0.0, 1.0))
            .collect();
        assert_eq!(bits(&x), bits(&y));
        assert!(normal_serial(&mut a, &mut [0u8; 2], 0.0, 1.0).is_err());
    }
}
