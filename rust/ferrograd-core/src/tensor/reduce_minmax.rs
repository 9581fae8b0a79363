//! Extremes: `max`/`min` (whole tensor, or values and indices along a dim), `amax`/`amin`,
//! `aminmax`, `argmax`/`argmin`.

use super::reduce::{reduce_mask, reduced_shape, run_kernel};
use super::Tensor;
use crate::autograd::formulas::select;
use crate::autograd::tracked;
use crate::autograd::tracked_pair;
use crate::cpu::reduce_fold::Fold;
use crate::cpu::reduce_minmax::{max_nan, min_nan, ArgExtreme, Extremes};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::not_implemented_msg;
use crate::shape::normalize_dim;
use crate::wgpu::reduce::{self as gpu_reduce, Reduction};
use crate::with_dtype;

/// PyTorch's check that a reduction without identity has something to reduce.
fn check_nonempty_dim(t: &Tensor, op: &str, dim: usize, shown: i64) -> Result<()> {
    if t.ndim() > 0 && t.shape()[dim] == 0 {
        return Err(Error::index(format!(
            "{op}: Expected reduction dim {shown} to have non-zero size."
        )));
    }
    Ok(())
}

fn no_dim_on_empty(op: &str) -> Error {
    Error::runtime(format!(
        "{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
    ))
}

/// The values of an extreme reduction over the flagged dims.
fn extreme_values(t: &Tensor, mask: &[bool], shape: &[usize], largest: bool) -> Result<Tensor> {
    let op = if largest {
        Reduction::Max
    } else {
        Reduction::Min
    };
    if let Some(out) = gpu_reduce::values(op, t, mask, shape)? {
        return Ok(out);
    }
    with_dtype!(t.dtype(), T => {
        let accs = if largest {
            run_kernel::<T, _>(t, mask, true, &Fold::new(T::LOWEST, |x: T| x, max_nan))?
        } else {
            run_kernel::<T, _>(t, mask, true, &Fold::new(T::HIGHEST, |x: T| x, min_nan))?
        };
        Tensor::from_vec(accs, shape)
    })
}

/// Values and first positions of the extremes over the flagged dims (positions count in
/// row-major order over those dims).
fn arg_extremes(
    t: &Tensor,
    mask: &[bool],
    shape: &[usize],
    largest: bool,
) -> Result<(Tensor, Tensor)> {
    if let Some(pair) = gpu_reduce::with_indices(largest, t, mask, shape)? {
        return Ok(pair);
    }
    with_dtype!(t.dtype(), T => {
        let accs = if largest {
            run_kernel::<T, _>(t, mask, false, &ArgExtreme::<true>)?
        } else {
            run_kernel::<T, _>(t, mask, false, &ArgExtreme::<false>)?
        };
        let (vals, idx): (Vec<T>, Vec<i64>) = accs.into_iter().map(|(v, i)| (v, i as i64)).unzip();
        Ok((Tensor::from_vec(vals, shape)?, Tensor::from_vec(idx, shape)?))
    })
}

fn dim_mask(ndim: usize, dim: usize) -> Vec<bool> {
    (0..ndim).map(|d| d == dim).collect()
}

impl Tensor {
    /// `max()` with no dim: the largest value as a 0-dim tensor (NaN if there is one).
    pub fn max_all(&self) -> Result<Tensor> {
        tracked(
            &[self],
            || self.extreme_all("max", true),
            |y| Ok(select::evenly_back("MaxBackward1", self, y)),
        )
    }

    /// `min()` with no dim.
    pub fn min_all(&self) -> Result<Tensor> {
        tracked(
            &[self],
            || self.extreme_all("min", false),
            |y| Ok(select::evenly_back("MinBackward1", self, y)),
        )
    }

    /// The smallest and largest value of a nonempty tensor (a NaN in it makes both NaN): what
    /// range checks of GPU tensors read back (two numbers), where the CPU reads them all.
    pub(crate) fn extremes(&self) -> Result<(f64, f64)> {
        let value = |t: Tensor| Ok(t.item()?.to_f64());
        Ok((value(self.min_all()?)?, value(self.max_all()?)?))
    }

    fn extreme_all(&self, op: &str, largest: bool) -> Result<Tensor> {
        if self.numel() == 0 {
            return Err(no_dim_on_empty(op));
        }
        extreme_values(self, &vec![true; self.ndim()], &[], largest)
    }

    /// `max(dim, keepdim)`: values and (first) indices of the largest elements along `dim`.
    pub fn max_dim(&self, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.extreme_dim("MaxBackward0", dim, keepdim, true)
    }

    /// `min(dim, keepdim)`.
    pub fn min_dim(&self, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.extreme_dim("MinBackward0", dim, keepdim, false)
    }

    /// Values and indices along `dim`; the values' gradient goes to the returned indices.
    fn extreme_dim(
        &self,
        node: &'static str,
        dim: i64,
        keepdim: bool,
        largest: bool,
    ) -> Result<(Tensor, Tensor)> {
        let op = if largest { "max()" } else { "min()" };
        let d = normalize_dim(dim, self.ndim())?;
        tracked_pair(
            &[self],
            || {
                check_nonempty_dim(self, op, d, d as i64)?;
                let mask = dim_mask(self.ndim(), d);
                let shape = reduced_shape(self.shape(), &mask, keepdim);
                arg_extremes(self, &mask, &shape, largest)
            },
            |_, indices| Ok(select::picked_back(node, self, indices, d, keepdim)),
        )
    }

    /// `amax(dim=(), keepdim=False)`: the largest values over `dims` (all dims when empty).
    pub fn amax(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        self.extreme_dims("amax", dims, keepdim, true)
    }

    /// `amin(dim=(), keepdim=False)`.
    pub fn amin(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        self.extreme_dims("amin", dims, keepdim, false)
    }

    fn extreme_dims(&self, op: &str, dims: &[i64], keepdim: bool, largest: bool) -> Result<Tensor> {
        if self.numel() == 0 {
            if dims.is_empty() {
                return Err(no_dim_on_empty(op));
            }
            // PyTorch names the dim as it was given.
            for &given in dims {
                let d = normalize_dim(given, self.ndim())?;
                check_nonempty_dim(self, &format!("{op}()"), d, given)?;
            }
        }
        let mask = reduce_mask(self.ndim(), Some(dims), true)?;
        let shape = reduced_shape(self.shape(), &mask, keepdim);
        let node = if largest {
            "AmaxBackward0"
        } else {
            "AminBackward0"
        };
        tracked(
            &[self],
            || extreme_values(self, &mask, &shape, largest),
            |y| Ok(select::extreme_back(node, self, y, mask.clone(), keepdim)),
        )
    }

    /// `aminmax(*, dim=None, keepdim=False)`: `(min, max)` in one pass.
    pub fn aminmax(&self, dim: Option<i64>, keepdim: bool) -> Result<(Tensor, Tensor)> {
        let mask = match dim {
            Some(dim) => {
                let d = normalize_dim(dim, self.ndim())?;
                check_nonempty_dim(self, "aminmax", d, d as i64)?;
                dim_mask(self.ndim(), d)
            }
            None if self.numel() == 0 => {
                return Err(Error::runtime(
                    "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.",
                ))
            }
            None => vec![true; self.ndim()],
        };
        let shape = reduced_shape(self.shape(), &mask, keepdim);
        tracked_pair(
            &[self],
            || aminmax_values(self, &mask, &shape),
            |lo, hi| Ok(select::aminmax_back(self, lo, hi, mask.clone(), keepdim)),
        )
    }

    /// `argmax(dim=None, keepdim=False)`: int64 index of the first largest element (of the
    /// flattened tensor when `dim` is `None`).
    pub fn argmax(&self, dim: Option<i64>, keepdim: bool) -> Result<Tensor> {
        let _on = self.device_scope();
        self.arg_extreme("argmax()", dim, keepdim, true)
    }

    /// `argmin(dim=None, keepdim=False)`.
    pub fn argmin(&self, dim: Option<i64>, keepdim: bool) -> Result<Tensor> {
        let _on = self.device_scope();
        self.arg_extreme("argmin()", dim, keepdim, false)
    }

    fn arg_extreme(
        &self,
        op: &str,
        dim: Option<i64>,
        keepdim: bool,
        largest: bool,
    ) -> Result<Tensor> {
        if self.dtype() == DType::Bool {
            return Err(not_implemented_msg(format!(
                "{op}: does not support bool input"
            )));
        }
        let mask = match dim {
            Some(dim) => {
                let d = normalize_dim(dim, self.ndim())?;
                check_nonempty_dim(self, op, d, d as i64)?;
                dim_mask(self.ndim(), d)
            }
            None if self.numel() == 0 => {
                return Err(Error::index(format!(
                    "{op}: Expected reduction dim to be specified for input.numel() == 0."
                )))
            }
            None => vec![true; self.ndim()],
        };
        let shape = reduced_shape(self.shape(), &mask, keepdim);
        Ok(arg_extremes(self, &mask, &shape, largest)?.1)
    }
}

/// The minima and maxima over the flagged dims, in one pass.
fn aminmax_values(t: &Tensor, mask: &[bool], shape: &[usize]) -> Result<(Tensor, Tensor)> {
    with_dtype!(t.dtype(), T => {
        let k = Fold::new(
            (T::HIGHEST, T::LOWEST),
            |x: T| (x, x),
            |a: (T, T), b: (T, T)| (min_nan(a.0, b.0), max_nan(a.1, b.1)),
        );
        let (lo, hi): (Vec<T>, Vec<T>) = run_kernel::<T, _>(t, mask, true, &k)?.into_iter().unzip();
        Ok((Tensor::from_vec(lo, shape)?, Tensor::from_vec(hi, shape)?))
    })
}
