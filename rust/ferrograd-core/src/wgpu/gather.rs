//! Gathers on the GPU: the slices of a dim at checked positions (`shaders/select_slices.wgsl`),
//! for `index_select` and so an embedding's lookup. The positions are checked on the host
//! first, so a bad index raises the CPU's error.

use super::bindings::{dense_operand, input_buffer, output_buffer};
use super::kernel::{dispatch, per_thread_source};
use super::map::View;
use crate::error::Result;
use crate::shape::contiguous_strides;
use crate::tensor::Tensor;

const SELECT_SLICES: &str = include_str!("shaders/select_slices.wgsl");

/// The slices of `src` along `dim` at `positions` (each below its size), as a new contiguous
/// tensor of `shape` (`src`'s with `positions.len()` along `dim`). None when the GPU cannot
/// run it (1- or 2-byte dtypes, or too large).
pub fn select_slices(
    src: &Tensor,
    dim: usize,
    positions: &[usize],
    shape: &[usize],
) -> Result<Option<Tensor>> {
    let Some(View::Typed(element)) = View::bits(src.dtype()) else {
        return Ok(None);
    };
    if src.ndim() == 0 {
        return Ok(None);
    }
    let Some(src) = dense_operand(src)? else {
        return Ok(None);
    };
    let outer: usize = shape[..dim].iter().product();
    let inner: usize = shape[dim + 1..].iter().product();
    let total = outer * positions.len() * inner;
    let word = |v: usize| u32::try_from(v).ok();
    let words = (|| {
        Some(vec![
            word(total)?,
            word(positions.len())?,
            word(inner)?,
            word(src.shape()[dim])?,
            word(src.storage_offset())?,
        ])
    })();
    let Some(words) = words else {
        return Ok(None);
    };
    let out = Tensor::uninit_dense(shape, &contiguous_strides(shape), src.dtype())?;
    if total > 0 {
        let list: Vec<i32> = positions.iter().map(|&p| p as i32).collect();
        let positions = Tensor::from_vec(list, &[positions.len()])?;
        let buffers = [
            output_buffer(&out, false)?,
            input_buffer(&src)?,
            input_buffer(&positions)?,
        ];
        let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
        let bindings = [
            ("out", "read_write", element),
            ("src", "read", element),
            ("positions", "read", "u32"),
        ];
        let source = per_thread_source(&[SELECT_SLICES], &bindings);
        dispatch("index_select", &source, &refs, &words, total as u64)?;
    }
    Ok(Some(out))
}
