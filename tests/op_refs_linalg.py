"""Reference implementations for linear algebra. Factorizations whose signs or bases are not
unique (qr, svd, eigh) are checked by their defining properties through `Check`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from op_refs import Refused, Typed


@dataclass(frozen=True)
class Check:
    """Placeholder result: `fn(actual, dtypes, tol)` asserts the properties it must have."""

    fn: Callable


def _values(t):
    from strategies import to_numpy

    return to_numpy(t).astype(np.float64)


def _close(a, b, tol, what):
    rtol, atol = tol
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)


def _orthonormal_columns(q, tol, what):
    k = q.shape[-1]
    _close(np.swapaxes(q, -1, -2) @ q, np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k)), tol, what)


def _check_dtypes(outs, dtypes):
    from op_harness import name_of

    for out, want in zip(outs, dtypes):
        assert name_of(out.dtype) == want, f"dtype {out.dtype}, expected {want}"


def matmul(a, b):
    return np.matmul(a, b)


def addmm(c, a, b, beta=1, alpha=1):
    product = np.matmul(a, b)
    alpha = np.asarray(alpha).astype(product.dtype)  # wraps like PyTorch (-1 for uint8)
    if beta == 0:  # the input is ignored: its NaN/inf do not propagate
        return alpha * product
    return np.asarray(beta).astype(product.dtype) * c + alpha * product


def solve(a, b, left=True):
    """B is a batch of vectors when B.shape == A.shape[:-1] (or B is 1-D)."""
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    x = np.linalg.solve(a, b[..., None] if vector else b)
    return x[..., 0] if vector else x


def cholesky(a, upper=False):
    lower = np.linalg.cholesky(a) if a.size else a.copy()
    return np.swapaxes(lower, -1, -2) if upper else lower


def det(a):
    return np.linalg.det(a) if a.size else np.ones(a.shape[:-2])


def inv(a):
    return np.linalg.inv(a) if a.size else a.copy()


def pinv(a):
    return np.linalg.pinv(a) if a.size else np.swapaxes(a, -1, -2).copy()


def matrix_power(a, n):
    """bool matrices take n = 0 and 1 only (no bool matmul); negative n needs floats."""
    if (n < 0 and a.dtype.kind != "f") or (n >= 2 and a.dtype == bool and a.size):
        raise Refused(RuntimeError)
    return np.linalg.matrix_power(a, n) if a.size or n >= 0 else a.copy()


def matrix_rank(a):
    if a.size == 0:
        return np.zeros(a.shape[:-2], np.int64)
    return np.linalg.matrix_rank(a)


def linalg_norm(a, ord=None, dim=None, keepdim=False):
    """Matrix norms of empty matrices are 0, except the minimum-based ones (ord -inf, -1,
    -2), which refuse when the extent they minimize over is empty."""
    if a.size == 0 and ord is not None:
        m, n = a.shape[-2], a.shape[-1]
        if {-np.inf: m, -1: n, -2: min(m, n)}.get(ord) == 0:
            raise Refused(IndexError)
        return np.zeros(a.shape[:-2] + ((1, 1) if keepdim else ()))
    return np.linalg.norm(a, ord=ord, axis=dim, keepdims=keepdim)


def _contracts(inputs: str, arrays, summed) -> bool:
    """A real contraction: a summed letter of size 2 or more, and no empty operand (PyTorch
    squeezes size-1 letters away and skips the kernel for empty inputs)."""
    if any(a.size == 0 for a in arrays):
        return False
    sizes = {}
    for subscripts, a in zip(inputs.split(","), arrays):
        named = subscripts.replace("...", "")
        sizes.update(zip(named, a.shape[a.ndim - len(named) :]))
    return any(sizes.get(c, 1) >= 2 for c in summed)


def einsum(equation: str, *arrays):
    """One operand summed over a letter (a trace, a sum) accumulates integers (and bools) in
    int64, like sum(); products of several operands keep their dtype, and bool operands
    cannot be contracted together."""
    inputs, arrow, output = equation.partition("->")
    letters = inputs.replace(",", "").replace(".", "")
    if not arrow:
        output = "".join(c for c in sorted(set(letters)) if letters.count(c) == 1)
    summed = set(letters) - set(output)
    if len(arrays) > 1 and arrays[0].dtype == bool and _contracts(inputs, arrays, summed):
        raise Refused(RuntimeError)  # a contraction needs bmm, which has no bool kernel
    if len(arrays) == 1 and summed and arrays[0].dtype.kind in "biu":
        return Typed(np.einsum(equation, arrays[0].astype(np.int64)), "int64")
    return np.einsum(equation, *arrays)


def cross(a, b, dim=-1):
    return np.cross(a, b, axis=dim)


def tensordot(a, b, dims=2):
    return np.tensordot(a, b, axes=dims)


def qr(a, mode="reduced"):
    def check(out, dtypes, tol):
        if mode == "r":
            q_r = (None, out[1])
            assert tuple(out[0].shape) == (0,), "mode='r' returns an empty Q"
        else:
            q_r = out
        _check_dtypes([out[1]], dtypes[1:])
        r = _values(q_r[1])
        assert np.allclose(np.tril(r, -1), 0), "R is upper triangular"
        if q_r[0] is not None:
            q = _values(q_r[0])
            _orthonormal_columns(q, tol, "Q has orthonormal columns")
            _close(q @ r, a, tol, "Q @ R == A")

    return Check(check)


def svd(a, full_matrices=True):
    def check(out, dtypes, tol):
        _check_dtypes(out, dtypes)
        u, s, vh = (_values(t) for t in out)
        want = np.linalg.svd(a, compute_uv=False) if a.size else np.zeros(a.shape[:-2] + (0,))
        _close(s, want, tol, "singular values")
        k = s.shape[-1]
        _close(u[..., :k] * s[..., None, :] @ vh[..., :k, :], a, tol, "U S Vh == A")
        _orthonormal_columns(u, tol, "U is orthonormal")
        _orthonormal_columns(np.swapaxes(vh, -1, -2), tol, "Vh is orthonormal")

    return Check(check)


def eigh(a, UPLO="L"):
    def check(out, dtypes, tol):
        _check_dtypes(out, dtypes)
        w, v = (_values(t) for t in out)
        half = np.tril(a) if UPLO == "L" else np.triu(a)
        sym = half + np.swapaxes(half, -1, -2) - half * np.eye(a.shape[-1])
        want = np.linalg.eigvalsh(sym) if a.size else np.zeros(a.shape[:-1])
        _close(w, want, tol, "eigenvalues, ascending")
        _orthonormal_columns(v, tol, "eigenvectors are orthonormal")
        _close(sym @ v, v * w[..., None, :], tol, "A V == V diag(w)")

    return Check(check)
