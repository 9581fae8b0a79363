//! Binary elementwise ops in Python: methods (`x.add(y)`), in-place methods (`x.add_(y)`) and
//! top-level functions (`ferrograd.add(2, x)`, where either side may be a Python number).
//! One line per op in the table below; ops with extra arguments are written out after it.

use ferrograd_core::{binary_op, Arg, BinaryOp, Scalar};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::args::extract_scalar;
use crate::errors::run;
use crate::ops_elementwise::{required_operand, tensor_operand};
use crate::out_arg::{broadcast_of, out_target, result};
use crate::tensor::PyTensor;

fn numel_of(a: &Arg, b: &Arg) -> usize {
    let n = |x: &Arg| match x {
        Arg::Tensor(t) => t.numel(),
        Arg::Scalar(_) => 1,
    };
    n(a).max(n(b))
}

/// Runs `op` on two operands, writing into `out` when given.
pub fn binary_call(
    py: Python<'_>,
    op: BinaryOp,
    a: Arg,
    b: Arg,
    alpha: Option<Scalar>,
    out: Option<&Bound<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    let target = out_target(out, broadcast_of(&[a.shape(), b.shape()]).as_deref());
    let numel = numel_of(&a, &b);
    let t = run(py, op.info().name, numel, || {
        binary_op(op, &a, &b, alpha, target.as_ref())
    })?;
    result(py, t, out)
}

/// `x.op_(other)`: writes into `x` and returns it.
pub fn binary_inplace<'py>(
    slf: &Bound<'py, PyTensor>,
    op: BinaryOp,
    other: Arg,
    alpha: Option<Scalar>,
) -> PyResult<Bound<'py, PyTensor>> {
    let x = slf.borrow().t.clone();
    let numel = x.numel();
    run(slf.py(), op.info().name, numel, || {
        binary_op(op, &Arg::Tensor(x.clone()), &other, alpha, Some(&x))
    })?;
    Ok(slf.clone())
}

/// Reads `other`: any tensor or number, or (for ops PyTorch only defines on tensors) a tensor.
fn other_arg(op: &str, tensor_only: bool, obj: &Bound<'_, PyAny>) -> PyResult<Arg> {
    if tensor_only {
        Ok(Arg::Tensor(tensor_operand(op, "other", 2, obj)?))
    } else {
        required_operand(op, "other", 2, obj)
    }
}

macro_rules! binary_ops {
    ($($name:ident, $inplace:ident => $op:ident, $tensor_only:expr;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(signature = (other, *, out=None))]
                fn $name(
                    slf: &Bound<'_, PyTensor>,
                    other: &Bound<'_, PyAny>,
                    out: Option<&Bound<'_, PyTensor>>,
                ) -> PyResult<Py<PyAny>> {
                    let name = stringify!($name);
                    let b = other_arg(name, $tensor_only, other)?;
                    binary_call(slf.py(), BinaryOp::$op, Arg::Tensor(slf.borrow().t.clone()), b, None, out)
                }

                fn $inplace<'py>(
                    slf: &Bound<'py, PyTensor>,
                    other: &Bound<'py, PyAny>,
                ) -> PyResult<Bound<'py, PyTensor>> {
                    let b = other_arg(stringify!($inplace), $tensor_only, other)?;
                    binary_inplace(slf, BinaryOp::$op, b, None)
                }
            )*
        }

        /// The top-level forms: the first operand may be a number too.
        mod functions {
            use super::*;
            $(
                #[pyfunction]
                #[pyo3(signature = (input, other, *, out=None))]
                pub fn $name(
                    input: &Bound<'_, PyAny>,
                    other: &Bound<'_, PyAny>,
                    out: Option<&Bound<'_, PyTensor>>,
                ) -> PyResult<Py<PyAny>> {
                    let name = stringify!($name);
                    let a = required_operand(name, "input", 1, input)?;
                    let b = other_arg(name, $tensor_only, other)?;
                    binary_call(input.py(), BinaryOp::$op, a, b, None, out)
                }
            )*

            pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
                $( m.add_function(wrap_pyfunction!($name, m)?)?; )*
                Ok(())
            }
        }
    };
}

binary_ops! {
    mul, mul_ => Mul, false;
    multiply, multiply_ => Mul, false;
    true_divide, true_divide_ => Div, false;
    floor_divide, floor_divide_ => DivFloor, false;
    remainder, remainder_ => Remainder, false;
    fmod, fmod_ => Fmod, false;
    pow, pow_ => Pow, false;
    float_power, float_power_ => FloatPower, false;
    atan2, atan2_ => Atan2, true;
    arctan2, arctan2_ => Atan2, true;
    maximum, maximum_ => Maximum, true;
    minimum, minimum_ => Minimum, true;
    fmax, fmax_ => Fmax, true;
    fmin, fmin_ => Fmin, true;
    hypot, hypot_ => Hypot, true;
    copysign, copysign_ => Copysign, false;
    xlogy, xlogy_ => Xlogy, false;
    eq, eq_ => Eq, false;
    ne, ne_ => Ne, false;
    not_equal, not_equal_ => Ne, false;
    lt, lt_ => Lt, false;
    less, less_ => Lt, false;
    le, le_ => Le, false;
    less_equal, less_equal_ => Le, false;
    gt, gt_ => Gt, false;
    greater, greater_ => Gt, false;
    ge, ge_ => Ge, false;
    greater_equal, greater_equal_ => Ge, false;
    logical_and, logical_and_ => LogicalAnd, true;
    logical_or, logical_or_ => LogicalOr, true;
    logical_xor, logical_xor_ => LogicalXor, true;
    bitwise_and, bitwise_and_ => BitwiseAnd, false;
    bitwise_or, bitwise_or_ => BitwiseOr, false;
    bitwise_xor, bitwise_xor_ => BitwiseXor, false;
    bitwise_left_shift, bitwise_left_shift_ => LeftShift, false;
    bitwise_right_shift, bitwise_right_shift_ => RightShift, false;
}

fn alpha_arg(alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Scalar>> {
    alpha.map(extract_scalar).transpose()
}

/// `div`'s `rounding_mode`: None (true division), "trunc" or "floor".
fn div_op(rounding_mode: Option<&str>) -> PyResult<BinaryOp> {
    match rounding_mode {
        None => Ok(BinaryOp::Div),
        Some("trunc") => Ok(BinaryOp::DivTrunc),
        Some("floor") => Ok(BinaryOp::DivFloor),
        Some(other) => Err(PyRuntimeError::new_err(format!(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{other}'"
        ))),
    }
}

/// add, sub (with `alpha`) and div (with `rounding_mode`), whose extra arguments the table's
/// macro does not cover.
#[pymethods]
impl PyTensor {
    #[pyo3(signature = (other, *, alpha=None, out=None))]
    fn add(
        slf: &Bound<'_, PyTensor>,
        other: &Bound<'_, PyAny>,
        alpha: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let b = required_operand("add", "other", 2, other)?;
        let a = Arg::Tensor(slf.borrow().t.clone());
        binary_call(slf.py(), BinaryOp::Add, a, b, alpha_arg(alpha)?, out)
    }

    #[pyo3(signature = (other, *, alpha=None))]
    fn add_<'py>(
        slf: &Bound<'py, PyTensor>,
        other: &Bound<'py, PyAny>,
        alpha: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        let b = required_operand("add_", "other", 2, other)?;
        binary_inplace(slf, BinaryOp::Add, b, alpha_arg(alpha)?)
    }

    #[pyo3(signature = (other, *, alpha=None, out=None))]
    fn sub(
        slf: &Bound<'_, PyTensor>,
        other: &Bound<'_, PyAny>,
        alpha: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let b = required_operand("sub", "other", 2, other)?;
        let a = Arg::Tensor(slf.borrow().t.clone());
        binary_call(slf.py(), BinaryOp::Sub, a, b, alpha_arg(alpha)?, out)
    }

    #[pyo3(signature = (other, *, alpha=None))]
    fn sub_<'py>(
        slf: &Bound<'py, PyTensor>,
        other: &Bound<'py, PyAny>,
        alpha: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        let b = required_operand("sub_", "other", 2, other)?;
        binary_inplace(slf, BinaryOp::Sub, b, alpha_arg(alpha)?)
    }

    #[pyo3(signature = (other, *, rounding_mode=None, out=None))]
    fn div(
        slf: &Bound<'_, PyTensor>,
        other: &Bound<'_, PyAny>,
        rounding_mode: Option<&str>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let b = required_operand("div", "other", 2, other)?;
        let a = Arg::Tensor(slf.borrow().t.clone());
        binary_call(slf.py(), div_op(rounding_mode)?, a, b, None, out)
    }

    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn div_<'py>(
        slf: &Bound<'py, PyTensor>,
        other: &Bound<'py, PyAny>,
        rounding_mode: Option<&str>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        let b = required_operand("div_", "other", 2, other)?;
        binary_inplace(slf, div_op(rounding_mode)?, b, None)
    }

    #[pyo3(signature = (other, *, rounding_mode=None, out=None))]
    fn divide(
        slf: &Bound<'_, PyTensor>,
        other: &Bound<'_, PyAny>,
        rounding_mode: Option<&str>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        Self::div(slf, other, rounding_mode, out)
    }

    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn divide_<'py>(
        slf: &Bound<'py, PyTensor>,
        other: &Bound<'py, PyAny>,
        rounding_mode: Option<&str>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        Self::div_(slf, other, rounding_mode)
    }
}

#[pyfunction]
#[pyo3(signature = (input, other, *, alpha=None, out=None))]
fn add(
    input: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
    alpha: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    let a = required_operand("add", "input", 1, input)?;
    let b = required_operand("add", "other", 2, other)?;
    binary_call(input.py(), BinaryOp::Add, a, b, alpha_arg(alpha)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, other, *, alpha=None, out=None))]
fn sub(
    input: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
    alpha: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    let a = required_operand("sub", "input", 1, input)?;
    let b = required_operand("sub", "other", 2, other)?;
    binary_call(input.py(), BinaryOp::Sub, a, b, alpha_arg(alpha)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, other, *, rounding_mode=None, out=None))]
fn div(
    input: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
    rounding_mode: Option<&str>,
    out: Option<&Bound<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    let a = required_operand("div", "input", 1, input)?;
    let b = required_operand("div", "other", 2, other)?;
    binary_call(input.py(), div_op(rounding_mode)?, a, b, None, out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    functions::register(m)?;
    m.add_function(wrap_pyfunction!(add, m)?)?;
    m.add_function(wrap_pyfunction!(sub, m)?)?;
    m.add_function(wrap_pyfunction!(div, m)?)?;
    m.add("subtract", m.getattr("sub")?)?;
    m.add("divide", m.getattr("div")?)?;
    Ok(())
}
