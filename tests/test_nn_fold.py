"""F.unfold / F.fold: windows against a numpy loop, each the other's adjoint, round trips,
gradients, node names, layers and PyTorch's messages."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd import nn
from hypothesis import given, settings
from hypothesis import strategies as st


def ref_unfold(x, k, d, p, s):
    """Column (c, ki, kj) x block (i, j) = x[c, i*s + ki*d - p, j*s + kj*d - p] (0 outside)."""
    n, c, h, w = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
    bh = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    bw = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    out = np.zeros((n, c * k[0] * k[1], bh * bw))
    for ch in range(c):
        for ki in range(k[0]):
            for kj in range(k[1]):
                row = (ch * k[0] + ki) * k[1] + kj
                for i in range(bh):
                    for j in range(bw):
                        out[:, row, i * bw + j] = xp[
                            :, ch, i * s[0] + ki * d[0], j * s[1] + kj * d[1]
                        ]
    return out


@st.composite
def fold_cases(draw):
    k = [draw(st.integers(1, 3)) for _ in range(2)]
    d = [draw(st.integers(1, 2)) for _ in range(2)]
    p = [draw(st.integers(0, 1)) for _ in range(2)]
    s = [draw(st.integers(1, 2)) for _ in range(2)]
    size = [draw(st.integers(max(1, d[i] * (k[i] - 1) + 1 - 2 * p[i]), 6)) for i in range(2)]
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *size)
    return shape, k, d, p, s


@settings(max_examples=20)
@given(fold_cases())
def test_unfold_matches_numpy_and_fold_is_its_adjoint(case):
    shape, k, d, p, s = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    cols = F.unfold(torch.tensor(x), k, d, p, s)
    ref = ref_unfold(x, k, d, p, s)
    np.testing.assert_array_equal(cols.numpy(), ref)
    # <unfold(x), c> == <x, fold(c)>
    c = rng.standard_normal(ref.shape)
    back = F.fold(torch.tensor(c), shape[2:], k, d, p, s)
    np.testing.assert_allclose((ref * c).sum(), (x * back.numpy()).sum(), rtol=1e-10)


@settings(max_examples=8)
@given(fold_cases())
def test_gradients(case):
    shape, k, d, p, s = case
    x = torch.tensor(np.random.default_rng(1).standard_normal(shape), requires_grad=True)
    unfold = lambda t: F.unfold(t, k, d, p, s)
    assert torch.autograd.gradcheck(unfold, (x,))
    assert torch.autograd.gradgradcheck(unfold, (x,))
    c = unfold(x).detach().requires_grad_()
    fold = lambda t: F.fold(t, shape[2:], k, d, p, s)
    assert torch.autograd.gradcheck(fold, (c,))
    assert torch.autograd.gradgradcheck(fold, (c,))


def test_round_trip_counts_window_overlaps():
    # fold(unfold(x)) multiplies each element by the number of windows covering it.
    x = torch.randn(1, 2, 4, 5, dtype=torch.float64)
    cover = F.fold(F.unfold(torch.ones_like(x), 2), (4, 5), 2)
    np.testing.assert_allclose(F.fold(F.unfold(x, 2), (4, 5), 2).numpy(), (x * cover).numpy())
    assert cover[0, 0].tolist()[0] == [1, 2, 2, 2, 1]
    # Non-overlapping windows: an exact round trip.
    np.testing.assert_array_equal(F.fold(F.unfold(x, (2, 1), stride=(2, 1)), (4, 5), (2, 1),
                                         stride=(2, 1)).numpy(), x.numpy())  # fmt: skip


def test_unbatched_dtypes_and_nodes():
    x = torch.randn(3, 5, 6, requires_grad=True)
    cols = F.unfold(x, 2)
    assert tuple(cols.shape) == (12, 20)
    assert tuple(F.unfold(x.unsqueeze(0), 2).shape) == (1, 12, 20)
    assert type(F.unfold(x.unsqueeze(0), 2).grad_fn).__name__ == "Im2ColBackward0"
    c = torch.randn(2, 12, 20, requires_grad=True)
    assert type(F.fold(c, (5, 6), 2).grad_fn).__name__ == "Col2ImBackward0"
    assert tuple(F.fold(c[0], (5, 6), 2).shape) == (3, 5, 6)
    assert F.unfold(x.detach().half(), 2).dtype == torch.float16


ERRORS = [
    (lambda: F.unfold(torch.randn(1, 2, 3, 4, 5), 2), RuntimeError,
     "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: [1, 2, 3, 4, 5]"),
    (lambda: F.unfold(torch.randn(2, 3, 5, 6), 7), RuntimeError,
     "Given input with spatial size (5, 6), kernel_size=(7, 7), dilation=(1, 1), padding=(0, 0), calculated shape of the array of sliding blocks as (-1, 0), but its components must be at least one."),
    (lambda: F.unfold(torch.randn(2, 3, 5, 6), 0), RuntimeError,
     "kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 0"),
    (lambda: F.unfold(torch.randn(2, 3, 5, 6), 2, stride=0), RuntimeError,
     "stride should be greater than zero, but got stride_height: 0 stride_width: 0"),
    (lambda: F.unfold(torch.randn(2, 3, 5, 6), 2, padding=-1), RuntimeError,
     "padding should be non-negative, but got pad_height: -1 pad_width: -1"),
    (lambda: F.unfold(torch.randn(2, 3, 5, 6), 2, dilation=0), RuntimeError,
     "dilation should be greater than zero, but got dilation_height: 0 dilation_width: 0"),
    (lambda: F.unfold(torch.randn(2, 3, 5, 6), (2, 2, 2)), RuntimeError,
     "It is expected kernel_size equals to 2, but got size 3"),
    (lambda: F.unfold(torch.randn(5, 6), 2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    (lambda: F.unfold(torch.zeros(2, 3, 5, 6, dtype=torch.int64), 2), NotImplementedError,
     "\"im2col_out_cpu\" not implemented for 'Long'"),
    (lambda: F.fold(torch.randn(2, 12, 20), (5, 7), 2), RuntimeError,
     "Given output_size=(5, 7), kernel_size=(2, 2), dilation=(1, 1), padding=(0, 0), stride=(1, 1), expected size of input's dimension 2 to match the calculated number of sliding blocks 4 * 6 = 24, but got input.size(2)=20."),
    (lambda: F.fold(torch.randn(2, 13, 20), (5, 6), 2), RuntimeError,
     "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=13 and kernel_size=(2, 2)."),
    (lambda: F.fold(torch.randn(2, 3, 4, 5), (5, 6), 2), RuntimeError,
     "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: [2, 3, 4, 5]"),
    (lambda: F.fold(torch.randn(2, 12, 20), (5, 6), 0), RuntimeError,
     "kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 0"),
]  # fmt: skip


@pytest.mark.parametrize("call, exc, message", ERRORS)
def test_errors_match_pytorch(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == message


def test_layers():
    unfold = nn.Unfold(kernel_size=(2, 3))
    fold = nn.Fold(output_size=(4, 5), kernel_size=(2, 2), stride=2)
    assert repr(unfold) == "Unfold(kernel_size=(2, 3), dilation=1, padding=0, stride=1)"
    assert (
        repr(fold)
        == "Fold(output_size=(4, 5), kernel_size=(2, 2), dilation=1, padding=0, stride=2)"
    )
    x = torch.randn(1, 2, 4, 5)
    np.testing.assert_array_equal(unfold(x).numpy(), F.unfold(x, (2, 3)).numpy())
    assert tuple(fold(torch.randn(1, 8, 4)).shape) == (1, 2, 4, 5)
