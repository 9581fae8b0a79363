//! How operators become top-level functions. An op is written once, as a `Tensor` method; where
//! PyTorch also has `ferrograd.<op>(input, ...)`, that function *is* the method (its descriptor,
//! `Tensor.<op>`), so there is one implementation and no extra call layer. Ops that exist only
//! as functions (`cat`, `stack`, `einsum`, ...) are plain `#[pyfunction]`s.

use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::tensor::PyTensor;

/// Adds `Tensor.<name>` to the module as `<name>` for each name.
pub fn export_methods(m: &Bound<'_, PyModule>, names: &[&str]) -> PyResult<()> {
    let tensor_type: Bound<'_, PyType> = m.py().get_type::<PyTensor>();
    for &name in names {
        m.add(name, tensor_type.getattr(name)?)?;
    }
    Ok(())
}

/// Builds `ferrograd.return_types.<name>` (a named tuple) from the results of an op.
#[allow(dead_code)] // until the first op with a named-tuple result lands
pub fn return_type<'py>(
    py: Python<'py>,
    name: &str,
    values: Vec<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let module = py.import("ferrograd.return_types")?;
    let tuple = pyo3::types::PyTuple::new(py, values)?;
    module.getattr(name)?.call1((tuple,))
}
