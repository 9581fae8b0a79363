//! The autograd side of `ferrograd.Tensor`: `is_leaf`, `grad_fn`, `grad`, `retain_grad`,
//! `register_hook` and `backward`.

use pyo3::exceptions::{PyRuntimeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyCFunction;

use crate::autograd::{node_object, tensor_hook};
use crate::errors::core;
use crate::tensor::{wrap, PyTensor};

static REMOVABLE_HANDLE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static AUTOGRAD_BACKWARD: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

const NON_LEAF_GRAD_WARNING: &std::ffi::CStr = c"The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.";

#[pymethods]
impl PyTensor {
    /// Leaves are tensors not produced by a recorded op (every tensor that does not require
    /// grad is one).
    #[getter]
    fn is_leaf(&self) -> bool {
        self.t.is_leaf()
    }

    #[getter]
    fn grad_fn(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.t.grad_fn() {
            Some(node) => node_object(py, node),
            None => Ok(py.None()),
        }
    }

    /// The tensor whose memory this view shows, or None when this is not a view.
    #[getter]
    fn _base(&self, py: Python<'_>) -> PyResult<Option<Py<PyTensor>>> {
        self.t.view_base().map(|b| wrap(py, b)).transpose()
    }

    fn _is_view(&self) -> bool {
        self.t.view_base().is_some()
    }

    #[getter]
    fn output_nr(&self) -> usize {
        self.t.output_nr()
    }

    #[getter]
    fn grad(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if !self.t.is_leaf() && !self.t.retains_grad() {
            PyErr::warn(
                py,
                &py.get_type::<PyUserWarning>(),
                NON_LEAF_GRAD_WARNING,
                1,
            )?;
        }
        match self.t.grad() {
            Some(g) => Ok(wrap(py, g)?.into_any()),
            None => Ok(py.None()),
        }
    }

    /// `t.grad = g` (or `None`, or `del t.grad`): `g` must match `t`'s shape and dtype.
    #[setter]
    fn set_grad(&self, value: Option<PyRef<'_, PyTensor>>) -> PyResult<()> {
        let Some(g) = value else {
            self.t.set_grad(None);
            return Ok(());
        };
        if g.t.is_same(&self.t) {
            return Err(PyRuntimeError::new_err(
                "can't assign Variable as its own grad",
            ));
        }
        if g.t.dtype() != self.t.dtype() {
            return Err(PyRuntimeError::new_err(format!(
                "attempting to assign a gradient with dtype '{}' to a tensor with grad_dtype '{}'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match.",
                // PyTorch names the gradient's dtype by its C++ type ('double'), the tensor's
                // by its scalar type ('Float').
                g.t.dtype().cpp_type_name(),
                self.t.dtype().scalar_type_name()
            )));
        }
        if g.t.shape() != self.t.shape() {
            return Err(PyRuntimeError::new_err(format!(
                "attempting to assign a gradient of size '{:?}' to a tensor of size '{:?}'. Please ensure that the gradient and the tensor are the same size",
                g.t.shape(),
                self.t.shape()
            )));
        }
        self.t.set_grad(Some(g.t.clone()));
        Ok(())
    }

    /// `backward(gradient=None, retain_graph=None, create_graph=False, inputs=None)`:
    /// `ferrograd.autograd.backward` on this tensor.
    #[pyo3(signature = (gradient=None, retain_graph=None, create_graph=false, inputs=None))]
    fn backward(
        slf: &Bound<'_, Self>,
        gradient: Option<&Bound<'_, PyAny>>,
        retain_graph: Option<bool>,
        create_graph: bool,
        inputs: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let py = slf.py();
        let backward = AUTOGRAD_BACKWARD.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py
                .import("ferrograd.autograd")?
                .getattr("backward")?
                .unbind())
        })?;
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("inputs", inputs)?;
        backward.call(
            py,
            (slf, gradient, retain_graph, create_graph),
            Some(&kwargs),
        )?;
        Ok(())
    }

    #[getter]
    fn retains_grad(&self) -> bool {
        self.t.retains_grad()
    }

    fn retain_grad(&self) -> PyResult<()> {
        core("retain_grad", || self.t.retain_grad())
    }

    /// `register_hook(fn)`: `fn(grad)` runs when this tensor's gradient is computed and may
    /// return a replacement. Returns a handle whose `remove()` unregisters it.
    fn register_hook(&self, py: Python<'_>, hook: Py<PyAny>) -> PyResult<Py<PyAny>> {
        if !self.t.requires_grad() {
            return Err(PyRuntimeError::new_err(
                "cannot register a hook on a tensor that doesn't require gradient",
            ));
        }
        let handle_type = REMOVABLE_HANDLE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py
                .import("ferrograd.utils.hooks")?
                .getattr("RemovableHandle")?
                .unbind())
        })?;
        let remove = match self.t.grad_fn() {
            Some(node) => {
                let id = node.add_tensor_hook(self.t.output_nr(), tensor_hook(hook));
                PyCFunction::new_closure(py, None, None, move |_args, _kwargs| {
                    node.remove_hook(id);
                })?
            }
            None => {
                let id = self.t.add_leaf_hook(tensor_hook(hook));
                let t = self.t.clone();
                PyCFunction::new_closure(py, None, None, move |_args, _kwargs| {
                    t.remove_leaf_hook(id);
                })?
            }
        };
        handle_type.call1(py, (remove,))
    }
}
