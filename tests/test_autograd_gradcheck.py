"""Property tests: every differentiable op's gradients against central finite differences
(``gradcheck``, float64), on random shapes, broadcasting pairs and non-contiguous inputs, and
second derivatives (``gradgradcheck``) for the ops that are twice differentiable.

Inputs are drawn from each op's domain and away from its non-differentiable points (the kink
of ``abs``/``relu``, the jumps of ``floor``, ties of ``maximum``), where finite differences
and the (sub)gradient legitimately disagree.
"""

from __future__ import annotations

import ferrograd as torch
import pytest
from ferrograd.autograd import GradcheckError, gradcheck, gradgradcheck
from grad_support import (
    ABOVE_ONE,
    ANY,
    POSITIVE,
    STEPS,
    UNIT,
    broadcast_pair,
    check,
    shapes,
    tensors,
)
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_gradcheck_handles_tensors_without_elements():
    x = torch.zeros(0, 3, dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda t: t * 2, (x,))
    y = torch.rand(2, 3, dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda t: t[:0] * 2, (y,))
    assert gradgradcheck(lambda t: t[:0] * 2, (y,))


class _Noisy(torch.autograd.Function):
    """x * 2 whose backward is off by a tiny random amount: right, but not reentrant."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2 + torch.rand(g.shape, dtype=g.dtype) * 1e-9


def test_gradcheck_checks_that_backward_is_reentrant():
    x = torch.rand(3, dtype=torch.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="^Backward is not reentrant"):
        gradcheck(_Noisy.apply, (x,))
    assert not gradcheck(_Noisy.apply, (x,), raise_exception=False)
    assert gradcheck(_Noisy.apply, (x,), nondet_tol=1e-6)


def test_gradcheck_flags():
    x = torch.rand(3, dtype=torch.float64, requires_grad=True)
    assert gradcheck(torch.sin, (x,), check_grad_dtypes=True, fast_mode=True)
    # Without the backward check nothing is compared.
    assert gradcheck(_Noisy.apply, (x,), check_backward_ad=False)
    for flag in ("check_forward_ad", "check_batched_grad", "check_batched_forward_grad"):
        with pytest.raises(NotImplementedError, match="no forward-mode AD"):
            gradcheck(torch.sin, (x,), **{flag: True})
