//! Backward of the products with extra terms or structure: the `addmm` family
//! (`beta * input + alpha * product`), the cross product, and the copy a zeroth matrix power
//! makes. (`einsum`, `tensordot`, `inner`, `outer`, `kron` and the other matrix powers are
//! built from recorded ops, so their graphs need no formula of their own.)

use super::math::*;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::tensor::Tensor;

/// Which member of the `addmm` family a node records; the product part differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductAdd {
    /// `addmm`: `(n, m) @ (m, p)`.
    Mm,
    /// `addmv`: `(n, m) @ (m,)`.
    Mv,
    /// `baddbmm`: `(b, n, m) @ (b, m, p)` per batch entry.
    Baddbmm,
    /// `addbmm`: the sum over the batch of `(b, n, m) @ (b, m, p)`.
    Addbmm,
}

impl ProductAdd {
    fn node_name(self) -> &'static str {
        match self {
            ProductAdd::Mm => "AddmmBackward0",
            ProductAdd::Mv => "AddmvBackward0",
            ProductAdd::Baddbmm => "BaddbmmBackward0",
            ProductAdd::Addbmm => "AddbmmBackward0",
        }
    }
}

/// `g * k`, skipping the multiplication when `k` is 1 (PyTorch's `maybe_multiply`: a zero
/// `beta` still multiplies, so a NaN gradient stays NaN).
fn scaled(g: &Tensor, k: f64) -> Result<Tensor> {
    if k == 1.0 {
        Ok(g.clone())
    } else {
        mul_scalar(g, k)
    }
}

/// The node of `y = beta * input + alpha * (a ∘ b)`, where `∘` is `kind`'s product. The input
/// gets `beta * g` (summed back to its broadcast shape by the engine); the factors get the
/// matrix product's gradients scaled by `alpha`: `da = alpha g b^T`, `db = alpha a^T g`.
pub fn product_add_back(
    kind: ProductAdd,
    a: &Tensor,
    b: &Tensor,
    beta: Scalar,
    alpha: Scalar,
) -> NodeSpec {
    let (sa, sb) = (SavedTensor::input(a), SavedTensor::input(b));
    let (beta, alpha) = (beta.to_f64(), alpha.to_f64());
    let batch = a.shape().first().copied().unwrap_or(0) as i64;
    NodeSpec::new(
        kind.node_name(),
        vec![sa.clone(), sb.clone()],
        move |grads, needs| {
            let g = grads[0].as_ref().expect("materialized");
            let g_input = if needs[0] {
                Some(scaled(g, beta)?)
            } else {
                None
            };
            // addbmm summed the batch of products: each entry gets the whole gradient.
            let g = match kind {
                ProductAdd::Addbmm => {
                    let (n, p) = (g.shape()[0] as i64, g.shape()[1] as i64);
                    g.unsqueeze(0)?.expand(&[batch, n, p])?
                }
                _ => g.clone(),
            };
            let g_a = if needs[1] {
                let b = sb.get()?;
                let d = match kind {
                    // d(A v)/dA = g v^T: an outer product.
                    ProductAdd::Mv => mul(&g.unsqueeze(1)?, &b.unsqueeze(0)?)?,
                    _ => g.matmul(&b.matrix_transpose()?)?,
                };
                Some(scaled(&d, alpha)?)
            } else {
                None
            };
            let g_b = if needs[2] {
                let a = sa.get()?;
                Some(scaled(&a.matrix_transpose()?.matmul(&g)?, alpha)?)
            } else {
                None
            };
            Ok(vec![g_input, g_a, g_b])
        },
    )
}

/// `y = a × b` along `dim`. Since `g · (a × b) = a · (b × g) = b · (g × a)`, the gradients are
/// `b × g` for `a` and `g × a` for `b` (broadcast dims summed back by the engine).
pub fn cross_back(a: &Tensor, b: &Tensor, dim: i64) -> NodeSpec {
    let (sa, sb) = (SavedTensor::input(a), SavedTensor::input(b));
    NodeSpec::new(
        "LinalgCrossBackward0",
        vec![sa.clone(), sb.clone()],
        move |grads, needs| {
            let g = grads[0].as_ref().expect("materialized");
            let g_a = if needs[0] {
                Some(sb.get()?.linalg_cross(g, dim)?)
            } else {
                None
            };
            let g_b = if needs[1] {
                Some(g.linalg_cross(&sa.get()?, dim)?)
            } else {
                None
            };
            Ok(vec![g_a, g_b])
        },
    )
}

/// `target.copy_(src)` where only the target is recorded (`matrix_power(a, 0)` copies the
/// identity over a clone of `a`): the target's old values are all overwritten, so its
/// gradient is zero; the source (a constant) needs none.
pub fn copy_over_back() -> NodeSpec {
    NodeSpec::new("CopyBackwards", vec![], |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let g_target = if needs[0] { Some(zeros_like(g)?) } else { None };
        Ok(vec![g_target, None])
    })
}
