"""Recurrent layers: RNN/LSTM/GRU and their cells against a numpy reference of the equations,
gradients by gradcheck, packed sequences, parameter names and shapes, reprs and errors."""

import warnings

import ferrograd as torch
import numpy as np
import pytest
from ferrograd import nn
from ferrograd.nn.utils.rnn import (
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_step(mode, x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr=None):
    """One step of each cell, written from the equations in PyTorch's documentation."""
    gx = x @ w_ih.T + (b_ih if b_ih is not None else 0)
    gh = h @ w_hh.T + (b_hh if b_hh is not None else 0)
    if mode == "RNN":
        return np.tanh(gx + gh), None
    if mode == "GRU":
        r = sigmoid(gx[:, :H] + gh[:, :H]) if (H := w_hh.shape[1]) else None
        z = sigmoid(gx[:, H : 2 * H] + gh[:, H : 2 * H])
        n = np.tanh(gx[:, 2 * H :] + r * gh[:, 2 * H :])
        return (1 - z) * n + z * h, None
    hs = w_ih.shape[0] // 4
    g = gx + gh
    i, f, gg, o = (g[:, k * hs : (k + 1) * hs] for k in range(4))
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(gg)
    h = sigmoid(o) * np.tanh(c)
    return (h @ w_hr.T if w_hr is not None else h), c


def np_layer(mode, module, x):
    """The whole stacked, bidirectional layer over a (T, B, H_in) numpy input, zero states."""
    params = {k: v.detach().numpy() for k, v in module.named_parameters()}
    directions = 2 if module.bidirectional else 1
    hidden = module.proj_size or module.hidden_size if mode == "LSTM" else module.hidden_size
    finals = []
    for layer in range(module.num_layers):
        outs = []
        for d in range(directions):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            h = np.zeros((x.shape[1], hidden))
            c = np.zeros((x.shape[1], module.hidden_size))
            steps = range(x.shape[0] - 1, -1, -1) if d else range(x.shape[0])
            out = [None] * x.shape[0]
            for t in steps:
                h, c = np_step(
                    mode, x[t], h, c, params["weight_ih" + sfx], params["weight_hh" + sfx],
                    params.get("bias_ih" + sfx), params.get("bias_hh" + sfx),
                    params.get("weight_hr" + sfx),
                )  # fmt: skip
                out[t] = h
            outs.append(np.stack(out))
            finals.append(h)
        x = np.concatenate(outs, -1)
    return x, np.stack(finals)


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@settings(max_examples=6)
@given(
    layers=st.integers(1, 2),
    bidirectional=st.booleans(),
    bias=st.booleans(),
    batch_first=st.booleans(),
    steps=st.integers(1, 4),
    batch=st.integers(1, 3),
)
def test_layer_matches_numpy_equations(
    mode, layers, bidirectional, bias, batch_first, steps, batch
):
    torch.manual_seed(0)
    module = getattr(nn, mode)(3, 4, layers, bias=bias, batch_first=batch_first,
                               bidirectional=bidirectional).double()  # fmt: skip
    x = np.random.default_rng(steps).standard_normal((steps, batch, 3))
    given_x = torch.tensor(x.transpose(1, 0, 2) if batch_first else x)
    out, state = module(given_x)
    h_n = state[0] if mode == "LSTM" else state
    want_out, want_h = np_layer(mode, module, x)
    got = out.detach().numpy()
    np.testing.assert_allclose(got.transpose(1, 0, 2) if batch_first else got, want_out, atol=1e-12)
    np.testing.assert_allclose(h_n.detach().numpy(), want_h, atol=1e-12)


def test_lstm_projection_matches_numpy():
    module = nn.LSTM(3, 5, proj_size=2, num_layers=2, bidirectional=True).double()
    x = np.random.default_rng(1).standard_normal((4, 2, 3))
    out, (h, c) = module(torch.tensor(x))
    want_out, want_h = np_layer("LSTM", module, x)
    assert out.shape == (4, 2, 4) and h.shape == (4, 2, 2) and c.shape == (4, 2, 5)
    np.testing.assert_allclose(out.detach().numpy(), want_out, atol=1e-12)
    np.testing.assert_allclose(h.detach().numpy(), want_h, atol=1e-12)


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
def test_gradients_of_input_state_and_weights(mode):
    module = getattr(nn, mode)(2, 3, num_layers=2, bidirectional=True).double()
    x = torch.randn(3, 2, 2, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(4, 2, 3, dtype=torch.float64, requires_grad=True)
    weights = tuple(module.parameters())
    out, _ = module(x, (h0, h0 * 0.5) if mode == "LSTM" else h0)
    grads = torch.autograd.grad(out.sum(), (x, h0, *weights))
    assert all(g is not None and g.shape == t.shape for g, t in zip(grads, (x, h0, *weights)))
    assert torch.autograd.gradcheck(
        lambda x, h0: module(x, (h0, h0 * 0.5) if mode == "LSTM" else h0)[0], (x, h0)
    )


@pytest.mark.parametrize(
    "cell, mode", [(nn.RNNCell, "RNN"), (nn.GRUCell, "GRU"), (nn.LSTMCell, "LSTM")]
)
def test_cells_match_numpy_and_gradcheck(cell, mode):
    module = cell(3, 4).double()
    p = {k: v.detach().numpy() for k, v in module.named_parameters()}
    x = np.random.default_rng(2).standard_normal((2, 3))
    h = np.random.default_rng(3).standard_normal((2, 4))
    c = np.random.default_rng(4).standard_normal((2, 4))
    state = (torch.tensor(h), torch.tensor(c)) if mode == "LSTM" else torch.tensor(h)
    got = module(torch.tensor(x), state)
    want_h, want_c = np_step(
        mode, x, h, c, p["weight_ih"], p["weight_hh"], p["bias_ih"], p["bias_hh"]
    )
    got_h = got[0] if mode == "LSTM" else got
    np.testing.assert_allclose(got_h.detach().numpy(), want_h, atol=1e-12)
    if mode == "LSTM":
        np.testing.assert_allclose(got[1].detach().numpy(), want_c, atol=1e-12)
    xt = torch.tensor(x, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: module(t)[0] if mode == "LSTM" else module(t), (xt,))
    unbatched = module(torch.tensor(x[0]))
    first = unbatched[0] if mode == "LSTM" else unbatched
    assert first.shape == (4,)


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
def test_packed_input_equals_running_each_sequence_alone(mode):
    torch.manual_seed(0)
    module = getattr(nn, mode)(2, 3, bidirectional=True).double()
    lengths = [2, 4, 1]
    seqs = [torch.randn(n, 2, dtype=torch.float64) for n in lengths]
    packed = pack_sequence(seqs, enforce_sorted=False)
    out, state = module(packed)
    padded, got_lengths = pad_packed_sequence(out)
    assert got_lengths.tolist() == lengths
    h_n = state[0] if mode == "LSTM" else state
    for b, seq in enumerate(seqs):
        alone, alone_state = module(seq.unsqueeze(1))
        alone_h = alone_state[0] if mode == "LSTM" else alone_state
        np.testing.assert_allclose(
            padded[: lengths[b], b].detach().numpy(), alone[:, 0].detach().numpy(), atol=1e-12
        )
        np.testing.assert_allclose(
            h_n[:, b].detach().numpy(), alone_h[:, 0].detach().numpy(), atol=1e-12
        )


def test_unbatched_input():
    module = nn.LSTM(3, 4)
    out, (h, c) = module(torch.randn(5, 3))
    assert out.shape == (5, 4) and h.shape == (1, 4) and c.shape == (1, 4)
    out, h = nn.GRU(3, 4)(torch.randn(5, 3), torch.zeros(1, 4))
    assert out.shape == (5, 4) and h.shape == (1, 4)


def test_pack_and_pad_layouts():
    x = torch.arange(12.0).reshape(4, 3, 1)
    p = pack_padded_sequence(x, [4, 2, 1])
    assert p.data.flatten().tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 9.0]
    assert p.batch_sizes.tolist() == [3, 2, 1, 1]
    padded, lengths = pad_packed_sequence(p)
    assert lengths.tolist() == [4, 2, 1]
    assert padded.squeeze(-1).tolist() == [[0, 1, 2], [3, 4, 0], [6, 0, 0], [9, 0, 0]]
    p2 = pack_padded_sequence(x, torch.tensor([1, 4, 2]), enforce_sorted=False)
    assert p2.data.flatten().tolist() == [1.0, 2.0, 0.0, 4.0, 5.0, 7.0, 10.0]
    assert p2.sorted_indices.tolist() == [1, 2, 0] and p2.unsorted_indices.tolist() == [2, 0, 1]
    padded2, _ = pad_packed_sequence(p2, batch_first=True, total_length=5)
    assert padded2.shape == (3, 5, 1)
    seqs = [torch.ones(2, 1), torch.ones(3, 1) * 2]
    assert pad_sequence(seqs, batch_first=True, padding_value=-1).squeeze(-1).tolist() == [
        [1, 1, -1], [2, 2, 2]]  # fmt: skip
    left = pad_sequence([torch.ones(2), torch.ones(3) * 2], padding_side="left")
    assert left.tolist() == [[0, 2], [1, 2], [1, 2]]
    assert [s.tolist() for s in unpack_sequence(pack_sequence([torch.ones(3), torch.zeros(1)]))] == [
        [1, 1, 1], [0]]  # fmt: skip


def test_packing_is_differentiable():
    x = torch.randn(3, 2, 2, requires_grad=True)
    packed = pack_padded_sequence(x, [3, 1])
    packed.data.sum().backward()
    assert x.grad[:, 1, 0].tolist() == [1.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: pack_padded_sequence(torch.zeros(4, 3), [1, 4, 2]), RuntimeError,
         ("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You "
         "can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep "
         "this requirement if you do not need ONNX exportability.")),
        (lambda: pack_padded_sequence(torch.zeros(4, 3), [4, 2, 0]), RuntimeError,
         ("Length of all samples has to be greater than 0, but found an element in 'lengths' "
         "that is <= 0")),
        (lambda: pad_packed_sequence(pack_padded_sequence(torch.zeros(4, 1), [4]), total_length=2),
         ValueError,
         ("Expected total_length to be at least the length of the longest sequence in input, but "
         "got total_length=2 and max sequence length being 4")),
        (lambda: pad_sequence([]), RuntimeError, "received an empty list of sequences"),
        (lambda: pad_sequence([torch.ones(2)], padding_side="x"), RuntimeError,
         "Expected padding_side to be one of left or right, but got x."),
        (lambda: nn.LSTM(3, 4)(torch.randn(5, 2, 6)), RuntimeError,
         "input.size(-1) must be equal to input_size. Expected 3, got 6"),
        (lambda: nn.LSTM(3, 4)(torch.randn(5, 2, 3), (torch.randn(1, 3, 4), torch.randn(1, 3, 4))),
         RuntimeError, "Expected hidden[0] size (1, 2, 4), got [1, 3, 4]"),
        (lambda: nn.LSTM(3, 4)(torch.randn(5, 2, 3), (torch.randn(1, 2, 4), torch.randn(1, 2, 5))),
         RuntimeError, "Expected hidden[1] size (1, 2, 4), got [1, 2, 5]"),
        (lambda: nn.LSTM(3, 4)(torch.randn(5, 2, 2, 3)), ValueError,
         "LSTM: Expected input to be 2D or 3D, got 4D instead"),
        (lambda: nn.LSTM(3, 4)(torch.randn(5, 3), (torch.randn(1, 2, 4), torch.randn(1, 2, 4))),
         RuntimeError,
         "For unbatched 2-D input, hx and cx should also be 2-D but got (3-D, 3-D) tensors"),
        (lambda: nn.GRU(3, 4)(torch.randn(5, 2, 3), torch.randn(2, 2, 4)), RuntimeError,
         "Expected hidden size (1, 2, 4), got [2, 2, 4]"),
        (lambda: nn.RNN(3, 4)(torch.randn(5, 2, 3), torch.randn(1, 2, 4, 1)), RuntimeError,
         "For batched 3-D input, hx should also be 3-D but got 4-D tensor"),
        (lambda: nn.RNN(3, 4, nonlinearity="x"), ValueError,
         "Unknown nonlinearity 'x'. Select from 'tanh' or 'relu'."),
        (lambda: nn.LSTM(3, 4, dropout=2), ValueError,
         ("dropout should be a number in range [0, 1] representing the probability of an element "
         "being zeroed")),
        (lambda: nn.LSTM(3, 4, proj_size=4), ValueError, "proj_size has to be smaller than hidden_size"),
        (lambda: nn.GRU(3, 4, proj_size=2), ValueError,
         "proj_size argument is only supported for LSTM, not RNN or GRU"),
        (lambda: nn.RNNCell(3, 4)(torch.randn(2, 5)), RuntimeError,
         "input has inconsistent input_size: got 5 expected 3"),
        (lambda: nn.RNNCell(3, 4)(torch.randn(2, 3), torch.randn(3, 4)), RuntimeError,
         "Input batch size 2 doesn't match hidden0 batch size 3"),
        (lambda: nn.RNNCell(3, 4)(torch.randn(2, 3), torch.randn(2, 5)), RuntimeError,
         "hidden0 has inconsistent hidden_size: got 5, expected 4"),
        (lambda: nn.RNNCell(3, 4)(torch.randn(1, 2, 3)), ValueError,
         "RNNCell: Expected input to be 1D or 2D, got 3D instead"),
        (lambda: nn.LSTMCell(3, 4)(torch.randn(2, 3), (torch.randn(2, 4), torch.randn(3, 4))),
         RuntimeError, "Input batch size 2 doesn't match hidden1 batch size 3"),
        (lambda: nn.RNNCell(3, 4)(torch.randn(3), torch.randn(2, 4)), RuntimeError,
         "Expected 2D hidden0 (batch x hidden_size), but got 3D tensor"),
        (lambda: nn.RNNCell(3, 4, nonlinearity="x")(torch.randn(2, 3)), RuntimeError,
         "Unknown nonlinearity: x"),
    ],
)  # fmt: skip
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_dropout_warning_for_a_single_layer():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.LSTM(3, 4, dropout=0.5)
    assert [str(w.message) for w in caught] == [
        (
            "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
            "expects num_layers greater than 1, but got dropout=0.5 and num_layers=1"
        )
    ]


REPRS = [
    (lambda: nn.LSTM(10, 20), "LSTM(10, 20)"),
    (lambda: nn.LSTM(10, 20, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True),
     "LSTM(10, 20, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True)"),
    (lambda: nn.GRU(3, 4, bias=False), "GRU(3, 4, bias=False)"),
    (lambda: nn.RNN(3, 4, nonlinearity="relu"), "RNN(3, 4)"),
    (lambda: nn.LSTM(3, 4, proj_size=2), "LSTM(3, 4, proj_size=2)"),
    (lambda: nn.RNNCell(3, 4), "RNNCell(3, 4)"),
    (lambda: nn.RNNCell(3, 4, bias=False, nonlinearity="relu"),
     "RNNCell(3, 4, bias=False, nonlinearity=relu)"),
    (lambda: nn.LSTMCell(3, 4), "LSTMCell(3, 4)"),
    (lambda: nn.GRUCell(3, 4, False), "GRUCell(3, 4, bias=False)"),
]  # fmt: skip


@pytest.mark.parametrize("make, text", REPRS)
def test_reprs(make, text):
    assert repr(make()) == text


def test_parameter_names_shapes_and_init_bounds():
    m = nn.LSTM(10, 20, num_layers=2, bidirectional=True)
    names = [n for n, _ in m.named_parameters()]
    assert names[:10] == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
        "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
        "weight_ih_l1", "weight_hh_l1",
    ]  # fmt: skip
    assert m.weight_ih_l1.shape == (80, 40) and m.weight_hh_l0.shape == (80, 20)
    assert all(p.abs().max().item() <= 20**-0.5 for p in m.parameters())
    proj = nn.LSTM(3, 4, proj_size=2)
    assert [tuple(p.shape) for p in proj.parameters()] == [(16, 3), (16, 2), (16,), (16,), (2, 4)]
    assert len(m.all_weights) == 4 and len(m.all_weights[0]) == 4


def test_step_functions_gradcheck_in_every_argument():
    from ferrograd.nn.modules.rnn_cell import gru_step, lstm_step, rnn_step

    def leaf(*shape):
        return torch.randn(*shape, dtype=torch.float64, requires_grad=True)

    assert torch.autograd.gradcheck(
        lambda g, h, c, w, b, r: lstm_step(g, h, c, w, b, r), (leaf(2, 8), leaf(2, 1), leaf(2, 2),
                                                               leaf(8, 1), leaf(8), leaf(1, 2))
    )  # fmt: skip
    assert torch.autograd.gradcheck(gru_step, (leaf(2, 6), leaf(2, 2), leaf(6, 2), leaf(6)))
    assert torch.autograd.gradcheck(
        lambda g, h, w, b: rnn_step(g, h, w, b, "tanh"),
        (leaf(2, 2), leaf(2, 2), leaf(2, 2), leaf(2)),
    )
