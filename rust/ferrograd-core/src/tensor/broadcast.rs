//! Broadcasting and rank padding as views: `broadcast_to`, `broadcast_tensors`,
//! `atleast_{1,2,3}d`, and `ravel`.

use super::Tensor;
use crate::error::Result;
use crate::shape::broadcast_shapes;

impl Tensor {
    /// `broadcast_to(shape)`: `expand`, under numpy's name.
    pub fn broadcast_to(&self, shape: &[i64]) -> Result<Tensor> {
        self.expand(shape)
    }

    /// `broadcast_tensors(*tensors)`: every input expanded (as a view) to their common shape.
    pub fn broadcast_tensors(tensors: &[Tensor]) -> Result<Vec<Tensor>> {
        let Some(first) = tensors.first() else {
            return Ok(Vec::new());
        };
        let shape = tensors
            .iter()
            .skip(1)
            .try_fold(first.shape().to_vec(), |acc, t| {
                broadcast_shapes(&acc, t.shape())
            })?;
        let target: Vec<i64> = shape.iter().map(|&n| n as i64).collect();
        // A tensor that already has the shape comes back as itself (no view, no node), as
        // in PyTorch.
        tensors
            .iter()
            .map(|t| {
                if t.shape() == shape.as_slice() {
                    Ok(t.clone())
                } else {
                    t.expand(&target)
                }
            })
            .collect()
    }

    /// At least `n` dims (`n` in 1..=3), as numpy's `atleast_nd`: a 0-D tensor becomes all
    /// ones, a vector becomes a row (`[1, N]`, or `[1, N, 1]` for 3), a matrix gains a last dim.
    pub fn atleast(&self, n: usize) -> Result<Tensor> {
        match (self.ndim(), n) {
            (0, _) => self.reshape(&vec![1; n]),
            (1, 2) => self.unsqueeze(0),
            (1, 3) => self.unsqueeze(0)?.unsqueeze(-1),
            (2, 3) => self.unsqueeze(-1),
            _ => Ok(self.clone()),
        }
    }

    /// [`Tensor::atleast`] over a list.
    pub fn atleast_nd(tensors: &[Tensor], n: usize) -> Result<Vec<Tensor>> {
        tensors.iter().map(|t| t.atleast(n)).collect()
    }

    /// `ravel()`: the elements as a 1-D tensor; a view when already contiguous, else a copy.
    pub fn ravel(&self) -> Result<Tensor> {
        self.contiguous()?.view(&[-1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DType, Scalar};

    #[test]
    fn broadcasting_views() -> Result<()> {
        let v = Tensor::arange(Scalar::Int(0), Scalar::Int(3), Scalar::Int(1), DType::I64)?;
        let col = v.view(&[3, 1])?;
        let out = Tensor::broadcast_tensors(&[v.clone(), col])?;
        assert_eq!(
            (out[0].shape(), out[0].strides()),
            (&[3usize, 3][..], &[0usize, 1][..])
        );
        assert_eq!(out[1].strides(), &[1, 0]);
        assert_eq!(v.atleast(3)?.shape(), &[1, 3, 1]);
        assert_eq!(
            Tensor::scalar(Scalar::Int(1), DType::I64)
                .atleast(2)?
                .shape(),
            &[1, 1]
        );
        Ok(())
    }
}
