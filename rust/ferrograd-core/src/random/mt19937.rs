//! The 32-bit Mersenne Twister, stepped exactly like PyTorch's `at::mt19937` engine.
//!
//! PyTorch keeps its own MT19937 (Cokus/Bellew variant of the 2002 reference code) rather than
//! `std::mt19937`; the sequence is the standard one, but the bookkeeping (`left`, `next`) is
//! PyTorch's, and that bookkeeping is visible in `torch.get_rng_state()`, so we mirror it.

/// Number of 32-bit words of state.
pub(crate) const STATE_N: usize = 624;
/// The twist offset of the recurrence.
const STATE_M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// The engine's plain data, field for field what PyTorch serialises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mt19937 {
    /// The full 64-bit seed as given; only its low 32 bits feed the state.
    pub(crate) seed: u64,
    /// Draws left before the next regeneration, counted PyTorch's way (1 right after seeding).
    pub(crate) left: i32,
    pub(crate) seeded: bool,
    /// Index of the next state word to temper.
    pub(crate) next: u32,
    pub(crate) state: [u32; STATE_N],
}

impl Mt19937 {
    /// Knuth's initialisation from a 32-bit seed (`init_genrand`), applied to `seed & 0xffffffff`.
    pub(crate) fn new(seed: u64) -> Self {
        let mut state = [0u32; STATE_N];
        state[0] = seed as u32;
        for j in 1..STATE_N {
            let prev = state[j - 1];
            state[j] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(j as u32);
        }
        // `left = 1` makes the very first draw regenerate the whole block, as in PyTorch.
        Mt19937 {
            seed,
            left: 1,
            seeded: true,
            next: 0,
            state,
        }
    }

    /// The same validity test PyTorch applies to a state loaded with `set_rng_state`.
    pub(crate) fn is_valid(&self) -> bool {
        self.seeded
            && self.left > 0
            && self.left as usize <= STATE_N
            && self.next as usize <= STATE_N
    }

    /// One tempered 32-bit output.
    pub(crate) fn next_u32(&mut self) -> u32 {
        self.left = self.left.wrapping_sub(1);
        // PyTorch regenerates when `left` hits exactly zero; `<=` only differs for states that
        // `is_valid` rejects, and keeps us from ever running past the block.
        if self.left <= 0 {
            self.regenerate();
        }
        // A valid state always has `next < 624` here; the modulo only keeps a hand-crafted
        // state (left and next out of step) from indexing out of bounds, where C++ would read
        // past the array.
        let mut y = self.state[self.next as usize % STATE_N];
        self.next = self.next.wrapping_add(1);
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// Recomputes all 624 words in place (the "twist"), in the reference order.
    fn regenerate(&mut self) {
        fn twist(u: u32, v: u32) -> u32 {
            let mixed = (u & UPPER_MASK) | (v & LOWER_MASK);
            (mixed >> 1) ^ if v & 1 != 0 { MATRIX_A } else { 0 }
        }
        let s = &mut self.state;
        for k in 0..STATE_N - STATE_M {
            s[k] = s[k + STATE_M] ^ twist(s[k], s[k + 1]);
        }
        for k in STATE_N - STATE_M..STATE_N - 1 {
            s[k] = s[k + STATE_M - STATE_N] ^ twist(s[k], s[k + 1]);
        }
        s[STATE_N - 1] = s[STATE_M - 1] ^ twist(s[STATE_N - 1], s[0]);
        self.left = STATE_N as i32;
        self.next = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_reference_mt19937_outputs() {
        // The reference generator seeded with 5489 yields 3499211612 first and 4123659995 as
        // its 10000th output (the value the C++ standard pins for std::mt19937).
        let mut e = Mt19937::new(5489);
        assert_eq!(e.next_u32(), 3_499_211_612);
        for _ in 1..9999 {
            e.next_u32();
        }
        assert_eq!(e.next_u32(), 4_123_659_995);
    }

    #[test]
    fn only_low_32_bits_of_the_seed_matter_for_the_stream() {
        let mut a = Mt19937::new(7);
        let mut b = Mt19937::new(7 | (1 << 40));
        assert_eq!(a.next_u32(), b.next_u32());
        assert_ne!(a.seed, b.seed);
    }
}
