//! Backward of the statistics: `var`, `std`, `var_mean`, `std_mean`, the vector norms
//! (`linalg.vector_norm`, and `norm` which lands there) and `logsumexp`.

use super::math::{
    add, compare, compare_scalar, div, fill_where, mul, mul_scalar, pow_scalar, sub, sum_kept,
    unary, zero_where,
};
use super::reduce::{keep_dims, mean_grad};
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};
use crate::tensor::{where_op, Arg, Tensor};

/// Which dims a variance ran over, as its backward needs them: the dims as given (`None` for
/// all), their flags, and whether the result kept them.
#[derive(Clone)]
pub struct Moments {
    pub dims: Option<Vec<i64>>,
    pub reduced: Vec<bool>,
    pub correction: f64,
    pub keepdim: bool,
}

impl Moments {
    /// d var / dx = 2 (x - mean) / (N - correction), times `g`.
    fn var_grad(&self, g: &Tensor, x: &Tensor) -> Result<Tensor> {
        let Some(dims) = self.dims.as_ref().filter(|_| x.ndim() > 0) else {
            let mean = x.mean(None, false, None)?;
            let dof = x.numel() as f64 - self.correction;
            if dof <= 0.0 {
                // 2 / dof is infinite (or negative): NaN where x is at its mean, inf elsewhere.
                let at_mean = compare(BinaryOp::Eq, x, &mean)?;
                let inf = Arg::Scalar(Scalar::Float(f64::INFINITY));
                let nan = Arg::Scalar(Scalar::Float(f64::NAN));
                return mul(g, &where_op(&at_mean, &nan, &inf, None)?);
            }
            return mul(&mul_scalar(g, 2.0 / dof)?, &sub(x, &mean)?);
        };
        let g = keep_dims(g, &self.reduced, self.keepdim)?;
        // N counts the listed dims only: an empty list counts 1, as PyTorch's formula does.
        let n: usize = if dims.is_empty() {
            1
        } else {
            (0..x.ndim())
                .filter(|&d| self.reduced[d])
                .map(|d| x.shape()[d])
                .product()
        };
        let mean = x.mean(Some(dims), true, None)?;
        mul(
            &mul_scalar(&g, 2.0 / (n as f64 - self.correction))?,
            &sub(x, &mean)?,
        )
    }

    /// std = sqrt(var), so d std = d var / (2 std); where std is 0 the gradient is 0.
    fn std_grad(&self, g: &Tensor, x: &Tensor, std: &Tensor) -> Result<Tensor> {
        let g_var = div(g, &mul_scalar(std, 2.0)?)?;
        let g_var = zero_where(&compare_scalar(BinaryOp::Eq, std, 0.0)?, &g_var)?;
        self.var_grad(&g_var, x)
    }
}

/// `var` (`VarBackward0`).
pub fn var_back(input: &Tensor, m: Moments) -> NodeSpec {
    let sx = SavedTensor::input(input);
    NodeSpec::new("VarBackward0", vec![sx.clone()], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(m.var_grad(g, &sx.get()?)?)])
    })
}

/// `std` (`StdBackward0`).
pub fn std_back(input: &Tensor, result: &Tensor, m: Moments) -> NodeSpec {
    let (sx, sy) = (SavedTensor::input(input), SavedTensor::output(result, 0));
    NodeSpec::new(
        "StdBackward0",
        vec![sx.clone(), sy.clone()],
        move |grads, _needs| {
            let g = grads[0].as_ref().expect("materialized");
            Ok(vec![Some(m.std_grad(g, &sx.get()?, &sy.get()?)?)])
        },
    )
}

/// `var_mean` (`VarMeanBackward0`) and `std_mean` (`StdMeanBackward0`, `std` given): the
/// spread's gradient plus the mean's.
pub fn moments_mean_back(input: &Tensor, std: Option<&Tensor>, m: Moments) -> NodeSpec {
    let sx = SavedTensor::input(input);
    let sstd = std.map(|s| SavedTensor::output(s, 0));
    let name = if std.is_some() {
        "StdMeanBackward0"
    } else {
        "VarMeanBackward0"
    };
    let mut saved = vec![sx.clone()];
    saved.extend(sstd.iter().cloned());
    let shape = input.shape().to_vec();
    NodeSpec::new(name, saved, move |grads, _needs| {
        let (g_spread, g_mean) = (
            grads[0].as_ref().expect("materialized"),
            grads[1].as_ref().expect("materialized"),
        );
        let x = sx.get()?;
        let from_spread = match &sstd {
            Some(s) => m.std_grad(g_spread, &x, &s.get()?)?,
            None => m.var_grad(g_spread, &x)?,
        };
        let from_mean = mean_grad(g_mean, &shape, &m.reduced, m.keepdim)?;
        Ok(vec![Some(add(&from_spread, &from_mean)?)])
    })
}

/// `linalg.vector_norm` (`LinalgVectorNormBackward0`). With N = (sum |x|^p)^(1/p),
/// dN/dx = sgn(x) |x|^(p-1) / N^(p-1); the orders 0 (a count: no gradient at all), 1, 2 and
/// +-inf (the extreme |x|, shared among ties) have their own forms, and a zero norm gives
/// the subgradient 0.
pub fn norm_back(
    input: &Tensor,
    result: &Tensor,
    ord: f64,
    reduced: Vec<bool>,
    keepdim: bool,
) -> NodeSpec {
    let (sx, sy) = (SavedTensor::input(input), SavedTensor::output(result, 0));
    NodeSpec::new(
        "LinalgVectorNormBackward0",
        vec![sx.clone(), sy.clone()],
        move |grads, _needs| {
            let g = grads[0].as_ref().expect("materialized");
            if ord == 0.0 {
                return Ok(vec![None]);
            }
            let x = sx.get()?;
            let g = keep_dims(g, &reduced, keepdim)?;
            let norm = keep_dims(&sy.get()?, &reduced, keepdim)?;
            Ok(vec![Some(norm_grad(&g, &x, &norm, ord, &reduced)?)])
        },
    )
}

fn norm_grad(g: &Tensor, x: &Tensor, norm: &Tensor, ord: f64, reduced: &[bool]) -> Result<Tensor> {
    let sign = unary(UnaryOp::Sign, x)?;
    let zero_norm = compare_scalar(BinaryOp::Eq, norm, 0.0)?;
    if ord == 1.0 {
        return mul(&sign, g);
    }
    if ord == 2.0 {
        // x / N, 0 where N is 0.
        return mul(g, &zero_where(&zero_norm, &div(x, norm)?)?);
    }
    if ord.is_infinite() {
        // The elements whose |x| is the norm (or NaN) share its gradient.
        let abs = unary(UnaryOp::Abs, x)?;
        let picked = compare(
            BinaryOp::LogicalOr,
            &compare(BinaryOp::Eq, &abs, norm)?,
            &unary(UnaryOp::IsNan, &abs)?,
        )?;
        let share = div(g, &sum_kept(&picked, reduced)?)?;
        return mul(&sign, &mul(&share, &picked.to_dtype(g.dtype())?)?);
    }
    let abs = unary(UnaryOp::Abs, x)?;
    if ord < 1.0 {
        // sgn(x) |x|^(p-1) is infinite at 0 for p < 1; PyTorch takes 0 there.
        let at_zero = compare_scalar(BinaryOp::Eq, x, 0.0)?;
        let scaled = mul(
            &sign,
            &fill_where(&at_zero, 0.0, &pow_scalar(&abs, ord - 1.0)?)?,
        )?;
        return mul(&mul(&scaled, g)?, &pow_scalar(norm, 1.0 - ord)?);
    }
    // For p >= 2, x |x|^(p-2) keeps the sign without a sign op (smooth at 0).
    let scaled = if ord < 2.0 {
        mul(&sign, &pow_scalar(&abs, ord - 1.0)?)?
    } else {
        mul(x, &pow_scalar(&abs, ord - 2.0)?)?
    };
    let scale = div(g, &pow_scalar(norm, ord - 1.0)?)?;
    mul(&scaled, &zero_where(&zero_norm, &scale)?)
}

/// `logsumexp` (`LogsumexpBackward0`): d/dx log(sum(exp(x))) = exp(x - result), the softmax.
pub fn logsumexp_back(
    input: &Tensor,
    result: &Tensor,
    reduced: Vec<bool>,
    keepdim: bool,
) -> NodeSpec {
    let (sx, sy) = (SavedTensor::input(input), SavedTensor::output(result, 0));
    NodeSpec::new(
        "LogsumexpBackward0",
        vec![sx.clone(), sy.clone()],
        move |grads, _needs| {
            let g = grads[0].as_ref().expect("materialized");
            let x = sx.get()?;
            let (g, y) = if x.ndim() == 0 {
                (g.clone(), sy.get()?)
            } else {
                (
                    keep_dims(g, &reduced, keepdim)?,
                    keep_dims(&sy.get()?, &reduced, keepdim)?,
                )
            };
            Ok(vec![Some(mul(&g, &unary(UnaryOp::Exp, &sub(&x, &y)?)?)?)])
        },
    )
}
