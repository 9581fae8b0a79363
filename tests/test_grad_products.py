"""Gradients of the fused products, contractions and parametrised elementwise ops: the
``addmm`` family, ``einsum``, ``tensordot``/``inner``/``outer``/``kron``, ``lerp``,
``addcmul``/``addcdiv``, ``clamp`` (number and tensor bounds), ``logit``, ``nan_to_num``,
``round(decimals)``, ``linalg.cross`` and ``linalg.matrix_power``.

Each op is gradchecked, and gradgradchecked (every formula is written in recorded Tensor ops),
on random shapes with contiguous or transposed inputs, drawn away from the kinks of the
piecewise ops. Node names, the gradients at ties and bounds (values from PyTorch), the
in-place variants and ``out=`` are pinned down by plain tests.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

import ferrograd as torch
import pytest
from grad_support import ANY, POSITIVE, STEPS, Domain, broadcast_pair, check, tensors
from hypothesis import given, settings
from hypothesis import strategies as st

F64 = torch.float64
NAN = math.nan
INF = math.inf

size = st.integers(1, 3)
scales = st.sampled_from([1.0, 0.5, -1.5, 2.0])
# Inside (0, 1), where the logit is smooth.
OPEN_UNIT = Domain(0.05, 0.95, signed=False)


def weighted_sum(out: torch.Tensor) -> torch.Tensor:
    """A scalar whose gradient is 1, 2, 3, ... over the result, so that a gradient sent to
    the wrong place shows."""
    w = torch.arange(1, out.numel() + 1, dtype=F64).reshape(out.shape)
    return (out * w).sum()


def vec(*values: float) -> torch.Tensor:
    return torch.tensor(list(values), dtype=F64, requires_grad=True)


def integer_valued(t: torch.Tensor, shift: float = 0.0) -> torch.Tensor:
    """A leaf of the integers below ``t``'s values (plus ``shift``), for clamp bounds: inputs
    drawn from ``STEPS`` stay at least 0.2 away from them."""
    return (t.detach().floor() + shift).requires_grad_(True)


# ---------------------------------------------------------------------------------------------
# The addmm family: beta * input + alpha * product, the input broadcast to the result.
# ---------------------------------------------------------------------------------------------


@settings(max_examples=10)
@given(data=st.data())
def test_addmm_gradients(data):
    n, m, p = data.draw(size), data.draw(size), data.draw(size)
    shape = data.draw(st.sampled_from([(n, p), (p,), (1, p), (n, 1), ()]))
    beta, alpha = data.draw(scales), data.draw(scales)
    c, a, b = (data.draw(tensors(s, ANY)) for s in (shape, (n, m), (m, p)))
    check(lambda c, a, b: torch.addmm(c, a, b, beta=beta, alpha=alpha), (c, a, b), True)


@settings(max_examples=10)
@given(data=st.data())
def test_addmv_gradients(data):
    n, m = data.draw(size), data.draw(size)
    shape = data.draw(st.sampled_from([(n,), (1,), ()]))
    beta, alpha = data.draw(scales), data.draw(scales)
    c, a, v = (data.draw(tensors(s, ANY)) for s in (shape, (n, m), (m,)))
    check(lambda c, a, v: torch.addmv(c, a, v, beta=beta, alpha=alpha), (c, a, v), True)


@settings(max_examples=10)
@given(data=st.data())
def test_baddbmm_gradients(data):
    b, n, m, p = data.draw(size), data.draw(size), data.draw(size), data.draw(size)
    shape = data.draw(st.sampled_from([(b, n, p), (n, p), (1, 1, p), (p,)]))
    beta, alpha = data.draw(scales), data.draw(scales)
    c, x, y = (data.draw(tensors(s, ANY)) for s in (shape, (b, n, m), (b, m, p)))
    check(lambda c, x, y: torch.baddbmm(c, x, y, beta=beta, alpha=alpha), (c, x, y), True)


@settings(max_examples=10)
@given(data=st.data())
def test_addbmm_gradients(data):
    b, n, m, p = data.draw(size), data.draw(size), data.draw(size), data.draw(size)
    shape = data.draw(st.sampled_from([(n, p), (p,), (n, 1)]))
    beta, alpha = data.draw(scales), data.draw(scales)
    c, x, y = (data.draw(tensors(s, ANY)) for s in (shape, (b, n, m), (b, m, p)))
    check(lambda c, x, y: torch.addbmm(c, x, y, beta=beta, alpha=alpha), (c, x, y), True)


def test_addmm_with_beta_zero_gives_the_input_a_zero_gradient():
    # y = 0 * c + a @ b: dc = 0 * g, da = g @ b^T, db = a^T @ g.
    c = torch.full((2, 2), NAN, dtype=F64, requires_grad=True)
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=F64, requires_grad=True)
    b = torch.eye(2, dtype=F64).requires_grad_()
    torch.addmm(c, a, b, beta=0).sum().backward()
    assert c.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert a.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert b.grad.tolist() == [[4.0, 4.0], [6.0, 6.0]]


PRODUCTS_IN_PLACE = [
    # (name, out-of-place, in-place, shapes of input and factors)
    (
        "addmm",
        torch.addmm,
        lambda c, a, b: c.addmm_(a, b, beta=0.5, alpha=2),
        [(2, 3), (2, 4), (4, 3)],
    ),
    ("addmv", torch.addmv, lambda c, a, b: c.addmv_(a, b, beta=0.5, alpha=2), [(2,), (2, 3), (3,)]),
    (
        "baddbmm",
        torch.baddbmm,
        lambda c, a, b: c.baddbmm_(a, b, beta=0.5, alpha=2),
        [(2, 2, 3), (2, 2, 4), (2, 4, 3)],
    ),
    (
        "addbmm",
        torch.addbmm,
        lambda c, a, b: c.addbmm_(a, b, beta=0.5, alpha=2),
        [(2, 3), (2, 2, 4), (2, 4, 3)],
    ),
]


@pytest.mark.parametrize(
    "name, fn, fn_, shapes", PRODUCTS_IN_PLACE, ids=[r[0] for r in PRODUCTS_IN_PLACE]
)
def test_in_place_products_record_the_same_node(name, fn, fn_, shapes):
    inputs = [torch.rand(*s, dtype=F64, requires_grad=True) for s in shapes]
    expected = fn(*inputs, beta=0.5, alpha=2)
    weighted_sum(expected).backward()
    want = [t.grad.clone() for t in inputs]
    for t in inputs:
        t.grad = None
    c, a, b = inputs
    x = c * 1
    fn_(x, a, b)
    assert type(x.grad_fn).__name__ == type(expected.grad_fn).__name__
    assert torch.allclose(x, expected)
    weighted_sum(x).backward()
    for t, g in zip(inputs, want):
        assert torch.allclose(t.grad, g)


def test_in_place_product_refuses_a_leaf_that_requires_grad():
    c = torch.zeros(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        c.addmm_(torch.ones(2, 2), torch.ones(2, 2))


# ---------------------------------------------------------------------------------------------
# einsum and the products composed of recorded ops.
# ---------------------------------------------------------------------------------------------

EQUATIONS = [
    "ij,jk->ik",
    "ij,kj->ik",
    "ii->i",
    "ii",
    "iij->j",
    "bii->bi",
    "ij->",
    "ba",
    "ijk->kj",
    "i,j->ij",
    "i,i->",
    "ij,j->i",
    "ij,ij->i",
    "ij,ij->ij",
    "bij,bjk->bik",
    "ij,jk,kl->il",
    "...ij,...jk",
    "i...->...",
]


def einsum_shapes(data, equation: str) -> list[tuple[int, ...]]:
    """Operand shapes for `equation`: one drawn size per label, a drawn batch for `...`."""
    lhs = equation.split("->")[0]
    sizes: dict[str, int] = {}
    batch = tuple(data.draw(st.lists(size, max_size=2)))
    shapes = []
    for operand in lhs.split(","):
        shape: list[int] = []
        for label in operand.replace("...", "."):
            if label == ".":
                shape.extend(batch)
            else:
                shape.append(sizes.setdefault(label, data.draw(size)))
        shapes.append(tuple(shape))
    return shapes


@pytest.mark.parametrize("equation", EQUATIONS)
@settings(max_examples=5)
@given(data=st.data())
def test_einsum_gradients(equation, data):
    operands = tuple(data.draw(tensors(s, ANY)) for s in einsum_shapes(data, equation))
    check(lambda *ops: torch.einsum(equation, *ops), operands, True)


@settings(max_examples=5)
@given(data=st.data())
def test_einsum_gradients_with_broadcast_labels(data):
    # A label of size 1 in one operand broadcasts against the other's.
    n, m = data.draw(size), data.draw(size)
    a, b = data.draw(tensors((n, m), ANY)), data.draw(tensors((1, m), ANY))
    check(lambda a, b: torch.einsum("ij,ij->i", a, b), (a, b), True)
    check(lambda a, b: torch.einsum("ij,ij->ij", a, b), (a, b), True)


@settings(max_examples=10)
@given(data=st.data())
def test_tensordot_gradients(data):
    dims = data.draw(st.integers(0, 2))
    free_a = tuple(data.draw(st.lists(size, max_size=2)))
    free_b = tuple(data.draw(st.lists(size, max_size=2)))
    shared = tuple(data.draw(size) for _ in range(dims))
    a = data.draw(tensors(free_a + shared, ANY))
    b = data.draw(tensors(shared + free_b, ANY))
    check(lambda a, b: torch.tensordot(a, b, dims=dims), (a, b), True)


@settings(max_examples=5)
@given(data=st.data())
def test_tensordot_gradients_with_dim_lists_and_a_size_one_contraction(data):
    n, k, p = data.draw(size), data.draw(size), data.draw(size)
    a, b = data.draw(tensors((k, n), ANY)), data.draw(tensors((p, k), ANY))
    check(lambda a, b: torch.tensordot(a, b, dims=([0], [1])), (a, b), True)
    # A contracted dim of size 1 against one of size k: that side is summed first.
    c = data.draw(tensors((n, 1), ANY))
    check(lambda c, b: torch.tensordot(c, b, dims=([1], [1])), (c, b), True)


@settings(max_examples=10)
@given(data=st.data())
def test_inner_outer_kron_gradients(data):
    k = data.draw(size)
    lead_a = tuple(data.draw(st.lists(size, max_size=2)))
    lead_b = tuple(data.draw(st.lists(size, max_size=2)))
    a, b = data.draw(tensors(lead_a + (k,), ANY)), data.draw(tensors(lead_b + (k,), ANY))
    check(torch.inner, (a, b), True)
    s = data.draw(tensors((), ANY))
    check(torch.inner, (a, s), True)
    u, v = data.draw(tensors((data.draw(size),), ANY)), data.draw(tensors((k,), ANY))
    check(torch.outer, (u, v), True)
    x = data.draw(tensors(tuple(data.draw(st.lists(size, max_size=3))), ANY))
    y = data.draw(tensors(tuple(data.draw(st.lists(size, max_size=3))), ANY))
    check(torch.kron, (x, y), True)


def test_composed_products_compute_what_the_direct_ones_do():
    # With a gradient needed they are built from recorded ops; the values must not change.
    a = torch.rand(2, 3, dtype=F64, requires_grad=True)
    b = torch.rand(3, 1, 2, dtype=F64, requires_grad=True)
    s = torch.tensor(1.5, dtype=F64, requires_grad=True)
    v = torch.rand(3, dtype=F64, requires_grad=True)
    for fn, args in [
        (torch.kron, (a, b)),
        (torch.outer, (a[0], v)),
        (torch.inner, (a, s)),
        (torch.inner, (v, v)),
        (lambda x, y: torch.einsum("ij,ij->ij", x, y), (a, a)),
        (lambda x, y: torch.tensordot(x, y, dims=([1], [0])), (a[:, :1], b[:, 0])),
    ]:
        recorded = fn(*args)
        plain = fn(*[t.detach() for t in args])
        assert recorded.requires_grad and plain.grad_fn is None
        assert torch.allclose(recorded, plain)


# ---------------------------------------------------------------------------------------------
# lerp, addcmul, addcdiv: three broadcast operands.
# ---------------------------------------------------------------------------------------------


@settings(max_examples=10)
@given(data=st.data())
def test_lerp_gradients(data):
    sa, sb = data.draw(broadcast_pair())
    a, b = data.draw(tensors(sa, ANY)), data.draw(tensors(sb, ANY))
    weight = data.draw(st.sampled_from([0.3, -0.5, 1.7]))
    check(lambda a, b: torch.lerp(a, b, weight), (a, b), True)
    w = data.draw(tensors(data.draw(st.sampled_from([sa, sb])), ANY))
    check(torch.lerp, (a, b, w), True)


@settings(max_examples=10)
@given(data=st.data())
def test_addcmul_and_addcdiv_gradients(data):
    sa, sb = data.draw(broadcast_pair())
    value = data.draw(scales)
    a, b = data.draw(tensors(sa, ANY)), data.draw(tensors(sb, ANY))
    c = data.draw(tensors(data.draw(st.sampled_from([sa, sb])), POSITIVE))
    check(lambda a, b, c: torch.addcmul(a, b, c, value=value), (a, b, c), True)
    check(lambda a, b, c: torch.addcdiv(a, b, c, value=value), (a, b, c), True)


# ---------------------------------------------------------------------------------------------
# clamp: number bounds (gradient strictly inside), tensor bounds (ties split, as maximum).
# ---------------------------------------------------------------------------------------------

CLAMPS = [
    ("clamp both", lambda x: x.clamp(-1, 1)),
    ("clamp min", lambda x: torch.clamp(x, min=0)),
    ("clamp max", lambda x: x.clamp(max=1)),
    ("clamp min > max", lambda x: x.clamp(1, -1)),
    ("clip", lambda x: x.clip(-2, 1)),
    ("clamp_min", lambda x: x.clamp_min(0)),
    ("clamp_max", lambda x: torch.clamp_max(x, -1)),
]


@pytest.mark.parametrize("name, fn", CLAMPS, ids=[r[0] for r in CLAMPS])
@settings(max_examples=5)
@given(data=st.data())
def test_clamp_gradients_with_number_bounds(name, fn, data):
    x = data.draw(tensors(data.draw(st.lists(size, max_size=3).map(tuple)), STEPS))
    check(fn, (x,), True)


@settings(max_examples=10)
@given(data=st.data())
def test_clamp_gradients_with_tensor_bounds(data):
    sx, sb = data.draw(broadcast_pair())
    x = data.draw(tensors(sx, STEPS))
    lo = integer_valued(data.draw(tensors(sb, STEPS)))
    # The upper bound above the lower one, or below it (then it is the result everywhere).
    hi = integer_valued(lo, shift=data.draw(st.sampled_from([1.0, 2.0, -1.0])))
    check(lambda x, lo, hi: x.clamp(lo, hi), (x, lo, hi), True)
    check(lambda x, lo: x.clamp(min=lo), (x, lo), True)
    check(lambda x, hi: torch.clamp(x, max=hi), (x, hi), True)
    check(lambda x, lo: x.clamp_min(lo), (x, lo), True)
    check(lambda x, hi: x.clamp_max(hi), (x, hi), True)


def test_clamp_with_number_bounds_passes_the_gradient_strictly_inside():
    # PyTorch: the gradient is 1 only where min < x < max; at a bound itself it is 0.
    cases = [
        (lambda t: t.clamp(-1, 1), [0.0, 0.0, 1.0, 0.0, 0.0]),
        (lambda t: t.clamp_min(0.0), [0.0, 0.0, 0.0, 1.0, 1.0]),
        (lambda t: t.clamp_max(0.0), [1.0, 1.0, 0.0, 0.0, 0.0]),
        (lambda t: t.clamp(min=-1.0), [0.0, 0.0, 1.0, 1.0, 1.0]),
        (lambda t: t.clamp(1, -1), [0.0, 0.0, 0.0, 0.0, 0.0]),
    ]
    for fn, want in cases:
        x = vec(-2.0, -1.0, 0.0, 1.0, 2.0)
        fn(x).sum().backward()
        assert x.grad.tolist() == want
    x = vec(NAN)
    x.clamp(-1, 1).sum().backward()
    assert x.grad.tolist() == [0.0]


def test_clamp_with_tensor_bounds_splits_ties():
    # Values from PyTorch. x == min < max: x and min get 1/2 each; x == max: x and max;
    # min > max: max is the result and gets it all.
    x, lo, hi = vec(0.0, 1.0, 2.0, -1.0), vec(0.0, 0.0, 3.0, 0.0), vec(1.0, 1.0, 1.0, 0.0)
    x.clamp(lo, hi).sum().backward()
    assert x.grad.tolist() == [0.5, 0.5, 0.0, 0.0]
    assert lo.grad.tolist() == [0.5, 0.0, 0.0, 1.0]
    assert hi.grad.tolist() == [0.0, 0.5, 1.0, 0.0]
    # One bound: as maximum(x, min).
    x, lo = vec(0.0, 1.0, 2.0, -1.0), vec(0.0, 0.0, 3.0, 0.0)
    x.clamp_min(lo).sum().backward()
    assert x.grad.tolist() == [0.5, 1.0, 0.0, 0.0]
    assert lo.grad.tolist() == [0.5, 0.0, 1.0, 1.0]


def test_clamp_with_tensor_bounds_at_nan_and_equal_bounds():
    # Values from PyTorch: (x, min, max) -> their gradients.
    cases = [
        ((NAN, 0.0, 1.0), [1.0, 0.0, 0.0]),
        ((0.5, NAN, 1.0), [1.0, 0.0, 0.0]),
        ((0.0, 0.0, NAN), [1.0, 0.0, 0.0]),
        ((0.0, 0.0, 0.0), [1.0, 0.0, 0.0]),
        ((-1.0, 0.0, 0.0), [0.0, 1.0, 0.0]),
        ((1.0, 0.0, 0.0), [0.0, 0.0, 1.0]),
        ((-1.0, 1.0, -1.0), [0.0, 0.0, 1.0]),
    ]
    for values, want in cases:
        x, lo, hi = (vec(v) for v in values)
        x.clamp(lo, hi).sum().backward()
        assert [x.grad.item(), lo.grad.item(), hi.grad.item()] == want, values
    # One bound and a NaN: both sides get the gradient, as maximum's do.
    x, lo = vec(NAN), vec(0.0)
    x.clamp(min=lo).sum().backward()
    assert [x.grad.item(), lo.grad.item()] == [1.0, 1.0]


def test_clamp_node_inputs():
    x = torch.rand(3, dtype=F64, requires_grad=True)
    lo = torch.zeros(3, dtype=F64, requires_grad=True)

    def inputs(y: torch.Tensor) -> list:
        return [None if n is None else type(n).__name__ for n, _ in y.grad_fn.next_functions]

    assert inputs(x.clamp(0, 1)) == ["AccumulateGrad"]
    assert inputs(x.clamp(min=lo)) == ["AccumulateGrad", "AccumulateGrad", None]
    assert inputs(x.clamp(max=lo)) == ["AccumulateGrad", None, "AccumulateGrad"]
    assert inputs(x.clamp(lo.detach(), lo + 1)) == ["AccumulateGrad", None, "AddBackward0"]


# ---------------------------------------------------------------------------------------------
# logit, nan_to_num, round(decimals).
# ---------------------------------------------------------------------------------------------


@settings(max_examples=10)
@given(data=st.data())
def test_logit_nan_to_num_round_gradients(data):
    shape = data.draw(st.lists(size, max_size=3).map(tuple))
    p = data.draw(tensors(shape, OPEN_UNIT))
    check(torch.logit, (p,), True)
    # Inside [eps, 1 - eps] the clamp does nothing.
    q = data.draw(tensors(shape, Domain(0.1, 0.9, signed=False)))
    check(lambda q: q.logit(eps=0.05), (q,), True)
    x = data.draw(tensors(shape, ANY))
    check(lambda x: x.nan_to_num(posinf=1.0), (x,), True)
    check(lambda x: x.round(decimals=1), (x,), True)


def test_logit_gradient_at_and_beyond_the_edges():
    # Values from PyTorch: 1 / (x (1 - x)) inside; without eps inf at 0 and 1 and NaN outside
    # [0, 1]; with eps zero outside [eps, 1 - eps] (the bounds themselves included).
    p = vec(0.0, 0.05, 0.5, 1.0, 1.5, -0.5)
    p.logit().sum().backward()
    got = p.grad.tolist()
    assert got[0] == INF and got[3] == INF and math.isnan(got[4]) and math.isnan(got[5])
    assert got[1] == pytest.approx(21.05263157894737) and got[2] == 4.0
    p.grad = None
    p.logit(eps=0.05).sum().backward()
    assert p.grad.tolist() == pytest.approx([0.0, 21.05263157894737, 4.0, 0.0, 0.0, 0.0])


def test_nan_to_num_gradient_is_zero_where_the_input_was_replaced():
    y = vec(1.0, NAN, INF, -INF)
    y.nan_to_num().sum().backward()
    assert y.grad.tolist() == [1.0, 0.0, 0.0, 0.0]
    # grad * isfinite(x): a NaN gradient stays NaN where it passes.
    y.grad = None
    y.nan_to_num().backward(torch.tensor([NAN, 1.0, 2.0, 3.0], dtype=F64))
    got = y.grad.tolist()
    assert math.isnan(got[0]) and got[1:] == [0.0, 0.0, 0.0]


# ---------------------------------------------------------------------------------------------
# linalg.cross and linalg.matrix_power.
# ---------------------------------------------------------------------------------------------


@settings(max_examples=10)
@given(data=st.data())
def test_cross_gradients(data):
    rest = data.draw(st.lists(size, max_size=2))
    dim = data.draw(st.integers(0, len(rest)))
    shape = tuple(rest[:dim] + [3] + rest[dim:])
    # The second operand broadcasts: some of its other dims are 1.
    other = tuple(n if n == 3 or data.draw(st.booleans()) else 1 for n in shape)
    a, b = data.draw(tensors(shape, ANY)), data.draw(tensors(other, ANY))
    check(lambda a, b: torch.linalg.cross(a, b, dim=dim), (a, b), True)
    check(lambda a, b: torch.cross(a, b, dim=dim - len(shape)), (a, b), True)


@settings(max_examples=10)
@given(data=st.data())
def test_matrix_power_gradients(data):
    n = data.draw(size)
    batch = tuple(data.draw(st.lists(st.integers(1, 2), max_size=1)))
    a = data.draw(tensors(batch + (n, n), Domain(0.1, 1.0)))
    power = data.draw(st.integers(0, 5))
    check(lambda a: torch.linalg.matrix_power(a, power), (a,), True)


def test_matrix_power_negative():
    # A^-2 through the (recorded) inverse: d(A^-2) = -A^-1 dA A^-2 - A^-2 dA A^-1.
    a = torch.eye(2, dtype=F64) * 2 + torch.tensor([[0.0, 0.5], [0.25, 0.0]], dtype=F64)
    a.requires_grad_()
    check(lambda a: torch.linalg.matrix_power(a, -2), (a,), False)


# ---------------------------------------------------------------------------------------------
# Node names (PyTorch's), in-place variants, out= and integer results.
# ---------------------------------------------------------------------------------------------


def m(*shape: int) -> torch.Tensor:
    return torch.rand(*shape, dtype=F64, requires_grad=True)


NAMES: list[tuple[str, Callable[[], Any], str]] = [
    ("addmm", lambda: torch.addmm(m(2, 3), m(2, 4), m(4, 3)), "AddmmBackward0"),
    ("addmv", lambda: torch.addmv(m(2), m(2, 3), m(3)), "AddmvBackward0"),
    ("baddbmm", lambda: torch.baddbmm(m(2, 3), m(2, 2, 4), m(2, 4, 3)), "BaddbmmBackward0"),
    ("addbmm", lambda: torch.addbmm(m(2, 3), m(2, 2, 4), m(2, 4, 3)), "AddbmmBackward0"),
    ("einsum mm", lambda: torch.einsum("ij,jk->ik", m(2, 3), m(3, 4)), "ViewBackward0"),
    ("einsum diagonal", lambda: torch.einsum("ii->i", m(3, 3)), "PermuteBackward0"),
    ("einsum sum", lambda: torch.einsum("ij->", m(2, 3)), "SumBackward1"),
    ("einsum outer", lambda: torch.einsum("i,j->ij", m(2), m(3)), "MulBackward0"),
    ("tensordot", lambda: torch.tensordot(m(2, 3), m(3, 4), dims=1), "ViewBackward0"),
    ("inner", lambda: torch.inner(m(2, 3), m(4, 3)), "ViewBackward0"),
    ("inner vectors", lambda: torch.inner(m(3), m(3)), "ViewBackward0"),
    ("inner number", lambda: torch.inner(m(2, 3), m()), "MulBackward0"),
    ("outer", lambda: torch.outer(m(2), m(3)), "MulBackward0"),
    ("kron", lambda: torch.kron(m(2, 2), m(3)), "UnsafeViewBackward0"),
    ("lerp number", lambda: torch.lerp(m(2), m(2), 0.5), "LerpBackward0"),
    ("lerp tensor", lambda: torch.lerp(m(2), m(2), m(2)), "LerpBackward1"),
    ("addcmul", lambda: torch.addcmul(m(2), m(2), m(2)), "AddcmulBackward0"),
    ("addcdiv", lambda: torch.addcdiv(m(2), m(2), m(2) + 1), "AddcdivBackward0"),
    ("clamp", lambda: m(2).clamp(0.2, 0.8), "ClampBackward1"),
    ("clamp min", lambda: m(2).clamp(min=0.2), "ClampBackward1"),
    ("clip", lambda: m(2).clip(0.2, 0.8), "ClampBackward1"),
    ("clamp tensor", lambda: m(2).clamp(min=m(2)), "ClampBackward0"),
    ("logit", lambda: m(2).logit(), "LogitBackward0"),
    ("logit eps", lambda: m(2).logit(eps=0.1), "LogitBackward0"),
    ("nan_to_num", lambda: m(2).nan_to_num(), "NanToNumBackward0"),
    ("round decimals", lambda: m(2).round(decimals=2), "RoundBackward1"),
    ("linalg.cross", lambda: torch.linalg.cross(m(2, 3), m(2, 3)), "LinalgCrossBackward0"),
    ("cross", lambda: torch.cross(m(3, 2), m(3, 2), dim=0), "LinalgCrossBackward0"),
    ("matrix_power 0", lambda: torch.linalg.matrix_power(m(2, 2), 0), "CopyBackwards"),
    ("matrix_power 1", lambda: torch.linalg.matrix_power(m(2, 2), 1), "CloneBackward0"),
    ("matrix_power 3", lambda: m(2, 2).matrix_power(3), "MmBackward0"),
]


@pytest.mark.parametrize("name, make, node", NAMES, ids=[r[0] for r in NAMES])
def test_node_names(name, make, node):
    assert type(make().grad_fn).__name__ == node


@pytest.mark.parametrize(
    "make, node",
    [
        (lambda: m(2).clamp_min(0.5), "ClampMinBackward0"),
        (lambda: m(2).clamp_max(0.5), "ClampMaxBackward0"),
        (lambda: m(2).clamp_min(m(2)), "ClampMinBackward1"),
        (lambda: m(2).clamp_max(m(2)), "ClampMaxBackward1"),
    ],
)
def test_clamp_min_and_clamp_max_node_names(make, node):
    assert type(make().grad_fn).__name__ == node


IN_PLACE = [
    # (name, out-of-place, in-place on a non-leaf), on a 2 x 3 leaf x and another one w
    ("lerp number", lambda x, w: x.lerp(w, 0.25), lambda t, w: t.lerp_(w, 0.25)),
    ("lerp tensor", lambda x, w: x.lerp(w, w), lambda t, w: t.lerp_(w, w)),
    ("addcmul", lambda x, w: x.addcmul(w, w, value=2), lambda t, w: t.addcmul_(w, w, value=2)),
    ("addcdiv", lambda x, w: x.addcdiv(w, w + 1), lambda t, w: t.addcdiv_(w, w + 1)),
    ("clamp", lambda x, w: x.clamp(0.25, 0.75), lambda t, w: t.clamp_(0.25, 0.75)),
    ("clamp tensor", lambda x, w: x.clamp(min=w), lambda t, w: t.clamp_(min=w)),
    ("clip", lambda x, w: x.clip(max=0.5), lambda t, w: t.clip_(max=0.5)),
    ("clamp_min", lambda x, w: x.clamp_min(0.5), lambda t, w: t.clamp_min_(0.5)),
    ("clamp_max", lambda x, w: x.clamp_max(w), lambda t, w: t.clamp_max_(w)),
    ("logit", lambda x, w: x.logit(0.1), lambda t, w: t.logit_(0.1)),
    ("nan_to_num", lambda x, w: x.nan_to_num(), lambda t, w: t.nan_to_num_()),
    ("round", lambda x, w: x.round(decimals=1), lambda t, w: t.round_(decimals=1)),
]


@pytest.mark.parametrize("name, fn, fn_", IN_PLACE, ids=[r[0] for r in IN_PLACE])
def test_in_place_variants(name, fn, fn_):
    x = torch.rand(2, 3, dtype=F64, requires_grad=True)
    w = torch.rand(2, 3, dtype=F64, requires_grad=True)
    expected = fn(x, w)
    weighted_sum(expected).backward()
    want = (x.grad.clone(), w.grad.clone() if w.grad is not None else None)
    x.grad, w.grad = None, None
    t = x * 1
    assert fn_(t, w) is t
    assert type(t.grad_fn).__name__ == type(expected.grad_fn).__name__
    assert type(t.grad_fn.next_functions[0][0]).__name__ == "MulBackward0"
    assert torch.allclose(t, expected)
    weighted_sum(t).backward()
    assert torch.allclose(x.grad, want[0])
    if want[1] is not None:
        assert torch.allclose(w.grad, want[1])


OUT_REFUSED = [
    ("clamp", lambda x, o: torch.clamp(x, 0.0, 1.0, out=o)),
    ("clamp", lambda x, o: torch.clamp(x.detach(), min=x, out=o)),
    ("lerp", lambda x, o: torch.lerp(x, x, 0.5, out=o)),
    ("addcmul", lambda x, o: torch.addcmul(x, x, x, out=o)),
    ("addcdiv", lambda x, o: torch.addcdiv(x, x, x + 1, out=o)),
    ("logit", lambda x, o: torch.logit(x, out=o)),
    ("nan_to_num", lambda x, o: torch.nan_to_num(x, out=o)),
    ("round", lambda x, o: torch.round(x, decimals=2, out=o)),
]


@pytest.mark.parametrize(
    "name, call", OUT_REFUSED, ids=[f"{r[0]}-{i}" for i, r in enumerate(OUT_REFUSED)]
)
def test_out_argument_refuses_inputs_that_require_grad(name, call):
    # PyTorch prefixes the message with the op's name ("clamp(): ..."); where the binding
    # writes the result into `out` itself (clamp with number bounds) the prefix is missing.
    x = torch.rand(2, 3, requires_grad=True)
    message = "functions with out=... arguments don't support automatic differentiation"
    with pytest.raises(RuntimeError, match=re.escape(message)):
        call(x, torch.empty(2, 3))


def test_no_graph_without_grad_and_for_integer_results():
    x = torch.rand(2, 3, requires_grad=True)
    with torch.no_grad():
        for y in [x.clamp(0.2, 0.8), torch.kron(x, x), torch.einsum("ij->j", x), x.logit()]:
            assert y.grad_fn is None and not y.requires_grad
    i = torch.tensor([[1, 5], [7, -2]])
    for y in [
        i.clamp(0, 3),
        torch.einsum("ij,jk->ik", i, i),
        torch.kron(i, i),
        torch.outer(i[0], i[1]),
        torch.linalg.matrix_power(i, 2),
    ]:
        assert y.grad_fn is None and not y.requires_grad
