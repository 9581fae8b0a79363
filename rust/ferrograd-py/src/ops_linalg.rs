//! Bindings of matrix products and of `ferrograd.linalg`, whose functions are registered in
//! `_C` with a `_linalg_` prefix and re-exported by `python/ferrograd/linalg.py`. This file
//! holds what the parts share: `out=` handling, releasing the GIL, and `_LinAlgError`, the
//! RuntimeError subclass that numerical failures raise, as PyTorch's do.

mod contract;
mod decomp;
mod matmul;
mod norm;

use ferrograd_core::{Error, Tensor};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::errors::{core, runtime_err};
use crate::exports::return_type;
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;
type OutArg<'a, 'py> = Option<&'a Bound<'py, PyTensor>>;

/// PyTorch's `torch._C._LinAlgError` (exposed as `ferrograd.linalg.LinAlgError`).
#[allow(non_camel_case_types)]
mod exception {
    pyo3::create_exception!(ferrograd._C, _LinAlgError, pyo3::exceptions::PyRuntimeError);
}
use exception::_LinAlgError;

/// Work above which a decomposition runs with the GIL released.
const DETACH_ELEMENTS: usize = 4096;

/// Runs a core linalg op: a decomposition failure becomes `_LinAlgError`, any other error its
/// usual exception; big inputs release the GIL.
fn linalg<T: Send>(
    py: Python<'_>,
    op: &'static str,
    size: usize,
    f: impl FnOnce() -> ferrograd_core::Result<T> + Send,
) -> PyResult<T> {
    let run = || {
        let r = core(op, || match f() {
            Ok(v) => Ok(Ok(v)),
            Err(Error::LinAlg { msg }) => Ok(Err(msg)),
            Err(e) => Err(e),
        })?;
        r.map_err(_LinAlgError::new_err)
    };
    if size >= DETACH_ELEMENTS {
        py.detach(run)
    } else {
        run()
    }
}

fn named(py: Python<'_>, name: &str, parts: Vec<Tensor>) -> PyResult<Py<PyAny>> {
    let values = parts
        .into_iter()
        .map(|t| wrap(py, t).map(|p| p.into_bound(py).into_any()))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(return_type(py, name, values)?.unbind())
}

/// Ops with several results do not take `out=` here (PyTorch fills a tuple of tensors).
fn reject_tuple_out(out: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    match out {
        Some(o) if !o.is_none() => Err(PyTypeError::new_err(
            "ferrograd does not support out= for linalg functions that return several tensors",
        )),
        _ => Ok(()),
    }
}

/// Delivers a result, honouring `out=` as PyTorch does: same dtype required; an `out` of the
/// right shape is written in place, any other is resized (a warning if it held elements).
fn finish(py: Python<'_>, result: Tensor, out: Option<&Bound<'_, PyTensor>>) -> Out {
    let Some(out) = out else {
        return wrap(py, result);
    };
    let current = out.borrow().t.clone();
    if current.dtype() != result.dtype() {
        return Err(runtime_err(format!(
            "Expected out tensor to have dtype {}, but got {} instead",
            result.dtype().cpp_type_name(),
            current.dtype().cpp_type_name()
        )));
    }
    crate::out_arg::write_out(py, out, result)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("_LinAlgError", m.py().get_type::<_LinAlgError>())?;
    matmul::register(m)?;
    contract::register(m)?;
    decomp::register(m)?;
    norm::register(m)
}
