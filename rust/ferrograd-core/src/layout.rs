//! Layout: shape + strides (in elements) + storage offset. Every view op is `Layout -> Layout`;
//! none of them touches data, so they are all tested here without any.

use crate::error::{Error, Result};
use crate::shape::{contiguous_strides, normalize_dim, numel};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    shape: Vec<usize>,
    strides: Vec<usize>,
    offset: usize,
}

impl Layout {
    pub fn contiguous(shape: &[usize]) -> Self {
        Layout {
            shape: shape.to_vec(),
            strides: contiguous_strides(shape),
            offset: 0,
        }
    }

    pub fn new(shape: Vec<usize>, strides: Vec<usize>, offset: usize) -> Self {
        debug_assert_eq!(shape.len(), strides.len());
        Layout {
            shape,
            strides,
            offset,
        }
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn strides(&self) -> &[usize] {
        &self.strides
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn numel(&self) -> usize {
        numel(&self.shape)
    }

    /// PyTorch's rule: strides must be row-major, except that size-1 dims may have any stride,
    /// and a tensor with no elements is always contiguous.
    pub fn is_contiguous(&self) -> bool {
        if self.numel() == 0 {
            return true;
        }
        let mut expected = 1;
        for (&size, &stride) in self.shape.iter().zip(&self.strides).rev() {
            if size != 1 {
                if stride != expected {
                    return false;
                }
                expected *= size;
            }
        }
        true
    }

    /// One past the largest element offset this layout reaches (0 when it has no elements):
    /// how many elements its storage must hold.
    pub fn storage_extent(&self) -> usize {
        if self.numel() == 0 {
            return 0;
        }
        let last: usize = self
            .shape
            .iter()
            .zip(&self.strides)
            .map(|(&n, &s)| (n - 1) * s)
            .sum();
        self.offset + last + 1
    }

    pub fn transpose(&self, d0: usize, d1: usize) -> Layout {
        let mut out = self.clone();
        out.shape.swap(d0, d1);
        out.strides.swap(d0, d1);
        out
    }

    /// `dims` must be a permutation of `0..ndim`; the caller checks and reports.
    pub fn permute(&self, dims: &[usize]) -> Layout {
        Layout {
            shape: dims.iter().map(|&d| self.shape[d]).collect(),
            strides: dims.iter().map(|&d| self.strides[d]).collect(),
            offset: self.offset,
        }
    }

    pub fn narrow(&self, dim: usize, start: usize, length: usize) -> Result<Layout> {
        if start + length > self.shape[dim] {
            return Err(Error::runtime(format!(
                "start ({start}) + length ({length}) exceeds dimension size ({}).",
                self.shape[dim]
            )));
        }
        let mut out = self.clone();
        out.shape[dim] = length;
        if length > 0 {
            out.offset += start * self.strides[dim];
        }
        Ok(out)
    }

    /// Python slicing `start:end:step` along `dim`, with Python's clamping of out-of-range bounds.
    pub fn slice(&self, dim: usize, start: Option<i64>, end: Option<i64>, step: usize) -> Layout {
        let size = self.shape[dim] as i64;
        let clamp = |v: i64| {
            if v < 0 {
                (v + size).max(0)
            } else {
                v.min(size)
            }
        };
        let start = start.map_or(0, clamp);
        let end = end.map_or(size, clamp).max(start);
        let len = (end - start) as usize;
        let mut out = self.clone();
        out.shape[dim] = len.div_ceil(step);
        out.strides[dim] = self.strides[dim] * step;
        if len > 0 {
            out.offset += start as usize * self.strides[dim];
        }
        out
    }

    /// Removes `dim`, fixing it at `index` (already checked to be in range).
    pub fn select(&self, dim: usize, index: usize) -> Layout {
        let mut out = self.clone();
        out.offset += index * self.strides[dim];
        out.shape.remove(dim);
        out.strides.remove(dim);
        out
    }

    /// Inserts a size-1 dim at `dim` (in `0..=ndim`).
    pub fn unsqueeze(&self, dim: usize) -> Layout {
        let stride = if dim < self.ndim() {
            self.shape[dim] * self.strides[dim]
        } else {
            1
        };
        let mut out = self.clone();
        out.shape.insert(dim, 1);
        out.strides.insert(dim, stride.max(1));
        out
    }

    /// Removes the listed dims that have size 1; others stay, as in PyTorch.
    pub fn squeeze(&self, dims: &[usize]) -> Layout {
        let keep = |i: &usize| !(dims.contains(i) && self.shape[*i] == 1);
        let idx: Vec<usize> = (0..self.ndim()).filter(keep).collect();
        Layout {
            shape: idx.iter().map(|&i| self.shape[i]).collect(),
            strides: idx.iter().map(|&i| self.strides[i]).collect(),
            offset: self.offset,
        }
    }

    /// Broadcasts to `target` (aligned right; -1 keeps a dim). New and stretched dims get
    /// stride 0, so no data is repeated.
    pub fn expand(&self, target: &[i64]) -> Result<Layout> {
        let n = target.len();
        if n < self.ndim() {
            return Err(Error::runtime(format!(
                "expand: the number of sizes provided ({n}) must be greater or equal to the number of dimensions in the tensor ({})",
                self.ndim()
            )));
        }
        let lead = n - self.ndim();
        let mut shape = vec![0; n];
        let mut strides = vec![0; n];
        for i in 0..n {
            let t = target[i];
            if i < lead {
                if t < 0 {
                    return Err(Error::runtime(format!(
                        "The expanded size of the tensor ({t}) isn't allowed in a leading, non-existing dimension {i}"
                    )));
                }
                shape[i] = t as usize;
                continue;
            }
            let (size, stride) = (self.shape[i - lead], self.strides[i - lead]);
            if t == -1 || t == size as i64 {
                shape[i] = size;
                strides[i] = stride;
            } else if size == 1 && t >= 0 {
                shape[i] = t as usize;
            } else {
                return Err(Error::ExpandMismatch {
                    target: t,
                    existing: size,
                    dim: i,
                    target_shape: target.to_vec(),
                    shape: self.shape.clone(),
                });
            }
        }
        Ok(Layout {
            shape,
            strides,
            offset: self.offset,
        })
    }

    /// The diagonal of dims `d1` and `d2` (distinct), moved to the last dim.
    pub fn diagonal(&self, offset: i64, d1: usize, d2: usize) -> Layout {
        let (n1, n2) = (self.shape[d1] as i64, self.shape[d2] as i64);
        let len = if offset >= 0 {
            n1.min(n2 - offset)
        } else {
            (n1 + offset).min(n2)
        }
        .max(0);
        let mut start = self.offset;
        if len > 0 {
            start += if offset >= 0 {
                offset as usize * self.strides[d2]
            } else {
                (-offset) as usize * self.strides[d1]
            };
        }
        let diag_stride = self.strides[d1] + self.strides[d2];
        let keep: Vec<usize> = (0..self.ndim()).filter(|&i| i != d1 && i != d2).collect();
        let mut shape: Vec<usize> = keep.iter().map(|&i| self.shape[i]).collect();
        let mut strides: Vec<usize> = keep.iter().map(|&i| self.strides[i]).collect();
        shape.push(len as usize);
        strides.push(diag_stride);
        Layout {
            shape,
            strides,
            offset: start,
        }
    }

    /// Sliding windows of `size` every `step` along `dim`, as a new last dim.
    pub fn unfold(&self, dim: usize, size: usize, step: usize) -> Result<Layout> {
        let (dim_size, dim_stride) = if self.ndim() == 0 {
            (1, 1)
        } else {
            (self.shape[dim], self.strides[dim])
        };
        if size > dim_size {
            return Err(Error::runtime(format!(
                "maximum size for tensor at dimension {dim} is {dim_size} but size is {size}"
            )));
        }
        if step == 0 {
            return Err(Error::runtime(format!("step is {step} but must be > 0")));
        }
        let mut out = self.clone();
        if self.ndim() > 0 {
            out.shape[dim] = (dim_size - size) / step + 1;
            out.strides[dim] = step * dim_stride;
        }
        out.shape.push(size);
        out.strides.push(dim_stride);
        Ok(out)
    }

    /// The strides a `view` to `new_shape` would have, or `None` when the data is not laid out
    /// so that a view is possible (PyTorch's `computeStride`).
    pub fn view_strides(&self, new_shape: &[usize]) -> Option<Vec<usize>> {
        let (old_shape, old_strides) = (&self.shape, &self.strides);
        if old_shape.is_empty() {
            return Some(vec![1; new_shape.len()]);
        }
        if self.numel() == 0 {
            if old_shape.as_slice() == new_shape {
                return Some(old_strides.clone());
            }
            return Some(contiguous_strides(new_shape));
        }
        let mut new_strides = vec![0usize; new_shape.len()];
        let mut view_d = new_shape.len() as isize - 1;
        // Walk the old dims from the right, grouping runs that are contiguous with each other
        // ("chunks"); each chunk must be split exactly by a run of new dims.
        let mut chunk_base_stride = *old_strides.last()?;
        let (mut tensor_numel, mut view_numel) = (1usize, 1usize);
        for tensor_d in (0..old_shape.len()).rev() {
            tensor_numel *= old_shape[tensor_d];
            let chunk_ends = tensor_d == 0
                || (old_shape[tensor_d - 1] != 1
                    && old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride);
            if chunk_ends {
                while view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d as usize] == 1)
                {
                    new_strides[view_d as usize] = view_numel * chunk_base_stride;
                    view_numel *= new_shape[view_d as usize];
                    view_d -= 1;
                }
                if view_numel != tensor_numel {
                    return None;
                }
                if tensor_d > 0 {
                    chunk_base_stride = old_strides[tensor_d - 1];
                    tensor_numel = 1;
                    view_numel = 1;
                }
            }
        }
        (view_d == -1).then_some(new_strides)
    }

    pub fn view(&self, new_shape: &[usize]) -> Result<Layout> {
        let strides = self
            .view_strides(new_shape)
            .ok_or(Error::ViewIncompatible)?;
        Ok(Layout {
            shape: new_shape.to_vec(),
            strides,
            offset: self.offset,
        })
    }

    /// Normalises a dim for this layout, with PyTorch's error.
    pub fn dim(&self, dim: i64) -> Result<usize> {
        normalize_dim(dim, self.ndim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(shape: &[usize], strides: &[usize], offset: usize) -> Layout {
        Layout::new(shape.to_vec(), strides.to_vec(), offset)
    }

    #[test]
    fn contiguity_ignores_size_one_dims() {
        assert!(Layout::contiguous(&[2, 3]).is_contiguous());
        assert!(!Layout::contiguous(&[2, 3]).transpose(0, 1).is_contiguous());
        assert!(l(&[2, 1, 3], &[3, 99, 1], 0).is_contiguous());
        assert!(l(&[0, 3], &[7, 7], 0).is_contiguous());
    }

    #[test]
    fn transpose_then_view_fails_like_pytorch() {
        let t = Layout::contiguous(&[2, 3]).transpose(0, 1);
        assert_eq!(t.view(&[6]), Err(Error::ViewIncompatible));
        // Splitting a dim of a transposed layout is fine: [3, 2] strides [1, 3] -> [3, 1, 2].
        assert_eq!(
            t.view(&[3, 1, 2]).map(|v| v.strides().to_vec()),
            Ok(vec![1, 6, 3])
        );
    }

    #[test]
    fn view_merges_and_splits() {
        let a = Layout::contiguous(&[2, 3, 4]);
        assert_eq!(
            a.view(&[6, 4]).map(|v| v.strides().to_vec()),
            Ok(vec![4, 1])
        );
        assert_eq!(a.view(&[24]).map(|v| v.strides().to_vec()), Ok(vec![1]));
        assert_eq!(
            a.view(&[2, 12]).map(|v| v.strides().to_vec()),
            Ok(vec![12, 1])
        );
        let scalar = Layout::contiguous(&[]);
        assert_eq!(
            scalar.view(&[1, 1]).map(|v| v.strides().to_vec()),
            Ok(vec![1, 1])
        );
        // A stepped slice [0:4:2] of a length-4 vector is viewable as [2, 1].
        let stepped = Layout::contiguous(&[4]).slice(0, None, None, 2);
        assert_eq!(
            stepped.view(&[2, 1]).map(|v| v.strides().to_vec()),
            Ok(vec![2, 2])
        );
    }

    #[test]
    fn slicing_clamps_like_python() {
        let a = Layout::contiguous(&[10]);
        let s = a.slice(0, Some(-3), None, 1);
        assert_eq!((s.shape().to_vec(), s.offset()), (vec![3], 7));
        let s = a.slice(0, Some(1), Some(100), 3);
        assert_eq!(
            (s.shape().to_vec(), s.strides().to_vec(), s.offset()),
            (vec![3], vec![3], 1)
        );
        let s = a.slice(0, Some(8), Some(2), 1);
        assert_eq!(s.shape(), &[0]);
    }

    #[test]
    fn expand_uses_zero_strides() {
        let a = Layout::contiguous(&[3, 1]);
        let e = a.expand(&[2, 3, 4]).ok();
        assert_eq!(
            e.map(|e| (e.shape().to_vec(), e.strides().to_vec())),
            Some((vec![2, 3, 4], vec![0, 1, 0]))
        );
        let err = Layout::contiguous(&[2, 3])
            .expand(&[2, 4])
            .err()
            .map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [2, 3]"));
    }

    #[test]
    fn diagonal_and_unfold() {
        let a = Layout::contiguous(&[3, 4]);
        let d = a.diagonal(1, 0, 1);
        assert_eq!(
            (d.shape().to_vec(), d.strides().to_vec(), d.offset()),
            (vec![3], vec![5], 1)
        );
        let d = a.diagonal(-2, 0, 1);
        assert_eq!((d.shape().to_vec(), d.offset()), (vec![1], 8));
        let u = Layout::contiguous(&[7]).unfold(0, 3, 2).ok();
        assert_eq!(
            u.map(|u| (u.shape().to_vec(), u.strides().to_vec())),
            Some((vec![3, 3], vec![2, 1]))
        );
    }

    #[test]
    fn unsqueeze_squeeze_select_narrow() {
        let a = Layout::contiguous(&[2, 3]);
        let u = a.unsqueeze(1);
        assert_eq!(
            (u.shape().to_vec(), u.strides().to_vec()),
            (vec![2, 1, 3], vec![3, 3, 1])
        );
        assert_eq!(u.squeeze(&[0, 1, 2]).shape(), &[2, 3]);
        let s = a.select(1, 2);
        assert_eq!((s.shape().to_vec(), s.offset()), (vec![2], 2));
        let n = a.narrow(1, 1, 2).ok();
        assert_eq!(n.map(|n| n.offset()), Some(1));
        assert!(a.narrow(1, 2, 2).is_err());
        assert_eq!(a.storage_extent(), 6);
        assert_eq!(a.transpose(0, 1).storage_extent(), 6);
    }
}
