//! The state of the GPU's random numbers: a seed and an offset for Philox4x32-10 (Salmon,
//! Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3", 2011), the
//! counter-based generator PyTorch's CUDA backend uses too.
//!
//! A counter-based generator has no sequence to step through: the words of block `b` are a
//! function of (key, counter) alone, so every GPU thread computes its own element's draws with
//! no shared state. The key is the seed; the counter is (block, 0, offset), where the offset
//! names one sampling op since the seed was set. Each op takes the next offset, so two ops never
//! reuse a counter, and the generator's whole state is these two numbers (PyTorch's CUDA state
//! is the same 16 bytes). The function itself is in `wgpu/shaders/philox.wgsl`.
//!
//! The GPU's draws differ from the CPU's (MT19937) ones, as CUDA's differ from the CPU's in
//! PyTorch: `manual_seed` makes each device's stream repeatable, not equal to the other's.

use std::sync::{Mutex, OnceLock};

/// Bytes of [`PhiloxGenerator::get_state`]: the seed and the offset, little-endian.
pub const PHILOX_STATE_SIZE: usize = 16;

/// The GPU's generator: the key and the next unused counter offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhiloxGenerator {
    seed: u64,
    offset: u64,
}

impl PhiloxGenerator {
    pub fn new(seed: u64) -> Self {
        PhiloxGenerator { seed, offset: 0 }
    }

    /// Restarts the stream from `seed`.
    pub fn manual_seed(&mut self, seed: u64) {
        *self = PhiloxGenerator::new(seed);
    }

    pub fn initial_seed(&self) -> u64 {
        self.seed
    }

    /// The (seed, offset) of the next sampling op, reserving that offset for it.
    pub fn next_op(&mut self) -> (u64, u64) {
        let taken = (self.seed, self.offset);
        self.offset = self.offset.wrapping_add(1);
        taken
    }

    pub fn get_state(&self) -> Vec<u8> {
        [self.seed.to_le_bytes(), self.offset.to_le_bytes()].concat()
    }

    /// Restores a state from [`get_state`](Self::get_state); its size is checked, as PyTorch's
    /// CUDA generator checks it.
    pub fn set_state(&mut self, state: &[u8]) -> Result<(), String> {
        if state.len() != PHILOX_STATE_SIZE {
            return Err("RNG state is wrong size".to_string());
        }
        let word = |at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&state[at..at + 8]);
            u64::from_le_bytes(bytes)
        };
        *self = PhiloxGenerator {
            seed: word(0),
            offset: word(8),
        };
        Ok(())
    }
}

/// The process-wide GPU generator (`torch.cuda.default_generators[0]`'s counterpart), created
/// on first use with a nondeterministic seed, as PyTorch seeds its device generators.
pub fn default_device_generator() -> &'static Mutex<PhiloxGenerator> {
    static DEFAULT: OnceLock<Mutex<PhiloxGenerator>> = OnceLock::new();
    DEFAULT.get_or_init(|| Mutex::new(PhiloxGenerator::new(super::nondeterministic_seed())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_op_takes_the_next_offset_under_the_same_key() {
        let mut g = PhiloxGenerator::new(42);
        assert_eq!(g.next_op(), (42, 0));
        assert_eq!(g.next_op(), (42, 1));
        g.manual_seed(7);
        assert_eq!((g.initial_seed(), g.next_op()), (7, (7, 0)));
    }

    #[test]
    fn state_round_trips_and_a_wrong_size_is_refused() {
        let mut g = PhiloxGenerator::new(u64::MAX - 3);
        g.next_op();
        let state = g.get_state();
        assert_eq!(state.len(), PHILOX_STATE_SIZE);
        let mut h = PhiloxGenerator::new(0);
        assert_eq!(h.set_state(&state), Ok(()));
        assert_eq!(h, g);
        assert_eq!(
            h.set_state(&state[..15]),
            Err("RNG state is wrong size".to_string())
        );
    }
}
