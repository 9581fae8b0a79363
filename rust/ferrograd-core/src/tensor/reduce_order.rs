//! Order statistics: `median`/`nanmedian` (whole tensor or along a dim), `mode`, `kthvalue`,
//! `quantile`/`nanquantile`.

use super::reduce::reduced_shape;
use super::reduce_order_gpu as order_gpu;
use super::reduce_stats::fmt_g;
use super::Tensor;
use crate::autograd::formulas::select::{self, QuantilePlan};
use crate::autograd::tracked;
use crate::autograd::tracked_pair;
use crate::cpu::reduce_order::{
    kth_smallest, median_all, median_row, mode_row, per_row, quantiles_row, Interpolation,
};
use crate::cpu::reduce_stats::RealAcc;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::op::not_implemented_msg;
use crate::shape::normalize_dim;
use crate::with_dtype;

/// The values of `t` as rows along `dim` (moved last), and the row length.
fn rows_along<T: Element>(t: &Tensor, dim: usize) -> Result<(Vec<T>, usize)> {
    if t.ndim() == 0 {
        return Ok((super::materialize::<T>(t)?, 1));
    }
    let order: Vec<i64> = (0..t.ndim())
        .filter(|&d| d != dim)
        .chain([dim])
        .map(|d| d as i64)
        .collect();
    Ok((
        super::materialize::<T>(&t.permute(&order)?)?,
        t.shape()[dim],
    ))
}

/// A `(values, indices)` reduction along `dim`, row by row.
fn along<T: Element>(
    t: &Tensor,
    dim: usize,
    keepdim: bool,
    f: impl Fn(&[T]) -> (T, usize) + Sync + Send,
) -> Result<(Tensor, Tensor)> {
    let (vals, n) = rows_along::<T>(t, dim)?;
    let mask: Vec<bool> = (0..t.ndim()).map(|d| d == dim).collect();
    let shape = reduced_shape(t.shape(), &mask, keepdim);
    let (v, i): (Vec<T>, Vec<i64>) = per_row(&vals, n, f)
        .into_iter()
        .map(|(v, i)| (v, i as i64))
        .unzip();
    Ok((Tensor::from_vec(v, &shape)?, Tensor::from_vec(i, &shape)?))
}

/// A values-and-indices reduction along `dim`, recorded so that the values' gradient goes to
/// the returned indices (`node` is PyTorch's name for it).
fn picked_along(
    t: &Tensor,
    node: &'static str,
    dim: usize,
    keepdim: bool,
    forward: impl FnOnce() -> Result<(Tensor, Tensor)>,
) -> Result<(Tensor, Tensor)> {
    tracked_pair(&[t], forward, |_, indices| {
        Ok(select::picked_back(node, t, indices, dim, keepdim))
    })
}

/// `"kernel" not implemented for 'Bool'`.
fn no_bool(t: &Tensor, kernel: &str) -> Result<()> {
    if t.dtype() == DType::Bool {
        return Err(not_implemented_msg(format!(
            "\"{kernel}\" not implemented for '{}'",
            (DType::Bool).scalar_type_name()
        )));
    }
    Ok(())
}

/// The dim a values-and-indices reduction runs over, checked to be non-empty.
fn reduction_dim(t: &Tensor, op: &str, dim: i64) -> Result<usize> {
    let d = normalize_dim(dim, t.ndim())?;
    if t.ndim() > 0 && t.shape()[d] == 0 {
        return Err(Error::index(format!(
            "{op}(): Expected reduction dim {d} to have non-zero size."
        )));
    }
    Ok(d)
}

impl Tensor {
    /// `median()`: the lower median of all values (NaN if any is NaN; NaN when empty).
    pub fn median_all(&self) -> Result<Tensor> {
        tracked(
            &[self],
            || self.median_of_all(false),
            |y| Ok(select::evenly_back("MedianBackward0", self, y)),
        )
    }

    /// `nanmedian()`: the lower median of the non-NaN values.
    pub fn nanmedian_all(&self) -> Result<Tensor> {
        tracked(
            &[self],
            || self.median_of_all(true),
            |y| Ok(select::evenly_back("NanmedianBackward0", self, y)),
        )
    }

    fn median_of_all(&self, ignore_nan: bool) -> Result<Tensor> {
        if self.numel() == 0 {
            return Ok(Tensor::scalar(crate::Scalar::Float(f64::NAN), self.dtype()));
        }
        no_bool(self, "median_cpu")?;
        if self.device().is_wgpu() {
            let flat = self.reshape(&[-1])?;
            if let Some((value, _)) = order_gpu::median(&flat, 0, false, ignore_nan)? {
                return Ok(value);
            }
        }
        with_dtype!(self.dtype(), T => {
            let vals = super::materialize::<T>(self)?;
            Tensor::from_vec(vec![median_all(&vals, ignore_nan)], &[])
        })
    }

    /// `median(dim, keepdim)`: values and indices of the lower medians along `dim`.
    pub fn median_dim(&self, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.median_along(dim, keepdim, false)
    }

    /// `nanmedian(dim, keepdim)`.
    pub fn nanmedian_dim(&self, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.median_along(dim, keepdim, true)
    }

    fn median_along(&self, dim: i64, keepdim: bool, ignore_nan: bool) -> Result<(Tensor, Tensor)> {
        let d = reduction_dim(self, "median", dim)?;
        no_bool(self, "median_out")?;
        let node = if ignore_nan {
            "NanmedianBackward1"
        } else {
            "MedianBackward1"
        };
        picked_along(self, node, d, keepdim, || {
            if self.device().is_wgpu() && self.ndim() > 0 {
                if let Some(found) = order_gpu::median(self, d, keepdim, ignore_nan)? {
                    return Ok(found);
                }
            }
            with_dtype!(self.dtype(), T => along::<T>(self, d, keepdim, |row| median_row(row, ignore_nan)))
        })
    }

    /// `mode(dim=-1, keepdim=False)`: the most frequent value (the smallest on ties).
    pub fn mode(&self, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        let d = reduction_dim(self, "mode", dim)?;
        picked_along(self, "ModeBackward0", d, keepdim, || {
            if self.device().is_wgpu() && self.ndim() > 0 && self.numel() > 0 {
                if let Some(found) = order_gpu::mode(self, d, keepdim)? {
                    return Ok(found);
                }
            }
            with_dtype!(self.dtype(), T => along::<T>(self, d, keepdim, mode_row))
        })
    }

    /// `kthvalue(k, dim=-1, keepdim=False)`: the k-th smallest value (1-based) along `dim`.
    pub fn kthvalue(&self, k: i64, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        let d = reduction_dim(self, "kthvalue", dim)?;
        let size = if self.ndim() == 0 { 1 } else { self.shape()[d] };
        if k < 1 || k as usize > size {
            return Err(Error::runtime(format!(
                "kthvalue(): selected number k out of range for dimension {d}"
            )));
        }
        no_bool(self, "kthvalue_cpu")?;
        let k = (k - 1) as usize;
        picked_along(self, "KthvalueBackward0", d, keepdim, || {
            if self.device().is_wgpu() && self.ndim() > 0 {
                if let Some(found) = order_gpu::kth(self, d, k, keepdim)? {
                    return Ok(found);
                }
            }
            with_dtype!(self.dtype(), T => along::<T>(self, d, keepdim, |row| kth_smallest(row, k)))
        })
    }

    /// `quantile(q, dim=None, keepdim=False, *, interpolation='linear')` with `q` a 0-dim or
    /// 1-D tensor of the input's dtype (`nanquantile` when `ignore_nan`). A 1-D `q` adds a
    /// leading dim to the result.
    pub fn quantile(
        &self,
        q: &Tensor,
        dim: Option<i64>,
        keepdim: bool,
        interpolation: &str,
        ignore_nan: bool,
    ) -> Result<Tensor> {
        let _on = crate::device_scope::DeviceScope::of(&[self, q])?;
        let how = parse_interpolation(interpolation)?;
        self.check_quantile_args(q)?;
        let d = normalize_dim(dim.unwrap_or(0), self.ndim())?;
        let mut shape: Vec<usize> = match dim {
            Some(_) if self.ndim() > 0 => {
                let mask: Vec<bool> = (0..self.ndim()).map(|i| i == d).collect();
                reduced_shape(self.shape(), &mask, keepdim)
            }
            _ if keepdim => vec![1; self.ndim()],
            _ => vec![],
        };
        if q.ndim() == 1 {
            shape.insert(0, q.numel());
        }
        let lane_dim = dim.map(|_| d);
        let forward = || match self.dtype() {
            DType::F32 if self.device().is_wgpu() => {
                match order_gpu::quantile(self, q, lane_dim, how, ignore_nan, &shape)? {
                    Some(found) => Ok(found),
                    None => quantile_of::<f32>(self, q, lane_dim, how, ignore_nan, &shape),
                }
            }
            DType::F32 => quantile_of::<f32>(self, q, lane_dim, how, ignore_nan, &shape),
            _ => quantile_of::<f64>(self, q, lane_dim, how, ignore_nan, &shape),
        };
        // Only linear interpolation's weights depend on `q`, so only then is `q` an input
        // (and only when it needs a gradient: a number `q` leaves no edge).
        let q_input = (how == Interpolation::Linear && q.requires_grad()).then_some(q);
        let spec = |_: &Tensor| {
            let plan = QuantilePlan::new(self, q, lane_dim, how, ignore_nan)?;
            Ok(select::quantile_back(self, q_input, plan))
        };
        match q_input {
            Some(q) => tracked(&[self, q], forward, spec),
            None => tracked(&[self], forward, spec),
        }
    }

    /// The scalar-`q` form: checks the range first, as PyTorch's overload does.
    pub fn quantile_scalar(
        &self,
        q: f64,
        dim: Option<i64>,
        keepdim: bool,
        interpolation: &str,
        ignore_nan: bool,
    ) -> Result<Tensor> {
        let _on = self.device_scope();
        if !(0.0..=1.0).contains(&q) {
            return Err(Error::runtime(format!(
                "quantile() q must be in the range [0, 1] but got {}",
                fmt_g(q)
            )));
        }
        let dtype = if self.dtype().is_floating_point() {
            self.dtype()
        } else {
            DType::F64
        };
        let qt = Tensor::scalar(crate::Scalar::Float(q), dtype);
        self.quantile(&qt, dim, keepdim, interpolation, ignore_nan)
    }

    fn check_quantile_args(&self, q: &Tensor) -> Result<()> {
        let fail = |msg: &str| Err(Error::runtime(format!("quantile() {msg}")));
        if self.numel() == 0 {
            return fail("input tensor must be non-empty");
        }
        if q.ndim() > 1 {
            return fail("q must be a scalar or 1D tensor");
        }
        if !matches!(self.dtype(), DType::F32 | DType::F64) {
            return fail("input tensor must be either float or double dtype");
        }
        if q.dtype() != self.dtype() {
            return fail("q tensor must be same dtype as the input tensor");
        }
        // A NaN makes both extremes NaN, which fails the check, as on the CPU.
        let in_range = |(low, high): (f64, f64)| low >= 0.0 && high <= 1.0;
        if q.numel() > 0 && !in_range(q.extremes()?) {
            return fail("q values must be in the range [0, 1]");
        }
        Ok(())
    }
}

/// Sorted rows (all values when `dim` is `None`), then each row's quantiles; the quantile
/// index becomes the outermost dim of the result.
fn quantile_of<T: RealAcc>(
    t: &Tensor,
    q: &Tensor,
    dim: Option<usize>,
    how: Interpolation,
    ignore_nan: bool,
    shape: &[usize],
) -> Result<Tensor> {
    let (vals, n) = match dim {
        Some(d) => rows_along::<T>(t, d)?,
        None => (super::materialize::<T>(t)?, t.numel()),
    };
    let qs = super::materialize::<T>(q)?;
    let per = per_row(&vals, n, |row| quantiles_row(row, &qs, ignore_nan, how));
    let rows = per.len();
    let mut out = vec![T::ZERO; rows * qs.len()];
    for (r, vals) in per.into_iter().enumerate() {
        for (j, v) in vals.into_iter().enumerate() {
            out[j * rows + r] = v;
        }
    }
    Tensor::from_vec(out, shape)
}

/// Parses `interpolation=` (PyTorch's message for anything else).
fn parse_interpolation(name: &str) -> Result<Interpolation> {
    Ok(match name {
        "linear" => Interpolation::Linear,
        "lower" => Interpolation::Lower,
        "higher" => Interpolation::Higher,
        "midpoint" => Interpolation::Midpoint,
        "nearest" => Interpolation::Nearest,
        other => {
            return Err(Error::runtime(format!(
                "quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, but got {other}"
            )))
        }
    })
}
