//! Counting values into bins: `bincount` (one bin per integer), `histc` (equal-width bins) and
//! `histogram` (equal-width or given edges, with weights and density). The binning arithmetic is
//! done in the input's dtype, as PyTorch's kernel does, so values near an edge land in the same
//! bin.

use super::{materialize, Tensor};
use crate::autograd::no_formula_yet;
use crate::cpu::accumulate::Accumulate;
use crate::dtype::{DType, Element};
use crate::error::{shape_str, Error, Result};
use crate::op::not_implemented;
use crate::with_dtype;

/// How `histogram` is given its bins.
pub enum HistogramBins<'a> {
    /// That many equal-width bins over the range.
    Count(i64),
    /// The bin edges themselves (increasing).
    Edges(&'a Tensor),
}

/// A double as C++'s `std::ostream` prints it (`%g`, six significant digits), for messages.
fn cpp_double(x: f64) -> String {
    if x.is_nan() {
        return if x.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sci = format!("{x:.5e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{}e{sign}{:02}", trim(mantissa), exp.abs());
    }
    trim(&format!("{:.*}", (5 - exp).max(0) as usize, x))
}

/// `a op b` as PyTorch's kernel evaluates it in the input dtype: in double for float64, else in
/// float and rounded to the dtype.
fn in_dtype<T: Element>(a: T, b: T, op: impl Fn(f64, f64) -> f64) -> T {
    let r = op(a.to_f64(), b.to_f64());
    if T::DTYPE == DType::F64 {
        T::from_f64(r)
    } else {
        T::from_f64(r as f32 as f64)
    }
}

/// Which bin `x` falls in (`None` outside the edges or NaN). `linear` bins by division (with a
/// local search around the result when `refine`); otherwise by binary search of the edges.
#[allow(clippy::neg_cmp_op_on_partial_ord)] // negated comparisons keep NaN out of every bin
fn bin_of<T: Element>(x: T, edges: &[T], linear: bool, refine: bool) -> Option<usize> {
    let (left, right) = (*edges.first()?, *edges.last()?);
    if !(x >= left && x <= right) {
        return None;
    }
    let n = edges.len();
    let upper_bound = |lo: usize, hi: usize| lo + edges[lo..hi].partition_point(|&e| !(x < e));
    let mut pos = if linear {
        let bins = T::from_i64(n as i64 - 1);
        let scaled = in_dtype(in_dtype(x, left, |a, b| a - b), bins, |a, b| a * b);
        let p = in_dtype(scaled, in_dtype(right, left, |a, b| a - b), |a, b| a / b).to_f64() as i64;
        let p = p.clamp(0, n as i64 - 1) as usize;
        if refine {
            let (lo, hi) = (p.saturating_sub(1), (p + 2).min(n));
            (upper_bound(lo, hi) as i64 - 1).max(0) as usize
        } else {
            p
        }
    } else {
        upper_bound(0, n).checked_sub(1)?
    };
    if pos == n - 1 {
        pos -= 1; // the last bin includes its right edge
    }
    Some(pos)
}

/// Counts (or sums weights of) `values` into the bins of `edges`, in the input dtype.
fn fill_bins<T: Accumulate>(
    values: &[T],
    weights: Option<&[T]>,
    edges: &[T],
    linear: bool,
    refine: bool,
) -> Vec<T> {
    let mut hist = vec![T::default(); edges.len().saturating_sub(1)];
    for (i, &x) in values.iter().enumerate() {
        if let Some(b) = bin_of(x, edges, linear, refine) {
            let w = weights.map_or(T::from_i64(1), |w| w[i]);
            hist[b] = hist[b].add(w);
        }
    }
    hist
}

/// The smallest and largest value (NaN if any value is NaN), as `aminmax` gives them.
fn min_max(t: &Tensor) -> Result<(f64, f64)> {
    let v = materialize::<f64>(t)?;
    if v.iter().any(|x| x.is_nan()) {
        return Ok((f64::NAN, f64::NAN));
    }
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok((lo, hi))
}

fn check_bin_count(bins: i64) -> Result<()> {
    if bins <= 0 {
        return Err(Error::runtime(format!(
            "torch.histogram(): bins must be > 0, but got {bins} for dimension 0"
        )));
    }
    Ok(())
}

impl Tensor {
    /// `bincount(weights, minlength)`: how often each non-negative integer occurs (or the sum of
    /// its weights), with at least `minlength` bins.
    pub fn bincount(&self, weights: Option<&Tensor>, minlength: i64) -> Result<Tensor> {
        let _on = crate::device_scope::DeviceScope::of(
            &[Some(self), weights]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
        )?;
        // The input holds integers; only float weights can carry a gradient.
        no_formula_yet("bincount", weights.as_slice())?;
        if !self.dtype().is_integer() {
            return Err(not_implemented("bincount_cpu", self.dtype()));
        }
        if minlength < 0 {
            return Err(Error::runtime("minlength should be >= 0"));
        }
        if self.ndim() == 1 && self.numel() == 0 {
            return Tensor::zeros(&[minlength as usize], DType::I64);
        }
        let values = materialize::<i64>(self)?;
        if self.ndim() != 1 || values.iter().any(|&v| v < 0) {
            return Err(Error::runtime(
                "bincount only supports 1-d non-negative integral inputs.",
            ));
        }
        if weights.is_some_and(|w| w.ndim() != 1 || w.shape()[0] != self.shape()[0]) {
            return Err(Error::runtime(
                "weights should be 1-d and have the same length as input",
            ));
        }
        let max = values.iter().copied().max().unwrap_or(0);
        let n = ((max + 1).max(minlength)) as usize;
        match weights {
            None => {
                let mut counts = vec![0i64; n];
                values.iter().for_each(|&v| counts[v as usize] += 1);
                Tensor::from_vec(counts, &[n])
            }
            Some(w) if w.dtype() == DType::F32 => {
                weighted_counts(&values, &materialize::<f32>(w)?, n)
            }
            Some(w) => weighted_counts(&values, &materialize::<f64>(w)?, n),
        }
    }

    /// `histc(bins, min, max)`: `bins` equal-width bins over `[min, max]` (the data's range when
    /// both are equal); values outside are ignored.
    pub fn histc(&self, bins: i64, min: f64, max: f64) -> Result<Tensor> {
        let _on = self.device_scope();
        check_bin_count(bins)?;
        let (mut lo, mut hi) = (min, max);
        if lo == hi && self.numel() > 0 {
            (lo, hi) = min_max(self)?;
            if lo.is_nan() && self.numel() > 1 {
                // PyTorch's message shows the NaN its reduction produced: negative.
                (lo, hi) = (-f64::NAN, -f64::NAN);
            }
        }
        if lo == hi {
            (lo, hi) = (lo - 1.0, hi + 1.0);
        }
        if !(lo.is_finite() && hi.is_finite()) {
            return Err(Error::runtime(format!(
                "torch.histc: range of [{}, {}] is not finite",
                cpp_double(lo),
                cpp_double(hi)
            )));
        }
        if lo >= hi {
            return Err(Error::runtime("torch.histc: max must be larger than min"));
        }
        if !self.dtype().is_floating_point() {
            return Err(not_implemented("histogram_cpu", self.dtype()));
        }
        let edges = Tensor::linspace(lo, hi, bins + 1, self.dtype())?;
        with_dtype!(self.dtype(), T => {
            let e = materialize::<T>(&edges)?;
            let hist = fill_bins(&materialize::<T>(self)?, None, &e, true, false);
            Tensor::from_vec(hist, &[bins as usize])
        })
    }

    /// `histogram(bins, range, weight, density)`: the histogram and its bin edges.
    pub fn histogram(
        &self,
        bins: HistogramBins<'_>,
        range: Option<(f64, f64)>,
        weight: Option<&Tensor>,
        density: bool,
    ) -> Result<(Tensor, Tensor)> {
        let given_edges = match bins {
            HistogramBins::Edges(e) => Some(e),
            HistogramBins::Count(_) => None,
        };
        let inputs: Vec<&Tensor> = [Some(self), weight, given_edges]
            .into_iter()
            .flatten()
            .collect();
        no_formula_yet("histogram", &inputs)?;
        let edges = match bins {
            HistogramBins::Count(n) => {
                check_bin_count(n)?;
                let (lo, hi) = self.outer_bin_edges(range)?;
                self.histogram_check(None, weight)?;
                if !self.dtype().is_floating_point() {
                    return Err(not_implemented("histogramdd", self.dtype()));
                }
                Tensor::linspace(lo, hi, n + 1, self.dtype())?
            }
            HistogramBins::Edges(e) => {
                self.histogram_check(Some(e), weight)?;
                if !self.dtype().is_floating_point() {
                    return Err(not_implemented("histogramdd", self.dtype()));
                }
                e.deep_clone()?
            }
        };
        let linear = matches!(bins, HistogramBins::Count(_));
        let hist = with_dtype!(self.dtype(), T => {
            let e = materialize::<T>(&edges)?;
            let w = weight.map(materialize::<T>).transpose()?;
            let mut hist = fill_bins(&materialize::<T>(self)?, w.as_deref(), &e, linear, true);
            if density {
                normalize_density(&mut hist, &e);
            }
            let n = hist.len();
            Tensor::from_vec(hist, &[n])
        })?;
        Ok((hist, edges))
    }

    /// The range `histogram` spans with a bin count: the given one, or the data's, widened by
    /// half a unit each way when empty (numpy's rule).
    fn outer_bin_edges(&self, range: Option<(f64, f64)>) -> Result<(f64, f64)> {
        let (mut lo, mut hi) = match range {
            Some(r) => r,
            None if self.numel() > 0 => min_max(self)?,
            None => (0.0, 1.0),
        };
        if !(lo.is_finite() && hi.is_finite()) {
            return Err(Error::runtime(format!(
                "torch.histogramdd: dimension 0's range [{}, {}] is not finite",
                cpp_double(lo),
                cpp_double(hi)
            )));
        }
        if lo > hi {
            return Err(Error::runtime(format!(
                "torch.histogramdd: min should not exceed max, but got min {} max {} for dimension 0",
                cpp_double(lo),
                cpp_double(hi)
            )));
        }
        if lo == hi {
            (lo, hi) = (lo - 0.5, hi + 0.5);
        }
        Ok((lo, hi))
    }

    /// PyTorch's `histogramdd_check_inputs` for a 1-D histogram (edges given or computed).
    fn histogram_check(&self, edges: Option<&Tensor>, weight: Option<&Tensor>) -> Result<()> {
        if let Some(edges) = edges {
            self.histogram_edges_check(edges)?;
        }
        let Some(w) = weight else { return Ok(()) };
        if w.dtype() != self.dtype() {
            return Err(Error::runtime(format!(
                "torch.histogramdd: if weight tensor is provided, input tensor and weight tensor should have the same dtype, but got input({}), and weight({})",
                self.dtype().cpp_type_name(),
                w.dtype().cpp_type_name()
            )));
        }
        if w.numel() != self.numel() {
            return Err(Error::runtime(format!(
                "torch.histogramdd: if weight tensor is provided it should have the same shape as the input tensor excluding its innermost dimension, but got input with shape {} and weight with shape {}",
                shape_str(&[self.numel(), 1]),
                shape_str(&[w.numel()])
            )));
        }
        Ok(())
    }

    /// The checks on given bin edges.
    fn histogram_edges_check(&self, edges: &Tensor) -> Result<()> {
        if edges.dtype() != self.dtype() {
            return Err(Error::runtime(format!(
                "torch.histogramdd: input tensor and bins tensors should have the same dtype, but got input with dtype {} and bins for dimension 0 with dtype {}",
                self.dtype().cpp_type_name(),
                edges.dtype().cpp_type_name()
            )));
        }
        if edges.ndim() != 1 {
            return Err(Error::runtime(format!(
                "torch.histogramdd: bins tensor should have one dimension, but got {} dimensions in the bins tensor for dimension 0",
                edges.ndim()
            )));
        }
        if edges.numel() == 0 {
            return Err(Error::runtime(
                "torch.histogramdd: bins tensor should have at least 1 element, but got 0 elements in the bins tensor for dimension 0",
            ));
        }
        Ok(())
    }
}

fn weighted_counts<W: Accumulate>(values: &[i64], weights: &[W], n: usize) -> Result<Tensor> {
    let mut sums = vec![W::default(); n];
    for (&v, &w) in values.iter().zip(weights) {
        sums[v as usize] = sums[v as usize].add(w);
    }
    Tensor::from_vec(sums, &[n])
}

/// Divides by the total, then by each bin's width (in the input dtype).
fn normalize_density<T: Accumulate>(hist: &mut [T], edges: &[T]) {
    let total = hist.iter().fold(T::default(), |acc, &h| acc.add(h));
    for (i, h) in hist.iter_mut().enumerate() {
        let width = in_dtype(edges[i + 1], edges[i], |a, b| a - b);
        *h = in_dtype(in_dtype(*h, total, |a, b| a / b), width, |a, b| a / b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floats(v: Vec<f32>) -> Result<Tensor> {
        let n = v.len();
        Tensor::from_vec(v, &[n])
    }

    #[test]
    fn bincount_histc_histogram() -> Result<()> {
        let i = Tensor::from_vec(vec![0i64, 1, 1, 3], &[4])?;
        assert_eq!(
            i.bincount(None, 6)?.to_vec::<i64>()?,
            vec![1, 2, 0, 1, 0, 0]
        );
        let h = floats(vec![1.0, 2.0, 1.0, 2.5, 4.0, f32::NAN, -1.0])?;
        assert_eq!(
            h.histc(4, 0.0, 3.0)?.to_vec::<f32>()?,
            vec![0.0, 2.0, 1.0, 1.0]
        );
        let e = h.histc(4, 0.0, 0.0).err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("torch.histc: range of [-nan, -nan] is not finite")
        );
        let x = floats(vec![0.0, 0.1, 0.2, 0.3, 0.7, 1.0])?;
        let (hist, edges) = x.histogram(HistogramBins::Count(3), Some((0.0, 1.0)), None, false)?;
        assert_eq!(hist.to_vec::<f32>()?, vec![4.0, 0.0, 2.0]);
        assert_eq!(edges.numel(), 4);
        let same = floats(vec![1.0, 1.0])?;
        let (_, edges) = same.histogram(HistogramBins::Count(2), None, None, false)?;
        assert_eq!(edges.to_vec::<f32>()?, vec![0.5, 1.0, 1.5]);
        Ok(())
    }

    #[test]
    fn cpp_number_format() {
        assert_eq!(cpp_double(3.0), "3");
        assert_eq!(cpp_double(2.5), "2.5");
        assert_eq!(cpp_double(1e10), "1e+10");
        assert_eq!(cpp_double(0.0001), "0.0001");
        assert_eq!(cpp_double(f64::NAN), "nan");
    }
}
