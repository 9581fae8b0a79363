//! Arguments of the shape ops: lists of tensors, int arguments with PyTorch's type errors,
//! `out=` tensors, and running big copies without the GIL.

use ferrograd_core::{DType, Tensor};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::args::extract_int;
use crate::errors::{runtime_err, type_err};
use crate::tensor::{wrap, PyTensor};

pub type Out = PyResult<Py<PyTensor>>;

pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// The items of a list or tuple, or `None` for anything else.
pub fn sequence_items<'py>(obj: &Bound<'py, PyAny>) -> Option<Vec<Bound<'py, PyAny>>> {
    if let Ok(t) = obj.cast::<PyTuple>() {
        return Some(t.iter().collect());
    }
    obj.cast::<PyList>().ok().map(|l| l.iter().collect())
}

/// Each item as a tensor, with PyTorch's error naming the first that is not one.
pub fn tensors_of(items: &[Bound<'_, PyAny>]) -> PyResult<Vec<Tensor>> {
    items
        .iter()
        .enumerate()
        .map(|(i, it)| match it.cast::<PyTensor>() {
            Ok(t) => Ok(t.borrow().t.clone()),
            Err(_) => Err(type_err(format!(
                "expected Tensor as element {i} in argument 0, but got {}",
                type_name(it)
            ))),
        })
        .collect()
}

/// A `tensors` argument: a list or tuple of tensors.
pub fn tensor_list(op: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<Tensor>> {
    let items = sequence_items(obj).ok_or_else(|| {
        type_err(format!(
            "{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not {}",
            type_name(obj)
        ))
    })?;
    tensors_of(&items)
}

/// Varargs that may also come as one list or tuple (`meshgrid(a, b)` or `meshgrid([a, b])`).
pub fn tensor_varargs(args: &Bound<'_, PyTuple>) -> PyResult<Vec<Tensor>> {
    if args.len() == 1 {
        if let Some(items) = sequence_items(&args.get_item(0)?) {
            return tensors_of(&items);
        }
    }
    tensors_of(&args.iter().collect::<Vec<_>>())
}

/// An int argument, refused with PyTorch's message when it is not one.
pub fn int_arg(op: &str, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    extract_int(obj).ok_or_else(|| {
        type_err(format!(
            "{op}(): argument '{name}' must be int, not {}",
            type_name(obj)
        ))
    })
}

/// Wraps each tensor as a Python tensor, in a tuple.
pub fn tuple_of<'py>(py: Python<'py>, tensors: Vec<Tensor>) -> PyResult<Bound<'py, PyTuple>> {
    let items = tensors
        .into_iter()
        .map(|t| wrap(py, t))
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, items)
}

/// The check of ops whose `out=` must have exactly the result's dtype.
pub fn check_out_dtype(out: &Bound<'_, PyTensor>, dtype: DType) -> PyResult<()> {
    let have = out.borrow().t.dtype();
    if have != dtype {
        return Err(runtime_err(format!(
            "Expected out tensor to have dtype {}, but got {} instead",
            dtype.cpp_type_name(),
            have.cpp_type_name()
        )));
    }
    Ok(())
}
