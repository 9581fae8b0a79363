//! Short names for the Tensor ops the formulas are written in, so that a formula reads like
//! its maths: `mul(g, &div(x, y)?)` rather than a chain of op-table calls.

use crate::dtype::Scalar;
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};
use crate::tensor::{Arg, Tensor};

fn bin(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    a.binary(op, &Arg::Tensor(b.clone()), None)
}

fn bin_scalar(op: BinaryOp, a: &Tensor, k: f64) -> Result<Tensor> {
    a.binary(op, &Arg::Scalar(Scalar::Float(k)), None)
}

pub fn add(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    bin(BinaryOp::Add, a, b)
}

pub fn sub(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    bin(BinaryOp::Sub, a, b)
}

pub fn mul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    bin(BinaryOp::Mul, a, b)
}

pub fn div(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    bin(BinaryOp::Div, a, b)
}

pub fn pow(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    bin(BinaryOp::Pow, a, b)
}

pub fn add_scalar(a: &Tensor, k: f64) -> Result<Tensor> {
    bin_scalar(BinaryOp::Add, a, k)
}

pub fn mul_scalar(a: &Tensor, k: f64) -> Result<Tensor> {
    bin_scalar(BinaryOp::Mul, a, k)
}

pub fn pow_scalar(a: &Tensor, k: f64) -> Result<Tensor> {
    bin_scalar(BinaryOp::Pow, a, k)
}

/// `k - a`.
pub fn rsub_scalar(a: &Tensor, k: f64) -> Result<Tensor> {
    add_scalar(&neg(a)?, k)
}

pub fn neg(a: &Tensor) -> Result<Tensor> {
    a.unary(UnaryOp::Neg, None)
}

pub fn unary(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    a.unary(op, None)
}

/// A bool mask: `op(a, k)` for a comparison op.
pub fn compare_scalar(op: BinaryOp, a: &Tensor, k: f64) -> Result<Tensor> {
    bin_scalar(op, a, k)
}

pub fn compare(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    bin(op, a, b)
}

/// Zero where `mask` is true, `a` elsewhere (exactly zero, even where `a` is inf or NaN).
pub fn zero_where(mask: &Tensor, a: &Tensor) -> Result<Tensor> {
    let zero = Arg::Scalar(Scalar::Float(0.0));
    crate::tensor::where_op(mask, &zero, &Arg::Tensor(a.clone()), None)
}

pub fn zeros_like(a: &Tensor) -> Result<Tensor> {
    Tensor::zeros(a.shape(), a.dtype())
}

/// `value` where `mask` is true, `a` elsewhere (`masked_fill` written as a recorded `where`).
pub fn fill_where(mask: &Tensor, value: f64, a: &Tensor) -> Result<Tensor> {
    let value = Arg::Scalar(Scalar::Float(value));
    crate::tensor::where_op(mask, &value, &Arg::Tensor(a.clone()), None)
}

/// Sum over the flagged dims, keeping them as size 1 (so the result broadcasts back).
pub fn sum_kept(a: &Tensor, reduced: &[bool]) -> Result<Tensor> {
    let dims: Vec<i64> = (0..reduced.len())
        .filter(|&d| reduced[d])
        .map(|d| d as i64)
        .collect();
    if dims.is_empty() {
        return Ok(a.clone());
    }
    a.sum(Some(&dims), true, None)
}
