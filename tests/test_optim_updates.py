"""Optimizer updates: five steps on a small fixed problem, against the update rules written out
in numpy (float64) and against parameters recorded from PyTorch (float32)."""

from __future__ import annotations

import math

import ferrograd as torch
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# The problem: loss = sum((A @ w + b - y)^2) + 0.1 * sum(w^4), with w of 3 and b of 2 entries.
A = [[1.0, 2.0, -1.0], [0.5, -1.5, 2.0]]
Y = [1.0, -2.0]
W0 = [0.5, -0.3, 0.8]
B0 = [0.1, -0.2]

O = torch.optim
CASES = {
    "sgd": (O.SGD, {"lr": 0.05}),
    "sgd_mom": (O.SGD, {"lr": 0.02, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    "sgd_nest": (O.SGD, {"lr": 0.02, "momentum": 0.9, "nesterov": True, "maximize": True}),
    "adam": (O.Adam, {"lr": 0.1}),
    "adam_ams": (O.Adam, {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    "adamw": (O.AdamW, {"lr": 0.1}),
    "adamw_ams": (O.AdamW, {"lr": 0.1, "amsgrad": True, "weight_decay": 0.5}),
    "adamax": (O.Adamax, {"lr": 0.1, "weight_decay": 0.1}),
    "nadam": (O.NAdam, {"lr": 0.1}),
    "nadam_dwd": (
        O.NAdam,
        {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True, "momentum_decay": 0.01},
    ),
    "radam": (O.RAdam, {"lr": 0.1}),
    "radam_wd": (
        O.RAdam,
        {"lr": 0.1, "betas": (0.9, 0.6), "weight_decay": 0.1, "decoupled_weight_decay": True},
    ),
    "rmsprop": (O.RMSprop, {"lr": 0.01}),
    "rmsprop_cm": (O.RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    "adagrad": (O.Adagrad, {"lr": 0.1}),
    "adagrad_opts": (
        O.Adagrad,
        {"lr": 0.1, "lr_decay": 0.1, "initial_accumulator_value": 0.5, "weight_decay": 0.1},
    ),
    "adadelta": (O.Adadelta, {"lr": 1.0}),
    "adadelta_wd": (O.Adadelta, {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "maximize": True}),
    "asgd": (O.ASGD, {"lr": 0.05}),
    "asgd_t0": (O.ASGD, {"lr": 0.05, "t0": 2, "lambd": 0.01, "weight_decay": 0.1}),
    "rprop": (O.Rprop, {"lr": 0.1}),
    "rprop_opts": (O.Rprop, {"lr": 0.1, "etas": (0.3, 1.5), "step_sizes": (0.01, 0.2)}),
}

# [w0, w1, w2, b0, b1] after five float32 steps of torch.optim (same problem, same options).
TORCH_F32_AFTER_5_STEPS = {
    "sgd": [0.144101977, 0.390124708, -0.260167629, 0.030007487, -0.760274112],
    "sgd_mom": [0.069175124, 0.903784633, -0.863010526, 0.094231442, -1.028479099],
    "sgd_nest": [-0.066022344, 0.335525244, -0.431326479, -0.100731313, -0.910369039],
    "adam": [-0.002199046, 0.186251804, 0.312498093, 0.580666065, -0.688970685],
    "adam_ams": [-0.002235964, 0.186200678, 0.312492281, 0.579923391, -0.688732684],
    "adamw": [-0.003697746, 0.186699569, 0.309557498, 0.579122663, -0.686922848],
    "adamw_ams": [-0.067568615, 0.20413655, 0.181617677, 0.508369684, -0.593674302],
    "adamax": [0.031064637, 0.129206717, 0.367177993, 0.513952613, -0.636768281],
    "nadam": [0.077261925, 0.063825034, 0.434050679, 0.454748929, -0.568844378],
    "nadam_dwd": [0.064206943, 0.068822943, 0.404676199, 0.440478116, -0.549162626],
    "radam": [-0.280747324, -0.490670234, 0.042608105, -0.346605271, -0.838072002],
    "radam_wd": [-0.27983135, -0.46566394, 0.023256771, -0.33556506, -0.810457468],
    "rmsprop": [0.161618173, -0.005343854, 0.503868699, 0.388308346, -0.498221844],
    "rmsprop_cm": [-0.08091528, 0.183609381, 0.312211603, 0.565002799, -0.691867113],
    "adagrad": [0.162917629, -0.006556537, 0.505089104, 0.387129128, -0.496993244],
    "adagrad_opts": [0.261729568, -0.039601997, 0.537877142, 0.349793077, -0.463383526],
    "adadelta": [0.483487725, -0.283656359, 0.783652186, 0.116325833, -0.216354519],
    "adadelta_wd": [0.493934155, -0.293953419, 0.793953001, 0.106044091, -0.206047848],
    "asgd": [0.144097582, 0.390123397, -0.26017046, 0.030007893, -0.760259151],
    "asgd_t0": [0.13768658, 0.38805756, -0.264285207, 0.029392231, -0.745098889],
    "rprop": [-0.244160056, 0.444160044, 0.055839956, 0.84416002, -0.944160044],
    "rprop_opts": [-0.350000024, 0.550000012, -0.050000042, 0.75, -1.050000072],
}


def run_ferrograd(name: str, dtype, steps: int = 5) -> np.ndarray:
    """[w, b] after `steps` steps of the named case, as a float64 array."""
    cls, options = CASES[name]
    w = torch.tensor(W0, dtype=dtype, requires_grad=True)
    b = torch.tensor(B0, dtype=dtype, requires_grad=True)
    a = torch.tensor(A, dtype=dtype)
    y = torch.tensor(Y, dtype=dtype)
    optimizer = cls([w, b], **options)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((a @ w + b - y) ** 2).sum() + (w**4).sum() * 0.1
        if options.get("maximize"):
            loss = -loss  # maximizing -loss is minimizing loss: the run stays bounded
        loss.backward()
        optimizer.step()
    return np.array(w.tolist() + b.tolist())


# ----- numpy references: the update rules of the PyTorch docs, on x = [w, b] -------------------


def gradient(x: np.ndarray, maximize: bool) -> np.ndarray:
    """d loss / d[w, b] by hand: 2 A^T r + 0.4 w^3 and 2 r, with r = A w + b - y."""
    a, w, b = np.array(A), x[:3], x[3:]
    r = a @ w + b - np.array(Y)
    g = np.concatenate([2 * a.T @ r + 0.4 * w**3, 2 * r])
    # A maximize case differentiates -loss and maximize flips the sign back: the same g.
    return g


def apply_weight_decay(g, x, wd):
    return g + wd * x


def ref_sgd(x, g, s, t, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False, **_):
    g = apply_weight_decay(g, x, weight_decay)
    if momentum:
        s["buf"] = g.copy() if t == 1 else momentum * s["buf"] + (1 - dampening) * g
        g = g + momentum * s["buf"] if nesterov else s["buf"]
    return x - lr * g


def ref_adam(
    x,
    g,
    s,
    t,
    lr,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0,
    amsgrad=False,
    decoupled=False,
    **_,
):
    b1, b2 = betas
    if decoupled:
        x = x * (1 - lr * weight_decay)
    else:
        g = apply_weight_decay(g, x, weight_decay)
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
    v = s["v"]
    if amsgrad:
        s["vmax"] = v = np.maximum(s.get("vmax", 0), v)
    m_hat = s["m"] / (1 - b1**t)
    return x - lr * m_hat / (np.sqrt(v) / math.sqrt(1 - b2**t) + eps)


def ref_adamw(x, g, s, t, weight_decay=1e-2, **options):
    return ref_adam(x, g, s, t, weight_decay=weight_decay, decoupled=True, **options)


def ref_adamax(x, g, s, t, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, **_):
    b1, b2 = betas
    g = apply_weight_decay(g, x, weight_decay)
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["u"] = np.maximum(b2 * s.get("u", 0), np.abs(g) + eps)
    return x - lr / (1 - b1**t) * s["m"] / s["u"]


def ref_nadam(
    x,
    g,
    s,
    t,
    lr,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0,
    momentum_decay=4e-3,
    decoupled_weight_decay=False,
    **_,
):
    b1, b2 = betas
    if decoupled_weight_decay:
        x = x * (1 - lr * weight_decay)
    else:
        g = apply_weight_decay(g, x, weight_decay)
    mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    # PyTorch keeps the product of the mu's in a float32 tensor, whatever the parameters' dtype.
    s["mu_prod"] = float(np.float32(s.get("mu_prod", 1.0)) * np.float32(mu))
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
    denom = np.sqrt(s["v"] / (1 - b2**t)) + eps
    x = x - lr * (1 - mu) / (1 - s["mu_prod"]) * g / denom
    return x - lr * mu_next / (1 - s["mu_prod"] * mu_next) * s["m"] / denom


def ref_radam(
    x, g, s, t, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False, **_
):
    b1, b2 = betas
    if decoupled_weight_decay:
        x = x * (1 - lr * weight_decay)
    else:
        g = apply_weight_decay(g, x, weight_decay)
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
    m_hat = s["m"] / (1 - b1**t)
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
    if rho_t <= 5:
        return x - lr * m_hat
    rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    adaptive = math.sqrt(1 - b2**t) / (np.sqrt(s["v"]) + eps)
    return x - lr * m_hat * adaptive * rect


def ref_rmsprop(
    x, g, s, t, lr, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, **_
):
    g = apply_weight_decay(g, x, weight_decay)
    s["v"] = alpha * s.get("v", 0) + (1 - alpha) * g * g
    v = s["v"]
    if centered:
        s["g_avg"] = alpha * s.get("g_avg", 0) + (1 - alpha) * g
        v = v - s["g_avg"] ** 2
    avg = np.sqrt(v) + eps
    if momentum > 0:
        s["buf"] = momentum * s.get("buf", 0) + g / avg
        return x - lr * s["buf"]
    return x - lr * g / avg


def ref_adagrad(
    x, g, s, t, lr, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, **_
):
    g = apply_weight_decay(g, x, weight_decay)
    clr = lr / (1 + (t - 1) * lr_decay)
    s["sum"] = s.get("sum", initial_accumulator_value) + g * g
    return x - clr * g / (np.sqrt(s["sum"]) + eps)


def ref_adadelta(x, g, s, t, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, **_):
    g = apply_weight_decay(g, x, weight_decay)
    s["v"] = rho * s.get("v", 0) + (1 - rho) * g * g
    delta = np.sqrt(s.get("u", 0) + eps) / np.sqrt(s["v"] + eps) * g
    s["u"] = rho * s.get("u", 0) + (1 - rho) * delta * delta
    return x - lr * delta


def ref_asgd(x, g, s, t, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, **_):
    g = apply_weight_decay(g, x, weight_decay)
    # eta and mu are float32 tensors in PyTorch's state, whatever the parameters' dtype.
    eta, mu = s.get("eta", float(np.float32(lr))), s.get("mu", 1.0)
    x = x * (1 - lambd * eta) - eta * g
    s["ax"] = x.copy() if mu == 1 else s["ax"] + mu * (x - s["ax"])
    s["eta"] = float(np.float32(lr / (1 + lambd * lr * t) ** alpha))
    s["mu"] = float(np.float32(1 / max(1, t - t0)))
    return x


def ref_rprop(x, g, s, t, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), **_):
    sign = np.sign(g * s.get("prev", np.zeros_like(g)))
    factor = np.where(sign > 0, etas[1], np.where(sign < 0, etas[0], 1.0))
    s["size"] = np.clip(s.get("size", np.full_like(g, lr)) * factor, *step_sizes)
    g = np.where(sign < 0, 0.0, g)  # after a sign change, skip the step and forget the gradient
    s["prev"] = g
    return x - np.sign(g) * s["size"]


REFERENCES = {
    "SGD": ref_sgd,
    "Adam": ref_adam,
    "AdamW": ref_adamw,
    "Adamax": ref_adamax,
    "NAdam": ref_nadam,
    "RAdam": ref_radam,
    "RMSprop": ref_rmsprop,
    "Adagrad": ref_adagrad,
    "Adadelta": ref_adadelta,
    "ASGD": ref_asgd,
    "Rprop": ref_rprop,
}


def run_numpy(name: str, steps: int = 5) -> np.ndarray:
    cls, options = CASES[name]
    options = dict(options)
    maximize = options.pop("maximize", False)
    reference = REFERENCES[cls.__name__]
    x = np.array(W0 + B0)
    state: dict = {}
    for t in range(1, steps + 1):
        x = reference(x, gradient(x, maximize), state, t, **options)
    return x


@pytest.mark.parametrize("name", sorted(CASES))
def test_float64_run_follows_the_update_rule(name):
    np.testing.assert_allclose(
        run_ferrograd(name, torch.float64), run_numpy(name), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_run_matches_pytorch(name):
    expected = np.array(TORCH_F32_AFTER_5_STEPS[name])
    np.testing.assert_allclose(run_ferrograd(name, torch.float32), expected, rtol=1e-5, atol=1e-6)


def test_a_step_moves_the_parameters():
    # Guards the tests above against a case whose parameters would never move.
    start = np.array(W0 + B0)
    for name in CASES:
        assert np.abs(run_ferrograd(name, torch.float64, steps=1) - start).max() > 1e-4, name


# ----- property tests: drawn shapes and hyperparameters against the numpy rules ----------------


def run_on_quadratic(cls, options, reference, shape, steps=4):
    """Minimise sum(c * (x - 1)^2) (c > 0 drawn from the shape) with ferrograd and the numpy
    rule; returns both results."""
    rng = np.random.default_rng(sum(shape))
    start = rng.standard_normal(shape)
    scale = rng.uniform(0.5, 2.0, shape)
    x = torch.tensor(start.tolist(), dtype=torch.float64, requires_grad=True)
    c = torch.tensor(scale.tolist(), dtype=torch.float64)
    optimizer = cls([x], **options)
    expected, state = start.copy(), {}
    for t in range(1, steps + 1):
        optimizer.zero_grad()
        (c * (x - 1) ** 2).sum().backward()
        optimizer.step()
        expected = reference(expected, 2 * scale * (expected - 1), state, t, **options)
    return np.array(x.tolist()), expected


shapes = st.lists(st.integers(1, 4), min_size=1, max_size=2).map(tuple)


@settings(max_examples=15, deadline=None)
@given(
    shape=shapes,
    lr=st.floats(1e-3, 0.5),
    beta1=st.floats(0.0, 0.95),
    beta2=st.floats(0.5, 0.999),
    weight_decay=st.sampled_from([0.0, 0.1]),
    amsgrad=st.booleans(),
    decoupled=st.booleans(),
)
def test_adam_matches_the_rule_for_drawn_hyperparameters(
    shape, lr, beta1, beta2, weight_decay, amsgrad, decoupled
):
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    options = {"lr": lr, "betas": (beta1, beta2), "weight_decay": weight_decay, "amsgrad": amsgrad}
    reference = ref_adamw if decoupled else ref_adam
    got, expected = run_on_quadratic(cls, options, reference, shape)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(
    shape=shapes,
    lr=st.floats(1e-3, 0.2),
    momentum=st.floats(0.0, 0.95),
    dampening=st.floats(0.0, 0.5),
    nesterov=st.booleans(),
    weight_decay=st.sampled_from([0.0, 0.05]),
)
def test_sgd_matches_the_rule_for_drawn_hyperparameters(
    shape, lr, momentum, dampening, nesterov, weight_decay
):
    if nesterov:
        dampening, momentum = 0.0, max(momentum, 0.1)  # Nesterov needs both
    options = {
        "lr": lr,
        "momentum": momentum,
        "dampening": dampening,
        "nesterov": nesterov,
        "weight_decay": weight_decay,
    }
    got, expected = run_on_quadratic(torch.optim.SGD, options, ref_sgd, shape)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
