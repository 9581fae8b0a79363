"""`matrix_exp`, `geqrf` and `householder_product` written with Tensor ops, for `orthogonal`.

ferrograd's `linalg` has no such functions; the orthogonal parametrization needs all three.
Being Tensor ops, `matrix_exp` and `householder_product` are differentiable, which the
parametrization's forward needs; `geqrf` is only used under no_grad. Each works on a batch of
matrices `(..., m, n)`.
"""

from __future__ import annotations

import math

from ... import _C

Tensor = _C.Tensor

# Taylor terms summed for exp(B) once ||B||_1 <= 1: the remainder is below 1 / 19! ~ 8e-18,
# under float64's rounding.
_TAYLOR_DEGREE = 18


def matrix_exp(A: Tensor) -> Tensor:
    """exp(A) by scaling and squaring: exp(A) = exp(A / 2^s)^(2^s), with s chosen so that
    ||A / 2^s||_1 <= 1, where a Taylor polynomial (summed by Horner's rule) is accurate."""
    n = A.size(-1)
    identity = _C.eye(n, dtype=A.dtype, device=A.device)
    # The largest absolute column sum over the batch (a matrix 1-norm) decides the scaling.
    norm = float(A.detach().abs().sum(-2).max()) if A.numel() > 0 else 0.0
    # (A non-finite norm gets no scaling: the result is non-finite either way.)
    squarings = math.ceil(math.log2(norm)) if 1 < norm < math.inf else 0
    B = A / (2.0**squarings)
    # I + B (I + B/2 (I + B/3 (...))) evaluated from the innermost bracket out.
    result = identity + B / _TAYLOR_DEGREE
    for k in range(_TAYLOR_DEGREE - 1, 0, -1):
        result = identity + (B @ result) / k
    for _ in range(squarings):
        result = result @ result
    return result


def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The first n columns of H_1 H_2 ... H_k, H_i = I - tau_i v_i v_i^T, where v_i is column i
    of A below the diagonal with an implicit 1 on it (LAPACK's orgqr, as
    `torch.linalg.householder_product`)."""
    m, n = A.size(-2), A.size(-1)
    k = tau.size(-1)
    # The reflector vectors as columns: strictly-lower part of A plus the unit diagonal.
    V = A.tril(-1)[..., :, :k] + _C.eye(m, k, dtype=A.dtype, device=A.device)
    Q = _C.eye(m, n, dtype=A.dtype, device=A.device).expand(*A.shape[:-2], m, n)
    # Applied right to left: Q = H_1 (H_2 (... (H_k E))), E the first n columns of I.
    for i in range(k - 1, -1, -1):
        v = V[..., :, i : i + 1]
        Q = Q - tau[..., i : i + 1].unsqueeze(-1) * (v @ (v.mT @ Q))
    return Q


def geqrf(A: Tensor) -> tuple[Tensor, Tensor]:
    """The QR decomposition in LAPACK's compact form: R on and above the diagonal, the
    Householder vectors below it, and their scales `tau` (as `torch.geqrf`).

    Each step is LAPACK's dlarfg on column j: beta = -sign(alpha) ||x||, tau = (beta - alpha) /
    beta, v = x[1:] / (alpha - beta); a column already zero below the diagonal gets tau = 0.
    """
    R = A.clone()
    m, n = R.size(-2), R.size(-1)
    taus = []
    for j in range(min(m, n)):
        alpha = R[..., j, j]
        below = R[..., j + 1 :, j]
        below_norm = below.norm(dim=-1)
        norm = (alpha * alpha + below_norm * below_norm).sqrt()
        beta = _C.where(alpha >= 0, -norm, norm)
        reflect = below_norm != 0
        tau = _C.where(reflect, (beta - alpha) / beta, _C.zeros_like(alpha))
        scale = _C.where(reflect, 1.0 / (alpha - beta), _C.zeros_like(alpha))
        beta = _C.where(reflect, beta, alpha)
        v = _C.cat([_C.ones_like(alpha).unsqueeze(-1), below * scale.unsqueeze(-1)], dim=-1)
        # The trailing columns get the reflection: C -= tau v (v^T C).
        trailing = R[..., j:, j + 1 :]
        update = tau[..., None, None] * v.unsqueeze(-1) * (v.unsqueeze(-2) @ trailing)
        R[..., j:, j + 1 :] = trailing - update
        R[..., j, j] = beta
        R[..., j + 1 :, j] = v[..., 1:]
        taus.append(tau)
    if not taus:
        return R, R.new_zeros(*R.shape[:-2], 0)
    return R, _C.stack(taus, dim=-1)
