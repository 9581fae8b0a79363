"""The op table: one `OpSpec` row per op, grouped by family (the rows live in op_rows_*.py).

Test modules draw inputs for each row (test_op_table_<family>.py) and compare ferrograd with
the row's numpy reference; the autograd tests can reuse the same rows (`differentiable`,
`domain`, `dtypes`) to compare gradients with finite differences in float64.

Adding an op: one row in the family's op_rows_*.py, giving
  - its name (dotted for namespaces: "linalg.det") and how it is spelled: `function`,
    `method`, `inplace` (Tensor.<name>_), `operator` (a name from the `operator` module),
    `scalars` (operand positions that may be Python scalars), `aliases`;
  - `kind` (how the test module builds its inputs) and `domain` (one per tensor operand:
    where values are drawn, e.g. POSITIVE for log, UNIT for acos, NONZERO for integer
    divisors);
  - `dtypes` it takes, and the `result` rule giving its output dtype(s);
  - `ref`, a numpy (or small Python) reference, which raises `Refused` where PyTorch raises;
  - `variants`: the keyword forms to exercise (dim/keepdim/alpha/rounding_mode/...), with
    placeholders from op_args.py for values that depend on the input (a valid dim, ...);
  - `tol` overrides when PyTorch's kernel rounds differently, and a `note` on anything
    surprising.
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
DIFFERENTIABLE = [spec for spec in OPS if spec.differentiable]

assert len(BY_NAME) == len(OPS), "one row per op"
