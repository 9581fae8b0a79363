//! Resampling along one axis on the GPU (`shaders/resample.wgsl`): `interpolate`'s nearest,
//! linear and cubic taps (computed on the host, as for the CPU) and their adjoint, the
//! gradient, as lists of (source, weight) entries per output position. Float32 is summed in
//! float32 axis by axis, where the CPU carries float64 through all axes and rounds once.

use super::bindings::{dense_operand, input_buffer, output_buffer};
use super::kernel::{dispatch, per_thread_source};
use crate::cpu::upsample::Taps;
use crate::device_scope::DeviceScope;
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::contiguous_strides;
use crate::tensor::Tensor;

const RESAMPLE: &str = include_str!("shaders/resample.wgsl");

/// Each output position's entries: `starts[j]..starts[j + 1]` of `sources` and `weights`.
struct Entries {
    starts: Vec<i32>,
    sources: Vec<i32>,
    weights: Vec<f32>,
}

/// The taps as entries: output position o reads its `per_output` taps.
fn forward_entries(taps: &Taps) -> Entries {
    let per = taps.per_output;
    Entries {
        starts: (0..=taps.output_size()).map(|o| (o * per) as i32).collect(),
        sources: taps.index.iter().map(|&i| i as i32).collect(),
        weights: taps.weight.iter().map(|&w| w as f32).collect(),
    }
}

/// The adjoint's entries: input position i gathers every (output, weight) whose tap names it,
/// in the order of the outputs.
fn adjoint_entries(taps: &Taps) -> Entries {
    let mut counts = vec![0usize; taps.input_size + 1];
    for &i in &taps.index {
        counts[i + 1] += 1;
    }
    for i in 0..taps.input_size {
        counts[i + 1] += counts[i];
    }
    let mut next = counts.clone();
    let mut sources = vec![0i32; taps.index.len()];
    let mut weights = vec![0f32; taps.index.len()];
    for (k, (&i, &w)) in taps.index.iter().zip(&taps.weight).enumerate() {
        sources[next[i]] = (k / taps.per_output.max(1)) as i32;
        weights[next[i]] = w as f32;
        next[i] += 1;
    }
    Entries {
        starts: counts.iter().map(|&c| c as i32).collect(),
        sources,
        weights,
    }
}

/// `t` (float32) resampled along `axis` by `taps` (or their adjoint), as a new contiguous
/// tensor. None when the GPU cannot run it.
pub fn resample_axis(
    t: &Tensor,
    axis: usize,
    taps: &Taps,
    adjoint: bool,
) -> Result<Option<Tensor>> {
    if t.dtype() != DType::F32 {
        return Ok(None);
    }
    let Some(x) = dense_operand(t)? else {
        return Ok(None);
    };
    let (entries, size, out_size) = if adjoint {
        (adjoint_entries(taps), taps.output_size(), taps.input_size)
    } else {
        (forward_entries(taps), taps.input_size, taps.output_size())
    };
    let mut shape = t.shape().to_vec();
    shape[axis] = out_size;
    let inner: usize = shape[axis + 1..].iter().product();
    let _on = DeviceScope::enter(t.device());
    let out = Tensor::uninit_dense(&shape, &contiguous_strides(&shape), DType::F32)?;
    let word = |v: usize| u32::try_from(v).ok();
    let meta = (|| {
        Some([
            word(out.numel())?,
            word(size)?,
            word(out_size)?,
            word(inner)?,
            word(x.storage_offset())?,
        ])
    })();
    let Some(meta) = meta else {
        return Ok(None);
    };
    if out.numel() == 0 {
        return Ok(Some(out));
    }
    let starts = Tensor::from_vec(entries.starts, &[out_size + 1])?;
    let sources = Tensor::from_vec(entries.sources, &[taps.index.len()])?;
    let weights = Tensor::from_vec(entries.weights, &[taps.index.len()])?;
    let buffers = [
        output_buffer(&out, false)?,
        input_buffer(&x)?,
        input_buffer(&starts)?,
        input_buffer(&sources)?,
        input_buffer(&weights)?,
    ];
    let source = per_thread_source(
        &[RESAMPLE],
        &[
            ("out", "read_write", "f32"),
            ("x", "read", "f32"),
            ("starts", "read", "u32"),
            ("sources", "read", "u32"),
            ("weights", "read", "f32"),
        ],
    );
    let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
    dispatch("resample", &source, &refs, &meta, u64::from(meta[0]))?;
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjoint_entries_gather_each_inputs_taps_in_output_order() {
        // Linear taps from 2 to 3 points: out = [x0, (x0 + x1) / 2, x1], with zero-weight taps.
        let taps = Taps {
            input_size: 2,
            per_output: 2,
            index: vec![0, 1, 0, 1, 0, 1],
            weight: vec![1.0, 0.0, 0.5, 0.5, 0.0, 1.0],
        };
        let forward = forward_entries(&taps);
        assert_eq!(forward.starts, vec![0, 2, 4, 6]);
        let adjoint = adjoint_entries(&taps);
        assert_eq!(adjoint.starts, vec![0, 3, 6]);
        assert_eq!(adjoint.sources, vec![0, 1, 2, 0, 1, 2]);
        assert_eq!(adjoint.weights, vec![1.0, 0.5, 0.0, 0.0, 0.5, 1.0]);
    }
}
