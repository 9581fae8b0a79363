//! The GPU's elementwise kernels: one WGSL template (`shaders/elementwise.wgsl`) for every
//! unary and binary op, filled in with the op's row of the WGSL op table below.
//!
//! A row is written only where WGSL's function has PyTorch's semantics at float32 tolerance,
//! including NaN and infinities. Left out for now: `log` and `sqrt` (Vulkan leaves them
//! undefined below zero, where PyTorch gives NaN), and `tanh` (drivers compute it from `exp`,
//! which loses all relative accuracy near zero). An op without a row runs its CPU kernel (see
//! `resident.rs`).

use super::kernel::dispatch;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::Layout;
use crate::op::{BinaryOp, UnaryOp};
use crate::tensor::Tensor;

const TEMPLATE: &str = include_str!("shaders/elementwise.wgsl");

/// The WGSL op table for unary ops: an expression in `x`.
fn unary_expr(op: UnaryOp) -> Option<&'static str> {
    use UnaryOp::*;
    Some(match op {
        Abs => "abs(x)",
        Neg => "-x",
        Exp => "exp(x)",
        Square => "x * x",
        Sigmoid => "1.0 / (1.0 + exp(-x))",
        // NaN stays NaN (a comparison with NaN is false), as in PyTorch.
        Relu => "select(x, 0.0, x < 0.0)",
        Floor => "floor(x)",
        Ceil => "ceil(x)",
        Trunc => "trunc(x)",
        Reciprocal => "1.0 / x",
        _ => return None,
    })
}

/// The WGSL op table for binary ops: an expression in `x` and `y`.
fn binary_expr(op: BinaryOp) -> Option<&'static str> {
    use BinaryOp::*;
    Some(match op {
        Add => "x + y",
        Sub => "x - y",
        Mul => "x * y",
        Div => "x / y",
        _ => return None,
    })
}

/// The WGSL name of the element type, for the dtypes the kernels take so far.
fn wgsl_type(dtype: DType) -> Option<&'static str> {
    match dtype {
        DType::F32 => Some("f32"),
        _ => None,
    }
}

/// `out = op(x)` on the GPU; `x` has `out`'s shape and dtype. False (nothing done) when the GPU
/// has no kernel for the op on this dtype, or the operands are too large for one binding or for
/// 32-bit indices: the caller then runs the CPU kernel.
pub fn unary(op: UnaryOp, out: &Tensor, x: &Tensor) -> Result<bool> {
    match unary_expr(op) {
        Some(expr) => run(op.info().name, expr, out, &[x]),
        None => Ok(false),
    }
}

/// `out = op(x, y)` on the GPU; `x` and `y` have `out`'s shape and dtype. False as in `unary`.
pub fn binary(op: BinaryOp, out: &Tensor, x: &Tensor, y: &Tensor) -> Result<bool> {
    match binary_expr(op) {
        Some(expr) => run(op.info().name, expr, out, &[x, y]),
        None => Ok(false),
    }
}

/// The layout words of the template's `meta`: all operands share one shape.
fn meta(layouts: &[&Layout]) -> Option<Vec<u32>> {
    let shape = layouts[0].shape();
    let word = |v: usize| u32::try_from(v).ok();
    let numel: usize = shape.iter().product();
    let mut words = vec![word(numel)?, word(shape.len())?];
    for l in layouts {
        // The furthest element must be addressable with 32-bit indices.
        words.push(word(l.offset())?);
        word(l.storage_extent())?;
    }
    for &d in shape {
        words.push(word(d)?);
    }
    for l in layouts {
        for &s in l.strides() {
            words.push(word(s)?);
        }
    }
    Some(words)
}

/// An input's GPU buffer. A CPU input (a 0-dim CPU tensor, which PyTorch lets GPU ops take as a
/// number) is uploaded for this one kernel.
fn input_buffer(t: &Tensor) -> Result<::wgpu::Buffer> {
    if t.device() == crate::device::Device::Cpu {
        let guard = t.storage().read();
        return Ok(super::transfer::upload(guard.cpu()?.as_bytes())?
            .buffer()
            .clone());
    }
    let mut guard = t.storage().write_gpu();
    Ok(guard.wgpu_mut()?.gpu()?.buffer().clone())
}

/// Whether every operand's storage fits one shader binding.
fn fits_bindings(tensors: &[&Tensor]) -> Result<bool> {
    let most = super::context()?.limits.max_storage_buffer_binding_size as usize;
    Ok(tensors.iter().all(|t| t.storage().nbytes() <= most))
}

fn run(name: &str, expr: &str, out: &Tensor, inputs: &[&Tensor]) -> Result<bool> {
    let Some(ty) = wgsl_type(out.dtype()) else {
        return Ok(false);
    };
    let layouts: Vec<&Layout> = std::iter::once(out.layout())
        .chain(inputs.iter().map(|t| t.layout()))
        .collect();
    let all: Vec<&Tensor> = std::iter::once(out).chain(inputs.iter().copied()).collect();
    let Some(words) = meta(&layouts).filter(|_| fits_bindings(&all).unwrap_or(false)) else {
        return Ok(false);
    };
    // The output is bound read-write; an input sharing its storage (an in-place op) is read
    // from that same binding, since one buffer cannot be bound twice where one is writable.
    let out_buffer = {
        let mut guard = out.storage().write_gpu();
        guard.wgpu_mut()?.gpu_mut()?.buffer().clone()
    };
    let mut bindings =
        format!("@group(0) @binding(0) var<storage, read_write> out: array<{ty}>;\n");
    let mut buffers = vec![out_buffer];
    let mut loads = String::new();
    for (k, (t, var)) in inputs.iter().zip(["x", "y"]).enumerate() {
        let array = if t.storage().same(out.storage()) {
            "out".to_string()
        } else {
            let buffer = input_buffer(t)?;
            let binding = buffers.len();
            bindings.push_str(&format!(
                "@group(0) @binding({binding}) var<storage, read> in{k}: array<{ty}>;\n"
            ));
            buffers.push(buffer);
            format!("in{k}")
        };
        loads.push_str(&format!(
            "    let {var} = {array}[position(i, {}u)];\n",
            k + 1
        ));
    }
    let source = TEMPLATE
        .replace("{{BINDINGS}}", &bindings)
        .replace("{{META_BINDING}}", &buffers.len().to_string())
        .replace("{{OPERANDS}}", &layouts.len().to_string())
        .replace("{{LOADS}}", &loads)
        .replace("{{EXPR}}", expr);
    let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
    dispatch(name, &source, &refs, &words, u64::from(words[0]))?;
    Ok(true)
}
