//! The three primitive convolution ops every public convolution is made of, each recorded with
//! its own backward node (so that double backward works):
//! - [`conv_forward`]: `y = conv(x, w) + b`,
//! - [`conv_backward_input`]: `x = conv_transpose(y, w) + b` (the input gradient of a
//!   convolution, and PyTorch's transposed convolution),
//! - [`conv_backward_weight`]: `w = weight_grad(x, y)` (the weight gradient of a convolution).
//!
//! Their arguments are already checked (see `conv.rs`): batched, with consistent channels.

use super::conv_gpu;
use super::Tensor;
use crate::autograd::{formulas, tracked};
use crate::cpu::conv::ConvGeometry;
use crate::cpu::conv_gemm::{self, ConvElement, ConvShape};
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::op::not_implemented;
use crate::storage::StorageData;
use std::sync::RwLockReadGuard;

/// The hyperparameters of a convolution, per spatial dim (padding is before the first
/// element; after the last there may be more or less, as the output size says).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvSpec {
    pub stride: Vec<usize>,
    pub padding: Vec<usize>,
    pub dilation: Vec<usize>,
    pub groups: usize,
}

impl ConvSpec {
    fn shape(&self, x: &[usize], y: &[usize], w: &[usize]) -> ConvShape {
        ConvShape {
            batch: x[0],
            groups: self.groups,
            x_channels: x[1],
            y_channels: y[1],
            geometry: ConvGeometry {
                input: x[2..].to_vec(),
                output: y[2..].to_vec(),
                kernel: w[2..].to_vec(),
                stride: self.stride.clone(),
                padding: self.padding.clone(),
                dilation: self.dilation.clone(),
            },
        }
    }
}

/// Runs `kernel` over contiguous versions of `inputs` (read as `T`), writing a new tensor of
/// `shape`.
fn run_typed<T: ConvElement + Element>(
    inputs: &[&Tensor],
    shape: &[usize],
    kernel: impl FnOnce(&[&[T]], &mut [T]),
) -> Result<Tensor> {
    let contiguous: Vec<Tensor> = inputs
        .iter()
        .map(|t| t.contiguous())
        .collect::<Result<_>>()?;
    // Each distinct storage is locked once: a second read lock from this thread could wait
    // behind another thread's pending write lock forever.
    let mut guards: Vec<(&Tensor, RwLockReadGuard<'_, StorageData>)> = Vec::new();
    for t in &contiguous {
        if !guards.iter().any(|(g, _)| g.storage().same(t.storage())) {
            guards.push((t, t.storage().read()));
        }
    }
    let mut slices: Vec<&[T]> = Vec::with_capacity(contiguous.len());
    for t in &contiguous {
        let Some((_, guard)) = guards.iter().find(|(g, _)| g.storage().same(t.storage())) else {
            return Err(Error::runtime(
                "convolution: lost an input's storage (internal error)",
            ));
        };
        let all = guard.cpu()?.as_slice::<T>();
        slices.push(&all[t.storage_offset()..t.storage_offset() + t.numel()]);
    }
    let out = Tensor::zeros(shape, T::DTYPE)?;
    {
        let mut data = out.storage().write();
        kernel(&slices, data.cpu_mut()?.as_mut_slice::<T>());
    }
    Ok(out)
}

/// Dispatches on dtype: f32/f64 and the integer types run natively, f16/bf16 in f32 (rounded
/// once at the end, as PyTorch's CPU kernels do).
fn run_kernel(
    kernel_name: &str,
    inputs: &[&Tensor],
    shape: &[usize],
    kernel: &dyn Fn(KernelArgs<'_>),
) -> Result<Tensor> {
    let dtype = inputs[0].dtype();
    macro_rules! native {
        ($t:ty) => {
            run_typed::<$t>(inputs, shape, |ins, out| {
                kernel(KernelArgs::from((ins, out)))
            })
        };
    }
    match dtype {
        DType::F32 => native!(f32),
        DType::F64 => native!(f64),
        DType::I64 => native!(i64),
        DType::I32 => native!(i32),
        DType::I16 => native!(i16),
        DType::I8 => native!(i8),
        DType::U8 => native!(u8),
        DType::F16 | DType::BF16 => {
            let wide: Vec<Tensor> = inputs
                .iter()
                .map(|t| t.to_dtype(DType::F32))
                .collect::<Result<_>>()?;
            let refs: Vec<&Tensor> = wide.iter().collect();
            run_kernel(kernel_name, &refs, shape, kernel)?.to_dtype(dtype)
        }
        DType::Bool => Err(not_implemented(kernel_name, dtype)),
    }
}

/// Typed slices handed to a kernel closure, one variant per native dtype.
pub(crate) enum KernelArgs<'a> {
    F32(&'a [&'a [f32]], &'a mut [f32]),
    F64(&'a [&'a [f64]], &'a mut [f64]),
    I64(&'a [&'a [i64]], &'a mut [i64]),
    I32(&'a [&'a [i32]], &'a mut [i32]),
    I16(&'a [&'a [i16]], &'a mut [i16]),
    I8(&'a [&'a [i8]], &'a mut [i8]),
    U8(&'a [&'a [u8]], &'a mut [u8]),
}

macro_rules! kernel_args_from {
    ($($t:ty => $v:ident),*) => {$(
        impl<'a> From<(&'a [&'a [$t]], &'a mut [$t])> for KernelArgs<'a> {
            fn from((ins, out): (&'a [&'a [$t]], &'a mut [$t])) -> Self {
                KernelArgs::$v(ins, out)
            }
        }
    )*};
}
kernel_args_from!(f32 => F32, f64 => F64, i64 => I64, i32 => I32, i16 => I16, i8 => I8, u8 => U8);

/// Calls a generic kernel body with the typed slices of a [`KernelArgs`].
macro_rules! with_kernel_args {
    ($args:expr, $ins:ident, $out:ident => $body:expr) => {
        match $args {
            KernelArgs::F32($ins, $out) => $body,
            KernelArgs::F64($ins, $out) => $body,
            KernelArgs::I64($ins, $out) => $body,
            KernelArgs::I32($ins, $out) => $body,
            KernelArgs::I16($ins, $out) => $body,
            KernelArgs::I8($ins, $out) => $body,
            KernelArgs::U8($ins, $out) => $body,
        }
    };
}

/// Dims of a batched tensor to sum a per-channel bias gradient over: all but dim 1.
pub(crate) fn bias_grad_dims(ndim: usize) -> Vec<i64> {
    std::iter::once(0).chain(2..ndim as i64).collect()
}

/// `y = conv(x, w) + b` with the output spatial size `output` (checked by the caller).
pub(crate) fn conv_forward(
    x: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    spec: &ConvSpec,
    output: &[usize],
    name: &'static str,
) -> Result<Tensor> {
    let mut y_shape = vec![x.shape()[0], w.shape()[0]];
    y_shape.extend_from_slice(output);
    let shape = spec.shape(x.shape(), &y_shape, w.shape());
    let mut inputs = vec![x, w];
    inputs.extend(b);
    tracked(
        &inputs,
        || {
            if let Some(y) = conv_gpu::forward(x, w, b, &shape)? {
                return Ok(y);
            }
            run_kernel("slow_conv2d_cpu", &inputs, &y_shape, &|args| {
                with_kernel_args!(args, ins, out => {
                    conv_gemm::forward(&shape, ins[0], ins[1], ins.get(2).copied(), out)
                })
            })
        },
        |_| {
            Ok(formulas::conv::forward_spec(
                x,
                w,
                b.is_some(),
                spec.clone(),
                name,
            ))
        },
    )
}

/// `x = conv_transpose(y, w) + b`, whose result has spatial size `input`.
pub(crate) fn conv_backward_input(
    y: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    spec: &ConvSpec,
    input: &[usize],
    name: &'static str,
) -> Result<Tensor> {
    let mut x_shape = vec![y.shape()[0], w.shape()[1] * spec.groups];
    x_shape.extend_from_slice(input);
    let shape = spec.shape(&x_shape, y.shape(), w.shape());
    let mut inputs = vec![y, w];
    inputs.extend(b);
    tracked(
        &inputs,
        || {
            if let Some(x) = conv_gpu::backward_input(y, w, b, &shape)? {
                return Ok(x);
            }
            run_kernel(
                "slow_conv_transpose2d_out_cpu",
                &inputs,
                &x_shape,
                &|args| {
                    with_kernel_args!(args, ins, out => {
                        conv_gemm::backward_input(&shape, ins[0], ins[1], ins.get(2).copied(), out)
                    })
                },
            )
        },
        |_| {
            Ok(formulas::conv::backward_input_spec(
                y,
                w,
                b.is_some(),
                spec.clone(),
                name,
            ))
        },
    )
}

/// `w = weight_grad(x, y)`: the gradient of `conv(x, w)` with respect to a weight with
/// spatial size `kernel`, for output gradient `y`.
pub(crate) fn conv_backward_weight(
    x: &Tensor,
    y: &Tensor,
    spec: &ConvSpec,
    kernel: &[usize],
    name: &'static str,
) -> Result<Tensor> {
    let mut w_shape = vec![y.shape()[1], x.shape()[1] / spec.groups];
    w_shape.extend_from_slice(kernel);
    let shape = spec.shape(x.shape(), y.shape(), &w_shape);
    tracked(
        &[x, y],
        || {
            if let Some(w) = conv_gpu::backward_weight(x, y, &w_shape, &shape)? {
                return Ok(w);
            }
            run_kernel("slow_conv2d_cpu", &[x, y], &w_shape, &|args| {
                with_kernel_args!(args, ins, out => {
                    conv_gemm::backward_weight(&shape, ins[0], ins[1], out)
                })
            })
        },
        |_| {
            Ok(formulas::conv::backward_weight_spec(
                x,
                y,
                spec.clone(),
                name,
            ))
        },
    )
}
