"""The fused recurrent steps `_lstm_cell_pointwise` and `_gru_cell_pointwise`: forward against
numpy, first-order gradients (the fused kernel) by gradcheck, second-order gradients (the
recorded formula that `create_graph=True` switches to) by gradgradcheck, the two backward paths
against each other, node names and errors."""

from __future__ import annotations

import ferrograd as torch
import numpy as np
import pytest
from ferrograd import _C
from hypothesis import given
from hypothesis import strategies as st


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_reference(gates, c):
    """c' = f c + i g, h' = o tanh(c') with gates in the order i, f, g, o."""
    i, f, g, o = np.split(gates, 4, axis=1)
    c_next = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_next), c_next


def gru_reference(gx, gh, h):
    """r, z = sigmoid(gx + gh), n = tanh(gx_n + r gh_n), h' = n + z (h - n)."""
    xr, xz, xn = np.split(gx, 3, axis=1)
    hr, hz, hn = np.split(gh, 3, axis=1)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return n + z * (h - n)


def leaf(array):
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


sizes = st.tuples(st.integers(1, 4), st.integers(1, 5))


@given(sizes, st.integers(0, 2**31 - 1))
def test_lstm_forward_and_both_backward_paths(size, seed):
    batch, hidden = size
    rng = np.random.default_rng(seed)
    gates_np = rng.normal(size=(batch, 4 * hidden)) * 2
    c_np = rng.normal(size=(batch, hidden))
    gates, c = leaf(gates_np), leaf(c_np)
    h, c_next = _C._lstm_cell_pointwise(gates, c)
    h_ref, c_ref = lstm_reference(gates_np, c_np)
    np.testing.assert_allclose(h.detach().numpy(), h_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c_next.detach().numpy(), c_ref, rtol=1e-12, atol=1e-14)
    # The fused kernel (plain backward) and the recorded formula (create_graph) agree.
    dh, dc = (
        torch.randn(batch, hidden, dtype=torch.float64),
        torch.randn(batch, hidden, dtype=torch.float64),
    )
    fused = torch.autograd.grad((h, c_next), (gates, c), (dh, dc), retain_graph=True)
    recorded = torch.autograd.grad((h, c_next), (gates, c), (dh, dc), create_graph=True)
    for a, b in zip(fused, recorded):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)
    # gradcheck perturbs the inputs in place: it comes after the graph above is used.
    assert torch.autograd.gradcheck(_C._lstm_cell_pointwise, (gates, c))
    assert torch.autograd.gradgradcheck(_C._lstm_cell_pointwise, (gates, c))


@given(sizes, st.integers(0, 2**31 - 1))
def test_gru_forward_and_both_backward_paths(size, seed):
    batch, hidden = size
    rng = np.random.default_rng(seed)
    gx_np, gh_np = rng.normal(size=(2, batch, 3 * hidden)) * 2
    h_np = rng.normal(size=(batch, hidden))
    gx, gh, h = leaf(gx_np), leaf(gh_np), leaf(h_np)
    out = _C._gru_cell_pointwise(gx, gh, h)
    np.testing.assert_allclose(
        out.detach().numpy(), gru_reference(gx_np, gh_np, h_np), rtol=1e-12, atol=1e-14
    )
    dy = torch.randn(batch, hidden, dtype=torch.float64)
    fused = torch.autograd.grad(out, (gx, gh, h), dy, retain_graph=True)
    recorded = torch.autograd.grad(out, (gx, gh, h), dy, create_graph=True)
    for a, b in zip(fused, recorded):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert torch.autograd.gradcheck(_C._gru_cell_pointwise, (gx, gh, h))
    assert torch.autograd.gradgradcheck(_C._gru_cell_pointwise, (gx, gh, h))


def test_only_one_output_used_and_non_contiguous_inputs():
    # h' alone feeds the loss: c' gets a zero gradient. The gates come in transposed.
    rng = np.random.default_rng(0)
    gates_np = rng.normal(size=(8, 3))
    gates = leaf(gates_np)
    c = leaf(rng.normal(size=(3, 2)))
    h, _ = _C._lstm_cell_pointwise(gates.t(), c)
    h.sum().backward()
    expected = leaf(gates_np.T.copy())
    h2, _ = _C._lstm_cell_pointwise(expected, c.detach())
    h2.sum().backward()
    np.testing.assert_allclose(gates.grad.numpy(), expected.grad.numpy().T, rtol=1e-12)


def test_float32_matches_float64_reference():
    rng = np.random.default_rng(1)
    gates_np = rng.normal(size=(4, 20)).astype(np.float32)
    c_np = rng.normal(size=(4, 5)).astype(np.float32)
    h, c_next = _C._lstm_cell_pointwise(torch.tensor(gates_np), torch.tensor(c_np))
    assert h.dtype == torch.float32 and c_next.dtype == torch.float32
    h_ref, c_ref = lstm_reference(gates_np.astype(np.float64), c_np.astype(np.float64))
    np.testing.assert_allclose(h.numpy(), h_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c_next.numpy(), c_ref, rtol=1e-5, atol=1e-6)


def test_node_names():
    # PyTorch's names for its fused cells.
    gates, c = leaf(np.zeros((1, 4))), leaf(np.zeros((1, 1)))
    h, c_next = _C._lstm_cell_pointwise(gates, c)
    assert type(h.grad_fn).__name__ == "ThnnFusedLstmCellBackward0"
    assert c_next.grad_fn is h.grad_fn
    out = _C._gru_cell_pointwise(leaf(np.zeros((1, 3))), leaf(np.zeros((1, 3))), c)
    assert type(out.grad_fn).__name__ == "ThnnFusedGruCellBackward0"


def test_errors_name_the_op_and_shapes():
    gates = torch.zeros(2, 8)
    with pytest.raises(RuntimeError, match=r"lstm_cell_pointwise: expected cx of shape \[2, 2\]"):
        _C._lstm_cell_pointwise(gates, torch.zeros(2, 3))
    with pytest.raises(RuntimeError, match=r"expected gates of shape \[batch, 4 \* hidden_size\]"):
        _C._lstm_cell_pointwise(torch.zeros(2, 7), torch.zeros(2, 2))
    with pytest.raises(RuntimeError, match="expected the state to have the gates' dtype Float"):
        _C._lstm_cell_pointwise(gates, torch.zeros(2, 2, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="expected floating point gates, but got Long"):
        _C._lstm_cell_pointwise(torch.zeros(2, 8, dtype=torch.int64), torch.zeros(2, 2))
    with pytest.raises(RuntimeError, match=r"gru_cell_pointwise: expected hidden_gates of shape"):
        _C._gru_cell_pointwise(torch.zeros(2, 6), torch.zeros(2, 3), torch.zeros(2, 2))
    with pytest.raises(RuntimeError, match=r"gru_cell_pointwise: expected hx of shape \[2, 2\]"):
        _C._gru_cell_pointwise(torch.zeros(2, 6), torch.zeros(2, 6), torch.zeros(3, 2))


def test_lstm_layer_second_derivative():
    # A whole layer through the fused steps: gradgradcheck of its output in the input.
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(2, 3).double()
    x = torch.randn(4, 2, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradgradcheck(lambda t: lstm(t)[0], (x,))
    gru = torch.nn.GRU(2, 3).double()
    assert torch.autograd.gradgradcheck(lambda t: gru(t)[0], (x,))
