//! Cumulative ops along one dim: `cumsum`, `cumprod`, `cummax`, `cummin`, `logcumsumexp`.

use super::Tensor;
use crate::autograd::formulas::cumulative;
use crate::autograd::tracked;
use crate::autograd::tracked_pair;
use crate::cpu::reduce_fold::Accum;
use crate::cpu::reduce_minmax::is_nan;
use crate::cpu::reduce_scan::{log_add_exp, Scan, ScanElem};
use crate::cpu::reduce_stats::{Real, RealAcc};
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::op::not_implemented_msg;
use crate::shape::normalize_dim;
use crate::wgpu::scan::{self as gpu_scan, ScanOp};
use crate::with_dtype;

/// The input's values in row-major order and its shape as `[outer, n, inner]` around `dim`.
fn lanes<T: Element>(t: &Tensor, dim: usize) -> Result<(Vec<T>, usize, usize, usize)> {
    let shape = t.shape();
    let (outer, n, inner) = if shape.is_empty() {
        (1, 1, 1)
    } else {
        (
            shape[..dim].iter().product(),
            shape[dim],
            shape[dim + 1..].iter().product(),
        )
    };
    Ok((super::materialize::<T>(t)?, outer, n, inner))
}

/// `"op" not implemented for 'Bool'`, PyTorch's message for a dtype without a kernel.
fn no_kernel(op: &str, d: DType) -> crate::error::Error {
    not_implemented_msg(format!(
        "\"{op}\" not implemented for '{}'",
        d.scalar_type_name()
    ))
}

impl Tensor {
    /// `cumsum(dim, *, dtype=None)`: running sums (int64 for bool and integer inputs), carried
    /// in PyTorch's CPU accumulator (float64 for float32).
    pub fn cumsum(&self, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
        tracked(
            &[self],
            || self.cum_arith("cumsum_out_cpu", dim, dtype, false),
            |_| {
                let d = normalize_dim(dim, self.ndim())?;
                Ok(cumulative::cumsum_back(self, d))
            },
        )
    }

    /// `cumprod(dim, *, dtype=None)`: running products.
    pub fn cumprod(&self, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
        tracked(
            &[self],
            || self.cum_arith("cumprod_out_cpu", dim, dtype, true),
            |y| {
                let d = normalize_dim(dim, self.ndim())?;
                Ok(cumulative::cumprod_back(self, y, d))
            },
        )
    }

    fn cum_arith(&self, op: &str, dim: i64, dtype: Option<DType>, product: bool) -> Result<Tensor> {
        let d = normalize_dim(dim, self.ndim())?;
        let target = dtype.unwrap_or(if self.dtype().is_floating_point() {
            self.dtype()
        } else {
            DType::I64
        });
        if target == DType::Bool {
            return Err(no_kernel(op, target));
        }
        let src = self.to_dtype(target)?;
        if src.device().is_wgpu() && src.ndim() > 0 {
            let op = if product { ScanOp::Prod } else { ScanOp::Sum };
            if let Some((out, _)) = gpu_scan::scan(&src, d, op)? {
                return Ok(out);
            }
        }
        with_dtype!(target, T => {
            let (vals, outer, n, inner) = lanes::<T>(&src, d)?;
            let out: Vec<T> = if product {
                let step = |s: <T as ScanElem>::Acc, x: T, _| { let s = s.mul(x.acc()); (s, T::from_acc(s)) };
                Scan::new(<T as ScanElem>::Acc::ONE, step).run(&vals, outer, n, inner)
            } else {
                let step = |s: <T as ScanElem>::Acc, x: T, _| { let s = s.add(x.acc()); (s, T::from_acc(s)) };
                Scan::new(<T as ScanElem>::Acc::ZERO, step).run(&vals, outer, n, inner)
            };
            Tensor::from_vec(out, self.shape())
        })
    }

    /// `cummax(dim)`: running maxima and where they were found (a later equal value or any
    /// NaN takes over, as in PyTorch).
    pub fn cummax(&self, dim: i64) -> Result<(Tensor, Tensor)> {
        self.cum_extreme("CummaxBackward0", dim, true)
    }

    /// `cummin(dim)`.
    pub fn cummin(&self, dim: i64) -> Result<(Tensor, Tensor)> {
        self.cum_extreme("CumminBackward0", dim, false)
    }

    fn cum_extreme(&self, node: &'static str, dim: i64, largest: bool) -> Result<(Tensor, Tensor)> {
        let d = normalize_dim(dim, self.ndim())?;
        tracked_pair(
            &[self],
            || self.cum_extreme_untracked(d, largest),
            |_, indices| Ok(cumulative::cum_extreme_back(node, self, indices, d)),
        )
    }

    fn cum_extreme_untracked(&self, d: usize, largest: bool) -> Result<(Tensor, Tensor)> {
        if self.device().is_wgpu() && self.ndim() > 0 {
            let op = if largest { ScanOp::Max } else { ScanOp::Min };
            if let Some((values, Some(positions))) = gpu_scan::scan(self, d, op)? {
                return Ok((values, positions));
            }
        }
        with_dtype!(self.dtype(), T => {
            let (vals, outer, n, inner) = lanes::<T>(self, d)?;
            let step = move |(best, at): (T, i64), x: T, i: usize| {
                let first = i == 0;
                let wins = if largest { x >= best } else { x <= best };
                let take = first || is_nan(x) || (!is_nan(best) && wins);
                let s = if take { (x, i as i64) } else { (best, at) };
                (s, s)
            };
            let first = vals.first().copied().unwrap_or_default();
            let pairs: Vec<(T, i64)> = Scan::new((first, 0i64), step).run(&vals, outer, n, inner);
            let (v, i): (Vec<T>, Vec<i64>) = pairs.into_iter().unzip();
            Ok((Tensor::from_vec(v, self.shape())?, Tensor::from_vec(i, self.shape())?))
        })
    }

    /// `logcumsumexp(dim)`: running `log(sum(exp(x)))`, floats only.
    pub fn logcumsumexp(&self, dim: i64) -> Result<Tensor> {
        let d = normalize_dim(dim, self.ndim())?;
        tracked(
            &[self],
            || match self.dtype() {
                DType::F32 if self.device().is_wgpu() && self.ndim() > 0 => {
                    match gpu_scan::scan(self, d, ScanOp::LogSumExp)? {
                        Some((out, _)) => Ok(out),
                        None => logcumsumexp_of::<f32>(self, d),
                    }
                }
                DType::F16 => logcumsumexp_of::<half::f16>(self, d),
                DType::BF16 => logcumsumexp_of::<half::bf16>(self, d),
                DType::F32 => logcumsumexp_of::<f32>(self, d),
                DType::F64 => logcumsumexp_of::<f64>(self, d),
                other => Err(no_kernel("logcumsumexp_out_cpu", other)),
            },
            |y| Ok(cumulative::logcumsumexp_back(self, y, d)),
        )
    }
}

/// Carried in the scan accumulator (float64 for float32), rounded to the dtype per output.
fn logcumsumexp_of<T>(t: &Tensor, dim: usize) -> Result<Tensor>
where
    T: Real + ScanElem,
    <T as ScanElem>::Acc: RealAcc,
{
    let (vals, outer, n, inner) = lanes::<T>(t, dim)?;
    let ninf = <<T as ScanElem>::Acc as Element>::from_f64(f64::NEG_INFINITY);
    let step = |s: <T as ScanElem>::Acc, x: T, _| {
        let s = log_add_exp(x.acc(), s);
        (s, T::from_acc(s))
    };
    let out: Vec<T> = Scan::new(ninf, step).run(&vals, outer, n, inner);
    Tensor::from_vec(out, t.shape())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scalar;

    #[test]
    fn scans_along_each_dim() -> Result<()> {
        let m = Tensor::arange(Scalar::Int(1), Scalar::Int(7), Scalar::Int(1), DType::I64)?
            .view(&[2, 3])?;
        assert_eq!(m.cumsum(1, None)?.to_vec::<i64>()?, vec![1, 3, 6, 4, 9, 15]);
        assert_eq!(m.cumsum(0, None)?.to_vec::<i64>()?, vec![1, 2, 3, 5, 7, 9]);
        assert_eq!(
            m.t()?.cumprod(0, None)?.to_vec::<i64>()?,
            vec![1, 4, 2, 20, 6, 120]
        );
        let (v, i) = m.cummax(0)?;
        assert_eq!(
            (v.to_vec::<i64>()?, i.to_vec::<i64>()?),
            (vec![1, 2, 3, 4, 5, 6], vec![0, 0, 0, 1, 1, 1])
        );
        Ok(())
    }
}
