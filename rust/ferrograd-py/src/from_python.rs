//! Building a tensor from Python data (`ferrograd.tensor([[1, 2], [3, 4]])`): infer the shape and
//! the dtype in one walk, then fill a vector of that dtype in a second.

use ferrograd_core::{promote_types, with_dtype, DType, Element, Scalar, Tensor};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PySequence, PyString, PyTuple};

use crate::args::extract_scalar;
use crate::dtype::default_dtype;
use crate::errors::{core, runtime_err, type_err};
use crate::numpy_interop::{is_ndarray, ndarray_to_tensor};
use crate::tensor::PyTensor;

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// The items of a list or tuple (fast path), or of any other sequence; `None` for a leaf.
fn items<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Vec<Bound<'py, PyAny>>>> {
    // Numbers first: the generic sequence check below is a slow `isinstance` against an ABC.
    if obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyInt>() {
        return Ok(None);
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return Ok(Some(l.iter().collect()));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return Ok(Some(t.iter().collect()));
    }
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyTensor>() || is_ndarray(obj) {
        return Ok(None);
    }
    if let Ok(seq) = obj.cast::<PySequence>() {
        let n = seq.len()?;
        return (0..n)
            .map(|i| seq.get_item(i))
            .collect::<PyResult<Vec<_>>>()
            .map(Some);
    }
    Ok(None)
}

/// The dtype PyTorch infers for one leaf value.
fn leaf_dtype(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    // The common cases first, by exact type: no attribute lookups on the hot path.
    if obj.is_exact_instance_of::<PyFloat>() {
        return Ok(default_dtype());
    }
    if obj.is_exact_instance_of::<PyInt>() {
        return Ok(DType::I64);
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(DType::Bool);
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(DType::I64);
    }
    if obj.is_instance_of::<PyFloat>() {
        // numpy's float64 scalar is a Python float subclass but keeps its own dtype.
        if obj.hasattr("dtype")? {
            return numpy_scalar_dtype(obj);
        }
        return Ok(default_dtype());
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(t.borrow().t.dtype());
    }
    if obj.hasattr("dtype")? && obj.hasattr("item")? {
        return numpy_scalar_dtype(obj);
    }
    if obj.is_instance_of::<PyString>() {
        return Err(type_err(format!(
            "new(): invalid data type '{}'",
            type_name(obj)
        )));
    }
    Err(runtime_err(format!(
        "Could not infer dtype of {}",
        type_name(obj)
    )))
}

fn numpy_scalar_dtype(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    let name: String = obj.getattr("dtype")?.getattr("name")?.extract()?;
    DType::from_name(&name).ok_or_else(|| type_err(format!("can't convert np.{name} to a tensor")))
}

/// Walks the data once: checks it is rectangular, records the shape and infers the dtype.
struct Survey {
    shape: Vec<usize>,
    dtype: Option<DType>,
}

impl Survey {
    fn visit(&mut self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<()> {
        if let Some(children) = items(obj)? {
            let n = children.len();
            if depth == self.shape.len() {
                if self.dtype.is_some() {
                    // A sequence where an earlier sibling was a number.
                    return Err(type_err(format!(
                        "new(): invalid data type '{}'",
                        type_name(obj)
                    )));
                }
                self.shape.push(n);
            } else if self.shape[depth] != n {
                return Err(PyValueError::new_err(format!(
                    "expected sequence of length {} at dim {} (got {})",
                    self.shape[depth], depth, n
                )));
            }
            for c in &children {
                self.visit(c, depth + 1)?;
            }
            return Ok(());
        }
        if depth != self.shape.len() {
            return Err(type_err(format!("not a sequence (got {})", type_name(obj))));
        }
        if depth > 0 && obj.is_instance_of::<PyString>() {
            return Err(PyValueError::new_err(format!(
                "too many dimensions '{}'",
                type_name(obj)
            )));
        }
        let d = match obj.cast::<PyTensor>() {
            Ok(t) if t.borrow().t.numel() != 1 => {
                return Err(PyValueError::new_err(
                    "only one element tensors can be converted to Python scalars",
                ))
            }
            _ => leaf_dtype(obj)?,
        };
        self.dtype = Some(self.dtype.map_or(d, |acc| promote_types(acc, d)));
        Ok(())
    }
}

fn fill<T: Element>(obj: &Bound<'_, PyAny>, out: &mut Vec<T>) -> PyResult<()> {
    if let Some(children) = items(obj)? {
        for c in &children {
            fill(c, out)?;
        }
        return Ok(());
    }
    // Fast paths for the common leaves; the general path handles tensors and numpy scalars.
    let v = if let Ok(f) = obj.cast::<PyFloat>() {
        Scalar::Float(f.value())
    } else {
        extract_scalar(obj)?
    };
    out.push(checked_cast::<T>(v)?);
    Ok(())
}

/// Converts a value for `tensor(data, dtype=...)`: integer dtypes refuse values outside their
/// range (after truncation), as PyTorch does; float dtypes round (huge values become inf).
fn checked_cast<T: Element>(v: Scalar) -> PyResult<T> {
    if T::DTYPE.is_integer() {
        let wide = match v {
            Scalar::Float(f) if f.is_finite() && f.trunc().abs() < 9.2e18 => Some(f.trunc() as i64),
            Scalar::Float(_) => None,
            // A negative int may wrap into an unsigned type when its magnitude fits (-1 -> 255).
            Scalar::Int(i) if i < 0 && !T::DTYPE.is_signed() => {
                let max = T::from_i64(-1).to_i64();
                (i.unsigned_abs() <= max as u64).then_some(T::from_i64(i).to_i64())
            }
            Scalar::Int(i) => Some(i),
            Scalar::Bool(b) => Some(b as i64),
        };
        let fits = wide.is_some_and(|i| T::from_i64(i).to_i64() == i);
        if !fits {
            return Err(runtime_err(format!(
                "value cannot be converted to type {} without overflow",
                T::DTYPE.name()
            )));
        }
    }
    Ok(v.cast::<T>())
}

/// `tensor(data)`: always copies; infers the dtype when `dtype` is `None`.
pub fn tensor_from_data(data: &Bound<'_, PyAny>, dtype: Option<DType>) -> PyResult<Tensor> {
    if let Ok(t) = data.cast::<PyTensor>() {
        // A copy with no history: `tensor(t)` makes a new leaf, as in PyTorch.
        let t = t.borrow().t.detach();
        return core("tensor", || {
            t.to_dtype(dtype.unwrap_or(t.dtype()))?.deep_clone()
        });
    }
    if is_ndarray(data) {
        let t = ndarray_to_tensor(data, false)?;
        return core("tensor", || {
            t.to_dtype(dtype.unwrap_or(t.dtype()))?.deep_clone()
        });
    }
    let mut survey = Survey {
        shape: vec![],
        dtype: None,
    };
    survey.visit(data, 0)?;
    // An empty list has no leaves: PyTorch makes it the default float dtype.
    let dtype = dtype.or(survey.dtype).unwrap_or_else(default_dtype);
    let numel: usize = survey.shape.iter().product();
    with_dtype!(dtype, T => {
        let mut values: Vec<T> = Vec::with_capacity(numel);
        fill::<T>(data, &mut values)?;
        core("tensor", || Tensor::from_vec(values, &survey.shape))
    })
}

/// A Python number as a 0-dim tensor of its natural dtype (or `dtype`).
pub fn scalar_tensor(value: Scalar, dtype: Option<DType>) -> Tensor {
    Tensor::scalar(
        value,
        dtype.unwrap_or_else(|| value.natural_dtype(default_dtype())),
    )
}
