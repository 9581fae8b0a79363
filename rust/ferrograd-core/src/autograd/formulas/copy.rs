//! Backward of the copies: `clone`/`contiguous` pass the gradient through; a dtype conversion
//! converts it back; the writes (`copy_`, `fill_`, `zero_`) send nothing to the values they
//! overwrite.

use super::math::zeros_like;
use crate::autograd::node::NodeSpec;
use crate::autograd::sum_to_shape;
use crate::dtype::DType;
use crate::tensor::Tensor;

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

/// `to(device)` from `source`: the gradient goes back to the input's device.
pub fn to_device_back(source: crate::device::Device) -> NodeSpec {
    NodeSpec::new("ToCopyBackward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(g.to_device(source)?)])
    })
}

/// `copy_(src)` (`CopyBackwards`): the old values are overwritten, so they get no gradient;
/// `src` gets the gradient, summed back over the dims it was broadcast along and converted
/// back to its dtype.
pub fn copy_back(src: &Tensor) -> NodeSpec {
    let (shape, dtype) = (src.shape().to_vec(), src.dtype());
    NodeSpec::new("CopyBackwards", vec![], move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let old = if needs[0] { Some(zeros_like(g)?) } else { None };
        let src = if needs[1] {
            Some(sum_to_shape(g, &shape)?.to_dtype(dtype)?)
        } else {
            None
        };
        Ok(vec![old, src])
    })
}

/// An op whose result does not depend on its inputs' values in a way autograd follows:
/// `fill_(number)` (`FillBackward2`), `zero_()` (`ZeroBackward0`), the random samplers
/// (`UniformBackward0`, `BernoulliBackward0`, ...). Every input gets a zero gradient.
pub fn zero_derivative(name: &'static str) -> NodeSpec {
    NodeSpec::new(name, vec![], |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        // Shaped like the result; the engine sums it back to a broadcast input's shape.
        needs
            .iter()
            .map(|&n| n.then(|| zeros_like(g)).transpose())
            .collect()
    })
}

/// `fill_(value)` with a 0-dim tensor `value` (`FillBackward3`): every element is `value`,
/// so its gradient is the sum of all the elements' gradients.
pub fn fill_tensor_back() -> NodeSpec {
    NodeSpec::new("FillBackward3", vec![], |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let old = if needs[0] { Some(zeros_like(g)?) } else { None };
        let value = if needs[1] {
            Some(g.sum(None, false, None)?)
        } else {
            None
        };
        Ok(vec![old, value])
    })
}
