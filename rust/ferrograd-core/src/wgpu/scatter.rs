//! Scatter-adds on the GPU (`shaders/scatter_add.wgsl`): `dst[o, index, i] += src[o, j, i]`,
//! with atomic adds where several sources meet. The gradient of max pooling so far.

use super::kernel::dispatch;
use super::map::{fits_bindings, input_buffer, output_buffer};
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

const SCATTER_ADD: &str = include_str!("shaders/scatter_add.wgsl");

/// A new contiguous float32 tensor of `shape` (`outer * dst_n * inner` elements, seen as
/// `(outer, dst_n, inner)`) of zeros, plus `src` (`(outer, n, inner)`, any layout) added at
/// `index`: an int64 index per element of `src` along its middle dim when `per_element`
/// (`(outer, n)`), else one list of `n` shared by every `outer`. Indices must lie in `[0,
/// dst_n)` (others are skipped). None when the GPU cannot run it.
pub fn scatter_add(
    src: &Tensor,
    index: &Tensor,
    [outer, n, inner]: [usize; 3],
    dst_n: usize,
    per_element: bool,
    shape: &[usize],
) -> Result<Option<Tensor>> {
    if src.dtype() != DType::F32 || index.dtype() != DType::I64 {
        return Ok(None);
    }
    if !fits_bindings(&[src, index])? {
        return Ok(None);
    }
    let (src, index) = (src.contiguous()?, index.contiguous()?);
    let word = |v: usize| u32::try_from(v).ok();
    let total = outer * n * inner;
    let words = (|| {
        word(src.storage_offset() + total)?;
        word(2 * (index.storage_offset() + index.numel()))?;
        word(outer * dst_n * inner)?;
        Some(vec![
            word(total)?,
            word(n)?,
            word(inner)?,
            word(dst_n)?,
            if per_element { word(n)? } else { 0 },
            word(src.storage_offset())?,
            word(index.storage_offset())?,
        ])
    })();
    let Some(words) = words else {
        return Ok(None);
    };
    let dst = Tensor::zeros(shape, DType::F32)?;
    if total > 0 {
        let buffers = [
            output_buffer(&dst, true)?,
            input_buffer(&src)?,
            input_buffer(&index)?,
        ];
        let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
        dispatch("scatter_add", SCATTER_ADD, &refs, &words, total as u64)?;
    }
    Ok(Some(dst))
}
