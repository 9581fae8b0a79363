"""matmul / @, mm, bmm, mv, dot, vdot: every rank combination against numpy, strided inputs,
integer wrapping, half types, and PyTorch's error messages (recorded from PyTorch)."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest

RNG = np.random.default_rng(0)


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def t(a):
    return ferrograd.tensor(a)


def rand(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


# The shapes of PyTorch's matmul documentation, plus broadcasting of batch dims.
SHAPES = [
    ((3,), (3,)),  # dot, 0-dim result
    ((2, 3), (3,)),  # mv
    ((3,), (3, 4)),  # vector @ matrix
    ((2, 3), (3, 4)),  # mm
    ((5, 2, 3), (3,)),  # folded mv
    ((3,), (5, 3, 4)),  # vector @ batch
    ((5, 2, 3), (3, 4)),  # folded mm
    ((2, 3), (5, 3, 4)),  # matrix @ batch
    ((5, 2, 3), (5, 3, 4)),  # bmm
    ((2, 1, 2, 3), (5, 3, 4)),  # broadcast batch dims
    ((7, 1, 2, 3), (1, 6, 3, 4)),
    ((0, 2, 3), (3, 4)),  # empty batch
    ((2, 0), (0, 3)),  # empty inner dim: zeros
]


@pytest.mark.parametrize(("sa", "sb"), SHAPES)
def test_matmul_matches_numpy(sa, sb):
    a, b = rand(*sa), rand(*sb)
    r = ferrograd.matmul(t(a), t(b))
    expect = np.matmul(a, b)
    assert tuple(r.shape) == expect.shape
    np.testing.assert_allclose(r.numpy(), expect, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose((t(a) @ t(b)).numpy(), expect, rtol=1e-12, atol=1e-12)


def test_results_are_contiguous_and_float32_accurate():
    a, b = rand(4, 5, 6, dtype=np.float32), rand(6, 3, dtype=np.float32)
    r = t(a) @ t(b)
    assert r.is_contiguous() and r.dtype == ferrograd.float32
    np.testing.assert_allclose(r.numpy(), a @ b, rtol=1e-5, atol=1e-5)
    # (3, 2) @ (4, 2, 3): PyTorch transposes back and copies, so the result is row-major.
    r = t(rand(3, 2)) @ t(rand(4, 2, 3))
    assert r.stride() == (9, 3, 1)


def test_large_float32_product_uses_all_paths():
    a, b = rand(300, 200, dtype=np.float32), rand(200, 250, dtype=np.float32)
    np.testing.assert_allclose((t(a) @ t(b)).numpy(), a @ b, rtol=1e-4, atol=1e-4)
    # a wide product is split by columns, and addmm's input is added block by block
    w_a, w_b, w_c = rand(40, 300), rand(300, 700), rand(40, 700)
    r = ferrograd.addmm(t(w_c), t(w_a), t(w_b), beta=0.5, alpha=2.0)
    np.testing.assert_allclose(r.numpy(), 0.5 * w_c + 2.0 * (w_a @ w_b), rtol=1e-10)
    batch_a, batch_b = rand(16, 40, 30, dtype=np.float32), rand(16, 30, 20, dtype=np.float32)
    r = ferrograd.bmm(t(batch_a), t(batch_b))
    np.testing.assert_allclose(r.numpy(), batch_a @ batch_b, rtol=1e-4, atol=1e-4)


def test_non_contiguous_operands():
    a, b = rand(6, 8), rand(8, 10)
    ta, tb = t(a), t(b)
    # transposed views, stepped slices, and broadcast (stride-0) operands
    np.testing.assert_allclose((tb.t() @ ta.t()).numpy(), b.T @ a.T, rtol=1e-12)
    np.testing.assert_allclose((ta[::2, 1::2] @ tb[::2, ::3]).numpy(), a[::2, 1::2] @ b[::2, ::3])
    row = t(rand(1, 8))
    expanded = row.expand(5, 8)
    assert expanded.stride()[0] == 0
    np.testing.assert_allclose((expanded @ tb).numpy(), np.broadcast_to(row.numpy(), (5, 8)) @ b)
    batch = t(rand(3, 8, 10)).transpose(1, 2)
    np.testing.assert_allclose((batch @ ta.t()).numpy(), batch.numpy() @ a.T, rtol=1e-12)
    # x @ x.T reads one storage twice
    np.testing.assert_allclose((ta @ ta.t()).numpy(), a @ a.T, rtol=1e-12)


def test_mm_bmm_mv_dot_vdot():
    a, b = rand(3, 4), rand(4, 2)
    np.testing.assert_allclose(ferrograd.mm(t(a), t(b)).numpy(), a @ b)
    np.testing.assert_allclose(t(a).mm(t(b)).numpy(), a @ b)
    ba, bb = rand(2, 3, 4), rand(2, 4, 5)
    np.testing.assert_allclose(t(ba).bmm(t(bb)).numpy(), ba @ bb)
    v = rand(4)
    np.testing.assert_allclose(ferrograd.mv(t(a), t(v)).numpy(), a @ v)
    d = ferrograd.dot(t(v), t(v))
    assert d.shape == () and np.isclose(d.item(), v @ v)
    assert np.isclose(ferrograd.vdot(t(v), t(v)).item(), v @ v)
    assert ferrograd.matmul is ferrograd.Tensor.matmul


def test_integer_matmul_wraps():
    a = ferrograd.full((2, 3), 1, dtype=ferrograd.uint8)
    b = ferrograd.full((3, 2), 200, dtype=ferrograd.uint8)
    r = a @ b  # 600 mod 256
    assert r.dtype == ferrograd.uint8 and r.tolist() == [[88, 88], [88, 88]]
    v = ferrograd.full((3,), 100, dtype=ferrograd.int8)
    assert (v @ ferrograd.ones(3, dtype=ferrograd.int8)).item() == 44  # 300 wraps to 44
    x = RNG.integers(-50, 50, (7, 9))
    y = RNG.integers(-50, 50, (9, 5))
    assert (t(x) @ t(y)).tolist() == (x @ y).tolist()
    big = RNG.integers(-1000, 1000, (70, 300))
    big_b = RNG.integers(-1000, 1000, (300, 600))
    assert np.array_equal((t(big) @ t(big_b)).numpy(), big @ big_b)
    for dt in (ferrograd.int16, ferrograd.int32):
        r = ferrograd.ones(2, 3, dtype=dt) @ ferrograd.ones(3, 2, dtype=dt)
        assert r.dtype == dt and r.tolist() == [[3, 3], [3, 3]]


@pytest.mark.parametrize("dt", [ferrograd.float16, ferrograd.bfloat16])
def test_half_types_compute_in_float32(dt):
    a = ferrograd.ones(2, 3, dtype=dt)
    r = a @ ferrograd.ones(3, 2, dtype=dt)
    assert r.dtype == dt and r.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    v = ferrograd.tensor([1000.0, 1000.0, -1000.0], dtype=ferrograd.float16)
    w = ferrograd.tensor([70.0, 1.0, 1.0], dtype=ferrograd.float16)
    assert (v @ w).item() == float("inf")  # 70000 overflows float16


def test_zero_dim_and_empty():
    with raises(
        RuntimeError, "both arguments to matmul need to be at least 1D, but they are 0D and 1D"
    ):
        ferrograd.tensor(1.0) @ ferrograd.ones(3)
    with raises(
        RuntimeError, "both arguments to matmul need to be at least 1D, but they are 1D and 0D"
    ):
        ferrograd.ones(3) @ ferrograd.tensor(1.0)
    assert (ferrograd.ones(0, 3) @ ferrograd.ones(3, 2)).shape == (0, 2)
    assert (ferrograd.ones(2, 0) @ ferrograd.ones(0, 2)).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert (ferrograd.ones(0) @ ferrograd.ones(0)).item() == 0.0


def test_operator_protocol():
    a = ferrograd.ones(2, 3)
    assert a.__matmul__(3) is NotImplemented
    assert a.__rmatmul__(ferrograd.ones(3, 2)).shape == (3, 3)
    with pytest.raises(TypeError):
        a @ [[1.0], [2.0], [3.0]]
    b = a
    b @= ferrograd.ones(3, 4)  # no __imatmul__: rebinds b, a is unchanged
    assert b.shape == (2, 4) and a.shape == (2, 3)


def test_out_argument():
    out = ferrograd.empty(2, 2)
    r = ferrograd.mm(ferrograd.ones(2, 3), ferrograd.ones(3, 2), out=out)
    assert r is out and out.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    with raises(RuntimeError, "Expected out tensor to have dtype float, but got double instead"):
        ferrograd.matmul(
            ferrograd.ones(2, 3), ferrograd.ones(3, 2), out=ferrograd.empty(2, 2).double()
        )
    resized = ferrograd.empty(0)
    ferrograd.matmul(ferrograd.ones(2, 3), ferrograd.ones(3, 2), out=resized)
    assert resized.shape == (2, 2)


MSGS = [
    (
        # a transposed batch with a size-1 dim still folds into one mv, as in PyTorch
        lambda: ferrograd.ones(5) @ ferrograd.ones(1, 4, 3),
        RuntimeError,
        "size mismatch, got input (3), mat (3x4), vec (5)",
    ),
    (
        lambda: ferrograd.ones(5) @ ferrograd.ones(2, 4, 3),
        RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 5] but got: [2, 4].",
    ),
    (
        lambda: ferrograd.mv(ferrograd.tensor(1.0), ferrograd.ones(3)),
        IndexError,
        "Dimension specified as 0 but tensor has no dimensions",
    ),
    (
        lambda: ferrograd.ones(2, 3) @ ferrograd.ones(4, 5),
        RuntimeError,
        "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",
    ),
    (
        lambda: ferrograd.ones(3) @ ferrograd.ones(4),
        RuntimeError,
        (
            "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of "
            "elements, but got 3 and 4 elements respectively"
        ),
    ),
    (
        lambda: ferrograd.ones(2, 3) @ ferrograd.ones(4),
        RuntimeError,
        "size mismatch, got input (2), mat (2x3), vec (4)",
    ),
    (
        lambda: ferrograd.ones(2, 2, 3) @ ferrograd.ones(2),
        RuntimeError,
        "size mismatch, got input (4), mat (4x3), vec (2)",
    ),
    (
        lambda: ferrograd.ones(3) @ ferrograd.ones(4, 2),
        RuntimeError,
        "mm: mat1 and mat2 shapes cannot be multiplied (1x3 and 4x2)",
    ),
    (
        lambda: ferrograd.ones(2, 2, 3) @ ferrograd.ones(3, 4, 2),
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
    ),
    (
        lambda: ferrograd.ones(2, 2, 3) @ ferrograd.ones(2, 2, 3),
        RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 2].",
    ),
    (
        lambda: ferrograd.ones(3) @ ferrograd.ones(3, dtype=ferrograd.float64),
        RuntimeError,
        "dot : expected both vectors to have same dtype, but found Float and Double",
    ),
    (
        lambda: ferrograd.ones(2, 3) @ ferrograd.ones(3, 2, dtype=ferrograd.float64),
        RuntimeError,
        "expected m1 and m2 to have the same dtype, but got: float != double",
    ),
    (
        lambda: ferrograd.ones(2, 3, dtype=ferrograd.int64) @ ferrograd.ones(3, 2).int(),
        RuntimeError,
        "expected m1 and m2 to have the same dtype, but got: long int != int",
    ),
    (
        lambda: ferrograd.ones(2, 2, 3) @ ferrograd.ones(2, 3, 2, dtype=ferrograd.float64),
        RuntimeError,
        "expected scalar type Float but found Double",
    ),
    (
        lambda: ferrograd.ones(2, 2, 3).long() @ ferrograd.ones(3).int(),
        RuntimeError,
        "addmv input tensors must have the same dtype, but got Int, Long, and Int",
    ),
    (
        lambda: ferrograd.ones(2, 3).bool() @ ferrograd.ones(3, 2).bool(),
        NotImplementedError,
        "\"addmm_impl_cpu_\" not implemented for 'Bool'",
    ),
    (
        lambda: ferrograd.ones(3).bool() @ ferrograd.ones(3).bool(),
        NotImplementedError,
        "\"dot\" not implemented for 'Bool'",
    ),
    (
        lambda: ferrograd.mm(ferrograd.ones(2, 3, 3), ferrograd.ones(3, 3)),
        RuntimeError,
        "mm: self must be a matrix, got 3-D tensor",
    ),
    (
        lambda: ferrograd.mm(ferrograd.ones(2, 3), ferrograd.ones(3)),
        RuntimeError,
        "mm: mat2 must be a matrix, got 1-D tensor",
    ),
    (
        lambda: ferrograd.bmm(ferrograd.ones(2, 3), ferrograd.ones(2, 3, 2)),
        RuntimeError,
        "batch1 must be a 3D tensor",
    ),
    (
        lambda: ferrograd.bmm(ferrograd.ones(2, 3, 4), ferrograd.ones(3, 4, 3)),
        RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [3, 4].",
    ),
    (
        lambda: ferrograd.bmm(ferrograd.ones(2, 2, 3).bool(), ferrograd.ones(2, 3, 2).bool()),
        NotImplementedError,
        "\"bmm\" not implemented for 'Bool'",
    ),
    (
        lambda: ferrograd.mv(ferrograd.ones(2, 3), ferrograd.ones(4, 1)),
        RuntimeError,
        "vector + matrix @ vector expected, got 1, 2, 2",
    ),
    (
        lambda: ferrograd.mv(ferrograd.ones(2, 3), ferrograd.ones(3).double()),
        RuntimeError,
        "addmv input tensors must have the same dtype, but got Double, Float, and Double",
    ),
    (
        lambda: ferrograd.dot(ferrograd.ones(3), ferrograd.ones(3, 1)),
        RuntimeError,
        "1D tensors expected, but got 1D and 2D tensors",
    ),
]


@pytest.mark.parametrize(("call", "exc", "msg"), MSGS)
def test_error_messages(call, exc, msg):
    with raises(exc, msg):
        call()
