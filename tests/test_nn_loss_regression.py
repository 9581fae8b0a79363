"""The regression and likelihood losses (L1, MSE, smooth L1, Huber, Poisson/Gaussian NLL, KL):
forward against numpy formulas written here, every reduction, float64 gradcheck of input and
target, and the warnings and errors recorded from PyTorch."""

from __future__ import annotations

import math
import warnings

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd.autograd import gradcheck
from grad_support import Domain, shapes, values
from hypothesis import given, settings
from hypothesis import strategies as st

REDUCTIONS = ["none", "mean", "sum"]
# Differences kept away from 0 and from the kinks at beta/delta (0.5, 1.0 below), where
# finite differences straddle two pieces.
AWAY_FROM_KINKS = Domain(0.05, 2.5)


def reduce_np(loss: np.ndarray, reduction: str) -> np.ndarray:
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def leaf(a: np.ndarray, grad: bool = True) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def pair_away_from(draw, shape, kinks: tuple[float, ...]):
    """input and target whose difference avoids 0 and the given |d| kinks by >= 0.02."""
    x = draw(values(shape, AWAY_FROM_KINKS))
    d = draw(values(shape, AWAY_FROM_KINKS))
    for k in kinks:
        d = np.where(np.abs(np.abs(d) - k) < 0.02, d * 1.1, d)
    return x, x - d


# ---- forward against numpy -------------------------------------------------------------


def smooth_l1_np(d, beta):
    a = np.abs(d)
    return np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)


def huber_np(d, delta):
    a = np.abs(d)
    return np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))


PAIR_LOSSES = [
    # name, ferrograd call, numpy formula of the difference d = input - target
    ("l1", lambda x, y, r: F.l1_loss(x, y, reduction=r), np.abs),
    ("mse", lambda x, y, r: F.mse_loss(x, y, reduction=r), np.square),
    (
        "smooth_l1",
        lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r),
        lambda d: smooth_l1_np(d, 1.0),
    ),
    (
        "smooth_l1 beta=0.5",
        lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5),
        lambda d: smooth_l1_np(d, 0.5),
    ),
    ("smooth_l1 beta=0", lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.0), np.abs),
    ("huber", lambda x, y, r: F.huber_loss(x, y, reduction=r), lambda d: huber_np(d, 1.0)),
    (
        "huber delta=0.5",
        lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=0.5),
        lambda d: huber_np(d, 0.5),
    ),
]


@pytest.mark.parametrize("name,fn,ref", PAIR_LOSSES, ids=[c[0] for c in PAIR_LOSSES])
@settings(max_examples=10)
@given(data=st.data(), shape=shapes, reduction=st.sampled_from(REDUCTIONS))
def test_pair_losses_match_numpy_and_gradcheck(name, fn, ref, data, shape, reduction):
    x, y = pair_away_from(data.draw, shape, (0.5, 1.0))
    out = fn(leaf(x), leaf(y), reduction)
    np.testing.assert_allclose(out.detach().numpy(), reduce_np(ref(x - y), reduction), rtol=1e-12)
    assert gradcheck(lambda a, b: fn(a, b, reduction), (leaf(x), leaf(y)))


def test_float32_keeps_its_dtype_and_mixed_dtypes_promote():
    x32, y32 = torch.tensor([1.0, 2.0]), torch.tensor([0.5, 4.0])
    assert F.mse_loss(x32, y32).dtype == torch.float32
    assert F.l1_loss(x32.double(), y32).dtype == torch.float64
    # An integer target is promoted against a float input.
    assert F.mse_loss(x32, torch.tensor([2, 2])).item() == pytest.approx(0.5)


@settings(max_examples=10)
@given(data=st.data(), shape=shapes, reduction=st.sampled_from(REDUCTIONS))
def test_weighted_l1_mse_huber(data, shape, reduction):
    x, y = pair_away_from(data.draw, shape, (1.0,))
    w = data.draw(values(shape, Domain(0.1, 2.0, signed=False)))
    weight = leaf(w, grad=False)
    # 'mean' divides by the total weight for L1 and MSE, by the element count for Huber.
    for fn, per_element, by_weight in (
        (F.l1_loss, np.abs(x - y), True),
        (F.mse_loss, (x - y) ** 2, True),
        (F.huber_loss, huber_np(x - y, 1.0), False),
    ):
        got = fn(leaf(x), leaf(y), reduction=reduction, weight=weight).detach().numpy()
        weighted = per_element * w
        if reduction == "mean":
            expected = weighted.sum() / w.sum() if by_weight else weighted.mean()
        else:
            expected = reduce_np(weighted, reduction)
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def poisson_np(x, t, log_input, full, eps=1e-8):
    loss = np.exp(x) - t * x if log_input else x - t * np.log(x + eps)
    if full:
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = t * np.log(t) - t + 0.5 * np.log(2 * np.pi * t)
        loss = loss + np.where(t > 1, stirling, 0.0)
    return loss


@settings(max_examples=12)
@given(
    data=st.data(),
    shape=shapes,
    reduction=st.sampled_from(REDUCTIONS),
    log_input=st.booleans(),
    full=st.booleans(),
)
def test_poisson_nll_loss(data, shape, reduction, log_input, full):
    x = data.draw(values(shape, Domain(0.2, 2.0, signed=log_input)))
    t = data.draw(values(shape, Domain(0.0, 4.0, signed=False)))
    call = lambda a, b: F.poisson_nll_loss(
        a, b, log_input=log_input, full=full, reduction=reduction
    )
    out = call(leaf(x), leaf(t))
    np.testing.assert_allclose(
        out.detach().numpy(), reduce_np(poisson_np(x, t, log_input, full), reduction), rtol=1e-12
    )
    # Targets drawn above 1.05 so that `full`'s t > 1 switch is not straddled.
    assert gradcheck(call, (leaf(x), leaf(t + 1.05)))


def gaussian_np(x, t, var, full, eps=1e-6):
    var = np.maximum(var, eps)
    loss = 0.5 * (np.log(var) + (x - t) ** 2 / var)
    return loss + 0.5 * np.log(2 * np.pi) if full else loss


@settings(max_examples=12)
@given(
    data=st.data(),
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple),
    var_kind=st.sampled_from(["same", "one short", "size-1 dim"]),
    reduction=st.sampled_from(REDUCTIONS),
    full=st.booleans(),
)
def test_gaussian_nll_loss_and_var_broadcasting(data, shape, var_kind, reduction, full):
    x = data.draw(values(shape, Domain()))
    t = data.draw(values(shape, Domain()))
    if var_kind == "same":
        var_shape = shape
    elif var_kind == "one short":
        var_shape = shape[:-1]
    else:
        var_shape = shape[:-1] + (1,)
    var = data.draw(values(var_shape, Domain(0.2, 2.0, signed=False)))
    var_b = var.reshape(shape[:-1] + (1,)) if var_kind == "one short" else var
    call = lambda a, b, v: F.gaussian_nll_loss(a, b, v, full=full, reduction=reduction)
    out = call(leaf(x), leaf(t), leaf(var))
    np.testing.assert_allclose(
        out.detach().numpy(), reduce_np(gaussian_np(x, t, var_b, full), reduction), rtol=1e-12
    )
    assert gradcheck(call, (leaf(x), leaf(t), leaf(var)))


def test_gaussian_nll_loss_float_var_and_clamping():
    x, t = torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0])
    # var = 0.5 everywhere: 0.5 (log 0.5 + d^2 / 0.5) = (-0.3466 + 1, -0.3466) -> mean 0.1534.
    assert F.gaussian_nll_loss(x, t, 0.5).item() == pytest.approx(0.15342640972002736)
    # A zero variance is clamped to eps for the value, yet its gradient is not cut.
    var = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
    loss = F.gaussian_nll_loss(x.double(), t.double(), var, reduction="sum")
    loss.backward()
    # d/dvar of 0.5 (log v + d^2/v) at the clamped v = 1e-6, d = 1: 0.5 (1/v - 1/v^2).
    assert var.grad[0].item() == pytest.approx(0.5 * (1e6 - 1e12))


def kl_np(x, t, log_target):
    if log_target:
        return np.exp(t) * (t - x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t > 0, t * np.log(t), 0.0) - t * x


@settings(max_examples=12)
@given(
    data=st.data(),
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple),
    reduction=st.sampled_from(["none", "sum", "batchmean"]),
    log_target=st.booleans(),
)
def test_kl_div(data, shape, reduction, log_target):
    x = np.log(data.draw(values(shape, Domain(0.05, 1.0, signed=False))))
    t = data.draw(values(shape, Domain(0.05, 1.0, signed=False)))
    t = np.log(t) if log_target else t
    call = lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target)
    loss = kl_np(x, t, log_target)
    expected = loss.sum() / shape[0] if reduction == "batchmean" else reduce_np(loss, reduction)
    np.testing.assert_allclose(call(leaf(x), leaf(t)).detach().numpy(), expected, rtol=1e-12)
    assert gradcheck(call, (leaf(x), leaf(t)))


def test_kl_div_zero_target_contributes_nothing():
    # 0 log 0 = 0: a zero target gives a zero loss, not nan.
    out = F.kl_div(torch.tensor([-1.0, -2.0]), torch.tensor([0.0, 0.5]), reduction="none")
    assert out.tolist() == pytest.approx([0.0, 0.5 * math.log(0.5) + 1.0])


# ---- messages recorded from PyTorch ------------------------------------------------------


def test_invalid_reduction():
    a = torch.rand(3, 4)
    for fn in (F.l1_loss, F.mse_loss, F.smooth_l1_loss, F.poisson_nll_loss, F.kl_div):
        with pytest.raises(ValueError, match="^mean_sum is not a valid value for reduction$"):
            fn(a, a, reduction="mean_sum")
    with pytest.raises(ValueError, match="^bad is not valid$"):
        F.gaussian_nll_loss(a, a, torch.ones(3, 4), reduction="bad")
    with pytest.raises(ValueError, match=r"^Invalid reduction mode: x\. Expected one of"):
        F.mse_loss(a, a, reduction="x", weight=torch.ones(3, 4))


def test_size_mismatch_warns_then_broadcasts():
    message = (
        "Using a target size (ferrograd.Size([4])) that is different to the input size "
        "(ferrograd.Size([3, 4])). This will likely lead to incorrect results due to "
        "broadcasting. Please ensure they have the same size."
    )
    # |d| = 1 everywhere: 1 for MSE and L1, 1 - 0.5 for smooth L1 and Huber (beta = delta = 1).
    for fn, expected in (
        (F.mse_loss, 1.0),
        (F.l1_loss, 1.0),
        (F.smooth_l1_loss, 0.5),
        (F.huber_loss, 0.5),
    ):
        with pytest.warns(UserWarning) as record:
            out = fn(torch.ones(3, 4), torch.zeros(4))
        assert str(record[0].message) == message
        assert out.item() == expected
    with (
        pytest.warns(UserWarning),
        pytest.raises(
            RuntimeError,
            match=r"^The size of tensor a \(4\) must match the size of tensor b \(5\) at "
            r"non-singleton dimension 1$",
        ),
    ):
        F.mse_loss(torch.rand(3, 4), torch.rand(5))


def test_same_sizes_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.mse_loss(torch.rand(2, 3), torch.rand(2, 3))


def test_legacy_size_average_and_reduce():
    a, b = torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0])
    with pytest.warns(UserWarning, match=r"please use reduction='sum' instead\.$"):
        assert F.mse_loss(a, b, size_average=False).item() == 5.0
    with pytest.warns(UserWarning, match=r"please use reduction='none' instead\.$"):
        assert F.mse_loss(a, b, reduce=False).tolist() == [1.0, 4.0]
    with pytest.warns(UserWarning, match="reduction='mean'"):
        # The legacy pair overrides an explicit reduction.
        assert F.l1_loss(a, b, size_average=True, reduction="sum").item() == 1.5


def test_integer_and_parameter_errors():
    longs = torch.ones(3, dtype=torch.long)
    with pytest.raises(NotImplementedError, match="^\"mse_cpu\" not implemented for 'Long'$"):
        F.mse_loss(longs, longs)
    with pytest.raises(NotImplementedError, match="^\"huber_cpu\" not implemented for 'Long'$"):
        F.huber_loss(longs, longs)
    with pytest.raises(NotImplementedError, match="^\"smooth_l1_cpu\" not implemented for 'Long'$"):
        F.smooth_l1_loss(longs, longs)
    # L1 on integers runs (PyTorch's does too) and keeps the dtype with reduction='sum'.
    assert F.l1_loss(longs, longs * 3, reduction="sum").item() == 6
    with pytest.raises(RuntimeError, match="^kl_div: Integral inputs not supported.$"):
        F.kl_div(longs, torch.rand(3), reduction="sum")
    a = torch.rand(3)
    with pytest.raises(
        RuntimeError, match="^smooth_l1_loss does not support negative values for beta.$"
    ):
        F.smooth_l1_loss(a, a, beta=-1.0)
    with pytest.raises(
        RuntimeError, match="^huber_loss does not support non-positive values for delta.$"
    ):
        F.huber_loss(a, a, delta=0.0)
    with pytest.raises(ValueError, match="^Weights and input must have the same size.$"):
        F.l1_loss(a, a, weight=torch.ones(2))


def test_gaussian_nll_loss_errors():
    a = torch.rand(3, 4)
    with pytest.raises(ValueError, match="^var has negative entry/entries$"):
        F.gaussian_nll_loss(a, a, -torch.ones(3, 4))
    with pytest.raises(ValueError, match="^var has negative entry/entries$"):
        F.gaussian_nll_loss(a, a, -1.0)
    with pytest.raises(ValueError, match="^var is of incorrect size$"):
        F.gaussian_nll_loss(a, a, torch.ones(2, 4))


def test_kl_div_mean_warns_and_batchmean_divides_by_batch():
    x = torch.log(torch.tensor([[0.25, 0.75], [0.5, 0.5]]))
    t = torch.tensor([[0.5, 0.5], [0.5, 0.5]])
    with pytest.warns(UserWarning) as record:
        mean = F.kl_div(x, t)
    assert str(record[0].message) == (
        "reduction: 'mean' divides the total loss by both the batch size and the support "
        "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
        "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
        "major release."
    )
    batchmean = F.kl_div(x, t, reduction="batchmean")
    # KL(t || p) of row 0: 0.5 log(0.5/0.25) + 0.5 log(0.5/0.75); row 1: 0.
    row0 = 0.5 * math.log(2) + 0.5 * math.log(2 / 3)
    assert batchmean.item() == pytest.approx(row0 / 2, rel=1e-6)
    assert mean.item() == pytest.approx(row0 / 4, rel=1e-6)


def test_values_recorded_from_pytorch():
    x = torch.tensor([[0.2, -1.3, 2.0], [0.7, 0.1, -0.4]])
    y = torch.tensor([[1.0, -1.0, 0.5], [0.0, 0.3, 0.6]])
    assert F.smooth_l1_loss(x, y, beta=0.5).item() == pytest.approx(0.5216667056083679, rel=1e-6)
    assert F.huber_loss(x, y, delta=0.8).item() == pytest.approx(0.3316666781902313, rel=1e-6)
    assert F.poisson_nll_loss(x, y.abs(), full=True).item() == pytest.approx(
        2.163705825805664, rel=1e-6
    )
