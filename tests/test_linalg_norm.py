"""linalg.matrix_norm / norm / cond / matrix_rank / pinv / lstsq / matrix_power (and the
top-level pinverse and matrix_power) against numpy, with PyTorch's messages."""

from __future__ import annotations

import math
import re

import ferrograd
import numpy as np
import pytest

RNG = np.random.default_rng(6)
LA = ferrograd.linalg
INF = float("inf")


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def t(a):
    return ferrograd.tensor(a)


A = [[4.0, 1.0], [2.0, 3.0]]
ORDS = ["fro", "nuc", 1, -1, 2, -2, INF, -INF]


@pytest.mark.parametrize("ord", ORDS)
def test_matrix_norm_matches_numpy(ord):
    a = RNG.standard_normal((3, 4, 5))
    r = LA.matrix_norm(t(a), ord)
    np.testing.assert_allclose(r.numpy(), np.linalg.norm(a, ord=ord, axis=(-2, -1)), rtol=1e-10)
    r = LA.matrix_norm(t(a), ord, dim=(2, 0), keepdim=True)
    expect = np.linalg.norm(a, ord=ord, axis=(2, 0), keepdims=True)
    assert r.shape == expect.shape
    np.testing.assert_allclose(r.numpy(), expect, rtol=1e-10)


def test_matrix_norm_values_and_dtypes():
    assert np.isclose(LA.matrix_norm(t(A)).item(), math.sqrt(30))
    assert LA.matrix_norm(t(A), 1).item() == 6.0
    assert LA.matrix_norm(t(A), -INF).item() == 5.0
    r = LA.matrix_norm(ferrograd.ones(3, 2, 2), dtype=ferrograd.float64)
    assert r.dtype == ferrograd.float64 and r.tolist() == [2.0, 2.0, 2.0]
    h = LA.matrix_norm(ferrograd.ones(2, 2).half())
    assert h.dtype == ferrograd.float16 and h.item() == 2.0
    assert LA.matrix_norm(ferrograd.zeros(0, 0), 2).item() == 0.0
    assert LA.matrix_norm(ferrograd.zeros(2, 0), "nuc").item() == 0.0
    # a transposed input
    np.testing.assert_allclose(LA.matrix_norm(t(A).t(), 1).item(), 5.0)


MATRIX_NORM_ERRORS = [
    (lambda: LA.matrix_norm(t(A), 3), RuntimeError, "linalg.matrix_norm: Order 3 not supported."),
    (
        lambda: LA.matrix_norm(t(A), 2.5),
        RuntimeError,
        "linalg.matrix_norm: Order 2.5 not supported.",
    ),
    (
        lambda: LA.matrix_norm(t(A), "foo"),
        RuntimeError,
        "linalg.matrix_norm: Order foo not supported.",
    ),
    (
        lambda: LA.matrix_norm(ferrograd.ones(2)),
        RuntimeError,
        "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.",
    ),
    (
        lambda: LA.matrix_norm(ferrograd.ones(3, 2, 2), dim=(0, 0)),
        RuntimeError,
        "linalg.matrix_norm: dims must be different. Got (0, 0)",
    ),
    (
        lambda: LA.matrix_norm(ferrograd.ones(2, 2), dim=(0, 3)),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 3)",
    ),
    (
        lambda: LA.matrix_norm(ferrograd.ones(2, 2).long()),
        NotImplementedError,
        "linalg.matrix_norm: Expected a floating point or complex tensor as input. Got Long",
    ),
    (
        lambda: LA.matrix_norm(ferrograd.ones(2, 2), dtype=ferrograd.int64),
        RuntimeError,
        "linalg.matrix_norm: dtype should be floating point or complex, but got Long",
    ),
    (
        lambda: LA.matrix_norm(ferrograd.ones(2, 2).half(), 2),
        NotImplementedError,
        "linalg.matrix_norm: Low precision dtypes not supported. Got Half",
    ),
]


@pytest.mark.parametrize(("call", "exc", "msg"), MATRIX_NORM_ERRORS)
def test_matrix_norm_errors(call, exc, msg):
    with raises(exc, msg):
        call()


def test_norm_dispatch():
    a = RNG.standard_normal((3, 4))
    np.testing.assert_allclose(LA.norm(t(a)).item(), np.linalg.norm(a), rtol=1e-12)
    np.testing.assert_allclose(LA.norm(t(a), 2).item(), np.linalg.norm(a, 2), rtol=1e-12)
    np.testing.assert_allclose(LA.norm(t(a), "nuc").item(), np.linalg.norm(a, "nuc"), rtol=1e-12)
    np.testing.assert_allclose(LA.norm(t(a[0])).item(), np.linalg.norm(a[0]), rtol=1e-12)
    assert LA.norm(t(a), keepdim=True).shape == (1, 1)
    with raises(
        RuntimeError, "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
    ):
        LA.norm(ferrograd.ones(3), "fro")
    with raises(
        RuntimeError,
        "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D.",
    ):
        LA.norm(ferrograd.ones(2, 2, 2), 2)


@pytest.mark.parametrize("p", [None, "fro", "nuc", 1, -1, 2, -2, INF, -INF])
def test_cond_matches_numpy(p):
    a = RNG.standard_normal((3, 4, 4)) + 4 * np.eye(4)
    np.testing.assert_allclose(LA.cond(t(a), p).numpy(), np.linalg.cond(a, p), rtol=1e-8)


def test_cond_special_cases():
    assert LA.cond(t(A), 1).item() == pytest.approx(3.0)
    assert LA.cond(t([[1.0, 2.0], [2.0, 4.0]]), 1).item() == INF
    assert LA.cond(ferrograd.zeros(2, 2), "fro").item() == INF
    assert LA.cond(ferrograd.zeros(0, 0)).item() == 0.0
    assert LA.cond(ferrograd.ones(3, 2)).item() > 1e6  # s_min is (close to) zero
    with raises(
        RuntimeError,
        "linalg.cond(ord=fro): A must be batches of square matrices, but they are 3 by 2 matrices",
    ):
        LA.cond(ferrograd.ones(3, 2), "fro")
    with raises(
        RuntimeError,
        "linalg.cond(ord=inf): A must be batches of square matrices, but they are 3 by 2 matrices",
    ):
        LA.cond(ferrograd.ones(3, 2), INF)
    with raises(ValueError, "linalg.cond got an invalid norm type: 3"):
        LA.cond(t(A), 3)
    with raises(RuntimeError, "linalg.cond: The input tensor must have at least 2 dimensions."):
        LA.cond(ferrograd.ones(2))
    with raises(
        RuntimeError, "linalg.cond(ord=fro): The input tensor A must have at least 2 dimensions."
    ):
        LA.cond(ferrograd.ones(2), "fro")
    with raises(
        NotImplementedError,
        "linalg.inv: Expected a floating point or complex tensor as input. Got Long",
    ):
        LA.cond(ferrograd.ones(2, 2).long(), 1)


def test_matrix_rank():
    assert LA.matrix_rank(t([[1.0, 2.0], [2.0, 4.0]])).item() == 1
    r = LA.matrix_rank(ferrograd.ones(3, 3, 4))
    assert r.dtype == ferrograd.int64 and r.tolist() == [1, 1, 1]
    assert LA.matrix_rank(t(A), tol=3.0).item() == 1
    assert LA.matrix_rank(t(A), atol=1.0, rtol=0.5).item() == 1
    assert LA.matrix_rank(t([[2.0, 1.0], [1.0, 2.0]]), hermitian=True).item() == 2
    assert LA.matrix_rank(ferrograd.zeros(0, 3)).item() == 0
    a = RNG.standard_normal((5, 3)) @ RNG.standard_normal((3, 6))
    assert LA.matrix_rank(t(a)).item() == np.linalg.matrix_rank(a) == 3
    with raises(RuntimeError, "This function doesn't handle types other than float and double"):
        LA.matrix_rank(ferrograd.ones(3, 3).long())
    with raises(
        RuntimeError,
        "torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.",
    ):
        LA.matrix_rank(ferrograd.ones(2))
    with raises(
        RuntimeError,
        "linalg.eigh: A must be batches of square matrices, but they are 3 by 2 matrices",
    ):
        LA.matrix_rank(ferrograd.ones(3, 2), hermitian=True)


def test_pinv():
    for shape in [(4, 3), (3, 4), (2, 5, 3)]:
        a = RNG.standard_normal(shape)
        np.testing.assert_allclose(LA.pinv(t(a)).numpy(), np.linalg.pinv(a), rtol=1e-8, atol=1e-12)
    sym = np.array([[2.0, 1.0], [1.0, 2.0]])
    np.testing.assert_allclose(
        LA.pinv(t(sym), hermitian=True).numpy(), np.linalg.inv(sym), rtol=1e-12
    )
    np.testing.assert_allclose(
        LA.pinv(ferrograd.ones(3, 2)).numpy(), np.full((2, 3), 1 / 6), rtol=1e-6
    )
    near = t([[1.0, 1e-8], [0.0, 1.0]])
    np.testing.assert_allclose(LA.pinv(near, atol=0.5).numpy(), np.eye(2), atol=1e-7)
    np.testing.assert_allclose(
        ferrograd.pinverse(ferrograd.ones(3, 2), rcond=0.1).numpy(),
        np.full((2, 3), 1 / 6),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        LA.pinv(ferrograd.ones(3, 2), 0.1).numpy(), np.full((2, 3), 1 / 6), rtol=1e-6
    )
    assert LA.pinv(ferrograd.zeros(0, 3)).shape == (3, 0)
    with raises(
        RuntimeError,
        "linalg.pinv(Long{[3, 2]}): expected a tensor with 2 or more dimensions of float, double, "
        "cfloat or cdouble types",
    ):
        LA.pinv(ferrograd.ones(3, 2).long())
    with pytest.raises(TypeError):
        LA.pinv(ferrograd.ones(3, 2), 0.1, rtol=0.1)


def test_lstsq_drivers():
    a = np.ones((3, 2)) + np.eye(3, 2)
    b = np.ones((3, 1))
    x_np = np.linalg.lstsq(a, b, rcond=None)[0]
    r = LA.lstsq(t(a), t(b))
    assert type(r).__name__ == "linalg_lstsq"
    np.testing.assert_allclose(r.solution.numpy(), x_np, rtol=1e-10)
    assert r.residuals.shape == (0,) and r.rank.item() == 2 and r.singular_values.shape == (0,)
    r = LA.lstsq(t(a), t(b), driver="gelsd")
    np.testing.assert_allclose(r.residuals.numpy(), [1 / 11], rtol=1e-10)
    np.testing.assert_allclose(
        r.singular_values.numpy(), np.linalg.svd(a, compute_uv=False), rtol=1e-12
    )
    r = LA.lstsq(t(a), t(b), driver="gels")
    assert r.rank.shape == (0,) and r.rank.dtype == ferrograd.int64 and r.residuals.shape == (1,)
    # rank-deficient: no residuals; rcond decides the rank
    r = LA.lstsq(ferrograd.ones(3, 2).double(), t(b), driver="gelsd")
    assert r.rank.item() == 1 and r.residuals.shape == (0,)
    np.testing.assert_allclose(r.solution.numpy(), [[0.5], [0.5]], rtol=1e-12)
    r = LA.lstsq(t(a), t(b), rcond=0.5, driver="gelsd")
    assert r.rank.item() == 1
    # vectors, batches, broadcasting, under-determined systems
    v = LA.lstsq(t(a), t(b[:, 0]))
    assert v.solution.shape == (2,)
    batch = np.stack([a, a + 1])
    rb = LA.lstsq(t(batch), t(b[None]), driver="gelsd")  # B's batch dim broadcasts
    assert rb.solution.shape == (2, 2, 1) and rb.rank.tolist() == [2, 2]
    np.testing.assert_allclose(
        rb.solution.numpy()[1], np.linalg.lstsq(a + 1, b, rcond=None)[0], rtol=1e-10
    )
    under = LA.lstsq(ferrograd.ones(2, 3).double(), ferrograd.ones(2, 1).double())
    np.testing.assert_allclose(under.solution.numpy(), np.full((3, 1), 1 / 3), rtol=1e-10)


LSTSQ_ERRORS = [
    (
        lambda: LA.lstsq(ferrograd.ones(3, 2), ferrograd.ones(2, 1)),
        "torch.linalg.lstsq: input.size(-2) should match other.size(-2)",
    ),
    (
        lambda: LA.lstsq(ferrograd.ones(3, 2), ferrograd.ones(3, 1).double()),
        (
            "torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's dtype "
            "Float and other's dtype Double"
        ),
    ),
    (
        lambda: LA.lstsq(ferrograd.ones(3, 2), ferrograd.ones(3, 1), driver="foo"),
        "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)",
    ),
    (
        lambda: LA.lstsq(ferrograd.ones(3), ferrograd.ones(3, 1)),
        "torch.linalg.lstsq: input must have at least 2 dimensions.",
    ),
    (
        lambda: LA.lstsq(ferrograd.ones(3, 2).long(), ferrograd.ones(3, 1).long()),
        "This function doesn't handle types other than float and double",
    ),
    (
        lambda: LA.lstsq(ferrograd.ones(3, 2), ferrograd.ones(2, 3, 1)),
        (
            "torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
            "(input.dim() - other.dim()) <= 1"
        ),
    ),
    (
        lambda: LA.lstsq(ferrograd.ones(2, 3, 2), ferrograd.ones(3, 1)),
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
    ),
]


@pytest.mark.parametrize(("call", "msg"), LSTSQ_ERRORS)
def test_lstsq_errors(call, msg):
    with raises(RuntimeError, msg):
        call()


def test_matrix_power():
    a = np.array(A)
    for n in [0, 1, 2, 3, 4, 5, 7, 10, -1, -2, -3]:
        expect = np.linalg.matrix_power(a, n)
        np.testing.assert_allclose(LA.matrix_power(t(a), n).numpy(), expect, rtol=1e-10)
    batch = ferrograd.ones(3, 2, 2)
    assert LA.matrix_power(batch, 2).tolist() == [[[2.0, 2.0], [2.0, 2.0]]] * 3
    ints = ferrograd.ones(2, 2, dtype=ferrograd.int64)
    assert ferrograd.matrix_power(ints, 3).tolist() == [[4, 4], [4, 4]]
    assert ints.matrix_power(0).tolist() == [[1, 0], [0, 1]]
    one = LA.matrix_power(t(a), 1)
    assert one.data_ptr() != t(a).data_ptr()
    bools = ferrograd.ones(2, 2, dtype=ferrograd.bool)
    assert LA.matrix_power(bools, 1).dtype == ferrograd.bool
    with raises(NotImplementedError, "\"addmm_impl_cpu_\" not implemented for 'Bool'"):
        LA.matrix_power(bools, 2)
    with raises(LA.LinAlgError, "linalg.inv: The diagonal element 2 is zero"):
        LA.matrix_power(t([[1.0, 2.0], [2.0, 4.0]]), -1)
    with raises(
        NotImplementedError,
        "linalg.inv: Expected a floating point or complex tensor as input. Got Long",
    ):
        LA.matrix_power(ints, -1)
    with raises(
        RuntimeError,
        "linalg.matrix_power: A must be batches of square matrices, but they are 2 by 3 matrices",
    ):
        LA.matrix_power(ferrograd.ones(2, 3), 2)
    with raises(
        RuntimeError, "linalg.matrix_power: The input tensor A must have at least 2 dimensions."
    ):
        LA.matrix_power(ferrograd.ones(2), 2)


def test_tensor_norm_nuc_is_the_nuclear_matrix_norm():
    a = np.array([[3.0, 0.0], [4.0, 5.0]])
    x = ferrograd.tensor(a, requires_grad=True)
    n = x.norm("nuc")
    np.testing.assert_allclose(n.item(), np.linalg.norm(a, "nuc"), rtol=1e-6)
    assert x.norm("nuc", dim=(0, 1), keepdim=True).shape == (1, 1)
    n.backward()
    # d/dA of the nuclear norm is U V^T.
    u, _, vt = np.linalg.svd(a)
    np.testing.assert_allclose(x.grad.numpy(), u @ vt, rtol=1e-5, atol=1e-6)
    batched = ferrograd.ones(2, 2, 2).norm("nuc", dim=(1, 2))
    np.testing.assert_allclose(batched.numpy(), [2.0, 2.0], rtol=1e-6)
    with pytest.raises(
        RuntimeError, match="^linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 2$"
    ):
        ferrograd.ones(2, 2, 2).norm("nuc")
