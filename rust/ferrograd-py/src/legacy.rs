//! The legacy constructors (`Tensor(2, 3)`, `FloatTensor([1, 2])`, ...): sizes make a
//! zero-filled tensor (PyTorch leaves it uninitialised), data makes a tensor of that dtype.

use ferrograd_core::{DType, Tensor};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::args::{extract_int, size_arg};
use crate::dtype::extract_dtype;
use crate::errors::{core, type_err};
use crate::from_python::tensor_from_data;
use crate::tensor::{wrap, PyTensor};

pub fn legacy_new(py: Python<'_>, dtype: DType, args: &Bound<'_, PyTuple>) -> PyResult<Tensor> {
    let _ = py;
    if args.is_empty() {
        return core("new", || Tensor::zeros(&[0], dtype));
    }
    let first = args.get_item(0)?;
    let all_ints = args.iter().all(|a| extract_int(&a).is_some());
    let is_size = args.len() == 1 && first.get_type().name()?.to_cow()? == "Size";
    if all_ints || is_size {
        let shape = size_arg("new", args)?;
        return core("new", || Tensor::zeros(&shape, dtype));
    }
    if args.len() > 1 {
        return Err(type_err(format!(
            "new() received an invalid combination of arguments - got ({} arguments)",
            args.len()
        )));
    }
    if let Ok(t) = first.cast::<PyTensor>() {
        let t = t.borrow().t.clone();
        if t.dtype() != dtype {
            return Err(type_err(format!(
                "expected {} (got {})",
                dtype.name(),
                t.dtype().name()
            )));
        }
        return Ok(t);
    }
    if first.is_instance_of::<pyo3::types::PyString>() {
        return Err(type_err("new(): invalid data type 'str'"));
    }
    if first.is_instance_of::<pyo3::types::PyFloat>()
        || first.is_instance_of::<pyo3::types::PyBool>()
    {
        let name = first.get_type().name()?;
        return Err(type_err(format!(
            "new(): data must be a sequence (got {name})"
        )));
    }
    tensor_from_data(&first, Some(dtype))
}

/// `FloatTensor(...)` and friends call this with their dtype.
#[pyfunction]
#[pyo3(signature = (dtype, *args))]
pub fn _legacy_new(
    py: Python<'_>,
    dtype: &Bound<'_, PyAny>,
    args: &Bound<'_, PyTuple>,
) -> PyResult<Py<PyTensor>> {
    let dtype = extract_dtype(dtype)?;
    wrap(py, legacy_new(py, dtype, args)?)
}
