//! Reductions as `Tensor` methods (and `ferrograd.<op>` functions): argument parsing for `dim`,
//! `keepdim`, `dtype`; the sum family lives here, the other groups in `ops_reduce_*.rs`.
//! The helpers for `dim` and numpy's aliases (`axis`, `keepdims`) serve every binding file.

use ferrograd_core::{Result as CoreResult, Tensor};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::args::extract_int;
use crate::dtype::extract_opt_dtype;
use crate::errors::type_err;
use crate::out_arg::{deliver, OutRule};
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// Runs a core op, releasing the GIL while a large input is reduced.
pub(crate) fn run<R: Send>(
    py: Python<'_>,
    op: &'static str,
    t: &Tensor,
    f: impl FnOnce(&Tensor) -> CoreResult<R> + Send,
) -> PyResult<R> {
    crate::errors::run(py, op, t.numel(), || f(t))
}

/// PyTorch's argument parser takes numpy's names as aliases: `axis` for `dim`, `keepdims` for
/// `keepdim`. Given together with the name it stands for, the alias is an unknown keyword.
fn alias_given_twice(op: &str, alias: &str) -> PyErr {
    type_err(format!(
        "{op}() got an unexpected keyword argument '{alias}'"
    ))
}

/// `dim` given as `dim=` or as `axis=` (both is an error). PyO3 passes an explicit `None` as
/// not given, so `sum(dim=None, axis=0)` is taken, where PyTorch refuses it.
pub(crate) fn dim_or_axis<'a, 'py>(
    op: &str,
    dim: Option<&'a Bound<'py, PyAny>>,
    axis: Option<&'a Bound<'py, PyAny>>,
) -> PyResult<Option<&'a Bound<'py, PyAny>>> {
    match (dim, axis) {
        (Some(_), Some(_)) => Err(alias_given_twice(op, "axis")),
        (dim, axis) => Ok(dim.or(axis)),
    }
}

/// `keepdim` given as `keepdim=` or as `keepdims=`; `None` when neither was.
pub(crate) fn keepdim_or_keepdims(
    op: &str,
    keepdim: Option<bool>,
    keepdims: Option<bool>,
) -> PyResult<Option<bool>> {
    match (keepdim, keepdims) {
        (Some(_), Some(_)) => Err(alias_given_twice(op, "keepdims")),
        (keepdim, keepdims) => Ok(keepdim.or(keepdims)),
    }
}

/// A single-int `dim` (or `axis`) that the op requires, with PyTorch's errors when it is
/// missing or not an int.
pub(crate) fn required_dim(
    op: &str,
    dim: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<i64> {
    let given = dim_or_axis(op, dim, axis)?.ok_or_else(|| missing_argument(op, "dim"))?;
    extract_int(given).ok_or_else(|| {
        type_err(format!(
            "{op}(): argument 'dim' must be int, not {}",
            type_name(given)
        ))
    })
}

/// A single-int `dim` (or `axis`) with a default.
pub(crate) fn dim_or_default(
    op: &str,
    dim: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    default: i64,
) -> PyResult<i64> {
    if dim.is_none() && axis.is_none() {
        return Ok(default);
    }
    required_dim(op, dim, axis)
}

/// A required argument that had to be declared optional because an optional one (`dim`, now
/// answering to `axis` too) comes before it.
pub(crate) fn required<T>(op: &str, name: &str, value: Option<T>) -> PyResult<T> {
    value.ok_or_else(|| missing_argument(op, name))
}

fn missing_argument(op: &str, name: &str) -> PyErr {
    type_err(format!(
        "{op}() missing 1 required positional arguments: \"{name}\""
    ))
}

/// A `dim` that may be `None`, an int, or a tuple/list of ints.
pub(crate) fn dims_arg(op: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<i64>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if let Some(i) = extract_int(obj) {
        return Ok(Some(vec![i]));
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect()
    } else {
        return Err(type_err(format!(
            "{op}(): argument 'dim' must be int or tuple of ints, not {}",
            type_name(obj)
        )));
    };
    items
        .iter()
        .map(|it| {
            extract_int(it).ok_or_else(|| {
                type_err(format!(
                    "{op}(): argument 'dim' must be tuple of ints, but found element of type {}",
                    type_name(it)
                ))
            })
        })
        .collect::<PyResult<Vec<i64>>>()
        .map(Some)
}

/// PyTorch's overloads of `max` and `min` have no form with `keepdim` but no `dim`: its
/// TypeError, listing the forms there are. (`sum(keepdim=True)` is refused by PyTorch too, but
/// `sum(None, keepdim=True)` is not, and a binding cannot tell the two apart: both are accepted.)
pub(crate) fn keepdim_without_dim(op: &str, forms: &[&str]) -> PyErr {
    let listed: String = forms.iter().map(|f| format!(" * {f}\n")).collect();
    type_err(format!(
        "{op}() received an invalid combination of arguments - got (keepdim=bool, ), but expected one of:\n{listed}"
    ))
}

/// A `dim` that must be a single int (or `None`).
pub(crate) fn dim_arg(op: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<i64>> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(None),
        Some(o) => extract_int(o).map(Some).ok_or_else(|| {
            type_err(format!(
                "{op}(): argument 'dim' (position 1) must be int, not {}",
                type_name(o)
            ))
        }),
    }
}

/// `sum`, `nansum`, `mean`, `nanmean`: one or more dims (or all), `keepdim`, and `dtype=`;
/// they differ only in the core method called.
macro_rules! dims_dtype_reduction {
    ($($name:ident, sums_in_out_dtype = $in_out:expr);*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(signature = (dim=None, keepdim=None, *, dtype=None, axis=None, keepdims=None, out=None))]
                #[allow(clippy::too_many_arguments)]
                fn $name(
                    &self,
                    py: Python<'_>,
                    dim: Option<&Bound<'_, PyAny>>,
                    keepdim: Option<bool>,
                    dtype: Option<&Bound<'_, PyAny>>,
                    axis: Option<&Bound<'_, PyAny>>,
                    keepdims: Option<bool>,
                    out: Option<&Bound<'_, PyTensor>>,
                ) -> PyResult<Py<PyAny>> {
                    let op = stringify!($name);
                    let dims = dims_arg(op, dim_or_axis(op, dim, axis)?)?;
                    let keepdim = keepdim_or_keepdims(op, keepdim, keepdims)?.unwrap_or(false);
                    let mut dtype = extract_opt_dtype(dtype)?;
                    if $in_out && dtype.is_none() {
                        // PyTorch's sum into `out=` accumulates in out's dtype.
                        dtype = out.map(|o| o.borrow().t.dtype());
                    }
                    let r = run(py, op, &self.t, |t| t.$name(dims.as_deref(), keepdim, dtype))?;
                    crate::out_arg::result(py, r, out)
                }
            )*
        }
    };
}

dims_dtype_reduction!(
    sum, sums_in_out_dtype = true;
    nansum, sums_in_out_dtype = true;
    mean, sums_in_out_dtype = false;
    nanmean, sums_in_out_dtype = false
);

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=None, keepdim=None, *, dtype=None, axis=None, keepdims=None, out=None))]
    #[allow(clippy::too_many_arguments)]
    fn prod(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: Option<bool>,
        dtype: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = dim_arg("prod", dim_or_axis("prod", dim, axis)?)?;
        let keepdim = keepdim_or_keepdims("prod", keepdim, keepdims)?.unwrap_or(false);
        // Like sum, prod into `out=` multiplies in out's dtype.
        let dtype = extract_opt_dtype(dtype)?.or_else(|| out.map(|o| o.borrow().t.dtype()));
        let dims = dim.map(|d| vec![d]);
        let r = run(py, "prod", &self.t, |t| {
            t.prod(dims.as_deref(), keepdim, dtype)
        })?;
        deliver(py, r, out, OutRule::Castable)
    }

    #[pyo3(signature = (dim=None, keepdim=None, *, axis=None, keepdims=None, out=None))]
    fn all(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: Option<bool>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dims = dims_arg("all", dim_or_axis("all", dim, axis)?)?;
        let keepdim = keepdim_or_keepdims("all", keepdim, keepdims)?.unwrap_or(false);
        let r = run(py, "all", &self.t, |t| t.all(dims.as_deref(), keepdim))?;
        deliver(py, r, out, OutRule::Bool("all"))
    }

    #[pyo3(signature = (dim=None, keepdim=None, *, axis=None, keepdims=None, out=None))]
    fn any(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: Option<bool>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dims = dims_arg("any", dim_or_axis("any", dim, axis)?)?;
        let keepdim = keepdim_or_keepdims("any", keepdim, keepdims)?.unwrap_or(false);
        let r = run(py, "any", &self.t, |t| t.any(dims.as_deref(), keepdim))?;
        deliver(py, r, out, OutRule::Bool("any"))
    }

    #[pyo3(signature = (dim=None, *, axis=None))]
    fn count_nonzero(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dims = dims_arg("count_nonzero", dim_or_axis("count_nonzero", dim, axis)?)?;
        let r = run(py, "count_nonzero", &self.t, |t| {
            t.count_nonzero(dims.as_deref())
        })?;
        wrap(py, r)
    }
}

/// Adds the reductions to `ferrograd._C` as functions (each is the method itself).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::exports::export_methods(
        m,
        &[
            "sum",
            "nansum",
            "mean",
            "nanmean",
            "prod",
            "all",
            "any",
            "count_nonzero",
        ],
    )?;
    crate::ops_reduce_minmax::register(m)?;
    crate::ops_reduce_stats::register(m)?;
    crate::ops_reduce_order::register(m)
}
