"""Elementwise ops from the op table against numpy: broadcasting, layouts, dtypes, scalars,
in-place forms on views, empty and 0-d inputs, and the dtypes each op refuses."""

from __future__ import annotations

import ferrograd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from op_cases import EMPTY_SHAPES, run_case, run_inplace_case, supported, table_cases
from op_harness import call_forms, name_of, op_id, pass_dtype, promote
from op_spec import ALL
from op_table import ELEMENTWISE

# Secondary properties get a quarter of the profile's examples (the suite stays fast on `ci`).
FEW = settings(max_examples=max(settings.default.max_examples // 4, 5))

WITH_SCALARS = [s for s in ELEMENTWISE if s.scalars or (s.operator and s.arity == 2)]
IN_PLACE = [s for s in ELEMENTWISE if s.inplace]
NONEMPTY = st.just((3,))  # some ops skip their dtype check on empty inputs (median of bool)
REFUSING = [(s, d) for s in ELEMENTWISE for d in ALL if d not in s.dtypes]


@pytest.mark.parametrize("spec", ELEMENTWISE, ids=op_id)
@given(data=st.data())
def test_matches_numpy(spec, data):
    run_case(data.draw(table_cases(spec)))


def scalar_positions(spec) -> list[int]:
    operator_sides = [0, 1] if spec.operator and spec.arity == 2 else []
    return sorted(set(spec.scalars) | set(operator_sides))


@pytest.mark.parametrize("spec", WITH_SCALARS, ids=op_id)
@given(data=st.data())
def test_python_scalar_operand(spec, data):
    position = data.draw(st.sampled_from(scalar_positions(spec)))
    run_case(data.draw(table_cases(spec, scalar_at=position)), scalar_at=position)


@pytest.mark.parametrize("spec", IN_PLACE, ids=op_id)
@FEW
@given(data=st.data())
def test_in_place_writes_through_a_view(spec, data):
    positions = [p for p in spec.scalars if p > 0]
    scalar_at = data.draw(st.sampled_from([None, *positions]))
    run_inplace_case(data.draw(table_cases(spec, scalar_at=scalar_at, inplace=True)))


@pytest.mark.parametrize("spec", ELEMENTWISE, ids=op_id)
@FEW
@given(data=st.data())
def test_empty_and_zero_dim_inputs(spec, data):
    shapes = st.sampled_from(EMPTY_SHAPES)
    run_case(data.draw(table_cases(spec, shape_strategy=shapes)))


@pytest.mark.parametrize(("spec", "dtype_name"), REFUSING, ids=lambda v: getattr(v, "name", v))
@settings(max_examples=2)
@given(data=st.data())
def test_unsupported_dtype_is_refused(spec, dtype_name, data):
    # The first variant only: PyTorch has odd corners (clamp(bool, min=bool tensor) works).
    case = data.draw(table_cases(spec, dtype_name=dtype_name, first=True, shape_strategy=NONEMPTY))
    _, values, kw = case.build()
    assume(not supported(case, values, kw))  # a Python scalar may promote to a supported dtype
    kwargs = pass_dtype(case.kwargs)
    for label, fn in call_forms(spec, has_kwargs=bool(kw or kwargs)):
        with pytest.raises((RuntimeError, TypeError)):
            fn(*values, *case.args, **kw, **kwargs)


@pytest.mark.parametrize("left", ALL)
def test_harness_promotion_agrees_with_result_type(left):
    """The suite's own n-ary promotion (used for every expected dtype) matches
    ferrograd.result_type on every pair of dimensioned/0-d tensors and Python scalars."""
    operands = [ferrograd.zeros(2, dtype=getattr(ferrograd, d)) for d in ALL]
    operands += [ferrograd.zeros((), dtype=getattr(ferrograd, d)) for d in ALL]
    operands += [True, 3, 2.5]
    for x in (
        ferrograd.zeros(2, dtype=getattr(ferrograd, left)),
        ferrograd.zeros((), dtype=getattr(ferrograd, left)),
    ):
        for y in operands:
            assert promote([x, y]) == name_of(ferrograd.result_type(x, y)), (x.dtype, y)
