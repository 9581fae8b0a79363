"""One time step of the recurrent layers: RNNCell, LSTMCell, GRUCell, and the step maths.

The step functions take the input's share of the gates already computed (`x @ W_ih^T + b_ih`),
so a whole-sequence layer can compute it for every time step in one matrix product and only the
hidden state's product stays inside the loop.
"""

from __future__ import annotations

import math

from ... import _C
from .. import init
from ..parameter import Parameter
from .module import Module

Tensor = _C.Tensor

__all__ = ["GRUCell", "LSTMCell", "RNNCell", "RNNCellBase"]


def linear(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """x @ weight^T + bias as one fused product (`addmm`), over the last dim of x."""
    if bias is None:
        return x.matmul(weight.t())
    if x.dim() == 2:
        return _C.addmm(bias, x, weight.t())
    rows = x.reshape(-1, x.shape[-1])
    return _C.addmm(bias, rows, weight.t()).reshape(list(x.shape[:-1]) + [weight.shape[0]])


def input_gates(x: Tensor, w_ih: Tensor, b_ih, b_hh, fold_hidden_bias: bool) -> Tensor:
    """x W_ih^T + b_ih, with b_hh added too when the cell only ever uses the sum of the two
    (RNN, LSTM): one addition for the whole sequence instead of one per step."""
    bias = b_ih
    if fold_hidden_bias and b_hh is not None:
        bias = b_hh if b_ih is None else b_ih + b_hh
    return linear(x, w_ih, bias)


def _with_hidden(gates_x: Tensor, h: Tensor, w_hh: Tensor, b_hh) -> Tensor:
    """gates_x + h W_hh^T (+ b_hh unless it was folded into gates_x), as one `addmm`."""
    gates = _C.addmm(gates_x, h, w_hh.t())
    return gates if b_hh is None else gates + b_hh


def rnn_step(gates_x: Tensor, h: Tensor, w_hh: Tensor, b_hh, nonlinearity: str) -> Tensor:
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    pre = _with_hidden(gates_x, h, w_hh, b_hh)
    if nonlinearity == "tanh":
        return pre.tanh()
    if nonlinearity == "relu":
        return pre.relu()
    raise RuntimeError(f"Unknown nonlinearity: {nonlinearity}")


def lstm_step(gates_x: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh, w_hr=None):
    """The LSTM's gates i, f, g, o (in that order along the last dim), then

    c' = f * c + i * g,   h' = o * tanh(c')   (projected by W_hr when `proj_size` > 0).

    Everything after the matrix product is one fused op with its own backward: ten small
    ops per time step would cost more than the arithmetic.
    """
    gates = _with_hidden(gates_x, h, w_hh, b_hh)
    h_next, c_next = _C._lstm_cell_pointwise(gates, c)
    if w_hr is not None:
        h_next = h_next.matmul(w_hr.t())
    return h_next, c_next


def gru_step(gates_x: Tensor, h: Tensor, w_hh: Tensor, b_hh) -> Tensor:
    """The GRU's gates r, z, n:  r = sigmoid(x_r + h_r),  z = sigmoid(x_z + h_z),
    n = tanh(x_n + r * h_n),  h' = (1 - z) * n + z * h = n + z * (h - n).

    Everything after the matrix products is one fused op with its own backward."""
    return _C._gru_cell_pointwise(gates_x, linear(h, w_hh, b_hh), h)


class RNNCellBase(Module):
    """The weights of one step: `weight_ih` (gates x input), `weight_hh` (gates x hidden)."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device, dtype
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gates = num_chunks * hidden_size
        factory = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(_C.empty((gates, input_size), **factory))
        self.weight_hh = Parameter(_C.empty((gates, hidden_size), **factory))
        if bias:
            self.bias_ih = Parameter(_C.empty(gates, **factory))
            self.bias_hh = Parameter(_C.empty(gates, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            text += f", nonlinearity={nonlinearity}"
        return text

    def _batched(self, input: Tensor, hx: Tensor | None, name: str):
        """(input, hx) as 2-D tensors, and whether the input came unbatched (1-D)."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        unbatched = input.dim() == 1
        if unbatched:
            if hx is not None and hx.dim() != 1:
                raise RuntimeError(
                    f"Expected 2D hidden0 (batch x hidden_size), but got {hx.dim() + 1}D tensor"
                )
            input = input.unsqueeze(0)
            hx = None if hx is None else hx.unsqueeze(0)
        if input.shape[1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.shape[1]} "
                f"expected {self.input_size}"
            )
        return input, hx, unbatched

    def _zeros(self, input: Tensor) -> Tensor:
        return _C.zeros(input.shape[0], self.hidden_size, dtype=input.dtype, device=input.device)

    def _check_hidden(self, input: Tensor, hx: Tensor, which: int = 0) -> None:
        if input.shape[0] != hx.shape[0]:
            raise RuntimeError(
                f"Input batch size {input.shape[0]} doesn't match hidden{which} batch size "
                f"{hx.shape[0]}"
            )
        if hx.shape[1] != self.hidden_size:
            raise RuntimeError(
                f"hidden{which} has inconsistent hidden_size: got {hx.shape[1]}, "
                f"expected {self.hidden_size}"
            )


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, unbatched = self._batched(input, hx, "RNNCell")
        hx = self._zeros(input) if hx is None else hx
        self._check_hidden(input, hx)
        gates_x = input_gates(input, self.weight_ih, self.bias_ih, self.bias_hh, True)
        h = rnn_step(gates_x, hx, self.weight_hh, None, self.nonlinearity)
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    """One LSTM step: returns (h', c')."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None):
        h0, c0 = (None, None) if hx is None else hx
        input, h0, unbatched = self._batched(input, h0, "LSTMCell")
        if c0 is not None and unbatched:
            c0 = c0.unsqueeze(0)
        h0 = self._zeros(input) if h0 is None else h0
        c0 = self._zeros(input) if c0 is None else c0
        self._check_hidden(input, h0, 0)
        self._check_hidden(input, c0, 1)
        gates_x = input_gates(input, self.weight_ih, self.bias_ih, self.bias_hh, True)
        h, c = lstm_step(gates_x, h0, c0, self.weight_hh, None)
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    """One GRU step: returns h'."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, unbatched = self._batched(input, hx, "GRUCell")
        hx = self._zeros(input) if hx is None else hx
        self._check_hidden(input, hx)
        gates_x = linear(input, self.weight_ih, self.bias_ih)
        h = gru_step(gates_x, hx, self.weight_hh, self.bias_hh)
        return h.squeeze(0) if unbatched else h
