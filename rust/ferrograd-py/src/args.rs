//! Reading Python arguments: sizes given as varargs or one sequence, scalars.
//! (Index keys are read in `index_key.rs`.)

use ferrograd_core::Scalar;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyTuple};

use crate::errors::{core, runtime_err, type_err};
use crate::tensor::PyTensor;

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// An integer argument: a Python int, anything with `__index__` (numpy ints), or a one-element
/// integer tensor. Bools are refused where PyTorch refuses them.
pub fn extract_int(obj: &Bound<'_, PyAny>) -> Option<i64> {
    if obj.is_instance_of::<PyBool>() {
        return None;
    }
    if let Ok(i) = obj.extract::<i64>() {
        return Some(i);
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = &t.borrow().t;
        if t.ndim() == 0 && t.dtype().is_integer() {
            if let Ok(Scalar::Int(i)) = t.item() {
                return Some(i);
            }
        }
    }
    None
}

/// A list of ints given either as varargs (`view(2, 3)`) or as one sequence (`view((2, 3))`).
pub fn int_list(op: &str, name: &str, args: &Bound<'_, PyTuple>) -> PyResult<Vec<i64>> {
    let seq: Bound<'_, PyAny> = if args.len() == 1 && extract_int(&args.get_item(0)?).is_none() {
        args.get_item(0)?
    } else {
        args.clone().into_any()
    };
    let items: Vec<Bound<'_, PyAny>> = if let Ok(t) = seq.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = seq.cast::<PyList>() {
        l.iter().collect()
    } else {
        return Err(type_err(format!(
            "{op}(): argument '{name}' (position 1) must be tuple of ints, not {}",
            type_name(&seq)
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            extract_int(it).ok_or_else(|| {
                type_err(format!(
                    "{op}(): argument '{name}' (position 1) must be tuple of ints, but found element of type {} at pos {i}",
                    type_name(it)
                ))
            })
        })
        .collect()
}

/// A size for a factory function; negative sizes are PyTorch's RuntimeError.
pub fn size_arg(op: &str, args: &Bound<'_, PyTuple>) -> PyResult<Vec<usize>> {
    let dims = int_list(op, "size", args)?;
    to_sizes(&dims)
}

pub fn to_sizes(dims: &[i64]) -> PyResult<Vec<usize>> {
    if let Some(&neg) = dims.iter().find(|&&d| d < 0) {
        return Err(runtime_err(format!(
            "Trying to create tensor with negative dimension {neg}: {dims:?}"
        )));
    }
    Ok(dims.iter().map(|&d| d as usize).collect())
}

/// A Python number (or one-element tensor, or numpy scalar) as a core scalar.
pub fn extract_scalar(obj: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Scalar::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj
            .extract::<i64>()
            .map(Scalar::Int)
            .map_err(|_| PyValueError::new_err("Overflow when unpacking long long"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Scalar::Float(f.value()));
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.borrow().t.clone();
        return core("item", || t.item());
    }
    // numpy scalars and other number-likes: ask for the Python number.
    if obj.hasattr("dtype")? && obj.hasattr("item")? {
        return extract_scalar(&obj.call_method0("item")?);
    }
    if let Some(i) = extract_int(obj) {
        return Ok(Scalar::Int(i));
    }
    if let Ok(f) = obj.extract::<f64>() {
        return Ok(Scalar::Float(f));
    }
    Err(type_err(format!(
        "expected a number, but got {}",
        type_name(obj)
    )))
}

pub fn scalar_to_py(py: Python<'_>, s: Scalar) -> PyResult<Py<PyAny>> {
    Ok(match s {
        Scalar::Bool(b) => PyBool::new(py, b).to_owned().into_any().unbind(),
        Scalar::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Scalar::Float(f) => f.into_pyobject(py)?.into_any().unbind(),
    })
}

/// One int or a sequence of ints.
pub fn int_or_ints(op: &str, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    match extract_int(obj) {
        Some(i) => Ok(vec![i]),
        None => int_list(op, name, &PyTuple::new(obj.py(), [obj])?),
    }
}

/// Ints given as varargs (`flip(0, 1)`), one sequence (`flip([0, 1])`) or the keyword.
pub fn varargs_or_keyword(
    op: &str,
    name: &str,
    args: &Bound<'_, PyTuple>,
    keyword: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<i64>> {
    match keyword {
        Some(k) if args.is_empty() => int_or_ints(op, name, k),
        Some(_) => Err(type_err(format!(
            "{op}() got multiple values for argument '{name}'"
        ))),
        None if args.is_empty() => Err(type_err(format!(
            "{op}() missing 1 required positional arguments: \"{name}\""
        ))),
        None => int_list(op, name, args),
    }
}
