"""nll_loss and cross_entropy: every option against numpy formulas, gradients, node names,
and the messages recorded from PyTorch."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd.autograd import gradcheck, gradgradcheck
from hypothesis import given, settings
from hypothesis import strategies as st

reductions = st.sampled_from(["none", "mean", "sum"])


def np_log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


def np_nll(logp, target, weight=None, ignore_index=-100, reduction="mean"):
    """logp: (N, C, ...) ; target: (N, ...). loss = -w[t] * logp[n, t, ...]."""
    c = logp.shape[1]
    w = np.ones(c) if weight is None else weight
    moved = np.moveaxis(logp, 1, -1).reshape(-1, c)
    t = target.reshape(-1)
    keep = t != ignore_index
    safe = np.where(keep, t, 0)
    wt = np.where(keep, w[safe], 0.0)
    losses = -wt * moved[np.arange(len(t)), safe]
    if reduction == "none":
        return losses.reshape(target.shape)
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / wt.sum()


def draw_case(data, spatial_dims):
    n = data.draw(st.integers(1, 4))
    c = data.draw(st.integers(2, 4))
    spatial = [data.draw(st.integers(1, 3)) for _ in range(spatial_dims)]
    rng = np.random.default_rng(n * 10 + c)
    x = rng.standard_normal([n, c, *spatial])
    target = rng.integers(0, c, [n, *spatial])
    return x, target, rng


@settings(max_examples=20)
@given(
    data=st.data(),
    spatial_dims=st.integers(0, 3),
    reduction=reductions,
    weighted=st.booleans(),
    ignore=st.booleans(),
)
def test_nll_loss_matches_numpy(data, spatial_dims, reduction, weighted, ignore):
    x, target, rng = draw_case(data, spatial_dims)
    weight = rng.random(x.shape[1]) + 0.1 if weighted else None
    ignore_index = int(target.reshape(-1)[0]) if ignore else -100
    out = F.nll_loss(
        torch.tensor(x),
        torch.tensor(target),
        weight=None if weight is None else torch.tensor(weight),
        ignore_index=ignore_index,
        reduction=reduction,
    )
    expected = np_nll(x, target, weight, ignore_index, reduction)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=20)
@given(
    data=st.data(),
    spatial_dims=st.integers(0, 2),
    reduction=reductions,
    ls=st.sampled_from([0.0, 0.3]),
)
def test_cross_entropy_class_indices_match_numpy(data, spatial_dims, reduction, ls):
    x, target, rng = draw_case(data, spatial_dims)
    weight = rng.random(x.shape[1]) + 0.1
    out = F.cross_entropy(
        torch.tensor(x),
        torch.tensor(target),
        weight=torch.tensor(weight),
        reduction=reduction,
        label_smoothing=ls,
        ignore_index=1,
    )
    logp = np_log_softmax(x, 1)
    nll = np_nll(logp, target, weight, 1, reduction)
    # The smoothing term: the loss against the uniform distribution, weighted per class.
    wshape = [1, x.shape[1]] + [1] * spatial_dims
    smooth = -(logp * weight.reshape(wshape)).sum(1) * (target != 1)
    if reduction == "mean":
        smooth = smooth.sum() / weight[target[target != 1]].sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    expected = (1 - ls) * nll + smooth * ls / x.shape[1]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


@settings(max_examples=15)
@given(data=st.data(), reduction=reductions, ls=st.sampled_from([0.0, 0.2]), weighted=st.booleans())
def test_cross_entropy_probabilities_match_numpy(data, reduction, ls, weighted):
    x, _, rng = draw_case(data, data.draw(st.integers(0, 1)))
    p = rng.random(x.shape)
    p = p / p.sum(1, keepdims=True)
    weight = rng.random(x.shape[1]) if weighted else None
    out = F.cross_entropy(
        torch.tensor(x),
        torch.tensor(p),
        reduction=reduction,
        label_smoothing=ls,
        weight=None if weight is None else torch.tensor(weight),
    )
    q = p * (1 - ls) + ls / x.shape[1]
    terms = np_log_softmax(x, 1) * q
    if weight is not None:
        terms = terms * weight.reshape([1, -1] + [1] * (x.ndim - 2))
    per_sample = -terms.sum(1)
    expected = {"none": per_sample, "sum": per_sample.sum(), "mean": per_sample.mean()}[reduction]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


@settings(max_examples=10)
@given(data=st.data(), spatial_dims=st.integers(0, 2), reduction=reductions)
def test_gradcheck_and_gradgradcheck(data, spatial_dims, reduction):
    x, target, rng = draw_case(data, spatial_dims)
    xt = torch.tensor(x, requires_grad=True)
    t = torch.tensor(target)
    w = torch.tensor(rng.random(x.shape[1]) + 0.5)
    ops = [
        lambda a: F.nll_loss(a, t, weight=w, reduction=reduction),
        lambda a: F.cross_entropy(a, t, reduction=reduction, label_smoothing=0.1),
    ]
    for op in ops:
        assert gradcheck(op, (xt,))
        assert gradgradcheck(op, (xt,))


def test_unbatched_input():
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    # -log_softmax(x)[2]
    expected = -np_log_softmax(x.numpy(), 0)[2]
    np.testing.assert_allclose(F.cross_entropy(x, torch.tensor(2)).item(), expected)
    assert F.nll_loss(x, torch.tensor(1), reduction="none").shape == ()
    assert F.nll_loss(x, torch.tensor([1]), reduction="none").shape == ()
    assert F.nll_loss(x, torch.tensor([1])).item() == 1.0


def test_hand_checked_weighted_mean_and_ignored():
    logp = torch.tensor([[-1.0, -2.0], [-3.0, -4.0]])
    w = torch.tensor([1.0, 3.0])
    # (1 * 1 + 3 * 4) / (1 + 3)
    assert F.nll_loss(logp, torch.tensor([0, 1]), weight=w).item() == 13 / 4
    assert F.nll_loss(logp, torch.tensor([0, -100]), reduction="none").tolist() == [1.0, 0.0]
    assert np.isnan(F.nll_loss(logp, torch.tensor([-100, -100])).item())
    assert F.nll_loss(logp, torch.tensor([-100, -100]), reduction="sum").item() == 0.0
    assert np.isnan(F.nll_loss(torch.randn(0, 3), torch.zeros(0, dtype=torch.int64)).item())


def test_gradient_values():
    x = torch.tensor([[0.0, 0.0]], requires_grad=True)
    F.cross_entropy(x, torch.tensor([1])).backward()
    # softmax - one_hot = [0.5, -0.5]
    assert x.grad.tolist() == [[0.5, -0.5]]


def test_node_names():
    def name(shape, tshape, reduction="mean"):
        x = torch.randn(*shape, requires_grad=True)
        return F.nll_loss(
            x, torch.zeros(tshape, dtype=torch.int64), reduction=reduction
        ).grad_fn.name()

    assert name((2, 3), (2,)) == "NllLossBackward0"
    assert name((3,), ()) == "NllLossBackward0"
    assert name((2, 3, 4), (2, 4)) == "NllLoss2DBackward0"
    assert name((2, 3, 4), (2, 4), "none") == "ViewBackward0"
    assert name((2, 3, 4, 5), (2, 4, 5), "none") == "NllLoss2DBackward0"
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(F.nll_loss(x, torch.tensor([0, 2])), x, create_graph=True)
    assert g.grad_fn.name() == "NllLossBackwardBackward0"
    assert F.cross_entropy(x, torch.tensor([0, 2])).grad_fn.name() == "NllLossBackward0"
    assert (
        F.cross_entropy(x, torch.tensor([0, 2]), label_smoothing=0.1).grad_fn.name()
        == "AddBackward0"
    )


def test_legacy_arguments_warn():
    x, t = torch.randn(2, 3), torch.tensor([1, 2])
    msg = "size_average and reduce args will be deprecated, please use reduction='sum' instead."
    with pytest.warns(UserWarning, match=msg):
        out = F.cross_entropy(x, t, size_average=False)
    assert out.item() == pytest.approx(F.cross_entropy(x, t, reduction="sum").item())
    with pytest.warns(UserWarning, match="please use reduction='none' instead"):
        assert F.nll_loss(x, t, reduce=False).shape == (2,)


@pytest.mark.parametrize(
    "call, exc, message",
    [
        (
            lambda: F.nll_loss(torch.randn(2, 3), torch.tensor([5, 0])),
            IndexError,
            "Target 5 is out of bounds.",
        ),
        (
            lambda: F.nll_loss(torch.randn(2, 3), torch.tensor([-1, 0])),
            IndexError,
            "Target -1 is out of bounds.",
        ),
        (
            lambda: F.nll_loss(torch.randn(2, 3), torch.tensor([0.0, 1.0])),
            RuntimeError,
            "expected target dtype to be Long or Byte, but got Float",
        ),
        (
            lambda: F.nll_loss(torch.randn(2, 3), torch.tensor([0, 1, 2])),
            ValueError,
            "Expected input batch_size (2) to match target batch_size (3).",
        ),
        (
            lambda: F.nll_loss(torch.randn(2, 3), torch.tensor([1, 2]), weight=torch.ones(4)),
            RuntimeError,
            "weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [4]",
        ),
        (
            lambda: F.nll_loss(torch.randn(2, 3), torch.tensor([1, 2]), reduction="foo"),
            ValueError,
            "foo is not a valid value for reduction",
        ),
        (
            lambda: F.nll_loss(torch.randn(2, 3, 4), torch.zeros(2, 5, dtype=torch.int64)),
            RuntimeError,
            "Expected target size [2, 4], got [2, 5]",
        ),
        (
            lambda: F.nll_loss(torch.randn(3), torch.tensor([1, 2])),
            ValueError,
            "For 1D input, 1D target must have size 1, but got target size: 2",
        ),
        (
            lambda: F.nll_loss(torch.randn(3), torch.tensor([[1]])),
            RuntimeError,
            "0D or 1D target tensor expected, multi-target not supported",
        ),
        (
            lambda: F.nll_loss(torch.tensor(1.0), torch.tensor(1)),
            ValueError,
            "Expected 1 or more dimensions (got 0)",
        ),
        (
            lambda: F.nll_loss(torch.randn(2, 3, 4, 5), torch.zeros(2, 4, dtype=torch.int64)),
            RuntimeError,
            "only batches of spatial targets supported (3D tensors) but got targets of dimension: 2",
        ),
        (
            lambda: F.nll_loss(torch.randn(2, 3, 4, 5), torch.zeros(2, 4, 6, dtype=torch.int64)),
            RuntimeError,
            "size mismatch (got input: [2, 3, 4, 5] , target: [2, 4, 6]",
        ),
        (
            lambda: F.nll_loss(torch.randn(2, 3).int(), torch.tensor([1, 2])),
            NotImplementedError,
            "\"nll_loss_out_frame\" not implemented for 'Int'",
        ),
        (
            lambda: F.nll_loss(
                torch.randn(2, 3), torch.tensor([1, 2]), weight=torch.ones(3, dtype=torch.float64)
            ),
            RuntimeError,
            "expected scalar type Float but found Double",
        ),
        (
            lambda: F.nll_loss(
                torch.randn(2, 3), torch.tensor([1, 2]), weight=torch.ones(3, requires_grad=True)
            ),
            RuntimeError,
            "The function 'nll_loss_forward' is not differentiable with respect to argument 'weight'. This input cannot have requires_grad True.",
        ),
        (
            lambda: F.cross_entropy(torch.randn(2, 3), torch.tensor([1, 2]), label_smoothing=1.5),
            RuntimeError,
            "label_smoothing must be between 0.0 and 1.0. Got: 1.5",
        ),
        (
            lambda: F.cross_entropy(torch.randn(2, 3), torch.randn(2, 4)),
            RuntimeError,
            "0D or 1D target tensor expected, multi-target not supported",
        ),
        (
            lambda: F.cross_entropy(torch.randn(2, 3), torch.tensor([1.0, 2.0])),
            RuntimeError,
            "expected target dtype to be Long or Byte, but got Float",
        ),
    ],
)
def test_error_messages(call, exc, message):
    with pytest.raises(exc) as e:
        call()
    assert str(e.value) == message


def test_confident_prediction_loss_is_positive_zero():
    # Each loss is -log_softmax = -0.0; PyTorch's sum and mean start from +0.0, so the reduced
    # loss prints as 0. while reduction="none" keeps the -0. values (recorded from PyTorch).
    x = torch.tensor([[100.0, 0.0], [0.0, 100.0]])
    t = torch.tensor([0, 1])
    for reduction in ("mean", "sum"):
        loss = F.cross_entropy(x, t, reduction=reduction)
        assert repr(loss) == "tensor(0.)"
        assert repr(F.nll_loss(torch.zeros(2, 2), t, reduction=reduction)) == "tensor(0.)"
    assert repr(F.cross_entropy(x, t, reduction="none")) == "tensor([-0., -0.])"
