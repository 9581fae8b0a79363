//! `new_zeros`, `new_ones`, `new_empty`, `new_full`, `new_tensor`: the factory functions with the
//! dtype (and device) of an existing tensor as the default, as PyTorch's `Tensor.new_*` are.

use pyo3::exceptions::PyUserWarning;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::args::varargs_or_keyword;
use crate::creation;
use crate::dtype::dtype_object;
use crate::tensor::{device_object, PyTensor};

type Out = PyResult<Py<PyTensor>>;

impl PyTensor {
    /// The dtype a `new_*` call uses: the one given, else this tensor's.
    fn dtype_or_own<'py>(
        &self,
        py: Python<'py>,
        dtype: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match dtype.filter(|d| !d.is_none()) {
            Some(d) => Ok(d.clone()),
            None => Ok(dtype_object(py, self.t.dtype())?.into_bound(py).into_any()),
        }
    }

    /// The device a `new_*` call uses: the one given, else this tensor's.
    fn device_or_own<'py>(
        &self,
        py: Python<'py>,
        device: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match device.filter(|d| !d.is_none()) {
            Some(d) => Ok(d.clone()),
            None => device_object(py, self.t.device()),
        }
    }
}

/// A size given as varargs or as `size=`, packed as the factories take it.
fn size_tuple<'py>(
    op: &str,
    args: &Bound<'py, PyTuple>,
    size: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(args.py(), varargs_or_keyword(op, "size", args, size)?)
}

/// `new_zeros`, `new_ones`, `new_empty`: a size (varargs or `size=`), this tensor's dtype.
macro_rules! new_sized {
    ($($name:ident => $factory:ident($($extra:expr),*)),*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(signature = (*args, size=None, dtype=None, device=None, requires_grad=false, layout=None, pin_memory=false))]
                #[allow(clippy::too_many_arguments)]
                fn $name(
                    &self,
                    py: Python<'_>,
                    args: &Bound<'_, PyTuple>,
                    size: Option<&Bound<'_, PyAny>>,
                    dtype: Option<&Bound<'_, PyAny>>,
                    device: Option<&Bound<'_, PyAny>>,
                    requires_grad: bool,
                    layout: Option<&Bound<'_, PyAny>>,
                    pin_memory: bool,
                ) -> Out {
                    let _ = pin_memory;
                    let size = size_tuple(stringify!($name), args, size)?;
                    let dtype = self.dtype_or_own(py, dtype)?;
                    let device = self.device_or_own(py, device)?;
                    creation::$factory(
                        py, &size, None, Some(&dtype), layout, Some(&device), requires_grad
                        $(, $extra)*
                    )
                }
            )*
        }
    };
}

new_sized!(new_zeros => zeros(), new_ones => ones(), new_empty => empty(false, None));

#[pymethods]
impl PyTensor {
    /// `new_full(size, fill_value)`: unlike `full`, the dtype is this tensor's, not the value's.
    #[pyo3(signature = (size, fill_value, *, dtype=None, device=None, requires_grad=false, layout=None, pin_memory=false))]
    #[allow(clippy::too_many_arguments)]
    fn new_full(
        &self,
        py: Python<'_>,
        size: &Bound<'_, PyAny>,
        fill_value: &Bound<'_, PyAny>,
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
        requires_grad: bool,
        layout: Option<&Bound<'_, PyAny>>,
        pin_memory: bool,
    ) -> Out {
        let _ = pin_memory;
        let dtype = self.dtype_or_own(py, dtype)?;
        let device = self.device_or_own(py, device)?;
        creation::full(
            py,
            size,
            fill_value,
            None,
            Some(&dtype),
            layout,
            Some(&device),
            requires_grad,
        )
    }

    /// `new_tensor(data)`: `tensor(data)` with this tensor's dtype as the default.
    #[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false, layout=None, pin_memory=false))]
    #[allow(clippy::too_many_arguments)]
    fn new_tensor(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
        requires_grad: bool,
        layout: Option<&Bound<'_, PyAny>>,
        pin_memory: bool,
    ) -> Out {
        let _ = layout;
        if data.is_instance_of::<PyTensor>() {
            PyErr::warn(
                py,
                &py.get_type::<PyUserWarning>(),
                c"To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
                1,
            )?;
        }
        let dtype = self.dtype_or_own(py, dtype)?;
        let device = self.device_or_own(py, device)?;
        creation::tensor_quiet(
            py,
            data,
            Some(&dtype),
            Some(&device),
            requires_grad,
            pin_memory,
        )
    }
}
