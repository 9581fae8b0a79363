"""Invalid calls of the operator set raise PyTorch's exception type with PyTorch's full message
(recorded from PyTorch). One test per case; `{mod}` stands for the module name that some
messages print ("torch.cat(): ..." in PyTorch, "ferrograd.cat(): ..." here)."""

from __future__ import annotations

import re

import ferrograd as fg
import pytest

zeros = fg.zeros


def raises(exc, msg: str):
    """pytest.raises matching the whole message literally (messages are full of brackets)."""
    pattern = re.escape(msg).replace(re.escape("{mod}"), r"\w+")
    return pytest.raises(exc, match=f"^{pattern}$")


def long(*shape):
    return zeros(*shape, dtype=fg.int64)


# ---------------------------------------------------------------- elementwise


def test_broadcast_mismatch():
    msg = (
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"
    )
    with raises(RuntimeError, msg):
        zeros(2, 3) + zeros(4)


def test_in_place_result_cannot_be_cast_to_an_integer_tensor():
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        long(3).add_(1.5)


def test_in_place_float_op_on_an_integer_tensor():
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        long(3).exp_()


def test_in_place_output_cannot_grow_by_broadcasting():
    with raises(RuntimeError, "output with shape [3] doesn't match the broadcast shape [2, 3]"):
        zeros(3).add_(zeros(2, 3))


def test_in_place_on_an_expanded_tensor():
    msg = (
        "unsupported operation: more than one element of the written-to tensor refers to a "
        "single memory location. Please clone() the tensor before performing the operation."
    )
    with raises(RuntimeError, msg):
        zeros(1).expand(3).add_(1)


def test_float_power_in_place_needs_a_double_tensor():
    msg = (
        "the base given to float_power_ has dtype Float but the operation's result requires "
        "dtype Double"
    )
    with raises(RuntimeError, msg):
        zeros(3).float_power_(2)


@pytest.mark.parametrize(
    "call",
    [
        lambda: fg.tensor([1]) // 0,
        lambda: fg.floor_divide(fg.tensor([1]), fg.tensor([0])),
        lambda: fg.tensor([1]) % 0,
        lambda: fg.fmod(fg.tensor([1]), 0),
        lambda: fg.div(fg.tensor([1]), fg.tensor([0]), rounding_mode="trunc"),
        lambda: fg.div(fg.tensor([1]), 0, rounding_mode="floor"),
    ],
    ids=["floordiv", "floor_divide", "remainder", "fmod", "div_trunc", "div_floor"],
)
def test_integer_division_by_zero(call):
    with raises(RuntimeError, "ZeroDivisionError"):
        call()


def test_integer_tensor_to_a_negative_scalar_power():
    with raises(RuntimeError, "Integers to negative integer powers are not allowed."):
        fg.tensor([2]) ** -1


def test_bitwise_op_on_floats():
    with raises(NotImplementedError, "\"bitwise_and_cpu\" not implemented for 'Float'"):
        fg.bitwise_and(zeros(3), zeros(3))


def test_subtracting_bool_tensors():
    msg = (
        "Subtraction, the `-` operator, with two bool tensors is not supported. "
        "Use the `^` or `logical_xor()` operator instead."
    )
    with raises(NotImplementedError, msg):
        fg.ones(2, dtype=fg.bool) - fg.ones(2, dtype=fg.bool)


def test_negating_a_bool_tensor():
    msg = (
        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
        "invert a mask, use the `~` or `logical_not()` operator instead."
    )
    with raises(NotImplementedError, msg):
        -fg.ones(2, dtype=fg.bool)


def test_clamp_without_bounds():
    with raises(RuntimeError, "{mod}.clamp: At least one of 'min' or 'max' must not be None"):
        fg.clamp(zeros(3))


def test_lerp_with_mixed_dtypes():
    with raises(RuntimeError, "expected dtype float for `end` but got dtype double"):
        fg.lerp(zeros(2), zeros(2, dtype=fg.float64), 0.5)


def test_isclose_with_mixed_dtypes():
    with raises(RuntimeError, "Float did not match Double"):
        fg.isclose(zeros(2), zeros(2, dtype=fg.float64))


def test_where_needs_a_bool_condition():
    msg = "where expected condition to be a boolean tensor, but got a tensor with dtype Float"
    with raises(RuntimeError, msg):
        fg.where(zeros(2), zeros(2), zeros(2))


# ---------------------------------------------------------------- reductions


def test_reduction_dim_out_of_range():
    with raises(
        IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    ):
        zeros(2, 3).sum(2)


def test_reduction_dim_repeated():
    with raises(RuntimeError, "dim 0 appears multiple times in the list of dims"):
        zeros(2, 3).sum((0, 0))


def test_max_of_an_empty_tensor():
    msg = (
        "max(): Expected reduction dim to be specified for input.numel() == 0. "
        "Specify the reduction dim with the 'dim' argument."
    )
    with raises(RuntimeError, msg):
        zeros(0).max()


def test_max_over_an_empty_dim():
    with raises(IndexError, "max(): Expected reduction dim 1 to have non-zero size."):
        zeros(2, 0).max(1)


def test_argmax_of_an_empty_tensor():
    with raises(
        IndexError, "argmax(): Expected reduction dim to be specified for input.numel() == 0."
    ):
        zeros(0).argmax()


def test_median_over_an_empty_dim():
    with raises(IndexError, "median(): Expected reduction dim 1 to have non-zero size."):
        zeros(2, 0).median(1)


def test_aminmax_of_an_empty_tensor():
    msg = (
        "aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
        "identity."
    )
    with raises(RuntimeError, msg):
        fg.aminmax(zeros(0))


def test_mean_of_integers():
    msg = (
        "mean(): could not infer output dtype. Input dtype must be either a floating point or "
        "complex dtype. Got: Long"
    )
    with raises(NotImplementedError, msg):
        long(3).mean()


def test_std_of_integers():
    with raises(NotImplementedError, "std and var only support floating point and complex dtypes"):
        long(3).std()


def test_vector_norm_of_integers():
    msg = "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"
    with raises(NotImplementedError, msg):
        fg.linalg.vector_norm(long(3))


def test_quantile_q_out_of_range():
    with raises(RuntimeError, "quantile() q must be in the range [0, 1] but got 1.5"):
        zeros(3).quantile(1.5)


def test_quantile_of_integers():
    with raises(RuntimeError, "quantile() input tensor must be either float or double dtype"):
        long(3).quantile(0.5)


def test_quantile_of_an_empty_tensor():
    with raises(RuntimeError, "quantile() input tensor must be non-empty"):
        zeros(0).quantile(0.5)


def test_topk_k_too_large():
    with raises(RuntimeError, "selected index k out of range"):
        zeros(3).topk(4)


def test_kthvalue_k_out_of_range():
    with raises(RuntimeError, "kthvalue(): selected number k out of range for dimension 0"):
        zeros(3).kthvalue(4)


def test_scan_dim_out_of_range():
    with raises(
        IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    ):
        zeros(3).cumsum(1)


# ---------------------------------------------------------------- shapes


def test_cat_sizes_must_match_off_the_dim():
    msg = (
        "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for "
        "tensor number 1 in the list."
    )
    with raises(RuntimeError, msg):
        fg.cat([zeros(2, 3), zeros(2, 4)])


def test_cat_ranks_must_match():
    with raises(RuntimeError, "Tensors must have same number of dimensions: got 2 and 1"):
        fg.cat([zeros(2, 3), zeros(3)])


def test_cat_of_nothing():
    with raises(ValueError, "{mod}.cat(): expected a non-empty list of Tensors"):
        fg.cat([])


def test_stack_sizes_must_match():
    msg = "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1"
    with raises(RuntimeError, msg):
        fg.stack([zeros(2), zeros(3)])


def test_split_sizes_must_sum_to_the_dim():
    msg = (
        "split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at "
        "dimension 0), but got split_sizes=[1, 1]"
    )
    with raises(RuntimeError, msg):
        fg.split(zeros(3), [1, 1])


def test_chunk_into_zero_pieces():
    with raises(RuntimeError, "chunk expects `chunks` to be greater than 0, got: 0"):
        fg.chunk(zeros(3), 0)


def test_unbind_of_a_0d_tensor():
    with raises(IndexError, "Dimension specified as 0 but tensor has no dimensions"):
        fg.unbind(zeros(()))


def test_flip_with_a_repeated_dim():
    with raises(RuntimeError, "dim 0 appears multiple times in the list of dims"):
        zeros(2, 2).flip((0, 0))


def test_roll_shifts_and_dims_must_align():
    with raises(RuntimeError, "shifts and dimensions must align. shifts: 2, dims:1"):
        zeros(3).roll((1, 2), (0,))


def test_rot90_needs_two_dims():
    with raises(RuntimeError, "expected total rotation dims == 2, but got dims = 1"):
        fg.rot90(zeros(2, 2), 1, [0])


def test_repeat_with_fewer_sizes_than_dims():
    msg = (
        "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
    )
    with raises(RuntimeError, msg):
        zeros(2, 3).repeat(2)


def test_repeat_interleave_negative_repeats():
    with raises(RuntimeError, "Repeats must be non-negative"):
        fg.repeat_interleave(zeros(3), -1)


def test_tril_of_a_vector():
    with raises(RuntimeError, "tril: input tensor must have at least 2 dimensions"):
        zeros(3).tril()


def test_diag_of_a_3d_tensor():
    with raises(RuntimeError, "diag(): Supports 1D or 2D tensors. Got 3D"):
        fg.diag(zeros(2, 2, 2))


def test_trace_of_a_vector():
    with raises(RuntimeError, "trace: expected a matrix, but got tensor with dim 1"):
        fg.trace(zeros(3))


def test_broadcast_to_a_smaller_size():
    msg = (
        "The expanded size of the tensor (2) must match the existing size (3) at non-singleton "
        "dimension 0.  Target sizes: [2].  Tensor sizes: [3]"  # sic: two spaces
    )
    with raises(RuntimeError, msg):
        zeros(3).broadcast_to((2,))


def test_broadcast_shapes_mismatch():
    msg = (
        "Attempting to broadcast a dimension of length 3 at -1! Mismatching argument at index 1 "
        "had (3,); but expected shape should be broadcastable to [2]"
    )
    with raises(RuntimeError, msg):
        fg.broadcast_shapes((2,), (3,))


def test_broadcast_tensors_mismatch():
    msg = (
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"
    )
    with raises(RuntimeError, msg):
        fg.broadcast_tensors(zeros(2), zeros(3))


def test_meshgrid_of_mixed_dtypes():
    with raises(RuntimeError, "meshgrid expects all tensors to have the same dtype"):
        fg.meshgrid(zeros(2), long(2), indexing="ij")


def test_combinations_of_a_matrix():
    with raises(RuntimeError, "Expect a 1D vector, but got shape [2, 2]"):
        fg.combinations(zeros(2, 2))


def test_cartesian_prod_of_a_matrix():
    with raises(RuntimeError, "Expect a 1D vector, but got shape [2, 2]"):
        fg.cartesian_prod(zeros(2, 2))
