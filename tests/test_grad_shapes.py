"""Gradients of the ops that join, cut, reorder, repeat or pick elements: ``cat`` and the
``stack`` family, ``flip``/``roll``/``rot90``, ``repeat``/``tile``/``repeat_interleave``,
triangles and diagonals, ``unfold``/``as_strided`` (overlapping windows add up), the split
family and the other shape ops composed of views.

Each op is gradchecked (and gradgradchecked: every formula is written in recorded Tensor ops)
on random shapes and contiguous or transposed inputs; the node names and hand-checked
gradients (values from PyTorch) are pinned down by plain tests.
"""

from __future__ import annotations

from typing import Any, Callable

import ferrograd as torch
import pytest
from grad_support import ANY, check, tensors
from hypothesis import given, settings
from hypothesis import strategies as st

F64 = torch.float64


def sizes(min_dims: int, max_dims: int = 3) -> st.SearchStrategy[tuple[int, ...]]:
    return st.lists(st.integers(1, 3), min_size=min_dims, max_size=max_dims).map(tuple)


def weighted_sum(out: Any) -> torch.Tensor:
    """A scalar whose gradient is 1, 2, 3, ... over the (flattened) results, so that a
    gradient sent to the wrong place shows."""
    if not isinstance(out, torch.Tensor):
        out = torch.cat([o.reshape(-1) for o in out])
    w = torch.arange(1, out.numel() + 1, dtype=F64).reshape(out.shape)
    return (out * w).sum()


def grads(fn: Callable, *inputs: torch.Tensor) -> list:
    weighted_sum(fn(*inputs)).backward()
    return [x.grad.tolist() for x in inputs]


def grid(rows: int = 3, cols: int = 4) -> torch.Tensor:
    """0, 1, 2, ... as a `rows x cols` float64 leaf that requires grad."""
    return torch.tensor(
        [[float(r * cols + c) for c in range(cols)] for r in range(rows)], dtype=F64
    ).requires_grad_()


def vec(*values: float) -> torch.Tensor:
    return torch.tensor(list(values), dtype=F64, requires_grad=True)


# ---------------------------------------------------------------------------------------------
# Property tests: one op of one tensor, its parameters drawn for the drawn shape.
# ---------------------------------------------------------------------------------------------


def dim_of(data, x) -> int:
    return data.draw(st.integers(-x.ndim, x.ndim - 1))


def make_flip(data, x):
    # A 0-D tensor accepts dim 0 too.
    every = list(range(max(x.ndim, 1)))
    dims = data.draw(st.lists(st.sampled_from(every), unique=True, max_size=len(every)))
    return lambda t: t.flip(dims)


def make_roll(data, x):
    if data.draw(st.booleans()):
        shift = data.draw(st.integers(-7, 7))
        return lambda t: t.roll(shift)
    dims = data.draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=3))
    shifts = [data.draw(st.integers(-4, 4)) for _ in dims]
    return lambda t: t.roll(shifts, dims)


def make_rot90(data, x):
    k = data.draw(st.integers(-3, 5))
    d0 = data.draw(st.integers(0, x.ndim - 1))
    d1 = data.draw(st.integers(0, x.ndim - 1).filter(lambda d: d != d0))
    return lambda t: t.rot90(k, (d0, d1))


def make_repeat(data, x):
    extra = data.draw(st.integers(0, 2))
    reps = [data.draw(st.integers(1, 3)) for _ in range(x.ndim + extra)]
    return lambda t: t.repeat(*reps) if reps else t.repeat(())


def make_tile(data, x):
    reps = tuple(data.draw(st.lists(st.integers(1, 3), max_size=4)))
    return lambda t: t.tile(reps)


# (`gradgradcheck` cannot check results with no elements, so none are drawn here; the plain
# tests below cover empty results.)


def make_repeat_interleave(data, x):
    n = data.draw(st.integers(1, 3))
    dim = dim_of(data, x) if data.draw(st.booleans()) else None
    return lambda t: t.repeat_interleave(n, dim=dim)


def make_repeat_interleave_tensor(data, x):
    dim = dim_of(data, x)
    counts = data.draw(st.lists(st.integers(0, 3), min_size=x.shape[dim], max_size=x.shape[dim]))
    counts[0] = max(counts[0], 1)
    return lambda t: t.repeat_interleave(torch.tensor(counts), dim=dim)


def make_triangle(name):
    def make(data, x):
        k = data.draw(st.integers(-2, 2))
        return lambda t: getattr(t, name)(k)

    return make


def make_triangle_(name):
    def make(data, x):
        k = data.draw(st.integers(-2, 2))

        def op(t):
            y = t * 1
            getattr(y, name)(k)
            return y

        return op

    return make


def make_diag(data, x):
    # A matrix's diagonal `k` must be inside it (else the result is empty).
    low, high = (-2, 2) if x.ndim == 1 else (1 - x.shape[0], x.shape[1] - 1)
    k = data.draw(st.integers(low, high))
    return lambda t: t.diag(k)


def make_diag_embed(data, x):
    offset = data.draw(st.integers(-2, 2))
    d1 = data.draw(st.integers(-x.ndim - 1, x.ndim))
    d2 = data.draw(st.integers(-x.ndim - 1, x.ndim).filter(lambda d: (d - d1) % (x.ndim + 1)))
    return lambda t: torch.diag_embed(t, offset, d1, d2)


def make_diagflat(data, x):
    k = data.draw(st.integers(-2, 2))
    return lambda t: torch.diagflat(t, k)


def make_unfold(data, x):
    dim = dim_of(data, x)
    size = data.draw(st.integers(1, x.shape[dim]))
    step = data.draw(st.integers(1, 3))
    return lambda t: t.unfold(dim, size, step)


def make_as_strided(data, x):
    # Windows over the input's memory (a transposed input's storage holds the same number of
    # elements): overlapping when the stride is below the width.
    n = x.numel()
    width = data.draw(st.integers(1, n))
    stride = data.draw(st.integers(0, 2))
    count = data.draw(st.integers(1, 1 + (n - width) // max(stride, 1)))
    if stride == 0:
        count = min(count, 3)
    return lambda t: t.as_strided((count, width), (stride, 1), 0)


def make_combinations(data, x):
    replace = data.draw(st.booleans())
    r = data.draw(st.integers(1, 3 if replace else x.numel()))
    return lambda t: torch.combinations(t, r, with_replacement=replace)


def make_split(data, x):
    dim = dim_of(data, x)
    size = data.draw(st.integers(1, 3))
    return lambda t: t.split(size, dim)


def make_split_sizes(data, x):
    dim = dim_of(data, x)
    n, sizes = x.shape[dim], []
    while sum(sizes) < n:
        sizes.append(data.draw(st.integers(1, n - sum(sizes))))
    return lambda t: t.split(sizes, dim)


def make_chunk(data, x):
    chunks, dim = data.draw(st.integers(1, 4)), dim_of(data, x)
    return lambda t: t.chunk(chunks, dim)


def make_unbind(data, x):
    dim = dim_of(data, x)
    return lambda t: t.unbind(dim)


def make_tensor_split(data, x):
    dim = dim_of(data, x)
    n = x.shape[dim]
    if data.draw(st.booleans()):
        sections = data.draw(st.integers(1, n))
        return lambda t: t.tensor_split(sections, dim)
    inner = list(range(1, n))
    cuts = sorted(data.draw(st.lists(st.sampled_from(inner), unique=True))) if inner else []
    return lambda t: t.tensor_split(cuts, dim)


def make_movedim(data, x):
    src = data.draw(st.lists(st.integers(0, x.ndim - 1), unique=True, max_size=x.ndim))
    dst = data.draw(st.permutations(range(x.ndim)))[: len(src)]
    return lambda t: t.movedim(src, dst)


def make_flatten(data, x):
    start = data.draw(st.integers(0, max(x.ndim - 1, 0)))
    end = data.draw(st.integers(start, max(x.ndim - 1, 0)))
    return lambda t: t.flatten(start, end)


def make_unflatten(data, x):
    dim = dim_of(data, x)
    return lambda t: t.unflatten(dim, (1, x.shape[dim]))


def make_broadcast_to(data, x):
    lead = data.draw(st.lists(st.integers(1, 2), max_size=2))
    return lambda t: torch.broadcast_to(t, (*lead, *[d + 1 if d == 1 else d for d in t.shape]))


def at_least_two(min_dims: int) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes whose dims all have room for a cut after index 1."""
    return st.lists(st.integers(2, 3), min_size=min_dims, max_size=3).map(tuple)


def fixed(fn):
    return lambda data, x: fn


# (name, shapes of the input, how to build the op for a drawn input)
ONE_INPUT: list[tuple[str, st.SearchStrategy, Callable]] = [
    ("flip", sizes(0), make_flip),
    ("fliplr", sizes(2), fixed(torch.fliplr)),
    ("flipud", sizes(1), fixed(torch.flipud)),
    ("roll", sizes(1), make_roll),
    ("rot90", sizes(2), make_rot90),
    ("repeat", sizes(0), make_repeat),
    ("tile", sizes(0), make_tile),
    ("repeat_interleave int", sizes(1), make_repeat_interleave),
    ("repeat_interleave tensor", sizes(1), make_repeat_interleave_tensor),
    ("tril", sizes(2), make_triangle("tril")),
    ("triu", sizes(2), make_triangle("triu")),
    ("tril_", sizes(2), make_triangle_("tril_")),
    ("triu_", sizes(2), make_triangle_("triu_")),
    ("diag", sizes(1, 2), make_diag),
    ("diag_embed", sizes(1), make_diag_embed),
    ("diagflat", sizes(0), make_diagflat),
    ("trace", sizes(2, 2), fixed(torch.trace)),
    ("unfold", sizes(1), make_unfold),
    ("as_strided", sizes(1), make_as_strided),
    ("combinations", sizes(1, 1), make_combinations),
    ("split", sizes(1), make_split),
    ("split sizes", sizes(1), make_split_sizes),
    ("chunk", sizes(1), make_chunk),
    ("unbind", sizes(1), make_unbind),
    ("tensor_split", sizes(1), make_tensor_split),
    ("hsplit", at_least_two(1), fixed(lambda t: t.hsplit([1]))),
    ("vsplit", at_least_two(2), fixed(lambda t: t.vsplit([1]))),
    ("dsplit", at_least_two(3).map(lambda s: (*s[:2], 3)), fixed(lambda t: t.dsplit([2]))),
    ("movedim", sizes(1), make_movedim),
    ("flatten", sizes(0), make_flatten),
    ("unflatten", sizes(1), make_unflatten),
    ("ravel", sizes(0), fixed(torch.ravel)),
    ("broadcast_to", sizes(0), make_broadcast_to),
    ("atleast_1d", sizes(0), fixed(torch.atleast_1d)),
    ("atleast_2d", sizes(0), fixed(torch.atleast_2d)),
    ("atleast_3d", sizes(0), fixed(torch.atleast_3d)),
]


@pytest.mark.parametrize("name, shape, make", ONE_INPUT, ids=[r[0] for r in ONE_INPUT])
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_one_input_gradients(name, shape, make, data):
    x = data.draw(tensors(data.draw(shape), ANY))
    check(make(data, x), (x,), True)


# ---------------------------------------------------------------------------------------------
# Property tests: ops of several tensors.
# ---------------------------------------------------------------------------------------------


@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_cat_gradients(data):
    shape = data.draw(sizes(1))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    parts = []
    for _ in range(data.draw(st.integers(1, 3))):
        piece = list(shape)
        piece[dim] = data.draw(st.integers(1, 3))
        parts.append(data.draw(tensors(tuple(piece), ANY)))
    check(lambda *ts: torch.cat(ts, dim), tuple(parts), True)


STACKING = [
    ("stack", lambda a, b: torch.stack([a, b], -1)),
    ("hstack", lambda a, b: torch.hstack([a, b])),
    ("vstack", lambda a, b: torch.vstack([a, b])),
    ("row_stack", lambda a, b: torch.row_stack([a, b])),
    ("dstack", lambda a, b: torch.dstack([a, b])),
    ("column_stack", lambda a, b: torch.column_stack([a, b])),
    ("concat", lambda a, b: torch.concat([a, b])),
    ("concatenate", lambda a, b: torch.concatenate([a, b], axis=-1)),
    ("broadcast_tensors", lambda a, b: torch.broadcast_tensors(a, b[..., :1])),
]


@pytest.mark.parametrize("name, fn", STACKING, ids=[r[0] for r in STACKING])
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_stacking_gradients(name, fn, data):
    shape = data.draw(sizes(1))
    a, b = data.draw(tensors(shape, ANY)), data.draw(tensors(shape, ANY))
    check(fn, (a, b), True)


GRIDS = [
    ("cartesian_prod", lambda a, b: torch.cartesian_prod(a, b)),
    ("meshgrid ij", lambda a, b: torch.meshgrid(a, b, indexing="ij")),
    ("meshgrid xy", lambda a, b: torch.meshgrid(a, b, indexing="xy")),
]


@pytest.mark.parametrize("name, fn", GRIDS, ids=[r[0] for r in GRIDS])
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_grid_gradients(name, fn, data):
    a = data.draw(tensors((data.draw(st.integers(1, 4)),), ANY))
    b = data.draw(tensors((data.draw(st.integers(1, 4)),), ANY))
    check(fn, (a, b), True)


# ---------------------------------------------------------------------------------------------
# The nodes PyTorch records (what `grad_fn` prints).
# ---------------------------------------------------------------------------------------------


def x34() -> torch.Tensor:
    return torch.rand(3, 4, dtype=F64, requires_grad=True)


def v4() -> torch.Tensor:
    return torch.rand(4, dtype=F64, requires_grad=True)


def in_place(name: str, *args):
    def op(x):
        y = x * 1
        getattr(y, name)(*args)
        return y

    return op


NODE_NAMES = [
    ("cat", lambda: torch.cat([x34(), x34()]), "CatBackward0"),
    ("concat", lambda: torch.concat([x34(), x34()], dim=1), "CatBackward0"),
    ("hstack", lambda: torch.hstack([v4(), v4()]), "CatBackward0"),
    ("vstack", lambda: torch.vstack([v4(), v4()]), "CatBackward0"),
    ("dstack", lambda: torch.dstack([x34(), x34()]), "CatBackward0"),
    ("column_stack", lambda: torch.column_stack([v4(), v4()]), "CatBackward0"),
    ("cartesian_prod", lambda: torch.cartesian_prod(v4(), v4()), "StackBackward0"),
    ("flip", lambda: x34().flip(0), "FlipBackward0"),
    ("fliplr", lambda: x34().fliplr(), "FlipBackward0"),
    ("flipud", lambda: x34().flipud(), "FlipBackward0"),
    ("roll", lambda: x34().roll(1, 1), "RollBackward0"),
    ("roll flat", lambda: x34().roll(1), "RollBackward0"),
    ("rot90", lambda: x34().rot90(), "Rot90Backward0"),
    ("rot90 0", lambda: x34().rot90(0), "Rot90Backward0"),
    ("repeat", lambda: x34().repeat(2, 1), "RepeatBackward0"),
    ("tile", lambda: x34().tile((2,)), "RepeatBackward0"),
    ("repeat_interleave int", lambda: x34().repeat_interleave(2), "ViewBackward0"),
    (
        "repeat_interleave tensor",
        lambda: x34().repeat_interleave(torch.tensor([1, 2, 0]), dim=0),
        "IndexSelectBackward0",
    ),
    ("tril", lambda: x34().tril(), "TrilBackward0"),
    ("triu", lambda: x34().triu(1), "TriuBackward0"),
    ("tril_", lambda: in_place("tril_")(x34()), "TrilBackward0"),
    ("triu_", lambda: in_place("triu_", -1)(x34()), "TriuBackward0"),
    ("diag of a matrix", lambda: x34().diag(), "DiagonalBackward0_copy"),
    ("diag of a vector", lambda: v4().diag(), "DiagEmbedBackward0"),
    ("diag_embed", lambda: torch.diag_embed(x34()), "DiagEmbedBackward0"),
    ("diagflat", lambda: torch.diagflat(x34()), "DiagEmbedBackward0"),
    ("trace", lambda: x34().trace(), "TraceBackward0"),
    ("unfold", lambda: x34().unfold(1, 2, 1), "UnfoldBackward0"),
    ("as_strided", lambda: x34().as_strided((2, 2), (1, 2)), "AsStridedBackward0"),
    ("combinations", lambda: torch.combinations(v4()), "IndexBackward0"),
    ("combinations r > n", lambda: torch.combinations(v4(), 5), "IndexBackward0"),
    ("meshgrid", lambda: torch.meshgrid(v4(), v4(), indexing="xy")[0], "ExpandBackward0"),
    ("broadcast_to", lambda: torch.broadcast_to(v4(), (2, 4)), "ExpandBackward0"),
    ("atleast_2d", lambda: torch.atleast_2d(v4()), "UnsqueezeBackward0"),
    ("atleast_3d of a scalar", lambda: torch.atleast_3d(v4().sum()), "ViewBackward0"),
    ("movedim", lambda: x34().movedim(0, 1), "PermuteBackward0"),
    ("unflatten", lambda: x34().unflatten(1, (2, 2)), "ViewBackward0"),
    ("ravel", lambda: x34().ravel(), "ViewBackward0"),
]


@pytest.mark.parametrize("name, make, node", NODE_NAMES, ids=[r[0] for r in NODE_NAMES])
def test_node_names(name, make, node):
    assert make().grad_fn.name() == node


MULTI_OUTPUT = [
    ("split", lambda x: x.split(2, 1), "SplitBackward0"),
    ("split sizes", lambda x: x.split([1, 3], 1), "SplitWithSizesBackward0"),
    ("split_with_sizes", lambda x: x.split_with_sizes([1, 2]), "SplitWithSizesBackward0"),
    ("chunk", lambda x: x.chunk(2), "SplitBackward0"),
    ("chunk of an empty dim", lambda x: x[:, :0].chunk(2, 1), "SplitWithSizesBackward0"),
    ("unbind", lambda x: x.unbind(1), "UnbindBackward0"),
    ("tensor_split", lambda x: x.tensor_split(2, 1), "SliceBackward0"),
    ("hsplit", lambda x: x.hsplit(2), "SliceBackward0"),
    ("vsplit", lambda x: x.vsplit([1]), "SliceBackward0"),
]


@pytest.mark.parametrize("name, split, node", MULTI_OUTPUT, ids=[r[0] for r in MULTI_OUTPUT])
def test_pieces_share_one_node_where_pytorch_does(name, split, node):
    pieces = split(x34())
    assert all(p.grad_fn.name() == node for p in pieces)
    if node != "SliceBackward0":
        nodes = [p.grad_fn for p in pieces]
        assert all(n is nodes[0] for n in nodes)
        assert [p.output_nr for p in pieces] == list(range(len(pieces)))


def test_single_input_cartesian_prod_is_the_input():
    v = v4()
    assert torch.cartesian_prod(v) is v


def test_combinations_of_zero_elements_has_no_node():
    assert torch.combinations(v4(), 0).grad_fn is None


# ---------------------------------------------------------------------------------------------
# Hand-checked gradients (values from PyTorch). Each result element is weighted by its
# position (1, 2, 3, ...), so every element's route back to the input shows.
# ---------------------------------------------------------------------------------------------


def test_as_strided_overlapping_windows_add_up():
    # y[i, j] = x[i + j]: x[2] is read by (0, 2), (1, 1), (2, 0) with weights 3 + 5 + 7.
    x = torch.arange(6, dtype=F64).requires_grad_()
    assert grads(lambda t: t.as_strided((3, 3), (1, 1)), x) == [[1.0, 6.0, 15.0, 14.0, 9.0, 0.0]]


def test_as_strided_of_an_expanded_input_shares_the_gradient():
    # Both rows of the expanded leaf are the same memory: they split its gradient.
    x = torch.tensor([1.0, 2.0, 3.0], dtype=F64).expand(2, 3).requires_grad_()
    assert grads(lambda t: t.as_strided((3,), (1,)), x) == [[[0.5, 1.0, 1.5], [0.5, 1.0, 1.5]]]


def test_as_strided_reads_memory_not_the_input_order():
    x = torch.arange(6, dtype=F64).view(2, 3).t().requires_grad_()
    assert grads(lambda t: t.as_strided((2, 2), (1, 2)), x) == [
        [[1.0, 4.0], [3.0, 0.0], [2.0, 0.0]]
    ]
    # Memory outside the input (before its offset) gets no gradient.
    base = vec(0, 1, 2, 3, 4, 5)
    assert grads(lambda t: t[1:].as_strided((2,), (2,), 0), base) == [
        [0.0, 0.0, 2.0, 0.0, 0.0, 0.0]
    ]


def test_unfold_overlapping_windows_add_up():
    assert grads(lambda t: t.unfold(1, 3, 1), grid()) == [
        [[1.0, 6.0, 8.0, 6.0], [7.0, 18.0, 20.0, 12.0], [13.0, 30.0, 32.0, 18.0]]
    ]
    # Windows with gaps between them: the skipped elements get nothing.
    assert grads(lambda t: t.unfold(1, 1, 3), grid()) == [
        [[1.0, 0.0, 0.0, 2.0], [3.0, 0.0, 0.0, 4.0], [5.0, 0.0, 0.0, 6.0]]
    ]
    assert grads(lambda t: t.unfold(0, 1, 1), torch.tensor(3.0, dtype=F64, requires_grad=True)) == [
        1.0
    ]
    assert grads(lambda t: t.unfold(1, 0, 1), grid()) == [[[0.0] * 4] * 3]


def test_cat_skips_legacy_empties_and_casts_back():
    empty = torch.zeros(0, dtype=F64, requires_grad=True)
    x, e = grads(lambda a, b: torch.cat([a, b]), grid(), empty)
    assert x == [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]] and e == []
    low = torch.zeros(1, 4, requires_grad=True)  # float32, promoted to float64 by cat
    out = torch.cat([grid(), low])
    assert out.dtype == F64
    weighted_sum(out).backward()
    assert low.grad.dtype == torch.float32 and low.grad.tolist() == [[13.0, 14.0, 15.0, 16.0]]


def test_cat_with_an_integer_input():
    x = x34()
    out = torch.cat([x, torch.ones(1, 4, dtype=torch.int64)])
    assert out.grad_fn.name() == "CatBackward0"
    assert out.grad_fn.next_functions[1] == (None, 0)
    out.sum().backward()
    assert x.grad.tolist() == [[1.0] * 4] * 3


def test_stack_along_the_last_dim():
    grids = grid(), grid()
    assert grads(lambda s, t: torch.stack([s, t], -1), *grids) == [
        [[1.0, 3.0, 5.0, 7.0], [9.0, 11.0, 13.0, 15.0], [17.0, 19.0, 21.0, 23.0]],
        [[2.0, 4.0, 6.0, 8.0], [10.0, 12.0, 14.0, 16.0], [18.0, 20.0, 22.0, 24.0]],
    ]


def test_repeat_sums_the_copies():
    assert grads(lambda t: t.repeat(2, 1, 2), grid()) == [
        [[60.0, 64.0, 68.0, 72.0], [92.0, 96.0, 100.0, 104.0], [124.0, 128.0, 132.0, 136.0]]
    ]
    assert grads(lambda t: t.repeat(0, 1), grid()) == [[[0.0] * 4] * 3]
    assert grads(lambda t: t.repeat(3), torch.tensor(2.0, dtype=F64, requires_grad=True)) == [6.0]


def test_repeat_interleave():
    counts = torch.tensor([3, 0, 1])
    assert grads(lambda t: t.repeat_interleave(counts, dim=0), grid()) == [
        [[15.0, 18.0, 21.0, 24.0], [0.0, 0.0, 0.0, 0.0], [13.0, 14.0, 15.0, 16.0]]
    ]
    assert grads(lambda t: t.repeat_interleave(0, dim=1), grid()) == [[[0.0] * 4] * 3]
    assert grads(lambda t: t.repeat_interleave(3), grid()) == [
        [[6.0, 15.0, 24.0, 33.0], [42.0, 51.0, 60.0, 69.0], [78.0, 87.0, 96.0, 105.0]]
    ]


def test_combinations_sum_over_every_pick():
    assert grads(lambda t: torch.combinations(t, 3, with_replacement=True), vec(1, 2, 3, 4)) == [
        [174.0, 441.0, 573.0, 642.0]
    ]
    assert grads(lambda t: torch.combinations(t, 5), vec(1, 2, 3, 4)) == [[0.0] * 4]


def test_triangles_and_diagonals():
    assert grads(lambda t: t.tril(-1), grid()) == [
        [[0.0, 0.0, 0.0, 0.0], [5.0, 0.0, 0.0, 0.0], [9.0, 10.0, 0.0, 0.0]]
    ]
    assert grads(lambda t: t.reshape(3, 2, 2).triu(), grid()) == [
        [[1.0, 2.0, 0.0, 4.0], [5.0, 6.0, 0.0, 8.0], [9.0, 10.0, 0.0, 12.0]]
    ]
    assert grads(lambda t: t.diag(2), grid()) == [
        [[0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 0.0, 0.0]]
    ]
    assert grads(lambda t: t.diag(-2), vec(1, 2, 3, 4)) == [[13.0, 20.0, 27.0, 34.0]]
    assert grads(lambda t: torch.diag_embed(t, -1, 2, 0), grid()) == [
        [[2.0, 18.0, 34.0, 50.0], [7.0, 23.0, 39.0, 55.0], [12.0, 28.0, 44.0, 60.0]]
    ]
    eye = [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]
    assert grads(torch.trace, grid()) == [eye]
    assert grads(lambda t: t.t().trace(), grid()) == [eye]


def test_reordering():
    assert grads(lambda t: t.roll(-5), grid()) == [
        [[8.0, 9.0, 10.0, 11.0], [12.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]
    ]
    assert grads(lambda t: t.roll((1, -1, 2), (0, 1, 1)), grid()) == [
        [[6.0, 7.0, 8.0, 5.0], [10.0, 11.0, 12.0, 9.0], [2.0, 3.0, 4.0, 1.0]]
    ]
    assert grads(lambda t: t.rot90(-1, (1, 0)), grid()) == [
        [[10.0, 7.0, 4.0, 1.0], [11.0, 8.0, 5.0, 2.0], [12.0, 9.0, 6.0, 3.0]]
    ]


def test_unused_pieces_get_zeros():
    assert grads(lambda t: t.split(3, 1)[1], grid()) == [
        [[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 0.0, 3.0]]
    ]
    assert grads(lambda t: t.unbind(1)[2], grid()) == [
        [[0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 2.0, 0.0], [0.0, 0.0, 3.0, 0.0]]
    ]


# ---------------------------------------------------------------------------------------------
# In place, out=, and results that need no gradient.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, k, expected",
    [
        ("tril_", 0, [[1.0, 0.0, 0.0, 0.0], [5.0, 6.0, 0.0, 0.0], [9.0, 10.0, 11.0, 0.0]]),
        ("triu_", 1, [[0.0, 2.0, 3.0, 4.0], [0.0, 0.0, 7.0, 8.0], [0.0, 0.0, 0.0, 12.0]]),
    ],
)
def test_triangle_in_place(name, k, expected):
    a = grid()
    x = a * 1
    getattr(x, name)(k)
    assert x.grad_fn.name() == ("TrilBackward0" if name == "tril_" else "TriuBackward0")
    assert x._version == 1
    weighted_sum(x).backward()
    assert a.grad.tolist() == expected


def test_triangle_in_place_refuses_a_leaf_that_requires_grad():
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x34().tril_()


@pytest.mark.parametrize(
    "op", [lambda t: t.repeat(2, 1), lambda t: t.roll(1), lambda t: t.rot90(), lambda t: t.diag()]
)
def test_results_are_not_views_of_temporaries(op):
    # Writing into a result in place must keep its history (it owns its memory).
    a = grid()
    y = op(a)
    y.mul_(2)
    weighted_sum(y).backward()
    expected = grid()
    weighted_sum(op(expected) * 2).backward()
    assert a.grad.tolist() == expected.grad.tolist()


@pytest.mark.parametrize(
    "split, op",
    [
        (lambda x: x.split(2), "Split"),
        (lambda x: x.split([1, 2]), "SplitWithSizes"),
        (lambda x: x.chunk(3), "Split"),
        (lambda x: x.unbind(), "Unbind"),
    ],
)
def test_pieces_of_a_split_refuse_in_place_writes(split, op):
    pieces = split(x34() * 1)
    with pytest.raises(RuntimeError, match=f"Output 0 of {op} is a view and is being modified"):
        pieces[0].add_(1)


def test_cat_out_refuses_inputs_that_require_grad():
    msg = "cat\\(\\): functions with out=... arguments don't support automatic differentiation"
    with pytest.raises(RuntimeError, match=msg):
        torch.cat([x34(), x34()], out=torch.empty(6, 4, dtype=F64))
    with torch.no_grad():
        out = torch.empty(6, 4, dtype=F64)
        torch.cat([x34(), x34()], out=out)
    assert out.grad_fn is None


def test_integer_results_have_no_node():
    x = x34()
    assert torch.repeat_interleave(torch.tensor([1, 2])).grad_fn is None
    assert torch.tril_indices(3, 3).grad_fn is None
    ints = torch.ones(3, 4, dtype=torch.int64)
    for result in [
        torch.cat([ints, ints]),
        ints.trace(),
        ints.flip(0),
        torch.combinations(ints[0]),
        ints.tril(),
    ]:
        assert result.grad_fn is None and not result.requires_grad
    assert x.grad is None


def test_without_grad_mode_nothing_is_recorded():
    x = x34()
    with torch.no_grad():
        copies = [torch.cat([x, x]), x.flip(0), x.repeat(2, 1), torch.combinations(x[0])]
        views = [x.unfold(1, 2, 1), x.as_strided((2, 2), (1, 2)), *x.split(2)]
    assert all(r.grad_fn is None and not r.requires_grad for r in copies)
    # Views of a tensor that requires grad are leaves that require grad too (as in PyTorch).
    assert all(r.grad_fn is None and r.requires_grad and r.is_leaf for r in views)


def test_double_backward_of_overlapping_windows():
    # d/dx of sum(w * unfold(x)) is fold(w); differentiating that again in w gives unfold(v).
    x = grid()
    w = torch.rand(3, 3, 2, dtype=F64, requires_grad=True)
    (gx,) = torch.autograd.grad(x.unfold(1, 2, 1), x, w, create_graph=True)
    assert gx.grad_fn.name() == "UnfoldBackwardBackward0"
    v = torch.rand(3, 4, dtype=F64)
    (gw,) = torch.autograd.grad((gx * v).sum(), w)
    assert torch.allclose(gw, v.unfold(1, 2, 1))
