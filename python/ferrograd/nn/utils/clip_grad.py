"""Gradient clipping: rescale all gradients to a maximum total norm, or clamp each value."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Union

from ... import _C, linalg
from ...autograd.grad_mode import no_grad

Tensor = _C.Tensor
_TensorOrTensors = Union[Tensor, Iterable[Tensor]]

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _as_list(parameters: _TensorOrTensors) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


@no_grad()
def clip_grad_norm_(
    parameters: _TensorOrTensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scales all gradients together so that their joint `norm_type`-norm is at most `max_norm`.

    The joint norm is the norm of the per-gradient norms (the same as the norm of all gradients
    concatenated). It is returned, measured before clipping. `foreach` is accepted for
    PyTorch compatibility; there is a single implementation.
    """
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    if not grads:
        return _C.tensor(0.0)
    norms = [linalg.vector_norm(g, norm_type) for g in grads]
    total_norm = linalg.vector_norm(_C.stack(norms), norm_type)
    if error_if_nonfinite and not bool(_C.isfinite(total_norm)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    # The small epsilon keeps the coefficient finite for all-zero gradients; clamping to 1
    # means gradients already within the limit are multiplied by exactly 1.
    clip_coef = max_norm / (total_norm + 1e-6)
    clip_coef_clamped = _C.clamp(clip_coef, max=1.0)
    for g in grads:
        g.mul_(clip_coef_clamped.to(g.dtype))
    return total_norm


@no_grad()
def clip_grad_value_(
    parameters: _TensorOrTensors, clip_value: float, foreach: bool | None = None
) -> None:
    """Clamps every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)
