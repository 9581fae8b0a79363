//! Max and average pooling on the GPU, and the gradient of average pooling: one thread per
//! output (per input for the gradient), the windows read from a table built from the CPU's
//! [`Grid`] (`shaders/pooling.wgsl` and the kernel bodies after it). The gradient of max
//! pooling is a scatter-add (`scatter.rs`).
//!
//! Each returns None (nothing done) when the GPU cannot run it (not float32, or too large for
//! 32-bit indices or one binding); the caller then runs the CPU kernel.

use super::bindings::{dense_operand, input_buffer, output_buffer};
use super::kernel::{dispatch, per_thread_source};
use crate::cpu::pool::Grid;
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::contiguous_strides;
use crate::tensor::Tensor;

const FLOAT: &str = include_str!("shaders/float.wgsl");
const COMMON: &str = include_str!("shaders/pooling.wgsl");
const MAX: &str = include_str!("shaders/pool_max.wgsl");
const AVG: &str = include_str!("shaders/pool_avg.wgsl");
const AVG_BACKWARD: &str = include_str!("shaders/pool_avg_backward.wgsl");

/// Per input position of an axis, the first and past-the-last window holding it (a window
/// covers `begin ..= begin + (count - 1) * step`; the kernel checks the step).
fn ranges(size: usize, step: usize, windows: &[crate::cpu::pool::Window]) -> Vec<[usize; 2]> {
    let mut ranges = vec![[usize::MAX, 0]; size];
    for (w, win) in windows.iter().enumerate() {
        if win.count == 0 {
            continue;
        }
        let end = (win.begin + (win.count - 1) * step + 1).min(size);
        for r in &mut ranges[win.begin.min(end)..end] {
            r[0] = r[0].min(w);
            r[1] = r[1].max(w + 1);
        }
    }
    for r in &mut ranges {
        r[0] = r[0].min(r[1]); // held by no window: an empty range
    }
    ranges
}

/// The kernels' `shape_info` words (see `shaders/pooling.wgsl`); None past 32 bits.
fn shape_info(
    threads: usize,
    offset: usize,
    grid: &Grid,
    divisor_override: Option<i64>,
) -> Option<Vec<u32>> {
    let word = |v: usize| u32::try_from(v).ok();
    let mut words = vec![
        word(threads)?,
        word(grid.in_plane())?,
        word(grid.out_plane())?,
        word(offset)?,
        u32::from(divisor_override.is_some()),
        i32::try_from(divisor_override.unwrap_or(0)).ok()? as u32,
    ];
    let header = words.len() + 5 * grid.axes.len();
    let mut tables: Vec<u32> = Vec::new();
    let mut axis_words = Vec::new();
    for axis in &grid.axes {
        let windows_at = header + tables.len();
        for w in &axis.windows {
            tables.extend([word(w.begin)?, word(w.count)?, word(w.divisor)?]);
        }
        let ranges_at = header + tables.len();
        for [lo, hi] in ranges(axis.size, axis.step, &axis.windows) {
            tables.extend([word(lo)?, word(hi)?]);
        }
        axis_words.extend([
            word(axis.size)?,
            word(axis.step)?,
            word(axis.windows.len())?,
            word(windows_at)?,
            word(ranges_at)?,
        ]);
    }
    words.extend(axis_words);
    words.extend(tables);
    Some(words)
}

/// `x` as a contiguous float32 tensor the kernels can read, with its offset; None if they
/// cannot.
fn readable(x: &Tensor) -> Result<Option<Tensor>> {
    if x.dtype() != DType::F32 {
        return Ok(None);
    }
    dense_operand(x)
}

/// Max pooling of the planes of `x` (`[planes, D, H, W]` in any layout): the values and
/// their int64 in-plane positions, contiguous tensors of `shape` (`planes * out_plane`
/// elements).
pub fn max_forward(x: &Tensor, grid: &Grid, shape: &[usize]) -> Result<Option<(Tensor, Tensor)>> {
    let Some(x) = readable(x)? else {
        return Ok(None);
    };
    let total: usize = shape.iter().product();
    let Some(words) = shape_info(total, x.storage_offset(), grid, None) else {
        return Ok(None);
    };
    let strides = contiguous_strides(shape);
    let values = Tensor::uninit_dense(shape, &strides, DType::F32)?;
    let indices = Tensor::uninit_dense(shape, &strides, DType::I64)?;
    if total > 0 {
        let bindings = [
            ("values", "read_write", "f32"),
            ("indices", "read_write", "u32"),
            ("input", "read", "f32"),
        ];
        let buffers = [
            output_buffer(&values, false)?,
            output_buffer(&indices, false)?,
            input_buffer(&x)?,
        ];
        let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
        dispatch(
            "max_pool",
            &per_thread_source(&[FLOAT, COMMON, MAX], &bindings),
            &refs,
            &words,
            total as u64,
        )?;
    }
    Ok(Some((values, indices)))
}

/// Runs a kernel reading `x` (bound as `read`) into a new contiguous float32 tensor of
/// `shape`, one thread per element.
fn average(
    (label, body, read): (&str, &str, &str),
    x: &Tensor,
    shape: &[usize],
    grid: &Grid,
    divisor_override: Option<i64>,
) -> Result<Option<Tensor>> {
    let Some(x) = readable(x)? else {
        return Ok(None);
    };
    let total: usize = shape.iter().product();
    let Some(words) = shape_info(total, x.storage_offset(), grid, divisor_override) else {
        return Ok(None);
    };
    let out = Tensor::uninit_dense(shape, &contiguous_strides(shape), DType::F32)?;
    if total > 0 {
        let bindings = [("out", "read_write", "f32"), (read, "read", "f32")];
        let buffers = [output_buffer(&out, false)?, input_buffer(&x)?];
        let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
        dispatch(
            label,
            &per_thread_source(&[FLOAT, COMMON, body], &bindings),
            &refs,
            &words,
            total as u64,
        )?;
    }
    Ok(Some(out))
}

/// Average pooling of the planes of `x`, into `shape` (`planes * out_plane` elements).
pub fn avg_forward(
    x: &Tensor,
    grid: &Grid,
    divisor_override: Option<i64>,
    shape: &[usize],
) -> Result<Option<Tensor>> {
    average(("avg_pool", AVG, "input"), x, shape, grid, divisor_override)
}

/// The gradient of average pooling from the output's gradient `g`, into `shape` (`planes *
/// in_plane` elements).
pub fn avg_backward(
    g: &Tensor,
    grid: &Grid,
    divisor_override: Option<i64>,
    shape: &[usize],
) -> Result<Option<Tensor>> {
    let kernel = ("avg_pool_backward", AVG_BACKWARD, "grad");
    average(kernel, g, shape, grid, divisor_override)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::pool::Window;

    fn win(begin: usize, count: usize) -> Window {
        Window {
            begin,
            count,
            divisor: count,
        }
    }

    #[test]
    fn ranges_bound_the_windows_holding_each_position() {
        // Windows of 3 with stride 2 over 6 positions, the last one cut short.
        let windows = [win(0, 3), win(2, 3), win(4, 2)];
        let r = ranges(6, 1, &windows);
        assert_eq!(r, vec![[0, 1], [0, 1], [0, 2], [1, 2], [1, 3], [2, 3]]);
        // Dilation 2: the windows hold 0 and 2, and 1 and 3; a range only bounds them, so
        // position 1 (inside the first window's span) lists both.
        let r = ranges(4, 2, &[win(0, 2), win(1, 2)]);
        assert_eq!(r, vec![[0, 1], [0, 2], [0, 2], [1, 2]]);
        // A position no window holds gets an empty range.
        assert_eq!(ranges(3, 1, &[win(0, 1)])[2], [0, 0]);
    }
}
