"""Layer, group, RMS and local response norm and `normalize`: forward against numpy,
gradcheck and gradgradcheck in float64, layers, reprs, state_dict keys, node names and
messages recorded from PyTorch."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd import nn
from ferrograd.autograd import gradcheck, gradgradcheck
from hypothesis import given, settings
from hypothesis import strategies as st


def np_normalize(x: np.ndarray, axes: tuple[int, ...], eps: float) -> np.ndarray:
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def leaf(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3)


@settings(max_examples=15)
@given(lead=shapes, norm=shapes, affine=st.booleans(), seed=st.integers(0, 2**16))
def test_layer_norm_matches_numpy(lead, norm, affine, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(lead + norm)
    w = rng.standard_normal(norm) if affine else None
    b = rng.standard_normal(norm) if affine else None
    axes = tuple(range(len(lead), len(lead) + len(norm)))
    expected = np_normalize(x, axes, 1e-5)
    if affine:
        expected = expected * w + b
    out = F.layer_norm(
        torch.tensor(x),
        norm,
        None if w is None else torch.tensor(w),
        None if b is None else torch.tensor(b),
    )
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-10)
    # float32 follows within float32 precision.
    out32 = F.layer_norm(torch.tensor(x, dtype=torch.float32), norm)
    assert out32.dtype == torch.float32
    np.testing.assert_allclose(out32.numpy(), np_normalize(x, axes, 1e-5), atol=2e-5)


@settings(max_examples=8)
@given(lead=st.lists(st.integers(1, 3), min_size=1, max_size=2), seed=st.integers(0, 2**16))
def test_layer_norm_gradcheck_and_gradgradcheck(lead, seed):
    rng = np.random.default_rng(seed)
    x, w, b = (
        leaf(rng.standard_normal(lead + [2, 3])),
        leaf(rng.standard_normal((2, 3))),
        leaf(rng.standard_normal((2, 3))),
    )

    def fn(x, w, b):
        return F.layer_norm(x, (2, 3), w, b, eps=1e-3)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))
    assert gradgradcheck(lambda x: F.layer_norm(x, (3,)), (x,))
    # Only the bias, no weight.
    assert gradgradcheck(lambda x, b: F.layer_norm(x, (2, 3), bias=b), (x, b))


def test_layer_norm_hand_checked_and_node_name():
    x = torch.tensor([[1.0, 3.0], [0.0, 0.0]], requires_grad=True)
    out = F.layer_norm(x, [2], eps=0.0)
    assert out.tolist()[0] == [-1.0, 1.0]
    # A constant row normalises to zero (the eps keeps it finite).
    assert F.layer_norm(x, 2).tolist()[1] == [0.0, 0.0]
    # PyTorch: <NativeLayerNormBackward0 object at ...>
    assert type(out.grad_fn).__name__ == "NativeLayerNormBackward0"
    # A non-contiguous input.
    y = torch.tensor(np.arange(12.0).reshape(3, 4)).t()
    np.testing.assert_allclose(
        F.layer_norm(y, (3,)).numpy(), np_normalize(np.arange(12.0).reshape(3, 4).T, (1,), 1e-5)
    )


def test_layer_norm_messages():
    x = torch.randn(2, 3, 4)
    cases = [
        (
            lambda: F.layer_norm(x, (5,)),
            RuntimeError,
            (
                "Given normalized_shape=[5], expected input with shape [*, 5], but got input of "
                "size[2, 3, 4]"
            ),
        ),
        (
            lambda: F.layer_norm(x, (2, 3, 4, 5)),
            RuntimeError,
            (
                "Given normalized_shape=[2, 3, 4, 5], expected input with shape [*, 2, 3, 4, 5], "
                "but got input of size[2, 3, 4]"
            ),
        ),
        (
            lambda: F.layer_norm(x, (4,), weight=torch.ones(5)),
            RuntimeError,
            (
                "Expected weight to be of same shape as normalized_shape, but got weight of shape "
                "[5] and normalized_shape = [4]"
            ),
        ),
        (
            lambda: F.layer_norm(x, (4,), bias=torch.ones(5)),
            RuntimeError,
            (
                "Expected bias to be of same shape as normalized_shape, but got bias of shape [5] "
                "and normalized_shape = [4]"
            ),
        ),
        (
            lambda: F.layer_norm(x, ()),
            RuntimeError,
            (
                "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
                "one element, but got normalized_shape = []"
            ),
        ),
        (
            lambda: F.layer_norm(x.long(), (4,)),
            NotImplementedError,
            "\"LayerNormKernelImpl\" not implemented for 'Long'",
        ),
        (
            lambda: F.layer_norm(x, (4,), weight=torch.ones(4, dtype=torch.float64)),
            RuntimeError,
            "mixed dtype (CPU): expect parameter to have scalar type of Float",
        ),
    ]
    for call, kind, message in cases:
        with pytest.raises(kind) as info:
            call()
        assert str(info.value) == message


def test_layer_norm_module():
    m = nn.LayerNorm(8)
    assert repr(m) == "LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert m.weight.tolist() == [1.0] * 8 and m.bias.tolist() == [0.0] * 8
    assert list(m.state_dict().keys()) == ["weight", "bias"]
    assert (
        repr(nn.LayerNorm((2, 3), elementwise_affine=False))
        == "LayerNorm((2, 3), eps=1e-05, elementwise_affine=False, bias=False)"
    )
    assert (
        repr(nn.LayerNorm(8, bias=False))
        == "LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=False)"
    )
    x = torch.randn(3, 8)
    with torch.no_grad():
        m.weight.fill_(2.0)
        m.bias.fill_(1.0)
    np.testing.assert_allclose(
        m(x).detach().numpy(), np_normalize(x.numpy(), (1,), 1e-5) * 2 + 1, rtol=1e-5, atol=1e-5
    )
    m(x).sum().backward()
    assert m.weight.grad is not None and m.bias.grad.tolist() == [3.0] * 8


@settings(max_examples=12)
@given(
    n=st.integers(1, 3),
    groups=st.integers(1, 3),
    per_group=st.integers(1, 3),
    spatial=st.lists(st.integers(1, 3), max_size=2),
    seed=st.integers(0, 2**16),
)
def test_group_norm_matches_numpy(n, groups, per_group, spatial, seed):
    rng = np.random.default_rng(seed)
    c = groups * per_group
    x = rng.standard_normal([n, c] + spatial)
    w, b = rng.standard_normal(c), rng.standard_normal(c)
    grouped = x.reshape(n, groups, -1)
    expected = np_normalize(grouped, (2,), 1e-5).reshape(x.shape)
    param_shape = [1, c] + [1] * len(spatial)
    expected = expected * w.reshape(param_shape) + b.reshape(param_shape)
    if per_group * int(np.prod(spatial)) == 1:
        return  # one value per group: the functional form refuses it (tested below)
    out = F.group_norm(torch.tensor(x), groups, torch.tensor(w), torch.tensor(b))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-10)


@settings(max_examples=6)
@given(seed=st.integers(0, 2**16), spatial=st.lists(st.integers(1, 3), max_size=2))
def test_group_norm_gradcheck_and_gradgradcheck(seed, spatial):
    rng = np.random.default_rng(seed)
    x = leaf(rng.standard_normal([2, 4] + spatial))
    w, b = leaf(rng.standard_normal(4)), leaf(rng.standard_normal(4))

    def fn(x, w, b):
        return F.group_norm(x, 2, w, b, eps=1e-3)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))
    out = fn(x, w, b)
    # PyTorch: <NativeGroupNormBackward0 object at ...>
    assert type(out.grad_fn).__name__ == "NativeGroupNormBackward0"


def test_group_norm_messages_and_module():
    x = torch.randn(2, 3, 4)
    cases = [
        (
            lambda: F.group_norm(x, 2),
            RuntimeError,
            (
                "Expected number of channels in input to be divisible by num_groups, but got input "
                "of shape [2, 3, 4] and num_groups=2"
            ),
        ),
        (
            lambda: F.group_norm(x, 3, weight=torch.ones(4)),
            RuntimeError,
            (
                "Expected weight to be a vector of size equal to the number of channels in input, "
                "but got weight of shape [4] and input of shape [2, 3, 4]"
            ),
        ),
        (
            lambda: F.group_norm(x, 3, bias=torch.ones(4)),
            RuntimeError,
            (
                "Expected bias to be a vector of size equal to the number of channels in input, "
                "but got bias of shape [4] and input of shape [2, 3, 4]"
            ),
        ),
        (
            lambda: F.group_norm(torch.randn(3), 1),
            RuntimeError,
            "Expected at least 2 dimensions for input tensor but received 1",
        ),
        (
            lambda: F.group_norm(torch.randn(1, 3), 3),
            ValueError,
            "Expected more than 1 value per channel when training, got input size [1, 3]",
        ),
        (
            lambda: nn.GroupNorm(2, 3),
            ValueError,
            "num_channels (3) must be divisible by num_groups (2)",
        ),
        (
            lambda: F.group_norm(x.long(), 1),
            NotImplementedError,
            "\"GroupNormKernelImpl\" not implemented for 'Long'",
        ),
    ]
    for call, kind, message in cases:
        with pytest.raises(kind) as info:
            call()
        assert str(info.value) == message
    assert repr(nn.GroupNorm(2, 4)) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    assert (
        repr(nn.GroupNorm(2, 4, affine=False))
        == "GroupNorm(2, 4, eps=1e-05, affine=False, bias=False)"
    )
    m = nn.GroupNorm(1, 3)
    assert list(m.state_dict().keys()) == ["weight", "bias"]
    np.testing.assert_allclose(
        m(x).detach().numpy(), np_normalize(x.numpy(), (1, 2), 1e-5), rtol=1e-5, atol=1e-5
    )


@settings(max_examples=10)
@given(lead=shapes, norm=shapes, seed=st.integers(0, 2**16))
def test_rms_norm_matches_numpy_and_gradchecks(lead, norm, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(lead + norm), rng.standard_normal(norm)
    axes = tuple(range(len(lead), len(lead) + len(norm)))
    eps = np.finfo(np.float64).eps
    expected = x / np.sqrt((x * x).mean(axis=axes, keepdims=True) + eps) * w
    out = F.rms_norm(torch.tensor(x), norm, torch.tensor(w))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10)
    assert gradgradcheck(lambda x, w: F.rms_norm(x, norm, w, eps=0.1), (leaf(x), leaf(w)))


def test_rms_norm_module_and_messages():
    # PyTorch: F.rms_norm(tensor([[3., 4.]]), (2,)) is tensor([[0.8485, 1.1314]]).
    out = F.rms_norm(torch.tensor([[3.0, 4.0]]), (2,))
    np.testing.assert_allclose(out.numpy(), [[0.8485281, 1.1313708]], rtol=1e-6)
    assert repr(nn.RMSNorm(8)) == "RMSNorm((8,), eps=None, elementwise_affine=True)"
    assert (
        repr(nn.RMSNorm([2, 3], eps=1e-3, elementwise_affine=False))
        == "RMSNorm((2, 3), eps=0.001, elementwise_affine=False)"
    )
    assert list(nn.RMSNorm(3).state_dict().keys()) == ["weight"]
    with pytest.raises(RuntimeError) as info:
        F.rms_norm(torch.randn(2, 3, 4), (2, 5))
    assert str(info.value) == (
        "Given normalized_shape=[2, 5], expected input with shape [*2, 5], but got input of "
        "size[2, 3, 4]"
    )
    with pytest.raises(RuntimeError) as info:
        F.rms_norm(torch.randn(2, 3, 4), (4,), weight=torch.ones(5))
    assert str(info.value) == (
        "Expected weight to be of same shape as normalized_shape, but got weight of shape [5] "
        "and normalized_shape = [4]"
    )


def np_lrn(x, size, alpha, beta, k):
    c = x.shape[1]
    sq = x * x
    div = np.zeros_like(x)
    for ch in range(c):
        lo, hi = max(0, ch - size // 2), min(c, ch + (size - 1) // 2 + 1)
        div[:, ch] = sq[:, lo:hi].sum(axis=1) / size
    return x / (k + alpha * div) ** beta


@settings(max_examples=10)
@given(
    size=st.integers(1, 4),
    spatial=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    seed=st.integers(0, 2**16),
)
def test_local_response_norm(size, spatial, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal([2, 5] + spatial)
    out = F.local_response_norm(torch.tensor(x), size, alpha=0.5, beta=0.75, k=2.0)
    np.testing.assert_allclose(out.numpy(), np_lrn(x, size, 0.5, 0.75, 2.0), rtol=1e-10)
    assert gradcheck(lambda t: F.local_response_norm(t, size, 0.5, 0.75, 2.0), (leaf(x),))


def test_local_response_norm_module_and_message():
    assert repr(nn.LocalResponseNorm(2)) == "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)"
    with pytest.raises(ValueError) as info:
        F.local_response_norm(torch.randn(2, 3), 2)
    assert str(info.value) == (
        "Expected 3D or higher dimensionality                          input (got 2 dimensions)"
    )


@settings(max_examples=10)
@given(p=st.sampled_from([1.0, 2.0, 3.0]), dim=st.integers(-2, 1), seed=st.integers(0, 2**16))
def test_normalize(p, dim, seed):
    x = np.random.default_rng(seed).standard_normal((3, 4))
    norm = (np.abs(x) ** p).sum(axis=dim, keepdims=True) ** (1 / p)
    out = F.normalize(torch.tensor(x), p=p, dim=dim)
    np.testing.assert_allclose(out.numpy(), x / np.maximum(norm, 1e-12), rtol=1e-10)
    assert gradcheck(lambda t: F.normalize(t, p=p, dim=dim), (leaf(x),))
    target = torch.empty(0, dtype=torch.float64)
    assert F.normalize(torch.tensor(x), p=p, dim=dim, out=target) is target
    np.testing.assert_allclose(target.numpy(), out.numpy())
    # A zero vector stays zero (the eps keeps the division finite).
    assert F.normalize(torch.zeros(2, 3)).tolist() == [[0.0] * 3] * 2
