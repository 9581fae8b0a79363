//! Bindings of matrix products and of `ferrograd.linalg`, whose functions are registered in
//! `_C` with a `_linalg_` prefix and re-exported by `python/ferrograd/linalg.py`. This file
//! holds what the parts share: `out=` handling, releasing the GIL, and `_LinAlgError`, the
//! RuntimeError subclass that numerical failures raise, as PyTorch's do.

mod contract;
mod decomp;
mod matmul;
mod norm;

use ferrograd_core::{Error, Tensor};
use pyo3::prelude::*;

use crate::errors::core;
use crate::out_arg::{deliver, deliver_tuple, OutRule};
use crate::tensor::PyTensor;

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

/// A named tuple of results, into `out=` (a tuple of tensors of exactly the results' dtypes)
/// when given.
fn named(
    py: Python<'_>,
    name: &str,
    parts: Vec<Tensor>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let rules = vec![OutRule::Exact; parts.len()];
    deliver_tuple(py, name, parts, out, &rules)
}

/// Delivers a result, honouring `out=` as PyTorch does: same dtype required; an `out` of the
/// right shape is written in place, any other is resized (a warning if it held elements).
fn finish(py: Python<'_>, result: Tensor, out: Option<&Bound<'_, PyTensor>>) -> Out {
    let r = deliver(py, result, out, OutRule::Exact)?;
    Ok(r.bind(py).cast::<PyTensor>()?.clone().unbind())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("_LinAlgError", m.py().get_type::<_LinAlgError>())?;
    matmul::register(m)?;
    contract::register(m)?;
    decomp::register(m)?;
    norm::register(m)
}
