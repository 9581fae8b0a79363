"""Indexing ops from the op table against numpy: x[key] and x[key] = v with advanced keys,
gather/scatter families, masks, take, nonzero, sorting (stable and not), topk, unique,
searchsorted/bucketize, bincount, histc; empty and 0-d inputs; refused dtypes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from index_keys import random_key
from op_cases import (
    EMPTY_SHAPES,
    INPLACE_LAYOUTS,
    Case,
    draw_dtypes,
    resolve_args,
    run_case,
    run_inplace_case,
    sampled,
    supported,
    table_cases,
)
from op_harness import assert_close, call_forms, op_id, pass_dtype
from op_spec import ALL, REAL, Domain
from op_table import INDEXING
from strategies import SEEDS, operand_from_seed, small_shapes, to_numpy

# PyTorch notes (once) that searchsorted copies non-contiguous values: layouts are the point.
pytestmark = pytest.mark.filterwarnings("ignore:.*non-contiguous")

FEW = settings(max_examples=max(settings.default.max_examples // 4, 5))
GENERIC = [s for s in INDEXING if s.kind in ("unary", "masked")]
IN_PLACE = [s for s in GENERIC if s.inplace]
REFUSING = [(s, d) for s in GENERIC for d in ALL if d not in s.dtypes]
SPEC = {s.name: s for s in INDEXING}
SORTED_LAST = Domain(specials=False)


@pytest.mark.parametrize("spec", GENERIC, ids=op_id)
@given(data=st.data())
def test_matches_numpy(spec, data):
    run_case(data.draw(table_cases(spec)))


@pytest.mark.parametrize("spec", GENERIC, ids=op_id)
@FEW
@given(data=st.data())
def test_empty_and_zero_dim_inputs(spec, data):
    low, high = spec.ndim
    fitting = [s for s in EMPTY_SHAPES if low <= len(s) <= high]
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
    shape = st.just((3,))
    case = data.draw(table_cases(spec, dtype_name=dtype_name, first=True, shape_strategy=shape))
    _, values, kw = case.build()
    assume(not supported(case, values, kw))
    for _, fn in call_forms(spec, has_kwargs=True):
        with pytest.raises((RuntimeError, TypeError)):
            fn(*values, *case.args, **kw, **pass_dtype(case.kwargs))


# ---------------------------------------------------------------- searchsorted


@st.composite
def searchsorted_cases(draw) -> Case:
    """A sequence sorted along its last dim (1-D, or batched like the values) and values."""
    spec = SPEC["searchsorted"]
    variant = draw(sampled(spec.variants))
    name = draw_dtypes(draw, spec, 1)[0]
    batch = draw(small_shapes(0, 2, 3))
    length = draw(st.integers(0, 5))
    if draw(st.booleans()):
        sequence_shape, values_shape = (length,), draw(small_shapes(0, 3, 3))
    else:
        sequence_shape, values_shape = (*batch, length), (*batch, draw(st.integers(0, 3)))
    rng = np.random.default_rng(draw(SEEDS))
    sequence = np.sort(SORTED_LAST.sample(rng, sequence_shape, name), axis=-1)
    values = operand_from_seed(draw(SEEDS), values_shape, name, REAL)
    args, _, kwargs = resolve_args(draw, spec, variant, values_shape, name)
    return Case(spec, variant, [sequence, values], {}, args, kwargs)


@given(case=searchsorted_cases())
def test_searchsorted_matches_numpy(case):
    import ferrograd

    sequence = ferrograd.tensor(case.values[0], dtype=getattr(ferrograd, case.values[1].dtype_name))
    case = Case(case.spec, case.variant, [sequence, case.values[1]], {}, (), case.kwargs)
    run_case(case)


# ---------------------------------------------------------------- x[key], x[key] = v


@st.composite
def indexed(draw, unique=False, layouts=None):
    name = draw(st.sampled_from(ALL))
    shape = draw(small_shapes(0, 4, 4))
    x = operand_from_seed(draw(SEEDS), shape, name, REAL, layouts)
    key = random_key(np.random.default_rng(draw(SEEDS)), shape, unique)
    return x, key


@given(case=indexed())
def test_getitem_matches_numpy(case):
    operand, key = case
    _, x = operand.build()
    expected = key.select(to_numpy(x))
    result = x[key.ferrograd()]
    assert_close(result, expected, operand.dtype_name, (0, 0))
    if key.basic:  # basic indexing gives a view
        assert result.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()


@given(case=indexed(unique=True, layouts=INPLACE_LAYOUTS), data=st.data())
def test_setitem_matches_numpy(case, data):
    operand, key = case
    _, x = operand.build()
    a = to_numpy(x).copy()
    target_shape = key.select(a).shape
    if data.draw(st.booleans()):
        value = data.draw(st.sampled_from([0, 1, True, 2.5, -3]))
        value = bool(value) if operand.dtype_name == "bool" else value
        np_value = value
    else:
        value = operand_from_seed(data.draw(SEEDS), target_shape, operand.dtype_name, REAL,
                                  broadcast=True).build()[1]  # fmt: skip
        np_value = to_numpy(value)
    # uint8 takes -3 (wrapping) but refuses -0.5; numpy refuses both: leave them out
    assume(
        not (
            operand.dtype_name == "uint8" and not isinstance(np_value, np.ndarray) and np_value < 0
        )
    )
    key.assign(a, np_value)
    x[key.ferrograd()] = value
    assert_close(x, a, operand.dtype_name, (0, 0))
