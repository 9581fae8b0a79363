//! `median`, `nanmedian`, `kthvalue` and `mode` along a dim on the GPU: the lanes sorted
//! (stable, NaN last) by the GPU's sort, then the element at the statistic's position picked
//! from each (for `mode`, the longest run of equal elements). Between equal values the CPU
//! replays libstdc++'s selection, so where the picked value is tied, the index may differ from
//! the CPU's (as it does between PyTorch's CPU and CUDA).

use super::elementwise::Arg;
use super::ternary::where_op;
use super::Tensor;
use crate::cpu::reduce_order::Interpolation;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};
use crate::wgpu::quantile as gpu_quantile;
use crate::wgpu::sort as gpu_sort;
use crate::wgpu::sort_runs as gpu_runs;

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
/// where a lane holds one: its first NaN). None when the GPU does not sort this tensor.
pub(super) fn median(
    t: &Tensor,
    dim: usize,
    keepdim: bool,
    ignore_nan: bool,
) -> Result<Option<(Tensor, Tensor)>> {
    let n = t.shape()[dim] as i64;
    if !t.dtype().is_floating_point() {
        // No NaNs: the middle of every lane.
        return kth(t, dim, (n as usize - 1) / 2, keepdim);
    }
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

/// The most frequent value of each lane along `dim` (the smallest on ties) and the greatest
/// index holding it; None when the GPU does not sort this tensor.
pub(super) fn mode(t: &Tensor, dim: usize, keepdim: bool) -> Result<Option<(Tensor, Tensor)>> {
    let Some((values, indices)) = gpu_runs::mode(t, dim)? else {
        return Ok(None);
    };
    if !keepdim {
        return Ok(Some((values, indices)));
    }
    let d = dim as i64;
    Ok(Some((values.unsqueeze(d)?, indices.unsqueeze(d)?)))
}

/// The quantiles `q` of each lane along `dim` (of all elements when `dim` is None), in the
/// CPU's result `shape`; None when the GPU does not run this tensor.
pub(super) fn quantile(
    t: &Tensor,
    q: &Tensor,
    dim: Option<usize>,
    how: Interpolation,
    ignore_nan: bool,
    shape: &[usize],
) -> Result<Option<Tensor>> {
    match dim {
        Some(d) if t.ndim() > 0 => gpu_quantile::quantile(t, q, d, how, ignore_nan, shape),
        _ => gpu_quantile::quantile(&t.reshape(&[-1])?, q, 0, how, ignore_nan, shape),
    }
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
