//! `out=`: PyTorch writes into an `out` tensor of the result's shape, and resizes any other
//! (with a deprecation warning when it held elements). A resize here gives the Python `out`
//! object a new tensor of the result's shape; its old storage (and views of it) stay as they were.

use ferrograd_core::shape::broadcast_shapes;
use ferrograd_core::{DType, Tensor};
use pyo3::exceptions::{PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

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
    refuse_grad_into_out("", &result)?;
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

/// A result with a graph cannot go into `out=`: PyTorch refuses (`op` names the op when known).
fn refuse_grad_into_out(op: &str, result: &Tensor) -> PyResult<()> {
    if result.requires_grad() && ferrograd_core::autograd::is_grad_enabled() {
        let prefix = if op.is_empty() {
            String::new()
        } else {
            format!("{op}(): ")
        };
        return Err(runtime_err(format!(
            "{prefix}functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad."
        )));
    }
    Ok(())
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
    /// Exactly the result's dtype, in the op's own wording: the function gets
    /// `(out's dtype, the result's dtype)` and writes the message.
    Mismatch(fn(DType, DType) -> String),
}

/// Checks `out`'s dtype against the op's rule, then delivers the result as [`result`] does.
pub fn deliver(
    py: Python<'_>,
    t: Tensor,
    out: Option<&Bound<'_, PyTensor>>,
    rule: OutRule,
) -> PyResult<Py<PyAny>> {
    if let Some(o) = out {
        check(rule, o.borrow().t.dtype(), t.dtype())?;
    }
    result(py, t, out)
}

/// PyTorch's error when `out`'s dtype `have` breaks the op's rule for a result of dtype `got`.
fn check(rule: OutRule, have: DType, got: DType) -> PyResult<()> {
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
        OutRule::Mismatch(message) if have != got => Some(message(have, got)),
        _ => None,
    };
    if let Some(msg) = msg {
        return Err(runtime_err(msg));
    }
    Ok(())
}

/// `out=` for a result of one tensor: `None`, or that tensor (a tuple is refused as PyTorch does).
pub fn single_out<'a, 'py>(
    op: &str,
    out: Option<&'a Bound<'py, PyAny>>,
) -> PyResult<Option<&'a Bound<'py, PyTensor>>> {
    match out.filter(|o| !o.is_none()) {
        None => Ok(None),
        Some(o) => o.cast::<PyTensor>().map(Some).map_err(|_| {
            crate::errors::type_err(format!(
                "{op}(): argument 'out' must be Tensor, not {}",
                o.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        }),
    }
}

/// Two results that `out=` must match exactly (`max`, `min`, `sort`, `topk`, `aminmax`, ...).
pub const PAIR_EXACT: [OutRule; 2] = [OutRule::Exact, OutRule::Exact];

/// Delivers the results of an op with several (`max(dim)`, `sort`, `linalg.svd`, ...) as
/// `ferrograd.return_types.<name>`. With `out=` (a tuple or list of one tensor per result, each
/// checked by its rule before any is written) the results go into those tensors, returned as
/// `<name>_out`, as PyTorch does.
pub fn deliver_tuple(
    py: Python<'_>,
    name: &str,
    results: Vec<Tensor>,
    out: Option<&Bound<'_, PyAny>>,
    rules: &[OutRule],
) -> PyResult<Py<PyAny>> {
    let out = out.filter(|o| !o.is_none());
    if out.is_some() {
        results
            .iter()
            .try_for_each(|r| refuse_grad_into_out(name, r))?;
    }
    let Some(out) = out else {
        let values = results
            .into_iter()
            .map(|t| Ok(Py::new(py, PyTensor { t })?.into_bound(py).into_any()))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(crate::exports::return_type(py, name, values)?.unbind());
    };
    let targets = out_tensors(name, out, results.len())?;
    for ((target, t), rule) in targets.iter().zip(&results).zip(rules) {
        check(*rule, target.borrow().t.dtype(), t.dtype())?;
    }
    let values = targets
        .iter()
        .zip(results)
        .map(|(target, t)| Ok(write_out(py, target, t)?.into_bound(py).into_any()))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(crate::exports::return_type(py, &format!("{name}_out"), values)?.unbind())
}

/// The tensors of a tuple `out=`, with PyTorch's TypeErrors for anything else.
fn out_tensors<'py>(
    name: &str,
    out: &Bound<'py, PyAny>,
    n: usize,
) -> PyResult<Vec<Bound<'py, PyTensor>>> {
    let not_tuple = || {
        PyTypeError::new_err(format!(
            "{name}(): argument 'out' must be tuple of Tensors, not {}",
            out.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    };
    let items: Vec<Bound<'py, PyAny>> = if let Ok(t) = out.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = out.cast::<PyList>() {
        l.iter().collect()
    } else {
        return Err(not_tuple());
    };
    if items.len() != n {
        return Err(PyTypeError::new_err(format!(
            "expected tuple of {n} elements but got {}",
            items.len()
        )));
    }
    items
        .into_iter()
        .map(|i| i.cast_into::<PyTensor>().map_err(|_| not_tuple()))
        .collect()
}
