//! View methods of `ferrograd.Tensor`: argument parsing only; the layouts are the core's.

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::args::{extract_int, int_list, varargs_or_keyword};
use crate::errors::core;
use crate::ops_reduce::{dim_or_axis, required, required_dim};
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

fn int_or_list(op: &str, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    match extract_int(obj) {
        Some(i) => Ok(vec![i]),
        None => int_list(op, name, &PyTuple::new(obj.py(), [obj])?),
    }
}

/// `squeeze`'s `dim`, which picks PyTorch's overload (and so the node's name): none (every
/// size-1 dim), one int, or a tuple or list of them (even of one).
pub(crate) enum SqueezeDims {
    All,
    One(i64),
    Listed(Vec<i64>),
}

pub(crate) fn squeeze_dims(op: &str, dim: Option<&Bound<'_, PyAny>>) -> PyResult<SqueezeDims> {
    let Some(d) = dim else {
        return Ok(SqueezeDims::All);
    };
    match extract_int(d) {
        Some(i) => Ok(SqueezeDims::One(i)),
        None => int_list(op, "dim", &PyTuple::new(d.py(), [d])?).map(SqueezeDims::Listed),
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (*shape, size=None))]
    fn view(
        &self,
        py: Python<'_>,
        shape: &Bound<'_, PyTuple>,
        size: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let shape = varargs_or_keyword("view", "size", shape, size)?;
        wrap(py, core("view", || self.t.view(&shape))?)
    }

    fn view_as(&self, py: Python<'_>, other: PyRef<'_, PyTensor>) -> Out {
        let shape: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        wrap(py, core("view_as", || self.t.view(&shape))?)
    }

    #[pyo3(signature = (*args, shape=None))]
    fn reshape(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        shape: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let shape = varargs_or_keyword("reshape", "shape", args, shape)?;
        wrap(py, core("reshape", || self.t.reshape(&shape))?)
    }

    fn reshape_as(&self, py: Python<'_>, other: PyRef<'_, PyTensor>) -> Out {
        let shape: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        wrap(py, core("reshape_as", || self.t.reshape(&shape))?)
    }

    fn transpose(&self, py: Python<'_>, dim0: i64, dim1: i64) -> Out {
        wrap(py, core("transpose", || self.t.transpose(dim0, dim1))?)
    }

    fn swapaxes(&self, py: Python<'_>, axis0: i64, axis1: i64) -> Out {
        self.transpose(py, axis0, axis1)
    }

    fn swapdims(&self, py: Python<'_>, dim0: i64, dim1: i64) -> Out {
        self.transpose(py, dim0, dim1)
    }

    fn t(&self, py: Python<'_>) -> Out {
        wrap(py, core("t", || self.t.t())?)
    }

    #[getter(T)]
    fn reverse_dims(&self, py: Python<'_>) -> Out {
        wrap(py, core("T", || self.t.reverse_dims())?)
    }

    #[getter(mT)]
    fn matrix_transpose(&self, py: Python<'_>) -> Out {
        wrap(py, core("mT", || self.t.matrix_transpose())?)
    }

    #[getter(H)]
    fn adjoint_2d(&self, py: Python<'_>) -> Out {
        if self.t.ndim() > 2 {
            return Err(crate::errors::runtime_err(format!(
                "tensor.H is only supported on matrices (2-D tensors). Got {}-D tensor.",
                self.t.ndim()
            )));
        }
        self.reverse_dims(py)
    }

    #[getter(mH)]
    fn adjoint(&self, py: Python<'_>) -> Out {
        self.matrix_transpose(py)
    }

    #[pyo3(signature = (*args, dims=None))]
    fn permute(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        dims: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dims = varargs_or_keyword("permute", "dims", args, dims)?;
        wrap(py, core("permute", || self.t.permute(&dims))?)
    }

    fn movedim(
        &self,
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        destination: &Bound<'_, PyAny>,
    ) -> Out {
        let s = int_or_list("movedim", "source", source)?;
        let d = int_or_list("movedim", "destination", destination)?;
        wrap(py, core("movedim", || self.t.movedim(&s, &d))?)
    }

    fn moveaxis(
        &self,
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        destination: &Bound<'_, PyAny>,
    ) -> Out {
        self.movedim(py, source, destination)
    }

    #[pyo3(signature = (*sizes, size=None))]
    fn expand(
        &self,
        py: Python<'_>,
        sizes: &Bound<'_, PyTuple>,
        size: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let sizes = varargs_or_keyword("expand", "size", sizes, size)?;
        wrap(py, core("expand", || self.t.expand(&sizes))?)
    }

    fn expand_as(&self, py: Python<'_>, other: PyRef<'_, PyTensor>) -> Out {
        let sizes: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        wrap(py, core("expand_as", || self.t.expand(&sizes))?)
    }

    #[pyo3(signature = (dim=None, start=None, length=None, *, axis=None))]
    fn narrow(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        start: Option<i64>,
        length: Option<i64>,
        axis: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dim = required_dim("narrow", dim, axis)?;
        let start = required("narrow", "start", start)?;
        let length = required("narrow", "length", length)?;
        wrap(py, core("narrow", || self.t.narrow(dim, start, length))?)
    }

    #[pyo3(signature = (dim=None, index=None, *, axis=None))]
    fn select(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        index: Option<i64>,
        axis: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dim = required_dim("select", dim, axis)?;
        let index = required("select", "index", index)?;
        wrap(py, core("select", || self.t.select(dim, index))?)
    }

    #[pyo3(signature = (dim=None, *, axis=None))]
    fn unsqueeze(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dim = required_dim("unsqueeze", dim, axis)?;
        wrap(py, core("unsqueeze", || self.t.unsqueeze(dim))?)
    }

    #[pyo3(signature = (dim=None, *, axis=None))]
    fn squeeze(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dims = squeeze_dims("squeeze", dim_or_axis("squeeze", dim, axis)?)?;
        let r = core("squeeze", || match &dims {
            SqueezeDims::All => self.t.squeeze(None),
            SqueezeDims::One(d) => self.t.squeeze(Some(&[*d])),
            SqueezeDims::Listed(ds) => self.t.squeeze_dims(ds),
        })?;
        wrap(py, r)
    }

    #[pyo3(signature = (start_dim=0, end_dim=-1))]
    fn flatten(&self, py: Python<'_>, start_dim: i64, end_dim: i64) -> Out {
        wrap(py, core("flatten", || self.t.flatten(start_dim, end_dim))?)
    }

    fn unflatten(&self, py: Python<'_>, dim: i64, sizes: &Bound<'_, PyAny>) -> Out {
        let sizes = int_list("unflatten", "sizes", &PyTuple::new(py, [sizes])?)?;
        wrap(py, core("unflatten", || self.t.unflatten(dim, &sizes))?)
    }

    fn unfold(&self, py: Python<'_>, dimension: i64, size: i64, step: i64) -> Out {
        wrap(py, core("unfold", || self.t.unfold(dimension, size, step))?)
    }

    #[pyo3(signature = (offset=0, dim1=0, dim2=1))]
    fn diagonal(&self, py: Python<'_>, offset: i64, dim1: i64, dim2: i64) -> Out {
        wrap(
            py,
            core("diagonal", || self.t.diagonal(offset, dim1, dim2))?,
        )
    }

    #[pyo3(signature = (size, stride, storage_offset=None))]
    fn as_strided(
        &self,
        py: Python<'_>,
        size: &Bound<'_, PyAny>,
        stride: &Bound<'_, PyAny>,
        storage_offset: Option<i64>,
    ) -> Out {
        let size = int_list("as_strided", "size", &PyTuple::new(py, [size])?)?;
        let stride = int_list("as_strided", "stride", &PyTuple::new(py, [stride])?)?;
        wrap(
            py,
            core("as_strided", || {
                self.t.as_strided(&size, &stride, storage_offset)
            })?,
        )
    }
}
