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
