//! Backward of `gather` and the `scatter` family along one dim. `gather` and `scatter` are each
//! other's transpose: a gathered element's gradient is scatter-added back to where it was
//! read, and a scattered source element's gradient is gathered from where it was written.
//! `scatter_reduce` adds the derivative of its reduction (product, mean, max/min).

use super::math::{compare, div, mul};
use crate::autograd::node::NodeSpec;
use crate::autograd::saved::SavedTensor;
use crate::autograd::{is_grad_enabled, tracked};
use crate::dtype::Scalar;
use crate::error::{Error, Result};
use crate::op::BinaryOp;
use crate::tensor::{where_op, Arg, ScatterReduce, Tensor};

/// `y = x.gather(dim, index)` (`GatherBackward0`): each element of `dy` is added back at the
/// position of `x` it was read from.
pub fn gather_back(input: &Tensor, dim: i64, index: &Tensor) -> NodeSpec {
    let shape = input.shape().to_vec();
    let saved = SavedTensor::input(index);
    NodeSpec::new("GatherBackward0", vec![saved.clone()], move |grads, _| {
        let g = grads[0].as_ref().expect("materialized");
        let zeros = Tensor::zeros(&shape, g.dtype())?;
        Ok(vec![Some(zeros.scatter_add(dim, &saved.get()?, g)?)])
    })
}

/// `dy` with the scattered-into positions zeroed: they no longer depend on `x`.
fn zero_scattered(g: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    g.scatter_value(dim, index, Scalar::Float(0.0), None)
}

/// `y = x.scatter(dim, index, src)` (`ScatterBackward0`), or with a number in place of `src`
/// (`ScatterBackward1`, no `src` input): `dx` is `dy` zeroed where something was written,
/// `dsrc` is `dy` read where each source element went. As in PyTorch, a `src` larger than
/// `index` gets a gradient of the index's shape, which the engine reports as invalid.
pub fn scatter_back(dim: i64, index: &Tensor, with_src: bool) -> NodeSpec {
    let saved = SavedTensor::input(index);
    let name = if with_src {
        "ScatterBackward0"
    } else {
        "ScatterBackward1"
    };
    NodeSpec::new(name, vec![saved.clone()], move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let index = saved.get()?;
        let gx = if needs[0] {
            Some(zero_scattered(g, dim, &index)?)
        } else {
            None
        };
        let mut out = vec![gx];
        if with_src {
            out.push(if needs[1] {
                Some(g.gather(dim, &index)?)
            } else {
                None
            });
        }
        Ok(out)
    })
}

/// `y = x.scatter_add(dim, index, src)` (`ScatterAddBackward0`): `y` is `x` plus something,
/// so `dx = dy`; `dsrc` is `dy` read where each source element was added.
pub fn scatter_add_back(dim: i64, index: &Tensor) -> NodeSpec {
    let saved = SavedTensor::input(index);
    NodeSpec::new(
        "ScatterAddBackward0",
        vec![saved.clone()],
        move |grads, needs| {
            let g = grads[0].as_ref().expect("materialized");
            let gsrc = if needs[1] {
                Some(g.gather(dim, &saved.get()?)?)
            } else {
                None
            };
            Ok(vec![needs[0].then(|| g.clone()), gsrc])
        },
    )
}

/// `scatter(..., reduce="add"|"multiply")`: PyTorch records a node it calls `NotImplemented`
/// and fails only when a backward reaches it.
pub fn scatter_legacy_reduce_back() -> NodeSpec {
    NodeSpec::new("NotImplemented", vec![], |_, _| {
        Err(Error::runtime(
            "derivative for aten::scatter is not implemented",
        ))
    })
}

/// What `scatter_reduce`'s backward needs: the dim, the index and the tensors of the forward.
struct Reduction {
    dim: i64,
    index: SavedTensor,
    input: SavedTensor,
    src: SavedTensor,
    result: SavedTensor,
    reduce: ScatterReduce,
    include_self: bool,
}

/// `y = x.scatter_reduce(dim, index, src, reduce, include_self)` (`ScatterReduceBackward0`).
pub fn scatter_reduce_back(
    input: &Tensor,
    dim: i64,
    index: &Tensor,
    src: &Tensor,
    reduce: ScatterReduce,
    include_self: bool,
    result: &Tensor,
) -> NodeSpec {
    let r = Reduction {
        dim,
        index: SavedTensor::input(index),
        input: SavedTensor::input(input),
        src: SavedTensor::input(src),
        result: SavedTensor::output(result, 0),
        reduce,
        include_self,
    };
    let saved = vec![
        r.index.clone(),
        r.input.clone(),
        r.src.clone(),
        r.result.clone(),
    ];
    NodeSpec::new("ScatterReduceBackward0", saved, move |grads, needs| {
        let g = grads[0].as_ref().expect("materialized");
        let (gx, gsrc) = r.backward(g)?;
        let index = r.index.get()?;
        // Without include_self the reduced positions never read `x`.
        let gx = if needs[0] && !r.include_self {
            Some(zero_scattered(&gx, r.dim, &index)?)
        } else {
            needs[0].then_some(gx)
        };
        Ok(vec![gx, needs[1].then_some(gsrc)])
    })
}

impl Reduction {
    /// (dx, dsrc) before the positions of `x` left out by `include_self=False` are zeroed.
    fn backward(&self, g: &Tensor) -> Result<(Tensor, Tensor)> {
        let (dim, index) = (self.dim, self.index.get()?);
        match self.reduce {
            // A sum: every term has derivative one.
            ScatterReduce::Sum => Ok((g.clone(), g.gather(dim, &index)?)),
            ScatterReduce::Mean => self.mean(g, &index),
            ScatterReduce::Prod => self.prod(g, &index),
            ScatterReduce::Amax | ScatterReduce::Amin => self.extreme(g, &index),
        }
    }

    /// A mean over `n` terms: each term has derivative `1/n`. `n` counts the values reduced
    /// into each position (plus `x` itself when included; at least one).
    fn mean(&self, g: &Tensor, index: &Tensor) -> Result<(Tensor, Tensor)> {
        let dtype = g.dtype();
        let start = Scalar::Int(self.include_self as i64);
        let ones = Tensor::ones(index.shape(), dtype)?;
        let counts = Tensor::full(g.shape(), start, dtype)?.scatter_add(self.dim, index, &ones)?;
        let none = compare(
            BinaryOp::Eq,
            &counts,
            &Tensor::scalar(Scalar::Int(0), dtype),
        )?;
        let counts = counts.masked_fill(&none, Scalar::Int(1))?;
        let gx = div(g, &counts)?;
        let gsrc = div(
            &g.gather(self.dim, index)?,
            &counts.gather(self.dim, index)?,
        )?;
        Ok((gx, gsrc))
    }

    /// A product: each factor's derivative is the product of the other factors. That is
    /// `result / factor`, except where the factor is zero; there the product of the others
    /// is recomputed with that zero replaced by one.
    fn prod(&self, g: &Tensor, index: &Tensor) -> Result<(Tensor, Tensor)> {
        let (x, src) = (self.input.get()?, self.src.get()?);
        let zero = Tensor::scalar(Scalar::Int(0), x.dtype());
        // For `x`: its zeros replaced by one, the product is that of the others.
        let x_zero = compare(BinaryOp::Eq, &x, &zero)?;
        let x_ones = x.masked_fill(&x_zero, Scalar::Int(1))?;
        let others =
            x_ones.scatter_reduce(self.dim, index, &src, self.reduce, self.include_self)?;
        let gx = div(&mul(g, &others)?, &x_ones)?;
        Ok((gx, self.prod_src(g, index, &x, &src)?))
    }

    /// The source's half of the product's derivative. A source zero that is the only zero
    /// sent to its position gets the product of the others, recomputed with it replaced by
    /// one; with two zeros at one position every other product is zero anyway.
    fn prod_src(&self, g: &Tensor, index: &Tensor, x: &Tensor, src: &Tensor) -> Result<Tensor> {
        let (dim, dtype) = (self.dim, x.dtype());
        let (zero, one) = (
            Tensor::scalar(Scalar::Int(0), dtype),
            Tensor::scalar(Scalar::Int(1), dtype),
        );
        let src_zero = compare(BinaryOp::Eq, src, &zero)?;
        let zeros_sent = Tensor::zeros(x.shape(), dtype)?
            .scatter_add(dim, index, &src_zero.to_dtype(dtype)?)?
            .gather(dim, index)?;
        let single = compare(BinaryOp::Eq, &zeros_sent, &one)?;
        let only_zero = compare(BinaryOp::LogicalAnd, &src_zero, &single)?;
        let src_ones = src.masked_fill(&only_zero, Scalar::Int(1))?;
        let without_it = x.scatter_reduce(dim, index, &src_ones, self.reduce, self.include_self)?;
        let at_only_zero = mul(g, &without_it)?.gather(dim, index)?;
        let result = self.result.get()?;
        let elsewhere = div(
            &mul(g, &result)?.gather(dim, index)?,
            &src.masked_fill(&src_zero, Scalar::Int(1))?,
        )?;
        let gsrc = where_op(
            &only_zero,
            &Arg::Tensor(at_only_zero),
            &Arg::Tensor(elsewhere),
            None,
        )?;
        let several = compare(BinaryOp::Gt, &zeros_sent, &one)?;
        if is_grad_enabled() && several.any(None, false)?.item()?.to_f64() != 0.0 {
            return delayed_error(&gsrc);
        }
        Ok(gsrc)
    }

    /// A maximum (minimum): its derivative goes to the elements equal to it, shared evenly
    /// among them when several tie (counting `x` even where `include_self=False` leaves it
    /// out, as PyTorch does).
    fn extreme(&self, g: &Tensor, index: &Tensor) -> Result<(Tensor, Tensor)> {
        let (x, src, result) = (self.input.get()?, self.src.get()?, self.result.get()?);
        let dtype = g.dtype();
        let value = result.gather(self.dim, index)?;
        let x_hits = compare(BinaryOp::Eq, &x, &result)?.to_dtype(dtype)?;
        let src_hits = compare(BinaryOp::Eq, &src, &value)?.to_dtype(dtype)?;
        let ties = x_hits.scatter_add(self.dim, index, &src_hits)?;
        let shared = div(g, &ties)?;
        let gx = mul(&x_hits, &shared)?;
        let gsrc = mul(&src_hits, &shared.gather(self.dim, index)?)?;
        Ok((gx, gsrc))
    }
}

/// PyTorch cannot differentiate the product's backward again when two zeros meet at one
/// position: the gradient it returns carries a node that fails if a second backward reaches
/// it.
fn delayed_error(g: &Tensor) -> Result<Tensor> {
    tracked(
        &[g],
        || Ok(g.detach()),
        |_| {
            Ok(NodeSpec::new("torch::autograd::Error", vec![], |_, _| {
                Err(Error::runtime(
                    "scatter_reduce(): Double backward is unsupported for src when >1 zeros in src are scattered to the same position in self",
                ))
            }))
        },
    )
}
