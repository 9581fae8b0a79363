"""Metrics for `Model.compile(metrics_dict=...)`: callables `f(y_pred, y_true) -> float`.

`Model.fit` averages a callable metric over the batches of an epoch, as the tutorials' loops
(and torchkeras) do. A metric that is not an average of per-batch values, such as ROC-AUC, is
only right when computed over the whole epoch at once: wrap it in `EpochMetric` (or use
`AUROC`), which keeps every batch and computes once at the end.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from .. import _C, cat, no_grad

Tensor = _C.Tensor

__all__ = [
    "AUROC",
    "EpochMetric",
    "accuracy",
    "binary_accuracy",
    "roc_auc",
    "roc_auc_score",
]


def _to_numpy(values: Any) -> np.ndarray:
    """A flat numpy copy of a tensor, an array or a list (gradients are not needed here)."""
    if isinstance(values, Tensor):
        values = values.detach().numpy()
    return np.asarray(values).reshape(-1)


def accuracy(y_pred: Tensor, y_true: Tensor) -> float:
    """Multi-class accuracy from logits (or probabilities) of shape (N, C) and class indices (N,).

    The predicted class is the arg-max of the last dimension, so logits and probabilities give
    the same answer (softmax keeps the order). One-hot targets of shape (N, C) are accepted too.
    """
    if y_pred.dim() == 0 or y_pred.shape[-1] == 1:
        # One column has one arg-max: every sample would count as right.
        raise ValueError(
            f"accuracy: y_pred of shape {list(y_pred.shape)} has one score a sample; for a "
            "binary model use binary_accuracy"
        )
    with no_grad():
        predicted = y_pred.argmax(-1)
        target = y_true.argmax(-1) if y_true.dim() == y_pred.dim() else y_true
        return (predicted == target).float().mean().item()


def binary_accuracy(
    y_pred: Tensor, y_true: Tensor, threshold: float = 0.5, from_logits: bool = False
) -> float:
    """Binary accuracy: a sample is predicted positive when its probability is above `threshold`.

    `y_pred` holds probabilities (after a Sigmoid, as in the tutorials' BCELoss models), or
    logits with `from_logits=True` (a BCEWithLogitsLoss model). Labels are 0/1 of any shape with
    as many elements, e.g. (N, 1) against (N,).
    """
    with no_grad():
        probs = y_pred.sigmoid() if from_logits else y_pred
        predicted = (probs > threshold).reshape(-1)
        target = (y_true > 0.5).reshape(-1)
        if predicted.numel() != target.numel():
            raise ValueError(
                f"binary_accuracy: y_pred has {predicted.numel()} elements but y_true has "
                f"{target.numel()}"
            )
        return (predicted == target).float().mean().item()


def _average_ranks(scores: np.ndarray) -> np.ndarray:
    """1-based ranks of `scores`, tied values sharing the mean of the ranks they span.

    `np.unique` sorts the distinct values and counts them; a value whose group ends at
    position `c` (cumulative count) and holds `k` copies spans ranks c-k+1 .. c, mean c-(k-1)/2.
    """
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return (ends - (counts - 1) / 2.0)[inverse.reshape(-1)]


def roc_auc_score(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve, in scikit-learn's argument order `(y_true, y_score)`.

    Computed as the Mann-Whitney U statistic: the probability that a random positive scores
    above a random negative, a tie counting one half. With average ranks r over all samples,
    AUC = (sum of the positives' ranks - P(P+1)/2) / (P N). The larger of the two label values
    is the positive class. Like scikit-learn, it refuses more than two classes, and with one
    class (a batch of positives only) warns and returns NaN: the area is not defined.
    """
    labels = _to_numpy(y_true)
    scores = _to_numpy(y_score).astype(np.float64)
    if labels.shape != scores.shape:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"[{labels.size}, {scores.size}]"
        )
    if np.isnan(scores).any():
        raise ValueError("Input contains NaN.")
    classes = np.unique(labels)
    if classes.size > 2:
        raise ValueError("multiclass format is not supported")
    if classes.size < 2:
        warnings.warn(
            "Only one class is present in y_true. ROC AUC score is not defined in that case.",
            stacklevel=2,
        )
        return float("nan")
    positive = labels == classes[-1]
    n_pos = int(positive.sum())
    n_neg = labels.size - n_pos
    rank_sum = _average_ranks(scores)[positive].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def roc_auc(y_pred: Any, y_true: Any) -> float:
    """ROC-AUC in the metrics' argument order `(y_pred, y_true)`; see `roc_auc_score`."""
    return roc_auc_score(y_true, y_pred)


class EpochMetric:
    """Computes `fn(all predictions, all targets)` once per epoch instead of averaging batches.

    `Model.fit` calls `reset()` before each training or validation pass, `update(y_pred,
    y_true)` after every batch, and `compute()` at the end (the torchmetrics protocol, which
    any object with these three methods can follow).
    """

    def __init__(self, fn: Callable[[Tensor, Tensor], Any]) -> None:
        self.fn = fn
        self.reset()

    def reset(self) -> None:
        self._preds: list[Tensor] = []
        self._targets: list[Tensor] = []

    def update(self, y_pred: Tensor, y_true: Tensor) -> None:
        # Detached: the stored batches must not keep the autograd graph alive all epoch.
        self._preds.append(y_pred.detach())
        self._targets.append(y_true.detach())

    def compute(self) -> float:
        if not self._preds:
            raise RuntimeError(f"{type(self).__name__}.compute() called before any update()")
        return float(self.fn(cat(self._preds), cat(self._targets)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({getattr(self.fn, '__name__', self.fn)})"


class AUROC(EpochMetric):
    """ROC-AUC over a whole epoch (the batch average of per-batch AUCs is not the AUC)."""

    def __init__(self) -> None:
        super().__init__(roc_auc)

    def __repr__(self) -> str:
        return "AUROC()"
