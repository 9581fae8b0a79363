"""The wgpu device as PyTorch users know CUDA: moving tensors and modules, factories with
`device=`, PyTorch's device-mismatch error, the runtime's functions, readback, the one-time
warning for ops without a GPU kernel, and a small model trained on the GPU following the CPU."""

from __future__ import annotations

import sys
import threading
import time
import warnings

import ferrograd as torch
import numpy as np
import pytest
from device_support import require_gpu


@pytest.fixture(scope="module")
def gpu():
    return require_gpu()


def test_runtime_reports_the_adapter(gpu):
    assert torch.wgpu.is_available()
    assert torch.wgpu.device_count() == 1
    assert isinstance(torch.wgpu.get_device_name(), str) and torch.wgpu.get_device_name()
    torch.wgpu.synchronize()


def test_to_and_back_keeps_values_and_reports_the_device(gpu):
    x = torch.arange(6.0).view(2, 3).t()  # non-contiguous
    y = x.to(gpu)
    assert y.device == torch.device("wgpu", 0) and y.is_wgpu and not y.is_cpu
    assert str(y.device) == "wgpu:0" and y.device.type == "wgpu"
    assert y.to(gpu) is y and y.wgpu() is y
    back = y.cpu()
    assert back.device.type == "cpu" and back.tolist() == x.tolist()
    assert x.to("wgpu:0", torch.float64).dtype == torch.float64
    assert repr(y) == "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]], device='wgpu:0')"


def test_factories_take_device_and_like_forms_keep_it(gpu):
    for t in (
        torch.zeros(2, 3, device=gpu),
        torch.ones(2, device="wgpu:0"),
        torch.full((2,), 7.0, device=torch.device("wgpu")),
        torch.arange(5, device=gpu),
        torch.tensor([1, 2], device=gpu),
        torch.randn(3, device=gpu),
        torch.randint(0, 5, (4,), device=gpu),
    ):
        assert t.device.type == "wgpu"
    x = torch.rand(2, 2, device=gpu)
    for t in (torch.zeros_like(x), torch.ones_like(x), torch.empty_like(x), torch.randn_like(x)):
        assert t.device.type == "wgpu"
    assert torch.zeros_like(x, device="cpu").device.type == "cpu"


def test_mixing_devices_is_pytorchs_error(gpu):
    a, b = torch.ones(3, device=gpu), torch.ones(3)
    message = (
        "Expected all tensors to be on the same device, but found at least two devices, "
        "wgpu:0 and cpu!"
    )
    for op in (lambda: a + b, lambda: b * a, lambda: torch.matmul(a, b), lambda: torch.cat([a, b])):
        with pytest.raises(RuntimeError) as err:
            op()
        assert str(err.value) == message
    # Python numbers and 0-dim CPU tensors go with GPU tensors, as in PyTorch.
    assert (a + 2).device.type == "wgpu"
    assert (a * torch.tensor(3.0)).tolist() == [3.0, 3.0, 3.0]


def test_numpy_needs_the_host_and_item_reads_back(gpu):
    y = torch.tensor([1.5, 2.5], device=gpu)
    with pytest.raises(TypeError, match=r"can't convert wgpu:0 device type tensor to numpy"):
        y.numpy()
    assert y.cpu().numpy().tolist() == [1.5, 2.5]
    assert y.sum().item() == 4.0 and y.tolist() == [1.5, 2.5] and float(y[0]) == 1.5


@pytest.mark.parametrize("read", ["item", "tolist", "cpu", "bool"])
def test_reading_values_back_releases_the_gil_while_the_gpu_works(gpu, read):
    count, stop = 0, threading.Event()

    def spin():
        nonlocal count
        while not stop.is_set():
            count += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        time.sleep(0.05)
        start, rate_start = count, time.perf_counter()
        time.sleep(0.1)  # the spinner's pace with the GIL free
        rate = (count - start) / (time.perf_counter() - rate_start)
        a = torch.rand(384, 384, device=gpu)
        result = ((a @ a) @ a).sum()  # recorded, not yet run: the read below waits for it
        before, began = count, time.perf_counter()
        {"item": result.item, "tolist": result.tolist, "cpu": result.cpu, "bool": result.__bool__}[
            read
        ]()
        ran, waited = count - before, time.perf_counter() - began
    finally:
        stop.set()
        spinner.join()
    # Holding the GIL would let the spinner run only until the read takes it (one switch
    # interval, 5 ms); released, it runs for most of the wait.
    expected = rate * max(0.0, waited - sys.getswitchinterval())
    assert ran >= 0.2 * expected, (ran, expected, waited)


def test_cuda_is_absent_and_points_to_wgpu():
    assert not torch.cuda.is_available() and torch.cuda.device_count() == 0
    with pytest.raises(RuntimeError, match="use device='wgpu'"):
        torch.device("cuda")
    with pytest.raises(RuntimeError, match="use device='wgpu'"):
        torch.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="use device='wgpu'"):
        torch.zeros(2).cuda()
    device = "cuda" if torch.cuda.is_available() else "cpu"  # the tutorials' idiom
    assert torch.zeros(1, device=device).device.type == "cpu"


def test_memory_figures_follow_tensors(gpu):
    torch.wgpu.synchronize()
    before = torch.wgpu.memory_allocated()
    x = torch.zeros(1000, device=gpu)
    held = torch.wgpu.memory_allocated()
    assert held >= before + 4000 and torch.wgpu.max_memory_allocated() >= held
    del x
    assert torch.wgpu.memory_allocated() <= held - 4000
    assert torch.wgpu.memory_reserved() >= torch.wgpu.memory_allocated()
    torch.wgpu.empty_cache()
    assert torch.wgpu.memory_reserved() == torch.wgpu.memory_allocated()


def test_an_op_without_a_gpu_kernel_warns_once_by_name(gpu):
    x = torch.tensor([[1, 2], [1, 2], [0, 5]], dtype=torch.int16, device=gpu)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        before = torch._C._wgpu_fallback_count()
        torch.remainder(x, 3)  # int16 arithmetic: no GPU kernel
        torch.remainder(x, 5)
        assert torch._C._wgpu_fallback_count() > before  # it did run on the CPU
    named = [w for w in caught if "remainder" in str(w.message)]
    assert len(named) <= 1  # once per process: an earlier test may have used it already
    assert all("no wgpu kernel yet" in str(w.message) for w in named)


def test_autograd_runs_on_the_gpu_and_to_is_recorded(gpu):
    a = torch.randn(3, 4, requires_grad=True)
    g = a.to(gpu)
    assert type(g.grad_fn).__name__ == "ToCopyBackward0"
    (g.relu() * 2).sum().backward()
    assert a.grad.device.type == "cpu"
    np.testing.assert_allclose(a.grad.numpy(), 2.0 * (a.detach().numpy() > 0))
    w = torch.randn(4, 2, device=gpu, requires_grad=True)
    (torch.randn(3, 4, device=gpu) @ w).pow(2).mean().backward()
    assert w.grad.device.type == "wgpu" and w.grad.shape == (4, 2)


def test_float64_follows_the_adapter(gpu):
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    try:
        y = x.to(gpu)
    except TypeError as err:
        assert "float64" in str(err) and "float32" in str(err)
    else:
        assert y.dtype == torch.float64 and (y * 2).tolist() == [2.0, 4.0]


def train(device, steps=5):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(4 * 4 * 4, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 3),
    ).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = torch.randn(8, 1, 8, 8).to(device)
    y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1]).to(device)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return model, losses


def test_a_small_cnn_trains_on_the_gpu_like_on_the_cpu(gpu):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, gpu_losses = train(gpu)
    _, cpu_losses = train("cpu")
    assert all(p.device.type == "wgpu" for p in model.parameters())
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=1e-4, atol=1e-5)
    assert gpu_losses[-1] < gpu_losses[0]


def test_index_factories_and_summaries_follow_the_device(gpu):
    from ferrograd.train.summary import summary_string

    upper = torch.triu_indices(3, 4, 1, device=gpu)
    assert upper.device.type == "wgpu" and upper.tolist() == torch.triu_indices(3, 4, 1).tolist()
    assert torch.tril_indices(3, 3, device=gpu).device.type == "wgpu"
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU()).to(gpu)
    assert summary_string(model, (4,)) == summary_string(model.cpu(), (4,))
