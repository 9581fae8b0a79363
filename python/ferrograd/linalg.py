"""`ferrograd.linalg`: PyTorch's `torch.linalg` namespace.

Every function is implemented in Rust (`ferrograd-core`, decompositions through the `faer`
crate) and registered in the native module with a `_linalg_` prefix; this module gives them
their public names. `norm` is the one function written here: it only chooses between a
matrix norm and a vector norm, as PyTorch's does.

ferrograd has no complex dtypes, so `eig` and `eigvals` return real tensors and raise when a
matrix has complex eigenvalues (PyTorch returns complex tensors for every input).
"""

from __future__ import annotations

from typing import Any

from . import _C
from ._numpy_aliases import alias

# A RuntimeError subclass raised when a decomposition fails on its input's values (a singular
# matrix in `inv` or `solve`, a matrix that is not positive-definite in `cholesky`).
LinAlgError = _C._LinAlgError

# Products (shared with the top level).
matmul = _C.matmul
cross = _C._linalg_cross
multi_dot = _C._linalg_multi_dot

# LU-based: determinants, inverses, solving.
det = _C._linalg_det
slogdet = _C._linalg_slogdet
inv = _C._linalg_inv
inv_ex = _C._linalg_inv_ex
solve = _C._linalg_solve
solve_ex = _C._linalg_solve_ex
matrix_power = _C._linalg_matrix_power

# Factorisations.
cholesky = _C._linalg_cholesky
cholesky_ex = _C._linalg_cholesky_ex
qr = _C._linalg_qr
svd = _C._linalg_svd
svdvals = _C._linalg_svdvals
eig = _C._linalg_eig
eigvals = _C._linalg_eigvals
eigh = _C._linalg_eigh
eigvalsh = _C._linalg_eigvalsh

# Built on the SVD.
lstsq = _C._linalg_lstsq
pinv = _C._linalg_pinv
matrix_rank = _C._linalg_matrix_rank
matrix_norm = _C._linalg_matrix_norm
cond = _C._linalg_cond

# `vector_norm` is a reduction; the reductions code registers it in the native module.
vector_norm = _C._linalg_vector_norm


def norm(
    A: Any,
    ord: Any = None,
    dim: Any = None,
    keepdim: bool = False,
    *,
    out: Any = None,
    dtype: Any = None,
    axis: Any = None,
    keepdims: Any = None,
) -> Any:
    """A matrix norm when `ord` is given for a matrix (or `dim` names two dims), else a
    vector norm over `dim` (all elements when `dim` is None), as `torch.linalg.norm`.
    `axis` and `keepdims` are numpy's names for `dim` and `keepdim`."""
    dim = alias("linalg_norm", "dim", dim, None, "axis", axis)
    keepdim = alias("linalg_norm", "keepdim", keepdim, False, "keepdims", keepdims)
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) not in (1, 2):
            raise RuntimeError(
                f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}"
            )
    elif ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(
            "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
            f"Got {A.ndim}D."
        )
    matrix = isinstance(ord, str) or (
        ord is not None and ((dim is not None and len(dim) == 2) or (dim is None and A.ndim == 2))
    )
    if matrix:
        result = matrix_norm(A, ord, dim if dim is not None else (0, 1), keepdim, dtype=dtype)
    else:
        result = vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if out is not None:
        return _C._linalg_norm_out(result, out)
    return result


__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cond",
    "cross",
    "det",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "inv",
    "inv_ex",
    "lstsq",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "svd",
    "svdvals",
    "vector_norm",
]
