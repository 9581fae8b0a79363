//! Bindings of the indexing ops: `index_*`, `take`/`put`, `nonzero`, one-argument `where`.
//! Argument conversion only; the ops are the core's. `gather`/`scatter*`/`masked_*` are in
//! `ops_index_scatter.rs`, sorting, searching and counting in `ops_index_sort.rs`.

use ferrograd_core::{Scalar, Tensor};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::args::extract_scalar;
use crate::errors::detached;
use crate::ops_reduce::{dim_arg, dim_or_axis, required, required_dim};
use crate::out_arg::{deliver, OutRule};
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

/// A fill value: a number, or a 0-dim tensor (PyTorch's message names the op for others),
/// kept as a tensor so that its gradient flows (`MaskedFillBackward1`).
pub enum FillValue {
    Number(Scalar),
    Tensor(Tensor),
}

pub fn fill_value(op: &str, value: &Bound<'_, PyAny>) -> PyResult<FillValue> {
    if let Ok(t) = value.cast::<PyTensor>() {
        let t = t.borrow().t.clone();
        if t.ndim() != 0 {
            return Err(PyRuntimeError::new_err(format!(
                "{op} only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
                t.ndim()
            )));
        }
        return Ok(FillValue::Tensor(t));
    }
    Ok(FillValue::Number(extract_scalar(value)?))
}

/// `index_put_`'s `indices`: a tuple or list of tensors.
fn tensor_tuple(op: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<Option<Tensor>>> {
    let items: Vec<Bound<'_, PyAny>> = if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect()
    } else {
        let ty = obj.get_type().name()?;
        return Err(PyTypeError::new_err(format!(
            "{op}(): argument 'indices' (position 1) must be tuple of Tensors, not {ty}"
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, it)| match it.cast::<PyTensor>() {
            Ok(t) => Ok(Some(t.borrow().t.clone())),
            Err(_) => Err(PyTypeError::new_err(format!(
                "expected Tensor as element {i} in argument 0, but got {}",
                it.get_type().name()?
            ))),
        })
        .collect::<PyResult<Vec<_>>>()
        .and_then(|v| {
            crate::index_key::warn_uint8_masks(obj.py(), v.iter().flatten())?;
            Ok(v)
        })
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=None, index=None, *, axis=None, out=None))]
    fn index_select(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        index: Option<PyRef<'_, PyTensor>>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = required_dim("index_select", dim, axis)?;
        let index = required("index_select", "index", index)?;
        let i = index.t.clone();
        let r = detached(py, "index_select", || self.t.index_select(dim, &i))?;
        deliver(py, r, out, OutRule::SameScalarType("index_select"))
    }

    #[pyo3(signature = (dim=None, index=None, source=None, *, alpha=None, axis=None, out=None))]
    #[allow(clippy::too_many_arguments)] // PyTorch's arguments and the numpy alias
    fn index_add(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        index: Option<PyRef<'_, PyTensor>>,
        source: Option<PyRef<'_, PyTensor>>,
        alpha: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = required_dim("index_add", dim, axis)?;
        let index = required("index_add", "index", index)?;
        let source = required("index_add", "source", source)?;
        let alpha = alpha
            .map(extract_scalar)
            .transpose()?
            .unwrap_or(Scalar::Int(1));
        let (i, s) = (index.t.clone(), source.t.clone());
        let r = detached(py, "index_add", || self.t.index_add(dim, &i, &s, alpha))?;
        deliver(py, r, out, OutRule::Exact)
    }

    #[pyo3(signature = (dim=None, index=None, source=None, *, alpha=None, axis=None))]
    fn index_add_<'py>(
        slf: PyRef<'py, Self>,
        dim: Option<&Bound<'py, PyAny>>,
        index: Option<PyRef<'py, PyTensor>>,
        source: Option<PyRef<'py, PyTensor>>,
        alpha: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let dim = required_dim("index_add_", dim, axis)?;
        let index = required("index_add_", "index", index)?;
        let source = required("index_add_", "source", source)?;
        let alpha = alpha
            .map(extract_scalar)
            .transpose()?
            .unwrap_or(Scalar::Int(1));
        let (t, i, s) = (slf.t.clone(), index.t.clone(), source.t.clone());
        detached(slf.py(), "index_add_", || t.index_add_(dim, &i, &s, alpha))?;
        Ok(slf)
    }

    #[pyo3(signature = (dim=None, index=None, source=None, *, axis=None, out=None))]
    fn index_copy(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        index: Option<PyRef<'_, PyTensor>>,
        source: Option<PyRef<'_, PyTensor>>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = required_dim("index_copy", dim, axis)?;
        let index = required("index_copy", "index", index)?;
        let source = required("index_copy", "source", source)?;
        let (i, s) = (index.t.clone(), source.t.clone());
        let r = detached(py, "index_copy", || self.t.index_copy(dim, &i, &s))?;
        deliver(py, r, out, OutRule::Exact)
    }

    #[pyo3(signature = (dim=None, index=None, source=None, *, axis=None))]
    fn index_copy_<'py>(
        slf: PyRef<'py, Self>,
        dim: Option<&Bound<'py, PyAny>>,
        index: Option<PyRef<'py, PyTensor>>,
        source: Option<PyRef<'py, PyTensor>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let dim = required_dim("index_copy_", dim, axis)?;
        let index = required("index_copy_", "index", index)?;
        let source = required("index_copy_", "source", source)?;
        let (t, i, s) = (slf.t.clone(), index.t.clone(), source.t.clone());
        detached(slf.py(), "index_copy_", || t.index_copy_(dim, &i, &s))?;
        Ok(slf)
    }

    #[pyo3(signature = (dim=None, index=None, value=None, *, axis=None))]
    fn index_fill(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        index: Option<PyRef<'_, PyTensor>>,
        value: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dim = required_dim("index_fill", dim, axis)?;
        let index = required("index_fill", "index", index)?;
        let value = required("index_fill", "value", value)?;
        let v = fill_value("index_fill_", value)?;
        let i = index.t.clone();
        let t = detached(py, "index_fill", || match &v {
            FillValue::Number(v) => self.t.index_fill(dim, &i, *v),
            FillValue::Tensor(v) => self.t.index_fill_tensor(dim, &i, v),
        })?;
        wrap(py, t)
    }

    #[pyo3(signature = (dim=None, index=None, value=None, *, axis=None))]
    fn index_fill_<'py>(
        slf: PyRef<'py, Self>,
        dim: Option<&Bound<'py, PyAny>>,
        index: Option<PyRef<'py, PyTensor>>,
        value: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let dim = required_dim("index_fill_", dim, axis)?;
        let index = required("index_fill_", "index", index)?;
        let value = required("index_fill_", "value", value)?;
        let v = fill_value("index_fill_", value)?;
        let (t, i) = (slf.t.clone(), index.t.clone());
        detached(slf.py(), "index_fill_", || match &v {
            FillValue::Number(v) => t.index_fill_(dim, &i, *v),
            FillValue::Tensor(v) => t.index_fill_tensor_(dim, &i, v),
        })?;
        Ok(slf)
    }

    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put(
        &self,
        py: Python<'_>,
        indices: &Bound<'_, PyAny>,
        values: PyRef<'_, PyTensor>,
        accumulate: bool,
    ) -> Out {
        let indices = tensor_tuple("index_put", indices)?;
        let v = values.t.clone();
        wrap(
            py,
            detached(py, "index_put", || {
                self.t.index_put(&indices, &v, accumulate)
            })?,
        )
    }

    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put_<'py>(
        slf: PyRef<'py, Self>,
        indices: &Bound<'py, PyAny>,
        values: PyRef<'py, PyTensor>,
        accumulate: bool,
    ) -> PyResult<PyRef<'py, Self>> {
        let indices = tensor_tuple("index_put_", indices)?;
        let (t, v) = (slf.t.clone(), values.t.clone());
        detached(slf.py(), "index_put_", || {
            t.index_put_(&indices, &v, accumulate)
        })?;
        Ok(slf)
    }

    #[pyo3(signature = (index, *, out=None))]
    fn take(
        &self,
        py: Python<'_>,
        index: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let i = index.t.clone();
        let r = detached(py, "take", || self.t.take(&i))?;
        deliver(py, r, out, TAKE_OUT)
    }

    #[pyo3(signature = (indices, dim=None, *, axis=None, out=None))]
    fn take_along_dim(
        &self,
        py: Python<'_>,
        indices: PyRef<'_, PyTensor>,
        dim: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = dim_arg("take_along_dim", dim_or_axis("take_along_dim", dim, axis)?)?;
        let i = indices.t.clone();
        let r = detached(py, "take_along_dim", || self.t.take_along_dim(&i, dim))?;
        deliver(py, r, out, OutRule::Exact)
    }

    #[pyo3(signature = (index, source, accumulate=false))]
    fn put(
        &self,
        py: Python<'_>,
        index: PyRef<'_, PyTensor>,
        source: PyRef<'_, PyTensor>,
        accumulate: bool,
    ) -> Out {
        let (i, s) = (index.t.clone(), source.t.clone());
        wrap(py, detached(py, "put", || self.t.put(&i, &s, accumulate))?)
    }

    #[pyo3(signature = (index, source, accumulate=false))]
    fn put_<'py>(
        slf: PyRef<'py, Self>,
        index: PyRef<'py, PyTensor>,
        source: PyRef<'py, PyTensor>,
        accumulate: bool,
    ) -> PyResult<PyRef<'py, Self>> {
        let (t, i, s) = (slf.t.clone(), index.t.clone(), source.t.clone());
        detached(slf.py(), "put_", || t.put_(&i, &s, accumulate))?;
        Ok(slf)
    }

    /// `nonzero()`: an `[n, ndim]` tensor of coordinates, or with `as_tuple` one tensor per dim.
    #[pyo3(signature = (*, as_tuple=false, out=None))]
    fn nonzero(
        &self,
        py: Python<'_>,
        as_tuple: bool,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        if as_tuple {
            return tensor_tuple_result(py, detached(py, "nonzero", || self.t.nonzero_tuple())?);
        }
        let r = detached(py, "nonzero", || self.t.nonzero())?;
        deliver(py, r, out, NONZERO_OUT)
    }

    fn argwhere(&self, py: Python<'_>) -> Out {
        wrap(py, detached(py, "argwhere", || self.t.argwhere())?)
    }
}

/// `take`'s check of `out=`.
const TAKE_OUT: OutRule = OutRule::Mismatch(|have, want| {
    format!(
        "take(): self and out expected to have the same dtype, but got self.dtype = {} and out.dtype = {}",
        want.scalar_type_name(),
        have.scalar_type_name()
    )
});

/// `nonzero`'s check of `out=` (PyTorch's message lacks the space before the dtype).
const NONZERO_OUT: OutRule = OutRule::Mismatch(|have, _| {
    format!(
        "nonzero: Expected out tensor to have scalar type Long but got scalar type{}",
        have.scalar_type_name()
    )
});

/// A Python tuple of new tensors.
pub fn tensor_tuple_result(py: Python<'_>, ts: Vec<Tensor>) -> PyResult<Py<PyAny>> {
    let items = ts
        .into_iter()
        .map(|t| wrap(py, t))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, items)?.into_any().unbind())
}

/// One-argument `where(condition)`: `nonzero(condition, as_tuple=True)`. `ferrograd.where`
/// sends its one-argument form here.
#[pyfunction]
fn _where_condition(py: Python<'_>, condition: PyRef<'_, PyTensor>) -> PyResult<Py<PyAny>> {
    let c = condition.t.clone();
    tensor_tuple_result(py, detached(py, "where", || c.nonzero_tuple())?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_where_condition, m)?)?;
    crate::exports::export_methods(
        m,
        &[
            "index_select",
            "index_add",
            "index_copy",
            "index_fill",
            "index_put",
            "index_put_",
            "take",
            "take_along_dim",
            "put",
            "nonzero",
            "argwhere",
        ],
    )?;
    crate::ops_index_scatter::register(m)?;
    crate::ops_index_sort::register(m)
}
