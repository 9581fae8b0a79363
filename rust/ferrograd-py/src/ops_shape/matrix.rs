//! Matrix-structure ops: `tril`, `triu` (and in place), `tril_indices`, `triu_indices`,
//! `diag`, `diag_embed`, `diagflat`, `trace`.

use ferrograd_core::{DType, Tensor};
use pyo3::prelude::*;

use super::args::{check_out_dtype, Out};
use crate::dtype::extract_opt_dtype;
use crate::errors::run;
use crate::errors::{core, runtime_err};
use crate::out_arg::write_out;
use crate::tensor::{on_device, wrap, PyTensor};

/// A new result, or the result written into `out` (whose dtype must be the result's).
fn finish(py: Python<'_>, result: Tensor, out: Option<&Bound<'_, PyTensor>>) -> Out {
    match out {
        None => wrap(py, result),
        Some(out) => {
            check_out_dtype(out, result.dtype())?;
            write_out(py, out, result)
        }
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (diagonal=0, *, out=None))]
    fn tril(&self, py: Python<'_>, diagonal: i64, out: Option<&Bound<'_, PyTensor>>) -> Out {
        let result = run(py, "tril", self.t.numel(), || self.t.tril(diagonal))?;
        finish(py, result, out)
    }

    #[pyo3(signature = (diagonal=0, *, out=None))]
    fn triu(&self, py: Python<'_>, diagonal: i64, out: Option<&Bound<'_, PyTensor>>) -> Out {
        let result = run(py, "triu", self.t.numel(), || self.t.triu(diagonal))?;
        finish(py, result, out)
    }

    #[pyo3(signature = (diagonal=0))]
    fn tril_(slf: PyRef<'_, Self>, diagonal: i64) -> PyResult<PyRef<'_, Self>> {
        let t = slf.t.clone();
        run(slf.py(), "tril_", t.numel(), || t.tril_(diagonal))?;
        Ok(slf)
    }

    #[pyo3(signature = (diagonal=0))]
    fn triu_(slf: PyRef<'_, Self>, diagonal: i64) -> PyResult<PyRef<'_, Self>> {
        let t = slf.t.clone();
        run(slf.py(), "triu_", t.numel(), || t.triu_(diagonal))?;
        Ok(slf)
    }

    #[pyo3(signature = (diagonal=0, *, out=None))]
    fn diag(&self, py: Python<'_>, diagonal: i64, out: Option<&Bound<'_, PyTensor>>) -> Out {
        let result = run(py, "diag", self.t.numel(), || self.t.diag(diagonal))?;
        if let Some(out) = out {
            let (have, want) = (out.borrow().t.dtype(), result.dtype());
            if self.t.ndim() == 1 && !want.can_cast_to(have) {
                return Err(runtime_err(format!(
                    "diag: result type {} can't be cast to the desired out= type {}",
                    want.scalar_type_name(),
                    have.scalar_type_name()
                )));
            }
        }
        finish(py, result, out)
    }

    #[pyo3(signature = (offset=0, dim1=-2, dim2=-1))]
    fn diag_embed(&self, py: Python<'_>, offset: i64, dim1: i64, dim2: i64) -> Out {
        wrap(
            py,
            run(py, "diag_embed", self.t.numel(), || {
                self.t.diag_embed(offset, dim1, dim2)
            })?,
        )
    }

    #[pyo3(signature = (offset=0))]
    fn diagflat(&self, py: Python<'_>, offset: i64) -> Out {
        wrap(
            py,
            run(py, "diagflat", self.t.numel(), || self.t.diagflat(offset))?,
        )
    }

    fn trace(&self, py: Python<'_>) -> Out {
        wrap(py, core("trace", || self.t.trace())?)
    }
}

/// The dtype of the index functions: int64 unless given.
fn index_dtype(dtype: Option<&Bound<'_, PyAny>>) -> PyResult<DType> {
    Ok(extract_opt_dtype(dtype)?.unwrap_or(DType::I64))
}

#[pyfunction]
#[pyo3(signature = (row, col, offset=0, *, dtype=None, device=None, layout=None, pin_memory=None))]
#[allow(clippy::too_many_arguments)]
pub fn tril_indices(
    py: Python<'_>,
    row: i64,
    col: i64,
    offset: i64,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    pin_memory: Option<bool>,
) -> Out {
    let _ = (layout, pin_memory); // strided only, no pinned memory: nothing to choose.
    let dtype = index_dtype(dtype)?;
    let indices = core("tril_indices", || {
        Tensor::tril_indices(row, col, offset, dtype)
    })?;
    wrap(py, on_device(indices, device)?)
}

#[pyfunction]
#[pyo3(signature = (row, col, offset=0, *, dtype=None, device=None, layout=None, pin_memory=None))]
#[allow(clippy::too_many_arguments)]
pub fn triu_indices(
    py: Python<'_>,
    row: i64,
    col: i64,
    offset: i64,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    pin_memory: Option<bool>,
) -> Out {
    let _ = (layout, pin_memory);
    let dtype = index_dtype(dtype)?;
    let indices = core("triu_indices", || {
        Tensor::triu_indices(row, col, offset, dtype)
    })?;
    wrap(py, on_device(indices, device)?)
}
