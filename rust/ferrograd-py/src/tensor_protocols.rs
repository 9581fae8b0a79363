//! Python protocols of `ferrograd.Tensor`: indexing, len/iter, number conversions, hashing,
//! printing, pickling and copying.

use ferrograd_core::{DType, Scalar};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

use crate::args::{extract_scalar, scalar_to_py};
use crate::errors::{core, reading};
use crate::from_python::scalar_tensor;
use crate::index_key::{assigned_value, parse_key, Key};
use crate::numpy_interop::values_for_print;
use crate::tensor::{wrap, PyTensor};

static TENSOR_STR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static REBUILD: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

impl PyTensor {
    fn one_value(&self, what: &str) -> PyResult<Scalar> {
        if self.t.numel() != 1 {
            return Err(PyValueError::new_err(format!(
                "only one element tensors can be converted to Python {what}"
            )));
        }
        reading("item", &self.t, || self.t.item())
    }
}

#[pymethods]
impl PyTensor {
    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        let key = parse_key(key)?;
        let t = &self.t;
        let apply = || match &key {
            Key::Single(item) => t.index_single(item),
            Key::Tuple(items) => t.index(items),
        };
        let out = if key.is_advanced() {
            py.detach(|| core("index", apply))?
        } else {
            core("index", apply)?
        };
        wrap(py, out)
    }

    fn __setitem__(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let value = assigned_value(value, &self.t)?;
        let key = parse_key(key)?;
        let t = &self.t;
        let apply = || match &key {
            Key::Single(item) => t.index_set_single_(item, &value),
            Key::Tuple(items) => t.index_set_(items, &value),
        };
        if key.is_advanced() {
            py.detach(|| core("index_put_", apply))
        } else {
            core("index_put_", apply)
        }
    }

    fn __len__(&self) -> PyResult<usize> {
        match self.t.shape().first() {
            Some(&n) => Ok(n),
            None => Err(PyTypeError::new_err("len() of a 0-d tensor")),
        }
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if self.t.ndim() == 0 {
            return Err(PyTypeError::new_err("iteration over a 0-d tensor"));
        }
        let rows = (0..self.t.shape()[0] as i64)
            .map(|i| wrap(py, core("unbind", || self.t.select(0, i))?))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, rows)?
            .into_any()
            .try_iter()?
            .into_any()
            .unbind())
    }

    fn __bool__(&self) -> PyResult<bool> {
        match self.t.numel() {
            1 => Ok(match reading("item", &self.t, || self.t.item())? {
                Scalar::Bool(b) => b,
                Scalar::Int(i) => i != 0,
                Scalar::Float(f) => f != 0.0,
            }),
            0 => Err(PyRuntimeError::new_err(
                "Boolean value of Tensor with no values is ambiguous",
            )),
            _ => Err(PyRuntimeError::new_err(
                "Boolean value of Tensor with more than one value is ambiguous",
            )),
        }
    }

    fn __int__(&self) -> PyResult<i64> {
        Ok(match self.one_value("scalars")? {
            Scalar::Bool(b) => b as i64,
            Scalar::Int(i) => i,
            Scalar::Float(f) => f as i64,
        })
    }

    fn __float__(&self) -> PyResult<f64> {
        Ok(self.one_value("scalars")?.to_f64())
    }

    fn __index__(&self) -> PyResult<i64> {
        if self.t.numel() != 1 || !(self.t.dtype().is_integer() || self.t.dtype() == DType::Bool) {
            return Err(PyTypeError::new_err(
                "only integer tensors of a single element can be converted to an index",
            ));
        }
        self.__int__()
    }

    /// 0-dim tensors format like their value (`f"{t:.2f}"`); others like `object` does.
    fn __format__(slf: &Bound<'_, Self>, spec: &str) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let this = slf.borrow();
        if this.t.ndim() == 0 {
            let v = scalar_to_py(py, core("item", || this.t.item())?)?;
            return Ok(v.bind(py).call_method1("__format__", (spec,))?.unbind());
        }
        if !spec.is_empty() {
            return Err(PyTypeError::new_err(
                "unsupported format string passed to Tensor.__format__",
            ));
        }
        Ok(slf.str()?.into_any().unbind())
    }

    fn __contains__(&self, element: &Bound<'_, PyAny>) -> PyResult<bool> {
        let other = if let Ok(t) = element.cast::<PyTensor>() {
            t.borrow().t.clone()
        } else if let Ok(s) = extract_scalar(element) {
            scalar_tensor(s, None)
        } else {
            let ty = element.get_type().str()?;
            return Err(PyRuntimeError::new_err(format!(
                "Tensor.__contains__ only supports Tensor or scalar, but you passed in a {ty}."
            )));
        };
        core("__contains__", || self.t.any_equal(&other))
    }

    /// Tensors hash by identity, as in PyTorch (equality is elementwise, not a bool).
    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let f = TENSOR_STR.import(py, "ferrograd._printing", "tensor_str")?;
        Ok(f.call1((slf,))?.unbind())
    }

    /// The values as a numpy array for the printer (bfloat16 widened to float32).
    fn _values_for_print<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        values_for_print(py, &self.t)
    }

    /// The values as raw bytes in row-major order (for pickling).
    fn _to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = core("pickle", || {
            ferrograd_core::tensor::contiguous_bytes(&self.t)
        })?;
        Ok(PyBytes::new(py, &bytes))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let this = slf.borrow();
        let rebuild = REBUILD.import(py, "ferrograd._pickle", "rebuild_tensor")?;
        let args = (
            this._to_bytes(py)?,
            this.t.dtype().name(),
            PyTuple::new(py, this.t.shape())?,
            this.t.requires_grad(),
        );
        PyTuple::new(
            py,
            [
                rebuild.clone().into_any(),
                args.into_pyobject(py)?.into_any(),
            ],
        )
    }

    fn __deepcopy__(slf: &Bound<'_, Self>, memo: &Bound<'_, PyDict>) -> PyResult<Py<PyTensor>> {
        let py = slf.py();
        let this = slf.borrow();
        // Views copied in one deepcopy share one copied storage, as in PyTorch: the memo
        // remembers the copy of each storage by its address.
        let key = ("ferrograd.storage", this.t.storage().data_ptr());
        let t = match memo.get_item(key)? {
            Some(copied) => this.t.view_over(&copied.cast::<PyTensor>()?.borrow().t),
            None => {
                let t = core("deepcopy", || this.t.copy_storage())?;
                memo.set_item(key, wrap(py, t.clone())?)?;
                t
            }
        };
        core("deepcopy", || t.set_requires_grad(this.t.requires_grad()))?;
        let out = wrap(py, t)?;
        memo.set_item(slf.as_ptr() as usize, &out)?;
        Ok(out)
    }

    /// `copy.copy(t)`: a new tensor object over the same data.
    fn __copy__(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.t.detach();
        core("copy", || t.set_requires_grad(self.t.requires_grad()))?;
        wrap(py, t)
    }
}
