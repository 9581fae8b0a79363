//! Runs of equal elements, found on sorted lanes (see `sort.rs`): `mode` along a dim, and
//! `unique` and `unique_consecutive` of a whole tensor. In a sorted lane equal elements lie
//! side by side, so a run is a stretch of neighbouring pairs with equal keys (never two NaNs,
//! which are unequal, as on the CPU).

use super::bindings::{input_buffer, output_buffer};
use super::kernel::dispatch;
use super::map::cast_outside_graph;
use super::sort::{widened, Lanes, PairKind};
use crate::device_scope::DeviceScope;
use crate::dtype::DType;
use crate::error::Result;
use crate::op::BinaryOp;
use crate::shape::contiguous_strides;
use crate::tensor::{Arg, Tensor};

const MODE: &str = include_str!("shaders/sort_mode.wgsl");
const UNIQUE_FLAGS: &str = include_str!("shaders/unique_flags.wgsl");
const UNIQUE_WRITE: &str = include_str!("shaders/unique_write.wgsl");

/// The most frequent value of each lane of `t` along `dim` (the smallest on ties) and the
/// greatest index holding it, as contiguous tensors of the other dims' shape. None when the
/// GPU does not sort this tensor. One thread walks each lane.
pub fn mode(t: &Tensor, dim: usize) -> Result<Option<(Tensor, Tensor)>> {
    if let Some(wide) = widened(t)? {
        let back = |(v, i)| Ok((cast_outside_graph(&v, t.dtype())?, i));
        return mode(&wide, dim)?.map(back).transpose();
    }
    let mut shape = t.shape().to_vec();
    shape.remove(dim);
    let _on = DeviceScope::enter(t.device());
    let Some(lanes) = Lanes::new(t, dim, false, true)? else {
        return Ok(None);
    };
    let values = Tensor::uninit_dense(&shape, &contiguous_strides(&shape), t.dtype())?;
    let indices = Tensor::uninit_dense(&shape, &contiguous_strides(&shape), DType::I64)?;
    let source = lanes.kind.picking_source(MODE);
    let meta = [
        lanes.lanes as u32,
        lanes.n as u32,
        lanes.inner as u32,
        lanes.padded as u32,
        lanes.x.storage_offset() as u32,
        u32::from(lanes.kind.is_float),
    ];
    dispatch(
        "sort_mode",
        &source,
        &[
            &output_buffer(&values, false)?,
            &output_buffer(&indices, false)?,
            &lanes.pairs,
            &lanes.input,
        ],
        &meta,
        lanes.lanes as u64,
    )?;
    Ok(Some((values, indices)))
}

/// `unique` (`sorted`) or `unique_consecutive` of all of `t`'s elements: the distinct values
/// (the first element of each run), the run of every element (in `t`'s shape) and the run
/// lengths, as on the CPU. The number of runs is read back (it is the result's size). None
/// when the GPU does not sort this tensor.
pub fn unique(t: &Tensor, sorted: bool) -> Result<Option<(Tensor, Tensor, Tensor)>> {
    if let Some(wide) = widened(t)? {
        let back = |(v, i, c)| Ok((cast_outside_graph(&v, t.dtype())?, i, c));
        return unique(&wide, sorted)?.map(back).transpose();
    }
    let _on = DeviceScope::enter(t.device());
    let n = t.numel();
    if PairKind::of(t.dtype()).is_none() {
        return Ok(None);
    }
    if n == 0 {
        let empty = |shape: &[usize], dtype| Tensor::zeros(shape, dtype);
        let values = empty(&[0], t.dtype())?;
        return Ok(Some((
            values,
            empty(t.shape(), DType::I64)?,
            empty(&[0], DType::I64)?,
        )));
    }
    let flat = t.reshape(&[n as i64])?;
    let Some(lanes) = Lanes::new(&flat, 0, false, sorted)? else {
        return Ok(None);
    };
    let flags = Tensor::uninit_dense(&[n], &[1], DType::I32)?;
    let flags_source = lanes.kind.source(
        &[UNIQUE_FLAGS],
        &[("flags", "read_write", "u32"), ("pairs", "read", "Pair")],
    );
    dispatch(
        "unique_flags",
        &flags_source,
        &[&output_buffer(&flags, false)?, &lanes.pairs],
        &[n as u32, u32::from(lanes.kind.is_float)],
        n as u64,
    )?;
    let runs = flags.cumsum(0, Some(DType::I64))?;
    let count = runs.narrow(0, n as i64 - 1, 1)?.item()?.cast::<i64>() as usize;
    let values = Tensor::uninit_dense(&[count], &[1], t.dtype())?;
    let starts = Tensor::uninit_dense(&[count + 1], &[1], DType::I64)?;
    let inverse = Tensor::uninit_dense(&[n], &[1], DType::I64)?;
    let write = lanes.kind.source(
        &[UNIQUE_WRITE],
        &[
            ("values", "read_write", lanes.kind.element),
            ("starts", "read_write", "vec2<u32>"),
            ("inverse", "read_write", "vec2<u32>"),
            ("pairs", "read", "Pair"),
            ("flags", "read", "u32"),
            ("runs", "read", "vec2<u32>"),
            ("x", "read", lanes.kind.element),
        ],
    );
    let runs = runs.contiguous()?;
    dispatch(
        "unique_write",
        &write,
        &[
            &output_buffer(&values, false)?,
            &output_buffer(&starts, false)?,
            &output_buffer(&inverse, false)?,
            &lanes.pairs,
            &input_buffer(&flags)?,
            &input_buffer(&runs)?,
            &lanes.input,
        ],
        &[n as u32, lanes.x.storage_offset() as u32],
        n as u64,
    )?;
    let count = count as i64;
    let earlier = Arg::Tensor(starts.narrow(0, 0, count)?);
    let counts = starts
        .narrow(0, 1, count)?
        .binary(BinaryOp::Sub, &earlier, None)?;
    let shape: Vec<i64> = t.shape().iter().map(|&s| s as i64).collect();
    Ok(Some((values, inverse.reshape(&shape)?, counts)))
}
