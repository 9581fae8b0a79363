//! `split` and its friends (`split_with_sizes`, `tensor_split`, `chunk`, `unbind`, `hsplit`,
//! `vsplit`, `dsplit`): methods returning tuples of views.

use ferrograd_core::tensor::Sections;
use ferrograd_core::{DType, Tensor};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::args::{int_arg, sequence_items, tuple_of, type_name};
use crate::args::extract_int;
use crate::errors::{core, type_err};
use crate::ops_reduce::{dim_or_axis, dim_or_default};
use crate::tensor::PyTensor;

type Pieces<'py> = PyResult<Bound<'py, PyTuple>>;

/// An int given as a Python int or as a tensor that `int()` accepts (PyTorch's `Tensor.split`
/// tries `int(split_size)` on tensors).
fn int_like(obj: &Bound<'_, PyAny>) -> Option<i64> {
    if let Some(i) = extract_int(obj) {
        return Some(i);
    }
    if obj.is_instance_of::<PyTensor>() {
        return obj.call_method0("__int__").ok()?.extract::<i64>().ok();
    }
    None
}

/// A list of sizes or indices; `what` names the argument in the error.
fn int_sequence(
    op: &str,
    what: &str,
    position: usize,
    obj: &Bound<'_, PyAny>,
) -> PyResult<Vec<i64>> {
    let fail = |found: String| {
        type_err(format!(
            "{op}(): argument '{what}' (position {position}) must be tuple of ints, {found}"
        ))
    };
    let items = sequence_items(obj).ok_or_else(|| fail(format!("not {}", type_name(obj))))?;
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            extract_int(it).ok_or_else(|| {
                fail(format!(
                    "but found element of type {} at pos {i}",
                    type_name(it)
                ))
            })
        })
        .collect()
}

/// `split` by one size or by a list of sizes, as `Tensor.split` dispatches.
fn split_any<'py>(t: &Tensor, py: Python<'py>, size: &Bound<'py, PyAny>, dim: i64) -> Pieces<'py> {
    let pieces = match int_like(size) {
        Some(n) => core("split", || t.split(n, dim))?,
        None => {
            let sizes = int_sequence("split_with_sizes", "split_sizes", 2, size)?;
            core("split_with_sizes", || t.split_with_sizes(&sizes, dim))?
        }
    };
    tuple_of(py, pieces)
}

/// `tensor_split`'s third form: a tensor of sections (0-D) or indices (1-D), int64 only.
fn tensor_split_by_tensor(
    t: &Tensor,
    spec: &Tensor,
    dim: i64,
) -> ferrograd_core::Result<Vec<Tensor>> {
    let fail = |msg: String| Err(ferrograd_core::Error::runtime(msg));
    if t.ndim() == 0 {
        // PyTorch checks the input's rank before the spec: this gives its error.
        return t.tensor_split_sections(1, dim);
    }
    if spec.dtype() != DType::I64 {
        return fail(format!(
            "tensor_split expected tensor_indices_or_sections to have dtype of long, but got {}",
            spec.dtype().scalar_type_name()
        ));
    }
    match spec.ndim() {
        0 => t.tensor_split_sections(spec.host_values::<i64>()?[0], dim),
        1 => t.tensor_split_indices(&spec.host_values::<i64>()?, dim),
        n => fail(format!(
            "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with {n} dims"
        )),
    }
}

/// `hsplit`/`vsplit`/`dsplit` argument: a count, or a list of indices.
fn directional<'py>(
    t: &Tensor,
    py: Python<'py>,
    op: &'static str,
    spec: &Bound<'py, PyAny>,
    f: fn(&Tensor, Sections<'_>) -> ferrograd_core::Result<Vec<Tensor>>,
) -> Pieces<'py> {
    let pieces = match int_like(spec) {
        Some(n) => core(op, || f(t, Sections::Count(n)))?,
        None => {
            let indices = int_sequence(op, "indices", 1, spec)?;
            core(op, || f(t, Sections::Indices(&indices)))?
        }
    };
    tuple_of(py, pieces)
}

/// The one of `indices_or_sections`, `sections=`, `indices=` that was given.
fn one_of<'a, 'py>(
    op: &str,
    given: [Option<&'a Bound<'py, PyAny>>; 3],
) -> PyResult<&'a Bound<'py, PyAny>> {
    let mut present = given.into_iter().flatten();
    match (present.next(), present.next()) {
        (Some(x), None) => Ok(x),
        _ => Err(type_err(format!(
            "{op}() received an invalid combination of arguments"
        ))),
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (split_size, dim=0))]
    fn split<'py>(&self, py: Python<'py>, split_size: &Bound<'py, PyAny>, dim: i64) -> Pieces<'py> {
        split_any(&self.t, py, split_size, dim)
    }

    #[pyo3(signature = (split_size, dim=None, *, axis=None))]
    fn unsafe_split<'py>(
        &self,
        py: Python<'py>,
        split_size: &Bound<'py, PyAny>,
        dim: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> Pieces<'py> {
        let dim = dim_or_default("unsafe_split", dim, axis, 0)?;
        split_any(&self.t, py, split_size, dim)
    }

    #[pyo3(signature = (split_sizes, dim=None, *, axis=None))]
    fn split_with_sizes<'py>(
        &self,
        py: Python<'py>,
        split_sizes: &Bound<'py, PyAny>,
        dim: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> Pieces<'py> {
        let dim = dim_or_default("split_with_sizes", dim, axis, 0)?;
        let sizes = int_sequence("split_with_sizes", "split_sizes", 1, split_sizes)?;
        tuple_of(
            py,
            core("split_with_sizes", || self.t.split_with_sizes(&sizes, dim))?,
        )
    }

    #[pyo3(signature = (split_sizes, dim=None, *, axis=None))]
    fn unsafe_split_with_sizes<'py>(
        &self,
        py: Python<'py>,
        split_sizes: &Bound<'py, PyAny>,
        dim: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> Pieces<'py> {
        let dim = dim_or_default("unsafe_split_with_sizes", dim, axis, 0)?;
        let sizes = int_sequence("unsafe_split_with_sizes", "split_sizes", 1, split_sizes)?;
        tuple_of(
            py,
            core("unsafe_split_with_sizes", || {
                self.t.split_with_sizes(&sizes, dim)
            })?,
        )
    }

    #[pyo3(signature = (indices_or_sections=None, dim=None, *, sections=None, indices=None, tensor_indices_or_sections=None, axis=None))]
    #[allow(clippy::too_many_arguments)] // PyTorch's overloads' arguments and the numpy alias
    fn tensor_split<'py>(
        &self,
        py: Python<'py>,
        indices_or_sections: Option<&Bound<'py, PyAny>>,
        dim: Option<&Bound<'py, PyAny>>,
        sections: Option<&Bound<'py, PyAny>>,
        indices: Option<&Bound<'py, PyAny>>,
        tensor_indices_or_sections: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> Pieces<'py> {
        let dim = dim_or_default("tensor_split", dim, axis, 0)?;
        let given = [
            indices_or_sections.or(tensor_indices_or_sections),
            sections,
            indices,
        ];
        let spec = one_of("tensor_split", given)?;
        let pieces = if let Ok(t) = spec.cast::<PyTensor>() {
            let spec = t.borrow().t.clone();
            core("tensor_split", || {
                tensor_split_by_tensor(&self.t, &spec, dim)
            })?
        } else if let Some(n) = extract_int(spec) {
            core("tensor_split", || self.t.tensor_split_sections(n, dim))?
        } else {
            let idx = int_sequence("tensor_split", "indices", 1, spec)?;
            core("tensor_split", || self.t.tensor_split_indices(&idx, dim))?
        };
        tuple_of(py, pieces)
    }

    #[pyo3(signature = (chunks, dim=None, *, axis=None))]
    fn chunk<'py>(
        &self,
        py: Python<'py>,
        chunks: &Bound<'py, PyAny>,
        dim: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> Pieces<'py> {
        let dim = dim_or_default("chunk", dim, axis, 0)?;
        let chunks = int_arg("chunk", "chunks", chunks).map_err(|_| {
            type_err(format!(
                "chunk(): argument 'chunks' (position 1) must be int, not {}",
                type_name(chunks)
            ))
        })?;
        tuple_of(py, core("chunk", || self.t.chunk(chunks, dim))?)
    }

    #[pyo3(signature = (chunks, dim=None, *, axis=None))]
    fn unsafe_chunk<'py>(
        &self,
        py: Python<'py>,
        chunks: &Bound<'py, PyAny>,
        dim: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> Pieces<'py> {
        let dim = dim_or_axis("unsafe_chunk", dim, axis)?;
        self.chunk(py, chunks, dim, None)
    }

    #[pyo3(signature = (dim=None, *, axis=None))]
    fn unbind<'py>(
        &self,
        py: Python<'py>,
        dim: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> Pieces<'py> {
        let dim = dim_or_default("unbind", dim, axis, 0)?;
        tuple_of(py, core("unbind", || self.t.unbind(dim))?)
    }

    #[pyo3(signature = (indices_or_sections=None, *, sections=None, indices=None))]
    fn hsplit<'py>(
        &self,
        py: Python<'py>,
        indices_or_sections: Option<&Bound<'py, PyAny>>,
        sections: Option<&Bound<'py, PyAny>>,
        indices: Option<&Bound<'py, PyAny>>,
    ) -> Pieces<'py> {
        let spec = one_of("hsplit", [indices_or_sections, sections, indices])?;
        directional(&self.t, py, "hsplit", spec, Tensor::hsplit)
    }

    #[pyo3(signature = (indices_or_sections=None, *, sections=None, indices=None))]
    fn vsplit<'py>(
        &self,
        py: Python<'py>,
        indices_or_sections: Option<&Bound<'py, PyAny>>,
        sections: Option<&Bound<'py, PyAny>>,
        indices: Option<&Bound<'py, PyAny>>,
    ) -> Pieces<'py> {
        let spec = one_of("vsplit", [indices_or_sections, sections, indices])?;
        directional(&self.t, py, "vsplit", spec, Tensor::vsplit)
    }

    #[pyo3(signature = (indices_or_sections=None, *, sections=None, indices=None))]
    fn dsplit<'py>(
        &self,
        py: Python<'py>,
        indices_or_sections: Option<&Bound<'py, PyAny>>,
        sections: Option<&Bound<'py, PyAny>>,
        indices: Option<&Bound<'py, PyAny>>,
    ) -> Pieces<'py> {
        let spec = one_of("dsplit", [indices_or_sections, sections, indices])?;
        directional(&self.t, py, "dsplit", spec, Tensor::dsplit)
    }
}

/// `ferrograd.split(tensor, split_size_or_sections, dim=0)`: PyTorch's Python-level function,
/// whose second argument has a different name from the method's.
#[pyfunction]
#[pyo3(signature = (tensor, split_size_or_sections, dim=0))]
pub fn split<'py>(
    py: Python<'py>,
    tensor: PyRef<'py, PyTensor>,
    split_size_or_sections: &Bound<'py, PyAny>,
    dim: i64,
) -> Pieces<'py> {
    split_any(&tensor.t, py, split_size_or_sections, dim)
}
