//! Upsampling (`interpolate`): nearest, nearest-exact, (bi/tri)linear and bicubic, with
//! PyTorch's source-index formulas. Each mode is separable, so the op computes the taps of each
//! spatial axis and resamples axis by axis; its gradient op applies the adjoint taps, and that
//! op's gradient is the upsampling again (so double backward works). On the GPU each axis is
//! one kernel (`wgpu::resample`).

use std::sync::Arc;

use super::Tensor;
use crate::autograd::formulas::pool as formulas;
use crate::autograd::tracked;
use crate::cpu::upsample::{resample, resample_adjoint, Taps};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::not_implemented_msg;
use crate::wgpu::resample as gpu_resample;
use crate::with_dtype;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpsampleMode {
    Nearest,
    NearestExact,
    Linear,
    Cubic,
}

impl UpsampleMode {
    /// From `interpolate`'s `mode` (the linear family differs only in rank).
    pub fn parse(mode: &str) -> Option<UpsampleMode> {
        match mode {
            "nearest" => Some(UpsampleMode::Nearest),
            "nearest-exact" => Some(UpsampleMode::NearestExact),
            "linear" | "bilinear" | "trilinear" => Some(UpsampleMode::Linear),
            "bicubic" => Some(UpsampleMode::Cubic),
            _ => None,
        }
    }

    /// PyTorch's node names, e.g. `UpsampleBilinear2DBackward0` and its gradient's
    /// `UpsampleBilinear2DBackwardBackward0`.
    fn node_names(self, n: usize) -> (&'static str, &'static str) {
        use UpsampleMode::*;
        match (self, n) {
            (Nearest, 1) => (
                "UpsampleNearest1DBackward0",
                "UpsampleNearest1DBackwardBackward0",
            ),
            (Nearest, 2) => (
                "UpsampleNearest2DBackward0",
                "UpsampleNearest2DBackwardBackward0",
            ),
            (Nearest, _) => (
                "UpsampleNearest3DBackward0",
                "UpsampleNearest3DBackwardBackward0",
            ),
            (NearestExact, 1) => (
                "UpsampleNearestExact1DBackward0",
                "UpsampleNearestExact1DBackwardBackward0",
            ),
            (NearestExact, 2) => (
                "UpsampleNearestExact2DBackward0",
                "UpsampleNearestExact2DBackwardBackward0",
            ),
            (NearestExact, _) => (
                "UpsampleNearestExact3DBackward0",
                "UpsampleNearestExact3DBackwardBackward0",
            ),
            (Linear, 1) => (
                "UpsampleLinear1DBackward0",
                "UpsampleLinear1DBackwardBackward0",
            ),
            (Linear, 2) => (
                "UpsampleBilinear2DBackward0",
                "UpsampleBilinear2DBackwardBackward0",
            ),
            (Linear, _) => (
                "UpsampleTrilinear3DBackward0",
                "UpsampleTrilinear3DBackwardBackward0",
            ),
            (Cubic, _) => (
                "UpsampleBicubic2DBackward0",
                "UpsampleBicubic2DBackwardBackward0",
            ),
        }
    }
}

/// The taps of every spatial axis, and the node names of the op.
#[derive(Clone, Debug)]
pub struct Resampling {
    pub axes: Vec<Taps>,
    pub forward_name: &'static str,
    pub backward_name: &'static str,
}

/// Keys's cubic convolution with PyTorch's A = -0.75: the weight of a tap at distance `x`.
fn cubic_near(x: f64) -> f64 {
    const A: f64 = -0.75;
    ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
}

fn cubic_far(x: f64) -> f64 {
    const A: f64 = -0.75;
    ((A * x - 5.0 * A) * x + 8.0 * A) * x - 4.0 * A
}

/// The taps of one axis. Arithmetic is rounded to float32 for inputs below float64, as
/// PyTorch's kernels compute indices in the input's opmath type.
fn axis_taps(
    mode: UpsampleMode,
    input: usize,
    output: usize,
    align_corners: bool,
    scale: Option<f64>,
    single: bool,
) -> Taps {
    let r = |v: f64| if single { v as f32 as f64 } else { v };
    // `1 / scale_factor` when one was given, else the size ratio.
    let ratio = match scale {
        Some(s) if s > 0.0 => r(1.0 / r(s)),
        _ => r(input as f64 / output as f64),
    };
    let last = input as i64 - 1;
    let clamp = |i: i64| i.clamp(0, last) as usize;
    let (mut index, mut weight) = (Vec::new(), Vec::new());
    let per_output = match mode {
        UpsampleMode::Nearest | UpsampleMode::NearestExact => 1,
        UpsampleMode::Linear => 2,
        UpsampleMode::Cubic => 4,
    };
    let aligned = if output > 1 {
        r((input as f64 - 1.0) / (output as f64 - 1.0))
    } else {
        0.0
    };
    for o in 0..output {
        let dst = o as f64;
        match mode {
            // PyTorch's kernel takes the same-size and double-size cases exactly.
            UpsampleMode::Nearest if output == input => {
                index.push(o);
                weight.push(1.0);
            }
            UpsampleMode::Nearest if output == 2 * input => {
                index.push(o / 2);
                weight.push(1.0);
            }
            UpsampleMode::Nearest => {
                index.push(clamp(r(dst * ratio).floor() as i64));
                weight.push(1.0);
            }
            UpsampleMode::NearestExact => {
                index.push(clamp(r(r(dst + 0.5) * ratio).floor() as i64));
                weight.push(1.0);
            }
            UpsampleMode::Linear | UpsampleMode::Cubic => {
                let cubic = mode == UpsampleMode::Cubic;
                let src = if align_corners {
                    r(aligned * dst)
                } else {
                    let s = r(r(ratio * r(dst + 0.5)) - 0.5);
                    if cubic {
                        s
                    } else {
                        s.max(0.0)
                    }
                };
                let i0 = src.floor() as i64;
                let t = r(src - i0 as f64);
                if cubic {
                    let w = [
                        cubic_far(t + 1.0),
                        cubic_near(t),
                        cubic_near(1.0 - t),
                        cubic_far(2.0 - t),
                    ];
                    for (k, wk) in w.iter().enumerate() {
                        index.push(clamp(i0 - 1 + k as i64));
                        weight.push(*wk);
                    }
                } else {
                    let i1 = if i0 < last { i0 + 1 } else { i0 };
                    index.extend([clamp(i0), clamp(i1)]);
                    weight.extend([r(1.0 - t), t]);
                }
            }
        }
    }
    Taps {
        input_size: input,
        per_output,
        index,
        weight,
    }
}

fn fmt_sizes(letters: &[&str], sizes: &[i64]) -> String {
    let parts: Vec<String> = letters
        .iter()
        .zip(sizes)
        .map(|(l, s)| format!("{l}: {s}"))
        .collect();
    parts.join(", ")
}

impl Tensor {
    /// `upsample_*`: the input's last `output_size.len()` dims resampled to `output_size`.
    /// `mode` is `interpolate`'s; `scales` are the user's scale factors (used for the source
    /// index when given).
    pub fn upsample(
        &self,
        mode: &str,
        output_size: &[i64],
        align_corners: bool,
        scales: Option<&[f64]>,
    ) -> Result<Tensor> {
        let Some(mode) = UpsampleMode::parse(mode) else {
            return Err(Error::value(format!("upsample: unknown mode '{mode}'")));
        };
        let n = output_size.len();
        if self.ndim() != n + 2 {
            return Err(Error::runtime(format!(
                "Expected a {}D input for a {n}-d upsampling, but got {}D",
                n + 2,
                self.ndim()
            )));
        }
        let spatial: Vec<i64> = self.shape()[2..].iter().map(|&s| s as i64).collect();
        if spatial.iter().chain(output_size).any(|&s| s <= 0) {
            let letters: &[&str] = match n {
                1 => &["W"],
                2 => &["H", "W"],
                _ => &["D", "H", "W"],
            };
            return Err(Error::runtime(format!(
                "Input and output sizes should be greater than 0, but got input ({}) output ({})",
                fmt_sizes(letters, &spatial),
                fmt_sizes(letters, output_size)
            )));
        }
        if !self.dtype().is_floating_point() {
            let name = match mode {
                UpsampleMode::Nearest => "upsample_nearest",
                UpsampleMode::NearestExact => "_upsample_nearest_exact",
                UpsampleMode::Linear if n == 2 => "upsample_bilinear",
                UpsampleMode::Linear if n == 3 => "upsample_trilinear",
                UpsampleMode::Linear => "upsample_linear",
                UpsampleMode::Cubic => "upsample_bicubic",
            };
            let suffix = if n == 2 { "_channels_last" } else { "" };
            return Err(not_implemented_msg(format!(
                "\"{name}{n}d{suffix}\" not implemented for '{}'",
                self.dtype().scalar_type_name()
            )));
        }
        let single = self.dtype() != DType::F64;
        let axes = (0..n)
            .map(|d| {
                let scale = scales.and_then(|s| s.get(d).copied());
                axis_taps(
                    mode,
                    spatial[d] as usize,
                    output_size[d] as usize,
                    align_corners,
                    scale,
                    single,
                )
            })
            .collect();
        let (forward_name, backward_name) = mode.node_names(n);
        let plan = Arc::new(Resampling {
            axes,
            forward_name,
            backward_name,
        });
        self.resample_with(plan)
    }

    /// Applies the taps of `plan` axis by axis, recorded under its forward name.
    pub(crate) fn resample_with(&self, plan: Arc<Resampling>) -> Result<Tensor> {
        tracked(
            &[self],
            || self.apply_taps(&plan, false),
            |_| Ok(formulas::resample_back(plan.clone())),
        )
    }

    /// The gradient of [`Tensor::resample_with`] (`self` is the output's gradient).
    pub(crate) fn resample_adjoint_with(&self, plan: Arc<Resampling>) -> Result<Tensor> {
        tracked(
            &[self],
            || self.apply_taps(&plan, true),
            |_| Ok(formulas::resample_adjoint_back(plan.clone())),
        )
    }

    fn apply_taps(&self, plan: &Resampling, adjoint: bool) -> Result<Tensor> {
        if self.device().is_wgpu() {
            if let Some(out) = self.apply_taps_on_gpu(plan, adjoint)? {
                return Ok(out);
            }
        }
        let n = plan.axes.len();
        let mut shape = self.shape().to_vec();
        let mut values = super::materialize::<f64>(self)?;
        for (d, taps) in plan.axes.iter().enumerate() {
            let axis = shape.len() - n + d;
            let outer: usize = shape[..axis].iter().product();
            let inner: usize = shape[axis + 1..].iter().product();
            if adjoint {
                values = resample_adjoint(&values, outer, inner, taps);
                shape[axis] = taps.input_size;
            } else {
                values = resample(&values, outer, inner, taps);
                shape[axis] = taps.output_size();
            }
        }
        with_dtype!(self.dtype(), T => {
            let cast: Vec<T> = values.into_iter().map(<T as crate::dtype::Element>::from_f64).collect();
            Tensor::from_vec(cast, &shape)
        })
    }
}

impl Tensor {
    /// [`Tensor::apply_taps`] on the GPU, one kernel per axis; None when it declines there.
    fn apply_taps_on_gpu(&self, plan: &Resampling, adjoint: bool) -> Result<Option<Tensor>> {
        let first_axis = self.ndim() - plan.axes.len();
        let mut out = self.clone();
        for (d, taps) in plan.axes.iter().enumerate() {
            match gpu_resample::resample_axis(&out, first_axis + d, taps, adjoint)? {
                Some(next) => out = next,
                None => return Ok(None),
            }
        }
        Ok(Some(out))
    }
}
