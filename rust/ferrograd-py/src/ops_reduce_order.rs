//! Order statistics and cumulative ops as `Tensor` methods: `median`, `nanmedian`, `mode`,
//! `kthvalue`, `quantile`, `nanquantile`, `cumsum`, `cumprod`, `cummax`, `cummin`,
//! `logcumsumexp`.

use ferrograd_core::Tensor;
use pyo3::prelude::*;

use crate::args::extract_scalar;
use crate::dtype::extract_opt_dtype;
use crate::ops_reduce::{dim_arg, dim_or_axis, run};
use crate::ops_reduce_minmax::pair;
use crate::out_arg::{deliver, OutRule};
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

impl PyTensor {
    /// `median`/`nanmedian`: a 0-dim tensor without `dim`, else (values, indices).
    fn median_like<'py>(
        &self,
        py: Python<'py>,
        op: &'static str,
        dim: Option<&Bound<'py, PyAny>>,
        keepdim: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if dim.is_none() && keepdim.is_some() {
            return Err(crate::errors::type_err(format!(
                "{op}() missing 1 required positional arguments: \"dim\""
            )));
        }
        let keepdim = keepdim.unwrap_or(false);
        let ignore_nan = op == "nanmedian";
        match dim_arg(op, dim)? {
            None => {
                let r = run(py, op, &self.t, |t| {
                    if ignore_nan {
                        t.nanmedian_all()
                    } else {
                        t.median_all()
                    }
                })?;
                Ok(wrap(py, r)?.into_bound(py).into_any())
            }
            Some(d) => {
                let r = run(py, op, &self.t, |t| {
                    if ignore_nan {
                        t.nanmedian_dim(d, keepdim)
                    } else {
                        t.median_dim(d, keepdim)
                    }
                })?;
                pair(py, op, r)
            }
        }
    }

    fn quantile_like(
        &self,
        py: Python<'_>,
        op: &'static str,
        q: &Bound<'_, PyAny>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        interpolation: &str,
    ) -> Out {
        let dim = dim_arg(op, dim)?;
        let ignore_nan = op == "nanquantile";
        let r = if let Ok(qt) = q.cast::<PyTensor>() {
            let qt: Tensor = qt.borrow().t.clone();
            run(py, op, &self.t, |t| {
                t.quantile(&qt, dim, keepdim, interpolation, ignore_nan)
            })?
        } else {
            let q = extract_scalar(q)?.to_f64();
            run(py, op, &self.t, |t| {
                t.quantile_scalar(q, dim, keepdim, interpolation, ignore_nan)
            })?
        };
        wrap(py, r)
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=None, keepdim=None))]
    fn median<'py>(
        &self,
        py: Python<'py>,
        dim: Option<&Bound<'py, PyAny>>,
        keepdim: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.median_like(py, "median", dim, keepdim)
    }

    #[pyo3(signature = (dim=None, keepdim=None))]
    fn nanmedian<'py>(
        &self,
        py: Python<'py>,
        dim: Option<&Bound<'py, PyAny>>,
        keepdim: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.median_like(py, "nanmedian", dim, keepdim)
    }

    #[pyo3(signature = (dim=-1, keepdim=false))]
    fn mode<'py>(&self, py: Python<'py>, dim: i64, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        let r = run(py, "mode", &self.t, |t| t.mode(dim, keepdim))?;
        pair(py, "mode", r)
    }

    #[pyo3(signature = (k, dim=-1, keepdim=false))]
    fn kthvalue<'py>(
        &self,
        py: Python<'py>,
        k: i64,
        dim: i64,
        keepdim: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let r = run(py, "kthvalue", &self.t, |t| t.kthvalue(k, dim, keepdim))?;
        pair(py, "kthvalue", r)
    }

    #[pyo3(signature = (q, dim=None, keepdim=false, *, interpolation="linear"))]
    fn quantile(
        &self,
        py: Python<'_>,
        q: &Bound<'_, PyAny>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        interpolation: &str,
    ) -> Out {
        self.quantile_like(py, "quantile", q, dim, keepdim, interpolation)
    }

    #[pyo3(signature = (q, dim=None, keepdim=false, *, interpolation="linear"))]
    fn nanquantile(
        &self,
        py: Python<'_>,
        q: &Bound<'_, PyAny>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        interpolation: &str,
    ) -> Out {
        self.quantile_like(py, "nanquantile", q, dim, keepdim, interpolation)
    }

    #[pyo3(signature = (dim=None, *, dtype=None, axis=None, out=None))]
    fn cumsum(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = required_dim("cumsum", dim_or_axis(dim, axis))?;
        // Into `out=`, the running cumsum is kept in out's dtype.
        let dtype = extract_opt_dtype(dtype)?.or_else(|| out.map(|o| o.borrow().t.dtype()));
        let r = run(py, "cumsum", &self.t, |t| t.cumsum(dim, dtype))?;
        deliver(py, r, out, OutRule::Castable)
    }

    #[pyo3(signature = (dim=None, *, dtype=None, axis=None, out=None))]
    fn cumprod(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = required_dim("cumprod", dim_or_axis(dim, axis))?;
        // Into `out=`, the running cumprod is kept in out's dtype.
        let dtype = extract_opt_dtype(dtype)?.or_else(|| out.map(|o| o.borrow().t.dtype()));
        let r = run(py, "cumprod", &self.t, |t| t.cumprod(dim, dtype))?;
        deliver(py, r, out, OutRule::Castable)
    }

    fn cummax<'py>(&self, py: Python<'py>, dim: i64) -> PyResult<Bound<'py, PyAny>> {
        pair(py, "cummax", run(py, "cummax", &self.t, |t| t.cummax(dim))?)
    }

    fn cummin<'py>(&self, py: Python<'py>, dim: i64) -> PyResult<Bound<'py, PyAny>> {
        pair(py, "cummin", run(py, "cummin", &self.t, |t| t.cummin(dim))?)
    }

    fn logcumsumexp(&self, py: Python<'_>, dim: i64) -> Out {
        wrap(
            py,
            run(py, "logcumsumexp", &self.t, |t| t.logcumsumexp(dim))?,
        )
    }
}

/// `cumsum`/`cumprod` need a dim (given as `dim=` or `axis=`).
fn required_dim(op: &str, dim: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
    dim_arg(op, dim)?.ok_or_else(|| {
        crate::errors::type_err(format!(
            "{op}() missing 1 required positional arguments: \"dim\""
        ))
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::exports::export_methods(
        m,
        &[
            "median",
            "nanmedian",
            "mode",
            "kthvalue",
            "quantile",
            "nanquantile",
            "cumsum",
            "cumprod",
            "cummax",
            "cummin",
            "logcumsumexp",
        ],
    )
}
