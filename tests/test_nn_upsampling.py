"""Upsampling: `interpolate` against PyTorch's source-index formulas and recorded values,
gradients, node names and messages; pixel (un)shuffle; the layers."""

from __future__ import annotations

import math

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd.autograd import gradcheck, gradgradcheck
from hypothesis import given, settings
from hypothesis import strategies as st

# ---------------------------------------------------------------- numpy reference


def source_ratio(n_in: int, n_out: int, align: bool, scale: float | None) -> float:
    if align:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / scale if scale else n_in / n_out


def cubic_weights(t: float) -> list[float]:
    a = -0.75
    near = lambda x: ((a + 2) * x - (a + 3)) * x * x + 1
    far = lambda x: ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def axis_matrix(mode: str, n_in: int, n_out: int, align: bool, scale: float | None) -> np.ndarray:
    """M with out = M @ in along one axis, from PyTorch's source-index formulas."""
    m = np.zeros((n_out, n_in))
    ratio = source_ratio(n_in, n_out, align, scale)
    for o in range(n_out):
        if mode == "nearest":
            m[o, min(math.floor(o * ratio), n_in - 1)] = 1
        elif mode == "nearest-exact":
            m[o, min(math.floor((o + 0.5) * ratio), n_in - 1)] = 1
        elif mode == "linear":
            src = ratio * o if align else max(ratio * (o + 0.5) - 0.5, 0.0)
            i0 = math.floor(src)
            i1 = min(i0 + 1, n_in - 1)
            m[o, i0] += 1 - (src - i0)
            m[o, i1] += src - i0
        else:  # cubic: taps i-1 .. i+2, clamped at the borders
            src = ratio * o if align else ratio * (o + 0.5) - 0.5
            i0 = math.floor(src)
            for k, w in enumerate(cubic_weights(src - i0)):
                m[o, min(max(i0 - 1 + k, 0), n_in - 1)] += w
    return m


def np_interpolate(x, sizes, mode, align=False, scales=None):
    out = x
    for d, n_out in enumerate(sizes):
        axis = 2 + d
        scale = scales[d] if scales else None
        m = axis_matrix(mode, x.shape[axis], n_out, align, scale)
        out = np.moveaxis(np.tensordot(m, np.moveaxis(out, axis, 0), axes=1), 0, axis)
    return out


MODES = {
    1: ["nearest", "nearest-exact", "linear"],
    2: ["nearest", "nearest-exact", "bilinear", "bicubic"],
    3: ["nearest", "nearest-exact", "trilinear"],
}


@st.composite
def resize_case(draw):
    rank = draw(st.integers(1, 3))
    mode = draw(st.sampled_from(MODES[rank]))
    spatial = [draw(st.integers(1, 5)) for _ in range(rank)]
    align = draw(st.booleans()) if mode not in ("nearest", "nearest-exact") else None
    if draw(st.booleans()):
        sizes = [draw(st.integers(1, 7)) for _ in range(rank)]
        return [1, 2, *spatial], mode, align, sizes, None
    scale = draw(st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]))
    sizes = [math.floor(s * scale) for s in spatial]
    if min(sizes) < 1:
        scale = 2.0
        sizes = [2 * s for s in spatial]
    return [1, 2, *spatial], mode, align, sizes, scale


@settings(max_examples=20)
@given(case=resize_case())
def test_interpolate_matches_source_index_formulas(case):
    shape, mode, align, sizes, scale = case
    x = np.random.default_rng(0).standard_normal(shape)
    kind = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    if scale is None:
        got = F.interpolate(torch.tensor(x), size=sizes, mode=mode, align_corners=align)
        want = np_interpolate(x, sizes, kind, bool(align))
    else:
        got = F.interpolate(torch.tensor(x), scale_factor=scale, mode=mode, align_corners=align)
        want = np_interpolate(x, sizes, kind, bool(align), [scale] * len(sizes))
    np.testing.assert_allclose(got.numpy(), want, atol=1e-12)


@settings(max_examples=8)
@given(case=resize_case())
def test_interpolate_gradients(case):
    shape, mode, align, sizes, _ = case
    x = torch.tensor(np.random.default_rng(1).standard_normal(shape), requires_grad=True)
    fn = lambda t: F.interpolate(t, size=sizes, mode=mode, align_corners=align)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_values_recorded_from_pytorch():
    line = torch.arange(3.0).view(1, 1, 3)
    np.testing.assert_allclose(
        F.interpolate(line, size=5, mode="linear").numpy(), [[[0.0, 0.4, 1.0, 1.6, 2.0]]], atol=1e-6
    )
    assert F.interpolate(line, size=5, mode="linear", align_corners=True).tolist() == [
        [[0.0, 0.5, 1.0, 1.5, 2.0]]
    ]
    assert F.interpolate(line, size=5).tolist() == [[[0.0, 0.0, 1.0, 1.0, 2.0]]]
    assert F.interpolate(line, size=5, mode="nearest-exact").tolist() == [
        [[0.0, 0.0, 1.0, 2.0, 2.0]]
    ]
    square = torch.arange(4.0).view(1, 1, 2, 2)
    np.testing.assert_allclose(
        F.interpolate(square, scale_factor=2, mode="bicubic").numpy()[0, 0],
        [[-0.3164, 0.0156, 0.5625, 0.8945], [0.3477, 0.6797, 1.2266, 1.5586],
         [1.4414, 1.7734, 2.3203, 2.6523], [2.1055, 2.4375, 2.9844, 3.3164]],
        atol=1e-4,
    )  # fmt: skip
    # The scale factor, not the size ratio, places the samples unless told to recompute.
    np.testing.assert_allclose(
        F.interpolate(square, scale_factor=1.7, mode="bilinear").numpy()[0, 0],
        [[0.0, 0.3824, 0.9706], [0.7647, 1.1471, 1.7353], [1.9412, 2.3235, 2.9118]],
        atol=1e-4,
    )
    again = F.interpolate(square, scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)
    assert again.tolist() == [[[[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]]]]


def test_node_names_match_pytorch():
    x1 = torch.randn(1, 1, 3, requires_grad=True)
    x2 = torch.randn(1, 1, 3, 3, requires_grad=True)
    x3 = torch.randn(1, 1, 2, 2, 2, requires_grad=True)
    name = lambda t: type(t.grad_fn).__name__
    assert name(F.interpolate(x2, scale_factor=2)) == "UpsampleNearest2DBackward0"
    assert (
        name(F.interpolate(x2, scale_factor=2, mode="nearest-exact"))
        == "UpsampleNearestExact2DBackward0"
    )
    assert name(F.interpolate(x2, scale_factor=2, mode="bilinear")) == "UpsampleBilinear2DBackward0"
    assert name(F.interpolate(x2, scale_factor=2, mode="bicubic")) == "UpsampleBicubic2DBackward0"
    assert name(F.interpolate(x1, scale_factor=2, mode="linear")) == "UpsampleLinear1DBackward0"
    assert name(F.interpolate(x1, scale_factor=2)) == "UpsampleNearest1DBackward0"
    assert name(F.interpolate(x3, scale_factor=2)) == "UpsampleNearest3DBackward0"
    assert (
        name(F.interpolate(x3, scale_factor=2, mode="trilinear")) == "UpsampleTrilinear3DBackward0"
    )
    y = F.interpolate(x2, scale_factor=2, mode="bilinear")
    (g,) = torch.autograd.grad(y, x2, torch.ones_like(y, requires_grad=True), create_graph=True)
    assert name(g) == "UpsampleBilinear2DBackwardBackward0"


ERRORS = [
    # (call, exception, message) recorded from PyTorch.
    (lambda x: F.interpolate(x, size=2, scale_factor=2), ValueError,
     "only one of size or scale_factor should be defined"),
    (lambda x: F.interpolate(x), ValueError, "either size or scale_factor should be defined"),
    (lambda x: F.interpolate(x, size=2, align_corners=True), ValueError,
     "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"),
    (lambda x: F.interpolate(x, size=(2,)), ValueError,
     "Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [4, 4] and output size of (2,). Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format."),
    (lambda x: F.interpolate(x, size=2, recompute_scale_factor=True), ValueError,
     "recompute_scale_factor is not meaningful with an explicit size."),
    (lambda x: F.interpolate(x, size=2, mode="linear"), NotImplementedError,
     "Got 4D input, but linear mode needs 3D input"),
    (lambda x: F.interpolate(x, size=2, mode="bogus"), NotImplementedError,
     "Input Error: Only 3D, 4D and 5D input Tensors supported (got 4D) for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got bogus)"),
    (lambda x: F.interpolate(x, size=0), RuntimeError,
     "Input and output sizes should be greater than 0, but got input (H: 4, W: 4) output (H: 0, W: 0)"),
    (lambda x: F.interpolate(x.long(), size=2), NotImplementedError,
     "\"upsample_nearest2d_channels_last\" not implemented for 'Long'"),
    (lambda x: F.pixel_shuffle(x[:, :1, :3, :3].expand(1, 3, 3, 3), 2), RuntimeError,
     "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=3 is not divisible by 4"),
    (lambda x: F.pixel_unshuffle(x[:, :, :3, :3], 2), RuntimeError,
     "pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=3 is not divisible by 2"),
    (lambda x: F.pixel_shuffle(x[0, 0], 2), RuntimeError,
     "pixel_shuffle expects input to have at least 3 dimensions, but got input with 2 dimension(s)"),
    (lambda x: F.pixel_shuffle(x, 0), RuntimeError, "pixel_shuffle expects a positive upscale_factor, but got 0"),
]  # fmt: skip


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_pytorch(case):
    call, exc, message = ERRORS[case]
    with pytest.raises(exc) as info:
        call(torch.randn(1, 1, 4, 4))
    assert str(info.value) == message


# ---------------------------------------------------------------- pixel shuffle


def test_pixel_shuffle_moves_channel_groups_into_blocks():
    # Channels c*r^2 + i*r + j go to pixel (h*r + i, w*r + j) of channel c.
    x = np.arange(2 * 8 * 2 * 3, dtype=np.float64).reshape(2, 8, 2, 3)
    got = F.pixel_shuffle(torch.tensor(x), 2).numpy()
    want = np.zeros((2, 2, 4, 6))
    for b, c, h, w, i, j in np.ndindex(2, 2, 2, 3, 2, 2):
        want[b, c, h * 2 + i, w * 2 + j] = x[b, c * 4 + i * 2 + j, h, w]
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(F.pixel_unshuffle(torch.tensor(got), 2).numpy(), x)
    t = torch.tensor(x[:1, :4], requires_grad=True)
    assert gradcheck(lambda a: F.pixel_shuffle(a, 2), (t,))


# ---------------------------------------------------------------- layers


def test_layer_reprs_recorded_from_pytorch():
    nn = torch.nn
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(nn.Upsample(size=4, mode="bilinear")) == "Upsample(size=4, mode='bilinear')"
    assert (
        repr(nn.UpsamplingNearest2d(scale_factor=2))
        == "UpsamplingNearest2d(scale_factor=2.0, mode='nearest')"
    )
    assert repr(nn.UpsamplingBilinear2d(size=3)) == "UpsamplingBilinear2d(size=3, mode='bilinear')"
    assert repr(nn.PixelShuffle(2)) == "PixelShuffle(upscale_factor=2)"
    assert repr(nn.PixelUnshuffle(2)) == "PixelUnshuffle(downscale_factor=2)"


def test_layers_call_interpolate():
    nn = torch.nn
    x = torch.arange(4.0).view(1, 1, 2, 2)
    assert nn.Upsample(scale_factor=2)(x).tolist() == F.interpolate(x, scale_factor=2).tolist()
    # UpsamplingBilinear2d aligns corners: the corners of the output are the input's.
    y = nn.UpsamplingBilinear2d(size=3)(x)
    assert y.tolist() == [[[[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]]]]
    assert nn.PixelUnshuffle(2)(nn.PixelShuffle(2)(torch.ones(1, 4, 1, 1))).shape == (1, 4, 1, 1)
