"""Sum-like reductions and extremes (sum, nansum, mean, nanmean, prod, all, any, count_nonzero,
max/min, amax/amin, aminmax, argmax/argmin) against numpy and hand-derived values, with
PyTorch's result dtypes, edge cases and error messages."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest

NAN = float("nan")


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def arr(t) -> np.ndarray:
    return np.array(t.tolist(), dtype=np.float64) if t.ndim else np.float64(t.item())


@pytest.fixture
def m():
    # [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    return ferrograd.arange(12.0).reshape(3, 4)


def layouts(a: np.ndarray):
    """The same values through different memory layouts: contiguous, transposed, stepped,
    expanded (stride 0)."""
    t = ferrograd.tensor(a)
    yield "contiguous", t, a
    yield "transposed", ferrograd.tensor(np.ascontiguousarray(a.T)).t(), a
    big = np.zeros((a.shape[0] * 2, a.shape[1] * 3), dtype=a.dtype)
    big[::2, ::3] = a
    yield "stepped", ferrograd.tensor(big)[::2, ::3], a
    row = ferrograd.tensor(a[:1])
    yield "expanded", row.expand(a.shape[0], a.shape[1]), np.broadcast_to(a[:1], a.shape)


# ---------------------------------------------------------------- sum / mean / prod


@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 1), (1, 0), [0], ()])
def test_sum_and_mean_match_numpy_on_every_layout(dim):
    a = np.arange(35, dtype=np.float32).reshape(5, 7) * 0.5 - 3.0
    # PyTorch's sum(dim=()) reduces every dim, like numpy's axis=None
    axis = tuple(dim) if isinstance(dim, (list, tuple)) and dim else (None if dim == () else dim)
    for name, t, ref in layouts(a):
        for keepdim in (False, True):
            got = t.sum(dim, keepdim=keepdim)
            want = ref.sum(axis=axis, keepdims=keepdim)
            assert got.shape == want.shape, name
            np.testing.assert_allclose(arr(got), want, rtol=1e-6, err_msg=name)
            got = t.mean(dim, keepdim=keepdim)
            np.testing.assert_allclose(arr(got), ref.mean(axis=axis, keepdims=keepdim), rtol=1e-6)


def test_sum_of_three_dims_and_of_size_one_dims():
    a = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    t = ferrograd.tensor(a).permute(2, 0, 3, 1)
    b = a.transpose(2, 0, 3, 1)
    for dims in [(0, 2), (1, 3), (0, 1, 3), (2,), (-1, -3)]:
        np.testing.assert_allclose(arr(t.sum(dims)), b.sum(axis=dims))
    one = ferrograd.ones(1, 5, 1)
    assert one.sum((0, 2)).tolist() == [1.0] * 5
    assert one.sum(1, keepdim=True).shape == (1, 1, 1)


def test_result_dtypes():
    for name in ["bool", "uint8", "int8", "int16", "int32", "int64"]:
        t = ferrograd.ones(3, dtype=getattr(ferrograd, name))
        assert t.sum().dtype == ferrograd.int64 and t.sum().item() == 3
        assert t.prod().dtype == ferrograd.int64 and t.prod().item() == 1
        assert t.nansum().dtype == ferrograd.int64
    for name in ["float16", "bfloat16", "float32", "float64"]:
        t = ferrograd.ones(3, dtype=getattr(ferrograd, name))
        for op in ("sum", "nansum", "mean", "nanmean", "prod"):
            assert getattr(t, op)().dtype == t.dtype
    x = ferrograd.tensor([100, 100], dtype=ferrograd.int8)
    # 200 wraps to -56 in int8, as C++ integer arithmetic does
    assert x.sum(dtype=ferrograd.int8).item() == -56
    assert ferrograd.tensor([True, True]).sum(dtype=ferrograd.bool).item() is True
    assert ferrograd.tensor([1.5, 2.5]).sum(dtype=ferrograd.int32).item() == 3  # cast, then sum
    assert ferrograd.tensor([1, 2]).mean(dtype=ferrograd.float64).item() == 1.5
    assert (
        ferrograd.sum(ferrograd.ones(2, 3), 0, True, dtype=ferrograd.float64).dtype
        == ferrograd.float64
    )
    assert ferrograd.ones(2, 3).sum(axis=1).tolist() == [3.0, 3.0]


def test_mean_of_integers_needs_a_float_dtype():
    with raises(
        NotImplementedError,
        "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long",
    ):
        ferrograd.tensor([1, 2]).mean()
    with raises(
        NotImplementedError,
        "mean(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype. Got: Long",
    ):
        ferrograd.tensor([1.0, 2.0]).mean(dtype=ferrograd.int64)
    with raises(
        NotImplementedError,
        "nanmean(): expected input to have floating point or complex dtype but got Byte",
    ):
        ferrograd.tensor([1, 2], dtype=ferrograd.uint8).nanmean()


def test_empty_reductions_give_identities():
    e = ferrograd.empty(0, 3)
    assert e.sum().item() == 0.0 and e.prod().item() == 1.0
    assert e.sum(0).tolist() == [0.0] * 3 and e.prod(0).tolist() == [1.0] * 3
    assert np.isnan(e.mean().item()) and np.isnan(e.nanmean().item())
    assert e.sum(1).shape == (0,) and e.mean(1).shape == (0,)
    assert e.all().item() is True and e.any().item() is False
    assert e.count_nonzero(0).tolist() == [0, 0, 0]


def test_zero_dim_tensors_reduce_over_dim_0_or_minus_1():
    s = ferrograd.tensor(5.0)
    for dim in (0, -1, (0,), None):
        assert s.sum(dim).item() == 5.0 and s.sum(dim).shape == ()
    assert s.sum(0, keepdim=True).shape == ()
    assert s.prod(0).item() == 5.0 and s.mean().item() == 5.0
    with raises(
        IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    ):
        s.sum(1)


def test_dim_errors(m):
    with raises(RuntimeError, "dim 0 appears multiple times in the list of dims"):
        m.sum((0, -2))
    with raises(
        IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 5)"
    ):
        m.sum((0, 5))
    with pytest.raises(TypeError):
        m.sum("a")
    with pytest.raises(TypeError):
        m.prod((0, 1))  # prod takes a single dim


def test_nan_handling_in_sums():
    x = ferrograd.tensor([[1.0, NAN, 3.0, NAN], [2.0, 2.0, 1.0, 2.0]])
    assert x.nansum(1).tolist() == [4.0, 7.0]
    assert x.nanmean(1).tolist() == [2.0, 1.75]
    s = x.sum(1).tolist()
    assert np.isnan(s[0]) and s[1] == 7.0
    assert np.isnan(ferrograd.tensor([NAN, NAN]).nanmean().item())
    assert np.isnan(ferrograd.tensor([float("inf"), -float("inf")]).sum().item())
    p = x.prod(1).tolist()
    assert np.isnan(p[0]) and p[1] == 8.0


def test_half_types_accumulate_in_float32():
    # An float16 accumulator would stop at 2048 (2048 + 1 rounds back to 2048).
    assert ferrograd.ones(3000, dtype=ferrograd.float16).sum().item() == 3000.0
    assert ferrograd.ones(70000, dtype=ferrograd.float16).mean().item() == 1.0
    # the sum itself (70000) is past float16's range
    assert ferrograd.ones(70000, dtype=ferrograd.float16).sum().item() == float("inf")
    # bfloat16 rounds the exact 3000 to its nearest value, 3008
    assert ferrograd.ones(3000, dtype=ferrograd.bfloat16).sum().item() == 3008.0
    # float16 products round after every step, as PyTorch's float16 kernel does:
    # 1.0009765625 ** 100 = 1.1024 (1.1025390625 in float16); rounding at each step loses
    # about 0.004 (PyTorch gives 1.09765625; the last bit depends on the order of products)
    h = ferrograd.full((100,), 1.0009765625, dtype=ferrograd.float16)
    assert abs(h.prod().item() - 1.09765625) <= 2**-10


def test_large_float32_sums_stay_accurate():
    rng = np.random.default_rng(0)
    a = rng.random(4 * 1024 * 1024, dtype=np.float32)
    t = ferrograd.from_numpy(a)
    exact = a.astype(np.float64).sum()
    assert abs(t.sum().item() - exact) / exact < 1e-6
    m = a.reshape(2048, 2048)
    tm = ferrograd.from_numpy(m)
    for dim in (0, 1):
        want = m.astype(np.float64).sum(axis=dim)
        got = np.array(tm.sum(dim).tolist())
        assert np.max(np.abs(got - want) / want) < 1e-6
        np.testing.assert_allclose(np.array(tm.mean(dim).tolist()), want / 2048, rtol=1e-6)


@pytest.mark.parametrize(
    "name", ["uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float64"]
)
def test_sum_prod_mean_per_dtype(name):
    a = np.array([[1, 2, 3], [4, 5, 6]])
    t = ferrograd.tensor(a.tolist(), dtype=getattr(ferrograd, name))
    assert t.sum(0).tolist() == [5, 7, 9] and t.sum(1).tolist() == [6, 15]
    assert t.prod(1).tolist() == [6, 120]
    if t.dtype.is_floating_point:
        assert t.mean(1).tolist() == [2.0, 5.0]


# ---------------------------------------------------------------- all / any / count_nonzero


def test_all_any_count_nonzero():
    x = ferrograd.tensor([[0.0, 1.0, NAN], [2.0, 3.0, -0.0]])
    assert x.all().item() is False and x.any().item() is True
    assert x.all(0).tolist() == [False, True, False]
    assert x.any(1, keepdim=True).tolist() == [[True], [True]]
    assert x.all(dim=(0, 1)).item() is False
    assert x.all(dim=()).tolist() == [[False, True, True], [True, True, False]]  # no reduction
    assert x.count_nonzero().item() == 4 and x.count_nonzero(0).tolist() == [1, 2, 1]
    assert x.count_nonzero((0, 1)).dtype == ferrograd.int64
    u = ferrograd.tensor([0, 3], dtype=ferrograd.uint8)
    assert u.all().dtype == ferrograd.uint8 and u.any().item() == 1
    assert ferrograd.tensor([0, 3], dtype=ferrograd.int8).all().dtype == ferrograd.bool
    assert ferrograd.all(ferrograd.ones(2, 2)).item() is True


# ---------------------------------------------------------------- max / min / arg


def test_max_min_without_dim_are_0_dim(m):
    assert m.max().item() == 11.0 and m.max().shape == ()
    assert m.min().item() == 0.0 and ferrograd.max(m).item() == 11.0
    assert m.t().max().item() == 11.0


def test_max_min_with_dim_return_values_and_first_indices():
    y = ferrograd.tensor([[3.0, 1.0, 3.0, 1.0, 2.0, 2.0]])
    r = y.max(1)
    assert type(r).__name__ == "max" and r.values.tolist() == [3.0] and r.indices.tolist() == [0]
    v, i = y.min(dim=1, keepdim=True)
    assert v.tolist() == [[1.0]] and i.tolist() == [[1]]
    assert repr(ferrograd.tensor([[1.0, 2.0]]).max(1)).startswith("ferrograd.return_types.max(")
    a = np.random.default_rng(1).integers(0, 5, size=(9, 40)).astype(np.float32)
    for name, t, ref in layouts(a):
        for dim in (0, 1):
            vals, idx = t.max(dim)
            np.testing.assert_array_equal(np.array(vals.tolist()), ref.max(axis=dim), err_msg=name)
            np.testing.assert_array_equal(
                np.array(idx.tolist()), ref.argmax(axis=dim), err_msg=name
            )
            np.testing.assert_array_equal(np.array(t.argmin(dim).tolist()), ref.argmin(axis=dim))
            np.testing.assert_array_equal(np.array(t.amax(dim).tolist()), ref.max(axis=dim))


def test_nan_wins_max_min_and_arg():
    x = ferrograd.tensor([[1.0, NAN, 3.0, NAN], [2.0, 2.0, 1.0, 2.0]])
    assert np.isnan(x.max().item()) and np.isnan(x.min().item())
    v, i = x.max(1)
    assert np.isnan(v.tolist()[0]) and i.tolist() == [1, 0]
    assert x.min(1).indices.tolist() == [1, 2]
    assert x.argmax(1).tolist() == [1, 0] and x.argmax().item() == 1
    a = x.amax(1).tolist()
    assert np.isnan(a[0]) and a[1] == 2.0
    lo, hi = x.aminmax(dim=1)
    assert np.isnan(lo.tolist()[0]) and np.isnan(hi.tolist()[0]) and lo.tolist()[1] == 1.0


def test_large_arg_reductions_over_both_dims():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((512, 300)).astype(np.float32)
    a[100, 7] = np.nan
    t = ferrograd.from_numpy(a)
    for dim in (0, 1):
        i = np.array(t.argmax(dim).tolist())
        want = np.where(
            np.isnan(a).any(axis=dim), np.argmax(np.isnan(a), axis=dim), np.nanargmax(a, axis=dim)
        )
        np.testing.assert_array_equal(i, want)
    assert t.argmax().item() == 100 * 300 + 7
    b = rng.standard_normal(1 << 20).astype(np.float32)
    tb = ferrograd.from_numpy(b)
    assert tb.argmax().item() == int(np.argmax(b)) and tb.max().item() == float(b.max())
    assert tb.argmin().item() == int(np.argmin(b))


def test_amax_amin_over_several_dims_and_aminmax():
    a = np.arange(24.0).reshape(2, 3, 4)
    t = ferrograd.tensor(a)
    assert t.amax((0, 2)).tolist() == a.max(axis=(0, 2)).tolist()
    assert t.amin((-1, 0), keepdim=True).tolist() == a.min(axis=(2, 0), keepdims=True).tolist()
    assert t.amax().item() == 23.0 and t.amax(()).item() == 23.0
    r = t.aminmax()
    assert type(r).__name__ == "aminmax" and (r.min.item(), r.max.item()) == (0.0, 23.0)
    lo, hi = t.aminmax(dim=1, keepdim=True)
    assert lo.shape == (2, 1, 4) and hi.tolist() == a.max(axis=1, keepdims=True).tolist()


@pytest.mark.parametrize(
    "name", ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float64"]
)
def test_extremes_per_dtype(name):
    t = ferrograd.tensor([[1, 0], [0, 1]], dtype=getattr(ferrograd, name))
    assert t.max().dtype == t.dtype and t.amax(0).dtype == t.dtype
    assert t.max(1).indices.tolist() == [0, 1]
    assert t.min().item() == 0 and t.aminmax().max.item() == 1
    if name != "bool":
        assert t.argmax().item() == 0 and t.argmin(1).dtype == ferrograd.int64


def test_extreme_errors():
    e = ferrograd.empty(2, 0, 3)
    for op in ("max", "min", "amax", "amin"):
        msg = (
            f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )
        with raises(RuntimeError, msg):
            getattr(e, op)()
    with raises(IndexError, "max(): Expected reduction dim 1 to have non-zero size."):
        e.max(-2)
    with raises(IndexError, "amax(): Expected reduction dim -2 to have non-zero size."):
        e.amax(-2)
    assert e.max(2).values.shape == (2, 0) and e.amax(2).shape == (2, 0)
    with raises(
        IndexError, "argmax(): Expected reduction dim to be specified for input.numel() == 0."
    ):
        e.argmax()
    with raises(IndexError, "argmin(): Expected reduction dim 1 to have non-zero size."):
        e.argmin(1)
    with raises(
        RuntimeError,
        "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.",
    ):
        e.aminmax()
    with raises(IndexError, "aminmax: Expected reduction dim 1 to have non-zero size."):
        e.aminmax(dim=1)
    with raises(NotImplementedError, "argmax(): does not support bool input"):
        ferrograd.tensor([True]).argmax()
    with pytest.raises(TypeError):
        ferrograd.ones(2).argmax((0,))


def test_zero_dim_extremes():
    s = ferrograd.tensor(3.0)
    v, i = s.max(0, keepdim=True)
    assert v.shape == () and i.item() == 0
    assert s.argmax(keepdim=True).shape == () and s.amax(keepdim=True).item() == 3.0
    assert s.aminmax(dim=0).min.item() == 3.0


def test_max_and_min_with_a_tensor_are_elementwise():
    x = ferrograd.tensor([1.0, 5.0])
    y = ferrograd.tensor([3, 2])
    assert ferrograd.max(x, y).tolist() == [3.0, 5.0]
    assert x.min(y).tolist() == [1.0, 2.0]
    assert ferrograd.max(x, other=y).dtype == ferrograd.float32
