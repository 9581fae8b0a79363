"""Reference implementations for reductions and scans (PyTorch's conventions over numpy's):
a 0-d input reduces like a 1-element vector, dims may be negative or tuples, reductions that
need elements refuse empty inputs, and value+index results point back into the input."""

from __future__ import annotations

import numpy as np
from op_refs import Indices, Refused


def dims_of(dim, ndim: int) -> tuple[int, ...]:
    """Normalized reduced axes (all of them for None)."""
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return tuple(d % ndim for d in dims)


def reduction(fn, needs_elements=False):
    """Wrap `fn(x, axis=<tuple>, keepdims=bool, **kw)` into PyTorch's calling convention.
    With `needs_elements`, an empty reduced extent raises (RuntimeError without a dim,
    IndexError naming the dim otherwise)."""

    def ref(a, dim=None, keepdim=False, **kw):
        x = a.reshape(1) if a.ndim == 0 else a
        axes = dims_of(dim, x.ndim)
        if needs_elements and any(x.shape[i] == 0 for i in axes):
            raise Refused(RuntimeError if dim is None else IndexError)
        out = np.asarray(fn(x, axis=axes, keepdims=keepdim, **kw))
        return out.reshape(()) if a.ndim == 0 else out

    return ref


def single_dim(fn, needs_elements=IndexError, default_dim=None, indices=True):
    """Reductions over one int dim giving (values, indices) (max(dim), median(dim), mode...);
    without a dim and without `default_dim` they give the values over everything."""

    def ref(a, dim=default_dim, keepdim=False, **kw):
        if dim is None:
            if a.size == 0 and needs_elements:
                raise Refused(RuntimeError)
            return np.asarray(fn(a.reshape(-1), 0, **kw))
        x = a.reshape(1) if a.ndim == 0 else a
        d = dim % x.ndim
        if x.shape[d] == 0 and needs_elements:
            raise Refused(needs_elements)
        values = np.expand_dims(fn(x, d, **kw), d)
        if not keepdim or a.ndim == 0:
            values = values.reshape(values.shape[:d] + values.shape[d + 1 :])
            values = values.reshape(()) if a.ndim == 0 else values
        return (values, Indices(dim, keepdim and a.ndim > 0)) if indices else values

    return ref


def lower_median(x, axis, ignore_nan=False):
    """PyTorch's median is the lower of the two middle values (no averaging); NaN wins unless
    ignored (nanmedian), and an all-NaN slice gives NaN."""
    s = np.sort(x, axis=axis)  # NaN sorts last
    nans = np.isnan(x).sum(axis=axis, keepdims=True) if x.dtype.kind == "f" else 0
    count = (x.shape[axis] - nans) if ignore_nan else np.full_like(nans, x.shape[axis])
    pick = np.maximum((np.asarray(count) - 1) // 2, 0)
    pick = np.broadcast_to(pick, s.shape[:axis] + (1,) + s.shape[axis + 1 :])
    out = np.take_along_axis(s, pick, axis=axis).squeeze(axis)
    if x.dtype.kind == "f" and not ignore_nan:
        out = np.where(np.squeeze(nans, axis) > 0, np.nan, out)
    return out


def mode(x, axis):
    """Most frequent value along `axis`, the smallest among ties."""
    moved = np.moveaxis(x, axis, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    out = np.empty(flat.shape[0], x.dtype)
    for i, row in enumerate(flat):
        values, counts = np.unique(row, return_counts=True)
        out[i] = values[np.argmax(counts)]
    return out.reshape(moved.shape[:-1])


def kth_smallest(x, axis, k):
    return np.take(np.sort(x, axis=axis), k - 1, axis=axis)


def arg_extreme(fn):
    """argmax/argmin: the first extreme (NaN counts as extreme), flat without a dim."""

    def ref(a, dim=None, keepdim=False):
        if a.size == 0 and (dim is None or (a.reshape(1) if a.ndim == 0 else a).shape[dim] == 0):
            raise Refused(IndexError, RuntimeError)
        if dim is None:
            out = np.asarray(fn(a.reshape(-1)))
            return out.reshape((1,) * a.ndim) if keepdim else out
        x = a.reshape(1) if a.ndim == 0 else a
        out = fn(x, axis=dim % x.ndim, keepdims=keepdim)
        return out.reshape(()) if a.ndim == 0 else out

    return ref


def logsumexp(x, axis, keepdims):
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0.0)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis)


def vector_norm(x, axis, keepdims, ord=2):
    a = np.abs(x)
    if ord == np.inf:
        return np.max(a, axis=axis, keepdims=keepdims, initial=0.0)
    if ord == -np.inf:
        return np.min(a, axis=axis, keepdims=keepdims, initial=np.inf)
    if ord == 0:
        return np.sum(a != 0, axis=axis, keepdims=keepdims).astype(np.float64)
    return np.sum(a**ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def norm(x, axis, keepdims, p="fro"):
    return vector_norm(x, axis, keepdims, 2 if p == "fro" else p)


def scan(fn):
    """cumsum-like scans along one required dim (a 0-d input scans as one element)."""

    def ref(a, dim):
        x = a.reshape(1) if a.ndim == 0 else a
        out = fn(x, axis=dim % x.ndim)
        return out.reshape(()) if a.ndim == 0 else out

    return ref


def scan_with_indices(fn):
    inner = scan(fn)
    return lambda a, dim: (inner(a, dim), Indices(dim))


def cumsum(x, axis):
    return np.cumsum(x, axis=axis, dtype=np.int64 if x.dtype.kind in "biu" else x.dtype)


def cumprod(x, axis):
    return np.cumprod(x, axis=axis, dtype=np.int64 if x.dtype.kind in "biu" else x.dtype)


def cummax(x, axis):
    return np.maximum.accumulate(x, axis=axis) if x.size else x


def cummin(x, axis):
    return np.minimum.accumulate(x, axis=axis) if x.size else x


def logcumsumexp(x, axis):
    return np.logaddexp.accumulate(x, axis=axis) if x.size else x


def quantile(a, q, dim=None, keepdim=False, interpolation="linear"):
    if a.size == 0:
        raise Refused(RuntimeError)
    x = a.reshape(-1) if dim is None else (a.reshape(1) if a.ndim == 0 else a)
    axis = 0 if dim is None else dim % x.ndim
    out = np.quantile(x, q, axis=axis, keepdims=keepdim, method=interpolation)
    if keepdim and dim is None:  # keepdim without a dim keeps every dim of the input as 1
        out = out.reshape(np.shape(q) + (1,) * a.ndim)
    if a.ndim == 0 and dim is not None:
        out = out.reshape(np.shape(q))
    return out


def count_nonzero(a, dim=None):
    x = a.reshape(1) if a.ndim == 0 else a
    out = np.count_nonzero(x, axis=dims_of(dim, x.ndim))
    return np.asarray(out).reshape(()) if a.ndim == 0 else out
