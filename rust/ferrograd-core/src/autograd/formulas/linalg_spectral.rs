//! Backward of the spectral decompositions: `svd` (`A = U diag(s) Vᵀ`), `eigh`
//! (`A = V diag(w) Vᵀ`, symmetric) and `eig` (`A V = V diag(w)`, real eigenvalues).
//!
//! The vectors move when `A` moves by rotating among themselves, and the rotation's part
//! between vectors `i` and `j` is divided by the gap between their values (`w_j - w_i`, or
//! `s_j² - s_i²`): the formulas hold for distinct values and blow up as two of them meet.

use super::linalg::{
    diag_matrix, diagonal, inverse_gaps, last_dim, mm, mt, scale_cols, scale_rows, skew_part,
    solve, unmaterialized,
};
use super::math::{add, mul, mul_scalar, sub, unary};
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::error::Result;
use crate::op::UnaryOp;
use crate::tensor::Tensor;

/// A result's gradient, or zeros shaped like `like` when the result got none.
fn or_zeros(g: Option<&Tensor>, like: &Tensor) -> Result<Tensor> {
    match g {
        Some(g) => Ok(g.clone()),
        None => like.zeros_like(),
    }
}

/// `a + b` where either part may be missing.
fn add_parts(a: Option<Tensor>, b: Option<Tensor>) -> Result<Option<Tensor>> {
    Ok(match (a, b) {
        (Some(a), Some(b)) => Some(add(&a, &b)?),
        (a, b) => a.or(b),
    })
}

/// `svd`. The singular values alone give `gA = U diag(gs) Vᵀ`. The vectors add, with
/// `F_ij = 1 / (s_j² - s_i²)`,
/// `U [F∘(UᵀgU - gUᵀU) S + S F∘(VᵀgV - gVᵀV)] Vᵀ`, and when `U` or `V` does not span its whole
/// space, the parts of `gU`, `gV` outside it: `(I - UUᵀ) gU S⁻¹ Vᵀ + U S⁻¹ gVᵀ (I - VVᵀ)`.
/// Complete factors are differentiated through their first `k = min(m, n)` vectors, the only
/// ones the matrix determines (as PyTorch does). `svdvals` records this same node (its
/// vectors get gradients only in higher derivatives).
pub fn svd_back(u: &Tensor, s: &Tensor, vh: &Tensor, full_matrices: bool) -> NodeSpec {
    let saved = vec![
        SavedTensor::output(u, 0),
        SavedTensor::output(s, 1),
        SavedTensor::output(vh, 2),
    ];
    unmaterialized(NodeSpec::new(
        "LinalgSvdBackward0",
        saved.clone(),
        move |grads, _needs| {
            let (u, s, vh) = (saved[0].get()?, saved[1].get()?, saved[2].get()?);
            let k = last_dim(&s) as i64;
            let first_k = |t: &Tensor, dim: i64| {
                if full_matrices {
                    t.narrow(dim, 0, k)
                } else {
                    Ok(t.clone())
                }
            };
            let (u, vh) = (first_k(&u, -1)?, first_k(&vh, -2)?);
            let from_values = match &grads[1] {
                Some(gs) => Some(mm(&scale_cols(&u, gs)?, &vh)?),
                None => None,
            };
            let from_vectors = if grads[0].is_some() || grads[2].is_some() {
                let gu = first_k(&or_zeros(grads[0].as_ref(), &u)?, -1)?;
                let gvh = first_k(&or_zeros(grads[2].as_ref(), &vh)?, -2)?;
                Some(svd_vectors_back(&gu, &gvh, &u, &s, &vh)?)
            } else {
                None
            };
            Ok(vec![add_parts(from_values, from_vectors)?])
        },
    ))
}

/// The singular vectors' part of `svd`'s gradient (see [`svd_back`]).
fn svd_vectors_back(
    gu: &Tensor,
    gvh: &Tensor,
    u: &Tensor,
    s: &Tensor,
    vh: &Tensor,
) -> Result<Tensor> {
    let (m, n, k) = (u.shape()[u.ndim() - 2], last_dim(vh), last_dim(s));
    let f = inverse_gaps(&mul(s, s)?)?;
    let utgu = mm(&mt(u)?, gu)?;
    // VᵀgV = Vh gVhᵀ
    let vtgv = mm(vh, &mt(gvh)?)?;
    let j = mul(&f, &mul_scalar(&skew_part(&utgu)?, 2.0)?)?;
    let kk = mul(&f, &mul_scalar(&skew_part(&vtgv)?, 2.0)?)?;
    let inner = add(&scale_cols(&j, s)?, &scale_rows(s, &kk)?)?;
    let mut ga = mm(&mm(u, &inner)?, vh)?;
    let s_inv = unary(UnaryOp::Reciprocal, s)?;
    if m > k {
        // (I - UUᵀ) gU S⁻¹ Vᵀ
        let outside = sub(gu, &mm(u, &utgu)?)?;
        ga = add(&ga, &mm(&scale_cols(&outside, &s_inv)?, vh)?)?;
    }
    if n > k {
        // U S⁻¹ gVᵀ (I - VVᵀ), with gVᵀ = gVh
        let outside = sub(gvh, &mm(&mt(&vtgv)?, vh)?)?;
        ga = add(&ga, &mm(u, &scale_rows(&s_inv, &outside)?)?)?;
    }
    Ok(ga)
}

/// `eigh`: `dw = diag(Vᵀ dA V)` and `dV = V (E ∘ Vᵀ dA V)` with `E_ij = 1 / (w_j - w_i)`, so
/// `gA = V (diag(gw) + E ∘ skew(VᵀgV)) Vᵀ`, the symmetric part (all that a symmetric `A`
/// sees) of the plain adjoint. `eigvalsh` records this same node.
pub fn eigh_back(w: &Tensor, v: &Tensor) -> NodeSpec {
    let saved = vec![SavedTensor::output(w, 0), SavedTensor::output(v, 1)];
    unmaterialized(NodeSpec::new(
        "LinalgEighBackward0",
        saved.clone(),
        move |grads, _needs| {
            let (w, v) = (saved[0].get()?, saved[1].get()?);
            let Some(inner) = eigen_inner(grads, &w, &v, |g, _v| skew_part(g))? else {
                return Ok(vec![None]);
            };
            Ok(vec![Some(mm(&mm(&v, &inner)?, &mt(&v)?)?)])
        },
    ))
}

/// `diag(gw) + E ∘ rotation(VᵀgV)`, the gradient in the eigenvectors' own basis; `None` when
/// neither result got a gradient.
fn eigen_inner(
    grads: &[Option<Tensor>],
    w: &Tensor,
    v: &Tensor,
    rotation: impl Fn(&Tensor, &Tensor) -> Result<Tensor>,
) -> Result<Option<Tensor>> {
    let from_values = match &grads[0] {
        Some(gw) => Some(diag_matrix(gw, last_dim(w))?),
        None => None,
    };
    let from_vectors = match &grads[1] {
        Some(gv) => {
            let r = rotation(&mm(&mt(v)?, gv)?, v)?;
            Some(mul(&inverse_gaps(w)?, &r)?)
        }
        None => None,
    };
    add_parts(from_values, from_vectors)
}

/// `eig` of a matrix with real eigenvalues: with `P = V⁻¹ dA V`, `dw = diag(P)` and
/// `dV = V C`, where `C_ij = P_ij / (w_j - w_i)` off the diagonal and the diagonal keeps each
/// vector at unit norm. The adjoint: with `G = VᵀgV`,
/// `gA = V⁻ᵀ (diag(gw) + E ∘ (G - VᵀV diag(G))) Vᵀ`, `E_ij = 1 / (w_j - w_i)`.
/// `eigvals` records this same node.
pub fn eig_back(w: &Tensor, v: &Tensor) -> NodeSpec {
    let saved = vec![SavedTensor::output(w, 0), SavedTensor::output(v, 1)];
    unmaterialized(NodeSpec::new(
        "LinalgEigBackward0",
        saved.clone(),
        move |grads, _needs| {
            let (w, v) = (saved[0].get()?, saved[1].get()?);
            let keep_unit_norm =
                |g: &Tensor, v: &Tensor| sub(g, &scale_cols(&mm(&mt(v)?, v)?, &diagonal(g)?)?);
            let Some(inner) = eigen_inner(grads, &w, &v, keep_unit_norm)? else {
                return Ok(vec![None]);
            };
            // V⁻ᵀ X Vᵀ: solve Vᵀ Y = X Vᵀ.
            Ok(vec![Some(solve(&mt(&v)?, &mm(&inner, &mt(&v)?)?, true)?)])
        },
    ))
}
