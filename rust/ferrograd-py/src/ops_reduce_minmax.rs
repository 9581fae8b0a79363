//! Extreme-value reductions as `Tensor` methods: `max`, `min`, `amax`, `amin`, `aminmax`,
//! `argmax`, `argmin`.

use ferrograd_core::{Arg, BinaryOp};
use pyo3::prelude::*;

use crate::ops_binary::binary_call;
use crate::ops_reduce::{dim_arg, dim_or_axis, dims_arg, keepdim_or_keepdims, run};
use crate::out_arg::{deliver, deliver_tuple, single_out, OutRule, PAIR_EXACT};
use crate::tensor::PyTensor;

impl PyTensor {
    /// `max`/`min`: the whole tensor's extreme, or (values, indices) along `dim`.
    fn extreme<'py>(
        &self,
        py: Python<'py>,
        op: &'static str,
        dim: Option<&Bound<'py, PyAny>>,
        keepdim: Option<bool>,
        out: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        if dim.is_none() && keepdim.is_some() {
            let forms = [
                "()\n      didn't match because some of the keywords were incorrect: keepdim",
                "(Tensor other)\n      didn't match because some of the keywords were incorrect: keepdim",
                "(int dim, bool keepdim = False)",
            ];
            return Err(crate::ops_reduce::keepdim_without_dim(op, &forms));
        }
        let keepdim = keepdim.unwrap_or(false);
        if let Some(other) = dim.and_then(|d| d.cast::<PyTensor>().ok()) {
            // `max(input, other)` is the elementwise `maximum` (and `min`, `minimum`).
            let binary = if op == "max" {
                BinaryOp::Maximum
            } else {
                BinaryOp::Minimum
            };
            let (a, b) = (
                Arg::Tensor(self.t.clone()),
                Arg::Tensor(other.borrow().t.clone()),
            );
            return binary_call(py, binary, a, b, None, single_out(op, out)?);
        }
        let largest = op == "max";
        match dim_arg(op, dim)? {
            None => {
                let r = run(py, op, &self.t, |t| {
                    if largest {
                        t.max_all()
                    } else {
                        t.min_all()
                    }
                })?;
                deliver(py, r, single_out(op, out)?, OutRule::Exact)
            }
            Some(d) => {
                let r = run(py, op, &self.t, |t| {
                    if largest {
                        t.max_dim(d, keepdim)
                    } else {
                        t.min_dim(d, keepdim)
                    }
                })?;
                deliver_tuple(py, op, vec![r.0, r.1], out, &PAIR_EXACT)
            }
        }
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=None, keepdim=None, *, other=None, axis=None, keepdims=None, out=None))]
    #[allow(clippy::too_many_arguments)] // PyTorch's arguments and their numpy aliases
    fn max<'py>(
        &self,
        py: Python<'py>,
        dim: Option<&Bound<'py, PyAny>>,
        keepdim: Option<bool>,
        other: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = dim_or_axis("max", dim, axis)?;
        let keepdim = keepdim_or_keepdims("max", keepdim, keepdims)?;
        self.extreme(py, "max", dim.or(other), keepdim, out)
    }

    #[pyo3(signature = (dim=None, keepdim=None, *, other=None, axis=None, keepdims=None, out=None))]
    #[allow(clippy::too_many_arguments)] // PyTorch's arguments and their numpy aliases
    fn min<'py>(
        &self,
        py: Python<'py>,
        dim: Option<&Bound<'py, PyAny>>,
        keepdim: Option<bool>,
        other: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = dim_or_axis("min", dim, axis)?;
        let keepdim = keepdim_or_keepdims("min", keepdim, keepdims)?;
        self.extreme(py, "min", dim.or(other), keepdim, out)
    }

    #[pyo3(signature = (dim=None, keepdim=None, *, axis=None, keepdims=None, out=None))]
    fn amax(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: Option<bool>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dims = dims_arg("amax", dim_or_axis("amax", dim, axis)?)?.unwrap_or_default();
        let keepdim = keepdim_or_keepdims("amax", keepdim, keepdims)?.unwrap_or(false);
        let r = run(py, "amax", &self.t, |t| t.amax(&dims, keepdim))?;
        deliver(py, r, out, OutRule::SameAsInput)
    }

    #[pyo3(signature = (dim=None, keepdim=None, *, axis=None, keepdims=None, out=None))]
    fn amin(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: Option<bool>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dims = dims_arg("amin", dim_or_axis("amin", dim, axis)?)?.unwrap_or_default();
        let keepdim = keepdim_or_keepdims("amin", keepdim, keepdims)?.unwrap_or(false);
        let r = run(py, "amin", &self.t, |t| t.amin(&dims, keepdim))?;
        deliver(py, r, out, OutRule::SameAsInput)
    }

    #[pyo3(signature = (*, dim=None, keepdim=None, axis=None, keepdims=None, out=None))]
    fn aminmax<'py>(
        &self,
        py: Python<'py>,
        dim: Option<&Bound<'py, PyAny>>,
        keepdim: Option<bool>,
        axis: Option<&Bound<'py, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = dim_arg("aminmax", dim_or_axis("aminmax", dim, axis)?)?;
        let keepdim = keepdim_or_keepdims("aminmax", keepdim, keepdims)?.unwrap_or(false);
        let (lo, hi) = run(py, "aminmax", &self.t, |t| t.aminmax(dim, keepdim))?;
        deliver_tuple(py, "aminmax", vec![lo, hi], out, &PAIR_EXACT)
    }

    #[pyo3(signature = (dim=None, keepdim=None, *, axis=None, keepdims=None, out=None))]
    fn argmax(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: Option<bool>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = dim_arg("argmax", dim_or_axis("argmax", dim, axis)?)?;
        let keepdim = keepdim_or_keepdims("argmax", keepdim, keepdims)?.unwrap_or(false);
        let r = run(py, "argmax", &self.t, |t| t.argmax(dim, keepdim))?;
        deliver(py, r, out, OutRule::Exact)
    }

    #[pyo3(signature = (dim=None, keepdim=None, *, axis=None, keepdims=None, out=None))]
    fn argmin(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        keepdim: Option<bool>,
        axis: Option<&Bound<'_, PyAny>>,
        keepdims: Option<bool>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let dim = dim_arg("argmin", dim_or_axis("argmin", dim, axis)?)?;
        let keepdim = keepdim_or_keepdims("argmin", keepdim, keepdims)?.unwrap_or(false);
        let r = run(py, "argmin", &self.t, |t| t.argmin(dim, keepdim))?;
        deliver(py, r, out, OutRule::Exact)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::exports::export_methods(
        m,
        &["max", "min", "amax", "amin", "aminmax", "argmax", "argmin"],
    )
}
