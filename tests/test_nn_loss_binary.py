"""The binary losses (BCE, BCE with logits, soft margin, multi-label soft margin): forward
against numpy, every reduction, float64 gradcheck, PyTorch's gradient at saturated inputs and
the errors recorded from PyTorch."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd.autograd import gradcheck, gradgradcheck
from grad_support import Domain, shapes, values
from hypothesis import given, settings
from hypothesis import strategies as st

REDUCTIONS = ["none", "mean", "sum"]
PROBABILITIES = Domain(0.05, 0.95, signed=False)
LOGITS = Domain(0.05, 4.0)


def reduce_np(loss, reduction):
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def leaf(a, grad=True):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def softplus_np(x):
    return np.logaddexp(0.0, x)


@settings(max_examples=12)
@given(
    data=st.data(),
    shape=shapes,
    reduction=st.sampled_from(REDUCTIONS),
    weighted=st.booleans(),
)
def test_binary_cross_entropy(data, shape, reduction, weighted):
    x = data.draw(values(shape, PROBABILITIES))
    t = data.draw(values(shape, PROBABILITIES))
    # The weight broadcasts against the target (here: its last dimension only).
    w = data.draw(values(shape[-1:], Domain(0.1, 2.0, signed=False))) if weighted else None
    weight = None if w is None else leaf(w, grad=False)
    call = lambda a, b: F.binary_cross_entropy(a, b, weight=weight, reduction=reduction)
    loss = -(t * np.log(x) + (1 - t) * np.log(1 - x)) * (1.0 if w is None else w)
    np.testing.assert_allclose(
        call(leaf(x), leaf(t)).detach().numpy(), reduce_np(loss, reduction), rtol=1e-12
    )
    assert gradcheck(call, (leaf(x), leaf(t)))


def test_binary_cross_entropy_at_zero_and_one_matches_pytorch():
    # log is clamped at -100, and the gradient's x (1 - x) denominator at 1e-12: values and
    # gradients recorded from PyTorch (a saturated sigmoid hands BCE exact 0s and 1s).
    x = torch.tensor([0.0, 1.0, 0.3], requires_grad=True)
    t = torch.tensor([1.0, 0.0, 0.5], requires_grad=True)
    loss = F.binary_cross_entropy(x, t, reduction="sum")
    loss.backward()
    assert loss.item() == pytest.approx(200.7803192138672, rel=1e-6)
    assert x.grad.tolist() == pytest.approx([-999999995904.0, 999999995904.0, -0.9523808360099792])
    assert t.grad.tolist() == pytest.approx([float("inf"), float("-inf"), 0.8472977876663208])
    assert F.binary_cross_entropy(
        torch.tensor([0.2, 0.9]), torch.tensor([0.0, 1.0]), weight=torch.tensor([2.0, 0.5])
    ).item() == pytest.approx(0.24948370456695557)


def bce_logits_np(x, t, w=None, pw=None):
    log_weight = 1.0 if pw is None else (pw - 1) * t + 1
    loss = (1 - t) * x + log_weight * softplus_np(-x)
    return loss if w is None else loss * w


@settings(max_examples=12)
@given(
    data=st.data(),
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple),
    reduction=st.sampled_from(REDUCTIONS),
    weighted=st.booleans(),
    pos_weighted=st.booleans(),
)
def test_binary_cross_entropy_with_logits(data, shape, reduction, weighted, pos_weighted):
    x = data.draw(values(shape, LOGITS))
    t = data.draw(values(shape, PROBABILITIES))
    w = data.draw(values(shape, Domain(0.1, 2.0, signed=False))) if weighted else None
    # pos_weight is one value per class (the last dimension), broadcast over the rest.
    pw = data.draw(values(shape[-1:], Domain(0.1, 3.0, signed=False))) if pos_weighted else None
    weight = None if w is None else leaf(w, grad=False)
    pos_weight = None if pw is None else leaf(pw, grad=False)

    def call(a, b):
        return F.binary_cross_entropy_with_logits(
            a, b, weight=weight, pos_weight=pos_weight, reduction=reduction
        )

    np.testing.assert_allclose(
        call(leaf(x), leaf(t)).detach().numpy(),
        reduce_np(bce_logits_np(x, t, w, pw), reduction),
        rtol=1e-12,
    )
    assert gradcheck(call, (leaf(x), leaf(t)))


def test_binary_cross_entropy_with_logits_recorded_from_pytorch():
    # At a logit of exactly 0 the gradient is sigmoid(0) - t = 0.5 - t (not a one-sided
    # slope); at +-100 the loss is finite.
    x = torch.tensor([0.0, 1.0, 0.3, 0.5, 0.0, -100.0, 100.0], requires_grad=True)
    t = torch.tensor([1.0, 0.0, 0.5, 1.0, 0.0, 1.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    loss.sum().backward()
    assert loss.tolist() == pytest.approx(
        [
            0.6931471824645996,
            1.3132617473602295,
            0.7043552398681641,
            0.4740769863128662,
            0.6931471824645996,
            100.0,
            3.923635700109488e-44,
        ],
        abs=1e-7,
    )
    assert x.grad.tolist() == pytest.approx(
        [-0.5, 0.7310585975646973, 0.07444250583648682, -0.377540647983551, 0.5, -1.0, 0.0],
        abs=1e-7,
    )
    x = torch.tensor([[0.5, -1.0, 2.0], [0.1, 0.2, -3.0]], requires_grad=True)
    t = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]])
    loss = F.binary_cross_entropy_with_logits(
        x, t, weight=torch.tensor([1.0, 2.0, 0.5]), pos_weight=torch.tensor([3.0, 1.0, 0.2])
    )
    loss.backward()
    assert loss.item() == pytest.approx(0.6944496631622314, rel=1e-6)
    np.testing.assert_allclose(
        x.grad.numpy(),
        [
            [-0.1887703388929367, 0.08964714407920837, -0.001986713381484151],
            [0.08749652653932571, -0.15005534887313843, -0.005962039809674025],
        ],
        rtol=1e-5,
    )


@settings(max_examples=10)
@given(data=st.data(), shape=shapes, reduction=st.sampled_from(REDUCTIONS))
def test_soft_margin_loss(data, shape, reduction):
    x = data.draw(values(shape, LOGITS))
    y = np.sign(data.draw(values(shape, Domain())))
    call = lambda a: F.soft_margin_loss(a, leaf(y, grad=False), reduction=reduction)
    np.testing.assert_allclose(
        call(leaf(x)).detach().numpy(), reduce_np(softplus_np(-y * x), reduction), rtol=1e-12
    )
    assert gradcheck(call, (leaf(x),))


@settings(max_examples=10)
@given(
    data=st.data(),
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple),
    reduction=st.sampled_from(REDUCTIONS),
    weighted=st.booleans(),
)
def test_multilabel_soft_margin_loss(data, shape, reduction, weighted):
    x = data.draw(values(shape, LOGITS))
    t = (data.draw(values(shape, Domain())) > 0).astype(np.float64)
    w = data.draw(values(shape[-1:], Domain(0.1, 2.0, signed=False))) if weighted else None
    weight = None if w is None else leaf(w, grad=False)
    call = lambda a, b: F.multilabel_soft_margin_loss(a, b, weight=weight, reduction=reduction)
    per_class = t * softplus_np(-x) + (1 - t) * softplus_np(x)
    per_class = per_class if w is None else per_class * w
    per_sample = per_class.sum(-1) / shape[-1]
    np.testing.assert_allclose(
        call(leaf(x), leaf(t)).detach().numpy(), reduce_np(per_sample, reduction), rtol=1e-12
    )
    assert gradcheck(call, (leaf(x), leaf(t)))


def test_margin_values_recorded_from_pytorch():
    x = torch.tensor([[0.5, -1.0, 2.0], [0.1, 0.2, -3.0]])
    assert F.multilabel_soft_margin_loss(
        x, torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    ).item() == pytest.approx(0.8842315673828125, rel=1e-6)
    assert F.soft_margin_loss(
        x, torch.tensor([[1.0, -1.0, 1.0], [-1.0, 1.0, 1.0]])
    ).item() == pytest.approx(0.8842315077781677, rel=1e-6)


# ---- messages recorded from PyTorch ------------------------------------------------------


def test_binary_cross_entropy_errors():
    a, b = torch.rand(3, 4), torch.rand(3, 4)
    with pytest.raises(RuntimeError, match="^all elements of input should be between 0 and 1$"):
        F.binary_cross_entropy(a + 1, b)
    with pytest.raises(RuntimeError, match="^all elements of input should be between 0 and 1$"):
        F.binary_cross_entropy(torch.tensor([float("nan")]), torch.tensor([1.0]))
    with pytest.raises(RuntimeError, match="^all elements of target should be between 0 and 1$"):
        F.binary_cross_entropy(a, b + 1)
    with pytest.raises(
        ValueError,
        match=r"^Using a target size \(ferrograd\.Size\(\[4\]\)\) that is different to the "
        r"input size \(ferrograd\.Size\(\[3, 4\]\)\) is deprecated\. Please ensure they have "
        r"the same size\.$",
    ):
        F.binary_cross_entropy(a, torch.rand(4))
    with pytest.raises(RuntimeError, match="^Found dtype Long but expected Float$"):
        F.binary_cross_entropy(a, torch.ones(3, 4, dtype=torch.long))
    with pytest.raises(RuntimeError, match="^Found dtype Float but expected Double$"):
        F.binary_cross_entropy(a.double(), b)
    longs = torch.ones(3, dtype=torch.long)
    with pytest.raises(
        NotImplementedError, match="^\"binary_cross_entropy\" not implemented for 'Long'$"
    ):
        F.binary_cross_entropy(longs, longs)
    with pytest.raises(
        RuntimeError,
        match="^The function 'binary_cross_entropy' is not differentiable with respect to "
        "argument 'weight'. This input cannot have requires_grad True.$",
    ):
        F.binary_cross_entropy(a, b, weight=torch.ones(4, requires_grad=True))
    with pytest.raises(ValueError, match="^x is not a valid value for reduction$"):
        F.binary_cross_entropy(a, b, reduction="x")


def test_binary_cross_entropy_with_logits_errors():
    a = torch.rand(3, 4)
    with pytest.raises(
        ValueError,
        match=r"^Target size \(ferrograd\.Size\(\[4\]\)\) must be the same as input size "
        r"\(ferrograd\.Size\(\[3, 4\]\)\)$",
    ):
        F.binary_cross_entropy_with_logits(a, torch.rand(4))
    with pytest.raises(
        RuntimeError, match="^result type Float can't be cast to the desired output type Long$"
    ):
        F.binary_cross_entropy_with_logits(a, torch.ones(3, 4, dtype=torch.long))
    for argument in ("weight", "pos_weight"):
        with pytest.raises(
            RuntimeError,
            match=f"^The function 'binary_cross_entropy_with_logits' is not differentiable "
            f"with respect to argument '{argument}'.",
        ):
            F.binary_cross_entropy_with_logits(
                a, a, **{argument: torch.ones(4, requires_grad=True)}
            )
    # A float64 target promotes the result, as in PyTorch.
    assert F.binary_cross_entropy_with_logits(a, a.double()).dtype == torch.float64


def test_soft_margin_errors():
    a = torch.rand(3, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match="^The function 'soft_margin_loss' is not differentiable with respect to argument "
        "'target'.",
    ):
        F.soft_margin_loss(a, a)
    with pytest.raises(ValueError, match="^x is not valid$"):
        F.multilabel_soft_margin_loss(a, a.detach(), reduction="x")


def test_binary_cross_entropy_second_derivatives():
    # BCE's backward is written with Tensor ops, so create_graph=True differentiates it again.
    x = torch.tensor([0.2, 0.7, 0.4], dtype=torch.float64, requires_grad=True)
    t = torch.tensor([0.1, 0.9, 0.5], dtype=torch.float64, requires_grad=True)
    weight = torch.tensor([1.0, 0.5, 2.0], dtype=torch.float64)
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy(a, b, weight=weight), (x, t))
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b), (x, t))
