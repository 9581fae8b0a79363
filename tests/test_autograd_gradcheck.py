"""Property tests: every differentiable op's gradients against central finite differences
(``gradcheck``, float64), on random shapes, broadcasting pairs and non-contiguous inputs, and
second derivatives (``gradgradcheck``) for the ops that are twice differentiable.

Inputs are drawn from each op's domain and away from its non-differentiable points (the kink
of ``abs``/``relu``, the jumps of ``floor``, ties of ``maximum``), where finite differences
and the (sub)gradient legitimately disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.autograd import gradcheck, gradgradcheck
from hypothesis import given, settings
from hypothesis import strategies as st


@dataclass(frozen=True)
class Domain:
    """Where inputs are drawn: |x| in [lo, hi] (with random sign when ``signed``), and for
    piecewise ops a distance from integers."""

    lo: float = 0.1
    hi: float = 2.0
    signed: bool = True
    off_integers: bool = False


ANY = Domain()
POSITIVE = Domain(0.2, 3.0, signed=False)
UNIT = Domain(0.05, 0.8)
ABOVE_ONE = Domain(1.2, 3.0, signed=False)
STEPS = Domain(0.1, 3.0, off_integers=True)


@st.composite
def values(draw, shape: tuple[int, ...], domain: Domain) -> np.ndarray:
    n = int(np.prod(shape)) if shape else 1
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    mag = rng.uniform(domain.lo, domain.hi, n)
    if domain.off_integers:
        mag = np.floor(mag) + rng.uniform(0.2, 0.8, n)
    sign = rng.choice([-1.0, 1.0], n) if domain.signed else 1.0
    return (mag * sign).reshape(shape)


@st.composite
def tensors(draw, shape: tuple[int, ...], domain: Domain):
    """A float64 leaf that requires grad, contiguous or a transposed (non-contiguous) view."""
    a = draw(values(shape, domain))
    if len(shape) >= 2 and draw(st.booleans()):
        # The same values in a transposed (non-contiguous) layout: a leaf view of a tensor
        # that itself needs no grad.
        base = torch.tensor(np.ascontiguousarray(np.swapaxes(a, -1, -2)), dtype=torch.float64)
        return base.transpose(-1, -2).requires_grad_(True)
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


def check(fn: Callable, inputs: tuple, twice: bool) -> None:
    assert gradcheck(fn, inputs)
    if twice:
        assert gradgradcheck(fn, inputs)


UNARY = [
    # (name, function, domain, twice differentiable)
    ("abs", torch.abs, ANY, True),
    ("neg", torch.neg, ANY, True),
    ("exp", torch.exp, ANY, True),
    ("exp2", torch.exp2, ANY, True),
    ("expm1", torch.expm1, ANY, True),
    ("log", torch.log, POSITIVE, True),
    ("log2", torch.log2, POSITIVE, True),
    ("log10", torch.log10, POSITIVE, True),
    ("log1p", torch.log1p, POSITIVE, True),
    ("sqrt", torch.sqrt, POSITIVE, True),
    ("rsqrt", torch.rsqrt, POSITIVE, True),
    ("square", torch.square, ANY, True),
    ("sin", torch.sin, ANY, True),
    ("cos", torch.cos, ANY, True),
    ("tan", torch.tan, UNIT, True),
    ("asin", torch.asin, UNIT, True),
    ("acos", torch.acos, UNIT, True),
    ("atan", torch.atan, ANY, True),
    ("sinh", torch.sinh, ANY, True),
    ("cosh", torch.cosh, ANY, True),
    ("tanh", torch.tanh, ANY, True),
    ("asinh", torch.asinh, ANY, True),
    ("acosh", torch.acosh, ABOVE_ONE, True),
    ("atanh", torch.atanh, UNIT, True),
    ("sigmoid", torch.sigmoid, ANY, True),
    ("relu", torch.relu, ANY, True),
    ("erf", torch.erf, ANY, True),
    ("erfc", torch.erfc, ANY, True),
    ("erfinv", torch.erfinv, UNIT, True),
    ("lgamma", torch.lgamma, POSITIVE, False),
    ("floor", torch.floor, STEPS, True),
    ("ceil", torch.ceil, STEPS, True),
    ("round", torch.round, STEPS, True),
    ("trunc", torch.trunc, STEPS, True),
    ("frac", torch.frac, STEPS, True),
    ("reciprocal", torch.reciprocal, ANY, True),
    ("sign", torch.sign, ANY, True),
    ("x * 2.5", lambda x: x * 2.5, ANY, True),
    ("2.5 - x", lambda x: 2.5 - x, ANY, True),
    ("x / 3", lambda x: x / 3, ANY, True),
    ("x ** 3", lambda x: x**3, ANY, True),
    ("2 ** x", lambda x: 2**x, ANY, True),
    ("x ** 0.5", lambda x: x**0.5, POSITIVE, True),
]


@pytest.mark.parametrize("name, fn, domain, twice", UNARY, ids=[r[0] for r in UNARY])
@settings(max_examples=15)
@given(data=st.data())
def test_unary_gradients(name, fn, domain, twice, data):
    x = data.draw(tensors(data.draw(shapes), domain))
    check(fn, (x,), twice)


BINARY = [
    ("add", torch.add, ANY, ANY, True),
    ("add alpha", lambda a, b: torch.add(a, b, alpha=-1.5), ANY, ANY, True),
    ("sub", torch.sub, ANY, ANY, True),
    ("mul", torch.mul, ANY, ANY, True),
    ("div", torch.div, ANY, ANY, True),
    ("pow", torch.pow, POSITIVE, ANY, True),
    ("atan2", torch.atan2, ANY, ANY, True),
    ("maximum", torch.maximum, ANY, ANY, True),
    ("minimum", torch.minimum, ANY, ANY, True),
    ("fmax", torch.fmax, ANY, ANY, True),
    ("fmin", torch.fmin, ANY, ANY, True),
    ("hypot", torch.hypot, ANY, ANY, True),
    ("xlogy", torch.xlogy, ANY, POSITIVE, True),
    ("copysign", torch.copysign, ANY, ANY, False),
]


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast: the second drops leading dims and/or sets some to 1."""
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
    drop = draw(st.integers(0, len(shape)))
    other = list(shape[drop:])
    other = [1 if draw(st.booleans()) else n for n in other]
    return (shape, tuple(other)) if draw(st.booleans()) else (tuple(other), shape)


@pytest.mark.parametrize("name, fn, da, db, twice", BINARY, ids=[r[0] for r in BINARY])
@settings(max_examples=15)
@given(data=st.data())
def test_binary_gradients(name, fn, da, db, twice, data):
    sa, sb = data.draw(broadcast_pair())
    a, b = data.draw(tensors(sa, da)), data.draw(tensors(sb, db))
    if name in ("maximum", "minimum", "fmax", "fmin"):
        # Ties have a subgradient; keep the operands apart.
        b = (b.detach() + 0.05 * torch.sign(b.detach())).requires_grad_(True)
    check(fn, (a, b), twice)


SHAPED = [
    # (name, function of a 3-D tensor of shape (2, 3, 4), twice differentiable)
    ("sum", lambda x: x.sum()),
    ("sum dim", lambda x: x.sum(1)),
    ("sum dims keepdim", lambda x: x.sum((0, 2), keepdim=True)),
    ("mean", lambda x: x.mean()),
    ("mean dim", lambda x: x.mean(-1)),
    ("view", lambda x: x.reshape(6, 4)),
    ("transpose", lambda x: x.transpose(0, 2)),
    ("permute", lambda x: x.permute(2, 0, 1)),
    ("expand", lambda x: x[:, :1].expand(2, 5, 4)),
    ("select", lambda x: x[1]),
    ("slice", lambda x: x[:, 1:, ::2]),
    ("narrow", lambda x: x.narrow(2, 1, 2)),
    ("unsqueeze", lambda x: x.unsqueeze(1)),
    ("squeeze", lambda x: x[:, :1].squeeze(1)),
    ("diagonal", lambda x: x.diagonal(0, 1, 2)),
    ("clone", lambda x: x.clone()),
    ("contiguous", lambda x: x.transpose(0, 1).contiguous()),
    ("where", lambda x: torch.where(x > 0, x * 2, x.sin())),
    ("matmul", lambda x: x @ x.transpose(1, 2)),
    ("bmm", lambda x: torch.bmm(x, x.transpose(1, 2))),
    ("mm", lambda x: x[0] @ x[1].t()),
    ("mv", lambda x: x[0] @ x[1, 0]),
    ("dot", lambda x: x[0, 0] @ x[1, 1]),
    ("vector @ matrix", lambda x: x[0, 0, :3] @ x[1]),
]


@pytest.mark.parametrize("name, fn", SHAPED, ids=[r[0] for r in SHAPED])
@settings(max_examples=5)
@given(data=st.data())
def test_shaped_op_gradients(name, fn, data):
    x = data.draw(tensors((2, 3, 4), ANY))
    check(fn, (x,), True)
