//! A node of the graph (`grad_fn`): one recorded op, with an edge to the node of each of its
//! inputs (`next_functions`), the function that turns its outputs' gradients into its inputs'
//! gradients, the tensors it saved for that, and the hooks users registered on it.

use std::any::Any;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::saved::SavedTensor;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::{Tensor, WeakTensor};

/// Gradients of a node's outputs in, gradients of its inputs out (`None`: no gradient). The
/// flags say which inputs need a gradient at all (`ctx.needs_input_grad`), so that a formula
/// can skip the work for the others (the weight-only half of a matrix product's backward).
pub type BackwardFn =
    Box<dyn Fn(&[Option<Tensor>], &[bool]) -> Result<Vec<Option<Tensor>>> + Send + Sync>;

/// `tensor.register_hook(fn)`: sees the gradient of one tensor and may replace it.
pub type TensorHook = Arc<dyn Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync>;

/// `grad_fn.register_prehook(fn)`: sees the gradients of the node's outputs, may replace them.
pub type PreHook =
    Arc<dyn Fn(&[Option<Tensor>]) -> Result<Option<Vec<Option<Tensor>>>> + Send + Sync>;

/// `grad_fn.register_hook(fn)`: sees (grad_inputs, grad_outputs) after the node ran and may
/// replace grad_inputs.
pub type PostHook = Arc<
    dyn Fn(&[Option<Tensor>], &[Option<Tensor>]) -> Result<Option<Vec<Option<Tensor>>>>
        + Send
        + Sync,
>;

/// Where a gradient goes: input `input_nr` of `node` (the output number of the tensor there).
#[derive(Clone)]
pub struct Edge {
    pub node: Arc<Node>,
    pub input_nr: usize,
}

/// The shape and dtype of a tensor the node saw, to check and cast gradients against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorInfo {
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub device: crate::device::Device,
}

impl TensorInfo {
    pub fn of(t: &Tensor) -> TensorInfo {
        TensorInfo {
            shape: t.shape().to_vec(),
            dtype: t.dtype(),
            device: t.device(),
        }
    }

    pub fn zeros(&self) -> Result<Tensor> {
        let _on = crate::device_scope::DeviceScope::enter(self.device);
        Tensor::zeros(&self.shape, self.dtype)
    }
}

pub enum NodeKind {
    /// A recorded op.
    Function,
    /// The end of the graph at a leaf that requires grad: adds the gradient into `leaf.grad`.
    AccumulateGrad(WeakTensor),
}

#[derive(Default)]
struct Hooks {
    /// (id, output_nr, hook): hooks of the tensors this node produced.
    tensor: Vec<(u64, usize, TensorHook)>,
    /// (output_nr, tensor): tensors that called `retain_grad()`; their hooks run last.
    retain: Vec<(usize, WeakTensor)>,
    pre: Vec<(u64, PreHook)>,
    post: Vec<(u64, PostHook)>,
}

pub struct Node {
    name: Cow<'static, str>,
    seq: u64,
    next: Vec<Option<Edge>>,
    inputs: Vec<TensorInfo>,
    outputs: Vec<TensorInfo>,
    kind: NodeKind,
    backward: Option<BackwardFn>,
    saved: Vec<SavedTensor>,
    materialize_grads: bool,
    hooks: Mutex<Hooks>,
    /// Room for the binding's per-node state (the Python `metadata` dict).
    pub binding_slot: Mutex<Option<Box<dyn Any + Send + Sync>>>,
}

static NEXT_SEQ: AtomicU64 = AtomicU64::new(0);
static NEXT_HOOK_ID: AtomicU64 = AtomicU64::new(0);

/// A fresh id for a hook, to remove it by later.
pub fn next_hook_id() -> u64 {
    NEXT_HOOK_ID.fetch_add(1, Ordering::Relaxed)
}

/// What a recorded op contributes to its node.
pub struct NodeSpec {
    pub name: Cow<'static, str>,
    pub saved: Vec<SavedTensor>,
    pub backward: BackwardFn,
    /// False for custom Functions that asked for `None` instead of zeros.
    pub materialize_grads: bool,
}

impl NodeSpec {
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        saved: Vec<SavedTensor>,
        backward: impl Fn(&[Option<Tensor>], &[bool]) -> Result<Vec<Option<Tensor>>>
            + Send
            + Sync
            + 'static,
    ) -> NodeSpec {
        NodeSpec {
            name: name.into(),
            saved,
            backward: Box::new(backward),
            materialize_grads: true,
        }
    }
}

impl Node {
    pub(crate) fn function(
        spec: NodeSpec,
        next: Vec<Option<Edge>>,
        inputs: Vec<TensorInfo>,
        outputs: Vec<TensorInfo>,
    ) -> Node {
        Node {
            name: spec.name,
            seq: NEXT_SEQ.fetch_add(1, Ordering::Relaxed),
            next,
            inputs,
            outputs,
            kind: NodeKind::Function,
            backward: Some(spec.backward),
            saved: spec.saved,
            materialize_grads: spec.materialize_grads,
            hooks: Mutex::new(Hooks::default()),
            binding_slot: Mutex::new(None),
        }
    }

    /// The accumulator of a leaf. It runs as soon as it is ready (PyTorch gives it the largest
    /// sequence number for that).
    pub(crate) fn accumulate_grad(leaf: &Tensor) -> Node {
        Node {
            name: Cow::Borrowed("AccumulateGrad"),
            seq: u64::MAX,
            next: Vec::new(),
            inputs: Vec::new(),
            outputs: vec![TensorInfo::of(leaf)],
            kind: NodeKind::AccumulateGrad(leaf.downgrade()),
            backward: None,
            saved: Vec::new(),
            materialize_grads: false,
            hooks: Mutex::new(Hooks::default()),
            binding_slot: Mutex::new(None),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name when it is a constant (every built-in node's), for the GPU's fallback warning.
    pub fn static_name(&self) -> Option<&'static str> {
        match self.name {
            Cow::Borrowed(name) => Some(name),
            Cow::Owned(_) => None,
        }
    }

    /// Creation order: among nodes ready to run, the largest runs first.
    pub fn sequence_nr(&self) -> u64 {
        self.seq
    }

    /// `next_functions`: one entry per input; `None` for inputs that need no gradient.
    pub fn next_edges(&self) -> &[Option<Edge>] {
        &self.next
    }

    pub fn input_info(&self) -> &[TensorInfo] {
        &self.inputs
    }

    pub fn output_info(&self) -> &[TensorInfo] {
        &self.outputs
    }

    pub fn kind(&self) -> &NodeKind {
        &self.kind
    }

    /// The leaf of an AccumulateGrad node (`grad_fn.variable`), while it is alive.
    pub fn variable(&self) -> Option<Tensor> {
        match &self.kind {
            NodeKind::AccumulateGrad(leaf) => leaf.upgrade(),
            NodeKind::Function => None,
        }
    }

    pub fn materialize_grads(&self) -> bool {
        self.materialize_grads
    }

    pub(crate) fn backward_fn(&self) -> Option<&BackwardFn> {
        self.backward.as_ref()
    }

    pub(crate) fn saved(&self) -> &[SavedTensor] {
        &self.saved
    }

    /// Frees the saved tensors (after a backward without `retain_graph`).
    pub(crate) fn release_saved(&self) {
        for s in &self.saved {
            s.release();
        }
    }

    fn hooks(&self) -> MutexGuard<'_, Hooks> {
        self.hooks.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn add_tensor_hook(&self, output_nr: usize, hook: TensorHook) -> u64 {
        let id = next_hook_id();
        self.hooks().tensor.push((id, output_nr, hook));
        id
    }

    /// Output `output_nr`'s gradient goes to `t.grad`. A second call for the same output hands
    /// it to the new tensor (the same tensor under a new handle after an in-place view op).
    pub(crate) fn add_retain_grad(&self, output_nr: usize, t: &Tensor) {
        let mut hooks = self.hooks();
        hooks.retain.retain(|(nr, _)| *nr != output_nr);
        hooks.retain.push((output_nr, t.downgrade()));
    }

    pub fn add_pre_hook(&self, hook: PreHook) -> u64 {
        let id = next_hook_id();
        self.hooks().pre.push((id, hook));
        id
    }

    pub fn add_post_hook(&self, hook: PostHook) -> u64 {
        let id = next_hook_id();
        self.hooks().post.push((id, hook));
        id
    }

    /// Removes the hook with this id; whether there was one.
    pub fn remove_hook(&self, id: u64) -> bool {
        let mut hooks = self.hooks();
        let before = hooks.tensor.len() + hooks.pre.len() + hooks.post.len();
        hooks.tensor.retain(|(i, _, _)| *i != id);
        hooks.pre.retain(|(i, _)| *i != id);
        hooks.post.retain(|(i, _)| *i != id);
        before != hooks.tensor.len() + hooks.pre.len() + hooks.post.len()
    }

    /// The tensor hooks of one output, in registration order (copied out, so that a hook may
    /// register more hooks without deadlocking).
    pub(crate) fn tensor_hooks(&self, output_nr: usize) -> Vec<TensorHook> {
        let hooks = self.hooks();
        hooks
            .tensor
            .iter()
            .filter(|(_, nr, _)| *nr == output_nr)
            .map(|(_, _, h)| h.clone())
            .collect()
    }

    pub(crate) fn retained(&self) -> Vec<(usize, WeakTensor)> {
        self.hooks().retain.clone()
    }

    pub(crate) fn pre_hooks(&self) -> Vec<PreHook> {
        self.hooks().pre.iter().map(|(_, h)| h.clone()).collect()
    }

    pub(crate) fn post_hooks(&self) -> Vec<PostHook> {
        self.hooks().post.iter().map(|(_, h)| h.clone()).collect()
    }

    /// An identity for maps keyed by node.
    pub(crate) fn id(self: &Arc<Self>) -> usize {
        Arc::as_ptr(self) as usize
    }
}
