"""Distances and similarities between vectors: cosine similarity, pairwise distance, pdist."""

from __future__ import annotations

from ... import _C, linalg
from ..._numpy_aliases import alias
from ...autograd.grad_mode import no_grad
from ._loss_reduction import scalar_type_name

Tensor = _C.Tensor

__all__ = ["cosine_similarity", "pairwise_distance", "pdist"]


def cosine_similarity(
    x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8, *, axis: int | None = None
) -> Tensor:
    """<x1, x2> / (max(|x1|, eps) max(|x2|, eps)) along `dim` (or numpy's `axis`), the two
    broadcast together."""
    dim = alias("cosine_similarity", "dim", dim, 1, "axis", axis)
    common = _C.result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError(
            "expected common dtype to be floating point, yet common dtype is "
            f"{scalar_type_name(common)}"
        )
    x1, x2 = _C.broadcast_tensors(x1.to(common), x2.to(common))
    # Normalising each vector before the dot product keeps the result within [-1, 1] and
    # cannot overflow as |x1| |x2| could. The clamp runs on clones under no_grad, so the
    # gradient flows through the norms as if unclamped (PyTorch does the same).
    x1_norm = linalg.vector_norm(x1, 2, dim=dim, keepdim=True).clone()
    x2_norm = linalg.vector_norm(x2, 2, dim=dim, keepdim=True).clone()
    with no_grad():
        x1_norm.clamp_min_(eps)
        x2_norm.clamp_min_(eps)
    return ((x1 / x1_norm) * (x2 / x2_norm)).sum(dim)


def pairwise_distance(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    eps: float = 1e-6,
    keepdim: bool = False,
    *,
    keepdims: bool | None = None,
) -> Tensor:
    """The p-norm of `x1 - x2 + eps` over the last dimension (eps keeps the norm away from
    its non-differentiable point at 0)."""
    keepdim = alias("pairwise_distance", "keepdim", keepdim, False, "keepdims", keepdims)
    last_dim = max(x1.dim(), x2.dim()) - 1
    return _C.norm(x1 - x2 + eps, p, last_dim, keepdim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distance between every pair of rows i < j of an (N, M) tensor, in the
    order of the upper triangle read row by row: N (N - 1) / 2 values."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    if n <= 1:
        return input.new_zeros(0)
    rows, cols = _C.triu_indices(n, n, 1, device=input.device)
    if input.shape[1] == 0:
        return input.new_zeros(rows.shape[0])
    return _C.norm(input[rows] - input[cols], p, 1)
