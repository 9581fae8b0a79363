//! `quantile` and `nanquantile` of float32 on the GPU: the lanes sorted by the GPU's sort
//! (NaN last), their NaNs counted by a reduction, then each quantile of each lane picked and
//! interpolated by `shaders/quantile_pick.wgsl` with the CPU's arithmetic (an exact rank, the
//! weight rounded once, the CPU's `lerp`).

use super::bindings::{around_dim, dense_operand, input_buffer, output_buffer};
use super::kernel::{dispatch, per_thread_source};
use super::sort::sort;
use crate::cpu::reduce_order::Interpolation;
use crate::device_scope::DeviceScope;
use crate::dtype::DType;
use crate::error::Result;
use crate::op::UnaryOp;
use crate::shape::contiguous_strides;
use crate::tensor::Tensor;

const PICK: &str = concat!(
    include_str!("shaders/float.wgsl"),
    include_str!("shaders/math.wgsl"),
    include_str!("shaders/int64.wgsl"),
    include_str!("shaders/quantile_pick.wgsl")
);

/// The quantiles `q` (float32, 0-dim or 1-D, each in [0, 1]) of `t`'s lanes along `dim`, as a
/// new tensor of `shape` (the quantiles' dim first, then the lanes in order). None when the
/// GPU does not run it (not float32, or too large).
pub fn quantile(
    t: &Tensor,
    q: &Tensor,
    dim: usize,
    how: Interpolation,
    ignore_nan: bool,
    shape: &[usize],
) -> Result<Option<Tensor>> {
    if t.dtype() != DType::F32 || t.numel() == 0 {
        return Ok(None);
    }
    let (lanes, n, inner) = around_dim(t.shape(), dim);
    let _on = DeviceScope::enter(t.device());
    let Some((sorted, _)) = sort(t, dim, false, n)? else {
        return Ok(None);
    };
    let Some(qs) = dense_operand(&q.reshape(&[-1])?)? else {
        return Ok(None);
    };
    let nans = t
        .unary(UnaryOp::IsNan, None)?
        .sum(Some(&[dim as i64]), false, None)?
        .contiguous()?;
    let out = Tensor::uninit_dense(shape, &contiguous_strides(shape), DType::F32)?;
    let threads = lanes * qs.numel();
    let Ok(threads32) = u32::try_from(threads) else {
        return Ok(None);
    };
    let how_word = match how {
        Interpolation::Linear => 0u32,
        Interpolation::Lower => 1,
        Interpolation::Higher => 2,
        Interpolation::Midpoint => 3,
        Interpolation::Nearest => 4,
    };
    let source = per_thread_source(
        &[PICK],
        &[
            ("out", "read_write", "f32"),
            ("sorted", "read", "f32"),
            ("nan_counts", "read", "vec2<u32>"),
            ("qs", "read", "u32"),
        ],
    );
    let meta = [
        threads32,
        lanes as u32,
        n as u32,
        inner as u32,
        u32::from(ignore_nan),
        how_word,
        qs.storage_offset() as u32,
    ];
    dispatch(
        "quantile_pick",
        &source,
        &[
            &output_buffer(&out, false)?,
            &input_buffer(&sorted)?,
            &input_buffer(&nans)?,
            &input_buffer(&qs)?,
        ],
        &meta,
        threads as u64,
    )?;
    Ok(Some(out))
}
