"""softmax, log_softmax, softmin, gumbel_softmax: the core ops and their `F` forms.

Forward against numpy over drawn shapes and dims (large values included, for stability),
gradcheck / gradgradcheck in float64, node names, and messages recorded from PyTorch.
"""

from __future__ import annotations

import warnings

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd.autograd import gradcheck, gradgradcheck
from hypothesis import given, settings
from hypothesis import strategies as st

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3)


def np_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    shifted = x - x.max(axis=dim, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=dim, keepdims=True)


def np_log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


@settings(max_examples=20)
@given(shape=shapes, data=st.data(), scale=st.sampled_from([1.0, 1000.0]))
def test_softmax_and_log_softmax_match_numpy(shape, data, scale):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(len(shape)).standard_normal(shape) * scale
    t = torch.tensor(x)
    np.testing.assert_allclose(t.softmax(dim).numpy(), np_softmax(x, dim), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        torch.log_softmax(t, dim).numpy(), np_log_softmax(x, dim), rtol=1e-12, atol=1e-12
    )
    f32 = t.float().softmax(dim).numpy()
    np.testing.assert_allclose(f32, np_softmax(x, dim), rtol=1e-5, atol=1e-6)


@settings(max_examples=10)
@given(shape=shapes, data=st.data())
def test_gradcheck_and_gradgradcheck(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    for op in (lambda t: t.softmax(dim), lambda t: t.log_softmax(dim)):
        assert gradcheck(op, (x,))
        assert gradgradcheck(op, (x,))


def test_non_contiguous_input():
    x = np.arange(12.0).reshape(3, 4) / 5
    t = torch.tensor(x).t()  # a transposed view
    np.testing.assert_allclose(t.softmax(1).numpy(), np_softmax(x.T, 1), rtol=1e-12)
    np.testing.assert_allclose(t.log_softmax(0).numpy(), np_log_softmax(x.T, 0), rtol=1e-12)


def test_hand_checked_values():
    # softmax([0, ln 3]) = [1/4, 3/4]; a 0-dim tensor's softmax is 1.
    out = torch.tensor([0.0, float(np.log(3.0))], dtype=torch.float64).softmax(0)
    np.testing.assert_allclose(out.numpy(), [0.25, 0.75], rtol=1e-15)
    assert torch.tensor(2.0).softmax(0).item() == 1.0
    # PyTorch's results with infinities: [nan, nan] for all -inf and for +inf; -inf stays -inf.
    ninf, inf = float("-inf"), float("inf")
    assert np.isnan(torch.tensor([ninf, ninf]).softmax(0).numpy()).all()
    assert np.isnan(torch.tensor([inf, 1.0]).softmax(0).numpy()).all()
    assert torch.tensor([ninf, 0.0]).log_softmax(0).tolist() == [ninf, 0.0]


def test_dtype_argument_and_node_names():
    x = torch.randn(2, 3, requires_grad=True)
    assert x.softmax(1).grad_fn.name() == "SoftmaxBackward0"
    assert x.log_softmax(1).grad_fn.name() == "LogSoftmaxBackward0"
    assert F.softmin(x, 1).grad_fn.name() == "SoftmaxBackward0"
    y = torch.softmax(x, 1, dtype=torch.float64)
    assert y.dtype == torch.float64
    assert y.grad_fn.next_functions[0][0].name() == "ToCopyBackward0"
    assert x.half().softmax(0).dtype == torch.float16
    out = torch.arange(3).softmax(0, dtype=torch.float32)
    np.testing.assert_allclose(out.numpy(), [0.0900306, 0.2447285, 0.6652410], rtol=1e-6)


def test_error_messages():
    x = torch.randn(2, 3)
    with pytest.raises(
        IndexError,
        match=r"^Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)$",
    ):
        x.softmax(2)
    with pytest.raises(NotImplementedError) as e:
        torch.arange(3).softmax(0)
    assert str(e.value) == "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'"
    with pytest.raises(NotImplementedError) as e:
        torch.arange(6).view(2, 3).log_softmax(0)
    assert str(e.value) == "\"log_softmax_kernel_impl\" not implemented for 'Long'"
    with pytest.raises(NotImplementedError) as e:
        torch.randn(2).bool().softmax(0)
    assert str(e.value) == "\"softmax_lastdim_kernel_impl\" not implemented for 'Bool'"


def test_implicit_dim_warning_and_choice():
    message = (
        "Implicit dimension choice for softmax has been deprecated. "
        "Change the call to include dim=X as an argument."
    )
    x3 = torch.randn(2, 3, 4)
    with pytest.warns(UserWarning, match=message) as record:
        out = F.softmax(x3)
    assert record[0].filename == __file__
    # 3-D inputs take dim 0, 2-D and 4-D take dim 1.
    np.testing.assert_allclose(out.numpy(), np_softmax(x3.numpy(), 0), rtol=1e-6)
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        out = F.log_softmax(torch.randn(2, 3))
    assert out.shape == (2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.softmax(x3, dim=-1)


def test_softmin_is_softmax_of_negation():
    x = np.random.default_rng(0).standard_normal((3, 4))
    out = F.softmin(torch.tensor(x), 1)
    np.testing.assert_allclose(out.numpy(), np_softmax(-x, 1), rtol=1e-12)
    assert F.softmin(torch.tensor(x), 1, dtype=torch.float32).dtype == torch.float32


def test_gumbel_softmax_soft_and_hard():
    torch.manual_seed(0)
    logits = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), np.ones(5), rtol=1e-12)
    hard = F.gumbel_softmax(logits, hard=True)
    values = hard.detach().numpy()
    assert set(np.unique(values)) <= {0.0, 1.0}
    np.testing.assert_array_equal(values.sum(-1), np.ones(5))
    # Straight-through: the gradient is that of the soft sample, not zero.
    (hard * torch.arange(4.0, dtype=torch.float64)).sum().backward()
    assert logits.grad is not None and np.abs(logits.grad.numpy()).sum() > 0
    # Determinism under manual_seed.
    torch.manual_seed(3)
    a = F.gumbel_softmax(logits.detach())
    torch.manual_seed(3)
    b = F.gumbel_softmax(logits.detach())
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect."):
        F.gumbel_softmax(logits.detach(), eps=0.1)
