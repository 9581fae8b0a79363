//! Backward of the elementwise ops with parameters: `clamp` (and `clamp_min`, `clamp_max`),
//! `logit(eps)`, `nan_to_num`, `round(decimals)`. Where an op is flat or cut off, the gradient
//! is zero; at the kinks the choices are PyTorch's (see [`clamp_back`]).

use super::math::*;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};
use crate::tensor::{binary_op, where_op, Arg, Tensor};

/// `a` where `mask` holds, `value` elsewhere (exactly, even where `a` is NaN).
fn keep_where_else(mask: &Tensor, a: &Tensor, value: f64) -> Result<Tensor> {
    let value = Arg::Scalar(Scalar::Float(value));
    where_op(mask, &Arg::Tensor(a.clone()), &value, None)
}

/// `a` where `mask` holds, zero elsewhere.
fn keep_where(mask: &Tensor, a: &Tensor) -> Result<Tensor> {
    keep_where_else(mask, a, 0.0)
}

fn and(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    compare(BinaryOp::LogicalAnd, a, b)
}

/// Which function was called: PyTorch names their nodes apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClampOp {
    /// `clamp` / `clip`, with either bound or both.
    Clamp,
    /// `clamp_min`.
    Min,
    /// `clamp_max`.
    Max,
}

/// A bound as the formula sees it: a number, or a tensor saved for backward.
#[derive(Clone)]
enum Bound {
    Number(Scalar),
    Tensor(SavedTensor),
}

impl Bound {
    fn of(arg: &Arg) -> Bound {
        match arg {
            Arg::Scalar(s) => Bound::Number(*s),
            Arg::Tensor(t) => Bound::Tensor(SavedTensor::input(t)),
        }
    }

    fn arg(&self) -> Result<Arg> {
        Ok(match self {
            Bound::Number(s) => Arg::Scalar(*s),
            Bound::Tensor(t) => Arg::Tensor(t.get()?),
        })
    }
}

/// PyTorch records the overload with tensor bounds (`ClampBackward0`, `ClampMinBackward1`,
/// ...) as soon as one bound is a tensor; its node has the bounds as inputs too.
fn tensor_overload(min: Option<&Arg>, max: Option<&Arg>) -> bool {
    [min, max]
        .into_iter()
        .any(|b| matches!(b, Some(Arg::Tensor(_))))
}

/// The inputs of a clamp node: `x` alone with number bounds; with a tensor bound, `x` and the
/// bounds `op` takes. A missing or number bound stands in as a constant that needs no
/// gradient (`None` in `next_functions`, as in PyTorch).
pub fn clamp_inputs(op: ClampOp, x: &Tensor, min: Option<&Arg>, max: Option<&Arg>) -> Vec<Tensor> {
    let mut inputs = vec![x.clone()];
    if !tensor_overload(min, max) {
        return inputs;
    }
    let as_input = |b: Option<&Arg>| match b {
        Some(Arg::Tensor(t)) => t.clone(),
        _ => Tensor::scalar(Scalar::Float(0.0), x.dtype()),
    };
    if op != ClampOp::Max {
        inputs.push(as_input(min));
    }
    if op != ClampOp::Min {
        inputs.push(as_input(max));
    }
    inputs
}

/// The node of `y = clamp(x, min, max)`, with inputs as [`clamp_inputs`] lists them. PyTorch's
/// rules (checked against it value by value, NaN included):
/// - number bounds: `x` gets `g` strictly inside (`min < x < max`), zero at and beyond a bound;
/// - one tensor bound: as `maximum(x, min)` (`minimum(x, max)`): the winner gets `g`, a tie
///   splits it in halves, and a NaN on either side gives both `g`;
/// - two tensor bounds: see [`two_bound_grads`].
pub fn clamp_back(op: ClampOp, x: &Tensor, min: Option<&Arg>, max: Option<&Arg>) -> NodeSpec {
    let overload = tensor_overload(min, max);
    let name = match (op, overload) {
        (ClampOp::Clamp, false) => "ClampBackward1",
        (ClampOp::Clamp, true) => "ClampBackward0",
        (ClampOp::Min, false) => "ClampMinBackward0",
        (ClampOp::Min, true) => "ClampMinBackward1",
        (ClampOp::Max, false) => "ClampMaxBackward0",
        (ClampOp::Max, true) => "ClampMaxBackward1",
    };
    let sx = SavedTensor::input(x);
    let (lo, hi) = (min.map(Bound::of), max.map(Bound::of));
    let mut saved = vec![sx.clone()];
    for b in [&lo, &hi].into_iter().flatten() {
        if let Bound::Tensor(s) = b {
            saved.push(s.clone());
        }
    }
    NodeSpec::new(name, saved, move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let x = Arg::Tensor(sx.get()?);
        let lo = lo.as_ref().map(Bound::arg).transpose()?;
        let hi = hi.as_ref().map(Bound::arg).transpose()?;
        if !overload {
            return Ok(vec![Some(strictly_inside(
                g,
                &x,
                lo.as_ref(),
                hi.as_ref(),
            )?)]);
        }
        // [x, min, max] for `clamp`; [x, bound] for `clamp_min` / `clamp_max`.
        let grads = match (&lo, &hi) {
            (Some(lo), Some(hi)) => two_bound_grads(g, &x, lo, hi, needs)?.to_vec(),
            (Some(lo), None) => one_bound_grads(g, &x, lo, BinaryOp::Lt)?.to_vec(),
            (None, Some(hi)) => one_bound_grads(g, &x, hi, BinaryOp::Gt)?.to_vec(),
            (None, None) => vec![Some(g.clone())],
        };
        let mut grads = grads.into_iter();
        let mut out = vec![grads.next().flatten()];
        match (op, &lo, &hi) {
            (ClampOp::Clamp, Some(_), None) => out.extend([grads.next().flatten(), None]),
            (ClampOp::Clamp, None, Some(_)) => out.extend([None, grads.next().flatten()]),
            _ => out.extend(grads),
        }
        Ok(out
            .into_iter()
            .zip(needs)
            .map(|(g, &need)| g.filter(|_| need))
            .collect())
    })
}

fn cmp(op: BinaryOp, a: &Arg, b: &Arg) -> Result<Tensor> {
    binary_op(op, a, b, None, None)
}

fn or(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    compare(BinaryOp::LogicalOr, a, b)
}

/// `g` where `mask` holds, half of it where `tie` holds (the masks never overlap), zero
/// elsewhere.
fn full_or_half(g: &Tensor, mask: &Tensor, tie: &Tensor) -> Result<Tensor> {
    let half = Arg::Tensor(mul_scalar(g, 0.5)?);
    where_op(tie, &half, &Arg::Tensor(keep_where(mask, g)?), None)
}

/// Number bounds: `g` where `min < x < max` (for the bounds given), zero elsewhere.
fn strictly_inside(g: &Tensor, x: &Arg, lo: Option<&Arg>, hi: Option<&Arg>) -> Result<Tensor> {
    let above = lo.map(|lo| cmp(BinaryOp::Gt, x, lo)).transpose()?;
    let below = hi.map(|hi| cmp(BinaryOp::Lt, x, hi)).transpose()?;
    let inside = match (above, below) {
        (Some(a), Some(b)) => and(&a, &b)?,
        (Some(m), None) | (None, Some(m)) => m,
        (None, None) => return Ok(g.clone()),
    };
    keep_where(&inside, g)
}

/// One tensor bound, `max(x, min)` (`loses` = `Lt`) or `min(x, max)` (`loses` = `Gt`): each
/// side gets `g` unless it lost (`x loses to the bound`, or the other way round), halved on a
/// tie. Returns (for x, for the bound).
fn one_bound_grads(
    g: &Tensor,
    x: &Arg,
    bound: &Arg,
    loses: BinaryOp,
) -> Result<[Option<Tensor>; 2]> {
    let split = where_op(
        &cmp(BinaryOp::Eq, x, bound)?,
        &Arg::Tensor(mul_scalar(g, 0.5)?),
        &Arg::Tensor(g.clone()),
        None,
    )?;
    let g_x = zero_where(&cmp(loses, x, bound)?, &split)?;
    let g_bound = zero_where(&cmp(loses, bound, x)?, &split)?;
    Ok([Some(g_x), Some(g_bound)])
}

/// Two tensor bounds. With `ordered = min <= max` and `split = min < max`:
/// - `x` gets `g` unless it is below `min` or above `max`, halved where it ties a bound and
///   the bounds differ;
/// - `min` gets `g` where `x < min` (bounds ordered), half where `x == min` (bounds differ);
/// - `max` gets `g` where `max < min` (then it is the result) or `x > max` (bounds ordered),
///   half where `x == max` (bounds differ).
fn two_bound_grads(
    g: &Tensor,
    x: &Arg,
    lo: &Arg,
    hi: &Arg,
    needs: &[bool],
) -> Result<[Option<Tensor>; 3]> {
    let ordered = cmp(BinaryOp::Le, lo, hi)?;
    let split = cmp(BinaryOp::Lt, lo, hi)?;
    let at_lo = and(&cmp(BinaryOp::Eq, x, lo)?, &split)?;
    let at_hi = and(&cmp(BinaryOp::Eq, x, hi)?, &split)?;
    let mut out = [None, None, None];
    if needs[0] {
        let cut = or(&cmp(BinaryOp::Lt, x, lo)?, &cmp(BinaryOp::Gt, x, hi)?)?;
        let tie = or(&at_lo, &at_hi)?;
        let full = unary(UnaryOp::LogicalNot, &or(&cut, &tie)?)?;
        out[0] = Some(full_or_half(g, &full, &tie)?);
    }
    if needs.get(1) == Some(&true) {
        let below = and(&cmp(BinaryOp::Lt, x, lo)?, &ordered)?;
        out[1] = Some(full_or_half(g, &below, &at_lo)?);
    }
    if needs.get(2) == Some(&true) {
        let above = and(&cmp(BinaryOp::Gt, x, hi)?, &ordered)?;
        let wins = or(&cmp(BinaryOp::Lt, hi, lo)?, &above)?;
        out[2] = Some(full_or_half(g, &wins, &at_hi)?);
    }
    Ok(out)
}

/// `y = log(x / (1 - x))`: `dy/dx = 1 / (x (1 - x))`. With `eps`, `x` was first clamped to
/// `[eps, 1 - eps]`, so the gradient is zero outside (and passes at the edges); without it,
/// it is NaN outside `[0, 1]`, where the logit is undefined.
pub fn logit_back(x: &Tensor, eps: Option<f64>) -> NodeSpec {
    let sx = SavedTensor::input(x);
    NodeSpec::new("LogitBackward0", vec![sx.clone()], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        let x = sx.get()?;
        let d = div(g, &mul(&x, &rsub_scalar(&x, 1.0)?)?)?;
        let (lo, hi) = eps.map_or((0.0, 1.0), |e| (e, 1.0 - e));
        let inside = and(
            &compare_scalar(BinaryOp::Ge, &x, lo)?,
            &compare_scalar(BinaryOp::Le, &x, hi)?,
        )?;
        let outside = if eps.is_some() { 0.0 } else { f64::NAN };
        Ok(vec![Some(keep_where_else(&inside, &d, outside)?)])
    })
}

/// `nan_to_num` passes finite values through and replaces the others by constants: the
/// gradient is `g` times 1 where `x` is finite, 0 elsewhere.
pub fn nan_to_num_back(x: &Tensor) -> NodeSpec {
    let sx = SavedTensor::input(x);
    NodeSpec::new(
        "NanToNumBackward0",
        vec![sx.clone()],
        move |grads, _needs| {
            let g = grads[0].as_ref().expect("materialized");
            let finite = unary(UnaryOp::IsFinite, &sx.get()?)?.to_dtype(g.dtype())?;
            Ok(vec![Some(mul(g, &finite)?)])
        },
    )
}

/// `round(decimals=...)` is a step function: its gradient is zero wherever it exists.
pub fn round_decimals_back() -> NodeSpec {
    NodeSpec::new("RoundBackward1", vec![], |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(zeros_like(g)?)])
    })
}
