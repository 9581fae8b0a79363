//! `linalg.cross` and `cross`: the cross product of 3-vectors along one dim, broadcasting the
//! other dims; recorded as `LinalgCrossBackward0`.

use super::matmul::check_same_scalar_type;
use super::Tensor;
use crate::autograd::formulas::products::cross_back;
use crate::autograd::tracked;
use crate::cpu::linalg_cross;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::not_implemented;
use crate::shape::{broadcast_shapes, normalize_dim};
use crate::with_dtype;

impl Tensor {
    /// `linalg.cross(input, other, dim=-1)`.
    pub fn linalg_cross(&self, other: &Tensor, dim: i64) -> Result<Tensor> {
        tracked(
            &[self, other],
            || self.linalg_cross_untracked(other, dim),
            |_| Ok(cross_back(self, other, dim)),
        )
    }

    fn linalg_cross_untracked(&self, other: &Tensor, dim: i64) -> Result<Tensor> {
        if self.ndim() != other.ndim() {
            return Err(Error::runtime(
                "linalg.cross: inputs must have the same number of dimensions.",
            ));
        }
        if self.ndim() == 0 {
            return Err(Error::DimOnScalar { dim });
        }
        let d = normalize_dim(dim, self.ndim())?;
        let (s1, s2) = (self.shape()[d], other.shape()[d]);
        if s1 != 3 || s2 != 3 {
            return Err(Error::runtime(format!(
                "linalg.cross: inputs dimension {dim} must have length 3. Got {s1} and {s2}"
            )));
        }
        let shape = broadcast_shapes(self.shape(), other.shape())?;
        check_same_scalar_type(self, other)?;
        if self.dtype() == DType::Bool {
            return Err(not_implemented("cross", DType::Bool));
        }
        let target: Vec<i64> = shape.iter().map(|&n| n as i64).collect();
        let last = |t: &Tensor| t.expand(&target)?.movedim(&[d as i64], &[-1]);
        let (a, b) = (last(self)?, last(other)?);
        let out = with_dtype!(self.dtype(), T => {
            let (av, bv) = (a.to_vec::<T>()?, b.to_vec::<T>()?);
            let mut ov = vec![T::default(); av.len()];
            linalg_cross::cross(&av, &bv, &mut ov);
            Tensor::from_vec(ov, a.shape())?
        });
        out.movedim(&[-1], &[d as i64])?.contiguous()
    }

    /// `cross(input, other, dim=None)`: without `dim`, the first dim of size 3 of `input`.
    pub fn cross(&self, other: &Tensor, dim: Option<i64>) -> Result<Tensor> {
        let dim = match dim {
            Some(d) => d,
            None => match self.shape().iter().position(|&n| n == 3) {
                Some(i) => i as i64,
                None => return Err(Error::runtime("no dimension of size 3 in input")),
            },
        };
        self.linalg_cross(other, dim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_cross_along_first_dim() -> Result<()> {
        // columns of a are (1,0,0) and (0,1,0); b's single column (0,1,0) broadcasts.
        let a = Tensor::from_vec(vec![1.0f32, 0.0, 0.0, 1.0, 0.0, 0.0], &[3, 2])?;
        let b = Tensor::from_vec(vec![0.0f32, 1.0, 0.0], &[3, 1])?;
        let c = a.cross(&b, Some(0))?;
        assert_eq!(c.shape(), &[3, 2]);
        assert_eq!(c.to_vec::<f32>()?, vec![0.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
        Ok(())
    }
}
