//! Bindings of the softmax family and the negative log-likelihood loss: `Tensor.softmax` and
//! `Tensor.log_softmax` (also `ferrograd.softmax`, `ferrograd.log_softmax`), and
//! `_nll_loss_nd`, which `ferrograd.nn.functional.nll_loss` and `cross_entropy` call.

use ferrograd_core::tensor::nll_loss::LossReduction;
use pyo3::prelude::*;

use crate::dtype::extract_opt_dtype;
use crate::errors::run;
use crate::ops_reduce::required_dim;
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=None, dtype=None, *, axis=None))]
    fn softmax(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dim = required_dim("softmax", dim, axis)?;
        let dtype = extract_opt_dtype(dtype)?;
        let r = run(py, "softmax", self.t.numel(), || self.t.softmax(dim, dtype))?;
        wrap(py, r)
    }

    #[pyo3(signature = (dim=None, dtype=None, *, axis=None))]
    fn log_softmax(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
    ) -> Out {
        let dim = required_dim("log_softmax", dim, axis)?;
        let dtype = extract_opt_dtype(dtype)?;
        let r = run(py, "log_softmax", self.t.numel(), || {
            self.t.log_softmax(dim, dtype)
        })?;
        wrap(py, r)
    }
}

/// `_nll_loss_nd(input, target, weight, reduction, ignore_index)`: `reduction` is one of
/// `'none'`, `'mean'`, `'sum'`.
#[pyfunction]
#[pyo3(signature = (input, target, weight=None, reduction="mean", ignore_index=-100))]
fn _nll_loss_nd(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    target: PyRef<'_, PyTensor>,
    weight: Option<PyRef<'_, PyTensor>>,
    reduction: &str,
    ignore_index: i64,
) -> Out {
    let reduction = run(py, "nll_loss", 0, || LossReduction::parse(reduction))?;
    let (input, target) = (input.t.clone(), target.t.clone());
    let weight = weight.map(|w| w.t.clone());
    let r = run(py, "nll_loss", input.numel(), || {
        input.nll_loss(&target, weight.as_ref(), reduction, ignore_index)
    })?;
    wrap(py, r)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::exports::export_methods(m, &["softmax", "log_softmax"])?;
    m.add_function(wrap_pyfunction!(_nll_loss_nd, m)?)?;
    Ok(())
}
