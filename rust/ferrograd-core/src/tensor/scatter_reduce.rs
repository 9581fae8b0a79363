//! `scatter_reduce_`: scatter along a dim combining with `sum`, `prod`, `mean`, `amax` or
//! `amin`, optionally ignoring the values already in place (`include_self=False`).

use super::gather_scatter::{index_target, DimIndex};
use super::index_util::{contiguous_copy, unaliased};
use super::{materialize, Tensor};
use crate::autograd::formulas::scatter::scatter_reduce_back;
use crate::autograd::{needs_grad, tracked, tracked_in_place};
use crate::cpu::accumulate::Accumulate;
use crate::cpu::gather::Combine;
use crate::cpu::walk::walk;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::op::not_implemented;
use crate::shape::numel;
use crate::with_dtype;

/// The reductions of `scatter_reduce_`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScatterReduce {
    Sum,
    Prod,
    Mean,
    Amax,
    Amin,
}

impl ScatterReduce {
    /// Parses `scatter_reduce`'s names (`sum`, `prod`, `mean`, `amax`, `amin`).
    pub fn parse(name: &str) -> Result<ScatterReduce> {
        Ok(match name {
            "sum" => ScatterReduce::Sum,
            "prod" => ScatterReduce::Prod,
            "mean" => ScatterReduce::Mean,
            "amax" => ScatterReduce::Amax,
            "amin" => ScatterReduce::Amin,
            _ => {
                return Err(Error::runtime(format!(
                    "reduce argument must be either sum, prod, mean, amax or amin, got {name}"
                )))
            }
        })
    }

    /// Parses the older `scatter(..., reduce=)` names (`add`, `multiply`).
    pub fn parse_legacy(name: &str) -> Result<ScatterReduce> {
        match name {
            "add" => Ok(ScatterReduce::Sum),
            "multiply" => Ok(ScatterReduce::Prod),
            _ => Err(Error::runtime(
                "reduce argument must be either add or multiply.",
            )),
        }
    }

    /// `mean` has no kernel for bool: PyTorch fails in its scatter kernel, or (with nothing
    /// to scatter) when dividing.
    pub(super) fn check_kernel(self, dtype: DType, index: &Tensor) -> Result<()> {
        if self != ScatterReduce::Mean || dtype != DType::Bool {
            return Ok(());
        }
        let kernel = if index.numel() > 0 {
            "scatter_gather_tensor_cpu_reduce_mean"
        } else {
            "div_floor_cpu"
        };
        Err(not_implemented(kernel, dtype))
    }

    pub(super) fn combine(self) -> Combine {
        match self {
            ScatterReduce::Sum | ScatterReduce::Mean => Combine::Add,
            ScatterReduce::Prod => Combine::Multiply,
            ScatterReduce::Amax => Combine::Max,
            ScatterReduce::Amin => Combine::Min,
        }
    }
}

impl Tensor {
    /// `scatter_reduce_(dim, index, src, reduce, include_self)`. Without `include_self`, the
    /// indexed positions start from the reduction's identity; `mean` divides by the number of
    /// values reduced into each position (floor division for integers).
    pub fn scatter_reduce_(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Tensor,
        reduce: ScatterReduce,
        include_self: bool,
    ) -> Result<()> {
        if needs_grad(&[self, src]) {
            let reduced = |old: &Tensor| old.scatter_reduce(dim, index, src, reduce, include_self);
            return tracked_in_place(self, reduced).map(drop);
        }
        // Without include_self PyTorch first scatters the identity, which checks the indices
        // before the reduction's kernel is looked up.
        let early = include_self.then_some(reduce);
        let idx = self.scatter_prepare_for(dim, index, Some(src), early)?;
        reduce.check_kernel(self.dtype(), index)?;
        let src = unaliased(src, self)?;
        if !include_self {
            let identity = with_dtype!(self.dtype(), T => identity_of::<T>(reduce));
            let target = index_target(index);
            let fill = Tensor::scalar(identity, self.dtype()).expand(&target)?;
            idx.scatter(self, &fill, Combine::Assign)?;
        }
        idx.scatter(self, &src, reduce.combine())?;
        if reduce == ScatterReduce::Mean {
            let counts = self.scatter_counts(&idx, include_self)?;
            with_dtype!(self.dtype(), T => self.divide_by_counts::<T>(&counts))?;
        }
        self.bump_version();
        Ok(())
    }

    pub fn scatter_reduce(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Tensor,
        reduce: ScatterReduce,
        include_self: bool,
    ) -> Result<Tensor> {
        tracked(
            &[self, src],
            || {
                let out = contiguous_copy(self)?;
                out.scatter_reduce_(dim, index, src, reduce, include_self)?;
                Ok(out)
            },
            |out| {
                let spec = scatter_reduce_back(self, dim, index, src, reduce, include_self, out);
                Ok(spec)
            },
        )
    }

    /// How many values each element of `self` (row-major) received, plus itself if included.
    fn scatter_counts(&self, idx: &DimIndex, include_self: bool) -> Result<Vec<usize>> {
        let counts = Tensor::full(
            self.shape(),
            Scalar::Int(include_self as i64),
            crate::DType::I64,
        )?;
        let shape: Vec<i64> = idx.shape.iter().map(|&d| d as i64).collect();
        let ones = Tensor::scalar(Scalar::Int(1), crate::DType::I64).expand(&shape)?;
        idx.scatter(&counts, &ones, Combine::Add)?;
        Ok(materialize::<i64>(&counts)?
            .into_iter()
            .map(|c| c.max(1) as usize)
            .collect())
    }

    fn divide_by_counts<T: Accumulate>(&self, counts: &[usize]) -> Result<()> {
        let mut data = self.storage().write();
        let dst = data.cpu_mut()?.as_mut_slice::<T>();
        let l = self.layout();
        walk(
            l.shape(),
            [l.strides()],
            [l.offset()],
            0..numel(l.shape()),
            |p, o| {
                dst[o[0]] = dst[o[0]].mean_div(counts[p]);
            },
        );
        Ok(())
    }
}

/// The value an indexed position starts from when `include_self` is false.
fn identity_of<T: Accumulate>(reduce: ScatterReduce) -> Scalar {
    match reduce {
        ScatterReduce::Sum | ScatterReduce::Mean => Scalar::Int(0),
        ScatterReduce::Prod => Scalar::Int(1),
        ScatterReduce::Amax => T::lowest().to_scalar(),
        ScatterReduce::Amin => T::highest().to_scalar(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    fn grid() -> Result<Tensor> {
        Tensor::arange(Scalar::Int(0), Scalar::Int(12), Scalar::Int(1), DType::F32)?.view(&[3, 4])
    }

    fn idx(v: Vec<i64>, shape: &[usize]) -> Result<Tensor> {
        Tensor::from_vec(v, shape)
    }

    #[test]
    fn scatter_reductions() -> Result<()> {
        let x = grid()?;
        let i = idx(vec![0, 0], &[1, 2])?;
        let src = Tensor::full(&[1, 2], Scalar::Float(2.0), DType::F32)?;
        let s = x.scatter_add(1, &i, &src)?;
        assert_eq!(&s.to_vec::<f32>()?[..2], &[4.0, 1.0]);
        let m = x.scatter_reduce(1, &i, &src, ScatterReduce::Mean, true)?;
        assert!((m.to_vec::<f32>()?[0] - 4.0 / 3.0).abs() < 1e-6);
        let m = x.scatter_reduce(1, &i, &src, ScatterReduce::Mean, false)?;
        assert_eq!(m.to_vec::<f32>()?[0], 2.0);
        let a = x.scatter_reduce(1, &i, &src, ScatterReduce::Amin, false)?;
        assert_eq!(a.to_vec::<f32>()?[0], 2.0);
        Ok(())
    }
}
