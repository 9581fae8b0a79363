//! Backward of the copies: `clone`/`contiguous` pass the gradient through; a dtype conversion
//! converts it back.

use crate::autograd::node::NodeSpec;
use crate::dtype::DType;

/// `clone()`, and `contiguous()` when it copies.
pub fn clone_back() -> NodeSpec {
    NodeSpec::new("CloneBackward0", vec![], |grads, _needs| {
        Ok(vec![grads[0].clone()])
    })
}

/// `to(dtype)` from `input_dtype`.
pub fn to_copy_back(input_dtype: DType) -> NodeSpec {
    NodeSpec::new("ToCopyBackward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(g.to_dtype(input_dtype)?)])
    })
}
