//! Bindings of `ferrograd.linalg` (registered in `_C` with a `_linalg_` prefix and re-exported
//! by `python/ferrograd/linalg.py`) and of the top-level decompositions (`det`, `svd`, ...).
//! Numerical failures raise `_LinAlgError`, a RuntimeError subclass, as PyTorch's do.

use ferrograd_core::cpu::linalg_spectral::MatrixOrd;
use ferrograd_core::{Error, Tensor};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::args::{extract_int, extract_scalar};
use crate::dtype::extract_opt_dtype;
use crate::errors::core;
use crate::exports::return_type;
use crate::ops_linalg_matmul::{finish, tensor_seq};
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;
type OutArg<'a, 'py> = Option<&'a Bound<'py, PyTensor>>;

/// PyTorch's `torch._C._LinAlgError` (exposed as `ferrograd.linalg.LinAlgError`).
#[allow(non_camel_case_types)]
mod exception {
    pyo3::create_exception!(ferrograd._C, _LinAlgError, pyo3::exceptions::PyRuntimeError);
}
use exception::_LinAlgError;

/// Work above which a decomposition runs with the GIL released.
const DETACH_ELEMENTS: usize = 4096;

/// Runs a core linalg op: a decomposition failure becomes `_LinAlgError`, any other error its
/// usual exception; big inputs release the GIL.
fn linalg<T: Send>(
    py: Python<'_>,
    op: &'static str,
    size: usize,
    f: impl FnOnce() -> ferrograd_core::Result<T> + Send,
) -> PyResult<T> {
    let run = || {
        let r = core(op, || match f() {
            Ok(v) => Ok(Ok(v)),
            Err(Error::LinAlg { msg }) => Ok(Err(msg)),
            Err(e) => Err(e),
        })?;
        r.map_err(_LinAlgError::new_err)
    };
    if size >= DETACH_ELEMENTS {
        py.detach(run)
    } else {
        run()
    }
}

fn named(py: Python<'_>, name: &str, parts: Vec<Tensor>) -> PyResult<Py<PyAny>> {
    let values = parts
        .into_iter()
        .map(|t| wrap(py, t).map(|p| p.into_bound(py).into_any()))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(return_type(py, name, values)?.unbind())
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

#[pymethods]
impl PyTensor {
    fn det(&self, py: Python<'_>) -> Out {
        wrap(
            py,
            linalg(py, "det", self.t.numel(), || self.t.linalg_det())?,
        )
    }

    fn logdet(&self, py: Python<'_>) -> Out {
        wrap(
            py,
            linalg(py, "logdet", self.t.numel(), || self.t.logdet())?,
        )
    }

    fn slogdet(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let (s, l) = linalg(py, "slogdet", self.t.numel(), || self.t.linalg_slogdet())?;
        named(py, "slogdet", vec![s, l])
    }

    #[pyo3(signature = (*, out=None))]
    fn inverse(&self, py: Python<'_>, out: OutArg<'_, '_>) -> Out {
        let r = linalg(py, "inverse", self.t.numel(), || self.t.linalg_inv())?;
        finish(py, r, out)
    }

    #[pyo3(signature = (some=true, compute_uv=true))]
    fn svd(&self, py: Python<'_>, some: bool, compute_uv: bool) -> PyResult<Py<PyAny>> {
        let (u, s, v) = linalg(py, "svd", self.t.numel(), || self.t.svd(some, compute_uv))?;
        named(py, "svd", vec![u, s, v])
    }

    #[pyo3(signature = (rcond=1e-15))]
    fn pinverse(&self, py: Python<'_>, rcond: f64) -> Out {
        let r = linalg(py, "pinverse", self.t.numel(), || {
            self.t.linalg_pinv(Some(0.0), Some(rcond), false)
        })?;
        wrap(py, r)
    }

    fn matrix_power(&self, py: Python<'_>, n: i64) -> Out {
        wrap(
            py,
            linalg(py, "matrix_power", self.t.numel(), || {
                self.t.linalg_matrix_power(n)
            })?,
        )
    }

    /// The legacy `cholesky(upper=False)` (PyTorch 2 removed it in favour of
    /// `linalg.cholesky`; ferrograd keeps it working for older programs).
    #[pyo3(signature = (upper=false))]
    fn cholesky(&self, py: Python<'_>, upper: bool) -> Out {
        wrap(
            py,
            linalg(py, "cholesky", self.t.numel(), || {
                self.t.linalg_cholesky(upper)
            })?,
        )
    }

    /// The legacy `qr(some=True)`, kept working like `cholesky`.
    #[pyo3(signature = (some=true))]
    fn qr(&self, py: Python<'_>, some: bool) -> PyResult<Py<PyAny>> {
        let mode = if some { "reduced" } else { "complete" };
        let (q, r) = linalg(py, "qr", self.t.numel(), || self.t.linalg_qr(mode))?;
        named(py, "qr", vec![q, r])
    }
}

#[pyfunction]
#[pyo3(signature = (A, *, out=None))]
fn _linalg_det(py: Python<'_>, A: PyRef<'_, PyTensor>, out: OutArg<'_, '_>) -> Out {
    let a = &A.t;
    let r = linalg(py, "linalg.det", a.numel(), || a.linalg_det())?;
    finish(py, r, out)
}

#[pyfunction]
#[pyo3(signature = (A, *, out=None))]
fn _linalg_slogdet(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = &A.t;
    reject_tuple_out(out)?;
    let (s, l) = linalg(py, "linalg.slogdet", a.numel(), || a.linalg_slogdet())?;
    named(py, "linalg_slogdet", vec![s, l])
}

#[pyfunction]
#[pyo3(signature = (A, *, out=None))]
fn _linalg_inv(py: Python<'_>, A: PyRef<'_, PyTensor>, out: OutArg<'_, '_>) -> Out {
    let a = &A.t;
    let r = linalg(py, "linalg.inv", a.numel(), || a.linalg_inv())?;
    finish(py, r, out)
}

#[pyfunction]
#[pyo3(signature = (A, *, check_errors=false, out=None))]
fn _linalg_inv_ex(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    check_errors: bool,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = &A.t;
    reject_tuple_out(out)?;
    let (inv, info) = linalg(py, "linalg.inv_ex", a.numel(), || {
        a.linalg_inv_ex(check_errors)
    })?;
    named(py, "linalg_inv_ex", vec![inv, info])
}

#[pyfunction]
#[pyo3(signature = (A, B, *, left=true, out=None))]
fn _linalg_solve(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    B: PyRef<'_, PyTensor>,
    left: bool,
    out: OutArg<'_, '_>,
) -> Out {
    let a = &A.t;
    let b = &B.t;
    let r = linalg(py, "linalg.solve", a.numel() + b.numel(), || {
        a.linalg_solve(b, left)
    })?;
    finish(py, r, out)
}

#[pyfunction]
#[pyo3(signature = (A, B, *, left=true, check_errors=false, out=None))]
fn _linalg_solve_ex(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    B: PyRef<'_, PyTensor>,
    left: bool,
    check_errors: bool,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = &A.t;
    let b = &B.t;
    reject_tuple_out(out)?;
    let (x, info) = linalg(py, "linalg.solve_ex", a.numel() + b.numel(), || {
        a.linalg_solve_ex(b, left, check_errors)
    })?;
    named(py, "linalg_solve_ex", vec![x, info])
}

#[pyfunction]
#[pyo3(signature = (A, *, upper=false, out=None))]
fn _linalg_cholesky(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    upper: bool,
    out: OutArg<'_, '_>,
) -> Out {
    let a = &A.t;
    let r = linalg(py, "linalg.cholesky", a.numel(), || {
        a.linalg_cholesky(upper)
    })?;
    finish(py, r, out)
}

#[pyfunction]
#[pyo3(signature = (A, *, upper=false, check_errors=false, out=None))]
fn _linalg_cholesky_ex(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    upper: bool,
    check_errors: bool,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = &A.t;
    reject_tuple_out(out)?;
    let (l, info) = linalg(py, "linalg.cholesky_ex", a.numel(), || {
        a.linalg_cholesky_ex(upper, check_errors)
    })?;
    named(py, "linalg_cholesky_ex", vec![l, info])
}

#[pyfunction]
#[pyo3(signature = (A, mode="reduced", *, out=None))]
fn _linalg_qr(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    mode: &str,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = &A.t;
    reject_tuple_out(out)?;
    let mode = mode.to_owned();
    let (q, r) = linalg(py, "linalg.qr", a.numel(), || a.linalg_qr(&mode))?;
    named(py, "linalg_qr", vec![q, r])
}

#[pyfunction]
#[pyo3(signature = (A, full_matrices=true, *, driver=None, out=None))]
fn _linalg_svd(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    full_matrices: bool,
    driver: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = &A.t;
    let _ = driver; // a CUDA-only choice in PyTorch
    reject_tuple_out(out)?;
    let (u, s, vh) = linalg(py, "linalg.svd", a.numel(), || a.linalg_svd(full_matrices))?;
    named(py, "linalg_svd", vec![u, s, vh])
}

#[pyfunction]
#[pyo3(signature = (A, *, driver=None, out=None))]
fn _linalg_svdvals(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    driver: Option<&Bound<'_, PyAny>>,
    out: OutArg<'_, '_>,
) -> Out {
    let a = &A.t;
    let _ = driver;
    let r = linalg(py, "linalg.svdvals", a.numel(), || a.linalg_svdvals())?;
    finish(py, r, out)
}

#[pyfunction]
#[pyo3(signature = (A, *, out=None))]
fn _linalg_eig(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = &A.t;
    reject_tuple_out(out)?;
    let (w, v) = linalg(py, "linalg.eig", a.numel(), || a.linalg_eig())?;
    named(py, "linalg_eig", vec![w, v])
}

#[pyfunction]
#[pyo3(signature = (A, *, out=None))]
fn _linalg_eigvals(py: Python<'_>, A: PyRef<'_, PyTensor>, out: OutArg<'_, '_>) -> Out {
    let a = &A.t;
    let r = linalg(py, "linalg.eigvals", a.numel(), || a.linalg_eigvals())?;
    finish(py, r, out)
}

#[pyfunction]
#[pyo3(signature = (A, UPLO="L", *, out=None))]
fn _linalg_eigh(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    UPLO: &str,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = &A.t;
    reject_tuple_out(out)?;
    let uplo = UPLO.to_owned();
    let (w, v) = linalg(py, "linalg.eigh", a.numel(), || a.linalg_eigh(&uplo))?;
    named(py, "linalg_eigh", vec![w, v])
}

#[pyfunction]
#[pyo3(signature = (A, UPLO="L", *, out=None))]
fn _linalg_eigvalsh(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    UPLO: &str,
    out: OutArg<'_, '_>,
) -> Out {
    let a = &A.t;
    let uplo = UPLO.to_owned();
    let r = linalg(py, "linalg.eigvalsh", a.numel(), || {
        a.linalg_eigvalsh(&uplo)
    })?;
    finish(py, r, out)
}

#[pyfunction]
#[pyo3(signature = (A, B, rcond=None, *, driver=None))]
fn _linalg_lstsq(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    B: PyRef<'_, PyTensor>,
    rcond: Option<f64>,
    driver: Option<String>,
) -> PyResult<Py<PyAny>> {
    let a = &A.t;
    let b = &B.t;
    let r = linalg(py, "linalg.lstsq", a.numel() + b.numel(), || {
        a.linalg_lstsq(b, rcond, driver.as_deref())
    })?;
    named(
        py,
        "linalg_lstsq",
        vec![r.solution, r.residuals, r.rank, r.singular_values],
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
#[pyo3(signature = (A, ord=None, dim=None, keepdim=false, *, dtype=None, out=None))]
fn _linalg_matrix_norm(
    py: Python<'_>,
    A: PyRef<'_, PyTensor>,
    ord: Option<&Bound<'_, PyAny>>,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
    out: OutArg<'_, '_>,
) -> Out {
    let a = &A.t;
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
    finish(py, r, out)
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
#[pyo3(signature = (input, other, *, dim=-1, out=None))]
fn _linalg_cross(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    other: PyRef<'_, PyTensor>,
    dim: i64,
    out: OutArg<'_, '_>,
) -> Out {
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

/// Ops with several results do not take `out=` here (PyTorch fills a tuple of tensors).
fn reject_tuple_out(out: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    match out {
        Some(o) if !o.is_none() => Err(PyTypeError::new_err(
            "ferrograd does not support out= for linalg functions that return several tensors",
        )),
        _ => Ok(()),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::ops_linalg_matmul::register(m)?;
    m.add("_LinAlgError", m.py().get_type::<_LinAlgError>())?;
    m.add_function(wrap_pyfunction!(_linalg_det, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_slogdet, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_inv, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_inv_ex, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_solve, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_solve_ex, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_cholesky, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_cholesky_ex, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_qr, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_svd, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_svdvals, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_eig, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_eigvals, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_eigh, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_eigvalsh, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_lstsq, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_pinv, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_matrix_power, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_matrix_rank, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_matrix_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_cond, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_cross, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_multi_dot, m)?)?;
    crate::exports::export_methods(
        m,
        &[
            "det",
            "logdet",
            "slogdet",
            "inverse",
            "svd",
            "pinverse",
            "matrix_power",
            "cholesky",
            "qr",
        ],
    )?;
    Ok(())
}
