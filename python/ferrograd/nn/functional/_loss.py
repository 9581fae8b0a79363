"""The regression and likelihood losses: L1, MSE, smooth L1, Huber, Poisson/Gaussian NLL, KL.

Each is composed from Tensor ops, so autograd differentiates it with no formula of its own;
`input - target` broadcasts, after the warning PyTorch gives when the shapes differ.
"""

from __future__ import annotations

import math
import warnings

from ... import _C
from ...autograd.grad_mode import no_grad
from ._loss_reduction import (
    apply_reduction,
    check_reduction,
    legacy_get_string,
    refuse_integral,
    resolve_reduction,
    warn_if_sizes_differ,
)

Tensor = _C.Tensor

__all__ = [
    "gaussian_nll_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "mse_loss",
    "poisson_nll_loss",
    "smooth_l1_loss",
]


def _weighted_reduction(loss: Tensor, weight: Tensor, reduction: str, mean_by_weight: bool):
    """Reduces `loss * weight`: 'mean' divides by the total weight for L1/MSE, by the number
    of elements for Huber (as PyTorch does)."""
    weighted = loss * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean":
        return weighted.sum() / weight.sum() if mean_by_weight else weighted.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def _check_weight_size(weight: Tensor, input: Tensor) -> None:
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean (or sum) of the absolute differences `|input - target|`."""
    warn_if_sizes_differ(input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if weight is not None:
        _check_weight_size(weight, input)
        return _weighted_reduction((input - target).abs(), weight, reduction, True)
    return apply_reduction((input - target).abs(), check_reduction(reduction))


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean (or sum) of the squared differences `(input - target)**2`."""
    warn_if_sizes_differ(input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if weight is not None:
        _check_weight_size(weight, input)
        return _weighted_reduction((input - target).square(), weight, reduction, True)
    reduction = check_reduction(reduction)
    refuse_integral(input, target, "mse_cpu")
    return apply_reduction((input - target).square(), reduction)


def _smooth_l1(diff: Tensor, beta: float) -> Tensor:
    """0.5 d²/beta inside |d| < beta, |d| - beta/2 outside: the two pieces meet with equal
    value and slope at |d| = beta."""
    abs_diff = diff.abs()
    return _C.where(abs_diff < beta, diff.square() * (0.5 / beta), abs_diff - 0.5 * beta)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Squared error below `beta`, absolute error above it (beta == 0 is the L1 loss)."""
    warn_if_sizes_differ(input, target)
    reduction = resolve_reduction(size_average, reduce, reduction)
    if beta == 0.0:
        return apply_reduction((input - target).abs(), reduction)
    refuse_integral(input, target, "smooth_l1_cpu")
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return apply_reduction(_smooth_l1(input - target, beta), reduction)


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """0.5 d² below `delta`, delta * (|d| - delta/2) above: smooth L1 scaled by delta."""
    warn_if_sizes_differ(input, target)
    if weight is None:
        reduction = check_reduction(reduction)
    refuse_integral(input, target, "huber_cpu")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    diff = input - target
    abs_diff = diff.abs()
    loss = _C.where(abs_diff < delta, diff.square() * 0.5, (abs_diff - 0.5 * delta) * delta)
    if weight is not None:
        _check_weight_size(weight, input)
        return _weighted_reduction(loss, weight, reduction, False)
    return apply_reduction(loss, reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood of `target` under Poisson(rate), the rate being `exp(input)`
    (log_input) or `input`; `full` adds Stirling's approximation of log(target!)."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        # eps keeps log finite where the predicted rate is 0.
        loss = input - target * (input + eps).log()
    if full:
        # log(t!) ~ t log t - t + 0.5 log(2 pi t), used only where t > 1 (it is poor below).
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return apply_reduction(loss, reduction)


def _gaussian_var_shape(input: Tensor, var: Tensor) -> Tensor:
    """`var` as it broadcasts against `input`: the same shape (one variance per value), one
    dimension short (one per row: unsqueezed), or one mismatched dimension of size 1."""
    if var.shape == input.shape:
        return var
    if input.shape[:-1] == var.shape:
        return var.unsqueeze(-1)
    if input.dim() == var.dim():
        mismatched = sum(v for i, v in zip(input.shape, var.shape) if i != v)
        if mismatched == 1:
            return var
    raise ValueError("var is of incorrect size")


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood of `target` under Normal(input, var), without the constant
    0.5 log(2 pi) unless `full`."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * _C.ones_like(input)
    elif bool(_C.any(var < 0)):
        raise ValueError("var has negative entry/entries")
    var = _gaussian_var_shape(input, var)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # Clamping a clone under no_grad keeps the gradient of var flowing where it was clamped:
    # the clamp only guards the log and the division, as in PyTorch.
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target).square() / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return apply_reduction(loss, reduction)


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence KL(target || exp(input)) per element: `input` holds log
    probabilities, `target` probabilities (or log probabilities with `log_target`)."""
    legacy = size_average is not None or reduce is not None
    if legacy:
        reduction = legacy_get_string(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the "
                "support size.'batchmean' divides only by the batch size, and aligns with the "
                "KL div math definition.'mean' will be changed to behave the same as "
                "'batchmean' in the next major release.",
                stacklevel=2,
            )
        if reduction != "batchmean":
            reduction = check_reduction(reduction)
    if not (input.dtype.is_floating_point and target.dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        # xlogy gives 0 where target is 0 (0 log 0 = 0), where a plain log would give nan.
        loss = _C.xlogy(target, target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.dim() != 0 else total
    return apply_reduction(loss, reduction)
