"""Identity, Linear, Bilinear, LazyLinear, Flatten, Unflatten and F.linear / F.bilinear.

Forward against numpy, gradcheck in float64 over drawn shapes, default initialisation bounds,
and reprs / messages recorded from PyTorch.
"""

from __future__ import annotations

import math

import ferrograd as torch
import ferrograd.nn.functional as F
import numpy as np
import pytest
from ferrograd import nn
from ferrograd.autograd import gradcheck
from hypothesis import given, settings
from hypothesis import strategies as st

dims = st.integers(1, 4)
batch_shapes = st.lists(st.integers(1, 3), min_size=0, max_size=2)


def rand(*shape: int, requires_grad: bool = False):
    return torch.randn(*shape, dtype=torch.float64, requires_grad=requires_grad)


# ----- F.linear -----


@settings(max_examples=15)
@given(batch=batch_shapes, n_in=dims, n_out=dims, with_bias=st.booleans())
def test_linear_matches_numpy_and_gradcheck(batch, n_in, n_out, with_bias):
    x = rand(*batch, n_in, requires_grad=True)
    w = rand(n_out, n_in, requires_grad=True)
    b = rand(n_out, requires_grad=True) if with_bias else None
    out = F.linear(x, w, b)
    expected = x.detach().numpy() @ w.detach().numpy().T
    if with_bias:
        expected = expected + b.detach().numpy()
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    inputs = (x, w) if b is None else (x, w, b)
    assert gradcheck(lambda *args: F.linear(*args), inputs)


def test_linear_hand_checked_and_graph():
    x = torch.tensor([[1.0, 2.0]], requires_grad=True)
    w = torch.tensor([[1.0, -1.0], [0.5, 2.0]], requires_grad=True)
    b = torch.tensor([10.0, 20.0], requires_grad=True)
    # [1 - 2 + 10, 0.5 + 4 + 20]
    out = F.linear(x, w, b)
    assert out.tolist() == [[9.0, 24.5]]
    # 2-D input with bias is one fused matrix product, recorded as PyTorch records it.
    assert out.grad_fn.name() == "AddmmBackward0"
    assert F.linear(x, w).grad_fn.name() == "MmBackward0"
    assert F.linear(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])).tolist() == 11.0
    assert F.linear(rand(5, 4, 3), rand(2, 3), rand(2)).shape == (5, 4, 2)
    assert F.linear(rand(5, 4, 3).transpose(0, 1), rand(2, 3), rand(2)).shape == (4, 5, 2)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: F.linear(torch.randn(4, 5), torch.randn(2, 3), torch.randn(2)),
            "addmm: mat1 and mat2 shapes cannot be multiplied (4x5 and 3x2)",
        ),
        (
            lambda: nn.Linear(3, 2)(torch.randn(6, 4, 5)),
            "addmm: mat1 and mat2 shapes cannot be multiplied (24x5 and 3x2)",
        ),
        (
            lambda: F.linear(torch.tensor(1.0), torch.randn(2, 3)),
            "both arguments to linear need to be at least 1D, but they are 0D and 2D",
        ),
        (
            lambda: F.linear(torch.randn(4, 3), torch.randn(2, 3, 1)),
            "t() expects a tensor with <= 2 dimensions, but self is 3D",
        ),
    ],
)
def test_linear_errors(call, message):
    with pytest.raises(RuntimeError) as info:
        call()
    assert str(info.value) == message


# ----- F.bilinear -----


def np_bilinear(x1, x2, w, b):
    out = np.einsum("...i,oij,...j->...o", x1, w, x2)
    return out if b is None else out + b


@settings(max_examples=12)
@given(batch=batch_shapes, n1=dims, n2=dims, n_out=dims, with_bias=st.booleans())
def test_bilinear_matches_numpy_and_gradcheck(batch, n1, n2, n_out, with_bias):
    x1 = rand(*batch, n1, requires_grad=True)
    x2 = rand(*batch, n2, requires_grad=True)
    w = rand(n_out, n1, n2, requires_grad=True)
    b = rand(n_out, requires_grad=True) if with_bias else None
    out = F.bilinear(x1, x2, w, b)
    expected = np_bilinear(
        x1.detach().numpy(),
        x2.detach().numpy(),
        w.detach().numpy(),
        None if b is None else b.detach().numpy(),
    )
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-10, atol=1e-12)
    inputs = (x1, x2, w) if b is None else (x1, x2, w, b)
    assert gradcheck(lambda *args: F.bilinear(*args), inputs)


@pytest.mark.parametrize(
    "shapes, message",
    [
        (((4, 3), (5,), (2, 3, 5), None), "bilinear(): input dimensions do not match: got 2 and 1"),
        (
            ((4, 3), (3, 5), (2, 3, 5), None),
            "bilinear(): input batch dimensions do not match at dim 0: got 4 and 3",
        ),
        (
            ((4, 2), (4, 5), (2, 3, 5), None),
            "bilinear(): input1 size does not match weight size: got 2 but expected 3",
        ),
        (
            ((4, 3), (4, 2), (2, 3, 5), None),
            "bilinear(): input2 size does not match weight size: got 2 but expected 5",
        ),
        (
            ((4, 3), (4, 5), (2, 3, 5), (3,)),
            "bilinear(): bias size does not match weight size: got 3 but expected 2",
        ),
    ],
)
def test_bilinear_errors(shapes, message):
    x1, x2, w, b = (None if s is None else torch.randn(*s) for s in shapes)
    with pytest.raises(RuntimeError) as info:
        F.bilinear(x1, x2, w, b)
    assert str(info.value) == message


# ----- layers -----


def test_reprs():
    assert repr(nn.Identity(3, a=4)) == "Identity()"
    assert repr(nn.Linear(3, 2, bias=False)) == "Linear(in_features=3, out_features=2, bias=False)"
    assert repr(nn.Bilinear(3, 5, 2)) == (
        "Bilinear(in1_features=3, in2_features=5, out_features=2, bias=True)"
    )
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Unflatten(1, (2, 3))) == "Unflatten(dim=1, unflattened_size=(2, 3))"
    assert repr(nn.Unflatten(1, [2, 3])) == "Unflatten(dim=1, unflattened_size=[2, 3])"


def test_linear_layer_shapes_dtype_and_forward():
    lin = nn.Linear(4, 3, dtype=torch.float64)
    assert lin.weight.shape == (3, 4) and lin.bias.shape == (3,)
    assert lin.weight.dtype == torch.float64 and isinstance(lin.weight, nn.Parameter)
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    x = rand(2, 4)
    expected = x.numpy() @ lin.weight.detach().numpy().T + lin.bias.detach().numpy()
    np.testing.assert_allclose(lin(x).detach().numpy(), expected, rtol=1e-12)
    no_bias = nn.Linear(4, 3, bias=False)
    assert no_bias.bias is None and list(no_bias.state_dict()) == ["weight"]
    identity = nn.Identity()
    assert identity(x) is x


def uniform_spread_ok(values: np.ndarray, bound: float) -> None:
    """All values inside [-bound, bound] and spread like a uniform distribution there."""
    assert np.all(np.abs(values) <= bound)
    # A uniform on [-a, a] has mean 0 and standard deviation a / sqrt(3).
    assert abs(values.mean()) < 0.05 * bound
    assert abs(values.std() - bound / math.sqrt(3)) < 0.05 * bound
    # Each tenth of the interval holds about a tenth of the values.
    counts, _ = np.histogram(values, bins=10, range=(-bound, bound))
    assert np.all(np.abs(counts / values.size - 0.1) < 0.03)


def test_linear_default_init_bounds():
    torch.manual_seed(0)
    lin = nn.Linear(400, 50)
    bound = 1 / math.sqrt(400)
    uniform_spread_ok(lin.weight.detach().numpy().ravel(), bound)
    biases = np.concatenate([nn.Linear(400, 500).bias.detach().numpy() for _ in range(10)])
    uniform_spread_ok(biases, bound)


def test_bilinear_layer_init_and_forward():
    torch.manual_seed(0)
    layer = nn.Bilinear(25, 4, 300)
    bound = 1 / math.sqrt(25)
    uniform_spread_ok(layer.weight.detach().numpy().ravel(), bound)
    assert np.all(np.abs(layer.bias.detach().numpy()) <= bound)
    x1, x2 = torch.randn(2, 25), torch.randn(2, 4)
    expected = np_bilinear(
        x1.numpy(), x2.numpy(), layer.weight.detach().numpy(), layer.bias.detach().numpy()
    )
    np.testing.assert_allclose(layer(x1, x2).detach().numpy(), expected, rtol=1e-4, atol=1e-5)


def test_lazy_linear_materialises_on_first_call():
    lazy = nn.LazyLinear(3)
    assert repr(lazy) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    assert repr(lazy.weight) == "<UninitializedParameter>"
    assert isinstance(lazy.weight, nn.UninitializedParameter)
    out = lazy(torch.randn(2, 5))
    assert out.shape == (2, 3)
    assert type(lazy) is nn.Linear
    assert repr(lazy) == "Linear(in_features=5, out_features=3, bias=True)"
    assert type(lazy.weight) is nn.Parameter and lazy.weight.shape == (3, 5)
    assert not lazy._forward_pre_hooks
    assert np.all(np.abs(lazy.weight.detach().numpy()) <= 1 / math.sqrt(5))
    out.sum().backward()
    assert lazy.weight.grad.shape == (3, 5)


def test_lazy_linear_loads_a_state_dict():
    source = nn.Linear(6, 2)
    lazy = nn.LazyLinear(2)
    lazy.load_state_dict(source.state_dict())
    assert lazy.weight.shape == (2, 6) and type(lazy.weight) is nn.Parameter
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), source.weight.detach().numpy())
    x = torch.randn(1, 6)
    np.testing.assert_allclose(lazy(x).detach().numpy(), source(x).detach().numpy())


@settings(max_examples=10)
@given(shape=st.lists(st.integers(1, 3), min_size=2, max_size=4), data=st.data())
def test_flatten_matches_numpy(shape, data):
    ndim = len(shape)
    start = data.draw(st.integers(0, ndim - 1))
    end = data.draw(st.integers(start, ndim - 1))
    x = rand(*shape, requires_grad=True)
    out = nn.Flatten(start, end)(x)
    expected_shape = shape[:start] + [int(np.prod(shape[start : end + 1]))] + shape[end + 1 :]
    np.testing.assert_array_equal(out.detach().numpy(), x.detach().numpy().reshape(expected_shape))
    assert gradcheck(lambda t: nn.Flatten(start, end)(t), (x,))


def test_flatten_default_and_unflatten():
    x = torch.randn(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    back = nn.Unflatten(1, (3, 4))(nn.Flatten()(x))
    assert torch.equal(back, x)
    assert nn.Unflatten(-1, [2, 2])(x).shape == (2, 3, 2, 2)
    with pytest.raises(TypeError) as info:
        nn.Unflatten(1, 3)
    assert str(info.value) == "unflattened_size must be a tuple of ints, but found type int"
    with pytest.raises(TypeError) as info:
        nn.Unflatten(1, (2, 3.0))
    assert str(info.value) == (
        "unflattened_size must be tuple of ints, but found element of type float at pos 1"
    )
