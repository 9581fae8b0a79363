"""linalg.qr / svd / svdvals / eig / eigvals / eigh / eigvalsh and the legacy svd and qr.
Signs of the factors are not unique, so they are checked by their properties:
reconstruction, orthogonality, ordering of singular values and eigenvalues."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest

RNG = np.random.default_rng(5)
LA = ferrograd.linalg


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def t(a):
    return ferrograd.tensor(a)


def mT(a):
    return np.swapaxes(a, -1, -2)


def assert_orthonormal_columns(q, tol=1e-10):
    k = q.shape[-1]
    np.testing.assert_allclose(
        mT(q) @ q, np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k)), atol=tol
    )


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 6, 4), (3, 2, 2, 3)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr(shape, mode):
    a = RNG.standard_normal(shape)
    q, r = LA.qr(t(a), mode=mode)
    m, n = shape[-2:]
    k = min(m, n)
    rn = r.numpy()
    assert np.allclose(np.tril(rn, -1), 0)  # upper triangular
    if mode == "r":
        assert q.shape == (0,) and rn.shape == shape[:-2] + (k, n)
        np.testing.assert_allclose(np.abs(rn), np.abs(np.linalg.qr(a, mode="r")), atol=1e-10)
        return
    qn = q.numpy()
    cols = m if mode == "complete" else k
    assert qn.shape == shape[:-2] + (m, cols) and rn.shape == shape[:-2] + (cols, n)
    assert_orthonormal_columns(qn)
    np.testing.assert_allclose(qn @ rn, a, atol=1e-10)


def test_legacy_qr_and_named_tuples():
    a = RNG.standard_normal((4, 3))
    r = ferrograd.qr(t(a))
    assert type(r).__name__ == "qr" and r.Q.shape == (4, 3) and r.R.shape == (3, 3)
    full = t(a).qr(some=False)
    assert full.Q.shape == (4, 4)
    assert type(LA.qr(t(a))).__name__ == "linalg_qr"
    with raises(
        RuntimeError,
        "qr received unrecognized mode 'x' but expected one of 'reduced' (default), 'r', or 'complete'",
    ):
        LA.qr(t(a), mode="x")


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 6, 4), (1, 1)])
@pytest.mark.parametrize("full", [True, False])
def test_svd(shape, full):
    a = RNG.standard_normal(shape)
    u, s, vh = LA.svd(t(a), full_matrices=full)
    un, sn, vhn = u.numpy(), s.numpy(), vh.numpy()
    m, n = shape[-2:]
    k = min(m, n)
    assert un.shape[-2:] == ((m, m) if full else (m, k))
    assert vhn.shape[-2:] == ((n, n) if full else (k, n))
    np.testing.assert_allclose(sn, np.linalg.svd(a, compute_uv=False), rtol=1e-10)
    assert np.all(np.diff(sn, axis=-1) <= 0)  # descending
    assert_orthonormal_columns(un)
    assert_orthonormal_columns(mT(vhn))
    recon = (un[..., :, :k] * sn[..., None, :]) @ vhn[..., :k, :]
    np.testing.assert_allclose(recon, a, atol=1e-10)
    np.testing.assert_allclose(LA.svdvals(t(a)).numpy(), sn, rtol=1e-12)


def test_legacy_svd():
    a = RNG.standard_normal((4, 3)).astype(np.float32)
    u, s, v = ferrograd.svd(t(a))
    assert type(ferrograd.svd(t(a))).__name__ == "svd"
    assert u.shape == (4, 3) and v.shape == (3, 3)
    np.testing.assert_allclose((u.numpy() * s.numpy()) @ v.numpy().T, a, atol=1e-5)
    u, s, v = t(a).svd(some=False)
    assert u.shape == (4, 4)
    u, s, v = ferrograd.svd(t(a), compute_uv=False)
    assert u.shape == (4, 4) and v.shape == (3, 3)
    assert not u.numpy().any() and not v.numpy().any()
    np.testing.assert_allclose(s.numpy(), np.linalg.svd(a, compute_uv=False), rtol=1e-5)


def test_svd_empty_and_nan():
    u, s, vh = LA.svd(ferrograd.zeros(0, 3))
    assert u.shape == (0, 0) and s.shape == (0,) and vh.tolist() == np.eye(3).tolist()
    assert LA.svdvals(ferrograd.zeros(0, 3)).shape == (0,)
    with raises(
        LA.LinAlgError,
        "linalg.svd: The algorithm failed to converge because the input matrix contained "
        "non-finite values.",
    ):
        LA.svd(t([[float("nan"), 1.0], [1.0, 1.0]]))


@pytest.mark.parametrize("shape", [(4, 4), (3, 5, 5), (1, 1), (0, 0)])
def test_eigh(shape):
    m = RNG.standard_normal(shape)
    sym = m + mT(m)
    w, v = LA.eigh(t(sym))
    wn, vn = w.numpy(), v.numpy()
    np.testing.assert_allclose(wn, np.linalg.eigvalsh(sym), rtol=1e-10, atol=1e-12)
    assert np.all(np.diff(wn, axis=-1) >= 0)  # ascending
    if shape[-1]:
        assert_orthonormal_columns(vn)
        np.testing.assert_allclose(sym @ vn, vn * wn[..., None, :], atol=1e-10)
    np.testing.assert_allclose(LA.eigvalsh(t(sym)).numpy(), wn, rtol=1e-12, atol=1e-12)


def test_eigh_reads_one_triangle():
    a = t([[2.0, 100.0], [1.0, 2.0]])
    assert LA.eigvalsh(a).tolist() == [1.0, 3.0]  # lower: [[2, 1], [1, 2]]
    upper = LA.eigh(a, UPLO="U").eigenvalues.numpy()
    np.testing.assert_allclose(upper, [-98.0, 102.0], rtol=1e-6)
    assert type(LA.eigh(a)).__name__ == "linalg_eigh"
    with raises(RuntimeError, "Expected UPLO argument to be 'L' or 'U', but got X"):
        LA.eigh(a, UPLO="X")


def test_eig_real_spectrum():
    a = np.array([[4.0, 1.0], [2.0, 3.0]])
    w, v = LA.eig(t(a))
    assert type(LA.eig(t(a))).__name__ == "linalg_eig"
    wn, vn = w.numpy(), v.numpy()
    np.testing.assert_allclose(np.sort(wn), [2.0, 5.0], rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(vn, axis=0), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(a @ vn, vn * wn, atol=1e-5)
    b = RNG.standard_normal((3, 4, 4))
    sym = b + mT(b)  # real eigenvalues
    np.testing.assert_allclose(
        np.sort(LA.eigvals(t(sym)).numpy(), axis=-1), np.linalg.eigvalsh(sym), rtol=1e-8, atol=1e-10
    )


def test_eig_complex_spectrum_is_refused():
    with pytest.raises(RuntimeError, match="complex eigenvalues, which ferrograd cannot represent"):
        LA.eig(t([[0.0, 1.0], [-1.0, 0.0]]))
    with pytest.raises(RuntimeError, match="complex eigenvalues"):
        LA.eigvals(t([[0.0, 1.0], [-1.0, 0.0]]))


ERRORS = [
    (
        lambda: LA.qr(ferrograd.ones(3)),
        RuntimeError,
        "linalg.qr: The input tensor A must have at least 2 dimensions.",
    ),
    (
        lambda: LA.qr(ferrograd.ones(3, 2).int()),
        NotImplementedError,
        "linalg.qr: Expected a floating point or complex tensor as input. Got Int",
    ),
    (
        lambda: LA.qr(ferrograd.ones(3, 3).half()),
        NotImplementedError,
        "\"geqrf_cpu\" not implemented for 'Half'",
    ),
    (
        lambda: LA.svd(ferrograd.ones(3)),
        RuntimeError,
        "linalg.svd: The input tensor A must have at least 2 dimensions.",
    ),
    (
        lambda: LA.svd(ferrograd.ones(3, 2).long()),
        NotImplementedError,
        "linalg.svd: Expected a floating point or complex tensor as input. Got Long",
    ),
    (
        lambda: LA.svdvals(ferrograd.ones(3, 3).half()),
        NotImplementedError,
        "\"linalg_svd_cpu\" not implemented for 'Half'",
    ),
    (
        lambda: LA.eigh(ferrograd.ones(3, 2)),
        RuntimeError,
        "linalg.eigh: A must be batches of square matrices, but they are 3 by 2 matrices",
    ),
    (
        lambda: LA.eigh(ferrograd.ones(3, 3).long()),
        NotImplementedError,
        "\"linalg_eigh_cpu\" not implemented for 'Long'",
    ),
    (
        lambda: LA.eig(ferrograd.ones(3, 2)),
        RuntimeError,
        "linalg.eig: A must be batches of square matrices, but they are 3 by 2 matrices",
    ),
    (
        lambda: LA.eigvals(ferrograd.ones(2, 3)),
        RuntimeError,
        "linalg.eigvals: A must be batches of square matrices, but they are 2 by 3 matrices",
    ),
    (
        lambda: LA.eig(ferrograd.ones(2, 2).long()),
        RuntimeError,
        "Unknown Complex ScalarType for Long",
    ),
    (
        lambda: LA.eig(t([[float("nan"), 1.0], [1.0, 1.0]])),
        RuntimeError,
        "torch.linalg.eig: input tensor should not contain infs or NaNs.",
    ),
]


@pytest.mark.parametrize(("call", "exc", "msg"), ERRORS)
def test_errors(call, exc, msg):
    with raises(exc, msg):
        call()
