//! The in-place view ops `unsqueeze_`, `squeeze_`, `t_` and `transpose_`: the tensor itself
//! takes a new shape and new strides over the same memory.
//!
//! A core handle's layout is fixed for its life, so each op returns a new handle over the same
//! storage and version counter that carries the old one's autograd state (`requires_grad`,
//! `.grad`, history, hooks, view base); the binding puts it under the same Python object, as
//! it does for `t.data = ...`. PyTorch counts the change as a write (the version goes up), and
//! on a tensor that needs grad records it as an op of its own, named apart from the
//! out-of-place op (`UnsqueezeBackward1` against `UnsqueezeBackward0`).

use super::Tensor;
use crate::autograd::formulas::view;
use crate::autograd::node::NodeSpec;
use crate::autograd::record::check_in_place;
use crate::autograd::{attach, needs_grad, no_grad};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::shape::normalize_dim;

impl Tensor {
    /// `unsqueeze_(dim)`: the result of `unsqueeze(dim)`, in place.
    pub fn unsqueeze_(&self, dim: i64) -> Result<Tensor> {
        self.view_in_place(
            |t| t.unsqueeze(dim),
            |t| Ok(view::reshape_back("UnsqueezeBackward1", t)),
        )
    }

    /// `squeeze_()` (every size-1 dim) or `squeeze_(dim)`, in place. PyTorch names the node
    /// after the overload, following the out-of-place ones (`SqueezeBackward0`, `1`, `2`).
    pub fn squeeze_(&self, dim: Option<i64>) -> Result<Tensor> {
        let name = match dim {
            None => "SqueezeBackward3",
            Some(_) => "SqueezeBackward4",
        };
        let dims = dim.map(|d| [d]);
        self.view_in_place(
            |t| t.squeeze(dims.as_ref().map(|d| &d[..])),
            |t| Ok(view::reshape_back(name, t)),
        )
    }

    /// `squeeze_(dims)` with the dims given as a tuple (even of one), in place.
    pub fn squeeze_dims_(&self, dims: &[i64]) -> Result<Tensor> {
        self.view_in_place(
            |t| t.squeeze_dims(dims),
            |t| Ok(view::reshape_back("SqueezeBackward5", t)),
        )
    }

    /// `t_()`: a matrix transposed in place (tensors of fewer dims are left as they are).
    pub fn t_(&self) -> Result<Tensor> {
        self.view_in_place(
            |t| {
                if t.ndim() > 2 {
                    return Err(Error::runtime(format!(
                        "t_() expects a tensor with <= 2 dimensions, but self is {}D",
                        t.ndim()
                    )));
                }
                t.t()
            },
            |t| {
                Ok(if t.ndim() < 2 {
                    view::reshape_back("TBackward1", t)
                } else {
                    view::permute_back("TBackward1", &[1, 0])
                })
            },
        )
    }

    /// `transpose_(dim0, dim1)` (also `swapdims_`, `swapaxes_`).
    pub fn transpose_(&self, dim0: i64, dim1: i64) -> Result<Tensor> {
        self.view_in_place(
            |t| t.transpose(dim0, dim1),
            |t| {
                if t.ndim() == 0 {
                    return Ok(view::reshape_back("TransposeBackward1", t));
                }
                let mut perm: Vec<usize> = (0..t.ndim()).collect();
                perm.swap(
                    normalize_dim(dim0, t.ndim())?,
                    normalize_dim(dim1, t.ndim())?,
                );
                Ok(view::permute_back("TransposeBackward1", &perm))
            },
        )
    }

    /// Runs an in-place view op: `view` (the out-of-place op, run without recording) checks
    /// the arguments and gives the new layout; `spec` builds the node from the old tensor.
    fn view_in_place(
        &self,
        view: impl FnOnce(&Tensor) -> Result<Tensor>,
        spec: impl FnOnce(&Tensor) -> Result<NodeSpec>,
    ) -> Result<Tensor> {
        // PyTorch refuses a leaf before it looks at the arguments.
        let record = needs_grad(&[self]);
        if record {
            check_in_place(self)?;
        }
        let layout = no_grad(|| view(self))?.layout().clone();
        let out = self.with_own_layout(layout);
        out.bump_version();
        if record {
            attach(&[self], &[&out], spec(self)?);
        }
        Ok(out)
    }

    /// This tensor under another layout: the same memory, version counter and autograd state
    /// (a leaf's gradient accumulator excepted: it is tied to the old handle, and the new one
    /// makes its own when next used).
    fn with_own_layout(&self, layout: Layout) -> Tensor {
        let out = self.alias(layout);
        let retained = {
            let old = self.meta();
            let mut meta = out.meta_mut();
            meta.requires_grad = old.requires_grad;
            meta.grad = old.grad.clone();
            meta.grad_fn = old.grad_fn.clone();
            meta.output_nr = old.output_nr;
            meta.retains_grad = old.retains_grad;
            meta.hooks = old.hooks.clone();
            meta.view = old.view.clone();
            old.grad_fn.clone().filter(|_| old.retains_grad)
        };
        // A retained gradient still comes from the node that made the old tensor (as in
        // PyTorch, it has the old shape); it now lands in the new handle.
        if let Some(node) = retained {
            node.add_retain_grad(out.output_nr(), &out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::{DType, Scalar};
    use crate::op::BinaryOp;
    use crate::tensor::Arg;

    fn ones(shape: &[usize]) -> Result<Tensor> {
        Tensor::ones(shape, DType::F32)
    }

    #[test]
    fn layouts_and_versions() -> Result<()> {
        // unsqueeze_(1) of a contiguous (2, 3): the new dim's stride is that of the dim after it.
        let x = ones(&[2, 3])?;
        let y = x.unsqueeze_(1)?;
        assert_eq!((y.shape(), y.strides()), (&[2, 1, 3][..], &[3, 3, 1][..]));
        assert_eq!((x.version(), y.version()), (1, 1));
        assert!(y.storage().same(x.storage()));
        let z = y.squeeze_(None)?.t_()?;
        assert_eq!((z.shape(), z.strides()), (&[3, 2][..], &[1, 3][..]));
        assert_eq!(z.version(), 3);
        Ok(())
    }

    #[test]
    fn records_a_node_on_a_non_leaf() -> Result<()> {
        let a = ones(&[1, 3])?;
        a.set_requires_grad(true)?;
        assert!(a.unsqueeze_(0).is_err());
        let two = Arg::Scalar(Scalar::Float(2.0));
        let b = a.binary(BinaryOp::Mul, &two, None)?;
        let c = b.transpose_(0, 1)?;
        let name = c.grad_fn().map(|n| n.name().to_string());
        assert_eq!(name.as_deref(), Some("TransposeBackward1"));
        assert_eq!(c.shape(), &[3, 1]);
        Ok(())
    }
}
