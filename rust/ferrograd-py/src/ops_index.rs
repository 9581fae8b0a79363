//! Bindings of the indexing ops: `index_*`, `gather`/`scatter*`, `masked_*`, `take`/`put`,
//! `nonzero`. Argument conversion only; the ops are the core's. Sorting, searching and
//! counting ops are in `ops_index_sort.rs`.

use ferrograd_core::{Scalar, ScatterReduce, Tensor};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::args::extract_scalar;
use crate::errors::core;
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

/// Runs a core op with the GIL released (indexing kernels can be long).
pub fn run<T: Send>(
    py: Python<'_>,
    op: &'static str,
    f: impl FnOnce() -> ferrograd_core::Result<T> + Send,
) -> PyResult<T> {
    py.detach(|| core(op, f))
}

/// A fill value: a number, or a 0-dim tensor (PyTorch's message names the op for others).
fn fill_value(op: &str, value: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    if let Ok(t) = value.cast::<PyTensor>() {
        let n = t.borrow().t.ndim();
        if n != 0 {
            return Err(PyRuntimeError::new_err(format!(
                "{op} only supports a 0-dimensional value tensor, but got tensor with {n} dimension(s)."
            )));
        }
    }
    extract_scalar(value)
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
        .collect()
}

/// A scatter's source: a tensor (`src`) or a number (`value`), positionally or by keyword.
enum Source {
    Tensor(Tensor),
    Value(Scalar),
}

fn scatter_source(src: Option<&Bound<'_, PyAny>>, value: Option<&Bound<'_, PyAny>>) -> PyResult<Source> {
    match (src, value) {
        (Some(s), None) => match s.cast::<PyTensor>() {
            Ok(t) => Ok(Source::Tensor(t.borrow().t.clone())),
            Err(_) => Ok(Source::Value(extract_scalar(s)?)),
        },
        (None, Some(v)) => Ok(Source::Value(extract_scalar(v)?)),
        _ => Err(PyTypeError::new_err(
            "scatter() expects exactly one of 'src' (a Tensor) or 'value' (a number)",
        )),
    }
}

fn legacy_reduce(py: Python<'_>, reduce: Option<&str>, tensor_src: bool) -> PyResult<Option<ScatterReduce>> {
    let Some(name) = reduce else { return Ok(None) };
    if tensor_src {
        PyErr::warn(
            py,
            &py.get_type::<PyUserWarning>(),
            c"The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in a future PyTorch release. Use torch.scatter_reduce instead for more reduction options.",
            1,
        )?;
    }
    core("scatter", || ScatterReduce::parse_legacy(name)).map(Some)
}

#[pymethods]
impl PyTensor {
    fn index_select(&self, py: Python<'_>, dim: i64, index: PyRef<'_, PyTensor>) -> Out {
        let i = index.t.clone();
        wrap(py, run(py, "index_select", || self.t.index_select(dim, &i))?)
    }

    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add(
        &self,
        py: Python<'_>,
        dim: i64,
        index: PyRef<'_, PyTensor>,
        source: PyRef<'_, PyTensor>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let alpha = alpha.map(extract_scalar).transpose()?.unwrap_or(Scalar::Int(1));
        let (i, s) = (index.t.clone(), source.t.clone());
        wrap(py, run(py, "index_add", || self.t.index_add(dim, &i, &s, alpha))?)
    }

    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add_<'py>(
        slf: PyRef<'py, Self>,
        dim: i64,
        index: PyRef<'py, PyTensor>,
        source: PyRef<'py, PyTensor>,
        alpha: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let alpha = alpha.map(extract_scalar).transpose()?.unwrap_or(Scalar::Int(1));
        let (t, i, s) = (slf.t.clone(), index.t.clone(), source.t.clone());
        run(slf.py(), "index_add_", || t.index_add_(dim, &i, &s, alpha))?;
        Ok(slf)
    }

    fn index_copy(&self, py: Python<'_>, dim: i64, index: PyRef<'_, PyTensor>, source: PyRef<'_, PyTensor>) -> Out {
        let (i, s) = (index.t.clone(), source.t.clone());
        wrap(py, run(py, "index_copy", || self.t.index_copy(dim, &i, &s))?)
    }

    fn index_copy_<'py>(
        slf: PyRef<'py, Self>,
        dim: i64,
        index: PyRef<'py, PyTensor>,
        source: PyRef<'py, PyTensor>,
    ) -> PyResult<PyRef<'py, Self>> {
        let (t, i, s) = (slf.t.clone(), index.t.clone(), source.t.clone());
        run(slf.py(), "index_copy_", || t.index_copy_(dim, &i, &s))?;
        Ok(slf)
    }

    fn index_fill(&self, py: Python<'_>, dim: i64, index: PyRef<'_, PyTensor>, value: &Bound<'_, PyAny>) -> Out {
        let v = fill_value("index_fill_", value)?;
        let i = index.t.clone();
        wrap(py, run(py, "index_fill", || self.t.index_fill(dim, &i, v))?)
    }

    fn index_fill_<'py>(
        slf: PyRef<'py, Self>,
        dim: i64,
        index: PyRef<'py, PyTensor>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<PyRef<'py, Self>> {
        let v = fill_value("index_fill_", value)?;
        let (t, i) = (slf.t.clone(), index.t.clone());
        run(slf.py(), "index_fill_", || t.index_fill_(dim, &i, v))?;
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
        wrap(py, run(py, "index_put", || self.t.index_put(&indices, &v, accumulate))?)
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
        run(slf.py(), "index_put_", || t.index_put_(&indices, &v, accumulate))?;
        Ok(slf)
    }

    #[pyo3(signature = (dim, index, *, sparse_grad=false))]
    fn gather(&self, py: Python<'_>, dim: i64, index: PyRef<'_, PyTensor>, sparse_grad: bool) -> Out {
        let _ = sparse_grad; // only changes the gradient's layout, which ferrograd keeps dense
        let i = index.t.clone();
        wrap(py, run(py, "gather", || self.t.gather(dim, &i))?)
    }

    #[pyo3(signature = (dim, index, src=None, value=None, *, reduce=None))]
    fn scatter(
        &self,
        py: Python<'_>,
        dim: i64,
        index: PyRef<'_, PyTensor>,
        src: Option<&Bound<'_, PyAny>>,
        value: Option<&Bound<'_, PyAny>>,
        reduce: Option<&str>,
    ) -> Out {
        let source = scatter_source(src, value)?;
        let reduce = legacy_reduce(py, reduce, matches!(source, Source::Tensor(_)))?;
        let i = index.t.clone();
        let out = match source {
            Source::Tensor(s) => run(py, "scatter", || self.t.scatter(dim, &i, &s, reduce))?,
            Source::Value(v) => run(py, "scatter", || self.t.scatter_value(dim, &i, v, reduce))?,
        };
        wrap(py, out)
    }

    #[pyo3(signature = (dim, index, src=None, value=None, *, reduce=None))]
    fn scatter_<'py>(
        slf: PyRef<'py, Self>,
        dim: i64,
        index: PyRef<'py, PyTensor>,
        src: Option<&Bound<'py, PyAny>>,
        value: Option<&Bound<'py, PyAny>>,
        reduce: Option<&str>,
    ) -> PyResult<PyRef<'py, Self>> {
        let py = slf.py();
        let source = scatter_source(src, value)?;
        let reduce = legacy_reduce(py, reduce, matches!(source, Source::Tensor(_)))?;
        let (t, i) = (slf.t.clone(), index.t.clone());
        match source {
            Source::Tensor(s) => run(py, "scatter_", || t.scatter_(dim, &i, &s, reduce))?,
            Source::Value(v) => run(py, "scatter_", || t.scatter_value_(dim, &i, v, reduce))?,
        }
        Ok(slf)
    }

    fn scatter_add(&self, py: Python<'_>, dim: i64, index: PyRef<'_, PyTensor>, src: PyRef<'_, PyTensor>) -> Out {
        let (i, s) = (index.t.clone(), src.t.clone());
        wrap(py, run(py, "scatter_add", || self.t.scatter_add(dim, &i, &s))?)
    }

    fn scatter_add_<'py>(
        slf: PyRef<'py, Self>,
        dim: i64,
        index: PyRef<'py, PyTensor>,
        src: PyRef<'py, PyTensor>,
    ) -> PyResult<PyRef<'py, Self>> {
        let (t, i, s) = (slf.t.clone(), index.t.clone(), src.t.clone());
        run(slf.py(), "scatter_add_", || t.scatter_add_(dim, &i, &s))?;
        Ok(slf)
    }

    #[pyo3(signature = (dim, index, src, reduce, *, include_self=true))]
    fn scatter_reduce(
        &self,
        py: Python<'_>,
        dim: i64,
        index: PyRef<'_, PyTensor>,
        src: PyRef<'_, PyTensor>,
        reduce: &str,
        include_self: bool,
    ) -> Out {
        let (i, s) = (index.t.clone(), src.t.clone());
        wrap(py, run(py, "scatter_reduce", || {
            self.t.scatter_reduce(dim, &i, &s, ScatterReduce::parse(reduce)?, include_self)
        })?)
    }

    #[pyo3(signature = (dim, index, src, reduce, *, include_self=true))]
    fn scatter_reduce_<'py>(
        slf: PyRef<'py, Self>,
        dim: i64,
        index: PyRef<'py, PyTensor>,
        src: PyRef<'py, PyTensor>,
        reduce: &str,
        include_self: bool,
    ) -> PyResult<PyRef<'py, Self>> {
        let (t, i, s) = (slf.t.clone(), index.t.clone(), src.t.clone());
        run(slf.py(), "scatter_reduce_", || {
            t.scatter_reduce_(dim, &i, &s, ScatterReduce::parse(reduce)?, include_self)
        })?;
        Ok(slf)
    }

    fn masked_fill(&self, py: Python<'_>, mask: PyRef<'_, PyTensor>, value: &Bound<'_, PyAny>) -> Out {
        let v = fill_value("masked_fill_", value)?;
        let m = mask.t.clone();
        wrap(py, run(py, "masked_fill", || self.t.masked_fill(&m, v))?)
    }

    fn masked_fill_<'py>(
        slf: PyRef<'py, Self>,
        mask: PyRef<'py, PyTensor>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<PyRef<'py, Self>> {
        let v = fill_value("masked_fill_", value)?;
        let (t, m) = (slf.t.clone(), mask.t.clone());
        run(slf.py(), "masked_fill_", || t.masked_fill_(&m, v))?;
        Ok(slf)
    }

    fn masked_select(&self, py: Python<'_>, mask: PyRef<'_, PyTensor>) -> Out {
        let m = mask.t.clone();
        wrap(py, run(py, "masked_select", || self.t.masked_select(&m))?)
    }

    fn masked_scatter(&self, py: Python<'_>, mask: PyRef<'_, PyTensor>, source: PyRef<'_, PyTensor>) -> Out {
        let (m, s) = (mask.t.clone(), source.t.clone());
        wrap(py, run(py, "masked_scatter", || self.t.masked_scatter(&m, &s))?)
    }

    fn masked_scatter_<'py>(
        slf: PyRef<'py, Self>,
        mask: PyRef<'py, PyTensor>,
        source: PyRef<'py, PyTensor>,
    ) -> PyResult<PyRef<'py, Self>> {
        let (t, m, s) = (slf.t.clone(), mask.t.clone(), source.t.clone());
        run(slf.py(), "masked_scatter_", || t.masked_scatter_(&m, &s))?;
        Ok(slf)
    }

    fn take(&self, py: Python<'_>, index: PyRef<'_, PyTensor>) -> Out {
        let i = index.t.clone();
        wrap(py, run(py, "take", || self.t.take(&i))?)
    }

    #[pyo3(signature = (indices, dim=None))]
    fn take_along_dim(&self, py: Python<'_>, indices: PyRef<'_, PyTensor>, dim: Option<i64>) -> Out {
        let i = indices.t.clone();
        wrap(py, run(py, "take_along_dim", || self.t.take_along_dim(&i, dim))?)
    }

    #[pyo3(signature = (index, source, accumulate=false))]
    fn put(&self, py: Python<'_>, index: PyRef<'_, PyTensor>, source: PyRef<'_, PyTensor>, accumulate: bool) -> Out {
        let (i, s) = (index.t.clone(), source.t.clone());
        wrap(py, run(py, "put", || self.t.put(&i, &s, accumulate))?)
    }

    #[pyo3(signature = (index, source, accumulate=false))]
    fn put_<'py>(
        slf: PyRef<'py, Self>,
        index: PyRef<'py, PyTensor>,
        source: PyRef<'py, PyTensor>,
        accumulate: bool,
    ) -> PyResult<PyRef<'py, Self>> {
        let (t, i, s) = (slf.t.clone(), index.t.clone(), source.t.clone());
        run(slf.py(), "put_", || t.put_(&i, &s, accumulate))?;
        Ok(slf)
    }

    /// `nonzero()`: an `[n, ndim]` tensor of coordinates, or with `as_tuple` one tensor per dim.
    #[pyo3(signature = (*, as_tuple=false))]
    fn nonzero(&self, py: Python<'_>, as_tuple: bool) -> PyResult<Py<PyAny>> {
        if as_tuple {
            return tensor_tuple_result(py, run(py, "nonzero", || self.t.nonzero_tuple())?);
        }
        Ok(wrap(py, run(py, "nonzero", || self.t.nonzero())?)?.into_any())
    }

    fn argwhere(&self, py: Python<'_>) -> Out {
        wrap(py, run(py, "argwhere", || self.t.argwhere())?)
    }
}

/// A Python tuple of new tensors.
pub fn tensor_tuple_result(py: Python<'_>, ts: Vec<Tensor>) -> PyResult<Py<PyAny>> {
    let items = ts.into_iter().map(|t| wrap(py, t)).collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, items)?.into_any().unbind())
}

/// One-argument `where(condition)`: `nonzero(condition, as_tuple=True)`. `ferrograd.where`
/// sends its one-argument form here.
#[pyfunction]
fn _where_condition(py: Python<'_>, condition: PyRef<'_, PyTensor>) -> PyResult<Py<PyAny>> {
    let c = condition.t.clone();
    tensor_tuple_result(py, run(py, "where", || c.nonzero_tuple())?)
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
            "gather",
            "scatter",
            "scatter_add",
            "scatter_reduce",
            "masked_fill",
            "masked_select",
            "masked_scatter",
            "take",
            "take_along_dim",
            "put",
            "nonzero",
            "argwhere",
        ],
    )?;
    crate::ops_index_sort::register(m)
}
