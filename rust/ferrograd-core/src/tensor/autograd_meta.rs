//! What a tensor knows about the graph: whether it is a leaf that requires grad, its `grad`,
//! the node that produced it (`grad_fn`, and which of that node's outputs it is), its
//! accumulator if it is a leaf, and its hooks.

use std::sync::{Arc, RwLockReadGuard, RwLockWriteGuard, Weak};

use super::view_meta::ViewMeta;
use super::{Tensor, TensorImpl};
use crate::autograd::node::{Edge, Node, TensorHook};
use crate::error::{Error, Result};

#[derive(Default)]
pub(crate) struct AutogradMeta {
    /// Set by the user on a leaf (`requires_grad_()`); results of recorded ops have `grad_fn`.
    pub requires_grad: bool,
    pub grad: Option<Tensor>,
    pub grad_fn: Option<Arc<Node>>,
    pub output_nr: usize,
    /// A leaf's AccumulateGrad node, shared by every op that uses the leaf while a graph holds
    /// it (weak here, so a leaf does not keep a graph alive).
    pub grad_accumulator: Weak<Node>,
    pub retains_grad: bool,
    /// A leaf's hooks (a non-leaf's live on its `grad_fn`): (id, hook).
    pub hooks: Vec<(u64, TensorHook)>,
    /// Set for views: the base they show and what autograd needs to know about them.
    pub view: Option<ViewMeta>,
}

/// A tensor handle that does not keep the tensor alive.
#[derive(Clone)]
pub struct WeakTensor(Weak<TensorImpl>);

impl WeakTensor {
    pub fn upgrade(&self) -> Option<Tensor> {
        self.0.upgrade().map(Tensor)
    }
}

impl Tensor {
    pub(super) fn meta(&self) -> RwLockReadGuard<'_, AutogradMeta> {
        self.0.autograd.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn meta_mut(&self) -> RwLockWriteGuard<'_, AutogradMeta> {
        self.0.autograd.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether this handle is the only way to reach its data (so it may be kept without a
    /// copy: nobody else can change it).
    pub(crate) fn is_uniquely_owned(&self) -> bool {
        Arc::strong_count(&self.0) == 1 && self.storage().is_unique()
    }

    pub fn downgrade(&self) -> WeakTensor {
        WeakTensor(Arc::downgrade(&self.0))
    }

    /// Whether gradients flow to this tensor: a leaf that asked for them, or a result of a
    /// recorded op.
    pub fn requires_grad(&self) -> bool {
        let base = {
            let meta = self.meta();
            if meta.requires_grad || meta.grad_fn.is_some() {
                return true;
            }
            match &meta.view {
                Some(view) => view.base.clone(),
                None => return false,
            }
        };
        // A view of a tensor that requires grad does too, even one made under no_grad (it is
        // then a leaf, as in PyTorch).
        base.requires_grad()
    }

    /// For a view whose memory was written in place since its history was set: its base
    /// (whose history its own must be rebuilt from).
    fn stale_view_base(&self, meta: &AutogradMeta) -> Option<Tensor> {
        meta.view
            .as_ref()
            .filter(|v| v.created_in_grad_mode && v.attr_version != self.version())
            .map(|v| v.base.clone())
    }

    /// `requires_grad_()`: only on leaves (results of recorded ops always require grad).
    pub fn set_requires_grad(&self, requires_grad: bool) -> Result<()> {
        if requires_grad && !self.dtype().is_floating_point() {
            return Err(Error::runtime(
                "only Tensors of floating point dtype can require gradients",
            ));
        }
        let mut meta = self.meta_mut();
        if meta.grad_fn.is_some() {
            if requires_grad {
                return Ok(());
            }
            return Err(Error::runtime("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."));
        }
        meta.requires_grad = requires_grad;
        Ok(())
    }

    /// `detach_()`: this tensor leaves the graph (it becomes a leaf that needs no gradient).
    pub fn detach_(&self) {
        let mut meta = self.meta_mut();
        meta.grad_fn = None;
        meta.output_nr = 0;
        meta.requires_grad = false;
    }

    /// A leaf: created by the user, not by a recorded op.
    pub fn is_leaf(&self) -> bool {
        self.grad_fn().is_none()
    }

    pub fn grad_fn(&self) -> Option<Arc<Node>> {
        let (grad_fn, stale_base) = {
            let meta = self.meta();
            (meta.grad_fn.clone(), self.stale_view_base(&meta))
        };
        match stale_base {
            Some(base) => crate::autograd::view_history::rebuild(self, &base).or(grad_fn),
            None => grad_fn,
        }
    }

    /// Which output of its `grad_fn` this tensor is.
    pub fn output_nr(&self) -> usize {
        self.meta().output_nr
    }

    pub fn grad(&self) -> Option<Tensor> {
        self.meta().grad.clone()
    }

    pub fn set_grad(&self, grad: Option<Tensor>) {
        self.meta_mut().grad = grad;
    }

    pub fn retains_grad(&self) -> bool {
        self.meta().retains_grad
    }

    /// `retain_grad()`: a non-leaf keeps its gradient in `.grad` (a no-op on leaves).
    pub fn retain_grad(&self) -> Result<()> {
        let grad_fn = self.grad_fn();
        if grad_fn.is_none() && !self.meta().requires_grad {
            return Err(Error::runtime(
                "can't retain_grad on Tensor that has requires_grad=False",
            ));
        }
        if let Some(node) = grad_fn {
            node.add_retain_grad(self.output_nr(), self);
            self.meta_mut().retains_grad = true;
        }
        Ok(())
    }

    /// Makes this tensor the `output_nr`-th result of `node` (recording an op).
    pub(crate) fn set_history(&self, node: Arc<Node>, output_nr: usize) {
        let version = self.version();
        let mut meta = self.meta_mut();
        meta.grad_fn = Some(node);
        meta.output_nr = output_nr;
        if let Some(view) = meta.view.as_mut() {
            // Recorded by an op, so made with grad mode on; and current as of now.
            view.created_in_grad_mode = true;
            view.attr_version = version;
        }
    }

    /// A handle to the same data that carries `node` as its history (a saved output, unpacked).
    pub(crate) fn alias_with_history(&self, node: Arc<Node>, output_nr: usize) -> Tensor {
        let alias = self.alias(self.layout().clone());
        alias.set_history(node, output_nr);
        alias
    }

    /// A leaf's AccumulateGrad node, created on first use and shared while a graph holds it.
    pub fn grad_accumulator(&self) -> Arc<Node> {
        let mut meta = self.meta_mut();
        if let Some(node) = meta.grad_accumulator.upgrade() {
            return node;
        }
        let node = Arc::new(Node::accumulate_grad(self));
        meta.grad_accumulator = Arc::downgrade(&node);
        node
    }

    /// Where a gradient for this tensor goes: its `grad_fn`, or its accumulator if it is a leaf
    /// that requires grad; `None` if it needs none.
    pub fn gradient_edge(&self) -> Option<Edge> {
        let grad_fn = self.grad_fn();
        let output_nr = self.meta().output_nr;
        let leaf = grad_fn.is_none() && self.requires_grad();
        match grad_fn {
            Some(node) => Some(Edge {
                node,
                input_nr: output_nr,
            }),
            None if leaf => Some(Edge {
                node: self.grad_accumulator(),
                input_nr: 0,
            }),
            None => None,
        }
    }

    /// `t.data = new_data`: a tensor over `new_data`'s memory (it gets a version counter of
    /// its own) that keeps what autograd knows of `self`: requires_grad, `.grad`, retain_grad,
    /// its history and its leaf hooks. The binding swaps it in under the same Python object.
    pub fn with_data_of(&self, new_data: &Tensor) -> Tensor {
        let swapped = new_data.data();
        {
            let old = self.meta();
            let mut meta = swapped.meta_mut();
            meta.requires_grad = old.requires_grad;
            meta.grad = old.grad.clone();
            meta.grad_fn = old.grad_fn.clone();
            meta.output_nr = old.output_nr;
            meta.retains_grad = old.retains_grad;
            meta.hooks = old.hooks.clone();
        }
        swapped
    }

    /// `register_hook` on a leaf (kept on the tensor; run before accumulation).
    pub fn add_leaf_hook(&self, hook: TensorHook) -> u64 {
        let id = crate::autograd::node::next_hook_id();
        self.meta_mut().hooks.push((id, hook));
        id
    }

    pub fn remove_leaf_hook(&self, id: u64) -> bool {
        let mut meta = self.meta_mut();
        let before = meta.hooks.len();
        meta.hooks.retain(|(i, _)| *i != id);
        before != meta.hooks.len()
    }

    pub(crate) fn leaf_hooks(&self) -> Vec<TensorHook> {
        self.meta().hooks.iter().map(|(_, h)| h.clone()).collect()
    }
}
