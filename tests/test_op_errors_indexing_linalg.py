"""Invalid indexing and linear-algebra calls raise PyTorch's exception type with PyTorch's
full message (recorded from PyTorch); one test per case. `{mod}` stands for the module name."""

from __future__ import annotations

import ferrograd as fg
import pytest
from test_op_errors import long, raises

zeros = fg.zeros


# ---------------------------------------------------------------- indexing


def test_int_index_out_of_bounds():
    with raises(IndexError, "index 5 is out of bounds for dimension 0 with size 3"):
        zeros(3)[5]


def test_negative_int_index_out_of_bounds():
    with raises(IndexError, "index -4 is out of bounds for dimension 0 with size 3"):
        zeros(3)[-4]


def test_tensor_index_out_of_bounds():
    with raises(IndexError, "index 5 is out of bounds for dimension 0 with size 3"):
        zeros(3)[fg.tensor([5])]


def test_too_many_indices():
    with raises(IndexError, "too many indices for tensor of dimension 1"):
        zeros(3)[0, 0]


def test_float_tensor_as_an_index():
    with raises(IndexError, "tensors used as indices must be long, int, byte or bool tensors"):
        zeros(3)[fg.tensor([0.0])]


def test_mask_of_the_wrong_shape():
    msg = (
        "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3] "
        "at index 0"
    )
    with raises(IndexError, msg):
        zeros(3)[fg.tensor([True, False])]


def test_setitem_value_of_the_wrong_shape():
    msg = (
        "shape mismatch: value tensor of shape [2] cannot be broadcast to indexing result of "
        "shape [3]"
    )
    with raises(RuntimeError, msg):
        zeros(3)[fg.tensor([0, 1, 2])] = zeros(2)


def test_index_select_out_of_range():
    with raises(IndexError, "index out of range in self"):
        fg.index_select(zeros(3), 0, fg.tensor([3]))


def test_index_select_needs_a_vector():
    with raises(IndexError, "index_select(): Index is supposed to be a vector"):
        fg.index_select(zeros(3), 0, fg.tensor([[0]]))


def test_gather_index_out_of_bounds():
    with raises(RuntimeError, "index 3 is out of bounds for dimension 0 with size 3"):
        fg.gather(zeros(3), 0, fg.tensor([3]))


def test_take_out_of_range():
    with raises(IndexError, "out of range: tried to access index 5 on a tensor of 3 elements."):
        fg.take(zeros(3), fg.tensor([5]))


def test_scatter_source_of_another_dtype():
    with raises(RuntimeError, "scatter(): Expected self.dtype to be equal to src.dtype"):
        zeros(3).scatter(0, fg.tensor([0]), long(1))


def test_scatter_index_of_another_rank():
    with raises(
        RuntimeError, "Index tensor must have the same number of dimensions as self tensor"
    ):
        zeros(3).scatter(0, fg.tensor([[0]]), zeros(1, 1))


def test_masked_fill_needs_a_bool_mask():
    with raises(
        RuntimeError, "masked_fill_ only supports boolean masks, but got mask with dtype float"
    ):
        zeros(2).masked_fill(zeros(2), 1.0)


def test_masked_select_mask_must_broadcast():
    msg = (
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"
    )
    with raises(RuntimeError, msg):
        fg.masked_select(zeros(3), fg.ones(2, dtype=fg.bool))


def test_sort_dim_out_of_range():
    with raises(
        IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    ):
        zeros(3).sort(1)


def test_bincount_of_negative_values():
    with raises(RuntimeError, "bincount only supports 1-d non-negative integral inputs."):
        fg.bincount(fg.tensor([-1, 2]))


def test_bincount_of_a_matrix():
    with raises(RuntimeError, "bincount only supports 1-d non-negative integral inputs."):
        fg.bincount(long(2, 2))


def test_histc_with_max_below_min():
    with raises(RuntimeError, "{mod}.histc: max must be larger than min"):
        fg.histc(zeros(3), bins=3, min=2, max=1)


def test_searchsorted_with_mismatched_leading_dims():
    msg = (
        "{mod}.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
        "dimensions of boundaries tensor and input value tensor must match, but we got "
        "boundaries tensor [2, 3] and input value tensor [3, 1]"
    )
    with raises(RuntimeError, msg):
        fg.searchsorted(zeros(2, 3), zeros(3, 1))


# ---------------------------------------------------------------- linear algebra


def test_matmul_shapes_cannot_be_multiplied():
    with raises(RuntimeError, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"):
        zeros(2, 3) @ zeros(4, 5)


def test_matmul_of_vectors_of_different_lengths():
    msg = (
        "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of "
        "elements, but got 3 and 4 elements respectively"
    )
    with raises(RuntimeError, msg):
        zeros(3) @ zeros(4)


def test_matmul_matrix_by_vector_mismatch():
    with raises(RuntimeError, "size mismatch, got input (2), mat (2x3), vec (4)"):
        zeros(2, 3) @ zeros(4)


def test_matmul_batch_dims_must_broadcast():
    msg = (
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"
    )
    with raises(RuntimeError, msg):
        zeros(2, 2, 3) @ zeros(3, 3, 4)


def test_matmul_of_a_0d_tensor():
    with raises(
        RuntimeError, "both arguments to matmul need to be at least 1D, but they are 0D and 1D"
    ):
        zeros(()) @ zeros(3)


def test_matmul_of_mixed_dtypes():
    with raises(
        RuntimeError, "expected m1 and m2 to have the same dtype, but got: float != double"
    ):
        zeros(2, 3) @ zeros(3, 2, dtype=fg.float64)


def test_mm_of_a_vector():
    with raises(RuntimeError, "mm: self must be a matrix, got 1-D tensor"):
        fg.mm(zeros(3), zeros(3, 2))


def test_bmm_of_matrices():
    with raises(RuntimeError, "batch1 must be a 3D tensor"):
        fg.bmm(zeros(2, 3), zeros(3, 2))


def test_bmm_batch_mismatch():
    msg = "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3]."
    with raises(RuntimeError, msg):
        fg.bmm(zeros(2, 2, 3), zeros(3, 3, 2))


def test_mv_size_mismatch():
    with raises(RuntimeError, "size mismatch, got input (2), mat (2x3), vec (4)"):
        fg.mv(zeros(2, 3), zeros(4))


def test_dot_of_matrices():
    with raises(RuntimeError, "1D tensors expected, but got 2D and 2D tensors"):
        fg.dot(zeros(2, 2), zeros(2, 2))


def test_addmm_shape_mismatch():
    with raises(RuntimeError, "addmm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"):
        fg.addmm(zeros(2, 2), zeros(2, 3), zeros(2, 3))


def test_einsum_subscripts_do_not_match_the_operand():
    msg = (
        "einsum(): the number of subscripts in the equation (2) does not match the number of "
        "dimensions (1) for operand 0 and no ellipsis was given"
    )
    with raises(RuntimeError, msg):
        fg.einsum("ij", zeros(3))


def test_tensordot_contracted_sizes_differ():
    msg = (
        "contracted dimensions need to match, but first has size 3 in dim -1 and second has "
        "size 4 in dim 0"
    )
    with raises(RuntimeError, msg):
        fg.tensordot(zeros(2, 3), zeros(4, 2), dims=1)


def test_cross_needs_length_3():
    with raises(RuntimeError, "linalg.cross: inputs dimension -1 must have length 3. Got 2 and 2"):
        fg.linalg.cross(zeros(2), zeros(2))


def test_inverse_of_a_singular_matrix():
    msg = (
        "linalg.inv: The diagonal element 1 is zero, the inversion could not be completed "
        "because the input matrix is singular."
    )
    with raises(RuntimeError, msg):  # a LinAlgError, which is a RuntimeError
        fg.linalg.inv(zeros(3, 3))


def test_inverse_of_integers():
    msg = "linalg.inv: Expected a floating point or complex tensor as input. Got Long"
    with raises(NotImplementedError, msg):
        fg.linalg.inv(fg.eye(2, dtype=fg.int64))


def test_cholesky_of_a_non_positive_definite_matrix():
    msg = (
        "linalg.cholesky: The factorization could not be completed because the input is not "
        "positive-definite (the leading minor of order 1 is not positive-definite)."
    )
    with raises(RuntimeError, msg):
        fg.linalg.cholesky(-fg.eye(2))


def test_det_of_a_non_square_matrix():
    msg = "linalg.det: A must be batches of square matrices, but they are 2 by 3 matrices"
    with raises(RuntimeError, msg):
        fg.linalg.det(zeros(2, 3))


def test_solve_shapes_incompatible():
    msg = "linalg.solve: Incompatible shapes of A and B for the equation AX = B (2x2 and 3x1)"
    with raises(RuntimeError, msg):
        fg.linalg.solve(fg.eye(2), zeros(3))


def test_solve_with_a_singular_matrix():
    with raises(
        RuntimeError, "{mod}.linalg.solve: The solver failed because the input matrix is singular."
    ):
        fg.linalg.solve(zeros(2, 2), zeros(2))


def test_negative_matrix_power_of_integers():
    msg = "linalg.inv: Expected a floating point or complex tensor as input. Got Long"
    with raises(NotImplementedError, msg):
        fg.linalg.matrix_power(fg.eye(2, dtype=fg.int64), -1)


@pytest.mark.parametrize("name", ["inv", "cholesky", "solve"])
def test_linalg_errors_are_linalg_errors(name):
    """PyTorch raises `linalg.LinAlgError` (a RuntimeError subclass) for numerical failures."""
    call = {
        "inv": lambda: fg.linalg.inv(zeros(2, 2)),
        "cholesky": lambda: fg.linalg.cholesky(-fg.eye(2)),
        "solve": lambda: fg.linalg.solve(zeros(2, 2), zeros(2)),
    }[name]
    with pytest.raises(fg.linalg.LinAlgError):
        call()
