//! Recording: when an op runs on inputs that require grad (and grad mode is on), its results
//! get a node whose edges lead to the inputs' nodes. The op's own computation runs with grad
//! mode off, so the ops it is built from record nothing themselves.

use std::sync::Arc;

use super::anomaly;
use super::copy_slices::rebase_through_view;
use super::grad_mode::{is_grad_enabled, no_grad};
use super::node::{Node, NodeSpec, TensorInfo};
use crate::device_scope::DeviceScope;
use crate::error::{Error, ErrorKind, Result};
use crate::tensor::{Tensor, ViewMeta};

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
    anomaly::node_recorded(&node);
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
    let _on = DeviceScope::of(inputs)?;
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
    let _on = DeviceScope::of(inputs)?;
    if !needs_grad(inputs) {
        return forward();
    }
    let outs = no_grad(forward)?;
    let refs: Vec<&Tensor> = outs.iter().collect();
    attach(inputs, &refs, spec(&outs)?);
    Ok(outs)
}

/// Records an op with two results (values and indices, or two statistics) under one node:
/// `tracked_many` for a pair.
pub fn tracked_pair(
    inputs: &[&Tensor],
    forward: impl FnOnce() -> Result<(Tensor, Tensor)>,
    spec: impl FnOnce(&Tensor, &Tensor) -> Result<NodeSpec>,
) -> Result<(Tensor, Tensor)> {
    let outs = tracked_many(
        inputs,
        || forward().map(|(a, b)| vec![a, b]),
        |outs| spec(&outs[0], &outs[1]),
    )?;
    let mut outs = outs.into_iter();
    match (outs.next(), outs.next()) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(Error::runtime("an op with two results returned fewer")),
    }
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
/// later writes cannot change it); then it is written into the target.
///
/// A target that is not a view takes the new node as its history (PyTorch's "rebase"):
/// `h.add_(1)` shows `AddBackward0`. A view's write changes its base, so the base's history
/// becomes `CopySlices` over the new node, and the view's own is rebuilt from the base's when
/// next asked for (as is that of every other view of the base).
///
/// `op` gets that copy in place of the target.
pub fn tracked_in_place(
    target: &Tensor,
    op: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    let _on = target.device_scope();
    check_in_place(target)?;
    let view = target.view_meta();
    let old = no_grad(|| target.deep_clone())?;
    if let Some(node) = target.grad_fn() {
        old.set_history(node, target.output_nr());
    }
    let result = op(&old)?;
    // Under no_grad, `copy_` only writes (and counts the write in the version counter).
    no_grad(|| target.copy_(&result))?;
    if let Some(node) = result.grad_fn() {
        match view {
            Some(view) => rebase_through_view(&view.base, target.layout(), node),
            None => target.set_history(node, result.output_nr()),
        }
    }
    Ok(target.clone())
}

/// PyTorch's refusals of an in-place op (a write, or an in-place view op such as
/// `unsqueeze_`) on a tensor that needs grad, with grad mode on: a leaf, and some views.
pub(crate) fn check_in_place(target: &Tensor) -> Result<()> {
    if let Some(view) = &target.view_meta() {
        check_view_writable(view)?;
    }
    if target.is_leaf() && target.requires_grad() {
        return Err(Error::runtime(
            "a leaf Variable that requires grad is being used in an in-place operation.",
        ));
    }
    Ok(())
}

/// The views PyTorch refuses to write into with grad mode on, in the order it checks them.
fn check_view_writable(view: &ViewMeta) -> Result<()> {
    if let Some((op, nr)) = view.multi_output {
        return Err(Error::runtime(format!(
            "Output {nr} of {op} is a view and is being modified inplace. This view is the output of a function that returns multiple views. Such functions do not allow the output views to be modified inplace. You should replace the inplace operation by an out-of-place one."
        )));
    }
    if !view.created_in_grad_mode {
        return Err(Error::runtime(
            "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).",
        ));
    }
    if view.base.is_leaf() && view.base.requires_grad() {
        return Err(Error::runtime(
            "a view of a leaf Variable that requires grad is being used in an in-place operation.",
        ));
    }
    Ok(())
}
