//! Methods that reorder or repeat elements into a new tensor: `flip`, `fliplr`, `flipud`,
//! `roll`, `rot90`, `repeat`, `tile`, `repeat_interleave`.

use ferrograd_core::Tensor;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::args::{type_name, Out};
use crate::args::{extract_int, int_list};
use crate::args::{int_or_ints, varargs_or_keyword};
use crate::errors::run;
use crate::errors::type_err;
use crate::ops_reduce::{dim_arg, dim_or_axis};
use crate::tensor::{wrap, PyTensor};

/// A repeat count: an int or a tensor of counts.
enum Repeats {
    Count(i64),
    Counts(Tensor),
}

fn repeats_arg(obj: &Bound<'_, PyAny>) -> PyResult<Repeats> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Repeats::Counts(t.borrow().t.clone()));
    }
    extract_int(obj).map(Repeats::Count).ok_or_else(|| {
        type_err(format!(
            "repeat_interleave(): argument 'repeats' must be Tensor or int, not {}",
            type_name(obj)
        ))
    })
}

fn repeat_interleave_impl(
    py: Python<'_>,
    input: &Tensor,
    repeats: Repeats,
    dim: Option<i64>,
    output_size: Option<i64>,
) -> Out {
    let n = input.numel();
    let t = match repeats {
        Repeats::Count(r) => run(py, "repeat_interleave", n, || {
            input.repeat_interleave(r, dim, output_size)
        })?,
        Repeats::Counts(c) => run(py, "repeat_interleave", n, || {
            input.repeat_interleave_tensor(&c, dim, output_size)
        })?,
    };
    wrap(py, t)
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (*args, dims=None))]
    fn flip(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        dims: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dims = varargs_or_keyword("flip", "dims", args, dims)?;
        wrap(py, run(py, "flip", self.t.numel(), || self.t.flip(&dims))?)
    }

    fn fliplr(&self, py: Python<'_>) -> Out {
        wrap(py, run(py, "fliplr", self.t.numel(), || self.t.fliplr())?)
    }

    fn flipud(&self, py: Python<'_>) -> Out {
        wrap(py, run(py, "flipud", self.t.numel(), || self.t.flipud())?)
    }

    #[pyo3(signature = (shifts, dims=None))]
    fn roll(
        &self,
        py: Python<'_>,
        shifts: &Bound<'_, PyAny>,
        dims: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let shifts = int_or_ints("roll", "shifts", shifts)?;
        let dims = match dims {
            Some(d) if !d.is_none() => int_or_ints("roll", "dims", d)?,
            _ => Vec::new(),
        };
        wrap(
            py,
            run(py, "roll", self.t.numel(), || self.t.roll(&shifts, &dims))?,
        )
    }

    #[pyo3(signature = (k=1, dims=None))]
    fn rot90(&self, py: Python<'_>, k: i64, dims: Option<&Bound<'_, PyAny>>) -> Out {
        let dims = match dims {
            Some(d) => int_list("rot90", "dims", &PyTuple::new(py, [d])?)?,
            None => vec![0, 1],
        };
        wrap(
            py,
            run(py, "rot90", self.t.numel(), || self.t.rot90(k, &dims))?,
        )
    }

    #[pyo3(signature = (*args, repeats=None))]
    fn repeat(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        repeats: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let repeats = varargs_or_keyword("repeat", "repeats", args, repeats)?;
        let n = self
            .t
            .numel()
            .saturating_mul(repeats.iter().map(|&r| r.max(0) as usize).product());
        wrap(py, run(py, "repeat", n, || self.t.repeat(&repeats))?)
    }

    #[pyo3(signature = (*args, dims=None))]
    fn tile(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        dims: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let reps = varargs_or_keyword("tile", "dims", args, dims)?;
        let n = self
            .t
            .numel()
            .saturating_mul(reps.iter().map(|&r| r.max(0) as usize).product());
        wrap(py, run(py, "tile", n, || self.t.tile(&reps))?)
    }

    #[pyo3(name = "repeat_interleave", signature = (repeats, dim=None, *, output_size=None, axis=None))]
    fn repeat_interleave_method(
        &self,
        py: Python<'_>,
        repeats: &Bound<'_, PyAny>,
        dim: Option<&Bound<'_, PyAny>>,
        output_size: Option<i64>,
        axis: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dim = optional_dim(dim, axis)?;
        repeat_interleave_impl(py, &self.t, repeats_arg(repeats)?, dim, output_size)
    }
}

/// `ferrograd.repeat_interleave(input, repeats, dim=None, *, output_size=None)`, and the
/// one-argument form `repeat_interleave(repeats)`: each index repeated by its count.
#[pyfunction]
#[pyo3(signature = (input=None, repeats=None, dim=None, *, output_size=None, axis=None))]
pub fn repeat_interleave(
    py: Python<'_>,
    input: Option<PyRef<'_, PyTensor>>,
    repeats: Option<&Bound<'_, PyAny>>,
    dim: Option<&Bound<'_, PyAny>>,
    output_size: Option<i64>,
    axis: Option<&Bound<'_, PyAny>>,
) -> Out {
    let dim = optional_dim(dim, axis)?;
    match (input, repeats) {
        (Some(input), Some(r)) => {
            repeat_interleave_impl(py, &input.t, repeats_arg(r)?, dim, output_size)
        }
        // The one-argument form, positional or as `repeats=`.
        (Some(counts), None) if dim.is_none() => counts_form(py, &counts.t, output_size),
        (None, Some(r)) if dim.is_none() => match r.cast::<PyTensor>() {
            Ok(counts) => counts_form(py, &counts.borrow().t, output_size),
            Err(_) => Err(invalid_combination()),
        },
        _ => Err(invalid_combination()),
    }
}

fn counts_form(py: Python<'_>, counts: &Tensor, output_size: Option<i64>) -> Out {
    let counts = counts.clone();
    wrap(
        py,
        crate::errors::core("repeat_interleave", || {
            Tensor::repeat_interleave_counts(&counts, output_size)
        })?,
    )
}

/// `repeat_interleave`'s `dim` (or `axis`): an int, or `None` for the flattened input.
fn optional_dim(
    dim: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<i64>> {
    let dim = dim_or_axis("repeat_interleave", dim, axis)?;
    dim_arg("repeat_interleave", dim)
}

fn invalid_combination() -> PyErr {
    type_err("repeat_interleave() received an invalid combination of arguments")
}
