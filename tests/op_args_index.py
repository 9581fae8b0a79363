"""Placeholders for index arguments that must fit the drawn input: index vectors, gather and
scatter indices (unique along the dim where order would matter), sources, sorted boundaries,
weights. Each draws one seed and builds the tensor with numpy."""

from __future__ import annotations

import ferrograd
import numpy as np
from op_args import Arg, size_along
from op_spec import FINITE, REAL, Domain
from strategies import SEEDS


def _tensor(values, dtype_name: str = "int64"):
    return ferrograd.tensor(np.asarray(values), dtype=getattr(ferrograd, dtype_name))


def _rank_dim(ctx, key="dim"):
    shape = ctx["shape"] or (1,)
    return shape, ctx[key] % len(shape)


class SeededArg(Arg):
    """A placeholder built from one seed: `build(rng, ctx)` makes the value."""

    def strategy(self, ctx):
        return SEEDS.map(lambda seed: self.build(np.random.default_rng(seed), ctx))

    def build(self, rng: np.random.Generator, ctx):
        raise NotImplementedError


class IndexVector(SeededArg):
    """index_select's 1-D index: up to 4 valid positions along ctx["dim"], repeats allowed."""

    def build(self, rng, ctx):
        if not ctx["shape"]:
            return _tensor([0])  # a 0-d input takes exactly one index
        n = size_along(ctx)
        length = int(rng.integers(0, 5)) if n else 0
        return _tensor(rng.integers(0, max(n, 1), size=length))


class GatherIndex(SeededArg):
    """gather's index: the input's rank, no larger than the input off the dim, any length
    along it (values valid along the dim); with `unique`, a permutation prefix per slice
    (scatter: colliding writes have no defined order)."""

    def __init__(self, unique: bool = False):
        self.unique = unique

    def build(self, rng, ctx):
        if not ctx["shape"]:
            return _tensor(0)  # a 0-d input takes a 0-d index
        shape, dim = _rank_dim(ctx)
        n = shape[dim]
        sizes = [int(rng.integers(0, s + 1)) for s in shape]
        if self.unique:
            others = [s for i, s in enumerate(sizes) if i != dim]
            perms = np.argsort(rng.random((*others, n)), axis=-1)[..., : sizes[dim]]
            return _tensor(np.moveaxis(perms, -1, dim))
        sizes[dim] = int(rng.integers(0, 5)) if n else 0
        return _tensor(rng.integers(0, max(n, 1), size=sizes))


class SourceLike(SeededArg):
    """A tensor of the input's dtype at least as large as ctx[key] (scatter's src)."""

    def __init__(self, key: str = "index", domain: Domain = REAL):
        self.key, self.domain = key, domain

    def build(self, rng, ctx):
        shape = tuple(int(n) + int(rng.integers(0, 2)) for n in ctx[self.key].shape)
        return _tensor(self.domain.sample(rng, shape, ctx["dtype"]), ctx["dtype"])


class TakeIndex(SeededArg):
    """take's index: any shape, positions in [-numel, numel) of the flattened input."""

    def build(self, rng, ctx):
        numel = int(np.prod(ctx["shape"]))
        shape = tuple(int(n) for n in rng.integers(0, 3, size=int(rng.integers(0, 3))))
        if numel == 0:
            shape = (0,)
        return _tensor(rng.integers(-numel, max(numel, 1), size=shape))


class SortedBoundaries(SeededArg):
    """bucketize's boundaries: a sorted 1-D tensor of the input's dtype, repeats allowed."""

    def build(self, rng, ctx):
        values = np.sort(FINITE.sample(rng, (int(rng.integers(0, 6)),), ctx["dtype"]))
        return _tensor(values, ctx["dtype"])


class Weights(SeededArg):
    """bincount's weights: one per input element, of dtype `dtype_name`."""

    def __init__(self, dtype_name: str):
        self.dtype_name = dtype_name

    def build(self, rng, ctx):
        return _tensor(FINITE.sample(rng, ctx["shape"], self.dtype_name), self.dtype_name)
