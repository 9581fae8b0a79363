//! Scatter-adds on the GPU (`shaders/scatter_add.wgsl`): `dst[o, index, i] += src[o, j, i]`,
//! with atomic adds where several sources meet: the gradients of max pooling and of
//! `index_select` (an embedding's), and `index_add_`.

use super::bindings::{dense_operand, fits_bindings, input_buffer, output_buffer};
use super::kernel::{dispatch, per_thread_source};
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::op::BinaryOp;
use crate::tensor::{binary_op, Arg, Tensor};

const SCATTER_ADD: &str = include_str!("shaders/scatter_add.wgsl");
pub(crate) const ATOMIC_ADD: &str = include_str!("shaders/atomic_add.wgsl");

/// Adds `src` (`(outer, n, inner)`, any layout) into `dst` (float32, contiguous, seen as
/// `(outer, dst_n, inner)`) at `index` (int64, on either device): an index per element of `src`
/// along its middle dim when `per_element` (`(outer, n)`), else one list of `n` shared by every
/// `outer`. Indices must lie in `[0, dst_n)` (others are skipped). False (nothing done) when
/// the GPU cannot run it.
pub fn scatter_add(
    dst: &Tensor,
    src: &Tensor,
    index: &Tensor,
    [outer, n, inner]: [usize; 3],
    dst_n: usize,
    per_element: bool,
) -> Result<bool> {
    let float = |t: &Tensor| t.dtype() == DType::F32;
    if !float(dst) || !float(src) || index.dtype() != DType::I64 || !dst.is_contiguous() {
        return Ok(false);
    }
    if !fits_bindings(&[dst])? {
        return Ok(false);
    }
    let (Some(src), Some(index)) = (dense_operand(src)?, dense_operand(index)?) else {
        return Ok(false);
    };
    let word = |v: usize| u32::try_from(v).ok();
    let total = outer * n * inner;
    let words = (|| {
        // (the kernel reads an int64 index as two u32 words)
        word(2 * (index.storage_offset() + index.numel()))?;
        word(dst.storage_offset() + outer * dst_n * inner)?;
        Some(vec![
            word(total)?,
            word(n)?,
            word(inner)?,
            word(dst_n)?,
            if per_element { word(n)? } else { 0 },
            word(src.storage_offset())?,
            word(index.storage_offset())?,
            word(dst.storage_offset())?,
        ])
    })();
    let Some(words) = words else {
        return Ok(false);
    };
    if total > 0 {
        let buffers = [
            output_buffer(dst, true)?,
            input_buffer(&src)?,
            input_buffer(&index)?,
        ];
        let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
        let bindings = [
            ("dst", "read_write", "atomic<u32>"),
            ("src", "read", "f32"),
            ("index", "read", "u32"),
        ];
        let source = per_thread_source(&[ATOMIC_ADD, SCATTER_ADD], &bindings);
        dispatch("scatter_add", &source, &refs, &words, total as u64)?;
    }
    Ok(true)
}

/// `dst.index_add_(dim, positions, source, alpha)` on the GPU, the positions checked: `dst`
/// and `source` of one shape but along `dim`. False (nothing done) when the GPU cannot run it.
pub fn index_add(
    dst: &Tensor,
    dim: usize,
    positions: &[usize],
    source: &Tensor,
    alpha: Scalar,
) -> Result<bool> {
    if dst.dtype() != DType::F32 || source.dtype() != DType::F32 || dst.ndim() == 0 {
        return Ok(false);
    }
    let shape = dst.shape();
    let outer: usize = shape[..dim].iter().product();
    let inner: usize = shape[dim + 1..].iter().product();
    let index: Vec<i64> = positions.iter().map(|&p| p as i64).collect();
    let index = Tensor::from_vec(index, &[positions.len()])?;
    // Scaled first, in float32, as the CPU kernel scales.
    let source = if alpha.to_f64() == 1.0 {
        source.clone()
    } else {
        let (s, a) = (Arg::Tensor(source.clone()), Arg::Scalar(alpha));
        binary_op(BinaryOp::Mul, &s, &a, None, None)?
    };
    let sizes = [outer, positions.len(), inner];
    scatter_add(dst, &source, &index, sizes, shape[dim], false)
}
