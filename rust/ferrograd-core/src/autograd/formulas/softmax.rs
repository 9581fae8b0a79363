//! Backward of `softmax` and `log_softmax`, from the saved result `y` alone:
//! softmax: dx = y * (g - sum(g * y)); log_softmax: dx = g - exp(y) * sum(g), the sums along
//! the softmax dim. Written with Tensor ops, so they can be differentiated again; a float32
//! GPU tensor outside a graph (no `create_graph`) takes the fused kernel instead, the same
//! operations in one pass.

use super::math::{mul, sub, unary};
use crate::autograd::grad_mode::is_grad_enabled;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::error::Result;
use crate::op::UnaryOp;
use crate::tensor::Tensor;
use crate::wgpu::softmax::softmax_backward;

/// The sum along `dim`, kept as size 1 so that it broadcasts back over the line.
fn line_sum(t: &Tensor, dim: usize) -> Result<Tensor> {
    t.sum(Some(&[dim as i64]), true, None)
}

/// The gradient from the GPU's fused kernel, where it applies.
fn fused(y: &Tensor, g: &Tensor, dim: usize, log: bool) -> Result<Option<Tensor>> {
    if is_grad_enabled() || !y.device().is_wgpu() || g.device() != y.device() {
        return Ok(None);
    }
    softmax_backward(y, g, dim, log)
}

/// `SoftmaxBackward0`.
pub fn softmax_back(y: &Tensor, dim: usize) -> NodeSpec {
    let sy = SavedTensor::output(y, 0);
    NodeSpec::new(
        "SoftmaxBackward0",
        vec![sy.clone()],
        move |grads, _needs| {
            let g = grads[0].as_ref().expect("materialized");
            let y = sy.get()?;
            if let Some(fused) = fused(&y, g, dim, false)? {
                return Ok(vec![Some(fused)]);
            }
            let gy = mul(g, &y)?;
            Ok(vec![Some(sub(&gy, &mul(&y, &line_sum(&gy, dim)?)?)?)])
        },
    )
}

/// `LogSoftmaxBackward0`.
pub fn log_softmax_back(y: &Tensor, dim: usize) -> NodeSpec {
    let sy = SavedTensor::output(y, 0);
    NodeSpec::new(
        "LogSoftmaxBackward0",
        vec![sy.clone()],
        move |grads, _needs| {
            let g = grads[0].as_ref().expect("materialized");
            let y = sy.get()?;
            if let Some(fused) = fused(&y, g, dim, true)? {
                return Ok(vec![Some(fused)]);
            }
            let p = unary(UnaryOp::Exp, &y)?;
            Ok(vec![Some(sub(g, &mul(&p, &line_sum(g, dim)?)?)?)])
        },
    )
}
