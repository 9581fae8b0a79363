"""Placeholders for op arguments that depend on the drawn inputs: a valid dim, a size along it,
an extra tensor operand, a split that fits. Each one turns into a hypothesis strategy once the
first input's shape (and the arguments resolved before it) are known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import ferrograd
from hypothesis import strategies as st
from op_spec import REAL, Domain


class Arg:
    """Base class: `strategy(ctx)` draws the value; ctx holds "shape" (of the first tensor)
    and every argument resolved before this one, by keyword."""

    def strategy(self, ctx: dict[str, Any]) -> st.SearchStrategy:
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__


def _rank(ctx, extra: int = 0) -> int:
    """Dims a dim argument may name: a 0-d tensor accepts 0 and -1 like a 1-d one; `extra`
    counts dims the result adds (stack, diag_embed)."""
    return max(len(ctx["shape"]) + extra, 1)


def _normalize(dim: int, rank: int) -> int:
    return dim + rank if dim < 0 else dim


def size_along(ctx, key: str = "dim", default: int = -1) -> int:
    """Size of the first tensor along the already-drawn ctx[key], or along `default` when the
    call leaves that dim out (1 for a 0-d tensor)."""
    shape, dim = ctx["shape"], ctx.get(key, default)
    return shape[_normalize(dim, len(shape))] if shape else 1


class Dim(Arg):
    """A valid dim of the first tensor (of a result with `extra` more dims), either sign."""

    def __init__(self, extra: int = 0):
        self.extra = extra

    def strategy(self, ctx):
        n = _rank(ctx, self.extra)
        return st.integers(-n, n - 1)


class OtherDim(Dim):
    """A valid dim different from the one drawn for ctx[key] (diag_embed's dim2)."""

    def __init__(self, key: str, extra: int = 0):
        super().__init__(extra)
        self.key = key

    def strategy(self, ctx):
        n = _rank(ctx, self.extra)
        taken = _normalize(ctx[self.key], n)
        return st.integers(-n, n - 1).filter(lambda d: _normalize(d, n) != taken)


class Dims(Arg):
    """A tuple of distinct valid dims (at least one), mixing signs."""

    def strategy(self, ctx):
        n = _rank(ctx)

        def signed(dims):
            return st.tuples(*[st.sampled_from([d, d - n]) for d in dims])

        return st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True).flatmap(signed)


class DimPair(Arg):
    """Two distinct dims of the first tensor (rot90, diag_embed needs its own)."""

    def __init__(self, extra: int = 0):
        self.extra = extra  # diag_embed's output has one more dim than its input

    def strategy(self, ctx):
        n = len(ctx["shape"]) + self.extra
        pair = st.lists(st.integers(-n, n - 1), min_size=2, max_size=2)
        return pair.filter(lambda p: _normalize(p[0], n) != _normalize(p[1], n)).map(tuple)


@dataclass(frozen=True)
class Int(Arg):
    low: int
    high: int

    def strategy(self, ctx):
        return st.integers(self.low, self.high)


class OneOf(Arg):
    def __init__(self, *values: Any):
        self.values = values

    def strategy(self, ctx):
        return st.sampled_from(self.values)

    def __repr__(self) -> str:
        return f"OneOf{self.values!r}"


@dataclass(frozen=True)
class SizeAlong(Arg):
    """An int in [low, size along ctx[key]]; `low` itself when the dim is shorter."""

    key: str = "dim"
    low: int = 1
    default: int = -1  # the op's dim when the call leaves it out

    def strategy(self, ctx):
        return st.integers(self.low, max(self.low, size_along(ctx, self.key, self.default)))


@dataclass(frozen=True)
class TensorArg(Arg):
    """An extra tensor operand broadcastable to the first (clamp's bounds): built by the test."""

    domain: Domain = REAL


@dataclass(frozen=True)
class ScalarArg(Arg):
    """An extra Python-scalar operand taking part in type promotion (clamp's bounds); with
    `fill`, a value written into the tensor, which must fit its dtype (masked_fill)."""

    domain: Domain = REAL
    fill: bool = False


class SplitSize(Arg):
    """split's int size (at least 1) or a list of sizes summing to the dim's size."""

    def strategy(self, ctx):
        n = size_along(ctx, default=0)
        as_int = st.integers(1, max(n, 1) + 1)
        return st.one_of(as_int, _partition(n))


def _partition(n: int) -> st.SearchStrategy:
    cuts = st.lists(st.integers(0, n), max_size=3).map(sorted)
    return cuts.map(lambda c: [b - a for a, b in zip([0, *c], [*c, n])])


class Sections(Arg):
    """tensor_split/chunk: a number of pieces (at least 1)."""

    def strategy(self, ctx):
        return st.integers(1, size_along(ctx, default=0) + 2)


class SplitIndices(Arg):
    """tensor_split's sorted cut points, possibly past the end."""

    def strategy(self, ctx):
        n = size_along(ctx, default=0)
        return st.lists(st.integers(0, n + 1), max_size=3).map(sorted)


class Repeats(Arg):
    """repeat's sizes: one per dim, possibly with extra leading ones; 0 allowed."""

    def strategy(self, ctx):
        n = len(ctx["shape"])
        return st.integers(n, n + 2).flatmap(
            lambda k: st.lists(st.integers(0, 2), min_size=k, max_size=k).map(tuple)
        )


class TileDims(Arg):
    """tile's reps: any length (shorter ones are padded with leading 1s)."""

    def strategy(self, ctx):
        return st.lists(st.integers(0, 2), min_size=0, max_size=len(ctx["shape"]) + 1).map(tuple)


class BroadcastShape(Arg):
    """A shape the first tensor broadcasts to (broadcast_to's size, with -1 kept dims)."""

    def strategy(self, ctx):
        shape = ctx["shape"]

        def grow(extra):
            sizes = [st.sampled_from([1, 2] if s == 1 else [s, -1]) for s in shape]
            return st.tuples(*[st.integers(0, 3) for _ in range(extra)], *sizes)

        return st.integers(0, 2).flatmap(grow)


class Shifts(Arg):
    """roll's shifts: an int, or a tuple matching ctx["dims"] when that is a tuple."""

    def strategy(self, ctx):
        dims = ctx.get("dims")
        if isinstance(dims, tuple):
            return st.tuples(*[st.integers(-5, 5) for _ in dims])
        return st.integers(-5, 5)


class RepeatsTensor(Arg):
    """repeat_interleave's per-element repeats: an int64 tensor as long as the dim."""

    def strategy(self, ctx):
        n = size_along(ctx)
        ints = st.lists(st.integers(0, 3), min_size=n, max_size=n)
        return ints.map(lambda r: ferrograd.tensor(r, dtype=ferrograd.int64))


class Shapes(Arg):
    """Several mutually broadcastable shapes, passed as separate arguments (`star`)."""

    star = True

    def strategy(self, ctx):
        return _broadcastable_shapes()


@st.composite
def _broadcastable_shapes(draw) -> tuple[tuple[int, ...], ...]:
    full = draw(st.lists(st.sampled_from([0, 1, 2, 3]), max_size=4))
    count = draw(st.integers(1, 3))
    shapes = []
    for _ in range(count):
        kept = full[draw(st.integers(0, len(full))) :]
        shapes.append(tuple(1 if draw(st.booleans()) else n for n in kept))
    return tuple(shapes)


def numel(shape) -> int:
    return math.prod(shape)
