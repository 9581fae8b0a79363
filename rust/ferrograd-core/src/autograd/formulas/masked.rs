//! Backward of the boolean-mask ops: `masked_fill`, `masked_scatter` and `masked_select`.
//! A masked position's output comes from the fill value or the source, the others from the
//! input, so each gradient is `dy` split by the mask. Results take the broadcast shape of the
//! input and the mask; gradients are summed back to each input's own shape.

use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::autograd::sum_to_shape;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::tensor::Tensor;

/// `dy` with the masked positions zeroed, in `shape`: the input's gradient under a mask whose
/// positions were overwritten.
fn unmasked_part(g: &Tensor, mask: &Tensor, shape: &[usize]) -> Result<Tensor> {
    sum_to_shape(&g.masked_fill(mask, Scalar::Float(0.0))?, shape)
}

/// `y = x.masked_fill(mask, value)`: the filled positions no longer depend on `x`. With a
/// number (`MaskedFillBackward0`) that is all; with a 0-dim tensor value
/// (`MaskedFillBackward1`) the value gets the sum of `dy` over the filled positions.
pub fn masked_fill_back(input: &Tensor, mask: &Tensor, tensor_value: bool) -> NodeSpec {
    let shape = input.shape().to_vec();
    let saved = SavedTensor::input(mask);
    let name = if tensor_value {
        "MaskedFillBackward1"
    } else {
        "MaskedFillBackward0"
    };
    NodeSpec::new(name, vec![saved.clone()], move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let mask = saved.get()?;
        let gx = if needs[0] {
            Some(unmasked_part(g, &mask, &shape)?)
        } else {
            None
        };
        let mut out = vec![gx];
        if tensor_value {
            out.push(if needs[1] {
                Some(g.masked_select(&mask)?.sum(None, false, None)?)
            } else {
                None
            });
        }
        Ok(out)
    })
}

/// `y = x.masked_scatter(mask, source)` (`MaskedScatterBackward0`): `dx` is `dy` off the mask;
/// the source's first elements (as many as the mask has `True`s, in row-major order) get `dy`
/// at the masked positions, the unused rest get zero.
pub fn masked_scatter_back(input: &Tensor, mask: &Tensor, source: &Tensor) -> NodeSpec {
    let shape = input.shape().to_vec();
    let source_shape = source.shape().to_vec();
    let saved = SavedTensor::input(mask);
    NodeSpec::new(
        "MaskedScatterBackward0",
        vec![saved.clone()],
        move |grads, needs| {
            let g = grads[0].as_ref().expect("materialized");
            let mask = saved.get()?;
            let gx = if needs[0] {
                Some(unmasked_part(g, &mask, &shape)?)
            } else {
                None
            };
            let gs = if needs[1] {
                Some(padded_to(&g.masked_select(&mask)?, &source_shape)?)
            } else {
                None
            };
            Ok(vec![gx, gs])
        },
    )
}

/// The values of the vector `v` in the first places of a zero tensor of `shape`.
fn padded_to(v: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let n: usize = shape.iter().product();
    let target: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    if v.numel() == n {
        return v.reshape(&target);
    }
    let first: Vec<i64> = (0..v.numel() as i64).collect();
    let places = Tensor::from_vec(first, &[v.numel()])?;
    Tensor::zeros(shape, v.dtype())?.put(&places, v, false)
}

/// `y = x.masked_select(mask)` (`MaskedSelectBackward0`): each selected element's gradient goes
/// back to its place in the broadcast shape (zero elsewhere), then is summed back to `x`'s
/// shape where `x` was broadcast.
pub fn masked_select_back(input: &Tensor, mask: &Tensor) -> Result<NodeSpec> {
    let shape = input.shape().to_vec();
    let full = crate::shape::broadcast_shapes(input.shape(), mask.shape())?;
    let saved = SavedTensor::input(mask);
    Ok(NodeSpec::new(
        "MaskedSelectBackward0",
        vec![saved.clone()],
        move |grads, _| {
            let g = grads[0].as_ref().expect("materialized");
            let placed = Tensor::zeros(&full, g.dtype())?.masked_scatter(&saved.get()?, g)?;
            Ok(vec![Some(sum_to_shape(&placed, &shape)?)])
        },
    ))
}
