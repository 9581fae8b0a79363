//! Binary search in sorted sequences: `searchsorted` (1-D boundaries, or one row of boundaries
//! per row of values) and `bucketize`.

use rayon::prelude::*;

use super::{materialize, Tensor};
use crate::dtype::{promote_types, DType, Element};
use crate::error::{shape_str, Error, Result};
use crate::with_dtype;

/// The first position in `0..n` where `go_right(value at position)` is false; `at(i)` reads the
/// i-th boundary (through the sorter when there is one).
#[inline]
fn bound<T: Element>(n: usize, at: impl Fn(usize) -> T, go_right: impl Fn(T) -> bool) -> usize {
    let (mut lo, mut hi) = (0usize, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if go_right(at(mid)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Resolves `right` and `side` into one flag, with PyTorch's checks.
pub fn searchsorted_side(right: bool, side: Option<&str>) -> Result<bool> {
    match side {
        None => Ok(right),
        Some(s) if s != "left" && s != "right" => Err(Error::runtime(format!(
            "torch.searchsorted(): side can only be 'left' or 'right' but got {s}"
        ))),
        Some(s) if right && s != "right" => Err(Error::runtime(format!(
            "torch.searchsorted(): side and right can't be set to opposites, got side of {s} while right was True"
        ))),
        Some(s) => Ok(s == "right"),
    }
}

fn check_sorter(boundaries: &Tensor, sorter: &Tensor) -> Result<Vec<i64>> {
    if sorter.shape() != boundaries.shape() {
        return Err(Error::runtime(format!(
            "torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor {}and got sorter tensor {}",
            shape_str(boundaries.shape()),
            shape_str(sorter.shape())
        )));
    }
    if sorter.dtype() != DType::I64 {
        return Err(Error::runtime(format!(
            "torch.searchsorted(): sorter must be a tensor of long dtype but got dtype {}",
            sorter.dtype().scalar_type_name()
        )));
    }
    let order = materialize::<i64>(sorter)?;
    let last = sorter.shape().last().copied().unwrap_or(0) as i64;
    if order.iter().any(|&i| i < 0 || i >= last) {
        return Err(Error::runtime(
            "torch.searchsorted(): sorter index out of range",
        ));
    }
    Ok(order)
}

fn check_shapes(boundaries: &Tensor, values: &Tensor) -> Result<()> {
    if !(values.ndim() > 0 || boundaries.ndim() == 1) {
        return Err(Error::runtime(format!(
            "torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, but we got boundaries tensor dim({}) and input value's dim({}) numel({})",
            boundaries.ndim(),
            values.ndim(),
            values.numel()
        )));
    }
    if boundaries.ndim() == 0 {
        return Err(Error::runtime(
            "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension",
        ));
    }
    let n = boundaries.ndim();
    let matched = n == values.ndim() && boundaries.shape()[..n - 1] == values.shape()[..n - 1];
    if n != 1 && !matched {
        return Err(Error::runtime(format!(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor {} and input value tensor {}",
            shape_str(boundaries.shape()),
            shape_str(values.shape())
        )));
    }
    Ok(())
}

impl Tensor {
    /// `searchsorted(self, values, out_int32, right, sorter)`: for each value, the position in
    /// the sorted `self` (its matching row when `self` is N-D) where it would be inserted; the
    /// leftmost such position, or the rightmost with `right`. Dtypes are promoted to a common one.
    pub fn searchsorted(
        &self,
        values: &Tensor,
        out_int32: bool,
        right: bool,
        sorter: Option<&Tensor>,
    ) -> Result<Tensor> {
        let _on =
            crate::device_scope::DeviceScope::of_all([self, values].into_iter().chain(sorter))?;
        let order = sorter.map(|s| check_sorter(self, s)).transpose()?;
        check_shapes(self, values)?;
        let common = promote_types(self.dtype(), values.dtype());
        if common == DType::Bool {
            return Err(crate::op::not_implemented("searchsorted_out_cpu", common));
        }
        let positions =
            with_dtype!(common, T => search_all::<T>(self, values, right, order.as_deref()))?;
        let out = Tensor::from_vec(positions, values.shape())?;
        if out_int32 {
            out.to_dtype(DType::I32)
        } else {
            Ok(out)
        }
    }

    /// `bucketize(self, boundaries, out_int32, right)`: `searchsorted(boundaries, self)` with
    /// 1-D boundaries.
    pub fn bucketize(&self, boundaries: &Tensor, out_int32: bool, right: bool) -> Result<Tensor> {
        let _on = crate::device_scope::DeviceScope::of(&[self, boundaries])?;
        if boundaries.ndim() != 1 {
            return Err(Error::runtime(format!(
                "boundaries tensor must be 1 dimension, but got dim({})",
                boundaries.ndim()
            )));
        }
        boundaries.searchsorted(self, out_int32, right, None)
    }
}

/// The kernel: PyTorch's `cus_lower_bound`/`cus_upper_bound`, whose NaN behaviour (a NaN value
/// goes past every boundary) comes from testing `!(b >= v)` and `!(b > v)`.
#[allow(clippy::neg_cmp_op_on_partial_ord)] // the negated comparisons are the NaN semantics
fn search_all<T: Element>(
    boundaries: &Tensor,
    values: &Tensor,
    right: bool,
    order: Option<&[i64]>,
) -> Result<Vec<i64>> {
    let bd = materialize::<T>(boundaries)?;
    let vals = materialize::<T>(values)?;
    let row = boundaries.shape().last().copied().unwrap_or(0);
    let per_row = if boundaries.ndim() == 1 {
        usize::MAX
    } else {
        values.shape().last().copied().unwrap_or(1).max(1)
    };
    let find = |p: usize| -> i64 {
        let start = if per_row == usize::MAX {
            0
        } else {
            (p / per_row) * row
        };
        let v = vals[p];
        let at = |i: usize| match order {
            Some(o) => bd[start + o[start + i] as usize],
            None => bd[start + i],
        };
        let pos = if right {
            bound(row, at, |b| !(b > v))
        } else {
            bound(row, at, |b| !(b >= v))
        };
        pos as i64
    };
    Ok(if crate::cpu::fork_guard::worth_parallel(vals.len()) {
        (0..vals.len()).into_par_iter().map(find).collect()
    } else {
        (0..vals.len()).map(find).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_right_nan_and_rows() -> Result<()> {
        let s = Tensor::from_vec(vec![1.0f32, 3.0, 5.0, 7.0, 9.0], &[5])?;
        let v = Tensor::from_vec(vec![3.0f32, 6.0, 9.0, 10.0, 0.0, f32::NAN], &[6])?;
        assert_eq!(
            s.searchsorted(&v, false, false, None)?.to_vec::<i64>()?,
            vec![1, 3, 4, 5, 0, 5]
        );
        assert_eq!(
            s.searchsorted(&v, false, true, None)?.to_vec::<i64>()?,
            vec![2, 3, 5, 5, 0, 5]
        );
        let rows = Tensor::from_vec(vec![1i64, 3, 5, 2, 4, 6], &[2, 3])?;
        let q = Tensor::from_vec(vec![3i64, 3], &[2, 1])?;
        assert_eq!(
            rows.searchsorted(&q, false, false, None)?.to_vec::<i64>()?,
            vec![1, 1]
        );
        let unsorted = Tensor::from_vec(vec![5.0f64, 1.0, 3.0], &[3])?;
        let sorter = Tensor::from_vec(vec![1i64, 2, 0], &[3])?;
        let q = Tensor::from_vec(vec![2.0f64, 4.0], &[2])?;
        assert_eq!(
            unsorted
                .searchsorted(&q, true, false, Some(&sorter))?
                .to_vec::<i32>()?,
            vec![1, 2]
        );
        assert!(searchsorted_side(true, Some("left")).is_err());
        Ok(())
    }
}
