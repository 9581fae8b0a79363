"""Op-table rows for reductions and scans: dims as int/tuple/negative, keepdim, dtype=, named
tuple results (values, indices), and what empty inputs give."""

from __future__ import annotations

import numpy as np
import op_refs_reduce as RR
from op_args import Dim, Dims, OneOf, SizeAlong
from op_refs import Refused, Unspecified
from op_spec import (
    ALL,
    BOOL_KEEPS_UINT8,
    FINITE,
    FLOATS,
    INT64,
    INT_TO_INT64,
    INTEGRAL,
    NUMERIC,
    REAL,
    REPEATING,
    SAME,
    SMALL,
    TO_FLOAT,
    WIDE,
    OpSpec,
    V,
)
from strategies import LAYOUTS

KEEP = OneOf(False, True)
PAIR = ("values", "indices")
F32_64 = ("float32", "float64")


def reduce(name, ref, dtypes=ALL, domain=REAL, result=SAME, **kw) -> OpSpec:
    return OpSpec(name, ref, "reduce", dtypes, (domain,), result, **kw)


def over_dims(*extra: V, dtype=None) -> tuple[V, ...]:
    """No dim, one (signed) dim, several dims, each with and without keepdim."""
    base = (V(), V(dim=Dim(), keepdim=KEEP), V(dim=Dims(), keepdim=KEEP))
    typed = (V(dtype=dtype), V(dim=Dim(), dtype=dtype)) if dtype else ()
    return base + typed + extra


def over_one_dim(*extra: V) -> tuple[V, ...]:
    return (V(), V(dim=Dim()), V(dim=Dim(), keepdim=KEEP)) + extra


def median(ignore_nan):
    per_dim = RR.single_dim(lambda x, d: RR.lower_median(x, d, ignore_nan))

    def ref(a, dim=None, keepdim=False):
        if dim is None and a.size == 0:  # no dim: an empty input gives NaN, no error
            return np.asarray(np.nan) if a.dtype.kind == "f" else Unspecified()
        return per_dim(a, dim, keepdim)

    return ref


def aminmax(a, dim=None, keepdim=False):
    x = a.reshape(1) if a.ndim == 0 else a
    if x.size == 0 and (dim is None or x.shape[dim] == 0):
        raise Refused(RuntimeError, IndexError)
    lo = RR.reduction(np.min)(a, dim, keepdim)
    return lo, RR.reduction(np.max)(a, dim, keepdim)


def std_mean(correction_ref):
    def ref(a, dim=None, keepdim=False, correction=1, unbiased=None):
        spread = correction_ref(a, dim, keepdim, correction=correction, unbiased=unbiased)
        return spread, RR.reduction(np.mean)(a, dim, keepdim)

    return ref


def spread(np_fn):
    """std/var: `correction` (default 1) or the older `unbiased` flag."""
    inner = RR.reduction(
        lambda x, axis, keepdims, ddof: np_fn(x, axis, ddof=ddof, keepdims=keepdims)
    )

    def ref(a, dim=None, keepdim=False, correction=1, unbiased=None):
        ddof = correction if unbiased is None else int(unbiased)
        return inner(a, dim, keepdim, ddof=ddof)

    return ref


def empty_guard(fn, ords=(np.inf, -np.inf), key="ord"):
    """vector_norm's inf norms have no identity: empty reductions refuse."""

    def ref(a, dim=None, keepdim=False, **kw):
        x = a.reshape(1) if a.ndim == 0 else a
        axes = RR.dims_of(dim, x.ndim)
        if kw.get(key) in ords and any(x.shape[i] == 0 for i in axes):
            raise Refused(RuntimeError)
        return fn(a, dim, keepdim, **kw)

    return ref


ORDS = OneOf(2, 1, np.inf, -np.inf, 0, 3.5)
CORRECTION = OneOf(0, 1, 2)
QUANTILE_MODE = OneOf("linear", "lower", "higher", "midpoint", "nearest")
Q = OneOf(0.0, 0.25, 0.5, 0.9, 1.0)
STD = (V(dim=Dim(), correction=CORRECTION, keepdim=KEEP), V(dim=Dims(), unbiased=False),
       V(correction=0))  # fmt: skip

WELFORD = (
    "Welford's algorithm: an inf followed by other values makes the mean output NaN, "
    "not inf as mean() gives, so the domain is finite"
)

# nansum/nanmean of non-contiguous float16/bfloat16 inputs accumulate in that precision:
# errors grow with the partial sums, not the (possibly cancelled) result.
LOW_SUMS = {"float16": (2e-3, 2.0), "bfloat16": (1.6e-2, 8.0)}
LOW_MEANS = {"float16": (2e-3, 0.1), "bfloat16": (1.6e-2, 0.5)}
MEDIAN_BUG = (
    "PyTorch's median(dim)/nanmedian(dim) read garbage from expanded (stride-0) "
    "inputs, so that layout is left out here; ferrograd should still get it right"
)
NOT_EXPANDED = tuple(layout for layout in LAYOUTS if layout != "expanded")

# fmt: off
REDUCTIONS = [
    reduce("sum", RR.reduction(np.sum), ALL, WIDE, INT_TO_INT64,
           variants=over_dims(V(dtype="int64", dtypes=INTEGRAL), dtype="float64"),
           note="dim=() reduces every dim, unlike numpy"),
    reduce("nansum", RR.reduction(np.nansum), ALL, WIDE, INT_TO_INT64, variants=over_dims(),
           tol=LOW_SUMS,
           note="float16/bfloat16 non-contiguous inputs accumulate in their own precision"),
    reduce("mean", RR.reduction(np.mean), FLOATS, variants=over_dims(dtype="float64")),
    reduce("nanmean", RR.reduction(np.nanmean), FLOATS, variants=over_dims(), tol=LOW_MEANS,
           note="float16/bfloat16 non-contiguous inputs accumulate in their own precision"),
    reduce("prod", RR.reduction(np.prod), ALL, SMALL, INT_TO_INT64,
           variants=(V(), V(dim=Dim(), keepdim=KEEP), V(dtype="float64"))),
    reduce("max", RR.single_dim(lambda x, d: np.max(x, axis=d)), fields=PAIR,
           result=(SAME, INT64), variants=over_one_dim()),
    reduce("min", RR.single_dim(lambda x, d: np.min(x, axis=d)), fields=PAIR,
           result=(SAME, INT64), variants=over_one_dim()),
    reduce("amax", RR.reduction(np.max, needs_elements=True), variants=over_dims()),
    reduce("amin", RR.reduction(np.min, needs_elements=True), variants=over_dims()),
    reduce("aminmax", aminmax, fields=("min", "max"), method=True,
           variants=(V(), V(dim=Dim(), keepdim=KEEP))),
    reduce("argmax", RR.arg_extreme(np.argmax), NUMERIC, result=INT64, differentiable=False,
           variants=over_one_dim(V(keepdim=True))),
    reduce("argmin", RR.arg_extreme(np.argmin), NUMERIC, result=INT64, differentiable=False,
           variants=over_one_dim(V(keepdim=True))),
    reduce("std", spread(np.std), FLOATS, variants=over_dims(*STD)),
    reduce("var", spread(np.var), FLOATS, variants=over_dims(*STD)),
    reduce("std_mean", std_mean(spread(np.std)), FLOATS, FINITE, method=False,
           variants=over_dims(*STD), note=WELFORD),
    reduce("var_mean", std_mean(spread(np.var)), FLOATS, FINITE, method=False,
           variants=over_dims(*STD), note=WELFORD),
    reduce("norm", empty_guard(RR.reduction(RR.norm), key="p"), FLOATS,
           variants=(V(), V(dim=Dim(), keepdim=KEEP), V(p=ORDS), V(p=ORDS, dim=Dim(), keepdim=KEEP),
                     V(p="fro", dim=Dim())),
           note="p a number with a 2-tuple dim is a matrix norm; a longer tuple raises"),
    reduce("linalg.vector_norm", empty_guard(RR.reduction(RR.vector_norm)), FLOATS,
           method=False, variants=over_dims(V(ord=ORDS), V(ord=ORDS, dim=Dims()))),
    reduce("logsumexp", RR.reduction(RR.logsumexp), ALL, result=TO_FLOAT,
           variants=(V(dim=Dim()), V(dim=Dims(), keepdim=KEEP))),
    reduce("cumsum", RR.scan(RR.cumsum), ALL, WIDE, INT_TO_INT64,
           variants=(V(dim=Dim()), V(dim=Dim(), dtype="float64"),
                     V(dim=Dim(), dtype="int32", dtypes=INTEGRAL))),
    reduce("cumprod", RR.scan(RR.cumprod), ALL, SMALL, INT_TO_INT64,
           variants=(V(dim=Dim()), V(dim=Dim(), dtype="float64"))),
    reduce("cummax", RR.scan_with_indices(RR.cummax), fields=PAIR, result=(SAME, INT64),
           variants=(V(dim=Dim()),)),
    reduce("cummin", RR.scan_with_indices(RR.cummin), fields=PAIR, result=(SAME, INT64),
           variants=(V(dim=Dim()),)),
    reduce("logcumsumexp", RR.scan(RR.logcumsumexp), FLOATS, variants=(V(dim=Dim()),)),
    reduce("all", RR.reduction(np.all), ALL, REPEATING, BOOL_KEEPS_UINT8, differentiable=False,
           variants=over_dims()),
    reduce("any", RR.reduction(np.any), ALL, REPEATING, BOOL_KEEPS_UINT8, differentiable=False,
           variants=over_dims()),
    reduce("count_nonzero", RR.count_nonzero, ALL, REPEATING, INT64, differentiable=False,
           variants=(V(), V(dim=Dim()), V(dim=Dims()))),
    reduce("median", median(False), NUMERIC, fields=PAIR, result=(SAME, INT64),
           variants=over_one_dim(), layouts=NOT_EXPANDED,
           note="lower median; NaN if any NaN. " + MEDIAN_BUG),
    reduce("nanmedian", median(True), NUMERIC, fields=PAIR, result=(SAME, INT64),
           variants=over_one_dim(), layouts=NOT_EXPANDED, note=MEDIAN_BUG),
    reduce("mode", RR.single_dim(RR.mode, default_dim=-1), ALL, REPEATING, fields=PAIR,
           result=(SAME, INT64), variants=(V(), V(dim=Dim(), keepdim=KEEP)),
           note="the smallest of the most frequent values"),
    reduce("quantile", RR.quantile, F32_64, FINITE, TO_FLOAT, variants=(
        V(q=Q), V(q=Q, keepdim=True), V(q=Q, dim=Dim(), keepdim=KEEP, interpolation=QUANTILE_MODE),
    )),
    reduce("kthvalue", RR.single_dim(RR.kth_smallest, default_dim=-1), NUMERIC, fields=PAIR,
           result=(SAME, INT64), variants=(V(k=SizeAlong()), V(dim=Dim(), k=SizeAlong(),
                                                               keepdim=KEEP))),
]
# fmt: on
