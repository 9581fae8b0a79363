"""What the gradient property tests share: where inputs are drawn (``Domain``), float64
leaves that require grad in contiguous or transposed layouts, shapes that broadcast, and
``check`` (gradcheck, and gradgradcheck for ops that are twice differentiable)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ferrograd as torch
import numpy as np
from ferrograd.autograd import gradcheck, gradgradcheck
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


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast: the second drops leading dims and/or sets some to 1."""
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
    drop = draw(st.integers(0, len(shape)))
    other = list(shape[drop:])
    other = [1 if draw(st.booleans()) else n for n in other]
    return (shape, tuple(other)) if draw(st.booleans()) else (tuple(other), shape)
