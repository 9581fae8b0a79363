//! The history of a view after its memory was written in place. A view and its base share
//! one version counter; when it has moved on since the view's history was set, some in-place
//! op changed the memory (through the base or through another view), and the view's values
//! now come from the base's new history. Its `grad_fn` is rebuilt as PyTorch does: an
//! `AsStridedBackward0` that takes the view's elements out of the base.

use std::sync::Arc;

use super::formulas::shape::as_strided_back;
use super::node::Node;
use super::record::attach;
use crate::tensor::Tensor;

/// Rebuilds the history of `view` (whose shared memory changed) from its `base`; `None` when
/// the base needs no gradient, so the view has none either.
pub(crate) fn rebuild(view: &Tensor, base: &Tensor) -> Option<Arc<Node>> {
    if !base.requires_grad() {
        return None;
    }
    let spec = as_strided_back(base.layout().clone(), view.layout().clone());
    Some(attach(&[base], &[view], spec))
}
