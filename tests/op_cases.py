"""Drawing and running one call of an op-table row: operands (random layouts, broadcastable
shapes, Python scalars), resolved placeholder arguments, and the checks on every spelling.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import ferrograd
import numpy as np
import pytest
from hypothesis import assume
from hypothesis import strategies as st
from op_args import Arg, ScalarArg, TensorArg
from op_harness import (
    assert_close,
    assert_result,
    call_forms,
    expect_refusal,
    first_of,
    inplace_forms,
    name_of,
    pass_dtype,
    promote,
    reference,
    round_to,
)
from op_refs import Refused
from op_spec import FLOATS, INTS, can_cast, is_float
from strategies import LAYOUTS, SEEDS, Operand, operand_from_seed, small_shapes, to_numpy

INPLACE_LAYOUTS = [layout for layout in LAYOUTS if layout != "expanded"]
EMPTY_SHAPES = [(), (0,), (3, 0), (2, 0, 3), (1, 1, 0, 2)]


def python_scalars(
    spec, domain, tensor_dtype: str, same_kind=False, fits=False
) -> st.SearchStrategy:
    """Python bool/int/float scalars from `domain`, of the categories the op takes (or of
    `tensor_dtype`'s category only, with `same_kind`); with `fits`, floats stay within an
    integer `tensor_dtype`'s range (PyTorch refuses to fill uint8 with -0.5)."""
    kinds = (tensor_dtype,) if same_kind else spec.dtypes
    options = []
    if "bool" in kinds:
        options.append(st.booleans())
    if any(d in INTS for d in kinds):
        bounds = "int64" if is_float(tensor_dtype) or tensor_dtype == "bool" else tensor_dtype
        low, high = domain.int_bounds(bounds)
        if is_float(tensor_dtype):
            low, high = max(low, math.ceil(domain.low)), min(high, math.floor(domain.high))
        ints = st.integers(low, high)
        options.append(ints.filter(lambda v: v != 0) if domain.nonzero else ints)
    if any(d in FLOATS for d in kinds):
        low, high = domain.low, domain.high
        if fits and tensor_dtype in INTS:
            int_low, int_high = domain.int_bounds(tensor_dtype)
            low, high = max(low, int_low), min(high, int_high)
        floats = st.integers(math.ceil(low * 8), math.floor(high * 8)).map(lambda k: k / 8)
        specials = st.sampled_from([math.nan, math.inf, -math.inf])
        options.append(st.one_of(floats, specials) if domain.specials else floats)
    return st.one_of(options)


@functools.cache
def sampled(values: tuple) -> st.SearchStrategy:
    """A cached `sampled_from`: strategies are costly to build, and are built per example."""
    return st.sampled_from(values)


def draw_dtypes(draw, spec, count: int, forced=None) -> list[str]:
    """Operand dtypes the op takes (or all `forced`), often equal, mixed when the op allows."""
    first = forced or draw(sampled(spec.dtypes))
    if forced or not spec.mixed_dtypes:
        return [first] * count
    return [first] + [first if draw(st.booleans()) else draw(sampled(spec.dtypes))
                      for _ in range(count - 1)]  # fmt: skip


@dataclass
class Case:
    """One drawn call: operands (Operand recipes or Python scalars), keyword operands, plain
    positional and keyword arguments. `build()` makes the ferrograd values."""

    spec: Any
    variant: Any
    values: list
    kw_values: dict = field(default_factory=dict)
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def build(self, device=None):
        """(bases, values, kw_values): fresh tensors each call (in-place forms write them),
        on `device` if given."""
        built = [_build(v, device) for v in self.values]
        kw = {
            k: v.build(device)[1] if isinstance(v, Operand) else v
            for k, v in self.kw_values.items()
        }
        return [b for b, _ in built], [v for _, v in built], kw


def _build(value, device=None):
    """(base, tensor) for an Operand, (None, [tensors]) for a list of them, else as is."""
    if isinstance(value, Operand):
        return value.build(device)
    if isinstance(value, list):
        return None, [v.build(device)[1] for v in value]
    return None, value


def resolve_args(draw, spec, variant, shape, dtype_name: str, forced=False):
    """(args, kw_values, kwargs): placeholders drawn in order, so later ones see earlier ones;
    extra tensors take `dtype_name` when `forced`."""
    ctx: dict[str, Any] = {"shape": tuple(shape), "forced": forced, "dtype": dtype_name}
    kw_values, kwargs = {}, {}
    for key, value in variant.kwargs.items():  # first: split's size depends on its dim
        resolved = _resolve(draw, spec, value, ctx, dtype_name)
        target = kw_values if isinstance(value, (TensorArg, ScalarArg)) else kwargs
        target[key] = ctx[key] = resolved
    args: list = []
    for arg in variant.args:
        resolved = _resolve(draw, spec, arg, ctx, dtype_name)
        args.extend(resolved if getattr(arg, "star", False) else [resolved])
    return tuple(args), kw_values, kwargs


def _resolve(draw, spec, value, ctx, dtype_name: str):
    if isinstance(value, TensorArg):
        mixed = spec.mixed_dtypes and not ctx["forced"]
        name = draw_dtypes(draw, spec, 2)[1] if mixed else dtype_name
        return operand_from_seed(draw(SEEDS), ctx["shape"], name, value.domain, broadcast=True)
    if isinstance(value, ScalarArg):
        scalars = python_scalars(spec, value.domain, dtype_name, ctx["forced"], value.fill)
        return draw(scalars)
    if isinstance(value, Arg):
        return draw(value.strategy(ctx))
    return value


@st.composite
def table_cases(
    draw, spec, scalar_at=None, inplace=False, shape_strategy=None, dtype_name=None, first=False
) -> Case:
    """Operands of broadcastable shapes (the first one of the full shape for in-place ops),
    each in a random layout, with a Python scalar at `scalar_at` if given, all of dtype
    `dtype_name` if given, with the row's `first` variant only if asked."""
    variant = spec.variants[0] if first else draw(sampled(spec.variants))
    shape = draw(shape_strategy if shape_strategy is not None else small_shapes(*spec.ndim))
    names = draw_dtypes(draw, spec, spec.arity, dtype_name)
    tensor_dtype = names[1 if scalar_at == 0 else 0]
    values: list = []
    for i, domain in enumerate(spec.domain):
        if i == scalar_at:
            values.append(draw(python_scalars(spec, domain, tensor_dtype)))
            continue
        full = inplace and i == 0
        layouts = INPLACE_LAYOUTS if full else spec.layouts
        if dtype_name:  # refusal checks: PyTorch's strided paths sometimes accept more dtypes
            layouts = ["contiguous"]
        name = domain.dtype or names[i]
        # Elementwise operands broadcast each other; elsewhere the first keeps the drawn shape.
        shrink = not full and (spec.kind == "elementwise" or i > 0)
        values.append(operand_from_seed(draw(SEEDS), shape, name, domain, layouts, shrink))
    first_shape = values[0].shape if isinstance(values[0], Operand) else shape
    forced = bool(dtype_name)
    args, kw_values, kwargs = resolve_args(draw, spec, variant, first_shape, names[0], forced)
    return Case(spec, variant, values, kw_values, args, kwargs)


def supported(case: Case, values, kw) -> bool:
    """The promoted dtype is one the op (and this variant) takes; `reference` recomputes it."""
    masks = [d.dtype is not None for d in case.spec.domain]
    value_ops = [v for v, m in zip(values, masks) if not m] + [
        v for v in kw.values() if v is not None
    ]
    value_ops = [t for v in value_ops for t in (v if isinstance(v, list) else [v])]
    common = promote(value_ops)
    if common == "float16" and any(_beyond_float16(v) for v in value_ops):
        return False  # see _beyond_float16
    return common in case.spec.dtypes and case.variant.allows(common)


def _beyond_float16(value) -> bool:
    """An integer operand too large for float16, promoted with float16: PyTorch casts tensors
    to float16 (giving inf) but computes with 0-d tensors and Python scalars in float32, a
    distinction the references do not model; such draws are left out."""
    if isinstance(value, ferrograd.Tensor):
        if value.dtype.is_floating_point or value.numel() == 0:
            return False
        return bool(np.abs(to_numpy(value).astype(np.float64)).max() > 65504)
    return isinstance(value, int) and abs(value) > 65504


def run_case(case: Case, scalar_at=None) -> None:
    """Every spelling of the op gives the reference result (or raises what PyTorch raises)."""
    spec = case.spec
    _, values, kw = case.build()
    assume(supported(case, values, kw))
    has_kwargs = bool(case.kwargs or kw or case.args)
    forms = call_forms(spec, has_kwargs, first_is_tensor=scalar_at != 0)
    if scalar_at is not None:
        forms = [f for f in forms if f[0].startswith("operator") or scalar_at in spec.scalars]
    kwargs = pass_dtype(case.kwargs)
    try:
        expected, dtypes, source, _ = reference(
            spec, case.variant, values, kw, case.args, case.kwargs
        )
    except Refused as refused:
        for _, fn in forms:
            expect_refusal(refused, lambda fn=fn: fn(*values, *case.args, **kw, **kwargs))
        return
    for label, fn in forms:
        _, values, kw = case.build()
        try:
            result = fn(*values, *case.args, **kw, **kwargs)
            assert_result(result, expected, dtypes, spec, source)
            if spec.view:
                assert_views_of(result, values)
        except AssertionError as err:
            raise AssertionError(f"{label}: {err}") from err


def assert_views_of(result, values) -> None:
    """Each output tensor shares its storage with the input (tensor or list) it came from."""
    inputs = values[0] if isinstance(values[0], list) else values
    outputs = result if isinstance(result, (tuple, list)) else [result]
    for i, out in enumerate(outputs):
        source = inputs[i] if len(inputs) == len(outputs) else inputs[0]
        same = out.untyped_storage().data_ptr() == source.untyped_storage().data_ptr()
        assert same, "expected a view of the input, got a copy"


def run_inplace_case(case: Case) -> None:
    """x.op_(...) returns x itself, writes the result cast to x's dtype through to x's base
    (only where x lies), and bumps the shared version; or raises when the result can't cast."""
    spec = case.spec
    _, values, kw = case.build()
    assume(supported(case, values, kw))
    x_dtype = name_of(values[0].dtype)
    try:
        expected, dtypes, _, _ = reference(spec, case.variant, values, kw, case.args, case.kwargs)
    except Refused as refused:
        expected, error = None, refused.types
    else:
        castable = can_cast(first_of(dtypes), x_dtype) and (
            spec.inplace_dtypes is None or x_dtype in spec.inplace_dtypes
        )
        error = None if castable else RuntimeError
    kwargs = pass_dtype(case.kwargs)
    for label, fn in inplace_forms(spec, bool(case.kwargs or kw or case.args)):
        bases, values, kw = case.build()
        x, base = values[0], bases[0]
        before, version = to_numpy(base).copy(), base._version
        if error is not None:
            with pytest.raises(error):
                fn(*values, *case.args, **kw, **kwargs)
            after = to_numpy(base)
            assert np.array_equal(after, before, equal_nan=after.dtype.kind == "f"), "x written"
            continue
        try:
            assert fn(*values, *case.args, **kw, **kwargs) is x, "in-place ops return their input"
            assert name_of(x.dtype) == x_dtype and x._version == base._version > version
            want = round_to(expected, x_dtype)
            assert_close(x, want, x_dtype, spec.tolerance(x_dtype))
            through = before.ravel().copy()
            through[case.values[0].positions().ravel()] = want.ravel()
            assert_close(base, through.reshape(before.shape), x_dtype, spec.tolerance(x_dtype))
        except AssertionError as err:
            raise AssertionError(f"{label}: {err}") from err
