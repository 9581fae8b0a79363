//! Backward of the three primitive convolution ops, each written with the other two (the
//! convolution is bilinear in its input and weight, so every gradient is again one of them):
//! for `y = conv(x, w) + b` and output gradient `gy`,
//! - `gx = conv_transpose(gy, w)`, `gw = weight_grad(x, gy)`, `gb = gy` summed over all dims
//!   but the channels;
//! - for `x = conv_transpose(y, w) + b` (the adjoint of `conv` in its input) and gradient `gx`:
//!   `gy = conv(gx, w)`, `gw = weight_grad(gx, y)`, `gb` as above;
//! - for `w = weight_grad(x, y)` and gradient `gw`: `gx = conv_transpose(y, gw)`,
//!   `gy = conv(x, gw)`.
//!
//! Under `create_graph` those ops record nodes of their own (`ConvolutionBackwardBackward0`,
//! PyTorch's name for the double backward), which is what makes higher derivatives work.

use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::error::Result;
use crate::tensor::conv_ops::{
    bias_grad_dims, conv_backward_input, conv_backward_weight, conv_forward, ConvSpec,
};
use crate::tensor::Tensor;

/// The name the ops of a backward pass record under.
const DOUBLE: &str = "ConvolutionBackwardBackward0";

fn spatial(t: &[usize]) -> Vec<usize> {
    t[2..].to_vec()
}

/// A per-channel bias gradient: `g` summed over the batch and spatial dims.
fn bias_grad(g: &Tensor) -> Result<Tensor> {
    g.sum(Some(&bias_grad_dims(g.ndim())), false, None)
}

/// The node of `y = conv(x, w) [+ b]`.
pub fn forward_spec(
    x: &Tensor,
    w: &Tensor,
    has_bias: bool,
    spec: ConvSpec,
    name: &'static str,
) -> NodeSpec {
    let (sx, sw) = (SavedTensor::input(x), SavedTensor::input(w));
    let (x_spatial, kernel) = (spatial(x.shape()), spatial(w.shape()));
    NodeSpec::new(name, vec![sx.clone(), sw.clone()], move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let gx = match needs[0] {
            true => Some(conv_backward_input(
                g,
                &sw.get()?,
                None,
                &spec,
                &x_spatial,
                DOUBLE,
            )?),
            false => None,
        };
        let gw = match needs[1] {
            true => Some(conv_backward_weight(&sx.get()?, g, &spec, &kernel, DOUBLE)?),
            false => None,
        };
        let mut out = vec![gx, gw];
        if has_bias {
            out.push(if needs[2] { Some(bias_grad(g)?) } else { None });
        }
        Ok(out)
    })
}

/// The node of `x = conv_transpose(y, w) [+ b]`.
pub fn backward_input_spec(
    y: &Tensor,
    w: &Tensor,
    has_bias: bool,
    spec: ConvSpec,
    name: &'static str,
) -> NodeSpec {
    let (sy, sw) = (SavedTensor::input(y), SavedTensor::input(w));
    let (y_spatial, kernel) = (spatial(y.shape()), spatial(w.shape()));
    NodeSpec::new(name, vec![sy.clone(), sw.clone()], move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let gy = match needs[0] {
            true => Some(conv_forward(
                g,
                &sw.get()?,
                None,
                &spec,
                &y_spatial,
                DOUBLE,
            )?),
            false => None,
        };
        let gw = match needs[1] {
            true => Some(conv_backward_weight(g, &sy.get()?, &spec, &kernel, DOUBLE)?),
            false => None,
        };
        let mut out = vec![gy, gw];
        if has_bias {
            out.push(if needs[2] { Some(bias_grad(g)?) } else { None });
        }
        Ok(out)
    })
}

/// The node of `w = weight_grad(x, y)`.
pub fn backward_weight_spec(
    x: &Tensor,
    y: &Tensor,
    spec: ConvSpec,
    name: &'static str,
) -> NodeSpec {
    let (sx, sy) = (SavedTensor::input(x), SavedTensor::input(y));
    let (x_spatial, y_spatial) = (spatial(x.shape()), spatial(y.shape()));
    NodeSpec::new(name, vec![sx.clone(), sy.clone()], move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let gx = match needs[0] {
            true => Some(conv_backward_input(
                &sy.get()?,
                g,
                None,
                &spec,
                &x_spatial,
                DOUBLE,
            )?),
            false => None,
        };
        let gy = match needs[1] {
            true => Some(conv_forward(
                &sx.get()?,
                g,
                None,
                &spec,
                &y_spatial,
                DOUBLE,
            )?),
            false => None,
        };
        Ok(vec![gx, gy])
    })
}
