//! The front door of every elementwise op: type promotion, broadcasting, the result's layout,
//! `out=` and in-place writes, then one kernel call. The ops themselves are rows of the tables
//! in `op/`.

use super::convert::preserved_strides;
use super::raw_access::with_raw;
use super::Tensor;
use crate::autograd::{self, formulas};
use crate::cpu::{binary, iter::Plan, unary as unary_kernels};
use crate::device_scope::DeviceScope;
use crate::dtype::{default_float, result_type, DType, Operand, Scalar};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::op::{not_implemented_msg, BinaryOp, UnaryOp};
use crate::shape::broadcast_shapes;
use crate::wgpu::elementwise as gpu;
use formulas::unary;

/// An operand of an elementwise op: a tensor, or a Python number (which takes part in type
/// promotion with the lowest priority).
#[derive(Clone, Debug)]
pub enum Arg {
    Tensor(Tensor),
    Scalar(Scalar),
}

impl Arg {
    pub fn promotion(&self) -> Operand {
        match self {
            Arg::Tensor(t) if t.ndim() == 0 => Operand::ZeroDimTensor(t.dtype()),
            Arg::Tensor(t) => Operand::Tensor(t.dtype()),
            Arg::Scalar(s) => Operand::Scalar(s.natural_dtype(default_float())),
        }
    }

    pub fn shape(&self) -> &[usize] {
        match self {
            Arg::Tensor(t) => t.shape(),
            Arg::Scalar(_) => &[],
        }
    }

    /// The operand as a tensor of `dtype` broadcast to `shape` (a view where possible).
    pub fn prepared(&self, dtype: DType, shape: &[usize]) -> Result<Tensor> {
        let t = match self {
            Arg::Tensor(t) => t.to_dtype(dtype)?,
            Arg::Scalar(s) => Tensor::scalar(*s, dtype),
        };
        if t.shape() == shape {
            return Ok(t);
        }
        let target: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        t.expand(&target)
    }

    /// A bool tensor or a Python bool.
    fn is_bool(&self) -> bool {
        match self {
            Arg::Tensor(t) => t.dtype() == DType::Bool,
            Arg::Scalar(s) => matches!(s, Scalar::Bool(_)),
        }
    }
}

/// The device scope of an elementwise op: its tensor operands and `out` share one device (a
/// 0-dim CPU tensor and Python numbers go with any), and its result is created there.
pub(crate) fn operand_scope(args: &[&Arg], out: Option<&Tensor>) -> Result<DeviceScope> {
    let tensors = args.iter().filter_map(|a| match a {
        Arg::Tensor(t) => Some(t),
        Arg::Scalar(_) => None,
    });
    DeviceScope::of_all(tensors.chain(out))
}

/// The promoted dtype of the operands (PyTorch's `result_type`).
pub fn promoted_dtype(args: &[&Arg]) -> DType {
    let operands: Vec<Operand> = args.iter().map(|a| a.promotion()).collect();
    result_type(&operands).unwrap_or_else(default_float)
}

/// Where an elementwise op writes: a fresh tensor, straight into `out`, or into a temporary
/// that is then cast into `out` (when `out` has another dtype than the op's result).
pub(crate) struct Target {
    pub tensor: Tensor,
    direct_into_out: bool,
}

/// Checks `out` against the op's result (PyTorch's cast and shape rules) and picks the tensor
/// the kernel writes into. `like` is an input whose memory order a fresh result copies. A fresh
/// tensor is left uninitialised: every caller writes each of its elements before returning it.
pub(crate) fn prepare_target(
    out: Option<&Tensor>,
    shape: &[usize],
    dtype: DType,
    like: Option<&Tensor>,
) -> Result<Target> {
    let Some(out) = out else {
        let strides = match like {
            Some(t) if t.shape() == shape => preserved_strides(t.layout()),
            _ => crate::shape::contiguous_strides(shape),
        };
        return Ok(Target {
            tensor: Tensor::uninit_dense(shape, &strides, dtype)?,
            direct_into_out: false,
        });
    };
    if !dtype.can_cast_to(out.dtype()) {
        return Err(Error::runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            dtype.scalar_type_name(),
            out.dtype().scalar_type_name()
        )));
    }
    if out.shape() != shape {
        return Err(Error::runtime(format!(
            "output with shape {:?} doesn't match the broadcast shape {:?}",
            out.shape(),
            shape
        )));
    }
    out.check_no_internal_overlap("out")?;
    if out.dtype() == dtype {
        return Ok(Target {
            tensor: out.clone(),
            direct_into_out: true,
        });
    }
    Ok(Target {
        tensor: Tensor::uninit_dense(shape, &crate::shape::contiguous_strides(shape), dtype)?,
        direct_into_out: false,
    })
}

impl Target {
    /// Hands the result back: `out` itself (bumped, or filled from the temporary) when given.
    pub(crate) fn finish(self, out: Option<&Tensor>) -> Result<Tensor> {
        match out {
            Some(out) if self.direct_into_out => {
                out.bump_version();
                Ok(out.clone())
            }
            Some(out) => {
                out.copy_(&self.tensor)?;
                Ok(out.clone())
            }
            None => Ok(self.tensor),
        }
    }

    /// An input that shares the target's storage with another layout would be overwritten
    /// while still being read: such inputs are copied first.
    pub(crate) fn detangle(&self, input: Tensor) -> Result<Tensor> {
        if input.storage().same(self.tensor.storage()) && input.layout() != self.tensor.layout() {
            input.deep_clone()
        } else {
            Ok(input)
        }
    }
}

impl Tensor {
    /// Runs a unary op of the table; `out` may be `self` (the in-place form).
    pub fn unary(&self, op: UnaryOp, out: Option<&Tensor>) -> Result<Tensor> {
        if unary::node_name(op).is_some() && autograd::needs_grad(&[self]) {
            if out.is_some_and(|o| o.is_same(self)) {
                return autograd::tracked_in_place(self, |old| old.unary(op, None));
            }
            check_recordable(op.info().name, out, &[self])?;
            return autograd::tracked(
                &[self],
                || self.unary_untracked(op, None),
                |y| unary::spec(op, self, y),
            );
        }
        self.unary_untracked(op, out)
    }

    fn unary_untracked(&self, op: UnaryOp, out: Option<&Tensor>) -> Result<Tensor> {
        let _on = DeviceScope::of_all(std::iter::once(self).chain(out))?;
        let info = op.info();
        if self.dtype() == DType::Bool {
            if let Some(msg) = op.bool_message() {
                return Err(not_implemented_msg(msg));
            }
        }
        let compute = info.compute_dtype(self.dtype())?;
        let target = prepare_target(out, self.shape(), info.output_dtype(compute), Some(self))?;
        let input = target.detangle(self.to_dtype(compute)?)?;
        let on_gpu =
            target.tensor.device().is_wgpu() && target.tensor.dtype() == info.output_dtype(compute);
        let done = input.numel() == 0 || (on_gpu && gpu::unary(op, &target.tensor, &input)?);
        if !done {
            let plan = Plan::new([target.tensor.layout(), input.layout()]);
            with_raw(&target.tensor, &[&input], |o, ins| {
                // SAFETY: the plan's layouts are those of the locked tensors, whose dtypes are
                // the ones `unary` expects (input: compute dtype; output: its result dtype).
                unsafe { unary_kernels::unary(op, compute, &plan, o, ins[0]) }
            })?;
        }
        target.finish(out)
    }

    /// Runs a binary op of the table on `self` and `other`; `out` may be `self` (in-place).
    pub fn binary(&self, op: BinaryOp, other: &Arg, out: Option<&Tensor>) -> Result<Tensor> {
        binary_op(op, &Arg::Tensor(self.clone()), other, None, out)
    }
}

/// A binary op on two operands (either may be a Python number), with `alpha` scaling the
/// second operand of add and sub.
pub fn binary_op(
    op: BinaryOp,
    a: &Arg,
    b: &Arg,
    alpha: Option<Scalar>,
    out: Option<&Tensor>,
) -> Result<Tensor> {
    // Checked without allocating: this runs on every binary op.
    let needs_grad = autograd::is_grad_enabled()
        && [a, b]
            .into_iter()
            .any(|x| matches!(x, Arg::Tensor(t) if t.requires_grad()));
    if needs_grad && formulas::binary::node_name(op, false, false).is_some() {
        let tensors: Vec<&Tensor> = [a, b]
            .into_iter()
            .filter_map(|x| match x {
                Arg::Tensor(t) => Some(t),
                Arg::Scalar(_) => None,
            })
            .collect();
        if let (Some(target), Arg::Tensor(first)) = (out, a) {
            if target.is_same(first) {
                return autograd::tracked_in_place(target, |old| {
                    binary_op(op, &Arg::Tensor(old.clone()), b, alpha, None)
                });
            }
        }
        check_recordable(op.info().name, out, &tensors)?;
        // PyTorch records `2 * x` as `x * 2`, with the number as a second input that needs no
        // gradient (its `next_functions` shows `(None, 0)` there).
        let (a, b) = match (a, b, op) {
            (Arg::Scalar(_), Arg::Tensor(_), BinaryOp::Add | BinaryOp::Mul) if alpha.is_none() => {
                (b, a)
            }
            _ => (a, b),
        };
        let recorded = formulas::binary::recorded_operands(op, a, b);
        let wrapped: Vec<Tensor> = [a, b]
            .into_iter()
            .zip(recorded)
            .filter(|(_, r)| *r)
            .map(|(x, _)| match x {
                Arg::Tensor(t) => t.clone(),
                Arg::Scalar(s) => Tensor::scalar(*s, promoted_dtype(&[a, b])),
            })
            .collect();
        let inputs: Vec<&Tensor> = wrapped.iter().collect();
        return autograd::tracked(
            &inputs,
            || binary_untracked(op, a, b, alpha, None),
            |y| formulas::binary::spec(op, a, b, alpha, y),
        );
    }
    binary_untracked(op, a, b, alpha, out)
}

/// `out=` on inputs that require grad: PyTorch refuses to record it (in-place forms, where
/// `out` is the first operand, are recorded by `tracked_in_place` instead).
fn check_recordable(name: &str, out: Option<&Tensor>, inputs: &[&Tensor]) -> Result<()> {
    match out {
        Some(out) if inputs.iter().any(|t| t.is_same(out)) => Err(Error::runtime(format!(
            "{name}_(): writing into an operand other than the first is not differentiable"
        ))),
        Some(_) => Err(Error::runtime(format!(
            "{name}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad."
        ))),
        None => Ok(()),
    }
}

fn binary_untracked(
    op: BinaryOp,
    a: &Arg,
    b: &Arg,
    alpha: Option<Scalar>,
    out: Option<&Tensor>,
) -> Result<Tensor> {
    let _on = operand_scope(&[a, b], out)?;
    let info = op.info();
    let promoted = promoted_dtype(&[a, b]);
    check_bool_and_alpha(op, a, b, promoted, alpha)?;
    let compute = info.compute_dtype(promoted)?;
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    let like = [a, b].into_iter().find_map(|x| match x {
        Arg::Tensor(t) if t.shape() == shape.as_slice() => Some(t),
        _ => None,
    });
    if op == BinaryOp::FloatPower {
        check_float_power_out(a, out, info.output_dtype(compute))?;
    }
    let target = prepare_target(out, &shape, info.output_dtype(compute), like)?;
    let x = target.detangle(a.prepared(compute, &shape)?)?;
    let y = target.detangle(b.prepared(compute, &shape)?)?;
    if compute.category() == crate::dtype::Category::Integer {
        check_integer_divisor(op, b, &y)?;
    }
    let alpha = alpha.filter(|k| k.to_f64() != 1.0 || compute == DType::Bool);
    // (A comparison computes in `compute` and writes bools.)
    let on_gpu =
        target.tensor.device().is_wgpu() && target.tensor.dtype() == info.output_dtype(compute);
    let done = x.numel() == 0 || (on_gpu && gpu::binary(op, &target.tensor, &x, &y, alpha)?);
    if !done {
        let plan = Plan::new([target.tensor.layout(), x.layout(), y.layout()]);
        with_raw(&target.tensor, &[&x, &y], |o, ins| {
            // SAFETY: as in `unary`: layouts and dtypes are those of the locked tensors.
            unsafe { binary::binary(op, compute, alpha, &plan, o, ins[0], ins[1]) }
        })?;
    }
    target.finish(out)
}

/// `float_power` computes in double and, unlike other ops, refuses to cast its result into an
/// output of another dtype: the in-place form names the base, `out=` names the output.
fn check_float_power_out(a: &Arg, out: Option<&Tensor>, result: DType) -> Result<()> {
    let Some(out) = out.filter(|o| o.dtype() != result) else {
        return Ok(());
    };
    let in_place = matches!(a, Arg::Tensor(t) if t.is_same(out));
    let (what, name) = if in_place {
        ("base", "float_power_")
    } else {
        ("output", "float_power")
    };
    Err(Error::runtime(format!(
        "the {what} given to {name} has dtype {} but the operation's result requires dtype {}",
        out.dtype().scalar_type_name(),
        result.scalar_type_name()
    )))
}

/// PyTorch's refusals that depend on more than the dtype: bool subtraction, and an `alpha`
/// that does not fit the result's category.
fn check_bool_and_alpha(
    op: BinaryOp,
    a: &Arg,
    b: &Arg,
    promoted: DType,
    alpha: Option<Scalar>,
) -> Result<()> {
    if op == BinaryOp::Sub {
        let (ab, bb) = (a.is_bool(), b.is_bool());
        if ab && bb {
            return Err(not_implemented_msg("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."));
        }
        if ab || bb {
            return Err(not_implemented_msg("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."));
        }
    }
    match alpha {
        Some(Scalar::Float(_)) if !promoted.is_floating_point() => Err(Error::runtime(
            "For integral input tensors, argument alpha must not be a floating point number.",
        )),
        Some(Scalar::Bool(_)) if promoted != DType::Bool => Err(Error::runtime(
            "Boolean alpha only supported for Boolean results.",
        )),
        _ => Ok(()),
    }
}

/// Integer division and remainder by zero raise, as in PyTorch; a negative Python-number
/// exponent of an integer power too.
fn check_integer_divisor(op: BinaryOp, b: &Arg, divisor: &Tensor) -> Result<()> {
    if op.divides() {
        let has_zero = match b {
            Arg::Scalar(s) => s.to_f64() == 0.0,
            Arg::Tensor(_) => divisor.contains_zero()?,
        };
        if has_zero {
            return Err(Error::runtime("ZeroDivisionError"));
        }
    }
    if op == BinaryOp::Pow {
        if let Arg::Scalar(s) = b {
            if s.to_f64() < 0.0 {
                return Err(Error::runtime(
                    "Integers to negative integer powers are not allowed.",
                ));
            }
        }
    }
    Ok(())
}

impl Tensor {
    /// Whether any element is zero (checks a divisor before integer division).
    pub fn contains_zero(&self) -> Result<bool> {
        if self.numel() == 0 {
            return Ok(false);
        }
        if self.device().is_wgpu() {
            // Found on the GPU: one bool comes back, as PyTorch's CUDA kernels read their
            // checks, not the divisor.
            let zeros = self.binary(BinaryOp::Eq, &Arg::Scalar(Scalar::Int(0)), None)?;
            return Ok(zeros.any(None, false)?.item()?.to_f64() != 0.0);
        }
        let data = self.storage().read();
        let buf = data.cpu()?;
        Ok(crate::with_dtype!(self.dtype(), T => {
            let values = buf.as_slice::<T>();
            crate::strided::offsets(&layout_or_scalar(self.layout()))
                .any(|i| values[i] == T::default())
        }))
    }
}

/// Walking a broadcast view visits repeated elements many times; for a zero check, visiting
/// each distinct element once is enough.
fn layout_or_scalar(layout: &Layout) -> Layout {
    let keep: Vec<usize> = (0..layout.ndim())
        .filter(|&d| layout.strides()[d] != 0)
        .collect();
    Layout::new(
        keep.iter().map(|&d| layout.shape()[d]).collect(),
        keep.iter().map(|&d| layout.strides()[d]).collect(),
        layout.offset(),
    )
}
