"""Recurrent layers over whole sequences: RNN, LSTM and GRU (stacked, bidirectional, packed).

Each layer and direction runs the step of `rnn_cell.py` along time. The input's part of every
step's gates is one matrix product over the whole sequence; only the hidden state's product
is inside the loop. Packed input (`nn.utils.rnn.PackedSequence`) runs the same loop with a
batch that shrinks as the shorter sequences end.
"""

from __future__ import annotations

import math
import numbers
import warnings

from ... import _C
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module
from .rnn_cell import gru_step, input_gates, lstm_step, rnn_step

Tensor = _C.Tensor

__all__ = ["GRU", "LSTM", "RNN", "RNNBase"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """The parameters, checks and time loop shared by RNN, LSTM and GRU."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._check_options(dropout, num_layers, proj_size, hidden_size, mode)
        self._flat_weights_names: list[str] = []
        directions = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size
        gates = _GATES[mode] * hidden_size
        factory = {"device": device, "dtype": dtype}
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else real_hidden * directions
                shapes = [("weight_ih", (gates, layer_input)), ("weight_hh", (gates, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gates,)), ("bias_hh", (gates,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                suffix = "_reverse" if direction == 1 else ""
                for kind, shape in shapes:
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(_C.empty(shape, **factory)))
                    self._flat_weights_names.append(name)
        self.reset_parameters()

    @staticmethod
    def _check_options(dropout, num_layers, proj_size, hidden_size, mode) -> None:
        if (
            not isinstance(dropout, numbers.Number)
            or not 0 <= dropout <= 1
            or isinstance(dropout, bool)
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of "
                "an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                stacklevel=3,
            )
        if not isinstance(hidden_size, int) or isinstance(hidden_size, bool):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size > 0 and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """PyTorch packs the weights for cuDNN here; ferrograd has nothing to do."""

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        per_direction = len(self._flat_weights_names) // (
            self.num_layers * (2 if self.bidirectional else 1)
        )
        weights = self._flat_weights
        return [weights[i : i + per_direction] for i in range(0, len(weights), per_direction)]

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first is not False:
            text += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            text += f", bidirectional={self.bidirectional}"
        return text

    # ---- the forward pass -------------------------------------------------------------

    def _layer_weights(self, layer: int, direction: int) -> dict:
        suffix = "_reverse" if direction == 1 else ""

        def get(kind: str):
            return getattr(self, f"{kind}_l{layer}{suffix}", None)

        return {
            kind: get(kind)
            for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
        }

    def _run(self, steps_input: Tensor, batch_sizes: list[int] | None, hidden: list):
        """All layers over a time-major input.

        `steps_input` is (T, B, H_in), or packed data (sum of batch sizes, H_in) when
        `batch_sizes` is given. `hidden` holds one state per layer and direction (a tensor,
        or an (h, c) pair for LSTM). Returns the last layer's output and the final states.
        """
        directions = 2 if self.bidirectional else 1
        finals = []
        layer_input = steps_input
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                w = self._layer_weights(layer, direction)
                out, final = self._run_direction(
                    layer_input, batch_sizes, hidden[index], w, reverse=direction == 1
                )
                outputs.append(out)
                finals.append(final)
            layer_input = outputs[0] if directions == 1 else _C.cat(outputs, -1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, training=True)
        return layer_input, finals

    def _run_direction(self, input, batch_sizes, state, w, reverse: bool):
        fold = self.mode != "GRU"  # GRU uses b_hh inside its reset gate: it stays per step
        gates_x = input_gates(input, w["weight_ih"], w["bias_ih"], w["bias_hh"], fold)
        if fold:
            w = {**w, "bias_hh": None}
        if batch_sizes is None:
            steps = list(gates_x.unbind(0))
        else:
            steps = list(gates_x.split(batch_sizes, 0))
        order = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
        outputs: list = [None] * len(steps)
        for t in order:
            outputs[t], state = self._step(steps[t], state, w)
        if batch_sizes is None:
            return _C.stack(outputs, 0), state
        return _C.cat(outputs, 0), state

    def _step(self, gates_x: Tensor, state, w):
        """One time step on the first `len(gates_x)` rows of the state (the running sequences).

        Returns the step's output (the running rows' new h) and the whole new state, in which
        the rows of sequences that have ended keep their last value.
        """
        running = gates_x.shape[0]
        if self.mode == "LSTM":
            h, c = state
            h_new, c_new = lstm_step(
                gates_x, h[:running], c[:running], w["weight_hh"], w["bias_hh"], w["weight_hr"]
            )
            return h_new, (_keep_ended(h_new, h), _keep_ended(c_new, c))
        if self.mode == "GRU":
            h_new = gru_step(gates_x, state[:running], w["weight_hh"], w["bias_hh"])
        else:
            nonlinearity = "tanh" if self.mode == "RNN_TANH" else "relu"
            h_new = rnn_step(gates_x, state[:running], w["weight_hh"], w["bias_hh"], nonlinearity)
        return h_new, _keep_ended(h_new, state)

    def _state_shape(self, batch: int, size: int) -> tuple[int, int, int]:
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    def _check_input(self, input: Tensor, batch_sizes) -> None:
        expected_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {input.dim()}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {input.shape[-1]}"
            )

    def _check_hidden_size(self, hx: Tensor, expected: tuple, message: str) -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(message.format(expected, list(hx.shape)))

    def _prepare(self, input):
        """The input as time-major steps, its batch sizes (packed) and unbatched/packed flags."""
        if isinstance(input, PackedSequence):
            batch_sizes = [int(n) for n in input.batch_sizes.tolist()]
            return input.data, batch_sizes, batch_sizes[0], False
        name = type(self).__name__
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D instead")
        unbatched = input.dim() == 2
        if unbatched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        return input, None, input.shape[1], unbatched

    def _finish(self, original, output: Tensor, unbatched: bool):
        if isinstance(original, PackedSequence):
            return PackedSequence(
                output, original.batch_sizes, original.sorted_indices, original.unsorted_indices
            )
        if unbatched:
            return output.squeeze(1)
        return output.transpose(0, 1) if self.batch_first else output


def _keep_ended(new_rows: Tensor, old: Tensor) -> Tensor:
    """The new state of the running rows above the unchanged state of the ended ones."""
    if new_rows.shape[0] == old.shape[0]:
        return new_rows
    return _C.cat([new_rows, old[new_rows.shape[0] :]], 0)


def _sorted_state(hx: Tensor, original) -> Tensor:
    """A packed batch runs in sorted order: reorder a user's initial state to match."""
    if isinstance(original, PackedSequence) and original.sorted_indices is not None:
        return hx.index_select(1, original.sorted_indices)
    return hx


def _unsorted_state(hx: Tensor, original) -> Tensor:
    if isinstance(original, PackedSequence) and original.unsorted_indices is not None:
        return hx.index_select(1, original.unsorted_indices)
    return hx


class _SimpleRecurrent(RNNBase):
    """RNN and GRU: the state is one tensor h."""

    def forward(self, input, hx: Tensor | None = None):
        steps, batch_sizes, batch, unbatched = self._prepare(input)
        self._check_input(steps, batch_sizes)
        expected = self._state_shape(batch, self.hidden_size)
        if hx is None:
            hx = _C.zeros(expected, dtype=steps.dtype, device=steps.device)
        else:
            if unbatched and hx.dim() != 2:
                raise RuntimeError(
                    f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor"
                )
            if not unbatched and batch_sizes is None and hx.dim() != 3:
                raise RuntimeError(
                    f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor"
                )
            hx = hx.unsqueeze(1) if unbatched else _sorted_state(hx, input)
            self._check_hidden_size(hx, expected, "Expected hidden size {}, got {}")
        output, finals = self._run(steps, batch_sizes, list(hx.unbind(0)))
        h_n = _unsorted_state(_C.stack(finals, 0), input)
        return self._finish(input, output, unbatched), h_n.squeeze(1) if unbatched else h_n


class RNN(_SimpleRecurrent):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, *args, **kwargs) -> None:
        nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nonlinearity


class GRU(_SimpleRecurrent):
    """Gated recurrent unit, stacked and optionally bidirectional."""

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory: states (h, c), optional projection of h (`proj_size`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx: tuple[Tensor, Tensor] | None = None):
        steps, batch_sizes, batch, unbatched = self._prepare(input)
        self._check_input(steps, batch_sizes)
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        h_shape = self._state_shape(batch, real_hidden)
        c_shape = self._state_shape(batch, self.hidden_size)
        if hx is None:
            h0 = _C.zeros(h_shape, dtype=steps.dtype, device=steps.device)
            c0 = _C.zeros(c_shape, dtype=steps.dtype, device=steps.device)
        else:
            h0, c0 = hx
            want = 2 if unbatched else 3
            if (unbatched or batch_sizes is None) and (h0.dim() != want or c0.dim() != want):
                kind = "unbatched 2-D" if unbatched else "batched 3-D"
                raise RuntimeError(
                    f"For {kind} input, hx and cx should also be {want}-D but got "
                    f"({h0.dim()}-D, {c0.dim()}-D) tensors"
                )
            if unbatched:
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
            else:
                h0, c0 = _sorted_state(h0, input), _sorted_state(c0, input)
            self._check_hidden_size(h0, h_shape, "Expected hidden[0] size {}, got {}")
            self._check_hidden_size(c0, c_shape, "Expected hidden[1] size {}, got {}")
        states = list(zip(h0.unbind(0), c0.unbind(0)))
        output, finals = self._run(steps, batch_sizes, states)
        h_n = _unsorted_state(_C.stack([h for h, _ in finals], 0), input)
        c_n = _unsorted_state(_C.stack([c for _, c in finals], 0), input)
        if unbatched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._finish(input, output, unbatched), (h_n, c_n)
