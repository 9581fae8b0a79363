//! `Generator`: PyTorch's CPU generator (an MT19937 engine plus the cached Box-Muller samples).

use super::flavor::KernelFlavor;
use super::mt19937::Mt19937;

/// The seed of a freshly constructed `torch.Generator()` (PyTorch's `default_rng_seed_val`).
pub const DEFAULT_RNG_SEED: u64 = 67_280_421_310_721;

/// A CPU random generator that reproduces `torch.Generator(device="cpu")` bit for bit.
///
/// Besides the engine, PyTorch keeps the second sample of the last Box-Muller pair in a cache
/// (one for `double`, one for `float`); the serial normal sampler consumes it before drawing new
/// bits, so it is part of the observable state and of `get_state()`.
#[derive(Clone, Debug)]
pub struct Generator {
    pub(crate) engine: Mt19937,
    pub(crate) next_double_normal: Option<f64>,
    /// No CPU kernel of current PyTorch fills this cache, but it is part of the state bytes, so
    /// it is kept to make `set_state`/`get_state` round-trip.
    pub(crate) next_float_normal: Option<f32>,
    flavor: KernelFlavor,
}

impl Default for Generator {
    /// Like `torch.Generator()`: seeded with [`DEFAULT_RNG_SEED`].
    fn default() -> Self {
        Generator::new(DEFAULT_RNG_SEED)
    }
}

impl Generator {
    /// A generator seeded like `torch.Generator().manual_seed(seed)`, imitating the arithmetic
    /// of the PyTorch build this machine would run ([`KernelFlavor::host`]).
    pub fn new(seed: u64) -> Self {
        Generator::with_flavor(seed, KernelFlavor::host())
    }

    /// A generator imitating a specific PyTorch build's arithmetic (see [`KernelFlavor`]).
    pub fn with_flavor(seed: u64, flavor: KernelFlavor) -> Self {
        Generator {
            engine: Mt19937::new(seed),
            next_double_normal: None,
            next_float_normal: None,
            flavor,
        }
    }

    /// `manual_seed`: restarts the engine and, like PyTorch, forgets both cached normals.
    pub fn manual_seed(&mut self, seed: u64) {
        self.next_double_normal = None;
        self.next_float_normal = None;
        self.engine = Mt19937::new(seed);
    }

    /// `Generator.seed()` / `torch.seed()`: reseeds from a nondeterministic source and returns
    /// the seed used.
    pub fn seed(&mut self) -> u64 {
        let s = super::nondeterministic_seed();
        self.manual_seed(s);
        s
    }

    /// `initial_seed()`: the 64-bit seed last given (the whole value, not just the 32 bits the
    /// engine uses).
    pub fn initial_seed(&self) -> u64 {
        self.engine.seed
    }

    /// PyTorch's `random()`: one 32-bit engine output.
    pub fn random_u32(&mut self) -> u32 {
        self.engine.next_u32()
    }

    /// PyTorch's `random64()`: two outputs, the first one in the high half.
    pub fn random_u64(&mut self) -> u64 {
        let hi = self.engine.next_u32();
        let lo = self.engine.next_u32();
        ((hi as u64) << 32) | lo as u64
    }

    /// The arithmetic flavour the samplers use with this generator.
    pub fn flavor(&self) -> KernelFlavor {
        self.flavor
    }

    /// Switches the arithmetic flavour; the random stream itself is unaffected.
    pub fn set_flavor(&mut self, flavor: KernelFlavor) {
        self.flavor = flavor;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_seed_restarts_stream_and_clears_caches() {
        let mut g = Generator::new(0);
        let first: Vec<u32> = (0..5).map(|_| g.random_u32()).collect();
        g.next_double_normal = Some(1.5);
        g.next_float_normal = Some(2.5);
        g.manual_seed(0);
        assert_eq!(g.next_double_normal, None);
        assert_eq!(g.next_float_normal, None);
        let again: Vec<u32> = (0..5).map(|_| g.random_u32()).collect();
        assert_eq!(first, again);
    }

    #[test]
    fn random64_puts_first_draw_high() {
        let mut a = Generator::new(3);
        let mut b = Generator::new(3);
        let hi = a.random_u32() as u64;
        let lo = a.random_u32() as u64;
        assert_eq!(b.random_u64(), (hi << 32) | lo);
    }

    #[test]
    fn default_generator_seed_is_pytorchs() {
        assert_eq!(Generator::default().initial_seed(), 67280421310721);
    }
}
