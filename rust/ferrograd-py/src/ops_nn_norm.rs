//! Bindings of the normalisation ops: `layer_norm`, `group_norm` and `batch_norm` (also
//! `ferrograd.layer_norm` etc., as in PyTorch), which the functional forms in
//! `ferrograd.nn.functional` call.

use ferrograd_core::tensor::batch_norm::RunningStats;
use pyo3::prelude::*;

use crate::args::{int_or_ints, to_sizes};
use crate::errors::run;
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;
type Param<'py> = Option<PyRef<'py, PyTensor>>;

/// `layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05,
/// cudnn_enable=True)`; `cudnn_enable` is accepted for PyTorch's signature and unused.
#[pyfunction]
#[pyo3(signature = (input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=true))]
fn layer_norm(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    normalized_shape: &Bound<'_, PyAny>,
    weight: Param<'_>,
    bias: Param<'_>,
    eps: f64,
    cudnn_enable: bool,
) -> Out {
    let _ = cudnn_enable;
    let normalized_shape = to_sizes(&int_or_ints(
        "layer_norm",
        "normalized_shape",
        normalized_shape,
    )?)?;
    let (x, w, b) = (
        input.t.clone(),
        weight.map(|w| w.t.clone()),
        bias.map(|b| b.t.clone()),
    );
    let r = run(py, "layer_norm", x.numel(), || {
        x.layer_norm(&normalized_shape, w.as_ref(), b.as_ref(), eps)
    })?;
    wrap(py, r)
}

/// `group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True)`.
#[pyfunction]
#[pyo3(signature = (input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=true))]
fn group_norm(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    num_groups: i64,
    weight: Param<'_>,
    bias: Param<'_>,
    eps: f64,
    cudnn_enabled: bool,
) -> Out {
    let _ = cudnn_enabled;
    let (x, w, b) = (
        input.t.clone(),
        weight.map(|w| w.t.clone()),
        bias.map(|b| b.t.clone()),
    );
    let r = run(py, "group_norm", x.numel(), || {
        x.group_norm(num_groups, w.as_ref(), b.as_ref(), eps)
    })?;
    wrap(py, r)
}

/// `batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
/// cudnn_enabled)`: every argument required, as in PyTorch's `torch.batch_norm`.
#[pyfunction]
#[pyo3(signature = (input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled))]
#[allow(clippy::too_many_arguments)]
fn batch_norm(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    weight: Param<'_>,
    bias: Param<'_>,
    running_mean: Param<'_>,
    running_var: Param<'_>,
    training: bool,
    momentum: f64,
    eps: f64,
    cudnn_enabled: bool,
) -> Out {
    let _ = cudnn_enabled;
    let (x, w, b) = (
        input.t.clone(),
        weight.map(|w| w.t.clone()),
        bias.map(|b| b.t.clone()),
    );
    let (rm, rv) = (
        running_mean.map(|t| t.t.clone()),
        running_var.map(|t| t.t.clone()),
    );
    let r = run(py, "batch_norm", x.numel(), || {
        let running = RunningStats {
            mean: rm.as_ref(),
            var: rv.as_ref(),
            training,
            momentum,
        };
        x.batch_norm(w.as_ref(), b.as_ref(), running, eps)
    })?;
    wrap(py, r)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(layer_norm, m)?)?;
    m.add_function(wrap_pyfunction!(group_norm, m)?)?;
    m.add_function(wrap_pyfunction!(batch_norm, m)?)?;
    Ok(())
}
