"""Hand-derived cases for the semantics the op-table suite relies on, each with its arithmetic
in a comment: integer wrap-around, division by zero, rounding conventions, NaN through
max/min/sort, empty inputs, and in-place ops on views (write-through, version counter)."""

from __future__ import annotations

import math

import ferrograd as fg
import pytest

nan, inf = math.nan, math.inf


def values(t) -> list:
    return t.tolist()


def same(a: list, b: list) -> bool:
    """Elementwise equality where NaN equals NaN."""
    both_nan = [math.isnan(x) and math.isnan(y) for x, y in zip(a, b)]
    return len(a) == len(b) and all(n or x == y for n, x, y in zip(both_nan, a, b))


# ---------------------------------------------------------------- integers


def test_integer_overflow_wraps():
    # int8: 100 + 100 = 200 = 200 - 256 = -56; uint8: 0 - 1 = 255; int64: 2**62 * 4 = 2**64 = 0
    assert values(fg.tensor([100], dtype=fg.int8) + fg.tensor([100], dtype=fg.int8)) == [-56]
    assert values(fg.tensor([0], dtype=fg.uint8) - 1) == [255]
    assert values(fg.tensor([2**62]) * 4) == [0]
    assert values(-fg.tensor([-128], dtype=fg.int8)) == [-128]  # -(-128) wraps to itself
    assert values(fg.tensor([-128], dtype=fg.int8).abs()) == [-128]


def test_integer_division_rounds_like_python_or_c():
    a, b = fg.tensor([5, -5]), fg.tensor([3, 3])
    assert values(a // b) == [1, -2]  # floor: -5 / 3 = -1.67 -> -2
    assert values(fg.div(a, b, rounding_mode="trunc")) == [1, -1]  # toward zero
    assert values(a % fg.tensor([-3, 3])) == [-1, 1]  # the sign of the divisor (Python)
    assert values(fg.fmod(a, 3)) == [2, -2]  # the sign of the dividend (C)
    assert values(a / b) == pytest.approx([5 / 3, -5 / 3])  # true division gives floats


@pytest.mark.parametrize("op", ["floor_divide", "remainder", "fmod"])
def test_integer_division_by_zero_raises(op):
    with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
        getattr(fg, op)(fg.tensor([1, 2]), fg.tensor([1, 0]))


def test_integer_power_with_a_negative_tensor_exponent_does_not_raise():
    # Only a *scalar* negative exponent raises; elementwise, 1/2 truncates to 0,
    # 1**-1 = 1, (-1)**-1 = -1, and |base| > 1 gives 0.
    got = fg.pow(fg.tensor([2, 1, -1, -2, 3]), fg.tensor([-1, -1, -1, -2, -2]))
    assert values(got) == [0, 1, -1, 0, 0]


def test_shifts_of_signed_integers_are_arithmetic():
    # -8 >> 1 = -4 (the sign is kept); 100 << 1 = 200 wraps to -56 in int8
    assert values(fg.tensor([-8], dtype=fg.int8) >> 1) == [-4]
    assert values(fg.tensor([100], dtype=fg.int8) << 1) == [-56]


# ---------------------------------------------------------------- floats


def test_float_division_by_zero_gives_inf_and_nan():
    assert same(values(fg.tensor([1.0, -1.0, 0.0]) / 0), [inf, -inf, nan])
    assert same(values(fg.tensor([1, -1, 0]) / 0), [inf, -inf, nan])  # ints divide as floats
    assert same(values(fg.tensor([1.0]) / fg.tensor([-0.0])), [-inf])  # the sign of zero counts


def test_rounding_is_half_to_even():
    assert values(fg.tensor([0.5, 1.5, 2.5, -0.5]).round()) == [0.0, 2.0, 2.0, -0.0]
    assert values(fg.tensor([1.25, 1.35]).round(decimals=1)) == pytest.approx([1.2, 1.4])


def test_sign_of_nan_is_zero():
    assert values(fg.sign(fg.tensor([nan, -2.0, 0.0]))) == [0.0, -1.0, 0.0]


def test_float_remainder_takes_the_divisor_sign():
    # -7.5 mod 2 = 0.5 (floor(-3.75) = -4: -7.5 + 8); fmod keeps the dividend's sign: -1.5
    assert values(fg.tensor([-7.5]) % 2) == [0.5]
    assert values(fg.fmod(fg.tensor([-7.5]), 2)) == [-1.5]


# ---------------------------------------------------------------- NaN


def test_nan_propagates_through_max_min_and_maximum():
    x = fg.tensor([1.0, nan, 3.0])
    assert math.isnan(x.max().item()) and math.isnan(x.min().item())
    assert math.isnan(x.amax().item())
    assert x.argmax().item() == 1  # NaN counts as the largest value
    assert same(values(fg.maximum(x, fg.tensor(2.0))), [2.0, nan, 3.0])
    assert values(fg.fmax(x, fg.tensor(2.0))) == [2.0, 2.0, 3.0]  # fmax ignores NaN


def test_nan_sorts_last_ascending_and_first_descending():
    x = fg.tensor([1.0, nan, 3.0])
    ascending, descending = x.sort(), x.sort(descending=True)
    assert same(values(ascending.values), [1.0, 3.0, nan]) and values(ascending.indices) == [
        0,
        2,
        1,
    ]
    assert same(values(descending.values), [nan, 3.0, 1.0])
    assert values(descending.indices) == [1, 2, 0]


def test_nan_sticks_in_cummax():
    got = fg.tensor([1.0, nan, 3.0]).cummax(0)
    assert same(values(got.values), [1.0, nan, nan]) and values(got.indices) == [0, 1, 1]


def test_median_is_the_lower_middle_value():
    # [1, 2, 3, 4]: the two middle values are 2 and 3; PyTorch takes 2, numpy would say 2.5
    assert fg.tensor([4.0, 1.0, 3.0, 2.0]).median().item() == 2.0


# ---------------------------------------------------------------- empty inputs


def test_reductions_of_empty_tensors_give_their_identity():
    e = fg.zeros(0)
    assert e.sum().item() == 0 and e.prod().item() == 1
    assert e.all().item() is True and e.any().item() is False
    assert math.isnan(e.mean().item())
    assert e.logsumexp(0).item() == -inf
    assert fg.zeros(2, 0).sum(1).tolist() == [0.0, 0.0]
    assert tuple(fg.zeros(2, 0).amax(0).shape) == (0,)  # reducing a non-empty dim is fine


def test_elementwise_ops_keep_empty_shapes():
    e = fg.zeros(2, 0, 3)
    for result in (e.exp(), e + 1, e * fg.zeros(3), fg.where(e > 0, e, 1.0), e.cumsum(1)):
        assert tuple(result.shape) == (2, 0, 3)
    assert tuple((fg.zeros(0, 3) @ fg.zeros(3, 2)).shape) == (0, 2)
    assert values(fg.zeros(2, 0) @ fg.zeros(0, 2)) == [[0.0, 0.0], [0.0, 0.0]]  # empty sums


# ---------------------------------------------------------------- in place, views, versions


def test_in_place_op_on_a_view_writes_through_to_the_base():
    base = fg.arange(6.0).reshape(2, 3)
    column = base[:, 1]  # elements 1 and 4
    before = base._version
    assert column.mul_(10) is column
    assert values(base) == [[0.0, 10.0, 2.0], [3.0, 40.0, 5.0]]
    assert base._version == column._version == before + 1


def test_in_place_ops_through_a_transposed_view():
    base = fg.zeros(2, 3)
    base.t().add_(fg.tensor([1.0, 2.0]))  # broadcasts along the transposed rows
    assert values(base) == [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]


def test_operators_in_place_are_the_same_object():
    x = fg.ones(3)
    y = x
    y += 1
    y *= fg.tensor([1.0, 2.0, 3.0])
    assert y is x and values(x) == [2.0, 4.0, 6.0] and x._version == 2


def test_setitem_bumps_the_version_and_writes_through():
    base = fg.zeros(4)
    view = base[1:]
    view[fg.tensor([0, 2])] = 5.0
    assert values(base) == [0.0, 5.0, 0.0, 5.0] and base._version == 1


def test_in_place_comparison_keeps_the_dtype():
    # eq_ writes 1/0 into the float tensor instead of returning a bool tensor
    x = fg.tensor([1.0, 2.0])
    assert values(x.eq_(fg.tensor([1.0, 0.0]))) == [1.0, 0.0] and x.dtype == fg.float32
