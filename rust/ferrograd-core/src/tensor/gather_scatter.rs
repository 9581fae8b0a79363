//! `gather` and the `scatter` family along one dim: `out[i][j] = self[i][index[i][j]]` (dim 1)
//! and its inverse, with the reductions of `scatter_add_`, `scatter(reduce=...)` and
//! `scatter_reduce_`. Index values are checked (never wrapped) before any data moves.

use super::index_util::{
    assert_no_overlap, contiguous_copy, gather_tensor, index_values, is_index_dtype, nonempty_size,
    nonempty_strides, plain_index, scatter_tensor, unaliased,
};
use super::{materialize, Tensor};
use crate::cpu::accumulate::Accumulate;
use crate::cpu::gather::{Combine, OffsetWalk};
use crate::cpu::walk::walk;
use crate::dtype::Scalar;

use crate::error::{shape_str, Error, Result};
use crate::shape::{contiguous_strides, normalize_dim, numel};
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

    fn combine(self) -> Combine {
        match self {
            ScatterReduce::Sum | ScatterReduce::Mean => Combine::Add,
            ScatterReduce::Prod => Combine::Multiply,
            ScatterReduce::Amax => Combine::Max,
            ScatterReduce::Amin => Combine::Min,
        }
    }
}

/// An index of a gather or scatter, checked and turned into positions along `dim`.
struct DimIndex {
    dim: usize,
    /// The index values in row-major order, each in `0..size`.
    positions: Vec<usize>,
    /// The walk shape (the index's shape).
    shape: Vec<usize>,
}

impl DimIndex {
    fn new(index: &Tensor, dim: usize, size: usize) -> Result<DimIndex> {
        let positions = index_values(index)?
            .into_iter()
            .map(|v| {
                plain_index(v, size).ok_or_else(|| {
                    Error::runtime(format!(
                        "index {v} is out of bounds for dimension {dim} with size {size}"
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(DimIndex {
            dim,
            positions,
            shape: index.shape().to_vec(),
        })
    }

    /// Storage offsets along `dim` of a tensor whose stride there is `stride`.
    fn offsets(&self, stride: usize) -> Vec<usize> {
        self.positions.iter().map(|&p| p * stride).collect()
    }

    /// Strides of `t` for walking the index shape: its own, with `dim` standing still.
    fn walk_strides(&self, t: &Tensor) -> Vec<usize> {
        if self.shape.is_empty() {
            return Vec::new();
        }
        let mut s = nonempty_strides(t);
        s[self.dim] = 0;
        s
    }

    /// Gathers `src` along the dim at these positions.
    fn gather(&self, src: &Tensor) -> Result<Tensor> {
        let stride = nonempty_strides(src)[self.dim];
        let (strides, offsets) = (self.walk_strides(src), self.offsets(stride));
        let offset_strides = contiguous_strides(&self.shape);
        gather_tensor(
            src,
            &OffsetWalk {
                shape: &self.shape,
                strides: &strides,
                base: src.storage_offset(),
                offset_strides: &offset_strides,
                offsets: &offsets,
            },
        )
    }

    /// Scatters `values` (walked with its own strides over the index shape) into `dst`.
    fn scatter(&self, dst: &Tensor, values: &Tensor, combine: Combine) -> Result<()> {
        let stride = nonempty_strides(dst)[self.dim];
        let (strides, offsets) = (self.walk_strides(dst), self.offsets(stride));
        let offset_strides = contiguous_strides(&self.shape);
        let value_strides = if self.shape.is_empty() {
            Vec::new()
        } else {
            nonempty_strides(values)
        };
        let w = OffsetWalk {
            shape: &self.shape,
            strides: &strides,
            base: dst.storage_offset(),
            offset_strides: &offset_strides,
            offsets: &offsets,
        };
        scatter_tensor(dst, &w, values, &value_strides, combine)
    }
}

fn nonempty_ndim(t: &Tensor) -> usize {
    t.ndim().max(1)
}

fn gather_shape_check(input: &Tensor, dim: usize, index: &Tensor) -> Result<()> {
    if nonempty_ndim(input) != nonempty_ndim(index) {
        return Err(Error::runtime(
            "Index tensor must have the same number of dimensions as input tensor",
        ));
    }
    for d in (0..nonempty_ndim(input)).filter(|&d| d != dim) {
        if nonempty_size(index, d) > nonempty_size(input, d) {
            return Err(Error::runtime(format!(
                "Size does not match at dimension {d} expected index {} to be no larger than self {} apart from dimension {dim}",
                shape_str(index.shape()),
                shape_str(input.shape())
            )));
        }
    }
    Ok(())
}

fn scatter_shape_check(
    dst: &Tensor,
    dim: usize,
    index: &Tensor,
    src: Option<&Tensor>,
) -> Result<()> {
    if index.numel() == 0 {
        return Ok(());
    }
    if nonempty_ndim(dst) != nonempty_ndim(index) {
        return Err(Error::runtime(
            "Index tensor must have the same number of dimensions as self tensor",
        ));
    }
    let dims = 0..nonempty_ndim(dst);
    let mut wrong = dims
        .clone()
        .any(|d| d != dim && nonempty_size(index, d) > nonempty_size(dst, d));
    let head = format!(
        "Expected index {} to be no larger than self {} apart from dimension {dim}",
        shape_str(index.shape()),
        shape_str(dst.shape())
    );
    let Some(src) = src else {
        return if wrong {
            Err(Error::runtime(head))
        } else {
            Ok(())
        };
    };
    wrong = wrong || dims.clone().any(|d| nonempty_size(index, d) > nonempty_size(src, d));
    if nonempty_ndim(src) != nonempty_ndim(index) {
        return Err(Error::runtime(
            "Index tensor must have the same number of dimensions as src tensor",
        ));
    }
    if wrong {
        return Err(Error::runtime(format!(
            "{head} and to be no larger size than src {}",
            shape_str(src.shape())
        )));
    }
    Ok(())
}

fn dtype_check(op: &str, dst: &Tensor, index: &Tensor, src: Option<&Tensor>) -> Result<()> {
    if index.numel() != 0 && !is_index_dtype(index.dtype()) {
        return Err(Error::runtime(format!(
            "{op}(): Expected dtype int32/int64 for index"
        )));
    }
    if src.is_some_and(|s| s.dtype() != dst.dtype()) {
        return Err(Error::runtime(format!(
            "{op}(): Expected self.dtype to be equal to src.dtype"
        )));
    }
    Ok(())
}

impl Tensor {
    /// `gather(dim, index)`: `out[..., j, ...] = self[..., index[..., j, ...], ...]` along `dim`;
    /// the result has the index's shape.
    pub fn gather(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        let d = normalize_dim(dim, self.ndim())?;
        if index.numel() == 0 {
            return Tensor::zeros(index.shape(), self.dtype());
        }
        dtype_check("gather", self, index, None)?;
        gather_shape_check(self, d, index)?;
        DimIndex::new(index, d, nonempty_size(self, d))?.gather(self)
    }

    /// The checks and index of an in-place scatter.
    fn scatter_prepare(&self, dim: i64, index: &Tensor, src: Option<&Tensor>) -> Result<DimIndex> {
        let d = normalize_dim(dim, self.ndim())?;
        dtype_check("scatter", self, index, src)?;
        scatter_shape_check(self, d, index, src)?;
        self.check_no_internal_overlap("scatter_")?;
        assert_no_overlap(self, index)?;
        if let Some(src) = src {
            assert_no_overlap(self, src)?;
        }
        DimIndex::new(index, d, nonempty_size(self, d))
    }

    /// `scatter_(dim, index, src, reduce=None|"add"|"multiply")`.
    pub fn scatter_(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Tensor,
        reduce: Option<ScatterReduce>,
    ) -> Result<()> {
        let idx = self.scatter_prepare(dim, index, Some(src))?;
        let combine = reduce.map_or(Combine::Assign, ScatterReduce::combine);
        idx.scatter(self, &unaliased(src, self)?, combine)?;
        self.bump_version();
        Ok(())
    }

    /// `scatter_(dim, index, value, reduce=...)` with a number: every indexed position gets it.
    pub fn scatter_value_(
        &self,
        dim: i64,
        index: &Tensor,
        value: Scalar,
        reduce: Option<ScatterReduce>,
    ) -> Result<()> {
        let idx = self.scatter_prepare(dim, index, None)?;
        let combine = reduce.map_or(Combine::Assign, ScatterReduce::combine);
        let target: Vec<i64> = nonempty_shape_of(index);
        let values = Tensor::scalar(value, self.dtype()).expand(&target)?;
        idx.scatter(self, &values, combine)?;
        self.bump_version();
        Ok(())
    }

    pub fn scatter(
        &self,
        dim: i64,
        index: &Tensor,
        src: &Tensor,
        reduce: Option<ScatterReduce>,
    ) -> Result<Tensor> {
        let out = contiguous_copy(self)?;
        out.scatter_(dim, index, src, reduce)?;
        Ok(out)
    }

    pub fn scatter_value(
        &self,
        dim: i64,
        index: &Tensor,
        value: Scalar,
        reduce: Option<ScatterReduce>,
    ) -> Result<Tensor> {
        let out = contiguous_copy(self)?;
        out.scatter_value_(dim, index, value, reduce)?;
        Ok(out)
    }

    /// `scatter_add_(dim, index, src)`: adds instead of assigning.
    pub fn scatter_add_(&self, dim: i64, index: &Tensor, src: &Tensor) -> Result<()> {
        self.scatter_(dim, index, src, Some(ScatterReduce::Sum))
    }

    pub fn scatter_add(&self, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        self.scatter(dim, index, src, Some(ScatterReduce::Sum))
    }

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
        let idx = self.scatter_prepare(dim, index, Some(src))?;
        if reduce == ScatterReduce::Mean && self.dtype() == crate::DType::Bool {
            // PyTorch fails in its scatter kernel, or (with nothing to scatter) when dividing.
            let kernel = if index.numel() > 0 {
                "scatter_gather_tensor_cpu_reduce_mean"
            } else {
                "div_floor_cpu"
            };
            return Err(super::index_util::not_implemented(kernel, self.dtype()));
        }
        let src = unaliased(src, self)?;
        if !include_self {
            let identity = with_dtype!(self.dtype(), T => identity_of::<T>(reduce));
            let target = nonempty_shape_of(index);
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
        let out = contiguous_copy(self)?;
        out.scatter_reduce_(dim, index, src, reduce, include_self)?;
        Ok(out)
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
        walk(l.shape(), [l.strides()], [l.offset()], 0..numel(l.shape()), |p, o| {
            dst[o[0]] = dst[o[0]].mean_div(counts[p]);
        });
        Ok(())
    }
}

/// The shape to expand a scalar to so that it walks like the index `t`.
fn nonempty_shape_of(t: &Tensor) -> Vec<i64> {
    t.shape().iter().map(|&d| d as i64).collect()
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
    fn gather_along_dims() -> Result<()> {
        let x = grid()?;
        let g = x.gather(1, &idx(vec![3, 0, 1, 1], &[2, 2])?)?;
        assert_eq!(g.to_vec::<f32>()?, vec![3.0, 0.0, 5.0, 5.0]);
        let g = x.t()?.gather(0, &idx(vec![2, 0], &[1, 2])?)?;
        assert_eq!(g.to_vec::<f32>()?, vec![2.0, 4.0]);
        let e = x.gather(1, &idx(vec![4], &[1, 1])?).err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("index 4 is out of bounds for dimension 1 with size 4")
        );
        Ok(())
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
