//! Autograd in Python: graph nodes (`grad_fn`) as `_C._Node` handles (which
//! `ferrograd.autograd.graph` dresses as PyTorch-named classes), Python hooks, and the
//! `backward` / `grad` entry points and grad-mode switches of `ferrograd.autograd`.

use std::cell::RefCell;
use std::sync::Arc;

use ferrograd_core::autograd::node::{Node, NodeKind, PostHook, PreHook, TensorHook};
use ferrograd_core::autograd::{
    self as core_autograd, grad_mode, BackwardOptions, NodeSpec, SavedTensor,
};
use ferrograd_core::{Error, Tensor};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::core;
use crate::tensor::{wrap, PyTensor};

thread_local! {
    /// The exception a Python hook raised during backward, re-raised as itself afterwards (the
    /// core only knows its own error type).
    static HOOK_ERROR: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

fn hook_failed(err: PyErr) -> Error {
    let msg = err.to_string();
    HOOK_ERROR.with(|slot| *slot.borrow_mut() = Some(err));
    Error::runtime(msg)
}

/// A core result, with a hook's own exception put back in place of its stand-in.
pub fn restore_hook_error<T>(result: PyResult<T>) -> PyResult<T> {
    result.map_err(|e| {
        HOOK_ERROR
            .with(|slot| slot.borrow_mut().take())
            .unwrap_or(e)
    })
}

/// Per-node state the binding keeps: the Python wrapper (weakly, so `grad_fn is grad_fn`
/// holds while anyone holds it) and the `metadata` dict.
#[derive(Default)]
pub(crate) struct Slot {
    wrapper: Option<Py<PyAny>>,
    pub(crate) metadata: Option<Py<PyDict>>,
    /// A custom Function's `ctx` (which holds no reference back to the node: no cycle).
    ctx: Option<Py<PyAny>>,
}

pub(crate) fn with_slot<R>(node: &Node, f: impl FnOnce(&mut Slot) -> R) -> R {
    let mut guard = node.binding_slot.lock().unwrap_or_else(|e| e.into_inner());
    if guard
        .as_ref()
        .and_then(|b| b.downcast_ref::<Slot>())
        .is_none()
    {
        *guard = Some(Box::new(Slot::default()));
    }
    let slot = guard
        .as_mut()
        .and_then(|b| b.downcast_mut::<Slot>())
        .expect("just set");
    f(slot)
}

static WRAP_NODE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python object for a node: the one already handed out while it lives, else a new
/// instance of the class named after the node (`AddBackward0`).
pub fn node_object(py: Python<'_>, node: Arc<Node>) -> PyResult<Py<PyAny>> {
    let existing = with_slot(&node, |s| s.wrapper.as_ref().map(|w| w.clone_ref(py)));
    if let Some(weak) = existing {
        let obj = weak.call0(py)?;
        if !obj.is_none(py) {
            return Ok(obj);
        }
    }
    let wrap_node = WRAP_NODE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .import("ferrograd.autograd.graph")?
            .getattr("_wrap")?
            .unbind())
    })?;
    let handle = Py::new(py, PyNode { node: node.clone() })?;
    let ctx = with_slot(&node, |s| s.ctx.as_ref().map(|c| c.clone_ref(py)));
    let obj = wrap_node.call1(py, (handle, node.name(), ctx))?;
    let weak = py
        .import("weakref")?
        .getattr("ref")?
        .call1((obj.bind(py),))?;
    with_slot(&node, |s| s.wrapper = Some(weak.unbind()));
    Ok(obj)
}

fn grads_tuple<'py>(py: Python<'py>, grads: &[Option<Tensor>]) -> PyResult<Bound<'py, PyTuple>> {
    let items: Vec<Py<PyAny>> = grads
        .iter()
        .map(|g| match g {
            Some(t) => wrap(py, t.clone()).map(|t| t.into_any()),
            None => Ok(py.None()),
        })
        .collect::<PyResult<_>>()?;
    PyTuple::new(py, items)
}

/// A hook's return value: `None` (keep the gradients) or a sequence replacing them.
fn grads_from(
    obj: &Bound<'_, PyAny>,
    n: usize,
    what: &str,
) -> PyResult<Option<Vec<Option<Tensor>>>> {
    if obj.is_none() {
        return Ok(None);
    }
    let items: Vec<Bound<'_, PyAny>> = obj.try_iter()?.collect::<PyResult<_>>()?;
    if items.len() != n {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "hook '{what}' has returned an incorrect number of values (got {}, but expected {n})",
            items.len()
        )));
    }
    items
        .iter()
        .map(|x| {
            if x.is_none() {
                Ok(None)
            } else {
                Ok(Some(x.cast::<PyTensor>()?.borrow().t.clone()))
            }
        })
        .collect::<PyResult<Vec<_>>>()
        .map(Some)
}

fn hook_name(f: &Py<PyAny>) -> String {
    Python::attach(|py| {
        f.bind(py)
            .getattr("__name__")
            .and_then(|n| n.extract::<String>())
            .unwrap_or_else(|_| "hook".into())
    })
}

/// `tensor.register_hook(fn)`: `fn(grad)` may return a replacement gradient.
pub fn tensor_hook(f: Py<PyAny>) -> TensorHook {
    Arc::new(move |g: &Tensor| {
        Python::attach(|py| {
            let r = f.call1(py, (wrap(py, g.clone())?,))?;
            let r = r.bind(py);
            if r.is_none() {
                return Ok(None);
            }
            Ok(Some(r.cast::<PyTensor>()?.borrow().t.clone()))
        })
        .map_err(hook_failed)
    })
}

/// `a Python callable as a node pre-hook: `fn(grad_outputs)`.
fn pre_hook(f: Py<PyAny>) -> PreHook {
    let name = hook_name(&f);
    Arc::new(move |grads: &[Option<Tensor>]| {
        Python::attach(|py| {
            let r = f.call1(py, (grads_tuple(py, grads)?,))?;
            grads_from(r.bind(py), grads.len(), &name)
        })
        .map_err(hook_failed)
    })
}

/// A Python callable as a node hook: `fn(grad_inputs, grad_outputs)`.
fn post_hook(f: Py<PyAny>) -> PostHook {
    let name = hook_name(&f);
    Arc::new(
        move |grad_inputs: &[Option<Tensor>], grad_outputs: &[Option<Tensor>]| {
            Python::attach(|py| {
                let r = f.call1(
                    py,
                    (
                        grads_tuple(py, grad_inputs)?,
                        grads_tuple(py, grad_outputs)?,
                    ),
                )?;
                grads_from(r.bind(py), grad_inputs.len(), &name)
            })
            .map_err(hook_failed)
        },
    )
}

/// A graph node as Python sees it (wrapped by `ferrograd.autograd.graph.Node`).
#[pyclass(name = "_Node", module = "ferrograd._C", frozen)]
pub struct PyNode {
    pub node: Arc<Node>,
}

#[pymethods]
impl PyNode {
    fn name(&self) -> String {
        self.node.name().to_string()
    }

    fn _sequence_nr(&self) -> u64 {
        self.node.sequence_nr()
    }

    /// `next_functions`: `((node, input_nr), ...)`, `(None, 0)` for inputs without a gradient.
    fn next_functions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let items: Vec<Bound<'py, PyTuple>> = self
            .node
            .next_edges()
            .iter()
            .map(|e| match e {
                Some(e) => {
                    let obj = node_object(py, e.node.clone())?;
                    PyTuple::new(py, [obj, e.input_nr.into_pyobject(py)?.into_any().unbind()])
                }
                None => PyTuple::new(
                    py,
                    [py.None(), 0usize.into_pyobject(py)?.into_any().unbind()],
                ),
            })
            .collect::<PyResult<_>>()?;
        PyTuple::new(py, items)
    }

    fn metadata(&self, py: Python<'_>) -> Py<PyDict> {
        with_slot(&self.node, |s| {
            s.metadata
                .get_or_insert_with(|| PyDict::new(py).unbind())
                .clone_ref(py)
        })
    }

    /// The leaf of an `AccumulateGrad` node.
    fn variable(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.node.variable() {
            Some(t) => Ok(wrap(py, t)?.into_any()),
            None => Ok(py.None()),
        }
    }

    fn is_accumulate_grad(&self) -> bool {
        matches!(self.node.kind(), NodeKind::AccumulateGrad(_))
    }

    fn register_hook(&self, f: Py<PyAny>) -> u64 {
        self.node.add_post_hook(post_hook(f))
    }

    fn register_prehook(&self, f: Py<PyAny>) -> u64 {
        self.node.add_pre_hook(pre_hook(f))
    }

    fn remove_hook(&self, id: u64) -> bool {
        self.node.remove_hook(id)
    }

    fn same(&self, other: &PyNode) -> bool {
        Arc::ptr_eq(&self.node, &other.node)
    }
}

/// A tensor saved by a custom Function's `ctx.save_for_backward`: checked when unpacked (not
/// freed by a backward, not modified in place since).
#[pyclass(name = "_SavedTensor", module = "ferrograd._C", frozen)]
pub struct PySavedTensor {
    saved: SavedTensor,
}

#[pymethods]
impl PySavedTensor {
    fn unpack(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, core("saved_tensors", || self.saved.get())?)
    }
}

/// Records a custom `autograd.Function` call: a node named `name` from `inputs` (the tensor
/// arguments) to `outputs`, whose backward calls the Python `backward(*grad_outputs)` (which
/// returns one gradient or None per input). `saved` are the tensors of `save_for_backward`,
/// returned as handles that are freed after backward like any node's saved tensors.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn _record_function(
    name: String,
    inputs: Vec<PyRef<'_, PyTensor>>,
    outputs: Vec<PyRef<'_, PyTensor>>,
    saved: Vec<PyRef<'_, PyTensor>>,
    backward: Py<PyAny>,
    materialize_grads: bool,
    ctx: Py<PyAny>,
) -> PyResult<Vec<PySavedTensor>> {
    let ins = tensors(&inputs);
    let outs = tensors(&outputs);
    let saved: Vec<SavedTensor> = saved
        .iter()
        .map(|s| match outs.iter().position(|o| o.is_same(&s.t)) {
            Some(nr) => SavedTensor::output(&s.t, nr),
            None => SavedTensor::input(&s.t),
        })
        .collect();
    let n_inputs = ins.len();
    let formula = move |grads: &[Option<Tensor>], _needs: &[bool]| {
        Python::attach(|py| -> PyResult<Vec<Option<Tensor>>> {
            let r = backward.call1(py, grads_tuple(py, grads)?)?;
            Ok(grads_from(r.bind(py), n_inputs, "backward")?
                .unwrap_or_else(|| vec![None; n_inputs]))
        })
        .map_err(hook_failed)
    };
    let mut spec = NodeSpec::new(name, saved.clone(), formula);
    spec.materialize_grads = materialize_grads;
    let in_refs: Vec<&Tensor> = ins.iter().collect();
    let out_refs: Vec<&Tensor> = outs.iter().collect();
    let node = core_autograd::attach(&in_refs, &out_refs, spec);
    with_slot(&node, |s| s.ctx = Some(ctx));
    Ok(saved
        .into_iter()
        .map(|saved| PySavedTensor { saved })
        .collect())
}

fn tensors(list: &[PyRef<'_, PyTensor>]) -> Vec<Tensor> {
    list.iter().map(|t| t.t.clone()).collect()
}

fn optional_tensors(list: &[Option<PyRef<'_, PyTensor>>]) -> Vec<Option<Tensor>> {
    list.iter()
        .map(|t| t.as_ref().map(|t| t.t.clone()))
        .collect()
}

/// The tensors of a backward call: outputs, their gradients (None: implicit), inputs.
type EngineArgs = (Vec<Tensor>, Vec<Option<Tensor>>, Vec<Tensor>);

fn engine_args(
    outputs: &[PyRef<'_, PyTensor>],
    grad_outputs: &[Option<PyRef<'_, PyTensor>>],
    inputs: &[PyRef<'_, PyTensor>],
) -> EngineArgs {
    (
        tensors(outputs),
        optional_tensors(grad_outputs),
        tensors(inputs),
    )
}

/// Runs the engine with the GIL released (Python hooks take it back); an exception a hook
/// raised comes back as itself.
fn run_engine<T: Send>(
    py: Python<'_>,
    op: &'static str,
    f: impl FnOnce() -> ferrograd_core::Result<T> + Send,
) -> PyResult<T> {
    restore_hook_error(py.detach(|| core(op, f)))
}

/// `autograd.backward` (and `Tensor.backward`), after the Python side normalised the arguments.
#[pyfunction]
pub fn _backward(
    py: Python<'_>,
    outputs: Vec<PyRef<'_, PyTensor>>,
    grad_outputs: Vec<Option<PyRef<'_, PyTensor>>>,
    retain_graph: bool,
    create_graph: bool,
    inputs: Vec<PyRef<'_, PyTensor>>,
) -> PyResult<()> {
    let (outs, grads, ins) = engine_args(&outputs, &grad_outputs, &inputs);
    let options = BackwardOptions {
        retain_graph,
        create_graph,
    };
    run_engine(py, "backward", || {
        core_autograd::backward(&outs, &grads, &ins, options)
    })
}

/// `autograd.grad`, after the Python side normalised the arguments.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn _grad(
    py: Python<'_>,
    outputs: Vec<PyRef<'_, PyTensor>>,
    grad_outputs: Vec<Option<PyRef<'_, PyTensor>>>,
    inputs: Vec<PyRef<'_, PyTensor>>,
    retain_graph: bool,
    create_graph: bool,
    allow_unused: bool,
) -> PyResult<Vec<Option<Py<PyTensor>>>> {
    let (outs, grads, ins) = engine_args(&outputs, &grad_outputs, &inputs);
    let options = BackwardOptions {
        retain_graph,
        create_graph,
    };
    let result = run_engine(py, "grad", || {
        core_autograd::grad(&outs, &grads, &ins, options, allow_unused)
    })?;
    result
        .into_iter()
        .map(|g| g.map(|t| wrap(py, t)).transpose())
        .collect()
}

#[pyfunction]
pub fn is_grad_enabled() -> bool {
    grad_mode::is_grad_enabled()
}

/// Sets grad mode on this thread; returns the previous mode.
#[pyfunction]
pub fn _set_grad_enabled(enabled: bool) -> bool {
    grad_mode::set_grad_enabled(enabled)
}

#[pyfunction]
pub fn is_inference_mode_enabled() -> bool {
    grad_mode::is_inference_mode_enabled()
}

#[pyfunction]
pub fn _set_inference_mode(enabled: bool) -> bool {
    grad_mode::set_inference_mode(enabled)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNode>()?;
    m.add_class::<PySavedTensor>()?;
    m.add_function(wrap_pyfunction!(_backward, m)?)?;
    m.add_function(wrap_pyfunction!(_grad, m)?)?;
    m.add_function(wrap_pyfunction!(_record_function, m)?)?;
    m.add_function(wrap_pyfunction!(is_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_set_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(is_inference_mode_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_set_inference_mode, m)?)?;
    crate::anomaly::register(m)
}
