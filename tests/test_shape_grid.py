"""meshgrid, cartesian_prod, combinations, broadcast_to/_tensors/_shapes, atleast_nd, ravel,
and the *_as views: which results are views, their values against numpy, PyTorch's errors."""

from __future__ import annotations

import itertools
import re

import ferrograd
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import assert_same_view, to_numpy, views


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def shares_storage(a, b):
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_views_match_numpy(indexing):
    xs = [ferrograd.arange(2), ferrograd.arange(3), ferrograd.arange(8)[::2]]
    for n in (1, 2, 3):
        grids = ferrograd.meshgrid(*xs[:n], indexing=indexing)
        want = np.meshgrid(*[x.numpy() for x in xs[:n]], indexing=indexing)
        assert isinstance(grids, tuple) and len(grids) == n
        for g, w, x in zip(grids, want, xs):
            np.testing.assert_array_equal(g.numpy(), w)
            assert shares_storage(g, x)
    assert ferrograd.meshgrid([xs[0], xs[1]], indexing="xy")[0].stride() == (0, 1)


def test_meshgrid_default_warns_and_accepts_scalars():
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        a, b = ferrograd.meshgrid(ferrograd.arange(2), ferrograd.arange(3))
    assert a.stride() == (1, 0) and b.stride() == (0, 1)
    a, b = ferrograd.meshgrid(ferrograd.tensor(5), ferrograd.arange(3), indexing="ij")
    assert (a.shape, a.stride(), a.tolist()) == ((1, 3), (1, 0), [[5, 5, 5]])


@pytest.mark.parametrize(
    ("call", "exc", "msg"),
    [
        (
            lambda: ferrograd.meshgrid(indexing="xy"),
            RuntimeError,
            "meshgrid expects a non-empty TensorList",
        ),
        (lambda: ferrograd.meshgrid([]), RuntimeError, "meshgrid expects a non-empty TensorList"),
        (
            lambda: ferrograd.meshgrid(ferrograd.arange(2), ferrograd.arange(3.0), indexing="ij"),
            RuntimeError,
            "meshgrid expects all tensors to have the same dtype",
        ),
        (
            lambda: ferrograd.meshgrid(ferrograd.arange(2), ferrograd.arange(3), indexing="foo"),
            RuntimeError,
            'torch.meshgrid: indexing must be one of "xy" or "ij", but received: foo',
        ),
        (
            lambda: ferrograd.meshgrid(ferrograd.ones(2, 2), ferrograd.ones(3), indexing="ij"),
            RuntimeError,
            "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: ",
        ),
        (
            lambda: ferrograd.meshgrid(ferrograd.arange(2), indexing=3),
            TypeError,
            "meshgrid(): argument 'indexing' must be str, not int",
        ),
        (
            lambda: ferrograd.cartesian_prod(),
            RuntimeError,
            "meshgrid expects a non-empty TensorList",
        ),
        (
            lambda: ferrograd.cartesian_prod(ferrograd.tensor(1), ferrograd.arange(2)),
            RuntimeError,
            "Expect a 1D vector, but got shape []",
        ),
        (
            lambda: ferrograd.combinations(ferrograd.ones(2, 3)),
            RuntimeError,
            "Expect a 1D vector, but got shape [2, 3]",
        ),
        (
            lambda: ferrograd.combinations(ferrograd.arange(3), -1),
            RuntimeError,
            "Expect a non-negative number, but got -1",
        ),
        (
            lambda: ferrograd.broadcast_to(ferrograd.arange(5), (2, 4)),
            RuntimeError,
            "The expanded size of the tensor (4) must match the existing size (5) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [5]",
        ),
        (
            lambda: ferrograd.broadcast_tensors(ferrograd.arange(5), ferrograd.ones(2, 2)),
            RuntimeError,
            "The size of tensor a (5) must match the size of tensor b (2) at non-singleton dimension 1",
        ),
        (
            lambda: ferrograd.broadcast_tensors([ferrograd.arange(5)]),
            TypeError,
            "expected Tensor as element 0 in argument 0, but got list",
        ),
        (
            lambda: ferrograd.broadcast_shapes((2,), (3,)),
            RuntimeError,
            "Attempting to broadcast a dimension of length 3 at -1! Mismatching argument at index 1 had (3,); but expected shape should be broadcastable to [2]",
        ),
        (
            lambda: ferrograd.broadcast_shapes((2, 3), (4, 3), (5,)),
            RuntimeError,
            "Attempting to broadcast a dimension of length 4 at -2! Mismatching argument at index 1 had (4, 3); but expected shape should be broadcastable to [2, 3]",
        ),
        (
            lambda: ferrograd.broadcast_shapes((-1,), (3,)),
            ValueError,
            "Attempting to broadcast a dimension with negative length!",
        ),
        (
            lambda: ferrograd.broadcast_shapes(2.0),
            RuntimeError,
            "Input shapes should be of type ints, a tuple of ints, or a list of ints, got 2.0",
        ),
        (
            lambda: ferrograd.atleast_1d(1),
            TypeError,
            "atleast_1d() received an invalid combination of arguments - got (int)",
        ),
    ],
)
def test_grid_errors(call, exc, msg):
    with raises(exc, msg):
        call()


def test_cartesian_prod_and_combinations_match_itertools():
    a, b, c = ferrograd.arange(2), ferrograd.arange(6)[::2], ferrograd.tensor([7, 8])
    assert ferrograd.cartesian_prod(a, b, c).tolist() == [
        list(p) for p in itertools.product(range(2), [0, 2, 4], [7, 8])
    ]
    assert ferrograd.cartesian_prod(a) is a
    x = ferrograd.tensor([5.0, 6.0, 7.0, 8.0])[::1]
    for r in range(5):
        for repl in (False, True):
            got = ferrograd.combinations(x, r, with_replacement=repl)
            gen = itertools.combinations_with_replacement if repl else itertools.combinations
            want = [list(p) for p in gen([5.0, 6.0, 7.0, 8.0], r)]
            if r == 0:
                assert got.shape == (0,)
            else:
                assert got.tolist() == want and got.shape == (len(want), r)
    assert ferrograd.combinations(ferrograd.arange(8)[::2]).tolist()[0] == [0, 2]
    assert ferrograd.combinations(ferrograd.empty(0)).shape == (0, 2)
    assert ferrograd.combinations(ferrograd.arange(3), 4).shape == (0, 4)


@given(views(max_dims=4), st.data())
def test_broadcast_views_match_numpy(recipe, data):
    t, a = recipe.build()
    lead = data.draw(st.lists(st.integers(0, 3), max_size=2))
    shape = (*lead, *t.shape)
    out = t.broadcast_to(shape)
    assert_same_view(out, np.broadcast_to(a, shape))
    assert shares_storage(out, t)
    other = ferrograd.zeros(*lead, *([1] * t.dim()))
    x, y = ferrograd.broadcast_tensors(t, other)
    wx, wy = np.broadcast_arrays(a, np.zeros((*lead, *([1] * t.dim()))))
    assert_same_view(x, wx)
    assert tuple(y.shape) == wy.shape
    ones = (*lead, *([1] * t.dim()))
    assert ferrograd.broadcast_shapes(tuple(t.shape), ones) == np.broadcast_shapes(a.shape, ones)


def test_broadcast_shapes_forms():
    assert ferrograd.broadcast_shapes((2, 1), (3,)) == ferrograd.Size([2, 3])
    assert ferrograd.broadcast_shapes(2, (3, 1)) == (3, 2)
    assert ferrograd.broadcast_shapes() == ()
    assert ferrograd.broadcast_shapes([2, 1], ferrograd.Size([3])) == (2, 3)
    assert isinstance(ferrograd.broadcast_shapes((1,)), ferrograd.Size)
    assert ferrograd.broadcast_tensors() == ()


@given(views(max_dims=4))
def test_atleast_and_ravel_match_numpy(recipe):
    t, a = recipe.build()
    for fn, ref in [
        (ferrograd.atleast_1d, np.atleast_1d),
        (ferrograd.atleast_2d, np.atleast_2d),
        (ferrograd.atleast_3d, np.atleast_3d),
    ]:
        out = fn(t)
        assert_same_view(out, ref(a))
        assert shares_storage(out, t)
        pair = fn(t, t)
        assert isinstance(pair, tuple) and len(pair) == 2
        (single,) = fn([t])
        assert tuple(single.shape) == ref(a).shape
    flat = t.ravel()
    np.testing.assert_array_equal(to_numpy(flat), np.ravel(a))
    assert flat.is_contiguous() and flat.dim() == 1
    assert shares_storage(flat, t) == t.is_contiguous()


def test_atleast_returns_the_input_when_unchanged():
    m = ferrograd.ones(2, 3)
    assert ferrograd.atleast_1d(m) is m and ferrograd.atleast_2d(m) is m
    assert ferrograd.atleast_1d() == ()
    assert ferrograd.atleast_3d(ferrograd.arange(3)).shape == (1, 3, 1)


def test_as_views():
    a = ferrograd.arange(6.0).view(2, 3)
    row = ferrograd.arange(3.0)
    e = row.expand_as(a)
    assert e.stride() == (0, 1) and shares_storage(e, row)
    assert shares_storage(a.t().contiguous().view_as(ferrograd.empty(6)), a) is False
    assert shares_storage(a.view_as(ferrograd.empty(3, 2)), a)
    assert a.reshape_as(ferrograd.empty(6)).tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert ferrograd.ravel(a.t()).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
