//! Backward of the pseudo-inverse and of least squares, which is the pseudo-inverse applied
//! to the right-hand side (`X = A⁺ B`). Both hold where the rank of `A` does not change.

use super::linalg::{as_matrix, back_to_rhs, mm, mt};
use super::math::{add, mul, mul_scalar, neg, sub};
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::autograd::sum_to_shape;
use crate::error::Result;
use crate::tensor::Tensor;

/// The gradient of `A` from the gradient `g` of its pseudo-inverse `P = A⁺`. From
/// `dP = -P dA P + P Pᵀ dAᵀ (I - A P) + (I - P A) dAᵀ Pᵀ P`:
/// `gA = -Pᵀ g Pᵀ + (I - A P) gᵀ P Pᵀ + Pᵀ P gᵀ (I - P A)`.
pub fn pinv_grad(g: &Tensor, p: &Tensor, a: &Tensor) -> Result<Tensor> {
    let (gt, pt) = (mt(g)?, mt(p)?);
    let through = neg(&mm(&pt, &mm(g, &pt)?)?)?;
    // (gᵀ - A P gᵀ) P Pᵀ: the part of gᵀ outside A's column space.
    let columns = mm(&sub(&gt, &mm(a, &mm(p, &gt)?)?)?, &mm(p, &pt)?)?;
    // Pᵀ P (gᵀ - gᵀ P A): the part outside A's row space.
    let rows = mm(&mm(&pt, p)?, &sub(&gt, &mm(&mm(&gt, p)?, a)?)?)?;
    add(&add(&through, &columns)?, &rows)
}

/// `pinv` (also with `hermitian=True`: the same function of `A`).
pub fn pinv_back(a: &Tensor, p: &Tensor) -> NodeSpec {
    let (sa, sp) = (SavedTensor::input(a), SavedTensor::output(p, 0));
    NodeSpec::new(
        "LinalgPinvBackward0",
        vec![sa.clone(), sp.clone()],
        move |grads, _needs| {
            let g = grads[0].as_ref().expect("materialized");
            Ok(vec![Some(pinv_grad(g, &sp.get()?, &sa.get()?)?)])
        },
    )
}

/// What `lstsq`'s node needs to know of the call.
pub struct LstsqSpec<'a> {
    pub a: &'a Tensor,
    pub b: &'a Tensor,
    pub solution: &'a Tensor,
    /// Whether the residuals were computed (otherwise an empty result with no gradient).
    pub has_residuals: bool,
    /// Whether `B` is a (batch of) vector(s), one dim fewer than `A`.
    pub vector: bool,
}

/// `lstsq`: the solution `X = A⁺ B` gives `gB = A⁺ᵀ gX` and, through the pseudo-inverse,
/// `gA = pinv_grad(gX Bᵀ)`. The residuals `r_j = |A x_j - b_j|²` are minimal in `X`, so only
/// their explicit dependence counts: with `R = A X - B`, `gA += 2 (R ∘ gr) Xᵀ`, `gB -= 2 R ∘ gr`.
pub fn lstsq_back(spec: LstsqSpec<'_>) -> NodeSpec {
    let saved = vec![
        SavedTensor::input(spec.a),
        SavedTensor::input(spec.b),
        SavedTensor::output(spec.solution, 0),
    ];
    let a_shape = spec.a.shape().to_vec();
    let b_shape = spec.b.shape().to_vec();
    let (vector, has_residuals) = (spec.vector, spec.has_residuals);
    NodeSpec::new(
        "LinalgLstsqBackward0",
        saved.clone(),
        move |grads, needs| {
            let a = saved[0].get()?;
            let b = as_matrix(&saved[1].get()?, vector)?;
            let gx = as_matrix(grads[0].as_ref().expect("materialized"), vector)?;
            let p = a.linalg_pinv(None, None, false)?;
            // The residuals' part, `2 R ∘ gr` with `R = A X - B`, and the solution it pairs with.
            let residual = if has_residuals {
                let x = as_matrix(&saved[2].get()?, vector)?;
                let gr = grads[1].as_ref().expect("materialized");
                let r = sub(&mm(&a, &x)?, &b)?;
                Some((mul_scalar(&mul(&r, &gr.unsqueeze(-2)?)?, 2.0)?, x))
            } else {
                None
            };
            let ga = if needs[0] {
                let mut ga = pinv_grad(&mm(&gx, &mt(&b)?)?, &p, &a)?;
                if let Some((weighted, x)) = &residual {
                    ga = add(&ga, &mm(weighted, &mt(x)?)?)?;
                }
                Some(sum_to_shape(&ga, &a_shape)?)
            } else {
                None
            };
            let gb = if needs[1] {
                let mut gb = mm(&mt(&p)?, &gx)?;
                if let Some((weighted, _)) = &residual {
                    gb = sub(&gb, weighted)?;
                }
                Some(back_to_rhs(&gb, &b_shape, vector)?)
            } else {
                None
            };
            Ok(vec![ga, gb])
        },
    )
}
