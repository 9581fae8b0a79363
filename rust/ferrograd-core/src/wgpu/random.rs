//! Random draws made on the GPU: `rand`, `randn`, `randint`, the in-place samplers and the
//! dropout masks, as map kernels (`map.rs`) whose elements compute their own Philox draws
//! (`shaders/philox.wgsl`; the generator's state is `random/philox.rs`).
//!
//! Element i of the output, counted row-major, takes the draws of index i, so a view receives
//! the same numbers as a fresh tensor of its shape.

use super::map::{self, Input, Map, View};
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

/// What each element is drawn from, in the form the kernel computes with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Draw {
    Uniform {
        from: f32,
        to: f32,
    },
    Normal {
        mean: f32,
        std: f32,
    },
    Exponential {
        lambd: f32,
    },
    /// 1 with probability `threshold` / 2^24.
    Bernoulli {
        threshold: u32,
    },
    /// `from` plus a draw modulo `range` (an unsigned count, so that 2^63 fits).
    Integers {
        from: i64,
        range: u64,
    },
}

impl Draw {
    /// The success threshold of probability `p` in [0, 1], for 24-bit uniforms: a draw `k` of
    /// 2^24 succeeds when `k < ceil(p 2^24)`.
    pub fn bernoulli(p: f64) -> Draw {
        Draw::Bernoulli {
            threshold: (p * 16_777_216.0).ceil() as u32,
        }
    }

    /// Whether the draws are integers (exact in an integer tensor of any width), rather than
    /// real numbers (computed in float32).
    pub fn is_integral(self) -> bool {
        matches!(self, Draw::Bernoulli { .. } | Draw::Integers { .. })
    }

    /// The WGSL value of element `i` stored in a tensor of `dtype`, with the parameters that
    /// follow the generator's four words in `extra`; None for a dtype the kernel does not write.
    fn expr(self, dtype: DType) -> Option<(String, Vec<u32>)> {
        let float = |v: f32| v.to_bits();
        let wide = |v: u64| [v as u32, (v >> 32) as u32];
        let (value, params): (&str, Vec<u32>) = match self {
            Draw::Uniform { from, to } => (
                "random_uniform(i, bitcast<f32>(extra(4u)), bitcast<f32>(extra(5u)))",
                vec![float(from), float(to)],
            ),
            Draw::Normal { mean, std } => (
                "bitcast<f32>(extra(4u)) + bitcast<f32>(extra(5u)) * random_normal(i)",
                vec![float(mean), float(std)],
            ),
            Draw::Exponential { lambd } => (
                "random_exponential(i, bitcast<f32>(extra(4u)))",
                vec![float(lambd)],
            ),
            Draw::Bernoulli { threshold } => (
                "vec2<u32>(select(0u, 1u, random_success(i, extra(4u))), 0u)",
                vec![threshold],
            ),
            Draw::Integers { from, range } => (
                "random_integer(i, vec2<u32>(extra(4u), extra(5u)), vec2<u32>(extra(6u), extra(7u)))",
                [wide(from as u64), wide(range)].concat(),
            ),
        };
        // Integral draws are 64-bit values; real ones are float32.
        let stored = match (dtype, self.is_integral()) {
            (DType::F32, false) => value.to_string(),
            (DType::F32, true) => format!("i64_to_f32({value})"),
            (DType::I32, true) => format!("bitcast<i32>(({value}).x)"),
            (DType::I64, true) => value.to_string(),
            (DType::Bool | DType::U8 | DType::I8, true) => format!("({value}).x & 0xffu"),
            _ => return None,
        };
        Some((stored, params))
    }
}

/// The words every sampling kernel starts its extra words with.
fn generator_words(seed: u64, offset: u64) -> [u32; 4] {
    [
        seed as u32,
        (seed >> 32) as u32,
        offset as u32,
        (offset >> 32) as u32,
    ]
}

/// Fills `dst` (on the GPU, any layout) with draws of the op at `offset` of the stream of
/// `seed`. False (nothing written) when the kernel does not write its dtype or layout.
pub fn draw(dst: &Tensor, what: Draw, seed: u64, offset: u64) -> Result<bool> {
    let (Some((expr, params)), Some(out)) = (what.expr(dst.dtype()), View::computed(dst.dtype()))
    else {
        return Ok(false);
    };
    // A one-byte output is counted in memory order (`map.rs`), which is row-major only when it
    // is contiguous.
    if matches!(out, View::Packed { .. }) && !dst.is_contiguous() {
        return Ok(false);
    }
    let extra = [&generator_words(seed, offset)[..], &params].concat();
    map::run(&Map {
        name: "random",
        target: dst,
        out,
        inputs: &[],
        expr: &expr,
        extra: &extra,
    })
}

/// `bernoulli(probs)` into the float32 `dst` of its shape: 1 where a 24-bit uniform falls
/// below the element's probability (the probabilities were checked to lie in [0, 1]).
pub fn bernoulli_of(dst: &Tensor, probs: &Tensor, seed: u64, offset: u64) -> Result<bool> {
    if dst.dtype() != DType::F32 || probs.dtype() != DType::F32 {
        return Ok(false);
    }
    map::run(&Map {
        name: "bernoulli",
        target: dst,
        out: View::Typed("f32"),
        inputs: &[Input::new(probs, View::Typed("f32"))],
        expr: "select(0.0, 1.0, unit_closed_open(random_word(i)) < x)",
        extra: &generator_words(seed, offset),
    })
}
