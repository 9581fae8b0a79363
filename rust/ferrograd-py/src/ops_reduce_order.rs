//! Order statistics and cumulative ops as `Tensor` methods: `median`, `nanmedian`, `mode`,
//! `kthvalue`, `quantile`, `nanquantile`, `cumsum`, `cumprod`, `cummax`, `cummin`,
//! `logcumsumexp`.

use ferrograd_core::Tensor;
use pyo3::prelude::*;

use crate::args::extract_scalar;
use crate::dtype::extract_opt_dtype;
use crate::ops_reduce::{
    dim_arg, dim_or_axis, dim_or_default, keepdim_or_keepdims, required_dim, run,
};
use crate::out_arg::{deliver, deliver_tuple, OutRule};
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyAny>>;

/// `median`'s and `nanmedian`'s checks of `out=(values, indices)`, in PyTorch's words.
const MEDIAN_OUT: [OutRule; 2] = [
    OutRule::Mismatch(|have, want| {
        format!(
            "Expected tensor for 'values' to have the same type as tensor for argument #2 'self'; but type ferrograd.{} does not equal ferrograd.{} (while checking arguments for median)",
            have.legacy_type_name(),
            want.legacy_type_name()
        )
    }),
    OutRule::Mismatch(|have, _| {
        format!(
            "Expected tensor for argument #1 'indices' to have scalar type Long; but got ferrograd.{} instead (while checking arguments for median)",
            have.legacy_type_name()
        )
    }),
];

/// `mode`'s checks of `out=(values, indices)`.
const MODE_OUT: [OutRule; 2] = [
    OutRule::Mismatch(|have, want| {
        format!(
            "expected scalar type '{}' but got '{}' for values output",
            want.scalar_type_name(),
            have.scalar_type_name()
        )
    }),
    OutRule::Mismatch(|have, want| {
        format!(
            "expected scalar type '{}' but got '{}' for indices output",
            want.scalar_type_name(),
            have.scalar_type_name()
        )
    }),
];

/// `kthvalue`'s checks of `out=(values, indices)`.
const KTHVALUE_OUT: [OutRule; 2] = [
    OutRule::Mismatch(|_, _| "output values must be of same type as input".to_string()),
    OutRule::Mismatch(|_, _| "output indices must be of scalar type Long".to_string()),
];

/// The check of the cumulative ops (`cummax`, `cummin`, `logcumsumexp`) on each `out` tensor.
const CUMULATIVE_OUT: OutRule = OutRule::Mismatch(|have, want| {
    format!(
        "expected scalar_type {} but found {}",
        want.scalar_type_name(),
        have.scalar_type_name()
    )
});

/// `quantile`'s and `nanquantile`'s check of `out=`.
const QUANTILE_OUT: OutRule = OutRule::Mismatch(|_, _| {
    "quantile() out tensor must be same dtype as the input tensor".to_string()
});

impl PyTensor {
    /// `median`/`nanmedian`: a 0-dim tensor without `dim`, else (values, indices).
    fn median_like<'py>(
        &self,
        py: Python<'py>,
        op: &'static str,
        dim: Option<&Bound<'py, PyAny>>,
        keepdim: Option<bool>,
        out: Option<&Bound<'py, PyAny>>,
    ) -> Out {
        // Without `dim`, PyTorch's overload takes neither `keepdim` nor `out`.
        if dim.is_none() && (keepdim.is_some() || out.is_some_and(|o| !o.is_none())) {
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
                wrap(py, r).map(Py::into_any)
            }
            Some(d) => {
                let r = run(py, op, &self.t, |t| {
                    if ignore_nan {
                        t.nanmedian_dim(d, keepdim)
                    } else {
                        t.median_dim(d, keepdim)
                    }
                })?;
                deliver_tuple(py, op, vec![r.0, r.1], out, &MEDIAN_OUT)
            }
        }
    }

    #[allow(clippy::too_many_arguments)] // PyTorch's arguments and the op's name
    fn quantile_like(
        &self,
        py: Python<'_>,
        op: &'static str,
        q: &Bound<'_, PyAny>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: bool,
        interpolation: &str,
        out: Option<&Bound<'_, PyTensor>>,
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
        deliver(py, r, out, QUANTILE_OUT)
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=None, keepdim=None, *, axis=None, keepdims=None, out=None))]
    fn median<'py>(
        &self,
        py: Python<'py>,
        dim: Option<&Bound<'py, PyAny>>,
        keepdim: Option<bool>,
        axis: Option<&Bound<'py, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'py, PyAny>>,
    ) -> Out {
        let dim = dim_or_axis("median", dim, axis)?;
        let keepdim = keepdim_or_keepdims("median", keepdim, keepdims)?;
        self.median_like(py, "median", dim, keepdim, out)
    }

    #[pyo3(signature = (dim=None, keepdim=None, *, axis=None, keepdims=None, out=None))]
    fn nanmedian<'py>(
        &self,
        py: Python<'py>,
        dim: Option<&Bound<'py, PyAny>>,
        keepdim: Option<bool>,
        axis: Option<&Bound<'py, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'py, PyAny>>,
    ) -> Out {
        let dim = dim_or_axis("nanmedian", dim, axis)?;
        let keepdim = keepdim_or_keepdims("nanmedian", keepdim, keepdims)?;
        self.median_like(py, "nanmedian", dim, keepdim, out)
    }

    #[pyo3(signature = (dim=None, keepdim=None, *, axis=None, keepdims=None, out=None))]
    fn mode(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: Option<bool>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dim = dim_or_default("mode", dim, axis, -1)?;
        let keepdim = keepdim_or_keepdims("mode", keepdim, keepdims)?.unwrap_or(false);
        let (v, i) = run(py, "mode", &self.t, |t| t.mode(dim, keepdim))?;
        deliver_tuple(py, "mode", vec![v, i], out, &MODE_OUT)
    }

    #[pyo3(signature = (k, dim=None, keepdim=None, *, axis=None, keepdims=None, out=None))]
    #[allow(clippy::too_many_arguments)] // PyTorch's arguments and their numpy aliases
    fn kthvalue(
        &self,
        py: Python<'_>,
        k: i64,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: Option<bool>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dim = dim_or_default("kthvalue", dim, axis, -1)?;
        let keepdim = keepdim_or_keepdims("kthvalue", keepdim, keepdims)?.unwrap_or(false);
        let (v, i) = run(py, "kthvalue", &self.t, |t| t.kthvalue(k, dim, keepdim))?;
        deliver_tuple(py, "kthvalue", vec![v, i], out, &KTHVALUE_OUT)
    }

    #[pyo3(signature = (q, dim=None, keepdim=None, *, interpolation="linear", axis=None, keepdims=None, out=None))]
    #[allow(clippy::too_many_arguments)] // PyTorch's arguments and their numpy aliases
    fn quantile(
        &self,
        py: Python<'_>,
        q: &Bound<'_, PyAny>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: Option<bool>,
        interpolation: &str,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let dim = dim_or_axis("quantile", dim, axis)?;
        let keepdim = keepdim_or_keepdims("quantile", keepdim, keepdims)?.unwrap_or(false);
        self.quantile_like(py, "quantile", q, dim, keepdim, interpolation, out)
    }

    #[pyo3(signature = (q, dim=None, keepdim=None, *, interpolation="linear", axis=None, keepdims=None, out=None))]
    #[allow(clippy::too_many_arguments)] // PyTorch's arguments and their numpy aliases
    fn nanquantile(
        &self,
        py: Python<'_>,
        q: &Bound<'_, PyAny>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: Option<bool>,
        interpolation: &str,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let dim = dim_or_axis("nanquantile", dim, axis)?;
        let keepdim = keepdim_or_keepdims("nanquantile", keepdim, keepdims)?.unwrap_or(false);
        self.quantile_like(py, "nanquantile", q, dim, keepdim, interpolation, out)
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
        let dim = required_dim("cumsum", dim, axis)?;
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
        let dim = required_dim("cumprod", dim, axis)?;
        // Into `out=`, the running cumprod is kept in out's dtype.
        let dtype = extract_opt_dtype(dtype)?.or_else(|| out.map(|o| o.borrow().t.dtype()));
        let r = run(py, "cumprod", &self.t, |t| t.cumprod(dim, dtype))?;
        deliver(py, r, out, OutRule::Castable)
    }

    #[pyo3(signature = (dim=None, *, axis=None, out=None))]
    fn cummax(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dim = required_dim("cummax", dim, axis)?;
        let (v, i) = run(py, "cummax", &self.t, |t| t.cummax(dim))?;
        deliver_tuple(py, "cummax", vec![v, i], out, &[CUMULATIVE_OUT; 2])
    }

    #[pyo3(signature = (dim=None, *, axis=None, out=None))]
    fn cummin(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dim = required_dim("cummin", dim, axis)?;
        let (v, i) = run(py, "cummin", &self.t, |t| t.cummin(dim))?;
        deliver_tuple(py, "cummin", vec![v, i], out, &[CUMULATIVE_OUT; 2])
    }

    #[pyo3(signature = (dim=None, *, axis=None, out=None))]
    fn logcumsumexp(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> Out {
        let dim = required_dim("logcumsumexp", dim, axis)?;
        let r = run(py, "logcumsumexp", &self.t, |t| t.logcumsumexp(dim))?;
        deliver(py, r, out, CUMULATIVE_OUT)
    }
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
