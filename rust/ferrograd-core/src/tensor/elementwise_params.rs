//! Elementwise ops with parameters beyond their operands: `clamp`, `round(decimals)`,
//! `logit(eps)`, `nan_to_num`, and the closeness tests `isclose`, `allclose`, `equal`. The
//! first four are recorded for autograd (`formulas::params`) when their input requires grad.

use super::elementwise::{binary_op, prepare_target, promoted_dtype, Arg};
use super::raw_access::with_raw;
use super::ternary::out_not_differentiable;
use super::Tensor;
use crate::autograd::formulas::params::{self, ClampOp};
use crate::autograd::node::NodeSpec;
use crate::autograd::{needs_grad, tracked, tracked_in_place};
use crate::cpu::iter::Plan;
use crate::cpu::map::{map, zip};
use crate::cpu::scalar::Real;
use crate::dtype::{default_float, DType};
use crate::error::{Error, Result};
use crate::op::{not_implemented, BinaryOp, UnaryOp};

/// A float function with parameters, applied by [`map_real`]; a trait (not a closure) so that
/// one value serves every float dtype.
trait RealMap: Sync {
    fn apply<T: Real>(&self, x: T) -> T;
}

/// Runs `m` over a float tensor (writing into `out` when given).
fn map_real<M: RealMap>(x: &Tensor, out: Option<&Tensor>, m: &M) -> Result<Tensor> {
    let target = prepare_target(out, x.shape(), x.dtype(), Some(x))?;
    let input = target.detangle(x.clone())?;
    if input.numel() > 0 {
        let plan = Plan::new([target.tensor.layout(), input.layout()]);
        with_raw(&target.tensor, &[&input], |o, ins| {
            // SAFETY: both tensors are locked, hold `x.dtype()`, and match the plan's layouts.
            unsafe {
                match x.dtype() {
                    DType::F32 => map(&plan, o as *mut f32, ins[0] as *const f32, |v| m.apply(v)),
                    DType::F64 => map(&plan, o as *mut f64, ins[0] as *const f64, |v| m.apply(v)),
                    DType::F16 => map(
                        &plan,
                        o as *mut half::f16,
                        ins[0] as *const half::f16,
                        |v| m.apply(v),
                    ),
                    DType::BF16 => map(
                        &plan,
                        o as *mut half::bf16,
                        ins[0] as *const half::bf16,
                        |v| m.apply(v),
                    ),
                    other => {
                        return Err(Error::runtime(format!(
                            "map_real: {other} is not a float dtype"
                        )))
                    }
                }
            }
            Ok(())
        })?;
    }
    target.finish(out)
}

struct RoundDecimals(i32);

impl RealMap for RoundDecimals {
    fn apply<T: Real>(&self, x: T) -> T {
        // Scale by a power of ten, round half to even, scale back (PyTorch's formula).
        let scale = T::from_f64(10f64.powi(self.0.abs()));
        if self.0 < 0 {
            (x / scale).round_even() * scale
        } else {
            (x * scale).round_even() / scale
        }
    }
}

struct Logit(Option<f64>);

impl RealMap for Logit {
    fn apply<T: Real>(&self, x: T) -> T {
        let x = match self.0 {
            Some(eps) => {
                let (lo, hi) = (T::from_f64(eps), T::from_f64(1.0 - eps));
                if x < lo {
                    lo
                } else if x > hi {
                    hi
                } else {
                    x
                }
            }
            None => x,
        };
        (x / (T::ONE - x)).ln()
    }
}

struct NanToNum {
    nan: f64,
    posinf: Option<f64>,
    neginf: Option<f64>,
}

impl RealMap for NanToNum {
    fn apply<T: Real>(&self, x: T) -> T {
        if x.is_nan() {
            T::from_f64(self.nan)
        } else if x == T::INFINITY {
            self.posinf.map_or(T::MAX, T::from_f64)
        } else if x == T::NEG_INFINITY {
            self.neginf.map_or(T::MIN, T::from_f64)
        } else {
            x
        }
    }
}

/// Runs a one-input op with a parameter: recorded with `spec` when `x` (or the tensor it
/// writes into) requires grad, in place when `out` is `x` itself; `compute(x, out)` is the
/// op's own computation.
fn recorded_unary(
    name: &str,
    x: &Tensor,
    out: Option<&Tensor>,
    compute: impl Fn(&Tensor, Option<&Tensor>) -> Result<Tensor>,
    spec: impl FnOnce(&Tensor) -> NodeSpec,
) -> Result<Tensor> {
    let written: Vec<&Tensor> = [x].into_iter().chain(out).collect();
    if !needs_grad(&written) {
        return compute(x, out);
    }
    match out {
        Some(o) if o.is_same(x) => tracked_in_place(x, |old| {
            tracked(&[old], || compute(old, None), |_| Ok(spec(old)))
        }),
        Some(_) => Err(out_not_differentiable(name)),
        None => tracked(&[x], || compute(x, None), |_| Ok(spec(x))),
    }
}

impl Tensor {
    /// `round(decimals=...)`; `decimals = 0` is the plain `round` of the op table.
    pub fn round_decimals(&self, decimals: i64, out: Option<&Tensor>) -> Result<Tensor> {
        let _on = self.device_scope();
        if decimals == 0 {
            return self.unary(UnaryOp::Round, out);
        }
        let compute = |x: &Tensor, out: Option<&Tensor>| {
            if !x.dtype().is_floating_point() {
                return Err(not_implemented("round_cpu", x.dtype()));
            }
            let decimals =
                i32::try_from(decimals).unwrap_or(if decimals < 0 { i32::MIN } else { i32::MAX });
            map_real(x, out, &RoundDecimals(decimals))
        };
        recorded_unary("round", self, out, compute, |_| {
            params::round_decimals_back()
        })
    }

    /// `logit(eps=None)`: log(x / (1 - x)), with x clamped to [eps, 1 - eps] when eps is given.
    pub fn logit(&self, eps: Option<f64>, out: Option<&Tensor>) -> Result<Tensor> {
        let _on = self.device_scope();
        let compute = |x: &Tensor, out: Option<&Tensor>| {
            let x = x.float_input(out)?;
            map_real(&x, out, &Logit(eps))
        };
        recorded_unary("logit", self, out, compute, |x| params::logit_back(x, eps))
    }

    /// `nan_to_num`: NaN and infinities replaced (by default with 0 and the dtype's extremes).
    pub fn nan_to_num(
        &self,
        nan: Option<f64>,
        posinf: Option<f64>,
        neginf: Option<f64>,
        out: Option<&Tensor>,
    ) -> Result<Tensor> {
        let _on = self.device_scope();
        let compute = |x: &Tensor, out: Option<&Tensor>| {
            if !x.dtype().is_floating_point() {
                // Integers have no NaN or infinity: the values pass through.
                let target = prepare_target(out, x.shape(), x.dtype(), Some(x))?;
                target.tensor.copy_(x)?;
                return target.finish(out);
            }
            let m = NanToNum {
                nan: nan.unwrap_or(0.0),
                posinf,
                neginf,
            };
            map_real(x, out, &m)
        };
        recorded_unary("nan_to_num", self, out, compute, params::nan_to_num_back)
    }

    /// The input of a float-only op: integers are converted to the default float dtype, unless
    /// the result must be written into an integer `out` (which PyTorch refuses).
    fn float_input(&self, out: Option<&Tensor>) -> Result<Tensor> {
        if self.dtype().is_floating_point() {
            return Ok(self.clone());
        }
        if let Some(o) = out {
            if !o.dtype().is_floating_point() {
                return Err(Error::runtime(format!(
                    "result type Float can't be cast to the desired output type {}",
                    o.dtype().scalar_type_name()
                )));
            }
        }
        self.to_dtype(default_float())
    }

    /// `clamp(min, max)`: either bound may be missing, a number or a tensor.
    pub fn clamp(
        &self,
        min: Option<&Arg>,
        max: Option<&Arg>,
        out: Option<&Tensor>,
    ) -> Result<Tensor> {
        self.clamp_recorded(ClampOp::Clamp, min, max, out)
    }

    /// `clamp_min(min)`: `clamp` with a lower bound only, recorded under its own node name
    /// (`ClampMinBackward0`).
    pub fn clamp_min(&self, min: &Arg, out: Option<&Tensor>) -> Result<Tensor> {
        self.clamp_recorded(ClampOp::Min, Some(min), None, out)
    }

    /// `clamp_max(max)`: `clamp` with an upper bound only (`ClampMaxBackward0`).
    pub fn clamp_max(&self, max: &Arg, out: Option<&Tensor>) -> Result<Tensor> {
        self.clamp_recorded(ClampOp::Max, None, Some(max), out)
    }

    /// The clamps, recorded as `op` when `self`, a tensor bound or the written tensor requires
    /// grad (in place when `out` is `self`).
    fn clamp_recorded(
        &self,
        op: ClampOp,
        min: Option<&Arg>,
        max: Option<&Arg>,
        out: Option<&Tensor>,
    ) -> Result<Tensor> {
        if min.is_none() && max.is_none() {
            return Err(Error::runtime(
                "torch.clamp: At least one of 'min' or 'max' must not be None",
            ));
        }
        let mut written = vec![self];
        for bound in [min, max].into_iter().flatten() {
            if let Arg::Tensor(t) = bound {
                written.push(t);
            }
        }
        written.extend(out);
        if !needs_grad(&written) {
            return self.clamp_untracked(min, max, out);
        }
        let name = match op {
            ClampOp::Clamp => "clamp",
            ClampOp::Min => "clamp_min",
            ClampOp::Max => "clamp_max",
        };
        match out {
            Some(o) if o.is_same(self) => {
                tracked_in_place(self, |old| old.clamp_recorded(op, min, max, None))
            }
            Some(_) => Err(out_not_differentiable(name)),
            None => {
                let inputs = params::clamp_inputs(op, self, min, max);
                let inputs: Vec<&Tensor> = inputs.iter().collect();
                tracked(
                    &inputs,
                    || self.clamp_untracked(min, max, None),
                    |_| Ok(params::clamp_back(op, self, min, max)),
                )
            }
        }
    }

    /// The clamp's values, computed as `minimum(maximum(x, min), max)`, which gives PyTorch's
    /// answers at the edges too: NaN in any operand gives NaN, and min > max gives max.
    fn clamp_untracked(
        &self,
        min: Option<&Arg>,
        max: Option<&Arg>,
        out: Option<&Tensor>,
    ) -> Result<Tensor> {
        let x = Arg::Tensor(self.clone());
        let mut operands = vec![&x];
        operands.extend(min);
        operands.extend(max);
        let dtype = promoted_dtype(&operands);
        if dtype == DType::Bool {
            // PyTorch's bool clamp exists only as maximum/minimum with one tensor bound.
            let scalar = |a: Option<&Arg>| matches!(a, Some(Arg::Scalar(_)));
            let kernel = match (min, max) {
                (Some(_), Some(_)) if scalar(min) || scalar(max) => Some("clamp_scalar_cpu"),
                (Some(_), Some(_)) => Some("clamp_cpu"),
                _ if scalar(min) => Some("clamp_min_scalar_cpu"),
                _ if scalar(max) => Some("clamp_max_scalar_cpu"),
                _ => None,
            };
            if let Some(kernel) = kernel {
                return Err(not_implemented(kernel, dtype));
            }
        }
        let shape = operands.iter().try_fold(Vec::new(), |s, a| {
            crate::shape::broadcast_shapes(&s, a.shape())
        })?;
        // Check the destination first, so a refused in-place clamp leaves `self` untouched.
        let target = prepare_target(out, &shape, dtype, Some(self))?;
        drop(target);
        let lower = match min {
            Some(lo) => Arg::Tensor(binary_op(BinaryOp::Maximum, &x, lo, None, None)?),
            None => x.clone(),
        };
        match max {
            Some(hi) => binary_op(BinaryOp::Minimum, &lower, hi, None, out),
            None => match (out, lower) {
                (Some(o), Arg::Tensor(t)) => {
                    o.copy_(&t)?;
                    Ok(o.clone())
                }
                (None, Arg::Tensor(t)) => Ok(t),
                (_, Arg::Scalar(_)) => Err(Error::runtime("clamp: internal error")),
            },
        }
    }

    /// `isclose(other, rtol, atol, equal_nan)`: |a - b| <= atol + rtol |b|, elementwise.
    pub fn isclose(&self, other: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<Tensor> {
        let _on = crate::device_scope::DeviceScope::of(&[self, other])?;
        if self.dtype() != other.dtype() {
            return Err(Error::runtime(format!(
                "{} did not match {}",
                self.dtype().scalar_type_name(),
                other.dtype().scalar_type_name()
            )));
        }
        if rtol < 0.0 {
            return Err(Error::runtime(format!(
                "rtol must be greater than or equal to zero, but got {rtol}"
            )));
        }
        if atol < 0.0 {
            return Err(Error::runtime(format!(
                "atol must be greater than or equal to zero, but got {atol}"
            )));
        }
        let shape = crate::shape::broadcast_shapes(self.shape(), other.shape())?;
        // Compare in float64 so integer and half inputs need no kernels of their own.
        let a = Arg::Tensor(self.clone()).prepared(DType::F64, &shape)?;
        let b = Arg::Tensor(other.clone()).prepared(DType::F64, &shape)?;
        let target = prepare_target(None, &shape, DType::Bool, None)?;
        if target.tensor.numel() > 0 {
            let plan = Plan::new([target.tensor.layout(), a.layout(), b.layout()]);
            with_raw(&target.tensor, &[&a, &b], |o, ins| {
                let close = move |x: f64, y: f64| {
                    if x == y {
                        return true; // also equal infinities
                    }
                    if x.is_nan() || y.is_nan() {
                        return equal_nan && x.is_nan() && y.is_nan();
                    }
                    if x.is_infinite() || y.is_infinite() {
                        return false;
                    }
                    (x - y).abs() <= atol + rtol * y.abs()
                };
                // SAFETY: locked tensors of the stated dtypes, matching the plan.
                unsafe {
                    zip(
                        &plan,
                        o as *mut bool,
                        ins[0] as *const f64,
                        ins[1] as *const f64,
                        close,
                    )
                };
                Ok(())
            })?;
        }
        target.finish(None)
    }

    /// `allclose`: whether `isclose` holds everywhere.
    pub fn allclose(&self, other: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<bool> {
        let close = self.isclose(other, rtol, atol, equal_nan)?;
        Ok(close.host_values::<bool>()?.into_iter().all(|c| c))
    }

    /// `equal`: same shape and the same values (after type promotion).
    pub fn equal(&self, other: &Tensor) -> Result<bool> {
        if self.shape() != other.shape() {
            return Ok(false);
        }
        let eq = binary_op(
            BinaryOp::Eq,
            &Arg::Tensor(self.clone()),
            &Arg::Tensor(other.clone()),
            None,
            None,
        )?;
        Ok(eq.host_values::<bool>()?.into_iter().all(|e| e))
    }
}
