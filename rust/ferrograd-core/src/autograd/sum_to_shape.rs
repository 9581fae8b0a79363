//! The one helper every broadcasting op's backward shares: a gradient of the broadcast shape
//! summed back to the shape of the operand that was broadcast.

use crate::error::Result;
use crate::tensor::Tensor;

/// Sums `grad` over the leading dims `shape` lacks and over the dims where `shape` has size 1
/// and `grad` does not, so that the result has `shape`.
pub fn sum_to_shape(grad: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if grad.shape() == shape {
        return Ok(grad.clone());
    }
    let lead = grad.ndim() - shape.len();
    let dims: Vec<i64> = (0..grad.ndim())
        .filter(|&d| d < lead || (shape[d - lead] == 1 && grad.shape()[d] != 1))
        .map(|d| d as i64)
        .collect();
    let summed = if dims.is_empty() {
        grad.clone()
    } else {
        grad.sum(Some(&dims), true, None)?
    };
    let target: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    summed.reshape(&target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;

    #[test]
    fn sums_leading_and_stretched_dims() -> Result<()> {
        let g = Tensor::ones(&[2, 3, 4], DType::F64)?;
        let r = sum_to_shape(&g, &[3, 1])?;
        assert_eq!(r.shape(), &[3, 1]);
        assert_eq!(r.to_vec::<f64>()?, vec![8.0; 3]);
        assert_eq!(sum_to_shape(&g, &[])?.to_vec::<f64>()?, vec![24.0]);
        Ok(())
    }
}
