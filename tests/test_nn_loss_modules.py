"""The loss and distance layers: reprs recorded from PyTorch, defaults, the legacy arguments,
weights as buffers, constructor errors, and each layer giving its functional form's result."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd import nn

X = torch.tensor([[0.5, -1.0, 2.0], [0.1, 0.2, -3.0]])
P = torch.tensor([[0.3, 0.6, 0.9], [0.2, 0.5, 0.7]])
Y = torch.tensor([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5]])
SIGNS = torch.tensor([[1.0, -1.0, 1.0], [-1.0, 1.0, 1.0]])
ROW_SIGNS = torch.tensor([1.0, -1.0])
CLASSES = torch.tensor([2, 0])

LAYERS = [
    # (layer, its repr, call, the same loss through F)
    (nn.L1Loss(), "L1Loss()", lambda m: m(X, Y), lambda: F.l1_loss(X, Y)),
    (
        nn.MSELoss(reduction="sum"),
        "MSELoss()",
        lambda m: m(X, Y),
        lambda: F.mse_loss(X, Y, reduction="sum"),
    ),
    (
        nn.SmoothL1Loss(beta=0.5),
        "SmoothL1Loss()",
        lambda m: m(X, Y),
        lambda: F.smooth_l1_loss(X, Y, beta=0.5),
    ),
    (
        nn.HuberLoss(delta=0.5),
        "HuberLoss()",
        lambda m: m(X, Y),
        lambda: F.huber_loss(X, Y, delta=0.5),
    ),
    (
        nn.BCELoss(weight=torch.tensor([1.0, 2.0, 0.5])),
        "BCELoss()",
        lambda m: m(P, Y),
        lambda: F.binary_cross_entropy(P, Y, weight=torch.tensor([1.0, 2.0, 0.5])),
    ),
    (
        nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0, 1.0, 0.5])),
        "BCEWithLogitsLoss()",
        lambda m: m(X, Y),
        lambda: F.binary_cross_entropy_with_logits(X, Y, pos_weight=torch.tensor([2.0, 1.0, 0.5])),
    ),
    (
        nn.KLDivLoss(reduction="batchmean", log_target=True),
        "KLDivLoss()",
        lambda m: m(X, Y),
        lambda: F.kl_div(X, Y, reduction="batchmean", log_target=True),
    ),
    (
        nn.PoissonNLLLoss(log_input=False, full=True),
        "PoissonNLLLoss()",
        lambda m: m(P, Y * 3),
        lambda: F.poisson_nll_loss(P, Y * 3, log_input=False, full=True),
    ),
    (
        nn.GaussianNLLLoss(full=True),
        "GaussianNLLLoss()",
        lambda m: m(X, Y, P),
        lambda: F.gaussian_nll_loss(X, Y, P, full=True),
    ),
    (
        nn.SoftMarginLoss(),
        "SoftMarginLoss()",
        lambda m: m(X, SIGNS),
        lambda: F.soft_margin_loss(X, SIGNS),
    ),
    (
        nn.MultiLabelSoftMarginLoss(),
        "MultiLabelSoftMarginLoss()",
        lambda m: m(X, Y),
        lambda: F.multilabel_soft_margin_loss(X, Y),
    ),
    (
        nn.MarginRankingLoss(margin=0.5),
        "MarginRankingLoss()",
        lambda m: m(X[0], X[1], SIGNS[0]),
        lambda: F.margin_ranking_loss(X[0], X[1], SIGNS[0], margin=0.5),
    ),
    (
        nn.HingeEmbeddingLoss(margin=2.0),
        "HingeEmbeddingLoss()",
        lambda m: m(X, SIGNS),
        lambda: F.hinge_embedding_loss(X, SIGNS, margin=2.0),
    ),
    (
        nn.CosineEmbeddingLoss(margin=0.1),
        "CosineEmbeddingLoss()",
        lambda m: m(X, Y, ROW_SIGNS),
        lambda: F.cosine_embedding_loss(X, Y, ROW_SIGNS, margin=0.1),
    ),
    (
        nn.MultiMarginLoss(p=2, margin=0.5),
        "MultiMarginLoss()",
        lambda m: m(X, CLASSES),
        lambda: F.multi_margin_loss(X, CLASSES, p=2, margin=0.5),
    ),
    (
        nn.MultiLabelMarginLoss(),
        "MultiLabelMarginLoss()",
        lambda m: m(X, torch.tensor([[2, -1, 0], [0, 1, -1]])),
        lambda: F.multilabel_margin_loss(X, torch.tensor([[2, -1, 0], [0, 1, -1]])),
    ),
    (
        nn.TripletMarginLoss(margin=2.0, p=1.0, swap=True),
        "TripletMarginLoss()",
        lambda m: m(X, Y, P),
        lambda: F.triplet_margin_loss(X, Y, P, margin=2.0, p=1.0, swap=True),
    ),
    (
        nn.CTCLoss(blank=1, zero_infinity=True),
        "CTCLoss()",
        lambda m: m(X.reshape(3, 2, 1).expand(3, 2, 2), torch.tensor([[0], [0]]), [3, 3], [1, 1]),
        lambda: F.ctc_loss(
            X.reshape(3, 2, 1).expand(3, 2, 2),
            torch.tensor([[0], [0]]),
            [3, 3],
            [1, 1],
            blank=1,
            zero_infinity=True,
        ),
    ),
    (
        nn.PairwiseDistance(p=1.0, keepdim=True),
        "PairwiseDistance()",
        lambda m: m(X, Y),
        lambda: F.pairwise_distance(X, Y, p=1.0, keepdim=True),
    ),
    (
        nn.CosineSimilarity(dim=0),
        "CosineSimilarity()",
        lambda m: m(X, Y),
        lambda: F.cosine_similarity(X, Y, dim=0),
    ),
]


@pytest.mark.parametrize("layer,text,call,functional", LAYERS, ids=[c[1] for c in LAYERS])
def test_layer_repr_and_result(layer, text, call, functional):
    assert repr(layer) == text
    got, expected = call(layer), functional()
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


def test_defaults_match_pytorch():
    assert nn.MSELoss().reduction == "mean"
    assert (nn.SmoothL1Loss().beta, nn.HuberLoss().delta) == (1.0, 1.0)
    poisson = nn.PoissonNLLLoss()
    assert (poisson.log_input, poisson.full, poisson.eps) == (True, False, 1e-8)
    gaussian = nn.GaussianNLLLoss()
    assert (gaussian.full, gaussian.eps) == (False, 1e-6)
    assert nn.KLDivLoss().log_target is False
    assert (nn.MarginRankingLoss().margin, nn.HingeEmbeddingLoss().margin) == (0.0, 1.0)
    assert nn.CosineEmbeddingLoss().margin == 0.0
    multi = nn.MultiMarginLoss()
    assert (multi.p, multi.margin, multi.weight) == (1, 1.0, None)
    triplet = nn.TripletMarginLoss()
    assert (triplet.margin, triplet.p, triplet.eps, triplet.swap) == (1.0, 2.0, 1e-6, False)
    ctc = nn.CTCLoss()
    assert (ctc.blank, ctc.reduction, ctc.zero_infinity) == (0, "mean", False)
    distance = nn.PairwiseDistance()
    assert (distance.norm, distance.eps, distance.keepdim) == (2.0, 1e-6, False)
    similarity = nn.CosineSimilarity()
    assert (similarity.dim, similarity.eps) == (1, 1e-8)
    cross_entropy = nn.CrossEntropyLoss()
    assert (cross_entropy.ignore_index, cross_entropy.label_smoothing) == (-100, 0.0)
    assert nn.NLLLoss().ignore_index == -100


def test_legacy_arguments_warn_and_set_the_reduction():
    with pytest.warns(
        UserWarning,
        match=r"^size_average and reduce args will be deprecated, please use reduction='sum' "
        r"instead\.$",
    ):
        assert nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.BCELoss(reduce=False).reduction == "none"
    # An unknown reduction is accepted when built and refused when run, as in PyTorch.
    bad = nn.L1Loss(reduction="x")
    assert bad.reduction == "x"
    with pytest.raises(ValueError, match="^x is not a valid value for reduction$"):
        bad(X, Y)


def test_weights_are_buffers_in_the_state_dict():
    bce = nn.BCELoss(weight=torch.ones(2))
    assert list(bce.state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=torch.ones(2)).state_dict()) == ["pos_weight"]
    assert list(nn.CrossEntropyLoss().named_buffers()) == []
    assert list(nn.MultiMarginLoss(weight=torch.ones(3)).state_dict()) == ["weight"]
    assert bce.double().weight.dtype == torch.float64
    assert list(nn.MSELoss().parameters()) == []


def test_triplet_with_distance_registers_a_module_distance():
    assert repr(nn.TripletMarginWithDistanceLoss()) == (
        "TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)"
    )
    assert repr(nn.TripletMarginWithDistanceLoss(distance_function=nn.CosineSimilarity())) == (
        "TripletMarginWithDistanceLoss(\n  (distance_function): CosineSimilarity()\n)"
    )
    plain = nn.TripletMarginWithDistanceLoss(distance_function=lambda a, b: (a - b).abs().sum(-1))
    assert repr(plain) == "TripletMarginWithDistanceLoss()"
    expected = F.triplet_margin_with_distance_loss(
        X, Y, P, distance_function=lambda a, b: (a - b).abs().sum(-1)
    )
    assert plain(X, Y, P).item() == pytest.approx(expected.item())


def test_constructor_errors():
    with pytest.raises(TypeError, match="^delta must be a float or int, got: <class 'str'>$"):
        nn.HuberLoss(delta="a")
    with pytest.raises(ValueError, match="^only p == 1 and p == 2 supported$"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(
        ValueError,
        match="^MultiMarginLoss: expected weight to be None or 1D tensor, got 2D instead$",
    ):
        nn.MultiMarginLoss(weight=torch.ones(2, 2))
    with pytest.raises(
        ValueError,
        match="^TripletMarginLoss: expected margin to be greater than 0, got 0 instead$",
    ):
        nn.TripletMarginLoss(margin=0)
    with pytest.raises(
        ValueError,
        match="^TripletMarginWithDistanceLoss: expected margin to be greater than 0, got -1 "
        "instead$",
    ):
        nn.TripletMarginWithDistanceLoss(margin=-1)


def test_backward_through_a_loss_layer():
    x = X.clone().requires_grad_(True)
    nn.MSELoss(reduction="sum")(x, Y).backward()
    np.testing.assert_allclose(x.grad.numpy(), (2 * (X - Y)).numpy())


def test_cross_entropy_and_nll_layers_recorded_from_pytorch():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.NLLLoss()) == "NLLLoss()"
    assert nn.CrossEntropyLoss()(X, CLASSES).item() == pytest.approx(0.503440797328949, rel=1e-6)
    log_probs = X - X.logsumexp(1, keepdim=True)
    weighted = nn.NLLLoss(weight=torch.tensor([1.0, 2.0, 3.0]))(log_probs, CLASSES)
    assert weighted.item() == pytest.approx(0.37237605452537537, rel=1e-6)
    smoothed = nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=1)(X, torch.tensor([2, 1]))
    assert smoothed.item() == pytest.approx(0.3913113474845886, rel=1e-6)
