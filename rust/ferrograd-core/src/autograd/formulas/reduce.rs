//! Backward of the reductions: each input element that was summed gets the gradient of its
//! sum; a mean's elements get it divided by the count.

use super::math::mul_scalar;
use crate::autograd::node::NodeSpec;
use crate::error::Result;
use crate::tensor::Tensor;

/// The gradient of a reduction's result, put back to the input's shape: the reduced dims are
/// re-inserted (when `keepdim` dropped them) and the values repeated along them.
pub fn spread(
    g: &Tensor,
    input_shape: &[usize],
    reduced: &[bool],
    keepdim: bool,
) -> Result<Tensor> {
    let mut g = g.clone();
    if !keepdim {
        for (d, &r) in reduced.iter().enumerate() {
            if r {
                g = g.unsqueeze(d as i64)?;
            }
        }
    }
    let target: Vec<i64> = input_shape.iter().map(|&d| d as i64).collect();
    g.expand(&target)
}

/// `sum` over the flagged dims (`SumBackward0` for the whole tensor, `SumBackward1` with dims).
pub fn sum_back(input: &Tensor, reduced: Vec<bool>, keepdim: bool, whole: bool) -> NodeSpec {
    let shape = input.shape().to_vec();
    let name = if whole {
        "SumBackward0"
    } else {
        "SumBackward1"
    };
    NodeSpec::new(name, vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(spread(g, &shape, &reduced, keepdim)?)])
    })
}

/// `mean` over the flagged dims: the sum's gradient divided by the number of elements averaged.
pub fn mean_back(input: &Tensor, reduced: Vec<bool>, keepdim: bool, whole: bool) -> NodeSpec {
    let shape = input.shape().to_vec();
    let count: usize = shape
        .iter()
        .zip(&reduced)
        .filter(|(_, &r)| r)
        .map(|(&n, _)| n)
        .product();
    let name = if whole {
        "MeanBackward0"
    } else {
        "MeanBackward1"
    };
    NodeSpec::new(name, vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        let spread = spread(g, &shape, &reduced, keepdim)?;
        Ok(vec![Some(mul_scalar(&spread, 1.0 / count as f64)?)])
    })
}
