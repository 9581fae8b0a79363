//! Bindings of `gather`, the `scatter` family and the `masked_*` ops.

use ferrograd_core::{Scalar, ScatterReduce, Tensor};
use pyo3::exceptions::{PyTypeError, PyUserWarning};
use pyo3::prelude::*;

use crate::args::extract_scalar;
use crate::errors::core;
use crate::errors::detached;
use crate::ops_index::{fill_value, FillValue};
use crate::ops_reduce::{required, required_dim};
use crate::out_arg::{deliver, OutRule};
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

/// A scatter's source: a tensor (`src`) or a number (`value`), positionally or by keyword.
enum Source {
    Tensor(Tensor),
    Value(Scalar),
}

fn scatter_source(
    src: Option<&Bound<'_, PyAny>>,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Source> {
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

fn legacy_reduce(
    py: Python<'_>,
    reduce: Option<&str>,
    tensor_src: bool,
) -> PyResult<Option<ScatterReduce>> {
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
    #[pyo3(signature = (dim=None, index=None, *, sparse_grad=false, axis=None, out=None))]
    fn gather(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        index: Option<PyRef<'_, PyTensor>>,
        sparse_grad: bool,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = required_dim("gather", dim, axis)?;
        let index = required("gather", "index", index)?;
        let _ = sparse_grad; // only changes the gradient's layout, which ferrograd keeps dense
        let i = index.t.clone();
        let r = detached(py, "gather", || self.t.gather(dim, &i))?;
        deliver(py, r, out, OutRule::Exact)
    }

    #[pyo3(signature = (dim=None, index=None, src=None, value=None, *, reduce=None, axis=None, out=None))]
    #[allow(clippy::too_many_arguments)] // PyTorch's signature
    fn scatter(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        index: Option<PyRef<'_, PyTensor>>,
        src: Option<&Bound<'_, PyAny>>,
        value: Option<&Bound<'_, PyAny>>,
        reduce: Option<&str>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = required_dim("scatter", dim, axis)?;
        let index = required("scatter", "index", index)?;
        let source = scatter_source(src, value)?;
        let reduce = legacy_reduce(py, reduce, matches!(source, Source::Tensor(_)))?;
        let i = index.t.clone();
        let r = match source {
            Source::Tensor(s) => detached(py, "scatter", || self.t.scatter(dim, &i, &s, reduce))?,
            Source::Value(v) => {
                detached(py, "scatter", || self.t.scatter_value(dim, &i, v, reduce))?
            }
        };
        deliver(py, r, out, OutRule::Exact)
    }

    #[pyo3(signature = (dim=None, index=None, src=None, value=None, *, reduce=None, axis=None))]
    fn scatter_<'py>(
        slf: PyRef<'py, Self>,
        dim: Option<&Bound<'py, PyAny>>,
        index: Option<PyRef<'py, PyTensor>>,
        src: Option<&Bound<'py, PyAny>>,
        value: Option<&Bound<'py, PyAny>>,
        reduce: Option<&str>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let dim = required_dim("scatter_", dim, axis)?;
        let index = required("scatter_", "index", index)?;
        let py = slf.py();
        let source = scatter_source(src, value)?;
        let reduce = legacy_reduce(py, reduce, matches!(source, Source::Tensor(_)))?;
        let (t, i) = (slf.t.clone(), index.t.clone());
        match source {
            Source::Tensor(s) => detached(py, "scatter_", || t.scatter_(dim, &i, &s, reduce))?,
            Source::Value(v) => detached(py, "scatter_", || t.scatter_value_(dim, &i, v, reduce))?,
        }
        Ok(slf)
    }

    #[pyo3(signature = (dim=None, index=None, src=None, *, axis=None, out=None))]
    fn scatter_add(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        index: Option<PyRef<'_, PyTensor>>,
        src: Option<PyRef<'_, PyTensor>>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = required_dim("scatter_add", dim, axis)?;
        let index = required("scatter_add", "index", index)?;
        let src = required("scatter_add", "src", src)?;
        let (i, s) = (index.t.clone(), src.t.clone());
        let r = detached(py, "scatter_add", || self.t.scatter_add(dim, &i, &s))?;
        deliver(py, r, out, OutRule::Exact)
    }

    #[pyo3(signature = (dim=None, index=None, src=None, *, axis=None))]
    fn scatter_add_<'py>(
        slf: PyRef<'py, Self>,
        dim: Option<&Bound<'py, PyAny>>,
        index: Option<PyRef<'py, PyTensor>>,
        src: Option<PyRef<'py, PyTensor>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let dim = required_dim("scatter_add_", dim, axis)?;
        let index = required("scatter_add_", "index", index)?;
        let src = required("scatter_add_", "src", src)?;
        let (t, i, s) = (slf.t.clone(), index.t.clone(), src.t.clone());
        detached(slf.py(), "scatter_add_", || t.scatter_add_(dim, &i, &s))?;
        Ok(slf)
    }

    #[pyo3(signature = (dim=None, index=None, src=None, reduce=None, *, include_self=true, axis=None, out=None))]
    #[allow(clippy::too_many_arguments)] // PyTorch's signature
    fn scatter_reduce(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        index: Option<PyRef<'_, PyTensor>>,
        src: Option<PyRef<'_, PyTensor>>,
        reduce: Option<&str>,
        include_self: bool,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = required_dim("scatter_reduce", dim, axis)?;
        let index = required("scatter_reduce", "index", index)?;
        let src = required("scatter_reduce", "src", src)?;
        let reduce = required("scatter_reduce", "reduce", reduce)?;
        let (i, s) = (index.t.clone(), src.t.clone());
        let r = detached(py, "scatter_reduce", || {
            self.t
                .scatter_reduce(dim, &i, &s, ScatterReduce::parse(reduce)?, include_self)
        })?;
        deliver(py, r, out, OutRule::Exact)
    }

    #[pyo3(signature = (dim=None, index=None, src=None, reduce=None, *, include_self=true, axis=None))]
    #[allow(clippy::too_many_arguments)] // PyTorch's signature
    fn scatter_reduce_<'py>(
        slf: PyRef<'py, Self>,
        dim: Option<&Bound<'py, PyAny>>,
        index: Option<PyRef<'py, PyTensor>>,
        src: Option<PyRef<'py, PyTensor>>,
        reduce: Option<&str>,
        include_self: bool,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<PyRef<'py, Self>> {
        let dim = required_dim("scatter_reduce_", dim, axis)?;
        let index = required("scatter_reduce_", "index", index)?;
        let src = required("scatter_reduce_", "src", src)?;
        let reduce = required("scatter_reduce_", "reduce", reduce)?;
        let (t, i, s) = (slf.t.clone(), index.t.clone(), src.t.clone());
        detached(slf.py(), "scatter_reduce_", || {
            t.scatter_reduce_(dim, &i, &s, ScatterReduce::parse(reduce)?, include_self)
        })?;
        Ok(slf)
    }

    fn masked_fill(
        &self,
        py: Python<'_>,
        mask: PyRef<'_, PyTensor>,
        value: &Bound<'_, PyAny>,
    ) -> Out {
        let v = fill_value("masked_fill_", value)?;
        let m = mask.t.clone();
        let t = detached(py, "masked_fill", || match &v {
            FillValue::Number(v) => self.t.masked_fill(&m, *v),
            FillValue::Tensor(v) => self.t.masked_fill_tensor(&m, v),
        })?;
        wrap(py, t)
    }

    fn masked_fill_<'py>(
        slf: PyRef<'py, Self>,
        mask: PyRef<'py, PyTensor>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<PyRef<'py, Self>> {
        let v = fill_value("masked_fill_", value)?;
        let (t, m) = (slf.t.clone(), mask.t.clone());
        detached(slf.py(), "masked_fill_", || match &v {
            FillValue::Number(v) => t.masked_fill_(&m, *v),
            FillValue::Tensor(v) => t.masked_fill_tensor_(&m, v),
        })?;
        Ok(slf)
    }

    #[pyo3(signature = (mask, *, out=None))]
    fn masked_select(
        &self,
        py: Python<'_>,
        mask: PyRef<'_, PyTensor>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let m = mask.t.clone();
        let r = detached(py, "masked_select", || self.t.masked_select(&m))?;
        deliver(py, r, out, OutRule::SameScalarType("masked_select"))
    }

    fn masked_scatter(
        &self,
        py: Python<'_>,
        mask: PyRef<'_, PyTensor>,
        source: PyRef<'_, PyTensor>,
    ) -> Out {
        let (m, s) = (mask.t.clone(), source.t.clone());
        wrap(
            py,
            detached(py, "masked_scatter", || self.t.masked_scatter(&m, &s))?,
        )
    }

    fn masked_scatter_<'py>(
        slf: PyRef<'py, Self>,
        mask: PyRef<'py, PyTensor>,
        source: PyRef<'py, PyTensor>,
    ) -> PyResult<PyRef<'py, Self>> {
        let (t, m, s) = (slf.t.clone(), mask.t.clone(), source.t.clone());
        detached(slf.py(), "masked_scatter_", || t.masked_scatter_(&m, &s))?;
        Ok(slf)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::exports::export_methods(
        m,
        &[
            "gather",
            "scatter",
            "scatter_add",
            "scatter_reduce",
            "masked_fill",
            "masked_select",
            "masked_scatter",
        ],
    )
}
