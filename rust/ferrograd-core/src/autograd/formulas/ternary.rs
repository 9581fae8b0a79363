//! Backward of the three-operand elementwise ops: `where(cond, a, b)` (each branch gets the
//! gradient where it was chosen), `lerp`, `addcmul` and `addcdiv`.

use super::math::*;
use super::operand::Operand;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::cpu::ternary::TernaryOp;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::tensor::{where_op, Arg, Tensor};

pub fn where_back(cond: &Tensor) -> NodeSpec {
    let saved = SavedTensor::input(cond);
    NodeSpec::new(
        "WhereBackward0",
        vec![saved.clone()],
        move |grads, needs| {
            let g = grads[0].as_ref().expect("materialized");
            let cond = saved.get()?;
            let zero = Arg::Scalar(Scalar::Float(0.0));
            let g_arg = Arg::Tensor(g.clone());
            let ga = if needs[1] {
                Some(where_op(&cond, &g_arg, &zero, None)?)
            } else {
                None
            };
            let gb = if needs[2] {
                Some(where_op(&cond, &zero, &g_arg, None)?)
            } else {
                None
            };
            Ok(vec![None, ga, gb])
        },
    )
}

fn ternary_name(op: TernaryOp, weight: &Arg) -> &'static str {
    match (op, weight) {
        (TernaryOp::Lerp, Arg::Scalar(_)) => "LerpBackward0",
        (TernaryOp::Lerp, Arg::Tensor(_)) => "LerpBackward1",
        (TernaryOp::Addcmul(_), _) => "AddcmulBackward0",
        (TernaryOp::Addcdiv(_), _) => "AddcdivBackward0",
    }
}

/// The node of `y = op(a, b, c)`; its inputs are the operands that are tensors, in order.
/// With `g = dL/dy` (of the broadcast shape; the engine sums it back to each operand):
/// - `lerp(a, b, w) = a + w (b - a)`: `g (1 - w)`, `g w`, `g (b - a)`;
/// - `addcmul(a, b, c) = a + v b c`: `g`, `g v c`, `g v b`;
/// - `addcdiv(a, b, c) = a + v b / c`: `g`, `g v / c`, `-g v b / c^2`.
pub fn ternary_back(op: TernaryOp, a: &Arg, b: &Arg, c: &Arg) -> NodeSpec {
    let operands = [Operand::of(a), Operand::of(b), Operand::of(c)];
    let is_tensor = [a, b, c].map(|x| matches!(x, Arg::Tensor(_)));
    let saved: Vec<SavedTensor> = operands
        .iter()
        .filter_map(|o| match o {
            Operand::Tensor(s) => Some(s.clone()),
            Operand::Number(_) => None,
        })
        .collect();
    NodeSpec::new(ternary_name(op, c), saved, move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let value = |i: usize| operands[i].value(g);
        let mut out = Vec::new();
        let mut slot = 0;
        for (i, tensor) in is_tensor.into_iter().enumerate() {
            if !tensor {
                continue;
            }
            out.push(if needs[slot] {
                Some(operand_grad(op, i, g, &value)?)
            } else {
                None
            });
            slot += 1;
        }
        Ok(out)
    })
}

/// The gradient of operand `i` (0, 1 or 2) of `op`, from `g` and the operands' values.
fn operand_grad(
    op: TernaryOp,
    i: usize,
    g: &Tensor,
    value: &dyn Fn(usize) -> Result<Tensor>,
) -> Result<Tensor> {
    match (op, i) {
        (TernaryOp::Lerp, 0) => mul(g, &rsub_scalar(&value(2)?, 1.0)?),
        (TernaryOp::Lerp, 1) => mul(g, &value(2)?),
        (TernaryOp::Lerp, _) => mul(g, &sub(&value(1)?, &value(0)?)?),
        (TernaryOp::Addcmul(_) | TernaryOp::Addcdiv(_), 0) => Ok(g.clone()),
        (TernaryOp::Addcmul(v), 1) => mul_scalar(&mul(g, &value(2)?)?, v.to_f64()),
        (TernaryOp::Addcmul(v), _) => mul_scalar(&mul(g, &value(1)?)?, v.to_f64()),
        (TernaryOp::Addcdiv(v), 1) => mul_scalar(&div(g, &value(2)?)?, v.to_f64()),
        (TernaryOp::Addcdiv(v), _) => {
            let c = value(2)?;
            let d = div(&mul(g, &value(1)?)?, &mul(&c, &c)?)?;
            mul_scalar(&d, -v.to_f64())
        }
    }
}
