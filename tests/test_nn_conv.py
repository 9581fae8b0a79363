"""Convolutions: forward against a direct numpy sum over windows, gradients (gradcheck and
gradgradcheck in float64), the transposed convolution as the adjoint of the convolution,
node names, layers (shapes, init bounds, reprs) and PyTorch's error messages."""

from __future__ import annotations

import itertools
import math

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd import nn
from hypothesis import given, settings
from hypothesis import strategies as st


def ref_conv(x, w, b, stride, padding, dilation, groups):
    """Direct N-d convolution: every output element is a sum over its window (padding may be
    per dim (before, after))."""
    nd = x.ndim - 2
    pads = [(p, p) if isinstance(p, int) else p for p in padding]
    xp = np.pad(x, [(0, 0), (0, 0)] + pads)
    n, c_out = x.shape[0], w.shape[0]
    kernel = w.shape[2:]
    out_sp = [
        (xp.shape[2 + d] - dilation[d] * (kernel[d] - 1) - 1) // stride[d] + 1 for d in range(nd)
    ]
    out = np.zeros((n, c_out, *out_sp))
    cg_in, cg_out = w.shape[1], c_out // groups
    for o in range(c_out):
        g = o // cg_out
        for pos in itertools.product(*[range(s) for s in out_sp]):
            window = tuple(
                slice(pos[d] * stride[d], pos[d] * stride[d] + dilation[d] * (kernel[d] - 1) + 1,
                      dilation[d])
                for d in range(nd)
            )  # fmt: skip
            patch = xp[(slice(None), slice(g * cg_in, (g + 1) * cg_in), *window)]
            out[(slice(None), o, *pos)] = (patch * w[o]).reshape(n, -1).sum(1)
    if b is not None:
        out += b.reshape(1, -1, *([1] * nd))
    return out


@st.composite
def conv_cases(draw, nd=None, max_size=6):
    nd = draw(st.integers(1, 3)) if nd is None else nd
    groups = draw(st.integers(1, 2))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    kernel = [draw(st.integers(1, 3)) for _ in range(nd)]
    stride = [draw(st.integers(1, 2)) for _ in range(nd)]
    dilation = [draw(st.integers(1, 2)) for _ in range(nd)]
    padding = [draw(st.integers(0, 2)) for _ in range(nd)]
    size = [
        draw(st.integers(max(1, dilation[d] * (kernel[d] - 1) + 1 - 2 * padding[d]),
                         max(max_size, dilation[d] * (kernel[d] - 1) + 1)))
        for d in range(nd)
    ]  # fmt: skip
    batch = draw(st.integers(1, 2))
    bias = draw(st.booleans())
    return {
        "nd": nd,
        "groups": groups,
        "c_in": c_in,
        "c_out": c_out,
        "kernel": kernel,
        "stride": stride,
        "dilation": dilation,
        "padding": padding,
        "size": size,
        "batch": batch,
        "bias": bias,
    }


def conv_fn(nd):
    return {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]


def convt_fn(nd):
    return {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[nd]


def operands(case, rng, dtype=np.float64):
    x = rng.standard_normal((case["batch"], case["c_in"], *case["size"])).astype(dtype)
    w = rng.standard_normal(
        (case["c_out"], case["c_in"] // case["groups"], *case["kernel"])
    ).astype(dtype)
    b = rng.standard_normal(case["c_out"]).astype(dtype) if case["bias"] else None
    return x, w, b


@settings(max_examples=20)
@given(conv_cases())
def test_conv_forward_matches_numpy(case):
    x, w, b = operands(case, np.random.default_rng(0))
    args = (case["stride"], case["padding"], case["dilation"], case["groups"])
    out = conv_fn(case["nd"])(
        torch.tensor(x), torch.tensor(w), None if b is None else torch.tensor(b), *args
    )
    np.testing.assert_allclose(out.numpy(), ref_conv(x, w, b, *args), rtol=1e-10, atol=1e-10)


@settings(max_examples=8)
@given(conv_cases(max_size=4))
def test_conv_gradcheck_and_gradgradcheck(case):
    x, w, b = operands(case, np.random.default_rng(1))
    tensors = [
        torch.tensor(v, requires_grad=True) for v in (x, w) + ((b,) if b is not None else ())
    ]
    args = (case["stride"], case["padding"], case["dilation"], case["groups"])

    def f(*ts):
        return conv_fn(case["nd"])(ts[0], ts[1], ts[2] if len(ts) > 2 else None, *args)

    assert torch.autograd.gradcheck(f, tuple(tensors))
    assert torch.autograd.gradgradcheck(f, tuple(tensors))


@settings(max_examples=10)
@given(conv_cases(), st.data())
def test_conv_transpose_is_the_adjoint_of_conv(case, data):
    # <conv(x, w), y> == <x, conv_transpose(y, w)>, with output_padding giving back x's size.
    rng = np.random.default_rng(2)
    x, w, _ = operands(case, rng)
    args = (case["stride"], case["padding"], case["dilation"], case["groups"])
    y = conv_fn(case["nd"])(torch.tensor(x), torch.tensor(w), None, *args)
    g = rng.standard_normal(tuple(y.shape))
    k, s, p, d = case["kernel"], case["stride"], case["padding"], case["dilation"]
    base = [(y.shape[2 + i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + 1 for i in range(len(k))]
    output_padding = [case["size"][i] - base[i] for i in range(len(k))]
    # Rows of x that no window reads make output_padding >= stride; PyTorch refuses those.
    if any(op >= max(s[i], d[i]) for i, op in enumerate(output_padding)):
        return
    back = convt_fn(case["nd"])(
        torch.tensor(g), torch.tensor(w), None, s, p, output_padding, case["groups"], d
    )
    assert tuple(back.shape) == x.shape
    np.testing.assert_allclose((y.numpy() * g).sum(), (x * back.numpy()).sum(), rtol=1e-9)


@settings(max_examples=8)
@given(conv_cases(max_size=3), st.booleans())
def test_conv_transpose_gradcheck(case, with_bias):
    rng = np.random.default_rng(3)
    c_in, c_out, groups = case["c_in"], case["c_out"], case["groups"]
    x = torch.tensor(rng.standard_normal((case["batch"], c_in, *case["size"])), requires_grad=True)
    w = torch.tensor(
        rng.standard_normal((c_in, c_out // groups, *case["kernel"])), requires_grad=True
    )
    b = torch.tensor(rng.standard_normal(c_out), requires_grad=True)
    s, d = case["stride"], case["dilation"]
    # Padding below the window keeps the output non-empty.
    p = [min(case["padding"][i], d[i] * (case["kernel"][i] - 1) // 2) for i in range(len(s))]
    ts = (x, w, b) if with_bias else (x, w)

    def f(*ts):
        return convt_fn(case["nd"])(ts[0], ts[1], ts[2] if len(ts) > 2 else None, s, p, 0,
                                    groups, d)  # fmt: skip

    assert torch.autograd.gradcheck(f, ts)
    assert torch.autograd.gradgradcheck(f, ts)


def test_conv2d_hand_checked():
    # A 3x3 image of 1..9 with a 2x2 kernel of ones: each output is the sum of a 2x2 block.
    x = torch.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    out = F.conv2d(x, torch.ones(1, 1, 2, 2), torch.tensor([0.5]))
    assert out.tolist() == [[[[12.5, 16.5], [24.5, 28.5]]]]
    # conv_transpose2d of a single 1 with stride 2 places the kernel at the origin.
    k = torch.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    y = F.conv_transpose2d(torch.tensor([[[[1.0, 0.0]]]]), k, stride=2)
    assert y.tolist() == [[[[1.0, 2.0, 0.0, 0.0], [3.0, 4.0, 0.0, 0.0]]]]


def test_padding_strings_and_unbatched():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 7))
    for k, d in [(3, 1), (4, 1), (4, 3), (2, 2)]:
        w = rng.standard_normal((4, 3, k))
        out = F.conv1d(torch.tensor(x), torch.tensor(w), padding="same", dilation=d)
        total = d * (k - 1)  # the extra element of an odd total goes after the last
        ref = ref_conv(x, w, None, [1], [(total // 2, total - total // 2)], [d], 1)
        assert out.shape == (2, 4, 7)
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-10, atol=1e-12)
    w = rng.standard_normal((4, 3, 3))
    valid = F.conv1d(torch.tensor(x), torch.tensor(w), padding="valid")
    np.testing.assert_allclose(valid.numpy(), ref_conv(x, w, None, [1], [0], [1], 1), rtol=1e-10)
    single = F.conv1d(torch.tensor(x[0]), torch.tensor(w), stride=2)
    np.testing.assert_allclose(single.numpy(), ref_conv(x[:1], w, None, [2], [0], [1], 1)[0],
                               rtol=1e-10)  # fmt: skip


def test_dtypes():
    x = torch.randn(2, 3, 5, 5)
    w = torch.randn(4, 3, 3, 3)
    ref = F.conv2d(x.double(), w.double())
    assert F.conv2d(x, w).dtype == torch.float32
    np.testing.assert_allclose(F.conv2d(x, w).numpy(), ref.numpy(), rtol=1e-4, atol=1e-4)
    half = F.conv2d(x.half(), w.half())
    assert half.dtype == torch.float16
    np.testing.assert_allclose(half.float().numpy(), ref.numpy(), rtol=2e-2, atol=5e-2)
    xi, wi = torch.arange(16).reshape(1, 1, 4, 4), torch.ones(1, 1, 2, 2, dtype=torch.int64)
    assert F.conv2d(xi, wi).tolist() == [[[[10, 14, 18], [26, 30, 34], [42, 46, 50]]]]
    # Non-contiguous inputs are read in their logical order.
    xt = torch.randn(2, 5, 5, 3).permute(0, 3, 1, 2)
    np.testing.assert_allclose(F.conv2d(xt, w).numpy(), F.conv2d(xt.contiguous(), w).numpy())


def test_node_names():
    x = torch.randn(2, 3, 5, 5, requires_grad=True)
    w = torch.randn(4, 3, 3, 3, requires_grad=True)
    y = F.conv2d(x, w)
    assert type(y.grad_fn).__name__ == "ConvolutionBackward0"
    assert type(F.conv_transpose2d(y, w).grad_fn).__name__ == "ConvolutionBackward0"
    (gx,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    assert type(gx.grad_fn).__name__ == "ConvolutionBackwardBackward0"
    assert type(F.conv2d(x[0], w).grad_fn).__name__ == "SqueezeBackward1"
    assert torch.conv2d is F.conv2d


ERRORS = [
    # (call, message recorded from PyTorch)
    (lambda x, w: F.conv2d(x, torch.randn(6, 3, 3, 3)),
     "Given groups=1, weight of size [6, 3, 3, 3], expected input[2, 4, 5, 5] to have 3 channels, but got 4 channels instead"),
    (lambda x, w: F.conv2d(x, torch.randn(6, 4, 3, 3), groups=3),
     "Given groups=3, weight of size [6, 4, 3, 3], expected input[2, 4, 5, 5] to have 12 channels, but got 4 channels instead"),
    (lambda x, w: F.conv2d(x, torch.randn(6, 2, 3, 3), groups=4),
     "Given groups=4, expected weight to be divisible by 4 at dimension 0, but got weight of size [[6, 2, 3, 3]] instead"),
    (lambda x, w: F.conv2d(x, w, torch.randn(5)),
     "Given weight of size [6, 4, 3, 3], expected bias to be 1-dimensional with 6 elements, but got bias of size [5] instead"),
    (lambda x, w: F.conv2d(x, torch.randn(6, 4, 3)),
     "expected stride to be a single integer value or a list of 1 values to match the convolution dimensions, but got stride=[1, 1]"),
    (lambda x, w: F.conv2d(torch.randn(2, 2, 4, 5, 5), w),
     "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 2, 4, 5, 5]"),
    (lambda x, w: F.conv2d(x, torch.randn(6, 4, 7, 7)),
     "Calculated padded input size per channel: (5 x 5). Kernel size: (7 x 7). Kernel size can't be greater than actual input size"),
    (lambda x, w: F.conv2d(x, w, stride=0), "non-positive stride is not supported"),
    (lambda x, w: F.conv2d(x, w, padding=-1), "negative padding is not supported"),
    (lambda x, w: F.conv2d(x, w, dilation=0), "non-positive dilation is not supported"),
    (lambda x, w: F.conv2d(x, w, dilation=-1), "dilation should be greater than zero"),
    (lambda x, w: F.conv2d(x, w, groups=0), "non-positive groups is not supported"),
    (lambda x, w: F.conv2d(x, w, stride=2, padding="same"),
     "padding='same' is not supported for strided convolutions"),
    (lambda x, w: F.conv2d(x, w, padding="foo"), "Invalid padding string: 'foo'"),
    (lambda x, w: F.conv2d(x, w, padding=(1, 1, 1)),
     "expected padding to be a single integer value or a list of 2 values to match the convolution dimensions, but got padding=[1, 1, 1]"),
    (lambda x, w: F.conv2d(x, torch.randn(6, 4)), "weight should have at least three dimensions"),
    (lambda x, w: F.conv2d(x, torch.randn(0, 4, 3, 3)),
     "Given groups=1, expected weight to be at least 1 at dimension 0, but got weight of size [0, 4, 3, 3] instead"),
    (lambda x, w: F.conv2d(x.double(), w), "expected scalar type Double but found Float"),
    (lambda x, w: F.conv2d(x, w.double()),
     "Input type (torch.FloatTensor) and weight type (torch.DoubleTensor) should be the same or input should be a MKLDNN tensor and weight is a dense tensor"),
    (lambda x, w: F.conv2d(x, w, torch.randn(6).double()),
     "Input type (float) and bias type (double) should be the same"),
    (lambda x, w: F.conv_transpose2d(x, torch.randn(3, 3, 3, 3)),
     "Given transposed=1, weight of size [3, 3, 3, 3], expected input[2, 4, 5, 5] to have 3 channels, but got 4 channels instead"),
    (lambda x, w: F.conv_transpose2d(x, torch.randn(4, 3, 3, 3), output_padding=1),
     "output padding must be smaller than either stride or dilation, but got output_padding_height: 1 output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1"),
    (lambda x, w: F.conv_transpose2d(x, torch.randn(4, 3, 3, 3), bias=torch.randn(4)),
     "Given transposed=1, weight of size [4, 3, 3, 3], expected bias to be 1-dimensional with 3 elements, but got bias of size [4] instead"),
    (lambda x, w: F.conv_transpose2d(x, torch.randn(4, 3, 3, 3), output_padding=-1),
     "negative output_padding is not supported"),
    (lambda x, w: F.conv_transpose2d(torch.randn(5, 5), torch.randn(4, 3, 3, 3)),
     "Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: [5, 5]"),
]  # fmt: skip


@pytest.mark.parametrize("call, message", ERRORS)
def test_errors_match_pytorch(call, message):
    x, w = torch.randn(2, 4, 5, 5), torch.randn(6, 4, 3, 3)
    with pytest.raises(RuntimeError) as info:
        call(x, w)
    assert str(info.value) == message


def test_bool_is_not_implemented():
    with pytest.raises(NotImplementedError, match="\"slow_conv2d_cpu\" not implemented for 'Bool'"):
        F.conv2d(torch.ones(1, 1, 3, 3, dtype=torch.bool), torch.ones(1, 1, 2, 2, dtype=torch.bool))


# --- layers -------------------------------------------------------------------------------


REPRS = [
    (lambda: nn.Conv2d(1, 16, 3, padding=1),
     "Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"),
    (lambda: nn.Conv1d(4, 6, 3, padding="same"),
     "Conv1d(4, 6, kernel_size=(3,), stride=(1,), padding=same)"),
    (lambda: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding="valid", dilation=2, groups=2,
                       bias=False, padding_mode="reflect"),
     "Conv2d(4, 6, kernel_size=(3, 2), stride=(2, 1), padding=valid, dilation=(2, 2), groups=2, bias=False, padding_mode=reflect)"),
    (lambda: nn.Conv3d(4, 6, 3, padding=(1, 2, 3), padding_mode="circular"),
     "Conv3d(4, 6, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=(1, 2, 3), padding_mode=circular)"),
    (lambda: nn.ConvTranspose2d(16, 33, 3, stride=2),
     "ConvTranspose2d(16, 33, kernel_size=(3, 3), stride=(2, 2))"),
    (lambda: nn.ConvTranspose2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2),
                                output_padding=(1, 0), bias=False, dilation=2),
     "ConvTranspose2d(16, 33, kernel_size=(3, 5), stride=(2, 1), padding=(4, 2), dilation=(2, 2), output_padding=(1, 0), bias=False)"),
]  # fmt: skip


@pytest.mark.parametrize("make, text", REPRS)
def test_layer_reprs(make, text):
    assert repr(make()) == text


LAYER_ERRORS = [
    (lambda: nn.Conv1d(4, 6, 3, stride=2, padding="same"),
     "padding='same' is not supported for strided convolutions"),
    (lambda: nn.Conv2d(4, 6, 3, padding="foo"),
     "Invalid padding string 'foo', should be one of {'valid', 'same'}"),
    (lambda: nn.Conv2d(4, 6, 3, padding_mode="foo"),
     "padding_mode must be one of {'zeros', 'replicate', 'reflect', 'circular'}, but got padding_mode='foo'"),
    (lambda: nn.Conv2d(4, 6, 3, groups=0), "groups must be a positive integer"),
    (lambda: nn.Conv2d(4, 6, 3, groups=3), "in_channels must be divisible by groups"),
    (lambda: nn.Conv2d(3, 4, 3, groups=3), "out_channels must be divisible by groups"),
    (lambda: nn.ConvTranspose1d(16, 33, 3, padding_mode="reflect"),
     'Only "zeros" padding mode is supported for ConvTranspose1d'),
]  # fmt: skip


@pytest.mark.parametrize("make, message", LAYER_ERRORS)
def test_layer_errors(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value) == message


def test_layer_parameters_and_init():
    torch.manual_seed(0)
    m = nn.Conv2d(4, 8, 3, groups=2)
    assert tuple(m.weight.shape) == (8, 2, 3, 3) and tuple(m.bias.shape) == (8,)
    assert list(m.state_dict().keys()) == ["weight", "bias"]
    bound = 1 / math.sqrt(2 * 9)  # kaiming_uniform_(a=sqrt(5)) and the bias: 1/sqrt(fan_in)
    assert float(m.weight.abs().max()) <= bound and float(m.bias.abs().max()) <= bound
    assert float(m.weight.abs().max()) > 0.8 * bound
    t = nn.ConvTranspose2d(2, 4, 3, groups=2)
    assert tuple(t.weight.shape) == (2, 2, 3, 3)
    assert nn.Conv1d(2, 3, 2, bias=False).bias is None


def test_layer_forward_and_padding_modes():
    torch.manual_seed(1)
    x = torch.randn(2, 2, 5, 6, dtype=torch.float64)
    for mode in ["zeros", "reflect", "replicate", "circular"]:
        m = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode).double()
        np_mode = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
                   "circular": "wrap"}[mode]  # fmt: skip
        padded = np.pad(x.numpy(), [(0, 0), (0, 0), (1, 1), (2, 2)], mode=np_mode)
        ref = ref_conv(padded, m.weight.detach().numpy(), m.bias.detach().numpy(), [1, 1],
                       [0, 0], [1, 1], 1)  # fmt: skip
        np.testing.assert_allclose(m(x).detach().numpy(), ref, rtol=1e-10)
    same = nn.Conv1d(2, 2, 4, padding="same", padding_mode="reflect")
    assert tuple(same(torch.randn(1, 2, 9)).shape) == (1, 2, 9)


def test_conv_transpose_output_size():
    m = nn.ConvTranspose2d(4, 2, 3, stride=2)
    x = torch.randn(1, 4, 5, 5)
    assert tuple(m(x).shape) == (1, 2, 11, 11)
    assert tuple(m(x, output_size=[12, 12]).shape) == (1, 2, 12, 12)
    assert tuple(m(x, output_size=[1, 2, 12, 12]).shape) == (1, 2, 12, 12)
    assert tuple(m(x[0], output_size=[12, 12]).shape) == (2, 12, 12)
    with pytest.raises(ValueError) as info:
        m(x, output_size=[14, 12])
    assert str(info.value) == (
        "requested an output size of [14, 12], but valid sizes range from [11, 11] to "
        "[12, 12] (for an input of ferrograd.Size([5, 5]))"
    )
    with pytest.raises(ValueError) as info:
        m(x, output_size=[12])
    assert (
        str(info.value)
        == "ConvTranspose2D: for 4D input, output_size must have 2 or 4 elements (got 1)"
    )


def test_layer_backward_reaches_parameters():
    m = nn.Conv2d(2, 3, 3, padding=1)
    m(torch.randn(4, 2, 6, 6)).sum().backward()
    assert tuple(m.weight.grad.shape) == (3, 2, 3, 3)
    # The bias gradient of a sum is the number of output positions per channel.
    np.testing.assert_allclose(m.bias.grad.numpy(), np.full(3, 4 * 36.0))
