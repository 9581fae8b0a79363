"""Activations: functional forms against numpy, gradients (gradcheck and at the kinks, where
PyTorch's kernels pick a side), in-place forms, dtype errors, and the layers' reprs."""

import math

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd import nn
from grad_support import ANY, check, shapes, tensors
from hypothesis import given, settings
from hypothesis import strategies as st
from op_refs import erf

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def np_softplus(x, beta=1.0, threshold=20.0):
    return np.where(
        x * beta > threshold, x, np.log1p(np.exp(np.minimum(x * beta, threshold))) / beta
    )


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name -> (ferrograd call, numpy reference)
FORMULAS = {
    "relu": (F.relu, lambda x: np.maximum(x, 0)),
    "relu6": (F.relu6, lambda x: np.clip(x, 0, 6)),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 1.5), lambda x: np.clip(x, -0.5, 1.5)),
    "elu": (lambda x: F.elu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x))),
    "selu": (F.selu, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))),
    "celu": (
        lambda x: F.celu(x, 2.0),
        lambda x: np.maximum(x, 0) + np.minimum(0, 2 * np.expm1(x / 2)),
    ),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    "rrelu_eval": (F.rrelu, lambda x: np.where(x > 0, x, x * (1 / 8 + 1 / 3) / 2)),
    "gelu": (F.gelu, lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2)))),
    "gelu_tanh": (
        lambda x: F.gelu(x, approximate="tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
    ),
    "silu": (F.silu, lambda x: x * np_sigmoid(x)),
    "mish": (F.mish, lambda x: x * np.tanh(np_softplus(x))),
    "softplus": (lambda x: F.softplus(x, 2.0, 3.0), lambda x: np_softplus(x, 2.0, 3.0)),
    "logsigmoid": (F.logsigmoid, lambda x: np.log(np_sigmoid(x))),
    "hardsigmoid": (F.hardsigmoid, lambda x: np.clip(x + 3, 0, 6) / 6),
    "hardswish": (F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x))),
    "softshrink": (
        lambda x: F.softshrink(x, 0.3),
        lambda x: np.where(x > 0.3, x - 0.3, np.where(x < -0.3, x + 0.3, 0)),
    ),
    "hardshrink": (lambda x: F.hardshrink(x, 0.3), lambda x: np.where(np.abs(x) > 0.3, x, 0)),
    "tanhshrink": (F.tanhshrink, lambda x: x - np.tanh(x)),
    "threshold": (lambda x: F.threshold(x, 0.4, -2.0), lambda x: np.where(x > 0.4, x, -2.0)),
    "sigmoid": (F.sigmoid, np_sigmoid),
    "tanh": (F.tanh, np.tanh),
}


@pytest.mark.parametrize("name", sorted(FORMULAS))
@settings(max_examples=8)
@given(shape=shapes, data=st.data())
def test_forward_matches_numpy_and_gradients_check(name, shape, data):
    ours, reference = FORMULAS[name]
    x = data.draw(tensors(shape, ANY))
    got = ours(x).detach().numpy()
    np.testing.assert_allclose(got, reference(x.detach().numpy()), rtol=1e-10, atol=1e-12)
    check(ours, (x,), twice=name not in {"rrelu_eval"})


def test_large_inputs_stay_finite():
    x = torch.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], requires_grad=True)
    for fn in (F.softplus, F.logsigmoid, F.mish, F.silu, F.elu, F.selu, F.celu):
        y = fn(x)
        y.sum().backward()
        assert np.isfinite(y.detach().numpy()).all(), fn.__name__
        assert np.isfinite(x.grad.numpy()).all(), fn.__name__
        x.grad = None


# Gradients at x = [-3, -1, 0, 1, 3, 6], recorded from PyTorch's kernels: at a kink they pick
# one side, and the composition here must pick the same one.
KINKS = [-3.0, -1.0, 0.0, 1.0, 3.0, 6.0]
KINK_GRADS = [
    (F.relu6, [0.0, 0.0, 0.0, 1.0, 1.0, 0.0]),
    (F.hardtanh, [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]),
    (F.hardsigmoid, [0.0, 1 / 6, 1 / 6, 1 / 6, 0.0, 0.0]),
    (F.hardswish, [0.0, 1 / 6, 0.5, 5 / 6, 1.0, 1.0]),
    (F.elu, [math.exp(-3), math.exp(-1), 1.0, 1.0, 1.0, 1.0]),
    (F.celu, [math.exp(-3), math.exp(-1), 1.0, 1.0, 1.0, 1.0]),
    (F.selu, [SELU_SCALE * SELU_ALPHA * math.exp(v) if v <= 0 else SELU_SCALE for v in KINKS]),
    (F.leaky_relu, [0.01, 0.01, 0.01, 1.0, 1.0, 1.0]),
    (lambda x: F.softshrink(x, 1.0), [1.0, 0.0, 0.0, 0.0, 1.0, 1.0]),
    (lambda x: F.hardshrink(x, 1.0), [1.0, 0.0, 0.0, 0.0, 1.0, 1.0]),
    (lambda x: F.threshold(x, 1.0, 5.0), [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]),
    (F.relu, [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]),
]


@pytest.mark.parametrize("fn, expected", KINK_GRADS)
def test_gradient_at_kinks_is_pytorchs(fn, expected):
    x = torch.tensor(KINKS, dtype=torch.float64, requires_grad=True)
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-7)


def test_glu_halves_and_its_gradient():
    x = torch.randn(2, 6, dtype=torch.float64, requires_grad=True)
    a, b = x.detach().numpy()[:, :3], x.detach().numpy()[:, 3:]
    np.testing.assert_allclose(F.glu(x).detach().numpy(), a * np_sigmoid(b))
    assert torch.autograd.gradcheck(lambda t: F.glu(t, 0), (x,))


def test_prelu_per_channel_slopes():
    x = torch.tensor([[[-1.0, 2.0]], [[-3.0, 4.0]]]).permute(0, 2, 1)  # (2, 2, 1): channels 2
    w = torch.tensor([0.1, 0.5], requires_grad=True)
    y = F.prelu(x, w)
    assert y.tolist() == [[[pytest.approx(-0.1)], [2.0]], [[pytest.approx(-0.3)], [4.0]]]
    y.sum().backward()
    assert w.grad.tolist() == [-4.0, 0.0]


def test_rrelu_training_draws_slopes_in_range():
    torch.manual_seed(0)
    x = -torch.ones(1000)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    assert (-y).min().item() >= 0.1 and (-y).max().item() <= 0.3
    assert (-y).std().item() > 0.03


@pytest.mark.parametrize(
    "name",
    ["relu", "relu6", "elu", "selu", "celu", "leaky_relu", "silu", "mish", "hardtanh",
     "hardsigmoid", "hardswish", "threshold"],
)  # fmt: skip
def test_inplace_forms_overwrite_and_keep_gradients(name):
    fn = getattr(F, name)
    extra = (0.5, -1.0) if name == "threshold" else ()
    leaf = torch.randn(5, dtype=torch.float64, requires_grad=True)
    expected = fn(leaf, *extra)
    x = leaf * 1
    out = fn(x, *extra, inplace=True)
    assert out is x
    np.testing.assert_allclose(x.detach().numpy(), expected.detach().numpy())
    x.sum().backward()
    reference = torch.autograd.grad(expected.sum(), leaf)[0]
    np.testing.assert_allclose(leaf.grad.numpy(), reference.numpy())


@pytest.mark.parametrize(
    "call, kernel",
    [
        (F.gelu, "GeluKernelImpl"),
        (F.elu, "elu_cpu"),
        (F.selu, "elu_cpu"),
        (F.leaky_relu, "leaky_relu_cpu"),
        (F.softplus, "softplus_cpu"),
        (F.silu, "silu_cpu"),
        (F.mish, "mish_cpu"),
        (F.hardswish, "hardswish_cpu"),
        (F.hardsigmoid, "hardsigmoid_cpu"),
        (F.logsigmoid, "log_sigmoid_cpu"),
        (F.softshrink, "softshrink_check"),
        (F.hardshrink, "hardshrink_cpu"),
    ],
)
def test_integer_input_is_refused_as_pytorch_does(call, kernel):
    with pytest.raises(NotImplementedError) as info:
        call(torch.tensor([1, -2]))
    assert str(info.value) == f"\"{kernel}\" not implemented for 'Long'"


def test_integer_input_accepted_where_pytorch_accepts_it():
    assert F.relu6(torch.tensor([1, -2, 9])).tolist() == [1, 0, 6]
    assert F.threshold(torch.tensor([1, -2]), 0, 1).tolist() == [1, 1]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: F.gelu(torch.randn(2), approximate="foo"),
            RuntimeError,
            "approximate argument must be either none or tanh.",
        ),
        (
            lambda: F.softshrink(torch.randn(2), -1.0),
            RuntimeError,
            "lambda must be in range [0, 3.40282e+38] for input dtype Float, but found -1",
        ),
        (
            lambda: F.celu(torch.randn(2), 0.0),
            RuntimeError,
            "ZeroDivisionError: alpha cannot be 0 for CELU",
        ),
        (
            lambda: F.hardtanh(torch.randn(2), 2.0, 1.0),
            ValueError,
            "min_val cannot be greater than max_val",
        ),
        (
            lambda: F.glu(torch.randn(3, 5)),
            RuntimeError,
            "Halving dimension must be even, but dimension 1 is size 5",
        ),
        (
            lambda: F.glu(torch.tensor(1.0)),
            RuntimeError,
            "glu does not support scalars because halving size must be even",
        ),
        (
            lambda: F.prelu(torch.randn(3, 4), torch.ones(3)),
            RuntimeError,
            (
                "Mismatch of parameter numbers and input channel size. "
                "Found parameter numbers = 3 and channel size = 4."
            ),
        ),
        (
            lambda: F.prelu(torch.randn(4), torch.ones(4)),
            RuntimeError,
            (
                "Mismatch of parameter numbers and input channel size. "
                "Found parameter numbers = 4 and channel size = 1."
            ),
        ),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


# The reprs PyTorch prints for these layers.
REPRS = [
    (lambda: nn.ReLU(), "ReLU()"),
    (lambda: nn.ReLU(True), "ReLU(inplace=True)"),
    (lambda: nn.ReLU6(inplace=True), "ReLU6(inplace=True)"),
    (lambda: nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
    (lambda: nn.LeakyReLU(0.2, True), "LeakyReLU(negative_slope=0.2, inplace=True)"),
    (lambda: nn.PReLU(), "PReLU(num_parameters=1)"),
    (lambda: nn.PReLU(3, 0.1), "PReLU(num_parameters=3)"),
    (lambda: nn.RReLU(), "RReLU(lower=0.125, upper=0.3333333333333333)"),
    (lambda: nn.RReLU(0.1, 0.3, True), "RReLU(lower=0.1, upper=0.3, inplace=True)"),
    (lambda: nn.ELU(), "ELU(alpha=1.0)"),
    (lambda: nn.ELU(0.5, True), "ELU(alpha=0.5, inplace=True)"),
    (lambda: nn.SELU(), "SELU()"),
    (lambda: nn.CELU(2.0), "CELU(alpha=2.0)"),
    (lambda: nn.GELU(), "GELU(approximate='none')"),
    (lambda: nn.GELU("tanh"), "GELU(approximate='tanh')"),
    (lambda: nn.SiLU(True), "SiLU(inplace=True)"),
    (lambda: nn.Mish(), "Mish()"),
    (lambda: nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)"),
    (lambda: nn.Softplus(2, 10), "Softplus(beta=2, threshold=10)"),
    (lambda: nn.Softsign(), "Softsign()"),
    (lambda: nn.Softshrink(), "Softshrink(0.5)"),
    (lambda: nn.Hardshrink(0.3), "Hardshrink(0.3)"),
    (lambda: nn.Tanhshrink(), "Tanhshrink()"),
    (lambda: nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"),
    (lambda: nn.Hardtanh(-2.0, 2.0, True), "Hardtanh(min_val=-2.0, max_val=2.0, inplace=True)"),
    (lambda: nn.Hardsigmoid(inplace=True), "Hardsigmoid()"),
    (lambda: nn.Hardswish(True), "Hardswish()"),
    (lambda: nn.Sigmoid(), "Sigmoid()"),
    (lambda: nn.LogSigmoid(), "LogSigmoid()"),
    (lambda: nn.Tanh(), "Tanh()"),
    (lambda: nn.Threshold(0.1, 20), "Threshold(threshold=0.1, value=20)"),
    (lambda: nn.Threshold(0.1, 20, True), "Threshold(threshold=0.1, value=20, inplace=True)"),
    (lambda: nn.GLU(), "GLU(dim=-1)"),
    (lambda: nn.Softmax(), "Softmax(dim=None)"),
    (lambda: nn.Softmax(dim=1), "Softmax(dim=1)"),
    (lambda: nn.Softmin(dim=0), "Softmin(dim=0)"),
    (lambda: nn.LogSoftmax(dim=-1), "LogSoftmax(dim=-1)"),
    (lambda: nn.Softmax2d(), "Softmax2d()"),
]


@pytest.mark.parametrize("make, text", REPRS)
def test_layer_reprs(make, text):
    assert repr(make()) == text


def test_layers_apply_their_functions():
    x = torch.randn(3, 4)
    assert torch.equal(nn.ReLU()(x), F.relu(x))
    assert torch.equal(nn.LeakyReLU(0.3)(x), F.leaky_relu(x, 0.3))
    assert torch.equal(nn.GELU("tanh")(x), F.gelu(x, approximate="tanh"))
    assert torch.equal(nn.Softplus(2, 5)(x), F.softplus(x, 2, 5))
    assert torch.equal(nn.Hardtanh(-0.5, 0.5)(x), F.hardtanh(x, -0.5, 0.5))


def test_prelu_layer_parameter_and_state_dict():
    layer = nn.PReLU(3, init=0.1)
    assert list(layer.state_dict()) == ["weight"]
    assert layer.weight.tolist() == [pytest.approx(0.1)] * 3
    y = layer(torch.randn(2, 3, 4))
    y.sum().backward()
    assert layer.weight.grad.shape == (3,)


def test_rrelu_layer_is_deterministic_in_eval():
    layer = nn.RReLU().eval()
    x = -torch.ones(4)
    assert layer(x).tolist() == [pytest.approx(-(1 / 8 + 1 / 3) / 2)] * 4
