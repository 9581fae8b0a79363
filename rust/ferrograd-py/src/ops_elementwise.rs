//! Elementwise ops in Python: reading operands (tensors or Python numbers), running the core op
//! with the GIL released when the work is large, and the unary ops as methods, in-place methods
//! and top-level functions. One line per op in the tables below.

use ferrograd_core::{Arg, Tensor, UnaryOp};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

use crate::args::extract_scalar;
use crate::errors::{run, type_err};
use crate::out_arg::{out_target, result};
use crate::tensor::PyTensor;

/// A tensor or a Python number as an op operand; `None` for anything else (operators then
/// return `NotImplemented`, as PyTorch's do).
pub fn operand(obj: &Bound<'_, PyAny>) -> PyResult<Option<Arg>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Some(Arg::Tensor(t.borrow().t.clone())));
    }
    let is_number = obj.is_instance_of::<PyBool>()
        || obj.is_instance_of::<PyInt>()
        || obj.is_instance_of::<PyFloat>()
        || (obj.hasattr("dtype")?
            && obj.hasattr("item")?
            && obj.getattr("ndim")?.extract::<usize>()? == 0);
    if is_number {
        return Ok(Some(Arg::Scalar(extract_scalar(obj)?)));
    }
    Ok(None)
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// An operand that must be there: PyTorch's TypeError for anything else.
pub fn required_operand(op: &str, name: &str, pos: usize, obj: &Bound<'_, PyAny>) -> PyResult<Arg> {
    operand(obj)?.ok_or_else(|| {
        type_err(format!(
            "{op}(): argument '{name}' (position {pos}) must be Tensor, not {}",
            type_name(obj)
        ))
    })
}

/// Ops whose `other` PyTorch only takes as a tensor.
pub fn tensor_operand(
    op: &str,
    name: &str,
    pos: usize,
    obj: &Bound<'_, PyAny>,
) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.borrow().t.clone()),
        Err(_) => Err(type_err(format!(
            "{op}(): argument '{name}' (position {pos}) must be Tensor, not {}",
            type_name(obj)
        ))),
    }
}

pub fn unary_call(
    py: Python<'_>,
    x: &Tensor,
    op: UnaryOp,
    out: Option<&Bound<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    let target = out_target(out, Some(x.shape()));
    let t = run(py, op.info().name, x.numel(), || {
        x.unary(op, target.as_ref())
    })?;
    result(py, t, out)
}

pub fn unary_inplace<'py>(
    slf: &Bound<'py, PyTensor>,
    op: UnaryOp,
) -> PyResult<Bound<'py, PyTensor>> {
    let x = slf.borrow().t.clone();
    run(slf.py(), op.info().name, x.numel(), || {
        x.unary(op, Some(&x))
    })?;
    Ok(slf.clone())
}

/// Unary ops that have a method, an in-place method and a top-level function (with `out=`).
macro_rules! unary_ops {
    ($($name:ident, $inplace:ident => $op:ident;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(signature = (*, out=None))]
                fn $name(&self, py: Python<'_>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
                    unary_call(py, &self.t, UnaryOp::$op, out)
                }

                fn $inplace<'py>(slf: &Bound<'py, PyTensor>) -> PyResult<Bound<'py, PyTensor>> {
                    unary_inplace(slf, UnaryOp::$op)
                }
            )*
        }
        const UNARY_FUNCTIONS: &[&str] = &[$(stringify!($name), stringify!($inplace)),*];
    };
}

unary_ops! {
    abs, abs_ => Abs;
    absolute, absolute_ => Abs;
    neg, neg_ => Neg;
    negative, negative_ => Neg;
    sign, sign_ => Sign;
    sgn, sgn_ => Sign;
    exp, exp_ => Exp;
    exp2, exp2_ => Exp2;
    expm1, expm1_ => Expm1;
    log, log_ => Log;
    log2, log2_ => Log2;
    log10, log10_ => Log10;
    log1p, log1p_ => Log1p;
    sqrt, sqrt_ => Sqrt;
    rsqrt, rsqrt_ => Rsqrt;
    square, square_ => Square;
    sin, sin_ => Sin;
    cos, cos_ => Cos;
    tan, tan_ => Tan;
    asin, asin_ => Asin;
    arcsin, arcsin_ => Asin;
    acos, acos_ => Acos;
    arccos, arccos_ => Acos;
    atan, atan_ => Atan;
    arctan, arctan_ => Atan;
    sinh, sinh_ => Sinh;
    cosh, cosh_ => Cosh;
    tanh, tanh_ => Tanh;
    asinh, asinh_ => Asinh;
    arcsinh, arcsinh_ => Asinh;
    acosh, acosh_ => Acosh;
    arccosh, arccosh_ => Acosh;
    atanh, atanh_ => Atanh;
    arctanh, arctanh_ => Atanh;
    sigmoid, sigmoid_ => Sigmoid;
    relu, relu_ => Relu;
    erf, erf_ => Erf;
    erfc, erfc_ => Erfc;
    erfinv, erfinv_ => Erfinv;
    lgamma, lgamma_ => Lgamma;
    digamma, digamma_ => Digamma;
    floor, floor_ => Floor;
    ceil, ceil_ => Ceil;
    trunc, trunc_ => Trunc;
    fix, fix_ => Trunc;
    frac, frac_ => Frac;
    reciprocal, reciprocal_ => Reciprocal;
    logical_not, logical_not_ => LogicalNot;
    bitwise_not, bitwise_not_ => BitwiseNot;
}

/// Predicates: no in-place form in PyTorch.
macro_rules! predicate_ops {
    ($($name:ident => $op:ident;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(signature = (*, out=None))]
                fn $name(&self, py: Python<'_>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
                    unary_call(py, &self.t, UnaryOp::$op, out)
                }
            )*
        }
        const PREDICATE_FUNCTIONS: &[&str] = &[$(stringify!($name)),*];
    };
}

predicate_ops! {
    isnan => IsNan;
    isinf => IsInf;
    isfinite => IsFinite;
    isposinf => IsPosInf;
    isneginf => IsNegInf;
    signbit => Signbit;
}

#[pymethods]
impl PyTensor {
    /// `+x`: the tensor itself (PyTorch returns an alias); refused for bool like PyTorch.
    pub fn positive(slf: &Bound<'_, PyTensor>) -> PyResult<Py<PyAny>> {
        if slf.borrow().t.dtype() == ferrograd_core::DType::Bool {
            return Err(pyo3::exceptions::PyNotImplementedError::new_err(
                "The `+` operator, on a bool tensor is not supported.",
            ));
        }
        Ok(slf.clone().into_any().unbind())
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::exports::export_methods(m, UNARY_FUNCTIONS)?;
    crate::exports::export_methods(m, PREDICATE_FUNCTIONS)?;
    crate::exports::export_methods(m, &["positive"])?;
    Ok(())
}
