//! Hand-derived checks of the engine on small graphs (the maths is in each comment).

use super::*;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::op::{BinaryOp, UnaryOp};
use crate::tensor::{Arg, Tensor};

fn leaf(values: &[f64], shape: &[usize]) -> Result<Tensor> {
    let t = Tensor::from_vec(values.to_vec(), shape)?;
    t.set_requires_grad(true)?;
    Ok(t)
}

fn mul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    a.binary(BinaryOp::Mul, &Arg::Tensor(b.clone()), None)
}

fn add(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    a.binary(BinaryOp::Add, &Arg::Tensor(b.clone()), None)
}

fn scaled(a: &Tensor, k: f64) -> Result<Tensor> {
    a.binary(BinaryOp::Mul, &Arg::Scalar(Scalar::Float(k)), None)
}

/// The values of a gradient that must be there.
fn values(t: Option<Tensor>) -> Result<Vec<f64>> {
    t.ok_or_else(|| Error::runtime("no gradient"))?
        .to_vec::<f64>()
}

fn ones(shape: &[usize]) -> Result<Option<Tensor>> {
    Ok(Some(Tensor::ones(shape, DType::F64)?))
}

#[test]
fn polynomial_gradient_accumulates_over_two_paths() -> Result<()> {
    // y = x*x + 3x: dy/dx = 2x + 3 = 7 at x = 2 (x reaches y along two paths).
    let x = leaf(&[2.0], &[])?;
    let y = add(&mul(&x, &x)?, &scaled(&x, 3.0)?)?;
    assert_eq!(
        y.grad_fn().map(|n| n.name().to_string()).as_deref(),
        Some("AddBackward0")
    );
    backward(&[y], &[None], &[], BackwardOptions::default())?;
    assert_eq!(values(x.grad())?, vec![7.0]);
    Ok(())
}

#[test]
fn broadcast_operand_gets_its_own_shape() -> Result<()> {
    // c = a + b with a: [2, 3], b: [3] and dL/dc = 1: each b[j] is used twice, so dL/db = 2.
    let a = leaf(&[0.0; 6], &[2, 3])?;
    let b = leaf(&[0.0; 3], &[3])?;
    let c = add(&a, &b)?;
    backward(&[c], &[ones(&[2, 3])?], &[], BackwardOptions::default())?;
    assert_eq!(values(b.grad())?, vec![2.0; 3]);
    assert_eq!(values(a.grad())?, vec![1.0; 6]);
    Ok(())
}

#[test]
fn second_derivative_through_create_graph() -> Result<()> {
    // y = x^3: dy/dx = 3x^2 = 12, d2y/dx2 = 6x = 12 at x = 2.
    let x = leaf(&[2.0], &[])?;
    let y = mul(&mul(&x, &x)?, &x)?;
    let opts = BackwardOptions {
        retain_graph: true,
        create_graph: true,
    };
    let dx = grad(&[y], &[None], std::slice::from_ref(&x), opts, false)?.remove(0);
    let dx = dx.ok_or_else(|| Error::runtime("no gradient"))?;
    assert_eq!(dx.to_vec::<f64>()?, vec![12.0]);
    assert!(dx.requires_grad());
    let mut d2x = grad(
        &[dx],
        &[None],
        std::slice::from_ref(&x),
        BackwardOptions::default(),
        false,
    )?;
    assert_eq!(values(d2x.remove(0))?, vec![12.0]);
    assert!(x.grad().is_none(), "grad() leaves .grad alone");
    Ok(())
}

#[test]
fn second_backward_through_freed_graph_raises() -> Result<()> {
    let x = leaf(&[1.0, 2.0], &[2])?;
    let y = x.unary(UnaryOp::Exp, None)?;
    backward(
        std::slice::from_ref(&y),
        &[ones(&[2])?],
        &[],
        BackwardOptions::default(),
    )?;
    let err = backward(&[y], &[ones(&[2])?], &[], BackwardOptions::default())
        .expect_err("the saved result was freed");
    assert!(err
        .to_string()
        .starts_with("Trying to backward through the graph a second time"));
    Ok(())
}

#[test]
fn modified_saved_tensor_raises_the_version_error() -> Result<()> {
    let x = leaf(&[1.0, 2.0, 3.0], &[3])?;
    let y = x.unary(UnaryOp::Exp, None)?;
    let z = y.unary(UnaryOp::Sin, None)?;
    // Change y (saved by SinBackward0 as its input, and by ExpBackward0 as its output).
    no_grad(|| y.binary(BinaryOp::Add, &Arg::Scalar(Scalar::Float(1.0)), Some(&y)))?;
    let err = backward(&[z], &[ones(&[3])?], &[], BackwardOptions::default())
        .expect_err("y changed after it was saved");
    assert_eq!(
        err.to_string().split(" Hint:").next(),
        Some("one of the variables needed for gradient computation has been modified by an inplace operation: [ferrograd.DoubleTensor [3]], which is output 0 of Exp, is at version 1; expected version 0 instead.")
    );
    Ok(())
}

#[test]
fn implicit_gradient_only_for_scalars() -> Result<()> {
    let x = leaf(&[1.0, 2.0], &[2])?;
    let y = scaled(&x, 2.0)?;
    let err = backward(&[y], &[None], &[], BackwardOptions::default()).expect_err("not scalar");
    assert_eq!(
        err.to_string(),
        "grad can be implicitly created only for scalar outputs"
    );
    Ok(())
}

#[test]
fn gradients_of_leaves_do_not_alias_each_other() -> Result<()> {
    // AddBackward0 hands the same gradient to both inputs; zeroing one .grad in place must
    // leave the other alone.
    let a = leaf(&[1.0], &[])?;
    let b = leaf(&[2.0], &[])?;
    backward(&[add(&a, &b)?], &[None], &[], BackwardOptions::default())?;
    let ga = a.grad().ok_or_else(|| Error::runtime("no gradient"))?;
    no_grad(|| ga.binary(BinaryOp::Mul, &Arg::Scalar(Scalar::Float(0.0)), Some(&ga)))?;
    assert_eq!(values(b.grad())?, vec![1.0]);
    Ok(())
}

#[test]
fn graph_is_freed_with_its_outputs() -> Result<()> {
    let x = leaf(&[1.0], &[])?;
    let y = x.unary(UnaryOp::Exp, None)?;
    let node = y.grad_fn().map(|n| std::sync::Arc::downgrade(&n));
    drop(y);
    assert!(
        node.and_then(|n| n.upgrade()).is_none(),
        "the output saved by its own node is not a cycle"
    );
    Ok(())
}

#[test]
fn matrix_product_sum_gradients() -> Result<()> {
    // L = sum(A @ B): dL/dA = 1 @ B^T (row sums of B), dL/dB = A^T @ 1 (column sums of A).
    let a = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
    let b = leaf(&[1.0, 0.0, 2.0, 1.0, 0.0, 3.0], &[3, 2])?;
    let y = a.matmul(&b)?;
    assert_eq!(
        y.grad_fn().map(|n| n.name().to_string()).as_deref(),
        Some("MmBackward0")
    );
    let loss = y.sum(None, false, None)?;
    backward(&[loss], &[None], &[], BackwardOptions::default())?;
    assert_eq!(values(a.grad())?, vec![1.0, 3.0, 3.0, 1.0, 3.0, 3.0]);
    assert_eq!(values(b.grad())?, vec![5.0, 5.0, 7.0, 7.0, 9.0, 9.0]);
    Ok(())
}

#[test]
fn vector_operands_of_matmul() -> Result<()> {
    // y = v @ M @ w (1-D v, w): dy/dv = M w, dy/dw = M^T v.
    let v = leaf(&[1.0, 2.0], &[2])?;
    let m = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2])?;
    let w = leaf(&[1.0, -1.0], &[2])?;
    let y = v.matmul(&m)?.matmul(&w)?;
    backward(&[y], &[None], &[], BackwardOptions::default())?;
    assert_eq!(values(v.grad())?, vec![-1.0, -1.0]);
    assert_eq!(values(w.grad())?, vec![7.0, 10.0]);
    Ok(())
}

#[test]
fn mean_select_and_transpose_route_gradients() -> Result<()> {
    // L = mean(x[1]) + sum(x^T[:, 0]) for x: [2, 3]; x^T[:, 0] is row 0 of x, so row 0 gets 1
    // and row 1 gets 1/3 per element.
    let x = leaf(&[0.0; 6], &[2, 3])?;
    let a = x.select(0, 1)?.mean(None, false, None)?;
    let b = x.t()?.select(1, 0)?.sum(None, false, None)?;
    backward(&[add(&a, &b)?], &[None], &[], BackwardOptions::default())?;
    let third = 1.0 / 3.0;
    assert_eq!(values(x.grad())?, vec![1.0, 1.0, 1.0, third, third, third]);
    Ok(())
}

#[test]
fn in_place_ops_rewrite_the_history_of_non_leaves() -> Result<()> {
    // h = x * 1, then h *= x in place: h = x^2, so d(sum h)/dx = 2x (the formula needs the
    // old h, which the in-place write must not have changed).
    let x = leaf(&[1.0, 3.0], &[2])?;
    let h = scaled(&x, 1.0)?;
    h.binary(BinaryOp::Mul, &Arg::Tensor(x.clone()), Some(&h))?;
    assert_eq!(
        h.grad_fn().map(|n| n.name().to_string()).as_deref(),
        Some("MulBackward0")
    );
    assert_eq!(h.version(), 1);
    backward(
        &[h.sum(None, false, None)?],
        &[None],
        &[],
        BackwardOptions::default(),
    )?;
    assert_eq!(values(x.grad())?, vec![2.0, 6.0]);
    Ok(())
}

#[test]
fn in_place_on_a_leaf_that_requires_grad_is_refused() -> Result<()> {
    let x = leaf(&[1.0], &[1])?;
    let err = x
        .unary(UnaryOp::Exp, Some(&x))
        .expect_err("a leaf that requires grad");
    assert_eq!(
        err.to_string(),
        "a leaf Variable that requires grad is being used in an in-place operation."
    );
    Ok(())
}
