//! `ferrograd.Tensor`: the PyO3 class wrapping a core tensor, with its metadata properties.
//! Other method groups live beside it (`tensor_views.rs`, `tensor_convert.rs`,
//! `tensor_protocols.rs`, `random_inplace.rs`); all are methods of this one class.

use ferrograd_core::{Device, Tensor};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::args::extract_int;
use crate::dtype::{default_dtype, dtype_object, PyDType};
use crate::errors::{core, runtime_err};
use crate::legacy::legacy_new;

#[pyclass(name = "Tensor", module = "ferrograd", subclass, dict, weakref)]
pub struct PyTensor {
    pub t: Tensor,
}

/// Wraps a core tensor as a new Python `ferrograd.Tensor`.
pub fn wrap(py: Python<'_>, t: Tensor) -> PyResult<Py<PyTensor>> {
    Py::new(py, PyTensor { t })
}

static SIZE_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DEVICE_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A shape as `ferrograd.Size` (a tuple subclass defined in Python).
pub fn size_object<'py>(py: Python<'py>, dims: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let size = SIZE_TYPE.import(py, "ferrograd._size", "Size")?;
    size.call1((PyTuple::new(py, dims)?,))
}

pub fn device_object<'py>(py: Python<'py>, device: Device) -> PyResult<Bound<'py, PyAny>> {
    let cls = DEVICE_TYPE.import(py, "ferrograd._device", "device")?;
    cls.call1((device.name(),))
}

/// The error for a device type ferrograd has no backend for, pointing to `wgpu` for CUDA.
pub fn no_cuda_err() -> PyErr {
    runtime_err(
        "ferrograd has no CUDA backend: its GPU backend is wgpu, so use device='wgpu' \
         (ferrograd.wgpu.is_available() tells whether a GPU adapter was found)",
    )
}

/// A `device=` argument, or `default` when it is absent or None.
pub fn device_arg(device: Option<&Bound<'_, PyAny>>, default: Device) -> PyResult<Device> {
    match device.filter(|d| !d.is_none()) {
        Some(d) => extract_device(d),
        None => Ok(default),
    }
}

/// A factory's result moved to its `device=` argument (a no-op when absent or the same).
pub fn on_device(t: Tensor, device: Option<&Bound<'_, PyAny>>) -> PyResult<Tensor> {
    let target = device_arg(device, t.device())?;
    core("to", || t.to_device(target))
}

/// Reads a `device=` argument: a string like `"cpu"`, `"wgpu:0"`, or a `ferrograd.device`.
pub fn extract_device(obj: &Bound<'_, PyAny>) -> PyResult<Device> {
    let name: String = if let Ok(s) = obj.extract::<String>() {
        s
    } else if let Ok(index) = obj.extract::<i64>() {
        // PyTorch reads a bare integer as an accelerator index.
        format!("wgpu:{index}")
    } else {
        obj.str()?.extract::<String>()?
    };
    if let Some(d) = Device::parse(&name) {
        return Ok(d);
    }
    let base = name.split(':').next().unwrap_or("");
    if base == "cuda" {
        return Err(no_cuda_err());
    }
    Err(runtime_err(format!(
        "Expected one of cpu, wgpu device type at start of device string: {name}"
    )))
}

#[pymethods]
impl PyTensor {
    /// The legacy constructor: `Tensor(2, 3)` (zero-filled), `Tensor([1, 2])`, `Tensor()`.
    /// The private `_wrap` shares another tensor's data (for subclasses such as Parameter).
    #[new]
    #[pyo3(signature = (*args, _wrap=None))]
    fn py_new(
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        _wrap: Option<PyRef<'_, PyTensor>>,
    ) -> PyResult<Self> {
        if let Some(src) = _wrap {
            return Ok(PyTensor { t: src.t.detach() });
        }
        let t = legacy_new(py, default_dtype(), args)?;
        Ok(PyTensor { t })
    }

    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        size_object(py, self.t.shape())
    }

    #[pyo3(signature = (dim=None, *, axis=None))]
    fn size<'py>(
        &self,
        py: Python<'py>,
        dim: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match crate::ops_reduce::dim_or_axis("size", dim, axis)? {
            None => size_object(py, self.t.shape()),
            Some(d) => {
                let d = self.dim_arg(d)?;
                Ok(self.t.shape()[d].into_pyobject(py)?.into_any())
            }
        }
    }

    #[pyo3(signature = (dim=None, *, axis=None))]
    fn stride<'py>(
        &self,
        py: Python<'py>,
        dim: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match crate::ops_reduce::dim_or_axis("stride", dim, axis)? {
            None => Ok(PyTuple::new(py, self.t.strides())?.into_any()),
            Some(d) => {
                let d = self.dim_arg(d)?;
                Ok(self.t.strides()[d].into_pyobject(py)?.into_any())
            }
        }
    }

    #[getter]
    fn dtype(&self, py: Python<'_>) -> PyResult<Py<PyDType>> {
        dtype_object(py, self.t.dtype())
    }

    #[getter]
    fn device<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        device_object(py, self.t.device())
    }

    #[getter]
    fn is_cuda(&self) -> bool {
        false
    }

    #[getter]
    fn is_wgpu(&self) -> bool {
        self.t.device().is_wgpu()
    }

    #[getter]
    fn is_cpu(&self) -> bool {
        self.t.device() == Device::Cpu
    }

    #[getter]
    fn ndim(&self) -> usize {
        self.t.ndim()
    }

    fn dim(&self) -> usize {
        self.t.ndim()
    }

    fn ndimension(&self) -> usize {
        self.t.ndim()
    }

    fn numel(&self) -> usize {
        self.t.numel()
    }

    fn nelement(&self) -> usize {
        self.t.numel()
    }

    fn element_size(&self) -> usize {
        self.t.element_size()
    }

    #[getter]
    fn itemsize(&self) -> usize {
        self.t.element_size()
    }

    #[getter]
    fn nbytes(&self) -> usize {
        self.t.numel() * self.t.element_size()
    }

    fn storage_offset(&self) -> usize {
        self.t.storage_offset()
    }

    fn data_ptr(&self) -> usize {
        self.t.data_ptr()
    }

    #[pyo3(signature = (memory_format=None))]
    fn is_contiguous(&self, memory_format: Option<&Bound<'_, PyAny>>) -> bool {
        let _ = memory_format;
        self.t.is_contiguous()
    }

    fn is_floating_point(&self) -> bool {
        self.t.dtype().is_floating_point()
    }

    fn is_complex(&self) -> bool {
        false
    }

    #[getter]
    fn is_signed(&self) -> bool {
        self.t.dtype().is_signed()
    }

    #[getter]
    fn requires_grad(&self) -> bool {
        self.t.requires_grad()
    }

    #[setter]
    fn set_requires_grad(&self, value: bool) -> PyResult<()> {
        core("requires_grad_", || self.t.set_requires_grad(value))
    }

    #[pyo3(signature = (requires_grad=true))]
    fn requires_grad_(slf: PyRef<'_, Self>, requires_grad: bool) -> PyResult<PyRef<'_, Self>> {
        core("requires_grad_", || slf.t.set_requires_grad(requires_grad))?;
        Ok(slf)
    }

    /// The version counter: how many in-place writes this tensor (or a view of it) has seen.
    #[getter]
    fn _version(&self) -> u64 {
        self.t.version()
    }

    /// `.data`: the same values, detached, with a version counter of its own.
    #[getter]
    fn data(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, self.t.data())
    }

    /// `t.data = other` swaps the values under `t` while keeping `t` itself (its
    /// requires_grad flag, `.grad` and hooks).
    /// `other` may be `t` itself (`t.data = t`), so its borrow ends before `t` is written.
    #[setter]
    fn set_data(slf: &Bound<'_, Self>, other: &Bound<'_, PyTensor>) -> PyResult<()> {
        let new_data = other.borrow().t.clone();
        let mut this = slf.borrow_mut();
        this.t = this.t.with_data_of(&new_data);
        Ok(())
    }

    /// A handle on the storage; two views of one storage report the same `data_ptr()`.
    fn untyped_storage(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("data_ptr", self.t.storage().data_ptr())?;
        kwargs.set_item("nbytes", self.t.storage().nbytes())?;
        let cls = py.import("ferrograd._storage")?.getattr("UntypedStorage")?;
        Ok(cls.call((), Some(&kwargs))?.unbind())
    }
}

impl PyTensor {
    /// A dim argument normalised against this tensor (PyTorch's IndexError when out of range).
    pub fn dim_arg(&self, d: &Bound<'_, PyAny>) -> PyResult<usize> {
        let d = extract_int(d).ok_or_else(|| crate::errors::type_err("dim must be an int"))?;
        core("dim", || self.t.layout().dim(d))
    }
}
