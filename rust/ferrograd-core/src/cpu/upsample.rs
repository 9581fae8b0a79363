//! Resampling along one axis with fixed taps: `out[o] = sum_t weight[o, t] * in[index[o, t]]`,
//! and its adjoint (each output's gradient sent back to its taps). Nearest, linear and cubic
//! interpolation are all separable, so an n-d upsampling is this applied axis by axis.

use super::spin_pool;
use super::PARALLEL_THRESHOLD;

/// The taps of every output position along one axis: `per_output` (index, weight) pairs each.
#[derive(Clone, Debug, PartialEq)]
pub struct Taps {
    pub input_size: usize,
    pub per_output: usize,
    pub index: Vec<usize>,
    pub weight: Vec<f64>,
}

impl Taps {
    pub fn output_size(&self) -> usize {
        self.index.len() / self.per_output.max(1)
    }
}

/// Runs `f(first_outer, chunk)` over chunks of `out` that each hold whole `[rows, inner]` slabs.
fn for_slabs(out: &mut [f64], slab: usize, work: usize, f: impl Fn(usize, &mut [f64]) + Sync) {
    let slabs = out.len() / slab.max(1);
    let threads = spin_pool::threads();
    let per_task = if threads == 1 || work < PARALLEL_THRESHOLD {
        slabs.max(1)
    } else {
        slabs.div_ceil(threads * 4).max(1)
    };
    spin_pool::for_each_chunk_mut(out, per_task * slab.max(1), |task, chunk| {
        f(task * per_task, chunk)
    });
}

/// Resamples `input`, seen as `[outer, taps.input_size, inner]`, to `[outer, out, inner]`.
pub fn resample(input: &[f64], outer: usize, inner: usize, taps: &Taps) -> Vec<f64> {
    let (size, out_size) = (taps.input_size, taps.output_size());
    let mut out = vec![0.0; outer * out_size * inner];
    let work = out.len() * taps.per_output;
    for_slabs(&mut out, out_size * inner, work, |first, chunk| {
        for (a, dst) in chunk.chunks_mut((out_size * inner).max(1)).enumerate() {
            let src = &input[(first + a) * size * inner..(first + a + 1) * size * inner];
            for o in 0..out_size {
                let row = &mut dst[o * inner..(o + 1) * inner];
                for t in 0..taps.per_output {
                    let (i, w) = (
                        taps.index[o * taps.per_output + t],
                        taps.weight[o * taps.per_output + t],
                    );
                    let from = &src[i * inner..(i + 1) * inner];
                    row.iter_mut().zip(from).for_each(|(r, &v)| *r += w * v);
                }
            }
        }
    });
    out
}

/// The adjoint of [`resample`]: `grad` is `[outer, out, inner]`, the result
/// `[outer, taps.input_size, inner]`.
pub fn resample_adjoint(grad: &[f64], outer: usize, inner: usize, taps: &Taps) -> Vec<f64> {
    let (size, out_size) = (taps.input_size, taps.output_size());
    let mut out = vec![0.0; outer * size * inner];
    let work = grad.len() * taps.per_output;
    for_slabs(&mut out, size * inner, work, |first, chunk| {
        for (a, dst) in chunk.chunks_mut((size * inner).max(1)).enumerate() {
            let g = &grad[(first + a) * out_size * inner..(first + a + 1) * out_size * inner];
            for o in 0..out_size {
                let from = &g[o * inner..(o + 1) * inner];
                for t in 0..taps.per_output {
                    let (i, w) = (
                        taps.index[o * taps.per_output + t],
                        taps.weight[o * taps.per_output + t],
                    );
                    let row = &mut dst[i * inner..(i + 1) * inner];
                    row.iter_mut().zip(from).for_each(|(r, &v)| *r += w * v);
                }
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_taps_and_their_adjoint() {
        // 2 -> 3 points: out = [x0, (x0 + x1) / 2, x1].
        let taps = Taps {
            input_size: 2,
            per_output: 2,
            index: vec![0, 1, 0, 1, 0, 1],
            weight: vec![1.0, 0.0, 0.5, 0.5, 0.0, 1.0],
        };
        assert_eq!(resample(&[2.0, 4.0], 1, 1, &taps), vec![2.0, 3.0, 4.0]);
        assert_eq!(
            resample_adjoint(&[1.0, 1.0, 1.0], 1, 1, &taps),
            vec![1.5, 1.5]
        );
    }
}
