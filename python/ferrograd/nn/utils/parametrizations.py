"""`orthogonal`, `weight_norm` and `spectral_norm` written as parametrizations.

Each registers a small module with `parametrize.register_parametrization`, so the constrained
weight is recomputed from unconstrained tensors (`parametrizations.weight.original*`) whenever it
is read. The hook-based `nn.utils.weight_norm` and `nn.utils.spectral_norm` are the older API;
the maths they share lives there.
"""

from __future__ import annotations

from enum import Enum, auto
from typing import Any

from ... import _C
from ..._dtype_info import finfo
from ...autograd.grad_mode import no_grad
from ...linalg import solve
from .. import functional as F
from ..modules.module import Module
from . import parametrize
from ._orthogonal_linalg import geqrf, householder_product, matrix_exp
from .spectral_norm import _default_dim, _reshape_weight_to_matrix
from .weight_norm import _weight_norm, norm_except_dim

Tensor = _C.Tensor

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _tensor_named(module: Module, name: str) -> Tensor:
    """`module.<name>`, which must be a tensor (a parameter, a buffer or a parametrized one)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(  # noqa: TRY004 (PyTorch raises ValueError)
            f"Module '{module}' has no parameter or buffer with name '{name}'"
        )
    return weight


def _is_orthogonal(Q: Tensor) -> bool:
    """Q^T Q = I up to 10 n ulps."""
    n, k = Q.size(-2), Q.size(-1)
    identity = _C.eye(k, dtype=Q.dtype, device=Q.device)
    eps = 10.0 * n * finfo(Q.dtype).eps
    return _C.allclose(Q.mH @ Q, identity, atol=eps)


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q of A = QR (A tall) taken with diag(R) >= 0, which makes it unique."""
    X, tau = geqrf(A)
    Q = householder_product(X, tau)
    # The diagonal of X is the diagonal of R: flip the columns where it is negative.
    return Q * X.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """Maps any (..., n, k) tensor to one with orthonormal columns (rows when n < k).

    With `use_trivialization`, the result is `base @ map(X)`, where `base` is an orthogonal
    matrix kept as a buffer and reset by every assignment to the weight.
    """

    base: Tensor

    def __init__(
        self, weight: Tensor, orthogonal_map: _OrthMaps, *, use_trivialization: bool = True
    ) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        # From here X is tall: n >= k.
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            # The lower triangle is enough: A = X - X^T is skew-symmetric, so exp(A) and the
            # Cayley map of A are orthogonal.
            X = X.tril()
            if n != k:
                X = _C.cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = matrix_exp(A)
            else:
                # (I + A/2)(I - A/2)^{-1}, as a solve.
                identity = _C.eye(n, dtype=A.dtype, device=A.device)
                Q = solve(identity - 0.5 * A, identity + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            # Reflectors below the diagonal, each with tau = 2 / ||v||^2 (a true reflection).
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = householder_product(A, tau)
            # The diagonal of X holds signs (+-1) chosen by right_inverse; not differentiated.
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        with no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q: Tensor) -> Tensor:
        if Q.shape != self.shape:
            raise ValueError(
                f"Expected a matrix or batch of matrices of shape {self.shape}. "
                f"Got a tensor of shape {Q.shape}."
            )
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            # Only the Householder map has a known inverse: the QR reflectors of Q.
            if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                raise NotImplementedError(
                    "It is not possible to assign to the matrix exponential "
                    "or the Cayley parametrizations when use_trivialization=False."
                )
            A, tau = geqrf(Q)
            # The diagonal keeps the signs of R; where LAPACK used no reflection (tau = 0) the
            # forward map still reflects, so that sign is flipped to compensate.
            diagonal = A.diagonal(dim1=-2, dim2=-1)
            diagonal.sign_()
            diagonal.copy_(_C.where(tau == 0.0, -diagonal, diagonal))
            return A.mT if transpose else A
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:
            # Completed to a square orthogonal matrix with random columns.
            N = _C.randn(*(Q.size()[:-2] + (n, n - k)), dtype=Q.dtype, device=Q.device)
            Q = _make_orthogonal(_C.cat([Q, N], dim=-1))
        self.base = Q
        # -I: the Householder map sends it to I (and exp / Cayley send its tril to I too,
        # since A = X - X^T ignores the diagonal), so the weight becomes `base` itself.
        neg_id = _C.zeros_like(Q_init)
        neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return neg_id


def orthogonal(
    module: Module,
    name: str = "weight",
    orthogonal_map: str | None = None,
    *,
    use_trivialization: bool = True,
) -> Module:
    """Constrains `module.<name>` (a matrix or batch of matrices) to have orthonormal columns
    (rows, when it is wide), via "matrix_exp", "cayley" or "householder".

    The default map is "matrix_exp" for a square matrix and "householder" otherwise.
    """
    weight = _tensor_named(module, name)
    if weight.ndim < 2:
        raise ValueError(
            f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions."
        )
    if orthogonal_map is None:
        square = weight.size(-2) == weight.size(-1)
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
            f"Got: {orthogonal_map}"
        )
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    """(g, v) -> g * v / ||v||; right_inverse splits a weight into its norm and itself."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Rewrites `module.<name>` as g * v / ||v|| (norm per slice of `dim`; None: the whole
    tensor), with g = `parametrizations.<name>.original0`, v = `original1`."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(
        state_dict: Any,
        prefix: str,
        local_metadata: Any,
        strict: bool,
        missing_keys: list,
        unexpected_keys: list,
        error_msgs: list,
    ) -> None:
        # A checkpoint of the hook-based weight_norm names them `<name>_g` and `<name>_v`.
        g_key = f"{prefix}{name}_g"
        v_key = f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    """W -> W / sigma(W), sigma estimated by power iteration with vectors `_u`, `_v` (buffers),
    advanced `n_power_iterations` steps at each read in training mode."""

    def __init__(
        self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                "Dimension out of range (expected to be in range of "
                f"[-{ndim}, {ndim - 1}] but got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but "
                f"got n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            # A vector needs no estimate (see forward).
            self.n_power_iterations = n_power_iterations
            weight_mat = _reshape_weight_to_matrix(weight, self.dim)
            h, w = weight_mat.size()
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            # Start from a good estimate rather than random vectors.
            self._power_method(weight_mat, 15)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        """u <- W v / ||W v||, v <- W^T u / ||W^T u||, written into the buffers in place."""
        with no_grad():
            for _ in range(n_power_iterations):
                F.normalize(weight_mat.mv(self._v), dim=0, eps=self.eps, out=self._u)
                F.normalize(weight_mat.mH.mv(self._u), dim=0, eps=self.eps, out=self._v)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            # The spectral norm of a vector is its 2-norm: exact, no iteration.
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = _reshape_weight_to_matrix(weight, self.dim)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        # Clones: a backward through an earlier read must not see the in-place updates.
        u = self._u.clone()
        v = self._v.clone()
        sigma = u.dot(weight_mat.mv(v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Divides `module.<name>` by its largest singular value whenever it is read."""
    weight = _tensor_named(module, name)
    if dim is None:
        dim = _default_dim(module)
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps)
    )
    return module
