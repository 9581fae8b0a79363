"""The op table: one `OpSpec` row per op, grouped by family (rows live in op_rows_*.py).

Test modules draw inputs for each row and compare ferrograd with the row's numpy reference;
the autograd tests reuse the same rows (`differentiable`, `domain`) against finite differences.
"""

from __future__ import annotations

from op_rows_elementwise import BINARY, TERNARY, UNARY
from op_rows_indexing import INDEXING
from op_rows_linalg import LINALG
from op_rows_reductions import REDUCTIONS
from op_rows_shapes import SHAPES

FAMILIES = {
    "unary": UNARY,
    "binary": BINARY,
    "ternary": TERNARY,
    "reductions": REDUCTIONS,
    "shapes": SHAPES,
    "indexing": INDEXING,
    "linalg": LINALG,
}

OPS = [spec for rows in FAMILIES.values() for spec in rows]
BY_NAME = {spec.name: spec for spec in OPS}
ELEMENTWISE = UNARY + BINARY + TERNARY
