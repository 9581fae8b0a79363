//! Backward of the cumulative ops along a dim (`cumsum`, `cumprod`, `cummax`, `cummin`,
//! `logcumsumexp`). Output j depends on inputs 0..=j, so input k collects the gradients of
//! outputs k.. (a cumulative sum taken from the end).

use super::math::{add, compare, compare_scalar, div, fill_where, mul, sub, sum_kept, unary};
use crate::autograd::grad_mode::is_grad_enabled;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};
use crate::tensor::{where_op, Arg, Tensor};

/// `sum_{j >= k} w_j` along `dim`: a cumulative sum from the end.
fn reversed_cumsum(w: &Tensor, dim: i64) -> Result<Tensor> {
    w.flip(&[dim])?.cumsum(dim, None)?.flip(&[dim])
}

/// Whether a scan along `dim` of a tensor of `shape` leaves every value as it was (one
/// element per lane), so that the gradient passes through unchanged.
fn trivial_scan(shape: &[usize], dim: usize) -> bool {
    shape.iter().product::<usize>() <= 1 || shape.get(dim).is_none_or(|&n| n == 1)
}

/// `cumsum` (`CumsumBackward0`): input k is in every sum j >= k.
pub fn cumsum_back(input: &Tensor, dim: usize) -> NodeSpec {
    let (shape, dtype) = (input.shape().to_vec(), input.dtype());
    NodeSpec::new("CumsumBackward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized").to_dtype(dtype)?;
        if trivial_scan(&shape, dim) {
            return Ok(vec![Some(g)]);
        }
        Ok(vec![Some(reversed_cumsum(&g, dim as i64)?)])
    })
}

/// `cumprod` (`CumprodBackward0`).
pub fn cumprod_back(input: &Tensor, result: &Tensor, dim: usize) -> NodeSpec {
    let (sx, sy) = (SavedTensor::input(input), SavedTensor::output(result, 0));
    NodeSpec::new(
        "CumprodBackward0",
        vec![sx.clone(), sy.clone()],
        move |grads, _needs| {
            let x = sx.get()?;
            let g = grads[0]
                .as_ref()
                .expect("materialized")
                .to_dtype(x.dtype())?;
            Ok(vec![Some(cumprod_grad(&g, &x, &sy.get()?, dim as i64)?)])
        },
    )
}

/// The gradient of `y = cumprod(x)` along `dim`: dy_j/dx_k is the product of x_0..x_j
/// without x_k (for j >= k), so input k gets `sum_{j >= k} g_j y_j / x_k` when x_k is not 0.
/// Zeros need care, lane by lane, around the first zero z (and the second, z2):
/// - before z, only the outputs before z count (the later ones hold x_z = 0), and the
///   division is safe;
/// - at z, the products without x_z are x_0..x_(z-1) times x_(z+1)..x_j, for j < z2;
/// - after z, every product holds x_z = 0, so the gradient is 0.
///
/// Those pieces have the right values but not the right derivatives (dropping a term that
/// holds x_z also drops its derivative in x_z), so when a higher derivative is being
/// recorded the gradient is written instead through the lane with x_z replaced by 1, whose
/// gradient G' gives every term: G = A + x_z (G' - A) before z (A: the terms before z),
/// G'_z at z, and x_z G' after it.
fn cumprod_grad(g: &Tensor, x: &Tensor, y: &Tensor, dim: i64) -> Result<Tensor> {
    if trivial_scan(x.shape(), dim as usize) {
        return Ok(g.clone());
    }
    let w = mul(y, g)?;
    if !x.contains_zero()? {
        return div(&reversed_cumsum(&w, dim)?, x);
    }
    let z = FirstZero::find(x, dim)?;
    // Before z: the terms j < z, divided by an x_k that is not 0 there.
    let before = div(
        &reversed_cumsum(&keep_where(&z.before, &w)?, dim)?,
        &fill_where(&z.is_zero, 1.0, x)?,
    )?;
    if is_grad_enabled() {
        let lifted = fill_where(&z.at, 1.0, x)?;
        let lifted_grad = cumprod_grad(g, &lifted, &lifted.cumprod(dim, None)?, dim)?;
        let x_z = sum_kept(&keep_where(&z.at, x)?, &z.reduced)?;
        let before = add(&before, &mul(&x_z, &sub(&lifted_grad, &before)?)?)?;
        let after = choose(&z.at, &lifted_grad, &mul(&x_z, &lifted_grad)?)?;
        return choose(&z.before, &before, &after);
    }
    // At z: (x_0 ... x_(z-1)) * sum_{z <= j < z2} g_j x_(z+1) ... x_j.
    let past_z = compare(BinaryOp::LogicalAnd, &z.run, &not(&z.at)?)?;
    let run_products = fill_where(&not(&past_z)?, 1.0, x)?.cumprod(dim, None)?;
    let run_sum = sum_kept(&mul(&run_products, &keep_where(&z.run, g)?)?, &z.reduced)?;
    let head = fill_where(&not(&z.before)?, 1.0, x)?.prod(Some(&[dim]), true, None)?;
    let at_first = keep_where(&z.at, &mul(&run_sum, &head)?)?;
    choose(&z.before, &before, &at_first)
}

/// Where each lane's first zero z is, as masks along the lane.
struct FirstZero {
    is_zero: Tensor,
    /// Positions before z (the whole lane when it has no zero).
    before: Tensor,
    /// Positions from z up to, not including, the second zero.
    run: Tensor,
    /// z itself.
    at: Tensor,
    /// The lane's dim, flagged (to sum along it).
    reduced: Vec<bool>,
}

impl FirstZero {
    fn find(x: &Tensor, dim: i64) -> Result<FirstZero> {
        let is_zero = compare_scalar(BinaryOp::Eq, x, 0.0)?;
        let zeros_so_far = is_zero.cumsum(dim, None)?;
        let run = compare_scalar(BinaryOp::Eq, &zeros_so_far, 1.0)?;
        let mut reduced = vec![false; x.ndim()];
        reduced[dim as usize] = true;
        Ok(FirstZero {
            before: compare_scalar(BinaryOp::Eq, &zeros_so_far, 0.0)?,
            at: compare(BinaryOp::LogicalAnd, &is_zero, &run)?,
            is_zero,
            run,
            reduced,
        })
    }
}

fn not(mask: &Tensor) -> Result<Tensor> {
    unary(UnaryOp::LogicalNot, mask)
}

/// `a` where `mask` holds, 0 elsewhere.
fn keep_where(mask: &Tensor, a: &Tensor) -> Result<Tensor> {
    let zero = Arg::Scalar(Scalar::Float(0.0));
    where_op(mask, &Arg::Tensor(a.clone()), &zero, None)
}

/// `a` where `mask` holds, `b` elsewhere.
fn choose(mask: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    where_op(mask, &Arg::Tensor(a.clone()), &Arg::Tensor(b.clone()), None)
}

/// `cummax`/`cummin` (`CummaxBackward0`, `CumminBackward0`): each running extreme is some
/// earlier element, the one at the returned index; that element collects its gradients.
pub fn cum_extreme_back(
    name: &'static str,
    input: &Tensor,
    indices: &Tensor,
    dim: usize,
) -> NodeSpec {
    // Integer indices have no history: saved as a plain tensor (version-checked), as
    // PyTorch's message for a modified one names no producing node.
    let saved = SavedTensor::input(indices);
    let shape = input.shape().to_vec();
    NodeSpec::new(name, vec![saved.clone()], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        if shape.is_empty() || g.numel() == 0 {
            return Ok(vec![Some(g.clone())]);
        }
        let indices = saved.get()?;
        let grad = Tensor::zeros(&shape, g.dtype())?.scatter_add(dim as i64, &indices, g)?;
        Ok(vec![Some(grad)])
    })
}

/// `logcumsumexp` (`LogcumsumexpBackward0`): with y = logcumsumexp(x),
/// dL/dx_k = sum_{j >= k} g_j exp(x_k - y_j). The sum is taken in log space, separately for
/// the positive and the negative g_j, so that nothing overflows.
pub fn logcumsumexp_back(input: &Tensor, result: &Tensor, dim: usize) -> NodeSpec {
    let (sx, sy) = (SavedTensor::input(input), SavedTensor::output(result, 0));
    NodeSpec::new(
        "LogcumsumexpBackward0",
        vec![sx.clone(), sy.clone()],
        move |grads, _needs| {
            let g = grads[0].as_ref().expect("materialized");
            if g.ndim() == 0 || g.numel() == 0 {
                return Ok(vec![Some(g.clone())]);
            }
            let (x, y) = (sx.get()?, sy.get()?);
            let dim = dim as i64;
            // log of sum_{j >= k} exp(v_j): logcumsumexp taken from the end.
            let reversed =
                |v: &Tensor| -> Result<Tensor> { v.flip(&[dim])?.logcumsumexp(dim)?.flip(&[dim]) };
            // log|g| where g has the sign, the lowest finite value elsewhere (not -inf, whose
            // differences would be NaN).
            let log_abs = unary(UnaryOp::Log, &unary(UnaryOp::Abs, g)?)?;
            let lowest = Arg::Scalar(Scalar::Float(lowest_finite(g.dtype())));
            let part = |sign: BinaryOp| -> Result<Tensor> {
                let has_sign = compare_scalar(sign, g, 0.0)?;
                let log_g = where_op(&has_sign, &Arg::Tensor(log_abs.clone()), &lowest, None)?;
                let log_sum = reversed(&sub(&log_g, &y)?)?;
                unary(UnaryOp::Exp, &add(&log_sum, &x)?)
            };
            Ok(vec![Some(sub(&part(BinaryOp::Gt)?, &part(BinaryOp::Lt)?)?)])
        },
    )
}

/// The most negative finite value of a float dtype.
fn lowest_finite(dtype: DType) -> f64 {
    match dtype {
        DType::F16 => half::f16::MIN.to_f64(),
        DType::BF16 => half::bf16::MIN.to_f64(),
        DType::F32 => f32::MIN as f64,
        _ => f64::MIN,
    }
}
