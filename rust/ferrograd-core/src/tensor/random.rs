//! Filling tensors with random values from a [`Generator`]: the core of `rand`, `randn`,
//! `randint`, `uniform_`, `normal_`, `random_`, `bernoulli_`, `exponential_`, `multinomial`.
//!
//! On the CPU, values are drawn in row-major order into a contiguous buffer and then written
//! into the tensor's layout, so a fresh tensor consumes the generator exactly as PyTorch does.
//! GPU tensors draw on the GPU from the GPU's own generator (`random_device.rs`).

use super::{materialize, Tensor};
use crate::autograd::formulas::copy::zero_derivative;
use crate::autograd::{needs_grad, tracked, tracked_in_place};
use crate::dtype::{DType, Element};
use crate::error::{Error, ErrorKind, Result};
use crate::random::{self, Generator, PhiloxGenerator};
use crate::with_dtype;

/// A distribution to sample every element from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Distribution {
    Uniform {
        from: f64,
        to: f64,
    },
    Normal {
        mean: f64,
        std: f64,
    },
    /// Integers in `[from, to)`.
    IntegerRange {
        from: i64,
        to: i64,
    },
    /// `random_()` with no bounds: PyTorch's per-dtype default range.
    IntegerDefault,
    Bernoulli {
        p: f64,
    },
    Exponential {
        lambd: f64,
    },
}

impl Distribution {
    /// The node PyTorch records for the in-place sampler on a tensor that is part of a graph.
    fn node_name(self) -> &'static str {
        match self {
            Distribution::Uniform { .. } => "UniformBackward0",
            Distribution::Normal { .. } => "NormalBackward0",
            Distribution::IntegerRange { .. } => "RandomBackward0",
            Distribution::IntegerDefault => "RandomBackward2",
            Distribution::Bernoulli { .. } => "BernoulliBackward2",
            Distribution::Exponential { .. } => "ExponentialBackward0",
        }
    }
}

/// The generator a sampling op draws from: the CPU's for CPU tensors, the GPU's for GPU ones
/// (a PyTorch generator belongs to one device too).
pub enum Draws<'a> {
    Cpu(&'a mut Generator),
    Wgpu(&'a mut PhiloxGenerator),
}

pub(super) fn draw<T: Element>(
    g: &mut Generator,
    out: &mut [T],
    dist: Distribution,
    contiguous: bool,
) -> Result<()> {
    let r = match dist {
        Distribution::Uniform { from, to } => random::uniform(g, out, from, to),
        // PyTorch's vectorised normal path applies to contiguous tensors only.
        Distribution::Normal { mean, std } if contiguous => random::normal(g, out, mean, std),
        Distribution::Normal { mean, std } => random::normal_serial(g, out, mean, std),
        Distribution::IntegerRange { from, to } => random::random_from_to(g, out, from, to),
        Distribution::IntegerDefault => random::random_default(g, out),
        Distribution::Bernoulli { p } => random::bernoulli_scalar(g, out, p),
        Distribution::Exponential { lambd } => random::exponential(g, out, lambd),
    };
    // A sampler without a kernel for this dtype is PyTorch's NotImplementedError.
    r.map_err(|msg| {
        let kind = if msg.contains("not implemented for") {
            ErrorKind::NotImplemented
        } else {
            ErrorKind::Runtime
        };
        Error::Other { kind, msg }
    })
}

/// A fresh row-major tensor of draws, consuming the generator as PyTorch does for a tensor of
/// that contiguity.
fn draw_tensor(
    shape: &[usize],
    dtype: DType,
    g: &mut Generator,
    dist: Distribution,
    contiguous: bool,
) -> Result<Tensor> {
    with_dtype!(dtype, T => {
        let mut buf = vec![T::default(); crate::shape::numel(shape)];
        draw::<T>(g, &mut buf, dist, contiguous)?;
        Tensor::from_vec(buf, shape)
    })
}

impl Tensor {
    /// Overwrites every element with a draw from `dist` (the `*_` in-place samplers).
    /// On a tensor that is part of a graph the write is recorded: every value is replaced by
    /// a draw, so the old values get a zero gradient (`UniformBackward0`, ...).
    pub fn sample_(&self, draws: Draws<'_>, dist: Distribution) -> Result<()> {
        self.check_no_internal_overlap("random")?;
        let g = match draws {
            Draws::Cpu(g) => g,
            Draws::Wgpu(g) if !needs_grad(&[self]) => return self.sample_on_device_(g, dist),
            Draws::Wgpu(g) => {
                let draw = || Tensor::sampled_on_device(self.shape(), self.dtype(), g, dist);
                return self.record_sample_(dist, draw);
            }
        };
        let mut draw = || draw_tensor(self.shape(), self.dtype(), g, dist, self.is_contiguous());
        if !needs_grad(&[self]) {
            return self.copy_(&draw()?);
        }
        self.record_sample_(dist, draw)
    }

    /// Overwrites a tensor that is part of a graph with `draw()`, recording the write.
    fn record_sample_(
        &self,
        dist: Distribution,
        draw: impl FnOnce() -> Result<Tensor>,
    ) -> Result<()> {
        tracked_in_place(self, |old| {
            tracked(&[old], draw, |_| Ok(zero_derivative(dist.node_name())))
        })?;
        Ok(())
    }

    /// A new tensor of `shape` sampled from `dist` (`rand`, `randn`, `randint`, ...), on the
    /// device of the generator.
    pub fn sampled(
        shape: &[usize],
        dtype: DType,
        draws: Draws<'_>,
        dist: Distribution,
    ) -> Result<Tensor> {
        match draws {
            Draws::Cpu(g) => draw_tensor(shape, dtype, g, dist, true),
            Draws::Wgpu(g) => Tensor::sampled_on_device(shape, dtype, g, dist),
        }
    }

    /// `bernoulli(self)`: each element is 1 with the probability held by `self`.
    /// The probabilities get a zero gradient (`BernoulliBackward0`).
    pub fn bernoulli(&self, draws: Draws<'_>) -> Result<Tensor> {
        tracked(
            &[self],
            || match draws {
                Draws::Cpu(g) => self.bernoulli_untracked(g),
                Draws::Wgpu(g) => self.bernoulli_on_device(g),
            },
            |_| Ok(zero_derivative("BernoulliBackward0")),
        )
    }

    fn bernoulli_untracked(&self, g: &mut Generator) -> Result<Tensor> {
        let probs = materialize::<f64>(self)?;
        if let Some(p) = probs.iter().find(|p| !(0.0..=1.0).contains(*p)) {
            return Err(Error::runtime(format!("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.) {p}")));
        }
        // PyTorch picks the algorithm by the probabilities' dtype (53 random bits for float64,
        // 24 for the others), so they are passed in their own type.
        with_dtype!(self.dtype(), P => {
            let probs = materialize::<P>(self)?;
            let mut out = vec![P::default(); self.numel()];
            random::bernoulli_probs(g, &mut out, &probs).map_err(Error::runtime)?;
            Tensor::from_vec(out, self.shape())
        })
    }

    /// `multinomial(self, num_samples, replacement)` over the last dim (1-D or 2-D `self`),
    /// on the generator's device.
    pub fn multinomial(
        &self,
        draws: Draws<'_>,
        num_samples: usize,
        replacement: bool,
    ) -> Result<Tensor> {
        let (rows, cols) = self.multinomial_shape(num_samples, replacement)?;
        let g = match draws {
            Draws::Cpu(g) => g,
            Draws::Wgpu(g) => {
                return self.multinomial_on_device(g, (rows, cols), num_samples, replacement)
            }
        };
        let samples = with_dtype!(self.dtype(), P => {
            let probs = materialize::<P>(self)?;
            random::multinomial(g, &probs, rows, cols, num_samples, replacement).map_err(Error::runtime)?
        });
        Tensor::from_vec(samples, &self.multinomial_result_shape(num_samples))
    }

    /// The (rows, categories) of `multinomial`'s probabilities, after PyTorch's argument checks.
    fn multinomial_shape(&self, num_samples: usize, replacement: bool) -> Result<(usize, usize)> {
        let (rows, cols) = match self.shape() {
            [c] => (1, *c),
            [r, c] => (*r, *c),
            _ => return Err(Error::runtime("prob_dist must be 1 or 2 dim")),
        };
        if !self.dtype().is_floating_point() {
            return Err(Error::runtime(format!(
                "multinomial only supports floating-point dtypes for input, got: {}",
                self.dtype().legacy_type_name().trim_end_matches("Tensor")
            )));
        }
        if num_samples == 0 {
            return Err(Error::runtime("cannot sample n_sample <= 0 samples"));
        }
        if !replacement && num_samples > cols {
            return Err(Error::runtime(
                "cannot sample n_sample > prob_dist.size(-1) samples without replacement",
            ));
        }
        if cols > 1 << 24 {
            return Err(Error::runtime("number of categories cannot exceed 2^24"));
        }
        Ok((rows, cols))
    }

    /// `[num_samples]` for one distribution, `[rows, num_samples]` for a batch of them.
    pub(super) fn multinomial_result_shape(&self, num_samples: usize) -> Vec<usize> {
        match self.shape() {
            [_] => vec![num_samples],
            shape => vec![shape[0], num_samples],
        }
    }

    /// `normal(mean, std)` with tensor arguments: `z * std + mean` for standard normal draws
    /// `z` of the broadcast shape, rounding after each step in the result dtype as PyTorch's
    /// `normal_(0, 1).mul_(std).add_(mean)` does.
    /// The draws do not change with `mean` and `std` in the sense autograd can see: both get
    /// a zero gradient (`NormalBackward3`).
    pub fn normal_from(mean: &Tensor, std: &Tensor, draws: Draws<'_>) -> Result<Tensor> {
        tracked(
            &[mean, std],
            || match draws {
                Draws::Cpu(g) => Tensor::normal_untracked(mean, std, g),
                Draws::Wgpu(g) => Tensor::normal_on_device(mean, std, g),
            },
            |_| Ok(zero_derivative("NormalBackward3")),
        )
    }

    fn normal_untracked(mean: &Tensor, std: &Tensor, g: &mut Generator) -> Result<Tensor> {
        let dtype = crate::dtype::promote_types(mean.dtype(), std.dtype());
        if !dtype.is_floating_point() {
            return Err(Error::runtime(format!(
                "normal expects floating-point mean and std, got {dtype}"
            )));
        }
        let shape = crate::shape::broadcast_shapes(mean.shape(), std.shape())?;
        let target: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        let stds = materialize::<f64>(&std.expand(&target)?)?;
        if let Some(s) = stds.iter().find(|s| **s < 0.0) {
            return Err(Error::runtime(format!(
                "normal expects all elements of std >= 0.0, but found std {s}"
            )));
        }
        let means = materialize::<f64>(&mean.expand(&target)?)?;
        let z = draw_tensor(
            &shape,
            dtype,
            g,
            Distribution::Normal {
                mean: 0.0,
                std: 1.0,
            },
            true,
        )?;
        with_dtype!(dtype, T => {
            let z = materialize::<T>(&z)?;
            let out: Vec<T> = z
                .iter()
                .zip(stds.iter().zip(&means))
                .map(|(&z, (&s, &m))| T::from_f64(T::from_f64(z.to_f64() * s).to_f64() + m))
                .collect();
            Tensor::from_vec(out, &shape)
        })
    }

    /// `randperm(n)`: a random permutation of `0..n`, on the generator's device.
    pub fn randperm(n: usize, dtype: DType, draws: Draws<'_>) -> Result<Tensor> {
        let g = match draws {
            Draws::Cpu(g) => g,
            Draws::Wgpu(g) => return Tensor::randperm_on_device(n, dtype, g),
        };
        let perm = random::randperm(g, n).map_err(Error::runtime)?;
        Tensor::from_vec(perm, &[n])?.to_dtype(dtype)
    }
}
