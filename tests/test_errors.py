"""Invalid calls raise PyTorch's exception type with PyTorch's message (recorded from PyTorch)."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest


def raises(exc, msg):
    """pytest.raises that looks for `msg` literally (messages are full of brackets)."""
    return pytest.raises(exc, match=re.escape(msg))


@pytest.fixture
def x():
    return ferrograd.arange(6.0).reshape(2, 3)


# ---------------------------------------------------------------- views and shapes


def test_view_with_incompatible_strides(x):
    msg = (
        "view size is not compatible with input tensor's size and stride (at least one "
        "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
    )
    with raises(RuntimeError, msg):
        x.t().view(6)
    with raises(RuntimeError, msg):
        ferrograd.zeros(3).expand(2, 3).view(6)


def test_view_and_reshape_with_the_wrong_number_of_elements(x):
    with raises(RuntimeError, "shape '[2, 5]' is invalid for input of size 6"):
        x.view(2, 5)
    with raises(RuntimeError, "shape '[4, -1]' is invalid for input of size 6"):
        x.reshape(4, -1)
    with raises(RuntimeError, "only one dimension can be inferred"):
        x.view(-1, -1)
    with raises(RuntimeError, "invalid shape dimension -2 at index 0 of shape [-2, 3]"):
        x.view(-2, 3)


def test_inferring_a_dim_of_an_empty_tensor_is_ambiguous():
    msg = (
        "cannot reshape tensor of 0 elements into shape [-1, 0] because the unspecified "
        "dimension size -1 can be any value and is ambiguous"
    )
    with raises(RuntimeError, msg):
        ferrograd.zeros(0, 3).reshape(-1, 0)


@pytest.mark.parametrize(
    ("call", "bounds", "got"),
    [
        (lambda x: x.transpose(0, 2), "[-2, 1]", 2),
        (lambda x: x.unsqueeze(3), "[-3, 2]", 3),  # unsqueeze accepts one more dim
        (lambda x: x.squeeze(-3), "[-2, 1]", -3),
        (lambda x: x.select(2, 0), "[-2, 1]", 2),
        (lambda x: x.permute(0, 2), "[-2, 1]", 2),
        (lambda x: x.size(2), "[-2, 1]", 2),
        (lambda x: x.stride(-3), "[-2, 1]", -3),
        (lambda x: x.flatten(0, 2), "[-2, 1]", 2),
        (lambda x: x[0, 0].unsqueeze(2), "[-1, 0]", 2),  # 0-d acts like 1-d here
        (lambda x: x[0, 0].transpose(0, 1), "[-1, 0]", 1),
        (lambda x: x[0].diagonal(), "[-1, 0]", 1),
    ],
)
def test_dimension_out_of_range(x, call, bounds, got):
    msg = f"Dimension out of range (expected to be in range of {bounds}, but got {got})"
    with raises(IndexError, msg):
        call(x)


def test_select_narrow_unfold_out_of_range(x):
    with raises(
        IndexError, "select(): index 3 out of range for tensor of size [2, 3] at dimension 1"
    ):
        x.select(1, 3)
    with raises(RuntimeError, "start (2) + length (2) exceeds dimension size (3)."):
        x.narrow(1, 2, 2)
    with raises(RuntimeError, "maximum size for tensor at dimension 1 is 3 but size is 4"):
        x.unfold(1, 4, 1)
    with raises(RuntimeError, "step is 0 but must be > 0"):
        x.unfold(1, 2, 0)


def test_expand_errors():
    with raises(
        RuntimeError,
        "The expanded size of the tensor (4) must match the existing size (3) at non-singleton "
        "dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]",  # sic: two spaces
    ):
        ferrograd.zeros(3).expand(2, 4)
    with raises(
        RuntimeError,
        "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension 0",
    ):
        ferrograd.zeros(3).expand(-1, 3)


def test_expand_to_fewer_dims_spelling():
    with raises(
        RuntimeError,
        "expand(ferrograd.FloatTensor{[2, 3]}, size=[3]): the number of sizes provided (1) must "
        "be greater or equal to the number of dimensions in the tensor (2)",
    ):
        ferrograd.zeros(2, 3).expand(3)


def test_permute_movedim_flatten_unflatten_errors(x):
    with raises(RuntimeError, "permute(): duplicate dims are not allowed."):
        x.permute(0, 0)
    with raises(
        RuntimeError,
        "number of dimensions in the tensor input does not match the length of the desired "
        "ordering of dimensions i.e. input.dim() = 2 is not equal to len(dims) = 1",
    ):
        x.permute(0)
    with raises(RuntimeError, "movedim: repeated dim in `destination` ([1, 1])"):
        ferrograd.zeros(2, 3, 4).movedim((0, 1), (1, 1))
    with raises(RuntimeError, "flatten() has invalid args: start_dim cannot come after end_dim"):
        x.flatten(1, 0)
    with raises(
        RuntimeError,
        "unflatten: Provided sizes [2, 2] don't multiply up to the size of dim 1 (3) in the "
        "input tensor",
    ):
        x.unflatten(1, (2, 2))


def test_t_and_mt_need_the_right_rank():
    with raises(RuntimeError, "t() expects a tensor with <= 2 dimensions, but self is 3D"):
        ferrograd.zeros(2, 3, 4).t()
    with raises(
        RuntimeError,
        "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.",
    ):
        _ = ferrograd.zeros(3).mT


def test_as_strided_errors(x):
    with raises(
        RuntimeError,
        "as_strided: Negative strides are not supported at the moment, got strides: [-1]",
    ):
        x.as_strided((2,), (-1,))
    with raises(
        RuntimeError,
        "setStorage: sizes [10], strides [1], storage offset 0, and itemsize 4 requiring a "
        "storage size of 40 are out of bounds for storage of size 24",
    ):
        x.as_strided((10,), (1,))


# ---------------------------------------------------------------- indexing


def test_index_out_of_bounds(x):
    with raises(IndexError, "index 2 is out of bounds for dimension 0 with size 2"):
        x[2]
    with raises(IndexError, "index -3 is out of bounds for dimension 0 with size 2"):
        x[-3]
    with raises(IndexError, "index 3 is out of bounds for dimension 1 with size 3"):
        x[:, 3]


def test_too_many_indices(x):
    with raises(IndexError, "too many indices for tensor of dimension 2"):
        x[0, 0, 0]
    with raises(
        IndexError,
        "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
        "in C++ to convert a 0-dim tensor to a number",
    ):
        ferrograd.tensor(1.0)[0]


def test_bad_slice_steps(x):
    with raises(ValueError, "slice step cannot be zero"):
        x[::0]
    with raises(ValueError, "step must be greater than zero"):
        x[::-1]


# ---------------------------------------------------------------- creation


def test_tensor_from_data_it_cannot_use():
    with raises(TypeError, "new(): invalid data type 'str'"):
        ferrograd.tensor("abc")
    with raises(ValueError, "too many dimensions 'str'"):
        ferrograd.tensor(["a"])
    with raises(RuntimeError, "Could not infer dtype of dict"):
        ferrograd.tensor({1: 2})
    with raises(RuntimeError, "Could not infer dtype of NoneType"):
        ferrograd.tensor(None)
    with raises(RuntimeError, "Could not infer dtype of object"):
        ferrograd.tensor(object())


def test_ragged_lists():
    with raises(ValueError, "expected sequence of length 2 at dim 1 (got 3)"):
        ferrograd.tensor([[1, 2], [3, 4, 5]])
    with raises(TypeError, "not a sequence"):
        ferrograd.tensor([[1, 2], 3])
    with raises(ValueError, "only one element tensors can be converted to Python scalars"):
        ferrograd.tensor([ferrograd.zeros(2), ferrograd.zeros(2)])


def test_values_that_do_not_fit_the_dtype():
    with raises(RuntimeError, "value cannot be converted to type int8 without overflow"):
        ferrograd.tensor([300], dtype=ferrograd.int8)
    with raises(RuntimeError, "value cannot be converted to type uint8 without overflow"):
        ferrograd.tensor([-1.5], dtype=ferrograd.uint8)
    with raises(ValueError, "Overflow when unpacking long long"):
        ferrograd.tensor([2**63])


def test_legacy_constructor_with_a_float():
    with raises(TypeError, "new(): data must be a sequence (got float)"):
        ferrograd.Tensor(2.5)
    with raises(TypeError, "new(): invalid data type 'str'"):
        ferrograd.Tensor("ab")


@pytest.mark.parametrize(
    "make",
    [
        lambda: ferrograd.empty(2, -1),
        lambda: ferrograd.ones(2, -1),
        lambda: ferrograd.rand(2, -1),
        lambda: ferrograd.randn(2, -1),
    ],
)
def test_negative_dimension(make):
    with raises(RuntimeError, "Trying to create tensor with negative dimension -1: [2, -1]"):
        make()


def test_negative_dimension_other_creators():
    with raises(RuntimeError, "Trying to create tensor with negative dimension -1: [-1]"):
        ferrograd.full((-1,), 1.0)
    with raises(RuntimeError, "Trying to create tensor with negative dimension -1: [-1]"):
        ferrograd.randperm(-1)
    with raises(RuntimeError, "Trying to create tensor with negative dimension -1: [-1]"):
        ferrograd.Tensor(-1)
    # zeros has its own wording in current PyTorch
    with raises(RuntimeError, "zeros: Dimension size must be non-negative."):
        ferrograd.zeros(-1)


def test_only_float_tensors_can_require_grad():
    msg = "Only Tensors of floating point and complex dtype can require gradients"
    with raises(RuntimeError, msg):
        ferrograd.tensor([1, 2], requires_grad=True)
    with raises(RuntimeError, msg):
        ferrograd.zeros(2, dtype=ferrograd.bool, requires_grad=True)
    with raises(RuntimeError, "only Tensors of floating point dtype can require gradients"):
        ferrograd.zeros(2, dtype=ferrograd.int64).requires_grad_()  # sic: lower-case "only"


def test_set_default_dtype_to_an_integer_type():
    with raises(TypeError, "only floating-point types are supported as the default type"):
        ferrograd.set_default_dtype(ferrograd.int64)


def test_range_creators():
    with raises(RuntimeError, "step must be nonzero"):
        ferrograd.arange(0, 1, 0)
    with raises(RuntimeError, "upper bound and lower bound inconsistent with step sign"):
        ferrograd.arange(0, 1, -1)
    with raises(RuntimeError, "unsupported range: 0 -> inf"):
        ferrograd.arange(0, float("inf"))
    with raises(RuntimeError, "number of steps must be non-negative"):
        ferrograd.linspace(0, 1, -1)
    with raises(RuntimeError, "n must be greater or equal to 0, got -1"):
        ferrograd.eye(-1)


def test_random_creators():
    with raises(
        RuntimeError, "random_ expects 'from' to be less than 'to', but got from=5 >= to=5"
    ):
        ferrograd.randint(5, 5, (2,))
    with raises(RuntimeError, "normal expects std >= 0.0, but found std -1"):
        ferrograd.normal(0.0, -1.0, size=(2,))
    with raises(RuntimeError, "exponential_ expects lambda > 0.0, but found lambda=-1"):
        ferrograd.zeros(3).exponential_(-1)
    with raises(
        RuntimeError, "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
    ):
        ferrograd.multinomial(ferrograd.ones(2), 3)
    with raises(RuntimeError, "probability tensor contains either `inf`, `nan` or element < 0"):
        ferrograd.multinomial(ferrograd.tensor([1.0, -1.0]), 1)
    with raises(RuntimeError, "invalid multinomial distribution (sum of probabilities <= 0)"):
        ferrograd.multinomial(ferrograd.zeros(2), 1)


def test_huge_allocation_is_a_runtime_error_not_a_crash():
    # 2**62 bytes: more than any address space, so no overcommitting system grants it (one
    # that overcommits handed out the 40 TB of 10**13 floats).
    with pytest.raises(RuntimeError, match="DefaultCPUAllocator: not enough memory"):
        ferrograd.empty(2**60)


# ---------------------------------------------------------------- conversions and protocols


def test_item_needs_exactly_one_element():
    with raises(RuntimeError, "a Tensor with 2 elements cannot be converted to Scalar"):
        ferrograd.zeros(2).item()
    with raises(RuntimeError, "a Tensor with 0 elements cannot be converted to Scalar"):
        ferrograd.zeros(0).item()


def test_python_number_protocols_need_one_element():
    with raises(RuntimeError, "Boolean value of Tensor with more than one value is ambiguous"):
        bool(ferrograd.zeros(2))
    with raises(RuntimeError, "Boolean value of Tensor with no values is ambiguous"):
        bool(ferrograd.zeros(0))
    with raises(ValueError, "only one element tensors can be converted to Python scalars"):
        int(ferrograd.zeros(2))
    with raises(ValueError, "only one element tensors can be converted to Python scalars"):
        float(ferrograd.zeros(2))


def test_index_needs_one_integer_element():
    msg = "only integer tensors of a single element can be converted to an index"
    with raises(TypeError, msg):
        [1, 2][ferrograd.tensor(1.0)]
    with raises(TypeError, msg):
        ferrograd.tensor([1, 2]).__index__()


def test_len_and_iter_of_0d_tensors():
    with raises(TypeError, "len() of a 0-d tensor"):
        len(ferrograd.tensor(1.0))
    with raises(TypeError, "iteration over a 0-d tensor"):
        iter(ferrograd.tensor(1.0))


def test_contains_with_unsupported_types():
    with raises(
        RuntimeError,
        "Tensor.__contains__ only supports Tensor or scalar, but you passed in a <class 'str'>.",
    ):
        "a" in ferrograd.zeros(2)  # noqa: B015


def test_copy_errors():
    with raises(RuntimeError, "output with shape [3] doesn't match the broadcast shape [2, 3]"):
        ferrograd.zeros(3).copy_(ferrograd.zeros(2, 3))
    with raises(
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
    ):
        ferrograd.zeros(2, 3).copy_(ferrograd.zeros(4))
    with raises(
        RuntimeError,
        "unsupported operation: more than one element of the written-to tensor refers to a "
        "single memory location. Please clone() the tensor before performing the operation.",
    ):
        ferrograd.zeros(1, 3).expand(2, 3).copy_(ferrograd.ones(2, 3))


def test_fill_needs_a_0d_value():
    with raises(
        RuntimeError,
        "fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions.",
    ):
        ferrograd.zeros(2).fill_(ferrograd.tensor([3.0, 4.0]))


def test_float_only_random_fillers_on_integer_tensors():
    with raises(
        RuntimeError,
        "Exponential distribution is a continuous probability distribution. dtype must be a "
        "floating point but you specified Long",
    ):
        ferrograd.zeros(2, dtype=ferrograd.int64).exponential_()
    with pytest.raises(NotImplementedError):  # '"normal_kernel_cpu" not implemented for 'Long''
        ferrograd.zeros(2, dtype=ferrograd.int64).normal_()


def test_numpy_negative_strides():
    with pytest.raises(
        ValueError, match="At least one stride in the given numpy array is negative"
    ):
        ferrograd.from_numpy(np.arange(3)[::-1])
