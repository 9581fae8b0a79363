//! The one place core errors become Python exceptions, and where panics are stopped.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ferrograd_core::wgpu::fallback;
use ferrograd_core::{Error, ErrorKind};
use pyo3::exceptions::{
    PyIndexError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyUserWarning, PyValueError,
};
use pyo3::PyErr;
use pyo3::{PyResult, Python};

/// Maps a core error to the exception PyTorch raises for it, keeping PyTorch's message.
pub fn to_py_err(err: Error) -> PyErr {
    let msg = err.to_string();
    match err.kind() {
        ErrorKind::Runtime | ErrorKind::OutOfMemory => PyRuntimeError::new_err(msg),
        ErrorKind::Index => PyIndexError::new_err(msg),
        ErrorKind::Type => PyTypeError::new_err(msg),
        ErrorKind::Value => PyValueError::new_err(msg),
        ErrorKind::NotImplemented => PyNotImplementedError::new_err(msg),
    }
}

/// Runs a core call. An error becomes its Python exception; a panic (a bug in ferrograd) becomes
/// a RuntimeError naming the op instead of tearing down the interpreter.
pub fn core<T>(op: &'static str, f: impl FnOnce() -> ferrograd_core::Result<T>) -> PyResult<T> {
    let outcome = catch_unwind(AssertUnwindSafe(|| fallback::with_op(op, f)));
    raise_fallback_warnings()?;
    match outcome {
        Ok(result) => result.map_err(to_py_err),
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(PyRuntimeError::new_err(format!(
                "{op}: internal error in ferrograd (please report it): {detail}"
            )))
        }
    }
}

/// Raises the one-time warnings of ops that ran on the CPU for want of a GPU kernel (queued
/// by the core while the op ran, possibly without the GIL).
fn raise_fallback_warnings() -> PyResult<()> {
    let warnings = fallback::take_warnings();
    if warnings.is_empty() {
        return Ok(());
    }
    Python::attach(|py| {
        for msg in warnings {
            let msg = std::ffi::CString::new(msg).unwrap_or_default();
            PyErr::warn(py, &py.get_type::<PyUserWarning>(), &msg, 1)?;
        }
        Ok(())
    })
}

/// Runs a core op, releasing the GIL when it does enough work (elements touched, or
/// multiply-adds) for that to pay: small ops keep it, since releasing and re-taking it costs
/// more than they do, and large ones let other Python threads (data loader workers) run.
pub fn run<T: Send>(
    py: Python<'_>,
    op: &'static str,
    work: usize,
    f: impl FnOnce() -> ferrograd_core::Result<T> + Send,
) -> PyResult<T> {
    if work >= ferrograd_core::cpu::PARALLEL_THRESHOLD {
        py.detach(|| core(op, f))
    } else {
        core(op, f)
    }
}

/// Runs a core op with the GIL always released (ops whose cost is not known from their input
/// size, such as indexing with index tensors).
pub fn detached<T: Send>(
    py: Python<'_>,
    op: &'static str,
    f: impl FnOnce() -> ferrograd_core::Result<T> + Send,
) -> PyResult<T> {
    py.detach(|| core(op, f))
}

/// Runs a core op that reads `t`'s values back (`item`, `tolist`, a copy to the host): with the
/// GIL released when `t` lives on the GPU, since the read waits for the GPU to finish its
/// queued work, and other Python threads (data loader workers, a UI) can run meanwhile. The
/// read is a requested transfer, never counted as a fallback.
pub fn reading<T: Send>(
    op: &'static str,
    t: &ferrograd_core::Tensor,
    f: impl FnOnce() -> ferrograd_core::Result<T> + Send,
) -> PyResult<T> {
    if t.device().is_wgpu() {
        let requested = || ferrograd_core::wgpu::fallback::transfer(f);
        Python::attach(|py| py.detach(|| core(op, requested)))
    } else {
        core(op, f)
    }
}

pub fn runtime_err(msg: impl Into<String>) -> PyErr {
    PyRuntimeError::new_err(msg.into())
}

pub fn type_err(msg: impl Into<String>) -> PyErr {
    PyTypeError::new_err(msg.into())
}
