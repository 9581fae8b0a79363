//! Repeating data: `repeat` and `tile` (whole-tensor copies laid side by side) and
//! `repeat_interleave` (each element repeated in place).

use std::sync::Arc;

use super::Tensor;
use crate::autograd::formulas::shape;
use crate::autograd::tracked;
use crate::dtype::DType;
use crate::error::{Error, ErrorKind, Result};
use crate::shape::{normalize_dim, numel};

impl Tensor {
    /// `repeat(repeats)`: the tensor copied `repeats[i]` times along each dim; extra leading
    /// repeats add dims.
    pub fn repeat(&self, repeats: &[i64]) -> Result<Tensor> {
        tracked(
            &[self],
            || self.repeat_untracked(repeats),
            |_| Ok(shape::repeat_back(self.shape(), repeats)),
        )
    }

    fn repeat_untracked(&self, repeats: &[i64]) -> Result<Tensor> {
        if repeats.len() < self.ndim() {
            return Err(Error::runtime(
                "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
            ));
        }
        let lead = repeats.len() - self.ndim();
        let mut padded = vec![1usize; lead];
        padded.extend_from_slice(self.shape());
        let target: Vec<i64> = padded
            .iter()
            .zip(repeats)
            .map(|(&n, &r)| n as i64 * r)
            .collect();
        if let Some(&neg) = target.iter().find(|&&n| n < 0) {
            return Err(Error::runtime(format!(
                "Trying to create tensor with negative dimension {neg}: {target:?}"
            )));
        }
        let target: Vec<usize> = target.iter().map(|&n| n as usize).collect();
        if numel(&target) == 0 {
            return Tensor::zeros(&target, self.dtype());
        }
        // The result seen as [r0, s0, r1, s1, ...] is the input seen as [1, s0, 1, s1, ...]
        // expanded: one strided copy, memcpys of the innermost dim.
        let mut src = self.clone();
        for _ in 0..lead {
            src = src.unsqueeze(0)?;
        }
        let mut interleaved = Vec::with_capacity(2 * padded.len());
        for (i, (&n, &r)) in padded.iter().zip(repeats).enumerate() {
            src = src.unsqueeze(2 * i as i64)?;
            interleaved.extend([r, n as i64]);
        }
        let src = src.expand(&interleaved)?;
        let out = Tensor::zeros(&target, self.dtype())?;
        out.view(&interleaved)?.write_from(&src, &[])?;
        Ok(out)
    }

    /// `tile(dims)`: `repeat`, with missing leading repeats taken as 1 (numpy's `tile`).
    pub fn tile(&self, reps: &[i64]) -> Result<Tensor> {
        if reps.len() >= self.ndim() {
            return self.repeat(reps);
        }
        let mut padded = vec![1i64; self.ndim() - reps.len()];
        padded.extend_from_slice(reps);
        self.repeat(&padded)
    }

    /// `repeat_interleave(repeats, dim)` with one count for every element: a view expanded by
    /// a new dim after `dim`, copied and merged back. With no dim the input is flattened.
    pub fn repeat_interleave(
        &self,
        repeats: i64,
        dim: Option<i64>,
        output_size: Option<i64>,
    ) -> Result<Tensor> {
        let input = match dim {
            Some(_) => self.clone(),
            None => self.flatten(0, -1)?,
        };
        let d = normalize_dim(dim.unwrap_or(0), self.ndim())? as i64;
        if repeats < 0 {
            return Err(Error::runtime("Repeats must be non-negative"));
        }
        let input = input.unsqueeze(d + 1)?;
        let mut shape: Vec<i64> = input.shape().iter().map(|&n| n as i64).collect();
        shape[d as usize + 1] = repeats;
        if let Some(size) = output_size {
            let expected = repeats * shape[d as usize];
            if size != expected {
                return Err(Error::runtime(format!(
                    "repeat_interleave: Invalid output_size, expected {expected} but got {size}"
                )));
            }
        }
        let expanded = input.expand(&shape)?;
        Tensor::new_contiguous_copy(&expanded)?.flatten(d, d + 1)
    }

    /// `repeat_interleave(repeats, dim)` with a tensor of counts: one count for each index
    /// along `dim` (or a single count for all). PyTorch picks the repeated slices with
    /// `index_select`, and so does the recorded node.
    pub fn repeat_interleave_tensor(
        &self,
        repeats: &Tensor,
        dim: Option<i64>,
        output_size: Option<i64>,
    ) -> Result<Tensor> {
        let input = match dim {
            Some(_) => self.clone(),
            None => self.flatten(0, -1)?,
        };
        let d = normalize_dim(dim.unwrap_or(0), input.ndim())?;
        if input.ndim() == 0 {
            return Err(Error::DimOnScalar {
                dim: dim.unwrap_or(0),
            });
        }
        let size = input.shape()[d];
        let counts = if repeats.ndim() == 0 || repeats.shape() == [1] {
            repeats.reshape(&[1])?.expand(&[size as i64])?
        } else if repeats.ndim() == 1 {
            if repeats.shape()[0] != size {
                return Err(Error::runtime(format!(
                    "repeats must have the same size as input along dim, but got repeats.size(0) = {} and input.size({d}) = {size}",
                    repeats.shape()[0]
                )));
            }
            repeats.clone()
        } else {
            return Err(Error::runtime("repeats must be 0-dim or 1-dim tensor"));
        };
        let index = Tensor::repeat_interleave_counts(&counts, output_size)?;
        let index: Arc<[usize]> = index
            .host_values::<i64>()?
            .iter()
            .map(|&i| i as usize)
            .collect();
        shape::pick("IndexSelectBackward0", &input, d, index)
    }

    /// `repeat_interleave(repeats)`: index `i` repeated `repeats[i]` times, in the dtype of
    /// `repeats` (int32 or int64).
    pub fn repeat_interleave_counts(repeats: &Tensor, output_size: Option<i64>) -> Result<Tensor> {
        let dtype = repeats.dtype();
        if !matches!(dtype, DType::I32 | DType::I64) {
            return Err(Error::Other {
                kind: ErrorKind::NotImplemented,
                msg: format!(
                    "\"repeat_interleave_cpu\" not implemented for '{}'",
                    dtype.scalar_type_name()
                ),
            });
        }
        if repeats.ndim() != 1 {
            return Err(Error::runtime(
                "repeat_interleave only accept 1D vector as repeat",
            ));
        }
        let counts = repeats.host_values::<i64>()?;
        let total = counts
            .iter()
            .try_fold(0i64, |acc, &c| acc.checked_add(c))
            .ok_or(Error::OutOfMemory { nbytes: usize::MAX })?;
        if output_size.is_none() && counts.iter().any(|&c| c < 0) {
            return Err(Error::runtime("repeats can not be negative"));
        }
        if counts.is_empty() {
            return Tensor::zeros(&[0], dtype);
        }
        if output_size.is_some_and(|n| n != total) {
            return Err(Error::runtime(
                "allocated size does not match required size",
            ));
        }
        if counts.iter().any(|&c| c < 0) {
            return Err(Error::runtime("repeats can not be negative"));
        }
        let mut index = try_vec(total as usize)?;
        for (i, &c) in counts.iter().enumerate() {
            index.extend(std::iter::repeat_n(i as i64, c as usize));
        }
        Tensor::from_vec(index, &[total as usize])?.to_dtype(dtype)
    }
}

/// An empty vector with room for `n` values, or PyTorch's out-of-memory error.
pub(crate) fn try_vec<T>(n: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| Error::OutOfMemory {
        nbytes: n.saturating_mul(std::mem::size_of::<T>()),
    })?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scalar;

    fn grid() -> Result<Tensor> {
        Tensor::arange(Scalar::Int(0), Scalar::Int(6), Scalar::Int(1), DType::I64)?.view(&[2, 3])
    }

    #[test]
    fn repeat_and_tile() -> Result<()> {
        let r = grid()?.repeat(&[2, 1, 2])?;
        assert_eq!(r.shape(), &[2, 2, 6]);
        assert_eq!(
            r.to_vec::<i64>()?[..12],
            [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5]
        );
        assert_eq!(
            grid()?.t()?.tile(&[2])?.to_vec::<i64>()?,
            vec![0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5]
        );
        assert_eq!(grid()?.repeat(&[0, 1])?.shape(), &[0, 3]);
        Ok(())
    }

    #[test]
    fn interleave() -> Result<()> {
        let g = grid()?;
        assert_eq!(
            g.repeat_interleave(2, Some(1), None)?.to_vec::<i64>()?,
            vec![0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
        let counts = Tensor::from_vec(vec![1i64, 2, 0], &[3])?;
        let r = g.repeat_interleave_tensor(&counts, Some(1), None)?;
        assert_eq!(
            (r.shape(), r.to_vec::<i64>()?),
            (&[2usize, 3][..], vec![0, 1, 1, 3, 4, 4])
        );
        let idx =
            Tensor::repeat_interleave_counts(&Tensor::from_vec(vec![1i32, 0, 3], &[3])?, None)?;
        assert_eq!(
            (idx.dtype(), idx.to_vec::<i64>()?),
            (DType::I32, vec![0, 2, 2, 2])
        );
        Ok(())
    }
}
