//! `linalg.matrix_power`: integer powers of square matrices by repeated products (negative
//! powers through the inverse), following PyTorch's order of multiplications.

use super::linalg::check_square;
use super::Tensor;
use crate::autograd::no_formula_yet;
use crate::dtype::Scalar;
use crate::error::Result;

impl Tensor {
    pub fn linalg_matrix_power(&self, n: i64) -> Result<Tensor> {
        check_square("linalg.matrix_power", self)?;
        if n <= 1 {
            // Powers 0 and 1 are fresh copies and negative ones start from the inverse: none
            // of them records a graph yet. Higher powers are recorded matrix products.
            no_formula_yet("linalg_matrix_power", &[self])?;
        }
        match n {
            0 => {
                let out = Tensor::zeros(self.shape(), self.dtype())?;
                out.diagonal(0, -2, -1)?.fill_(Scalar::Int(1))?;
                return Ok(out);
            }
            1 => return self.contiguous_copy(),
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
            None => a.contiguous_copy(),
        }
    }

    /// A fresh row-major copy (PyTorch's `clone(memory_format=contiguous)`).
    fn contiguous_copy(&self) -> Result<Tensor> {
        let out = Tensor::zeros(self.shape(), self.dtype())?;
        out.copy_(self)?;
        Ok(out)
    }
}
