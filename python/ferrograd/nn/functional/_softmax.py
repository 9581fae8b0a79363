"""The softmax family and the classification losses built on it: nll_loss and cross_entropy."""

from __future__ import annotations

import warnings

from ... import _C
from ._loss_reduction import resolve_reduction, scalar_type_name

Tensor = _C.Tensor

__all__ = [
    "cross_entropy",
    "gumbel_softmax",
    "log_softmax",
    "nll_loss",
    "softmax",
    "softmin",
]


def _get_softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    """The dim PyTorch picks when none is given (0 for 0-, 1- and 3-D inputs, else 1), with
    its deprecation warning: relying on it is fragile, as a batch dim changes the choice."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: _C.dtype | None = None
) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim` (computed stably, the maximum subtracted first)."""
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim, dtype=dtype)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: _C.dtype | None = None
) -> Tensor:
    """log(softmax(x)) along `dim`, without the underflow of taking the log of a softmax."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim, dtype=dtype)


def softmin(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: _C.dtype | None = None
) -> Tensor:
    """softmax(-x): the smallest values get the largest weights."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is None:
        return (-input).softmax(dim)
    # The cast comes first, as in PyTorch: the negation happens in the requested dtype.
    return (-input.to(dtype)).softmax(dim)


def gumbel_softmax(
    logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """A differentiable sample from the categorical distribution given by `logits`: the softmax
    of (logits + Gumbel noise) / tau. With `hard`, a one-hot sample whose gradient is that of
    the soft sample (the straight-through estimator)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    # -log(Exp(1)) is Gumbel(0, 1) noise.
    gumbels = -_C.empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _C.zeros_like(logits).scatter_(dim, index, 1.0)
    # The value of y_hard, the gradient of y_soft.
    return y_hard - y_soft.detach() + y_soft


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of class indices `target` under log-probabilities `input`
    (classes along dim 1, or dim 0 for a single sample): -weight[t] * input[t], reduced. The
    weighted mean divides by the total weight of the targets that are not ignored."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    return _C._nll_loss_nd(input, target, weight, reduction, ignore_index)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """The cross entropy between the softmax of the logits `input` and the target, given as
    class indices or as class probabilities (a float target of the input's shape)."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    class_dim = 0 if input.dim() == 1 else 1
    if target.shape == input.shape:
        if not target.is_floating_point():
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, "
                f"got {scalar_type_name(target.dtype)}"
            )
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probabilities(
            input, target, weight, reduction, label_smoothing, class_dim
        )
    log_probs = input.log_softmax(class_dim)
    if label_smoothing > 0.0:
        _check_label_smoothing(label_smoothing)
        return _cross_entropy_smoothed(
            log_probs, target, weight, reduction, ignore_index, label_smoothing, class_dim
        )
    return _C._nll_loss_nd(log_probs, target, weight, reduction, ignore_index)


def _check_label_smoothing(label_smoothing: float) -> None:
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")


def _class_weight_view(weight: Tensor, ndim: int, class_dim: int) -> Tensor:
    """The class weights shaped to broadcast along the class dim of an `ndim`-D input."""
    shape = [1] * ndim
    shape[class_dim] = weight.shape[0]
    return weight.view(shape)


def _cross_entropy_probabilities(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None,
    reduction: str,
    label_smoothing: float,
    class_dim: int,
) -> Tensor:
    """-sum(target * log_softmax(input)) over the classes (weighted per class); the mean is over
    the samples (every position but the class dim)."""
    n_classes = input.shape[class_dim]
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {n_classes} "
            f"classes or no classes but got weight tensor of shape: {list(weight.shape)}"
        )
    log_probs = input.log_softmax(class_dim)
    if label_smoothing > 0.0:
        _check_label_smoothing(label_smoothing)
        # Mix the target with the uniform distribution over the classes.
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = log_probs * target
    if weight is not None:
        terms = terms * _class_weight_view(weight, input.dim(), class_dim)
    if reduction == "none":
        return -terms.sum(class_dim)
    if reduction == "sum":
        return -terms.sum()
    if input.numel() == 0:
        return -terms.sum() * float("nan")
    return -terms.sum() / (input.numel() // n_classes)


def _cross_entropy_smoothed(
    log_probs: Tensor,
    target: Tensor,
    weight: Tensor | None,
    reduction: str,
    ignore_index: int,
    label_smoothing: float,
    class_dim: int,
) -> Tensor:
    """Class-index targets with label smoothing: (1 - eps) * nll_loss plus eps / C times the
    loss against the uniform distribution, -sum(weight * log_probs) over the classes."""
    n_classes = log_probs.shape[class_dim]
    nll = _C._nll_loss_nd(log_probs, target, weight, reduction, ignore_index)
    ignored = target == ignore_index
    if weight is not None:
        smooth = -(log_probs * _class_weight_view(weight, log_probs.dim(), class_dim)).sum(
            class_dim
        )
    else:
        smooth = -log_probs.sum(class_dim)
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        if weight is not None:
            # Normalised by the weights of the counted targets, as nll_loss is.
            counted = target.masked_select(~ignored).flatten()
            smooth = smooth.sum() / weight.gather(0, counted).sum()
        else:
            smooth = smooth.sum() / (~ignored).sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)
