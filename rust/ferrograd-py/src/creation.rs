//! Module-level factory functions: `tensor`, `as_tensor`, `from_numpy`, `zeros`, `full`,
//! `eye`, the `_like` forms, and `result_type` (the ranges, `arange` and `linspace`, are in
//! `creation_ranges.rs`).

use ferrograd_core::{result_type as core_result_type, Operand, Scalar, Tensor};
use pyo3::exceptions::{PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::args::{extract_scalar, size_arg, to_sizes};
use crate::dtype::{default_dtype, dtype_object, extract_opt_dtype, PyDType};
use crate::errors::{core, runtime_err};
use crate::from_python::tensor_from_data;
use crate::numpy_interop::{is_ndarray, ndarray_to_tensor};
use crate::tensor::{on_device, wrap, PyTensor};

pub(crate) type Out = PyResult<Py<PyTensor>>;

/// Applies the keyword arguments every factory takes: moves to `device`, sets `requires_grad`.
pub(crate) fn finish(
    py: Python<'_>,
    t: Tensor,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let t = on_device(t, device)?;
    if requires_grad {
        if !t.dtype().is_floating_point() {
            return Err(runtime_err(
                "Only Tensors of floating point and complex dtype can require gradients",
            ));
        }
        core("requires_grad_", || t.set_requires_grad(true))?;
    }
    wrap(py, t)
}

#[pyfunction]
#[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false, pin_memory=false))]
pub fn tensor(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> Out {
    if data.is_instance_of::<PyTensor>() {
        PyErr::warn(py, &py.get_type::<PyUserWarning>(), c"To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() or sourceTensor.clone().detach().requires_grad_(True), rather than torch.tensor(sourceTensor).", 1)?;
    }
    tensor_quiet(py, data, dtype, device, requires_grad, pin_memory)
}

/// `tensor(data)` without the copy-construction warning (callers word their own).
pub fn tensor_quiet(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> Out {
    let _ = pin_memory;
    let t = tensor_from_data(data, extract_opt_dtype(dtype)?)?;
    finish(py, t, device, requires_grad)
}

/// `as_tensor`: shares memory with a tensor or numpy array when no conversion is needed.
#[pyfunction]
#[pyo3(signature = (data, dtype=None, device=None))]
pub fn as_tensor(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let dtype = extract_opt_dtype(dtype)?;
    if let Ok(t) = data.cast::<PyTensor>() {
        let inner = t.borrow().t.clone();
        if dtype.is_none_or(|d| d == inner.dtype()) {
            return Ok(t.clone().into_any().unbind());
        }
        return Ok(wrap(
            py,
            core("as_tensor", || {
                inner.to_dtype(dtype.unwrap_or(inner.dtype()))
            })?,
        )?
        .into_any());
    }
    let t = if is_ndarray(data) {
        let shared = ndarray_to_tensor(data, true)?;
        core("as_tensor", || {
            shared.to_dtype(dtype.unwrap_or(shared.dtype()))
        })?
    } else {
        tensor_from_data(data, dtype)?
    };
    Ok(finish(py, t, device, false)?.into_any())
}

#[pyfunction]
pub fn from_numpy(py: Python<'_>, ndarray: &Bound<'_, PyAny>) -> Out {
    if !is_ndarray(ndarray) {
        let name = ndarray.get_type().name()?;
        return Err(PyTypeError::new_err(format!(
            "expected np.ndarray (got {name})"
        )));
    }
    wrap(py, ndarray_to_tensor(ndarray, true)?)
}

fn factory(
    py: Python<'_>,
    op: &'static str,
    size: &Bound<'_, PyTuple>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    value: Option<Scalar>,
) -> Out {
    let shape = match size_arg(op, size) {
        // PyTorch words this one factory's check differently.
        Err(e) if op == "zeros" && e.to_string().contains("negative dimension") => {
            return Err(runtime_err("zeros: Dimension size must be non-negative."))
        }
        other => other?,
    };
    let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(default_dtype);
    let t = core(op, || match value {
        Some(v) => Tensor::full(&shape, v, dtype),
        None => Tensor::zeros(&shape, dtype),
    })?;
    finish(py, t, device, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (*size, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
pub fn zeros(
    py: Python<'_>,
    size: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout);
    factory(py, "zeros", size, dtype, device, requires_grad, None)
}

#[pyfunction]
#[pyo3(signature = (*size, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
pub fn ones(
    py: Python<'_>,
    size: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout);
    factory(
        py,
        "ones",
        size,
        dtype,
        device,
        requires_grad,
        Some(Scalar::Int(1)),
    )
}

/// `empty`: PyTorch leaves the memory uninitialised; we hand out zeroed memory, which costs
/// the same (fresh pages from the OS are zero) and never shows garbage to a learner.
#[pyfunction]
#[pyo3(signature = (*size, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false, memory_format=None))]
#[allow(clippy::too_many_arguments)]
pub fn empty(
    py: Python<'_>,
    size: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> Out {
    let _ = (out, layout, pin_memory, memory_format);
    factory(py, "empty", size, dtype, device, requires_grad, None)
}

/// `full(size, fill_value)`: the dtype follows the fill value when not given.
#[pyfunction]
#[pyo3(signature = (size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn full(
    py: Python<'_>,
    size: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout);
    let shape = size_arg("full", &PyTuple::new(py, [size])?)?;
    let value = extract_scalar(fill_value)?;
    let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(|| value.natural_dtype(default_dtype()));
    let t = core("full", || Tensor::full(&shape, value, dtype))?;
    finish(py, t, device, requires_grad)
}

fn like(
    py: Python<'_>,
    op: &'static str,
    input: &PyTensor,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    value: Option<Scalar>,
) -> Out {
    let dtype = extract_opt_dtype(dtype)?.unwrap_or(input.t.dtype());
    let t = core(op, || {
        let t = input.t.zeros_like_layout(dtype)?;
        if let Some(v) = value {
            t.init_fill(v)?;
        }
        Ok(t)
    })?;
    finish(py, t, device, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
pub fn zeros_like(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> Out {
    let _ = (layout, memory_format);
    like(py, "zeros_like", &input, dtype, device, requires_grad, None)
}

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
pub fn ones_like(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> Out {
    let _ = (layout, memory_format);
    like(
        py,
        "ones_like",
        &input,
        dtype,
        device,
        requires_grad,
        Some(Scalar::Int(1)),
    )
}

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
pub fn empty_like(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> Out {
    let _ = (layout, memory_format);
    like(py, "empty_like", &input, dtype, device, requires_grad, None)
}

#[pyfunction]
#[pyo3(signature = (input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
#[allow(clippy::too_many_arguments)]
pub fn full_like(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> Out {
    let _ = (layout, memory_format);
    let v = extract_scalar(fill_value)?;
    like(
        py,
        "full_like",
        &input,
        dtype,
        device,
        requires_grad,
        Some(v),
    )
}

#[pyfunction]
#[pyo3(signature = (n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn eye(
    py: Python<'_>,
    n: i64,
    m: Option<i64>,
    out: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> Out {
    let _ = (out, layout);
    let m = m.unwrap_or(n);
    if n < 0 || m < 0 {
        return Err(runtime_err(format!(
            "{} must be greater or equal to 0, got {}",
            if n < 0 { "n" } else { "m" },
            if n < 0 { n } else { m }
        )));
    }
    let dims = to_sizes(&[n, m])?;
    let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(default_dtype);
    let t = core("eye", || Tensor::eye(dims[0], dims[1], dtype))?;
    finish(py, t, device, requires_grad)
}

/// How an argument takes part in promotion: tensors by rank, Python numbers as scalars.
fn operand(obj: &Bound<'_, PyAny>) -> PyResult<Operand> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = &t.borrow().t;
        return Ok(if t.ndim() == 0 {
            Operand::ZeroDimTensor(t.dtype())
        } else {
            Operand::Tensor(t.dtype())
        });
    }
    let s = extract_scalar(obj)?;
    Ok(Operand::Scalar(s.natural_dtype(default_dtype())))
}

#[pyfunction]
pub fn result_type(
    py: Python<'_>,
    tensor1: &Bound<'_, PyAny>,
    tensor2: &Bound<'_, PyAny>,
) -> PyResult<Py<PyDType>> {
    let d = core_result_type(&[operand(tensor1)?, operand(tensor2)?]).unwrap_or_else(default_dtype);
    dtype_object(py, d)
}

/// Rebuilds a tensor from `Tensor._to_bytes()` output (used by pickling).
#[pyfunction]
pub fn _from_bytes(
    py: Python<'_>,
    data: &Bound<'_, PyBytes>,
    dtype: &Bound<'_, PyAny>,
    shape: Vec<usize>,
) -> Out {
    let dtype = crate::dtype::extract_dtype(dtype)?;
    wrap(
        py,
        core("unpickle", || {
            Tensor::from_bytes(data.as_bytes(), dtype, &shape)
        })?,
    )
}
