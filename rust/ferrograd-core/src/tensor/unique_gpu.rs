//! `unique` and `unique_consecutive` of slices along a dim, on the GPU, composed of GPU ops:
//! the slices become rows, ordered lexicographically by stable sorts of their columns (the
//! last column first, so that the first one decides and ties fall to the next), and equal
//! neighbours are grouped by a running count of "differs from the row before".

use super::unique::Unique;
use super::{where_op, Arg, Tensor};
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::op::{BinaryOp, UnaryOp};
use crate::wgpu::map::cast_outside_graph;
use crate::wgpu::sort;

fn scalar_arg(v: i64) -> Arg {
    Arg::Scalar(Scalar::Int(v))
}

/// The unique slices of the GPU tensor `t` along `dim` (of size > 0, no other dim empty),
/// sorted or (`unique_consecutive`) in place. None when a float slice holds a NaN: PyTorch's
/// CPU kernel leaves NaN slices where its `std::sort` happens to put them, which the CPU
/// kernel replays and this cannot.
pub(crate) fn unique_slices(t: &Tensor, dim: usize, sorted: bool) -> Result<Option<Unique>> {
    // 1- and 2-byte elements are worked on widened (a cast that keeps every value and the
    // order; gathers of them have no GPU kernel), and the values cast back.
    if let Some(wide) = sort::widened(t)? {
        let Some(found) = unique_slices(&wide, dim, sorted)? else {
            return Ok(None);
        };
        return Ok(Some(Unique {
            values: cast_outside_graph(&found.values, t.dtype())?,
            ..found
        }));
    }
    let size = t.shape()[dim];
    let moved = t.movedim(&[dim as i64], &[0])?;
    let rows = moved.reshape(&[size as i64, -1])?;
    if t.dtype().is_floating_point() {
        let nans = rows.unary(UnaryOp::IsNan, None)?.sum(None, false, None)?;
        if nans.item()? != Scalar::Int(0) {
            return Ok(None);
        }
    }
    let all = Tensor::arange(
        Scalar::Int(0),
        Scalar::Int(size as i64),
        Scalar::Int(1),
        DType::I64,
    )?;
    let order = match sorted {
        true => lexicographic_order(&rows, &all)?,
        false => all.clone(),
    };
    let ordered = rows.index_select(0, &order)?;
    // A run starts at the first row and at each row that differs from the one before it.
    let n = size as i64;
    let next = ordered.narrow(0, 1, n - 1)?;
    let before = ordered.narrow(0, 0, n - 1)?;
    let differs = next
        .binary(BinaryOp::Ne, &Arg::Tensor(before), None)?
        .sum(Some(&[1]), false, None)?
        .binary(BinaryOp::Gt, &scalar_arg(0), None)?;
    let first = Tensor::full(&[1], Scalar::Bool(true), DType::Bool)?;
    let starts = Tensor::cat(&[first, differs], 0)?;
    let run = starts
        .cumsum(0, Some(DType::I64))?
        .binary(BinaryOp::Sub, &scalar_arg(1), None)?;
    // The number of runs is the result's size, so it comes back to the host (as on CUDA).
    let Scalar::Int(last) = run.narrow(0, n - 1, 1)?.item()? else {
        unreachable!("an int64 item")
    };
    let runs = last + 1;
    // Each run's first row: the starts' positions, sorted before the rest (`size`).
    let positions = where_op(&starts, &Arg::Tensor(all), &scalar_arg(n), None)?;
    let firsts = positions.sort(0, false)?.0.narrow(0, 0, runs)?;
    let end = Tensor::full(&[1], Scalar::Int(n), DType::I64)?;
    let ends = Tensor::cat(&[firsts.narrow(0, 1, runs - 1)?, end], 0)?;
    let counts = ends.binary(BinaryOp::Sub, &Arg::Tensor(firsts.clone()), None)?;
    let mut shape: Vec<i64> = moved.shape().iter().map(|&d| d as i64).collect();
    shape[0] = runs;
    let values = ordered
        .index_select(0, &firsts)?
        .reshape(&shape)?
        .movedim(&[0], &[dim as i64])?
        .contiguous()?;
    // Row `order[k]` is in run `run[k]`: inverting the permutation puts them back in place.
    let inverse = run.index_select(0, &order.argsort(0, false)?)?;
    Ok(Some(Unique {
        values,
        inverse,
        counts,
    }))
}

/// The permutation sorting `rows` (`[n, width]`) lexicographically, as PyTorch's slice
/// comparator does (-0 equal to +0, as the sort has them); `all` is `0..n`.
fn lexicographic_order(rows: &Tensor, all: &Tensor) -> Result<Tensor> {
    let mut order = all.clone();
    for column in (0..rows.shape()[1] as i64).rev() {
        let keys = rows.select(1, column)?.index_select(0, &order)?;
        let (_, by) = keys.sort(0, false)?;
        order = order.index_select(0, &by)?;
    }
    Ok(order)
}
