"""The margin losses and the distance functions: forward against numpy loops written here,
every reduction, float64 gradcheck away from the hinges' kinks, values and gradients recorded
from PyTorch, and PyTorch's error messages."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd.autograd import gradcheck
from grad_support import Domain, values
from hypothesis import given, settings
from hypothesis import strategies as st

REDUCTIONS = ["none", "mean", "sum"]
ANY = Domain(0.05, 2.0)


def reduce_np(loss, reduction):
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def leaf(a, grad=True):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def labels(a):
    return torch.tensor(a, dtype=torch.int64)


def away_from_kinks(z, gap=0.02):
    return bool(np.all(np.abs(z) > gap))


# ---- values and gradients recorded from PyTorch -----------------------------------------

X1 = [[0.5, -1.0, 2.0, 0.3], [0.1, 0.2, -3.0, 1.5], [1.2, -0.7, 0.4, 0.0]]
X2 = [[0.1, 0.4, -1.0, 0.8], [-0.6, 0.9, 0.3, 0.2], [0.5, 0.5, -0.5, 1.0]]
X3 = [[1.0, 0.0, 0.5, -0.5], [0.3, -0.2, 0.1, 0.7], [-1.0, 0.2, 0.6, 0.4]]
Y = [1.0, -1.0, 1.0]
G = 0.0833333358168602  # 1/12: one hinge term of a mean over 3 samples x 4 classes

RECORDED = [
    # name, loss of (x1, x2, x3), value, d(value)/d(x1), all recorded from PyTorch (float32)
    (
        "multi_margin",
        lambda a, b, c: F.multi_margin_loss(a, labels([2, 0, 3])),
        0.6166666746139526,
        [[0, 0, 0, 0], [-2 * G, G, 0, G], [G, G, G, -3 * G]],
    ),
    (
        "multi_margin p=2",
        lambda a, b, c: F.multi_margin_loss(
            a, labels([2, 0, 3]), p=2, margin=1.5, weight=torch.tensor([0.5, 1.0, 2.0, 0.3])
        ),
        0.7455834150314331,
        [
            [0, 0, 0, 0],
            [-0.375, 0.13333334028720856, 0, 0.24166667461395264],
            [0.13500000536441803, 0.04000000283122063, 0.0950000062584877, -0.27000001072883606],
        ],
    ),
    (
        "multilabel_margin",
        lambda a, b, c: F.multilabel_margin_loss(
            a, labels([[2, 0, -1, 1], [3, 3, 1, -1], [-1, 0, 1, 2]])
        ),
        0.14166666567325592,
        [[-G, 0, 0, G], [G, -G, 0, 0], [0, 0, 0, 0]],
    ),
    (
        "cosine_embedding",
        lambda a, b, c: F.cosine_embedding_loss(a, b, torch.tensor(Y), margin=0.2),
        0.8841824531555176,
        [
            [
                -0.03190446272492409,
                -0.0005220435559749603,
                0.022487737238407135,
                -0.09848420321941376,
            ],
            [0, 0, 0, 0],
            [-0.0821441262960434, -0.09006665647029877, 0.08881573379039764, -0.17429566383361816],
        ],
    ),
    (
        "margin_ranking",
        lambda a, b, c: F.margin_ranking_loss(a[:, 0], b[:, 0], torch.tensor(Y), margin=0.5),
        0.4333333671092987,
        [[-1 / 3, 0, 0, 0], [1 / 3, 0, 0, 0], [0, 0, 0, 0]],
    ),
    (
        "hinge_embedding",
        lambda a, b, c: F.hinge_embedding_loss(a, torch.tensor([[1.0, -1, -1, 1]] * 3), margin=0.8),
        0.9749999642372131,
        [[G, -G, 0, G], [G, -G, -G, G], [G, -G, -G, G]],
    ),
    (
        "triplet_margin",
        lambda a, b, c: F.triplet_margin_loss(a, b, c, margin=1.5),
        1.9340730905532837,
        [
            [0.12145411223173141, 0.025427356362342834, 0.05082827806472778, -0.18048706650733948],
            [0.08398759365081787, -0.10461054742336273, 0.020936578512191772, 0.035185396671295166],
            [-0.18254214525222778, -0.08280037343502045, 0.1826896369457245, -0.11723601073026657],
        ],
    ),
    (
        "triplet_margin p=1 swap",
        lambda a, b, c: F.triplet_margin_loss(a, b, c, margin=1.5, p=1, swap=True),
        3.1999995708465576,
        [[2 / 3, 0, 0, -2 / 3], [1 / 3, -1 / 3, -1 / 3, 1 / 3], [1 / 3, -1 / 3, 1 / 3, -1 / 3]],
    ),
    (
        "triplet_margin_with_distance cosine",
        lambda a, b, c: F.triplet_margin_with_distance_loss(
            a, b, c, distance_function=lambda u, v: 1 - F.cosine_similarity(u, v), margin=0.5
        ),
        0.8527576923370361,
        [
            [0.07098548114299774, 0.02925318107008934, 0.021826066076755524, -0.1663055419921875],
            [0.08847346901893616, -0.10563397407531738, 0.02202894166111946, 0.052244193851947784],
            [0, 0, 0, 0],
        ],
    ),
    (
        "cosine_similarity",
        lambda a, b, c: F.cosine_similarity(a, b).sum(),
        -0.7777836322784424,
        [
            [0.09571339190006256, 0.0015661120414733887, -0.06746318936347961, 0.2954525947570801],
            [-0.15543712675571442, 0.23703469336032867, 0.045024123042821884, 0.06880609691143036],
            [0.246432363986969, 0.2701999843120575, -0.2664472162723541, 0.5228869915008545],
        ],
    ),
    (
        "pairwise_distance p=3",
        lambda a, b, c: F.pairwise_distance(a, b, p=3).sum(),
        8.05139446258545,
        [
            [0.016596700996160507, -0.20330826938152313, 0.9335602521896362, -0.025932108983397484],
            [0.04273928329348564, -0.042739029973745346, -0.9498553276062012, 0.147406667470932],
            [0.20122189819812775, -0.5913432836532593, 0.33263182640075684, -0.41065484285354614],
        ],
    ),
    (
        "pdist",
        lambda a, b, c: F.pdist(a).sum(),
        11.071194648742676,
        [
            [-0.3139514625072479, -0.3935413360595703, 1.834500789642334, -0.05969241261482239],
            [-0.35201165080070496, 0.4528217911720276, -1.7987890243530273, 0.6036250591278076],
            [0.6659631133079529, -0.059280455112457275, -0.035711824893951416, -0.5439326763153076],
        ],
    ),
]


@pytest.mark.parametrize("name,fn,value,grad", RECORDED, ids=[r[0] for r in RECORDED])
def test_values_and_gradients_recorded_from_pytorch(name, fn, value, grad):
    x1 = torch.tensor(X1, requires_grad=True)
    loss = fn(x1, torch.tensor(X2), torch.tensor(X3))
    loss.backward()
    assert loss.item() == pytest.approx(value, rel=1e-5)
    np.testing.assert_allclose(x1.grad.numpy(), grad, rtol=1e-4, atol=1e-6)


# ---- forward against numpy, gradcheck ------------------------------------------------------


@settings(max_examples=10)
@given(
    data=st.data(),
    n=st.integers(1, 4),
    reduction=st.sampled_from(REDUCTIONS),
    margin=st.sampled_from([0.0, 0.5]),
)
def test_margin_ranking_loss(data, n, reduction, margin):
    x1, x2 = data.draw(values((n,), ANY)), data.draw(values((n,), ANY))
    y = np.sign(data.draw(values((n,), ANY)))
    z = -y * (x1 - x2) + margin
    call = lambda a, b: F.margin_ranking_loss(a, b, leaf(y), margin=margin, reduction=reduction)
    got = call(leaf(x1), leaf(x2)).detach().numpy()
    np.testing.assert_allclose(got, reduce_np(np.maximum(z, 0), reduction), rtol=1e-12)
    if away_from_kinks(z):
        assert gradcheck(call, (leaf(x1), leaf(x2)))


@settings(max_examples=10)
@given(data=st.data(), n=st.integers(1, 5), reduction=st.sampled_from(REDUCTIONS))
def test_hinge_embedding_loss(data, n, reduction):
    x = data.draw(values((n,), Domain(0.05, 2.0, signed=False)))
    y = np.sign(data.draw(values((n,), ANY)))
    margin = 1.0
    loss = np.where(y == 1, x, np.maximum(0, margin - x))
    call = lambda a: F.hinge_embedding_loss(a, leaf(y, grad=False), reduction=reduction)
    np.testing.assert_allclose(call(leaf(x)).detach().numpy(), reduce_np(loss, reduction))
    if away_from_kinks(margin - x):
        assert gradcheck(call, (leaf(x),))


def cos_np(a, b, axis=-1, eps=1e-8):
    na = np.maximum(np.linalg.norm(a, axis=axis, keepdims=True), eps)
    nb = np.maximum(np.linalg.norm(b, axis=axis, keepdims=True), eps)
    return ((a / na) * (b / nb)).sum(axis)


@settings(max_examples=10)
@given(
    data=st.data(),
    n=st.integers(1, 3),
    d=st.integers(1, 4),
    reduction=st.sampled_from(REDUCTIONS),
    margin=st.sampled_from([0.0, 0.3]),
)
def test_cosine_embedding_loss(data, n, d, reduction, margin):
    a, b = data.draw(values((n, d), ANY)), data.draw(values((n, d), ANY))
    y = np.sign(data.draw(values((n,), ANY)))
    # PyTorch's formula: the squared norms get 1e-12 (so a zero vector gives cos = 0).
    cos = (a * b).sum(-1) / np.sqrt(((a * a).sum(-1) + 1e-12) * ((b * b).sum(-1) + 1e-12))
    loss = np.where(y == 1, 1 - cos, np.maximum(0, cos - margin))
    call = lambda u, v: F.cosine_embedding_loss(u, v, leaf(y), margin=margin, reduction=reduction)
    np.testing.assert_allclose(call(leaf(a), leaf(b)).detach().numpy(), reduce_np(loss, reduction))
    if away_from_kinks(cos - margin) and d > 1:
        assert gradcheck(call, (leaf(a), leaf(b)))


def multi_margin_np(x, y, p, margin, w):
    n, c = x.shape
    out = np.zeros(n)
    for i in range(n):
        for j in range(c):
            if j != y[i]:
                h = max(0.0, margin - x[i, y[i]] + x[i, j]) ** p
                out[i] += h * (1.0 if w is None else w[y[i]])
    return out / c


@settings(max_examples=12)
@given(
    data=st.data(),
    n=st.integers(1, 3),
    c=st.integers(1, 4),
    p=st.sampled_from([1, 2]),
    margin=st.sampled_from([1.0, 0.4]),
    weighted=st.booleans(),
    reduction=st.sampled_from(REDUCTIONS),
)
def test_multi_margin_loss(data, n, c, p, margin, weighted, reduction):
    x = data.draw(values((n, c), ANY))
    y = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    w = data.draw(values((c,), Domain(0.1, 2.0, signed=False))) if weighted else None
    weight = None if w is None else leaf(w, grad=False)
    call = lambda a: F.multi_margin_loss(
        a, labels(y), p=p, margin=margin, weight=weight, reduction=reduction
    )
    expected = reduce_np(multi_margin_np(x, y, p, margin, w), reduction)
    np.testing.assert_allclose(call(leaf(x)).detach().numpy(), expected, rtol=1e-12)
    if away_from_kinks(margin - x[np.arange(n), y][:, None] + x):
        assert gradcheck(call, (leaf(x),))


def multilabel_margin_np(x, t):
    n, c = x.shape
    out = np.zeros(n)
    for i in range(n):
        listed = []
        for k in t[i]:
            if k == -1:
                break
            listed.append(k)
        for j in listed:
            for other in range(c):
                if other not in listed:
                    out[i] += max(0.0, 1 - (x[i, j] - x[i, other]))
    return out / c


@settings(max_examples=12)
@given(
    data=st.data(), n=st.integers(1, 3), c=st.integers(1, 4), reduction=st.sampled_from(REDUCTIONS)
)
def test_multilabel_margin_loss(data, n, c, reduction):
    x = data.draw(values((n, c), ANY))
    rows = data.draw(
        st.lists(st.lists(st.integers(-1, c - 1), min_size=c, max_size=c), min_size=n, max_size=n)
    )
    t = np.array(rows, dtype=np.int64)
    call = lambda a: F.multilabel_margin_loss(a, labels(t), reduction=reduction)
    expected = reduce_np(multilabel_margin_np(x, t), reduction)
    np.testing.assert_allclose(call(leaf(x)).detach().numpy(), expected, rtol=1e-12)
    pair_margins = 1 - (x[:, :, None] - x[:, None, :])
    if away_from_kinks(pair_margins):
        assert gradcheck(call, (leaf(x),))


def test_multilabel_and_multi_margin_unbatched_shapes():
    x = torch.tensor([0.1, 0.2, 0.4, 0.8])
    # Listed classes {3, 0} (duplicates count twice, as in PyTorch): 4.4 / 4.
    out = F.multilabel_margin_loss(x, labels([3, 3, 0, -1]), reduction="none")
    assert out.shape == () and out.item() == pytest.approx(1.1)
    assert F.multi_margin_loss(x, labels([2]), reduction="none").shape == (1,)
    assert F.multi_margin_loss(x, labels(2), reduction="none").item() == pytest.approx(0.725)


@settings(max_examples=12)
@given(
    data=st.data(),
    n=st.integers(1, 3),
    d=st.integers(1, 4),
    p=st.sampled_from([1.0, 2.0, 3.0]),
    swap=st.booleans(),
    reduction=st.sampled_from(REDUCTIONS),
)
def test_triplet_margin_loss(data, n, d, p, swap, reduction):
    a, pos, neg = (data.draw(values((n, d), ANY)) for _ in range(3))
    dist = lambda u, v: (np.abs(u - v + 1e-6) ** p).sum(-1) ** (1 / p)
    d_neg = dist(a, neg)
    if swap:
        d_neg = np.minimum(d_neg, dist(pos, neg))
    z = 1.0 + dist(a, pos) - d_neg
    call = lambda u, v, w: F.triplet_margin_loss(u, v, w, p=p, swap=swap, reduction=reduction)
    got = call(leaf(a), leaf(pos), leaf(neg)).detach().numpy()
    np.testing.assert_allclose(got, reduce_np(np.maximum(z, 0), reduction), rtol=1e-12)
    gaps = np.abs(a - pos + 1e-6), np.abs(a - neg + 1e-6), np.abs(pos - neg + 1e-6)
    swap_tie = swap and not away_from_kinks(dist(a, neg) - dist(pos, neg))
    if away_from_kinks(z) and all(away_from_kinks(g) for g in gaps) and not swap_tie:
        assert gradcheck(call, (leaf(a), leaf(pos), leaf(neg)))


@settings(max_examples=10)
@given(data=st.data(), n=st.integers(1, 3), d=st.integers(2, 4), dim=st.sampled_from([0, 1, -1]))
def test_cosine_similarity(data, n, d, dim):
    a, b = data.draw(values((n, d), ANY)), data.draw(values((n, d), ANY))
    got = F.cosine_similarity(leaf(a), leaf(b), dim=dim).detach().numpy()
    np.testing.assert_allclose(got, cos_np(a, b, axis=dim), rtol=1e-12)
    assert gradcheck(lambda u, v: F.cosine_similarity(u, v, dim=dim), (leaf(a), leaf(b)))


def test_cosine_similarity_broadcasts_and_survives_zero_vectors():
    out = F.cosine_similarity(torch.ones(3, 4), torch.tensor([1.0, 0.0, 0.0, 0.0]).reshape(1, 4))
    assert out.tolist() == pytest.approx([0.5] * 3)
    assert F.cosine_similarity(torch.zeros(1, 2), torch.ones(1, 2)).tolist() == [0.0]


@settings(max_examples=10)
@given(
    data=st.data(),
    n=st.integers(1, 3),
    d=st.integers(1, 4),
    p=st.sampled_from([1.0, 2.0, 3.0]),
    keepdim=st.booleans(),
)
def test_pairwise_distance(data, n, d, p, keepdim):
    a, b = data.draw(values((n, d), ANY)), data.draw(values((n, d), ANY))
    expected = (np.abs(a - b + 1e-6) ** p).sum(-1, keepdims=keepdim) ** (1 / p)
    call = lambda u, v: F.pairwise_distance(u, v, p=p, keepdim=keepdim)
    np.testing.assert_allclose(call(leaf(a), leaf(b)).detach().numpy(), expected, rtol=1e-12)
    if away_from_kinks(a - b + 1e-6):
        assert gradcheck(call, (leaf(a), leaf(b)))


@settings(max_examples=10)
@given(data=st.data(), n=st.integers(1, 4), d=st.integers(1, 3), p=st.sampled_from([1.0, 2.0]))
def test_pdist(data, n, d, p):
    x = data.draw(values((n, d), ANY))
    expected = [
        (np.abs(x[i] - x[j]) ** p).sum() ** (1 / p) for i in range(n) for j in range(i + 1, n)
    ]
    got = F.pdist(leaf(x), p=p).detach().numpy()
    np.testing.assert_allclose(got, np.array(expected).reshape(-1), rtol=1e-12)
    differences = np.array([x[i] - x[j] for i in range(n) for j in range(i + 1, n)])
    if n > 1 and away_from_kinks(differences):
        assert gradcheck(lambda a: F.pdist(a, p=p), (leaf(x),))


# ---- messages recorded from PyTorch ------------------------------------------------------


def test_margin_errors():
    a, b = torch.rand(3, 4), torch.rand(3, 4)
    with pytest.raises(
        RuntimeError,
        match=r"^margin_ranking_loss : All input tensors should have same dimension but got "
        r"sizes: input1: ferrograd\.Size\(\[3, 4\]\), input2: ferrograd\.Size\(\[3, 4\]\), "
        r"target: ferrograd\.Size\(\[3\]\) $",
    ):
        F.margin_ranking_loss(a, b, torch.ones(3))
    with pytest.raises(
        RuntimeError,
        match=r"^1D target tensor expects 2D input tensors, but found inputs with sizes "
        r"\[2, 3, 4\] and \[2, 3, 4\]\.$",
    ):
        F.cosine_embedding_loss(torch.rand(2, 3, 4), torch.rand(2, 3, 4), torch.ones(2))
    with pytest.raises(
        RuntimeError, match="^0D or 1D target tensor expected, multi-target not supported$"
    ):
        F.cosine_embedding_loss(a, b, torch.ones(3, 1))
    with pytest.raises(ValueError, match="^mean_sum is not a valid value for reduction$"):
        F.hinge_embedding_loss(a, b, reduction="mean_sum")


def test_multi_margin_errors():
    a, y = torch.rand(3, 4), labels([0, 1, 2])
    with pytest.raises(ValueError, match="^only p == 1 and p == 2 supported$"):
        F.multi_margin_loss(a, y, p=3)
    with pytest.raises(ValueError, match="^weight must be one-dimensional$"):
        F.multi_margin_loss(a, y, weight=torch.ones(2, 2))
    with pytest.raises(RuntimeError, match="^target out of range$"):
        F.multi_margin_loss(a, labels([0, 1, 5]))
    with pytest.raises(RuntimeError, match="^target out of range$"):
        F.multi_margin_loss(a, labels([0, -1, 2]))
    with pytest.raises(
        RuntimeError,
        match=r"^multi_margin_loss: target tensor should be 1-D with size equal to the number "
        r"of input samples \(batch size\)\. Expected target size \[3\], but got \[2\]\. Input "
        r"has shape \[3, 4\]\.$",
    ):
        F.multi_margin_loss(a, labels([0, 1]))
    with pytest.raises(RuntimeError, match="^expected scalar type Long but found Float$"):
        F.multi_margin_loss(a, torch.tensor([0.0, 1, 2]))
    with pytest.raises(
        RuntimeError,
        match=r"^Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
        r"\[2, 3, 4\]$",
    ):
        F.multi_margin_loss(torch.rand(2, 3, 4), labels([0, 1]))
    with pytest.raises(RuntimeError, match=r"^inconsistent weight size, expected 4 but got \[3\]$"):
        F.multi_margin_loss(a, y, weight=torch.ones(3))


def test_multilabel_margin_errors():
    a = torch.rand(3, 4)
    with pytest.raises(
        RuntimeError, match=r"^inconsistent target size: \[3\] for input of size: \[3, 4\]$"
    ):
        F.multilabel_margin_loss(a, labels([0, 1, 2]))
    with pytest.raises(RuntimeError, match="^argument #2 'target' is out of range$"):
        F.multilabel_margin_loss(a, labels([[0, 1, 5, -1]] * 3))
    with pytest.raises(RuntimeError, match="^expected scalar type Long but found Float$"):
        F.multilabel_margin_loss(a, torch.zeros(3, 4))
    with pytest.raises(
        RuntimeError,
        match=r"^Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
        r"\[2, 0\]$",
    ):
        F.multilabel_margin_loss(torch.rand(2, 0), torch.zeros(2, 0, dtype=torch.int64))


def test_triplet_and_distance_errors():
    a = torch.rand(3, 4)
    with pytest.raises(ValueError, match="^margin must be greater than 0, got 0$"):
        F.triplet_margin_loss(a, a, a, margin=0)
    dims = (
        r"^The anchor, positive, and negative tensors are expected to have the same number of "
        r"dimensions, but got: anchor 2D, positive 2D, and negative 1D inputs$"
    )
    with pytest.raises(RuntimeError, match=dims):
        F.triplet_margin_loss(a, a, torch.rand(4))
    with pytest.raises(RuntimeError, match=dims):
        F.triplet_margin_with_distance_loss(a, a, torch.rand(4))
    with pytest.raises(ValueError, match="^x is not a valid value for reduction$"):
        F.triplet_margin_with_distance_loss(a, a, a, reduction="x")
    with pytest.raises(RuntimeError, match=r"^pdist only supports 2D tensors, got: 3D$"):
        F.pdist(torch.rand(2, 3, 4))
    with pytest.raises(RuntimeError, match="^pdist only supports non-negative p values$"):
        F.pdist(a, p=-1)
    with pytest.raises(RuntimeError, match="^pdist only supports floating-point dtypes$"):
        F.pdist(torch.ones(2, 3, dtype=torch.long))
    with pytest.raises(
        RuntimeError,
        match="^expected common dtype to be floating point, yet common dtype is Long$",
    ):
        F.cosine_similarity(labels([1, 2]), labels([2, 5]), dim=0)
    assert F.pdist(torch.rand(1, 3)).shape == (0,)
