"""inner, outer/ger, kron, tensordot, linalg.multi_dot, chain_matmul and cross against numpy,
with PyTorch's promotion rules and error messages."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest

RNG = np.random.default_rng(2)


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def t(a):
    return ferrograd.tensor(a)


def rand(*shape):
    return RNG.standard_normal(shape)


def test_inner():
    a, b = rand(2, 3), rand(4, 3)
    np.testing.assert_allclose(ferrograd.inner(t(a), t(b)).numpy(), np.inner(a, b), rtol=1e-12)
    v = rand(3)
    assert np.isclose(ferrograd.inner(t(v), t(v)).item(), v @ v)
    # a 0-dim operand multiplies, with PyTorch's promotion (0-dim tensors rank lower)
    r = ferrograd.inner(ferrograd.tensor(2.0), ferrograd.ones(2, dtype=ferrograd.int64))
    assert r.dtype == ferrograd.float32 and r.tolist() == [2.0, 2.0]
    with raises(
        RuntimeError,
        "inner() the last dimension must match on both input tensors but got shapes [2, 3] and [4, 2]",
    ):
        ferrograd.inner(ferrograd.ones(2, 3), ferrograd.ones(4, 2))
    with raises(RuntimeError, "both inputs should have same dtype"):
        ferrograd.inner(ferrograd.ones(2, dtype=ferrograd.int32), ferrograd.ones(2))


def test_outer_promotes_and_allows_bool():
    a, b = rand(3), rand(4)
    np.testing.assert_allclose(ferrograd.outer(t(a), t(b)).numpy(), np.outer(a, b))
    np.testing.assert_allclose(t(a).ger(t(b)).numpy(), np.outer(a, b))
    r = ferrograd.outer(
        ferrograd.ones(3, dtype=ferrograd.int8), ferrograd.ones(2, dtype=ferrograd.uint8)
    )
    assert r.dtype == ferrograd.int16
    r = ferrograd.outer(ferrograd.tensor([True, False]), ferrograd.tensor([True, True]))
    assert r.dtype == ferrograd.bool and r.tolist() == [[True, True], [False, False]]
    with raises(RuntimeError, "outer: Expected 1-D argument self, but got 2-D"):
        ferrograd.outer(ferrograd.ones(2, 2), ferrograd.ones(3))
    with raises(RuntimeError, "outer: Expected 1-D argument vec2, but got 0-D"):
        ferrograd.outer(ferrograd.ones(3), ferrograd.tensor(1.0))


def test_kron():
    a = np.array([[1, 2], [3, 4]])
    b = np.array([[0, 1], [1, 0]])
    assert ferrograd.kron(t(a), t(b)).tolist() == np.kron(a, b).tolist()
    x, y = rand(2, 3), rand(3)
    np.testing.assert_allclose(ferrograd.kron(t(x), t(y)).numpy(), np.kron(x, y))
    np.testing.assert_allclose(ferrograd.kron(t(y), t(x)).numpy(), np.kron(y, x))
    z = rand(2, 1, 3)
    np.testing.assert_allclose(ferrograd.kron(t(z), t(x)).numpy(), np.kron(z, x))
    assert ferrograd.kron(ferrograd.ones(2, 3, 4), ferrograd.ones(0, 2)).shape == (2, 0, 8)
    assert (
        ferrograd.kron(ferrograd.ones(2, 2), ferrograd.ones(2, 2).double()).dtype
        == ferrograd.float64
    )
    scalar_f64 = ferrograd.tensor(2.0, dtype=ferrograd.float64)
    assert ferrograd.kron(scalar_f64, ferrograd.ones(2, 2)).dtype == ferrograd.float64


def test_tensordot():
    a, b = rand(2, 3, 4), rand(3, 4, 5)
    np.testing.assert_allclose(ferrograd.tensordot(t(a), t(b)).numpy(), np.tensordot(a, b))
    np.testing.assert_allclose(
        ferrograd.tensordot(t(a), t(b), dims=([1, 2], [0, 1])).numpy(),
        np.tensordot(a, b, axes=([1, 2], [0, 1])),
    )
    np.testing.assert_allclose(
        ferrograd.tensordot(t(a), t(b), [[1], [0]]).numpy(), np.tensordot(a, b, axes=([1], [0]))
    )
    np.testing.assert_allclose(
        ferrograd.tensordot(t(a), t(b), dims=ferrograd.tensor(2)).numpy(), np.tensordot(a, b)
    )
    assert ferrograd.tensordot(t(a), t(b), dims=0).shape == (2, 3, 4, 3, 4, 5)
    # a size-1 contracted dim facing a larger one is summed first
    r = ferrograd.tensordot(ferrograd.ones(2, 1), ferrograd.ones(3, 2), dims=([1], [0]))
    assert r.tolist() == [[3.0, 3.0], [3.0, 3.0]]


TENSORDOT_ERRORS = [
    (2, 3, -1, "tensordot expects dims >= 0, but got dims=-1"),
    (2, 3, 4, "tensordot expects dims < ndim_a or ndim_b, but got dims=4"),
    (2, 3, ([1, 2], [0]), "both dimension lists should have same length"),
    (
        2,
        3,
        ([1], [1]),
        "contracted dimensions need to match, but first has size 3 in dim 1 and second has size 4 in dim 1",
    ),
]


@pytest.mark.parametrize(("_a", "_b", "dims", "msg"), TENSORDOT_ERRORS)
def test_tensordot_errors(_a, _b, dims, msg):
    with raises(RuntimeError, msg):
        ferrograd.tensordot(ferrograd.ones(2, 3, 4), ferrograd.ones(3, 4, 5), dims=dims)


def test_tensordot_more_errors():
    with raises(RuntimeError, "both inputs should have same dtype"):
        ferrograd.tensordot(ferrograd.ones(2, 3), ferrograd.ones(3, 2).double(), dims=1)
    with raises(RuntimeError, "dim 1 appears multiple times in the list of dims"):
        ferrograd.tensordot(ferrograd.ones(2, 3), ferrograd.ones(3, 2), dims=([1, 1], [0, 0]))
    with raises(TypeError, "tensordot(): argument 'dims_self' (position 3) must be tuple of ints"):
        ferrograd.tensordot(ferrograd.ones(2, 3), ferrograd.ones(3, 2), dims=(1, 0))
    with pytest.raises(RuntimeError, match="tensordot expects dims to be int"):
        ferrograd.tensordot(ferrograd.ones(2, 3), ferrograd.ones(3, 2), dims=1.5)


def test_multi_dot_and_chain_matmul():
    mats = [rand(3, 10), rand(10, 2), rand(2, 7), rand(7, 4)]
    expect = mats[0] @ mats[1] @ mats[2] @ mats[3]
    r = ferrograd.linalg.multi_dot([t(m) for m in mats])
    np.testing.assert_allclose(r.numpy(), expect, rtol=1e-12)
    np.testing.assert_allclose(ferrograd.chain_matmul(*[t(m) for m in mats]).numpy(), expect)
    v, w = rand(3), rand(4)
    r = ferrograd.linalg.multi_dot([t(v), *[t(m) for m in mats], t(w)])
    assert r.shape == () and np.isclose(r.item(), v @ expect @ w)
    assert ferrograd.linalg.multi_dot([ferrograd.ones(3), ferrograd.ones(3, 4)]).shape == (4,)
    one = ferrograd.ones(2, 3)
    copy = ferrograd.chain_matmul(one)
    assert copy.tolist() == one.tolist() and copy.data_ptr() != one.data_ptr()


MULTI_DOT_ERRORS = [
    ([ferrograd.ones(3)], "multi_dot(): expected at least 2 tensors but got 1"),
    (
        [ferrograd.ones(2, 3, 2), ferrograd.ones(2, 3)],
        "multi_dot(): the first tensor must be 1D or 2D but got 3D",
    ),
    (
        [ferrograd.ones(2, 3), ferrograd.ones(3, 2, 1), ferrograd.ones(2)],
        "multi_dot(): tensor 1 must be 2D but got 3D",
    ),
    (
        [ferrograd.ones(2, 3), ferrograd.ones(3, 4, 1)],
        "multi_dot(): the last tensor must be 1D or 2D but got 3D",
    ),
    (
        [ferrograd.ones(2, 3), ferrograd.ones(3, 2).double()],
        "multi_dot(): all tensors must have be the same dtype but tensor 0 is float and tensor 1 double",
    ),
    (
        [ferrograd.ones(2, 3), ferrograd.ones(3, 2), ferrograd.ones(3, 4)],
        "multi_dot(): tensors 1 and 2 with shapes [3, 2] and [3, 4] cannot be multiplied",
    ),
]


@pytest.mark.parametrize(("tensors", "msg"), MULTI_DOT_ERRORS)
def test_multi_dot_errors(tensors, msg):
    with raises(RuntimeError, msg):
        ferrograd.linalg.multi_dot(tensors)


def test_chain_matmul_errors():
    with raises(RuntimeError, "chain_matmul(): Expected one or more matrices"):
        ferrograd.chain_matmul()
    with raises(RuntimeError, "Tensor dimension is 1, expected 2 instead."):
        ferrograd.chain_matmul(ferrograd.ones(2, 3), ferrograd.ones(3))


def test_cross():
    a, b = rand(4, 3), rand(4, 3)
    np.testing.assert_allclose(ferrograd.linalg.cross(t(a), t(b)).numpy(), np.cross(a, b))
    np.testing.assert_allclose(ferrograd.cross(t(a), t(b), dim=1).numpy(), np.cross(a, b))
    # without dim, the first dim of size 3
    c, d = rand(3, 5), rand(3, 5)
    r = ferrograd.cross(t(c), t(d))
    np.testing.assert_allclose(r.numpy(), np.cross(c, d, axis=0))
    assert r.is_contiguous()
    # broadcasting (also through a stride-0 view) and transposed inputs
    e = t(rand(1, 3)).expand(4, 3)
    np.testing.assert_allclose(
        ferrograd.linalg.cross(e, t(b)).numpy(), np.cross(np.broadcast_to(e.numpy(), (4, 3)), b)
    )
    x = rand(1, 3)
    np.testing.assert_allclose(ferrograd.linalg.cross(t(x), t(b)).numpy(), np.cross(x, b))
    ints = ferrograd.linalg.cross(ferrograd.tensor([1, 0, 0]), ferrograd.tensor([0, 1, 0]))
    assert ints.tolist() == [0, 0, 1]
    np.testing.assert_allclose(
        ferrograd.linalg.cross(t(c).t(), t(d).t()).numpy(), np.cross(c.T, d.T)
    )


CROSS_ERRORS = [
    (
        lambda: ferrograd.linalg.cross(ferrograd.tensor(1.0), ferrograd.tensor(2.0)),
        IndexError,
        "Dimension specified as -1 but tensor has no dimensions",
    ),
    (
        lambda: ferrograd.cross(ferrograd.ones(2, 4), ferrograd.ones(2, 4)),
        RuntimeError,
        "no dimension of size 3 in input",
    ),
    (
        lambda: ferrograd.linalg.cross(ferrograd.ones(3, 2), ferrograd.ones(3, 2)),
        RuntimeError,
        "linalg.cross: inputs dimension -1 must have length 3. Got 2 and 2",
    ),
    (
        lambda: ferrograd.linalg.cross(ferrograd.ones(3, 2), ferrograd.ones(2, 3), dim=0),
        RuntimeError,
        "linalg.cross: inputs dimension 0 must have length 3. Got 3 and 2",
    ),
    (
        lambda: ferrograd.linalg.cross(ferrograd.ones(2, 3), ferrograd.ones(2, 3), dim=2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    (
        lambda: ferrograd.cross(ferrograd.ones(1, 3), ferrograd.ones(2, 3).long()),
        RuntimeError,
        "expected scalar type Float but found Long",
    ),
    (
        lambda: ferrograd.linalg.cross(ferrograd.ones(3).bool(), ferrograd.ones(3).bool()),
        NotImplementedError,
        "\"cross\" not implemented for 'Bool'",
    ),
    (
        lambda: ferrograd.linalg.cross(ferrograd.ones(2, 3), ferrograd.ones(5, 2, 3)),
        RuntimeError,
        "linalg.cross: inputs must have the same number of dimensions.",
    ),
]


@pytest.mark.parametrize(("call", "exc", "msg"), CROSS_ERRORS)
def test_cross_errors(call, exc, msg):
    with raises(exc, msg):
        call()
