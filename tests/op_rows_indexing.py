"""Op-table rows for indexing: getitem/setitem, select/gather/scatter, masks, take, nonzero,
sorting (stable and not), topk, unique, searchsorted/bucketize, bincount, histc."""

from __future__ import annotations

import op_refs_index as RI
from op_args import Dim, Int, OneOf, ScalarArg, SizeAlong
from op_args_index import (
    GatherIndex,
    IndexVector,
    SortedBoundaries,
    SourceLike,
    TakeIndex,
    Weights,
)
from op_spec import (
    ALL,
    FINITE,
    FLOAT64,
    FLOATS,
    INT64,
    INTS,
    MASK,
    NUMERIC,
    REAL,
    SAME,
    Domain,
    OpSpec,
    V,
)

KEEP = OneOf(False, True)
PAIR = ("values", "indices")
FEW_VALUES = Domain(low=-3.0, high=3.0, int_low=-3, int_high=3, integral=True)  # ties, NaN
COUNTS = Domain(int_low=0, int_high=6)


def FLOAT32(common: str, first: str) -> str:
    return "float32"


def INT32(common: str, first: str) -> str:
    return "int32"


def index_op(name, ref, dtypes=ALL, domain=REAL, result=SAME, kind="unary", **kw) -> OpSpec:
    domains = domain if isinstance(domain, tuple) else (domain,)
    return OpSpec(name, ref, kind, dtypes, domains, result, ndim=kw.pop("ndim", (0, 4)), **kw)


def getitem(a, key):
    return a[key]


def setitem(a, key, value):
    out = a.copy()
    out[key] = value
    return out


SCATTER = {"dim": Dim(), "index": GatherIndex(unique=True)}
REDUCE = OneOf("sum", "prod", "mean", "amax", "amin")
SORT = (V(), V(dim=Dim(), descending=KEEP), V(dim=Dim(), descending=KEEP, stable=True))

# fmt: off
INDEXING = [
    OpSpec("getitem", getitem, "getitem", ALL, function=False, method=False,
           note="x[key]: ints, slices (positive steps), None, Ellipsis, int/bool tensors, lists"),
    OpSpec("setitem", setitem, "setitem", ALL, function=False, method=False, differentiable=True,
           note="x[key] = value (duplicate indices have no defined winner, so none are drawn)"),
    index_op("index_select", RI.index_select, variants=(V(dim=Dim(), index=IndexVector()),)),
    index_op("gather", RI.gather, variants=(V(dim=Dim(), index=GatherIndex()),)),
    index_op("scatter", RI.scatter, inplace=True, variants=(
        V(**SCATTER, src=SourceLike()), V(**SCATTER, value=ScalarArg(FINITE, fill=True)),
    )),
    index_op("scatter_add", RI.scatter_add, ALL, inplace=True,
             variants=(V(dim=Dim(), index=GatherIndex(), src=SourceLike()),)),
    index_op("scatter_reduce", RI.scatter_reduce, ALL, FINITE, inplace=True, variants=(
        V(dim=Dim(), index=GatherIndex(), src=SourceLike(domain=FINITE), reduce=REDUCE),
        V(dim=Dim(), index=GatherIndex(), src=SourceLike(domain=FINITE), reduce=REDUCE,
          include_self=False),
    ), note="integer 'mean' rounds down (floor division); bool takes all but 'mean'"),
    index_op("masked_fill", RI.masked_fill, kind="masked", inplace=True, domain=(REAL, MASK),
             variants=(V(value=ScalarArg(FINITE, fill=True)),)),
    index_op("masked_select", RI.masked_select, kind="masked", domain=(REAL, MASK)),
    index_op("take", RI.take, variants=(V(index=TakeIndex()),)),
    index_op("nonzero", RI.nonzero, ALL, FEW_VALUES, INT64, differentiable=False,
             variants=(V(), V(as_tuple=True))),
    index_op("sort", RI.sort, ALL, FEW_VALUES, (SAME, INT64), fields=PAIR, variants=SORT,
             note="NaN sorts as the largest value; stable=True keeps ties in input order"),
    index_op("argsort", RI.argsort, ALL, FEW_VALUES, INT64, differentiable=False, variants=SORT),
    index_op("topk", RI.topk, NUMERIC, FEW_VALUES, (SAME, INT64), fields=PAIR, variants=(
        V(k=SizeAlong(low=0)), V(dim=Dim(), k=SizeAlong(low=0), largest=KEEP),
    )),
    index_op("unique", RI.unique, ALL, FEW_VALUES, (SAME, INT64, INT64), differentiable=False,
             variants=(V(), V(return_inverse=True), V(return_counts=True, return_inverse=KEEP),
                       V(dim=Dim(), return_inverse=KEEP, return_counts=KEEP)),
             note="sorted output; every NaN is its own value"),
    OpSpec("searchsorted", RI.searchsorted, "searchsorted", NUMERIC, (FINITE, REAL), INT64,
           method=False, mixed_dtypes=False, differentiable=False, variants=(
               V(), V(right=True), V(side=OneOf("left", "right")), V(out_int32=True, result=INT32),
           )),
    index_op("bucketize", RI.bucketize, NUMERIC, REAL, INT64, method=False, differentiable=False,
             variants=(V(boundaries=SortedBoundaries()),
                       V(boundaries=SortedBoundaries(), right=True),
                       V(boundaries=SortedBoundaries(), out_int32=True, result=INT32))),
    index_op("bincount", RI.bincount, INTS, COUNTS, INT64, ndim=(1, 1), differentiable=False,
             variants=(V(), V(minlength=Int(0, 9)),
                       V(weights=Weights("float32"), result=FLOAT32),
                       V(weights=Weights("float64"), result=FLOAT64),
                       V(weights=Weights("float16"), result=FLOAT64),
                       V(weights=Weights("int32"), result=FLOAT64)),
             note="weights of any dtype but float32 give a float64 result"),
    index_op("histc", RI.histc, FLOATS, FINITE, differentiable=False, ref_dtype=True, variants=(
        V(), V(bins=Int(1, 6)), V(bins=Int(1, 6), min=-5.0, max=5.0), V(bins=3, min=2.0, max=2.0),
    ), note="min == max uses the data's range, widened by 1 each side if that is a point"),
]
# fmt: on
