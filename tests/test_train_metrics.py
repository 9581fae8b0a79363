"""ferrograd.train.metrics: accuracy, binary accuracy, ROC-AUC (Mann-Whitney), epoch metrics.

ROC-AUC values in the hand cases were recorded from scikit-learn's roc_auc_score.
"""

from __future__ import annotations

import math

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.train import (
    AUROC,
    EpochMetric,
    Model,
    accuracy,
    binary_accuracy,
    roc_auc,
    roc_auc_score,
)
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("y_true", "y_score", "expected"),
    [
        # Pairs (pos, neg): (0.35, 0.1) yes, (0.35, 0.4) no, (0.8, *) yes twice: 3/4.
        ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 0.75),
        # Every score tied: each pair counts one half.
        ([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 0.5),
        # Positives 0.6, 0.9, 0.1 against negatives 0.2, 0.6: 1 + 1/2 + 1 + 1 + 0 + 0 = 3.5 / 6.
        ([0, 0, 1, 1, 1], [0.2, 0.6, 0.6, 0.9, 0.1], 3.5 / 6),
        # Labels -1/1: 1 is the positive class. Positives 1, 2, 2 against negatives 3, 2:
        # 0 + 0 + 0 + 1/2 + 0 + 1/2 = 1 / 6.
        ([-1, 1, 1, -1, 1], [3, 1, 2, 2, 2], 1 / 6),
        # Ties across classes at 0.9, 0.3 and 0.1 (scikit-learn: 0.5625).
        ([1, 0, 0, 1, 0, 1, 1, 0], [0.9, 0.9, 0.3, 0.3, 0.3, 0.7, 0.1, 0.1], 0.5625),
    ],
)
def test_roc_auc_hand_cases(y_true, y_score, expected):
    assert roc_auc_score(y_true, y_score) == pytest.approx(expected, abs=1e-12)
    # Tensors in the metrics' order (y_pred, y_true), with a (N, 1) prediction column.
    y_pred = torch.tensor(y_score, dtype=torch.float64).reshape(-1, 1)
    assert roc_auc(y_pred, torch.tensor(y_true)) == pytest.approx(expected, abs=1e-12)


def _pairwise_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """The definition: P(a positive scores above a negative) + P(tie) / 2, over all pairs."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 6)),  # few distinct scores: many ties
        min_size=2,
        max_size=40,
    ).filter(lambda pairs: len({label for label, _ in pairs}) == 2)
)
def test_roc_auc_equals_the_pairwise_definition(pairs):
    labels = np.array([label for label, _ in pairs])
    scores = np.array([score / 6 for _, score in pairs])
    assert roc_auc_score(labels, scores) == pytest.approx(_pairwise_auc(labels, scores))


def test_roc_auc_refusals():
    # One class: the area is undefined; scikit-learn warns and returns NaN.
    with pytest.warns(UserWarning, match="Only one class is present in y_true"):
        assert math.isnan(roc_auc_score([1, 1], [0.2, 0.3]))
    with pytest.raises(ValueError, match="^multiclass format is not supported$"):
        roc_auc_score([0, 1, 2], [0.2, 0.3, 0.1])
    with pytest.raises(ValueError, match=r"^Input contains NaN\.$"):
        roc_auc_score([0, 1], [float("nan"), 0.3])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        roc_auc_score([0, 1, 1], [0.3, 0.4])


def test_accuracy_from_logits_and_one_hot_targets():
    logits = torch.tensor([[2.0, 0.1, -1.0], [0.0, 0.5, 0.2], [0.1, 0.2, 3.0], [1.0, 0.0, 0.0]])
    labels = torch.tensor([0, 1, 1, 2])  # arg-maxes 0, 1, 2, 0: two right of four
    assert accuracy(logits, labels) == 0.5
    assert accuracy(logits.softmax(-1), labels) == 0.5
    assert accuracy(logits, torch.eye(3)[labels]) == 0.5
    assert accuracy(logits.requires_grad_(), labels) == 0.5
    with pytest.raises(ValueError, match=r"shape \[4, 1\] has one score a sample"):
        accuracy(torch.rand(4, 1), labels)


def test_binary_accuracy_threshold_and_logits():
    probs = torch.tensor([[0.9], [0.5], [0.3], [0.7]])
    labels = torch.tensor([1.0, 1.0, 0.0, 0.0])
    # Strictly above 0.5 is positive (as the tutorial's torch.where(y_pred > 0.5, ...)):
    # predictions 1, 0, 0, 1 against 1, 1, 0, 0: two right.
    assert binary_accuracy(probs, labels) == 0.5
    assert binary_accuracy(probs, labels, threshold=0.4) == 0.75  # 1, 1, 0, 1
    logits = torch.tensor([[2.0], [-0.1], [-3.0], [-0.5]])  # sigmoid: .88 .48 .05 .38
    assert binary_accuracy(logits, labels, from_logits=True) == 0.75
    with pytest.raises(ValueError, match="y_pred has 4 elements but y_true has 3"):
        binary_accuracy(probs, labels[:3])


def test_epoch_metric_computes_over_all_batches():
    # Two batches whose own AUCs are both 1.0, but over the epoch the second batch's
    # positive (0.2) ranks below the first batch's negative (0.3): AUC 3/4, not 1.
    batches = [
        (torch.tensor([[0.3], [0.9]]), torch.tensor([[0.0], [1.0]])),
        (torch.tensor([[0.1], [0.2]]), torch.tensor([[0.0], [1.0]])),
    ]
    metric = AUROC()
    for y_pred, y_true in batches:
        metric.update(y_pred, y_true)
    assert metric.compute() == 0.75
    metric.reset()
    with pytest.raises(RuntimeError, match="compute\\(\\) called before any update"):
        metric.compute()

    class Identity(torch.nn.Module):
        def forward(self, x):
            return x

    # A model without parameters: its optimizer is given (Adam would refuse an empty list).
    model = Model(Identity())
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    model.compile(torch.nn.BCELoss(), optimizer, {"auc": AUROC(), "batch_auc": roc_auc})
    logs = model.evaluate(batches)
    assert logs["val_auc"] == 0.75 and logs["val_batch_auc"] == 1.0
    assert repr(EpochMetric(roc_auc)) == "EpochMetric(roc_auc)"
