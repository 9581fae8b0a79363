"""nn layers, losses, functionals, gradient clipping and optimizers on the GPU against the same
calls on the CPU: a layer built on the CPU, deep-copied and moved to `wgpu`, gives results on
`wgpu:0` with the CPU's values, gradients and running statistics (float32 tolerance). Helper
tensors a layer makes for itself (masks, states, indices) must follow its input's device."""

from __future__ import annotations

import copy

import ferrograd
import numpy as np
import pytest
from device_support import leaves, on, require_gpu
from ferrograd import nn, optim
from nn_device_cases import LAYERS, Case
from nn_device_function_cases import ACTIVATIONS, FUNCTIONALS, LOSSES

pytestmark = pytest.mark.filterwarnings("ignore:.*no wgpu kernel yet")

RTOL, ATOL = 1e-4, 1e-5


@pytest.fixture(scope="module")
def gpu():
    return require_gpu()


def assert_close(gpu_value, cpu_value, where: str) -> None:
    """Same kind, dtype, shape and values; a GPU tensor must be on the GPU."""
    if not isinstance(cpu_value, ferrograd.Tensor):
        assert gpu_value == cpu_value, f"{where}: {gpu_value!r} vs {cpu_value!r}"
        return
    assert isinstance(gpu_value, ferrograd.Tensor), f"{where}: got {type(gpu_value).__name__}"
    assert gpu_value.device.type == "wgpu", f"{where}: on {gpu_value.device}"
    assert (gpu_value.dtype, gpu_value.shape) == (cpu_value.dtype, cpu_value.shape), where
    expected, actual = cpu_value.detach().numpy(), gpu_value.detach().cpu().numpy()
    if cpu_value.is_floating_point():
        np.testing.assert_allclose(actual, expected, RTOL, ATOL, equal_nan=True, err_msg=where)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=where)


def with_grad(inputs: tuple, which) -> list:
    """The inputs, those named by `which` (default: the floating ones) as leaves needing grad."""
    which = range(len(inputs)) if which is None else which
    return [
        x.detach().requires_grad_(True) if i in which and x.is_floating_point() else x
        for i, x in enumerate(inputs)
    ]


def run(case: Case, layer, inputs: tuple, device: str) -> dict:
    """Forward and backward of `layer` on `device`: the results, input and parameter gradients,
    and the parameters and buffers afterwards (running statistics, renormed rows)."""
    if isinstance(layer, nn.Module):
        layer.train(case.train)
    args = with_grad(on(device, inputs), case.grad)
    out = layer(*args)
    tracked = [o for o in leaves(out) if isinstance(o, ferrograd.Tensor) and o.requires_grad]
    if tracked:
        sum((o * o).sum() * 0.5 for o in tracked).backward()
    state = {"out": leaves(out)}
    state.update({f"grad of input {i}": a.grad for i, a in enumerate(args) if a.requires_grad})
    if isinstance(layer, nn.Module):
        for name, p in layer.named_parameters():
            state[name], state[f"grad of {name}"] = p, p.grad
        state.update(dict(layer.named_buffers()))
    return state


def check_layer(case: Case, gpu: str) -> None:
    ferrograd.manual_seed(0)
    layer = case.make()
    inputs = case.inputs()
    on_gpu = copy.deepcopy(layer).to(gpu) if isinstance(layer, nn.Module) else layer
    expected = run(case, layer, inputs, "cpu")
    actual = run(case, on_gpu, inputs, gpu)
    assert actual.keys() == expected.keys()
    assert len(actual["out"]) == len(expected["out"])
    for i, (g, c) in enumerate(zip(actual["out"], expected["out"])):
        assert_close(g, c, f"result {i}")
    for key in expected.keys() - {"out"}:
        assert (actual[key] is None) == (expected[key] is None), key
        if expected[key] is not None:
            assert_close(actual[key], expected[key], key)


@pytest.mark.parametrize("case", LAYERS + ACTIVATIONS)
def test_layer_on_the_gpu_matches_the_cpu(gpu, case):
    check_layer(case, gpu)


@pytest.mark.parametrize("case", LOSSES)
def test_loss_on_the_gpu_matches_the_cpu(gpu, case):
    check_layer(case, gpu)


@pytest.mark.parametrize("case", FUNCTIONALS)
def test_functional_on_the_gpu_matches_the_cpu(gpu, case):
    check_layer(case, gpu)


def small_model():
    ferrograd.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


def backward_on(model, device: str) -> ferrograd.Tensor:
    ferrograd.manual_seed(3)
    x, y = ferrograd.randn(5, 3).to(device), ferrograd.randn(5, 2).to(device)
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    return loss


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_on_the_gpu_matches_the_cpu(gpu, norm_type):
    cpu_model = small_model()
    gpu_model = copy.deepcopy(cpu_model).to(gpu)
    norms = []
    for model, device in ((cpu_model, "cpu"), (gpu_model, gpu)):
        backward_on(model, device)
        norms.append(nn.utils.clip_grad_norm_(model.parameters(), 0.05, norm_type))
    assert_close(norms[1], norms[0], "total norm")
    assert float(norms[0]) > 0.05  # the gradients were really scaled down
    for (name, c), g in zip(cpu_model.named_parameters(), gpu_model.parameters()):
        assert_close(g.grad, c.grad, name)


def test_clip_grad_value_on_the_gpu_matches_the_cpu(gpu):
    cpu_model = small_model()
    gpu_model = copy.deepcopy(cpu_model).to(gpu)
    for model, device in ((cpu_model, "cpu"), (gpu_model, gpu)):
        backward_on(model, device)
        nn.utils.clip_grad_value_(model.parameters(), 0.02)
    assert any(bool((p.grad.abs() == 0.02).any()) for p in cpu_model.parameters())
    for (name, c), g in zip(cpu_model.named_parameters(), gpu_model.parameters()):
        assert_close(g.grad, c.grad, name)


OPTIMIZERS = {
    "SGD": lambda p: optim.SGD(p, lr=0.1),
    "SGD-momentum-dampening-decay": lambda p: optim.SGD(
        p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01
    ),
    "SGD-nesterov": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "Adam": lambda p: optim.Adam(p, lr=0.01),
    "Adam-amsgrad-decay": lambda p: optim.Adam(p, lr=0.01, amsgrad=True, weight_decay=0.01),
    "AdamW": lambda p: optim.AdamW(p, lr=0.01),
    "RMSprop": lambda p: optim.RMSprop(p, lr=0.01),
    "RMSprop-centered-momentum": lambda p: optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True),
    "Adagrad": lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.01),
    "Adadelta": lambda p: optim.Adadelta(p),
    "Adamax": lambda p: optim.Adamax(p, lr=0.01),
    "NAdam": lambda p: optim.NAdam(p, lr=0.01),
    "RAdam": lambda p: optim.RAdam(p, lr=0.01),
    "ASGD": lambda p: optim.ASGD(p, lr=0.01, t0=1.0),
    "Rprop": lambda p: optim.Rprop(p, lr=0.01),
    "LBFGS": lambda p: optim.LBFGS(p, lr=0.5, max_iter=3),
}


def train(model, make_optimizer, device: str, steps: int = 3):
    """The losses of a few steps, and the optimizer."""
    opt = make_optimizer(model.parameters())
    losses = []
    for _ in range(steps):

        def closure():
            opt.zero_grad()
            return backward_on(model, device)

        losses.append(float(opt.step(closure)))
    return losses, opt


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_steps_on_the_gpu_match_the_cpu(gpu, name):
    cpu_model = small_model()
    gpu_model = copy.deepcopy(cpu_model).to(gpu)
    cpu_losses, _ = train(cpu_model, OPTIMIZERS[name], "cpu")
    gpu_losses, opt = train(gpu_model, OPTIMIZERS[name], gpu)
    np.testing.assert_allclose(gpu_losses, cpu_losses, RTOL, ATOL)
    assert cpu_losses[-1] < cpu_losses[0]  # the optimizer really moved the parameters
    for (key, c), g in zip(cpu_model.state_dict().items(), gpu_model.state_dict().values()):
        assert_close(g, c, key)
    # Per-element state (moments, buffers) lives with the parameters; PyTorch keeps some
    # scalar step counters on the host.
    held = [v for state in opt.state.values() for v in state.values()]
    moments = [v for v in held if isinstance(v, ferrograd.Tensor) and v.dim() > 0]
    assert all(v.device.type == "wgpu" for v in moments), [str(v.device) for v in moments]
