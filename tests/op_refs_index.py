"""Reference implementations for indexing, scatter/gather, sorting and searching ops."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from op_refs import Indices, Refused, Typed, Unspecified


@dataclass(frozen=True)
class SortIndices:
    """Placeholder output: a permutation along `dim` that sorts the input (ties in any order,
    NaN counted as the largest value)."""

    dim: int = -1
    descending: bool = False


def _as_1d(a):
    return a.reshape(1) if a.ndim == 0 else a


def _index_grid(index, dim):
    """Full index tuples for element-wise scatters: `index` replaces the coordinate on dim."""
    grid = list(np.indices(index.shape, sparse=False))
    grid[dim] = index
    return tuple(grid)


def _part(src, shape):
    """The leading block of `src` that lines up with an index of `shape`."""
    return src[tuple(slice(0, n) for n in shape)] if np.ndim(src) else src


def gather(a, dim, index):
    """out[i][j] = a[i][index[i][j]]: the index's shape, not numpy's broadcast of both."""
    if a.ndim == 0:
        return np.take_along_axis(a.reshape(1), index.reshape(1), 0).reshape(index.shape)
    d = dim % a.ndim
    part = a[tuple(slice(None) if i == d else slice(0, n) for i, n in enumerate(index.shape))]
    return np.take_along_axis(part, index, axis=d)


def index_select(a, dim, index):
    """A 0-d input takes one index (0-d or of one element) and gives itself back."""
    if a.ndim == 0:
        return a
    return np.take(a, index.reshape(-1), axis=dim % a.ndim)


def scatter(a, dim, index, src=None, value=None):
    """With indices unique along dim (the strategies draw them so), order does not matter."""
    out = _as_1d(a).copy()
    source = value if src is None else _part(_as_1d(src), _as_1d(index).shape)
    out[_index_grid(_as_1d(index), dim % out.ndim)] = source
    return out.reshape(a.shape)


def scatter_add(a, dim, index, src):
    out = _as_1d(a).copy()
    idx = _as_1d(index)
    np.add.at(out, _index_grid(idx, dim % out.ndim), _part(_as_1d(src), idx.shape))
    return out.reshape(a.shape)


_REDUCERS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def scatter_reduce(a, dim, index, src, reduce, include_self=True):
    out = _as_1d(a).copy()
    idx = _as_1d(index)
    where = _index_grid(idx, dim % out.ndim)
    values = _part(_as_1d(src), idx.shape)
    if reduce == "mean" and out.dtype == bool:
        raise Refused(RuntimeError)
    touched = np.zeros(out.shape, bool)
    touched[where] = True
    if not include_self:
        out[touched] = _identity(reduce, out.dtype)
    if reduce == "mean":
        np.add.at(out, where, values)
        counts = np.zeros(out.shape, np.int64)
        np.add.at(counts, where, 1)
        counts += int(include_self)
        div = np.floor_divide if out.dtype.kind in "iu" else np.true_divide
        out = np.where(touched, div(out, np.maximum(counts, 1)), out).astype(out.dtype)
    else:
        _REDUCERS[reduce].at(out, where, values)
    return out.reshape(a.shape)


def _identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype == bool:
        return reduce == "amin"
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def masked_fill(a, mask, value):
    return np.where(mask, value, a).astype(a.dtype)


def masked_select(a, mask):
    a, mask = np.broadcast_arrays(a, mask)
    return a[mask]


def take(a, index):
    if a.size == 0 and index.size:
        raise Refused(IndexError)
    return a.reshape(-1)[index]


def nonzero(a, as_tuple=False):
    if as_tuple:
        return tuple(i.astype(np.int64) for i in np.nonzero(_as_1d(a)))
    if a.ndim == 0:
        return np.zeros((int(a != 0), 0), np.int64)
    return np.argwhere(a).astype(np.int64)


def sort(a, dim=-1, descending=False, stable=False):
    x = _as_1d(a)
    d = dim % x.ndim
    values = np.sort(x, axis=d)  # NaN last
    if descending:
        values = np.flip(values, axis=d)
    indices = stable_order(x, d, descending) if stable else SortIndices(dim, descending)
    if a.ndim == 0:
        return values.reshape(()), (indices.reshape(()) if stable else indices)
    return values, indices


def argsort(a, dim=-1, descending=False, stable=False):
    return sort(a, dim, descending, stable)[1]


def stable_order(x, dim, descending):
    """Stable sort indices; equal values (and all NaNs) keep their order either way."""
    _, ranks = np.unique(x, return_inverse=True, equal_nan=True)
    ranks = ranks.reshape(x.shape)
    return np.argsort(-ranks if descending else ranks, axis=dim, kind="stable")


def topk(a, k, dim=-1, largest=True, sorted=True):
    x = _as_1d(a)
    d = dim % x.ndim
    if k > x.shape[d]:
        raise Refused(RuntimeError)
    if a.ndim == 0:  # PyTorch gives a 0-d result even for k = 0 (then with no defined value)
        return (a, Indices(dim)) if k else (Unspecified(), Unspecified())
    ordered = np.sort(x, axis=d)
    if largest:
        ordered = np.flip(ordered, axis=d)  # NaN counts as the largest value
    return np.take(ordered, np.arange(k), axis=d), Indices(dim)


def unique(a, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """NaNs are all distinct (numpy's equal_nan=False)."""
    if dim is None:
        out = np.unique(a, return_inverse=True, return_counts=True, equal_nan=False)
        values, inverse, counts = out
        inverse = inverse.reshape(a.shape)
    else:
        if a.ndim == 0:
            raise Refused(IndexError)
        d = dim % a.ndim
        if any(n == 0 for i, n in enumerate(a.shape) if i != d):
            raise Refused(RuntimeError)  # "There are 0 sized dimensions, and they aren't selected"
        if a.shape[d] == 0:
            empty = np.zeros((0,), np.int64)
            return _unique_result(a, empty, empty, return_inverse, return_counts)
        if a.dtype.kind == "f" and np.isnan(a).any():
            return _unique_slices_with_nan(a, d, return_inverse, return_counts)
        values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
    return _unique_result(values, inverse, counts, return_inverse, return_counts)


def _unique_slices_with_nan(a, d, return_inverse, return_counts):
    """unique(dim=d) when NaN is present: a slice holding NaN equals no other slice, and
    PyTorch leaves where such slices land unspecified, so only the shapes are known."""
    moved = np.moveaxis(a, d, 0).reshape(a.shape[d], -1)
    nan_rows = np.isnan(moved).any(axis=1)
    clean = np.unique(moved[~nan_rows], axis=0) if (~nan_rows).any() else moved[:0]
    count = len(clean) + int(nan_rows.sum())
    shape = a.shape[:d] + (count,) + a.shape[d + 1 :]
    return _unique_result(Unspecified(shape), Unspecified((a.shape[d],)),
                          Unspecified((count,)), return_inverse, return_counts)  # fmt: skip


def _unique_result(values, inverse, counts, return_inverse, return_counts):
    def as_int64(x):
        return x if isinstance(x, Unspecified) else x.astype(np.int64)

    result = (values,)
    if return_inverse:
        result += (as_int64(inverse),)
    if return_counts:
        result += (as_int64(counts),)
    return result[0] if len(result) == 1 else result


def searchsorted(sequence, values, right=False, side=None, out_int32=False):
    """A 1-D sequence serves every value; an N-D one pairs its rows with the values' rows."""
    side = side or ("right" if right else "left")
    if sequence.ndim <= 1:
        return np.searchsorted(sequence, values, side=side)
    out = np.zeros(values.shape, np.int64)
    for row in np.ndindex(*sequence.shape[:-1]):
        out[row] = np.searchsorted(sequence[row], values[row], side=side)
    return out


def bucketize(a, boundaries, right=False, out_int32=False):
    return np.searchsorted(boundaries, a, side="right" if right else "left")


def bincount(a, weights=None, minlength=0):
    counts = np.bincount(a.astype(np.int64), weights=weights, minlength=minlength)
    return Typed(counts, "int64") if a.size == 0 else counts  # empty: int64 even with weights


def histc(a, bins=100, min=0, max=0, dtype_name="float32"):
    """min == max means the data's range, widened by 1 each side when that is one value.
    A value's bin is PyTorch's (x - lo) * bins / (hi - lo), truncated, computed in the
    input's dtype (so a value on an edge lands where that rounding puts it; float16 and
    bfloat16 round too coarsely to be worth modelling: their counts are not compared)."""
    if dtype_name in ("float16", "bfloat16"):
        return Unspecified((bins,))
    real = np.dtype(dtype_name).type
    low, high = float(min), float(max)
    if low == high and a.size:
        low, high = float(a.min()), float(a.max())
    if low == high:
        low, high = low - 1, high + 1
    x = a.astype(real)
    low, high = real(low), real(high)
    x = x[(x >= low) & (x <= high)]
    position = ((x - low) * real(bins) / (high - low)).astype(np.int64)
    return np.bincount(np.minimum(position, bins - 1), minlength=bins)[:bins]
