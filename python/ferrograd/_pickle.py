"""Pickling support: tensors pickle as (raw bytes, dtype name, shape, requires_grad)."""

from . import _C


def rebuild_tensor(data, dtype_name, shape, requires_grad):
    t = _C._from_bytes(data, getattr(_C, dtype_name), list(shape))
    if requires_grad:
        t.requires_grad_(True)
    return t
