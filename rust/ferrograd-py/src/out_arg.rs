//! `out=`: PyTorch writes into an `out` tensor of the result's shape, and resizes any other
//! (with a deprecation warning when it held elements). A resize here gives the Python `out`
//! object a new tensor of the result's shape; its old storage (and views of it) stay as they were.

use ferrograd_core::shape::broadcast_shapes;
use ferrograd_core::{DType, Tensor};
use pyo3::exceptions::PyUserWarning;
use pyo3::prelude::*;

use crate::errors::{core, runtime_err};
use crate::tensor::PyTensor;

/// `out`'s tensor, when it has `shape` (the result's shape, when known): the op then writes into
/// it directly. `None` otherwise: the op makes a new tensor and [`result`] resizes `out` to it.
pub fn out_target(out: Option<&Bound<'_, PyTensor>>, shape: Option<&[usize]>) -> Option<Tensor> {
    let o = out?.borrow().t.clone();
    match shape {
        Some(s) if s != o.shape() => None,
        _ => Some(o),
    }
}

/// The broadcast shape of operands, when they broadcast (the op reports it when they do not).
pub fn broadcast_of(shapes: &[&[usize]]) -> Option<Vec<usize>> {
    shapes
        .iter()
        .try_fold(Vec::new(), |acc, s| broadcast_shapes(&acc, s).ok())
}

/// The result of an elementwise op called with [`out_target`]: the `out` object when the op wrote
/// into it; when it made a new tensor, `out` is resized to it (after PyTorch's cast check).
pub fn result(py: Python<'_>, t: Tensor, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let Some(out) = out else {
        return Ok(Py::new(py, PyTensor { t })?.into_any());
    };
    let want = out.borrow().t.dtype();
    if !out.borrow().t.is_same(&t) && !t.dtype().can_cast_to(want) {
        return Err(runtime_err(format!(
            "result type {} can't be cast to the desired output type {}",
            t.dtype().scalar_type_name(),
            want.scalar_type_name()
        )));
    }
    if out.borrow().t.is_same(&t) {
        return Ok(out.clone().into_any().unbind());
    }
    Ok(write_out(py, out, t)?.into_any())
}

/// Puts `result` into `out`: copied in (cast to `out`'s dtype) when the shapes match; otherwise
/// `out` is resized to the result.
pub fn write_out(
    py: Python<'_>,
    out: &Bound<'_, PyTensor>,
    result: Tensor,
) -> PyResult<Py<PyTensor>> {
    let target = out.borrow().t.clone();
    if target.shape() == result.shape() {
        crate::errors::run(py, "out", result.numel(), || target.copy_(&result))?;
    } else {
        if target.numel() > 0 {
            let msg = format!(
                "An output with one or more elements was resized since it had shape {:?}, which does not match the required output shape {:?}. This behavior is deprecated, and in a future PyTorch release outputs will not be resized unless they have zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).",
                target.shape(),
                result.shape()
            );
            let msg = std::ffi::CString::new(msg).map_err(|e| runtime_err(e.to_string()))?;
            PyErr::warn(py, &py.get_type::<PyUserWarning>(), &msg, 1)?;
        }
        let converted = core("out", || result.to_dtype(target.dtype()))?;
        out.borrow_mut().t = converted;
    }
    Ok(out.clone().unbind())
}

/// PyTorch's rule, which differs from op to op, for the dtype `out=` may have.
#[derive(Clone, Copy)]
pub enum OutRule {
    /// Any dtype the result can be cast to (`mean`, `std`, `var`, elementwise ops).
    Castable,
    /// Exactly the input's dtype, which is the result's (`amax`, `amin`).
    SameAsInput,
    /// Exactly the result's dtype (`argmax`, `argmin`: int64).
    Exact,
    /// bool only (`all`, `any`; the op is named in the message).
    Bool(&'static str),
    /// A floating dtype (`logsumexp`).
    Floating(&'static str),
    /// Exactly the input's dtype, in the wording of `index_select` and `masked_select`.
    SameScalarType(&'static str),
}

/// Checks `out`'s dtype against the op's rule, then delivers the result as [`result`] does.
pub fn deliver(
    py: Python<'_>,
    t: Tensor,
    out: Option<&Bound<'_, PyTensor>>,
    rule: OutRule,
) -> PyResult<Py<PyAny>> {
    if let Some(o) = out {
        let (have, got) = (o.borrow().t.dtype(), t.dtype());
        let msg = match rule {
            OutRule::SameAsInput if have != got => Some(format!(
                "Expected the dtype for input and out to match, but got {} for input's dtype and {} for out's dtype.",
                got.scalar_type_name(),
                have.scalar_type_name()
            )),
            OutRule::Exact if have != got => Some(format!(
                "Expected out tensor to have dtype {}, but got {} instead",
                got.cpp_type_name(),
                have.cpp_type_name()
            )),
            OutRule::Bool(op) if have != DType::Bool => Some(format!(
                "{op} only supports bool tensor for result, got: {}",
                have.scalar_type_name()
            )),
            OutRule::Floating(op) if !have.is_floating_point() => Some(format!(
                "{op}(): Expected floating point type for result tensor, but got: {}",
                have.scalar_type_name()
            )),
            OutRule::SameScalarType(op) if have != got => Some(format!(
                "{op}(): self and result must have the same scalar type"
            )),
            _ => None,
        };
        if let Some(msg) = msg {
            return Err(runtime_err(msg));
        }
    }
    result(py, t, out)
}
