"""``ferrograd.autograd``: reverse-mode automatic differentiation with PyTorch's API.

Ops on tensors that require grad record a graph (each result's ``grad_fn``); ``backward``
walks it from the outputs and adds the gradients into the leaves' ``.grad``; ``grad`` returns
them instead. The engine itself is in the Rust core (``autograd/``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import _C
from . import functional, graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "graph",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "once_differentiable",
    "set_detect_anomaly",
    "set_grad_enabled",
]


def _tensors(value: Any, what: str) -> list:
    """A tensor or a sequence of tensors, as a list."""
    if isinstance(value, _C.Tensor):
        return [value]
    if isinstance(value, Sequence):
        items = list(value)
        for item in items:
            if not isinstance(item, _C.Tensor):
                raise TypeError(
                    f"{what} must be a Tensor or a sequence of Tensors, "
                    f"but got {type(item).__name__}"
                )
        return items
    raise TypeError(
        f"{what} must be a Tensor or a sequence of Tensors, but got {type(value).__name__}"
    )


def _grads(grads: Any, n: int) -> list:
    """``grad_tensors`` / ``grad_outputs``: one Tensor or None per output."""
    if grads is None:
        return [None] * n
    items = [grads] if isinstance(grads, _C.Tensor) else list(grads)
    if len(items) != n:
        raise RuntimeError(f"got {len(items)} tensors and {n} gradients")
    for g in items:
        if g is not None and not isinstance(g, _C.Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
    return items


def backward(
    tensors,
    grad_tensors=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables=None,
    inputs=None,
) -> None:
    """Adds the gradients of ``tensors`` into the ``.grad`` of the leaves of their graph (only
    into ``inputs`` when given). ``grad_tensors`` are the gradients of ``tensors`` themselves
    (needed for any that is not a scalar)."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    outputs = _tensors(tensors, "tensors")
    if inputs is not None:
        inputs = _tensors(inputs, "inputs")
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    if retain_graph is None:
        retain_graph = create_graph
    _C._backward(
        outputs,
        _grads(grad_tensors, len(outputs)),
        bool(retain_graph),
        bool(create_graph),
        inputs or [],
    )


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple; no ``.grad``
    changes. With ``create_graph`` the gradients have a graph of their own (for higher
    derivatives)."""
    if is_grads_batched:
        raise NotImplementedError("grad(): is_grads_batched=True is not supported by ferrograd")
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _tensors(outputs, "outputs")
    ins = _tensors(inputs, "inputs")
    if retain_graph is None:
        retain_graph = create_graph
    result = _C._grad(
        outs,
        _grads(grad_outputs, len(outs)),
        ins,
        bool(retain_graph),
        bool(create_graph),
        bool(allow_unused),
    )
    if materialize_grads:
        from .. import zeros_like

        result = [zeros_like(x) if g is None else g for g, x in zip(result, ins)]
    return tuple(result)
