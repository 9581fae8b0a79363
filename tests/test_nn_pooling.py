"""Pooling: max, average, adaptive, LP pooling and max unpooling against numpy window loops,
gradients by finite differences, and PyTorch's indices, node names and messages."""

from __future__ import annotations

import itertools
import math

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd.autograd import gradcheck, gradgradcheck
from hypothesis import given, settings
from hypothesis import strategies as st

# ---------------------------------------------------------------- numpy references


def out_size(size: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """PyTorch's output size; in ceil mode the last window must start inside input or left pad."""
    span = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    out = span // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def window_taps(o: int, size: int, k: int, s: int, p: int, d: int) -> list[int]:
    return [o * s - p + j * d for j in range(k) if 0 <= o * s - p + j * d < size]


def np_max_pool(x, k, s, p, d, ceil):
    """Window loops over the last len(k) dims; the first maximum wins, a NaN takes over."""
    n = len(k)
    spatial = x.shape[-n:]
    outs = [out_size(spatial[i], k[i], s[i], p[i], d[i], ceil) for i in range(n)]
    planes = x.reshape(-1, *spatial)
    vals = np.zeros((planes.shape[0], *outs), x.dtype)
    idx = np.zeros((planes.shape[0], *outs), np.int64)
    for b in range(planes.shape[0]):
        for o in itertools.product(*[range(m) for m in outs]):
            taps = [window_taps(o[i], spatial[i], k[i], s[i], p[i], d[i]) for i in range(n)]
            best, best_at = None, None
            for pos in itertools.product(*taps):
                v = planes[b][pos]
                if best is None or v > best or math.isnan(v):
                    best, best_at = v, int(np.ravel_multi_index(pos, spatial))
            vals[(b, *o)], idx[(b, *o)] = best, best_at
    lead = x.shape[:-n]
    return vals.reshape(*lead, *outs), idx.reshape(*lead, *outs)


def np_avg_pool(x, k, s, p, ceil, include_pad, divisor=None):
    n = len(k)
    spatial = x.shape[-n:]
    outs = [out_size(spatial[i], k[i], s[i], p[i], 1, ceil) for i in range(n)]
    planes = x.reshape(-1, *spatial)
    out = np.zeros((planes.shape[0], *outs), x.dtype)
    for b in range(planes.shape[0]):
        for o in itertools.product(*[range(m) for m in outs]):
            taps = [window_taps(o[i], spatial[i], k[i], s[i], p[i], 1) for i in range(n)]
            total = sum(planes[b][pos] for pos in itertools.product(*taps))
            if include_pad:
                # The window counts the padding, but not beyond its edge.
                count = math.prod(
                    min(o[i] * s[i] - p[i] + k[i], spatial[i] + p[i]) - (o[i] * s[i] - p[i])
                    for i in range(n)
                )
            else:
                count = math.prod(len(t) for t in taps)
            out[(b, *o)] = total / (divisor or count) if count else 0
    return out.reshape(*x.shape[:-n], *outs)


def adaptive_windows(size: int, out: int) -> list[range]:
    return [range(o * size // out, -(-(o + 1) * size // out)) for o in range(out)]


def np_adaptive(x, outs, reduce):
    n = len(outs)
    spatial = x.shape[-n:]
    planes = x.reshape(-1, *spatial)
    res = np.zeros((planes.shape[0], *outs), x.dtype)
    wins = [adaptive_windows(spatial[i], outs[i]) for i in range(n)]
    for b in range(planes.shape[0]):
        for o in itertools.product(*[range(m) for m in outs]):
            region = planes[b][
                tuple(slice(w[o[i]].start, w[o[i]].stop) for i, w in enumerate(wins))
            ]
            res[(b, *o)] = reduce(region)
    return res.reshape(*x.shape[:-n], *outs)


# ---------------------------------------------------------------- strategies


@st.composite
def pool_case(draw, n: int, dilation: bool = True):
    k = [draw(st.integers(1, 3)) for _ in range(n)]
    s = [draw(st.integers(1, 3)) for _ in range(n)]
    d = [draw(st.integers(1, 2)) if dilation else 1 for _ in range(n)]
    # max_pool1d bounds the padding by half the kernel, the others by half the dilated kernel.
    half = [k[i] // 2 if n == 1 else ((k[i] - 1) * d[i] + 1) // 2 for i in range(n)]
    p = [draw(st.integers(0, half[i])) for i in range(n)]
    ceil = draw(st.booleans())
    spatial = [draw(st.integers((k[i] - 1) * d[i] + 1, 6)) for i in range(n)]
    batched = draw(st.booleans())
    shape = ([2] if batched else []) + [draw(st.integers(1, 2))] + spatial
    return shape, k, s, p, d, ceil


def distinct(shape, seed=0, dtype=np.float64):
    """Values without ties (max pooling is differentiable away from ties)."""
    rng = np.random.default_rng(seed)
    return rng.permutation(int(np.prod(shape))).reshape(shape).astype(dtype) / 7.0


MAX_POOLS = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG_POOLS = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}

# ---------------------------------------------------------------- max pooling


@pytest.mark.parametrize("n", [1, 2, 3])
@settings(max_examples=12)
@given(data=st.data())
def test_max_pool_matches_window_loops(n, data):
    shape, k, s, p, d, ceil = data.draw(pool_case(n))
    x = np.random.default_rng(1).integers(-3, 3, shape).astype(np.float32)  # many ties
    want_v, want_i = np_max_pool(x, k, s, p, d, ceil)
    v, i = MAX_POOLS[n](torch.tensor(x), k, s, p, d, ceil, return_indices=True)
    np.testing.assert_array_equal(v.numpy(), want_v)
    np.testing.assert_array_equal(i.numpy(), want_i)
    assert i.dtype == torch.int64


@pytest.mark.parametrize("n", [1, 2, 3])
@settings(max_examples=6)
@given(data=st.data())
def test_max_pool_gradients(n, data):
    shape, k, s, p, d, ceil = data.draw(pool_case(n))
    x = torch.tensor(distinct(shape), requires_grad=True)
    fn = lambda t: MAX_POOLS[n](t, k, s, p, d, ceil)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_max_pool_ties_nan_and_padding_match_pytorch():
    # Recorded from PyTorch: ties keep the first maximum, the last NaN wins, and a window of
    # -inf (padding is never a candidate) points at its first tap inside the input.
    v, i = F.max_pool2d(torch.tensor([[[[1.0, 1.0], [1.0, 1.0]]]]), 2, return_indices=True)
    assert v.tolist() == [[[[1.0]]]] and i.tolist() == [[[[0]]]]
    nan = float("nan")
    v, i = F.max_pool2d(torch.tensor([[[[1.0, nan], [nan, 2.0]]]]), 2, return_indices=True)
    assert math.isnan(v.item()) and i.tolist() == [[[[2]]]]
    v, i = F.max_pool2d(torch.full((1, 1, 3, 3), -math.inf), 2, padding=1, return_indices=True)
    assert i.tolist() == [[[[0, 1], [3, 4]]]]


def test_max_pool_integer_inputs_and_non_contiguous_views():
    x = torch.tensor([[[[-5, -3], [-2, -4]]]])
    assert F.max_pool2d(x, 2).tolist() == [[[[-2]]]]
    base = torch.arange(32.0).reshape(1, 2, 4, 4)
    view = base.transpose(2, 3)
    assert F.max_pool2d(view, 2).tolist() == F.max_pool2d(view.contiguous(), 2).tolist()


def test_max_pool_backward_sends_gradient_to_the_maximum():
    # [[0, 1], [2, 3]] pooled whole: only the 3 receives the gradient.
    x = torch.arange(4.0).reshape(1, 1, 2, 2).requires_grad_()
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[0.0, 0.0], [0.0, 1.0]]]]
    # Overlapping windows (stride 1) add up at a shared maximum.
    y = torch.tensor([[[1.0, 5.0, 2.0]]], requires_grad=True)
    F.max_pool1d(y, 2, 1).sum().backward()
    assert y.grad.tolist() == [[[0.0, 2.0, 0.0]]]


# ---------------------------------------------------------------- average pooling


@pytest.mark.parametrize("n", [1, 2, 3])
@settings(max_examples=12)
@given(data=st.data(), include_pad=st.booleans())
def test_avg_pool_matches_window_loops(n, data, include_pad):
    shape, k, s, p, _, ceil = data.draw(pool_case(n, dilation=False))
    x = np.random.default_rng(2).standard_normal(shape)
    got = AVG_POOLS[n](torch.tensor(x), k, s, p, ceil, include_pad)
    np.testing.assert_allclose(got.numpy(), np_avg_pool(x, k, s, p, ceil, include_pad), atol=1e-12)


@settings(max_examples=8)
@given(data=st.data(), divisor=st.integers(1, 5))
def test_avg_pool_divisor_override(data, divisor):
    shape, k, s, p, _, ceil = data.draw(pool_case(2, dilation=False))
    x = np.random.default_rng(3).standard_normal(shape)
    got = F.avg_pool2d(torch.tensor(x), k, s, p, ceil, True, divisor)
    np.testing.assert_allclose(got.numpy(), np_avg_pool(x, k, s, p, ceil, True, divisor))


@pytest.mark.parametrize("n", [1, 2, 3])
@settings(max_examples=6)
@given(data=st.data(), include_pad=st.booleans())
def test_avg_pool_gradients(n, data, include_pad):
    shape, k, s, p, _, ceil = data.draw(pool_case(n, dilation=False))
    x = torch.tensor(np.random.default_rng(4).standard_normal(shape), requires_grad=True)
    fn = lambda t: AVG_POOLS[n](t, k, s, p, ceil, include_pad)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_avg_pool_hand_cases_recorded_from_pytorch():
    # A 4x4 of ones, 3x3 windows at stride 3 with padding 1 in ceil mode: counting the padding,
    # each window holds 4 ones over 9 places.
    ones = torch.ones(1, 1, 4, 4)
    got = F.avg_pool2d(ones, 3, stride=3, padding=1, ceil_mode=True, count_include_pad=True)
    np.testing.assert_allclose(got.numpy(), np.full((1, 1, 2, 2), 4 / 9), rtol=1e-6)
    got = F.avg_pool2d(ones, 3, stride=3, padding=1, ceil_mode=True, count_include_pad=False)
    assert got.tolist() == [[[[1.0, 1.0], [1.0, 1.0]]]]
    # Integer (int64) average truncates toward zero: (-5 - 3 - 2 - 4) / 4 = -3.5 -> -3.
    assert F.avg_pool2d(torch.tensor([[[[-5, -3], [-2, -4]]]]), 2).tolist() == [[[[-3]]]]


# ---------------------------------------------------------------- adaptive pooling


@pytest.mark.parametrize("n", [1, 2, 3])
@settings(max_examples=10)
@given(data=st.data())
def test_adaptive_pools_match_start_end_formula(n, data):
    spatial = [data.draw(st.integers(1, 7)) for _ in range(n)]
    outs = [data.draw(st.integers(1, 8)) for _ in range(n)]
    shape = [2, 2, *spatial]
    x = distinct(shape, seed=5)
    avg = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}[n]
    mx = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}[n]
    size = outs[0] if n == 1 else outs
    np.testing.assert_allclose(avg(torch.tensor(x), size).numpy(), np_adaptive(x, outs, np.mean))
    np.testing.assert_array_equal(mx(torch.tensor(x), size).numpy(), np_adaptive(x, outs, np.max))
    t = torch.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: avg(a, size), (t,))
    assert gradgradcheck(lambda a: mx(a, size), (t,))


def test_adaptive_output_size_none_and_indices():
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    assert F.adaptive_avg_pool2d(x, (None, 2)).shape == (1, 1, 4, 2)
    _, i = F.adaptive_max_pool2d(x, 2, return_indices=True)
    assert i.tolist() == [[[[5, 7], [13, 15]]]]
    # An output of ones is the mean, recorded as PyTorch does.
    y = F.adaptive_avg_pool2d(x.requires_grad_(), 1)
    assert type(y.grad_fn).__name__ == "MeanBackward1"
    assert y.item() == 7.5


# ---------------------------------------------------------------- LP pooling and unpooling


def test_lp_pool_is_the_p_norm_of_each_window():
    x = np.random.default_rng(6).uniform(0.5, 2.0, (1, 2, 4, 4))
    got = F.lp_pool2d(torch.tensor(x), 3, 2).numpy()
    want = np_avg_pool(x**3, [2, 2], [2, 2], [0, 0], False, True) * 4
    np.testing.assert_allclose(got, want ** (1 / 3))
    got = F.lp_pool1d(torch.tensor(x[0]), 2, 2).numpy()
    np.testing.assert_allclose(got, np.sqrt((x[0].reshape(2, 4, 2, 2) ** 2).sum(-1)))
    # Recorded from PyTorch: sqrt(1 + 4) = 2.2361, sqrt(9 + 16) = 5, ...
    small = torch.tensor([[1.0, 2, 3, 4], [5, 6, 7, 8]])
    np.testing.assert_allclose(
        F.lp_pool1d(small, 2, 2).numpy(), [[2.2361, 5.0], [7.8102, 10.6301]], atol=1e-4
    )
    np.testing.assert_allclose(
        F.lp_pool2d(small[None], 3, 2).numpy(), [[[7.0473, 9.8167]]], atol=1e-4
    )
    with pytest.raises(ValueError, match="norm_type must be a non-zero value, but got 0"):
        F.lp_pool2d(torch.tensor(x), 0, 2)
    t = torch.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: F.lp_pool2d(a, 2, 2, 1), (t,))


def test_max_unpool_inverts_max_pool():
    x = torch.tensor(distinct((1, 1, 4, 4)))
    v, i = F.max_pool2d(x, 2, return_indices=True)
    out = F.max_unpool2d(v, i, 2)
    want = np.zeros(16)
    want[i.numpy().ravel()] = v.numpy().ravel()
    np.testing.assert_array_equal(out.numpy().ravel(), want)
    assert F.max_unpool2d(v, i, 2, output_size=(5, 5)).shape == (1, 1, 5, 5)
    v1, i1 = F.max_pool1d(x[0, 0], 2, return_indices=True)
    assert F.max_unpool1d(v1, i1, 2).shape == (4, 4)
    vt = v.clone().requires_grad_()
    assert gradcheck(lambda a: F.max_unpool2d(a, i, 2), (vt,))
    assert type(F.max_unpool2d(vt, i, 2).grad_fn).__name__ == "MaxUnpool2DBackward0"
    with pytest.raises(
        ValueError, match=r'invalid output_size "\(9, 9\)" \(dim 0 must be between 2 and 6\)'
    ):
        F.max_unpool2d(v, i, 2, output_size=(9, 9))
    with pytest.raises(
        RuntimeError, match=r"Found an invalid max index: 107 \(output volumes are of size 4x4\)"
    ):
        F.max_unpool2d(v, torch.tensor([[[[0, 1], [107, 3]]]]), 2)
    with pytest.raises(RuntimeError, match="elements in indices should be type int64 but got: Int"):
        F.max_unpool2d(v, i.int(), 2)


# ---------------------------------------------------------------- node names and messages


def test_node_names_match_pytorch():
    x2 = torch.randn(1, 2, 4, 4, requires_grad=True)
    x1 = torch.randn(1, 2, 4, requires_grad=True)
    x3 = torch.randn(1, 1, 4, 4, 4, requires_grad=True)
    name = lambda t: type(t.grad_fn).__name__
    assert name(F.max_pool2d(x2, 2)) == "MaxPool2DWithIndicesBackward0"
    assert name(F.max_pool3d(x3, 2)) == "MaxPool3DWithIndicesBackward0"
    assert name(F.avg_pool2d(x2, 2)) == "AvgPool2DBackward0"
    assert name(F.avg_pool3d(x3, 2)) == "AvgPool3DBackward0"
    assert name(F.adaptive_avg_pool2d(x2, 3)) == "AdaptiveAvgPool2DBackward0"
    assert name(F.adaptive_max_pool2d(x2, 3)) == "AdaptiveMaxPool2DBackward0"
    assert name(F.adaptive_avg_pool3d(x3, 3)) == "AdaptiveAvgPool3DBackward0"
    y = F.max_pool1d(x1, 2)
    assert name(y) == "SqueezeBackward1"
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "MaxPool2DWithIndicesBackward0"
    g = torch.ones(1, 2, 2, 2, requires_grad=True)
    (gx,) = torch.autograd.grad(F.max_pool2d(x2, 2), x2, g, create_graph=True)
    assert name(gx) == "MaxPool2DWithIndicesBackwardBackward0"
    (gx,) = torch.autograd.grad(F.avg_pool2d(x2, 2), x2, g, create_graph=True)
    assert name(gx) == "AvgPool2DBackwardBackward0"


ERRORS = [
    # (call, exception, message) recorded from PyTorch.
    (
        lambda x: F.max_pool2d(x, 2, padding=2),
        RuntimeError,
        "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1",
    ),
    (
        lambda x: F.max_pool2d(x, 6),
        RuntimeError,
        "Given input size: (3x5x5). Calculated output size: (3x0x0). Output size is too small",
    ),
    (
        lambda x: F.max_pool2d(x[0, 0], 2),
        RuntimeError,
        "non-empty 3D or 4D (batch mode) tensor expected for input",
    ),
    (
        lambda x: F.max_pool2d(x[:, :0], 2),
        RuntimeError,
        "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[2, 0, 5, 5]",
    ),
    (
        lambda x: F.max_pool2d(x, 0, 1),
        RuntimeError,
        "kernel size should be greater than zero, but got kH: 0 kW: 0",
    ),
    (lambda x: F.max_pool2d(x, 0), RuntimeError, "stride should not be zero"),
    (
        lambda x: F.max_pool2d(x, 2, -1),
        RuntimeError,
        "stride should be greater than zero, but got dH: -1 dW: -1",
    ),
    (
        lambda x: F.max_pool2d(x, 2, dilation=0),
        RuntimeError,
        "dilation should be greater than zero, but got dilationH: 0 dilationW: 0",
    ),
    (
        lambda x: F.max_pool2d(x, (2, 2, 2)),
        RuntimeError,
        "max_pool2d: kernel_size must either be a single int, or a tuple of two ints",
    ),
    (
        lambda x: F.max_pool2d(x, 2, (2, 2, 2)),
        RuntimeError,
        "max_pool2d: stride must either be omitted, a single int, or a tuple of two ints",
    ),
    (
        lambda x: F.max_pool2d(x, 2, padding=-1),
        RuntimeError,
        "pad must be non-negative, but got pad: -1",
    ),
    (
        lambda x: F.max_pool2d(x > 0, 2),
        NotImplementedError,
        "\"max_pool2d\" not implemented for 'Bool'",
    ),
    (
        lambda x: F.max_pool2d(x, 2.5),
        TypeError,
        "max_pool2d(): argument 'kernel_size' (position 2) must be tuple of ints, not float",
    ),
    (lambda x: F.avg_pool2d(x, 2, divisor_override=0), RuntimeError, "divisor must be not zero"),
    (
        lambda x: F.avg_pool2d(x[0, 0], 2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got -3)",
    ),
    (
        lambda x: F.avg_pool2d(x.int(), 2),
        NotImplementedError,
        "\"avg_pool2d\" not implemented for 'Int'",
    ),
    (
        lambda x: F.avg_pool3d(x, 5),
        RuntimeError,
        "input image (T: 3 H: 5 W: 5) smaller than kernel size (kT: 5 kH: 5 kW: 5)",
    ),
    (
        lambda x: F.avg_pool3d(x, 2, (2, 2)),
        RuntimeError,
        "avg_pool3d: stride must be omitted, a single int, or a tuple of three ints",
    ),
    (
        lambda x: F.max_pool1d(x[0], 2, padding=2),
        RuntimeError,
        "max_pool1d() padding should be at most half of kernel size, but got padding=2 and kernel_size=2",
    ),
    (
        lambda x: F.max_pool1d(x[0, 0, 0], 2),
        RuntimeError,
        "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:[5]",
    ),
    (lambda x: F.max_pool1d(x[0], 6), RuntimeError, "max_pool1d() Invalid computed output size: 0"),
    (
        lambda x: F.avg_pool1d(x[0, 0, 0], 2),
        RuntimeError,
        "Expected 2 to 3 dimensions, but got 1-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)",
    ),
    (
        lambda x: F.avg_pool1d(x[0], (2, 2)),
        RuntimeError,
        "avg_pool1d() argument 'kernel_size' should contain one int (got 2)",
    ),
    (
        lambda x: F.adaptive_avg_pool2d(x, (2, 2, 2)),
        RuntimeError,
        "adaptive_avg_pool2d: output_size must be 2",
    ),
    (
        lambda x: F.adaptive_avg_pool2d(x, -1),
        RuntimeError,
        "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {-1, -1}",
    ),
    (
        lambda x: F.adaptive_avg_pool2d(x[:, :, :0], 2),
        RuntimeError,
        "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [2, 3, 0, 5] with dimension 2 being empty",
    ),
    (
        lambda x: F.adaptive_max_pool2d(x[0, 0], 2),
        RuntimeError,
        "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: [5, 5]",
    ),
    (
        lambda x: F.adaptive_max_pool2d(x.long(), 2),
        NotImplementedError,
        "\"adaptive_max_pool2d\" not implemented for 'Long'",
    ),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_pytorch(case):
    call, exc, message = ERRORS[case]
    x = torch.randn(2, 3, 5, 5)
    with pytest.raises(exc) as info:
        call(x)
    assert str(info.value) == message


def test_top_level_names():
    x = torch.arange(8.0).reshape(1, 2, 4)
    assert torch.max_pool1d(x, 2).tolist() == [[[1.0, 3.0], [5.0, 7.0]]]
    assert torch.avg_pool1d(x, 2).tolist() == [[[0.5, 2.5], [4.5, 6.5]]]
    assert torch.adaptive_avg_pool1d(x, 1).tolist() == [[[1.5], [5.5]]]
    _, i = torch.adaptive_max_pool1d(x, 2)
    assert i.tolist() == [[[1, 3], [1, 3]]]
    assert torch.max_pool2d(x.unsqueeze(0), 2).shape == (1, 1, 1, 2)


# ---------------------------------------------------------------- layers

LAYER_REPRS = [
    # (layer, repr) recorded from PyTorch.
    (
        lambda nn: nn.MaxPool1d(2),
        "MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
    ),
    (
        lambda nn: nn.MaxPool2d(2),
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
    ),
    (
        lambda nn: nn.MaxPool2d((2, 3), 1, return_indices=True),
        "MaxPool2d(kernel_size=(2, 3), stride=1, padding=0, dilation=1, ceil_mode=False)",
    ),
    (
        lambda nn: nn.MaxPool3d(2),
        "MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
    ),
    (lambda nn: nn.MaxUnpool1d(2), "MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))"),
    (
        lambda nn: nn.MaxUnpool2d(2, 1),
        "MaxUnpool2d(kernel_size=(2, 2), stride=(1, 1), padding=(0, 0))",
    ),
    (lambda nn: nn.AvgPool1d(2), "AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))"),
    (
        lambda nn: nn.AvgPool2d(2, divisor_override=3),
        "AvgPool2d(kernel_size=2, stride=2, padding=0)",
    ),
    (lambda nn: nn.AvgPool3d(2), "AvgPool3d(kernel_size=2, stride=2, padding=0)"),
    (lambda nn: nn.AdaptiveAvgPool1d(3), "AdaptiveAvgPool1d(output_size=3)"),
    (lambda nn: nn.AdaptiveAvgPool2d((None, 3)), "AdaptiveAvgPool2d(output_size=(None, 3))"),
    (lambda nn: nn.AdaptiveAvgPool3d(2), "AdaptiveAvgPool3d(output_size=2)"),
    (lambda nn: nn.AdaptiveMaxPool1d(2), "AdaptiveMaxPool1d(output_size=2)"),
    (lambda nn: nn.AdaptiveMaxPool2d(2, return_indices=True), "AdaptiveMaxPool2d(output_size=2)"),
    (lambda nn: nn.AdaptiveMaxPool3d(2), "AdaptiveMaxPool3d(output_size=2)"),
    (
        lambda nn: nn.LPPool1d(2, 3),
        "LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)",
    ),
    (
        lambda nn: nn.LPPool2d(2, 3),
        "LPPool2d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)",
    ),
]


@pytest.mark.parametrize("case", range(len(LAYER_REPRS)))
def test_layer_reprs(case):
    make, text = LAYER_REPRS[case]
    assert repr(make(torch.nn)) == text


def test_layers_call_the_functional_forms():
    nn = torch.nn
    x = torch.tensor(distinct((2, 3, 6, 6)))
    assert nn.MaxPool2d(2)(x).tolist() == F.max_pool2d(x, 2).tolist()
    v, i = nn.MaxPool2d(3, 2, 1, return_indices=True)(x)
    want_v, want_i = np_max_pool(x.numpy(), [3, 3], [2, 2], [1, 1], [1, 1], False)
    np.testing.assert_array_equal(v.numpy(), want_v)
    np.testing.assert_array_equal(i.numpy(), want_i)
    assert nn.MaxUnpool2d(3, 2, 1)(v, i, output_size=x.shape).shape == x.shape
    np.testing.assert_allclose(
        nn.AvgPool1d(3)(x[0]).numpy(), np_avg_pool(x[0].numpy(), [3], [3], [0], False, True)
    )
    assert nn.AdaptiveAvgPool2d((None, 2))(x).shape == (2, 3, 6, 2)
    assert nn.AdaptiveMaxPool1d(2, return_indices=True)(x[0])[1].dtype == torch.int64
    np.testing.assert_allclose(
        nn.LPPool2d(1, 2)(x.abs()).numpy(), F.avg_pool2d(x.abs(), 2).numpy() * 4
    )
