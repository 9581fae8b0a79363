"""Gradients of the reductions: products and NaN-skipping sums, extremes, order statistics,
sorting, variances, norms, logsumexp and the cumulative ops.

Property tests compare each op's gradient with central finite differences (``gradcheck``)
and its second derivative (``gradgradcheck``) on random shapes, including transposed inputs,
with values drawn away from ties and kinks. Plain tests pin PyTorch's node names and its
choices where the derivative is not unique (ties, zeros, NaNs, a zero norm); their expected
values were recorded from PyTorch.
"""

from __future__ import annotations

import math

import ferrograd as torch
import numpy as np
import pytest
from grad_support import ANY, POSITIVE, UNIT, check, shapes, tensors
from hypothesis import assume, given, settings
from hypothesis import strategies as st

NAN = float("nan")
INF = float("inf")


def q64(*values: float) -> torch.Tensor:
    return torch.tensor(list(values), dtype=torch.float64)


def both(pair) -> torch.Tensor:
    """A function of both results of a two-result op, weighted so that neither hides."""
    a, b = pair
    return a * 2 + b


WHOLE = [
    # (name, function of a tensor of any shape (0-dim included), domain)
    ("prod", lambda x: x.prod(), ANY),
    ("nansum", lambda x: x.nansum(), ANY),
    ("nanmean", lambda x: x.nanmean(), ANY),
    ("max", lambda x: x.max(), ANY),
    ("min", lambda x: torch.min(x), ANY),
    ("amax", lambda x: x.amax(), ANY),
    ("amin", lambda x: x.amin(), ANY),
    ("aminmax", lambda x: both(x.aminmax()), ANY),
    ("median", lambda x: x.median(), ANY),
    ("nanmedian", lambda x: x.nanmedian(), ANY),
    ("quantile", lambda x: x.quantile(0.3), ANY),
    ("nanquantile", lambda x: x.nanquantile(q64(0.2, 0.9)), ANY),
    ("std", lambda x: x.std(correction=0), ANY),
    ("var", lambda x: x.var(correction=0), ANY),
    ("std_mean", lambda x: both(torch.std_mean(x, correction=0)), ANY),
    ("var_mean", lambda x: both(torch.var_mean(x, correction=0)), ANY),
    ("vector_norm", lambda x: torch.linalg.vector_norm(x), ANY),
    ("norm 1", lambda x: x.norm(1), ANY),
    ("norm 3", lambda x: x.norm(3), ANY),
    ("norm 1.5", lambda x: torch.linalg.vector_norm(x, 1.5), ANY),
    ("norm 0.5", lambda x: torch.linalg.vector_norm(x, 0.5), ANY),
    ("norm -1", lambda x: torch.linalg.vector_norm(x, -1), ANY),
    ("norm inf", lambda x: torch.linalg.vector_norm(x, INF), ANY),
    ("norm -inf", lambda x: torch.linalg.vector_norm(x, -INF), ANY),
]


@pytest.mark.parametrize("name, fn, domain", WHOLE, ids=[r[0] for r in WHOLE])
@settings(max_examples=8)
@given(data=st.data())
def test_whole_tensor_gradients(name, fn, domain, data):
    x = data.draw(tensors(data.draw(shapes), domain))
    # A std over one element is identically 0, at sqrt's kink; PyTorch's second derivative
    # there is NaN too.
    assume(not (name.startswith("std") and x.numel() < 2))
    check(fn, (x,), True)


ALONG = [
    # (name, function of a tensor and one of its dims, domain)
    ("prod dim", lambda x, d: x.prod(d), ANY),
    ("nansum dim", lambda x, d: x.nansum(d, keepdim=True), ANY),
    ("nanmean dim", lambda x, d: x.nanmean(d), ANY),
    ("max dim", lambda x, d: x.max(d)[0], ANY),
    ("min dim keepdim", lambda x, d: x.min(d, keepdim=True)[0], ANY),
    ("amax dim", lambda x, d: x.amax(d), ANY),
    ("amin dim keepdim", lambda x, d: x.amin(d, keepdim=True), ANY),
    ("aminmax dim", lambda x, d: both(x.aminmax(dim=d)), ANY),
    ("median dim", lambda x, d: x.median(d)[0], ANY),
    ("nanmedian dim keepdim", lambda x, d: x.nanmedian(d, keepdim=True)[0], ANY),
    ("mode", lambda x, d: x.mode(d)[0], ANY),
    ("kthvalue", lambda x, d: x.kthvalue(1, d)[0], ANY),
    ("sort", lambda x, d: x.sort(d)[0], ANY),
    ("sort descending", lambda x, d: x.sort(d, descending=True)[0], ANY),
    ("topk", lambda x, d: x.topk(1, d)[0], ANY),
    ("topk smallest", lambda x, d: x.topk(1, d, largest=False)[0], ANY),
    ("quantile dim", lambda x, d: x.quantile(q64(0.25, 0.7), dim=d), ANY),
    ("nanquantile dim", lambda x, d: x.nanquantile(0.6, dim=d, keepdim=True), ANY),
    ("std dim", lambda x, d: x.std(d, correction=0), ANY),
    ("var dim keepdim", lambda x, d: x.var(d, correction=0, keepdim=True), ANY),
    ("std_mean dim", lambda x, d: both(torch.std_mean(x, d, correction=0)), ANY),
    ("var_mean dim", lambda x, d: both(torch.var_mean(x, d, correction=0)), ANY),
    ("vector_norm dim", lambda x, d: torch.linalg.vector_norm(x, 3, dim=d), ANY),
    ("norm inf dim", lambda x, d: x.norm(INF, dim=d, keepdim=True), ANY),
    ("logsumexp", lambda x, d: x.logsumexp(d), ANY),
    ("cumsum", lambda x, d: x.cumsum(d), ANY),
    ("cumprod", lambda x, d: x.cumprod(d), ANY),
    ("cummax", lambda x, d: x.cummax(d)[0], ANY),
    ("cummin", lambda x, d: torch.cummin(x, d)[0], ANY),
    ("logcumsumexp", lambda x, d: x.logcumsumexp(d), ANY),
]

nonempty_shapes = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple)


@pytest.mark.parametrize("name, fn, domain", ALONG, ids=[r[0] for r in ALONG])
@settings(max_examples=8)
@given(data=st.data())
def test_gradients_along_a_dim(name, fn, domain, data):
    shape = data.draw(nonempty_shapes)
    x = data.draw(tensors(shape, domain))
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    assume(not (name.startswith("std") and shape[d] < 2))  # as above
    check(lambda t: fn(t, d), (x,), True)


SHAPED = [
    # (name, function of a tensor of shape (2, 3, 4), domain)
    ("std", lambda x: x.std(), ANY),
    ("var dims", lambda x: x.var((0, 2)), ANY),
    ("std correction 2", lambda x: x.std(1, correction=2), ANY),
    ("std_mean dims", lambda x: both(torch.std_mean(x, (1, 2), keepdim=True)), ANY),
    ("var_mean", lambda x: both(torch.var_mean(x)), ANY),
    ("vector_norm dims", lambda x: torch.linalg.vector_norm(x, 2, dim=(0, 2)), ANY),
    ("norm fro", lambda x: torch.norm(x, "fro"), ANY),
    ("logsumexp dims", lambda x: x.logsumexp((0, 2), keepdim=True), ANY),
    ("amax dims", lambda x: x.amax((1, 2)), ANY),
    ("msort", lambda x: x.msort(), ANY),
    ("topk 2 unsorted", lambda x: x.topk(2, 1, sorted=False)[0].sum(1), ANY),
    ("kthvalue 3", lambda x: x.kthvalue(3, 2)[0], ANY),
    ("quantile lower", lambda x: x.quantile(q64(0.1, 0.5), 2, interpolation="lower"), ANY),
    ("quantile higher", lambda x: x.quantile(0.8, 0, interpolation="higher"), ANY),
    ("quantile midpoint", lambda x: x.quantile(0.35, interpolation="midpoint"), ANY),
    ("quantile nearest", lambda x: x.quantile(0.35, 1, interpolation="nearest"), ANY),
    ("cumprod positive", lambda x: x.cumprod(2), POSITIVE),
    ("logcumsumexp large", lambda x: (x * 300).logcumsumexp(0), UNIT),
]


@pytest.mark.parametrize("name, fn, domain", SHAPED, ids=[r[0] for r in SHAPED])
@settings(max_examples=5)
@given(data=st.data())
def test_shaped_gradients(name, fn, domain, data):
    x = data.draw(tensors((2, 3, 4), domain))
    check(fn, (x,), True)


def with_zeros(data, shape: tuple[int, ...]) -> torch.Tensor:
    """A float64 leaf with some entries exactly zero."""
    values = data.draw(tensors(shape, ANY)).detach().numpy()
    zero = np.array(data.draw(st.lists(st.booleans(), min_size=values.size, max_size=values.size)))
    values = np.where(zero.reshape(values.shape), 0.0, values)
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


PRODUCTS = [
    ("prod", lambda x: x.prod()),
    ("prod dim", lambda x: x.prod(-1)),
    ("prod dim keepdim", lambda x: x.prod(0, keepdim=True)),
    ("cumprod", lambda x: x.cumprod(-1)),
    ("cumprod dim 0", lambda x: x.cumprod(0)),
]


@pytest.mark.parametrize("name, fn", PRODUCTS, ids=[r[0] for r in PRODUCTS])
@settings(max_examples=10)
@given(data=st.data())
def test_products_with_zeros(name, fn, data):
    # Products are polynomials, smooth at zero too: finite differences check the first and
    # second derivatives exactly where the formulas need their care.
    x = with_zeros(data, data.draw(nonempty_shapes))
    check(fn, (x,), True)


def test_quantile_gradient_in_q():
    x = torch.tensor([[3.0, 1.0, 2.0, 5.0, 4.0], [0.0, 1.0, -1.0, 7.0, 2.0]], dtype=torch.float64)
    q = q64(0.1, 0.375, 0.9).requires_grad_(True)
    check(lambda x, q: torch.quantile(x, q, dim=1), (x.requires_grad_(True), q), True)


NAMES = [
    (lambda x: x.prod(), "ProdBackward0"),
    (lambda x: x.prod(1), "ProdBackward1"),
    (lambda x: x.nansum(), "NansumBackward0"),
    (lambda x: x.nansum(1), "NansumBackward0"),
    (lambda x: x.nanmean(), "DivBackward0"),
    (lambda x: x.max(), "MaxBackward1"),
    (lambda x: x.max(1)[0], "MaxBackward0"),
    (lambda x: x.min(), "MinBackward1"),
    (lambda x: x.min(0)[0], "MinBackward0"),
    (lambda x: x.amax(1), "AmaxBackward0"),
    (lambda x: x.amin(), "AminBackward0"),
    (lambda x: x.aminmax()[0], "AminmaxBackward0"),
    (lambda x: x.aminmax(dim=1)[1], "AminmaxBackward0"),
    (lambda x: x.median(), "MedianBackward0"),
    (lambda x: x.median(1)[0], "MedianBackward1"),
    (lambda x: x.nanmedian(), "NanmedianBackward0"),
    (lambda x: x.nanmedian(0)[0], "NanmedianBackward1"),
    (lambda x: x.mode()[0], "ModeBackward0"),
    (lambda x: x.kthvalue(2)[0], "KthvalueBackward0"),
    (lambda x: x.quantile(0.5), "SqueezeBackward4"),
    (lambda x: x.nanquantile(q64(0.2, 0.4), dim=1), "SqueezeBackward4"),
    (lambda x: x.sort()[0], "SortBackward0"),
    (lambda x: x.msort(), "SortBackward0"),
    (lambda x: x.topk(2)[0], "TopkBackward0"),
    (lambda x: x.std(), "StdBackward0"),
    (lambda x: x.var(1), "VarBackward0"),
    (lambda x: torch.std_mean(x)[0], "StdMeanBackward0"),
    (lambda x: torch.var_mean(x, 1)[1], "VarMeanBackward0"),
    (lambda x: torch.linalg.vector_norm(x), "LinalgVectorNormBackward0"),
    (lambda x: x.norm(), "LinalgVectorNormBackward0"),
    (lambda x: x.norm(1, dim=1), "LinalgVectorNormBackward0"),
    (lambda x: torch.norm(x, "fro"), "LinalgVectorNormBackward0"),
    (lambda x: x.logsumexp(1), "LogsumexpBackward0"),
    (lambda x: x.cumsum(1), "CumsumBackward0"),
    (lambda x: x.cumprod(0), "CumprodBackward0"),
    (lambda x: x.cummax(1)[0], "CummaxBackward0"),
    (lambda x: x.cummin(1)[0], "CumminBackward0"),
    (lambda x: x.logcumsumexp(1), "LogcumsumexpBackward0"),
]


@pytest.mark.parametrize("fn, name", NAMES, ids=[r[1] + str(i) for i, r in enumerate(NAMES)])
def test_node_names(fn, name):
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    assert type(fn(x).grad_fn).__name__ == name


INDEXED = [
    lambda x: x.max(1),
    lambda x: x.min(0),
    lambda x: x.median(1),
    lambda x: x.nanmedian(1),
    lambda x: x.mode(),
    lambda x: x.kthvalue(2),
    lambda x: x.sort(),
    lambda x: x.topk(2),
    lambda x: x.cummax(1),
    lambda x: x.cummin(0),
]


@pytest.mark.parametrize("fn", INDEXED)
def test_indices_stay_out_of_the_graph(fn):
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    values, indices = fn(x)
    assert values.requires_grad
    assert indices.grad_fn is None and not indices.requires_grad
    assert x.argsort().grad_fn is None and x.argmax().grad_fn is None


def grad_of(fn, values, weight=None):
    """x.grad after backward of sum(fn(x) * weight), x a float64 leaf of `values`."""
    x = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    y = fn(x)
    if isinstance(y, tuple):
        y = y[0]
    (y * (1.0 if weight is None else weight)).sum().backward()
    return None if x.grad is None else x.grad.tolist()


T = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]
W3 = q64(1.0, 2.0, 3.0)

# (what, function, input, weight, gradient recorded from PyTorch)
RECORDED = [
    # Without a dim, ties share evenly; with one, the returned index takes it all.
    ("max ties", lambda x: x.max(), T, None, [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]]),
    ("max dim ties", lambda x: x.max(1), T, None, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
    ("min dim ties", lambda x: x.min(1), T, None, [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
    ("amax ties", lambda x: x.amax(1), T, None, [[0.0, 0.5, 0.5], [0.5, 0.5, 0.0]]),
    ("amax all", lambda x: x.amax(), T, None, [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]]),
    ("aminmax", lambda x: x.aminmax()[0], T, None, [[0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
    ("aminmax dim", lambda x: x.aminmax(dim=1)[1], T, None, [[0.0, 0.5, 0.5], [0.5, 0.5, 0.0]]),
    ("median ties", lambda x: x.median(), [1.0, 2.0, 2.0, 3.0], None, [0.0, 0.5, 0.5, 0.0]),
    ("median dim", lambda x: x.median(1), T, None, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
    ("mode", lambda x: x.mode(1), T, None, [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]),
    ("kthvalue", lambda x: x.kthvalue(2, 1), T, None, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
    ("sort", lambda x: x.sort(1)[0], T, W3, [[1.0, 2.0, 3.0], [2.0, 3.0, 1.0]]),
    ("topk", lambda x: x.topk(2, 1)[0], T, W3[:2], [[0.0, 1.0, 2.0], [1.0, 2.0, 0.0]]),
    ("cummax", lambda x: x.cummax(1), T, None, [[1.0, 1.0, 1.0], [1.0, 2.0, 0.0]]),
    ("cummin", lambda x: x.cummin(1), [[3.0, 1.0, 1.0, 2.0]], None, [[1.0, 1.0, 2.0, 0.0]]),
    (
        "cummax weighted",
        lambda x: x.cummax(0),
        [1.0, 3.0, 3.0, 2.0],
        q64(1, 10, 100, 1000),
        [1.0, 10.0, 1100.0, 0.0],
    ),
    # NaNs: max spreads over them, amax's mask misses them (NaN everywhere), nan* skip them.
    ("max nan", lambda x: x.max(), [1.0, NAN, 3.0, NAN], None, [0.0, 0.5, 0.0, 0.5]),
    ("median nan", lambda x: x.median(), [1.0, NAN, 3.0, NAN], None, [0.0, 0.5, 0.0, 0.5]),
    ("nanmedian all nan", lambda x: x.nanmedian(), [NAN, NAN], None, [0.5, 0.5]),
    ("amax nan", lambda x: x.amax(), [1.0, NAN, 3.0, NAN], None, [NAN] * 4),
    ("nansum", lambda x: x.nansum(), [1.0, NAN, 3.0], None, [1.0, 0.0, 1.0]),
    ("nanmean", lambda x: x.nanmean(), [1.0, NAN, 3.0], None, [0.5, 0.0, 0.5]),
    ("quantile nan", lambda x: x.quantile(0.4), [1.0, NAN, 3.0, 2.0], None, [0.0, 1.0, 0.0, 0.0]),
    ("nanquantile", lambda x: x.nanquantile(0.4), [1.0, NAN, 3.0, 2.0], None, [0.2, 0.0, 0.0, 0.8]),
    # Zeros in products: one zero gets the product of the others, two give zero.
    ("prod one zero", lambda x: x.prod(), [2.0, 0.0, 3.0], None, [0.0, 6.0, 0.0]),
    ("prod two zeros", lambda x: x.prod(), [2.0, 0.0, 0.0], None, [0.0, 0.0, 0.0]),
    (
        "prod dim",
        lambda x: x.prod(1),
        [[2.0, 0.0, 3.0], [0.0, 0.0, 1.0], [1.0, 2.0, 3.0]],
        None,
        [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [6.0, 3.0, 2.0]],
    ),
    (
        "prod dim keepdim",
        lambda x: x.prod(0, keepdim=True),
        [[2.0, 0.0, 3.0], [0.0, 0.0, 1.0], [1.0, 2.0, 3.0]],
        None,
        [[0.0, 0.0, 3.0], [2.0, 0.0, 9.0], [0.0, 0.0, 3.0]],
    ),
    (
        "cumprod zeros",
        lambda x: x.cumprod(0),
        [2.0, 0.0, 3.0, 0.0, 5.0],
        None,
        [1.0, 8.0, 0.0, 0.0, 0.0],
    ),
    # Degrees of freedom <= 0 and constant inputs.
    ("std of one", lambda x: x.std(), [1.0], None, [NAN]),
    ("var correction 2", lambda x: x.var(correction=2), [1.0, 2.0], None, [INF, INF]),
    ("var dim of one", lambda x: x.var(1), [[1.0], [2.0]], None, [[NAN], [NAN]]),
    ("std constant", lambda x: x.std(), [1.0, 1.0], None, [0.0, 0.0]),
    (
        "std dim constant row",
        lambda x: x.std(1),
        [[1.0, 1.0], [1.0, 2.0]],
        None,
        [[0.0, 0.0], [-0.7071067811865475, 0.7071067811865475]],
    ),
    (
        "std_mean",
        lambda x: sum(torch.std_mean(x, 1)),
        [[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]],
        None,
        [[-0.10310244713865152, 0.22422438821533708, 0.8788780589233143], [1 / 3, 1 / 3, 1 / 3]],
    ),
    (
        "var_mean",
        lambda x: both(torch.var_mean(x, 0, correction=0)),
        [[1.0, 2.0, 4.0], [3.0, 3.0, 5.0]],
        None,
        [[-1.5, -0.5, -0.5], [2.5, 1.5, 1.5]],
    ),
    # Norms at zero take the subgradient 0.
    ("norm 1", lambda x: x.norm(1), [0.0, -2.0, 2.0, 1.0], None, [0.0, -1.0, 1.0, 1.0]),
    ("norm 2", lambda x: x.norm(), [0.0, -2.0, 2.0, 1.0], None, [0.0, -2 / 3, 2 / 3, 1 / 3]),
    ("norm 2 of zeros", lambda x: x.norm(), [0.0, 0.0], None, [0.0, 0.0]),
    (
        "norm 3",
        lambda x: x.norm(3),
        [0.0, -2.0, 2.0, 1.0],
        None,
        [0.0, -0.6050074330960554, 0.6050074330960554, 0.15125185827401386],
    ),
    (
        "norm 1.5",
        lambda x: x.norm(1.5),
        [0.0, -2.0, 2.0, 1.0],
        None,
        [0.0, -0.7517821014438997, 0.7517821014438997, 0.5315902219056544],
    ),
    ("norm 0.5 of zeros", lambda x: x.norm(0.5), [0.0, 0.0], None, [0.0, 0.0]),
    ("norm inf", lambda x: x.norm(INF), [0.0, -2.0, 2.0, 1.0], None, [0.0, -0.5, 0.5, 0.0]),
    ("norm -inf", lambda x: x.norm(-INF), [0.0, -2.0, 2.0, 1.0], None, [0.0, 0.0, 0.0, 0.0]),
    ("norm -1", lambda x: x.norm(-1), [0.0, -2.0, 2.0, 1.0], None, [0.0, 0.0, 0.0, 0.0]),
    (
        "norm 3 dim",
        lambda x: torch.linalg.vector_norm(x, 3, dim=1),
        [[0.0, -2.0, 2.0], [0.0] * 3],
        None,
        [[0.0, -0.6299605249474365, 0.6299605249474365], [0.0, 0.0, 0.0]],
    ),
    (
        "norm 2 keepdim",
        lambda x: x.norm(dim=0, keepdim=True),
        [[0.0, -2.0], [0.0, 1.0]],
        None,
        [[0.0, -0.8944271909999159], [0.0, 0.4472135954999579]],
    ),
    (
        "logsumexp",
        lambda x: x.logsumexp((0, 1)),
        [[0.0, 1.0], [2.0, 3.0]],
        None,
        [[0.03205860328008499, 0.08714431874203257], [0.23688281808991016, 0.6439142598879724]],
    ),
    ("logsumexp -inf", lambda x: x.logsumexp(0), [-INF, -INF], None, [NAN, NAN]),
    (
        "logcumsumexp -inf",
        lambda x: x.logcumsumexp(0),
        [-INF, 1.0, 2.0],
        None,
        [NAN, 1.2689414213699952, 0.7310585786300048],
    ),
    # Quantiles: each interpolation mode routes the gradient its own way.
    (
        "quantile linear",
        lambda x: torch.quantile(x, q64(0.1, 0.375, 0.9), dim=1),
        [[3.0, 1.0, 2.0, 5.0, 4.0], [0.0, 1.0, -1.0, 7.0, 2.0]],
        W3.view(3, 1),
        [[1.0, 0.6, 1.4, 1.8, 1.2], [1.4, 1.0, 0.6, 1.8, 1.2]],
    ),
    (
        "quantile midpoint",
        lambda x: torch.quantile(x, q64(0.1, 0.375, 0.9), dim=1, interpolation="midpoint"),
        [[3.0, 1.0, 2.0, 5.0, 4.0], [0.0, 1.0, -1.0, 7.0, 2.0]],
        W3.view(3, 1),
        [[1.0, 0.5, 1.5, 1.5, 1.5], [1.5, 1.0, 0.5, 1.5, 1.5]],
    ),
    (
        "quantile nearest",
        lambda x: torch.quantile(x, q64(0.1, 0.375, 0.9), dim=1, interpolation="nearest"),
        [[3.0, 1.0, 2.0, 5.0, 4.0], [0.0, 1.0, -1.0, 7.0, 2.0]],
        W3.view(3, 1),
        [[2.0, 1.0, 0.0, 3.0, 0.0], [0.0, 2.0, 1.0, 3.0, 0.0]],
    ),
    (
        "quantile higher keepdim",
        lambda x: torch.quantile(x, 0.3, dim=0, keepdim=True, interpolation="higher"),
        [[3.0, 1.0], [2.0, 5.0], [4.0, 0.0]],
        None,
        [[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]],
    ),
]


@pytest.mark.parametrize(
    "what, fn, values, weight, expected", RECORDED, ids=[r[0] for r in RECORDED]
)
def test_recorded_gradients(what, fn, values, weight, expected):
    got = grad_of(fn, values, weight)
    np.testing.assert_allclose(np.array(got), np.array(expected), rtol=1e-12, atol=1e-15)


def test_norm_of_order_zero_has_no_gradient():
    # The count of non-zeros is piecewise constant: PyTorch leaves the gradient undefined.
    x = torch.tensor([0.0, -2.0, 2.0], dtype=torch.float64, requires_grad=True)
    torch.linalg.vector_norm(x, 0).backward()
    assert x.grad is None


def test_quantile_gradient_in_q_recorded():
    x = torch.tensor(
        [[3.0, 1.0, 2.0, 5.0, 4.0], [1.0, NAN, 1.0, 0.0, 2.0]],
        dtype=torch.float64,
        requires_grad=True,
    )
    q = q64(0.1, 0.375, 0.9).requires_grad_(True)
    torch.quantile(x, q, dim=1).sum().backward()
    assert q.grad.tolist() == [4.0, 4.0, 4.0]  # the row with a NaN gives q nothing
    q.grad = None
    torch.nanquantile(x, q, dim=1).sum().backward()
    assert q.grad.tolist() == [7.0, 4.0, 7.0]
    # Only linear interpolation depends on q.
    q.grad = None
    torch.quantile(x, q, dim=1, interpolation="lower").sum().backward()
    assert q.grad is None
    # A number q leaves no edge.
    assert len(x.quantile(0.5).grad_fn.next_functions) == 1


def test_gradient_comes_back_in_the_input_dtype():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.prod(dtype=torch.float64).backward()
    assert x.grad.dtype == torch.float32 and x.grad.tolist() == [6.0, 3.0, 2.0]
    x.grad = None
    torch.linalg.vector_norm(x, 1, dtype=torch.float64).backward()
    assert x.grad.dtype == torch.float32 and x.grad.tolist() == [1.0, 1.0, 1.0]
    x.grad = None
    x.cumsum(0, dtype=torch.float64).sum().backward()
    assert x.grad.dtype == torch.float32 and x.grad.tolist() == [3.0, 2.0, 1.0]


def test_saved_indices_are_version_checked():
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    values, indices = x.max(1)
    indices.add_(0)
    message = r"modified by an inplace operation: \[ferrograd.LongTensor \[3\]\] is at version 1;"
    with pytest.raises(RuntimeError, match=message):
        values.sum().backward()


def test_zero_dim_inputs():
    x = torch.tensor(2.5, dtype=torch.float64, requires_grad=True)
    ops = [
        lambda t: t.prod(),
        lambda t: t.max(0)[0],
        lambda t: t.sort()[0],
        lambda t: t.topk(1)[0],
        lambda t: t.cumsum(0),
        lambda t: t.cumprod(0),
        lambda t: t.cummax(0)[0],
        lambda t: t.logcumsumexp(0),
        lambda t: t.logsumexp(0),
        lambda t: t.median(),
        lambda t: t.quantile(0.3),
    ]
    for op in ops:
        x.grad = None
        op(x).backward()
        assert x.grad.item() == 1.0
    x.grad = None
    x.var(0, correction=0).backward()
    assert x.grad.item() == 0.0


def test_a_graph_through_several_reductions():
    # softmax cross-entropy written with logsumexp, and a normalised score, against PyTorch.
    logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]], dtype=torch.float64)
    logits.requires_grad_(True)
    loss = (logits.logsumexp(1) - logits.max(1)[0]).sum() + logits.std() / logits.norm()
    loss.backward()
    expected = [
        [0.20987013158770595, -0.380443052020105, 0.11270111973035757],
        [0.018768744351582524, -0.02904758365318698, -0.0649235541240426],
    ]
    np.testing.assert_allclose(np.array(logits.grad.tolist()), np.array(expected), rtol=1e-12)
    assert math.isfinite(loss.item())
