"""split, split_with_sizes, tensor_split, chunk, unbind and hsplit/vsplit/dsplit: every piece
is a view of the input (shared storage), with numpy's values and PyTorch's errors."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import assert_same_view, views


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def shares_storage(piece, t):
    return piece.untyped_storage().data_ptr() == t.untyped_storage().data_ptr()


def check_pieces(pieces, arrays, t):
    assert isinstance(pieces, tuple)
    assert len(pieces) == len(arrays)
    for p, a in zip(pieces, arrays):
        assert_same_view(p, np.asarray(a))
        assert shares_storage(p, t)


@given(views(min_dims=1, max_dims=4), st.data())
def test_split_by_size_and_sizes(recipe, data):
    t, a = recipe.build()
    dim = data.draw(st.integers(-t.dim(), t.dim() - 1))
    n = t.shape[dim]
    size = data.draw(st.integers(1 if n else 0, max(n, 1) + 1))
    starts = list(range(0, n, size)) if size else [0]
    cuts = starts[1:]
    check_pieces(t.split(size, dim), np.split(a, cuts, axis=dim), t)
    check_pieces(ferrograd.split(t, size, dim=dim), np.split(a, cuts, axis=dim), t)
    sizes = data.draw(st.lists(st.integers(0, n), max_size=3).filter(lambda s: sum(s) <= n))
    sizes = [*sizes, n - sum(sizes)]
    cuts = np.cumsum(sizes)[:-1].tolist()
    check_pieces(t.split(sizes, dim), np.split(a, cuts, axis=dim), t)
    check_pieces(ferrograd.split_with_sizes(t, sizes, dim), np.split(a, cuts, axis=dim), t)


@given(views(min_dims=1, max_dims=4), st.data())
def test_tensor_split_like_array_split(recipe, data):
    t, a = recipe.build()
    dim = data.draw(st.integers(-t.dim(), t.dim() - 1))
    sections = data.draw(st.integers(1, 6))
    want = np.array_split(a, sections, axis=dim)
    check_pieces(t.tensor_split(sections, dim), want, t)
    check_pieces(ferrograd.tensor_split(t, ferrograd.tensor(sections), dim), want, t)
    indices = data.draw(st.lists(st.integers(-6, 6), max_size=4))
    want = np.split(a, indices, axis=dim) if indices else [a]
    check_pieces(t.tensor_split(indices, dim), want, t)
    check_pieces(t.tensor_split(ferrograd.tensor(indices, dtype=ferrograd.int64), dim), want, t)


@given(views(min_dims=1, max_dims=4), st.data())
def test_chunk_and_unbind(recipe, data):
    t, a = recipe.build()
    dim = data.draw(st.integers(-t.dim(), t.dim() - 1))
    chunks = data.draw(st.integers(1, 6))
    n = t.shape[dim]
    size = -(-n // chunks)
    if n == 0:
        want = [a] * chunks
    else:
        want = np.split(a, list(range(size, n, size)), axis=dim)
    check_pieces(t.chunk(chunks, dim), want, t)
    check_pieces(ferrograd.unbind(t, dim), list(np.moveaxis(a, dim, 0)), t)


def test_split_examples():
    v = ferrograd.arange(5)
    assert [p.tolist() for p in v.split(2)] == [[0, 1], [2, 3], [4]]
    assert [p.tolist() for p in v.split(10)] == [[0, 1, 2, 3, 4]]
    assert [p.tolist() for p in v.split(ferrograd.tensor(2))] == [[0, 1], [2, 3], [4]]
    assert [p.storage_offset() for p in v.split([2, 3])] == [0, 2]
    assert len(ferrograd.empty(0).split(0)) == 1
    m = ferrograd.arange(12).view(3, 4)
    assert [p.tolist() for p in ferrograd.split(m, split_size_or_sections=2, dim=1)] == [
        [[0, 1], [4, 5], [8, 9]],
        [[2, 3], [6, 7], [10, 11]],
    ]
    assert [p.shape for p in m.tensor_split(7, 1)] == [(3, 1)] * 4 + [(3, 0)] * 3
    assert [p.tolist() for p in v.tensor_split([4, 1])] == [[0, 1, 2, 3], [], [1, 2, 3, 4]]
    assert [p.tolist() for p in v.tensor_split(indices=[1, 3])] == [[0], [1, 2], [3, 4]]
    assert [p.tolist() for p in v.tensor_split(sections=2)] == [[0, 1, 2], [3, 4]]
    assert [p.shape for p in ferrograd.arange(6).chunk(4)] == [(2,), (2,), (2,)]
    assert [p.shape for p in ferrograd.empty(3, 0).chunk(2, 1)] == [(3, 0), (3, 0)]
    assert ferrograd.unbind(ferrograd.empty(0, 2)) == ()
    assert m.unbind(1)[0].tolist() == [0, 4, 8]


def test_directional_splits():
    m = ferrograd.arange(12).view(3, 4)
    assert [p.tolist() for p in ferrograd.hsplit(m, 2)] == [
        [[0, 1], [4, 5], [8, 9]],
        [[2, 3], [6, 7], [10, 11]],
    ]
    assert [p.shape for p in m.hsplit([1, 3])] == [(3, 1), (3, 2), (3, 1)]
    assert [p.shape for p in m.vsplit(3)] == [(1, 4)] * 3
    assert [p.shape for p in ferrograd.arange(5).hsplit(5)] == [(1,)] * 5
    t3 = ferrograd.arange(24).view(2, 3, 4)
    assert [p.shape for p in ferrograd.dsplit(t3, [1])] == [(2, 3, 1), (2, 3, 3)]
    assert [p.shape for p in m.hsplit(sections=2)] == [(3, 2), (3, 2)]


@pytest.mark.parametrize(
    ("call", "exc", "msg"),
    [
        (
            lambda v, m: v.split([2, 2]),
            RuntimeError,
            "split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's size at dimension 0), but got split_sizes=[2, 2]",
        ),
        (
            lambda v, m: ferrograd.split(m, [1, 1], dim=-1),
            RuntimeError,
            "split_with_sizes expects split_sizes to sum exactly to 4 (input tensor's size at dimension -1), but got split_sizes=[1, 1]",
        ),
        (
            lambda v, m: v.split(0),
            RuntimeError,
            "split_size can only be 0 if dimension size is 0, but got dimension size of 5",
        ),
        (
            lambda v, m: v.split(-1),
            RuntimeError,
            "split expects split_size be non-negative, but got split_size=-1",
        ),
        (
            lambda v, m: v.split(2, dim=1),
            IndexError,
            "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
        ),
        (
            lambda v, m: ferrograd.tensor(1).split(1),
            RuntimeError,
            "split expects at least a 1-dimensional tensor",
        ),
        (
            lambda v, m: m.split([1, -2, 4]),
            RuntimeError,
            "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[1, -2, 4]",
        ),
        (
            lambda v, m: v.split(2.0),
            TypeError,
            "split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, not float",
        ),
        (
            lambda v, m: m.split(ferrograd.tensor([1, 2])),
            TypeError,
            "split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, not Tensor",
        ),
        (
            lambda v, m: v.tensor_split(0),
            RuntimeError,
            "number of sections must be larger than 0, got 0",
        ),
        (
            lambda v, m: v.tensor_split(ferrograd.tensor([1.0, 3.0])),
            RuntimeError,
            "tensor_split expected tensor_indices_or_sections to have dtype of long, but got Float",
        ),
        (
            lambda v, m: v.tensor_split(ferrograd.tensor([[1, 3]])),
            RuntimeError,
            "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with 2 dims",
        ),
        (
            lambda v, m: ferrograd.tensor(3).tensor_split(2),
            RuntimeError,
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims",
        ),
        (
            lambda v, m: m.tensor_split(2, 5),
            IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got 5)",
        ),
        (
            lambda v, m: v.chunk(0),
            RuntimeError,
            "chunk expects `chunks` to be greater than 0, got: 0",
        ),
        (
            lambda v, m: ferrograd.tensor(1).chunk(1),
            RuntimeError,
            "chunk expects at least a 1-dimensional tensor",
        ),
        (
            lambda v, m: v.chunk(2.0),
            TypeError,
            "chunk(): argument 'chunks' (position 1) must be int, not float",
        ),
        (
            lambda v, m: m.unbind(2),
            IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
        ),
        (
            lambda v, m: ferrograd.tensor(1).unbind(),
            IndexError,
            "Dimension specified as 0 but tensor has no dimensions",
        ),
        (
            lambda v, m: ferrograd.hsplit(v, 2),
            RuntimeError,
            "torch.hsplit attempted to split along dimension 0, but the size of the dimension 5 is not divisible by the split_size 2!",
        ),
        (
            lambda v, m: ferrograd.tensor(1).hsplit(1),
            RuntimeError,
            "torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 dimensions!",
        ),
        (
            lambda v, m: v.vsplit(1),
            RuntimeError,
            "torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with 1 dimensions!",
        ),
        (
            lambda v, m: m.dsplit(2),
            RuntimeError,
            "torch.dsplit requires a tensor with at least 3 dimension, but got a tensor with 2 dimensions!",
        ),
    ],
)
def test_split_errors(call, exc, msg):
    with raises(exc, msg):
        call(ferrograd.arange(5), ferrograd.arange(12).view(3, 4))
