//! Backward of the view ops. A view's gradient is the view undone: reshaped back, permuted
//! back, summed over what `expand` repeated, or embedded into zeros at the place a `select`,
//! `slice` or `diagonal` took it from.

use std::sync::Arc;

use crate::autograd::node::NodeSpec;
use crate::autograd::record::tracked;
use crate::autograd::sum_to_shape;
use crate::error::Result;
use crate::tensor::Tensor;

fn dims_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// A view that only regroups elements (`view`, `reshape`, `squeeze`, `unsqueeze`): the
/// gradient is reshaped back to the input's shape.
pub fn reshape_back(name: &'static str, input: &Tensor) -> NodeSpec {
    let shape = dims_i64(input.shape());
    NodeSpec::new(name, vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(g.reshape(&shape)?)])
    })
}

/// `permute(perm)` (and `transpose`, `t`): the gradient is permuted by the inverse.
pub fn permute_back(name: &'static str, perm: &[usize]) -> NodeSpec {
    let mut inverse = vec![0i64; perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        inverse[p] = i as i64;
    }
    NodeSpec::new(name, vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(g.permute(&inverse)?)])
    })
}

/// `expand`: each input element was repeated; its gradient is the sum over the repeats.
pub fn expand_back(input: &Tensor) -> NodeSpec {
    let shape = input.shape().to_vec();
    NodeSpec::new("ExpandBackward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(sum_to_shape(g, &shape)?)])
    })
}

/// How a view is taken from a tensor of the input's shape (`|t| t.select(0, 2)`).
pub type ViewFn = Arc<dyn Fn(&Tensor) -> Result<Tensor> + Send + Sync>;

/// A view that picks some elements (`select`, `slice`, `narrow`, `diagonal`): the gradient is
/// zero except where the view came from.
pub fn embed_back(name: &'static str, input: &Tensor, view: ViewFn) -> NodeSpec {
    let shape = input.shape().to_vec();
    NodeSpec::new(name, vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(embed(g, &shape, view.clone())?)])
    })
}

/// Zeros of `shape` with `g` written where `view` looks: the backward of a view that picks
/// elements, recorded itself (its own backward takes the view again) so that it can be
/// differentiated under `create_graph`.
fn embed(g: &Tensor, shape: &[usize], view: ViewFn) -> Result<Tensor> {
    let forward_view = view.clone();
    tracked(
        &[g],
        || {
            let z = Tensor::zeros(shape, g.dtype())?;
            forward_view(&z)?.copy_(g)?;
            Ok(z)
        },
        move |_| {
            Ok(NodeSpec::new(
                "EmbedBackward0",
                vec![],
                move |grads, _needs| {
                    let gg = grads[0].as_ref().expect("materialized");
                    Ok(vec![Some(view(gg)?)])
                },
            ))
        },
    )
}
