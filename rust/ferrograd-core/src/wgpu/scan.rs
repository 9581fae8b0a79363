//! Scans along a dim on the GPU (`shaders/scan.wgsl`), one workgroup per lane (the elements
//! along the dim at one position of the others): `cumsum` and `cumprod` of float32 and int64
//! (the dtype an integer or bool input's result takes; the caller casts first, as the CPU
//! does), and `cummax`/`cummin` (with the positions of the extremes) and `logcumsumexp` of
//! float32. Float32 is carried in float32 in a tree order, where the CPU carries float64 from
//! the start of the lane, so long lanes differ from it by rounding.

use super::bindings::{around_dim, dense_operand, input_buffer, output_buffer};
use super::kernel::{dispatch_groups, fill, folded_groups, template_key, Source};
use crate::device_scope::DeviceScope;
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::contiguous_strides;
use crate::tensor::Tensor;

const TEMPLATE: &str = concat!(
    include_str!("shaders/float.wgsl"),
    include_str!("shaders/math.wgsl"),
    include_str!("shaders/int64.wgsl"),
    include_str!("shaders/scan.wgsl")
);

/// The running value a scan carries.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ScanOp {
    Sum,
    Prod,
    /// The running max and where it was found: a later equal value, or any NaN, takes over.
    Max,
    Min,
    /// `log(sum(exp(x)))`.
    LogSumExp,
}

/// A later extreme takes over from an earlier one (`a` before `b`, see scan.wgsl); its value's
/// bits and position travel as a `vec2<u32>`.
const EXTREME: &str = "    let av = bitcast<f32>(a.x);
    let bv = bitcast<f32>(b.x);
    if is_nan(bv) || (!is_nan(av) && bv {{CMP}} av) {
        return b;
    }
    return a;";

/// PyTorch's `log_add_exp` (the CPU's `cpu::reduce_scan::log_add_exp`): infinities of one
/// sign give themselves, not NaN.
const LOG_ADD_EXP: &str = "    let low = select(b, a, is_nan(a) || a < b);
    let high = select(b, a, is_nan(a) || b < a);
    // NaN is tested by its bits (see float.wgsl), not trusted to compare unequal.
    if is_nan(low) || is_nan(high) || low != high || !is_inf(low) {
        return high + log1p_accurate(exp_accurate(low - high));
    }
    return b;";

/// The template's pieces for `op` on `dtype`: (VALUE, IDENTITY, COMBINE, READ, the output
/// bindings, STORE); None without a kernel.
fn pieces(op: ScanOp, dtype: DType) -> Option<[&'static str; 6]> {
    const ONE_OUTPUT_F32: &str = "@group(0) @binding(0) var<storage, read_write> out: array<f32>;";
    const ONE_OUTPUT_I64: &str =
        "@group(0) @binding(0) var<storage, read_write> out: array<vec2<u32>>;";
    const PAIR_OUTPUT: &str = "@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> positions: array<vec2<u32>>;";
    const STORE: &str = "        out[q] = running;";
    const STORE_PAIR: &str = "        out[q] = bitcast<f32>(running.x);
        positions[q] = vec2<u32>(running.y, 0u);";
    const EXTREME_READ: &str = "vec2<u32>(bitcast<u32>(x[p]), j)";
    Some(match (op, dtype) {
        (ScanOp::Sum, DType::F32) => [
            "f32",
            "0.0",
            "    return a + b;",
            "x[p]",
            ONE_OUTPUT_F32,
            STORE,
        ],
        (ScanOp::Prod, DType::F32) => [
            "f32",
            "1.0",
            "    return a * b;",
            "x[p]",
            ONE_OUTPUT_F32,
            STORE,
        ],
        (ScanOp::Sum, DType::I64) => [
            "vec2<u32>",
            "vec2<u32>(0u)",
            "    return i64_add(a, b);",
            "x[p]",
            ONE_OUTPUT_I64,
            STORE,
        ],
        (ScanOp::Prod, DType::I64) => [
            "vec2<u32>",
            "vec2<u32>(1u, 0u)",
            "    return i64_mul(a, b);",
            "x[p]",
            ONE_OUTPUT_I64,
            STORE,
        ],
        // The identity loses to every element: the other end of the range.
        (ScanOp::Max, DType::F32) => [
            "vec2<u32>",
            "vec2<u32>(0xff800000u, 0u)",
            EXTREME,
            EXTREME_READ,
            PAIR_OUTPUT,
            STORE_PAIR,
        ],
        (ScanOp::Min, DType::F32) => [
            "vec2<u32>",
            "vec2<u32>(0x7f800000u, 0u)",
            EXTREME,
            EXTREME_READ,
            PAIR_OUTPUT,
            STORE_PAIR,
        ],
        (ScanOp::LogSumExp, DType::F32) => [
            "f32",
            "bitcast<f32>(0xff800000u)",
            LOG_ADD_EXP,
            "x[p]",
            ONE_OUTPUT_F32,
            STORE,
        ],
        _ => return None,
    })
}

/// The running `op` of `t` along `dim`, as new contiguous tensors: the values, and for
/// `Max`/`Min` the int64 positions. None when the GPU cannot run it.
pub fn scan(t: &Tensor, dim: usize, op: ScanOp) -> Result<Option<(Tensor, Option<Tensor>)>> {
    let Some([value, identity, combine, read, outputs, store]) = pieces(op, t.dtype()) else {
        return Ok(None);
    };
    let Some(x) = dense_operand(t)? else {
        return Ok(None);
    };
    let shape = t.shape();
    let (lanes, n, inner) = around_dim(shape, dim);
    let _on = DeviceScope::enter(t.device());
    let new = |dtype| Tensor::uninit_dense(shape, &contiguous_strides(shape), dtype);
    let out = new(t.dtype())?;
    let positions = match op {
        ScanOp::Max | ScanOp::Min => Some(new(DType::I64)?),
        _ => None,
    };
    if out.numel() == 0 {
        return Ok(Some((out, positions)));
    }
    let word = |v: usize| u32::try_from(v).ok();
    let Some(meta) = (|| {
        Some([
            word(lanes)?,
            word(n)?,
            word(inner)?,
            word(x.storage_offset())?,
        ])
    })() else {
        return Ok(None);
    };
    let mut buffers = vec![output_buffer(&out, false)?];
    if let Some(p) = &positions {
        buffers.push(output_buffer(p, false)?);
    }
    let input_type = if t.dtype() == DType::I64 {
        "vec2<u32>"
    } else {
        "f32"
    };
    let bindings = format!(
        "{outputs}\n@group(0) @binding({}) var<storage, read> x: array<{input_type}>;\n\
         @group(0) @binding({}) var<storage, read> shape_info: array<u32>;",
        buffers.len(),
        buffers.len() + 1
    );
    buffers.push(input_buffer(&x)?);
    let cmp = if op == ScanOp::Max { ">=" } else { "<=" };
    let combine = combine.replace("{{CMP}}", cmp);
    let pieces = [
        ("{{BINDINGS}}", bindings.as_str()),
        ("{{VALUE}}", value),
        ("{{IDENTITY}}", identity),
        ("{{COMBINE}}", &combine),
        ("{{READ}}", read),
        ("{{STORE}}", store),
    ];
    let write = || fill(TEMPLATE, &pieces);
    let source = Source::Keyed(template_key("scan", &pieces), &write);
    let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
    dispatch_groups("scan", source, &refs, &meta, folded_groups(meta[0])?)?;
    Ok(Some((out, positions)))
}
