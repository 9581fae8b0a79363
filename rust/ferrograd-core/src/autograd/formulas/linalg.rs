//! Backward of the LU-based linalg ops (`det`, `slogdet`, `inv`, `solve`), and the small
//! matrix helpers every linalg formula shares. Gradients of real matrices follow from the
//! differential of each op: write `d(out)` in terms of `dA`, then move everything onto `dA`
//! with `<G, X dA Y> = <Xᵀ G Yᵀ, dA>`.

use super::math::{add, compare_scalar, mul, mul_scalar, neg, rsub_scalar, sub, unary};
use crate::autograd::grad_mode::no_grad;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::autograd::sum_to_shape;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};
use crate::tensor::{where_op, Arg, Tensor};

/// `Xᵀ` of each matrix in a batch.
pub fn mt(x: &Tensor) -> Result<Tensor> {
    x.matrix_transpose()
}

/// `x @ y`.
pub fn mm(x: &Tensor, y: &Tensor) -> Result<Tensor> {
    x.matmul(y)
}

/// The size of the last dim.
pub fn last_dim(t: &Tensor) -> usize {
    t.shape()[t.ndim() - 1]
}

/// The `n x n` identity in `like`'s dtype (a constant: it needs no gradient).
pub fn eye(n: usize, like: &Tensor) -> Result<Tensor> {
    Tensor::eye(n, n, like.dtype())
}

/// `diag(v)` for each vector of a batch, as `v[..., None] * I` so that it is recorded.
pub fn diag_matrix(v: &Tensor, n: usize) -> Result<Tensor> {
    mul(&v.unsqueeze(-1)?, &eye(n, v)?)
}

/// `c I` for each number `c` of a batch (as `c[..., None, None] * I`, so that it is recorded).
pub fn times_identity(c: &Tensor, n: usize) -> Result<Tensor> {
    mul(&c.unsqueeze(-1)?.unsqueeze(-1)?, &eye(n, c)?)
}

/// `diag(s)` times each matrix: scales row `i` of `x` by `s_i`.
pub fn scale_rows(s: &Tensor, x: &Tensor) -> Result<Tensor> {
    mul(&s.unsqueeze(-1)?, x)
}

/// Each matrix times `diag(s)`: scales column `j` of `x` by `s_j`.
pub fn scale_cols(x: &Tensor, s: &Tensor) -> Result<Tensor> {
    mul(x, &s.unsqueeze(-2)?)
}

/// The diagonal of each matrix as a vector.
pub fn diagonal(x: &Tensor) -> Result<Tensor> {
    x.diagonal(0, -2, -1)
}

/// `(X + Xᵀ) / 2`: the part of a gradient that a symmetric input can see.
pub fn symmetric_part(x: &Tensor) -> Result<Tensor> {
    mul_scalar(&add(x, &mt(x)?)?, 0.5)
}

/// `(X - Xᵀ) / 2`.
pub fn skew_part(x: &Tensor) -> Result<Tensor> {
    mul_scalar(&sub(x, &mt(x)?)?, 0.5)
}

/// `1 / (v_j - v_i)` off the diagonal and 0 on it, for each vector `v` of a batch: the factor
/// that turns a rotation of eigen- or singular vectors into the change of the matrix. The
/// diagonal gaps are replaced by 1 before dividing (and masked after), so that no 1/0 appears
/// even in second derivatives.
pub fn inverse_gaps(v: &Tensor) -> Result<Tensor> {
    let n = last_dim(v);
    let gaps = sub(&v.unsqueeze(-2)?, &v.unsqueeze(-1)?)?;
    let identity = eye(n, v)?;
    let off_diagonal = rsub_scalar(&identity, 1.0)?;
    let inverse = unary(UnaryOp::Reciprocal, &add(&gaps, &identity)?)?;
    mul(&inverse, &off_diagonal)
}

/// `X` with `A X = B` (`left`) or `X A = B`, for matrices `B`; recorded, so that it can be
/// differentiated again. Singular matrices give infinities or NaN, as in PyTorch's backward.
pub fn solve(a: &Tensor, b: &Tensor, left: bool) -> Result<Tensor> {
    a.solve_matrices(b, left)
}

/// A node whose formula sees `None` for results that got no gradient (PyTorch's undefined
/// gradients), instead of zeros: the spectral formulas then leave out the vectors' terms,
/// whose gaps `1 / (w_j - w_i)` are infinite for repeated values even when multiplied by 0.
pub fn unmaterialized(mut spec: NodeSpec) -> NodeSpec {
    spec.materialize_grads = false;
    spec
}

/// Whether any element of `t` is exactly zero.
fn any_zero(t: &Tensor) -> Result<bool> {
    let zero = compare_scalar(BinaryOp::Eq, t, 0.0)?;
    Ok(zero.any(None, false)?.to_vec::<bool>()?.first() == Some(&true))
}

/// `det`: `d det = det · tr(A⁻¹ dA)`, so `gA = g · det · A⁻ᵀ`, found by solving
/// `Aᵀ X = (g · det) I`. A singular matrix has no inverse, yet its determinant is smooth there
/// (the gradient is the matrix of cofactors): through the SVD `A = U diag(s) Vᵀ`,
/// `det = det(U) det(V) ∏ s`, and the product rule gives `gA = U diag(c) Vᵀ · g det(U) det(V)`
/// with `c_i = ∏_{j≠i} s_j`, which needs no division.
pub fn det_back(a: &Tensor, det: &Tensor) -> NodeSpec {
    let (sa, sd) = (SavedTensor::input(a), SavedTensor::output(det, 0));
    NodeSpec::new(
        "LinalgDetBackward0",
        vec![sa.clone(), sd.clone()],
        move |grads, _needs| {
            let g = grads[0].as_ref().expect("materialized");
            let (a, det) = (sa.get()?, sd.get()?);
            let n = last_dim(&a);
            if a.numel() == 0 {
                return Ok(vec![Some(a.zeros_like()?)]);
            }
            let ga = if any_zero(&det)? {
                det_back_singular(g, &a)?
            } else {
                solve(&mt(&a)?, &times_identity(&mul(g, &det)?, n)?, true)?
            };
            Ok(vec![Some(ga)])
        },
    )
}

fn det_back_singular(g: &Tensor, a: &Tensor) -> Result<Tensor> {
    let (u, s, vh) = a.linalg_svd(false)?;
    // det(U) det(V) is ±1: piecewise constant, so it carries no gradient of its own.
    let sign = no_grad(|| mul(&u.detach().linalg_det()?, &vh.detach().linalg_det()?))?;
    let cofactors = products_of_the_others(&s)?;
    let d = mul(&cofactors, &mul(g, &sign)?.unsqueeze(-1)?)?;
    mm(&scale_cols(&u, &d)?, &vh)
}

/// `c_i = ∏_{j≠i} s_j` for each vector of a batch: row `i` of a square matrix holds `s` with
/// `s_i` replaced by 1, and each row is multiplied out.
fn products_of_the_others(s: &Tensor) -> Result<Tensor> {
    let k = last_dim(s);
    let on_diagonal = eye(k, s)?.to_dtype(crate::dtype::DType::Bool)?;
    let one = Arg::Scalar(Scalar::Float(1.0));
    let rows = where_op(&on_diagonal, &one, &Arg::Tensor(s.unsqueeze(-2)?), None)?;
    rows.prod(Some(&[-1]), false, None)
}

/// `slogdet`: `d log|det A| = tr(A⁻¹ dA)`, so `gA = g · A⁻ᵀ`; the sign is piecewise constant
/// and has no gradient.
pub fn slogdet_back(a: &Tensor) -> NodeSpec {
    let sa = SavedTensor::input(a);
    unmaterialized(NodeSpec::new(
        "LinalgSlogdetBackward0",
        vec![sa.clone()],
        move |grads, _needs| {
            let Some(g) = grads[1].as_ref() else {
                return Ok(vec![None]);
            };
            let a = sa.get()?;
            if a.numel() == 0 {
                return Ok(vec![Some(a.zeros_like()?)]);
            }
            let ga = solve(&mt(&a)?, &times_identity(g, last_dim(&a))?, true)?;
            Ok(vec![Some(ga)])
        },
    ))
}

/// `inv`: `d(A⁻¹) = -A⁻¹ dA A⁻¹`, so `gA = -A⁻ᵀ g A⁻ᵀ`.
pub fn inv_back(inv: &Tensor) -> NodeSpec {
    let si = SavedTensor::output(inv, 0);
    NodeSpec::new(
        "LinalgInvExBackward0",
        vec![si.clone()],
        move |grads, _needs| {
            let g = grads[0].as_ref().expect("materialized");
            let inv_t = mt(&si.get()?)?;
            Ok(vec![Some(neg(&mm(&mm(&inv_t, g)?, &inv_t)?)?)])
        },
    )
}

/// `solve`: for `X = A⁻¹ B`, `gB = A⁻ᵀ gX` and `gA = -gB Xᵀ`; for `X = B A⁻¹`,
/// `gB = gX A⁻ᵀ` and `gA = -Xᵀ gB`. A vector right-hand side (`vector`) is a one-column
/// matrix here; both gradients are summed back over the batch dims that were broadcast.
pub fn solve_back(a: &Tensor, b: &Tensor, x: &Tensor, left: bool, vector: bool) -> NodeSpec {
    let (sa, sx) = (SavedTensor::input(a), SavedTensor::output(x, 0));
    let a_shape = a.shape().to_vec();
    let b_shape = b.shape().to_vec();
    NodeSpec::new(
        "LinalgSolveExBackward0",
        vec![sa.clone(), sx.clone()],
        move |grads, needs| {
            let gx = as_matrix(grads[0].as_ref().expect("materialized"), vector)?;
            let a = sa.get()?;
            let gb = solve(&mt(&a)?, &gx, left)?;
            let ga = if needs[0] {
                let x = as_matrix(&sx.get()?, vector)?;
                let ga = if left {
                    mm(&gb, &mt(&x)?)?
                } else {
                    mm(&mt(&x)?, &gb)?
                };
                Some(sum_to_shape(&neg(&ga)?, &a_shape)?)
            } else {
                None
            };
            let gb = if needs[1] {
                Some(back_to_rhs(&gb, &b_shape, vector)?)
            } else {
                None
            };
            Ok(vec![ga, gb])
        },
    )
}

/// A right-hand side (or its solution) as (a batch of) matrices: a vector gets its column dim.
pub fn as_matrix(t: &Tensor, vector: bool) -> Result<Tensor> {
    if vector {
        t.unsqueeze(-1)
    } else {
        Ok(t.clone())
    }
}

/// The gradient of a right-hand side, computed as matrices, back to `B`'s own shape: the
/// broadcast batch dims summed, and a vector's column dim dropped.
pub fn back_to_rhs(gb: &Tensor, b_shape: &[usize], vector: bool) -> Result<Tensor> {
    let mut as_matrices = b_shape.to_vec();
    if vector {
        as_matrices.push(1);
    }
    let target: Vec<i64> = b_shape.iter().map(|&d| d as i64).collect();
    sum_to_shape(gb, &as_matrices)?.reshape(&target)
}
