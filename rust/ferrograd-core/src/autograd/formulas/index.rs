//! Backward of the ops that pick or write elements through index tensors: advanced indexing
//! (`t[idx]`, `index_put`), the one-dim slice pickers (`index_select`, `index_add`,
//! `index_copy`, `index_fill`) and the flat ones (`take`, `put`). Each is linear in its
//! floating inputs, so each backward is the "transposed" pick: what was read is written back
//! (adding, where one element was read several times), what was overwritten gets zero.

use super::math::mul_scalar;
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::autograd::sum_to_shape;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::tensor::Tensor;

/// Index tensors a formula needs: saved like inputs, so that an in-place change to one
/// between forward and backward is reported (as PyTorch does), not silently used.
#[derive(Clone)]
struct SavedIndices(Vec<Option<SavedTensor>>);

impl SavedIndices {
    fn new(indices: &[Option<Tensor>]) -> SavedIndices {
        SavedIndices(
            indices
                .iter()
                .map(|t| t.as_ref().map(SavedTensor::input))
                .collect(),
        )
    }

    /// The saved tensors, for the node to release after backward.
    fn all(&self) -> Vec<SavedTensor> {
        self.0.iter().flatten().cloned().collect()
    }

    fn get(&self) -> Result<Vec<Option<Tensor>>> {
        self.0
            .iter()
            .map(|s| s.as_ref().map(SavedTensor::get).transpose())
            .collect()
    }
}

fn zero(dtype: DType) -> Tensor {
    Tensor::scalar(Scalar::Float(0.0), dtype)
}

fn as_target(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// `y = x[indices]` (`IndexBackward0`): each gathered element's gradient goes back to where it
/// came from; an element picked several times gets the sum (`index_put` with accumulate).
pub fn index_back(input: &Tensor, indices: &[Option<Tensor>]) -> NodeSpec {
    let shape = input.shape().to_vec();
    let saved = SavedIndices::new(indices);
    NodeSpec::new("IndexBackward0", saved.all(), move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        let zeros = Tensor::zeros(&shape, g.dtype())?;
        Ok(vec![Some(zeros.index_put(&saved.get()?, g, true)?)])
    })
}

/// `y = x.index_put(indices, v, accumulate)` (`IndexPutBackward0`). With accumulate, `y` is
/// `x` plus something, so `dx = dy`; without, the written positions no longer depend on `x`
/// (`dx` is `dy` zeroed there). `dv` is `dy` read at the written positions, summed back over
/// the dims `v` was broadcast along.
pub fn index_put_back(
    input: &Tensor,
    indices: &[Option<Tensor>],
    values: &Tensor,
    accumulate: bool,
) -> NodeSpec {
    let values_shape = values.shape().to_vec();
    let dtype = input.dtype();
    let saved = SavedIndices::new(indices);
    NodeSpec::new("IndexPutBackward0", saved.all(), move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let indices = saved.get()?;
        let gx = match (needs[0], accumulate) {
            (false, _) => None,
            (true, true) => Some(g.clone()),
            (true, false) => Some(g.index_put(&indices, &zero(dtype), false)?),
        };
        let gv = if needs[1] {
            Some(sum_to_shape(&g.index_with(&indices)?, &values_shape)?)
        } else {
            None
        };
        Ok(vec![gx, gv])
    })
}

/// `y = x.index_select(dim, index)` (`IndexSelectBackward0`): the selected slices' gradients
/// are added back into their places (a slice selected twice gets both).
pub fn index_select_back(input: &Tensor, dim: i64, index: &Tensor) -> NodeSpec {
    let shape = input.shape().to_vec();
    let saved = SavedTensor::input(index);
    NodeSpec::new(
        "IndexSelectBackward0",
        vec![saved.clone()],
        move |grads, _| {
            let g = grads[0].as_ref().expect("materialized");
            let zeros = Tensor::zeros(&shape, g.dtype())?;
            let one = Scalar::Int(1);
            Ok(vec![Some(zeros.index_add(dim, &saved.get()?, g, one)?)])
        },
    )
}

/// The gradient of a source whose slices were placed along `dim` at `index`: `dy`'s slices
/// there, in the source's own shape (a 0-dim source was placed as one slice).
fn slices_back(g: &Tensor, dim: i64, index: &Tensor, source_shape: &[usize]) -> Result<Tensor> {
    g.index_select(dim, index)?
        .reshape(&as_target(source_shape))
}

/// `y = x.index_add(dim, index, s, alpha)` (`IndexAddBackward0`): `dx = dy`, and each slice of
/// `s` gets `alpha` times the gradient of the slice it was added into.
pub fn index_add_back(dim: i64, index: &Tensor, source: &Tensor, alpha: f64) -> NodeSpec {
    let source_shape = source.shape().to_vec();
    let saved = SavedTensor::input(index);
    NodeSpec::new(
        "IndexAddBackward0",
        vec![saved.clone()],
        move |grads, needs| {
            let g = grads[0].as_ref().expect("materialized");
            let gs = if needs[1] {
                let picked = slices_back(g, dim, &saved.get()?, &source_shape)?;
                Some(if alpha == 1.0 {
                    picked
                } else {
                    mul_scalar(&picked, alpha)?
                })
            } else {
                None
            };
            Ok(vec![needs[0].then(|| g.clone()), gs])
        },
    )
}

/// `y = x.index_copy(dim, index, s)` (`IndexCopyBackward0`): the overwritten slices of `x` get
/// zero, and each slice of `s` the gradient of the slice it was copied into.
pub fn index_copy_back(dim: i64, index: &Tensor, source: &Tensor) -> NodeSpec {
    let source_shape = source.shape().to_vec();
    let saved = SavedTensor::input(index);
    NodeSpec::new(
        "IndexCopyBackward0",
        vec![saved.clone()],
        move |grads, needs| {
            let g = grads[0].as_ref().expect("materialized");
            let index = saved.get()?;
            let gx = if needs[0] {
                Some(g.index_fill(dim, &index, Scalar::Float(0.0))?)
            } else {
                None
            };
            let gs = if needs[1] {
                Some(slices_back(g, dim, &index, &source_shape)?)
            } else {
                None
            };
            Ok(vec![gx, gs])
        },
    )
}

/// `y = x.index_fill(dim, index, value)`: the filled slices no longer depend on `x`. With a
/// number (`IndexFillBackward0`) that is all; with a 0-dim tensor value
/// (`IndexFillBackward1`) the value gets the sum of the gradients of every filled element,
/// each counted once however often its index repeats (`positions`: the distinct ones).
pub fn index_fill_back(dim: i64, index: &Tensor, positions: Option<Tensor>) -> NodeSpec {
    let saved = SavedTensor::input(index);
    let name = if positions.is_some() {
        "IndexFillBackward1"
    } else {
        "IndexFillBackward0"
    };
    NodeSpec::new(name, vec![saved.clone()], move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let gx = if needs[0] {
            Some(g.index_fill(dim, &saved.get()?, Scalar::Float(0.0))?)
        } else {
            None
        };
        let mut out = vec![gx];
        if let Some(positions) = &positions {
            let gv = if needs[1] {
                Some(g.index_select(dim, positions)?.sum(None, false, None)?)
            } else {
                None
            };
            out.push(gv);
        }
        Ok(out)
    })
}

/// `y = x.take(index)` (`TakeBackward0`): each taken element's gradient goes back to its flat
/// position, adding up where a position was taken more than once.
pub fn take_back(input: &Tensor, index: &Tensor) -> NodeSpec {
    let shape = input.shape().to_vec();
    let saved = SavedTensor::input(index);
    NodeSpec::new("TakeBackward0", vec![saved.clone()], move |grads, _| {
        let g = grads[0].as_ref().expect("materialized");
        let zeros = Tensor::zeros(&shape, g.dtype())?;
        Ok(vec![Some(zeros.put(&saved.get()?, g, true)?)])
    })
}

/// `y = x.put(index, s, accumulate)` (`PutBackward0`): like `index_put` on the flattened
/// tensor. `dx = dy` with accumulate, else `dy` zeroed at the written positions; `ds` is `dy`
/// read at the positions, in the source's shape.
pub fn put_back(index: &Tensor, source: &Tensor, accumulate: bool) -> NodeSpec {
    let source_shape = source.shape().to_vec();
    let saved = SavedTensor::input(index);
    NodeSpec::new("PutBackward0", vec![saved.clone()], move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let index = saved.get()?;
        let gx = match (needs[0], accumulate) {
            (false, _) => None,
            (true, true) => Some(g.clone()),
            (true, false) => {
                let zeros = Tensor::zeros(&source_shape, g.dtype())?;
                Some(g.put(&index, &zeros, false)?)
            }
        };
        let gs = if needs[1] {
            Some(g.take(&index)?.reshape(&as_target(&source_shape))?)
        } else {
            None
        };
        Ok(vec![gx, gs])
    })
}
