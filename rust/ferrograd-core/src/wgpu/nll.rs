//! `nll_loss` on the GPU: the forward picks each target's log-probability
//! (`shaders/nll_pick.wgsl`), the gradient spreads each target's coefficient back to its class
//! (`shaders/nll_spread.wgsl`). The targets and their coefficients (`-weight[t]`, over the
//! total weight for a mean) come from the host, where the targets were checked: a bad target
//! raises the CPU's IndexError. Targets moved to the GPU keep their host copy, so this usually
//! reads nothing back.

use super::bindings::{dense_operand, input_buffer, output_buffer};
use super::kernel::{dispatch, per_thread_source};
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::contiguous_strides;
use crate::tensor::Tensor;

const NLL_PICK: &str = include_str!("shaders/nll_pick.wgsl");
const NLL_SPREAD: &str = include_str!("shaders/nll_spread.wgsl");

/// The class of each target position for the kernels where the target is ignored.
pub const IGNORED: u32 = u32::MAX;

/// The targets of one `nll_loss` call for the kernels: the input seen as `(n, c, k)`, and per
/// target position `p = i * k + j` its class (`IGNORED` where ignored) and its coefficient.
pub struct Targets<'a> {
    pub dims: [usize; 3],
    pub classes: &'a [u32],
    pub coefs: &'a [f32],
}

/// `coefs[p] * input[i, classes[p], j]` at each target position of a float32 input: a new 1-D
/// tensor of `n * k` values. None when the GPU cannot run it.
pub fn pick(input: &Tensor, targets: &Targets<'_>) -> Result<Option<Tensor>> {
    if input.dtype() != DType::F32 {
        return Ok(None);
    }
    let Some(x) = dense_operand(input)? else {
        return Ok(None);
    };
    let [n, c, k] = targets.dims;
    let word = |v: usize| u32::try_from(v).ok();
    let words = (|| {
        Some(vec![
            word(n * k)?,
            word(c)?,
            word(k)?,
            word(x.storage_offset())?,
        ])
    })();
    let Some(words) = words else {
        return Ok(None);
    };
    let out = Tensor::uninit_dense(&[n * k], &[1], DType::F32)?;
    let bindings = [
        ("out", "read_write", "f32"),
        ("x", "read", "f32"),
        ("targets", "read", "u32"),
        ("coefs", "read", "f32"),
    ];
    let kernel = Kernel {
        label: "nll_loss",
        body: NLL_PICK,
        bindings: &bindings,
        words: &words,
        threads: n * k,
    };
    kernel.run([&out, &x], targets)?;
    Ok(Some(out))
}

/// The gradient of `nll_loss` as a new float32 tensor of `shape` (the input's):
/// `coefs[p] * grad` at each target's class, 0 elsewhere. `grad` holds one value per target
/// position or one for all. None when the GPU cannot run it.
pub fn spread(grad: &Tensor, shape: &[usize], targets: &Targets<'_>) -> Result<Option<Tensor>> {
    if grad.dtype() != DType::F32 {
        return Ok(None);
    }
    let Some(g) = dense_operand(grad)? else {
        return Ok(None);
    };
    let [n, c, k] = targets.dims;
    let total = n * c * k;
    let per_position = u32::from(g.numel() != 1);
    let word = |v: usize| u32::try_from(v).ok();
    let words = (|| {
        Some(vec![
            word(total)?,
            word(c)?,
            word(k)?,
            per_position,
            word(g.storage_offset())?,
        ])
    })();
    let Some(words) = words else {
        return Ok(None);
    };
    let out = Tensor::uninit_dense(shape, &contiguous_strides(shape), DType::F32)?;
    let bindings = [
        ("out", "read_write", "f32"),
        ("grad", "read", "f32"),
        ("targets", "read", "u32"),
        ("coefs", "read", "f32"),
    ];
    let kernel = Kernel {
        label: "nll_loss_backward",
        body: NLL_SPREAD,
        bindings: &bindings,
        words: &words,
        threads: total,
    };
    kernel.run([&out, &g], targets)?;
    Ok(Some(out))
}

/// A body of `threads.wgsl` binding an output, one float32 input, and the targets' classes
/// and coefficients.
struct Kernel<'a> {
    label: &'a str,
    body: &'a str,
    bindings: &'a [(&'a str, &'a str, &'a str)],
    words: &'a [u32],
    threads: usize,
}

impl Kernel<'_> {
    fn run(&self, [out, input]: [&Tensor; 2], targets: &Targets<'_>) -> Result<()> {
        if self.threads == 0 {
            return Ok(());
        }
        let classes = targets.classes.iter().map(|&t| t as i32).collect();
        let classes = Tensor::from_vec::<i32>(classes, &[targets.classes.len()])?;
        let coefs = Tensor::from_vec(targets.coefs.to_vec(), &[targets.coefs.len()])?;
        let buffers = [
            output_buffer(out, false)?,
            input_buffer(input)?,
            input_buffer(&classes)?,
            input_buffer(&coefs)?,
        ];
        let refs: Vec<&::wgpu::Buffer> = buffers.iter().collect();
        let source = per_thread_source(&[self.body], self.bindings);
        dispatch(self.label, &source, &refs, self.words, self.threads as u64)
    }
}
