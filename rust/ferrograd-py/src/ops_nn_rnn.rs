//! Bindings of the fused recurrent steps `_lstm_cell_pointwise(gates, cx)` and
//! `_gru_cell_pointwise(input_gates, hidden_gates, hx)`, which `nn.LSTM`, `nn.GRU` and their
//! cells call once per time step.

use ferrograd_core::tensor::Tensor;
use pyo3::prelude::*;

use crate::errors::run;
use crate::tensor::{wrap, PyTensor};

#[pyfunction]
fn _lstm_cell_pointwise(
    py: Python<'_>,
    gates: PyRef<'_, PyTensor>,
    cx: PyRef<'_, PyTensor>,
) -> PyResult<(Py<PyTensor>, Py<PyTensor>)> {
    let (gates, cx) = (gates.t.clone(), cx.t.clone());
    let (h, c) = run(py, "lstm_cell", gates.numel(), || {
        gates.lstm_cell_pointwise(&cx)
    })?;
    Ok((wrap(py, h)?, wrap(py, c)?))
}

#[pyfunction]
fn _gru_cell_pointwise(
    py: Python<'_>,
    input_gates: PyRef<'_, PyTensor>,
    hidden_gates: PyRef<'_, PyTensor>,
    hx: PyRef<'_, PyTensor>,
) -> PyResult<Py<PyTensor>> {
    let (gx, gh, h) = (input_gates.t.clone(), hidden_gates.t.clone(), hx.t.clone());
    let r = run(py, "gru_cell", gx.numel(), || {
        Tensor::gru_cell_pointwise(&gx, &gh, &h)
    })?;
    wrap(py, r)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_lstm_cell_pointwise, m)?)?;
    m.add_function(wrap_pyfunction!(_gru_cell_pointwise, m)?)?;
    Ok(())
}
