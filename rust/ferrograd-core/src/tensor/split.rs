//! Cutting a tensor into pieces along a dim: `split`, `tensor_split`, `chunk`, `unbind`. Every
//! piece is a view of the input, as in PyTorch.

use super::Tensor;
use crate::autograd::formulas::join;
use crate::autograd::tracked_many;
use crate::error::{Error, Result};
use crate::shape::normalize_dim;

fn fmt_list(values: &[i64]) -> String {
    let parts: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

impl Tensor {
    /// The size of `dim`, with PyTorch's errors for a bad dim.
    fn size_of_dim(&self, dim: i64) -> Result<usize> {
        if self.ndim() == 0 {
            normalize_dim(dim, 0)?;
            return Err(Error::DimOnScalar { dim });
        }
        Ok(self.shape()[normalize_dim(dim, self.ndim())?])
    }

    /// `split(split_size, dim)`: pieces of `split_size` along `dim`, the last one shorter.
    pub fn split(&self, split_size: i64, dim: i64) -> Result<Vec<Tensor>> {
        let pieces = tracked_many(
            &[self],
            || self.split_untracked(split_size, dim),
            |_| Ok(join::split_back("SplitBackward0", dim)),
        )?;
        Ok(multi_output_views("Split", pieces))
    }

    fn split_untracked(&self, split_size: i64, dim: i64) -> Result<Vec<Tensor>> {
        if self.ndim() == 0 {
            return Err(Error::runtime(
                "split expects at least a 1-dimensional tensor",
            ));
        }
        if split_size < 0 {
            return Err(Error::runtime(format!(
                "split expects split_size be non-negative, but got split_size={split_size}"
            )));
        }
        let dim_size = self.size_of_dim(dim)? as i64;
        if split_size == 0 && dim_size != 0 {
            return Err(Error::runtime(format!(
                "split_size can only be 0 if dimension size is 0, but got dimension size of {dim_size}"
            )));
        }
        // At least one piece, even when `split_size` is larger than the dim (PyTorch's rule).
        let count = if split_size == 0 {
            1
        } else {
            ((dim_size + split_size - 1) / split_size).max(1)
        };
        let last = split_size - (split_size * count - dim_size);
        (0..count)
            .map(|i| {
                let len = if i < count - 1 { split_size } else { last };
                self.narrow(dim, i * split_size, len)
            })
            .collect()
    }

    /// `split_with_sizes(split_sizes, dim)` (and `split` given a list): pieces of the given
    /// lengths, which must add up to the dim's size.
    pub fn split_with_sizes(&self, sizes: &[i64], dim: i64) -> Result<Vec<Tensor>> {
        let pieces = tracked_many(
            &[self],
            || self.split_with_sizes_untracked(sizes, dim),
            |_| Ok(join::split_back("SplitWithSizesBackward0", dim)),
        )?;
        Ok(multi_output_views("SplitWithSizes", pieces))
    }

    fn split_with_sizes_untracked(&self, sizes: &[i64], dim: i64) -> Result<Vec<Tensor>> {
        if self.ndim() == 0 {
            return Err(Error::runtime(
                "split expects at least a 1-dimensional tensor",
            ));
        }
        let dim_size = self.size_of_dim(dim)? as i64;
        let mut start = 0i64;
        let mut pieces = Vec::with_capacity(sizes.len());
        for &len in sizes {
            if len < 0 {
                return Err(Error::runtime(format!(
                    "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes={}",
                    fmt_list(sizes)
                )));
            }
            pieces.push(self.slice(dim, Some(start), Some(start + len), 1)?);
            start += len;
        }
        if start != dim_size {
            return Err(Error::runtime(format!(
                "split_with_sizes expects split_sizes to sum exactly to {dim_size} (input tensor's size at dimension {dim}), but got split_sizes={}",
                fmt_list(sizes)
            )));
        }
        Ok(pieces)
    }

    fn check_tensor_split(&self) -> Result<()> {
        if self.ndim() == 0 {
            return Err(Error::runtime(
                "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims",
            ));
        }
        Ok(())
    }

    /// `tensor_split(sections, dim)`: `sections` pieces as equal as possible, the first ones one
    /// longer when the size does not divide.
    pub fn tensor_split_sections(&self, sections: i64, dim: i64) -> Result<Vec<Tensor>> {
        self.check_tensor_split()?;
        let d = normalize_dim(dim, self.ndim())?;
        if sections <= 0 {
            return Err(Error::runtime(format!(
                "number of sections must be larger than 0, got {sections}"
            )));
        }
        let size = self.shape()[d] as i64;
        let (base, extra) = (size / sections, size % sections);
        let mut start = 0;
        (0..sections)
            .map(|i| {
                let len = base + i64::from(i < extra);
                let piece = self.slice(d as i64, Some(start), Some(start + len), 1);
                start += len;
                piece
            })
            .collect()
    }

    /// `tensor_split(indices, dim)`: cuts before each index (Python slice bounds: negative
    /// indices count from the end, out-of-range ones clamp, a smaller one gives an empty piece).
    pub fn tensor_split_indices(&self, indices: &[i64], dim: i64) -> Result<Vec<Tensor>> {
        self.check_tensor_split()?;
        let d = normalize_dim(dim, self.ndim())? as i64;
        let mut start = 0;
        let mut pieces = Vec::with_capacity(indices.len() + 1);
        for &end in indices {
            pieces.push(self.slice(d, Some(start), Some(end), 1)?);
            start = end;
        }
        pieces.push(self.slice(d, Some(start), None, 1)?);
        Ok(pieces)
    }

    /// `chunk(chunks, dim)`: at most `chunks` pieces of `ceil(size / chunks)`.
    pub fn chunk(&self, chunks: i64, dim: i64) -> Result<Vec<Tensor>> {
        if self.ndim() == 0 {
            return Err(Error::runtime(
                "chunk expects at least a 1-dimensional tensor",
            ));
        }
        if chunks <= 0 {
            return Err(Error::runtime(format!(
                "chunk expects `chunks` to be greater than 0, got: {chunks}"
            )));
        }
        let size = self.size_of_dim(dim)? as i64;
        let split_size = (size + chunks - 1) / chunks;
        if size == 0 {
            // `split` would give one piece; an empty dim gives `chunks` empty pieces.
            return self.split_with_sizes(&vec![0; chunks as usize], dim);
        }
        self.split(split_size, dim)
    }

    /// `unbind(dim)`: every index along `dim`, with that dim removed.
    pub fn unbind(&self, dim: i64) -> Result<Vec<Tensor>> {
        let pieces = tracked_many(
            &[self],
            || {
                let size = self.size_of_dim(dim)?;
                (0..size as i64).map(|i| self.select(dim, i)).collect()
            },
            |_| Ok(join::unbind_back(dim)),
        )?;
        Ok(multi_output_views("Unbind", pieces))
    }
}

/// The pieces of an op that returns several views of its input: PyTorch forbids writing
/// into them in place (autograd could not tell which piece's history to rewrite), and names
/// the op (`op`) when refusing.
fn multi_output_views(op: &'static str, pieces: Vec<Tensor>) -> Vec<Tensor> {
    for (nr, piece) in pieces.iter().enumerate() {
        piece.mark_multi_output_view(op, nr);
    }
    pieces
}

/// How `hsplit`, `vsplit` and `dsplit` cut: into a number of equal pieces, or at indices.
#[derive(Clone, Copy, Debug)]
pub enum Sections<'a> {
    Count(i64),
    Indices(&'a [i64]),
}

impl Tensor {
    /// `hsplit`, `vsplit`, `dsplit`: `tensor_split` along dim `dim` of a tensor of at least
    /// `min_dims` dims; a count must divide the dim exactly.
    pub fn directional_split(
        &self,
        op: &str,
        min_dims: usize,
        dim: usize,
        how: Sections<'_>,
    ) -> Result<Vec<Tensor>> {
        if self.ndim() < min_dims {
            return Err(Error::runtime(format!(
                "torch.{op} requires a tensor with at least {min_dims} dimension, but got a tensor with {} dimensions!",
                self.ndim()
            )));
        }
        match how {
            Sections::Count(n) => {
                let size = self.shape()[dim] as i64;
                if n == 0 || size % n != 0 {
                    return Err(Error::runtime(format!(
                        "torch.{op} attempted to split along dimension {dim}, but the size of the dimension {size} is not divisible by the split_size {n}!"
                    )));
                }
                self.tensor_split_sections(n, dim as i64)
            }
            Sections::Indices(indices) => self.tensor_split_indices(indices, dim as i64),
        }
    }

    /// `hsplit`: along dim 1, or dim 0 of a vector.
    pub fn hsplit(&self, how: Sections<'_>) -> Result<Vec<Tensor>> {
        let dim = if self.ndim() == 1 { 0 } else { 1 };
        self.directional_split("hsplit", 1, dim, how)
    }

    /// `vsplit`: along dim 0 of a tensor of at least 2 dims.
    pub fn vsplit(&self, how: Sections<'_>) -> Result<Vec<Tensor>> {
        self.directional_split("vsplit", 2, 0, how)
    }

    /// `dsplit`: along dim 2 of a tensor of at least 3 dims.
    pub fn dsplit(&self, how: Sections<'_>) -> Result<Vec<Tensor>> {
        self.directional_split("dsplit", 3, 2, how)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DType, Scalar};

    fn arange(n: i64) -> Result<Tensor> {
        Tensor::arange(Scalar::Int(0), Scalar::Int(n), Scalar::Int(1), DType::I64)
    }

    fn values(pieces: &[Tensor]) -> Result<Vec<Vec<i64>>> {
        pieces.iter().map(|p| p.to_vec::<i64>()).collect()
    }

    #[test]
    fn pieces_are_views() -> Result<()> {
        let t = arange(5)?;
        let pieces = t.split(2, 0)?;
        assert_eq!(values(&pieces)?, vec![vec![0, 1], vec![2, 3], vec![4]]);
        assert!(pieces.iter().all(|p| p.storage().same(t.storage())));
        assert_eq!(pieces[2].storage_offset(), 4);
        Ok(())
    }

    #[test]
    fn sections_indices_and_chunks() -> Result<()> {
        let t = arange(5)?;
        assert_eq!(
            values(&t.tensor_split_sections(3, 0)?)?,
            vec![vec![0, 1], vec![2, 3], vec![4]]
        );
        assert_eq!(
            values(&t.tensor_split_indices(&[4, 1], 0)?)?,
            vec![vec![0, 1, 2, 3], vec![], vec![1, 2, 3, 4]]
        );
        assert_eq!(values(&arange(6)?.chunk(4, 0)?)?.len(), 3);
        assert_eq!(arange(0)?.chunk(3, 0)?.len(), 3);
        Ok(())
    }

    #[test]
    fn messages() -> Result<()> {
        let t = arange(5)?;
        let msg = |r: Result<Vec<Tensor>>| r.err().map(|e| e.to_string());
        assert_eq!(
            msg(t.split_with_sizes(&[2, 2], 0)).as_deref(),
            Some("split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's size at dimension 0), but got split_sizes=[2, 2]")
        );
        assert_eq!(
            msg(Tensor::scalar(Scalar::Int(1), DType::I64).unbind(0)).as_deref(),
            Some("Dimension specified as 0 but tensor has no dimensions")
        );
        Ok(())
    }
}
