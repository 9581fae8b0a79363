//! Statistics: `var`, `std`, `var_mean`, `std_mean`, the vector norms behind `norm` and
//! `linalg.vector_norm`, and `logsumexp`.

use super::norm_layers::shape_i64;
use super::reduce::{reduce_mask, reduced_shape, run_kernel};
use super::Tensor;
use crate::autograd::formulas::stats::{self, Moments};
use crate::autograd::tracked;
use crate::autograd::tracked_pair;
use crate::cpu::reduce_fold::{Accum, Fold};
use crate::cpu::reduce_minmax::{is_nan, max_nan, min_nan, Extremes};
use crate::cpu::reduce_stats::{ExpSum, Real, RealAcc, Welford, WelfordKernel};
use crate::dtype::{default_float, DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::op::{not_implemented_msg, BinaryOp, UnaryOp};
use crate::tensor::elementwise::Arg;
use crate::with_dtype;

/// Runs `$body` with `$T` bound to a float dtype's Rust type; other dtypes are an error.
macro_rules! with_float {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            DType::F16 => {
                type $T = half::f16;
                $body
            }
            DType::BF16 => {
                type $T = half::bf16;
                $body
            }
            DType::F32 => {
                type $T = f32;
                $body
            }
            DType::F64 => {
                type $T = f64;
                $body
            }
            d => Err(not_implemented_msg(format!(
                "expected a floating point tensor, got {d}"
            ))),
        }
    };
}

/// Formats a float the way C++ streams print a double (`%g`: `1.5`, `2`, `-inf`, `1e-07`).
pub(crate) fn fmt_g(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let exp = v.abs().log10().floor() as i32;
    if (-5..6).contains(&exp) {
        let decimals = (5 - exp).max(0) as usize;
        let s = format!("{v:.decimals$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        };
        return s;
    }
    let s = format!("{v:.5e}");
    let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
    let mant = if mant.contains('.') {
        mant.trim_end_matches('0').trim_end_matches('.')
    } else {
        mant
    };
    let e: i32 = e.parse().unwrap_or(0);
    format!("{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

impl Tensor {
    fn welford(
        &self,
        op: &str,
        dims: Option<&[i64]>,
        keepdim: bool,
    ) -> Result<(Vec<Welford>, Vec<usize>)> {
        if !self.dtype().is_floating_point() {
            return Err(not_implemented_msg(format!(
                "{op} only support floating point and complex dtypes"
            )));
        }
        let mask = reduce_mask(self.ndim(), dims, true)?;
        let shape = reduced_shape(self.shape(), &mask, keepdim);
        let accs =
            with_dtype!(self.dtype(), T => run_kernel::<T, _>(self, &mask, true, &WelfordKernel)?);
        Ok((accs, shape))
    }

    fn moments(
        &self,
        op: &str,
        dims: Option<&[i64]>,
        correction: f64,
        keepdim: bool,
        sqrt: bool,
    ) -> Result<(Tensor, Tensor)> {
        if let Some(pair) = self.moments_on_gpu(dims, correction, keepdim, sqrt)? {
            return Ok(pair);
        }
        let (accs, shape) = self.welford(op, dims, keepdim)?;
        let spread: Vec<f64> = accs
            .iter()
            .map(|w| {
                let v = w.variance(correction);
                if sqrt {
                    v.sqrt()
                } else {
                    v
                }
            })
            .collect();
        let mean: Vec<f64> = accs
            .iter()
            .map(|w| if w.n == 0.0 { f64::NAN } else { w.mean })
            .collect();
        Ok((
            Tensor::from_vec(spread, &shape)?.to_dtype(self.dtype())?,
            Tensor::from_vec(mean, &shape)?.to_dtype(self.dtype())?,
        ))
    }

    /// `moments` from the GPU's kernels: the mean, then the sum of squared deviations from it
    /// over `max(0, N - correction)`. None where they do not serve (see `on_gpu_reduction`).
    fn moments_on_gpu(
        &self,
        dims: Option<&[i64]>,
        correction: f64,
        keepdim: bool,
        sqrt: bool,
    ) -> Result<Option<(Tensor, Tensor)>> {
        if !on_gpu_reduction(self, dims) {
            return Ok(None);
        }
        let shape = reduced_shape(
            self.shape(),
            &reduce_mask(self.ndim(), dims, true)?,
            keepdim,
        );
        let mean = self.mean(dims, true, None)?;
        let deviations = self.binary(BinaryOp::Sub, &Arg::Tensor(mean.clone()), None)?;
        let m2 = deviations
            .unary(UnaryOp::Square, None)?
            .sum(dims, keepdim, None)?;
        let n = (self.numel() / mean.numel()) as f64;
        let divisor = Arg::Scalar(Scalar::Float((n - correction).max(0.0)));
        let var = m2.binary(BinaryOp::Div, &divisor, None)?;
        let spread = if sqrt {
            var.unary(UnaryOp::Sqrt, None)?
        } else {
            var
        };
        Ok(Some((spread, mean.reshape(&shape_i64(&shape))?)))
    }

    /// What the backward of a variance needs to know about its dims.
    fn moments_of(&self, dims: Option<&[i64]>, correction: f64, keepdim: bool) -> Result<Moments> {
        Ok(Moments {
            dims: dims.map(<[i64]>::to_vec),
            reduced: reduce_mask(self.ndim(), dims, true)?,
            correction,
            keepdim,
        })
    }

    /// `var(dim=None, *, correction=1, keepdim=False)`: divides by `max(0, N - correction)`.
    pub fn var(&self, dims: Option<&[i64]>, correction: f64, keepdim: bool) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                Ok(self
                    .moments("std and var", dims, correction, keepdim, false)?
                    .0)
            },
            |_| {
                Ok(stats::var_back(
                    self,
                    self.moments_of(dims, correction, keepdim)?,
                ))
            },
        )
    }

    /// `std`: the square root of `var`.
    pub fn std(&self, dims: Option<&[i64]>, correction: f64, keepdim: bool) -> Result<Tensor> {
        tracked(
            &[self],
            || {
                Ok(self
                    .moments("std and var", dims, correction, keepdim, true)?
                    .0)
            },
            |y| {
                Ok(stats::std_back(
                    self,
                    y,
                    self.moments_of(dims, correction, keepdim)?,
                ))
            },
        )
    }

    /// `var_mean`: `(var, mean)` from one pass.
    pub fn var_mean(
        &self,
        dims: Option<&[i64]>,
        correction: f64,
        keepdim: bool,
    ) -> Result<(Tensor, Tensor)> {
        tracked_pair(
            &[self],
            || self.moments("var_mean", dims, correction, keepdim, false),
            |_, _| {
                let m = self.moments_of(dims, correction, keepdim)?;
                Ok(stats::moments_mean_back(self, None, m))
            },
        )
    }

    /// `std_mean`: `(std, mean)` from one pass.
    pub fn std_mean(
        &self,
        dims: Option<&[i64]>,
        correction: f64,
        keepdim: bool,
    ) -> Result<(Tensor, Tensor)> {
        tracked_pair(
            &[self],
            || self.moments("std_mean", dims, correction, keepdim, true),
            |std, _| {
                let m = self.moments_of(dims, correction, keepdim)?;
                Ok(stats::moments_mean_back(self, Some(std), m))
            },
        )
    }

    /// `linalg.vector_norm(ord=2, dim=None, keepdim=False, dtype=None)`; `norm` with a number
    /// or `'fro'` lands here too.
    pub fn vector_norm(
        &self,
        ord: f64,
        dims: Option<&[i64]>,
        keepdim: bool,
        dtype: Option<DType>,
    ) -> Result<Tensor> {
        if !self.dtype().is_floating_point() {
            return Err(not_implemented_msg(format!(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
                self.dtype().scalar_type_name()
            )));
        }
        let src = match dtype {
            Some(d) if !d.is_floating_point() => {
                return Err(Error::runtime(format!(
                    "linalg.vector_norm: dtype should be floating point or complex, but got {}",
                    d.scalar_type_name()
                )))
            }
            Some(d) if crate::dtype::promote_types(self.dtype(), d) != d => {
                return Err(Error::runtime(format!(
                    "linalg.vector_norm: the dtype of the input ({}) should be convertible without narrowing to the specified dtype ({})",
                    self.dtype().scalar_type_name(),
                    d.scalar_type_name()
                )))
            }
            Some(d) => self.to_dtype(d)?,
            None => self.clone(),
        };
        src.check_norm_identity(ord, dims)?;
        let mask = reduce_mask(self.ndim(), dims, true)?;
        let shape = reduced_shape(self.shape(), &mask, keepdim);
        tracked(
            &[self],
            || match norm_on_gpu(&src, ord, dims, keepdim)? {
                Some(norm) => Ok(norm),
                None => with_float!(src.dtype(), T => norm_of::<T>(&src, &mask, ord, &shape)),
            },
            |y| Ok(stats::norm_back(self, y, ord, mask.clone(), keepdim)),
        )
    }

    /// Norms below zero and the max norm have no value over nothing.
    fn check_norm_identity(&self, ord: f64, dims: Option<&[i64]>) -> Result<()> {
        if !(ord < 0.0 || ord == f64::INFINITY) || self.numel() > 0 {
            return Ok(());
        }
        match dims {
            Some(d) if !d.is_empty() => {
                // PyTorch names the first empty dim as it was given.
                for &given in d {
                    let i = crate::shape::normalize_dim(given, self.ndim())?;
                    if self.ndim() > 0 && self.shape()[i] == 0 {
                        return Err(Error::runtime(format!(
                            "linalg.vector_norm cannot compute the {} norm on the dimension {given}because this dimension is empty and the operation does not have an identity",
                            fmt_g(ord)
                        )));
                    }
                }
                Ok(())
            }
            _ => Err(Error::runtime(format!(
                "linalg.vector_norm cannot compute the {} norm on an empty tensor because the operation does not have an identity",
                fmt_g(ord)
            ))),
        }
    }

    /// `logsumexp(dim, keepdim=False)`: `log(sum(exp(x - m))) + m` with `m` the max (infinite
    /// maxima replaced by 0), as PyTorch computes it. Integer inputs use the default float.
    pub fn logsumexp(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        let src = if self.dtype().is_floating_point() {
            self.clone()
        } else {
            self.to_dtype(default_float())?
        };
        let mask = reduce_mask(self.ndim(), Some(dims), true)?;
        if dims.is_empty() && !keepdim && self.ndim() > 0 {
            // PyTorch's own composite fails this way: the max keeps its dims, the sum does not.
            return Err(Error::runtime(format!(
                "output with shape [] doesn't match the broadcast shape {}",
                crate::error::shape_str(&vec![1; self.ndim()])
            )));
        }
        let shape = reduced_shape(self.shape(), &mask, keepdim);
        tracked(
            &[self],
            || match logsumexp_on_gpu(&src, dims, &shape)? {
                Some(out) => Ok(out),
                None => with_float!(src.dtype(), T => logsumexp_of::<T>(&src, &mask, &shape)),
            },
            |y| Ok(stats::logsumexp_back(self, y, mask.clone(), keepdim)),
        )
    }
}

fn logsumexp_of<T: Real>(t: &Tensor, mask: &[bool], shape: &[usize]) -> Result<Tensor> {
    let zero = T::from_f64(0.0);
    let shifts: Vec<T> = if t.numel() == 0 {
        vec![zero; crate::shape::numel(shape)]
    } else {
        run_kernel::<T, _>(t, mask, true, &Fold::new(T::LOWEST, |x: T| x, max_nan))?
            .into_iter()
            .map(|m| {
                if m.up().abs().is_finite() || is_nan(m) {
                    m
                } else {
                    zero
                }
            })
            .collect()
    };
    let sums = run_kernel::<T, _>(t, mask, true, &ExpSum { shifts: &shifts })?;
    let out: Vec<T> = sums
        .into_iter()
        .zip(&shifts)
        .map(|(s, &m)| {
            let log = T::down(T::down(s).up().ln());
            T::down(log.up().add(m.up()))
        })
        .collect();
    Tensor::from_vec(out, shape)
}

/// Whether the GPU's reductions serve a float32 reduction of `t` over `dims`: on the GPU, not
/// empty, and not over an empty dim list (whose meaning varies by op).
fn on_gpu_reduction(t: &Tensor, dims: Option<&[i64]>) -> bool {
    t.device().is_wgpu() && t.dtype() == DType::F32 && t.numel() > 0 && dims != Some(&[])
}

/// `logsumexp` from the GPU's kernels, as the CPU computes it: the max `m` (infinite maxima
/// replaced by 0), then `log(sum(exp(x - m))) + m`, reshaped to `shape`.
fn logsumexp_on_gpu(t: &Tensor, dims: &[i64], shape: &[usize]) -> Result<Option<Tensor>> {
    if !on_gpu_reduction(t, Some(dims)) {
        return Ok(None);
    }
    let max = t.amax(dims, true)?;
    let infinite = max.unary(UnaryOp::IsInf, None)?;
    let shift = max.masked_fill(&infinite, Scalar::Float(0.0))?;
    let shifted = t.binary(BinaryOp::Sub, &Arg::Tensor(shift.clone()), None)?;
    let sums = shifted
        .unary(UnaryOp::Exp, None)?
        .sum(Some(dims), true, None)?;
    let out = sums
        .unary(UnaryOp::Log, None)?
        .binary(BinaryOp::Add, &Arg::Tensor(shift), None)?;
    Ok(Some(out.reshape(&shape_i64(shape))?))
}

/// A vector norm from the GPU's kernels (a float32 GPU tensor, not empty): the sum of squares'
/// square root, the sum or extreme of magnitudes, or the p-th root of the sum of p-th powers.
/// None where they do not serve (the CPU, other dtypes, an empty dim list, the 0 "norm").
fn norm_on_gpu(
    t: &Tensor,
    ord: f64,
    dims: Option<&[i64]>,
    keepdim: bool,
) -> Result<Option<Tensor>> {
    if !on_gpu_reduction(t, dims) || ord == 0.0 {
        return Ok(None);
    }
    let all: Vec<i64> = (0..t.ndim() as i64).collect();
    let extreme_dims = dims.unwrap_or(&all);
    let magnitude = || t.unary(UnaryOp::Abs, None);
    let power = |x: &Tensor, p: f64| x.binary(BinaryOp::Pow, &Arg::Scalar(Scalar::Float(p)), None);
    Ok(Some(if ord == 2.0 {
        t.unary(UnaryOp::Square, None)?
            .sum(dims, keepdim, None)?
            .unary(UnaryOp::Sqrt, None)?
    } else if ord == 1.0 {
        magnitude()?.sum(dims, keepdim, None)?
    } else if ord == f64::INFINITY {
        magnitude()?.amax(extreme_dims, keepdim)?
    } else if ord == f64::NEG_INFINITY {
        magnitude()?.amin(extreme_dims, keepdim)?
    } else {
        let sum = power(&magnitude()?, ord)?.sum(dims, keepdim, None)?;
        power(&sum, 1.0 / ord)?
    }))
}

/// The `ord`-norm over the flagged dims, accumulated in the compute type (float32 for the
/// half types), with PyTorch's formula for each order.
fn norm_of<T: Real>(t: &Tensor, mask: &[bool], ord: f64, shape: &[usize]) -> Result<Tensor> {
    let zero = <T::C as Accum>::ZERO;
    let one = <T::C as Accum>::ONE;
    let abs = |x: T| x.up().abs();
    let accs: Vec<T::C> = if ord == f64::INFINITY {
        run_kernel::<T, _>(t, mask, true, &Fold::new(zero, abs, max_nan::<T::C>))?
    } else if ord == f64::NEG_INFINITY {
        let inf = <T::C as Extremes>::HIGHEST;
        run_kernel::<T, _>(t, mask, true, &Fold::new(inf, abs, min_nan::<T::C>))?
    } else if ord == 0.0 {
        let nonzero = move |x: T| if x.up() == zero { zero } else { one };
        run_kernel::<T, _>(
            t,
            mask,
            true,
            &Fold::new(zero, nonzero, Accum::add).cascaded(),
        )?
    } else if ord == 1.0 {
        run_kernel::<T, _>(t, mask, true, &Fold::new(zero, abs, Accum::add).cascaded())?
    } else if ord == 2.0 {
        let square = |x: T| x.up().mul(x.up());
        let k = Fold::new(zero, square, Accum::add).cascaded();
        let sums = run_kernel::<T, _>(t, mask, true, &k)?;
        sums.into_iter().map(RealAcc::sqrt).collect()
    } else {
        let p = <T::C as Element>::from_f64(ord);
        let power = move |x: T| x.up().abs().powf(p);
        let k = Fold::new(zero, power, Accum::add).cascaded();
        let sums = run_kernel::<T, _>(t, mask, true, &k)?;
        sums.into_iter().map(|s| s.powf(one.div(p))).collect()
    };
    let out: Vec<T> = accs.into_iter().map(T::down).collect();
    Tensor::from_vec(out, shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format_matches_cpp_streams() {
        assert_eq!(fmt_g(1.5), "1.5");
        assert_eq!(fmt_g(2.0), "2");
        assert_eq!(fmt_g(-1.0), "-1");
        assert_eq!(fmt_g(f64::NEG_INFINITY), "-inf");
        assert_eq!(fmt_g(1e-7), "1e-07");
        assert_eq!(fmt_g(123456789.0), "1.23457e+08");
        assert_eq!(fmt_g(0.1), "0.1");
    }
}
