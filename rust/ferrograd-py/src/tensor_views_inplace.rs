//! The in-place view methods (`unsqueeze_`, `squeeze_`, `t_`, `transpose_`, `swapdims_`,
//! `swapaxes_`): the core returns the tensor under its new layout, which replaces the old one
//! inside this same Python object (so `x.unsqueeze_(0) is x`, as in PyTorch).

use ferrograd_core::Tensor;
use pyo3::prelude::*;

use crate::errors::core;
use crate::ops_reduce::{dim_or_axis, required_dim};
use crate::tensor::PyTensor;
use crate::tensor_views::{squeeze_dims, SqueezeDims};

type Same<'py> = PyResult<Bound<'py, PyTensor>>;

/// Puts the core's result under `slf` and hands `slf` back.
fn replace<'py>(
    slf: &Bound<'py, PyTensor>,
    op: &'static str,
    f: impl FnOnce(&Tensor) -> ferrograd_core::Result<Tensor>,
) -> Same<'py> {
    let old = slf.borrow().t.clone();
    let new = core(op, || f(&old))?;
    slf.borrow_mut().t = new;
    Ok(slf.clone())
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=None, *, axis=None))]
    fn unsqueeze_<'py>(
        slf: &Bound<'py, Self>,
        dim: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> Same<'py> {
        let dim = required_dim("unsqueeze_", dim, axis)?;
        replace(slf, "unsqueeze_", |t| t.unsqueeze_(dim))
    }

    #[pyo3(signature = (dim=None, *, axis=None))]
    fn squeeze_<'py>(
        slf: &Bound<'py, Self>,
        dim: Option<&Bound<'py, PyAny>>,
        axis: Option<&Bound<'py, PyAny>>,
    ) -> Same<'py> {
        let dims = squeeze_dims("squeeze_", dim_or_axis("squeeze_", dim, axis)?)?;
        replace(slf, "squeeze_", |t| match &dims {
            SqueezeDims::All => t.squeeze_(None),
            SqueezeDims::One(d) => t.squeeze_(Some(*d)),
            SqueezeDims::Listed(ds) => t.squeeze_dims_(ds),
        })
    }

    fn t_<'py>(slf: &Bound<'py, Self>) -> Same<'py> {
        replace(slf, "t_", Tensor::t_)
    }

    fn transpose_<'py>(slf: &Bound<'py, Self>, dim0: i64, dim1: i64) -> Same<'py> {
        replace(slf, "transpose_", |t| t.transpose_(dim0, dim1))
    }

    fn swapdims_<'py>(slf: &Bound<'py, Self>, dim0: i64, dim1: i64) -> Same<'py> {
        replace(slf, "swapdims_", |t| t.transpose_(dim0, dim1))
    }

    fn swapaxes_<'py>(slf: &Bound<'py, Self>, axis0: i64, axis1: i64) -> Same<'py> {
        replace(slf, "swapaxes_", |t| t.transpose_(axis0, axis1))
    }
}
