"""Batch and instance norm: forward against numpy in training and evaluation, gradcheck and
gradgradcheck in float64, running statistics over several steps (momentum and the
cumulative average), layers, reprs, state_dict keys and messages recorded from PyTorch."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd import nn
from ferrograd.autograd import gradcheck, gradgradcheck
from hypothesis import given, settings
from hypothesis import strategies as st


def np_batch_norm(x, mean, var, w, b, eps=1e-5):
    shape = [1, x.shape[1]] + [1] * (x.ndim - 2)
    out = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return out * w.reshape(shape) + b.reshape(shape)


def leaf(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


@settings(max_examples=12)
@given(
    n=st.integers(2, 4),
    c=st.integers(1, 3),
    spatial=st.lists(st.integers(1, 3), max_size=3),
    training=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_batch_norm_matches_numpy(n, c, spatial, training, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal([n, c] + spatial) * 3 + 1
    w, b = rng.standard_normal(c), rng.standard_normal(c)
    rm, rv = rng.standard_normal(c), rng.random(c) + 0.5
    axes = tuple(d for d in range(x.ndim) if d != 1)
    if training:
        expected = np_batch_norm(x, x.mean(axis=axes), x.var(axis=axes), w, b)
    else:
        expected = np_batch_norm(x, rm, rv, w, b)
    run_mean, run_var = torch.tensor(rm), torch.tensor(rv)
    out = F.batch_norm(
        torch.tensor(x), run_mean, run_var, torch.tensor(w), torch.tensor(b), training, 0.25
    )
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-10)
    if training:
        count = x.size // c
        np.testing.assert_allclose(run_mean.numpy(), 0.75 * rm + 0.25 * x.mean(axis=axes))
        unbiased = x.var(axis=axes) * count / (count - 1)
        np.testing.assert_allclose(run_var.numpy(), 0.75 * rv + 0.25 * unbiased)
    else:
        assert run_mean.tolist() == rm.tolist() and run_var.tolist() == rv.tolist()


@settings(max_examples=6)
@given(training=st.booleans(), spatial=st.lists(st.integers(1, 3), max_size=2))
def test_batch_norm_gradcheck_and_gradgradcheck(training, spatial):
    rng = np.random.default_rng(len(spatial))
    x = leaf(rng.standard_normal([3, 2] + spatial))
    w, b = leaf(rng.standard_normal(2)), leaf(rng.standard_normal(2))
    rm, rv = torch.tensor(rng.standard_normal(2)), torch.tensor(rng.random(2) + 0.5)

    def fn(x, w, b):
        return F.batch_norm(x, rm, rv, w, b, training=training, momentum=0.0, eps=1e-3)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))
    assert gradgradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))
    # PyTorch: <NativeBatchNormBackward0 object at ...> in training and evaluation.
    assert type(fn(x, w, b).grad_fn).__name__ == "NativeBatchNormBackward0"


def test_batch_norm_hand_checked_and_float32():
    x = torch.tensor([[1.0], [3.0]])
    assert F.batch_norm(x, None, None, training=True, eps=0.0).tolist() == [[-1.0], [1.0]]
    rm, rv = torch.tensor([1.0]), torch.tensor([4.0])
    assert F.batch_norm(x, rm, rv, eps=0.0).tolist() == [[0.0], [1.0]]
    x32 = torch.randn(8, 3, 5)
    out = F.batch_norm(x32, None, None, training=True)
    assert out.dtype == torch.float32
    np.testing.assert_allclose(out.numpy().mean(axis=(0, 2)), 0, atol=1e-6)
    # A non-contiguous input (a transposed view).
    xt = torch.tensor(np.arange(24.0).reshape(3, 4, 2)).transpose(0, 2)
    a = xt.numpy()
    ones, zeros = np.ones(4), np.zeros(4)
    expected = np_batch_norm(a, a.mean(axis=(0, 2)), a.var(axis=(0, 2)), ones, zeros)
    np.testing.assert_allclose(F.batch_norm(xt, None, None, training=True).numpy(), expected)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_running_statistics_over_training_steps(momentum):
    rng = np.random.default_rng(3)
    m = nn.BatchNorm2d(3, momentum=momentum, dtype=torch.float64)
    mean, var = np.zeros(3), np.ones(3)
    for step in range(1, 5):
        x = rng.standard_normal((4, 3, 2, 2)) * step + step
        m(torch.tensor(x))
        factor = 1 / step if momentum is None else momentum
        mean = (1 - factor) * mean + factor * x.mean(axis=(0, 2, 3))
        var = (1 - factor) * var + factor * x.var(axis=(0, 2, 3), ddof=1)
    np.testing.assert_allclose(m.running_mean.numpy(), mean, rtol=1e-12)
    np.testing.assert_allclose(m.running_var.numpy(), var, rtol=1e-12)
    assert m.num_batches_tracked.item() == 4 and m.num_batches_tracked.dtype == torch.int64
    m.eval()
    x = rng.standard_normal((2, 3, 2, 2))
    np.testing.assert_allclose(
        m(torch.tensor(x)).detach().numpy(),
        np_batch_norm(x, mean, var, np.ones(3), np.zeros(3)),
        rtol=1e-10,
    )
    assert m.num_batches_tracked.item() == 4


def test_without_running_statistics_uses_batch_statistics_in_eval():
    m = nn.BatchNorm1d(2, track_running_stats=False, affine=False).eval()
    assert m.running_mean is None and m.num_batches_tracked is None
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    out = m(torch.tensor(x)).numpy()
    np.testing.assert_allclose(out, np_batch_norm(x, x.mean(0), x.var(0), np.ones(2), np.zeros(2)))
    assert list(m.state_dict().keys()) == []


def test_batch_norm_modules_reprs_and_state():
    assert (
        repr(nn.BatchNorm2d(16))
        == "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)"
    )
    assert (
        repr(nn.BatchNorm1d(4, momentum=None, affine=False))
        == "BatchNorm1d(4, eps=1e-05, momentum=None, affine=False, bias=False, "
        "track_running_stats=True)"
    )
    assert (
        repr(nn.BatchNorm3d(2, track_running_stats=False))
        == "BatchNorm3d(2, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=False)"
    )
    m = nn.BatchNorm2d(3)
    assert list(m.state_dict().keys()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert list(nn.BatchNorm1d(3, bias=False).state_dict().keys()) == [
        "weight",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert repr(m.num_batches_tracked) == "tensor(0)"
    # A state dict saved before `num_batches_tracked` existed still loads.
    old = {k: v for k, v in m.state_dict().items() if k != "num_batches_tracked"}
    m2 = nn.BatchNorm2d(3)
    m2.load_state_dict(old)
    out = m(torch.randn(2, 3, 2, 2))
    out.sum().backward()
    assert m.weight.grad is not None and m.num_batches_tracked.item() == 1


def test_batch_norm_messages():
    x = torch.randn(2, 3, 4)
    cases = [
        (lambda: nn.BatchNorm1d(3)(torch.randn(2, 3, 4, 5)), ValueError,
         "expected 2D or 3D input (got 4D input)"),
        (lambda: nn.BatchNorm2d(3)(x), ValueError, "expected 4D input (got 3D input)"),
        (lambda: nn.BatchNorm3d(3)(x), ValueError, "expected 5D input (got 3D input)"),
        (lambda: nn.BatchNorm1d(3)(torch.randn(1, 3)), ValueError,
         ("Expected more than 1 value per channel when training, got input size "
         "ferrograd.Size([1, 3])")),
        (lambda: F.batch_norm(x, torch.zeros(4), torch.ones(4)), RuntimeError,
         "running_mean should contain 3 elements not 4"),
        (lambda: F.batch_norm(x, None, None, training=True, weight=torch.ones(4)),
         RuntimeError, "weight should contain 3 elements not 4"),
        (lambda: F.batch_norm(x, None, None, training=True, bias=torch.ones(4)),
         RuntimeError, "bias should contain 3 elements not 4"),
        (lambda: F.batch_norm(x, None, None), RuntimeError,
         "running_mean must be defined in evaluation mode"),
        (lambda: F.batch_norm(x, torch.zeros(3), None), RuntimeError,
         "running_var must be defined in evaluation mode"),
        (lambda: F.batch_norm(x.long(), None, None, training=True), NotImplementedError,
         "\"batch_norm\" not implemented for 'Long'"),
        (lambda: F.batch_norm(torch.randn(3), None, None, training=True), IndexError,
         "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
    ]  # fmt: skip
    for call, kind, message in cases:
        with pytest.raises(kind) as info:
            call()
        assert str(info.value) == message


@settings(max_examples=8)
@given(n=st.integers(1, 3), spatial=st.integers(2, 4), seed=st.integers(0, 2**16))
def test_instance_norm_matches_numpy_and_running_stats(n, spatial, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3, spatial, 2))
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    mean, var = x.mean(axis=(2, 3), keepdims=True), x.var(axis=(2, 3), keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-5) * w[:, None, None] + b[:, None, None]
    rm, rv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    out = F.instance_norm(torch.tensor(x), rm, rv, torch.tensor(w), torch.tensor(b), momentum=0.5)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-10)
    unbiased = var[..., 0, 0] * (2 * spatial) / (2 * spatial - 1)
    np.testing.assert_allclose(rm.numpy(), 0.5 * mean[..., 0, 0].mean(0))
    np.testing.assert_allclose(rv.numpy(), 0.5 + 0.5 * unbiased.mean(0))
    assert gradgradcheck(lambda x, w: F.instance_norm(x, weight=w, eps=1e-3), (leaf(x), leaf(w)))


def test_instance_norm_modules():
    assert (
        repr(nn.InstanceNorm2d(3))
        == "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, "
        "track_running_stats=False)"
    )
    assert (
        repr(nn.InstanceNorm1d(3, affine=True, track_running_stats=True))
        == "InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)"
    )
    assert list(nn.InstanceNorm2d(3).state_dict().keys()) == []
    tracked = nn.InstanceNorm2d(3, track_running_stats=True)
    assert list(tracked.state_dict().keys()) == [
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    # An unbatched (C, L) input, and the same values batched.
    x = torch.randn(3, 5)
    m = nn.InstanceNorm1d(3)
    np.testing.assert_allclose(m(x).numpy(), m(x.unsqueeze(0))[0].numpy())
    with pytest.raises(ValueError) as info:
        nn.InstanceNorm1d(3)(torch.randn(2, 3, 4, 5))
    assert str(info.value) == "expected 2D or 3D input (got 4D input)"
    with pytest.raises(ValueError) as info:
        F.instance_norm(torch.randn(2, 3, 1))
    assert str(info.value) == (
        "Expected more than 1 spatial element when training, got input size "
        "ferrograd.Size([2, 3, 1])"
    )
    with pytest.raises(ValueError) as info:
        nn.InstanceNorm1d(4, affine=True)(torch.randn(2, 3, 5))
    assert str(info.value) == (
        "expected input's size at dim=1 to match num_features (4), but got: 3."
    )
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(4)(torch.randn(2, 3, 5))
