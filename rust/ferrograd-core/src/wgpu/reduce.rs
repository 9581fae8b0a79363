//! Reductions on the GPU: `sum`, `nansum`, `mean`, `prod`, `amax`/`amin`, `max`/`min` (with
//! or without a dim) and `argmax`/`argmin` over float32 tensors, the extremes (with their
//! positions) of int32 and int64 tensors (`one_hot` checks its classes with them), and `sum`
//! of bool and integer tensors into int64 (a classifier's count of hits), as one template
//! (`shaders/reduce.wgsl`) filled with the op's row of the WGSL table below. float16 and
//! bfloat16 tensors are reduced as float32 (`widened_half`).
//!
//! Each entry point returns None (nothing done) when the GPU has no kernel for the case, and
//! the caller then runs the CPU kernel: other dtypes, or indices past 32 bits.

use super::bindings::{fits_bindings, input_buffer, output_buffer};
use super::kernel::{dispatch, fill, split_parts, template_key, Source};
use super::map::cast_outside_graph;
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::contiguous_strides;
use crate::tensor::Tensor;

const TEMPLATE: &str = concat!(
    include_str!("shaders/float.wgsl"),
    include_str!("shaders/int64.wgsl"),
    include_str!("shaders/reduce.wgsl")
);

/// The reductions with a GPU kernel.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reduction {
    Sum,
    /// Sum with NaNs counted as zero.
    NanSum,
    Mean,
    Prod,
    Max,
    Min,
}

/// The WGSL op table: (identity, load of `x` at position `r`, combine of `a` and `b`).
fn row(op: Reduction) -> (&'static str, &'static str, &'static str) {
    // max/min: NaN wins; between equals (or two NaNs) the first position wins.
    const PICK: &str = "    let a_nan = is_nan(a.v);
    let b_nan = is_nan(b.v);
    var take_b = b_nan && (!a_nan || b.i < a.i);
    if !a_nan && !b_nan {
        take_b = b.v {{CMP}} a.v || (b.v == a.v && b.i < a.i);
    }
    if take_b {
        return b;
    }
    return a;";
    match op {
        Reduction::Sum | Reduction::Mean => (
            "Acc(0.0, 0u)",
            "Acc(x, r)",
            "    return Acc(a.v + b.v, 0u);",
        ),
        Reduction::NanSum => (
            "Acc(0.0, 0u)",
            "Acc(select(x, 0.0, is_nan(x)), r)",
            "    return Acc(a.v + b.v, 0u);",
        ),
        Reduction::Prod => (
            "Acc(1.0, 0u)",
            "Acc(x, r)",
            "    return Acc(a.v * b.v, 0u);",
        ),
        // The identity loses to every element: the lowest value, at the last position.
        Reduction::Max => (
            "Acc(bitcast<f32>(0xff800000u), 0xffffffffu)",
            "Acc(x, r)",
            PICK,
        ),
        Reduction::Min => (
            "Acc(bitcast<f32>(0x7f800000u), 0xffffffffu)",
            "Acc(x, r)",
            PICK,
        ),
    }
}

/// The WGSL op table of the integer reductions (see `row`): the int64 sum, and max/min of
/// int32 (`i32`) and int64 (`vec2<u32>`, shaders/int64.wgsl), the first position winning
/// between equals.
fn integer_row(op: Reduction, value: &str) -> (&'static str, &'static str, &'static str) {
    const PICK_I32: &str = "    if b.v {{CMP}} a.v || (b.v == a.v && b.i < a.i) {
        return b;
    }
    return a;";
    const PICK_MAX_I64: &str = "    if i64_lt(a.v, b.v) || (all(b.v == a.v) && b.i < a.i) {
        return b;
    }
    return a;";
    const PICK_MIN_I64: &str = "    if i64_lt(b.v, a.v) || (all(b.v == a.v) && b.i < a.i) {
        return b;
    }
    return a;";
    // The identity of max/min loses to every element: the extreme value, at the last position.
    match (op, value) {
        (Reduction::Max, "i32") => ("Acc(-2147483647 - 1, 0xffffffffu)", "Acc(x, r)", PICK_I32),
        (Reduction::Min, "i32") => ("Acc(2147483647, 0xffffffffu)", "Acc(x, r)", PICK_I32),
        (Reduction::Max, _) => (
            "Acc(vec2<u32>(0u, 0x80000000u), 0xffffffffu)",
            "Acc(x, r)",
            PICK_MAX_I64,
        ),
        (Reduction::Min, _) => (
            "Acc(vec2<u32>(0xffffffffu, 0x7fffffffu), 0xffffffffu)",
            "Acc(x, r)",
            PICK_MIN_I64,
        ),
        _ => (
            "Acc(vec2<u32>(0u), 0u)",
            "Acc(x, r)",
            "    return Acc(i64_add(a.v, b.v), 0u);",
        ),
    }
}

/// The `shape_info` words: reducing the dims flagged in `mask`; None past 32 bits.
fn shape_info(t: &Tensor, mask: &[bool]) -> Option<Vec<u32>> {
    let word = |v: usize| u32::try_from(v).ok();
    word(t.layout().storage_extent())?;
    let pick = |reduced: bool| -> (Vec<usize>, Vec<usize>) {
        let dims = (0..t.ndim()).filter(|&d| mask[d] == reduced);
        dims.map(|d| (t.shape()[d], t.strides()[d])).unzip()
    };
    let (kept_shape, kept_strides) = pick(false);
    let (red_shape, red_strides) = pick(true);
    let outputs: usize = kept_shape.iter().product();
    let count: usize = red_shape.iter().product();
    let mut words = vec![
        word(outputs)?,
        word(count)?,
        word(kept_shape.len())?,
        word(red_shape.len())?,
        word(t.storage_offset())?,
    ];
    for v in [kept_shape, kept_strides, red_shape, red_strides] {
        for x in v {
            words.push(word(x)?);
        }
    }
    words.push(word(count)?); // a mean's divisor
    Some(words)
}

/// Threads per output: enough to spread a long reduction over a workgroup, few for short ones.
pub(crate) fn lanes(count: usize) -> u32 {
    match count {
        0..=15 => 1,
        16..=255 => 16,
        _ => 256,
    }
}

/// Reduces `t` over the dims flagged in `mask` into a new tensor of `shape` (the kept dims, in
/// order, with any kept size-1 dims): float32, or int64 for the sum of an integer or bool
/// tensor. With `indices`, also the int64 positions (row-major over the reduced dims) the
/// values came from.
fn run(
    op: Reduction,
    t: &Tensor,
    mask: &[bool],
    shape: &[usize],
    indices: bool,
) -> Result<Option<(Tensor, Option<Tensor>)>> {
    // The accumulated type and output dtype, the input's WGSL element type and the read of
    // the element at p as that type.
    let (value, out_dtype, input_type, read) = match (t.dtype(), op) {
        (DType::F32, _) => ("f32", DType::F32, "f32", "input[p]"),
        (DType::I64, Reduction::Sum | Reduction::Max | Reduction::Min) => {
            ("vec2<u32>", DType::I64, "vec2<u32>", "input[p]")
        }
        (DType::I32, Reduction::Max | Reduction::Min) => ("i32", DType::I32, "i32", "input[p]"),
        (DType::I32, Reduction::Sum) => (
            "vec2<u32>",
            DType::I64,
            "i32",
            "vec2<u32>(bitcast<u32>(input[p]), select(0u, 0xffffffffu, input[p] < 0))",
        ),
        (DType::Bool | DType::U8, Reduction::Sum) => (
            "vec2<u32>",
            DType::I64,
            "u32",
            "vec2<u32>((input[p / 4u] >> ((p % 4u) * 8u)) & 0xffu, 0u)",
        ),
        _ => return Ok(None),
    };
    if !t.device().is_wgpu() || !fits_bindings(&[t])? {
        return Ok(None);
    }
    let Some(words) = shape_info(t, mask) else {
        return Ok(None);
    };
    let strides = contiguous_strides(shape);
    let values = Tensor::uninit_dense(shape, &strides, out_dtype)?;
    let index_out = if indices {
        Some(Tensor::uninit_dense(shape, &strides, DType::I64)?)
    } else {
        None
    };
    let (outputs, count) = (words[0] as usize, words[1] as usize);
    if outputs == 0 {
        return Ok(Some((values, index_out)));
    }
    let (load, _, _) = row_of(op, value);
    let parts = parts(outputs, count);
    let whole = Pass {
        op,
        value,
        input: t,
        input_type,
        read,
        load,
        positions: None,
        values: &values,
        indices: index_out.as_ref(),
        parts: 1,
        words: &words,
    };
    if parts == 1 {
        dispatch_pass(&whole)?;
        return Ok(Some((values, index_out)));
    }
    // First the parts' results (and positions, for max/min) as (outputs, parts) matrices...
    let picks = matches!(op, Reduction::Max | Reduction::Min);
    let partial_values = Tensor::uninit_dense(&[outputs, parts], &[parts, 1], out_dtype)?;
    let partial_positions = match picks {
        true => Some(Tensor::uninit_dense(
            &[outputs, parts],
            &[parts, 1],
            DType::I32,
        )?),
        false => None,
    };
    dispatch_pass(&Pass {
        values: &partial_values,
        indices: partial_positions.as_ref(),
        parts,
        ..whole
    })?;
    // ...then each row of them reduced, carrying the positions the parts found. A NaN in a
    // nansum's part came from inf - inf, so the parts are summed as they are.
    let Some(mut part_words) = shape_info(&partial_values, &[false, true]) else {
        return Ok(None);
    };
    *part_words.last_mut().expect("the divisor word") = count as u32;
    dispatch_pass(&Pass {
        op: if op == Reduction::NanSum {
            Reduction::Sum
        } else {
            op
        },
        input: &partial_values,
        input_type: value,
        read: "input[p]",
        load: if picks {
            "Acc(x, positions[p])"
        } else {
            "Acc(x, 0u)"
        },
        positions: partial_positions.as_ref(),
        words: &part_words,
        ..whole
    })?;
    Ok(Some((values, index_out)))
}

/// The reductions worth spreading over a GPU: fewer outputs than [`BUSY_GROUPS`], each over
/// enough elements for several parts of [`MIN_PART`].
const BUSY_GROUPS: usize = 1024;
const MIN_PART: usize = 4096;

/// How many parts each of `outputs` reductions of `count` elements is split in (1: none).
fn parts(outputs: usize, count: usize) -> usize {
    let parts = split_parts(outputs, count, BUSY_GROUPS, MIN_PART);
    // A lane's last step past the end must not wrap around 32 bits.
    match u32::try_from(count + 256 * parts) {
        Ok(_) => parts,
        Err(_) => 1,
    }
}

/// One dispatch of the template: `op` over `input`, into `values` (and `indices`) of the
/// outputs, or with `parts` > 1 into each part's (outputs, parts) matrices.
#[derive(Clone, Copy)]
struct Pass<'a> {
    op: Reduction,
    /// The WGSL type accumulated (and stored in `values`).
    value: &'static str,
    input: &'a Tensor,
    input_type: &'static str,
    /// The element at position p of `input`, as a `value`.
    read: &'static str,
    /// That element `x` (from reduced position r) as an Acc.
    load: &'static str,
    /// The positions the first pass found, bound as `positions` for the second to read.
    positions: Option<&'a Tensor>,
    values: &'a Tensor,
    indices: Option<&'a Tensor>,
    parts: usize,
    words: &'a [u32],
}

/// The op's (load, identity, combine) for the accumulated WGSL type `value`.
fn row_of(op: Reduction, value: &str) -> (&'static str, &'static str, String) {
    let (identity, load, combine) = match value {
        "f32" => row(op),
        _ => integer_row(op, value),
    };
    let cmp = if op == Reduction::Max { ">" } else { "<" };
    (load, identity, combine.replace("{{CMP}}", cmp))
}

fn dispatch_pass(pass: &Pass<'_>) -> Result<()> {
    let value = pass.value;
    let (_, identity, combine) = row_of(pass.op, value);
    let split = pass.parts > 1;
    let mut buffers = vec![output_buffer(pass.values, false)?];
    let mut bindings =
        format!("@group(0) @binding(0) var<storage, read_write> out: array<{value}>;\n");
    // Split, a part stores its result unscaled and its position as it is.
    let (at, finish, position) = match (split, pass.op) {
        (true, _) => ("o * PARTS + part", "acc.v", ("u32", "acc.i")),
        (false, Reduction::Mean) => (
            "o",
            "acc.v / mean_divisor()",
            ("vec2<u32>", "vec2<u32>(acc.i, 0u)"),
        ),
        (false, _) => ("o", "acc.v", ("vec2<u32>", "vec2<u32>(acc.i, 0u)")),
    };
    let mut store = format!("        out[{at}] = {finish};\n");
    if let Some(indices) = pass.indices {
        buffers.push(output_buffer(indices, false)?);
        let (ty, stored) = position;
        bindings.push_str(&format!(
            "@group(0) @binding(1) var<storage, read_write> index_out: array<{ty}>;\n"
        ));
        store.push_str(&format!("        index_out[{at}] = {stored};\n"));
    }
    let mut declare = |name: &str, ty: &str, t: &Tensor| -> Result<()> {
        bindings.push_str(&format!(
            "@group(0) @binding({}) var<storage, read> {name}: array<{ty}>;\n",
            buffers.len()
        ));
        buffers.push(input_buffer(t)?);
        Ok(())
    };
    declare("input", pass.input_type, pass.input)?;
    if let Some(positions) = pass.positions {
        declare("positions", "u32", positions)?;
    }
    bindings.push_str(&format!(
        "@group(0) @binding({}) var<storage, read> shape_info: array<u32>;\n",
        buffers.len()
    ));
    let lanes = lanes(pass.words[1] as usize);
    let (lanes_text, parts_text) = (lanes.to_string(), pass.parts.to_string());
    let pieces = [
        ("{{BINDINGS}}", bindings.as_str()),
        ("{{LANES}}", &lanes_text),
        ("{{PARTS}}", &parts_text),
        ("{{VALUE}}", value),
        ("{{READ}}", pass.read),
        ("{{IDENTITY}}", identity),
        ("{{LOAD}}", pass.load),
        ("{{COMBINE}}", &combine),
        ("{{STORE}}", &store),
    ];
    let write = || fill(TEMPLATE, &pieces);
    let per_group = 256 / u64::from(lanes);
    let groups = (pass.words[0] as u64).div_ceil(per_group) * pass.parts as u64;
    let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
    let source = Source::Keyed(template_key("reduce", &pieces), &write);
    dispatch("reduce", source, &refs, pass.words, groups * 256)
}

/// The values of `op` over the flagged dims, shaped `shape`; None when the CPU must do it.
pub fn values(op: Reduction, t: &Tensor, mask: &[bool], shape: &[usize]) -> Result<Option<Tensor>> {
    let wide = widened_half(t)?;
    let found = run(op, wide.as_ref().unwrap_or(t), mask, shape, false)?;
    found.map(|(v, _)| narrowed(v, &wide, t)).transpose()
}

/// A 16-bit float tensor as float32 (exact; cast on the GPU), which is reduced instead: the
/// CPU too accumulates them in float32, and rounds the result once.
fn widened_half(t: &Tensor) -> Result<Option<Tensor>> {
    match t.dtype() {
        DType::F16 | DType::BF16 => Ok(Some(cast_outside_graph(t, DType::F32)?)),
        _ => Ok(None),
    }
}

/// The values of a reduction of `wide` (`t` widened, if it was) in `t`'s dtype.
fn narrowed(values: Tensor, wide: &Option<Tensor>, t: &Tensor) -> Result<Tensor> {
    match wide {
        Some(_) => cast_outside_graph(&values, t.dtype()),
        None => Ok(values),
    }
}

/// The extremes over the flagged dims and their first positions (`max(dim)`, `argmax`).
pub fn with_indices(
    largest: bool,
    t: &Tensor,
    mask: &[bool],
    shape: &[usize],
) -> Result<Option<(Tensor, Tensor)>> {
    let op = if largest {
        Reduction::Max
    } else {
        Reduction::Min
    };
    let wide = widened_half(t)?;
    match run(op, wide.as_ref().unwrap_or(t), mask, shape, true)? {
        Some((v, Some(i))) => Ok(Some((narrowed(v, &wide, t)?, i))),
        _ => Ok(None),
    }
}
