//! Backward of `where(cond, a, b)`: each branch gets the gradient where it was chosen.

use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::dtype::Scalar;
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
