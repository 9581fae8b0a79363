//! Broadcasting and grids: `meshgrid`, `cartesian_prod`, `combinations`, `broadcast_to`,
//! `broadcast_tensors`, `broadcast_shapes`, `atleast_{1,2,3}d`, `ravel`.

use ferrograd_core::Tensor;
use pyo3::exceptions::{PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use super::args::{sequence_items, tensor_varargs, tensors_of, tuple_of, type_name, Out};
use crate::args::{extract_int, varargs_or_keyword};
use crate::errors::run;
use crate::errors::{core, runtime_err, type_err};
use crate::tensor::{size_object, wrap, PyTensor};

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (*args, size=None))]
    fn broadcast_to(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        size: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let shape = varargs_or_keyword("broadcast_to", "size", args, size)?;
        wrap(py, core("broadcast_to", || self.t.broadcast_to(&shape))?)
    }

    fn ravel(&self, py: Python<'_>) -> Out {
        wrap(py, run(py, "ravel", self.t.numel(), || self.t.ravel())?)
    }
}

#[pyfunction]
#[pyo3(signature = (*tensors, indexing=None))]
pub fn meshgrid<'py>(
    py: Python<'py>,
    tensors: &Bound<'py, PyTuple>,
    indexing: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let tensors = tensor_varargs(tensors)?;
    let indexing = match indexing {
        Some(i) if !i.is_none() => i
            .cast::<PyString>()
            .map_err(|_| {
                type_err(format!(
                    "meshgrid(): argument 'indexing' must be str, not {}",
                    type_name(i)
                ))
            })?
            .to_string(),
        _ => {
            PyErr::warn(
                py,
                &py.get_type::<PyUserWarning>(),
                c"torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                1,
            )?;
            "ij".to_string()
        }
    };
    tuple_of(
        py,
        core("meshgrid", || Tensor::meshgrid(&tensors, &indexing))?,
    )
}

#[pyfunction]
#[pyo3(signature = (*tensors))]
pub fn cartesian_prod(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    let items: Vec<Bound<'_, PyAny>> = tensors.iter().collect();
    let list = tensors_of(&items)?;
    let n: usize = list.iter().map(|t| t.numel()).product();
    let result = run(py, "cartesian_prod", n, || Tensor::cartesian_prod(&list))?;
    // A single input comes back as the very same tensor, as in PyTorch.
    if let [only] = items.as_slice() {
        if list.first().is_some_and(|t| t.is_same(&result)) {
            return Ok(only.clone().unbind());
        }
    }
    Ok(wrap(py, result)?.into_any())
}

#[pyfunction]
#[pyo3(signature = (input, r=2, with_replacement=false))]
pub fn combinations(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    r: i64,
    with_replacement: bool,
) -> Out {
    let t = input.t.clone();
    wrap(
        py,
        core("combinations", || t.combinations(r, with_replacement))?,
    )
}

#[pyfunction]
#[pyo3(signature = (*tensors))]
pub fn broadcast_tensors<'py>(
    py: Python<'py>,
    tensors: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyTuple>> {
    let list = tensors_of(&tensors.iter().collect::<Vec<_>>())?;
    tuple_of(
        py,
        core("broadcast_tensors", || Tensor::broadcast_tensors(&list))?,
    )
}

/// One dim of a shape in `broadcast_shapes`.
fn shape_dim(obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    extract_int(obj).ok_or_else(|| {
        type_err(format!(
            "'<' not supported between instances of '{}' and 'int'",
            type_name(obj)
        ))
    })
}

/// `broadcast_shapes(*shapes)`: the shape all the given shapes broadcast to, with the
/// messages of PyTorch's Python implementation.
#[pyfunction]
#[pyo3(signature = (*shapes))]
pub fn broadcast_shapes<'py>(
    py: Python<'py>,
    shapes: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut parsed: Vec<(Bound<'py, PyAny>, Vec<i64>)> = Vec::new();
    for shape in shapes.iter().filter(|s| !s.is_none()) {
        if let Some(i) = extract_int(&shape) {
            parsed.push((PyTuple::new(py, [i])?.into_any(), vec![i]));
            continue;
        }
        let items = sequence_items(&shape).ok_or_else(|| {
            runtime_err(format!(
                "Input shapes should be of type ints, a tuple of ints, or a list of ints, got {}",
                shape.str().map(|s| s.to_string()).unwrap_or_default()
            ))
        })?;
        let dims = items.iter().map(shape_dim).collect::<PyResult<Vec<_>>>()?;
        parsed.push((shape, dims));
    }
    let ndim = parsed.iter().map(|(_, d)| d.len()).max().unwrap_or(0);
    let mut common = vec![1i64; ndim];
    for (arg, (obj, dims)) in parsed.iter().enumerate() {
        for back in 1..=dims.len() {
            let (s, c) = (dims[dims.len() - back], &mut common[ndim - back]);
            if s == *c {
                continue;
            }
            if *c == 1 {
                if s < 0 {
                    return Err(PyValueError::new_err(
                        "Attempting to broadcast a dimension with negative length!",
                    ));
                }
                *c = s;
            }
            if s != 1 && s != *c {
                return Err(runtime_err(format!(
                    "Attempting to broadcast a dimension of length {s} at -{back}! Mismatching argument at index {arg} had {}; but expected shape should be broadcastable to {common:?}",
                    obj.str()?
                )));
            }
        }
    }
    let dims: Vec<usize> = common.iter().map(|&d| d as usize).collect();
    size_object(py, &dims)
}

/// `atleast_Nd(*tensors)`: one tensor gives one tensor (itself when it already has the
/// dims), several (or one list) give a tuple.
fn atleast(
    py: Python<'_>,
    op: &str,
    n: usize,
    tensors: &Bound<'_, PyTuple>,
) -> PyResult<Py<PyAny>> {
    if tensors.len() == 1 {
        let only = tensors.get_item(0)?;
        if let Ok(t) = only.cast::<PyTensor>() {
            let input = t.borrow().t.clone();
            let result = core("atleast", || input.atleast(n))?;
            if result.is_same(&input) {
                return Ok(only.unbind());
            }
            return Ok(wrap(py, result)?.into_any());
        }
        let items = sequence_items(&only).ok_or_else(|| {
            type_err(format!(
                "{op}() received an invalid combination of arguments - got ({}), but expected one of: (Tensor input) or (tuple of Tensors tensors)",
                type_name(&only)
            ))
        })?;
        let list = tensors_of(&items)?;
        return Ok(
            tuple_of(py, core("atleast", || Tensor::atleast_nd(&list, n))?)?
                .into_any()
                .unbind(),
        );
    }
    let list = tensors_of(&tensors.iter().collect::<Vec<_>>())?;
    Ok(
        tuple_of(py, core("atleast", || Tensor::atleast_nd(&list, n))?)?
            .into_any()
            .unbind(),
    )
}

#[pyfunction]
#[pyo3(signature = (*tensors))]
pub fn atleast_1d(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    atleast(py, "atleast_1d", 1, tensors)
}

#[pyfunction]
#[pyo3(signature = (*tensors))]
pub fn atleast_2d(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    atleast(py, "atleast_2d", 2, tensors)
}

#[pyfunction]
#[pyo3(signature = (*tensors))]
pub fn atleast_3d(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    atleast(py, "atleast_3d", 3, tensors)
}
