//! Python's operators on tensors (`+`, `-`, `*`, `/`, `//`, `%`, `**`, `&`, `|`, `^`, `<<`,
//! `>>`, `~`, unary `-`, comparisons), their reflected forms (`2 - x`) and in-place forms
//! (`x += y`). An operand that is neither a tensor nor a number gives `NotImplemented`, so
//! Python raises its usual TypeError.

use ferrograd_core::{Arg, BinaryOp, UnaryOp};
use pyo3::basic::CompareOp;
use pyo3::prelude::*;

use crate::errors::type_err;
use crate::ops_binary::{binary_call, binary_inplace};
use crate::ops_elementwise::{operand, unary_call};
use crate::tensor::PyTensor;

/// `self op other` (or `other op self` when `reflected`).
fn forward(
    slf: &Bound<'_, PyTensor>,
    other: &Bound<'_, PyAny>,
    op: BinaryOp,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let Some(o) = operand(other)? else {
        return Ok(py.NotImplemented());
    };
    let s = Arg::Tensor(slf.borrow().t.clone());
    let (a, b) = if reflected { (o, s) } else { (s, o) };
    binary_call(py, op, a, b, None, None)
}

/// `self op= other`.
fn inplace(
    slf: &Bound<'_, PyTensor>,
    other: &Bound<'_, PyAny>,
    op: BinaryOp,
    symbol: &str,
) -> PyResult<()> {
    let Some(o) = operand(other)? else {
        return Err(type_err(format!(
            "unsupported operand type(s) for {symbol}: 'Tensor' and '{}'",
            other.get_type().name()?
        )));
    };
    binary_inplace(slf, op, o, None)?;
    Ok(())
}

#[pymethods]
impl PyTensor {
    fn __add__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Add, false)
    }
    fn __radd__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Add, true)
    }
    fn __iadd__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Add, "+=")
    }
    fn __sub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Sub, false)
    }
    fn __rsub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Sub, true)
    }
    fn __isub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Sub, "-=")
    }
    fn __mul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Mul, false)
    }
    fn __rmul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Mul, true)
    }
    fn __imul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Mul, "*=")
    }
    fn __truediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Div, false)
    }
    fn __rtruediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Div, true)
    }
    fn __itruediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Div, "/=")
    }
    fn __floordiv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::DivFloor, false)
    }
    fn __rfloordiv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::DivFloor, true)
    }
    fn __ifloordiv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::DivFloor, "//=")
    }
    fn __mod__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Remainder, false)
    }
    fn __rmod__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Remainder, true)
    }
    fn __imod__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Remainder, "%=")
    }
    fn __pow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Pow, false)
    }
    fn __rpow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Pow, true)
    }
    fn __ipow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Pow, "**=")
    }
    fn __and__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::BitwiseAnd, false)
    }
    fn __rand__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::BitwiseAnd, true)
    }
    fn __iand__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::BitwiseAnd, "&=")
    }
    fn __or__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::BitwiseOr, false)
    }
    fn __ror__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::BitwiseOr, true)
    }
    fn __ior__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::BitwiseOr, "|=")
    }
    fn __xor__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::BitwiseXor, false)
    }
    fn __rxor__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::BitwiseXor, true)
    }
    fn __ixor__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::BitwiseXor, "^=")
    }
    fn __lshift__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::LeftShift, false)
    }
    fn __rlshift__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::LeftShift, true)
    }
    fn __ilshift__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::LeftShift, "<<=")
    }
    fn __rshift__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::RightShift, false)
    }
    fn __rrshift__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::RightShift, true)
    }
    fn __irshift__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::RightShift, ">>=")
    }

    fn __neg__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        unary_call(py, &self.t, UnaryOp::Neg, None)
    }
    fn __abs__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        unary_call(py, &self.t, UnaryOp::Abs, None)
    }
    fn __invert__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        unary_call(py, &self.t, UnaryOp::BitwiseNot, None)
    }
    fn __pos__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        PyTensor::positive(slf)
    }

    fn __richcmp__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        op: CompareOp,
    ) -> PyResult<Py<PyAny>> {
        let op = match op {
            CompareOp::Eq => BinaryOp::Eq,
            CompareOp::Ne => BinaryOp::Ne,
            CompareOp::Lt => BinaryOp::Lt,
            CompareOp::Le => BinaryOp::Le,
            CompareOp::Gt => BinaryOp::Gt,
            CompareOp::Ge => BinaryOp::Ge,
        };
        forward(slf, other, op, false)
    }
}
