//! `CopySlices`: the history of a base after an in-place op wrote through one of its views.
//!
//! `v = b[0]; v.mul_(2)` changes part of `b`. Its new history, as PyTorch records it, is one
//! node over the base's old history and the op's other inputs: the base's gradient passes
//! through unchanged outside the view; inside the view's region it is replaced by what the
//! op's own backward (here `MulBackward0`) gives for the view's old values.

use std::sync::Arc;

use super::anomaly;
use super::node::{BackwardFn, Node, NodeSpec, TensorInfo};
use crate::dtype::Scalar;
use crate::error::Result;
use crate::layout::Layout;
use crate::strided::offsets;
use crate::tensor::Tensor;

/// Makes `CopySlices` the history of `base`, after `op` (the node of the in-place op, whose
/// input 0 is the old value of the view with layout `view`) wrote into it.
pub(crate) fn rebase_through_view(base: &Tensor, view: &Layout, op: Arc<Node>) {
    let mut next = vec![base.gradient_edge()];
    next.extend(op.next_edges().iter().skip(1).cloned());
    let mut inputs = vec![TensorInfo::of(base)];
    inputs.extend(op.input_info().iter().skip(1).cloned());
    let spec = NodeSpec {
        name: "CopySlices".into(),
        // The op's saved tensors are freed with this node's, after a backward.
        saved: op.saved().to_vec(),
        backward: copy_slices_back(base.layout().clone(), view.clone(), op),
        materialize_grads: true,
    };
    let node = Arc::new(Node::function(
        spec,
        next,
        inputs,
        vec![TensorInfo::of(base)],
    ));
    anomaly::node_recorded(&node);
    base.set_history(node, 0);
}

/// The base's gradient, with the view's region replaced by what the op's backward gives for
/// the view's old values; and the op's gradients for its other inputs.
fn copy_slices_back(base: Layout, view: Layout, op: Arc<Node>) -> BackwardFn {
    Box::new(move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let region = region_in_base(&base, &view)?;
        let flat = g.reshape(&[-1])?;
        let view_shape: Vec<i64> = view.shape().iter().map(|&n| n as i64).collect();
        let g_view = flat.index_select(0, &region)?.reshape(&view_shape)?;
        let op_backward = op.backward_fn().expect("a recorded op has a backward");
        let mut grads_in = op_backward(&[Some(g_view)], needs)?;
        let of_view = std::mem::take(&mut grads_in[0]);
        grads_in[0] = if needs[0] {
            let replaced = match of_view {
                Some(gv) => flat.index_copy(0, &region, &gv.reshape(&[-1])?)?,
                // The op's result does not depend on the old values (`fill_`, `copy_`).
                None => flat.index_fill(0, &region, Scalar::Float(0.0))?,
            };
            let base_shape: Vec<i64> = base.shape().iter().map(|&n| n as i64).collect();
            Some(replaced.reshape(&base_shape)?)
        } else {
            None
        };
        Ok(grads_in)
    })
}

/// For each element of the view (row-major), its index in the base's row-major order. The
/// view lies inside the base's memory and, being written in place, shows no element twice.
fn region_in_base(base: &Layout, view: &Layout) -> Result<Tensor> {
    let lo = base.offset();
    let mut index_of = vec![-1i64; base.storage_extent().saturating_sub(lo)];
    for (i, o) in offsets(base).enumerate() {
        index_of[o - lo] = i as i64;
    }
    let region: Vec<i64> = offsets(view)
        .map(|o| {
            o.checked_sub(lo)
                .and_then(|p| index_of.get(p).copied())
                .unwrap_or(-1)
        })
        .collect();
    debug_assert!(
        region.iter().all(|&i| i >= 0),
        "a view lies inside its base"
    );
    Tensor::from_vec(region, &[view.numel()])
}
