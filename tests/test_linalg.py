"""linalg.det / slogdet / inv / solve / cholesky (and the top-level det, logdet, slogdet,
inverse, cholesky): numpy's values, batches, LinAlgError for singular inputs, PyTorch's
messages."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest

RNG = np.random.default_rng(4)
LA = ferrograd.linalg


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def t(a):
    return ferrograd.tensor(a)


def well_conditioned(*shape):
    """Random square matrices with a heavy diagonal."""
    n = shape[-1]
    return RNG.standard_normal(shape) + 3 * n * np.eye(n)


SINGULAR = [[1.0, 2.0], [2.0, 4.0]]
A = [[4.0, 1.0], [2.0, 3.0]]


def test_linalg_error_is_a_runtime_error():
    assert issubclass(LA.LinAlgError, RuntimeError)


@pytest.mark.parametrize("shape", [(3, 3), (4, 2, 2), (2, 3, 5, 5), (40, 40), (0, 3, 3)])
def test_det_slogdet_inv_match_numpy(shape):
    a = well_conditioned(*shape)
    np.testing.assert_allclose(LA.det(t(a)).numpy(), np.linalg.det(a), rtol=1e-10)
    sign, logabs = LA.slogdet(t(a))
    ns, nl = np.linalg.slogdet(a)
    np.testing.assert_allclose(sign.numpy(), ns)
    np.testing.assert_allclose(logabs.numpy(), nl, rtol=1e-10)
    np.testing.assert_allclose(LA.inv(t(a)).numpy(), np.linalg.inv(a), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        ferrograd.inverse(t(a)).numpy(), np.linalg.inv(a), rtol=1e-9, atol=1e-12
    )


def test_small_values_and_dtypes():
    d = LA.det(t(A))
    assert d.dtype == ferrograd.float32 and d.item() == 10.0
    assert ferrograd.det(t(A).double()).dtype == ferrograd.float64
    assert t(A).det().item() == 10.0
    assert LA.det(ferrograd.ones(0, 0)).item() == 1.0
    assert LA.det(ferrograd.zeros(2, 0, 0)).tolist() == [1.0, 1.0]
    assert LA.inv(ferrograd.ones(2, 0, 0)).shape == (2, 0, 0)
    inv = LA.inv(t(A))
    np.testing.assert_allclose(inv.numpy(), [[0.3, -0.1], [-0.2, 0.4]], rtol=1e-6)
    # a transposed (non-contiguous) input
    np.testing.assert_allclose(LA.inv(t(A).t()).numpy(), np.linalg.inv(np.array(A).T), rtol=1e-6)


def test_slogdet_and_logdet_signs():
    r = LA.slogdet(t(A))
    assert type(r).__name__ == "linalg_slogdet" and r.sign.item() == 1.0
    assert np.isclose(r.logabsdet.item(), np.log(10.0))
    neg = ferrograd.slogdet(t([[1.0, 4.0], [3.0, 2.0]]))  # det -10
    assert type(neg).__name__ == "slogdet" and neg.sign.item() == -1.0
    sing = LA.slogdet(t(SINGULAR))
    assert sing.sign.item() == 0.0 and sing.logabsdet.item() == float("-inf")
    assert np.isclose(ferrograd.logdet(t(A)).item(), np.log(10.0))
    assert np.isnan(ferrograd.logdet(t([[0.0, 1.0], [1.0, 0.0]])).item())
    assert ferrograd.logdet(t(SINGULAR)).item() == float("-inf")


def test_singular_matrices():
    msg = (
        "linalg.inv: The diagonal element 2 is zero, the inversion could not be completed "
        "because the input matrix is singular."
    )
    with raises(LA.LinAlgError, msg):
        LA.inv(t(SINGULAR))
    with raises(RuntimeError, msg):
        ferrograd.inverse(t(SINGULAR))
    # LAPACK's elimination gives an exact zero pivot here
    with raises(LA.LinAlgError, "The diagonal element 3 is zero"):
        LA.inv(t([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]))
    assert LA.det(t([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])).item() == 0.0
    with raises(LA.LinAlgError, "linalg.inv: The diagonal element 1 is zero"):
        LA.inv(ferrograd.zeros(3, 3))
    batch = t([A, A, SINGULAR])
    with raises(
        LA.LinAlgError,
        "linalg.inv: (Batch element 2): The diagonal element 2 is zero, the inversion could not "
        "be completed because the input matrix is singular.",
    ):
        LA.inv(batch)
    inv, info = LA.inv_ex(batch)
    assert info.dtype == ferrograd.int32 and info.tolist() == [0, 0, 2]
    np.testing.assert_allclose(inv[0].numpy(), np.linalg.inv(np.array(A)), rtol=1e-6)
    with raises(LA.LinAlgError, "(Batch element 2)"):
        LA.inv_ex(batch, check_errors=True)
    assert LA.det(t(SINGULAR)).item() == 0.0


def test_solve():
    a = well_conditioned(4, 4)
    b = RNG.standard_normal((4, 3))
    np.testing.assert_allclose(LA.solve(t(a), t(b)).numpy(), np.linalg.solve(a, b), rtol=1e-10)
    v = RNG.standard_normal(4)
    x = LA.solve(t(a), t(v))
    assert x.shape == (4,)
    np.testing.assert_allclose(x.numpy(), np.linalg.solve(a, v), rtol=1e-10)
    # X A = B
    bl = RNG.standard_normal((3, 4))
    np.testing.assert_allclose(
        LA.solve(t(a), t(bl), left=False).numpy(), bl @ np.linalg.inv(a), rtol=1e-9
    )
    # batches: B of A's batch shape minus the last dim is a batch of vectors
    ab = well_conditioned(3, 2, 2)
    vb = RNG.standard_normal((3, 2))
    xb = LA.solve(t(ab), t(vb))
    assert xb.shape == (3, 2)
    np.testing.assert_allclose(xb.numpy(), np.linalg.solve(ab, vb[..., None])[..., 0], rtol=1e-10)
    # broadcast batch dims
    bb = RNG.standard_normal((4, 1, 2, 5))
    xb = LA.solve(t(ab), t(bb))
    assert xb.shape == (4, 3, 2, 5)
    np.testing.assert_allclose(xb.numpy(), np.linalg.solve(ab, bb), rtol=1e-9)
    big = well_conditioned(50, 50)
    rhs = RNG.standard_normal((50, 2))
    np.testing.assert_allclose(
        LA.solve(t(big), t(rhs)).numpy(), np.linalg.solve(big, rhs), rtol=1e-9
    )


def test_solve_errors_and_ex():
    with raises(
        LA.LinAlgError,
        "torch.linalg.solve: The solver failed because the input matrix is singular.",
    ):
        LA.solve(t(SINGULAR), t([1.0, 2.0]))
    batch = t(np.stack([np.eye(2), np.zeros((2, 2))]))
    with raises(LA.LinAlgError, "torch.linalg.solve: (Batch element 1): The solver failed"):
        LA.solve(batch, ferrograd.ones(2).double())
    x, info = LA.solve_ex(batch, ferrograd.ones(2).double())
    assert info.tolist() == [0, 1] and x[0].tolist() == [1.0, 1.0]
    with raises(
        RuntimeError,
        "linalg.solve: Incompatible shapes of A and B for the equation AX = B (2x2 and 3x1)",
    ):
        LA.solve(t(A), ferrograd.ones(3))
    with raises(
        RuntimeError,
        "linalg.solve: Incompatible shapes of A and B for the equation XA = B (2x2 and 2x3)",
    ):
        LA.solve(t(A), ferrograd.ones(2, 3), left=False)
    with raises(
        RuntimeError,
        "linalg.solve: Expected A and B to have the same dtype, but found A of type Double and "
        "B of type Float instead",
    ):
        LA.solve(t(A).double(), ferrograd.ones(2))
    with raises(
        RuntimeError,
        "linalg.solve: A must be batches of square matrices, but they are 2 by 3 matrices",
    ):
        LA.solve(ferrograd.ones(2, 3), ferrograd.ones(2))


def test_solve_checks_the_dtype_before_the_shape():
    with raises(
        NotImplementedError,
        "linalg.solve: Expected a floating point or complex tensor as input. Got Long",
    ):
        LA.solve(ferrograd.ones(2, 3).long(), ferrograd.ones(2).long())


def test_cholesky():
    m = RNG.standard_normal((3, 4, 4))
    spd = m @ m.transpose(0, 2, 1) + 4 * np.eye(4)
    low = LA.cholesky(t(spd))
    np.testing.assert_allclose(low.numpy(), np.linalg.cholesky(spd), rtol=1e-10)
    up = LA.cholesky(t(spd), upper=True)
    np.testing.assert_allclose(up.numpy(), np.linalg.cholesky(spd).transpose(0, 2, 1), rtol=1e-10)
    # only the lower triangle is read
    poisoned = spd.copy()
    poisoned[:, 0, 3] = 1e6
    np.testing.assert_allclose(
        LA.cholesky(t(poisoned)).numpy(), np.linalg.cholesky(spd), rtol=1e-10
    )
    legacy = ferrograd.cholesky(t([[4.0, 2.0], [2.0, 3.0]]))
    np.testing.assert_allclose(legacy.numpy(), [[2.0, 0.0], [1.0, np.sqrt(2.0)]], rtol=1e-6)
    np.testing.assert_allclose(
        t([[4.0, 2.0], [2.0, 3.0]]).cholesky(upper=True).numpy(), legacy.numpy().T
    )


def test_cholesky_errors():
    msg = (
        "linalg.cholesky: The factorization could not be completed because the input is not "
        "positive-definite (the leading minor of order 2 is not positive-definite)."
    )
    with raises(LA.LinAlgError, msg):
        LA.cholesky(t([[1.0, 2.0], [2.0, 1.0]]))
    batch = t(np.stack([np.eye(2), np.zeros((2, 2))]))
    with raises(LA.LinAlgError, "linalg.cholesky: (Batch element 1): The factorization"):
        LA.cholesky(batch)
    low, info = LA.cholesky_ex(batch)
    assert info.tolist() == [0, 1] and low[0].tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert type(LA.cholesky_ex(batch)).__name__ == "linalg_cholesky_ex"


ARG_ERRORS = [
    (
        lambda: LA.inv(ferrograd.ones(2, 3)),
        RuntimeError,
        "linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices",
    ),
    (
        lambda: LA.inv(ferrograd.ones(3)),
        RuntimeError,
        "linalg.inv: The input tensor A must have at least 2 dimensions.",
    ),
    (
        lambda: LA.inv(ferrograd.ones(3, 3, dtype=ferrograd.int64)),
        NotImplementedError,
        "linalg.inv: Expected a floating point or complex tensor as input. Got Long",
    ),
    (
        lambda: LA.inv(ferrograd.ones(3, 3).half()),
        NotImplementedError,
        "linalg.inv: Low precision dtypes not supported. Got Half",
    ),
    (
        lambda: LA.det(ferrograd.ones(2, 3)),
        RuntimeError,
        "linalg.det: A must be batches of square matrices, but they are 2 by 3 matrices",
    ),
    (
        lambda: LA.det(ferrograd.ones(3, 3).bfloat16()),
        NotImplementedError,
        "\"lu_cpu\" not implemented for 'BFloat16'",
    ),
    (
        lambda: LA.slogdet(ferrograd.ones(3, 3).int()),
        NotImplementedError,
        "linalg.slogdet: Expected a floating point or complex tensor as input. Got Int",
    ),
    (
        lambda: ferrograd.logdet(ferrograd.ones(3, 3).int()),
        NotImplementedError,
        "logdet: Expected a floating point or complex tensor as input. Got Int",
    ),
    (
        lambda: LA.cholesky(ferrograd.ones(3, 2)),
        RuntimeError,
        "linalg.cholesky: A must be batches of square matrices, but they are 3 by 2 matrices",
    ),
    (
        lambda: LA.cholesky(ferrograd.eye(3).half()),
        NotImplementedError,
        "\"cholesky_cpu\" not implemented for 'Half'",
    ),
]


@pytest.mark.parametrize(("call", "exc", "msg"), ARG_ERRORS)
def test_argument_errors(call, exc, msg):
    with raises(exc, msg):
        call()
