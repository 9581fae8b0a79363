//! Matrix products on the GPU: the tiled kernel of `shaders/matmul.wgsl`, behind every
//! product (`mm`, `bmm`, `matmul`, `addmm`, `baddbmm`, `linear`, the convolutions' GEMMs) the
//! way `cpu/matmul.rs` is on the host.

use super::bindings::{fits_bindings, input_buffer, output_buffer};
use super::kernel::{
    dispatch, dispatch_groups, fill, groups_fit, per_thread_source, split_parts, template_key,
    Source,
};
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;
use std::sync::OnceLock;

const TEMPLATE: &str = include_str!("shaders/matmul.wgsl");
const LOAD_A: &str = include_str!("shaders/matmul_load_a.wgsl");
const LOAD_B: &str = include_str!("shaders/matmul_load_b.wgsl");
const LOAD_A_VEC4: &str = include_str!("shaders/matmul_load_a_vec4.wgsl");
const LOAD_B_VEC4: &str = include_str!("shaders/matmul_load_b_vec4.wgsl");
const SPLIT_SUM: &str = include_str!("shaders/matmul_split_sum.wgsl");

/// The workgroups a product should launch to keep a large GPU busy: an H200 has 132
/// multiprocessors, each of which runs two of our 256-thread workgroups at once.
const BUSY_GROUPS: usize = 256;
/// The shortest run of k worth a part of its own when a product's k is split.
const MIN_PART: usize = 256;

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
/// square of outputs, walking k in slices of DEPTH. BLOCK = 8 (16 loads from workgroup memory
/// feed 64 multiply-adds, and the two slices of 128 x 8 fill 8 KiB) when that still gives
/// [`BUSY_GROUPS`] tiles and fills them; else BLOCK = 4, four times the workgroups, each with
/// half the arithmetic per load (a 1024 x 1024 output makes 64 tiles of 128, too few for a
/// large GPU, and a convolution's 32 output channels would fill a quarter of a tile of 128).
fn blocking(m: usize, n: usize, batch: usize) -> (usize, usize) {
    if m >= 128 && n >= 128 && m.div_ceil(128) * n.div_ceil(128) * batch >= BUSY_GROUPS {
        (8, 8)
    } else {
        (4, 16)
    }
}

/// The register block's code for the template, with constant indices: PRODUCT (a step of k:
/// BLOCK values of a and of b from workgroup memory, BLOCK^2 multiply-adds into `acc`) and
/// FINISH (each output written). Written once per BLOCK.
fn block_code(block: usize) -> &'static (String, String) {
    static CODE: [OnceLock<(String, String)>; 2] = [OnceLock::new(), OnceLock::new()];
    CODE[usize::from(block == 8)].get_or_init(|| write_block_code(block))
}

fn write_block_code(block: usize) -> (String, String) {
    let mut product = String::new();
    for i in 0..block {
        let at = 16 * i;
        product += &format!("            let a{i} = a_slice[a_at + {at}u];\n");
        product += &format!("            let b{i} = b_slice[b_at + {at}u];\n");
    }
    let mut finish = String::new();
    for i in 0..block {
        for j in 0..block {
            let k = i * block + j;
            product += &format!("            acc[{k}] = fma(a{i}, b{j}, acc[{k}]);\n");
            let (r, c) = (16 * i, 16 * j);
            finish += &format!("    finish(out_start, row + {r}u, col + {c}u, acc[{k}]);\n");
        }
    }
    (product, finish)
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
    let k = a.shape()[nb + 1];
    let (block, depth) = blocking(m, n, batch);
    let tile = 16 * block;
    let tiles = n.div_ceil(tile) * m.div_ceil(tile);
    // Each part's k range is a whole number of slices, so a vec4 never straddles two parts.
    let part = k
        .div_ceil(split_parts(tiles * batch, k, BUSY_GROUPS, MIN_PART))
        .next_multiple_of(depth);
    let parts = k.div_ceil(part.max(1)).max(1);
    let groups = [n.div_ceil(tile), m.div_ceil(tile), batch * parts];
    if !groups_fit(groups.map(|g| g as u64))? {
        return Ok(false);
    }
    // Split, the kernel writes plain partial products (alpha 1, no beta) for the sum to scale.
    let (kernel_alpha, kernel_beta) = if parts > 1 {
        (1.0, None)
    } else {
        (alpha, beta)
    };
    let Some(words) = shape_info(a, b, kernel_alpha, kernel_beta, part) else {
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
    let partials = if parts > 1 {
        let partials = Tensor::uninit_dense(&[parts * out.numel()], &[1], DType::F32)?;
        if !fits_bindings(&[&partials])? {
            return Ok(false);
        }
        Some(partials)
    } else {
        None
    };
    let (product, finish) = block_code(block);
    let (block, depth, split) = (block.to_string(), depth.to_string(), parts.to_string());
    let pieces = [
        ("{{PRODUCT}}", product.as_str()),
        ("{{FINISH}}", finish.as_str()),
        ("{{LOAD_A}}", load_a.as_str()),
        ("{{LOAD_B}}", &load_b),
        ("{{BLOCK}}", &block),
        ("{{DEPTH}}", &depth),
        ("{{SPLIT}}", &split),
        ("{{A_TYPE}}", a_type),
        ("{{B_TYPE}}", b_type),
    ];
    let write = || fill(TEMPLATE, &pieces);
    // (BLOCK, among the rest, determines PRODUCT and FINISH.)
    let source = Source::Keyed(template_key("matmul", &pieces[2..]), &write);
    // With beta the kernel reads `out` (holding the input to add).
    let buffers = [
        match &partials {
            Some(p) => output_buffer(p, false)?,
            None => output_buffer(out, beta.is_some())?,
        },
        input_buffer(a)?,
        input_buffer(b)?,
    ];
    let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
    let groups = groups.map(|g| g as u32);
    dispatch_groups("matmul", source, &refs, &words, groups)?;
    if let Some(partials) = partials {
        sum_parts(&partials, out, parts, m * n, alpha, beta)?;
    }
    Ok(true)
}

/// `out = alpha * (the sum of the `parts` partial products) (+ beta * out)`.
fn sum_parts(
    partials: &Tensor,
    out: &Tensor,
    parts: usize,
    plane: usize,
    alpha: f64,
    beta: Option<f64>,
) -> Result<()> {
    let source = per_thread_source(
        &[SPLIT_SUM],
        &[("out", "read_write", "f32"), ("parts", "read", "f32")],
    );
    let words = [
        out.numel() as u32,
        plane as u32,
        parts as u32,
        (alpha as f32).to_bits(),
        (beta.unwrap_or(0.0) as f32).to_bits(),
        u32::from(beta.is_some()),
    ];
    let buffers = [output_buffer(out, beta.is_some())?, input_buffer(partials)?];
    let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
    dispatch(
        "matmul_split_sum",
        source.as_str(),
        &refs,
        &words,
        out.numel() as u64,
    )
}

/// The shader's `shape_info` words; None when an index does not fit 32 bits.
fn shape_info(
    a: &Tensor,
    b: &Tensor,
    alpha: f64,
    beta: Option<f64>,
    part: usize,
) -> Option<Vec<u32>> {
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
        word(part)?,
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
