"""Shared hypothesis strategies: dtypes, shapes (0-d to 6-D, empty dims) and strided views.

A `View` recipe builds a ferrograd tensor and a numpy array that hold the same values laid out
the same way in memory, so a view op applied to both must give the same values *and* strides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ferrograd
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DTYPE_NAMES = [
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "bfloat16",
    "float32",
    "float64",
]
FLOAT_DTYPE_NAMES = ["float16", "bfloat16", "float32", "float64"]
INT_DTYPE_NAMES = ["uint8", "int8", "int16", "int32", "int64"]
LAYOUTS = ["contiguous", "permuted", "stepped", "permuted+stepped", "offset", "expanded"]


def dtype(name: str):
    """The ferrograd dtype object called `name`."""
    return getattr(ferrograd, name)


def reference_dtype(name: str) -> np.dtype:
    """The numpy dtype that holds the same values (numpy has no bfloat16: use float32)."""
    return np.dtype("float32" if name == "bfloat16" else name)


def example_array(shape: tuple[int, ...], name: str) -> np.ndarray:
    """Distinct-ish small integers, exact in every dtype (bfloat16 is exact up to 256)."""
    modulus = {"bool": 2, "int8": 100}.get(name, 250)
    return (np.arange(math.prod(shape)) % modulus).reshape(shape).astype(reference_dtype(name))


def to_numpy(t) -> np.ndarray:
    """Values of `t` as numpy (bfloat16 has no numpy dtype, so go through float32)."""
    return t.float().numpy() if t.dtype == ferrograd.bfloat16 else t.numpy()


def element_strides(a: np.ndarray) -> tuple[int, ...]:
    """numpy counts strides in bytes; ferrograd (like PyTorch) counts them in elements."""
    return tuple(s // a.itemsize for s in a.strides)


def significant_strides(shape, strides) -> tuple:
    """Strides that change which element is read: a size-1 dim's stride is never used,
    and an empty tensor reads nothing at all, so libraries are free to differ there."""
    if 0 in tuple(shape):
        return ()
    return tuple(s if n != 1 else None for n, s in zip(shape, strides))


def assert_same_view(t, a: np.ndarray) -> None:
    """`t` has the shape, values and (meaningful) strides of the numpy view `a`."""
    assert tuple(t.shape) == a.shape
    np.testing.assert_array_equal(to_numpy(t), a)
    assert significant_strides(t.shape, t.stride()) == significant_strides(
        a.shape, element_strides(a)
    )


def shapes(min_dims: int = 0, max_dims: int = 6, max_side: int = 4):
    """Shapes from 0-d up to 6-D, including empty (size-0) dims."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=max_side)


@dataclass(frozen=True)
class View:
    """How to build a strided tensor and its numpy twin: a base array of `base_shape`, sliced
    by `index` then permuted by `perm`, or broadcast to `expand_to`.

    Strategies draw this recipe rather than tensors so that a ferrograd error while building
    surfaces as an ordinary, shrinkable test failure, and a failing example prints readably.
    """

    dtype_name: str
    base_shape: tuple[int, ...]
    index: tuple[slice, ...] = ()
    perm: tuple[int, ...] = ()
    expand_to: tuple[int, ...] | None = None

    def build(self):
        """(tensor, array) holding the same values with the same strides."""
        base = example_array(self.base_shape, self.dtype_name)
        t = ferrograd.tensor(base, dtype=dtype(self.dtype_name))
        if self.expand_to is not None:
            return t.expand(self.expand_to), np.broadcast_to(base, self.expand_to)
        t, a = t[self.index], np.asarray(base[self.index])  # a 0-d index gives a numpy scalar
        return t.permute(self.perm), a.transpose(self.perm)


@st.composite
def views(draw, dtype_names=None, min_dims: int = 0, max_dims: int = 6, layouts=None) -> View:
    """Recipes for contiguous, permuted, stepped-slice, offset or expanded (stride 0) views."""
    name = draw(st.sampled_from(dtype_names or DTYPE_NAMES))
    shape = draw(shapes(min_dims, max_dims))
    layout = draw(st.sampled_from(layouts or LAYOUTS))
    ndim = len(shape)

    base_shape = list(shape)
    perm = list(range(ndim))
    index = [slice(None)] * ndim
    if "stepped" in layout:
        steps = draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim))
        starts = [draw(st.integers(0, s - 1)) for s in steps]
        index = [slice(b, None, s) for b, s in zip(starts, steps)]
        base_shape = [b + max(n - 1, 0) * s + (n > 0) for n, b, s in zip(shape, starts, steps)]
    if layout == "offset" and ndim > 0:
        index[0] = slice(1, None)
        base_shape[0] += 1
    if "permuted" in layout:
        perm = draw(st.permutations(range(ndim)))
        # The base is laid out so that permuting it by `perm` yields `shape`.
        inverse = np.argsort(perm)
        base_shape = [base_shape[i] for i in inverse]
        index = [index[i] for i in inverse]
    if layout == "expanded":
        broadcast = draw(st.lists(st.booleans(), min_size=ndim, max_size=ndim))
        base_shape = [1 if b else n for n, b in zip(shape, broadcast)]
        return View(name, tuple(base_shape), expand_to=shape)
    return View(name, tuple(base_shape), tuple(index), tuple(int(p) for p in perm))
