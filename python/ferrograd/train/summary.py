"""`summary(model, input_shape)`: the Keras-style layer table torchkeras prints for a model.

A forward hook on every layer records the shape of what the layer returns while one dummy
batch of 2 runs through the model (2, not 1, so batch-norm layers can compute statistics).
The table looks like this (the tutorials' Titanic MLP):

    --------------------------------------------------------------------------
    Layer (type)                            Output Shape              Param #
    ==========================================================================
    Linear-1                                    [-1, 20]                  320
    ReLU-2                                      [-1, 20]                    0
    ...
    ==========================================================================
    Total params: 651
    Trainable params: 651
    Non-trainable params: 0
    --------------------------------------------------------------------------
    Input size (MB): 0.000057
    Forward/backward pass size (MB): 0.000549
    Params size (MB): 0.002483
    Estimated Total Size (MB): 0.003090
    --------------------------------------------------------------------------

The sizes follow torchkeras: 4 bytes a number; the forward/backward size counts every
layer's output twice (the value and its gradient) for one batch of `abs(batch_size)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _C, float32, no_grad, rand, zeros
from ..nn import Module, MultiheadAttention

Tensor = _C.Tensor

__all__ = ["summary", "summary_string"]

_RULE = "-" * 74
_DOUBLE_RULE = "=" * 74
_MB = 1024.0**2
# Layers that have child modules but are shown as one row (their children are internals).
_ATOMIC_LAYERS = (MultiheadAttention,)


def _is_layer(module: Module) -> bool:
    """A row of the table: a module without children, or one of the atomic layers."""
    return isinstance(module, _ATOMIC_LAYERS) or not module._modules


def _output_shape(output: Any, batch_size: int) -> list[int] | None:
    """The first tensor's shape with the batch dimension replaced by `batch_size`."""
    while isinstance(output, (tuple, list)) and output:
        output = output[0]  # an LSTM returns (output, (h, c)): the table shows `output`
    if not isinstance(output, Tensor):
        return None
    return [batch_size, *list(output.shape)[1:]]


def _dummy_inputs(input_shapes: list[tuple[int, ...]], dtype: Any, device: Any) -> list[Tensor]:
    """A batch of 2 per input: uniform floats, or zeros for integer inputs (valid indices)."""
    dtype = getattr(dtype, "dtype", dtype)  # a legacy type such as LongTensor names its dtype
    if dtype.is_floating_point:
        return [rand(2, *shape, dtype=dtype, device=device) for shape in input_shapes]
    return [zeros(2, *shape, dtype=dtype, device=device) for shape in input_shapes]


def _normalise_shapes(input_shape: Sequence[Any]) -> list[tuple[int, ...]]:
    """One shape `(15,)` or `[3, 32, 32]`, or a list of shapes for several inputs."""
    if all(isinstance(dim, int) for dim in input_shape):
        return [tuple(input_shape)]
    return [tuple(shape) for shape in input_shape]


def _record_layers(model: Module, inputs: Sequence[Any], batch_size: int) -> list[dict]:
    """Runs `model(*inputs)` once with hooks on every layer; one record per layer call."""
    records: list[dict] = []

    def hook(module: Module, _inputs: Any, output: Any) -> None:
        records.append(
            {
                "name": f"{type(module).__name__}-{len(records) + 1}",
                "module": module,
                "shape": _output_shape(output, batch_size),
            }
        )

    handles = [m.register_forward_hook(hook) for m in model.modules() if _is_layer(m)]
    was_training = model.training
    # Evaluation mode and no graph: the dummy batch must not move batch-norm running
    # statistics nor build an autograd graph.
    model.eval()
    try:
        with no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return records


def _table_rows(records: list[dict]) -> tuple[list[str], int]:
    """The table's lines and the number of output values over all layers.

    A parameter is counted on the first row that uses it: a layer called twice shows its
    parameters once, so the rows add up to the total.
    """
    seen: set[int] = set()
    lines = []
    total_output = 0
    for record in records:
        count = 0
        for param in record["module"].parameters():
            if id(param) not in seen:
                seen.add(id(param))
                count += param.numel()
        shape = record["shape"]
        if shape is not None:
            total_output += abs(int(np.prod(shape)))
        shape_text = str(shape) if shape is not None else "--"
        lines.append(f"{record['name']:<30}  {shape_text:>20} {count:>20,}")
    return lines, total_output


def summary_string(
    model: Module,
    input_shape: Sequence[Any] | None = None,
    input_dtype: Any = float32,
    batch_size: int = -1,
    input_data: Any = None,
) -> str:
    """The text `summary` prints."""
    if input_data is not None:
        inputs = list(input_data) if isinstance(input_data, (tuple, list)) else [input_data]
        input_numbers = sum(t.numel() for t in inputs if isinstance(t, Tensor))
    elif input_shape is not None:
        shapes = _normalise_shapes(input_shape)
        # On the model's device, so that a model moved to the GPU can be summarised.
        first = next(iter(model.parameters()), None)
        device = first.device if first is not None else "cpu"
        inputs = _dummy_inputs(shapes, input_dtype, device)
        input_numbers = sum(int(np.prod(shape)) for shape in shapes) * abs(batch_size)
    else:
        raise TypeError("summary() needs input_shape (without the batch dimension) or input_data")

    lines, total_output = _table_rows(_record_layers(model, inputs, batch_size))
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)

    input_mb = input_numbers * 4.0 / _MB
    output_mb = 2.0 * total_output * 4.0 / _MB
    params_mb = total * 4.0 / _MB
    text = [_RULE, f"{'Layer (type)':<30}  {'Output Shape':>20} {'Param #':>20}", _DOUBLE_RULE]
    text += lines
    text += [
        _DOUBLE_RULE,
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        _RULE,
        f"Input size (MB): {input_mb:0.6f}",
        f"Forward/backward pass size (MB): {output_mb:0.6f}",
        f"Params size (MB): {params_mb:0.6f}",
        f"Estimated Total Size (MB): {input_mb + output_mb + params_mb:0.6f}",
        _RULE,
    ]
    return "\n".join(text)


def summary(
    model: Module,
    input_shape: Sequence[Any] | None = None,
    input_dtype: Any = float32,
    batch_size: int = -1,
    input_data: Any = None,
) -> None:
    """Prints the layer table of `model` for inputs of `input_shape` (batch dimension left out).

    `input_dtype` is a dtype or a legacy type (`ferrograd.LongTensor` for token indices, as
    the text tutorial passes). Several inputs: a list of shapes. Instead of a shape, a real
    batch may be given as `input_data` (a tensor, or a tuple of tensors for several inputs).
    Output shapes show the batch dimension as `batch_size` (-1: any).
    """
    print(summary_string(model, input_shape, input_dtype, batch_size, input_data))
