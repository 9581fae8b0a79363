"""Reference implementations for shape ops where numpy's spelling differs from PyTorch's."""

from __future__ import annotations

import itertools

import numpy as np
from op_refs import Refused


def split(a, split_size, dim=0):
    """An int size gives pieces of that size (the last shorter); a list gives those sizes."""
    n = a.shape[dim]
    if isinstance(split_size, int):
        if n == 0:
            return (a,)
        cuts = list(range(split_size, n, split_size))
    else:
        if sum(split_size) != n:
            raise Refused(RuntimeError)
        cuts = list(itertools.accumulate(split_size))[:-1]
    return tuple(np.split(a, cuts, axis=dim))


def tensor_split(a, sections_or_indices, dim=0):
    """numpy's array_split (n pieces, the first ones one longer) / split at indices."""
    return tuple(np.array_split(a, sections_or_indices, axis=dim))


def chunk(a, chunks, dim=0):
    """Pieces of ceil(n / chunks) along dim: possibly fewer than `chunks` of them."""
    n = a.shape[dim]
    size = -(-n // chunks) if n else 0
    if size == 0:
        return tuple(np.split(a, chunks, axis=dim)) if n == 0 else (a,)
    return tuple(np.split(a, list(range(size, n, size)), axis=dim))


def unbind(a, dim=0):
    return tuple(np.moveaxis(a, dim, 0))


def flip(a, dims):
    return np.flip(a, axis=tuple(d % max(a.ndim, 1) for d in dims)) if a.ndim else a


def no_dim_of_0d(a, dim) -> None:
    if a.ndim == 0 and dim is not None:
        raise Refused(IndexError)  # "Dimension specified as 0 but tensor has no dimensions"


def roll(a, shifts, dims=None):
    no_dim_of_0d(a, dims)
    if a.ndim == 0:
        return a
    if dims is None:
        return np.roll(a.reshape(-1), shifts).reshape(a.shape)
    return np.roll(a, shifts, axis=dims)


def rot90(a, k=1, dims=(0, 1)):
    return np.rot90(a, k, axes=dims)


def repeat(a, sizes):
    """Tensor.repeat: `sizes` may add leading dims; each dim is tiled (not interleaved)."""
    return np.tile(a.reshape((1,) * (len(sizes) - a.ndim) + a.shape), sizes)


def repeat_interleave(a, repeats, dim=None):
    no_dim_of_0d(a, dim)
    if dim is None:
        return np.repeat(a.reshape(-1), repeats)
    return np.repeat(a, repeats, axis=dim % a.ndim)


def tile(a, dims):
    """PyTorch's tile pads `dims` with leading 1s up to the input's rank (numpy tiles the same)."""
    dims = (1,) * (a.ndim - len(dims)) + tuple(dims)
    return np.tile(a, dims)


def diag_embed(a, offset=0, dim1=-2, dim2=-1):
    """The last dim of `a` becomes the `offset` diagonal of the (dim1, dim2) planes."""
    n = a.shape[-1] + abs(offset)
    out = np.zeros(a.shape[:-1] + (n, n), a.dtype)
    rows = np.arange(a.shape[-1]) + max(-offset, 0)
    out[..., rows, rows + offset] = a
    nd = out.ndim
    d1, d2 = dim1 % nd, dim2 % nd
    rest = [d for d in range(nd) if d not in (d1, d2)]
    order = np.empty(nd, int)
    order[rest], order[d1], order[d2] = range(nd - 2), nd - 2, nd - 1
    return np.transpose(out, order)


def tril(a, diagonal=0):
    return np.tril(a, diagonal)


def triu(a, diagonal=0):
    return np.triu(a, diagonal)


def diag(a, diagonal=0):
    return np.diag(a, diagonal)


def diagflat(a, offset=0):
    return np.diagflat(a, offset)


def tril_indices(row, col, offset=0):
    return np.stack(np.tril_indices(row, offset, col)).astype(np.int64).reshape(2, -1)


def triu_indices(row, col, offset=0):
    return np.stack(np.triu_indices(row, offset, col)).astype(np.int64).reshape(2, -1)


def broadcast_to(a, size):
    size = tuple(a.shape[i - len(size) + a.ndim] if s == -1 else s for i, s in enumerate(size))
    return np.broadcast_to(a, size)


def meshgrid(*arrays, indexing="ij"):
    return tuple(np.meshgrid(*[a.reshape(-1) for a in arrays], indexing=indexing))


def cartesian_prod(*arrays):
    if len(arrays) == 1:
        return arrays[0]
    rows = list(itertools.product(*[a.tolist() for a in arrays]))
    return np.array(rows, dtype=arrays[0].dtype).reshape(len(rows), len(arrays))


def combinations(a, r=2, with_replacement=False):
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = list(pick(a.tolist(), r))
    return np.array(rows, dtype=a.dtype).reshape(len(rows), r)


def cat(arrays, dim=0):
    """Legacy rule: 1-D empty tensors are skipped when joined with anything of higher rank."""
    kept = [a for a in arrays if a.shape != (0,)] or arrays
    return np.concatenate(kept, axis=dim % kept[0].ndim)


def stack(arrays, dim=0):
    return np.stack(arrays, axis=dim)


def column_stack(arrays):
    return np.column_stack([a.reshape(-1, 1) if a.ndim < 2 else a for a in arrays])


def broadcast_tensors(*arrays):
    return tuple(np.broadcast_arrays(*arrays))


def trace(a):
    return np.trace(a, dtype=np.int64 if a.dtype.kind in "biu" else a.dtype)
