//! Statistics as `Tensor` methods: `var`, `std`, `var_mean`, `std_mean`, `norm`, `logsumexp`,
//! and `_linalg_vector_norm` (what `ferrograd.linalg.vector_norm` calls).

use ferrograd_core::cpu::linalg_spectral::MatrixOrd;
use ferrograd_core::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyString, PyTuple};

use crate::args::extract_scalar;
use crate::dtype::extract_opt_dtype;
use crate::errors::type_err;
use crate::ops_reduce::{dim_or_axis, dims_arg, keepdim_or_keepdims, required, run};
use crate::out_arg::{deliver, OutRule};
use crate::tensor::{wrap, PyTensor};

/// PyTorch's `correction` from its two spellings (`unbiased=` is the legacy one).
fn correction_arg(
    op: &str,
    unbiased: Option<&Bound<'_, PyAny>>,
    correction: Option<&Bound<'_, PyAny>>,
) -> PyResult<f64> {
    let unbiased = unbiased.filter(|u| !u.is_none());
    let correction = correction.filter(|c| !c.is_none());
    match (unbiased, correction) {
        (Some(_), Some(_)) => Err(type_err(format!(
            "{op}() received an invalid combination of arguments - got both 'unbiased' and 'correction'"
        ))),
        (Some(u), None) => Ok(if u.extract::<bool>()? { 1.0 } else { 0.0 }),
        (None, Some(c)) => Ok(extract_scalar(c)?.to_f64()),
        (None, None) => Ok(1.0),
    }
}

/// The arguments shared by `var`, `std`, `var_mean`, `std_mean`: a lone bool in the `dim` slot
/// is the legacy `unbiased` flag (`x.std(False)`).
struct Moments {
    dims: Option<Vec<i64>>,
    correction: f64,
    keepdim: bool,
}

fn moments_args(
    op: &str,
    dim: Option<&Bound<'_, PyAny>>,
    unbiased: Option<&Bound<'_, PyAny>>,
    keepdim: Option<bool>,
    correction: Option<&Bound<'_, PyAny>>,
) -> PyResult<Moments> {
    let (dim, unbiased) = match dim {
        Some(d) if d.is_instance_of::<PyBool>() && unbiased.is_none() => (None, Some(d)),
        _ => (dim, unbiased),
    };
    Ok(Moments {
        dims: dims_arg(op, dim)?,
        correction: correction_arg(op, unbiased, correction)?,
        keepdim: keepdim.unwrap_or(false),
    })
}

/// PyTorch warns when the divisor `N - correction` is not positive.
fn warn_dof(
    py: Python<'_>,
    op: &str,
    input: &Tensor,
    out: &Tensor,
    correction: f64,
) -> PyResult<()> {
    let n = if out.numel() == 0 {
        0
    } else {
        input.numel() / out.numel()
    };
    if n as f64 - correction <= 0.0 {
        let msg = format!(
            "{op}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction factor (input numel divided by output numel)."
        );
        let msg = std::ffi::CString::new(msg).unwrap_or_default();
        PyErr::warn(py, &py.get_type::<PyUserWarning>(), &msg, 1)?;
    }
    Ok(())
}

fn pair<'py>(py: Python<'py>, (a, b): (Tensor, Tensor)) -> PyResult<Bound<'py, PyTuple>> {
    let a = wrap(py, a)?.into_bound(py);
    let b = wrap(py, b)?.into_bound(py);
    PyTuple::new(py, [a.into_any(), b.into_any()])
}

/// `ord=` of `vector_norm`: a number (`inf` included).
fn ord_arg(ord: &Bound<'_, PyAny>) -> PyResult<f64> {
    if ord.is_instance_of::<PyString>() {
        return Err(type_err(
            "linalg_vector_norm(): argument 'ord' (position 2) must be Number, not str",
        ));
    }
    Ok(extract_scalar(ord)?.to_f64())
}

/// `var` and `std` (methods with `out=`) and `var_mean`, `std_mean` (functions returning a
/// pair): the same arguments, differing only in the core method called.
macro_rules! moments {
    ($($name:ident, $pair:ident);*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(signature = (dim=None, unbiased=None, keepdim=None, *, correction=None, axis=None, keepdims=None, out=None))]
                #[allow(clippy::too_many_arguments)]
                fn $name(
                    &self,
                    py: Python<'_>,
                    dim: Option<&Bound<'_, PyAny>>,
                    unbiased: Option<&Bound<'_, PyAny>>,
                    keepdim: Option<bool>,
                    correction: Option<&Bound<'_, PyAny>>,
                    axis: Option<&Bound<'_, PyAny>>,
                    keepdims: Option<bool>,
                    out: Option<&Bound<'_, PyTensor>>,
                ) -> PyResult<Py<PyAny>> {
                    let op = stringify!($name);
                    let dim = dim_or_axis(op, dim, axis)?;
                    let keepdim = keepdim_or_keepdims(op, keepdim, keepdims)?;
                    let a = moments_args(op, dim, unbiased, keepdim, correction)?;
                    let r = run(py, op, &self.t, |t| t.$name(a.dims.as_deref(), a.correction, a.keepdim))?;
                    warn_dof(py, op, &self.t, &r, a.correction)?;
                    deliver(py, r, out, OutRule::Castable)
                }
            )*
        }

        $(
            #[doc = concat!("`", stringify!($pair), "(input, dim=None, unbiased=None, keepdim=False, *, correction=None)`.")]
            #[pyfunction]
            #[pyo3(signature = (input, dim=None, unbiased=None, keepdim=None, *, correction=None, axis=None, keepdims=None))]
            #[allow(clippy::too_many_arguments)]
            pub fn $pair<'py>(
                py: Python<'py>,
                input: PyRef<'py, PyTensor>,
                dim: Option<&Bound<'py, PyAny>>,
                unbiased: Option<&Bound<'py, PyAny>>,
                keepdim: Option<bool>,
                correction: Option<&Bound<'py, PyAny>>,
                axis: Option<&Bound<'py, PyAny>>,
                keepdims: Option<bool>,
            ) -> PyResult<Bound<'py, PyTuple>> {
                let op = stringify!($pair);
                let dim = dim_or_axis(op, dim, axis)?;
                let keepdim = keepdim_or_keepdims(op, keepdim, keepdims)?;
                let a = moments_args(op, dim, unbiased, keepdim, correction)?;
                let r = run(py, op, &input.t, |t| t.$pair(a.dims.as_deref(), a.correction, a.keepdim))?;
                warn_dof(py, op, &input.t, &r.0, a.correction)?;
                pair(py, r)
            }
        )*
    };
}

moments!(var, var_mean; std, std_mean);

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (p=None, dim=None, keepdim=false, dtype=None, *, out=None))]
    fn norm(
        &self,
        py: Python<'_>,
        p: Option<&Bound<'_, PyAny>>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        dtype: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dims = dims_arg("norm", dim)?;
        let dtype = extract_opt_dtype(dtype)?;
        let ord = match p.filter(|p| !p.is_none()) {
            None => 2.0,
            Some(s) if s.is_instance_of::<PyString>() => {
                let name: String = s.extract()?;
                if name == "nuc" {
                    // The nuclear norm (the sum of the singular values), over two dims.
                    let pair = two_dims(dims.as_deref(), self.t.ndim())?;
                    let r = run(py, "norm", &self.t, |t| {
                        t.linalg_matrix_norm(MatrixOrd::Nuc, pair, keepdim, dtype)
                    })?;
                    return deliver(py, r, out, OutRule::Exact);
                }
                matrix_order(&name, dims.as_deref(), self.t.ndim())?
            }
            Some(v) => extract_scalar(v)?.to_f64(),
        };
        let r = run(py, "norm", &self.t, |t| {
            t.vector_norm(ord, dims.as_deref(), keepdim, dtype)
        })?;
        deliver(py, r, out, OutRule::Exact)
    }

    #[pyo3(signature = (dim=None, keepdim=None, *, axis=None, keepdims=None, out=None))]
    fn logsumexp(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: Option<bool>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = required("logsumexp", "dim", dim_or_axis("logsumexp", dim, axis)?)?;
        let dims = dims_arg("logsumexp", Some(dim))?.unwrap_or_default();
        let keepdim = keepdim_or_keepdims("logsumexp", keepdim, keepdims)?.unwrap_or(false);
        let r = run(py, "logsumexp", &self.t, |t| t.logsumexp(&dims, keepdim))?;
        deliver(py, r, out, OutRule::Floating("logsumexp"))
    }
}

/// `norm`'s string orders other than `'nuc'`: `'fro'` is the 2-norm over at most two dims;
/// PyTorch takes no other name.
fn matrix_order(name: &str, dims: Option<&[i64]>, ndim: usize) -> PyResult<f64> {
    let n_dims = dims.map_or(ndim, <[i64]>::len);
    if name == "fro" && (dims.is_none() || n_dims <= 2) {
        return Ok(2.0);
    }
    two_dims(dims, ndim)?;
    Err(PyRuntimeError::new_err(format!(
        "linalg.matrix_norm: Order {name} not supported."
    )))
}

/// The dims of a matrix norm: exactly two (all of a matrix's when not given).
fn two_dims(dims: Option<&[i64]>, ndim: usize) -> PyResult<(i64, i64)> {
    let listed: Vec<i64> = match dims {
        Some(d) => d.to_vec(),
        None => (0..ndim as i64).collect(),
    };
    match listed[..] {
        [a, b] => Ok((a, b)),
        _ => {
            let shown: Vec<String> = listed.iter().map(i64::to_string).collect();
            Err(PyRuntimeError::new_err(format!(
                "linalg.matrix_norm: dim must be a 2-tuple. Got {}",
                shown.join(" ")
            )))
        }
    }
}

/// `linalg.vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None)`.
#[pyfunction]
#[pyo3(signature = (x, ord=None, dim=None, keepdim=None, *, dtype=None, axis=None, keepdims=None, out=None))]
#[allow(clippy::too_many_arguments)] // PyTorch's arguments and their numpy aliases
pub fn _linalg_vector_norm(
    py: Python<'_>,
    x: PyRef<'_, PyTensor>,
    ord: Option<&Bound<'_, PyAny>>,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: Option<bool>,
    dtype: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
    out: Option<&Bound<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    let op = "linalg_vector_norm";
    let ord = ord.map_or(Ok(2.0), ord_arg)?;
    let dims = dims_arg(op, dim_or_axis(op, dim, axis)?)?;
    let keepdim = keepdim_or_keepdims(op, keepdim, keepdims)?.unwrap_or(false);
    let dtype = extract_opt_dtype(dtype)?;
    let r = run(py, "linalg.vector_norm", &x.t, |t| {
        t.vector_norm(ord, dims.as_deref(), keepdim, dtype)
    })?;
    deliver(py, r, out, OutRule::Exact)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::exports::export_methods(m, &["var", "std", "norm", "logsumexp"])?;
    m.add_function(wrap_pyfunction!(var_mean, m)?)?;
    m.add_function(wrap_pyfunction!(std_mean, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_vector_norm, m)?)?;
    Ok(())
}
