"""cat (concat, concatenate) and the stack family, against numpy and PyTorch's recorded
messages: promotion across inputs, the legacy skipping of 1-D empty tensors, out=, and
non-contiguous, expanded, empty and 0-d inputs."""

from __future__ import annotations

import re
import warnings

import ferrograd
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import to_numpy, views


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


@given(views(min_dims=1, max_dims=4), st.data())
def test_cat_matches_numpy_on_any_layout(recipe, data):
    t, a = recipe.build()
    dim = data.draw(st.integers(-t.dim(), t.dim() - 1))
    k = data.draw(st.integers(0, t.shape[dim]))
    head = t.narrow(dim, 0, k)
    out = ferrograd.cat([t, head, t], dim)
    want = np.concatenate([a, np.take(a, range(k), axis=dim), a], axis=dim)
    np.testing.assert_array_equal(to_numpy(out), want)
    assert out.dtype == t.dtype
    assert out.is_contiguous()
    if out.numel():
        assert out.untyped_storage().data_ptr() != t.untyped_storage().data_ptr()


@given(views(max_dims=4), st.data())
def test_stack_family_matches_numpy(recipe, data):
    t, a = recipe.build()
    dim = data.draw(st.integers(-t.dim() - 1, t.dim()))
    np.testing.assert_array_equal(to_numpy(ferrograd.stack([t, t], dim)), np.stack([a, a], dim))
    np.testing.assert_array_equal(to_numpy(ferrograd.hstack([t, t])), np.hstack([a, a]))
    np.testing.assert_array_equal(to_numpy(ferrograd.vstack((t, t))), np.vstack([a, a]))
    np.testing.assert_array_equal(to_numpy(ferrograd.row_stack([t, t])), np.vstack([a, a]))
    np.testing.assert_array_equal(to_numpy(ferrograd.dstack([t, t])), np.dstack([a, a]))
    if t.dim() <= 2:
        got = ferrograd.column_stack([t, t])
        np.testing.assert_array_equal(to_numpy(got), np.column_stack([a, a]))


def test_cat_aliases_and_dim_keywords():
    a = ferrograd.arange(6).view(2, 3)
    want = [[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]]
    assert ferrograd.cat([a, a], 1).tolist() == want
    assert ferrograd.cat((a, a), dim=-1).tolist() == want
    assert ferrograd.cat([a, a], axis=1).tolist() == want
    assert ferrograd.concat([a, a], dim=1).tolist() == want
    assert ferrograd.concatenate([a, a], axis=1).tolist() == want
    assert ferrograd.cat(tensors=[a, a]).shape == (4, 3)


def test_cat_promotes_like_pytorch():
    a = ferrograd.arange(6).view(2, 3)
    cases = [
        ([a, a.float()], ferrograd.float32),
        ([a, a.bool()], ferrograd.int64),
        ([a.bool(), a.bool()], ferrograd.bool),
        ([a.to(ferrograd.uint8), a.to(ferrograd.int8)], ferrograd.int16),
        ([a.half(), a.bfloat16()], ferrograd.float32),
        ([ferrograd.empty(0, dtype=ferrograd.float64), a], ferrograd.float64),
    ]
    for tensors, dtype in cases:
        out = ferrograd.cat(tensors)
        assert out.dtype == dtype
    # The cast is exact for small values: the int part comes out unchanged.
    assert ferrograd.cat([a, a.float()]).tolist()[0] == [0.0, 1.0, 2.0]
    assert ferrograd.stack([a.bool(), a])[0].tolist() == [[0, 1, 1], [1, 1, 1]]


def test_one_dim_empty_tensors_are_skipped():
    a = ferrograd.arange(6.0).view(2, 3)
    e = ferrograd.empty(0)
    assert ferrograd.cat([a, e]).tolist() == a.tolist()
    assert ferrograd.cat([e, a], dim=1).tolist() == a.tolist()
    assert ferrograd.cat([e, e]).shape == (0,)
    assert ferrograd.cat([e, e], 1).shape == (0,)  # every input skipped: dim is not checked
    assert ferrograd.cat([e, ferrograd.empty(2, 0)], 1).shape == (2, 0)
    # Other empty shapes are real inputs.
    assert ferrograd.cat([a, ferrograd.empty(0, 3)]).shape == (2, 3)
    assert ferrograd.cat([ferrograd.empty(0, 3), ferrograd.empty(0, 4)], 1).shape == (0, 7)


def test_cat_out():
    a = ferrograd.arange(6).view(2, 3)
    out = ferrograd.empty(4, 3)
    version = out._version
    res = ferrograd.cat([a, a], out=out)
    assert res is out
    assert out.dtype == ferrograd.float32
    assert out.tolist()[3] == [3.0, 4.0, 5.0]
    assert out._version > version
    # A transposed out of the right shape is written in place.
    base = ferrograd.zeros(6, 2)
    ferrograd.cat([a, a], dim=1, out=base.t())
    assert base.t().tolist() == [[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]]
    # An out of another shape is resized, with PyTorch's warning when it had elements.
    small = ferrograd.empty(2, dtype=ferrograd.int64)
    with pytest.warns(UserWarning, match="An output with one or more elements was resized"):
        ferrograd.cat([a, a], out=small)
    assert small.shape == (4, 3)
    empty = ferrograd.empty(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ferrograd.stack([a, a], out=empty)
    assert empty.shape == (2, 2, 3)


def test_cat_out_errors():
    a = ferrograd.arange(6).view(2, 3)
    with raises(
        TypeError, "torch.cat(): input types can't be cast to the desired output type Long"
    ):
        ferrograd.cat([a.float(), a], out=ferrograd.empty(4, 3, dtype=ferrograd.int64))
    with raises(
        TypeError, "torch.cat(): input types can't be cast to the desired output type Bool"
    ):
        ferrograd.cat([a, a], out=ferrograd.empty(4, 3, dtype=ferrograd.bool))
    msg = "unsupported operation: some elements of the input tensor and the written-to tensor"
    big = ferrograd.zeros(4, 3, dtype=ferrograd.int64)
    with raises(RuntimeError, msg):
        ferrograd.cat([big[:2], a], out=big)


@pytest.mark.parametrize(
    ("call", "exc", "msg"),
    [
        (
            lambda a: ferrograd.cat([]),
            ValueError,
            "torch.cat(): expected a non-empty list of Tensors",
        ),
        (
            lambda a: ferrograd.cat(()),
            ValueError,
            "torch.cat(): expected a non-empty list of Tensors",
        ),
        (
            lambda a: ferrograd.cat([a, a.t()]),
            RuntimeError,
            "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list.",
        ),
        (
            lambda a: ferrograd.cat([a, a.t()], 1),
            RuntimeError,
            "Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1 in the list.",
        ),
        (
            lambda a: ferrograd.cat([a, ferrograd.tensor(1)]),
            RuntimeError,
            "zero-dimensional tensor (at position 1) cannot be concatenated",
        ),
        (
            lambda a: ferrograd.cat([a, ferrograd.ones(2)]),
            RuntimeError,
            "Tensors must have same number of dimensions: got 2 and 1",
        ),
        (
            lambda a: ferrograd.cat([ferrograd.empty(0), a], 5),
            IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got 5)",
        ),
        (
            lambda a: ferrograd.cat(a),
            TypeError,
            "cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor",
        ),
        (
            lambda a: ferrograd.cat([a, 1]),
            TypeError,
            "expected Tensor as element 1 in argument 0, but got int",
        ),
        (
            lambda a: ferrograd.cat([a, a], dim=1.0),
            TypeError,
            "cat(): argument 'dim' must be int, not float",
        ),
        (lambda a: ferrograd.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
        (
            lambda a: ferrograd.stack([ferrograd.ones(2), ferrograd.ones(3)]),
            RuntimeError,
            "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1",
        ),
        (
            lambda a: ferrograd.stack([a, a], 3),
            IndexError,
            "Dimension out of range (expected to be in range of [-3, 2], but got 3)",
        ),
        (lambda a: ferrograd.hstack([]), RuntimeError, "hstack expects a non-empty TensorList"),
        (lambda a: ferrograd.vstack([]), RuntimeError, "vstack expects a non-empty TensorList"),
        (lambda a: ferrograd.dstack([]), RuntimeError, "dstack expects a non-empty TensorList"),
        (
            lambda a: ferrograd.column_stack([]),
            RuntimeError,
            "column_stack expects a non-empty TensorList",
        ),
        (
            lambda a: ferrograd.column_stack([ferrograd.tensor(1), ferrograd.ones(2, 2)]),
            RuntimeError,
            "Sizes of tensors must match except in dimension 1. Expected size 1 but got size 2 for tensor number 1 in the list.",
        ),
    ],
)
def test_join_errors(call, exc, msg):
    with raises(exc, msg):
        call(ferrograd.arange(6).view(2, 3))


def test_zero_dim_inputs_of_the_stacks():
    one, two = ferrograd.tensor(1), ferrograd.tensor(2)
    assert ferrograd.stack([one, two]).tolist() == [1, 2]
    assert ferrograd.hstack([one, two]).tolist() == [1, 2]
    assert ferrograd.vstack([one, two]).tolist() == [[1], [2]]
    assert ferrograd.dstack([one, two]).tolist() == [[[1, 2]]]
    assert ferrograd.column_stack([ferrograd.arange(3), ferrograd.arange(3)]).tolist() == [
        [0, 0],
        [1, 1],
        [2, 2],
    ]
