//! Sampling into GPU tensors from the GPU's generator: each op reserves one offset of the
//! generator's stream and its kernel draws every element there (`wgpu/random.rs`), so nothing
//! is drawn on the host or uploaded.
//!
//! Arguments are checked by the CPU's samplers on no elements, so both devices raise the same
//! errors. Real-valued draws are computed in float32 (a float64 or half tensor receives them
//! cast), integer ones in 64 bits.

use super::random::{draw, Distribution};
use super::Tensor;
use crate::autograd::formulas::math::{add, div, mul};
use crate::device::Device;
use crate::device_scope::DeviceScope;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::op::BinaryOp;
use crate::random::{self, Generator, PhiloxGenerator};
use crate::tensor::Arg;
use crate::wgpu::random::{bernoulli_of, Draw};
use crate::with_dtype;

/// The most scores one race of `multinomial` with replacement computes (rows x samples x
/// categories); more samples take more races.
const RACE_SCORES: usize = 1 << 24;

/// The error the CPU's sampler raises for `dist` on `dtype`, if any.
fn check(dist: Distribution, dtype: DType) -> Result<()> {
    with_dtype!(dtype, T => draw::<T>(&mut Generator::new(0), &mut [], dist, true))
}

/// `dist` as the kernel draws it into a tensor of `dtype`.
fn device_draw(dist: Distribution, dtype: DType) -> Draw {
    match dist {
        Distribution::Uniform { from, to } => Draw::Uniform {
            from: from as f32,
            to: to as f32,
        },
        Distribution::Normal { mean, std } => Draw::Normal {
            mean: mean as f32,
            std: std as f32,
        },
        Distribution::IntegerRange { from, to } => Draw::Integers {
            from,
            range: (to as u64).wrapping_sub(from as u64),
        },
        Distribution::IntegerDefault => Draw::Integers {
            from: 0,
            range: random::default_range(dtype),
        },
        Distribution::Bernoulli { p } => Draw::bernoulli(p),
        Distribution::Exponential { lambd } => Draw::Exponential {
            lambd: lambd as f32,
        },
    }
}

/// A contiguous GPU tensor left uninitialised: every caller writes each element (a kernel, or
/// a copy into it) before handing it out, and zeroing it would cost a pass over its memory.
fn gpu_tensor(shape: &[usize], dtype: DType) -> Result<Tensor> {
    super::device_copy::check_gpu_dtype(dtype)?;
    let _on = DeviceScope::enter(Device::Wgpu(0));
    Tensor::uninit_dense(shape, &crate::shape::contiguous_strides(shape), dtype)
}

/// Writes the draws of `dist` at the generator's next offset into the GPU tensor `t`.
fn fill(t: &Tensor, g: &mut PhiloxGenerator, dist: Distribution) -> Result<()> {
    let what = device_draw(dist, t.dtype());
    let (seed, offset) = g.next_op();
    if crate::wgpu::random::draw(t, what, seed, offset)? {
        return Ok(());
    }
    // A dtype or view the kernel does not write: the same draws into a dense tensor it writes
    // (int64 holds every integral draw exactly), then cast into place.
    let via = if what.is_integral() {
        DType::I64
    } else {
        DType::F32
    };
    let dense = gpu_tensor(t.shape(), via)?;
    if !crate::wgpu::random::draw(&dense, what, seed, offset)? {
        return Err(too_large(t));
    }
    t.copy_(&dense)?;
    if let (Distribution::Uniform { from, to }, DType::F16 | DType::BF16) = (dist, t.dtype()) {
        // A float32 draw may round up to `to` in a half type; it becomes `from`, as on the CPU.
        let at_end = t.binary(BinaryOp::Eq, &Arg::Scalar(Scalar::Float(to)), None)?;
        t.masked_fill_(&at_end, Scalar::Float(from))?;
    }
    Ok(())
}

fn too_large(t: &Tensor) -> Error {
    Error::runtime(format!(
        "wgpu: cannot draw random numbers into a tensor of {} elements ({} bytes): larger than one GPU binding holds",
        t.numel(),
        t.storage().nbytes()
    ))
}

impl Tensor {
    /// `sample_` of a GPU tensor outside a graph.
    pub(super) fn sample_on_device_(
        &self,
        g: &mut PhiloxGenerator,
        dist: Distribution,
    ) -> Result<()> {
        check(dist, self.dtype())?;
        fill(self, g, dist)
    }

    /// A new GPU tensor of `shape` drawn from `dist`.
    pub(super) fn sampled_on_device(
        shape: &[usize],
        dtype: DType,
        g: &mut PhiloxGenerator,
        dist: Distribution,
    ) -> Result<Tensor> {
        check(dist, dtype)?;
        let t = gpu_tensor(shape, dtype)?;
        fill(&t, g, dist)?;
        Ok(t)
    }

    /// `bernoulli(self)` of GPU probabilities. They are checked as on the CPU, from their
    /// smallest and largest value (two numbers read back, where the CPU reads them all).
    pub(super) fn bernoulli_on_device(&self, g: &mut PhiloxGenerator) -> Result<Tensor> {
        if self.numel() > 0 {
            let (low, high) = self.extremes()?;
            if let Some(p) = [low, high].into_iter().find(|p| !(0.0..=1.0).contains(p)) {
                return Err(Error::runtime(format!("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.) {p}")));
            }
        }
        let out = gpu_tensor(self.shape(), self.dtype())?;
        let (seed, offset) = g.next_op();
        if bernoulli_of(&out, self, seed, offset)? {
            return Ok(out);
        }
        // Other dtypes: float32 probabilities, and the result cast back.
        let probs = self.to_dtype(DType::F32)?;
        let dense = gpu_tensor(self.shape(), DType::F32)?;
        if !bernoulli_of(&dense, &probs, seed, offset)? {
            return Err(too_large(self));
        }
        out.copy_(&dense)?;
        Ok(out)
    }

    /// `normal(mean, std)` with GPU tensors: standard normal draws of the broadcast shape,
    /// times `std` plus `mean`, rounded after each step as on the CPU. `std` is checked from
    /// its smallest value.
    pub(super) fn normal_on_device(
        mean: &Tensor,
        std: &Tensor,
        g: &mut PhiloxGenerator,
    ) -> Result<Tensor> {
        let _on = DeviceScope::of(&[mean, std])?;
        let dtype = crate::dtype::promote_types(mean.dtype(), std.dtype());
        if !dtype.is_floating_point() {
            return Err(Error::runtime(format!(
                "normal expects floating-point mean and std, got {dtype}"
            )));
        }
        let shape = crate::shape::broadcast_shapes(mean.shape(), std.shape())?;
        if std.numel() > 0 {
            let low = std.min_all()?.item()?.to_f64();
            if low < 0.0 {
                return Err(Error::runtime(format!(
                    "normal expects all elements of std >= 0.0, but found std {low}"
                )));
            }
        }
        let standard = Distribution::Normal {
            mean: 0.0,
            std: 1.0,
        };
        let z = Tensor::sampled_on_device(&shape, dtype, g, standard)?;
        add(&mul(&z, std)?, mean)
    }

    /// `multinomial` of GPU probabilities by the exponential race, as PyTorch's CUDA kernel
    /// samples: `q ~ Exp(1)` per category, and the category of the largest `p / q` wins, which
    /// is distributed as `p` normalised. `topk` of one race gives samples without replacement;
    /// with replacement each sample runs its own race. The probabilities are checked from their
    /// extremes and row maxima (three numbers read back, where the CPU reads them all).
    /// `rows` x `cols` are the probabilities' shape, already checked by the caller.
    pub(super) fn multinomial_on_device(
        &self,
        g: &mut PhiloxGenerator,
        (rows, cols): (usize, usize),
        num_samples: usize,
        replacement: bool,
    ) -> Result<Tensor> {
        let shape: Vec<i64> = self
            .multinomial_result_shape(num_samples)
            .iter()
            .map(|&d| d as i64)
            .collect();
        if rows == 0 {
            return gpu_tensor(&[0, num_samples], DType::I64)?.reshape(&shape);
        }
        let _on = DeviceScope::of(&[self])?;
        let probs = self
            .to_dtype(DType::F32)?
            .reshape(&[rows as i64, 1, cols as i64])?;
        let no_mass =
            || Error::runtime("invalid multinomial distribution (sum of probabilities <= 0)");
        if cols == 0 {
            return Err(no_mass());
        }
        let (low, high) = probs.extremes()?;
        if low.is_nan() || low < 0.0 || high == f64::INFINITY {
            return Err(Error::runtime(
                "probability tensor contains either `inf`, `nan` or element < 0",
            ));
        }
        if probs.amax(&[-1], false)?.min_all()?.item()?.to_f64() == 0.0 {
            return Err(no_mass());
        }
        // Scores p / q of `samples` races, shape (rows, samples, cols). A draw of q = 0 is
        // raised to the least normal float, so that p = 0 scores 0, never NaN.
        let least = Arg::Scalar(Scalar::Float(f64::from(f32::MIN_POSITIVE)));
        let mut race = |samples: usize| -> Result<Tensor> {
            let exp1 = Distribution::Exponential { lambd: 1.0 };
            let q = Tensor::sampled_on_device(&[rows, samples, cols], DType::F32, g, exp1)?;
            div(&probs, &q.clamp_min(&least, None)?)
        };
        let picked = if num_samples == 1 {
            race(1)?.argmax(Some(-1), false)?
        } else if !replacement {
            race(1)?
                .squeeze_dims(&[1])?
                .topk(num_samples as i64, -1, true, true)?
                .1
        } else {
            let per_race = (RACE_SCORES / (rows * cols)).max(1);
            let mut parts = Vec::new();
            let mut done = 0;
            while done < num_samples {
                let n = per_race.min(num_samples - done);
                parts.push(race(n)?.argmax(Some(-1), false)?);
                done += n;
            }
            Tensor::cat(&parts, 1)?
        };
        picked.reshape(&shape)
    }

    /// `randperm(n)` on the GPU: the order that sorts `n` random 31-bit keys (a stable sort, so
    /// the rare equal keys keep their index order).
    pub(super) fn randperm_on_device(
        n: usize,
        dtype: DType,
        g: &mut PhiloxGenerator,
    ) -> Result<Tensor> {
        let keys = Tensor::sampled_on_device(&[n], DType::I32, g, Distribution::IntegerDefault)?;
        keys.argsort(0, false)?.to_dtype(dtype)
    }
}
