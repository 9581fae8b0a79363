"""The binary classification losses: BCE on probabilities, BCE on logits, and the soft margins.

BCE is a custom autograd Function: composed from `log`, its gradient is 0 * inf = nan wherever
a saturated sigmoid hands it exactly 0 or 1, while PyTorch's formula stays finite there.
"""

from __future__ import annotations

from ... import _C
from ...autograd.function import Function
from ._loss_reduction import (
    apply_reduction,
    legacy_get_string,
    refuse_grad,
    resolve_reduction,
    scalar_type_name,
)

Tensor = _C.Tensor

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "multilabel_soft_margin_loss",
    "soft_margin_loss",
]

# Where d(loss)/d(input) = (x - t) / (x (1 - x)) would divide by 0, PyTorch divides by this.
_BCE_GRAD_EPSILON = 1e-12


class BinaryCrossEntropy(Function):
    """Per-element -w (t log x + (1 - t) log(1 - x)), each log clamped at -100."""

    @staticmethod
    def forward(ctx, input: Tensor, target: Tensor, weight: Tensor | None) -> Tensor:
        ctx.save_for_backward(input, target, weight)
        # Clamping the logs at -100 keeps the loss finite at x = 0 or 1 (100 is "very wrong").
        log_x = input.log().clamp_min(-100)
        log_one_minus_x = (-input).log1p().clamp_min(-100)
        loss = (target - 1) * log_one_minus_x - target * log_x
        return loss if weight is None else loss * weight

    @staticmethod
    def backward(ctx, grad: Tensor):
        input, target, weight = ctx.saved_tensors
        if weight is not None:
            grad = grad * weight
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            denominator = ((1 - input) * input).clamp_min(_BCE_GRAD_EPSILON)
            grad_input = grad * (input - target) / denominator
        if ctx.needs_input_grad[1]:
            # d/dt of -(t log x + (1 - t) log(1 - x)) is log(1 - x) - log x = -logit(x).
            grad_target = -grad * input.logit()
        return grad_input, grad_target, None


def _check_unit_interval(values: Tensor, name: str) -> None:
    # Written so that nan fails too: nan >= 0 is False.
    if not bool(((values >= 0) & (values <= 1)).all()):
        raise RuntimeError(f"all elements of {name} should be between 0 and 1")


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross entropy between probabilities `input` and `target` (same shape), each
    element optionally scaled by `weight` (broadcast to the target's shape)."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    refuse_grad(weight, "binary_cross_entropy", "weight")
    if weight is not None:
        weight = weight.expand(_C.broadcast_shapes(target.shape, weight.shape))
    if target.dtype != input.dtype:
        raise RuntimeError(
            f"Found dtype {scalar_type_name(target.dtype)} but expected "
            f"{scalar_type_name(input.dtype)}"
        )
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"binary_cross_entropy\" not implemented for '{scalar_type_name(input.dtype)}'"
        )
    _check_unit_interval(input, "input")
    _check_unit_interval(target, "target")
    return apply_reduction(BinaryCrossEntropy.apply(input, target, weight), reduction)


def _softplus_of_negative(x: Tensor) -> Tensor:
    """log(1 + exp(-x)) without overflow: log1p(exp(-|x|)) + max(-x, 0).

    max(-x, 0) is written (|x| - x) / 2 so that at x = 0 the gradient is the true -1/2
    (relu or clamp would pick a one-sided slope, 0 or -1).
    """
    abs_x = x.abs()
    return (-abs_x).exp().log1p() + (abs_x - x) * 0.5


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross entropy of sigmoid(input) against `target`, computed stably from the
    logits; `pos_weight` scales the positive term (t log sigmoid(x)) per class."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    refuse_grad(weight, "binary_cross_entropy_with_logits", "weight")
    refuse_grad(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"log_sigmoid_cpu\" not implemented for '{scalar_type_name(input.dtype)}'"
        )
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            f"result type {scalar_type_name(input.dtype)} can't be cast to the desired "
            f"output type {scalar_type_name(target.dtype)}"
        )
    # -[t log s(x) + (1 - t) log(1 - s(x))] = (1 - t) x + softplus(-x), since
    # log s(x) = -softplus(-x) and log(1 - s(x)) = -x - softplus(-x).
    softplus_neg = _softplus_of_negative(input)
    if pos_weight is None:
        loss = (1 - target) * input + softplus_neg
    else:
        log_weight = (pos_weight - 1) * target + 1
        loss = (1 - target) * input + log_weight * softplus_neg
    if weight is not None:
        loss = loss * weight
    return apply_reduction(loss, reduction)


def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Two-class logistic loss log(1 + exp(-y x)) for labels y in {1, -1}."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    refuse_grad(target, "soft_margin_loss", "target")
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type "
            f"{scalar_type_name(input.dtype)}"
        )
    return apply_reduction(_softplus_of_negative(target * input), reduction)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """One-versus-all logistic loss over the classes (last dimension) of each sample,
    averaged over the classes: `target` holds 0/1 per class."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"log_sigmoid_cpu\" not implemented for '{scalar_type_name(input.dtype)}'"
        )
    # -[t log s(x) + (1 - t) log s(-x)]: the same per-element loss as BCE on logits.
    loss = (1 - target) * input + _softplus_of_negative(input)
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")
