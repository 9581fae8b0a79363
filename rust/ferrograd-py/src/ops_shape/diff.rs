//! `diff(n=1, dim=-1, prepend=None, append=None)`: the n-th forward difference (the core
//! composes it from recorded ops).

use pyo3::prelude::*;

use super::args::{int_arg, type_name};
use crate::errors::{core, type_err};
use crate::ops_reduce::dim_or_default;
use crate::out_arg::{deliver, OutRule};
use crate::tensor::PyTensor;

/// `prepend=`/`append=`: a tensor or `None` (PyTorch takes no numbers here).
fn optional_tensor(
    name: &str,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<ferrograd_core::Tensor>> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(None),
        Some(o) => match o.cast::<PyTensor>() {
            Ok(t) => Ok(Some(t.borrow().t.clone())),
            Err(_) => Err(type_err(format!(
                "diff(): argument '{name}' must be Tensor, not {}",
                type_name(o)
            ))),
        },
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (n=None, dim=None, prepend=None, append=None, *, axis=None, out=None))]
    #[allow(clippy::too_many_arguments)] // PyTorch's arguments and the numpy alias
    fn diff(
        &self,
        py: Python<'_>,
        n: Option<&Bound<'_, PyAny>>,
        dim: Option<&Bound<'_, PyAny>>,
        prepend: Option<&Bound<'_, PyAny>>,
        append: Option<&Bound<'_, PyAny>>,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyTensor>>,
    ) -> PyResult<Py<PyAny>> {
        let n = n.map_or(Ok(1), |n| int_arg("diff", "n", n))?;
        let dim = dim_or_default("diff", dim, axis, -1)?;
        let prepend = optional_tensor("prepend", prepend)?;
        let append = optional_tensor("append", append)?;
        let r = core("diff", || {
            self.t.diff(n, dim, prepend.as_ref(), append.as_ref())
        })?;
        deliver(py, r, out, OutRule::Castable)
    }
}
