//! Pooling kernels: the maximum or the average over windows of each (D, H, W) plane of a
//! contiguous `[planes, D, H, W]` buffer, and the scatters that carry gradients back.
//!
//! One description of the windows ([`Grid`]) serves max and average pooling, their adaptive
//! forms and every spatial rank: a 1-d or 2-d pooling is a 3-d one whose leading axes hold a
//! single window of size one. Work is split across planes on the spin pool.

use super::reduce_minmax::is_nan;
use super::spin_pool;
use super::PARALLEL_THRESHOLD;
use crate::dtype::Element;

/// The input positions one output reads along one axis: `begin, begin + step, ...`, `count`
/// of them, all inside the input. `divisor` is this axis's factor of an average's divisor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub begin: usize,
    pub count: usize,
    pub divisor: usize,
}

/// One spatial axis: the input's size, the step between the positions of a window (the
/// dilation), and one window per output position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axis {
    pub size: usize,
    pub step: usize,
    pub windows: Vec<Window>,
}

impl Axis {
    /// An axis of size one with one window over it: the padding axis of a lower-rank pooling.
    pub fn trivial() -> Axis {
        Axis {
            size: 1,
            step: 1,
            windows: vec![Window {
                begin: 0,
                count: 1,
                divisor: 1,
            }],
        }
    }
}

/// The windows of a pooling over (D, H, W) planes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    pub axes: [Axis; 3],
}

impl Grid {
    pub fn in_plane(&self) -> usize {
        self.axes.iter().map(|a| a.size).product()
    }

    pub fn out_plane(&self) -> usize {
        self.axes.iter().map(|a| a.windows.len()).product()
    }

    /// Calls `visit(output_position, first_input_position, windows)` for every output of a
    /// plane, in row-major order.
    fn for_each_window(&self, mut visit: impl FnMut(usize, [&Window; 3])) {
        let [d, h, w] = &self.axes;
        let mut o = 0;
        for wd in &d.windows {
            for wh in &h.windows {
                for ww in &w.windows {
                    visit(o, [wd, wh, ww]);
                    o += 1;
                }
            }
        }
    }

    /// Calls `visit(input_position)` for every input position of one window, in window order
    /// (depth, then height, then width).
    #[inline(always)]
    fn for_each_position(&self, win: [&Window; 3], mut visit: impl FnMut(usize)) {
        let [d, h, w] = &self.axes;
        let (hw, wsize) = (h.size * w.size, w.size);
        for i in 0..win[0].count {
            let pd = (win[0].begin + i * d.step) * hw;
            for j in 0..win[1].count {
                let row = pd + (win[1].begin + j * h.step) * wsize;
                for k in 0..win[2].count {
                    visit(row + win[2].begin + k * w.step);
                }
            }
        }
    }

    /// The average's divisor for one window: the override, or the product of the axes' factors.
    fn divisor(win: [&Window; 3], divisor_override: Option<i64>) -> f64 {
        match divisor_override {
            Some(d) => d as f64,
            None => (win[0].divisor * win[1].divisor * win[2].divisor) as f64,
        }
    }
}

/// How many planes one task takes: enough tasks to balance the threads, none when the work
/// is too small to be worth waking them.
fn planes_per_task(planes: usize, work_per_plane: usize) -> usize {
    let threads = spin_pool::threads();
    if threads == 1 || planes * work_per_plane < PARALLEL_THRESHOLD {
        return planes.max(1);
    }
    planes.div_ceil(threads * 4).max(1)
}

/// Max pooling: each window's largest value and its position in the input plane. A later
/// value takes over only when strictly larger, or when it is NaN (so NaN propagates, and
/// ties keep the first maximum), as PyTorch's kernel does.
pub fn max_forward<T: Element>(input: &[T], planes: usize, grid: &Grid) -> (Vec<T>, Vec<i64>) {
    let (in_plane, out_plane) = (grid.in_plane(), grid.out_plane());
    let mut values = vec![T::default(); planes * out_plane];
    let mut indices = vec![0i64; planes * out_plane];
    let per_task = planes_per_task(planes, in_plane);
    let mut tasks: Vec<(usize, &mut [T], &mut [i64])> = values
        .chunks_mut(per_task * out_plane.max(1))
        .zip(indices.chunks_mut(per_task * out_plane.max(1)))
        .enumerate()
        .map(|(i, (v, ix))| (i * per_task, v, ix))
        .collect();
    spin_pool::for_each_mut(&mut tasks, |_, (first, vals, idx)| {
        let n = vals.len() / out_plane.max(1);
        for p in 0..n {
            let src = &input[(*first + p) * in_plane..(*first + p + 1) * in_plane];
            let (vals, idx) = (
                &mut vals[p * out_plane..(p + 1) * out_plane],
                &mut idx[p * out_plane..(p + 1) * out_plane],
            );
            grid.for_each_window(|o, win| {
                let mut best_at = usize::MAX;
                let mut best = T::default();
                grid.for_each_position(win, |at| {
                    let v = src[at];
                    if best_at == usize::MAX || v > best || is_nan(v) {
                        best = v;
                        best_at = at;
                    }
                });
                vals[o] = best;
                idx[o] = best_at as i64;
            });
        }
    });
    (values, indices)
}

/// Average pooling: each window's sum (carried in f64) over its divisor; an empty window
/// (one lying wholly in the padding) gives 0.
pub fn avg_forward<T: Element>(
    input: &[T],
    planes: usize,
    grid: &Grid,
    divisor_override: Option<i64>,
) -> Vec<T> {
    let (in_plane, out_plane) = (grid.in_plane(), grid.out_plane());
    let mut out = vec![T::default(); planes * out_plane];
    let per_task = planes_per_task(planes, in_plane);
    spin_pool::for_each_chunk_mut(&mut out, per_task * out_plane, |task, chunk| {
        let first = task * per_task;
        for (p, dst) in chunk.chunks_mut(out_plane.max(1)).enumerate() {
            let src = &input[(first + p) * in_plane..(first + p + 1) * in_plane];
            grid.for_each_window(|o, win| {
                let mut sum = 0.0f64;
                let mut seen = 0usize;
                grid.for_each_position(win, |at| {
                    sum += src[at].to_f64();
                    seen += 1;
                });
                let value = if seen == 0 {
                    0.0
                } else {
                    sum / Grid::divisor(win, divisor_override)
                };
                dst[o] = T::from_f64(value);
            });
        }
    });
    out
}

/// The gradient of average pooling: each output's gradient, over its divisor, added to every
/// input position of its window.
pub fn avg_backward<T: Element>(
    grad: &[T],
    planes: usize,
    grid: &Grid,
    divisor_override: Option<i64>,
) -> Vec<T> {
    let (in_plane, out_plane) = (grid.in_plane(), grid.out_plane());
    let mut out = vec![T::default(); planes * in_plane];
    let per_task = planes_per_task(planes, in_plane);
    spin_pool::for_each_chunk_mut(&mut out, per_task * in_plane, |task, chunk| {
        let first = task * per_task;
        let mut acc = vec![0.0f64; in_plane];
        for (p, dst) in chunk.chunks_mut(in_plane.max(1)).enumerate() {
            let g = &grad[(first + p) * out_plane..(first + p + 1) * out_plane];
            acc.iter_mut().for_each(|a| *a = 0.0);
            grid.for_each_window(|o, win| {
                let share = g[o].to_f64() / Grid::divisor(win, divisor_override);
                grid.for_each_position(win, |at| acc[at] += share);
            });
            for (d, a) in dst.iter_mut().zip(&acc) {
                *d = T::from_f64(*a);
            }
        }
    });
    out
}

/// Writes each value of `src` (planes of `src_plane`) to the position its index names in the
/// matching plane of `dst_plane` elements: added up (the gradient of max pooling) or, when
/// `accumulate` is false, assigned (max unpooling, where a later write wins). An index
/// outside the plane is returned as the error.
pub fn scatter_planes<T: Element>(
    src: &[T],
    indices: &[i64],
    planes: usize,
    src_plane: usize,
    dst_plane: usize,
    accumulate: bool,
) -> Result<Vec<T>, i64> {
    let mut out = vec![T::default(); planes * dst_plane];
    let per_task = planes_per_task(planes, src_plane);
    let bad = std::sync::Mutex::new(None);
    spin_pool::for_each_chunk_mut(&mut out, per_task * dst_plane, |task, chunk| {
        let first = task * per_task;
        for (p, dst) in chunk.chunks_mut(dst_plane.max(1)).enumerate() {
            let range = (first + p) * src_plane..(first + p + 1) * src_plane;
            for (&v, &i) in src[range.clone()].iter().zip(&indices[range]) {
                let Some(slot) = usize::try_from(i).ok().and_then(|i| dst.get_mut(i)) else {
                    *bad.lock().unwrap_or_else(|e| e.into_inner()) = Some(i);
                    return;
                };
                *slot = if accumulate {
                    T::from_f64(slot.to_f64() + v.to_f64())
                } else {
                    v
                };
            }
        }
    });
    match bad.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(i) => Err(i),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(size: usize, windows: &[(usize, usize)]) -> Axis {
        Axis {
            size,
            step: 1,
            windows: windows
                .iter()
                .map(|&(begin, count)| Window {
                    begin,
                    count,
                    divisor: count,
                })
                .collect(),
        }
    }

    #[test]
    fn two_by_two_windows_of_a_four_by_four_plane() {
        let grid = Grid {
            axes: [
                Axis::trivial(),
                axis(4, &[(0, 2), (2, 2)]),
                axis(4, &[(0, 2), (2, 2)]),
            ],
        };
        let x: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let (v, i) = max_forward(&x, 1, &grid);
        assert_eq!(v, vec![5.0, 7.0, 13.0, 15.0]);
        assert_eq!(i, vec![5, 7, 13, 15]);
        // The mean of {0, 1, 4, 5} is 2.5.
        assert_eq!(avg_forward(&x, 1, &grid, None), vec![2.5, 4.5, 10.5, 12.5]);
        let g = avg_backward(&[4.0f32, 0.0, 0.0, 0.0], 1, &grid, None);
        assert_eq!(&g[..6], &[1.0, 1.0, 0.0, 0.0, 1.0, 1.0]);
        let back = scatter_planes(&[1.0f32, 2.0, 3.0, 4.0], &i, 1, 4, 16, true);
        assert_eq!(back.map(|b| b[15]), Ok(4.0));
        assert_eq!(scatter_planes(&[1.0f32], &[16], 1, 1, 16, true), Err(16));
    }
}
