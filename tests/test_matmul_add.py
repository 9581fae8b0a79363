"""addmm, addmv, baddbmm, addbmm and their in-place forms: beta * input + alpha * product,
against numpy, with PyTorch's handling of beta = 0, alpha = 0, integer scalars and errors."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest

RNG = np.random.default_rng(1)


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def t(a):
    return ferrograd.tensor(a)


def rand(*shape):
    return RNG.standard_normal(shape)


def test_addmm_with_broadcast_input():
    c, a, b = rand(2, 4), rand(2, 3), rand(3, 4)
    r = ferrograd.addmm(t(c), t(a), t(b), beta=2, alpha=3)
    np.testing.assert_allclose(r.numpy(), 2 * c + 3 * (a @ b), rtol=1e-12)
    for input_shape in [(4,), (1, 4), (2, 1), ()]:
        ci = rand(*input_shape)
        r = t(ci).addmm(t(a), t(b))
        np.testing.assert_allclose(r.numpy(), ci + a @ b, rtol=1e-12)


def test_beta_zero_ignores_input_and_alpha_zero_skips_product():
    nan_input = ferrograd.full((2, 2), float("nan"))
    r = ferrograd.addmm(nan_input, ferrograd.ones(2, 3), ferrograd.ones(3, 2), beta=0)
    assert r.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    inf_mat = ferrograd.full((2, 3), float("inf"))
    r = ferrograd.addmm(ferrograd.ones(2, 2), inf_mat, ferrograd.ones(3, 2), alpha=0)
    assert r.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    r = ferrograd.addmm(ferrograd.ones(2, 2), ferrograd.ones(2, 3), ferrograd.ones(3, 2), beta=0.5)
    assert r.tolist() == [[3.5, 3.5], [3.5, 3.5]]


def test_integer_scalars_are_cast_to_the_dtype():
    ones = ferrograd.ones(2, 2, dtype=ferrograd.int64)
    a, b = ferrograd.ones(2, 3, dtype=ferrograd.int64), ferrograd.ones(3, 2, dtype=ferrograd.int64)
    assert ferrograd.addmm(ones, a, b, beta=0.5).tolist() == [[3, 3], [3, 3]]  # beta -> 0
    assert ferrograd.addmm(ones, a, b, alpha=1.5).tolist() == [[4, 4], [4, 4]]  # alpha -> 1
    assert ferrograd.addmm(ones, a, b, beta=True).tolist() == [[4, 4], [4, 4]]


def test_addmv():
    c, m, v = rand(3), rand(3, 4), rand(4)
    r = ferrograd.addmv(t(c), t(m), t(v), beta=2, alpha=3)
    np.testing.assert_allclose(r.numpy(), 2 * c + 3 * (m @ v), rtol=1e-12)
    np.testing.assert_allclose(t(rand(1)).addmv(t(m), t(v)).shape, (3,))
    np.testing.assert_allclose(ferrograd.tensor(1.0).double().addmv(t(m), t(v)).numpy(), 1 + m @ v)


def test_baddbmm_and_addbmm():
    c, a, b = rand(4, 2, 5), rand(4, 2, 3), rand(4, 3, 5)
    r = ferrograd.baddbmm(t(c), t(a), t(b), beta=0.5, alpha=2)
    np.testing.assert_allclose(r.numpy(), 0.5 * c + 2 * (a @ b), rtol=1e-12)
    c2 = rand(2, 5)
    r = ferrograd.baddbmm(t(c2), t(a), t(b))
    np.testing.assert_allclose(r.numpy(), c2 + a @ b, rtol=1e-12)
    r = ferrograd.addbmm(t(c2), t(a), t(b), beta=2, alpha=3)
    np.testing.assert_allclose(r.numpy(), 2 * c2 + 3 * (a @ b).sum(0), rtol=1e-12)
    ints = ferrograd.ones(4, 2, 3, dtype=ferrograd.int32)
    r = ferrograd.addbmm(
        ferrograd.ones(2, 2, dtype=ferrograd.int32), ints, ints.transpose(1, 2), alpha=2
    )
    assert r.tolist() == [[25, 25], [25, 25]]
    empty = ferrograd.addbmm(ferrograd.ones(2, 2), ferrograd.ones(0, 2, 3), ferrograd.ones(0, 3, 2))
    assert empty.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_in_place_forms_write_through_views():
    x = ferrograd.ones(2, 2)
    version = x._version
    view = x.t()
    y = view.addmm_(ferrograd.ones(2, 3), ferrograd.ones(3, 2), beta=2, alpha=0.5)
    assert y is view and view.stride() == (1, 2)
    assert x.tolist() == [[3.5, 3.5], [3.5, 3.5]] and x._version == version + 1
    v = ferrograd.zeros(3)
    v.addmv_(ferrograd.ones(3, 2), ferrograd.ones(2))
    assert v.tolist() == [2.0, 2.0, 2.0]
    b = ferrograd.ones(4, 2, 2)
    b.baddbmm_(ferrograd.ones(4, 2, 3), ferrograd.ones(4, 3, 2))
    assert b[0].tolist() == [[4.0, 4.0], [4.0, 4.0]]
    s = ferrograd.zeros(2, 2)
    s.addbmm_(ferrograd.ones(4, 2, 3), ferrograd.ones(4, 3, 2))
    assert s.tolist() == [[12.0, 12.0], [12.0, 12.0]]
    # the input may be one of the operands
    m = ferrograd.tensor([[1.0, 2.0], [3.0, 4.0]])
    m.addmm_(m, m)
    assert m.tolist() == [[8.0, 12.0], [18.0, 26.0]]


MSGS = [
    (
        lambda: ferrograd.addmm(ferrograd.ones(3), ferrograd.ones(2, 3), ferrograd.ones(3, 2)),
        (
            "The expanded size of the tensor (2) must match the existing size (3) at non-singleton "
            "dimension 1.  Target sizes: [2, 2].  Tensor sizes: [3]"
        ),
    ),
    (
        lambda: ferrograd.addmm(ferrograd.ones(2, 2), ferrograd.ones(2, 3), ferrograd.ones(4, 2)),
        "addmm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x2)",
    ),
    (
        lambda: ferrograd.addmm(ferrograd.ones(2, 2), ferrograd.ones(3), ferrograd.ones(3, 2)),
        "addmm: self must be a matrix, got 1-D tensor",
    ),
    (
        lambda: ferrograd.addmm(
            ferrograd.ones(2, 2), ferrograd.ones(2, 3), ferrograd.ones(3, 2).double()
        ),
        "self and mat2 must have the same dtype, but got Float and Double",
    ),
    (
        lambda: ferrograd.addmm(
            ferrograd.ones(2, 2), ferrograd.ones(2, 3).double(), ferrograd.ones(3, 2)
        ),
        "mat1 and mat2 must have the same dtype, but got Double and Float",
    ),
    (
        lambda: ferrograd.ones(2, 1).addmm_(ferrograd.ones(2, 3), ferrograd.ones(3, 2)),
        "Bad in-place call: input tensor size [2, 1] and output tensor size [2, 2] should match",
    ),
    (
        lambda: (
            ferrograd.ones(2, 1).expand(2, 2).addmm_(ferrograd.ones(2, 3), ferrograd.ones(3, 2))
        ),
        (
            "unsupported operation: more than one element of the written-to tensor refers to a single "
            "memory location. Please clone() the tensor before performing the operation."
        ),
    ),
    (
        lambda: ferrograd.addmv(ferrograd.ones(3), ferrograd.ones(2, 3), ferrograd.ones(3)),
        "size mismatch, got input (3), mat (2x3), vec (3)",
    ),
    (
        lambda: ferrograd.addmv(ferrograd.ones(2, 2), ferrograd.ones(2, 3), ferrograd.ones(3)),
        "vector + matrix @ vector expected, got 2, 2, 1",
    ),
    (
        lambda: ferrograd.addmv(
            ferrograd.ones(2), ferrograd.ones(2, 3).double(), ferrograd.ones(3)
        ),
        "addmv input tensors must have the same dtype, but got Float, Double, and Float",
    ),
    (
        lambda: ferrograd.baddbmm(
            ferrograd.ones(4, 2, 2), ferrograd.ones(4, 2, 3).double(), ferrograd.ones(4, 3, 2)
        ),
        "Input dtypes must be the same, got: input float, batch1: double, batch2: float",
    ),
    (
        lambda: ferrograd.baddbmm(
            ferrograd.ones(2, 2), ferrograd.ones(4, 2, 3), ferrograd.ones(4, 4, 2)
        ),
        "Expected size for first two dimensions of batch2 tensor to be: [4, 3] but got: [4, 4].",
    ),
    (
        lambda: ferrograd.ones(2, 2).baddbmm_(ferrograd.ones(4, 2, 3), ferrograd.ones(4, 3, 2)),
        "Bad in-place call: input tensor size [2, 2] and output tensor size [4, 2, 2] should match",
    ),
    (
        lambda: ferrograd.addbmm(
            ferrograd.ones(2, 2), ferrograd.ones(4, 2, 3), ferrograd.ones(3, 3, 2)
        ),
        "batch1 and batch2 must have same number of batches, got 4 and 3",
    ),
    (
        lambda: ferrograd.addbmm(
            ferrograd.ones(2, 2), ferrograd.ones(4, 2, 3), ferrograd.ones(4, 4, 2)
        ),
        "Incompatible matrix sizes for bmm (2x3 and 4x2)",
    ),
]


@pytest.mark.parametrize(("call", "msg"), MSGS)
def test_error_messages(call, msg):
    with raises(RuntimeError, msg):
        call()


def test_bool_and_index_errors():
    b = ferrograd.ones(2, 2, dtype=ferrograd.bool)
    with raises(NotImplementedError, "\"addmm_impl_cpu_\" not implemented for 'Bool'"):
        ferrograd.addmm(b, b, b)
    with raises(NotImplementedError, "\"baddbmm\" not implemented for 'Bool'"):
        ferrograd.baddbmm(b, b.expand(3, 2, 2), b.expand(3, 2, 2))
    with raises(
        IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    ):
        ferrograd.baddbmm(ferrograd.ones(4, 2, 2), ferrograd.ones(4, 2, 3), ferrograd.ones(4, 3))
