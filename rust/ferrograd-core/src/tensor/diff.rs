//! `diff(n, dim, prepend, append)`: the n-th forward difference along a dim. As in PyTorch it
//! is composed of recorded ops (`cat` for `prepend`/`append`, then `narrow` and `sub`, or
//! `logical_xor` for bools), so its gradient is theirs and its `grad_fn` is `SubBackward0`.

use super::{Arg, Tensor};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::BinaryOp;
use crate::shape::normalize_dim;

impl Tensor {
    pub fn diff(
        &self,
        n: i64,
        dim: i64,
        prepend: Option<&Tensor>,
        append: Option<&Tensor>,
    ) -> Result<Tensor> {
        if self.ndim() == 0 {
            return Err(Error::runtime(
                "diff expects input to be at least one-dimensional",
            ));
        }
        if n < 0 {
            return Err(Error::runtime(format!(
                "order must be non-negative but got {n}"
            )));
        }
        for other in prepend.iter().chain(append.iter()) {
            check_joinable(self, other, normalize_dim(dim, self.ndim())?)?;
        }
        if n == 0 {
            // PyTorch then returns a copy of the input (`CopyBackwards`), ignoring
            // `prepend`/`append` and never looking at `dim` otherwise.
            let copy = self.zeros_like()?;
            copy.copy_(self)?;
            return Ok(copy);
        }
        let d = normalize_dim(dim, self.ndim())?;
        let mut result = if prepend.is_none() && append.is_none() {
            self.clone()
        } else {
            let parts: Vec<Tensor> = prepend
                .into_iter()
                .chain([self])
                .chain(append)
                .cloned()
                .collect();
            Tensor::cat(&parts, d as i64)?
        };
        // Each step is one element shorter; past the length there is nothing left to take.
        for _ in 0..n.min(result.shape()[d] as i64) {
            let len = result.shape()[d] as i64 - 1;
            let later = result.narrow(d as i64, 1, len)?;
            let earlier = Arg::Tensor(result.narrow(d as i64, 0, len)?);
            let op = if result.dtype() == DType::Bool {
                BinaryOp::LogicalXor
            } else {
                BinaryOp::Sub
            };
            result = later.binary(op, &earlier, None)?;
        }
        Ok(result)
    }
}

/// `prepend`/`append` must match the input in every dim but `dim`.
fn check_joinable(input: &Tensor, other: &Tensor, dim: usize) -> Result<()> {
    if other.ndim() != input.ndim() {
        return Err(Error::runtime(
            "diff expects prepend or append to be the same dimension as input",
        ));
    }
    let mismatch = (0..input.ndim()).find(|&i| i != dim && other.shape()[i] != input.shape()[i]);
    match mismatch {
        Some(i) => Err(Error::runtime(format!(
            "diff expects the shape of tensor to prepend or append to match that of input except along the differencing dimension; input.size({i}) = {}, but got tensor.size({i}) = {}",
            input.shape()[i],
            other.shape()[i]
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::Scalar;

    fn vec_f32(values: &[f32]) -> Result<Tensor> {
        Tensor::from_vec(values.to_vec(), &[values.len()])
    }

    fn values(t: &Tensor) -> Result<Vec<f32>> {
        t.contiguous()?.to_vec::<f32>()
    }

    #[test]
    fn differences() -> Result<()> {
        // [1, 3, 6, 10] -> [2, 3, 4] -> [1, 1]; prepending 0 adds the first value in front.
        let x = vec_f32(&[1.0, 3.0, 6.0, 10.0])?;
        assert_eq!(values(&x.diff(1, -1, None, None)?)?, [2.0, 3.0, 4.0]);
        assert_eq!(values(&x.diff(2, 0, None, None)?)?, [1.0, 1.0]);
        let zero = vec_f32(&[0.0])?;
        let prepended = x.diff(1, 0, Some(&zero), None)?;
        assert_eq!(values(&prepended)?, [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(x.diff(9, 0, None, None)?.shape(), &[0]);
        assert_eq!(values(&x.diff(0, 0, None, None)?)?, [1.0, 3.0, 6.0, 10.0]);
        Ok(())
    }

    #[test]
    fn refusals() -> Result<()> {
        let x = vec_f32(&[1.0, 2.0])?;
        let scalar = Tensor::scalar(Scalar::Float(1.0), DType::F32);
        assert!(scalar.diff(1, -1, None, None).is_err());
        assert!(x.diff(-1, -1, None, None).is_err());
        assert!(x.diff(1, -1, Some(&scalar), None).is_err());
        Ok(())
    }
}
