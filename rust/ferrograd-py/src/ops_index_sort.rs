//! Bindings of the ordering ops: `sort`, `argsort`, `msort`, `topk`, `unique`,
//! `unique_consecutive`, `searchsorted`, `bucketize`, `bincount`, `histc`, `histogram`.

use ferrograd_core::{DType, HistogramBins, Scalar, Tensor};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::args::extract_scalar;
use crate::dtype::default_dtype;
use crate::errors::core;
use crate::errors::detached;
use crate::ops_reduce::dim_or_default;
use crate::out_arg::{deliver, deliver_tuple, OutRule, PAIR_EXACT};
use crate::tensor::{wrap, PyTensor};

type Out = PyResult<Py<PyTensor>>;
type OutAny = PyResult<Py<PyAny>>;
type OutArg<'a, 'py> = Option<&'a Bound<'py, PyTensor>>;

/// `histc`'s and `histogram`'s check of the `hist` output.
const HIST_OUT: OutRule = OutRule::Mismatch(|have, want| {
    format!(
        "torch.histogram: input tensor and hist tensor should have the same dtype, but got input {} and hist {}",
        want.cpp_type_name(),
        have.cpp_type_name()
    )
});

/// `histogram`'s check of the `bin_edges` output.
const BIN_EDGES_OUT: OutRule = OutRule::Mismatch(|have, want| {
    format!(
        "torch.histogram: input tensor and bin_edges tensor should have the same dtype, but got input {} and bin_edges {} for dimension 0",
        want.cpp_type_name(),
        have.cpp_type_name()
    )
});

/// `searchsorted`'s and `bucketize`'s check of `out=`: int64, or int32 with `out_int32`.
const SEARCHSORTED_OUT: OutRule = OutRule::Mismatch(|have, want| {
    format!(
        "torch.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) or Long(int64) depending on whether out_int32 flag is True, but we got output tensor's dtype {} and out_int32 flag is {}",
        have.scalar_type_name(),
        if want == DType::I32 { "True" } else { "False" }
    )
});

/// A tensor argument that may also be a Python number (as a 0-dim tensor of its own dtype).
fn tensor_or_scalar(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(t.borrow().t.clone());
    }
    let s = extract_scalar(obj)?;
    Ok(Tensor::scalar(s, s.natural_dtype(default_dtype())))
}

/// `unique`'s result: the values alone, or a tuple with the inverse and/or the counts.
fn unique_result(
    py: Python<'_>,
    u: ferrograd_core::tensor::Unique,
    return_inverse: bool,
    return_counts: bool,
) -> PyResult<Py<PyAny>> {
    let values = wrap(py, u.values)?.into_any();
    if !return_inverse && !return_counts {
        return Ok(values);
    }
    let mut items = vec![values];
    if return_inverse {
        items.push(wrap(py, u.inverse)?.into_any());
    }
    if return_counts {
        items.push(wrap(py, u.counts)?.into_any());
    }
    Ok(PyTuple::new(py, items)?.into_any().unbind())
}

#[pymethods]
impl PyTensor {
    /// `sort(dim=-1, descending=False, *, stable=False)`. The sort is always stable.
    #[pyo3(signature = (dim=None, descending=false, *, stable=false, axis=None, out=None))]
    fn sort(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        descending: bool,
        stable: bool,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyAny>>,
    ) -> OutAny {
        let _ = stable;
        let dim = dim_or_default("sort", dim, axis, -1)?;
        let (v, i) = detached(py, "sort", || self.t.sort(dim, descending))?;
        deliver_tuple(py, "sort", vec![v, i], out, &PAIR_EXACT)
    }

    #[pyo3(signature = (dim=None, descending=false, *, stable=false, axis=None, out=None))]
    fn argsort(
        &self,
        py: Python<'_>,
        dim: Option<&Bound<'_, PyAny>>,
        descending: bool,
        stable: bool,
        axis: Option<&Bound<'_, PyAny>>,
        out: OutArg<'_, '_>,
    ) -> OutAny {
        let _ = stable;
        let dim = dim_or_default("argsort", dim, axis, -1)?;
        let r = detached(py, "argsort", || self.t.argsort(dim, descending))?;
        deliver(py, r, out, OutRule::Exact)
    }

    #[pyo3(signature = (*, out=None))]
    fn msort(&self, py: Python<'_>, out: OutArg<'_, '_>) -> OutAny {
        let r = detached(py, "msort", || self.t.msort())?;
        deliver(py, r, out, OutRule::Exact)
    }

    #[pyo3(signature = (k, dim=None, largest=true, sorted=true, *, axis=None, out=None))]
    #[allow(clippy::too_many_arguments)] // PyTorch's arguments and the numpy alias
    fn topk(
        &self,
        py: Python<'_>,
        k: i64,
        dim: Option<&Bound<'_, PyAny>>,
        largest: bool,
        sorted: bool,
        axis: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyAny>>,
    ) -> OutAny {
        let dim = dim_or_default("topk", dim, axis, -1)?;
        let (v, i) = detached(py, "topk", || self.t.topk(k, dim, largest, sorted))?;
        deliver_tuple(py, "topk", vec![v, i], out, &PAIR_EXACT)
    }

    /// `unique(sorted=True, return_inverse=False, return_counts=False, dim=None)`; the values
    /// always come out sorted, as from PyTorch's CPU kernel.
    #[pyo3(signature = (sorted=true, return_inverse=false, return_counts=false, dim=None))]
    fn unique(
        &self,
        py: Python<'_>,
        sorted: bool,
        return_inverse: bool,
        return_counts: bool,
        dim: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        let _ = sorted;
        let u = detached(py, "unique", || self.t.unique(dim))?;
        unique_result(py, u, return_inverse, return_counts)
    }

    #[pyo3(signature = (return_inverse=false, return_counts=false, dim=None))]
    fn unique_consecutive(
        &self,
        py: Python<'_>,
        return_inverse: bool,
        return_counts: bool,
        dim: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        let u = detached(py, "unique_consecutive", || self.t.unique_consecutive(dim))?;
        unique_result(py, u, return_inverse, return_counts)
    }

    #[pyo3(signature = (weights=None, minlength=0))]
    fn bincount(
        &self,
        py: Python<'_>,
        weights: Option<PyRef<'_, PyTensor>>,
        minlength: i64,
    ) -> Out {
        let w = weights.map(|w| w.t.clone());
        wrap(
            py,
            detached(py, "bincount", || self.t.bincount(w.as_ref(), minlength))?,
        )
    }

    #[pyo3(signature = (bins=100, min=None, max=None, *, out=None))]
    fn histc(
        &self,
        py: Python<'_>,
        bins: i64,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
        out: OutArg<'_, '_>,
    ) -> OutAny {
        let num = |o: Option<&Bound<'_, PyAny>>| -> PyResult<f64> {
            Ok(o.map(extract_scalar)
                .transpose()?
                .map_or(0.0, Scalar::to_f64))
        };
        let (lo, hi) = (num(min)?, num(max)?);
        let r = detached(py, "histc", || self.t.histc(bins, lo, hi))?;
        deliver(py, r, out, HIST_OUT)
    }

    /// `histogram(bins, *, range=None, weight=None, density=False)`: `bins` is a count or a
    /// tensor of edges.
    #[pyo3(signature = (bins, *, range=None, weight=None, density=false, out=None))]
    fn histogram<'py>(
        &self,
        py: Python<'py>,
        bins: &Bound<'py, PyAny>,
        range: Option<(f64, f64)>,
        weight: Option<PyRef<'py, PyTensor>>,
        density: bool,
        out: Option<&Bound<'py, PyAny>>,
    ) -> OutAny {
        let edges = bins.cast::<PyTensor>().ok().map(|t| t.borrow().t.clone());
        let count = match &edges {
            Some(_) => 0,
            None => bins.extract::<i64>()?,
        };
        let w = weight.map(|w| w.t.clone());
        let result = detached(py, "histogram", || {
            let bins = match &edges {
                Some(e) => HistogramBins::Edges(e),
                None => HistogramBins::Count(count),
            };
            self.t.histogram(bins, range, w.as_ref(), density)
        })?;
        let (hist, edges) = result;
        deliver_tuple(
            py,
            "histogram",
            vec![hist, edges],
            out,
            &[HIST_OUT, BIN_EDGES_OUT],
        )
    }
}

/// `searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
/// sorter=None)`; `input` may be a number.
#[pyfunction]
#[pyo3(signature = (sorted_sequence, input, *, out_int32=false, right=false, side=None, sorter=None, out=None))]
#[allow(clippy::too_many_arguments)] // PyTorch's signature
fn searchsorted(
    py: Python<'_>,
    sorted_sequence: PyRef<'_, PyTensor>,
    input: &Bound<'_, PyAny>,
    out_int32: bool,
    right: bool,
    side: Option<&str>,
    sorter: Option<PyRef<'_, PyTensor>>,
    out: OutArg<'_, '_>,
) -> OutAny {
    let right = core("searchsorted", || {
        ferrograd_core::tensor::searchsorted_side(right, side)
    })?;
    let (seq, values) = (sorted_sequence.t.clone(), tensor_or_scalar(input)?);
    let sorter = sorter.map(|s| s.t.clone());
    let r = detached(py, "searchsorted", || {
        seq.searchsorted(&values, out_int32, right, sorter.as_ref())
    })?;
    deliver(py, r, out, SEARCHSORTED_OUT)
}

/// `bucketize(input, boundaries, *, out_int32=False, right=False)`; `input` may be a number.
#[pyfunction]
#[pyo3(signature = (input, boundaries, *, out_int32=false, right=false, out=None))]
fn bucketize(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    boundaries: PyRef<'_, PyTensor>,
    out_int32: bool,
    right: bool,
    out: OutArg<'_, '_>,
) -> OutAny {
    let (values, b) = (tensor_or_scalar(input)?, boundaries.t.clone());
    let r = detached(py, "bucketize", || values.bucketize(&b, out_int32, right))?;
    deliver(py, r, out, SEARCHSORTED_OUT)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(searchsorted, m)?)?;
    m.add_function(wrap_pyfunction!(bucketize, m)?)?;
    crate::exports::export_methods(
        m,
        &[
            "sort",
            "argsort",
            "msort",
            "topk",
            "unique",
            "unique_consecutive",
            "bincount",
            "histc",
            "histogram",
        ],
    )
}
