//! Backward of the ops that move, repeat or pick elements without computing anything: each
//! input element's gradient is the sum of the gradients of the result elements it became
//! (flipped back, rolled back, summed over repeats, over overlapping windows, ...).

use std::sync::Arc;

use super::math::mul;
use crate::autograd::node::NodeSpec;
use crate::autograd::record::tracked;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::layout::Layout;
use crate::op::BinaryOp;
use crate::strided::offsets;
use crate::tensor::{Arg, Tensor};

fn dims_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// `flip(dims)`: flipping is its own inverse, so the gradient is flipped the same way.
pub fn flip_back(dims: Vec<i64>) -> NodeSpec {
    NodeSpec::new("FlipBackward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(g.flip(&dims)?)])
    })
}

/// `roll(shifts, dims)`: rolling back by the opposite shifts undoes it.
pub fn roll_back(shifts: Vec<i64>, dims: Vec<i64>) -> NodeSpec {
    let back: Vec<i64> = shifts.iter().map(|&s| -s).collect();
    NodeSpec::new("RollBackward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(g.roll(&back, &dims)?)])
    })
}

/// `rot90(k, dims)`: rotating `-k` times over the same dims undoes it.
pub fn rot90_back(k: i64, dims: Vec<i64>) -> NodeSpec {
    NodeSpec::new("Rot90Backward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(g.rot90(-k, &dims)?)])
    })
}

/// `repeat(repeats)`: seen as `[r0, s0, r1, s1, ...]`, the result holds `r0 * r1 * ...` copies
/// of the input (padded with leading 1s); each input element's gradient is the sum over its
/// copies, that is over the `r` dims.
pub fn repeat_back(input_shape: &[usize], repeats: &[i64]) -> NodeSpec {
    let lead = repeats.len() - input_shape.len();
    let padded = std::iter::repeat_n(1usize, lead).chain(input_shape.iter().copied());
    let interleaved: Vec<i64> = padded
        .zip(repeats)
        .flat_map(|(n, &r)| [r, n as i64])
        .collect();
    let copy_dims: Vec<i64> = (0..repeats.len() as i64).map(|i| 2 * i).collect();
    let shape = dims_i64(input_shape);
    NodeSpec::new("RepeatBackward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        let copies = g.reshape(&interleaved)?;
        // `sum` over no dims would sum everything: a 0-D input repeated `()` has no copies.
        let summed = if copy_dims.is_empty() {
            copies
        } else {
            copies.sum(Some(&copy_dims), false, None)?
        };
        Ok(vec![Some(summed.reshape(&shape)?)])
    })
}

/// `tril(k)` / `triu(k)`: the zeroed elements do not depend on the input, the kept ones are
/// the input itself; so the gradient is the same triangle of `g`.
pub fn triangle_back(lower: bool, k: i64) -> NodeSpec {
    let name = if lower {
        "TrilBackward0"
    } else {
        "TriuBackward0"
    };
    NodeSpec::new(name, vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(if lower { g.tril(k)? } else { g.triu(k)? })])
    })
}

/// `diag_embed(offset, dim1, dim2)` (`dim1`, `dim2` wrapped for the result): only the
/// diagonal came from the input, so the gradient is the diagonal of `g` (which `diagonal`
/// puts last, where the input had it).
pub fn diag_embed_back(offset: i64, dim1: i64, dim2: i64) -> NodeSpec {
    NodeSpec::new("DiagEmbedBackward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(g.diagonal(offset, dim1, dim2)?)])
    })
}

/// `trace()` of an `n x m` matrix: `d trace(A) / dA = I`, so the gradient is `g` on the
/// main diagonal and zero elsewhere.
pub fn trace_back(shape: &[usize]) -> NodeSpec {
    let (n, m) = (shape[0], shape[1]);
    NodeSpec::new("TraceBackward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(mul(g, &Tensor::eye(n, m, g.dtype())?)?)])
    })
}

/// `unfold(dim, size, step)`: window `w`'s element `j` is input element `w * step + j` along
/// `dim`; an input element inside several windows gets the sum of their gradients.
pub fn unfold_back(input_shape: &[usize], dim: usize, size: usize, step: usize) -> NodeSpec {
    let shape = input_shape.to_vec();
    NodeSpec::new("UnfoldBackward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        Ok(vec![Some(fold_windows(g, &shape, dim, size, step)?)])
    })
}

/// Windows (`g`, shaped like `unfold`'s result) added back into a tensor of `shape` (PyTorch's
/// `unfold_backward`). Recorded itself: its own gradient is unfolding again.
pub fn fold_windows(
    g: &Tensor,
    shape: &[usize],
    dim: usize,
    size: usize,
    step: usize,
) -> Result<Tensor> {
    if shape.is_empty() {
        // A 0-D input unfolds as if it were `[1]`: one window.
        return fold_windows(&g.unsqueeze(0)?, &[1], 0, size, step)?.reshape(&[]);
    }
    tracked(
        &[g],
        || {
            let out = Tensor::zeros(shape, g.dtype())?;
            let windows = g.shape()[dim];
            // Element `j` of every window at once: a strided slice of the input's dim.
            for j in 0..size {
                let end = j + (windows - 1) * step + 1;
                let target =
                    out.slice(dim as i64, Some(j as i64), Some(end as i64), step as i64)?;
                let part = Arg::Tensor(g.select(-1, j as i64)?);
                target.binary(BinaryOp::Add, &part, Some(&target))?;
            }
            Ok(out)
        },
        move |_| {
            Ok(NodeSpec::new(
                "UnfoldBackwardBackward0",
                vec![],
                move |grads, _needs| {
                    let gg = grads[0].as_ref().expect("materialized");
                    Ok(vec![Some(gg.unfold(
                        dim as i64,
                        size as i64,
                        step as i64,
                    )?)])
                },
            ))
        },
    )
}

/// `as_strided` from an input laid out as `input` to a result laid out as `output`, both over
/// one storage. The result's gradient is added up per memory cell (windows that overlap read
/// a cell several times), then each input element takes its cell's gradient; input elements
/// that share a cell (an expanded input) share its gradient equally.
pub fn as_strided_back(input: Layout, output: Layout) -> NodeSpec {
    NodeSpec::new("AsStridedBackward0", vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        let shape = dims_i64(input.shape());
        if input.numel() == 0 || output.numel() == 0 {
            return Ok(vec![Some(Tensor::zeros(input.shape(), g.dtype())?)]);
        }
        let cells = MemoryCells::of(&input, &output);
        let memory = put_add(&g.reshape(&[-1])?, &[cells.len], 0, cells.output.clone())?;
        let mut grad = pick("IndexSelectBackward0", &memory, 0, cells.input.clone())?;
        if let Some(share) = cells.input_shares() {
            grad = mul(
                &grad,
                &Tensor::from_vec(share, &[input.numel()])?.to_dtype(g.dtype())?,
            )?;
        }
        Ok(vec![Some(grad.reshape(&shape)?)])
    })
}

/// The memory cells two non-empty layouts over one storage read, numbered from the lowest
/// one either reads: each layout's elements in row-major order.
struct MemoryCells {
    input: Arc<[usize]>,
    output: Arc<[usize]>,
    len: usize,
}

impl MemoryCells {
    fn of(input: &Layout, output: &Layout) -> MemoryCells {
        let lo = input.offset().min(output.offset());
        let len = input.storage_extent().max(output.storage_extent()) - lo;
        let cells = |l: &Layout| offsets(l).map(|o| o - lo).collect::<Arc<[usize]>>();
        MemoryCells {
            input: cells(input),
            output: cells(output),
            len,
        }
    }

    /// For an input whose elements share cells: `1 / (elements reading the cell)` per
    /// element. `None` when every input element has its own cell.
    fn input_shares(&self) -> Option<Vec<f64>> {
        let mut count = vec![0u32; self.len];
        for &c in self.input.iter() {
            count[c] += 1;
        }
        if count.iter().all(|&n| n <= 1) {
            return None;
        }
        Some(self.input.iter().map(|&c| 1.0 / count[c] as f64).collect())
    }
}

/// The slices of `x` at `positions` along `dim` (repeats allowed), recorded as a node named
/// `name` (`index_select` in PyTorch's terms).
pub fn pick(name: &'static str, x: &Tensor, dim: usize, positions: Arc<[usize]>) -> Result<Tensor> {
    tracked(
        &[x],
        || x.gather_along(dim, &positions),
        |_| Ok(pick_back(name, x.shape(), dim, positions.clone())),
    )
}

/// The backward of picking the slices at `positions` along `dim` from an input of
/// `input_shape` (then reshaped any way): each slice's gradient goes back to where it came
/// from, and a position picked several times gets the sum.
pub fn pick_back(
    name: &'static str,
    input_shape: &[usize],
    dim: usize,
    positions: Arc<[usize]>,
) -> NodeSpec {
    let shape = input_shape.to_vec();
    let mut picked = dims_i64(input_shape);
    picked[dim] = positions.len() as i64;
    NodeSpec::new(name, vec![], move |grads, _needs| {
        let g = grads[0].as_ref().expect("materialized");
        let g = if g.shape().len() == picked.len()
            && g.shape().iter().zip(&picked).all(|(&a, &b)| a as i64 == b)
        {
            g.clone()
        } else {
            g.reshape(&picked)?
        };
        Ok(vec![Some(put_add(&g, &shape, dim, positions.clone())?)])
    })
}

/// Zeros of `shape` with slice `k` of `g` added at `positions[k]` along `dim` (PyTorch's
/// `index_add` into zeros). Recorded itself: its gradient is picking those slices again.
pub fn put_add(g: &Tensor, shape: &[usize], dim: usize, positions: Arc<[usize]>) -> Result<Tensor> {
    let back = positions.clone();
    tracked(
        &[g],
        || {
            let out = Tensor::zeros(shape, g.dtype())?;
            if g.numel() > 0 {
                let index: Vec<i64> = positions.iter().map(|&p| p as i64).collect();
                let index = Tensor::from_vec(index, &[positions.len()])?;
                out.index_add_(dim as i64, &index, g, Scalar::Int(1))?;
            }
            Ok(out)
        },
        move |_| {
            Ok(NodeSpec::new(
                "IndexAddBackward0",
                vec![],
                move |grads, _needs| {
                    let gg = grads[0].as_ref().expect("materialized");
                    Ok(vec![Some(pick(
                        "IndexSelectBackward0",
                        gg,
                        dim,
                        back.clone(),
                    )?)])
                },
            ))
        },
    )
}
