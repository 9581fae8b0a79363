"""Statistics: var, std, var_mean, std_mean, norm / linalg vector norms, logsumexp; against
numpy and values recorded from PyTorch."""

from __future__ import annotations

import math
import re
import warnings

import ferrograd
import numpy as np
import pytest

NAN = float("nan")
INF = float("inf")


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def as_np(t) -> np.ndarray:
    return np.array(t.tolist(), dtype=np.float64)


@pytest.fixture
def data():
    rng = np.random.default_rng(5)
    return rng.standard_normal((6, 9)) * 4 + 1


# ---------------------------------------------------------------- var / std


@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 1)])
def test_var_std_match_numpy(data, dim):
    t = ferrograd.tensor(data)
    axis = dim if not isinstance(dim, tuple) else tuple(dim)
    for ddof in (0, 1, 2):
        np.testing.assert_allclose(
            as_np(t.var(dim, correction=ddof)), data.var(axis=axis, ddof=ddof)
        )
        np.testing.assert_allclose(
            as_np(t.std(dim, correction=ddof)), data.std(axis=axis, ddof=ddof)
        )
    np.testing.assert_allclose(
        as_np(t.t().var(dim, keepdim=True)), data.T.var(axis=axis, ddof=1, keepdims=True)
    )


def test_unbiased_spellings():
    x = ferrograd.tensor([[1.0, 2.0, 3.0, 4.0]])
    # sum of squared deviations = 5: unbiased 5/3, biased 5/4
    assert x.var().item() == pytest.approx(5 / 3)
    assert x.var(False).item() == 1.25 and x.var(unbiased=False).item() == 1.25
    assert x.std(1, False, True).tolist() == [[pytest.approx(math.sqrt(1.25))]]
    assert x.var(1, correction=0.5).tolist() == [pytest.approx(5 / 3.5)]
    assert ferrograd.var(x, 1).tolist() == [pytest.approx(5 / 3)]
    with pytest.raises(TypeError):
        x.std(0, unbiased=True, correction=2)


def test_var_mean_and_std_mean_return_plain_tuples(data):
    t = ferrograd.tensor(data)
    v, m = ferrograd.var_mean(t, 1)
    np.testing.assert_allclose(as_np(v), data.var(axis=1, ddof=1))
    np.testing.assert_allclose(as_np(m), data.mean(axis=1))
    s, m = ferrograd.std_mean(t, dim=0, correction=0, keepdim=True)
    assert s.shape == (1, 9) and m.shape == (1, 9)
    np.testing.assert_allclose(as_np(s), data.std(axis=0, keepdims=True))
    assert type(ferrograd.std_mean(t)) is tuple


def test_degrees_of_freedom_edge_cases():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert math.isnan(ferrograd.tensor(5.0).std().item())  # N = 1, N - 1 = 0
        assert ferrograd.tensor(5.0).var(correction=0).item() == 0.0
        # N - correction = 0 with a positive sum of squares: inf, as PyTorch divides by 0
        assert ferrograd.tensor([[1.0, 2.0]]).std(1, correction=2).tolist() == [INF]
        e = ferrograd.empty(0, 3)
        assert math.isnan(e.var().item())
        assert all(math.isnan(v) for v in e.var(0).tolist()) and e.var(1).shape == (0,)
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("std(): degrees of freedom is <= 0.") for m in messages)
    assert any(m.startswith("var(): degrees of freedom is <= 0.") for m in messages)


def test_var_nan_and_half_types():
    x = ferrograd.tensor([[1.0, NAN], [2.0, 3.0]])
    v = x.var(1).tolist()
    assert math.isnan(v[0]) and v[1] == 0.5
    h = ferrograd.full((1000,), 100.0, dtype=ferrograd.float16)
    assert h.var().item() == 0.0 and h.var().dtype == ferrograd.float16
    b = ferrograd.tensor([1.0, 2.0, 3.0], dtype=ferrograd.bfloat16)
    assert b.std().item() == 1.0 and b.std().dtype == ferrograd.bfloat16


def test_var_std_errors():
    for name in ("bool", "uint8", "int32", "int64"):
        with raises(
            NotImplementedError, "std and var only support floating point and complex dtypes"
        ):
            ferrograd.ones(3, dtype=getattr(ferrograd, name)).var()
    with raises(NotImplementedError, "std_mean only support floating point and complex dtypes"):
        ferrograd.std_mean(ferrograd.ones(3, dtype=ferrograd.int64))
    with raises(NotImplementedError, "var_mean only support floating point and complex dtypes"):
        ferrograd.var_mean(ferrograd.ones(3, dtype=ferrograd.int64))
    with raises(RuntimeError, "dim 1 appears multiple times in the list of dims"):
        ferrograd.ones(2, 2).var((1, -1))


def test_large_variance_is_accurate():
    rng = np.random.default_rng(3)
    a = (rng.standard_normal(1 << 20) + 1000.0).astype(np.float32)
    t = ferrograd.from_numpy(a)
    want = a.astype(np.float64).var(ddof=1)
    assert t.var().item() == pytest.approx(want, rel=1e-5)
    m = a.reshape(1024, 1024)
    tm = ferrograd.from_numpy(m)
    np.testing.assert_allclose(
        as_np(tm.var(0)), m.astype(np.float64).var(axis=0, ddof=1), rtol=1e-5
    )


# ---------------------------------------------------------------- norms


@pytest.mark.parametrize("p", [0, 1, 2, 3, 0.5, -1, INF, -INF])
def test_vector_norms_match_numpy(data, p):
    t = ferrograd.tensor(data)
    for dim in (None, 0, 1, (0, 1)):
        if dim is None or isinstance(dim, tuple):
            want = np.linalg.norm(data.ravel(), ord=p)  # numpy's 2-D norms are matrix norms
        else:
            want = np.linalg.norm(data, ord=p, axis=dim)
        np.testing.assert_allclose(as_np(t.norm(p, dim)), want, rtol=1e-6)
        np.testing.assert_allclose(
            as_np(ferrograd._C._linalg_vector_norm(t, p, dim)), want, rtol=1e-6
        )


def test_norm_spellings_and_values():
    x = ferrograd.tensor([[3.0, -4.0, 0.0], [1.0, 2.0, -2.0]])
    assert x.norm().item() == pytest.approx(math.sqrt(34))
    assert (
        x.norm("fro").item() == pytest.approx(math.sqrt(34))
        and x.norm(None).item() == x.norm().item()
    )
    assert x.norm(dim=1).tolist() == [5.0, 3.0]
    assert x.norm(2, 1, True).shape == (2, 1)
    assert x.norm(p=2, dim=[0], keepdim=True).shape == (1, 3)
    assert ferrograd.norm(x, dim=1).tolist() == [5.0, 3.0]
    # recorded from PyTorch
    v = ferrograd.tensor([3.0, -4.0, 0.0])
    assert v.norm(3).item() == 4.497941493988037 and v.norm(0.5).item() == 13.928203582763672
    assert v.norm(0).item() == 2.0 and v.norm(-1).item() == 0.0  # |0|^-1 = inf, inf^-1 = 0
    assert x.norm(dtype=ferrograd.float64).dtype == ferrograd.float64
    h = ferrograd.full((1000,), 100.0, dtype=ferrograd.float16)
    assert h.norm().item() == 3162.0  # squares summed in float32: 1e7 would overflow float16
    assert math.isnan(ferrograd.tensor([1.0, NAN]).norm(INF).item())
    assert ferrograd.tensor([1.0, NAN, 0.0]).norm(0).item() == 2.0
    assert ferrograd.empty(0).norm(0).item() == 0.0 and ferrograd.empty(0).norm().item() == 0.0


def test_norm_errors():
    x = ferrograd.ones(2, 3)
    with raises(
        NotImplementedError,
        "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long",
    ):
        ferrograd.tensor([3, 4]).norm()
    with raises(
        RuntimeError, "linalg.vector_norm: dtype should be floating point or complex, but got Long"
    ):
        x.norm(dtype=ferrograd.int64)
    with raises(
        RuntimeError,
        "linalg.vector_norm: the dtype of the input (Float) should be convertible without narrowing to the specified dtype (Half)",
    ):
        ferrograd._C._linalg_vector_norm(x, dtype=ferrograd.float16)
    with raises(
        RuntimeError,
        "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation does not have an identity",
    ):
        ferrograd.empty(0).norm(INF)
    with raises(
        RuntimeError,
        "linalg.vector_norm cannot compute the -inf norm on the dimension -1because this dimension is empty and the operation does not have an identity",
    ):
        ferrograd.empty(2, 0).norm(-INF, dim=-1)
    with raises(RuntimeError, "linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 2"):
        ferrograd.ones(2, 2, 2).norm("fro", dim=(0, 1, 2))
    with raises(RuntimeError, "linalg.matrix_norm: Order foo not supported."):
        x.norm("foo")
    with raises(
        TypeError, "linalg_vector_norm(): argument 'ord' (position 2) must be Number, not str"
    ):
        ferrograd._C._linalg_vector_norm(x, "fro")


# ---------------------------------------------------------------- logsumexp


def test_logsumexp_matches_numpy_and_handles_infinities(data):
    t = ferrograd.tensor(data)
    for dim in (0, 1, (0, 1), -1):
        axis = dim
        m = data.max(axis=axis, keepdims=True)
        want = np.log(np.exp(data - m).sum(axis=axis)) + np.squeeze(m, axis=axis)
        np.testing.assert_allclose(as_np(t.logsumexp(dim)), want, rtol=1e-12)
    x = ferrograd.tensor([[0.0, 1.0, 2.0], [1000.0, 1000.0, -INF]])
    # recorded from PyTorch: no overflow for large values
    assert x.logsumexp(1).tolist() == [2.4076058864593506, 1000.6931762695312]
    assert ferrograd.tensor([INF, -INF]).logsumexp(0).item() == INF
    assert ferrograd.tensor([-INF, -INF]).logsumexp(0).item() == -INF
    assert math.isnan(ferrograd.tensor([1.0, NAN]).logsumexp(0).item())
    assert ferrograd.empty(2, 0).logsumexp(1).tolist() == [-INF, -INF]
    assert (
        ferrograd.tensor([1, 2]).logsumexp(0).dtype == ferrograd.float32
    )  # ints use the default float
    assert x.logsumexp(1, keepdim=True).shape == (2, 1)
    assert ferrograd.logsumexp(x, dim=0).shape == (3,)


def test_logsumexp_errors():
    with raises(RuntimeError, "output with shape [] doesn't match the broadcast shape [1, 1]"):
        ferrograd.ones(2, 2).logsumexp(())
    assert ferrograd.ones(2, 2).logsumexp((), keepdim=True).shape == (1, 1)
    with pytest.raises(TypeError):
        ferrograd.ones(2).logsumexp()
