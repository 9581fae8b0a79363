//! Backward of `nll_loss`. Its gradient is a dedicated op (`nll_loss_backward`: a scatter of
//! `-weight[t] * grad` to the targets), as in PyTorch; that op is linear in the loss gradient,
//! so its own backward is `nll_loss` applied to the incoming gradient, and double backward
//! works through both.

use super::math::zeros_like;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::tensor::nll_loss::NllArgs;
use crate::tensor::Tensor;

fn node_name(args: &NllArgs, suffix: &'static str) -> String {
    let op = if args.spatial { "NllLoss2D" } else { "NllLoss" };
    format!("{op}{suffix}")
}

/// `NllLossBackward0` / `NllLoss2DBackward0`.
/// The input is saved only to be an input of the gradient op, as in PyTorch (under
/// `create_graph` the gradient then depends on it, with a zero derivative).
pub fn nll_loss_back(input: &Tensor, args: NllArgs, total_weight: f64) -> NodeSpec {
    let name = node_name(&args, "Backward0");
    let saved = SavedTensor::input(input);
    NodeSpec::new(name, vec![saved.clone()], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        let input = saved.get()?;
        Ok(vec![Some(g.nll_loss_backward(
            &input,
            &args,
            total_weight,
        )?)])
    })
}

/// `NllLossBackwardBackward0` / `NllLoss2DBackwardBackward0`: the gradient with respect to
/// the loss gradient is `nll_loss` of the incoming gradient (which has the input's shape).
pub fn nll_loss_backward_back(args: NllArgs) -> NodeSpec {
    let name = node_name(&args, "BackwardBackward0");
    NodeSpec::new(name, vec![], move |grads, needs| {
        let gg = grads[0].as_ref().expect("materialized");
        let grad_of_grad = gg.nll_loss(
            &args.target,
            args.weight.as_ref(),
            args.reduction,
            args.ignore_index,
        )?;
        // The gradient of the loss does not depend on the input's values.
        let grad_of_input = if needs[1] {
            Some(zeros_like(gg)?)
        } else {
            None
        };
        Ok(vec![Some(grad_of_grad), grad_of_input])
    })
}
