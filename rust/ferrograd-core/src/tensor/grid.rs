//! Grids built from 1-D inputs: `meshgrid` (broadcast views), `cartesian_prod` and
//! `combinations` (new tensors of coordinate tuples).

use std::sync::Arc;

use super::repeat::try_vec;
use super::Tensor;
use crate::autograd::formulas::shape;
use crate::autograd::tracked;
use crate::error::{shape_str, Error, Result};
use crate::layout::Layout;

fn expect_vector(t: &Tensor) -> Result<()> {
    if t.ndim() != 1 {
        return Err(Error::runtime(format!(
            "Expect a 1D vector, but got shape {}",
            shape_str(t.shape())
        )));
    }
    Ok(())
}

impl Tensor {
    /// `meshgrid(*tensors, indexing)`: each 0-D or 1-D input viewed along its own dim and
    /// expanded to the grid's shape (no copy). `"xy"` swaps the first two dims (Cartesian
    /// indexing), `"ij"` does not (matrix indexing).
    pub fn meshgrid(tensors: &[Tensor], indexing: &str) -> Result<Vec<Tensor>> {
        let Some(first) = tensors.first() else {
            return Err(Error::runtime("meshgrid expects a non-empty TensorList"));
        };
        if tensors.iter().any(|t| t.dtype() != first.dtype()) {
            return Err(Error::runtime(
                "meshgrid expects all tensors to have the same dtype",
            ));
        }
        let swap = match indexing {
            "xy" => tensors.len() >= 2,
            "ij" => false,
            other => {
                return Err(Error::runtime(format!(
                "torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {other}"
            )))
            }
        };
        let mut order: Vec<&Tensor> = tensors.iter().collect();
        if swap {
            order.swap(0, 1);
        }
        if let Some(t) = order.iter().find(|t| t.ndim() > 1) {
            let dims: Vec<String> = t.shape().iter().map(|d| d.to_string()).collect();
            return Err(Error::runtime(format!(
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: [ ferrograd.{}{{{}}} ]",
                t.dtype().legacy_type_name(),
                dims.join(",")
            )));
        }
        let shape: Vec<i64> = order.iter().map(|t| t.numel() as i64).collect();
        let mut grids = order
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut view = vec![1i64; order.len()];
                view[i] = -1;
                t.view(&view)?.expand(&shape)
            })
            .collect::<Result<Vec<_>>>()?;
        if swap {
            grids.swap(0, 1);
        }
        Ok(grids)
    }

    /// `cartesian_prod(*tensors)`: every tuple taking one element from each 1-D input, in
    /// lexicographic order, as the rows of a `[N, len(tensors)]` tensor (a single input is
    /// returned as it is).
    pub fn cartesian_prod(tensors: &[Tensor]) -> Result<Tensor> {
        for t in tensors {
            expect_vector(t)?;
        }
        if let [only] = tensors {
            return Ok(only.clone());
        }
        let flat = Tensor::meshgrid(tensors, "ij")?
            .iter()
            .map(|g| g.flatten(0, -1))
            .collect::<Result<Vec<_>>>()?;
        Tensor::stack(&flat, 1)
    }

    /// `combinations(r, with_replacement)`: the length-`r` combinations of the elements of a
    /// 1-D tensor, in lexicographic order of their positions (Python's `itertools`). PyTorch
    /// picks them by indexing (`IndexBackward0`): each element's gradient is the sum over the
    /// places it was picked to.
    pub fn combinations(&self, r: i64, with_replacement: bool) -> Result<Tensor> {
        expect_vector(self)?;
        if r < 0 {
            return Err(Error::runtime(format!(
                "Expect a non-negative number, but got {r}"
            )));
        }
        if r == 0 {
            return Tensor::zeros(&[0], self.dtype());
        }
        let (n, r) = (self.numel(), r as usize);
        let picks: Arc<[usize]> = combination_indices(n, r, with_replacement)?.into();
        let rows = picks.len() / r;
        tracked(
            &[self],
            || {
                // The picked values' fresh buffer, laid out as rows (the result owns it: it is
                // not a view of some tensor of this op's own).
                let picked = self.gather_along(0, &picks)?;
                let rows = Layout::contiguous(&[rows, r]);
                Ok(Tensor::from_parts(
                    picked.storage().clone(),
                    rows,
                    picked.dtype(),
                ))
            },
            |_| {
                Ok(shape::pick_back(
                    "IndexBackward0",
                    self.shape(),
                    0,
                    picks.clone(),
                ))
            },
        )
    }
}

/// The position tuples of `combinations`, flattened.
fn combination_indices(n: usize, r: usize, with_replacement: bool) -> Result<Vec<usize>> {
    if n == 0 || (!with_replacement && r > n) {
        return Ok(Vec::new());
    }
    // C(n, r), or C(n + r - 1, r) with replacement; overflow means it could never fit anyway.
    let top = if with_replacement { n + r - 1 } else { n };
    let count = (0..r)
        .try_fold(1u128, |acc, i| {
            Some(acc.checked_mul((top - i) as u128)? / (i as u128 + 1))
        })
        .and_then(|c| usize::try_from(c).ok())
        .and_then(|c| c.checked_mul(r))
        .ok_or(Error::OutOfMemory { nbytes: usize::MAX })?;
    let mut out = try_vec(count)?;
    let mut idx: Vec<usize> = if with_replacement {
        vec![0; r]
    } else {
        (0..r).collect()
    };
    loop {
        out.extend_from_slice(&idx);
        // The rightmost position that can still move up, then reset everything after it.
        let limit = |i: usize| if with_replacement { n - 1 } else { n - r + i };
        let Some(i) = (0..r).rev().find(|&i| idx[i] < limit(i)) else {
            break;
        };
        idx[i] += 1;
        for j in i + 1..r {
            idx[j] = if with_replacement {
                idx[i]
            } else {
                idx[j - 1] + 1
            };
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DType, Scalar};

    fn arange(n: i64) -> Result<Tensor> {
        Tensor::arange(Scalar::Int(0), Scalar::Int(n), Scalar::Int(1), DType::I64)
    }

    #[test]
    fn meshgrid_views() -> Result<()> {
        let g = Tensor::meshgrid(&[arange(2)?, arange(3)?], "xy")?;
        assert_eq!(
            (g[0].shape(), g[0].strides()),
            (&[3usize, 2][..], &[0usize, 1][..])
        );
        assert_eq!(g[1].to_vec::<i64>()?, vec![0, 0, 1, 1, 2, 2]);
        Ok(())
    }

    #[test]
    fn products_and_combinations() -> Result<()> {
        let p = Tensor::cartesian_prod(&[arange(2)?, arange(2)?])?;
        assert_eq!(p.to_vec::<i64>()?, vec![0, 0, 0, 1, 1, 0, 1, 1]);
        let c = arange(4)?.combinations(3, false)?;
        assert_eq!(c.to_vec::<i64>()?, vec![0, 1, 2, 0, 1, 3, 0, 2, 3, 1, 2, 3]);
        let w = arange(3)?.combinations(2, true)?;
        assert_eq!(w.to_vec::<i64>()?, vec![0, 0, 0, 1, 0, 2, 1, 1, 1, 2, 2, 2]);
        assert_eq!(arange(3)?.combinations(4, false)?.shape(), &[0, 4]);
        Ok(())
    }
}
