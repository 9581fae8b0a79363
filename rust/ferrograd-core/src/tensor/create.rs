//! Creating tensors from data and from the factory functions (`zeros`, `full`, `arange`, ...).

use super::Tensor;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::shape::checked_numel;
use crate::storage::Storage;
use crate::with_dtype;

fn checked_nbytes(shape: &[usize], dtype: DType) -> Result<usize> {
    checked_numel(shape)
        .and_then(|n| n.checked_mul(dtype.size_in_bytes()))
        .ok_or(Error::OutOfMemory { nbytes: usize::MAX })
}

impl Tensor {
    /// Takes ownership of row-major `data` as a tensor of `shape`, without copying.
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        if checked_numel(shape) != Some(data.len()) {
            return Err(Error::runtime(format!(
                "from_vec: {} values cannot fill a tensor of shape {:?}",
                data.len(),
                shape
            )));
        }
        Ok(Tensor::from_parts(
            Storage::from_vec(data),
            Layout::contiguous(shape),
            T::DTYPE,
        ))
    }

    /// A 0-dim tensor holding one value.
    pub fn scalar(value: Scalar, dtype: DType) -> Tensor {
        with_dtype!(dtype, T => Tensor::from_parts(
            Storage::from_vec(vec![value.cast::<T>()]),
            Layout::contiguous(&[]),
            dtype,
        ))
    }

    pub fn zeros(shape: &[usize], dtype: DType) -> Result<Tensor> {
        let storage = Storage::zeroed(checked_nbytes(shape, dtype)?)?;
        Ok(Tensor::from_parts(
            storage,
            Layout::contiguous(shape),
            dtype,
        ))
    }

    pub fn full(shape: &[usize], value: Scalar, dtype: DType) -> Result<Tensor> {
        let t = Tensor::zeros(shape, dtype)?;
        let is_zero = match value {
            Scalar::Bool(b) => !b,
            Scalar::Int(i) => i == 0,
            // -0.0 has a sign bit, so it must really be written.
            Scalar::Float(f) => f == 0.0 && f.is_sign_positive(),
        };
        if !is_zero {
            t.init_fill(value)?;
        }
        Ok(t)
    }

    pub fn ones(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::full(shape, Scalar::Int(1), dtype)
    }

    /// `arange(start, end, step)`: PyTorch's length rule (`ceil((end - start) / step)`, in
    /// integers for int64) and its element rule (`start + i * step` in the accumulate type:
    /// double for floats, int64 for integers, so integer dtypes truncate fractional bounds).
    pub fn arange(start: Scalar, end: Scalar, step: Scalar, dtype: DType) -> Result<Tensor> {
        let (s, e, st) = (start.to_f64(), end.to_f64(), step.to_f64());
        if !(s.is_finite() && e.is_finite()) {
            return Err(Error::runtime(format!("unsupported range: {s} -> {e}")));
        }
        let acc = |v: Scalar| {
            if dtype.is_floating_point() {
                v.to_f64()
            } else {
                v.cast::<i64>() as f64
            }
        };
        let (as_, ae, ast) = (acc(start), acc(end), acc(step));
        if ast == 0.0 {
            return Err(Error::runtime("step must be nonzero"));
        }
        if (ast > 0.0 && ae < as_) || (ast < 0.0 && ae > as_) {
            return Err(Error::runtime(
                "upper bound and lower bound inconsistent with step sign",
            ));
        }
        let len = if dtype == DType::I64 {
            let (s, e, st) = (
                start.cast::<i64>() as i128,
                end.cast::<i64>() as i128,
                step.cast::<i64>() as i128,
            );
            ((e - s + st - st.signum()) / st) as f64
        } else {
            ((e - s) / st).ceil()
        };
        if !(0.0..=(i64::MAX as f64)).contains(&len) {
            return Err(Error::runtime("invalid size, possible overflow?"));
        }
        let len = len as usize;
        if crate::device_scope::current().is_wgpu() {
            // Made on the GPU (the positions of an attention layer, say), not uploaded; the
            // 32- and 16-bit floats as PyTorch's CUDA kernel makes them, in float32 (the
            // host's float64 formula can differ in the last bit).
            if let Some(made) = crate::wgpu::copy::arange(len, dtype, start, step)? {
                return Ok(made);
            }
        }
        if dtype.is_floating_point() {
            with_dtype!(dtype, T => Tensor::from_vec((0..len).map(|i| T::from_f64(s + st * i as f64)).collect::<Vec<T>>(), &[len]))
        } else {
            let (s, st) = (start.cast::<i64>(), step.cast::<i64>());
            with_dtype!(dtype, T => Tensor::from_vec(
                (0..len).map(|i| T::from_i64(s.wrapping_add(st.wrapping_mul(i as i64)))).collect::<Vec<T>>(),
                &[len]
            ))
        }
    }

    /// The deprecated `range(start, end, step)`: like `arange` but includes `end`
    /// (`floor((end - start) / step) + 1` elements).
    pub fn range_inclusive(start: f64, end: f64, step: f64, dtype: DType) -> Result<Tensor> {
        if step == 0.0 {
            return Err(Error::runtime("step must be nonzero"));
        }
        if (step > 0.0 && end < start) || (step < 0.0 && end > start) {
            return Err(Error::runtime(
                "upper bound and lower bound inconsistent with step sign",
            ));
        }
        let len = ((end - start) / step).floor() + 1.0;
        if !len.is_finite() || len > i64::MAX as f64 {
            return Err(Error::runtime("invalid size, possible overflow?"));
        }
        let len = len as usize;
        with_dtype!(dtype, T => Tensor::from_vec((0..len).map(|i| T::from_f64(start + step * i as f64)).collect::<Vec<T>>(), &[len]))
    }

    /// `linspace`: from both ends toward the middle, as PyTorch does, so the last value is
    /// exactly `end`.
    pub fn linspace(start: f64, end: f64, steps: i64, dtype: DType) -> Result<Tensor> {
        let values = spaced_values(start, end, steps, dtype, |v| v)?;
        with_dtype!(dtype, T => Tensor::from_vec(values.iter().map(|&v| T::from_f64(v)).collect::<Vec<T>>(), &[values.len()]))
    }

    pub fn logspace(start: f64, end: f64, steps: i64, base: f64, dtype: DType) -> Result<Tensor> {
        let values = spaced_values(start, end, steps, dtype, |v| base.powf(v))?;
        with_dtype!(dtype, T => Tensor::from_vec(values.iter().map(|&v| T::from_f64(v)).collect::<Vec<T>>(), &[values.len()]))
    }

    /// `eye(n, m)`: ones on the main diagonal.
    pub fn eye(n: usize, m: usize, dtype: DType) -> Result<Tensor> {
        let t = Tensor::zeros(&[n, m], dtype)?;
        t.diagonal(0, 0, 1)?.init_fill(Scalar::Int(1))?;
        Ok(t)
    }

    /// A new tensor with the same shape and dtype, zero-filled.
    pub fn zeros_like(&self) -> Result<Tensor> {
        Tensor::zeros(self.shape(), self.dtype())
    }
}

/// The values of `linspace`/`logspace` before the cast. The step is computed in the target
/// precision (float32 for float32 tensors, as PyTorch's kernel does) so values match PyTorch's.
fn spaced_values(
    start: f64,
    end: f64,
    steps: i64,
    dtype: DType,
    map: impl Fn(f64) -> f64,
) -> Result<Vec<f64>> {
    if steps < 0 {
        return Err(Error::runtime("number of steps must be non-negative"));
    }
    let n = steps as usize;
    if n == 1 {
        return Ok(vec![map(start)]);
    }
    let halfway = n / 2;
    let single = matches!(dtype, DType::F32 | DType::F16 | DType::BF16);
    let values = (0..n).map(|i| {
        let v = if single {
            let (s, e) = (start as f32, end as f32);
            let step = (e - s) / (n as f32 - 1.0);
            if i < halfway {
                s + step * i as f32
            } else {
                e - step * (n - i - 1) as f32
            }
        } else {
            let step = (end - start) / (n as f64 - 1.0);
            return map(if i < halfway {
                start + step * i as f64
            } else {
                end - step * (n - i - 1) as f64
            });
        };
        map(v as f64)
    });
    Ok(values.collect())
}
