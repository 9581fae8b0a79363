//! Helpers for the unit tests that compare against bits recorded from PyTorch 2.15 (x86-64,
//! Linux; `ATEN_CPU_CAPABILITY=avx2` for [`KernelFlavor::X86_AVX2`] and `=default` for
//! [`KernelFlavor::X86_DEFAULT`]).

use super::flavor::KernelFlavor;
use super::generator::Generator;
use crate::dtype::Element;
use half::{bf16, f16};

pub(crate) const AVX2: KernelFlavor = KernelFlavor::X86_AVX2;
pub(crate) const DEFAULT: KernelFlavor = KernelFlavor::X86_DEFAULT;

/// Raw bit patterns, so comparisons are exact (and NaN-proof).
pub(crate) trait Bits: Copy {
    fn bits(self) -> u64;
}
impl Bits for f32 {
    fn bits(self) -> u64 {
        self.to_bits() as u64
    }
}
impl Bits for f64 {
    fn bits(self) -> u64 {
        self.to_bits()
    }
}
impl Bits for f16 {
    fn bits(self) -> u64 {
        self.to_bits() as u64
    }
}
impl Bits for bf16 {
    fn bits(self) -> u64 {
        self.to_bits() as u64
    }
}

pub(crate) fn bits<T: Bits>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.bits()).collect()
}

/// `torch.manual_seed(seed)` followed by one sampler call on a fresh buffer of `n` elements.
pub(crate) fn sample<T: Element>(
    flavor: KernelFlavor,
    seed: u64,
    n: usize,
    f: impl FnOnce(&mut Generator, &mut [T]) -> Result<(), String>,
) -> Vec<T> {
    let mut g = Generator::with_flavor(seed, flavor);
    let mut out = vec![T::default(); n];
    f(&mut g, &mut out).expect("sampler accepted its arguments");
    out
}
