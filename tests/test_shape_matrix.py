"""tril/triu (batched, in and out of place, out=), tril_indices/triu_indices, diag,
diag_embed, diagflat and trace, against numpy and PyTorch's recorded behaviour."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import DTYPE_NAMES, dtype, example_array, to_numpy, views


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


@given(views(min_dims=2, max_dims=4), st.integers(-4, 4))
def test_tril_triu_match_numpy(recipe, k):
    t, a = recipe.build()
    for op, ref in [("tril", np.tril), ("triu", np.triu)]:
        out = getattr(t, op)(k)
        np.testing.assert_array_equal(to_numpy(out), ref(a, k))
        assert out.is_contiguous()
        assert out.dtype == t.dtype


@given(views(min_dims=2, max_dims=4), st.integers(-4, 4))
def test_in_place_triangles_write_through_views(recipe, k):
    t, a = recipe.build()
    for op, ref in [("tril_", np.tril), ("triu_", np.triu)]:
        # A stepped view of a bigger buffer, transposed in its last two dims.
        big = ferrograd.zeros(*(2 * n + 1 for n in t.shape), dtype=t.dtype)
        view = big[tuple(slice(1, None, 2) for _ in t.shape)].mT
        view.copy_(t.mT)
        version = big._version
        assert getattr(view, op)(k) is view
        np.testing.assert_array_equal(to_numpy(view), ref(np.swapaxes(a, -1, -2), k))
        assert big._version > version
        # Nothing outside the view was written.
        rest = big.clone()
        rest[tuple(slice(1, None, 2) for _ in t.shape)] = 0
        assert not to_numpy(rest).any()


def test_tril_out_and_errors():
    m = ferrograd.arange(12).view(3, 4)
    out = ferrograd.empty(3, 4, dtype=ferrograd.int64)
    assert ferrograd.tril(m, diagonal=1, out=out) is out
    assert out.tolist() == [[0, 1, 0, 0], [4, 5, 6, 0], [8, 9, 10, 11]]
    x = m.clone()
    ferrograd.triu(x, out=x)
    assert x.tolist() == [[0, 1, 2, 3], [0, 5, 6, 7], [0, 0, 10, 11]]
    with raises(RuntimeError, "Expected out tensor to have dtype long int, but got float instead"):
        ferrograd.tril(m, out=ferrograd.empty(3, 4))
    with raises(RuntimeError, "tril: input tensor must have at least 2 dimensions"):
        ferrograd.arange(3).tril()
    with raises(RuntimeError, "triu: input tensor must have at least 2 dimensions"):
        ferrograd.tensor(1).triu_()
    with raises(
        RuntimeError, "unsupported operation: more than one element of the written-to tensor"
    ):
        ferrograd.zeros(3).expand(3, 3).tril_()


@pytest.mark.parametrize(
    ("row", "col", "offset"),
    [(3, 3, 0), (3, 4, 1), (4, 3, -1), (3, 3, 5), (3, 3, -5), (0, 3, 0), (1, 1, 0)],
)
def test_triangle_indices_match_numpy(row, col, offset):
    lower = ferrograd.tril_indices(row, col, offset)
    upper = ferrograd.triu_indices(row, col, offset=offset)
    assert lower.dtype == upper.dtype == ferrograd.int64
    assert (
        lower.tolist() == np.stack(np.tril_indices(row, offset, col)).tolist() or lower.numel() == 0
    )
    assert (
        upper.tolist() == np.stack(np.triu_indices(row, offset, col)).tolist() or upper.numel() == 0
    )
    assert lower.shape[0] == upper.shape[0] == 2


def test_triangle_indices_dtypes_and_errors():
    assert ferrograd.triu_indices(3, 3, dtype=ferrograd.int32).dtype == ferrograd.int32
    assert ferrograd.tril_indices(3, 3, offset=-5).shape == (2, 0)
    with raises(NotImplementedError, "\"triu_indices\" not implemented for 'Float'"):
        ferrograd.triu_indices(3, 3, dtype=ferrograd.float32)
    with raises(NotImplementedError, "\"tril_indices\" not implemented for 'Short'"):
        ferrograd.tril_indices(3, 3, dtype=ferrograd.int16)
    with raises(RuntimeError, "row must be non-negative, got-1"):
        ferrograd.tril_indices(-1, 3)
    with raises(RuntimeError, "col must be non-negative, got-1"):
        ferrograd.triu_indices(3, -1)


@given(views(min_dims=1, max_dims=2), st.integers(-3, 3))
def test_diag_and_diagflat_match_numpy(recipe, k):
    t, a = recipe.build()
    out = ferrograd.diag(t, k)
    np.testing.assert_array_equal(to_numpy(out), np.diag(a, k))
    if out.numel():
        assert out.untyped_storage().data_ptr() != t.untyped_storage().data_ptr()
    np.testing.assert_array_equal(to_numpy(t.diagflat(k)), np.diagflat(a, k))


@given(views(min_dims=1, max_dims=3), st.data())
def test_diag_embed_puts_the_last_dim_on_a_diagonal(recipe, data):
    t, a = recipe.build()
    offset = data.draw(st.integers(-2, 2))
    n = t.dim() + 1
    d1, d2 = data.draw(
        st.lists(st.integers(-n, n - 1), min_size=2, max_size=2).filter(
            lambda d: d[0] % n != d[1] % n
        )
    )
    out = t.diag_embed(offset, d1, d2)
    # Reading that diagonal back gives the input; everything else is zero.
    np.testing.assert_array_equal(to_numpy(out.diagonal(offset, d1, d2)), a)
    assert to_numpy(out).astype(np.float64).sum() == a.astype(np.float64).sum()


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_trace_accumulates_like_pytorch(name):
    a = example_array((3, 4), name)
    t = ferrograd.tensor(a, dtype=dtype(name))
    if name == "bool":
        with raises(NotImplementedError, "\"trace\" not implemented for 'Bool'"):
            t.trace()
        return
    out = ferrograd.trace(t.t())
    want = np.trace(a.astype(np.float64))
    expected_dtype = t.dtype if t.is_floating_point() else ferrograd.int64
    assert out.dtype == expected_dtype and out.dim() == 0
    assert out.item() == want


def test_diag_examples_and_errors():
    v = ferrograd.arange(3)
    assert ferrograd.diag(v, 1).shape == (4, 4)
    assert ferrograd.diag(ferrograd.empty(0), 2).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert ferrograd.diagflat(ferrograd.tensor(3)).tolist() == [[3]]
    assert ferrograd.trace(ferrograd.empty(0, 3)).item() == 0.0
    assert (
        ferrograd.trace(ferrograd.arange(12).view(3, 4).to(ferrograd.uint8)).dtype
        == ferrograd.int64
    )
    out = ferrograd.empty(3, 3, dtype=ferrograd.int64)
    assert ferrograd.diag(v, out=out) is out and out.tolist()[2] == [0, 0, 2]
    with raises(RuntimeError, "diag(): Supports 1D or 2D tensors. Got 3D"):
        ferrograd.diag(ferrograd.zeros(2, 2, 2))
    with raises(RuntimeError, "diag(): Supports 1D or 2D tensors. Got 0D"):
        ferrograd.diag(ferrograd.tensor(1))
    with raises(RuntimeError, "Expected out tensor to have dtype long int, but got float instead"):
        ferrograd.diag(v, out=ferrograd.empty(3, 3))
    with raises(
        RuntimeError, "diag: result type Float can't be cast to the desired out= type Bool"
    ):
        ferrograd.diag(v.float(), out=ferrograd.empty(3, 3, dtype=ferrograd.bool))
    with raises(RuntimeError, "diagonal dimensions cannot be identical 0, 0"):
        ferrograd.diag_embed(v, 0, 0, 0)
    with raises(
        IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got -2)"
    ):
        ferrograd.diag_embed(ferrograd.tensor(1))
    with raises(RuntimeError, "trace: expected a matrix, but got tensor with dim 1"):
        v.trace()
