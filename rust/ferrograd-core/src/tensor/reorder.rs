//! Reordering elements: `flip`, `fliplr`, `flipud`, `roll`, `rot90`. Each returns a new tensor
//! (PyTorch has no negative strides, so none of them can be a view).

use super::convert::preserved_strides;
use super::Tensor;
use crate::autograd::formulas::{copy, shape};
use crate::autograd::tracked;
use crate::error::{Error, Result};
use crate::shape::normalize_dim;

impl Tensor {
    /// `flip(dims)`: the elements in reverse order along each listed dim. The result keeps the
    /// input's memory order (PyTorch's `preserve_format`).
    pub fn flip(&self, dims: &[i64]) -> Result<Tensor> {
        tracked(
            &[self],
            || self.flip_untracked(dims),
            |_| Ok(shape::flip_back(dims.to_vec())),
        )
    }

    fn flip_untracked(&self, dims: &[i64]) -> Result<Tensor> {
        let mut seen = vec![false; self.ndim().max(1)];
        let mut flip = Vec::with_capacity(dims.len());
        for &d in dims {
            let i = normalize_dim(d, self.ndim())?;
            if std::mem::replace(&mut seen[i], true) {
                return Err(Error::runtime(format!(
                    "dim {i} appears multiple times in the list of dims"
                )));
            }
            if self.ndim() > 0 {
                flip.push(i);
            }
        }
        let out = Tensor::empty_strided(
            self.shape(),
            &preserved_strides(self.layout()),
            self.dtype(),
        )?;
        out.write_from(self, &flip)?;
        Ok(out)
    }

    /// `fliplr()`: flips dim 1.
    pub fn fliplr(&self) -> Result<Tensor> {
        if self.ndim() < 2 {
            return Err(Error::runtime("Input must be >= 2-d."));
        }
        self.flip(&[1])
    }

    /// `flipud()`: flips dim 0.
    pub fn flipud(&self) -> Result<Tensor> {
        if self.ndim() < 1 {
            return Err(Error::runtime("Input must be >= 1-d."));
        }
        self.flip(&[0])
    }

    /// `roll(shifts, dims)`: elements shifted along each dim, wrapping around. With no dims the
    /// tensor is rolled as if flattened. The result is contiguous.
    pub fn roll(&self, shifts: &[i64], dims: &[i64]) -> Result<Tensor> {
        tracked(
            &[self],
            || self.roll_untracked(shifts, dims),
            |_| Ok(shape::roll_back(shifts.to_vec(), dims.to_vec())),
        )
    }

    fn roll_untracked(&self, shifts: &[i64], dims: &[i64]) -> Result<Tensor> {
        if shifts.is_empty() {
            return Err(Error::runtime("`shifts` required"));
        }
        let out = Tensor::zeros(self.shape(), self.dtype())?;
        if dims.is_empty() && shifts.len() == 1 {
            // Rolled as if flattened: the same roll, on both seen as vectors.
            out.view(&[-1])?
                .roll_from(&self.flatten(0, -1)?, shifts, &[0])?;
        } else {
            out.roll_from(self, shifts, dims)?;
        }
        Ok(out)
    }

    /// Writes `src` rolled into this fresh tensor of its shape.
    fn roll_from(&self, src: &Tensor, shifts: &[i64], dims: &[i64]) -> Result<()> {
        if shifts.len() != dims.len() {
            return Err(Error::runtime(format!(
                "shifts and dimensions must align. shifts: {}, dims:{}",
                shifts.len(),
                dims.len()
            )));
        }
        // A shift per dim, in `0..size`; shifting one dim twice adds up.
        let mut total = vec![0i64; self.ndim()];
        for (&s, &d) in shifts.iter().zip(dims) {
            if self.ndim() == 0 {
                return Err(Error::DimOnScalar { dim: d });
            }
            let d = normalize_dim(d, self.ndim())?;
            let n = self.shape()[d] as i64;
            if n > 0 {
                total[d] = (total[d] + s.rem_euclid(n)) % n;
            }
        }
        if self.numel() > 0 {
            let rolled: Vec<(usize, usize)> = total
                .iter()
                .enumerate()
                .filter(|(_, &s)| s != 0)
                .map(|(d, &s)| (d, s as usize))
                .collect();
            roll_blocks(src, self, &rolled)?;
        }
        Ok(())
    }

    /// `rot90(k, dims)`: rotates by 90 degrees `k` times, from the first dim towards the second
    /// (a flip and a transpose, so the result is not contiguous for odd `k`, as in PyTorch).
    /// The transpose comes first (flipping the other dim), so the flip's fresh tensor, which
    /// keeps the transposed memory order, is the result itself rather than a view of it.
    pub fn rot90(&self, k: i64, dims: &[i64]) -> Result<Tensor> {
        tracked(
            &[self],
            || self.rot90_untracked(k, dims),
            |_| Ok(shape::rot90_back(k, dims.to_vec())),
        )
    }

    fn rot90_untracked(&self, k: i64, dims: &[i64]) -> Result<Tensor> {
        let &[d0, d1] = dims else {
            return Err(Error::runtime(format!(
                "expected total rotation dims == 2, but got dims = {}",
                dims.len()
            )));
        };
        let ndim = self.ndim();
        if ndim < 2 {
            return Err(Error::runtime(format!(
                "expected total dims >= 2, but got total dims = {ndim}"
            )));
        }
        let (a, b) = (normalize_dim(d0, ndim)?, normalize_dim(d1, ndim)?);
        if a == b {
            return Err(Error::runtime(format!(
                "expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
            )));
        }
        match k.rem_euclid(4) {
            1 => self.transpose(d0, d1)?.flip_untracked(&[d0]),
            2 => self.flip_untracked(&[d0, d1]),
            3 => self.transpose(d0, d1)?.flip_untracked(&[d1]),
            _ => Tensor::new_contiguous_copy(self),
        }
    }

    /// A row-major copy (PyTorch's `clone(memory_format=contiguous_format)`, so its node is
    /// `CloneBackward0`). `repeat_interleave` is built on it; `diag`, `rot90`, `tril` and
    /// `triu` use it inside their own nodes.
    pub fn new_contiguous_copy(src: &Tensor) -> Result<Tensor> {
        tracked(
            &[src],
            || {
                let out = Tensor::zeros(src.shape(), src.dtype())?;
                out.write_from(src, &[])?;
                Ok(out)
            },
            |_| Ok(copy::clone_back()),
        )
    }
}

/// Writes `src` rolled by `rolled` (dim, shift) pairs into `dst`: along each rolled dim, the
/// last `shift` elements go first. That is two block copies per rolled dim, so `2^k` in all.
fn roll_blocks(src: &Tensor, dst: &Tensor, rolled: &[(usize, usize)]) -> Result<()> {
    let Some((&(d, shift), rest)) = rolled.split_first() else {
        return dst.write_from(src, &[]);
    };
    let n = src.shape()[d];
    let (d, shift, n) = (d as i64, shift as i64, n as i64);
    roll_blocks(
        &src.narrow(d, 0, n - shift)?,
        &dst.narrow(d, shift, n - shift)?,
        rest,
    )?;
    roll_blocks(
        &src.narrow(d, n - shift, shift)?,
        &dst.narrow(d, 0, shift)?,
        rest,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DType, Scalar};

    fn grid() -> Result<Tensor> {
        Tensor::arange(Scalar::Int(0), Scalar::Int(6), Scalar::Int(1), DType::I64)?.view(&[2, 3])
    }

    #[test]
    fn flip_keeps_memory_order() -> Result<()> {
        let t = grid()?.t()?;
        let f = t.flip(&[0])?;
        assert_eq!(f.strides(), &[1, 3]);
        assert_eq!(f.to_vec::<i64>()?, vec![2, 5, 1, 4, 0, 3]);
        Ok(())
    }

    #[test]
    fn roll_wraps_each_dim() -> Result<()> {
        let t = grid()?;
        assert_eq!(t.roll(&[1], &[])?.to_vec::<i64>()?, vec![5, 0, 1, 2, 3, 4]);
        assert_eq!(
            t.roll(&[1, 2], &[0, 1])?.to_vec::<i64>()?,
            vec![4, 5, 3, 1, 2, 0]
        );
        assert_eq!(
            t.roll(&[1, 1], &[0, 0])?.to_vec::<i64>()?,
            t.to_vec::<i64>()?
        );
        assert_eq!(
            t.t()?.roll(&[1], &[0])?.to_vec::<i64>()?,
            vec![2, 5, 0, 3, 1, 4]
        );
        Ok(())
    }

    #[test]
    fn rot90_is_flip_then_transpose() -> Result<()> {
        let r = grid()?.rot90(1, &[0, 1])?;
        assert_eq!(
            (r.shape(), r.strides()),
            (&[3usize, 2][..], &[1usize, 3][..])
        );
        assert_eq!(r.to_vec::<i64>()?, vec![2, 5, 1, 4, 0, 3]);
        assert_eq!(
            grid()?.rot90(-1, &[0, 1])?.to_vec::<i64>()?,
            vec![3, 0, 4, 1, 5, 2]
        );
        Ok(())
    }
}
