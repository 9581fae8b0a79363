"""Sorting, searching and counting: sort/argsort/msort/topk, unique/unique_consecutive,
searchsorted/bucketize, bincount/histc/histogram. Checked against numpy (stable sorts,
np.unique, np.searchsorted, np.bincount, np.histogram) and hand-derived values."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest

NAN = float("nan")
INF = float("inf")


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def t(values, dtype=None):
    return ferrograd.tensor(values, dtype=dtype)


def same(x, a):
    assert tuple(x.shape) == np.shape(a)
    np.testing.assert_array_equal(x.numpy(), np.asarray(a))


# ---------------------------------------------------------------- sort / argsort / msort


def test_sort_puts_nan_last_and_is_stable():
    y = t([3.0, NAN, 1.0, 3.0, -INF, NAN, 2.0])
    values, indices = y.sort()
    assert indices.tolist() == [4, 2, 6, 0, 3, 1, 5]  # ties (3, nan) keep their order
    assert values.tolist()[:5] == [-INF, 1, 2, 3, 3] and np.isnan(values.tolist()[5:]).all()
    r = ferrograd.sort(y, 0, True)
    assert r.indices.tolist() == [1, 5, 0, 3, 6, 2, 4]  # descending: NaN first, ties in order
    assert type(r).__name__ == "sort" and r.values is r[0]
    assert y.argsort(descending=True).tolist() == [1, 5, 0, 3, 6, 2, 4]
    assert ferrograd.argsort(y, dim=0, stable=True).tolist() == [4, 2, 6, 0, 3, 1, 5]
    assert t([-0.0, 0.0, -0.0]).sort().indices.tolist() == [0, 1, 2]


def test_sort_along_dims_matches_numpy_stable_sort():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 5, size=(4, 5, 6)).astype(np.float32)
    x = ferrograd.tensor(a)
    for dim in (0, 1, 2, -1):
        v, i = x.sort(dim=dim)
        np.testing.assert_array_equal(i.numpy(), np.argsort(a, axis=dim, kind="stable"))
        np.testing.assert_array_equal(v.numpy(), np.sort(a, axis=dim, kind="stable"))
    # Non-contiguous inputs keep their layout in the result, as in PyTorch.
    v, i = x.transpose(0, 2).sort(1)
    assert v.stride() == x.transpose(0, 2).stride() and i.stride() == v.stride()
    np.testing.assert_array_equal(v.numpy(), np.sort(a.transpose(2, 1, 0), axis=1))
    v, _ = x[:, ::2, 1:].sort(0, descending=True)
    np.testing.assert_array_equal(v.numpy(), -np.sort(-a[:, ::2, 1:], axis=0))
    e = ferrograd.tensor([2.0, 1.0]).expand(3, 2)
    assert e.sort(0).indices.tolist() == [[0, 0], [1, 1], [2, 2]]
    assert ferrograd.msort(t([[3, 1], [1, 2]])).tolist() == [[1, 1], [3, 2]]


def test_sort_large_and_every_dtype():
    n = 100_000
    a = np.random.default_rng(1).integers(-1000, 1000, n).astype(np.int64)
    v, i = ferrograd.tensor(a).sort()
    np.testing.assert_array_equal(i.numpy(), np.argsort(a, kind="stable"))
    for dt in (
        ferrograd.bool,
        ferrograd.uint8,
        ferrograd.int8,
        ferrograd.int16,
        ferrograd.int32,
        ferrograd.float16,
        ferrograd.bfloat16,
        ferrograd.float64,
    ):
        v, i = t([1, 0, 1, 0]).to(dt).sort()
        assert v.dtype == dt and i.dtype == ferrograd.int64
        assert i.tolist() == [1, 3, 0, 2]


def test_sort_edge_cases():
    s = ferrograd.tensor(5.0).sort()
    assert s.values.tolist() == 5.0 and s.indices.tolist() == 0
    with raises(
        IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    ):
        ferrograd.tensor(5.0).sort(dim=1)
    z = ferrograd.zeros(2, 0).sort()
    assert z.values.shape == (2, 0) and z.indices.dtype == ferrograd.int64
    assert ferrograd.zeros(2, 0).sort(0).indices.shape == (2, 0)


# ---------------------------------------------------------------- topk


def test_topk():
    y = t([3.0, NAN, 1.0, 3.0, -INF, NAN, 2.0])
    r = y.topk(3)
    assert r.indices.tolist() == [1, 5, 3] and type(r).__name__ == "topk"
    assert y.topk(3, largest=False).indices.tolist() == [4, 2, 6]
    # Ties come out as libstdc++'s selection leaves them in PyTorch's kernel.
    assert t([1, 3, 3, 2, 3]).topk(2).indices.tolist() == [2, 4]
    assert t([1, 3, 3, 2, 3]).topk(2, largest=False).indices.tolist() == [0, 3]
    m = t([[1, 5, 2], [7, 0, 3]])
    r = m.topk(1, dim=0)
    assert r.values.tolist() == [[7, 5, 3]] and r.indices.tolist() == [[1, 0, 1]]
    r = ferrograd.topk(m, 2, 1, False, True)
    assert r.values.tolist() == [[1, 2], [0, 3]] and r.indices.tolist() == [[0, 2], [1, 2]]
    r = m.t().topk(2, dim=0)  # non-contiguous
    assert r.values.tolist() == [[5, 7], [2, 3]]
    assert y.topk(0).values.shape == (0,)
    assert ferrograd.tensor(5.0).topk(1).values.tolist() == 5.0
    # Large k against numpy (distinct values, so no ties).
    a = np.random.default_rng(2).permutation(1000).astype(np.float64)
    top = ferrograd.tensor(a).topk(10)
    np.testing.assert_array_equal(top.values.numpy(), np.sort(a)[::-1][:10])
    np.testing.assert_array_equal(top.indices.numpy(), np.argsort(-a)[:10])


def test_topk_errors():
    y = t([1.0, 2.0])
    with raises(RuntimeError, "selected index k out of range"):
        y.topk(3)
    with raises(RuntimeError, "selected index k out of range"):
        y.topk(-1)
    with raises(NotImplementedError, "topk does not support bool dtypes on CPU"):
        t([True, False]).topk(1)


# ---------------------------------------------------------------- unique


def test_unique_matches_numpy():
    a = np.array([5, 3, 9, 1, 3, 5, 100, -4])
    vals, inv, counts = ferrograd.unique(t(a), return_inverse=True, return_counts=True)
    e_vals, e_inv, e_counts = np.unique(a, return_inverse=True, return_counts=True)
    same(vals, e_vals)
    same(inv, e_inv)
    same(counts, e_counts)
    # sorted=False still sorts on the CPU, as in PyTorch.
    same(t(a).unique(sorted=False), e_vals)
    m = np.array([[1, 2], [1, 2], [0, 5]])
    v, i = ferrograd.unique(t(m), return_inverse=True)
    same(v, [0, 1, 2, 5])
    same(i, [[1, 2], [1, 2], [0, 3]])  # the inverse has the input's shape
    _, i, _ = t(m).t().unique(return_inverse=True, return_counts=True)
    same(i, [[1, 1, 0], [2, 2, 3]])


def test_unique_along_a_dim():
    m = t([[1, 2], [1, 2], [0, 5]])
    v, i, c = ferrograd.unique(m, dim=0, return_inverse=True, return_counts=True)
    assert v.tolist() == [[0, 5], [1, 2]] and i.tolist() == [1, 1, 0] and c.tolist() == [1, 2]
    v, i, c = ferrograd.unique(m, dim=1, return_inverse=True, return_counts=True)
    assert v.tolist() == [[1, 2], [1, 2], [0, 5]] and i.tolist() == [0, 1] and c.tolist() == [1, 1]
    assert ferrograd.unique(t([[9, 1], [5, 3], [9, 1]]), sorted=False, dim=0).tolist() == [
        [5, 3],
        [9, 1],
    ]
    v, i, c = ferrograd.unique(
        ferrograd.zeros(0, 2), dim=0, return_inverse=True, return_counts=True
    )
    assert v.shape == (0, 2) and i.shape == (0,) and c.shape == (0,)
    with raises(
        RuntimeError,
        "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied",
    ):
        ferrograd.unique(ferrograd.zeros(0, 2), dim=1)


def test_unique_nan_bool_scalar_empty():
    v, c = ferrograd.unique(t([1.0, NAN, NAN, 0.0]), return_counts=True)
    assert (
        v.tolist()[:2] == [0.0, 1.0]
        and np.isnan(v.tolist()[2:]).all()
        and c.tolist() == [1, 1, 1, 1]
    )
    v, c = t([True, False, True]).unique(return_counts=True)
    assert v.tolist() == [False, True] and c.tolist() == [1, 2]
    v, i = ferrograd.unique(ferrograd.tensor(3), return_inverse=True)
    assert v.tolist() == [3] and i.shape == () and i.item() == 0
    with raises(IndexError, "Dimension specified as 0 but tensor has no dimensions"):
        ferrograd.unique(ferrograd.tensor(3), dim=0)
    v, i, c = ferrograd.unique(t([]), return_inverse=True, return_counts=True)
    assert v.shape == (0,) and i.dtype == ferrograd.int64 and c.shape == (0,)


def test_unique_consecutive():
    x = t([1, 1, 2, 2, 3, 1, 1, 2])
    v, i, c = ferrograd.unique_consecutive(x, return_inverse=True, return_counts=True)
    assert v.tolist() == [1, 2, 3, 1, 2]
    assert i.tolist() == [0, 0, 1, 1, 2, 3, 3, 4] and c.tolist() == [2, 2, 1, 2, 1]
    assert x.unique_consecutive().tolist() == [1, 2, 3, 1, 2]
    m = t([[1, 2], [1, 2], [0, 5]])
    v, i, c = ferrograd.unique_consecutive(m, dim=0, return_inverse=True, return_counts=True)
    assert v.tolist() == [[1, 2], [0, 5]] and i.tolist() == [0, 0, 1] and c.tolist() == [2, 1]
    assert ferrograd.unique_consecutive(t([[9, 1], [5, 3], [9, 1]]), dim=1).tolist() == [
        [9, 1],
        [5, 3],
        [9, 1],
    ]


# ---------------------------------------------------------------- searchsorted / bucketize


def test_searchsorted_matches_numpy():
    s = np.array([1.0, 3, 5, 7, 9], dtype=np.float32)
    v = np.array([3.0, 6, 9, 10, 0], dtype=np.float32)
    same(ferrograd.searchsorted(t(s), t(v)), np.searchsorted(s, v))
    same(ferrograd.searchsorted(t(s), t(v), right=True), np.searchsorted(s, v, side="right"))
    same(ferrograd.searchsorted(t(s), t(v), side="right"), np.searchsorted(s, v, side="right"))
    r = ferrograd.searchsorted(t(s), 6.5, out_int32=True)
    assert r.dtype == ferrograd.int32 and r.shape == () and r.item() == 3
    same(ferrograd.searchsorted(t(s), t([[3.0, 6], [9, 10]])), [[1, 3], [4, 5]])
    same(ferrograd.searchsorted(t(s), t([3, 6])), [1, 3])  # int values against float boundaries
    # One row of boundaries per row of values.
    same(ferrograd.searchsorted(t([[1, 3, 5], [2, 4, 6]]), t([[3], [3]])), [[1], [1]])
    # A sorter gives the sorted order of unsorted boundaries.
    same(ferrograd.searchsorted(t([5.0, 1, 3]), t([2.0, 4]), sorter=t([1, 2, 0])), [1, 2])
    # NaN goes past every boundary; NaN boundaries sit at the end.
    same(ferrograd.searchsorted(t(s), t([NAN, 3.0])), [5, 1])
    same(ferrograd.searchsorted(t([1.0, NAN]), t([NAN, 3.0])), [2, 2])
    # Non-contiguous boundaries and values.
    b = t([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]).t()  # rows [1, 3, 5] and [2, 4, 6]
    same(
        ferrograd.searchsorted(b, t([[4.0, 4.0], [0.0, 7.0]])[:, :1].expand(2, 2)), [[2, 2], [0, 0]]
    )


def test_searchsorted_errors():
    s = t([1.0, 3.0, 5.0])
    v = t([2.0])
    with raises(
        RuntimeError,
        "torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True",
    ):
        ferrograd.searchsorted(s, v, side="left", right=True)
    with raises(
        RuntimeError, "torch.searchsorted(): side can only be 'left' or 'right' but got foo"
    ):
        ferrograd.searchsorted(s, v, side="foo")
    with raises(
        RuntimeError,
        "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor [2, 3] and input value tensor [3, 1]",
    ):
        ferrograd.searchsorted(t([[1, 3, 5], [2, 4, 6]]), t([[3], [3], [3]]))
    with raises(
        RuntimeError,
        "torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor [3]and got sorter tensor [2]",
    ):
        ferrograd.searchsorted(s, v, sorter=t([1, 2]))
    with raises(RuntimeError, "torch.searchsorted(): sorter index out of range"):
        ferrograd.searchsorted(s, v, sorter=t([1, 2, 5]))
    with raises(
        RuntimeError,
        "torch.searchsorted(): sorter must be a tensor of long dtype but got dtype Float",
    ):
        ferrograd.searchsorted(s, v, sorter=t([1.0, 2, 0]))
    with raises(
        RuntimeError,
        "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension",
    ):
        ferrograd.searchsorted(ferrograd.tensor(1.0), t([3.0]))


def test_bucketize():
    s = t([1.0, 3, 5, 7, 9])
    same(ferrograd.bucketize(t([3.0, 6, 9, 10, 0]), s), [1, 3, 4, 5, 0])
    r = ferrograd.bucketize(t([3.0, 6, 9, 10, 0]), s, right=True, out_int32=True)
    assert r.dtype == ferrograd.int32 and r.tolist() == [2, 3, 5, 5, 0]
    assert ferrograd.bucketize(3, s).item() == 1
    with raises(RuntimeError, "boundaries tensor must be 1 dimension, but got dim(2)"):
        ferrograd.bucketize(t([3]), s.reshape(1, 5))


# ---------------------------------------------------------------- bincount / histc / histogram


def test_bincount_matches_numpy():
    a = np.array([0, 1, 1, 3])
    same(ferrograd.bincount(t(a)), np.bincount(a))
    same(t(a).bincount(minlength=6), np.bincount(a, minlength=6))
    w = np.array([0.5, 1, 1, 2], dtype=np.float32)
    r = ferrograd.bincount(t(a), weights=t(w))
    assert r.dtype == ferrograd.float32 and r.tolist() == [0.5, 2, 0, 2]
    r = ferrograd.bincount(t(a), weights=t([1, 1, 1, 2]))
    assert r.dtype == ferrograd.float64 and r.tolist() == [1, 2, 0, 2]
    assert ferrograd.bincount(t([0, 1], dtype=ferrograd.uint8)).tolist() == [1, 1]
    assert ferrograd.bincount(t([], dtype=ferrograd.int64), minlength=3).tolist() == [0, 0, 0]
    assert ferrograd.bincount(t([2, 0, 2])[::2]).tolist() == [0, 0, 2]


def test_bincount_errors():
    with raises(RuntimeError, "bincount only supports 1-d non-negative integral inputs."):
        ferrograd.bincount(t([0, -1]))
    with raises(RuntimeError, "bincount only supports 1-d non-negative integral inputs."):
        ferrograd.bincount(t([[0, 1]]))
    with raises(NotImplementedError, "\"bincount_cpu\" not implemented for 'Float'"):
        ferrograd.bincount(t([0.0, 1.0]))
    with raises(NotImplementedError, "\"bincount_cpu\" not implemented for 'Bool'"):
        ferrograd.bincount(t([True, False]))
    with raises(RuntimeError, "weights should be 1-d and have the same length as input"):
        ferrograd.bincount(t([0, 1]), weights=t([1.0]))
    with raises(RuntimeError, "minlength should be >= 0"):
        ferrograd.bincount(t([1]), minlength=-1)


def test_histc():
    h = t([1.0, 2, 1, 2.5, 4, NAN, -1])
    # bins of width 0.75 over [0, 3]: 1, 1 -> bin 1; 2 -> 2; 2.5 -> 3; 4, -1, nan ignored.
    assert ferrograd.histc(h, bins=4, min=0, max=3).tolist() == [0, 2, 1, 1]
    # min == max: the data's range; a constant input widens by one each way.
    assert t([1.0, 2, 1]).histc(bins=4).tolist() == [2, 0, 0, 1]
    assert t([1.0, 1, 1]).histc(bins=4).tolist() == [0, 0, 3, 0]
    assert t([0.0, 0.1, 0.2, 0.3, 0.7, 1.0]).histc(3, 0, 1).tolist() == [4, 0, 2]
    r = t([1.0, 2, 1]).double().histc(4)
    assert r.dtype == ferrograd.float64 and r.tolist() == [2, 0, 0, 1]
    assert t([1.0, 2, 1]).half().histc(4).dtype == ferrograd.float16
    assert t([]).histc(4).tolist() == [0, 0, 0, 0]


def test_histc_errors():
    with raises(RuntimeError, "torch.histc: range of [-nan, -nan] is not finite"):
        t([1.0, NAN]).histc(bins=4)
    with raises(RuntimeError, "torch.histc: range of [nan, 1] is not finite"):
        t([1.0]).histc(bins=4, min=NAN, max=1)
    with raises(RuntimeError, "torch.histc: range of [1, inf] is not finite"):
        t([1.0, 2, INF]).histc(bins=4)
    with raises(RuntimeError, "torch.histc: max must be larger than min"):
        t([1.0]).histc(bins=4, min=3, max=1)
    with raises(RuntimeError, "torch.histogram(): bins must be > 0, but got -1 for dimension 0"):
        t([1.0]).histc(bins=-1)
    with raises(NotImplementedError, "\"histogram_cpu\" not implemented for 'Long'"):
        t([1, 2]).histc(bins=4)


def test_histogram_matches_numpy():
    a = np.array([1.0, 2, 1, 4, 0.3, 3.9], dtype=np.float64)
    for bins, rng in ((3, None), (4, (0.0, 3.0)), (5, (1.0, 4.0))):
        hist, edges = ferrograd.histogram(t(a), bins, range=rng)
        e_hist, e_edges = np.histogram(a, bins, range=rng)
        same(hist, e_hist.astype(np.float64))
        np.testing.assert_allclose(edges.numpy(), e_edges)
    w = np.array([1.0, 2, 3, 4, 5, 6])
    hist, edges = t(a).histogram(
        t([0.0, 1.5, 5], dtype=ferrograd.float64), weight=t(w), density=True
    )
    e_hist, _ = np.histogram(a, [0.0, 1.5, 5], weights=w, density=True)
    np.testing.assert_allclose(hist.numpy(), e_hist)
    r = ferrograd.histogram(t([1.0, 1.0]), bins=2)
    assert type(r).__name__ == "histogram"
    assert r.hist.tolist() == [0, 2] and r.bin_edges.tolist() == [0.5, 1.0, 1.5]
    assert ferrograd.histogram(t([]), bins=2).bin_edges.tolist() == [0.0, 0.5, 1.0]
    two_d = ferrograd.histogram(t([[1.0, 2], [3, 4]]).t(), bins=2)
    assert two_d.hist.tolist() == [2, 2]


def test_histogram_errors():
    x = t([1.0, 2.0])
    with raises(
        RuntimeError,
        "torch.histogramdd: input tensor and bins tensors should have the same dtype, but got input with dtype float and bins for dimension 0 with dtype double",
    ):
        ferrograd.histogram(x, t([0.0, 1.5, 5]).double())
    with raises(
        RuntimeError,
        "torch.histogramdd: bins tensor should have one dimension, but got 2 dimensions in the bins tensor for dimension 0",
    ):
        ferrograd.histogram(x, t([[0.0, 1.5, 5]]))
    with raises(NotImplementedError, "\"histogramdd\" not implemented for 'Long'"):
        ferrograd.histogram(t([1, 2]), bins=3)
    with raises(RuntimeError, "torch.histogramdd: dimension 0's range [nan, nan] is not finite"):
        ferrograd.histogram(t([1.0, NAN]), bins=3)
    with raises(
        RuntimeError,
        "torch.histogramdd: min should not exceed max, but got min 3 max 1 for dimension 0",
    ):
        ferrograd.histogram(x, bins=3, range=(3.0, 1.0))
    with raises(
        RuntimeError,
        "torch.histogramdd: if weight tensor is provided, input tensor and weight tensor should have the same dtype, but got input(float), and weight(double)",
    ):
        ferrograd.histogram(x, bins=3, weight=x.double())
    with raises(
        RuntimeError,
        "torch.histogramdd: bins tensor should have at least 1 element, but got 0 elements in the bins tensor for dimension 0",
    ):
        ferrograd.histogram(x, t([]))
    with raises(RuntimeError, "torch.histogram(): bins must be > 0, but got 0 for dimension 0"):
        ferrograd.histogram(x, bins=0)
