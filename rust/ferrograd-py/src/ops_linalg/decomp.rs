//! Bindings of the factorisations: `linalg.det`, `slogdet`, `inv(_ex)`, `solve(_ex)`,
//! `cholesky(_ex)`, `qr`, `svd`, `svdvals`, `eig(vals)`, `eigh` / `eigvalsh`, and the Tensor
//! methods (and top-level functions) `det`, `logdet`, `slogdet`, `inverse`, `svd`, `pinverse`,
//! `matrix_power`, `cholesky`, `qr`.

use pyo3::prelude::*;

use super::{finish, linalg, named, Out, OutArg};
use crate::tensor::{wrap, PyTensor};

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

    #[pyo3(signature = (*, out=None))]
    fn slogdet(&self, py: Python<'_>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let (s, l) = linalg(py, "slogdet", self.t.numel(), || self.t.linalg_slogdet())?;
        named(py, "slogdet", vec![s, l], out)
    }

    #[pyo3(signature = (*, out=None))]
    fn inverse(&self, py: Python<'_>, out: OutArg<'_, '_>) -> Out {
        let r = linalg(py, "inverse", self.t.numel(), || self.t.linalg_inv())?;
        finish(py, r, out)
    }

    #[pyo3(signature = (some=true, compute_uv=true, *, out=None))]
    fn svd(
        &self,
        py: Python<'_>,
        some: bool,
        compute_uv: bool,
        out: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let (u, s, v) = linalg(py, "svd", self.t.numel(), || self.t.svd(some, compute_uv))?;
        named(py, "svd", vec![u, s, v], out)
    }

    #[pyo3(signature = (rcond=1e-15))]
    fn pinverse(&self, py: Python<'_>, rcond: f64) -> Out {
        let r = linalg(py, "pinverse", self.t.numel(), || {
            self.t.linalg_pinv(Some(0.0), Some(rcond), false)
        })?;
        wrap(py, r)
    }

    #[pyo3(signature = (n, *, out=None))]
    fn matrix_power(&self, py: Python<'_>, n: i64, out: OutArg<'_, '_>) -> Out {
        let r = linalg(py, "matrix_power", self.t.numel(), || {
            self.t.linalg_matrix_power(n)
        })?;
        finish(py, r, out)
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
    #[pyo3(signature = (some=true, *, out=None))]
    fn qr(
        &self,
        py: Python<'_>,
        some: bool,
        out: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let mode = if some { "reduced" } else { "complete" };
        let (q, r) = linalg(py, "qr", self.t.numel(), || self.t.linalg_qr(mode))?;
        named(py, "qr", vec![q, r], out)
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
    let (s, l) = linalg(py, "linalg.slogdet", a.numel(), || a.linalg_slogdet())?;
    named(py, "linalg_slogdet", vec![s, l], out)
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
    let (inv, info) = linalg(py, "linalg.inv_ex", a.numel(), || {
        a.linalg_inv_ex(check_errors)
    })?;
    named(py, "linalg_inv_ex", vec![inv, info], out)
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
    let (x, info) = linalg(py, "linalg.solve_ex", a.numel() + b.numel(), || {
        a.linalg_solve_ex(b, left, check_errors)
    })?;
    named(py, "linalg_solve_ex", vec![x, info], out)
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
    let (l, info) = linalg(py, "linalg.cholesky_ex", a.numel(), || {
        a.linalg_cholesky_ex(upper, check_errors)
    })?;
    named(py, "linalg_cholesky_ex", vec![l, info], out)
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
    let mode = mode.to_owned();
    let (q, r) = linalg(py, "linalg.qr", a.numel(), || a.linalg_qr(&mode))?;
    named(py, "linalg_qr", vec![q, r], out)
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
    let (u, s, vh) = linalg(py, "linalg.svd", a.numel(), || a.linalg_svd(full_matrices))?;
    named(py, "linalg_svd", vec![u, s, vh], out)
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
    let (w, v) = linalg(py, "linalg.eig", a.numel(), || a.linalg_eig())?;
    named(py, "linalg_eig", vec![w, v], out)
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
    let uplo = UPLO.to_owned();
    let (w, v) = linalg(py, "linalg.eigh", a.numel(), || a.linalg_eigh(&uplo))?;
    named(py, "linalg_eigh", vec![w, v], out)
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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
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
    )
}
