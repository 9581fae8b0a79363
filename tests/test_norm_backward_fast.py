"""The fused first-order backward of layer, group and batch norm (taken when the backward is
not recorded) against the composed Tensor-op formula (taken with create_graph=True): the
same gradients to 1e-12 in float64 over drawn shapes, parameters present or not, batch norm
in training and evaluation, non-contiguous inputs and output gradients; hand-derived cases;
float32 against values recorded from PyTorch."""

from __future__ import annotations

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st


def both_ways(fn, x: torch.Tensor, params: list, g: torch.Tensor) -> tuple[list, list]:
    """The gradients of `fn(x, *params)` against `g`, for the inputs that require grad: first
    through the fused kernels (create_graph=False), then through the composed formula."""
    wanted = [t for t in [x, *params] if t is not None and t.requires_grad]
    results = []
    for create_graph in (False, True):
        out = fn(x, *params)
        grads = torch.autograd.grad(out, wanted, g, create_graph=create_graph)
        results.append([gr.detach().numpy() for gr in grads])
    return results[0], results[1]


def assert_same(fast: list, composed: list, tol: float = 1e-12) -> None:
    assert len(fast) == len(composed)
    for a, b in zip(fast, composed):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def maybe(rng, shape, present: bool, requires_grad: bool):
    if not present:
        return None
    return torch.tensor(rng.standard_normal(shape), requires_grad=requires_grad)


def input_and_grad(rng, shape, transposed: bool, grad_kind: str):
    """A float64 input of `shape` (built transposed and viewed back when `transposed`, so
    its strides are not row-major) and an output gradient: dense, transposed or expanded."""
    if transposed and len(shape) >= 2:
        base = rng.standard_normal(shape[::-1])
        x = torch.tensor(base).permute(*range(len(shape) - 1, -1, -1))
    else:
        x = torch.tensor(rng.standard_normal(shape))
    x.requires_grad_(True)
    if grad_kind == "expanded":
        g = torch.tensor(rng.standard_normal(shape[-1:])).expand(*shape)
    elif grad_kind == "transposed" and len(shape) >= 2:
        g = torch.tensor(rng.standard_normal(shape[::-1])).permute(*range(len(shape) - 1, -1, -1))
    else:
        g = torch.tensor(rng.standard_normal(shape))
    return x, g


flags = st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans())
grad_kinds = st.sampled_from(["dense", "transposed", "expanded"])


@settings(max_examples=30)
@given(
    lead=st.lists(st.integers(1, 5), min_size=0, max_size=2),
    norm=st.lists(st.integers(1, 6), min_size=1, max_size=2),
    affine=flags,
    transposed=st.booleans(),
    grad_kind=grad_kinds,
    seed=st.integers(0, 2**16),
)
def test_layer_norm_fast_matches_composed(lead, norm, affine, transposed, grad_kind, seed):
    rng = np.random.default_rng(seed)
    has_w, has_b, w_grad, x_grad = affine
    x, g = input_and_grad(rng, lead + norm, transposed, grad_kind)
    x.requires_grad_(x_grad or not (has_w and w_grad) and not has_b)
    w, b = maybe(rng, norm, has_w, w_grad), maybe(rng, norm, has_b, True)
    fast, composed = both_ways(lambda x, w, b: F.layer_norm(x, norm, w, b, 1e-3), x, [w, b], g)
    assert_same(fast, composed)


@settings(max_examples=30)
@given(
    n=st.integers(1, 4),
    groups=st.integers(1, 3),
    per_group=st.integers(1, 3),
    spatial=st.lists(st.integers(1, 5), min_size=0, max_size=2),
    affine=flags,
    transposed=st.booleans(),
    grad_kind=grad_kinds,
    seed=st.integers(0, 2**16),
)
def test_group_norm_fast_matches_composed(
    n, groups, per_group, spatial, affine, transposed, grad_kind, seed
):
    rng = np.random.default_rng(seed)
    channels = groups * per_group
    if per_group * int(np.prod(spatial)) == 1:
        spatial = spatial + [2]  # group norm needs more than one value per group
    has_w, has_b, w_grad, x_grad = affine
    x, g = input_and_grad(rng, [n, channels, *spatial], transposed, grad_kind)
    x.requires_grad_(x_grad or not (has_w and w_grad) and not has_b)
    w, b = maybe(rng, [channels], has_w, w_grad), maybe(rng, [channels], has_b, True)
    fast, composed = both_ways(lambda x, w, b: F.group_norm(x, groups, w, b, 1e-3), x, [w, b], g)
    assert_same(fast, composed)


@settings(max_examples=40)
@given(
    n=st.integers(1, 5),
    c=st.integers(1, 4),
    spatial=st.lists(st.integers(1, 5), min_size=0, max_size=2),
    training=st.booleans(),
    affine=flags,
    transposed=st.booleans(),
    grad_kind=grad_kinds,
    seed=st.integers(0, 2**16),
)
def test_batch_norm_fast_matches_composed(
    n, c, spatial, training, affine, transposed, grad_kind, seed
):
    rng = np.random.default_rng(seed)
    if training and n * int(np.prod(spatial)) == 1:
        n = 2  # training needs more than one value per channel
    has_w, has_b, w_grad, x_grad = affine
    x, g = input_and_grad(rng, [n, c, *spatial], transposed, grad_kind)
    x.requires_grad_(x_grad or not (has_w and w_grad) and not has_b)
    w, b = maybe(rng, [c], has_w, w_grad), maybe(rng, [c], has_b, True)
    running_mean = torch.tensor(rng.standard_normal(c))
    running_var = torch.tensor(rng.uniform(0.5, 2.0, c))

    def fn(x, w, b):
        # Clones, so that the two passes start from the same running statistics.
        rm, rv = running_mean.clone(), running_var.clone()
        return F.batch_norm(x, rm, rv, w, b, training=training, eps=1e-3)

    fast, composed = both_ways(fn, x, [w, b], g)
    assert_same(fast, composed)


def test_layer_norm_hand_checked():
    # Row [0, 1, 2], eps 0: mean 1, var 2/3, rstd = sqrt(1.5), xhat = [-a, 0, a] with
    # a = sqrt(1.5). For g = [1, 0, 0]: mean(g) = 1/3, mean(g * xhat) = -a/3, so
    # dx = rstd * (g - 1/3 + xhat * a/3) = sqrt(1.5) * [1/6, -1/3, 1/6];
    # dweight = g * xhat = [-a, 0, 0], dbias = g.
    f64 = torch.float64
    x = torch.tensor([[0.0, 1.0, 2.0]], dtype=f64, requires_grad=True)
    w = torch.ones(3, dtype=f64, requires_grad=True)
    b = torch.zeros(3, dtype=f64, requires_grad=True)
    F.layer_norm(x, (3,), w, b, eps=0.0).backward(torch.tensor([[1.0, 0.0, 0.0]], dtype=f64))
    a = np.sqrt(1.5)
    np.testing.assert_allclose(x.grad.numpy(), [[a / 6, -a / 3, a / 6]], rtol=1e-14)
    np.testing.assert_allclose(w.grad.numpy(), [-a, 0.0, 0.0], rtol=1e-14)
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 0.0, 0.0])


def test_batch_norm_eval_hand_checked():
    # Fixed statistics: dx = g * weight / sqrt(running_var + eps), whatever x is;
    # dweight = sum(g * (x - running_mean) / sqrt(running_var + eps)) over N and the plane.
    f64 = torch.float64
    x = torch.tensor([[[1.0, 2.0]], [[3.0, 5.0]]], dtype=f64, requires_grad=True)  # (2, 1, 2)
    w = torch.tensor([2.0], dtype=f64, requires_grad=True)
    mean, var = torch.tensor([1.0], dtype=f64), torch.tensor([4.0], dtype=f64)
    out = F.batch_norm(x, mean, var, w, None, training=False, eps=0.0)
    out.backward(torch.ones_like(out))
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 1, 2), 2.0 / 2.0))
    # (0 + 1 + 2 + 4) / 2
    np.testing.assert_allclose(w.grad.numpy(), [3.5])


def test_only_the_asked_gradients_are_returned():
    # Weight only: the input's gradient is skipped; bias only, likewise.
    # With g = 1: dweight = the column sums of xhat, dbias = the number of rows.
    rng = np.random.default_rng(0)
    values = rng.standard_normal((4, 3))
    x = torch.tensor(values)
    w = torch.ones(3, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    (dw,) = torch.autograd.grad(F.layer_norm(x, (3,), w, b).sum(), [w])
    (db,) = torch.autograd.grad(F.layer_norm(x, (3,), w, b).sum(), [b])
    mean, var = values.mean(1, keepdims=True), values.var(1, keepdims=True)
    xhat = (values - mean) / np.sqrt(var + 1e-5)
    np.testing.assert_allclose(dw.numpy(), xhat.sum(0), rtol=1e-12)
    np.testing.assert_allclose(db.numpy(), np.full(3, 4.0))


# float32, recorded from PyTorch: x = sin(0.37 k) * 3 + 1 and g = cos(0.71 k) for k = 0..23,
# shaped (2, 3, 4); weight [0.5, -1, 2, 1.5] and bias [0.1, 0.2, 0.3, 0.4] (their first three
# values for the per-channel layers); batch norm in training.
RECORDED = {
    "layer": (
        [0.2393072, -0.6741233, 0.6580299, -0.2232136, -0.7239316, 1.7496467, -1.5537324,
         0.528017, 0.3796507, -1.0358503, 0.9704323, -0.3142326, -0.3565984, 2.7984471,
         -3.614295, 1.1724453, 0.3621342, -1.0069125, 0.9715422, -0.3267637, 2.86981,
         4.07086, -6.8019466, -0.1387196],
        [-1.2574784755706787, -0.8328472375869751, -0.2656266689300537, 0.370542049407959],
        [0.5444291234016418, 0.034967899322509766, -0.49139249324798584, -0.780274510383606],
    ),
    "group": (
        [-0.0774244, 0.1037148, 0.0630519, -0.0893422, -0.0369749, 0.0586162, -0.0299492,
         0.0083084, -0.376117, 0.4435655, 0.3581762, -0.4256252, 0.2845875, -0.1237129,
         -0.1938899, 0.0330156, 0.1801549, -0.1883913, -0.1917121, 0.1999485, 4.9620266,
         -0.210888, -2.9012132, -1.8499255],
        [-1.4526066780090332, -1.5479326248168945, 1.0151264667510986],
        [-1.429795265197754, 0.760962724685669, -0.0234372615814209],
    ),
    "batch": (
        [0.2464701, 0.1482568, -0.0281082, -0.2102865, 0.365335, 0.3668654, 0.1455025,
         -0.1430192, 0.7327198, 0.6266072, 0.0665176, -0.765687, -0.009971, -0.0893695,
         -0.0761243, 0.0191326, 0.5286039, -0.1727062, -0.5536227, -0.5369586, 0.3956657,
         -0.15673, -0.4775996, -0.4214941],
        [3.0118532180786133, -4.010678768157959, -4.104223251342773],
        [-1.429795265197754, 0.760962724685669, -0.0234372615814209],
    ),
}  # fmt: skip


def test_float32_matches_pytorch():
    k = np.arange(24)
    x_values = (np.sin(k * 0.37) * 3 + 1).astype(np.float32).reshape(2, 3, 4)
    g = torch.tensor(np.cos(k * 0.71).astype(np.float32).reshape(2, 3, 4))
    w_all, b_all = [0.5, -1.0, 2.0, 1.5], [0.1, 0.2, 0.3, 0.4]
    layers = {
        "layer": (lambda x, w, b: F.layer_norm(x, (4,), w, b), 4),
        "group": (lambda x, w, b: F.group_norm(x, 3, w, b), 3),
        "batch": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), 3),
    }
    for name, (fn, size) in layers.items():
        x = torch.tensor(x_values, requires_grad=True)
        w = torch.tensor(w_all[:size], requires_grad=True)
        b = torch.tensor(b_all[:size], requires_grad=True)
        fn(x, w, b).backward(g)
        dx, dw, db = RECORDED[name]
        assert x.grad.dtype == w.grad.dtype == torch.float32
        # A few of these gradients are ill-conditioned (a near-constant group): float32's
        # rounding of the statistics moves them by about 1e-5.
        np.testing.assert_allclose(x.grad.numpy().ravel(), dx, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(w.grad.numpy(), dw, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(b.grad.numpy(), db, rtol=1e-5, atol=1e-5)


def test_half_types_follow_float64_within_their_precision():
    # float16 and bfloat16 are computed in float32 and rounded at the end; their saved
    # statistics are rounded to the type too, so they follow float64 to about 1e-2.
    rng = np.random.default_rng(3)
    x_values, g_values = rng.standard_normal((2, 4, 6)), rng.standard_normal((2, 4, 6))
    layers = [
        lambda x: F.layer_norm(x, (6,)),
        lambda x: F.group_norm(x, 2),
        lambda x: F.batch_norm(x, None, None, training=True),
    ]
    for fn in layers:
        want = torch.tensor(x_values, requires_grad=True)
        fn(want).backward(torch.tensor(g_values))
        for dtype in (torch.float16, torch.bfloat16):
            x = torch.tensor(x_values, dtype=dtype, requires_grad=True)
            fn(x).backward(torch.tensor(g_values, dtype=dtype))
            assert x.grad.dtype == dtype
            got = x.grad.to(torch.float64).numpy()
            np.testing.assert_allclose(got, want.grad.numpy(), rtol=5e-2, atol=5e-2)
