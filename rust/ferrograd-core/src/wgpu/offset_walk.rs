//! The GPU side of the two kernels under every indexing op (`cpu::gather`): gathering from
//! precomputed storage offsets, and scattering to them (assigning, or adding float32 values
//! atomically). The offsets come from the host, where the indices were checked, so `gather`,
//! `scatter_`, `take`, advanced indexing and `index_put_` run on the GPU through them.
//!
//! Where a scatter assigns several values to one element, which one lands is not defined, as
//! on CUDA (the CPU's is the last in order).

use super::bindings::{fits_bindings, input_buffer, output_buffer};
use super::kernel::{dispatch, per_thread_source};
use super::map::View;
use super::scatter::ATOMIC_ADD;
use crate::cpu::gather::{Combine, OffsetWalk};
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::{contiguous_strides, numel};
use crate::tensor::Tensor;

const WALK: &str = include_str!("shaders/offset_walk.wgsl");

const GATHER: &str = "fn run(t: u32) {
    let at = walk_positions(t);
    out[at.y] = src[at.x];
}";

const ASSIGN: &str = "fn run(t: u32) {
    let at = walk_positions(t);
    dst[at.x] = values[at.y];
}";

const ADD: &str = "fn run(t: u32) {
    let at = walk_positions(t);
    atomic_add_to_dst(at.x, values[at.y]);
}";

/// `src` read at the positions of `w`, as a new contiguous tensor of `w.shape`. None when the
/// GPU cannot run it (1- and 2-byte dtypes, too large, empty).
pub fn gather(src: &Tensor, w: &OffsetWalk<'_>) -> Result<Option<Tensor>> {
    let Some(View::Typed(element)) = View::bits(src.dtype()) else {
        return Ok(None);
    };
    let strides = contiguous_strides(w.shape);
    let Some(words) = walk_words(w, 0, &strides) else {
        return Ok(None);
    };
    let Some(offsets) = offsets_tensor(w.offsets)? else {
        return Ok(None);
    };
    if !fits_bindings(&[src])? {
        return Ok(None);
    }
    let out = Tensor::uninit_dense(w.shape, &strides, src.dtype())?;
    let buffers = [
        output_buffer(&out, false)?,
        input_buffer(src)?,
        input_buffer(&offsets)?,
    ];
    let bindings = [
        ("out", "read_write", element),
        ("src", "read", element),
        ("offsets", "read", "u32"),
    ];
    run("gather", &[GATHER], &bindings, &buffers, &words)?;
    Ok(Some(out))
}

/// `values` (walked with `value_strides` from their offset over `w.shape`) written into `dst`
/// at the positions of `w`: assigned (4- and 8-byte dtypes), or added (float32). False when
/// the GPU cannot run it.
pub fn scatter(
    dst: &Tensor,
    w: &OffsetWalk<'_>,
    values: &Tensor,
    value_strides: &[usize],
    combine: Combine,
) -> Result<bool> {
    let Some(View::Typed(element)) = View::bits(dst.dtype()) else {
        return Ok(false);
    };
    // (an assignment moves bits; an add reads float32 values into float32 bits)
    let (bodies, dst_type, value_type): (&[&str], _, _) = match combine {
        Combine::Assign => (&[ASSIGN], element, element),
        Combine::Add if dst.dtype() == DType::F32 => (&[ATOMIC_ADD, ADD], "atomic<u32>", "f32"),
        _ => return Ok(false),
    };
    let Some(words) = walk_words(w, values.storage_offset(), value_strides) else {
        return Ok(false);
    };
    let Some(offsets) = offsets_tensor(w.offsets)? else {
        return Ok(false);
    };
    if values.dtype() != dst.dtype() || !fits_bindings(&[dst, values])? {
        return Ok(false);
    }
    let buffers = [
        output_buffer(dst, true)?,
        input_buffer(values)?,
        input_buffer(&offsets)?,
    ];
    let bindings = [
        ("dst", "read_write", dst_type),
        ("values", "read", value_type),
        ("offsets", "read", "u32"),
    ];
    run("scatter", bodies, &bindings, &buffers, &words)?;
    Ok(true)
}

/// shape_info for `offset_walk.wgsl`, or None when the walk is empty or a position it
/// reaches (in either operand) does not fit 32 bits.
fn walk_words(w: &OffsetWalk<'_>, value_base: usize, value_strides: &[usize]) -> Option<Vec<u32>> {
    let n = w.shape.len();
    let total = numel(w.shape);
    let lengths = [w.strides.len(), w.offset_strides.len(), value_strides.len()];
    if total == 0 || lengths.iter().any(|&l| l != n) {
        return None;
    }
    let furthest = |base: usize, strides: &[usize]| {
        base + w
            .shape
            .iter()
            .zip(strides)
            .map(|(&s, &st)| (s - 1) * st)
            .sum::<usize>()
    };
    u32::try_from(furthest(w.base, w.strides)).ok()?;
    u32::try_from(furthest(value_base, value_strides)).ok()?;
    let mut words = vec![total, n, w.base, value_base];
    for part in [w.shape, w.strides, w.offset_strides, value_strides] {
        words.extend_from_slice(part);
    }
    words.iter().map(|&v| u32::try_from(v).ok()).collect()
}

/// The offsets as 32-bit words, or None when one does not fit.
fn offsets_tensor(offsets: &[usize]) -> Result<Option<Tensor>> {
    let words: Option<Vec<i32>> = offsets.iter().map(|&o| i32::try_from(o).ok()).collect();
    words
        .map(|w| Tensor::from_vec(w, &[offsets.len()]))
        .transpose()
}

fn run(
    label: &str,
    bodies: &[&str],
    bindings: &[(&str, &str, &str)],
    buffers: &[::wgpu::Buffer; 3],
    words: &[u32],
) -> Result<()> {
    let mut parts = vec![WALK];
    parts.extend_from_slice(bodies);
    let source = per_thread_source(&parts, bindings);
    let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
    dispatch(label, &source, &refs, words, u64::from(words[0]))
}
