//! The history of a view after its memory was written in place. A view and its base share
//! one version counter; when it has moved on since the view's history was set, some in-place
//! op changed the memory (through the base or through another view), and the view's values
//! now come from the base's new history. Its `grad_fn` is rebuilt as PyTorch does: an
//! `AsStridedBackward0` that takes the view's elements out of the base.

use std::sync::Arc;

use super::node::{Node, NodeSpec};
use super::record::attach;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::layout::Layout;
use crate::strided::offsets;
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

/// Where the elements of the two layouts sit, as positions in one buffer that covers both:
/// `(positions of a, positions of b, buffer length)`, each a flat I64 tensor in the layout's
/// row-major element order.
pub(crate) fn shared_positions(a: &Layout, b: &Layout) -> Result<(Tensor, Tensor, usize)> {
    let lo = a.offset().min(b.offset());
    let len = a
        .storage_extent()
        .max(b.storage_extent())
        .saturating_sub(lo);
    let of = |l: &Layout| -> Result<Tensor> {
        let pos: Vec<i64> = offsets(l).map(|o| (o - lo) as i64).collect();
        Tensor::from_vec(pos, &[l.numel()])
    };
    Ok((of(a)?, of(b)?, len))
}

/// `AsStridedBackward0`: the view's gradient added into a buffer shaped like the shared memory
/// (elements the view shows twice, as an expanded view does, get both contributions), then
/// read back in the base's layout. Written with Tensor ops, so it is differentiable itself.
pub(crate) fn as_strided_back(base: Layout, view: Layout) -> NodeSpec {
    NodeSpec::new("AsStridedBackward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        let (base_pos, view_pos, len) = shared_positions(&base, &view)?;
        let memory = Tensor::zeros(&[len], g.dtype())?;
        let memory = memory.index_add(0, &view_pos, &g.reshape(&[-1])?, Scalar::Int(1))?;
        let base_shape: Vec<i64> = base.shape().iter().map(|&n| n as i64).collect();
        Ok(vec![Some(memory.take(&base_pos)?.reshape(&base_shape)?)])
    })
}
