//! Matrix products on the GPU: the tiled kernel of `shaders/matmul.wgsl`, behind every
//! product (`mm`, `bmm`, `matmul`, `addmm`, `baddbmm`, `linear`, the convolutions' GEMMs) the
//! way `cpu/matmul.rs` is on the host.

use super::kernel::{dispatch_groups, fill, groups_fit, template_key, Source};
use super::map::{fits_bindings, input_buffer, output_buffer};
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

const TEMPLATE: &str = include_str!("shaders/matmul.wgsl");
const LOAD_A: &str = include_str!("shaders/matmul_load_a.wgsl");
const LOAD_B: &str = include_str!("shaders/matmul_load_b.wgsl");
const LOAD_A_VEC4: &str = include_str!("shaders/matmul_load_a_vec4.wgsl");
const LOAD_B_VEC4: &str = include_str!("shaders/matmul_load_b_vec4.wgsl");

/// Whether operand `t` of a product (batch dims first) can be read in vec4s along its last
/// dim: row-major matrices whose rows, start, batch strides and width (`k` for a, `n` for b)
/// are all multiples of 4 elements, so every vec4 is aligned and lies in one row.
fn vec4_rows(t: &Tensor) -> bool {
    let nb = t.ndim() - 2;
    let strides = t.strides();
    strides[nb + 1] == 1
        && t.shape()[nb + 1] % 4 == 0
        && t.storage_offset() % 4 == 0
        && strides[..=nb].iter().all(|s| s % 4 == 0)
}
/// The shader's register blocking: (BLOCK, DEPTH). A workgroup computes a TILE = 16 * BLOCK
/// square of outputs, walking k in slices of DEPTH. Small products (one tile or less) take
/// BLOCK = 4, so more workgroups share the work; larger ones BLOCK = 8, where 16 loads from
/// workgroup memory feed 64 multiply-adds (and the two slices of 128 x 8 fill 8 KiB).
fn blocking(m: usize, n: usize, batch: usize) -> (usize, usize) {
    if m * n * batch <= 128 * 128 {
        (4, 16)
    } else {
        (8, 8)
    }
}

/// How loading threads map to a slice of an operand: `index` in 0..TILE * DEPTH becomes
/// (r, c). The slice is TILE x DEPTH for a and DEPTH x TILE for b; neighbouring threads take
/// neighbouring elements along the operand's unit-stride dim, so their reads coalesce.
fn slice_map(rows: usize, cols: usize, unit_stride_along_cols: bool) -> String {
    let (r_extent, c_extent) = (rows, cols);
    if unit_stride_along_cols {
        format!("let r = index / {c_extent}u;\n            let c = index % {c_extent}u;")
    } else {
        format!("let r = index % {r_extent}u;\n            let c = index / {r_extent}u;")
    }
}

/// `out = alpha * a @ b (+ beta * out)` for float32 operands on the GPU, over the leading batch
/// dims `a` and `b` share (broadcast dims have stride 0); `out` is a fresh contiguous
/// `(batch..., m, n)` tensor. False (nothing done) for other dtypes, or operands too large for
/// one binding, 32-bit indices or one grid: the caller then runs the CPU kernel.
pub fn product(
    a: &Tensor,
    b: &Tensor,
    out: &Tensor,
    alpha: f64,
    beta: Option<f64>,
) -> Result<bool> {
    if [a, b, out].iter().any(|t| t.dtype() != DType::F32)
        || !out.is_contiguous()
        || out.storage_offset() != 0
        || !fits_bindings(&[a, b, out])?
    {
        return Ok(false);
    }
    if out.numel() == 0 {
        return Ok(true);
    }
    let nb = a.ndim() - 2;
    let (m, n) = (a.shape()[nb], b.shape()[nb + 1]);
    let batch: usize = a.shape()[..nb].iter().product();
    let (block, depth) = blocking(m, n, batch);
    let tile = 16 * block;
    let groups = [n.div_ceil(tile), m.div_ceil(tile), batch];
    if !groups_fit(groups.map(|g| g as u64))? {
        return Ok(false);
    }
    let Some(words) = shape_info(a, b, alpha, beta) else {
        return Ok(false);
    };
    let (a_rs, a_cs) = (a.strides()[nb], a.strides()[nb + 1]);
    let (b_rs, b_cs) = (b.strides()[nb], b.strides()[nb + 1]);
    let (a_type, load_a) = if vec4_rows(a) {
        ("vec4<f32>", LOAD_A_VEC4.to_string())
    } else {
        let map = slice_map(tile, depth, a_cs == 1 || a_rs != 1);
        ("f32", LOAD_A.replace("{{A_SLICE}}", &map))
    };
    let (b_type, load_b) = if vec4_rows(b) {
        ("vec4<f32>", LOAD_B_VEC4.to_string())
    } else {
        let map = slice_map(depth, tile, b_cs == 1 || b_rs != 1);
        ("f32", LOAD_B.replace("{{B_SLICE}}", &map))
    };
    let (block, depth) = (block.to_string(), depth.to_string());
    let pieces = [
        ("{{LOAD_A}}", load_a.as_str()),
        ("{{LOAD_B}}", &load_b),
        ("{{BLOCK}}", &block),
        ("{{DEPTH}}", &depth),
        ("{{A_TYPE}}", a_type),
        ("{{B_TYPE}}", b_type),
    ];
    let write = || fill(TEMPLATE, &pieces);
    let source = Source::Keyed(template_key("matmul", &pieces), &write);
    // With beta the kernel reads `out` (holding the input to add).
    let buffers = [
        output_buffer(out, beta.is_some())?,
        input_buffer(a)?,
        input_buffer(b)?,
    ];
    let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
    let groups = groups.map(|g| g as u32);
    dispatch_groups("matmul", source, &refs, &words, groups)?;
    Ok(true)
}

/// The shader's `shape_info` words; None when an index does not fit 32 bits.
fn shape_info(a: &Tensor, b: &Tensor, alpha: f64, beta: Option<f64>) -> Option<Vec<u32>> {
    let word = |v: usize| u32::try_from(v).ok();
    word(a.layout().storage_extent())?;
    word(b.layout().storage_extent())?;
    let nb = a.ndim() - 2;
    let (m, n) = (a.shape()[nb], b.shape()[nb + 1]);
    word(a.shape()[..nb].iter().product::<usize>() * m * n)?;
    let mut words = vec![
        word(m)?,
        word(n)?,
        word(a.shape()[nb + 1])?,
        word(nb)?,
        word(a.storage_offset())?,
        word(b.storage_offset())?,
        word(a.strides()[nb])?,
        word(a.strides()[nb + 1])?,
        word(b.strides()[nb])?,
        word(b.strides()[nb + 1])?,
        (alpha as f32).to_bits(),
        (beta.unwrap_or(0.0) as f32).to_bits(),
        u32::from(beta.is_some()),
    ];
    for &d in &a.shape()[..nb] {
        words.push(word(d)?);
    }
    for t in [a, b] {
        for &s in &t.strides()[..nb] {
            words.push(word(s)?);
        }
    }
    Some(words)
}
