//! Recording: when an op runs on inputs that require grad (and grad mode is on), its results
//! get a node whose edges lead to the inputs' nodes. The op's own computation runs with grad
//! mode off, so the ops it is built from record nothing themselves.

use std::sync::Arc;

use super::grad_mode::{is_grad_enabled, no_grad};
use super::node::{Node, NodeSpec, TensorInfo};
use crate::error::{Error, ErrorKind, Result};
use crate::tensor::Tensor;

/// Whether an op on `inputs` records a node.
pub fn needs_grad(inputs: &[&Tensor]) -> bool {
    is_grad_enabled() && inputs.iter().any(|t| t.requires_grad())
}

/// Creates the node for an op on `inputs` whose results are `outputs`, and makes it their
/// history. Results that cannot carry gradients (integer indices) stay leaves.
pub fn attach(inputs: &[&Tensor], outputs: &[&Tensor], spec: NodeSpec) -> Arc<Node> {
    let next = inputs.iter().map(|t| t.gradient_edge()).collect();
    let input_info = inputs.iter().map(|t| TensorInfo::of(t)).collect();
    let output_info = outputs.iter().map(|t| TensorInfo::of(t)).collect();
    let saved = spec.saved.clone();
    let node = Arc::new(Node::function(spec, next, input_info, output_info));
    for s in &saved {
        s.bind_output(&node);
    }
    for (nr, out) in outputs.iter().enumerate() {
        if out.dtype().is_floating_point() {
            out.set_history(node.clone(), nr);
        }
    }
    node
}

/// Runs a one-result op: `forward` computes it (recording nothing inside); when the inputs
/// need it, `spec` builds the node from the result. A result that is one of the inputs itself
/// (an op that had nothing to do) gets no node: it already has the right history.
pub fn tracked(
    inputs: &[&Tensor],
    forward: impl FnOnce() -> Result<Tensor>,
    spec: impl FnOnce(&Tensor) -> Result<NodeSpec>,
) -> Result<Tensor> {
    if !needs_grad(inputs) {
        return forward();
    }
    let out = no_grad(forward)?;
    if inputs.iter().any(|t| t.is_same(&out)) {
        return Ok(out);
    }
    attach(inputs, &[&out], spec(&out)?);
    Ok(out)
}

/// Runs an op with several results (values and their indices, the factors of a
/// decomposition) under one node, as `tracked` does for one result. Results with integer
/// dtypes (indices) stay leaves; their gradients are never asked for.
pub fn tracked_many(
    inputs: &[&Tensor],
    forward: impl FnOnce() -> Result<Vec<Tensor>>,
    spec: impl FnOnce(&[Tensor]) -> Result<NodeSpec>,
) -> Result<Vec<Tensor>> {
    if !needs_grad(inputs) {
        return forward();
    }
    let outs = no_grad(forward)?;
    let refs: Vec<&Tensor> = outs.iter().collect();
    attach(inputs, &refs, spec(&outs)?);
    Ok(outs)
}

/// For ops whose backward formula has not landed yet: refuses inputs that need a gradient
/// (PyTorch's NotImplementedError for a missing derivative), so that a result never silently
/// drops out of the graph.
pub fn no_formula_yet(op: &str, inputs: &[&Tensor]) -> Result<()> {
    if needs_grad(inputs) {
        return Err(Error::Other {
            kind: ErrorKind::NotImplemented,
            msg: format!("the derivative for '{op}' is not implemented."),
        });
    }
    Ok(())
}

/// An in-place op on a tensor that is (or becomes) part of a graph: `target = op(target, ..)`.
/// The result is computed out of place and recorded, from a copy of the target's old value
/// that keeps the target's old history (so a formula that needs the old value has it, and
/// later writes cannot change it); then it is written into the target, which takes the new
/// node as its history (PyTorch's "rebase"): `h.add_(1)` shows `AddBackward0`.
///
/// `op` gets that copy in place of the target. A target that shares its memory with another
/// tensor (a view, a base with views, a value saved by some node) is refused for now:
/// rewriting the history of the tensors it shares memory with is not implemented yet.
pub fn tracked_in_place(
    name: &str,
    target: &Tensor,
    op: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    if target.is_leaf() && target.requires_grad() {
        return Err(Error::runtime(
            "a leaf Variable that requires grad is being used in an in-place operation.",
        ));
    }
    if !target.storage().is_unique() {
        return Err(Error::runtime(format!(
            "{name}_(): an in-place operation on a tensor that shares its memory with another tensor of a graph (a view, a tensor with views, or a value saved for backward) is not differentiable in ferrograd yet; use the out-of-place {name}()"
        )));
    }
    let old = no_grad(|| target.deep_clone())?;
    if let Some(node) = target.grad_fn() {
        old.set_history(node, target.output_nr());
    }
    let result = op(&old)?;
    // `copy_` counts the write in the version counter.
    no_grad(|| target.copy_(&result))?;
    if let Some(node) = result.grad_fn() {
        target.set_history(node, result.output_nr());
    }
    Ok(target.clone())
}

/// For in-place writes that are not recorded yet (`copy_`, `fill_`): refuses a target or
/// source that needs a gradient, with PyTorch's message for a leaf that requires grad.
pub fn untracked_write(op: &str, target: &Tensor, sources: &[&Tensor]) -> Result<()> {
    if !is_grad_enabled() {
        return Ok(());
    }
    if target.is_leaf() && target.requires_grad() {
        return Err(Error::runtime(
            "a leaf Variable that requires grad is being used in an in-place operation.",
        ));
    }
    let mut all = vec![target];
    all.extend_from_slice(sources);
    no_formula_yet(op, &all)
}
