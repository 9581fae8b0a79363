//! `linalg.matrix_power`: integer powers of square matrices by repeated products (negative
//! powers through the inverse), following PyTorch's order of multiplications. The products
//! and the inverse are recorded ops, so the gradient flows through the same graph as in
//! PyTorch; powers 0 and 1 record the copies PyTorch makes.

use super::linalg::check_square;
use super::Tensor;
use crate::autograd::formulas::{copy::clone_back, products::copy_over_back};
use crate::autograd::{needs_grad, tracked};
use crate::dtype::Scalar;
use crate::error::Result;

impl Tensor {
    pub fn linalg_matrix_power(&self, n: i64) -> Result<Tensor> {
        let _on = self.device_scope();
        check_square("linalg.matrix_power", self)?;
        match n {
            0 => return self.identity_over_copy(),
            1 => return self.recorded_contiguous_copy(),
            -1 => return self.linalg_inv(),
            _ => {}
        }
        let a = if n < 0 {
            self.linalg_inv()?
        } else {
            self.clone()
        };
        let mut n = n.unsigned_abs();
        if n == 2 {
            return a.matmul(&a);
        }
        if n == 3 {
            return a.matmul(&a)?.matmul(&a);
        }
        // Binary decomposition of n, least significant bit first.
        let (mut z, mut result): (Option<Tensor>, Option<Tensor>) = (None, None);
        while n > 0 {
            let bit = n % 2;
            n /= 2;
            let next = match &z {
                Some(z) => z.matmul(z)?,
                None => a.clone(),
            };
            if bit == 1 {
                result = Some(match result {
                    Some(r) => r.matmul(&next)?,
                    None => next.clone(),
                });
            }
            z = Some(next);
        }
        match result {
            Some(r) => Ok(r),
            None => a.recorded_contiguous_copy(),
        }
    }

    /// Power 0: identity matrices. PyTorch writes them over a clone of the input
    /// (`CopyBackwards` over `CloneBackward0`), so the input gets a zero gradient.
    fn identity_over_copy(&self) -> Result<Tensor> {
        let identity = || {
            let out = Tensor::zeros(self.shape(), self.dtype())?;
            out.diagonal(0, -2, -1)?.fill_(Scalar::Int(1))?;
            Ok(out)
        };
        if !needs_grad(&[self]) {
            return identity();
        }
        let copy = self.recorded_contiguous_copy()?;
        let constant = identity()?;
        tracked(&[&copy, &constant], identity, |_| Ok(copy_over_back()))
    }

    /// A row-major copy, recorded as `CloneBackward0`.
    fn recorded_contiguous_copy(&self) -> Result<Tensor> {
        tracked(&[self], || self.contiguous_copy(), |_| Ok(clone_back()))
    }

    /// A fresh row-major copy (PyTorch's `clone(memory_format=contiguous)`).
    fn contiguous_copy(&self) -> Result<Tensor> {
        let out = Tensor::zeros(self.shape(), self.dtype())?;
        out.copy_(self)?;
        Ok(out)
    }
}
