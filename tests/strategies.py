"""Shared hypothesis strategies: dtypes, shapes (0-d to 6-D, empty dims) and strided views.

A `View` recipe builds a ferrograd tensor and a numpy array that hold the same values laid out
the same way in memory, so a view op applied to both must give the same values *and* strides.
An `Operand` recipe (the op tables) holds random values from an input domain in such a view;
`laid_out` puts given values (a symmetric matrix, ...) in one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

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
    base_shape, index, perm, expand_to = draw(layout_recipes(shape, layout))
    if expand_to is not None:
        return View(name, base_shape, expand_to=expand_to)
    return View(name, base_shape, index, perm)


@st.composite
def layout_recipes(draw, shape: tuple[int, ...], layout: str):
    """(base_shape, index, perm, expand_to): slicing a base of `base_shape` by `index` then
    permuting by `perm` (or broadcasting it to `expand_to`) gives a view of exactly `shape`."""
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
        return tuple(base_shape), (), (), tuple(shape)
    return tuple(base_shape), tuple(index), tuple(int(p) for p in perm), None


@dataclass(frozen=True)
class Operand:
    """How to build a random-valued operand: values from `domain.sample` (seeded, so the
    recipe prints and replays), laid out as a view of a larger base like `View`."""

    dtype_name: str
    shape: tuple[int, ...]
    layout: str
    base_shape: tuple[int, ...]
    index: tuple[slice, ...]
    perm: tuple[int, ...]
    expand_to: tuple[int, ...] | None
    domain: Any
    seed: int

    def build(self, device=None):
        """(base, view): the view is the operand; the base shows where in-place writes land.
        On `device`, the base is moved there and the view taken of it, so the layout stays."""
        rng = np.random.default_rng(self.seed)
        values = self.domain.sample(rng, self.base_shape, self.dtype_name)
        base = ferrograd.tensor(values, dtype=dtype(self.dtype_name), device=device)
        if self.expand_to is not None:
            return base, base.expand(self.expand_to)
        return base, base[self.index].permute(self.perm)

    def positions(self) -> np.ndarray:
        """Flat index into the base of each element of the view (for write-through checks)."""
        flat = np.arange(math.prod(self.base_shape)).reshape(self.base_shape)
        if self.expand_to is not None:
            return np.broadcast_to(flat, self.expand_to)
        return np.asarray(flat[self.index]).transpose(self.perm)


def _layout_from_rng(rng: np.random.Generator, shape: tuple[int, ...], layout: str):
    """`layout_recipes` driven by a numpy generator: one hypothesis draw (the seed) instead of
    one per dim keeps generation cheap for the op-table tests, which draw thousands."""
    ndim = len(shape)
    base_shape, perm = list(shape), list(range(ndim))
    index = [slice(None)] * ndim
    if "stepped" in layout:
        steps = rng.integers(1, 4, size=ndim)
        starts = [int(rng.integers(0, s)) for s in steps]
        index = [slice(b, None, int(s)) for b, s in zip(starts, steps)]
        base_shape = [b + max(n - 1, 0) * s + (n > 0) for n, b, s in zip(shape, starts, steps)]
    if layout == "offset" and ndim > 0:
        index[0] = slice(1, None)
        base_shape[0] += 1
    if "permuted" in layout:
        perm = [int(p) for p in rng.permutation(ndim)]
        inverse = np.argsort(perm)
        base_shape = [int(base_shape[i]) for i in inverse]
        index = [index[i] for i in inverse]
    if layout == "expanded":
        base_shape = [1 if rng.random() < 0.5 else n for n in shape]
        return tuple(base_shape), (), (), tuple(shape)
    return tuple(int(n) for n in base_shape), tuple(index), tuple(perm), None


SEEDS = st.integers(0, 2**32 - 1)  # one shared strategy object: building them is not free


def operand_from_seed(seed: int, shape, dtype_name: str, domain, layouts=None, broadcast=False):
    """An `Operand` of `shape` (or, with `broadcast`, of a shape that broadcasts to it: some
    leading dims dropped, some sizes 1) in one of `layouts` (all of LAYOUTS by default),
    every choice made by a numpy generator seeded with `seed`."""
    rng = np.random.default_rng(seed)
    shape = tuple(shape)
    if broadcast and rng.random() < 0.5:
        kept = shape[rng.integers(0, len(shape) + 1) :]
        shape = tuple(1 if rng.random() < 0.3 else n for n in kept)
    layout = str(rng.choice(layouts or LAYOUTS))
    recipe = _layout_from_rng(rng, shape, layout)
    return Operand(dtype_name, shape, layout, *recipe, domain, seed)


@st.composite
def operands(draw, shape, dtype_name: str, domain, layouts=None, broadcast=False) -> Operand:
    """`operand_from_seed` as a strategy: one hypothesis draw keeps generation cheap."""
    return operand_from_seed(draw(SEEDS), shape, dtype_name, domain, layouts, broadcast)


@st.composite
def small_shapes(draw, min_dims: int = 0, max_dims: int = 5, max_side: int = 4):
    """Shapes like `shapes` (0-d up to 5-D) but far cheaper to draw, which matters to the op
    tables' thousands of examples; about one dim in eleven is empty (size 0)."""
    rng = np.random.default_rng(draw(SEEDS))
    n = int(rng.integers(min_dims, max_dims + 1))
    return tuple(
        0 if rng.random() < 1 / 11 else int(rng.integers(1, max_side + 1)) for _ in range(n)
    )


def laid_out(values: np.ndarray, dtype_name: str, seed: int, layouts=None):
    """A tensor holding exactly `values` (rounded to the dtype) as a view in one of `layouts`
    (LAYOUTS but "expanded", which cannot hold arbitrary values): for inputs whose values
    need structure (symmetric, well-conditioned) but whose layout should still vary."""
    rng = np.random.default_rng(seed)
    layout = str(rng.choice(layouts or [x for x in LAYOUTS if x != "expanded"]))
    base_shape, index, perm, _ = _layout_from_rng(rng, values.shape, layout)
    base = np.zeros(base_shape, reference_dtype(dtype_name))
    base[index] = np.transpose(values, np.argsort(perm)) if values.ndim else values
    return ferrograd.tensor(base, dtype=dtype(dtype_name))[index].permute(perm)
