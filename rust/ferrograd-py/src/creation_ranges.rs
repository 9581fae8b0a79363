//! The range factories: `arange`, the deprecated inclusive `range`, `linspace` and
//! `logspace`.

use ferrograd_core::device_scope::DeviceScope;
use ferrograd_core::{DType, Device, Scalar, Tensor};
use pyo3::exceptions::{PyTypeError, PyUserWarning};
use pyo3::prelude::*;

use crate::args::extract_scalar;
use crate::creation::{finish, Out};
use crate::dtype::{default_dtype, extract_opt_dtype};
use crate::errors::core;
use crate::tensor::device_arg;

/// `arange(end)`, `arange(start, end)`, `arange(start, end, step)`: int64 unless a bound or
/// the step is a float (then the default dtype).
#[pyfunction]
#[pyo3(signature = (start=None, end=None, step=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn arange(
    py: Python<'_>,
    start: Option<&Bound<'_, PyAny>>,
    end: Option<&Bound<'_, PyAny>>,
    step: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout);
    let (s, e) = match (start, end.filter(|e| !e.is_none())) {
        (Some(s), Some(e)) => (extract_scalar(s)?, extract_scalar(e)?),
        (Some(e), None) | (None, Some(e)) => (Scalar::Int(0), extract_scalar(e)?),
        (None, None) => {
            return Err(PyTypeError::new_err(
                "arange() missing required argument 'end' (pos 1)",
            ))
        }
    };
    let st = match step {
        Some(x) if !x.is_none() => extract_scalar(x)?,
        _ => Scalar::Int(1),
    };
    let any_float = [s, e, st].iter().any(|v| matches!(v, Scalar::Float(_)));
    let inferred = if any_float {
        default_dtype()
    } else {
        DType::I64
    };
    let dtype = extract_opt_dtype(dtype)?.unwrap_or(inferred);
    // Made on the device asked for, so an integer range on the GPU is written there.
    let target = device_arg(device, Device::Cpu)?;
    let t = core("arange", || {
        let _on = DeviceScope::enter(target);
        Tensor::arange(s, e, st, dtype)
    })?;
    finish(py, t, device, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (start=None, end=None, step=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn range(
    py: Python<'_>,
    start: Option<f64>,
    end: Option<f64>,
    step: Option<f64>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout);
    PyErr::warn(py, &py.get_type::<PyUserWarning>(), c"ferrograd.range is deprecated and will be removed in a future release because its behavior is inconsistent with Python's range builtin. Instead, use ferrograd.arange, which produces values in [start, end).", 1)?;
    let (s, e) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(e), None) => (0.0, e),
        _ => {
            return Err(PyTypeError::new_err(
                "range() missing required argument 'end'",
            ))
        }
    };
    let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(default_dtype);
    let t = core("range", || {
        Tensor::range_inclusive(s, e, step.unwrap_or(1.0), dtype)
    })?;
    finish(py, t, device, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn linspace(
    py: Python<'_>,
    start: f64,
    end: f64,
    steps: i64,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout);
    let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(default_dtype);
    let t = core("linspace", || Tensor::linspace(start, end, steps, dtype))?;
    finish(py, t, device, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn logspace(
    py: Python<'_>,
    start: f64,
    end: f64,
    steps: i64,
    base: f64,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout);
    let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(default_dtype);
    let t = core("logspace", || {
        Tensor::logspace(start, end, steps, base, dtype)
    })?;
    finish(py, t, device, requires_grad)
}
