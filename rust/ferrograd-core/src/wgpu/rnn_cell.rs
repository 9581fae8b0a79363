//! One LSTM or GRU step's elementwise part and its gradient on the GPU
//! (`shaders/rnn_cell.wgsl`): the kernels behind `lstm_cell_pointwise` and
//! `gru_cell_pointwise`, one thread per element of the (B, H) state, with the CPU kernel's
//! layouts, so either device's workspace feeds the other's backward.
//!
//! Each returns None (nothing done) when the GPU cannot run it (not float32, or too large);
//! the caller then runs the CPU kernel.

use super::bindings::{dense_operand, input_buffer, output_buffer};
use super::kernel::{dispatch, per_thread_source};
use crate::device_scope::DeviceScope;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

const FLOAT: &str = include_str!("shaders/float.wgsl");
const MATH: &str = include_str!("shaders/math.wgsl");
const CELLS: &str = include_str!("shaders/rnn_cell.wgsl");
const LSTM_FORWARD: &str = include_str!("shaders/lstm_forward.wgsl");
const LSTM_BACKWARD: &str = include_str!("shaders/lstm_backward.wgsl");
const GRU_FORWARD: &str = include_str!("shaders/gru_forward.wgsl");
const GRU_BACKWARD: &str = include_str!("shaders/gru_backward.wgsl");

/// Runs the kernel `(label, body)` over `batch * hidden` threads: reads `inputs` (float32,
/// made contiguous), writes new contiguous float32 tensors of `outputs`' shapes.
fn run(
    (kernel, body): (&str, &str),
    [batch, hidden]: [usize; 2],
    inputs: &[&Tensor],
    outputs: &[&[usize]],
) -> Result<Option<Vec<Tensor>>> {
    if inputs.iter().any(|t| t.dtype() != DType::F32) {
        return Ok(None);
    }
    // (a backward pass allocates on its inputs' device too)
    let _on = DeviceScope::of(inputs)?;
    let mut dense = Vec::with_capacity(inputs.len());
    for t in inputs {
        match dense_operand(t)? {
            Some(t) => dense.push(t),
            None => return Ok(None),
        }
    }
    let inputs = dense;
    let threads = batch * hidden;
    let word = |v: usize| u32::try_from(v).ok();
    let words = (|| {
        let mut words = vec![word(threads)?, word(hidden)?];
        for t in &inputs {
            words.push(word(t.storage_offset())?);
        }
        for shape in outputs {
            word(shape.iter().product())?;
        }
        Some(words)
    })();
    let Some(words) = words else {
        return Ok(None);
    };
    let outs = outputs
        .iter()
        .map(|shape| Tensor::uninit_dense(shape, &[shape[1], 1], DType::F32))
        .collect::<Result<Vec<Tensor>>>()?;
    if threads > 0 {
        let names: Vec<(String, &str)> = (0..outs.len())
            .map(|k| (format!("out{k}"), "read_write"))
            .chain((0..inputs.len()).map(|k| (format!("in{k}"), "read")))
            .collect();
        let bindings: Vec<(&str, &str, &str)> =
            names.iter().map(|(n, a)| (n.as_str(), *a, "f32")).collect();
        let mut buffers = Vec::new();
        for t in &outs {
            buffers.push(output_buffer(t, false)?);
        }
        for t in &inputs {
            buffers.push(input_buffer(t)?);
        }
        let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
        let source = per_thread_source(&[FLOAT, MATH, CELLS, body], &bindings);
        dispatch(kernel, &source, &refs, &words, threads as u64)?;
    }
    Ok(Some(outs))
}

/// `(h', c', workspace)` of one LSTM step from `gates` (B, 4H) and `c` (B, H).
pub fn lstm_forward(gates: &Tensor, c: &Tensor, hidden: usize) -> Result<Option<[Tensor; 3]>> {
    let b = c.shape()[0];
    let shapes: [&[usize]; 3] = [&[b, hidden], &[b, hidden], &[b, 5 * hidden]];
    let outs = run(
        ("lstm_forward", LSTM_FORWARD),
        [b, hidden],
        &[gates, c],
        &shapes,
    )?;
    Ok(outs.and_then(|o| o.try_into().ok()))
}

/// `(d gates, dc)` of one LSTM step from its workspace, `c`, and the gradients of h' and c'.
pub fn lstm_backward(
    workspace: &Tensor,
    c: &Tensor,
    dh: &Tensor,
    dc_next: &Tensor,
    hidden: usize,
) -> Result<Option<[Tensor; 2]>> {
    let b = c.shape()[0];
    let shapes: [&[usize]; 2] = [&[b, 4 * hidden], &[b, hidden]];
    let outs = run(
        ("lstm_backward", LSTM_BACKWARD),
        [b, hidden],
        &[workspace, c, dh, dc_next],
        &shapes,
    )?;
    Ok(outs.and_then(|o| o.try_into().ok()))
}

/// `(h', workspace)` of one GRU step from `gx`, `gh` (B, 3H) and `h` (B, H).
pub fn gru_forward(
    gx: &Tensor,
    gh: &Tensor,
    h: &Tensor,
    hidden: usize,
) -> Result<Option<[Tensor; 2]>> {
    let b = h.shape()[0];
    let shapes: [&[usize]; 2] = [&[b, hidden], &[b, 5 * hidden]];
    let outs = run(
        ("gru_forward", GRU_FORWARD),
        [b, hidden],
        &[gx, gh, h],
        &shapes,
    )?;
    Ok(outs.and_then(|o| o.try_into().ok()))
}

/// `(d gx, d gh, dh)` of one GRU step from its workspace and the gradient of h'.
pub fn gru_backward(
    workspace: &Tensor,
    dh_next: &Tensor,
    hidden: usize,
) -> Result<Option<[Tensor; 3]>> {
    let b = dh_next.shape()[0];
    let shapes: [&[usize]; 3] = [&[b, 3 * hidden], &[b, 3 * hidden], &[b, hidden]];
    let outs = run(
        ("gru_backward", GRU_BACKWARD),
        [b, hidden],
        &[workspace, dh_next],
        &shapes,
    )?;
    Ok(outs.and_then(|o| o.try_into().ok()))
}
