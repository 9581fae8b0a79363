"""Reductions and scans from the op table against numpy: every dim form (none, int, negative,
tuple), keepdim, dtype=, named-tuple results whose indices point at the values, NaN
propagation, empty and 0-d inputs, and the dtypes each op refuses."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from op_cases import EMPTY_SHAPES, run_case, supported, table_cases
from op_harness import call_forms, op_id, pass_dtype
from op_spec import ALL
from op_table import REDUCTIONS

# std/var with correction >= the reduced count warn (as PyTorch does) and give inf/NaN.
pytestmark = pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")

FEW = settings(max_examples=max(settings.default.max_examples // 4, 5))
NONEMPTY = st.just((3,))  # some ops skip their dtype check on empty inputs (median of bool)
REFUSING = [(s, d) for s in REDUCTIONS for d in ALL if d not in s.dtypes]


@pytest.mark.parametrize("spec", REDUCTIONS, ids=op_id)
@given(data=st.data())
def test_matches_numpy(spec, data):
    run_case(data.draw(table_cases(spec)))


@pytest.mark.parametrize("spec", REDUCTIONS, ids=op_id)
@FEW
@given(data=st.data())
def test_empty_and_zero_dim_inputs(spec, data):
    run_case(data.draw(table_cases(spec, shape_strategy=st.sampled_from(EMPTY_SHAPES))))


@pytest.mark.parametrize(("spec", "dtype_name"), REFUSING, ids=lambda v: getattr(v, "name", v))
@settings(max_examples=2)
@given(data=st.data())
def test_unsupported_dtype_is_refused(spec, dtype_name, data):
    case = data.draw(table_cases(spec, dtype_name=dtype_name, first=True, shape_strategy=NONEMPTY))
    _, values, kw = case.build()
    assume(not supported(case, values, kw))
    for _, fn in call_forms(spec, has_kwargs=True):
        with pytest.raises((RuntimeError, TypeError)):
            fn(*values, *case.args, **kw, **pass_dtype(case.kwargs))
