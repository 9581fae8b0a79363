//! `median`, `nanmedian` and `kthvalue` along a dim on the GPU: the lanes sorted (stable, NaN
//! last) by the GPU's sort, then the element at the statistic's position picked from each.
//! Between equal values the CPU replays libstdc++'s selection, so where the picked value is
//! tied, the index may differ from the CPU's (as it does between PyTorch's CPU and CUDA).

use super::elementwise::Arg;
use super::ternary::where_op;
use super::Tensor;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};
use crate::wgpu::sort as gpu_sort;

/// Values and indices at sorted position `k` (0-based) of each lane along `dim`; None when
/// the GPU does not sort this tensor.
pub(super) fn kth(
    t: &Tensor,
    dim: usize,
    k: usize,
    keepdim: bool,
) -> Result<Option<(Tensor, Tensor)>> {
    let Some((values, indices)) = gpu_sort::sort(t, dim, false, k + 1)? else {
        return Ok(None);
    };
    let at = |s: Tensor| s.narrow(dim as i64, k as i64, 1);
    Ok(Some(finish(at(values)?, at(indices)?, dim, keepdim)?))
}

/// The lower median of each lane along `dim` (of the non-NaN values, `ignore_nan`; else NaN
/// where a lane holds one: its first NaN). Float32 only; None otherwise.
pub(super) fn median(
    t: &Tensor,
    dim: usize,
    keepdim: bool,
    ignore_nan: bool,
) -> Result<Option<(Tensor, Tensor)>> {
    if t.dtype() != DType::F32 {
        return Ok(None);
    }
    let n = t.shape()[dim] as i64;
    let Some((values, indices)) = gpu_sort::sort(t, dim, false, n as usize)? else {
        return Ok(None);
    };
    let d = [dim as i64];
    let nans = t.unary(UnaryOp::IsNan, None)?.sum(Some(&d), true, None)?;
    let int = |v: i64| Arg::Scalar(Scalar::Int(v));
    // Sorted, the lane's NaNs come last: its first NaN is at n - nans.
    let numbers =
        nans.binary(BinaryOp::Mul, &int(-1), None)?
            .binary(BinaryOp::Add, &int(n), None)?;
    let position = if ignore_nan {
        // (numbers - 1) / 2 rounded down, and 0 for a lane of NaNs (whose median is NaN).
        numbers
            .to_dtype(DType::F32)?
            .binary(BinaryOp::Sub, &int(1), None)?
            .binary(BinaryOp::Mul, &Arg::Scalar(Scalar::Float(0.5)), None)?
            .unary(UnaryOp::Floor, None)?
            .clamp_min(&Arg::Scalar(Scalar::Float(0.0)), None)?
            .to_dtype(DType::I64)?
    } else {
        let has_nan = nans.binary(BinaryOp::Gt, &int(0), None)?;
        where_op(&has_nan, &Arg::Tensor(numbers), &int((n - 1) / 2), None)?
    };
    let pick = |s: &Tensor| s.gather(dim as i64, &position);
    Ok(Some(finish(pick(&values)?, pick(&indices)?, dim, keepdim)?))
}

/// The picked values and indices (the lane dim of size 1), without that dim unless `keepdim`.
fn finish(values: Tensor, indices: Tensor, dim: usize, keepdim: bool) -> Result<(Tensor, Tensor)> {
    if keepdim {
        return Ok((values.contiguous()?, indices.contiguous()?));
    }
    let d = [dim as i64];
    Ok((
        values.squeeze_dims(&d)?.contiguous()?,
        indices.squeeze_dims(&d)?.contiguous()?,
    ))
}
