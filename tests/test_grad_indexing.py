"""Gradients of the indexing ops: advanced indexing and ``index_put`` (what ``t[idx] = v``
records), the one-dim slice pickers (``index_select/add/copy/fill``), ``gather`` and the
``scatter`` family (with ``scatter_reduce``'s reductions), the mask ops and ``take``/``put``.

Property tests check every formula against finite differences (``gradcheck``) and its own
derivative (``gradgradcheck``) on random shapes and non-contiguous inputs. Where PyTorch's
formula assumes each position is written once (``index_put``/``index_copy``/``scatter``/
``put`` without accumulation), the drawn indices are distinct, as the finite differences
would otherwise see only the last write. Hand-checked cases pin the values PyTorch gives at
ties, repeated indices and zeros; those literals come from the reference PyTorch.
"""

from __future__ import annotations

import re
import warnings

import ferrograd as torch
import numpy as np
import pytest
from grad_support import ANY, check, tensors
from hypothesis import assume, given, settings
from hypothesis import strategies as st

D = torch.float64
dims = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple)


def leaf(values) -> torch.Tensor:
    return torch.tensor(values, dtype=D, requires_grad=True)


def rng(data) -> np.random.Generator:
    return np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))


def vector(data, size: int, distinct: bool) -> torch.Tensor:
    """An index vector into a dim of ``size``: repeats allowed unless ``distinct``."""
    if distinct:
        picks = data.draw(st.permutations(range(size)))
        picks = picks[: data.draw(st.integers(1, size))]
    else:
        picks = data.draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=4))
    return torch.tensor(picks, dtype=torch.int64)


def along(data, shape: tuple[int, ...], dim: int, distinct: bool) -> torch.Tensor:
    """A gather/scatter index for ``shape`` along ``dim``: no larger than ``shape`` off
    ``dim``; with ``distinct``, no position repeats within a line along ``dim``."""
    g = rng(data)
    size = shape[dim]
    k = data.draw(st.integers(1, size if distinct else 3))
    ishape = [data.draw(st.integers(1, n)) for n in shape]
    ishape[dim] = k
    if distinct:
        order = np.argsort(g.random(ishape[:dim] + [size] + ishape[dim + 1 :]), axis=dim)
        picks = np.take(order, np.arange(k), axis=dim)
    else:
        picks = g.integers(0, size, ishape)
    return torch.tensor(np.ascontiguousarray(picks), dtype=torch.int64)


def mask_of(data, shape: tuple[int, ...]) -> torch.Tensor:
    """A random mask with at least one ``True`` (gradcheck cannot compare empty Jacobians)."""
    flags = np.array(rng(data).random(shape) < 0.5)
    flags.flat[0] = True
    return torch.tensor(flags)


def rest(shape: tuple[int, ...], n: int) -> tuple[int, ...]:
    return (n,) + shape[1:]


# ---------------------------------------------------------------- advanced indexing


@settings(max_examples=10)
@given(data=st.data())
def test_index_gradients(data):
    shape = data.draw(dims)
    x = data.draw(tensors(shape, ANY))
    idx = vector(data, shape[0], distinct=False)
    check(lambda a: a[idx], (x,), True)
    m = mask_of(data, shape)
    check(lambda a: a[m], (x,), True)
    if len(shape) >= 2:
        j = vector(data, shape[1], distinct=False)
        check(lambda a: a[:, j], (x,), True)
        k = torch.tensor([0] * len(j), dtype=torch.int64)
        check(lambda a: a[k, j], (x,), True)


@settings(max_examples=10)
@given(data=st.data(), accumulate=st.booleans(), scalar_value=st.booleans())
def test_index_put_gradients(data, accumulate, scalar_value):
    shape = data.draw(dims)
    x = data.draw(tensors(shape, ANY))
    idx = vector(data, shape[0], distinct=not accumulate)
    vshape = () if scalar_value else rest(shape, len(idx))[data.draw(st.integers(0, 1)) :]
    v = data.draw(tensors(vshape, ANY))
    check(lambda a, b: a.index_put((idx,), b, accumulate=accumulate), (x, v), True)
    check(lambda a, b: a.clone().index_put_((idx,), b, accumulate=accumulate), (x, v), True)


@settings(max_examples=10)
@given(data=st.data())
def test_setitem_with_an_index_tensor_records_index_put(data):
    shape = data.draw(dims)
    x = data.draw(tensors(shape, ANY))
    idx = vector(data, shape[0], distinct=True)
    v = data.draw(tensors(rest(shape, len(idx)), ANY))

    def assign(a, b):
        t = a * 1
        t[idx] = b
        return t

    check(assign, (x, v), True)
    m = mask_of(data, shape)

    def assign_masked(a):
        t = a * 1
        t[m] = 0.0
        return t

    check(assign_masked, (x,), True)


# ---------------------------------------------------------------- slices along one dim


@settings(max_examples=10)
@given(data=st.data())
def test_index_select_and_fill_gradients(data):
    shape = data.draw(dims)
    dim = data.draw(st.integers(0, len(shape) - 1))
    x = data.draw(tensors(shape, ANY))
    idx = vector(data, shape[dim], distinct=False)
    check(lambda a: a.index_select(dim, idx), (x,), True)
    check(lambda a: a.index_fill(dim, idx, 2.5), (x,), True)
    check(lambda a: a.clone().index_fill_(dim, idx, -1.0), (x,), True)


@settings(max_examples=10)
@given(data=st.data(), alpha=st.sampled_from([1.0, -2.5]))
def test_index_add_and_copy_gradients(data, alpha):
    shape = data.draw(dims)
    dim = data.draw(st.integers(0, len(shape) - 1))
    x = data.draw(tensors(shape, ANY))
    idx = vector(data, shape[dim], distinct=False)
    sshape = shape[:dim] + (len(idx),) + shape[dim + 1 :]
    s = data.draw(tensors(sshape, ANY))
    check(lambda a, b: a.index_add(dim, idx, b, alpha=alpha), (x, s), True)
    check(lambda a, b: a.clone().index_add_(dim, idx, b, alpha=alpha), (x, s), True)
    once = vector(data, shape[dim], distinct=True)
    c = data.draw(tensors(shape[:dim] + (len(once),) + shape[dim + 1 :], ANY))
    check(lambda a, b: a.index_copy(dim, once, b), (x, c), True)
    check(lambda a, b: a.clone().index_copy_(dim, once, b), (x, c), True)


# ---------------------------------------------------------------- gather and scatter


@settings(max_examples=10)
@given(data=st.data())
def test_gather_gradients(data):
    shape = data.draw(dims)
    dim = data.draw(st.integers(0, len(shape) - 1))
    x = data.draw(tensors(shape, ANY))
    index = along(data, shape, dim, distinct=False)
    check(lambda a: a.gather(dim, index), (x,), True)
    # take_along_dim broadcasts the index against x off `dim`: a line of picks per row.
    line = [1] * len(shape)
    line[dim] = index.shape[dim]
    picks = index.reshape(-1)[: index.shape[dim]].reshape(line)
    check(lambda a: a.take_along_dim(picks, dim), (x,), True)


@settings(max_examples=10)
@given(data=st.data())
def test_scatter_gradients(data):
    shape = data.draw(dims)
    dim = data.draw(st.integers(0, len(shape) - 1))
    x = data.draw(tensors(shape, ANY))
    once = along(data, shape, dim, distinct=True)
    src = data.draw(tensors(tuple(once.shape), ANY))
    check(lambda a, b: a.scatter(dim, once, b), (x, src), True)
    check(lambda a, b: a.clone().scatter_(dim, once, b), (x, src), True)
    check(lambda a: a.scatter(dim, once, 1.5), (x,), True)
    check(lambda a: a.clone().scatter_(dim, once, 1.5), (x,), True)
    index = along(data, shape, dim, distinct=False)
    added = data.draw(tensors(tuple(index.shape), ANY))
    check(lambda a, b: a.scatter_add(dim, index, b), (x, added), True)
    check(lambda a, b: a.clone().scatter_add_(dim, index, b), (x, added), True)


REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]


@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("include_self", [True, False])
@settings(max_examples=8)
@given(data=st.data())
def test_scatter_reduce_gradients(reduce, include_self, data):
    # Random values never tie, and |x| >= 0.1 keeps the products away from zero.
    shape = data.draw(dims)
    dim = data.draw(st.integers(0, len(shape) - 1))
    x = data.draw(tensors(shape, ANY))
    index = along(data, shape, dim, distinct=False)
    src = data.draw(tensors(tuple(index.shape), ANY))
    # Keep max/min away from ties (two draws can share a seed, hence values).
    values = np.concatenate([x.detach().numpy().ravel(), src.detach().numpy().ravel()])
    assume(np.min(np.diff(np.sort(values)), initial=1.0) > 1e-3)

    def reduced(a, b):
        return a.scatter_reduce(dim, index, b, reduce, include_self=include_self)

    def reduced_in_place(a, b):
        return a.clone().scatter_reduce_(dim, index, b, reduce, include_self=include_self)

    check(reduced, (x, src), True)
    check(reduced_in_place, (x, src), True)


# ---------------------------------------------------------------- masks


@settings(max_examples=10)
@given(data=st.data(), mask_is_wider=st.booleans())
def test_masked_gradients(data, mask_is_wider):
    shape = data.draw(dims)
    x = data.draw(tensors(shape, ANY))
    # The mask broadcasts against x: either it is x's trailing dims, or x is its trailing dims.
    mshape = (2,) + shape if mask_is_wider else shape[data.draw(st.integers(0, len(shape))) :]
    m = mask_of(data, mshape)
    out_numel = int(np.prod(np.broadcast_shapes(shape, mshape)))
    source = data.draw(tensors((out_numel + 1,), ANY))
    check(lambda a: a.masked_fill(m, 3.0), (x,), True)
    check(lambda a: a.masked_select(m), (x,), True)
    check(lambda a, s: a.masked_scatter(m, s), (x, source), True)
    if not mask_is_wider:
        check(lambda a: a.clone().masked_fill_(m, 3.0), (x,), True)
        check(lambda a, s: a.clone().masked_scatter_(m, s), (x, source), True)


# ---------------------------------------------------------------- flat positions


@settings(max_examples=10)
@given(data=st.data(), accumulate=st.booleans())
def test_take_and_put_gradients(data, accumulate):
    shape = data.draw(dims)
    x = data.draw(tensors(shape, ANY))
    n = int(np.prod(shape))
    taken = vector(data, n, distinct=False)
    check(lambda a: a.take(taken), (x,), True)
    check(lambda a: a.take(taken.reshape(-1, 1)), (x,), True)
    idx = vector(data, n, distinct=not accumulate)
    s = data.draw(tensors((len(idx),), ANY))
    check(lambda a, b: a.put(idx, b, accumulate=accumulate), (x, s), True)
    check(lambda a, b: a.clone().put_(idx, b, accumulate=accumulate), (x, s), True)


# ---------------------------------------------------------------- node names


def i2() -> torch.Tensor:
    return torch.tensor([0, 2])


def grid() -> torch.Tensor:
    return torch.tensor([[0, 1], [2, 1]])


def mask4() -> torch.Tensor:
    return torch.tensor([True, False, True, False])


def scattered_in_place(x, s):
    t = x * 1
    t.scatter_(1, grid(), s)
    return t


def put_rows(x, s):
    t = torch.zeros(3, 4, dtype=D)
    t[i2()] = s[:2]
    return t


def fill_masked(x, s):
    t = x * 1
    t[x > 0] = 0.0
    return t


NAMES = [
    ("IndexBackward0", lambda x, s: x[i2()]),
    ("IndexBackward0", lambda x, s: x[:, mask4()]),
    ("IndexPutBackward0", lambda x, s: x.index_put((i2(),), s[:2])),
    ("IndexPutBackward0", put_rows),
    ("IndexPutBackward0", fill_masked),
    ("IndexSelectBackward0", lambda x, s: x.index_select(1, i2())),
    ("IndexAddBackward0", lambda x, s: x.index_add(0, i2(), s[:2])),
    ("IndexCopyBackward0", lambda x, s: x.index_copy(0, i2(), s[:2])),
    ("IndexFillBackward0", lambda x, s: x.index_fill(0, i2(), 2.0)),
    ("GatherBackward0", lambda x, s: x.gather(1, grid())),
    ("GatherBackward0", lambda x, s: x.take_along_dim(grid()[:1], 1)),
    ("ScatterBackward0", lambda x, s: x.scatter(1, grid(), s)),
    ("ScatterBackward0", scattered_in_place),
    ("ScatterBackward1", lambda x, s: x.scatter(1, grid(), 2.0)),
    ("ScatterAddBackward0", lambda x, s: x.scatter_add(1, grid(), s)),
    ("ScatterReduceBackward0", lambda x, s: x.scatter_reduce(1, grid(), s, "amax")),
    ("MaskedFillBackward0", lambda x, s: x.masked_fill(mask4(), 2.0)),
    ("MaskedScatterBackward0", lambda x, s: x.masked_scatter(mask4(), s)),
    ("MaskedSelectBackward0", lambda x, s: x.masked_select(mask4())),
    ("TakeBackward0", lambda x, s: x.take(i2())),
    ("PutBackward0", lambda x, s: x.put(i2(), s[0, :2])),
]


@pytest.mark.parametrize("name, fn", NAMES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(NAMES)])
def test_node_names(name, fn):
    x = torch.randn(3, 4, dtype=D, requires_grad=True)
    s = torch.randn(3, 4, dtype=D, requires_grad=True)
    assert type(fn(x, s).grad_fn).__name__ == name


def test_next_functions_follow_self_then_the_written_values():
    x = torch.randn(3, 4, dtype=D, requires_grad=True)
    s = torch.randn(3, 4, dtype=D, requires_grad=True)
    t = x * 1
    t.index_put_((i2(),), s[:2])
    edges = [(type(f).__name__ if f else None) for f, _ in t.grad_fn.next_functions]
    assert edges == ["MulBackward0", "SliceBackward0"]
    fresh = torch.zeros(3, 4, dtype=D).index_put((i2(),), s[:2])
    assert fresh.grad_fn.next_functions[0][0] is None


# ---------------------------------------------------------------- hand-checked values


def weighted_grads(fn, *leaves):
    """The gradients of sum(w * fn(...)) with w = 1, 2, 3, ... over the result."""
    y = fn(*leaves)
    w = torch.arange(1, y.numel() + 1, dtype=D).reshape(y.shape)
    (y * w).sum().backward()
    return [leaf_.grad.reshape(-1).tolist() for leaf_ in leaves]


X = [[1.0, 3.0, 3.0], [2.0, 0.0, 5.0]]
S = [[3.0, 3.0, 0.0], [0.0, 0.0, 7.0]]
TIES = torch.tensor([[0, 0, 2], [1, 1, 1]])

# scatter_reduce on x and src with ties (3 = 3 = 3 in row 0, three zeros in row 1) and
# zeros, weights 1..6 on the result: PyTorch's values.
SCATTER_REDUCE_CASES = [
    ("sum", True, [1, 2, 3, 4, 5, 6], [1, 1, 3, 5, 5, 5]),
    ("sum", False, [0, 2, 0, 4, 0, 6], [1, 1, 3, 5, 5, 5]),
    ("prod", True, [9, 2, 0, 4, 0, 6], [3, 3, 9, 0, 0, 0]),
    ("prod", False, [0, 2, 0, 4, 0, 6], [3, 3, 3, 0, 0, 0]),
    ("mean", True, [1 / 3, 2, 1.5, 4, 1.25, 6], [1 / 3, 1 / 3, 1.5, 1.25, 1.25, 1.25]),
    ("mean", False, [0, 2, 0, 4, 0, 6], [0.5, 0.5, 3, 5 / 3, 5 / 3, 5 / 3]),
    ("amax", True, [0, 2, 3, 4, 0, 6], [0.5, 0.5, 0, 0, 0, 5]),
    ("amax", False, [0, 2, 0, 4, 0, 6], [0.5, 0.5, 3, 0, 0, 5]),
    ("amin", True, [1, 2, 0, 4, 5 / 3, 6], [0, 0, 3, 5 / 3, 5 / 3, 0]),
    ("amin", False, [0, 2, 0, 4, 0, 6], [0.5, 0.5, 3, 5 / 3, 5 / 3, 0]),
]


@pytest.mark.parametrize("reduce, include_self, gx, gs", SCATTER_REDUCE_CASES)
def test_scatter_reduce_at_ties_and_zeros(reduce, include_self, gx, gs):
    def fn(a, b):
        return a.scatter_reduce(1, TIES, b, reduce, include_self=include_self)

    got = weighted_grads(fn, leaf(X), leaf(S))
    assert np.allclose(got[0], gx) and np.allclose(got[1], gs)


def test_repeated_indices():
    # x[[0, 0, 1]] reads row 0 twice: it gets the weights of both reads (1+4, 2+5, 3+6).
    assert weighted_grads(lambda a: a[torch.tensor([0, 0, 1])], leaf(X)) == [[5, 7, 9, 7, 8, 9]]
    # index_put without accumulate writes row 0 twice; PyTorch gives both writes the
    # gradient of row 0, and row 0 of x none.
    dup = torch.tensor([0, 0])
    got = weighted_grads(lambda a, v: a.index_put((dup,), v), leaf(X), leaf([1.0, 2.0, 3.0]))
    assert got == [[0, 0, 0, 4, 5, 6], [2, 4, 6]]
    got = weighted_grads(
        lambda a, v: a.index_put((dup,), v, accumulate=True), leaf(X), leaf([1.0, 2.0, 3.0])
    )
    assert got == [[1, 2, 3, 4, 5, 6], [2, 4, 6]]
    two = torch.tensor([2, 2])
    got = weighted_grads(lambda a, b: a.index_copy(1, two, b), leaf(X), leaf([[1, 2], [3, 4]]))
    assert got == [[1, 2, 0, 4, 5, 0], [3, 3, 6, 6]]
    # take reads flat position 5 twice (as 5 and -1).
    got = weighted_grads(lambda a: a.take(torch.tensor([[0, 5], [5, -1]])), leaf(X))
    assert got == [[1, 0, 0, 0, 0, 9]]


def test_broadcast_masks_and_unused_source():
    # The mask [[T], [F]] broadcasts x (3,) to (2, 3): x's gradient sums the unmasked row;
    # the source's last element is never used.
    m = torch.tensor([[True], [False]])
    got = weighted_grads(
        lambda a, b: a.masked_scatter(m, b), leaf([1.0, 2, 3]), leaf([1.0, 2, 3, 4])
    )
    assert got == [[4, 5, 6], [1, 2, 3, 0]]
    assert weighted_grads(lambda a: a.masked_select(m), leaf([1.0, 2, 3])) == [[1, 2, 3]]
    assert weighted_grads(lambda a: a.masked_fill(m, 0.0), leaf([1.0, 2, 3])) == [[4, 5, 6]]


def test_index_fill_negative_and_put_repeats():
    got = weighted_grads(lambda a: a.index_fill(1, torch.tensor([-1, 0]), 9.0), leaf(X))
    assert got == [[0, 2, 0, 0, 5, 0]]
    idx = torch.tensor([0, 5, 0])
    got = weighted_grads(lambda a, b: a.put(idx, b), leaf(X), leaf([1.0, 2, 3]))
    assert got == [[0, 2, 3, 4, 5, 0], [1, 6, 1]]


# ---------------------------------------------------------------- assignment and in place


def test_assigning_into_a_fresh_tensor_reaches_the_value():
    x = leaf([1.0, 2.0])
    t = torch.zeros(3, dtype=D)
    t[torch.tensor([0, 2])] = x * 2
    assert type(t.grad_fn).__name__ == "IndexPutBackward0"
    t.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_assigning_into_a_non_leaf_with_a_value_that_requires_grad():
    a = leaf([1.0, 2.0, 3.0])
    v = leaf([10.0])
    t = a * 3
    t[torch.tensor([1])] = v * v
    # t = [3 a0, v^2, 3 a2] weighted by 1, 2, 3: da = [3, 0, 9], dv = 2 * 2v = 40.
    (t * torch.tensor([1.0, 2.0, 3.0], dtype=D)).sum().backward()
    assert a.grad.tolist() == [3.0, 0.0, 9.0]
    assert v.grad.tolist() == [40.0]


def test_assigning_a_zero_dim_value_through_a_mask():
    v = leaf(4.0)
    t = leaf(X) * 1
    t[torch.tensor([True, False])] = v
    (t * torch.arange(1, 7, dtype=D).reshape(2, 3)).sum().backward()
    assert v.grad.item() == 6.0


@pytest.mark.parametrize(
    "op",
    [
        lambda x: x.index_fill_(0, torch.tensor([0]), 1.0),
        lambda x: x.masked_fill_(torch.tensor([True, False, True]), 1.0),
        lambda x: x.index_put_((torch.tensor([0]),), torch.tensor(1.0, dtype=D)),
        lambda x: x.scatter_(1, torch.tensor([[0]]), 1.0),
        lambda x: x.put_(torch.tensor([0]), torch.tensor([1.0], dtype=D)),
    ],
)
def test_in_place_on_a_leaf_that_requires_grad_is_refused(op):
    msg = "a leaf Variable that requires grad is being used in an in-place operation."
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        op(leaf(X))


def test_in_place_without_grad_mode_records_nothing():
    x = leaf(X)
    with torch.no_grad():
        x.index_add_(0, torch.tensor([1]), torch.ones(1, 3, dtype=D))
    assert x.grad_fn is None and x.is_leaf and x.tolist()[1] == [3.0, 1.0, 6.0]


# ---------------------------------------------------------------- what PyTorch refuses


def test_scatter_with_a_legacy_reduce_fails_in_backward():
    x, s = leaf(X), leaf(S)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = x.scatter(1, TIES, s, reduce="add")
    assert type(y.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
        y.sum().backward()


def test_a_source_larger_than_the_index_gets_an_invalid_gradient():
    x, s = leaf(X), leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x.scatter(1, torch.tensor([[0], [2]]), s)
    msg = "Function ScatterBackward0 returned an invalid gradient at index 1 - got [2, 1] but expected shape compatible with [2, 2]"
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        y.sum().backward()


def test_an_index_changed_in_place_after_the_forward_is_reported():
    x = leaf([1.0, 2.0, 3.0])
    i = torch.tensor([0, 2])
    y = x.gather(0, i)
    i.add_(0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_prod_double_backward_with_two_zeros_at_one_place_is_refused():
    x, s = leaf(X), leaf([[0.0, 0.0, 1.0], [2.0, 0.0, 7.0]])
    y = x.scatter_reduce(1, TIES, s, "prod")
    _, gs = torch.autograd.grad((y * y).sum(), (x, s), create_graph=True)
    assert gs.tolist() == [[0.0, 0.0, 18.0], [0.0, 0.0, 0.0]]
    with pytest.raises(RuntimeError, match="Double backward is unsupported for src"):
        gs.sum().backward()


# ---------------------------------------------------------------- integer results


def test_integer_results_have_no_history():
    x = torch.tensor([[1, 2, 3], [4, 5, 6]])
    for result in [
        x[torch.tensor([1, 0])],
        x.gather(1, torch.tensor([[0], [2]])),
        x.masked_select(x > 2),
        x.take(torch.tensor([5])),
        x.index_select(0, torch.tensor([1])),
        leaf(X).argmax(1),
    ]:
        assert result.grad_fn is None and not result.requires_grad
