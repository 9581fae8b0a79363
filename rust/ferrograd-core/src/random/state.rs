//! `get_state`/`set_state`: the 5056-byte layout of `torch.get_rng_state()`.
//!
//! PyTorch serialises its CPU generator through a legacy C struct from the TH days, so the
//! bytes carry fields nothing uses any more. Layout (little endian, C alignment, padding zero):
//!
//! | offset | type      | field                                                  |
//! |-------:|-----------|--------------------------------------------------------|
//! |      0 | u64       | initial seed                                           |
//! |      8 | i32       | `left`                                                 |
//! |     12 | i32       | `seeded` (0/1)                                         |
//! |     16 | u64       | `next`                                                 |
//! |     24 | u64 x 624 | MT state, one 32-bit word widened to 64 bits per entry |
//! |   5016 | f64       | legacy `normal_x` (always 0)                           |
//! |   5024 | f64       | cached double normal sample (`normal_y`)               |
//! |   5032 | f64       | legacy `normal_rho` (always 0)                         |
//! |   5040 | i32       | cached double normal valid (0/1), then 4 bytes padding |
//! |   5048 | f32       | cached float normal sample                             |
//! |   5052 | bool      | cached float normal valid, then 3 bytes padding        |

use super::generator::Generator;
use super::mt19937::{Mt19937, STATE_N};

const OFF_LEFT: usize = 8;
const OFF_SEEDED: usize = 12;
const OFF_NEXT: usize = 16;
const OFF_STATE: usize = 24;
const OFF_NORMAL_Y: usize = OFF_STATE + 8 * STATE_N + 8;
const OFF_NORMAL_VALID: usize = OFF_NORMAL_Y + 16;
const OFF_FLOAT_NORMAL: usize = OFF_NORMAL_VALID + 8;
const OFF_FLOAT_VALID: usize = OFF_FLOAT_NORMAL + 4;

/// Size in bytes of `torch.get_rng_state()` for a CPU generator.
pub const STATE_SIZE: usize = OFF_FLOAT_VALID + 4;

/// Reads `N` bytes at `at`; callers only pass offsets inside a checked `STATE_SIZE` buffer, and
/// a short read yields zeros rather than a panic.
fn field<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = bytes.get(at..at + N) {
        out.copy_from_slice(src);
    }
    out
}

impl Generator {
    /// The state as PyTorch's `get_rng_state()` bytes.
    pub fn get_state(&self) -> Vec<u8> {
        let mut b = vec![0u8; STATE_SIZE];
        let e = &self.engine;
        b[0..8].copy_from_slice(&e.seed.to_le_bytes());
        b[OFF_LEFT..OFF_LEFT + 4].copy_from_slice(&e.left.to_le_bytes());
        b[OFF_SEEDED..OFF_SEEDED + 4].copy_from_slice(&(e.seeded as i32).to_le_bytes());
        b[OFF_NEXT..OFF_NEXT + 8].copy_from_slice(&(e.next as u64).to_le_bytes());
        for (i, w) in e.state.iter().enumerate() {
            let at = OFF_STATE + 8 * i;
            b[at..at + 8].copy_from_slice(&(*w as u64).to_le_bytes());
        }
        if let Some(y) = self.next_double_normal {
            b[OFF_NORMAL_Y..OFF_NORMAL_Y + 8].copy_from_slice(&y.to_le_bytes());
            b[OFF_NORMAL_VALID..OFF_NORMAL_VALID + 4].copy_from_slice(&1i32.to_le_bytes());
        }
        if let Some(f) = self.next_float_normal {
            b[OFF_FLOAT_NORMAL..OFF_FLOAT_NORMAL + 4].copy_from_slice(&f.to_le_bytes());
            b[OFF_FLOAT_VALID] = 1;
        }
        b
    }

    /// Loads PyTorch `get_rng_state()` bytes, with PyTorch's checks (size, then engine
    /// validity). On error the generator is left unchanged.
    pub fn set_state(&mut self, bytes: &[u8]) -> Result<(), String> {
        if bytes.len() != STATE_SIZE {
            return Err(format!(
                "Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input RNG state size to be {}",
                bytes.len()
            ));
        }
        let mut state = [0u32; STATE_N];
        for (i, w) in state.iter_mut().enumerate() {
            // PyTorch copies each 64-bit slot into a 32-bit word: the high half is dropped.
            *w = u64::from_le_bytes(field(bytes, OFF_STATE + 8 * i)) as u32;
        }
        let engine = Mt19937 {
            seed: u64::from_le_bytes(field(bytes, 0)),
            left: i32::from_le_bytes(field(bytes, OFF_LEFT)),
            seeded: i32::from_le_bytes(field(bytes, OFF_SEEDED)) != 0,
            next: u64::from_le_bytes(field(bytes, OFF_NEXT)) as u32,
            state,
        };
        if !engine.is_valid() {
            return Err("Invalid mt19937 state".to_string());
        }
        let double_valid = i32::from_le_bytes(field(bytes, OFF_NORMAL_VALID)) != 0;
        let float_valid = bytes[OFF_FLOAT_VALID] != 0;
        self.engine = engine;
        self.next_double_normal =
            double_valid.then(|| f64::from_le_bytes(field(bytes, OFF_NORMAL_Y)));
        self.next_float_normal =
            float_valid.then(|| f32::from_le_bytes(field(bytes, OFF_FLOAT_NORMAL)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_matches_pytorch() {
        assert_eq!(STATE_SIZE, 5056);
        assert_eq!(Generator::new(0).get_state().len(), 5056);
    }

    #[test]
    fn bytes_after_manual_seed_0_match_pytorch() {
        // torch.manual_seed(0); torch.get_rng_state()[:40] and [5010:]
        let s = Generator::new(0).get_state();
        let head = [
            0u8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(&s[..40], &head);
        // state[623] = 0x6b1a, then zeroed legacy fields and caches.
        assert_eq!(&s[5010..5016], &[0x1a, 0x6b, 0, 0, 0, 0]);
        assert!(s[5016..].iter().all(|&b| b == 0));
    }

    #[test]
    fn bytes_after_max_seed_match_pytorch() {
        // torch.manual_seed(2**64 - 1); torch.get_rng_state()[:40]
        let s = Generator::new(u64::MAX).get_state();
        let head = [
            0xffu8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x6d, 0xda, 0xe1, 0x4f, 0, 0, 0, 0,
        ];
        assert_eq!(&s[..40], &head);
    }

    #[test]
    fn round_trip_keeps_stream_and_caches() {
        let mut g = Generator::new(123);
        for _ in 0..700 {
            g.random_u32();
        }
        g.next_double_normal = Some(-0.25);
        g.next_float_normal = Some(0.75);
        let bytes = g.get_state();
        let mut h = Generator::new(9);
        h.set_state(&bytes).expect("valid state");
        assert_eq!(h.get_state(), bytes);
        assert_eq!(h.initial_seed(), 123);
        assert_eq!(h.next_double_normal, Some(-0.25));
        assert_eq!(h.next_float_normal, Some(0.75));
        for _ in 0..1000 {
            assert_eq!(g.random_u32(), h.random_u32());
        }
    }

    #[test]
    fn rejects_bad_states_without_changing_generator() {
        let mut g = Generator::new(5);
        let before = g.get_state();
        assert!(g.set_state(&before[..100]).is_err());
        let mut bad = before.clone();
        bad[OFF_LEFT..OFF_LEFT + 4].copy_from_slice(&0i32.to_le_bytes());
        assert_eq!(g.set_state(&bad), Err("Invalid mt19937 state".to_string()));
        let mut bad = before.clone();
        bad[OFF_SEEDED] = 0;
        assert!(g.set_state(&bad).is_err());
        let mut bad = before.clone();
        bad[OFF_NEXT..OFF_NEXT + 8].copy_from_slice(&625u64.to_le_bytes());
        assert!(g.set_state(&bad).is_err());
        assert_eq!(g.get_state(), before);
    }

    #[test]
    fn out_of_step_state_does_not_panic() {
        // left = 624 with next = 624 is accepted by PyTorch's check but would read past the
        // array in C++; we must simply keep going.
        let mut g = Generator::new(1);
        let mut s = g.get_state();
        s[OFF_LEFT..OFF_LEFT + 4].copy_from_slice(&624i32.to_le_bytes());
        s[OFF_NEXT..OFF_NEXT + 8].copy_from_slice(&624u64.to_le_bytes());
        g.set_state(&s).expect("accepted like PyTorch");
        for _ in 0..2000 {
            g.random_u32();
        }
    }
}
