//! Reading Python indexing keys (`t[...]`) and assigned values (`t[...] = v`) the way PyTorch's
//! `python_variable_indexing.cpp` does: which objects are integers, slices, masks or index
//! tensors, when a list is a tuple of indices, and what a value may be.

use ferrograd_core::{DType, IndexItem, Scalar, Tensor};
use pyo3::exceptions::{PyIndexError, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyEllipsis, PyFloat, PyInt, PySequence, PySlice, PyTuple};

use crate::args::extract_int;
use crate::errors::{core, type_err};
use crate::from_python::tensor_from_data;
use crate::numpy_interop::is_ndarray;
use crate::tensor::PyTensor;

/// A whole key: Python hands `t[i]` a single object and `t[i, j]` a tuple, and PyTorch treats
/// a few single objects directly (which shows in its messages for 0-dim tensors).
pub enum Key {
    Single(IndexItem),
    Tuple(Vec<IndexItem>),
}

impl Key {
    /// Whether applying the key may gather or scatter data (worth releasing the GIL for).
    pub fn is_advanced(&self) -> bool {
        let items: &[IndexItem] = match self {
            Key::Single(i) => std::slice::from_ref(i),
            Key::Tuple(v) => v,
        };
        items
            .iter()
            .any(|i| matches!(i, IndexItem::Tensor(_) | IndexItem::Bool(_)))
    }
}

fn qualified_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .fully_qualified_name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// A Python int (not a bool) or a numpy integer: PyTorch's `THPUtils_checkLong`.
fn is_int_like(obj: &Bound<'_, PyAny>) -> bool {
    if obj.is_instance_of::<PyBool>() {
        return false;
    }
    obj.is_instance_of::<PyInt>() || is_numpy_integer(obj)
}

fn is_numpy_integer(obj: &Bound<'_, PyAny>) -> bool {
    let Ok(module) = obj.get_type().module() else {
        return false;
    };
    if module != "numpy" {
        return false;
    }
    let name = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    name.starts_with("int") || name.starts_with("uint")
}

fn unpack_long(obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    obj.extract::<i64>()
        .map_err(|_| PyValueError::new_err("Overflow when unpacking long long"))
}

/// A slice bound; ints beyond int64 clamp, as PyTorch's slice unpacking does.
fn slice_bound(obj: &Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    if obj.is_none() {
        return Ok(None);
    }
    if let Some(i) = extract_int(obj) {
        return Ok(Some(i));
    }
    if let Ok(index) = obj.call_method0("__index__") {
        let negative = index.lt(0)?;
        return Ok(Some(if negative { i64::MIN } else { i64::MAX }));
    }
    Err(type_err(
        "slice indices must be integers or None or have an __index__ method",
    ))
}

fn slice_item(s: &Bound<'_, PySlice>) -> PyResult<IndexItem> {
    let step = slice_bound(&s.getattr("step")?)?.unwrap_or(1);
    if step == 0 {
        return Err(PyValueError::new_err("slice step cannot be zero"));
    }
    Ok(IndexItem::Slice {
        start: slice_bound(&s.getattr("start")?)?,
        end: slice_bound(&s.getattr("stop")?)?,
        step,
    })
}

/// A list (or other sequence) used as an index becomes an int64 tensor, or a mask when its
/// values are bools or bytes (PyTorch's `indexing_tensor_from_data`).
fn sequence_to_index(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    let t = tensor_from_data(obj, None)?;
    if matches!(t.dtype(), DType::Bool | DType::U8 | DType::I64) {
        return Ok(t);
    }
    core("index", || t.to_dtype(DType::I64))
}

fn invalid_index(obj: &Bound<'_, PyAny>) -> PyErr {
    PyIndexError::new_err(format!(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {})",
        qualified_name(obj)
    ))
}

/// One item of a tuple key.
fn index_item(obj: &Bound<'_, PyAny>) -> PyResult<IndexItem> {
    if is_int_like(obj) {
        return Ok(IndexItem::Int(unpack_long(obj)?));
    }
    if let Ok(s) = obj.cast::<PySlice>() {
        return slice_item(s);
    }
    if obj.is_instance_of::<PyEllipsis>() {
        return Ok(IndexItem::Ellipsis);
    }
    if obj.is_none() {
        return Ok(IndexItem::NewAxis);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(IndexItem::Bool(b.is_true()));
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(IndexItem::Tensor(t.borrow().t.clone()));
    }
    if obj.cast::<PySequence>().is_ok() || is_ndarray(obj) {
        return Ok(IndexItem::Tensor(sequence_to_index(obj)?));
    }
    match obj.call_method0("__index__") {
        Ok(i) => Ok(IndexItem::Int(unpack_long(&i)?)),
        Err(_) => Err(invalid_index(obj)),
    }
}

/// numpy's rule, which PyTorch still follows (with a deprecation warning): a short non-tuple
/// sequence holding a sequence, tensor, slice, `...` or `None` is a tuple of indices.
fn sequence_as_tuple<'py>(key: &Bound<'py, PyAny>) -> PyResult<Option<Vec<Bound<'py, PyAny>>>> {
    if key.is_instance_of::<PyTensor>() || is_ndarray(key) {
        return Ok(None);
    }
    let Ok(seq) = key.cast::<PySequence>() else {
        return Ok(None);
    };
    let Ok(n) = seq.len() else {
        return Ok(None);
    };
    if n >= 32 {
        return Ok(None);
    }
    let mut items = Vec::with_capacity(n);
    let mut as_tuple = false;
    for i in 0..n {
        let Ok(item) = seq.get_item(i) else {
            return Ok(None);
        };
        as_tuple |= item.is_instance_of::<PyTensor>()
            || item.cast::<PySequence>().is_ok()
            || item.is_instance_of::<PySlice>()
            || item.is_none()
            || item.is_instance_of::<PyEllipsis>();
        items.push(item);
    }
    if !as_tuple {
        return Ok(None);
    }
    PyErr::warn(
        key.py(),
        &key.py().get_type::<PyUserWarning>(),
        c"Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or a different result",
        1,
    )?;
    Ok(Some(items))
}

/// PyTorch's deprecation warning for uint8 masks (still accepted as masks).
pub fn warn_uint8_masks<'a>(
    py: Python<'_>,
    indices: impl IntoIterator<Item = &'a Tensor>,
) -> PyResult<()> {
    if indices
        .into_iter()
        .any(|t| t.dtype() == DType::U8 && t.ndim() > 0)
    {
        PyErr::warn(
            py,
            &py.get_type::<PyUserWarning>(),
            c"indexing with dtype ferrograd.uint8 is now deprecated, please use a dtype ferrograd.bool instead.",
            1,
        )?;
    }
    Ok(())
}

/// Reads a key the way `Tensor.__getitem__`/`__setitem__` receive it.
pub fn parse_key(key: &Bound<'_, PyAny>) -> PyResult<Key> {
    if key.is_none() {
        return Ok(Key::Single(IndexItem::NewAxis));
    }
    if key.is_instance_of::<PyEllipsis>() {
        return Ok(Key::Single(IndexItem::Ellipsis));
    }
    if is_int_like(key) {
        return Ok(Key::Single(IndexItem::Int(unpack_long(key)?)));
    }
    if let Ok(s) = key.cast::<PySlice>() {
        return Ok(Key::Single(slice_item(s)?));
    }
    if let Ok(b) = key.cast::<PyBool>() {
        return Ok(Key::Single(IndexItem::Bool(b.is_true())));
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(t) = key.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Some(items) = sequence_as_tuple(key)? {
        items
    } else {
        vec![key.clone()]
    };
    let items = items.iter().map(index_item).collect::<PyResult<Vec<_>>>()?;
    warn_uint8_masks(
        key.py(),
        items.iter().filter_map(|i| match i {
            IndexItem::Tensor(t) => Some(t),
            _ => None,
        }),
    )?;
    Ok(Key::Tuple(items))
}

/// The value of `t[key] = value`: a tensor, or a Python number as a 0-dim tensor of `t`'s dtype.
/// Anything else is PyTorch's TypeError.
pub fn assigned_value(value: &Bound<'_, PyAny>, target: &Tensor) -> PyResult<Tensor> {
    if let Ok(t) = value.cast::<PyTensor>() {
        return Ok(t.borrow().t.clone());
    }
    let scalar = if is_int_like(value) || value.is_instance_of::<PyBool>() {
        Some(Scalar::Int(unpack_long(value)?))
    } else if let Ok(f) = value.cast::<PyFloat>() {
        Some(Scalar::Float(f.value()))
    } else {
        None
    };
    match scalar {
        Some(s) => Ok(Tensor::scalar(s, target.dtype())),
        None => Err(type_err(format!(
            "can't assign a {} to a ferrograd.{}",
            qualified_name(value),
            target.dtype().legacy_type_name()
        ))),
    }
}
