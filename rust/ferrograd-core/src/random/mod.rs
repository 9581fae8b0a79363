//! PyTorch-exact CPU random numbers: the MT19937 generator, its state bytes, and every sampler
//! behind `rand`, `randn`, `randint`, `randperm`, `bernoulli`, `exponential_` and `multinomial`;
//! and the state of the GPU's counter-based generator ([`PhiloxGenerator`]).
//!
//! Each sampler writes into a contiguous `&mut [T]` *in order*, consuming the generator exactly
//! as PyTorch's CPU kernel does for a contiguous tensor, so `torch.manual_seed(0);
//! torch.rand(3)` prints the same digits as PyTorch. For a non-contiguous tensor, PyTorch's
//! serial kernels visit elements in `TensorIterator` order (memory order); the caller should
//! sample into a buffer in that order and scatter. `normal` is the one op whose *algorithm*
//! depends on layout, see [`normal`] and [`normal_serial`].
//!
//! The arithmetic that turns bits into floats differs slightly between PyTorch builds (FMA
//! contraction, AVX2 polynomials); [`KernelFlavor`] selects which build to imitate.

mod avx_mathfun;
mod bernoulli;
mod convert;
mod exponential;
mod flavor;
mod generator;
mod integers;
mod mt19937;
mod multinomial;
mod normal;
mod normal_fill;
mod philox;
mod randperm;
mod state;
pub(crate) mod stl_select;
mod uniform;

#[cfg(test)]
mod test_util;

pub use bernoulli::{bernoulli_probs, bernoulli_scalar};
pub use exponential::exponential;
pub use flavor::KernelFlavor;
pub use generator::{Generator, DEFAULT_RNG_SEED};
pub use integers::{
    default_range, random_default, random_from_to, random_full_range, random_range,
};
pub use multinomial::multinomial;
pub use normal::{normal, normal_serial, NORMAL_FILL_MIN_LEN};
pub use normal_fill::normal_fill;
pub use philox::{default_device_generator, PhiloxGenerator, PHILOX_STATE_SIZE};
pub use randperm::randperm;
pub use state::STATE_SIZE;
pub use uniform::uniform;

use std::sync::{Mutex, OnceLock};

/// The process-wide default CPU generator (`torch.default_generator`), created on first use.
///
/// Like PyTorch 2.x, it starts from a nondeterministic seed (so `torch.initial_seed()` differs
/// between runs until `manual_seed` is called); [`DEFAULT_RNG_SEED`] is only the seed of a
/// freshly constructed `torch.Generator()`. A poisoned lock still holds a valid generator,
/// so callers may recover it with `lock().unwrap_or_else(|e| e.into_inner())`.
pub fn default_generator() -> &'static Mutex<Generator> {
    static DEFAULT: OnceLock<Mutex<Generator>> = OnceLock::new();
    DEFAULT.get_or_init(|| Mutex::new(Generator::new(nondeterministic_seed())))
}

/// 64 unpredictable bits, as `torch.seed()` uses: read from `/dev/urandom` where it exists,
/// otherwise mixed from the standard library's randomly keyed hasher and the clock.
pub fn nondeterministic_seed() -> u64 {
    use std::io::Read;
    let mut bytes = [0u8; 8];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        if f.read_exact(&mut bytes).is_ok() {
            return u64::from_le_bytes(bytes);
        }
    }
    fallback_seed()
}

fn fallback_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    // RandomState is keyed from the OS where possible; the counter separates quick calls.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(nanos);
    h.write_u64(CALLS.fetch_add(1, Ordering::Relaxed));
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_generator_is_shared_and_reseedable() {
        let mut g = default_generator()
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        g.manual_seed(0);
        assert_eq!(g.initial_seed(), 0);
    }

    #[test]
    fn nondeterministic_seeds_differ() {
        assert_ne!(nondeterministic_seed(), nondeterministic_seed());
        assert_ne!(fallback_seed(), fallback_seed());
    }
}
