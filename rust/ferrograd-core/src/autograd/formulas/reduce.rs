//! Backward of the sum-like reductions: each input element that was summed gets the gradient
//! of its sum; a mean's elements get it divided by the count; a product's elements get it
//! times the product of the other elements. Also the helpers every reduction's backward
//! shares (putting reduced dims back, recording an op with two results).

use super::math::{compare, compare_scalar, div, mul, mul_scalar};
use crate::autograd::grad_mode::is_grad_enabled;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::error::Result;
use crate::op::BinaryOp;
use crate::tensor::Tensor;

/// A reduction's result (or gradient) with the reduced dims put back as size 1 when
/// `keepdim` dropped them, so that it broadcasts against the input.
pub fn keep_dims(t: &Tensor, reduced: &[bool], keepdim: bool) -> Result<Tensor> {
    let mut t = t.clone();
    if !keepdim {
        for (d, &r) in reduced.iter().enumerate() {
            if r {
                t = t.unsqueeze(d as i64)?;
            }
        }
    }
    Ok(t)
}

/// The gradient of a reduction's result, put back to the input's shape: the reduced dims are
/// re-inserted (when `keepdim` dropped them) and the values repeated along them.
pub fn spread(
    g: &Tensor,
    input_shape: &[usize],
    reduced: &[bool],
    keepdim: bool,
) -> Result<Tensor> {
    let target: Vec<i64> = input_shape.iter().map(|&d| d as i64).collect();
    keep_dims(g, reduced, keepdim)?.expand(&target)
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

/// The gradient of a mean over the flagged dims: the sum's, divided by the number of
/// elements averaged.
pub fn mean_grad(g: &Tensor, shape: &[usize], reduced: &[bool], keepdim: bool) -> Result<Tensor> {
    let count: usize = shape
        .iter()
        .zip(reduced)
        .filter(|(_, &r)| r)
        .map(|(&n, _)| n)
        .product();
    mul_scalar(&spread(g, shape, reduced, keepdim)?, 1.0 / count as f64)
}

/// `mean` over the flagged dims (`MeanBackward0` for the whole tensor, `MeanBackward1`).
pub fn mean_back(input: &Tensor, reduced: Vec<bool>, keepdim: bool, whole: bool) -> NodeSpec {
    let shape = input.shape().to_vec();
    let name = if whole {
        "MeanBackward0"
    } else {
        "MeanBackward1"
    };
    NodeSpec::new(name, vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(mean_grad(g, &shape, &reduced, keepdim)?)])
    })
}

/// `nansum` (`NansumBackward0`): like `sum`, except that NaNs were skipped, so they get zero.
pub fn nansum_back(input: &Tensor, reduced: Vec<bool>, keepdim: bool) -> NodeSpec {
    let saved = SavedTensor::input(input);
    let shape = input.shape().to_vec();
    NodeSpec::new(
        "NansumBackward0",
        vec![saved.clone()],
        move |grads, _needs| {
            let x = saved.get()?;
            let g = grads[0]
                .as_ref()
                .expect("materialized")
                .to_dtype(x.dtype())?;
            // `x == x` is false exactly at the NaNs.
            let counted = compare(BinaryOp::Eq, &x, &x)?.to_dtype(x.dtype())?;
            Ok(vec![Some(mul(
                &spread(&g, &shape, &reduced, keepdim)?,
                &counted,
            )?)])
        },
    )
}

/// `prod` over the flagged dims (`ProdBackward0` for the whole tensor, `ProdBackward1` along a
/// dim). d(prod)/dx_k is the product of the other elements: `result / x_k` when no element is
/// zero; with zeros that division is 0/0, so the products of the others are formed directly.
pub fn prod_back(
    input: &Tensor,
    result: &Tensor,
    reduced: Vec<bool>,
    keepdim: bool,
    whole: bool,
) -> NodeSpec {
    let (sx, sy) = (SavedTensor::input(input), SavedTensor::output(result, 0));
    let name = if whole {
        "ProdBackward0"
    } else {
        "ProdBackward1"
    };
    NodeSpec::new(name, vec![sx.clone(), sy.clone()], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        let x = sx.get()?.to_dtype(g.dtype())?;
        if x.ndim() == 0 {
            // The product of one number is that number.
            return Ok(vec![Some(g.clone())]);
        }
        let g = keep_dims(g, &reduced, keepdim)?;
        let grad = if whole && !is_grad_enabled() && zero_count(&x)? > 1 {
            // Every product of the others holds a zero: PyTorch returns zeros outright (NaNs
            // among the others included), unless a higher derivative is being recorded,
            // which the products below carry.
            Tensor::zeros(x.shape(), g.dtype())?
        } else if x.contains_zero()? {
            mul(&g, &product_of_others(&x, &reduced)?)?
        } else {
            let y = keep_dims(&sy.get()?, &reduced, keepdim)?;
            mul(&g, &div(&y, &x)?)?
        };
        Ok(vec![Some(grad)])
    })
}

/// For each element, the product of the other elements of its slice over the flagged dims:
/// (product of those before it) * (product of those after it), two exclusive cumulative
/// products, so no zero is ever divided by. Written with recorded ops, so it has the right
/// derivative too (a lone zero's gradient depends on every other element).
fn product_of_others(x: &Tensor, reduced: &[bool]) -> Result<Tensor> {
    // The reduced dims are moved last and flattened into one of length n.
    let kept: Vec<usize> = (0..x.ndim()).filter(|&d| !reduced[d]).collect();
    let order: Vec<usize> = kept
        .iter()
        .copied()
        .chain((0..x.ndim()).filter(|&d| reduced[d]))
        .collect();
    let perm: Vec<i64> = order.iter().map(|&d| d as i64).collect();
    let moved = x.permute(&perm)?;
    let n: usize = (0..x.ndim())
        .filter(|&d| reduced[d])
        .map(|d| x.shape()[d])
        .product();
    if n == 0 || x.numel() == 0 {
        return Tensor::zeros(x.shape(), x.dtype());
    }
    if n == 1 {
        // A product of one element: the product of the others is the empty product.
        return Tensor::ones(x.shape(), x.dtype());
    }
    let mut lane_shape: Vec<i64> = kept.iter().map(|&d| x.shape()[d] as i64).collect();
    let last = lane_shape.len() as i64;
    lane_shape.push(n as i64);
    let lanes = moved.reshape(&lane_shape)?;
    let mut ones_shape: Vec<usize> = kept.iter().map(|&d| x.shape()[d]).collect();
    ones_shape.push(1);
    let ones = Tensor::ones(&ones_shape, x.dtype())?;
    let len = n as i64 - 1;
    // before[k] = x[0] * ... * x[k-1]: a cumulative product of [1, x[0], ..., x[n-2]].
    let before =
        Tensor::cat(&[ones.clone(), lanes.narrow(last, 0, len)?], last)?.cumprod(last, None)?;
    // after[k] = x[k+1] * ... * x[n-1]: the same from the other end.
    let after = Tensor::cat(&[ones, lanes.narrow(last, 1, len)?.flip(&[last])?], last)?
        .cumprod(last, None)?
        .flip(&[last])?;
    let others = mul(&before, &after)?;
    // Back to the input's layout.
    let moved_shape: Vec<i64> = order.iter().map(|&d| x.shape()[d] as i64).collect();
    let mut inverse = vec![0i64; order.len()];
    for (i, &d) in order.iter().enumerate() {
        inverse[d] = i as i64;
    }
    others.reshape(&moved_shape)?.permute(&inverse)
}

/// How many elements of `x` are zero.
fn zero_count(x: &Tensor) -> Result<i64> {
    let zeros = compare_scalar(BinaryOp::Eq, x, 0.0)?.sum(None, false, None)?;
    Ok(zeros.item()?.cast::<i64>())
}
