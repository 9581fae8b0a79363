"""Op-table rows for shape ops: joining, splitting, flipping, repeating, triangles, diagonals,
broadcasting, grids. Kinds: "unary" (one tensor), "cat"/"stack" (a list of tensors),
"vectors"/"broadcast" (tensors as separate arguments), "creation" (no tensor input)."""

from __future__ import annotations

import numpy as np
import op_refs_shape as RS
from op_args import (
    BroadcastShape,
    Dim,
    DimPair,
    Dims,
    Int,
    OneOf,
    OtherDim,
    Repeats,
    RepeatsTensor,
    Sections,
    Shapes,
    Shifts,
    SplitIndices,
    SplitSize,
    TileDims,
)
from op_spec import ALL, INT64, INT_TO_INT64, NUMERIC, PROMOTE, SAME, OpSpec, V


def shape_op(name, ref, kind="unary", ndim=(0, 4), result=SAME, **kw) -> OpSpec:
    return OpSpec(name, ref, kind, ALL, result=result, ndim=ndim, **kw)


def joined(name, ref, kind="stack", **kw) -> OpSpec:
    """Ops over a list of tensors: promote their dtypes, like cat."""
    return OpSpec(name, ref, kind, ALL, result=PROMOTE, method=False, **kw)


def grid(name, ref, kind="vectors", **kw) -> OpSpec:
    return OpSpec(name, ref, kind, ALL, result=SAME, method=False, mixed_dtypes=False,
                  differentiable=True, **kw)  # fmt: skip


# fmt: off
SHAPES = [
    joined("cat", RS.cat, "cat", aliases=("concat", "concatenate"), variants=(V(), V(dim=Dim())),
           note="1-D empty tensors are skipped when joined with higher-rank ones"),
    joined("stack", RS.stack, variants=(V(), V(dim=Dim(extra=1)))),
    joined("hstack", np.hstack),
    joined("vstack", np.vstack),
    joined("dstack", np.dstack),
    joined("column_stack", RS.column_stack),
    shape_op("split", RS.split, ndim=(1, 4), view=True,
             variants=(V(SplitSize()), V(SplitSize(), dim=Dim()))),
    shape_op("tensor_split", RS.tensor_split, ndim=(1, 4), view=True,
             variants=(V(Sections()), V(SplitIndices(), dim=Dim()), V(Sections(), dim=Dim()))),
    shape_op("chunk", RS.chunk, ndim=(1, 4), view=True,
             variants=(V(Sections()), V(Sections(), dim=Dim()))),
    shape_op("unbind", RS.unbind, ndim=(1, 4), view=True, variants=(V(), V(dim=Dim()))),
    shape_op("flip", RS.flip, variants=(V(dims=Dims()),)),
    shape_op("fliplr", np.fliplr, ndim=(2, 4)),
    shape_op("flipud", np.flipud, ndim=(1, 4)),
    shape_op("roll", RS.roll, variants=(
        V(shifts=Shifts()), V(dims=Dim(), shifts=Shifts()), V(dims=Dims(), shifts=Shifts()),
    )),
    shape_op("rot90", RS.rot90, ndim=(2, 4), variants=(V(), V(k=Int(-5, 5), dims=DimPair()))),
    shape_op("repeat", RS.repeat, function=False, variants=(V(Repeats()),)),
    shape_op("repeat_interleave", RS.repeat_interleave, variants=(
        V(repeats=Int(0, 3)), V(repeats=Int(0, 3), dim=Dim()),
        V(dim=Dim(), repeats=RepeatsTensor()),
    )),
    shape_op("tile", RS.tile, variants=(V(dims=TileDims()),)),
    shape_op("tril", RS.tril, ndim=(2, 4), inplace=True, variants=(V(), V(diagonal=Int(-3, 3)))),
    shape_op("triu", RS.triu, ndim=(2, 4), inplace=True, variants=(V(), V(diagonal=Int(-3, 3)))),
    shape_op("tril_indices", RS.tril_indices, "creation", result=INT64, differentiable=False,
             method=False, variants=(V(Int(0, 5), Int(0, 5)), V(Int(0, 5), Int(0, 5), Int(-4, 4)))),
    shape_op("triu_indices", RS.triu_indices, "creation", result=INT64, differentiable=False,
             method=False, variants=(V(Int(0, 5), Int(0, 5)), V(Int(0, 5), Int(0, 5), Int(-4, 4)))),
    shape_op("diag", RS.diag, ndim=(1, 2), variants=(V(), V(diagonal=Int(-3, 3)))),
    shape_op("diag_embed", RS.diag_embed, ndim=(1, 3), variants=(
        V(), V(offset=Int(-2, 2)),
        V(offset=Int(-2, 2), dim1=Dim(extra=1), dim2=OtherDim("dim1", 1)),
    )),
    shape_op("diagflat", RS.diagflat, variants=(V(), V(offset=Int(-3, 3)))),
    OpSpec("trace", RS.trace, "unary", NUMERIC, result=INT_TO_INT64, ndim=(2, 2)),
    grid("meshgrid", RS.meshgrid, ndim=(0, 1), variants=(V(indexing=OneOf("ij", "xy")),),
         note="without indexing= PyTorch warns and uses 'ij'"),
    shape_op("broadcast_to", RS.broadcast_to, view=True, variants=(V(size=BroadcastShape()),)),
    grid("broadcast_tensors", RS.broadcast_tensors, "broadcast", view=True),
    shape_op("broadcast_shapes", np.broadcast_shapes, "creation", function=True, method=False,
             differentiable=False, variants=(V(Shapes()),)),
    shape_op("atleast_1d", np.atleast_1d, view=True, method=False),
    shape_op("atleast_2d", np.atleast_2d, view=True, method=False),
    shape_op("atleast_3d", np.atleast_3d, view=True, method=False),
    grid("cartesian_prod", RS.cartesian_prod, ndim=(1, 1)),
    OpSpec("combinations", RS.combinations, "unary", ALL, ndim=(1, 1), method=False,
           variants=(V(), V(r=Int(1, 3), with_replacement=OneOf(False, True)))),
]
# fmt: on
