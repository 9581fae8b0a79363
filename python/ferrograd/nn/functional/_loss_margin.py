"""The margin (hinge) losses: ranking, hinge and cosine embedding, multi-class and multi-label
margins, and the triplet losses.

A hinge max(0, z) is written `clamp_min(z, 0)` where PyTorch composes it that way (its
gradient passes at z = 0) and `relu` where PyTorch's kernel counts only z > 0.
"""

from __future__ import annotations

from collections.abc import Callable

from ... import _C
from ._distance import pairwise_distance
from ._loss_reduction import (
    apply_reduction,
    check_reduction,
    refuse_grad,
    resolve_reduction,
    scalar_type_name,
)

Tensor = _C.Tensor

__all__ = [
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]


def _sizes(t: Tensor) -> str:
    """A shape as ATen's messages print it: [2, 3]."""
    return "[" + ", ".join(str(s) for s in t.shape) + "]"


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, -y (x1 - x2) + margin): y = 1 asks for x1 to rank above x2 by `margin`."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    loss = (-target * (input1 - input2) + margin).clamp_min(0)
    return apply_reduction(loss, reduction)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1 (x is usually a distance)."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    zeros = _C.zeros_like(input)
    margin_term = _C.where(target != 1, (margin - input).clamp_min(0), zeros)
    self_term = _C.where(target != -1, input, zeros)
    return apply_reduction(margin_term + self_term, reduction)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1, with the
    vectors along the last dimension (one pair, or a batch of pairs for a 1-D target)."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    target_dim = target.dim()
    if target_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    expected = target_dim + 1
    if input1.dim() != expected or input2.dim() != expected:
        raise RuntimeError(
            f"{target_dim}D target tensor expects {expected}D input tensors, but found inputs "
            f"with sizes {_sizes(input1)} and {_sizes(input2)}."
        )
    # The 1e-12 keeps a zero vector from dividing by zero.
    dot = (input1 * input2).sum(target_dim)
    square_norm1 = (input1 * input1).sum(target_dim) + 1e-12
    square_norm2 = (input2 * input2).sum(target_dim) + 1e-12
    cos = dot / (square_norm1 * square_norm2).sqrt()
    zeros = _C.zeros_like(cos)
    similar = _C.where(target == 1, 1 - cos, zeros)
    dissimilar = _C.where(target == -1, (cos - margin).clamp_min(0), zeros)
    return apply_reduction(similar + dissimilar, reduction)


def _check_margin_input(input: Tensor) -> tuple[int, int]:
    """The (samples, classes) of a margin loss's input: a vector is one sample, a scalar one
    sample of one class."""
    if input.dim() == 0:
        return 1, 1
    if (input.dim() == 1 and input.shape[0] != 0) or (input.dim() == 2 and input.shape[1] != 0):
        return (1, input.shape[0]) if input.dim() == 1 else (input.shape[0], input.shape[1])
    raise RuntimeError(
        "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
        f"{_sizes(input)}"
    )


def _check_long(target: Tensor) -> None:
    if target.dtype != _C.int64:
        raise RuntimeError(f"expected scalar type Long but found {scalar_type_name(target.dtype)}")


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge: for each sample, the mean over classes i != y of
    w[y] max(0, margin - x[y] + x[i])**p, with y the target class."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    samples, classes = _check_margin_input(input)
    if not (target.dim() <= 1 and target.numel() == samples):
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{samples}], but got "
            f"{_sizes(target)}. Input has shape {_sizes(input)}."
        )
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(f"inconsistent weight size, expected {classes} but got {_sizes(weight)}")
    refuse_grad(weight, "multi_margin_loss", "weight")
    _check_long(target)
    labels = target.reshape(samples, 1)
    if bool(((labels < 0) | (labels >= classes)).any()):
        raise RuntimeError("target out of range")
    scores = input.reshape(samples, classes)
    target_scores = scores.gather(1, labels)
    hinge = (margin - target_scores + scores).relu()
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[labels]
    # The target class itself is not compared with itself.
    is_target = _C.zeros(samples, classes, dtype=_C.bool, device=scores.device).scatter(
        1, labels, True
    )
    loss = hinge.masked_fill(is_target, 0).sum(1) / classes
    if reduction == "none":
        # A 0-dim target (one unbatched sample) gives a 0-dim loss, as in PyTorch.
        return loss.reshape(target.shape)
    return apply_reduction(loss, reduction)


def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-label hinge: each sample's target lists its classes (ended by the first -1); the
    loss sums max(0, 1 - (x[j] - x[i])) over listed j and unlisted i, over the classes."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    samples, classes = _check_margin_input(input)
    if input.dim() <= 1:
        consistent = target.dim() <= 1 and target.numel() == classes
    else:
        consistent = target.dim() == 2 and target.shape == input.shape
    if not consistent:
        raise RuntimeError(
            f"inconsistent target size: {_sizes(target)} for input of size: {_sizes(input)}"
        )
    _check_long(target)
    labels = target.reshape(samples, classes)
    if bool(((labels < -1) | (labels >= classes)).any()):
        raise RuntimeError("argument #2 'target' is out of range")
    scores = input.reshape(samples, classes)
    # Only the labels before a sample's first -1 count: cumprod turns "not -1" into
    # "no -1 so far".
    listed = (labels != -1).to(scores.dtype).cumprod(1)
    safe_labels = labels.clamp_min(0)
    is_target = _C.zeros(samples, classes, dtype=scores.dtype, device=scores.device).scatter_add(
        1, safe_labels, listed
    )
    is_other = (is_target == 0).to(scores.dtype)
    # pairs[n, k, i] = max(0, 1 - (x[n, label k] - x[n, i])), kept where label k is listed
    # and class i is not a target.
    label_scores = scores.gather(1, safe_labels)
    pairs = (1 - label_scores.unsqueeze(2) + scores.unsqueeze(1)).relu()
    pairs = pairs * listed.unsqueeze(2) * is_other.unsqueeze(1)
    loss = pairs.sum((1, 2)) / classes
    if reduction == "none":
        return loss if input.dim() == 2 else loss.reshape(())
    return apply_reduction(loss, reduction)


def _check_triplet_dims(anchor: Tensor, positive: Tensor, negative: Tensor) -> None:
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative "
            f"{n_dim}D inputs"
        )


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) with d the p-norm pairwise distance; `swap` uses
    d(p, n) instead of d(a, n) when it is smaller (the harder negative)."""
    reduction = resolve_reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = _C.minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return apply_reduction((margin + dist_pos - dist_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """The triplet margin loss with any distance (default: the Euclidean pairwise distance)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    distance = pairwise_distance if distance_function is None else distance_function
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = _C.minimum(dist_neg, distance(positive, negative))
    return apply_reduction((margin + dist_pos - dist_neg).clamp_min(0), check_reduction(reduction))
