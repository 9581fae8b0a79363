//! Anomaly detection as Python sees it: the switches, and the two things the engine asks of
//! the binding while it is on: keep the Python traceback of each recorded node in its
//! `metadata["traceback_"]` (as PyTorch does), and warn with that traceback when the node's
//! backward fails.

use std::sync::Arc;

use ferrograd_core::autograd::anomaly;
use ferrograd_core::autograd::node::Node;
use pyo3::exceptions::PyUserWarning;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::autograd::with_slot;

#[pyfunction]
#[pyo3(signature = (enabled, check_nan = true))]
fn set_anomaly_enabled(enabled: bool, check_nan: bool) {
    anomaly::set_anomaly_enabled(enabled, check_nan);
}

#[pyfunction]
fn is_anomaly_enabled() -> bool {
    anomaly::is_anomaly_enabled()
}

#[pyfunction]
fn is_anomaly_check_nan_enabled() -> bool {
    anomaly::is_anomaly_check_nan_enabled()
}

fn metadata<'py>(py: Python<'py>, node: &Node) -> Bound<'py, PyDict> {
    with_slot(node, |s| {
        s.metadata
            .get_or_insert_with(|| PyDict::new(py).unbind())
            .clone_ref(py)
    })
    .into_bound(py)
}

/// The stack where the node was made, as `traceback.format_stack()` gives it.
fn remember_traceback(node: &Arc<Node>) {
    Python::attach(|py| {
        let stack = py
            .import("traceback")
            .and_then(|tb| tb.call_method0("format_stack"));
        if let Ok(stack) = stack {
            let _ = metadata(py, node).set_item("traceback_", stack);
        }
    });
}

/// PyTorch's warning for a failed node, with the traceback of the forward call that made it.
fn report_failure(node: &Arc<Node>) {
    Python::attach(|py| {
        let stack = metadata(py, node)
            .get_item("traceback_")
            .ok()
            .flatten()
            .and_then(|s| s.cast_into::<PyList>().ok());
        let msg = match stack {
            Some(lines) => {
                let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                format!(
                    "Error detected in {}. Traceback of forward call that caused the error:\n{}",
                    node.name(),
                    lines.concat()
                )
            }
            None => format!(
                "Error detected in {}. No forward pass information available. Enable detect anomaly during forward pass for more information.",
                node.name()
            ),
        };
        if let Ok(msg) = std::ffi::CString::new(msg) {
            let _ = PyErr::warn(py, &py.get_type::<PyUserWarning>(), &msg, 1);
        }
    });
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    anomaly::set_hooks(Box::new(remember_traceback), Box::new(report_failure));
    m.add_function(wrap_pyfunction!(set_anomaly_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(is_anomaly_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(is_anomaly_check_nan_enabled, m)?)?;
    Ok(())
}
