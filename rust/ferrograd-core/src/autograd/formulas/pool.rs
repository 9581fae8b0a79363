//! Backward of pooling. Each gradient is itself a Tensor op with a node of its own (PyTorch's
//! `...BackwardBackward0`), so second derivatives work: a max pooling's gradient scatters to
//! the saved indices and a scatter's gradient gathers from them; an average's gradient
//! spreads each share over its window, and that spreading's gradient is the average again.
//! Upsampling is linear too: its gradient applies the adjoint taps, whose gradient is the
//! upsampling again.

use std::sync::Arc;

use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::cpu::pool::Grid;
use crate::tensor::pool::PoolNames;
use crate::tensor::upsample::Resampling;
use crate::tensor::Tensor;

fn materialized(grads: &[Option<Tensor>]) -> crate::error::Result<&Tensor> {
    grads[0]
        .as_ref()
        .ok_or_else(|| crate::error::Error::runtime("pooling backward: missing gradient"))
}

/// Max pooling (`MaxPool2DWithIndicesBackward0`, `AdaptiveMaxPool2DBackward0`, ...): each
/// output's gradient goes to the input position that was the maximum.
pub fn max_pool_back(input: &Tensor, indices: &Tensor, n: usize, names: PoolNames) -> NodeSpec {
    let saved = SavedTensor::output(indices, 1);
    let spatial = input.shape()[input.ndim() - n..].to_vec();
    NodeSpec::new(names.forward, vec![saved.clone()], move |grads, _needs| {
        let g = materialized(grads)?;
        let idx = saved.get()?;
        Ok(vec![Some(g.scatter_to_indices(
            &idx,
            n,
            &spatial,
            true,
            names.backward,
        )?)])
    })
}

/// A scatter to indices (`name`): each output position's gradient, gathered back from where
/// its value was written.
pub fn gather_back(indices: &Tensor, n: usize, name: &'static str) -> NodeSpec {
    let saved = SavedTensor::input(indices);
    NodeSpec::new(name, vec![saved.clone()], move |grads, _needs| {
        let g = materialized(grads)?;
        let idx = saved.get()?;
        let start = -(n as i64);
        let flat_idx = idx.flatten(start, -1)?;
        let gathered = g.flatten(start, -1)?.gather(-1, &flat_idx)?;
        let shape: Vec<i64> = idx.shape().iter().map(|&d| d as i64).collect();
        Ok(vec![Some(gathered.reshape(&shape)?)])
    })
}

/// Average pooling (`AvgPool2DBackward0`, `AdaptiveAvgPool2DBackward0`, ...).
pub fn average_back(
    n: usize,
    grid: Arc<Grid>,
    divisor_override: Option<i64>,
    names: PoolNames,
) -> NodeSpec {
    NodeSpec::new(names.forward, Vec::new(), move |grads, _needs| {
        let g = materialized(grads)?;
        Ok(vec![Some(g.average_over_windows_backward(
            n,
            grid.clone(),
            divisor_override,
            names,
        )?)])
    })
}

/// The gradient op of an average pooling (`AvgPool2DBackwardBackward0`, ...): it is linear,
/// and its adjoint is the average pooling itself.
pub fn average_backward_back(
    n: usize,
    grid: Arc<Grid>,
    divisor_override: Option<i64>,
    names: PoolNames,
) -> NodeSpec {
    NodeSpec::new(names.backward, Vec::new(), move |grads, _needs| {
        let g = materialized(grads)?;
        Ok(vec![Some(g.average_over_windows(
            n,
            grid.clone(),
            divisor_override,
            names,
        )?)])
    })
}

/// Upsampling (`UpsampleBilinear2DBackward0`, ...): the adjoint of its taps.
pub fn resample_back(plan: Arc<Resampling>) -> NodeSpec {
    let name = plan.forward_name;
    NodeSpec::new(name, Vec::new(), move |grads, _needs| {
        let g = materialized(grads)?;
        Ok(vec![Some(g.resample_adjoint_with(plan.clone())?)])
    })
}

/// The gradient op of an upsampling (`UpsampleBilinear2DBackwardBackward0`, ...): linear, with
/// the upsampling itself as its adjoint.
pub fn resample_adjoint_back(plan: Arc<Resampling>) -> NodeSpec {
    let name = plan.backward_name;
    NodeSpec::new(name, Vec::new(), move |grads, _needs| {
        let g = materialized(grads)?;
        Ok(vec![Some(g.resample_with(plan.clone())?)])
    })
}
