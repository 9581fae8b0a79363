"""Hand-derived cases for the elementwise ops: operators and their reflected and in-place
forms, `out=`, type promotion, views, and PyTorch's edge-case answers. (The broad sweep over
ops, shapes and dtypes lives in the op-table tests.)"""

import math

import ferrograd as torch
import numpy as np
import pytest


def values(t):
    return t.tolist()


class TestOperators:
    def test_arithmetic_with_numbers_on_either_side(self):
        x = torch.tensor([1.0, 2.0, 4.0])
        assert values(x + 1) == [2.0, 3.0, 5.0]
        assert values(1 + x) == [2.0, 3.0, 5.0]
        assert values(10 - x) == [9.0, 8.0, 6.0]
        assert values(x * 2) == [2.0, 4.0, 8.0]
        assert values(8 / x) == [8.0, 4.0, 2.0]
        assert values(2**x) == [2.0, 4.0, 16.0]
        assert values(x**2) == [1.0, 4.0, 16.0]
        assert values(-x) == [-1.0, -2.0, -4.0]
        assert values(abs(-x)) == [1.0, 2.0, 4.0]

    def test_floor_division_and_remainder_follow_python(self):
        # -7 // 2 = -4 and -7 % 2 = 1 in Python, for ints and floats alike.
        i = torch.tensor([-7, 7, -7, 7])
        d = torch.tensor([2, 2, -2, -2])
        assert values(i // d) == [-4, 3, 3, -4]
        assert values(i % d) == [1, 1, -1, -1]
        f = i.double()
        assert values(f // d) == [-4.0, 3.0, 3.0, -4.0]
        assert values(torch.fmod(i, d)) == [-1, 1, -1, 1]

    def test_bitwise_operators(self):
        a = torch.tensor([0b1100, 0b1010])
        assert values(a & 0b1000) == [8, 8]
        assert values(a | 1) == [13, 11]
        assert values(a ^ a) == [0, 0]
        assert values(~a) == [-13, -11]
        assert values(a << 1) == [24, 20]
        assert values(a >> 2) == [3, 2]
        m = torch.tensor([True, False])
        assert values(~m) == [False, True]
        assert values(m & torch.tensor([True, True])) == [True, False]

    def test_comparisons_give_bool(self):
        x = torch.tensor([1, 2, 3])
        r = x > 1.5
        assert r.dtype == torch.bool
        assert values(r) == [False, True, True]
        assert values(x == 2) == [False, True, False]
        assert values(2 < x) == [False, False, True]

    def test_unknown_operands_are_not_implemented(self):
        x = torch.ones(2)
        assert (x == None) is False  # what PyTorch answers
        assert (x == "a") is False
        with pytest.raises(TypeError):
            x + None
        with pytest.raises(TypeError):
            x + "a"

    def test_numpy_scalars_are_numbers(self):
        x = torch.tensor([1.0, 2.0])
        r = x * np.float64(2.0)
        assert isinstance(r, torch.Tensor)
        assert values(r) == [2.0, 4.0]


class TestPromotion:
    @pytest.mark.parametrize(
        "a, b, expected",
        [
            (torch.tensor([1]), 2.5, torch.float32),
            (torch.tensor([1], dtype=torch.int8), 1000, torch.int8),
            (
                torch.tensor([1], dtype=torch.uint8),
                torch.tensor([1], dtype=torch.int8),
                torch.int16,
            ),
            (torch.tensor([1.0]), torch.tensor(1.0, dtype=torch.float64), torch.float32),
            (torch.tensor([True]), 1, torch.int64),
            (
                torch.tensor([1], dtype=torch.float16),
                torch.tensor([1], dtype=torch.bfloat16),
                torch.float32,
            ),
        ],
    )
    def test_add_result_dtype(self, a, b, expected):
        assert (a + b).dtype == expected

    def test_int_division_gives_the_default_float(self):
        assert (torch.tensor([1, 2]) / 2).dtype == torch.float32
        torch.set_default_dtype(torch.float64)
        try:
            assert torch.tensor([1, 2]).exp().dtype == torch.float64
        finally:
            torch.set_default_dtype(torch.float32)

    def test_float_power_is_double(self):
        assert torch.float_power(torch.tensor([2]), 2).dtype == torch.float64


class TestInPlace:
    def test_in_place_returns_self_and_bumps_the_version(self):
        x = torch.zeros(3)
        assert x._version == 0
        y = x.add_(1)
        assert y is x
        assert x._version == 1
        x += 1
        assert x._version == 2
        assert values(x) == [2.0, 2.0, 2.0]

    def test_in_place_on_a_view_writes_through(self):
        base = torch.zeros(2, 3)
        base[1].add_(5)
        base.t()[0].mul_(0).add_(7)
        assert values(base) == [[7.0, 0.0, 0.0], [7.0, 5.0, 5.0]]

    def test_in_place_with_itself_transposed(self):
        # The input overlaps the output with another layout: it must be read before written.
        x = torch.arange(4.0).view(2, 2)
        x.add_(x.t())
        assert values(x) == [[0.0, 3.0], [3.0, 6.0]]

    def test_in_place_cannot_change_the_dtype(self):
        x = torch.tensor([1, 2])
        with pytest.raises(
            RuntimeError, match="result type Float can't be cast to the desired output type Long"
        ):
            x.add_(1.5)
        with pytest.raises(
            RuntimeError, match="result type Float can't be cast to the desired output type Long"
        ):
            x.exp_()
        assert values(x) == [1, 2]

    def test_in_place_cannot_broadcast_the_destination(self):
        with pytest.raises(
            RuntimeError,
            match=r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]",
        ):
            torch.ones(3).add_(torch.ones(2, 3))

    def test_float_into_double_in_place_computes_in_the_wider_type(self):
        x = torch.tensor([1.0], dtype=torch.float32)
        x += torch.tensor([1e-9], dtype=torch.float64)
        assert x.dtype == torch.float32

    def test_out_argument(self):
        a = torch.tensor([1.0, 2.0])
        out = torch.empty(2)
        r = torch.add(a, a, out=out)
        assert r is out
        assert values(out) == [2.0, 4.0]
        out64 = torch.empty(2, dtype=torch.float64)
        torch.exp(a, out=out64)
        assert out64.dtype == torch.float64
        assert np.allclose(out64.numpy(), np.exp([1.0, 2.0]))


class TestEdgeCases:
    def test_integer_overflow_wraps(self):
        assert values(torch.tensor([127], dtype=torch.int8) + 1) == [-128]
        assert values(torch.tensor([200], dtype=torch.uint8) * 2) == [144]
        assert values(torch.tensor([2**62]) * 4) == [0]

    def test_integer_division_by_zero_raises(self):
        for f in (
            lambda: torch.tensor([1]) // 0,
            lambda: torch.tensor([1]) % torch.tensor([0]),
            lambda: torch.div(torch.tensor([1]), 0, rounding_mode="trunc"),
            lambda: torch.fmod(torch.tensor([1]), 0),
        ):
            with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
                f()

    def test_float_division_by_zero(self):
        r = torch.tensor([1.0, -1.0, 0.0]) / 0
        assert values(r)[:2] == [math.inf, -math.inf]
        assert math.isnan(values(r)[2])

    @pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
    def test_inverse_hyperbolic_functions_at_the_ends_of_their_range(self, dtype):
        # Found by the GPU kernels' accuracy test: asinh and acosh of the largest floats are
        # finite, atanh keeps its digits near -1, and acosh is NaN below 1 however far.
        big = torch.tensor([3.4e38], dtype=dtype)
        assert values(torch.asinh(big))[0] == pytest.approx(math.asinh(3.4e38), rel=1e-6)
        assert values(torch.acosh(big))[0] == pytest.approx(math.acosh(3.4e38), rel=1e-6)
        assert values(torch.asinh(-big))[0] == pytest.approx(-math.asinh(3.4e38), rel=1e-6)
        x = np.float32(-0.9993058)
        got = values(torch.atanh(torch.tensor([x], dtype=dtype)))[0]
        assert got == pytest.approx(math.atanh(float(x)), rel=1e-6)
        assert all(math.isnan(v) for v in values(torch.acosh(torch.tensor([-567.25, 0.5, -2.0]))))

    def test_integer_negative_power(self):
        with pytest.raises(
            RuntimeError, match="Integers to negative integer powers are not allowed."
        ):
            torch.tensor([2]) ** -1
        assert values(torch.tensor([2, 1, -1]) ** torch.tensor([-1, -2, -3])) == [0, 1, -1]

    def test_nan_propagates_through_maximum_but_not_fmax(self):
        a = torch.tensor([1.0, math.nan])
        b = torch.tensor([math.nan, 2.0])
        assert all(math.isnan(v) for v in values(torch.maximum(a, b)))
        assert values(torch.fmax(a, b)) == [1.0, 2.0]

    def test_round_half_to_even_and_decimals(self):
        assert values(torch.round(torch.tensor([0.5, 1.5, 2.5, -0.5]))) == [0.0, 2.0, 2.0, -0.0]
        assert values(torch.round(torch.tensor([1234.5678]), decimals=2)) == [
            pytest.approx(1234.57)
        ]
        assert values(torch.round(torch.tensor([1250.0]), decimals=-2)) == [1200.0]

    def test_bool_negation_and_subtraction_are_refused(self):
        b = torch.tensor([True])
        with pytest.raises(
            NotImplementedError, match="Negation, the `-` operator, on a bool tensor"
        ):
            _ = -b
        with pytest.raises(NotImplementedError, match="with two bool tensors is not supported"):
            b - b

    def test_kernel_not_implemented_for_dtype(self):
        with pytest.raises(
            NotImplementedError, match="\"bitwise_and_cpu\" not implemented for 'Float'"
        ):
            torch.ones(2) & torch.ones(2)
        with pytest.raises(NotImplementedError, match="\"abs_cpu\" not implemented for 'Bool'"):
            torch.tensor([True]).abs()

    def test_empty_and_zero_dim(self):
        e = torch.ones(0, 3)
        assert (e + torch.ones(3)).shape == (0, 3)
        assert torch.exp(e).shape == (0, 3)
        s = torch.tensor(2.0) * torch.tensor(3.0)
        assert s.shape == () and s.item() == 6.0

    def test_broadcast_mismatch(self):
        with pytest.raises(
            RuntimeError,
            match=r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 0",
        ):
            torch.ones(2) + torch.ones(3)


class TestNonContiguous:
    def test_transposed_stepped_and_expanded_inputs(self):
        base = torch.arange(12.0).view(3, 4)
        t = base.t()
        stepped = base[:, ::2]
        expanded = torch.tensor([[1.0], [2.0], [3.0]]).expand(3, 4)
        for x in (t, stepped, expanded):
            assert values(torch.exp(x)) == values(torch.exp(x.contiguous()))
            assert values(x * x + 1) == values(x.contiguous() * x.contiguous() + 1)

    def test_result_keeps_the_memory_order_of_a_transposed_input(self):
        t = torch.ones(3, 4).t()
        r = torch.exp(t)
        assert r.stride() == t.stride()
        assert not r.is_contiguous()


class TestTernary:
    def test_where_with_number_branches(self):
        c = torch.tensor([True, False])
        r = torch.where(c, 1, 2.5)
        assert r.dtype == torch.float32
        assert values(r) == [1.0, 2.5]
        assert values(torch.ones(2).where(c, torch.zeros(2))) == [1.0, 0.0]

    def test_where_needs_a_bool_condition(self):
        with pytest.raises(
            RuntimeError,
            match="where expected condition to be a boolean tensor, but got a tensor with dtype Float",
        ):
            torch.where(torch.ones(2), 1, 2)

    def test_clamp(self):
        x = torch.tensor([-2.0, 0.5, 3.0, math.nan])
        r = values(torch.clamp(x, min=0, max=1))
        assert r[:3] == [0.0, 0.5, 1.0] and math.isnan(r[3])
        assert values(torch.clamp(torch.tensor([1, 5]), max=3)) == [1, 3]
        assert torch.clamp(torch.tensor([1, 5]), min=1.5).dtype == torch.float32
        assert values(torch.clamp(torch.tensor([1.0]), min=2, max=1)) == [1.0]
        with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
            torch.clamp(x)
        y = torch.tensor([1.0, 9.0])
        assert y.clamp_(max=2) is y and values(y) == [1.0, 2.0]

    def test_lerp_addcmul_addcdiv(self):
        s, e = torch.tensor([0.0, 10.0]), torch.tensor([10.0, 20.0])
        assert values(torch.lerp(s, e, 0.25)) == [2.5, 12.5]
        a = torch.ones(2)
        assert values(torch.addcmul(a, s, e, value=0.5)) == [1.0, 101.0]
        assert values(torch.addcdiv(a, e, e, value=2)) == [3.0, 3.0]
        with pytest.raises(
            RuntimeError, match="Integer division with addcdiv is no longer supported"
        ):
            torch.addcdiv(a, torch.tensor([1]), torch.tensor([1]))

    def test_isclose_allclose_equal(self):
        a = torch.tensor([1.0, math.inf, math.nan])
        b = torch.tensor([1.0 + 1e-7, math.inf, math.nan])
        assert values(torch.isclose(a, b)) == [True, True, False]
        assert values(torch.isclose(a, b, equal_nan=True)) == [True, True, True]
        assert torch.allclose(torch.ones(2), torch.ones(2)) is True
        assert torch.equal(torch.ones(2), torch.ones(2, dtype=torch.int64)) is True
        assert torch.equal(torch.ones(2), torch.ones(3)) is False
        with pytest.raises(RuntimeError, match="Float did not match Long"):
            torch.isclose(torch.ones(1), torch.ones(1, dtype=torch.int64))
