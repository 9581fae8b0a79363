//! Bindings of the SVD-based helpers and norms: `linalg.lstsq`, `pinv`, `matrix_power`,
//! `matrix_rank`, `matrix_norm`, `cond`, and of `linalg.cross` and `linalg.multi_dot`.

use ferrograd_core::cpu::linalg_spectral::MatrixOrd;
use ferrograd_core::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::contract::tensor_seq;
use super::{finish, linalg, Out, OutArg};
use crate::args::{extract_int, extract_scalar};
use crate::dtype::extract_opt_dtype;
use crate::errors::core;
use crate::ops_reduce::{dim_or_axis, dim_or_default, keepdim_or_keepdims};
use crate::out_arg::{deliver, deliver_tuple, OutRule};
use crate::tensor::PyTensor;

/// `linalg.matrix_norm`'s check of `out=`.
const MATRIX_NORM_OUT: OutRule = OutRule::Mismatch(|have, want| {
    format!(
        "linalg.matrix_norm expected out tensor dtype {} but got: {}",
        want.scalar_type_name(),
        have.scalar_type_name()
    )
});

/// `linalg.norm`'s check of `out=`.
const NORM_OUT: OutRule = OutRule::Mismatch(|have, want| {
    format!(
        "linalg.norm expected out tensor dtype {} but got: {}",
        want.scalar_type_name(),
        have.scalar_type_name()
    )
});

/// Puts the result of `linalg.norm` (written in Python) into its `out=`.
#[pyfunction]
fn _linalg_norm_out(
    py: Python<'_>,
    result: PyRef<'_, PyTensor>,
    out: &Bound<'_, PyTensor>,
) -> PyResult<Py<PyAny>> {
    deliver(py, result.t.clone(), Some(out), NORM_OUT)
}

/// A number as PyTorch's C++ prints a Scalar in messages: `3`, `2.5`, `inf`.
fn shown_number(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// An `ord` argument: a string (`'fro'`, `'nuc'`) or a number; `None` when unsupported, with
/// how to show it in a message.
fn parse_ord(obj: &Bound<'_, PyAny>) -> PyResult<(Option<MatrixOrd>, String)> {
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s.to_cow()?.into_owned();
        return Ok((MatrixOrd::from_name(&s), s));
    }
    let v = extract_scalar(obj)?.to_f64();
    Ok((MatrixOrd::from_number(v), shown_number(v)))
}

fn opt_f64(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<f64>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(extract_scalar(o)?.to_f64())),
        _ => Ok(None),
    }
}

#[pyfunction]
#[pyo3(signature = (A, B, rcond=None, *, driver=None, out=None))]
fn _linalg_lstsq(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    B: PyRef<'_, PyTensor>,
    rcond: Option<f64>,
    driver: Option<String>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = &A.t;
    let b = &B.t;
    let r = linalg(py, "linalg.lstsq", a.numel() + b.numel(), || {
        a.linalg_lstsq(b, rcond, driver.as_deref())
    })?;
    // PyTorch casts lstsq's results into `out` rather than requiring their dtypes.
    deliver_tuple(
        py,
        "linalg_lstsq",
        vec![r.solution, r.residuals, r.rank, r.singular_values],
        out,
        &[OutRule::Castable; 4],
    )
}

/// `linalg.pinv(A, *, atol, rtol, hermitian)`, or the older `pinv(A, rcond, hermitian)`.
#[pyfunction]
#[pyo3(signature = (A, rcond=None, hermitian=false, *, atol=None, rtol=None, out=None))]
fn _linalg_pinv(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    rcond: Option<&Bound<'_, PyAny>>,
    hermitian: bool,
    atol: Option<&Bound<'_, PyAny>>,
    rtol: Option<&Bound<'_, PyAny>>,
    out: OutArg<'_, '_>,
) -> Out {
    let a = &A.t;
    let (rcond, mut atol, mut rtol) = (opt_f64(rcond)?, opt_f64(atol)?, opt_f64(rtol)?);
    if let Some(rc) = rcond {
        if atol.is_some() || rtol.is_some() {
            return Err(PyTypeError::new_err(
                "linalg_pinv() received an invalid combination of arguments: rcond cannot be combined with atol or rtol",
            ));
        }
        (atol, rtol) = (Some(0.0), Some(rc));
    }
    let r = linalg(py, "linalg.pinv", a.numel(), || {
        a.linalg_pinv(atol, rtol, hermitian)
    })?;
    finish(py, r, out)
}

#[pyfunction]
#[pyo3(signature = (A, n, *, out=None))]
fn _linalg_matrix_power(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    n: i64,
    out: OutArg<'_, '_>,
) -> Out {
    let a = &A.t;
    let r = linalg(py, "linalg.matrix_power", a.numel(), || {
        a.linalg_matrix_power(n)
    })?;
    finish(py, r, out)
}

/// `linalg.matrix_rank(A, *, atol, rtol, hermitian)`, or the older `(A, tol, hermitian)`.
#[pyfunction]
#[pyo3(signature = (A, tol=None, hermitian=false, *, atol=None, rtol=None, out=None))]
fn _linalg_matrix_rank(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    tol: Option<&Bound<'_, PyAny>>,
    hermitian: bool,
    atol: Option<&Bound<'_, PyAny>>,
    rtol: Option<&Bound<'_, PyAny>>,
    out: OutArg<'_, '_>,
) -> Out {
    let a = &A.t;
    let (tol, mut atol, mut rtol) = (opt_f64(tol)?, opt_f64(atol)?, opt_f64(rtol)?);
    if let Some(t) = tol {
        if atol.is_some() || rtol.is_some() {
            return Err(PyTypeError::new_err(
                "linalg_matrix_rank() received an invalid combination of arguments: tol cannot be combined with atol or rtol",
            ));
        }
        (atol, rtol) = (Some(t), Some(0.0));
    }
    let r = linalg(py, "linalg.matrix_rank", a.numel(), || {
        a.linalg_matrix_rank(atol, rtol, hermitian)
    })?;
    finish(py, r, out)
}

#[pyfunction]
#[pyo3(signature = (A, ord=None, dim=None, keepdim=None, *, dtype=None, axis=None, keepdims=None, out=None))]
#[allow(clippy::too_many_arguments)] // PyTorch's arguments and their numpy aliases
fn _linalg_matrix_norm(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    ord: Option<&Bound<'_, PyAny>>,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: Option<bool>,
    dtype: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<bool>,
    out: OutArg<'_, '_>,
) -> PyResult<Py<PyAny>> {
    let a = &A.t;
    let dim = dim_or_axis("linalg_matrix_norm", dim, axis)?;
    let keepdim = keepdim_or_keepdims("linalg_matrix_norm", keepdim, keepdims)?.unwrap_or(false);
    let (ord, shown) = match ord {
        Some(o) => parse_ord(o)?,
        None => (Some(MatrixOrd::Fro), "fro".into()),
    };
    let ord = ord.ok_or_else(|| {
        PyRuntimeError::new_err(format!("linalg.matrix_norm: Order {shown} not supported."))
    })?;
    let dims = match dim {
        None => (-2, -1),
        Some(d) => {
            let v: Vec<i64> = d
                .try_iter()?
                .map(|x| {
                    extract_int(&x?)
                        .ok_or_else(|| PyTypeError::new_err("dim must be a pair of ints"))
                })
                .collect::<PyResult<_>>()?;
            match v.as_slice() {
                [a, b] => (*a, *b),
                _ => {
                    return Err(PyRuntimeError::new_err(format!(
                        "linalg.matrix_norm: dim must be a 2-tuple. Got {}",
                        v.iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(" ")
                    )))
                }
            }
        }
    };
    let dtype = extract_opt_dtype(dtype)?;
    let r = linalg(py, "linalg.matrix_norm", a.numel(), || {
        a.linalg_matrix_norm(ord, dims, keepdim, dtype)
    })?;
    deliver(py, r, out, MATRIX_NORM_OUT)
}

#[pyfunction]
#[pyo3(signature = (A, p=None, *, out=None))]
fn _linalg_cond(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    p: Option<&Bound<'_, PyAny>>,
    out: OutArg<'_, '_>,
) -> Out {
    let a = &A.t;
    let (ord, shown) = match p {
        Some(p) if !p.is_none() => {
            let (ord, shown) = parse_ord(p)?;
            let ord = ord.ok_or_else(|| {
                PyValueError::new_err(format!(
                    "linalg.cond got an invalid norm type: {}",
                    p.str().map(|s| s.to_string()).unwrap_or_default()
                ))
            })?;
            (Some(ord), shown)
        }
        _ => (None, "None".into()),
    };
    let r = linalg(py, "linalg.cond", a.numel(), || a.linalg_cond(ord, &shown))?;
    finish(py, r, out)
}

#[pyfunction]
#[pyo3(signature = (input, other, *, dim=None, axis=None, out=None))]
fn _linalg_cross(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    other: PyRef<'_, PyTensor>,
    dim: Option<&Bound<'_, PyAny>>,
    axis: Option<&Bound<'_, PyAny>>,
    out: OutArg<'_, '_>,
) -> Out {
    let dim = dim_or_default("linalg_cross", dim, axis, -1)?;
    let x = &input.t;
    let y = &other.t;
    let r = core("linalg.cross", || x.linalg_cross(y, dim))?;
    finish(py, r, out)
}

#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
fn _linalg_multi_dot(py: Python<'_>, tensors: &Bound<'_, PyAny>, out: OutArg<'_, '_>) -> Out {
    let ts = tensor_seq(tensors, 0)?;
    let size = ts.iter().map(|t| t.numel()).sum();
    let r = linalg(py, "linalg.multi_dot", size, || Tensor::multi_dot(&ts))?;
    finish(py, r, out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_linalg_norm_out, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_lstsq, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_pinv, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_matrix_power, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_matrix_rank, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_matrix_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_cond, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_cross, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_multi_dot, m)?)?;
    Ok(())
}
