//! `cat` (`concat`, `concatenate`) and `stack`, `hstack`, `vstack` (`row_stack`), `dstack`,
//! `column_stack`: functions only, as in PyTorch. Each is a `cat` of prepared inputs, so one
//! `out=` path serves them all.

use ferrograd_core::Tensor;
use pyo3::prelude::*;

use super::args::{tensor_list, Out};
use crate::errors::run;
use crate::errors::{core, type_err};
use crate::ops_reduce::dim_or_default;
use crate::out_arg::write_out;
use crate::tensor::{wrap, PyTensor};

/// The inputs and dim of the `cat` a stacking function amounts to.
type CatInputs = ferrograd_core::Result<(Vec<Tensor>, i64)>;

/// `cat(parts, dim)` into a new tensor or into `out`.
fn cat_to(py: Python<'_>, parts: Vec<Tensor>, dim: i64, out: Option<&Bound<'_, PyTensor>>) -> Out {
    let elements: usize = parts.iter().map(|t| t.numel()).sum();
    let Some(out) = out else {
        return wrap(py, run(py, "cat", elements, || Tensor::cat(&parts, dim))?);
    };
    let plan = core("cat", || Tensor::cat_plan(&parts, dim))?;
    let target = out.borrow().t.clone();
    if !plan.dtype.can_cast_to(target.dtype()) {
        return Err(type_err(format!(
            "torch.cat(): input types can't be cast to the desired output type {}",
            target.dtype().scalar_type_name()
        )));
    }
    if target.shape() == plan.shape.as_slice() {
        run(py, "cat", elements, || {
            Tensor::cat_into(&parts, dim, &target)
        })?;
        return Ok(out.clone().unbind());
    }
    let result = run(py, "cat", elements, || Tensor::cat(&parts, dim))?;
    write_out(py, out, result)
}

#[pyfunction]
#[pyo3(signature = (tensors, dim=None, *, axis=None, out=None))]
pub fn cat(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    let parts = tensor_list("cat", tensors)?;
    let dim = dim_or_default("cat", dim, axis, 0)?;
    cat_to(py, parts, dim, out)
}

#[pyfunction]
#[pyo3(signature = (tensors, dim=None, *, axis=None, out=None))]
pub fn concat(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    let parts = tensor_list("concat", tensors)?;
    let dim = dim_or_default("concat", dim, axis, 0)?;
    cat_to(py, parts, dim, out)
}

#[pyfunction]
#[pyo3(signature = (tensors, axis=None, *, dim=None, out=None))]
pub fn concatenate(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    dim: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    let parts = tensor_list("concatenate", tensors)?;
    let dim = dim_or_default("concatenate", dim, axis, 0)?;
    cat_to(py, parts, dim, out)
}

#[pyfunction]
#[pyo3(signature = (tensors, dim=None, *, axis=None, out=None))]
pub fn stack(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    let tensors = tensor_list("stack", tensors)?;
    let dim = dim_or_default("stack", dim, axis, 0)?;
    if out.is_none() {
        // Its own op (not the `cat` it computes), so that the graph shows `StackBackward0`.
        let elements: usize = tensors.iter().map(|t| t.numel()).sum();
        return wrap(
            py,
            run(py, "stack", elements, || Tensor::stack(&tensors, dim))?,
        );
    }
    let (parts, dim) = core("stack", || Tensor::stack_inputs(&tensors, dim))?;
    cat_to(py, parts, dim, out)
}

/// The `*stack` functions that take only the list: `prepare` turns it into a `cat`.
fn stack_like(
    py: Python<'_>,
    op: &'static str,
    tensors: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyTensor>>,
    prepare: fn(&[Tensor]) -> CatInputs,
) -> Out {
    let tensors = tensor_list(op, tensors)?;
    let (parts, dim) = core(op, || prepare(&tensors))?;
    cat_to(py, parts, dim, out)
}

#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
pub fn hstack(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    stack_like(py, "hstack", tensors, out, Tensor::hstack_inputs)
}

#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
pub fn vstack(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    stack_like(py, "vstack", tensors, out, Tensor::vstack_inputs)
}

#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
pub fn row_stack(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    stack_like(py, "row_stack", tensors, out, Tensor::vstack_inputs)
}

#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
pub fn dstack(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    stack_like(py, "dstack", tensors, out, Tensor::dstack_inputs)
}

#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
pub fn column_stack(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyTensor>>,
) -> Out {
    stack_like(
        py,
        "column_stack",
        tensors,
        out,
        Tensor::column_stack_inputs,
    )
}
