//! Backward of the triangular factorisations: `cholesky` (`A = L Lᵀ`) and `qr` (`A = Q R`).
//! Both factors are pinned down by a triangular shape, so each formula splits a matrix into
//! its lower and upper triangles with constant masks (products with constants are recorded,
//! so the formulas can be differentiated again).

use super::linalg::{eye, last_dim, mm, mt, solve, symmetric_part};
use super::math::{add, mul, mul_scalar, sub};
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// An `n x n` mask that keeps the triangle `col - row <= diagonal` (a constant).
fn lower_mask(n: usize, diagonal: i64, like: &Tensor) -> Result<Tensor> {
    Tensor::ones(&[n, n], like.dtype())?.tril(diagonal)
}

/// `cholesky`: from `A = L Lᵀ`, `L⁻¹ dA L⁻ᵀ = L⁻¹dL + (L⁻¹dL)ᵀ` with `L⁻¹dL` lower
/// triangular, so `dL = L Φ(L⁻¹ dA L⁻ᵀ)`, where Φ keeps the lower triangle and halves the
/// diagonal. Moving everything onto `dA`: `gA = L⁻ᵀ Φ(Lᵀ gL) L⁻¹`, of which a symmetric `A`
/// sees the symmetric part. `upper` factors are `U = Lᵀ`.
pub fn cholesky_back(factor: &Tensor, upper: bool) -> NodeSpec {
    let saved = SavedTensor::output(factor, 0);
    NodeSpec::new(
        "LinalgCholeskyExBackward0",
        vec![saved.clone()],
        move |grads, _needs| {
            let g = grads[0].as_ref().expect("materialized");
            let factor = saved.get()?;
            let (l, gl) = if upper {
                (mt(&factor)?, mt(g)?)
            } else {
                (factor, g.clone())
            };
            let n = last_dim(&l);
            let half_diagonal = mul_scalar(&eye(n, &l)?, 0.5)?;
            let phi_mask = sub(&lower_mask(n, 0, &l)?, &half_diagonal)?;
            let phi = mul(&mm(&mt(&l)?, &gl)?, &phi_mask)?;
            let s = solve(&l, &solve(&mt(&l)?, &phi, true)?, false)?;
            Ok(vec![Some(symmetric_part(&s)?)])
        },
    )
}

/// How `qr` was asked for: the modes differ in which factors exist and how big they are.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum QrMode {
    Reduced,
    Complete,
    R,
}

/// `qr`. For `m >= n` (`Q` is `m x n`, `R` is `n x n`): with `M = R gRᵀ - gQᵀ Q`,
/// `gA = (gQ + Q copyltu(M)) R⁻ᵀ`, where `copyltu(M)` is the symmetric matrix with `M`'s lower
/// triangle. For `m < n`, `A = [X | Y]` splits into a square QR `X = Q R₁` and `Y = Q R₂`:
/// `R₂ = Qᵀ Y` adds `Y gR₂ᵀ` to `Q`'s gradient, and `Y`'s gradient is `Q gR₂`.
pub fn qr_back(q: &Tensor, r: &Tensor, mode: QrMode, (m, n): (usize, usize)) -> NodeSpec {
    let (sq, sr) = (SavedTensor::output(q, 0), SavedTensor::output(r, 1));
    NodeSpec::new(
        "LinalgQrBackward0",
        vec![sq.clone(), sr.clone()],
        move |grads, _needs| {
            if mode == QrMode::R {
                return Err(Error::runtime(
                    "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.",
                ));
            }
            if mode == QrMode::Complete && m > n {
                return Err(Error::runtime(
                    "The QR decomposition is not differentiable when mode='complete' and nrows > ncols.",
                ));
            }
            let gq = grads[0].as_ref().expect("materialized");
            let gr = grads[1].as_ref().expect("materialized");
            let (q, r) = (sq.get()?, sr.get()?);
            let ga = if m >= n {
                qr_back_tall(gq, gr, &q, &r)?
            } else {
                qr_back_wide(gq, gr, &q, &r, m, n)?
            };
            Ok(vec![Some(ga)])
        },
    )
}

fn qr_back_tall(gq: &Tensor, gr: &Tensor, q: &Tensor, r: &Tensor) -> Result<Tensor> {
    let k = last_dim(r);
    let m = sub(&mm(r, &mt(gr)?)?, &mm(&mt(gq)?, q)?)?;
    let lower = mul(&m, &lower_mask(k, 0, r)?)?;
    let strictly_lower = mul(&m, &lower_mask(k, -1, r)?)?;
    let copyltu = add(&lower, &mt(&strictly_lower)?)?;
    let b = add(gq, &mm(q, &copyltu)?)?;
    // B R⁻ᵀ is the X with X Rᵀ = B.
    solve(&mt(r)?, &b, false)
}

fn qr_back_wide(
    gq: &Tensor,
    gr: &Tensor,
    q: &Tensor,
    r: &Tensor,
    m: usize,
    n: usize,
) -> Result<Tensor> {
    let (w, rest) = (m as i64, (n - m) as i64);
    let (r1, r2) = (r.narrow(-1, 0, w)?, r.narrow(-1, w, rest)?);
    let (gr1, gr2) = (gr.narrow(-1, 0, w)?, gr.narrow(-1, w, rest)?);
    let y = mm(q, &r2)?;
    let gq_total = add(gq, &mm(&y, &mt(&gr2)?)?)?;
    let gx = qr_back_tall(&gq_total, &gr1, q, &r1)?;
    // [gX | Q gR₂] = gX E + Q (gR - gR₁ E), with E = [I | 0] placing m columns among n.
    let place = Tensor::eye(m, n, r.dtype())?;
    let gy_part = mm(q, &sub(gr, &mm(&gr1, &place)?)?)?;
    add(&mm(&gx, &place)?, &gy_part)
}
