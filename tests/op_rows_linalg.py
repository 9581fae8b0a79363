"""Op-table rows for linear algebra. Kinds name the operand shapes the test module draws:
matmul (every rank pairing), mm, bmm, mv, dot, outer, addmm, einsum, tensordot, kron, cross,
square (any / well-conditioned / SPD / symmetric-from-one-triangle), general, lowrank, solve."""

from __future__ import annotations

import numpy as np
import op_refs_linalg as RL
from op_args import Int, OneOf
from op_spec import ALL, FLOATS, INT64, NUMERIC, PROMOTE, SAME, Domain, OpSpec, V

LAPACK = ("float32", "float64")
ENTRIES = Domain(low=-3.0, high=3.0, int_low=-3, int_high=3, specials=False)
# Sums of products: the error is relative to the terms, not to a cancelled result; float16
# and bfloat16 kernels may also round partial sums.
SUMS = {"float16": (1e-2, 5e-2), "bfloat16": (3e-2, 3e-1), "float32": (1e-5, 1e-4),
        "float64": (1e-10, 1e-10)}  # fmt: skip
DECOMPOSITION = {"float32": (1e-4, 1e-4), "float64": (1e-9, 1e-9)}
KEEP = OneOf(False, True)


def linalg(name, ref, kind, dtypes=NUMERIC, result=PROMOTE, **kw) -> OpSpec:
    kw.setdefault("tol", SUMS)
    kw.setdefault("mixed_dtypes", False)
    return OpSpec(name, ref, kind, dtypes, (ENTRIES, ENTRIES), result, **kw)


def lapack(name, ref, kind, result=SAME, **kw) -> OpSpec:
    return OpSpec(name, ref, kind, LAPACK, (ENTRIES,), result, method=False,
                  tol=DECOMPOSITION, **kw)  # fmt: skip


# fmt: off
LINALG = [
    linalg("matmul", RL.matmul, "matmul", operator="matmul", inplace=False),
    linalg("mm", np.matmul, "mm"),
    linalg("bmm", np.matmul, "bmm"),
    linalg("mv", np.matmul, "mv"),
    linalg("dot", np.dot, "dot"),
    linalg("outer", np.outer, "outer", ALL, mixed_dtypes=True),
    linalg("addmm", RL.addmm, "addmm", variants=(
        V(), V(beta=OneOf(0, 2), alpha=OneOf(1, -1)), V(beta=0.5, alpha=1.5, dtypes=FLOATS),
    ), note="beta=0 ignores the input entirely (its NaN/inf do not propagate)"),
    linalg("einsum", RL.einsum, "einsum", ALL, method=False,
           note="one operand summed over a letter gives int64 for integer input, like sum()"),
    linalg("tensordot", RL.tensordot, "tensordot", method=False),
    linalg("kron", np.kron, "kron", ALL, layouts=("contiguous", "offset"),
           note="PyTorch's kron raises a view error when its first operand is non-contiguous "
                "and of higher rank, so only contiguous layouts are drawn here"),
    linalg("cross", RL.cross, "cross", variants=(V(dim=Int(-1, -1)),)),
    linalg("linalg.cross", RL.cross, "cross", method=False, variants=(V(), V(dim=Int(-1, -1)))),
    lapack("linalg.det", RL.det, "square"),
    lapack("linalg.inv", RL.inv, "square:wellcond"),
    OpSpec("linalg.solve", RL.solve, "solve", LAPACK, (ENTRIES, ENTRIES), method=False,
           mixed_dtypes=False, tol=DECOMPOSITION),
    lapack("linalg.cholesky", RL.cholesky, "square:spd", variants=(V(), V(upper=True))),
    lapack("linalg.qr", RL.qr, "general", (SAME, SAME), fields=("Q", "R"),
           variants=(V(), V(mode=OneOf("reduced", "complete", "r")))),
    lapack("linalg.svd", RL.svd, "general", (SAME, SAME, SAME), fields=("U", "S", "Vh"),
           variants=(V(), V(full_matrices=KEEP))),
    lapack("linalg.eigh", RL.eigh, "square:one-triangle", (SAME, SAME),
           fields=("eigenvalues", "eigenvectors"), variants=(V(), V(UPLO=OneOf("L", "U")))),
    lapack("linalg.pinv", RL.pinv, "general:wellcond"),
    OpSpec("linalg.matrix_power", RL.matrix_power, "square", ALL, (ENTRIES,), method=False,
           tol=SUMS, variants=(V(n=Int(0, 3)), V(n=Int(-2, -1), dtypes=LAPACK)),
           note="negative powers need an invertible float matrix"),
    lapack("linalg.matrix_rank", RL.matrix_rank, "lowrank", INT64, differentiable=False),
    OpSpec("linalg.norm", RL.linalg_norm, "general", FLOATS, (ENTRIES,), method=False,
           tol=SUMS, variants=(
               V(), V(ord=OneOf("fro", "nuc", np.inf, -np.inf, 1, -1, 2, -2), dim=(-2, -1),
                      dtypes=LAPACK),
               V(ord=OneOf("fro", np.inf, -np.inf, 1, -1), dim=(-2, -1), keepdim=KEEP),
           )),
]
# fmt: on
