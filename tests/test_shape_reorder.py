"""flip, fliplr, flipud, roll, rot90, repeat, tile, repeat_interleave against numpy, on every
layout and dtype, with PyTorch's result strides and error messages."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import to_numpy, views


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def same(t, a):
    assert tuple(t.shape) == np.shape(a)
    np.testing.assert_array_equal(to_numpy(t), a)


def dims_of(data, ndim):
    return data.draw(st.lists(st.integers(0, max(ndim - 1, 0)), unique=True, max_size=ndim))


@given(views(max_dims=5), st.data())
def test_flip_matches_numpy(recipe, data):
    t, a = recipe.build()
    dims = dims_of(data, t.dim()) if t.dim() else []
    out = t.flip(dims)
    same(out, np.flip(a, tuple(dims)) if dims else a)
    if out.numel():
        assert out.untyped_storage().data_ptr() != t.untyped_storage().data_ptr()
    if t.dim() >= 1:
        same(ferrograd.flipud(t), np.flipud(a))
    if t.dim() >= 2:
        same(t.fliplr(), np.fliplr(a))


@given(views(max_dims=4), st.data())
def test_roll_matches_numpy(recipe, data):
    t, a = recipe.build()
    shift = data.draw(st.integers(-7, 7))
    out = t.roll(shift)
    same(out, np.roll(a, shift))
    assert out.is_contiguous()
    if t.dim():
        dims = dims_of(data, t.dim())
        shifts = [data.draw(st.integers(-7, 7)) for _ in dims]
        if dims:
            same(ferrograd.roll(t, shifts, dims), np.roll(a, shifts, tuple(dims)))


@given(views(min_dims=2, max_dims=4), st.data())
def test_rot90_matches_numpy(recipe, data):
    t, a = recipe.build()
    k = data.draw(st.integers(-5, 5))
    d0, d1 = data.draw(st.lists(st.integers(0, t.dim() - 1), min_size=2, max_size=2, unique=True))
    same(t.rot90(k, [d0, d1]), np.rot90(a, k, (d0, d1)))


@given(views(max_dims=3), st.data())
def test_repeat_and_tile_match_numpy_tile(recipe, data):
    t, a = recipe.build()
    reps = data.draw(st.lists(st.integers(0, 3), min_size=t.dim(), max_size=t.dim() + 2))
    same(t.repeat(reps), np.tile(a, reps))
    short = reps[: data.draw(st.integers(0, len(reps)))]
    same(t.tile(short), np.tile(a, short))
    same(ferrograd.tile(t, tuple(short)), np.tile(a, short))


@given(views(max_dims=3), st.data())
def test_repeat_interleave_matches_numpy_repeat(recipe, data):
    t, a = recipe.build()
    r = data.draw(st.integers(0, 3))
    same(t.repeat_interleave(r), np.repeat(a, r))
    if t.dim():
        dim = data.draw(st.integers(-t.dim(), t.dim() - 1))
        same(ferrograd.repeat_interleave(t, r, dim=dim), np.repeat(a, r, axis=dim))
        counts = data.draw(
            st.lists(st.integers(0, 3), min_size=t.shape[dim], max_size=t.shape[dim])
        )
        c = ferrograd.tensor(counts, dtype=ferrograd.int64)
        same(t.repeat_interleave(c, dim), np.repeat(a, counts, axis=dim))


def test_flip_and_rot90_strides_follow_pytorch():
    a = ferrograd.arange(6).view(2, 3)
    assert a.t().flip(0).stride() == (1, 3)  # memory order preserved
    assert a.expand(2, 2, 3).flip(0).stride() == (6, 3, 1)
    assert a.t().roll(1, 0).stride() == (2, 1)
    r = ferrograd.rot90(a)
    assert (r.shape, r.stride(), r.tolist()) == ((3, 2), (1, 3), [[2, 5], [1, 4], [0, 3]])
    assert ferrograd.rot90(a.t(), 0).stride() == (2, 1)
    assert a.flip(0, 1).tolist() == [[5, 4, 3], [2, 1, 0]]
    assert a.flip(dims=(0,)).tolist() == [[3, 4, 5], [0, 1, 2]]
    assert ferrograd.tensor(3).flip(0).tolist() == 3
    assert a.roll(shifts=1, dims=1).tolist() == [[2, 0, 1], [5, 3, 4]]
    assert ferrograd.roll(a, (1, 1), (0, 0)).tolist() == a.tolist()
    assert ferrograd.roll(a, 2**40).tolist() == [[2, 3, 4], [5, 0, 1]]
    assert ferrograd.roll(ferrograd.tensor(4), 1).tolist() == 4


def test_repeat_interleave_forms():
    counts = ferrograd.tensor([1, 0, 3], dtype=ferrograd.int32)
    out = ferrograd.repeat_interleave(counts)
    assert (out.dtype, out.tolist()) == (ferrograd.int32, [0, 2, 2, 2])
    pair = ferrograd.tensor([1, 2])
    assert ferrograd.repeat_interleave(pair, output_size=3).tolist() == [0, 1, 1]
    assert ferrograd.repeat_interleave(repeats=pair).tolist() == [0, 1, 1]
    assert ferrograd.repeat_interleave(input=pair, repeats=2).tolist() == [1, 1, 2, 2]
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        ferrograd.repeat_interleave(pair, dim=0)
    a = ferrograd.arange(6).view(2, 3)
    assert a.repeat_interleave(2, 0, output_size=4).shape == (4, 3)
    assert a.repeat_interleave(ferrograd.tensor(2), dim=1).shape == (2, 6)
    assert a.repeat_interleave(ferrograd.tensor([2]), dim=1).shape == (2, 6)
    assert ferrograd.repeat_interleave(ferrograd.tensor(5), 3).tolist() == [5, 5, 5]
    assert ferrograd.repeat_interleave(ferrograd.empty(2, 0), 3, dim=0).shape == (6, 0)
    assert ferrograd.repeat_interleave(ferrograd.tensor([], dtype=ferrograd.int64)).shape == (0,)


@pytest.mark.parametrize(
    ("call", "exc", "msg"),
    [
        (
            lambda a: a.flip(2),
            IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
        ),
        (
            lambda a: a.flip([0, 0]),
            RuntimeError,
            "dim 0 appears multiple times in the list of dims",
        ),
        (lambda a: a.flip(), TypeError, 'flip() missing 1 required positional arguments: "dims"'),
        (lambda a: ferrograd.fliplr(ferrograd.arange(3)), RuntimeError, "Input must be >= 2-d."),
        (lambda a: ferrograd.flipud(ferrograd.tensor(1)), RuntimeError, "Input must be >= 1-d."),
        (
            lambda a: ferrograd.roll(a, (1, 2), 1),
            RuntimeError,
            "shifts and dimensions must align. shifts: 2, dims:1",
        ),
        (
            lambda a: ferrograd.roll(a, (1, 2)),
            RuntimeError,
            "shifts and dimensions must align. shifts: 2, dims:0",
        ),
        (lambda a: ferrograd.roll(a, [], []), RuntimeError, "`shifts` required"),
        (
            lambda a: ferrograd.roll(ferrograd.tensor(4), 1, 0),
            IndexError,
            "Dimension specified as 0 but tensor has no dimensions",
        ),
        (
            lambda a: a.rot90(1, [0, 0]),
            RuntimeError,
            "expected rotation dims to be different, but got dim0 = 0 and dim1 = 0",
        ),
        (
            lambda a: a.rot90(1, [1, -1]),
            RuntimeError,
            "expected rotation dims to be different, but got dim0 = 1 and dim1 = -1",
        ),
        (
            lambda a: a.rot90(1, [0]),
            RuntimeError,
            "expected total rotation dims == 2, but got dims = 1",
        ),
        (
            lambda a: ferrograd.arange(3).rot90(),
            RuntimeError,
            "expected total dims >= 2, but got total dims = 1",
        ),
        (
            lambda a: a.rot90(1, [0, 2]),
            IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
        ),
        (
            lambda a: a.repeat(2),
            RuntimeError,
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
        ),
        (
            lambda a: a.repeat(),
            TypeError,
            'repeat() missing 1 required positional arguments: "repeats"',
        ),
        (
            lambda a: a.repeat(-1, 1),
            RuntimeError,
            "Trying to create tensor with negative dimension -2: [-2, 3]",
        ),
        (
            lambda a: a.tile(-1),
            RuntimeError,
            "Trying to create tensor with negative dimension -3: [2, -3]",
        ),
        (lambda a: a.repeat_interleave(-1, dim=0), RuntimeError, "Repeats must be non-negative"),
        (
            lambda a: a.repeat_interleave(2, dim=0, output_size=5),
            RuntimeError,
            "repeat_interleave: Invalid output_size, expected 4 but got 5",
        ),
        (
            lambda a: a.repeat_interleave(ferrograd.tensor([1, 2]), dim=1),
            RuntimeError,
            "repeats must have the same size as input along dim, but got repeats.size(0) = 2 and input.size(1) = 3",
        ),
        (
            lambda a: a.repeat_interleave(ferrograd.tensor([-1, 2]), dim=0),
            RuntimeError,
            "repeats can not be negative",
        ),
        (
            lambda a: a.repeat_interleave(ferrograd.tensor([1.0, 2.0]), dim=0),
            NotImplementedError,
            "\"repeat_interleave_cpu\" not implemented for 'Float'",
        ),
        (
            lambda a: a.repeat_interleave(ferrograd.tensor([[1, 2]]), dim=0),
            RuntimeError,
            "repeats must be 0-dim or 1-dim tensor",
        ),
        (
            lambda a: a.repeat_interleave(ferrograd.tensor([1, 2]), dim=0, output_size=4),
            RuntimeError,
            "allocated size does not match required size",
        ),
        (
            lambda a: ferrograd.repeat_interleave(ferrograd.tensor(2)),
            RuntimeError,
            "repeat_interleave only accept 1D vector as repeat",
        ),
        (
            lambda a: ferrograd.repeat_interleave(ferrograd.tensor(5), 3, dim=0),
            IndexError,
            "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
        ),
        (
            lambda a: ferrograd.repeat_interleave(
                ferrograd.tensor(5), ferrograd.tensor([3]), dim=0
            ),
            IndexError,
            "Dimension specified as 0 but tensor has no dimensions",
        ),
    ],
)
def test_reorder_errors(call, exc, msg):
    with raises(exc, msg):
        call(ferrograd.arange(6).view(2, 3))
