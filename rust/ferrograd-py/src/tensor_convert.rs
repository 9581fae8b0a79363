//! Conversion methods of `ferrograd.Tensor`: dtype casts, `to`, `type`, copies, reading values
//! out (`item`, `tolist`, `numpy`) and the fill-style in-place writes.

use ferrograd_core::{Category, DType, Device, Scalar, Tensor};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::args::{extract_scalar, scalar_to_py};
use crate::dtype::{dtype_from_type_string, extract_dtype, PyDType};
use crate::errors::{core, reading, runtime_err};
use crate::numpy_interop::tensor_to_ndarray;
use crate::tensor::{extract_device, no_cuda_err, wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

/// Builds nested Python lists from row-major values.
fn nested_list<'py>(
    py: Python<'py>,
    shape: &[usize],
    values: &mut impl Iterator<Item = Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    match shape.split_first() {
        None => Ok(values
            .next()
            .map(|v| v.into_bound(py))
            .unwrap_or_else(|| py.None().into_bound(py))),
        Some((&n, rest)) => {
            let items = (0..n)
                .map(|_| nested_list(py, rest, values))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, items)?.into_any())
        }
    }
}

impl PyTensor {
    /// `self` as a Python object when a conversion changes nothing (PyTorch returns `self`).
    fn same_or_new(slf: &Bound<'_, PyTensor>, t: Tensor) -> Out {
        if t.is_same(&slf.borrow().t) {
            return Ok(slf.clone().unbind());
        }
        wrap(slf.py(), t)
    }
}

#[pymethods]
impl PyTensor {
    fn float(slf: &Bound<'_, Self>) -> Out {
        let t = core("float", || slf.borrow().t.to_dtype(DType::F32))?;
        Self::same_or_new(slf, t)
    }

    fn double(slf: &Bound<'_, Self>) -> Out {
        let t = core("double", || slf.borrow().t.to_dtype(DType::F64))?;
        Self::same_or_new(slf, t)
    }

    fn half(slf: &Bound<'_, Self>) -> Out {
        let t = core("half", || slf.borrow().t.to_dtype(DType::F16))?;
        Self::same_or_new(slf, t)
    }

    fn bfloat16(slf: &Bound<'_, Self>) -> Out {
        let t = core("bfloat16", || slf.borrow().t.to_dtype(DType::BF16))?;
        Self::same_or_new(slf, t)
    }

    fn long(slf: &Bound<'_, Self>) -> Out {
        let t = core("long", || slf.borrow().t.to_dtype(DType::I64))?;
        Self::same_or_new(slf, t)
    }

    fn int(slf: &Bound<'_, Self>) -> Out {
        let t = core("int", || slf.borrow().t.to_dtype(DType::I32))?;
        Self::same_or_new(slf, t)
    }

    fn short(slf: &Bound<'_, Self>) -> Out {
        let t = core("short", || slf.borrow().t.to_dtype(DType::I16))?;
        Self::same_or_new(slf, t)
    }

    fn char(slf: &Bound<'_, Self>) -> Out {
        let t = core("char", || slf.borrow().t.to_dtype(DType::I8))?;
        Self::same_or_new(slf, t)
    }

    fn byte(slf: &Bound<'_, Self>) -> Out {
        let t = core("byte", || slf.borrow().t.to_dtype(DType::U8))?;
        Self::same_or_new(slf, t)
    }

    fn bool(slf: &Bound<'_, Self>) -> Out {
        let t = core("bool", || slf.borrow().t.to_dtype(DType::Bool))?;
        Self::same_or_new(slf, t)
    }

    /// `to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other)`, and the keyword forms.
    /// Returns `self` when nothing changes, unless `copy=True`.
    #[pyo3(signature = (*args, **kwargs))]
    fn to(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> Out {
        let mut dtype: Option<DType> = None;
        let mut device: Option<Device> = None;
        let mut copy = false;
        let mut take = |obj: &Bound<'_, PyAny>| -> PyResult<()> {
            if let Ok(other) = obj.cast::<PyTensor>() {
                let other = other.borrow();
                dtype = Some(other.t.dtype());
                device = Some(other.t.device());
            } else if obj.is_instance_of::<PyDType>() {
                dtype = Some(extract_dtype(obj)?);
            } else {
                device = Some(extract_device(obj)?);
            }
            Ok(())
        };
        for a in args.iter() {
            if a.is_instance_of::<pyo3::types::PyBool>() {
                continue; // non_blocking / copy given positionally
            }
            take(&a)?;
        }
        if let Some(kw) = kwargs {
            for (k, v) in kw.iter() {
                let key: String = k.extract()?;
                match key.as_str() {
                    "dtype" if !v.is_none() => dtype = Some(extract_dtype(&v)?),
                    "device" if !v.is_none() => device = Some(extract_device(&v)?),
                    "copy" => copy = v.extract()?,
                    "dtype" | "device" | "non_blocking" | "memory_format" => {}
                    other => {
                        return Err(PyTypeError::new_err(format!(
                            "to() received an invalid combination of arguments - got an unexpected keyword argument '{other}'"
                        )))
                    }
                }
            }
        }
        let this = slf.borrow().t.clone();
        let target = dtype.unwrap_or(this.dtype());
        let target_device = device.unwrap_or(this.device());
        let t = reading("to", &this, || {
            // A GPU without float64 can hold neither side of a float64 conversion, so going to
            // the GPU converts first and coming back moves first.
            let converted = if target_device.is_wgpu() {
                this.to_dtype(target)?.to_device(target_device)?
            } else {
                this.to_device(target_device)?.to_dtype(target)?
            };
            if copy && converted.is_same(&this) {
                converted.deep_clone()
            } else {
                Ok(converted)
            }
        })?;
        // Until autograd records the conversion, the result carries the flag (PyTorch gives it a
        // grad_fn, so it requires grad too); integer results cannot require grad.
        if this.requires_grad() && t.dtype().is_floating_point() && !t.is_same(&this) {
            core("to", || t.set_requires_grad(true))?;
        }
        Self::same_or_new(slf, t)
    }

    /// A copy in host memory (itself when already there).
    #[pyo3(signature = (memory_format=None))]
    fn cpu(slf: &Bound<'_, Self>, memory_format: Option<&Bound<'_, PyAny>>) -> Out {
        let _ = memory_format;
        let this = slf.borrow().t.clone();
        let t = reading("cpu", &this, || this.to_device(Device::Cpu))?;
        Self::same_or_new(slf, t)
    }

    /// A copy on the GPU (itself when already there): `wgpu()` or `wgpu(0)`.
    #[pyo3(signature = (device=None, non_blocking=false, memory_format=None))]
    fn wgpu(
        slf: &Bound<'_, Self>,
        device: Option<&Bound<'_, PyAny>>,
        non_blocking: bool,
        memory_format: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let _ = (non_blocking, memory_format);
        let target = match device.filter(|d| !d.is_none()) {
            Some(d) => extract_device(d)?,
            None => Device::Wgpu(0),
        };
        if !target.is_wgpu() {
            return Err(runtime_err(format!(
                "Invalid device, must be wgpu device, got {target}"
            )));
        }
        let t = core("wgpu", || slf.borrow().t.to_device(target))?;
        Self::same_or_new(slf, t)
    }

    /// There is no CUDA backend: the error points to `wgpu`.
    #[pyo3(signature = (*args, **kwargs))]
    fn cuda(&self, args: &Bound<'_, PyTuple>, kwargs: Option<&Bound<'_, PyDict>>) -> Out {
        let _ = (args, kwargs);
        Err(no_cuda_err())
    }

    /// `type()` names the legacy type (`ferrograd.FloatTensor`); `type(dtype)` converts.
    #[pyo3(signature = (dtype=None, non_blocking=false))]
    fn r#type(
        slf: &Bound<'_, Self>,
        dtype: Option<&Bound<'_, PyAny>>,
        non_blocking: bool,
    ) -> PyResult<Py<PyAny>> {
        let _ = non_blocking;
        let py = slf.py();
        let this = slf.borrow().t.clone();
        let Some(d) = dtype.filter(|d| !d.is_none()) else {
            let name = format!("ferrograd.{}", this.dtype().legacy_type_name());
            return Ok(PyString::new(py, &name).into_any().unbind());
        };
        let target = match d.cast::<PyString>() {
            Ok(s) => dtype_from_type_string(s)?,
            Err(_) => extract_dtype(d)?,
        };
        let t = core("type", || this.to_dtype(target))?;
        Ok(Self::same_or_new(slf, t)?.into_any())
    }

    fn type_as(slf: &Bound<'_, Self>, other: PyRef<'_, PyTensor>) -> Out {
        let t = core("type_as", || slf.borrow().t.to_dtype(other.t.dtype()))?;
        Self::same_or_new(slf, t)
    }

    fn item(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        scalar_to_py(py, reading("item", &self.t, || self.t.item())?)
    }

    fn tolist(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let values: Vec<Py<PyAny>> = match self.t.dtype().category() {
            Category::Bool => reading("tolist", &self.t, || self.t.to_vec::<bool>())?
                .into_iter()
                .map(|v| scalar_to_py(py, Scalar::Bool(v)))
                .collect::<PyResult<_>>()?,
            Category::Integer => reading("tolist", &self.t, || self.t.to_vec::<i64>())?
                .into_iter()
                .map(|v| scalar_to_py(py, Scalar::Int(v)))
                .collect::<PyResult<_>>()?,
            Category::Floating => reading("tolist", &self.t, || self.t.to_vec::<f64>())?
                .into_iter()
                .map(|v| scalar_to_py(py, Scalar::Float(v)))
                .collect::<PyResult<_>>()?,
        };
        Ok(nested_list(py, self.t.shape(), &mut values.into_iter())?.unbind())
    }

    /// A numpy array sharing this tensor's memory.
    #[pyo3(signature = (*, force=false))]
    fn numpy<'py>(&self, py: Python<'py>, force: bool) -> PyResult<Bound<'py, PyAny>> {
        if self.t.requires_grad() && !force {
            return Err(PyRuntimeError::new_err(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
            ));
        }
        tensor_to_ndarray(py, &self.t)
    }

    #[pyo3(signature = (dtype=None, copy=None))]
    fn __array__<'py>(
        &self,
        py: Python<'py>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let arr = self.numpy(py, false)?;
        match (dtype, copy) {
            (Some(d), _) if !d.is_none() => arr.call_method1("astype", (d,)),
            (_, Some(true)) => arr.call_method0("copy"),
            _ => Ok(arr),
        }
    }

    #[pyo3(signature = (*, memory_format=None))]
    fn clone(&self, py: Python<'_>, memory_format: Option<&Bound<'_, PyAny>>) -> Out {
        let _ = memory_format;
        let t = core("clone", || self.t.deep_clone())?;
        wrap(py, t)
    }

    fn detach(&self, py: Python<'_>) -> Out {
        wrap(py, self.t.detach())
    }

    fn detach_(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        slf.t.detach_();
        Ok(slf)
    }

    #[pyo3(signature = (memory_format=None))]
    fn contiguous(slf: &Bound<'_, Self>, memory_format: Option<&Bound<'_, PyAny>>) -> Out {
        let _ = memory_format;
        let t = core("contiguous", || slf.borrow().t.contiguous())?;
        Self::same_or_new(slf, t)
    }

    #[pyo3(signature = (src, non_blocking=false))]
    fn copy_<'py>(
        slf: PyRef<'py, Self>,
        src: &Bound<'py, PyAny>,
        non_blocking: bool,
    ) -> PyResult<PyRef<'py, Self>> {
        let _ = non_blocking;
        let src = src.cast::<PyTensor>().map_err(|_| {
            PyTypeError::new_err("copy_(): argument 'src' (position 1) must be Tensor")
        })?;
        let src = src.borrow().t.clone();
        core("copy_", || slf.t.copy_(&src))?;
        Ok(slf)
    }

    fn fill_<'py>(slf: PyRef<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<PyRef<'py, Self>> {
        if let Ok(t) = value.cast::<PyTensor>() {
            let value = t.borrow().t.clone();
            core("fill_", || slf.t.fill_tensor_(&value))?;
            return Ok(slf);
        }
        let v = extract_scalar(value)?;
        core("fill_", || slf.t.fill_(v))?;
        Ok(slf)
    }

    fn zero_(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        core("zero_", || slf.t.zero_())?;
        Ok(slf)
    }
}
