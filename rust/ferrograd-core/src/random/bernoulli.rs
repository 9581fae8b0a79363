//! Bernoulli sampling: `bernoulli_(p)` with a scalar probability and `torch.bernoulli(probs)`
//! / `bernoulli_(p_tensor)` with one probability per element.

use super::generator::Generator;
use super::uniform::{unit_f32, unit_f64};
use crate::dtype::{DType, Element};

/// `bernoulli_(p)`: each element is `1` when a 53-bit double uniform is below `p`.
///
/// This is PyTorch's portable kernel. Some PyTorch builds have routed this op through MKL's
/// own VSL streams on Intel CPUs; the 2.15 x86-64 wheel links no VSL generator at all, so it runs
/// this kernel on every CPU. Checking `0 <= p <= 1` is the caller's job.
pub fn bernoulli_scalar<T: Element>(
    g: &mut Generator,
    out: &mut [T],
    p: f64,
) -> Result<(), String> {
    for o in out.iter_mut() {
        *o = T::from_bool(unit_f64(g) < p);
    }
    Ok(())
}

/// `bernoulli_(probs)` / `torch.bernoulli(probs)`: element `i` succeeds with `probs[i]`
/// (already broadcast to `out`'s length by the caller, in the same element order).
///
/// The precision follows the *probability* dtype `P`, as in PyTorch: `float64` probabilities
/// compare against a 53-bit double uniform, `float32`/`float16`/`bfloat16` ones against a
/// 24-bit float uniform (one 32-bit draw).
pub fn bernoulli_probs<T: Element, P: Element>(
    g: &mut Generator,
    out: &mut [T],
    probs: &[P],
) -> Result<(), String> {
    if probs.len() != out.len() {
        return Err(format!(
            "bernoulli: expected {} probabilities, got {}",
            out.len(),
            probs.len()
        ));
    }
    match P::DTYPE {
        DType::F64 => {
            for (o, p) in out.iter_mut().zip(probs) {
                *o = T::from_bool(unit_f64(g) < p.to_f64());
            }
        }
        DType::F32 | DType::F16 | DType::BF16 => {
            for (o, p) in out.iter_mut().zip(probs) {
                // Exact: every one of these dtypes converts to f32 without rounding.
                let p = p.to_f64() as f32;
                *o = T::from_bool(unit_f32(g) < p);
            }
        }
        d => {
            return Err(format!(
                "\"bernoulli_tensor_cpu_p_\" not implemented for '{}'",
                d.scalar_type_name()
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::test_util::{sample, AVX2};
    use half::bf16;

    #[test]
    fn scalar_probability_matches_pytorch() {
        // torch.manual_seed(0); torch.empty(32, dtype=torch.bool).bernoulli_(0.3)
        let s = |g: &mut Generator, o: &mut [u8]| bernoulli_scalar(g, o, 0.3);
        assert_eq!(
            sample(AVX2, 0, 32, s),
            [
                0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0,
                0, 1, 0, 0
            ]
        );
    }

    #[test]
    fn tensor_probabilities_match_pytorch() {
        // torch.manual_seed(0); torch.bernoulli(torch.arange(32, dtype=...) / 32)
        let p32: Vec<f32> = (0..32).map(|i| i as f32 / 32.0).collect();
        let p64: Vec<f64> = (0..32).map(|i| i as f64 / 32.0).collect();
        let pb: Vec<bf16> = p32.iter().map(|&p| bf16::from_f32(p)).collect();
        let want32 = [
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1,
            1, 1, 1,
        ];
        let s = |g: &mut Generator, o: &mut [u8]| bernoulli_probs(g, o, &p32);
        assert_eq!(sample(AVX2, 0, 32, s), want32);
        // bfloat16 probabilities take the float path too.
        let s = |g: &mut Generator, o: &mut [u8]| bernoulli_probs(g, o, &pb);
        assert_eq!(sample(AVX2, 0, 32, s), want32);
        let s = |g: &mut Generator, o: &mut [u8]| bernoulli_probs(g, o, &p64);
        assert_eq!(
            sample(AVX2, 0, 32, s),
            [
                0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1,
                1, 1, 1, 1
            ]
        );
    }

    #[test]
    fn mismatched_or_integer_probabilities_are_errors() {
        let mut g = Generator::new(0);
        assert!(bernoulli_probs(&mut g, &mut [0f32; 3], &[0.5f32; 2]).is_err());
        assert!(bernoulli_probs(&mut g, &mut [0f32; 2], &[1i64; 2]).is_err());
    }
}
