"""Shape ops from the op table against numpy: one-tensor ops over every layout, joins of
tensor lists (with dtype promotion), grids and broadcasting over several tensors, index and
shape creation; results that are views share the input's storage."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_cases import (
    EMPTY_SHAPES,
    Case,
    draw_dtypes,
    resolve_args,
    run_case,
    run_inplace_case,
    sampled,
    table_cases,
)
from op_harness import assert_close, call_forms, op_id, pass_dtype
from op_spec import ALL, REAL
from op_table import SHAPES
from strategies import SEEDS, operand_from_seed, small_shapes, to_numpy

FEW = settings(max_examples=max(settings.default.max_examples // 4, 5))
ONE_TENSOR = [s for s in SHAPES if s.kind == "unary"]
SEVERAL = [s for s in SHAPES if s.kind in ("cat", "stack", "vectors", "broadcast")]
CREATION = [s for s in SHAPES if s.kind == "creation"]
IN_PLACE = [s for s in ONE_TENSOR if s.inplace]
REFUSING = [(s, d) for s in ONE_TENSOR for d in ALL if d not in s.dtypes]


@pytest.mark.parametrize("spec", ONE_TENSOR, ids=op_id)
@given(data=st.data())
def test_one_tensor_op_matches_numpy(spec, data):
    run_case(data.draw(table_cases(spec)))


@pytest.mark.parametrize("spec", ONE_TENSOR, ids=op_id)
@FEW
@given(data=st.data())
def test_one_tensor_op_on_empty_inputs(spec, data):
    low, high = spec.ndim
    fitting = [s for s in EMPTY_SHAPES if low <= len(s) <= high] or [(0,) * low]
    run_case(data.draw(table_cases(spec, shape_strategy=st.sampled_from(fitting))))


@pytest.mark.parametrize("spec", IN_PLACE, ids=op_id)
@FEW
@given(data=st.data())
def test_in_place_writes_through_a_view(spec, data):
    run_inplace_case(data.draw(table_cases(spec, inplace=True)))


@pytest.mark.parametrize(("spec", "dtype_name"), REFUSING, ids=lambda v: getattr(v, "name", v))
@settings(max_examples=2)
@given(data=st.data())
def test_unsupported_dtype_is_refused(spec, dtype_name, data):
    shape = st.just((3,) * spec.ndim[0])
    case = data.draw(table_cases(spec, dtype_name=dtype_name, first=True, shape_strategy=shape))
    _, values, kw = case.build()
    for _, fn in call_forms(spec, has_kwargs=True):
        with pytest.raises((RuntimeError, TypeError)):
            fn(*values, *case.args, **kw, **pass_dtype(case.kwargs))


@st.composite
def several_tensors(draw, spec) -> Case:
    """A list (cat, stack) or several arguments (grids, broadcast_tensors) of tensors whose
    shapes suit the op, each in its own layout and (where the op promotes) dtype."""
    variant = draw(sampled(spec.variants))
    count = draw(st.integers(1, 3))
    base = draw(small_shapes(1 if spec.kind == "cat" else 0, 4))
    names = draw_dtypes(draw, spec, count)
    args, _, kwargs = resolve_args(draw, spec, variant, base, names[0])
    if spec.kind == "cat":
        dim = kwargs.get("dim", 0) % len(base)
        shapes = [base[:dim] + (draw(st.integers(0, 3)),) + base[dim + 1 :] for _ in names]
    elif spec.kind == "vectors":
        vectors = [(), (0,), (1,), (2,), (3,)][spec.ndim[0] :]  # () only where 0-d is taken
        shapes = [draw(st.sampled_from(vectors)) for _ in names]
    else:
        shapes = [base] * count
    shrink = spec.kind == "broadcast"
    tensors = [
        operand_from_seed(draw(SEEDS), s, n, REAL, None, shrink) for s, n in zip(shapes, names)
    ]
    values = [tensors] if spec.kind in ("cat", "stack") else tensors
    return Case(spec, variant, values, {}, args, kwargs)


@pytest.mark.parametrize("spec", SEVERAL, ids=op_id)
@given(data=st.data())
def test_several_tensor_op_matches_numpy(spec, data):
    run_case(data.draw(several_tensors(spec)))


@pytest.mark.parametrize("spec", CREATION, ids=op_id)
@FEW
@given(data=st.data())
def test_creation_op_matches_numpy(spec, data):
    variant = data.draw(sampled(spec.variants))
    args, _, kwargs = resolve_args(data.draw, spec, variant, (), "int64")
    expected = spec.ref(*args, **kwargs)
    for label, fn in call_forms(spec, has_kwargs=True):
        result = fn(*args, **kwargs)
        if isinstance(expected, tuple):  # broadcast_shapes gives a Size
            assert isinstance(result, tuple) and tuple(result) == expected, label
        else:
            assert_close(result, expected, "int64", (0, 0))
            assert to_numpy(result).shape == expected.shape
