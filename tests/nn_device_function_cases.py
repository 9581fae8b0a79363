"""The activations, losses and functionals the device-parity tests run on the CPU and on the
GPU; the losses with class weights, ignored and smoothed labels, positive weights and the
reductions a tutorial uses."""

from __future__ import annotations

import ferrograd
import ferrograd.nn.functional as F
from ferrograd import nn
from nn_device_cases import Call, case, ints, rand, randn


def _log_probs(*shape):
    return randn(*shape).log_softmax(-1)


def _ctc(loss, log_probs):
    targets = ferrograd.tensor([[1, 2, 2], [3, 1, 0]])  # host targets, as PyTorch allows
    return loss(log_probs, targets, [5, 4], [3, 2])


def _ctc_concatenated(loss, log_probs):
    targets = ferrograd.tensor([1, 2, 2, 3, 1], device=log_probs.device)
    lengths = ferrograd.tensor([3, 2], device=log_probs.device)
    return loss(log_probs, targets, ferrograd.tensor([5, 4]), lengths)


def _signs(*shape):
    return ints(2, *shape).float() * 2 - 1


def loss(name, make, inputs, grad=(0,)):
    """A loss case: only the prediction (the first input) gets a gradient unless `grad` says
    otherwise, since PyTorch has no derivative for some targets."""
    return case(name, make, inputs, grad=grad)


LOSSES = [
    loss("MSELoss", lambda: nn.MSELoss(), lambda: (randn(3, 4), randn(3, 4)), grad=(0, 1)),
    loss("MSELoss-sum", lambda: nn.MSELoss(reduction="sum"), lambda: (randn(3, 4), randn(3, 4))),
    loss("L1Loss-none", lambda: nn.L1Loss(reduction="none"), lambda: (randn(3, 4), randn(3, 4))),
    loss("SmoothL1Loss", lambda: nn.SmoothL1Loss(beta=0.5), lambda: (randn(3, 4), randn(3, 4))),
    loss("HuberLoss", lambda: nn.HuberLoss(delta=0.5), lambda: (randn(3, 4), randn(3, 4))),
    loss("CrossEntropyLoss", lambda: nn.CrossEntropyLoss(), lambda: (randn(3, 5), ints(5, 3))),
    loss(
        "CrossEntropyLoss-weight-ignore-smoothing",
        lambda: nn.CrossEntropyLoss(weight=rand(5), ignore_index=2, label_smoothing=0.1),
        lambda: (randn(4, 5), ferrograd.tensor([0, 2, 4, 1])),
    ),
    loss(
        "CrossEntropyLoss-spatial-sum",
        lambda: nn.CrossEntropyLoss(reduction="sum"),
        lambda: (randn(2, 3, 4, 2), ints(3, 2, 4, 2)),
    ),
    loss(
        "CrossEntropyLoss-probabilities",
        lambda: nn.CrossEntropyLoss(label_smoothing=0.2),
        lambda: (randn(3, 4), randn(3, 4).softmax(1)),
    ),
    loss("NLLLoss", lambda: nn.NLLLoss(), lambda: (_log_probs(3, 5), ints(5, 3))),
    loss(
        "NLLLoss-weight-ignore",
        lambda: nn.NLLLoss(weight=rand(4), ignore_index=1),
        lambda: (_log_probs(5, 4), ferrograd.tensor([0, 1, 3, 2, 1])),
    ),
    loss("BCELoss", lambda: nn.BCELoss(), lambda: (rand(3, 4), rand(3, 4))),
    loss("BCELoss-weight", lambda: nn.BCELoss(weight=rand(4)), lambda: (rand(3, 4), rand(3, 4))),
    loss("BCEWithLogitsLoss", lambda: nn.BCEWithLogitsLoss(), lambda: (randn(3, 4), rand(3, 4))),
    loss(
        "BCEWithLogitsLoss-pos-weight",
        lambda: nn.BCEWithLogitsLoss(weight=rand(4), pos_weight=rand(4) * 3),
        lambda: (randn(3, 4), rand(3, 4)),
    ),
    loss(
        "KLDivLoss-batchmean",
        lambda: nn.KLDivLoss(reduction="batchmean"),
        lambda: (_log_probs(3, 4), randn(3, 4).softmax(-1)),
    ),
    loss(
        "KLDivLoss-log-target",
        lambda: nn.KLDivLoss(reduction="sum", log_target=True),
        lambda: (_log_probs(3, 4), _log_probs(3, 4)),
    ),
    loss(
        "CosineEmbeddingLoss",
        lambda: nn.CosineEmbeddingLoss(margin=0.2),
        lambda: (randn(4, 3), randn(4, 3), _signs(4)),
        grad=(0, 1),
    ),
    loss(
        "MarginRankingLoss",
        lambda: nn.MarginRankingLoss(margin=0.1),
        lambda: (randn(5), randn(5), _signs(5)),
        grad=(0, 1),
    ),
    loss(
        "TripletMarginLoss",
        lambda: nn.TripletMarginLoss(margin=1.0, swap=True),
        lambda: (randn(3, 4), randn(3, 4), randn(3, 4)),
    ),
    loss(
        "TripletMarginWithDistanceLoss",
        lambda: nn.TripletMarginWithDistanceLoss(margin=0.5),
        lambda: (randn(3, 4), randn(3, 4), randn(3, 4)),
    ),
    loss(
        "HingeEmbeddingLoss",
        lambda: nn.HingeEmbeddingLoss(margin=0.5),
        lambda: (randn(3, 4), _signs(3, 4)),
    ),
    loss("SoftMarginLoss", lambda: nn.SoftMarginLoss(), lambda: (randn(3, 4), _signs(3, 4))),
    loss(
        "MultiLabelSoftMarginLoss",
        lambda: nn.MultiLabelSoftMarginLoss(weight=rand(4)),
        lambda: (randn(3, 4), ints(2, 3, 4).float()),
    ),
    loss(
        "MultiLabelMarginLoss",
        lambda: nn.MultiLabelMarginLoss(),
        lambda: (randn(2, 4), ferrograd.tensor([[3, 0, -1, 1], [1, 2, 3, -1]])),
    ),
    loss(
        "MultiMarginLoss",
        lambda: nn.MultiMarginLoss(p=2, margin=0.5, weight=rand(4)),
        lambda: (randn(3, 4), ints(4, 3)),
    ),
    loss(
        "GaussianNLLLoss",
        lambda: nn.GaussianNLLLoss(),
        lambda: (randn(3, 4), randn(3, 4), rand(3, 4)),
        grad=(0, 2),
    ),
    loss("PoissonNLLLoss", lambda: nn.PoissonNLLLoss(), lambda: (randn(3, 4), rand(3, 4) * 3)),
    loss("CTCLoss", lambda: Call(nn.CTCLoss(), _ctc), lambda: (_log_probs(5, 2, 4),)),
    loss(
        "CTCLoss-concatenated-sum",
        lambda: Call(nn.CTCLoss(blank=0, reduction="sum", zero_infinity=True), _ctc_concatenated),
        lambda: (_log_probs(5, 2, 4),),
    ),
]

ACTIVATIONS = [
    case(type(m()).__name__ + suffix, m, lambda: (randn(2, 3, 4),), train=train)
    for suffix, m, train in [
        ("", nn.CELU, True),
        ("", nn.ELU, True),
        ("", nn.GELU, True),
        ("-tanh", lambda: nn.GELU(approximate="tanh"), True),
        ("", nn.GLU, True),
        ("", nn.Hardshrink, True),
        ("", nn.Hardsigmoid, True),
        ("", nn.Hardswish, True),
        ("", lambda: nn.Hardtanh(-0.5, 0.5), True),
        ("", lambda: nn.LeakyReLU(0.2), True),
        ("", nn.LogSigmoid, True),
        ("", lambda: nn.LogSoftmax(dim=1), True),
        ("", nn.Mish, True),
        ("", lambda: nn.PReLU(3), True),
        ("-eval", nn.RReLU, False),
        ("", nn.ReLU, True),
        ("", nn.ReLU6, True),
        ("", nn.SELU, True),
        ("", nn.SiLU, True),
        ("", nn.Sigmoid, True),
        ("", lambda: nn.Softmax(dim=-1), True),
        ("", nn.Softmax2d, True),
        ("", lambda: nn.Softmin(dim=1), True),
        ("", lambda: nn.Softplus(beta=2.0, threshold=1.0), True),
        ("", lambda: nn.Softshrink(0.3), True),
        ("", nn.Softsign, True),
        ("", nn.Tanh, True),
        ("", nn.Tanhshrink, True),
        ("", lambda: nn.Threshold(0.1, 20.0), True),
    ]
]

# Functionals that take more than the tensors: called through a lambda.
FUNCTIONALS = [
    case(
        "F.pad-constant",
        lambda: lambda x: F.pad(x, (1, 2, 0, 1), value=0.5),
        lambda: (randn(2, 2, 3, 3),),
    ),
    case(
        "F.pad-reflect",
        lambda: lambda x: F.pad(x, (2, 1, 1, 2), mode="reflect"),
        lambda: (randn(1, 2, 4, 4),),
    ),
    case(
        "F.pad-replicate",
        lambda: lambda x: F.pad(x, (1, 1), mode="replicate"),
        lambda: (randn(2, 2, 3),),
    ),
    case(
        "F.pad-circular",
        lambda: lambda x: F.pad(x, (1, 1, 1, 1), mode="circular"),
        lambda: (randn(1, 2, 3, 3),),
    ),
    case(
        "F.interpolate-nearest",
        lambda: lambda x: F.interpolate(x, size=(5, 7)),
        lambda: (randn(1, 2, 3, 4),),
    ),
    case(
        "F.interpolate-bilinear-corners",
        lambda: lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True),
        lambda: (randn(1, 2, 3, 3),),
    ),
    case(
        "F.interpolate-bicubic",
        lambda: lambda x: F.interpolate(x, size=(5, 5), mode="bicubic", align_corners=False),
        lambda: (randn(1, 1, 3, 3),),
    ),
    case(
        "F.interpolate-linear",
        lambda: lambda x: F.interpolate(x, size=7, mode="linear", align_corners=False),
        lambda: (randn(2, 2, 4),),
    ),
    case(
        "F.interpolate-trilinear",
        lambda: lambda x: F.interpolate(x, scale_factor=2, mode="trilinear", align_corners=False),
        lambda: (randn(1, 1, 2, 2, 2),),
    ),
    case(
        "F.interpolate-area",
        lambda: lambda x: F.interpolate(x, size=(2, 3), mode="area"),
        lambda: (randn(1, 2, 5, 6),),
    ),
    case("F.one_hot", lambda: lambda i: F.one_hot(i, 5), lambda: (ints(5, 2, 3),)),
    case("F.one_hot-inferred", lambda: F.one_hot, lambda: (ferrograd.tensor([0, 3, 1]),)),
    case("F.normalize", lambda: lambda x: F.normalize(x, dim=1), lambda: (randn(3, 4),)),
    case(
        "F.normalize-p1", lambda: lambda x: F.normalize(x, p=1.0, dim=-1), lambda: (randn(2, 3, 4),)
    ),
    case("F.cosine_similarity", lambda: F.cosine_similarity, lambda: (randn(3, 4), randn(1, 4))),
    case("F.pdist", lambda: F.pdist, lambda: (randn(4, 3),)),
    case(
        "F.affine_grid",
        lambda: lambda t: F.affine_grid(t, [2, 1, 3, 4], align_corners=False),
        lambda: (randn(2, 2, 3),),
    ),
    case(
        "F.affine_grid-3d-corners",
        lambda: lambda t: F.affine_grid(t, [1, 1, 2, 3, 2], align_corners=True),
        lambda: (randn(1, 3, 4),),
    ),
    case(
        "F.grid_sample-bilinear",
        lambda: lambda x, g: F.grid_sample(x, g, align_corners=False),
        lambda: (randn(2, 2, 4, 5), rand(2, 3, 3, 2) * 2.4 - 1.2),
    ),
    case(
        "F.grid_sample-nearest-border",
        lambda: lambda x, g: F.grid_sample(x, g, "nearest", "border", align_corners=True),
        lambda: (randn(1, 2, 4, 4), rand(1, 3, 2, 2) * 2.4 - 1.2),
        grad=(0,),
    ),
    case(
        "F.grid_sample-reflection",
        lambda: lambda x, g: F.grid_sample(x, g, padding_mode="reflection", align_corners=False),
        lambda: (randn(1, 1, 4, 4), rand(1, 2, 3, 2) * 2.4 - 1.2),
    ),
    case(
        "F.scaled_dot_product_attention-causal",
        lambda: lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
        lambda: (randn(2, 3, 4), randn(2, 3, 4), randn(2, 3, 4)),
    ),
    case(
        "F.scaled_dot_product_attention-bool-mask",
        lambda: (
            lambda q, k, v: F.scaled_dot_product_attention(
                q,
                k,
                v,
                attn_mask=ferrograd.ones(3, 4, dtype=ferrograd.bool, device=q.device).tril(),
            )
        ),
        lambda: (randn(2, 3, 4), randn(2, 4, 4), randn(2, 4, 2)),
    ),
    case(
        "F.embedding-padding",
        lambda: lambda i, w: F.embedding(i, w, padding_idx=1),
        lambda: (ints(5, 2, 3), randn(5, 2)),
    ),
    case("F.dropout-p1", lambda: lambda x: F.dropout(x, 1.0), lambda: (randn(3, 6),)),
]
