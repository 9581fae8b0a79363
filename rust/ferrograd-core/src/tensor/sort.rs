//! Sorting along a dim: `sort`, `argsort`, `msort` and `topk`, each returning values and int64
//! indices. Every line is handled on its own (in parallel when there are many).

use super::convert::preserved_strides;
use super::Tensor;
use crate::autograd::formulas::select;
use crate::autograd::tracked_pair;
use crate::cpu::lines::map_lines;
use crate::cpu::sort::{sort_line, topk_line};
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, ErrorKind, Result};
use crate::shape::normalize_dim;
use crate::wgpu::sort as gpu_sort;
use crate::with_dtype;

/// Runs `f` over every line of `t` along `dim`, each giving `out_len` (value, index) pairs;
/// returns values and indices shaped like `t` with `dim` of length `out_len`, row-major.
fn line_pairs<T: Element>(
    t: &Tensor,
    dim: usize,
    out_len: usize,
    f: impl Fn(&[T], &mut [(T, i64)]) + Sync,
) -> Result<(Tensor, Tensor)> {
    let pairs = {
        let data = t.storage().read();
        map_lines(data.cpu()?.as_slice::<T>(), t.layout(), dim, out_len, f)
    };
    let (values, indices): (Vec<T>, Vec<i64>) = pairs.into_iter().unzip();
    let mut shape: Vec<usize> = t.shape().to_vec();
    shape.remove(dim);
    shape.push(out_len);
    let last = shape.len() as i64 - 1;
    let back = |v: Tensor| v.movedim(&[last], &[dim as i64]);
    Ok((
        back(Tensor::from_vec(values, &shape)?)?,
        back(Tensor::from_vec(indices, &shape)?)?,
    ))
}

/// A copy of `t` laid out with the given strides (a no-op when they already match).
fn with_strides(t: Tensor, strides: &[usize]) -> Result<Tensor> {
    if t.strides() == strides || t.numel() == 0 {
        return Ok(t);
    }
    let out = Tensor::empty_strided(t.shape(), strides, t.dtype())?;
    out.copy_(&t)?;
    Ok(out)
}

fn contiguous(t: Tensor) -> Result<Tensor> {
    t.contiguous()
}

impl Tensor {
    /// `sort(dim, descending)`: stable (equal values keep their order), NaN sorted as the
    /// largest value. The results keep this tensor's memory layout, as PyTorch's do.
    pub fn sort(&self, dim: i64, descending: bool) -> Result<(Tensor, Tensor)> {
        let d = normalize_dim(dim, self.ndim())?;
        tracked_pair(
            &[self],
            || self.sort_untracked(dim, descending),
            |_, indices| Ok(select::picked_back("SortBackward0", self, indices, d, true)),
        )
    }

    /// `sort` without the autograd check: `argsort` uses it, since indices need no gradient.
    fn sort_untracked(&self, dim: i64, descending: bool) -> Result<(Tensor, Tensor)> {
        let d = normalize_dim(dim, self.ndim())?;
        if self.ndim() == 0 {
            return Ok((
                self.deep_clone()?,
                Tensor::scalar(Scalar::Int(0), DType::I64),
            ));
        }
        let n = self.shape()[d];
        let strides = preserved_strides(self.layout());
        if self.device().is_wgpu() {
            if let Some((values, indices)) = gpu_sort::sort(self, d, descending, n)? {
                return Ok((
                    with_strides(values, &strides)?,
                    with_strides(indices, &strides)?,
                ));
            }
        }
        let (values, indices) = with_dtype!(self.dtype(), T => line_pairs::<T>(self, d, n, |line, out| {
            sort_line(line, descending, out)
        }))?;
        Ok((
            with_strides(values, &strides)?,
            with_strides(indices, &strides)?,
        ))
    }

    /// `argsort(dim, descending)`: the indices of `sort`.
    pub fn argsort(&self, dim: i64, descending: bool) -> Result<Tensor> {
        let _on = self.device_scope();
        Ok(self.sort_untracked(dim, descending)?.1)
    }

    /// `msort()`: sorted along the first dim.
    pub fn msort(&self) -> Result<Tensor> {
        Ok(self.sort(0, false)?.0)
    }

    /// `topk(k, dim, largest, sorted)`: the `k` largest (or smallest) values along `dim` and
    /// their indices, NaN counting as the largest.
    pub fn topk(&self, k: i64, dim: i64, largest: bool, sorted: bool) -> Result<(Tensor, Tensor)> {
        let d = normalize_dim(dim, self.ndim())?;
        tracked_pair(
            &[self],
            || self.topk_untracked(k, d, largest, sorted),
            |_, indices| Ok(select::picked_back("TopkBackward0", self, indices, d, true)),
        )
    }

    fn topk_untracked(
        &self,
        k: i64,
        d: usize,
        largest: bool,
        sorted: bool,
    ) -> Result<(Tensor, Tensor)> {
        let size = self.shape().get(d).copied().unwrap_or(1) as i64;
        if k < 0 || k > size {
            return Err(Error::runtime("selected index k out of range"));
        }
        if self.dtype() == DType::Bool {
            return Err(Error::Other {
                kind: ErrorKind::NotImplemented,
                msg: "topk does not support bool dtypes on CPU".into(),
            });
        }
        if self.ndim() == 0 {
            return Ok((
                self.deep_clone()?,
                Tensor::scalar(Scalar::Int(0), DType::I64),
            ));
        }
        let k = k as usize;
        if self.device().is_wgpu() {
            // The first k of a stable sort: ties come out in index order, where the CPU
            // replays libstdc++'s selection (PyTorch's CUDA kernel has its own order too).
            if let Some(found) = gpu_sort::sort(self, d, largest, k)? {
                return Ok(found);
            }
        }
        let (values, indices) = with_dtype!(self.dtype(), T => line_pairs::<T>(self, d, k, |line, out| {
            topk_line(line, k, largest, sorted, out)
        }))?;
        Ok((contiguous(values)?, contiguous(indices)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_along_a_dim_keeping_layout() -> Result<()> {
        let x = Tensor::from_vec(vec![3i64, 1, 2, 0, 5, 4], &[2, 3])?;
        let (v, i) = x.sort(0, false)?;
        assert_eq!(v.to_vec::<i64>()?, vec![0, 1, 2, 3, 5, 4]);
        assert_eq!(i.to_vec::<i64>()?, vec![1, 0, 0, 0, 1, 1]);
        assert!(v.is_contiguous());
        let (v, _) = x.t()?.sort(0, true)?;
        assert_eq!(v.strides(), &[1, 3]);
        assert_eq!(v.to_vec::<i64>()?, vec![3, 5, 2, 4, 1, 0]);
        Ok(())
    }

    #[test]
    fn sorted_values_carry_a_gradient_and_indices_do_not() -> Result<()> {
        let x = Tensor::from_vec(vec![3.0f32, 1.0, 2.0], &[3])?;
        x.set_requires_grad(true)?;
        let (v, i) = x.sort(0, false)?;
        assert_eq!(
            v.grad_fn().map(|n| n.name().to_string()).as_deref(),
            Some("SortBackward0")
        );
        assert!(i.grad_fn().is_none());
        assert_eq!(x.argsort(0, false)?.to_vec::<i64>()?, vec![1, 2, 0]);
        // d(sum(sorted * [1, 2, 3]))/dx: the weight of each element's sorted position.
        let w = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[3])?;
        let loss = crate::autograd::formulas::math::mul(&v, &w)?.sum(None, false, None)?;
        let g = crate::autograd::grad(
            &[loss],
            &[None],
            std::slice::from_ref(&x),
            Default::default(),
            false,
        )?;
        let g0 = g[0].as_ref().map(|t| t.to_vec::<f32>()).transpose()?;
        assert_eq!(g0, Some(vec![3.0, 1.0, 2.0]));
        Ok(())
    }

    #[test]
    fn topk_and_errors() -> Result<()> {
        let x = Tensor::from_vec(vec![1.0f32, 5.0, 2.0, 7.0, 0.0, 3.0], &[2, 3])?;
        let (v, i) = x.topk(1, 0, true, true)?;
        assert_eq!(v.to_vec::<f32>()?, vec![7.0, 5.0, 3.0]);
        assert_eq!(i.to_vec::<i64>()?, vec![1, 0, 1]);
        let e = x.topk(4, 1, true, true).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("selected index k out of range"));
        Ok(())
    }
}
