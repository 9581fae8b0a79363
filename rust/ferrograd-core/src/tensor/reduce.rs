//! Sum-like reductions: `sum`, `nansum`, `mean`, `nanmean`, `prod`, `all`, `any`,
//! `count_nonzero`, and the helpers every reduction shares (which dims, what output shape).

use super::Tensor;
use crate::autograd::formulas::math::{compare, div};
use crate::autograd::formulas::reduce;
use crate::autograd::{needs_grad, tracked};
use crate::cpu::reduce::{reduce, ReduceKernel};
use crate::cpu::reduce_fold::{Accum, Fold, Widen};
use crate::cpu::reduce_minmax::is_nan;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::op::{not_implemented_msg, BinaryOp, UnaryOp};
use crate::shape::normalize_dim;
use crate::tensor::elementwise::Arg;
use crate::wgpu::reduce::{self as gpu_reduce, Reduction};
use crate::with_dtype;

/// Which dims of an `ndim`-dim tensor a reduction runs over, one flag per dim. `None` means
/// every dim; an empty list means every dim too when `empty_is_all` (`sum`), else none (`any`).
pub(crate) fn reduce_mask(
    ndim: usize,
    dims: Option<&[i64]>,
    empty_is_all: bool,
) -> Result<Vec<bool>> {
    let dims = match dims {
        None => return Ok(vec![true; ndim]),
        Some([]) => return Ok(vec![empty_is_all; ndim]),
        Some(d) => d,
    };
    let mut mask = vec![false; ndim];
    let mut seen = vec![false; ndim.max(1)];
    for &d in dims {
        let i = normalize_dim(d, ndim)?;
        if seen[i] {
            return Err(Error::runtime(format!(
                "dim {i} appears multiple times in the list of dims"
            )));
        }
        seen[i] = true;
        if ndim > 0 {
            mask[i] = true;
        }
    }
    Ok(mask)
}

/// The shape left after reducing the flagged dims (size 1 in their place with `keepdim`).
pub(crate) fn reduced_shape(shape: &[usize], mask: &[bool], keepdim: bool) -> Vec<usize> {
    shape
        .iter()
        .zip(mask)
        .filter_map(|(&n, &r)| match (r, keepdim) {
            (false, _) => Some(n),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect()
}

/// Number of elements each output reduces.
pub(crate) fn reduced_count(shape: &[usize], mask: &[bool]) -> usize {
    shape
        .iter()
        .zip(mask)
        .filter(|(_, &r)| r)
        .map(|(&n, _)| n)
        .product()
}

/// Runs a reduction kernel over the flagged dims of `t` (whose element type must be `T`).
pub(crate) fn run_kernel<T: Element, K: ReduceKernel<T>>(
    t: &Tensor,
    mask: &[bool],
    reorder: bool,
    k: &K,
) -> Result<Vec<K::Acc>> {
    let data = t.storage().read();
    let buf = data.cpu()?;
    Ok(reduce(buf.as_slice::<T>(), t.layout(), mask, reorder, k))
}

/// Sums (skipping NaNs when `skip_nan`) in PyTorch's accumulator type; floats are cascaded.
fn sum_accs<T: Widen>(t: &Tensor, mask: &[bool], skip_nan: bool) -> Result<Vec<T::Acc>> {
    let zero = <T::Acc as Accum>::ZERO;
    let cascade = T::DTYPE.is_floating_point();
    if skip_nan {
        let map = move |x: T| if is_nan(x) { zero } else { x.widen() };
        let k = Fold::new(zero, map, Accum::add);
        run_kernel::<T, _>(t, mask, true, &if cascade { k.cascaded() } else { k })
    } else {
        let k = Fold::new(zero, |x: T| x.widen(), Accum::add);
        run_kernel::<T, _>(t, mask, true, &if cascade { k.cascaded() } else { k })
    }
}

/// The input cast to `dtype=` when one is given.
fn with_dtype_arg(t: &Tensor, dtype: Option<DType>) -> Result<Tensor> {
    match dtype {
        Some(d) => t.to_dtype(d),
        None => Ok(t.clone()),
    }
}

/// Integers and bools sum and multiply into int64; floats keep their dtype.
fn sum_dtype(d: DType) -> DType {
    if d.is_floating_point() {
        d
    } else {
        DType::I64
    }
}

impl Tensor {
    fn sum_like(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        dtype: Option<DType>,
        skip_nan: bool,
    ) -> Result<Tensor> {
        let mask = reduce_mask(self.ndim(), dims, true)?;
        let src = with_dtype_arg(self, dtype)?;
        let shape = reduced_shape(self.shape(), &mask, keepdim);
        let out_dtype = dtype.unwrap_or_else(|| sum_dtype(self.dtype()));
        let op = if skip_nan {
            Reduction::NanSum
        } else {
            Reduction::Sum
        };
        // The GPU sums float32 into float32, and integers and bools into int64.
        let on_gpu = out_dtype == src.dtype() || (out_dtype == DType::I64 && !skip_nan);
        if on_gpu {
            if let Some(out) = gpu_reduce::values(op, &src, &mask, &shape)? {
                return Ok(out);
            }
        }
        with_dtype!(src.dtype(), T => {
            let accs = sum_accs::<T>(&src, &mask, skip_nan)?;
            Tensor::from_vec(accs, &shape)?.to_dtype(out_dtype)
        })
    }

    /// `sum(dim=None, keepdim=False, dtype=None)`.
    pub fn sum(&self, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        tracked(
            &[self],
            || self.sum_like(dims, keepdim, dtype, false),
            |_| {
                let mask = reduce_mask(self.ndim(), dims, true)?;
                Ok(reduce::sum_back(self, mask, keepdim, dims.is_none()))
            },
        )
    }

    /// `nansum`: NaNs count as zero.
    pub fn nansum(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        dtype: Option<DType>,
    ) -> Result<Tensor> {
        tracked(
            &[self],
            || self.sum_like(dims, keepdim, dtype, true),
            |_| {
                let mask = reduce_mask(self.ndim(), dims, true)?;
                Ok(reduce::nansum_back(self, mask, keepdim))
            },
        )
    }

    /// `mean`: the sum (in float32 for the half types), divided by the count, then rounded.
    pub fn mean(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        dtype: Option<DType>,
    ) -> Result<Tensor> {
        tracked(
            &[self],
            || self.mean_untracked(dims, keepdim, dtype),
            |_| {
                let mask = reduce_mask(self.ndim(), dims, true)?;
                Ok(reduce::mean_back(self, mask, keepdim, dims.is_none()))
            },
        )
    }

    fn mean_untracked(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        dtype: Option<DType>,
    ) -> Result<Tensor> {
        match dtype {
            Some(d) if !d.is_floating_point() => {
                return Err(not_implemented_msg(format!(
                    "mean(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype. Got: {}",
                    d.scalar_type_name()
                )))
            }
            None if !self.dtype().is_floating_point() => {
                return Err(not_implemented_msg(format!(
                    "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
                    self.dtype().scalar_type_name()
                )))
            }
            _ => {}
        }
        let mask = reduce_mask(self.ndim(), dims, true)?;
        let src = with_dtype_arg(self, dtype)?;
        let shape = reduced_shape(self.shape(), &mask, keepdim);
        let n = reduced_count(self.shape(), &mask);
        if let Some(out) = gpu_reduce::values(Reduction::Mean, &src, &mask, &shape)? {
            return Ok(out);
        }
        with_dtype!(src.dtype(), T => {
            let accs = sum_accs::<T>(&src, &mask, false)?;
            let means: Vec<<T as Widen>::Acc> = accs.into_iter().map(|a| divide(a, n as f64)).collect();
            Tensor::from_vec(means, &shape)?.to_dtype(src.dtype())
        })
    }

    /// `nanmean`: the NaN-skipping sum (rounded to the dtype) over the count of non-NaNs.
    pub fn nanmean(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        dtype: Option<DType>,
    ) -> Result<Tensor> {
        let _on = self.device_scope();
        let d = dtype.unwrap_or(self.dtype());
        if !self.dtype().is_floating_point() || !d.is_floating_point() {
            return Err(not_implemented_msg(format!(
                "nanmean(): expected input to have floating point or complex dtype but got {}",
                (if self.dtype().is_floating_point() {
                    d
                } else {
                    self.dtype()
                })
                .scalar_type_name()
            )));
        }
        if needs_grad(&[self]) {
            // PyTorch's own composite, recorded through its parts (its node is the division's,
            // `DivBackward0`): the NaN-skipping sum over the count of non-NaNs.
            let sum = self.nansum(dims, keepdim, dtype)?;
            let counted = compare(BinaryOp::Eq, self, self)?;
            return div(&sum, &counted.sum(dims, keepdim, None)?);
        }
        let mask = reduce_mask(self.ndim(), dims, true)?;
        let src = with_dtype_arg(self, dtype)?;
        let shape = reduced_shape(self.shape(), &mask, keepdim);
        with_dtype!(src.dtype(), T => {
            let sums = sum_accs::<T>(&src, &mask, true)?;
            let count = Fold::new(0i64, |x: T| (!is_nan(x)) as i64, Accum::add);
            let counts = run_kernel::<T, _>(&src, &mask, true, &count)?;
            let means: Vec<T> = sums
                .into_iter()
                .zip(counts)
                .map(|(s, c)| T::from_f64(T::narrow(s).to_f64() / c as f64))
                .collect();
            Tensor::from_vec(means, &shape)
        })
    }

    /// `prod(dim, keepdim=False, dtype=None)` (`dims` is `None` for the whole tensor).
    pub fn prod(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        dtype: Option<DType>,
    ) -> Result<Tensor> {
        tracked(
            &[self],
            || self.prod_untracked(dims, keepdim, dtype),
            |y| {
                let mask = reduce_mask(self.ndim(), dims, true)?;
                Ok(reduce::prod_back(self, y, mask, keepdim, dims.is_none()))
            },
        )
    }

    fn prod_untracked(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        dtype: Option<DType>,
    ) -> Result<Tensor> {
        let mask = reduce_mask(self.ndim(), dims, true)?;
        let src = with_dtype_arg(self, dtype)?;
        let shape = reduced_shape(self.shape(), &mask, keepdim);
        let out_dtype = dtype.unwrap_or_else(|| sum_dtype(self.dtype()));
        if out_dtype == src.dtype() {
            if let Some(out) = gpu_reduce::values(Reduction::Prod, &src, &mask, &shape)? {
                return Ok(out);
            }
        }
        with_dtype!(src.dtype(), T => {
            let accs = prod_accs::<T>(&src, &mask)?;
            Tensor::from_vec(accs, &shape)?.to_dtype(out_dtype)
        })
    }

    /// `all`: whether every element is non-zero (uint8 in, uint8 out, as PyTorch keeps it).
    pub fn all(&self, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
        let _on = self.device_scope();
        self.logical_fold(dims, keepdim, true)
    }

    /// `any`: whether some element is non-zero.
    pub fn any(&self, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
        let _on = self.device_scope();
        self.logical_fold(dims, keepdim, false)
    }

    fn logical_fold(&self, dims: Option<&[i64]>, keepdim: bool, every: bool) -> Result<Tensor> {
        if let Some(folded) = self.logical_fold_on_gpu(dims, keepdim, every)? {
            return Ok(folded);
        }
        let mask = reduce_mask(self.ndim(), dims, false)?;
        let shape = reduced_shape(self.shape(), &mask, keepdim);
        let accs = with_dtype!(self.dtype(), T => {
            let map = |x: T| x.to_bool();
            if every {
                run_kernel::<T, _>(self, &mask, true, &Fold::new(true, map, |a, b| a & b))?
            } else {
                run_kernel::<T, _>(self, &mask, true, &Fold::new(false, map, |a, b| a | b))?
            }
        });
        let out = Tensor::from_vec(accs, &shape)?;
        if self.dtype() == DType::U8 {
            out.to_dtype(DType::U8)
        } else {
            Ok(out)
        }
    }

    /// `all` and `any` from the GPU's kernels: the count of zeros (for `all`) or of non-zeros
    /// (`any`, NaN counting as non-zero), an int64 sum, compared with 0. None where they do not
    /// serve (the CPU, uint8 and 16-bit dtypes, empty tensors, an empty dim list).
    fn logical_fold_on_gpu(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        every: bool,
    ) -> Result<Option<Tensor>> {
        let kernels = matches!(
            self.dtype(),
            DType::F32 | DType::I32 | DType::I64 | DType::Bool
        );
        if !self.device().is_wgpu() || !kernels || self.numel() == 0 || dims == Some(&[]) {
            return Ok(None);
        }
        let zeros = self.unary(UnaryOp::LogicalNot, None)?;
        let (flags, test) = if every {
            (zeros, BinaryOp::Eq)
        } else {
            (zeros.unary(UnaryOp::LogicalNot, None)?, BinaryOp::Gt)
        };
        let counts = flags.sum(dims, keepdim, None)?;
        Ok(Some(counts.binary(
            test,
            &Arg::Scalar(Scalar::Int(0)),
            None,
        )?))
    }

    /// `count_nonzero(dim=None)`: int64 counts of non-zero elements (NaN counts).
    pub fn count_nonzero(&self, dims: Option<&[i64]>) -> Result<Tensor> {
        let _on = self.device_scope();
        let mask = reduce_mask(self.ndim(), dims, true)?;
        let shape = reduced_shape(self.shape(), &mask, false);
        let accs = with_dtype!(self.dtype(), T => {
            let k = Fold::new(0i64, |x: T| x.to_bool() as i64, Accum::add);
            run_kernel::<T, _>(self, &mask, true, &k)?
        });
        Tensor::from_vec(accs, &shape)
    }
}

/// `a / n` in the accumulator's own arithmetic (float32 for float32 and the half types).
fn divide<A: Accum>(a: A, n: f64) -> A {
    A::from_f64(a.to_f64() / n)
}

/// Products: int64 for integers, the float type itself for floats. The half types round after
/// every multiplication, as PyTorch's half kernel does.
fn prod_accs<T: Widen>(t: &Tensor, mask: &[bool]) -> Result<Vec<T::Acc>> {
    let one = <T::Acc as Accum>::ONE;
    let half = matches!(T::DTYPE, DType::F16 | DType::BF16);
    let op = move |a: T::Acc, b: T::Acc| {
        let p = a.mul(b);
        if half {
            T::narrow(p).widen()
        } else {
            p
        }
    };
    run_kernel::<T, _>(t, mask, true, &Fold::new(one, |x: T| x.widen(), op))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scalar;

    fn m() -> Result<Tensor> {
        Tensor::arange(Scalar::Int(0), Scalar::Int(6), Scalar::Int(1), DType::F32)?.view(&[2, 3])
    }

    #[test]
    fn sums_means_products() -> Result<()> {
        let m = m()?;
        assert_eq!(m.sum(None, false, None)?.to_vec::<f32>()?, vec![15.0]);
        assert_eq!(
            m.sum(Some(&[0]), false, None)?.to_vec::<f32>()?,
            vec![3.0, 5.0, 7.0]
        );
        assert_eq!(m.sum(Some(&[-1]), true, None)?.shape(), &[2, 1]);
        assert_eq!(
            m.mean(Some(&[1]), false, None)?.to_vec::<f32>()?,
            vec![1.0, 4.0]
        );
        assert_eq!(
            m.prod(Some(&[1]), false, None)?.to_vec::<f32>()?,
            vec![0.0, 60.0]
        );
        let ints = m.to_dtype(DType::I32)?;
        assert_eq!(ints.sum(None, false, None)?.dtype(), DType::I64);
        assert!(ints.mean(None, false, None).is_err());
        Ok(())
    }

    #[test]
    fn dims_are_checked() -> Result<()> {
        let m = m()?;
        let dup = m
            .sum(Some(&[0, -2]), false, None)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            dup.as_deref(),
            Some("dim 0 appears multiple times in the list of dims")
        );
        assert!(m.sum(Some(&[2]), false, None).is_err());
        assert_eq!(m.all(Some(&[]), false)?.shape(), &[2, 3]);
        assert_eq!(m.sum(Some(&[]), false, None)?.shape(), &[] as &[usize]);
        Ok(())
    }

    #[test]
    fn logical_and_counts() -> Result<()> {
        let m = m()?;
        assert_eq!(
            m.all(Some(&[0]), false)?.to_vec::<bool>()?,
            vec![false, true, true]
        );
        assert_eq!(m.any(None, false)?.to_vec::<bool>()?, vec![true]);
        assert_eq!(m.count_nonzero(None)?.to_vec::<i64>()?, vec![5]);
        Ok(())
    }
}
