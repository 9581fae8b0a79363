"""F.pad in every mode against numpy.pad, its gradients (gradcheck, gradgradcheck), node
names, PyTorch's error messages, and the padding layers' reprs."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd import nn
from hypothesis import given, settings
from hypothesis import strategies as st

NUMPY_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def numpy_pad(x, pad, mode, value=0.0):
    """F.pad's (before, after) pairs, last dim first, as numpy.pad's per-dim list."""
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode == "constant":
        return np.pad(x, widths, constant_values=value)
    return np.pad(x, widths, mode=NUMPY_MODE[mode])


@st.composite
def pad_cases(draw, modes=("constant", "reflect", "replicate", "circular")):
    mode = draw(st.sampled_from(modes))
    k = draw(st.integers(1, 3))
    batch_dims = draw(st.integers(1, 2))
    shape = [draw(st.integers(1, 2)) for _ in range(batch_dims)]
    shape += [draw(st.integers(2, 4)) for _ in range(k)]
    pad = []
    for i in range(k):
        size = shape[-1 - i]
        limit = {"reflect": size - 1, "circular": size}.get(mode, 3)
        pad += [draw(st.integers(0, limit)), draw(st.integers(0, limit))]
    return mode, shape, pad


@settings(max_examples=30)
@given(pad_cases())
def test_pad_matches_numpy(case):
    mode, shape, pad = case
    x = np.random.default_rng(0).standard_normal(shape)
    value = 1.5 if mode == "constant" else None
    out = F.pad(torch.tensor(x), pad, mode=mode, value=value)
    np.testing.assert_array_equal(out.numpy(), numpy_pad(x, pad, mode, value or 0.0))


@settings(max_examples=12)
@given(pad_cases())
def test_pad_gradcheck(case):
    mode, shape, pad = case
    x = torch.tensor(np.random.default_rng(1).standard_normal(shape), requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: F.pad(t, pad, mode=mode), (x,))
    assert torch.autograd.gradgradcheck(lambda t: F.pad(t, pad, mode=mode), (x,))


def test_negative_constant_padding_crops():
    x = torch.arange(6.0).reshape(2, 3)
    assert F.pad(x, (1, -2)).tolist() == [[0.0, 0.0], [0.0, 3.0]]
    assert F.pad(x, (0, 0, -1, 1), value=9).tolist() == [[3.0, 4.0, 5.0], [9.0, 9.0, 9.0]]
    xg = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    F.pad(xg, (-1, 1)).sum().backward()  # the cropped element gets no gradient
    assert xg.grad.tolist() == [[0.0, 1.0, 1.0]]


def test_hand_checked_modes():
    x = torch.arange(4.0).reshape(1, 1, 4)
    assert F.pad(x, (2, 3), mode="circular").tolist() == [[[2, 3, 0, 1, 2, 3, 0, 1, 2]]]
    assert F.pad(x, (2, 1), mode="reflect").tolist() == [[[2, 1, 0, 1, 2, 3, 2]]]
    assert F.pad(x, (1, 2), mode="replicate").tolist() == [[[0, 0, 1, 2, 3, 3, 3]]]
    # Replicate's gradient piles the padding's gradient onto the edge elements.
    xg = torch.tensor([[[1.0, 2.0, 3.0]]], requires_grad=True)
    F.pad(xg, (2, 1), mode="replicate").sum().backward()
    assert xg.grad.tolist() == [[[3.0, 1.0, 2.0]]]
    assert F.pad(torch.tensor([[1, 2]]), (1, 1), value=1.5).tolist() == [[1, 1, 2, 1]]


def test_node_names():
    x = torch.randn(1, 2, 3, 4, requires_grad=True)
    names = {
        F.pad(x, (1, 2)): "ConstantPadNdBackward0",
        F.pad(x, (1, 2, 1, 1), mode="reflect"): "ReflectionPad2DBackward0",
        F.pad(x[0], (1, 2), mode="reflect"): "ReflectionPad1DBackward0",
        F.pad(x, (1, 2, 1, 1), mode="replicate"): "ReplicationPad2DBackward0",
        F.pad(x.unsqueeze(0), (1, 1, 1, 1, 1, 1), mode="replicate"): "ReplicationPad3DBackward0",
    }
    for out, name in names.items():
        assert type(out.grad_fn).__name__ == name


NOT_SUPPORTED = (
    "Padding size {size} is not supported for {dims}D input tensor.\n"
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
)

ERRORS = [
    # (input shape, pad, mode, value, exception, message recorded from PyTorch)
    ((1, 2, 3, 4), (1, 2, 3), "constant", None, RuntimeError,
     "Padding length must be divisible by 2"),
    ((1, 2, 3, 4), (1, 2, 3, 4, 5, 6, 7, 8, 9, 10), "constant", None, RuntimeError,
     "Padding length should be less than or equal to two times the input dimension but got padding length 10 and input of dimension 4"),
    ((1, 2, 3, 4), (-3, -2), "constant", None, RuntimeError,
     "narrow(): length must be non-negative."),
    ((1, 2, 3, 4), (1, 2), "reflect", None, NotImplementedError,
     NOT_SUPPORTED.format(size=2, dims=4)),
    ((4,), (1, 1), "replicate", None, NotImplementedError, NOT_SUPPORTED.format(size=2, dims=1)),
    ((1, 2, 3, 4), (1, 2, 3, 3), "reflect", None, RuntimeError,
     "Argument #6: Padding size should be less than the corresponding input dimension, but got: padding (3, 3) at dimension 2 of input [1, 2, 3, 4]"),
    ((2, 3, 4), (4, 4), "reflect", None, RuntimeError,
     "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (4, 4) at dimension 2 of input [2, 3, 4]"),
    ((2, 3, 4, 5, 6), (1, 1, 1, 1, 4, 1), "reflect", None, RuntimeError,
     "Argument #8: Padding size should be less than the corresponding input dimension, but got: padding (4, 1) at dimension 2 of input [2, 3, 4, 5, 6]"),
    ((2, 3, 4), (5, 2), "circular", None, RuntimeError,
     "Padding value causes wrapping around more than once."),
    ((1, 2, 3, 4), (1, 2), "reflect", 1.0, RuntimeError,
     "Padding mode \"reflect\" doesn't take in value argument"),
    ((1, 2, 3, 4), (1, 2), "foo", None, NotImplementedError, "Unrecognised padding mode foo"),
    ((1, 2, 0), (1, 2), "replicate", None, RuntimeError,
     "Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: [1, 2, 0]"),
    ((2, 3, 0, 5), (1, 1, 1, 1), "reflect", None, RuntimeError,
     "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: [2, 3, 0, 5]"),
]  # fmt: skip


@pytest.mark.parametrize("shape, pad, mode, value, exc, message", ERRORS)
def test_errors_match_pytorch(shape, pad, mode, value, exc, message):
    with pytest.raises(exc) as info:
        F.pad(torch.zeros(shape), pad, mode=mode, value=value)
    assert str(info.value) == message


def test_bool_replicate_and_float_pad_are_refused():
    with pytest.raises(
        NotImplementedError, match="\"replication_pad1d\" not implemented for 'Bool'"
    ):
        F.pad(torch.zeros(2, 3, 4, dtype=torch.bool), (1, 1), mode="replicate")
    with pytest.raises(TypeError) as info:
        F.pad(torch.zeros(2, 3), (1, 2.5))
    assert str(info.value) == (
        "pad(): argument 'pad' failed to unpack the object at pos 2 with error "
        '"type must be tuple of ints,but got float"'
    )


REPRS = [
    (nn.ZeroPad1d(2), "ZeroPad1d((2, 2))"),
    (nn.ZeroPad2d((1, 2, 3, 4)), "ZeroPad2d((1, 2, 3, 4))"),
    (nn.ZeroPad3d(2), "ZeroPad3d((2, 2, 2, 2, 2, 2))"),
    (nn.ConstantPad1d(2, 3.5), "ConstantPad1d(padding=(2, 2), value=3.5)"),
    (nn.ConstantPad2d((1, 2, 3, 4), 3.5), "ConstantPad2d(padding=(1, 2, 3, 4), value=3.5)"),
    (nn.ConstantPad3d(2, 3.5), "ConstantPad3d(padding=(2, 2, 2, 2, 2, 2), value=3.5)"),
    (nn.ReflectionPad1d((1, 2)), "ReflectionPad1d((1, 2))"),
    (nn.ReflectionPad2d(2), "ReflectionPad2d((2, 2, 2, 2))"),
    (nn.ReflectionPad3d((1, 2, 3, 4, 5, 6)), "ReflectionPad3d((1, 2, 3, 4, 5, 6))"),
    (nn.ReplicationPad1d(2), "ReplicationPad1d((2, 2))"),
    (nn.ReplicationPad2d((1, 2, 3, 4)), "ReplicationPad2d((1, 2, 3, 4))"),
    (nn.ReplicationPad3d(2), "ReplicationPad3d((2, 2, 2, 2, 2, 2))"),
    (nn.CircularPad1d((1, 2)), "CircularPad1d((1, 2))"),
    (nn.CircularPad2d(2), "CircularPad2d((2, 2, 2, 2))"),
    (nn.CircularPad3d((1, 2, 3, 4, 5, 6)), "CircularPad3d((1, 2, 3, 4, 5, 6))"),
]


@pytest.mark.parametrize("layer, text", REPRS)
def test_layer_reprs(layer, text):
    assert repr(layer) == text


def test_layers_forward():
    x = np.random.default_rng(2).standard_normal((2, 3, 4, 5))
    t = torch.tensor(x)
    np.testing.assert_array_equal(nn.ReflectionPad2d((1, 2, 3, 0))(t).numpy(),
                                  numpy_pad(x, (1, 2, 3, 0), "reflect"))  # fmt: skip
    np.testing.assert_array_equal(nn.ReplicationPad1d(2)(t[0]).numpy(),
                                  numpy_pad(x[0], (2, 2), "replicate"))  # fmt: skip
    np.testing.assert_array_equal(
        nn.CircularPad2d(1)(t).numpy(), numpy_pad(x, (1,) * 4, "circular")
    )
    np.testing.assert_array_equal(nn.ConstantPad3d(1, -2.0)(t).numpy(),
                                  numpy_pad(x, (1,) * 6, "constant", -2.0))  # fmt: skip
    np.testing.assert_array_equal(nn.ZeroPad2d((0, 1, 2, 0))(t).numpy(),
                                  numpy_pad(x, (0, 1, 2, 0), "constant"))  # fmt: skip
