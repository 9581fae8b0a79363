//! What a view knows about the tensor whose memory it shows (PyTorch's `_base`). Autograd
//! needs it twice: an in-place write through a view must become part of the base's history
//! (`CopySlices`), and a view must see in-place writes made to its base or to another view of
//! it (its `grad_fn` is rebuilt from the base's new history when the shared version counter
//! moved on since the view's history was set).

use super::Tensor;
use crate::autograd::is_grad_enabled;

#[derive(Clone)]
pub(crate) struct ViewMeta {
    /// The tensor that owns the memory; never itself a view (a view of a view points to the
    /// root), as in PyTorch.
    pub base: Tensor,
    /// A view made with grad mode off may not be written in place with it on: whether that
    /// write should be recorded would be ambiguous (PyTorch forbids it).
    pub created_in_grad_mode: bool,
    /// For the results of an op that returns several views (`split`, `unbind`): its name and
    /// which result this is. Writing into them in place is forbidden, as in PyTorch.
    pub multi_output: Option<(&'static str, usize)>,
    /// The version of the shared memory when this view's history was last set.
    pub attr_version: u64,
}

impl Tensor {
    /// The view meta of a new view of `self`.
    pub(crate) fn view_meta_for_view(&self) -> ViewMeta {
        ViewMeta {
            base: self.view_base().unwrap_or_else(|| self.clone()),
            created_in_grad_mode: is_grad_enabled(),
            multi_output: None,
            attr_version: self.version(),
        }
    }

    /// The tensor whose memory this view shows (`x._base`); `None` for a tensor that is not a
    /// view.
    pub fn view_base(&self) -> Option<Tensor> {
        self.meta().view.as_ref().map(|v| v.base.clone())
    }

    pub(crate) fn view_meta(&self) -> Option<ViewMeta> {
        self.meta().view.clone()
    }

    /// Marks this tensor as result `output_nr` of `op`, an op that returns several views.
    pub fn mark_multi_output_view(&self, op: &'static str, output_nr: usize) {
        if let Some(v) = self.meta_mut().view.as_mut() {
            v.multi_output = Some((op, output_nr));
        }
    }
}
