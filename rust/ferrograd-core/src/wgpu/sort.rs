//! Sorting along a dim on the GPU (`sort`, `argsort`, `msort`, `topk`): a bitonic sort of each
//! lane (the elements along the dim at one position of the others).
//!
//! The first pass turns each element into a (key, index) pair whose unsigned order is the
//! sort's (`shaders/sort_keys.wgsl`: NaN greatest, -0 equal to +0, the complement for a
//! descending sort), so the index breaks ties and the sort is stable, as the CPU's is. A lane
//! is padded to a power of two `padded` with pairs that sort last. The merge steps whose
//! compared positions lie within one chunk of 1024 pairs run in workgroup memory
//! (`sort_chunk.wgsl`); wider ones run one dispatch per step through global memory
//! (`sort_step.wgsl`). The last pass writes the first `kept` values and indices
//! (`sort_write.wgsl`). Float32 and int32 are sorted here; other dtypes stay on the CPU.

use super::kernel::{dispatch, dispatch_groups, folded_groups, per_thread_source};
use super::map::{around_dim, dense_operand, fits_bindings, input_buffer, output_buffer};
use crate::device_scope::DeviceScope;
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::contiguous_strides;
use crate::tensor::Tensor;

const PAIRS: &str = include_str!("shaders/sort_pairs.wgsl");
const KEYS: &str = include_str!("shaders/sort_keys.wgsl");
const STEP: &str = include_str!("shaders/sort_step.wgsl");
const CHUNK: &str = include_str!("shaders/sort_chunk.wgsl");
const WRITE: &str = include_str!("shaders/sort_write.wgsl");

/// Pairs one workgroup sorts in its memory (`CHUNK` in `sort_chunk.wgsl`).
const CHUNK_PAIRS: usize = 1024;

/// The values and int64 indices of the first `kept` elements of each lane of `t` along `dim`
/// once sorted (ascending, or `descending`; stable), as new contiguous tensors. None when the
/// GPU does not sort this dtype or these sizes.
pub fn sort(
    t: &Tensor,
    dim: usize,
    descending: bool,
    kept: usize,
) -> Result<Option<(Tensor, Tensor)>> {
    let dtype_word = match t.dtype() {
        DType::F32 => 0u32,
        DType::I32 => 1,
        _ => return Ok(None),
    };
    let Some(x) = dense_operand(t)? else {
        return Ok(None);
    };
    let shape = t.shape();
    let (lanes, n, inner) = around_dim(shape, dim);
    let padded = n.next_power_of_two();
    let mut out_shape = shape.to_vec();
    out_shape[dim] = kept;
    let _on = DeviceScope::enter(t.device());
    let new = |dtype| Tensor::uninit_dense(&out_shape, &contiguous_strides(&out_shape), dtype);
    let (values, indices) = (new(t.dtype())?, new(DType::I64)?);
    if values.numel() == 0 {
        return Ok(Some((values, indices)));
    }
    let word = |v: usize| u32::try_from(v).ok();
    let Some(words) = (|| {
        Some([
            word(lanes * padded)?,
            word(n)?,
            word(inner)?,
            word(padded)?,
            word(x.storage_offset())?,
            word(kept)?,
        ])
    })() else {
        return Ok(None);
    };
    let [pair_count, n32, inner32, padded32, offset32, kept32] = words;
    // The (key, index) pairs: two words each.
    let scratch = Tensor::uninit_dense(&[lanes * padded * 2], &[1], DType::I32)?;
    if !fits_bindings(&[&scratch])? {
        return Ok(None);
    }
    let pairs = output_buffer(&scratch, false)?;
    let input = input_buffer(&x)?;
    let keys = per_thread_source(
        &[KEYS],
        &[("pairs", "read_write", "vec2<u32>"), ("x", "read", "u32")],
    );
    let meta = [
        pair_count,
        n32,
        inner32,
        padded32,
        offset32,
        u32::from(descending),
        dtype_word,
    ];
    dispatch(
        "sort_keys",
        &keys,
        &[&pairs, &input],
        &meta,
        u64::from(pair_count),
    )?;

    let chunk = padded.min(CHUNK_PAIRS);
    let chunks = pair_count / chunk as u32;
    let chunk_source = format!("{PAIRS}\n{CHUNK}");
    let run_chunks = |first: usize, last: usize| {
        let meta = [chunks, padded32, chunk as u32, first as u32, last as u32];
        dispatch_groups(
            "sort_chunk",
            &chunk_source,
            &[&pairs],
            &meta,
            folded_groups(chunks)?,
        )
    };
    // Every chunk sorted on its own, alternately ascending and descending (bitonic).
    run_chunks(2, chunk)?;
    let step = per_thread_source(&[PAIRS, STEP], &[("pairs", "read_write", "vec2<u32>")]);
    let mut block = chunk * 2;
    while block <= padded {
        let mut gap = block / 2;
        while gap >= chunk {
            let meta = [pair_count / 2, padded32, block as u32, gap as u32];
            dispatch(
                "sort_step",
                &step,
                &[&pairs],
                &meta,
                u64::from(pair_count / 2),
            )?;
            gap /= 2;
        }
        run_chunks(block, block)?;
        block *= 2;
    }

    let write = per_thread_source(
        &[WRITE],
        &[
            ("values", "read_write", "u32"),
            ("indices", "read_write", "vec2<u32>"),
            ("pairs", "read", "vec2<u32>"),
            ("x", "read", "u32"),
        ],
    );
    let out_values = output_buffer(&values, false)?;
    let out_indices = output_buffer(&indices, false)?;
    let threads = (lanes * kept) as u32;
    let meta = [threads, n32, inner32, padded32, kept32, offset32];
    dispatch(
        "sort_write",
        &write,
        &[&out_values, &out_indices, &pairs, &input],
        &meta,
        u64::from(threads),
    )?;
    Ok(Some((values, indices)))
}
