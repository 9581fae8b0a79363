//! Copies, casts and fills on the GPU, as map kernels (`map.rs`): `contiguous`, `clone`,
//! `to(dtype)`, `copy_`, the shape ops' writes into views (`cat`, `flip`, ...), `fill_`,
//! `zero_` and the factories' fills.
//!
//! A copy between equal dtypes moves bits, so it serves every dtype of 1, 2, 4 or 8 bytes
//! (a thread packs the narrow ones into a word, or writes its element of a view atomically).
//! A cast is written among the dtypes WGSL computes with, through which the 16-bit ones and
//! bytes go.

use super::map::{self, Input, Map, View};
use crate::dtype::{DType, Element, Scalar};
use crate::error::Result;
use crate::tensor::Tensor;
use crate::with_dtype;

/// The WGSL expression converting the loaded `x` of dtype `from` to dtype `to`, with the
/// semantics of the CPU's casts (`dtype/element.rs`). A 16-bit type is loaded widened (to
/// float32 or int32, exactly) and cast as that type, and a result of one is narrowed back (a
/// float rounded to nearest, an integer keeping its low bits: the CPU's single rounding,
/// since every value the wider types give it is exact in float64 where it matters).
fn cast_expr(from: DType, to: DType) -> Option<String> {
    let (from_wide, to_wide) = (View::computed_dtype(from), View::computed_dtype(to));
    let cast = if from_wide == to_wide {
        "x"
    } else {
        wide_cast_expr(from_wide, to_wide)?
    };
    Some(match View::narrow(to) {
        Some(narrow) => format!("{narrow}({cast})"),
        None => cast.to_string(),
    })
}

/// [`cast_expr`] among the dtypes kernels compute with.
fn wide_cast_expr(from: DType, to: DType) -> Option<&'static str> {
    use DType::*;
    Some(match (from, to) {
        (I32, F32) => "f32(x)",
        (Bool, F32) => "select(0.0, 1.0, x != 0u)",
        (U8, F32) => "f32(x)",
        // Sign-extends the byte.
        (I8, F32) => "f32(bitcast<i32>(x << 24u) >> 24u)",
        // x86's truncating cast: NaN and values out of range give the type's minimum.
        (F32, I32) => "select(-2147483647 - 1, i32(x), x >= -2147483648.0 && x < 2147483648.0)",
        (Bool, I32) => "select(0, 1, x != 0u)",
        (U8, I32) => "i32(x)",
        (I8, I32) => "bitcast<i32>(x << 24u) >> 24u",
        // NaN is true, as in PyTorch.
        (F32, Bool) => "select(0u, 1u, is_nonzero(x))",
        (I32, Bool) => "select(0u, 1u, x != 0)",
        (U8 | I8, Bool) => "select(0u, 1u, x != 0u)",
        (Bool | I8, U8) | (Bool | U8, I8) => "x",
        // Integers into bytes keep their low byte (the CPU's wrapping `as`); a float goes
        // through int32 first, as on the CPU.
        (I32, U8 | I8) => "bitcast<u32>(x) & 0xffu",
        (I64, U8 | I8) => "x.x & 0xffu",
        (F32, U8 | I8) => "bitcast<u32>(select(-2147483647 - 1, i32(x), x >= -2147483648.0 && x < 2147483648.0)) & 0xffu",
        // int64 as a vec2<u32> (shaders/int64.wgsl): rounded to nearest, wrapped, as on the CPU.
        (I64, F32) => "i64_to_f32(x)",
        (I64, I32) => "bitcast<i32>(x.x)",
        (I64, Bool) => "select(0u, 1u, any(x != vec2<u32>(0u)))",
        (F32, I64) => "f32_to_i64(x)",
        (I32, I64) => "vec2<u32>(bitcast<u32>(x), select(0u, 0xffffffffu, x < 0))",
        (Bool | U8, I64) => "vec2<u32>(x, 0u)",
        (I8, I64) => "vec2<u32>(bitcast<u32>(bitcast<i32>(x << 24u) >> 24u), select(0u, 0xffffffffu, (x & 0x80u) != 0u))",
        _ => return None,
    })
}

/// Writes `src` (same shape as `dst`; its dims in `flip` read backwards) into the view `dst`,
/// casting. False (nothing done) when no GPU kernel covers these dtypes or sizes.
pub fn copy(dst: &Tensor, src: &Tensor, flip: &[usize]) -> Result<bool> {
    let (from, to) = (src.dtype(), dst.dtype());
    let (expr, out_view, in_view) = if from == to {
        let Some(bits) = View::bits(to) else {
            return Ok(false);
        };
        ("x".to_string(), bits, bits)
    } else {
        match (
            cast_expr(from, to),
            View::computed(to),
            View::computed(from),
        ) {
            (Some(expr), Some(out), Some(input)) => (expr, out, input),
            _ => return Ok(false),
        }
    };
    let input = Input {
        tensor: src,
        flip,
        view: in_view,
    };
    map::run(&Map {
        name: "copy",
        target: dst,
        out: out_view,
        inputs: &[input],
        expr: &expr,
        extra: &[],
    })
}

/// Writes `value` into the elements of `dst` (4- or 8-byte dtype) where `mask` (bool, of
/// `dst`'s shape: broadcast already) is true. False when the GPU cannot run it.
pub fn masked_fill(dst: &Tensor, mask: &Tensor, value: Scalar) -> Result<bool> {
    let (Some(view @ View::Typed(_)), DType::Bool) = (View::bits(dst.dtype()), mask.dtype()) else {
        return Ok(false);
    };
    let words = value_words(value, dst.dtype());
    let expr = format!("select(y, {}, x != 0u)", value_expr(&words));
    map::run(&Map {
        name: "masked_fill",
        target: dst,
        out: view,
        inputs: &[Input::new(mask, View::BYTES), Input::new(dst, view)],
        expr: &expr,
        extra: &words,
    })
}

/// The 32-bit words of `value` as an element of `dtype`, in memory order.
fn value_words(value: Scalar, dtype: DType) -> Vec<u32> {
    let bytes: Vec<u8> = with_dtype!(dtype, T => element_bytes(value.cast::<T>()));
    // A one- or two-byte value is the low bytes of its word.
    let mut bytes = bytes;
    if bytes.len() < 4 {
        bytes.resize(4, 0);
    }
    bytes
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
        .collect()
}

/// The WGSL expression of a value passed as the map kernel's extra `words` (one word, or two
/// for an 8-byte element).
fn value_expr(words: &[u32]) -> &'static str {
    if words.len() == 2 {
        "vec2<u32>(extra(0u), extra(1u))"
    } else {
        "extra(0u)"
    }
}

fn element_bytes<T: Element>(v: T) -> Vec<u8> {
    // SAFETY: an Element is a plain number (no padding, no pointers); reading its bytes is
    // reading its value's representation.
    unsafe { std::slice::from_raw_parts((&v as *const T).cast::<u8>(), size_of::<T>()) }.to_vec()
}

/// Writes `value` (cast to the dtype) into every element of the view `dst`. False when the
/// GPU cannot run it.
pub fn fill(dst: &Tensor, value: Scalar) -> Result<bool> {
    let Some(out) = View::bits(dst.dtype()) else {
        return Ok(false);
    };
    let words = value_words(value, dst.dtype());
    let expr = value_expr(&words);
    map::run(&Map {
        name: "fill",
        target: dst,
        out,
        inputs: &[],
        expr,
        extra: &words,
    })
}

/// The 1-D `len`-element tensor of `dtype` whose element i is `start + step * i`, made on the
/// GPU as `arange` makes it: for int32 and int64 in int64 arithmetic, wrapping as on the CPU (int32
/// keeps the low word, the CPU's wrapping cast); for float32, float16 and bfloat16 as
/// PyTorch's CUDA kernel does, in float32 (its accumulation type for these dtypes) with the
/// multiply-add fused (WGSL's `fma` may be computed unfused, as Mesa's software driver does),
/// the 16-bit ones rounded once. None for other dtypes.
pub fn arange(len: usize, dtype: DType, start: Scalar, step: Scalar) -> Result<Option<Tensor>> {
    const INT: &str = "i64_add(vec2<u32>(extra(0u), extra(1u)), \
                       i64_mul(vec2<u32>(i, 0u), vec2<u32>(extra(2u), extra(3u))))";
    const FLOAT: &str = "fma(f32(i), bitcast<f32>(extra(1u)), bitcast<f32>(extra(0u)))";
    let (s, st) = (start.cast::<i64>(), step.cast::<i64>());
    let ints = vec![s as u32, (s >> 32) as u32, st as u32, (st >> 32) as u32];
    let floats = || {
        vec![
            (start.to_f64() as f32).to_bits(),
            (step.to_f64() as f32).to_bits(),
        ]
    };
    let (expr, out, words) = match (dtype, View::narrow(dtype)) {
        (DType::I64, _) => (INT.to_string(), View::Typed("vec2<u32>"), ints),
        (DType::I32, _) => (format!("bitcast<i32>(({INT}).x)"), View::Typed("i32"), ints),
        (DType::F32, _) => (FLOAT.to_string(), View::Typed("f32"), floats()),
        (DType::F16 | DType::BF16, Some(narrow)) => {
            (format!("{narrow}({FLOAT})"), View::HALVES, floats())
        }
        _ => return Ok(None),
    };
    let dst = Tensor::uninit_dense(&[len], &[1], dtype)?;
    let written = len == 0
        || map::run(&Map {
            name: "arange",
            target: &dst,
            out,
            inputs: &[],
            expr: &expr,
            extra: &words,
        })?;
    Ok(written.then_some(dst))
}

/// Writes into `dst` the elements of `src` (same shape, at least 2-D) inside the triangle of
/// each matrix that `tril` (`lower`) or `triu` keeps with diagonal offset `k`, and zero
/// outside it; `dst` may be `src` (in place). False when the GPU cannot run it.
pub fn keep_triangle(dst: &Tensor, src: &Tensor, k: i64, lower: bool) -> Result<bool> {
    let Some(view) = View::bits(dst.dtype()) else {
        return Ok(false);
    };
    let ndim = dst.ndim();
    let (rows, cols) = (dst.shape()[ndim - 2], dst.shape()[ndim - 1]);
    let (Ok(rows32), Ok(cols32)) = (u32::try_from(rows), u32::try_from(cols)) else {
        return Ok(false);
    };
    // `col - row` lies in [1 - rows, cols - 1], so clamping k to [-rows, cols] keeps every
    // comparison's answer and makes it fit an i32.
    let k = k.clamp(-(rows as i64), cols as i64) as i32;
    let zero = match view {
        View::Typed("vec2<u32>") => "vec2<u32>(0u)",
        _ => "0u",
    };
    // The map kernel counts output elements row-major (a one-byte output is written only
    // when contiguous, and then too), so the last two coordinates come from `i`.
    let keep = if lower { "<=" } else { ">=" };
    let expr = format!(
        "select({zero}, x, i32(i % extra(0u)) - i32((i / extra(0u)) % extra(1u)) {keep} bitcast<i32>(extra(2u)))"
    );
    map::run(&Map {
        name: if lower { "tril" } else { "triu" },
        target: dst,
        out: view,
        inputs: &[Input::new(src, view)],
        expr: &expr,
        extra: &[cols32, rows32, k as u32],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Device;
    use crate::device_scope::DeviceScope;
    use crate::wgpu::gpu_present;

    #[test]
    fn arange_is_written_on_the_gpu_with_wrapping_int64_steps() -> Result<()> {
        if !gpu_present() {
            return Ok(());
        }
        let _on = DeviceScope::enter(Device::Wgpu(0));
        let (start, step) = (i64::MAX - 10, 4);
        let made = arange(6, DType::I64, Scalar::Int(start), Scalar::Int(step))?;
        let out = made.expect("int64 is written on the GPU");
        assert!(out.device().is_wgpu());
        let want: Vec<i64> = (0..6).map(|i| start.wrapping_add(step * i)).collect();
        assert_eq!(out.to_device(Device::Cpu)?.to_vec::<i64>()?, want);
        let made = arange(5, DType::I32, Scalar::Int((1 << 32) + 7), Scalar::Int(-3))?;
        let out = made.expect("int32 is written on the GPU");
        let want: Vec<i32> = (0..5).map(|i| 7 - 3 * i).collect();
        assert_eq!(out.to_device(Device::Cpu)?.to_vec::<i32>()?, want);
        Ok(())
    }
}
