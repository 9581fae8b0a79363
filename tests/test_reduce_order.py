"""Order statistics (median, nanmedian, mode, kthvalue, quantile, nanquantile) and cumulative
ops (cumsum, cumprod, cummax, cummin, logcumsumexp): values against numpy, and the indices PyTorch
picks among equal values (recorded from PyTorch)."""

from __future__ import annotations

import math
import re

import ferrograd
import numpy as np
import pytest

NAN = float("nan")
INF = float("inf")


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def pairs(r):
    return [r[0].tolist(), r[1].tolist()]


def same(a, b):
    """Lists equal with NaN == NaN."""
    return np.array_equal(
        np.array(a, dtype=np.float64), np.array(b, dtype=np.float64), equal_nan=True
    )


X = [[3.0, 1.0, 3.0, 1.0, 2.0, 2.0], [5.0, -1.0, 0.0, 5.0, 0.0, 7.0]]


# ---------------------------------------------------------------- selections with ties


def test_kthvalue_indices_follow_pytorchs_quickselect():
    x = ferrograd.tensor(X)
    got = [pairs(x.kthvalue(k, 1)) for k in range(1, 7)]
    assert got == [
        [[1.0, -1.0], [1, 1]],
        [[1.0, 0.0], [3, 4]],
        [[2.0, 0.0], [4, 2]],
        [[2.0, 5.0], [5, 0]],
        [[3.0, 5.0], [0, 3]],
        [[3.0, 7.0], [2, 5]],
    ]
    z = ferrograd.tensor([2.0, 5, 2, 5, 1, 2, 5, 7, 5, 2, 2, 5, 0, 1, 1, 2, 5, 5, 3, 3])
    assert [z.kthvalue(k).indices.item() for k in range(1, 21)] == [
        12,
        4,
        13,
        14,
        15,
        9,
        10,
        0,
        5,
        2,
        18,
        19,
        11,
        16,
        17,
        6,
        3,
        1,
        8,
        7,
    ]
    r = x.kthvalue(2, 0, keepdim=True)
    assert type(r).__name__ == "kthvalue" and r.values.shape == (1, 6)


def test_median_is_the_lower_median_with_the_first_index_among_ties():
    x = ferrograd.tensor(X)
    assert pairs(x.median(1)) == [[2.0, 0.0], [4, 4]]
    assert pairs(x.median(0)) == [[3.0, -1.0, 0.0, 1.0, 0.0, 2.0], [0, 1, 1, 0, 1, 0]]
    z = ferrograd.tensor([2.0, 5, 2, 5, 1, 2, 5, 7, 5, 2, 2, 5, 0, 1, 1, 2, 5, 5, 3, 3])
    assert pairs(z.median(0)) == [2.0, 15] and z.median().item() == 2.0
    assert ferrograd.tensor([4.0, 1.0, 3.0, 2.0]).median().item() == 2.0  # lower of 2 and 3
    a = np.random.default_rng(0).standard_normal((7, 31))
    t = ferrograd.tensor(a).t()
    vals, idx = t.median(1)  # rows of 7: the median is the 4th smallest
    want = np.sort(a.T, axis=1)[:, 3]
    assert vals.tolist() == want.tolist()
    assert np.array_equal(a.T[np.arange(31), np.array(idx.tolist())], want)


def test_median_and_nanmedian_with_nans():
    y = ferrograd.tensor([[1.0, NAN, 3.0, NAN, 0.0], [NAN] * 5, [4.0, 2.0, NAN, 2.0, 9.0]])
    v, i = y.median(1)
    assert same(v.tolist(), [NAN] * 3) and i.tolist() == [1, 0, 2]  # the first NaN
    v, i = y.nanmedian(1)
    assert same(v.tolist(), [1.0, NAN, 2.0]) and i.tolist() == [0, 2, 3]
    assert math.isnan(y.median().item()) and y.nanmedian().item() == 2.0
    assert type(y.nanmedian(0)).__name__ == "nanmedian"
    assert math.isnan(ferrograd.empty(0).median().item())


def test_mode_picks_the_smallest_most_frequent_value():
    x = ferrograd.tensor(X)
    assert pairs(x.mode(1)) == [[1.0, 0.0], [3, 4]]
    assert pairs(x.mode(0)) == [[3.0, -1.0, 0.0, 1.0, 0.0, 2.0], [0, 1, 1, 0, 1, 0]]
    z = ferrograd.tensor([2.0, 5, 2, 5, 1, 2, 5, 7, 5, 2, 2, 5, 0, 1, 1, 2, 5, 5, 3, 3])
    assert pairs(z.mode()) == [5.0, 1]
    assert pairs(ferrograd.tensor([True, True, False]).mode()) == [True, 1]
    assert pairs(ferrograd.tensor(2.0).mode(0, True)) == [2.0, 0]


def test_order_statistics_per_dtype():
    for name in ("uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float64"):
        t = ferrograd.tensor([[3, 1, 2], [5, 5, 4]], dtype=getattr(ferrograd, name))
        assert t.median(1).values.tolist() == [2, 5] and t.median(1).values.dtype == t.dtype
        assert t.kthvalue(1, 1).indices.tolist() == [1, 2]
        assert t.mode(1).values.tolist() == [1, 5]
        assert t.median().item() == 3


def test_order_statistic_errors():
    e = ferrograd.empty(2, 0, 3)
    with raises(IndexError, "median(): Expected reduction dim 1 to have non-zero size."):
        e.median(-2)
    with raises(IndexError, "median(): Expected reduction dim 1 to have non-zero size."):
        e.nanmedian(1)
    with raises(IndexError, "mode(): Expected reduction dim 1 to have non-zero size."):
        e.mode(1)
    with raises(IndexError, "kthvalue(): Expected reduction dim 1 to have non-zero size."):
        e.kthvalue(1, 1)
    assert e.mode().values.shape == (2, 0) and e.kthvalue(1).indices.shape == (2, 0)
    for k in (0, 4, -1):
        with raises(RuntimeError, "kthvalue(): selected number k out of range for dimension 0"):
            ferrograd.ones(3).kthvalue(k)
    with raises(NotImplementedError, "\"kthvalue_cpu\" not implemented for 'Bool'"):
        ferrograd.ones(3, dtype=ferrograd.bool).kthvalue(1)
    with raises(NotImplementedError, "\"median_out\" not implemented for 'Bool'"):
        ferrograd.ones(3, dtype=ferrograd.bool).median(0)
    with raises(
        IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    ):
        ferrograd.tensor(2.0).median(1)
    with pytest.raises(TypeError, match='missing 1 required positional arguments: "dim"'):
        ferrograd.ones(3).median(keepdim=True)


# ---------------------------------------------------------------- quantile


def test_quantile_matches_numpy_for_every_interpolation():
    rng = np.random.default_rng(7)
    a = rng.standard_normal((5, 8))
    t = ferrograd.tensor(a)
    qs = [0.0, 0.1, 0.25, 0.5, 0.8, 1.0]
    for method in ("linear", "lower", "higher", "midpoint", "nearest"):
        got = t.quantile(ferrograd.tensor(qs, dtype=ferrograd.float64), dim=1, interpolation=method)
        want = np.quantile(a, qs, axis=1, method=method)
        np.testing.assert_allclose(np.array(got.tolist()), want, rtol=1e-12, err_msg=method)
        got = t.quantile(0.3, interpolation=method)
        np.testing.assert_allclose(got.item(), np.quantile(a, 0.3, method=method), rtol=1e-12)


def test_quantile_recorded_values():
    # recorded from PyTorch (float32 arithmetic, including the rounding of the weights)
    x = ferrograd.tensor([[0.0, 1.0, 3.0, 9.0], [2.0, 4.0, 6.0, 10.0]])
    got = x.quantile(ferrograd.tensor([0.1, 0.5, 0.95]), dim=1)
    assert got.tolist() == [
        [0.30000001192092896, 2.5999999046325684],
        [2.0, 5.0],
        [8.09999942779541, 9.399999618530273],
    ]
    p = ferrograd.tensor([1.0, 2.0, 4.0, 8.0, 16.0])
    q = ferrograd.tensor([0.1, 0.375, 0.5, 0.625, 0.9])
    assert p.quantile(q).tolist() == [1.399999976158142, 3.0, 4.0, 6.0, 12.799999237060547]
    assert p.quantile(q, interpolation="nearest").tolist() == [
        1.0,
        4.0,
        4.0,
        4.0,
        16.0,
    ]  # ties to even
    assert p.quantile(q, interpolation="midpoint").tolist() == [1.5, 3.0, 4.0, 6.0, 12.0]


def test_quantile_shapes_and_nans():
    m = ferrograd.arange(12.0).reshape(3, 4)
    assert m.quantile(ferrograd.tensor([0.25, 0.5]), dim=1, keepdim=True).shape == (2, 3, 1)
    assert m.quantile(ferrograd.tensor([0.25, 0.5]), keepdim=True).shape == (2, 1, 1)
    assert m.quantile(0.5, dim=0).tolist() == [4.0, 5.0, 6.0, 7.0]
    y = ferrograd.tensor([[1.0, NAN, 3.0, NAN, 0.0], [NAN] * 5, [4.0, 2.0, NAN, 2.0, 9.0]])
    assert same(y.quantile(0.5, dim=1).tolist(), [NAN] * 3)
    assert same(y.nanquantile(0.25, dim=1).tolist(), [0.5, NAN, 2.0])
    assert ferrograd.tensor(5.0).quantile(0.3).item() == 5.0
    assert ferrograd.quantile(m, 1.0).item() == 11.0 and ferrograd.nanquantile(m, 0.0).item() == 0.0


def test_quantile_errors():
    x = ferrograd.ones(3)
    with raises(RuntimeError, "quantile() q must be in the range [0, 1] but got 1.5"):
        x.quantile(1.5)
    with raises(RuntimeError, "quantile() q values must be in the range [0, 1]"):
        x.quantile(ferrograd.tensor([0.5, 1.5]))
    with raises(RuntimeError, "quantile() q must be a scalar or 1D tensor"):
        x.quantile(ferrograd.ones(2, 2))
    with raises(RuntimeError, "quantile() q tensor must be same dtype as the input tensor"):
        x.quantile(ferrograd.tensor([0.5], dtype=ferrograd.float64))
    with raises(RuntimeError, "quantile() input tensor must be either float or double dtype"):
        ferrograd.ones(3, dtype=ferrograd.float16).quantile(0.5)
    with raises(RuntimeError, "quantile() input tensor must be either float or double dtype"):
        ferrograd.tensor([1, 2]).quantile(0.5)
    with raises(RuntimeError, "quantile() input tensor must be non-empty"):
        ferrograd.empty(0).nanquantile(0.5)
    with raises(
        RuntimeError,
        "quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, but got foo",
    ):
        x.quantile(0.5, interpolation="foo")


# ---------------------------------------------------------------- cumulative


def test_cumsum_cumprod_match_numpy_on_layouts():
    a = np.arange(1.0, 25.0).reshape(4, 6) / 7
    t = ferrograd.tensor(a)
    for view, ref in ((t, a), (t.t(), a.T), (t[::2, 1::2], a[::2, 1::2])):
        for dim in (0, 1, -1):
            np.testing.assert_allclose(
                as_list(view.cumsum(dim)), np.cumsum(ref, axis=dim), rtol=1e-12
            )
            np.testing.assert_allclose(
                as_list(view.cumprod(dim)), np.cumprod(ref, axis=dim), rtol=1e-12
            )
    big = np.random.default_rng(1).standard_normal((300, 200))
    tb = ferrograd.tensor(big)
    for dim in (0, 1):
        np.testing.assert_allclose(
            as_list(tb.cumsum(dim)), np.cumsum(big, axis=dim), rtol=1e-9, atol=1e-9
        )


def as_list(t):
    return np.array(t.tolist())


def test_cumsum_accumulates_like_pytorch():
    # float32 running sums are carried in float64 and rounded per element (recorded from PyTorch)
    assert ferrograd.full((10,), 0.1).cumsum(0).tolist() == [
        0.10000000149011612,
        0.20000000298023224,
        0.30000001192092896,
        0.4000000059604645,
        0.5,
        0.6000000238418579,
        0.699999988079071,
        0.800000011920929,
        0.9000000357627869,
        1.0,
    ]
    h = ferrograd.ones(3000, dtype=ferrograd.float16).cumsum(0).tolist()
    assert [h[2047], h[2048], h[2049], h[2999]] == [2048.0, 2048.0, 2050.0, 3000.0]
    i8 = ferrograd.tensor([[2, 3], [4, 5]], dtype=ferrograd.int8)
    assert i8.cumprod(1).tolist() == [[2, 6], [4, 20]] and i8.cumprod(1).dtype == ferrograd.int64
    assert ferrograd.tensor([True, True]).cumsum(0).tolist() == [1, 2]
    assert ferrograd.tensor([1, 2]).cumsum(0, dtype=ferrograd.int32).dtype == ferrograd.int32
    assert (
        ferrograd.tensor([1.5, 2.5]).cumsum(dim=0, dtype=ferrograd.float64).dtype
        == ferrograd.float64
    )
    assert ferrograd.tensor(3.0).cumsum(0).item() == 3.0
    assert ferrograd.cumsum(ferrograd.ones(2, 2), axis=1).tolist() == [[1.0, 2.0], [1.0, 2.0]]


def test_cummax_cummin_take_later_ties_and_nans():
    c = ferrograd.tensor([[1.0, NAN, 3.0, 3.0, 2.0], [0.5, -1.0, -1.0, 4.0, 4.0]])
    v, i = c.cummax(1)
    assert same(v.tolist(), [[1.0, NAN, NAN, NAN, NAN], [0.5, 0.5, 0.5, 4.0, 4.0]])
    assert i.tolist() == [[0, 1, 1, 1, 1], [0, 0, 0, 3, 4]]
    v, i = c.cummin(1)
    assert same(v.tolist(), [[1.0, NAN, NAN, NAN, NAN], [0.5, -1.0, -1.0, -1.0, -1.0]])
    assert i.tolist() == [[0, 1, 1, 1, 1], [0, 1, 2, 2, 2]]
    y = ferrograd.tensor([[3.0, 1.0, 3.0, 1.0, 2.0, 2.0]])
    assert y.cummax(1).indices.tolist() == [[0, 0, 2, 2, 2, 2]]
    assert type(y.cummin(0)).__name__ == "cummin"
    b = ferrograd.tensor([[True, False], [True, True]])
    assert pairs(b.cummax(0)) == [[[True, False], [True, True]], [[0, 0], [1, 1]]]


def test_logcumsumexp():
    x = ferrograd.tensor([0.0, 1.0, -INF, INF, 2.0])
    assert x.logcumsumexp(0).tolist() == [0.0, 1.31326162815094, 1.31326162815094, INF, INF]
    d = ferrograd.tensor([0.5, 1.5, -2.0], dtype=ferrograd.float64)
    assert d.logcumsumexp(0).tolist() == [0.5, 1.8132616875182228, 1.835097595516167]
    r = ferrograd.tensor([1.0, NAN, 3.0]).logcumsumexp(0).tolist()
    assert r[0] == 1.0 and math.isnan(r[1]) and math.isnan(r[2])
    with raises(NotImplementedError, "\"logcumsumexp_out_cpu\" not implemented for 'Long'"):
        ferrograd.tensor([1, 2]).logcumsumexp(0)


def test_cumulative_errors_and_empty():
    with raises(NotImplementedError, "\"cumsum_out_cpu\" not implemented for 'Bool'"):
        ferrograd.tensor([True]).cumsum(0, dtype=ferrograd.bool)
    with raises(
        IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    ):
        ferrograd.ones(3).cumsum(1)
    e = ferrograd.empty(2, 0, 3)
    assert e.cumsum(1).shape == (2, 0, 3) and e.cummax(2).indices.shape == (2, 0, 3)
    with pytest.raises(TypeError):
        ferrograd.ones(3).cumsum()
