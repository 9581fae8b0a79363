"""Linear algebra from the op table against numpy: matmul over every rank pairing and batch
broadcast, the fixed-rank products, einsum/tensordot/kron/cross, and decompositions (exact
where unique, by their defining properties where signs or bases are free)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from op_cases import Case, draw_dtypes, resolve_args, run_case, sampled
from op_harness import call_forms, op_id, pass_dtype
from op_spec import ALL
from op_table import LINALG
from strategies import SEEDS, laid_out

EINSUM = ["ij,jk->ik", "bij,bjk->bik", "ii->i", "ii", "ij->ji", "i,i->", "i,j->ij",
          "...ij,...jk->...ik", "ij->", "bij->bj", "ij,ij->ij"]  # fmt: skip
REFUSING = [(s, d) for s in LINALG for d in ALL if d not in s.dtypes]
RANKS = [(1, 1), (2, 1), (1, 2), (2, 2), (3, 1), (1, 3), (3, 3), (4, 2), (2, 4), (3, 4), (4, 4)]


def _n(rng, low=0, high=3) -> int:
    return int(rng.integers(low, high + 1))


def _batch(rng, ndim: int) -> tuple[int, ...]:
    return tuple(_n(rng, 1, 3) for _ in range(ndim))


def _shrunk(rng, batch):
    """A batch shape that broadcasts with `batch` (leading dims dropped, some sizes 1)."""
    kept = batch[_n(rng, 0, len(batch)) :]
    return tuple(1 if rng.random() < 0.3 else n for n in kept)


def _trailing(shape, count: int):
    """The last `count` dims (batch dims broadcast from the right)."""
    return shape[max(len(shape) - count, 0) :]


def operand_shapes(kind: str, rng):
    """Shapes of the operands (and einsum's equation) for a kind of product."""
    n, k, m = _n(rng), _n(rng), _n(rng)
    if kind == "matmul":
        ra, rb = RANKS[_n(rng, 0, len(RANKS) - 1)]
        batch = _batch(rng, max(ra, rb) - 2)
        a = (k,) if ra == 1 else (*_trailing(_shrunk(rng, batch), ra - 2), n, k)
        b = (k,) if rb == 1 else (*_trailing(_shrunk(rng, batch), rb - 2), k, m)
        return [a, b]
    simple = {"mm": [(n, k), (k, m)], "mv": [(n, k), (k,)], "dot": [(k,), (k,)],
              "outer": [(n,), (m,)], "bmm": [(m, n, k), (m, k, n)]}  # fmt: skip
    if kind in simple:
        return simple[kind]
    if kind == "addmm":
        return [_shrunk(rng, (n, m)), (n, k), (k, m)]
    if kind == "kron":
        return [_batch(rng, _n(rng, 0, 3)), _batch(rng, _n(rng, 0, 3))]
    if kind == "cross":  # the same rank: only sizes broadcast
        batch = _batch(rng, _n(rng, 0, 2))
        return [(*batch, 3), (*(1 if rng.random() < 0.3 else b for b in batch), 3)]
    raise ValueError(kind)


def einsum_operands(rng):
    equation = EINSUM[_n(rng, 0, len(EINSUM) - 1)]
    sizes = {c: _n(rng) for c in "ijkb"}
    batch = _batch(rng, _n(rng, 0, 2))
    inputs = equation.split("->")[0].split(",")
    shapes = [(*batch, *[sizes[c] for c in s[3:]]) if s.startswith("...") else
              tuple(sizes[c] for c in s) for s in inputs]  # fmt: skip
    return equation, shapes


def tensordot_operands(rng):
    contracted = [_n(rng) for _ in range(_n(rng, 0, 2))]
    a = (*_batch(rng, _n(rng, 0, 2)), *contracted)
    b = (*contracted, *_batch(rng, _n(rng, 0, 2)))
    if rng.random() < 0.5:
        return [a, b], len(contracted)
    c = len(contracted)
    return [a, b], (list(range(len(a) - c, len(a))), list(range(c)))


def structured(kind: str, rng, name: str):
    """Matrices whose values matter: invertible, SPD, well-conditioned, of known rank."""
    shape_kind, _, structure = kind.partition(":")
    batch, n, m = _batch(rng, _n(rng, 0, 2)), _n(rng, 0, 4), _n(rng, 0, 4)
    if shape_kind == "lowrank":
        r = _n(rng, 0, min(n, m))
        left, right = rng.integers(-2, 3, (*batch, n, r)), rng.integers(-2, 3, (*batch, r, m))
        return [(left @ right).astype(np.float64)]
    if shape_kind == "general":
        if structure == "wellcond":
            return [_conditioned(rng, batch, n, m)]
        return [rng.uniform(-3, 3, (*batch, n, m))]
    r = rng.uniform(-1, 1, (*batch, n, n))
    if structure == "wellcond":
        r = r + (n + 1) * np.eye(n)
    if structure == "spd":
        r = r @ np.swapaxes(r, -1, -2) + n * np.eye(n) + np.eye(n)
    if shape_kind == "solve":
        rhs = (n,) if not batch and rng.random() < 0.5 else (*_shrunk(rng, batch), n, _n(rng))
        return [r + (n + 1) * np.eye(n), rng.uniform(-3, 3, rhs)]
    return [r * 3 if not structure else r]


def _conditioned(rng, batch, n, m):
    """Q1 diag(s) Q2 with singular values in [1, 2]: condition number at most 2."""
    k = min(n, m)
    q1 = np.linalg.qr(rng.normal(size=(*batch, n, n)))[0] if n else np.zeros((*batch, 0, 0))
    q2 = np.linalg.qr(rng.normal(size=(*batch, m, m)))[0] if m else np.zeros((*batch, 0, 0))
    s = np.zeros((*batch, n, m))
    idx = np.arange(k)
    s[..., idx, idx] = rng.uniform(1, 2, (*batch, k))
    return q1 @ s @ q2


@st.composite
def linalg_cases(draw, spec, dtype_name=None) -> Case:
    """Operands for the row's kind, every one in a random layout (all of `dtype_name` if
    given); einsum's equation leads its operands."""
    variant = spec.variants[0] if dtype_name else draw(sampled(spec.variants))
    rng = np.random.default_rng(draw(SEEDS))
    names = draw_dtypes(draw, spec, 3, dtype_name)
    lead: list = []
    if spec.kind == "einsum":
        equation, shapes = einsum_operands(rng)
        lead = [equation]
        arrays = [spec.domain[0].sample(rng, s, names[0]) for s in shapes]
    elif spec.kind == "tensordot":
        shapes, dims = tensordot_operands(rng)
        arrays = [spec.domain[0].sample(rng, s, names[0]) for s in shapes]
    elif spec.kind in ("square", "general", "lowrank", "solve") or ":" in spec.kind:
        arrays = structured(spec.kind, rng, names[0])
    else:
        shapes = operand_shapes(spec.kind, rng)
        arrays = [spec.domain[0].sample(rng, s, name) for s, name in zip(shapes, names)]
    # Refusals are checked on contiguous inputs: PyTorch takes other paths for strided ones,
    # some of which accept more dtypes (tensordot of transposed bool matrices works).
    layouts = ["contiguous"] if dtype_name else spec.layouts
    tensors = [laid_out(np.asarray(a), n, draw(SEEDS), layouts) for a, n in zip(arrays, names)]
    args, _, kwargs = resolve_args(draw, spec, variant, tensors[0].shape, names[0])
    if spec.kind == "tensordot":
        kwargs = {**kwargs, "dims": dims}
    return Case(spec, variant, lead + tensors, {}, args, kwargs)


@pytest.mark.parametrize("spec", LINALG, ids=op_id)
@given(data=st.data())
def test_matches_numpy(spec, data):
    run_case(data.draw(linalg_cases(spec)))


@pytest.mark.parametrize(("spec", "dtype_name"), REFUSING, ids=lambda v: getattr(v, "name", v))
@settings(max_examples=2, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_unsupported_dtype_is_refused(spec, dtype_name, data):
    case = data.draw(linalg_cases(spec, dtype_name))
    assume(all(t.numel() > 0 for t in case.values if not isinstance(t, str)))  # checked first
    kwargs = pass_dtype(case.kwargs)
    for _, fn in call_forms(spec, has_kwargs=True, first_is_tensor=spec.kind != "einsum"):
        with pytest.raises((RuntimeError, TypeError)):
            fn(*case.values, *case.args, **kwargs)
