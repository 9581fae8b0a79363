//! Backward of joining and cutting: `cat` and `stack` hand each input its own slice of the
//! gradient; `split` and `unbind`, the other way round, join their pieces' gradients back.

use crate::autograd::node::NodeSpec;
use crate::tensor::Tensor;

/// `cat(tensors, dim)`: input `i` occupied `len_i` rows along `dim`, right after the ones
/// before it, so its gradient is that slice of `g`. `lens[i]` is `None` for a legacy 1-D empty
/// input that `cat` skipped: its gradient is empty too.
pub fn cat_back(lens: Vec<Option<usize>>, dim: usize) -> NodeSpec {
    NodeSpec::new("CatBackward0", vec![], move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let mut start = 0;
        let mut out = Vec::with_capacity(lens.len());
        for (len, &need) in lens.iter().zip(needs) {
            let piece = match len {
                Some(len) => {
                    let at = start;
                    start += len;
                    need.then(|| g.narrow(dim as i64, at as i64, *len as i64))
                }
                None => need.then(|| Tensor::zeros(&[0], g.dtype())),
            };
            out.push(piece.transpose()?);
        }
        Ok(out)
    })
}

/// `stack(tensors, dim)`: input `i` is the slice at index `i` of the new dim.
pub fn stack_back(dim: i64) -> NodeSpec {
    NodeSpec::new("StackBackward0", vec![], move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        needs
            .iter()
            .enumerate()
            .map(|(i, &need)| need.then(|| g.select(dim, i as i64)).transpose())
            .collect()
    })
}

/// `split` / `split_with_sizes` (`name` says which): the pieces lay side by side along `dim`,
/// so the input's gradient is their gradients joined again (zeros for an unused piece).
pub fn split_back(name: &'static str, dim: i64) -> NodeSpec {
    NodeSpec::new(name, vec![], move |grads, _needs| {
        let pieces = materialized(grads);
        Ok(vec![Some(Tensor::cat(&pieces, dim)?)])
    })
}

/// `unbind(dim)`: piece `i` was the slice at index `i`, so the gradients are stacked back.
pub fn unbind_back(dim: i64) -> NodeSpec {
    NodeSpec::new("UnbindBackward0", vec![], move |grads, _needs| {
        let pieces = materialized(grads);
        Ok(vec![Some(Tensor::stack(&pieces, dim)?)])
    })
}

fn materialized(grads: &[Option<Tensor>]) -> Vec<Tensor> {
    grads
        .iter()
        .map(|g| g.clone().expect("materialized"))
        .collect()
}
