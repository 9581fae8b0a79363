//! Backward of the matrix products. For `y = a @ b` (with batch dims broadcast):
//! `da = dy @ b^T` and `db = a^T @ dy`, summed back over broadcast batch dims; a 1-D operand
//! is treated as a one-row (`a`) or one-column (`b`) matrix.

use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::autograd::sum_to_shape;
use crate::error::Result;
use crate::tensor::Tensor;

/// PyTorch's node name for `matmul` of operands of these ranks.
pub fn matmul_name(a_ndim: usize, b_ndim: usize) -> &'static str {
    match (a_ndim, b_ndim) {
        (1, 1) => "DotBackward0",
        (2, 1) => "MvBackward0",
        (1, 2) | (2, 2) => "MmBackward0",
        (3, 3) => "BmmBackward0",
        _ => "UnsafeViewBackward0",
    }
}

/// The node of `y = a @ b` under the name PyTorch gives the product (`MmBackward0`, ...).
pub fn spec(name: &'static str, a: &Tensor, b: &Tensor) -> NodeSpec {
    let (sa, sb) = (SavedTensor::input(a), SavedTensor::input(b));
    let (a_ndim, b_ndim) = (a.ndim(), b.ndim());
    let (a_shape, b_shape) = (a.shape().to_vec(), b.shape().to_vec());
    NodeSpec::new(name, vec![sa.clone(), sb.clone()], move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        // As matrices: a 1-D `a` is a row, a 1-D `b` a column, and `g` gets those dims back.
        let mut g2 = g.clone();
        if b_ndim == 1 {
            g2 = g2.unsqueeze(-1)?;
        }
        if a_ndim == 1 {
            g2 = g2.unsqueeze(-2)?;
        }
        let ga = if needs[0] {
            let b = sb.get()?;
            let b2 = if b_ndim == 1 { b.unsqueeze(1)? } else { b };
            let da = g2.matmul(&b2.matrix_transpose()?)?;
            Some(back_to(&da, &a_shape, true)?)
        } else {
            None
        };
        let gb = if needs[1] {
            let a = sa.get()?;
            let a2 = if a_ndim == 1 { a.unsqueeze(0)? } else { a };
            let db = a2.matrix_transpose()?.matmul(&g2)?;
            Some(back_to(&db, &b_shape, false)?)
        } else {
            None
        };
        Ok(vec![ga, gb])
    })
}

/// A gradient of an operand seen as a (batched) matrix, back to the operand's own shape:
/// broadcast batch dims summed, a 1-D operand's extra dim (a row for `a`, a column for `b`)
/// dropped.
fn back_to(d: &Tensor, shape: &[usize], row: bool) -> Result<Tensor> {
    let as_matrix: Vec<usize> = match (shape.len(), row) {
        (1, true) => vec![1, shape[0]],
        (1, false) => vec![shape[0], 1],
        _ => shape.to_vec(),
    };
    let summed = sum_to_shape(d, &as_matrix)?;
    let target: Vec<i64> = shape.iter().map(|&n| n as i64).collect();
    summed.reshape(&target)
}
