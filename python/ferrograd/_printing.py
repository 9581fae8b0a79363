"""Glue between `Tensor.__repr__` and the formatter in `_tensor_str`."""

from . import _C
from ._tensor_str import tensor_repr


def tensor_str(t):
    """`repr(t)` and `str(t)`: PyTorch's exact format, with `ferrograd` for `torch`."""
    grad_fn = t.grad_fn
    device = t.device
    return tensor_repr(
        t._values_for_print(),
        str(t.dtype).rpartition(".")[2],
        requires_grad=t.requires_grad,
        grad_fn=None if grad_fn is None else type(grad_fn).__name__,
        default_dtype=str(_C.get_default_dtype()).rpartition(".")[2],
        device=str(device),
    )
