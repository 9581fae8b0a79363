//! The contraction steps of `einsum`: summing dims and contracting two aligned operands with
//! one batched product (PyTorch's `sumproduct_pair`). Every step is a recorded op, so the
//! contraction is differentiable as it stands.

use super::matmul::check_same_scalar_type;
use super::{Arg, Tensor};
use crate::autograd::needs_grad;
use crate::cpu::matmul::hadamard;
use crate::dtype::{promote_types, DType};
use crate::error::{Error, Result};
use crate::op::{not_implemented, BinaryOp};
use crate::shape::broadcast_shapes;
use crate::with_dtype;

fn to_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// Sums `t` over `dims` (distinct, in range); with `keepdim` they stay as size-1 dims.
pub(crate) fn sum_dims(t: &Tensor, dims: &[usize], keepdim: bool) -> Result<Tensor> {
    // `sum`'s dtype rule applies (bool and integers sum to int64), as in PyTorch's einsum.
    let dims: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
    t.sum(Some(&dims), keepdim, None)
}

/// `left * right` with broadcasting, in the promoted dtype (einsum's contraction without
/// summed dims is PyTorch's `mul`): the recorded `mul` when a gradient is needed, else one
/// pass of the product kernel.
fn broadcast_product(left: &Tensor, right: &Tensor) -> Result<Tensor> {
    if needs_grad(&[left, right]) {
        return left.binary(BinaryOp::Mul, &Arg::Tensor(right.clone()), None);
    }
    let shape = broadcast_shapes(left.shape(), right.shape())?;
    let dtype = promote_types(left.dtype(), right.dtype());
    let target = to_i64(&shape);
    with_dtype!(dtype, T => {
        let a = left.to_dtype(dtype)?.expand(&target)?.to_vec::<T>()?;
        let b = right.to_dtype(dtype)?.expand(&target)?.to_vec::<T>()?;
        let mut out = vec![T::default(); a.len()];
        hadamard(&a, &b, &mut out);
        Tensor::from_vec(out, &shape)
    })
}

/// Contracts two operands of equal rank whose dims are aligned (each either equal or 1) over
/// `to_sum`, keeping them as size-1 dims. The other dims are sorted into those both operands
/// have (the batch), those only the left has (rows) and those only the right has (columns);
/// the summed dims become the inner dim of one batched product.
pub(crate) fn sumproduct_pair(left: &Tensor, right: &Tensor, to_sum: &[usize]) -> Result<Tensor> {
    if to_sum.is_empty() {
        return broadcast_product(left, right);
    }
    let ndim = left.ndim();
    let (mut left, mut right) = (left.clone(), right.clone());
    let (mut lro, mut lo, mut ro, mut summed) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..ndim {
        let (nl, nr) = (left.shape()[i], right.shape()[i]);
        let (sl, sr) = (nl != 1, nr != 1);
        if (sl && sr) && nl != nr {
            return Err(Error::runtime("non-broadcast dimensions must match"));
        }
        if to_sum.contains(&i) {
            if sl && sr {
                summed.push(i);
            } else if sl {
                left = sum_dims(&left, &[i], true)?;
            } else if sr {
                right = sum_dims(&right, &[i], true)?;
            }
        } else if sl && sr {
            lro.push(i);
        } else if sl {
            lo.push(i);
        } else if sr {
            ro.push(i);
        }
    }
    check_same_scalar_type(&left, &right)?;
    if left.dtype() == DType::Bool {
        return Err(not_implemented("bmm", DType::Bool));
    }
    let size = |t: &Tensor, dims: &[usize]| dims.iter().map(|&d| t.shape()[d]).product::<usize>();
    let rest = |used: &[&Vec<usize>]| -> Vec<usize> {
        (0..ndim)
            .filter(|d| used.iter().all(|u| !u.contains(d)))
            .collect()
    };
    let (b, m, k, n) = (
        size(&left, &lro),
        size(&left, &lo),
        size(&left, &summed),
        size(&right, &ro),
    );
    let lperm: Vec<usize> = [&lro, &lo, &summed]
        .into_iter()
        .flatten()
        .copied()
        .chain(rest(&[&lro, &lo, &summed]))
        .collect();
    let rperm: Vec<usize> = [&lro, &summed, &ro]
        .into_iter()
        .flatten()
        .copied()
        .chain(rest(&[&lro, &summed, &ro]))
        .collect();
    let a = left
        .permute(&to_i64(&lperm))?
        .reshape(&[b as i64, m as i64, k as i64])?;
    let bm = right
        .permute(&to_i64(&rperm))?
        .reshape(&[b as i64, k as i64, n as i64])?;
    let out = a.bmm(&bm)?;
    // Back to the aligned order: the result's dims are lro, lo, ro, then size-1 dims.
    let order: Vec<usize> = [&lro, &lo, &ro]
        .into_iter()
        .flatten()
        .copied()
        .chain(rest(&[&lro, &lo, &ro]))
        .collect();
    let sizes: Vec<usize> = order
        .iter()
        .map(|&d| {
            if lro.contains(&d) || lo.contains(&d) {
                left.shape()[d]
            } else if ro.contains(&d) {
                right.shape()[d]
            } else {
                1
            }
        })
        .collect();
    let mut inverse = vec![0i64; ndim];
    for (pos, &d) in order.iter().enumerate() {
        inverse[d] = pos as i64;
    }
    out.view(&to_i64(&sizes))?.permute(&inverse)
}
