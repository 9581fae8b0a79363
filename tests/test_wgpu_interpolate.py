"""`interpolate` (upsampling) and its gradient run on the GPU in every mode and agree with the
CPU: one kernel per axis applies the taps, and their adjoint gathers the gradient."""

from __future__ import annotations

import ferrograd as torch
import numpy as np
import pytest
from device_support import assert_matches, on_gpu_only, require_gpu

F = torch.nn.functional


@pytest.fixture(scope="module")
def gpu():
    return require_gpu()


CASES = {
    "nearest 1-D": ((2, 3, 5), {"scale_factor": 2, "mode": "nearest"}),
    "nearest to a size": ((1, 2, 4, 5), {"size": (7, 3), "mode": "nearest"}),
    "nearest-exact": ((1, 2, 4, 5), {"scale_factor": 1.5, "mode": "nearest-exact"}),
    "linear": ((2, 3, 6), {"size": 11, "mode": "linear"}),
    "bilinear": ((2, 3, 4, 5), {"scale_factor": 2, "mode": "bilinear"}),
    "bilinear, aligned corners": (
        (1, 2, 4, 5),
        {"size": (7, 9), "mode": "bilinear", "align_corners": True},
    ),
    "bilinear, shrinking": ((1, 1, 9, 8), {"size": (4, 3), "mode": "bilinear"}),
    "bicubic": ((1, 2, 5, 4), {"scale_factor": 2, "mode": "bicubic"}),
    "trilinear": ((1, 2, 3, 4, 3), {"scale_factor": 2, "mode": "trilinear"}),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_interpolate_and_its_gradient_run_on_the_gpu(gpu, case):
    shape, kwargs = CASES[case]
    base = torch.tensor(np.random.default_rng(4).standard_normal(shape), dtype=torch.float32)

    def run(device):
        # A transposed view of the input: read as it lies.
        x = base.to(device).transpose(-1, -2).contiguous().transpose(-1, -2).requires_grad_()
        y = F.interpolate(x, **kwargs)
        weights = torch.linspace(-1, 1, y.numel()).reshape(y.shape).to(device)
        (y * weights).sum().backward()
        return y.detach(), x.grad

    got = on_gpu_only(lambda: run(gpu))
    for g, w in zip(got, run("cpu")):
        assert_matches(g, w, rtol=1e-5, atol=1e-6)


def test_upsample_module_in_a_small_decoder(gpu):
    decoder = torch.nn.Sequential(
        torch.nn.Upsample(scale_factor=2, mode="nearest"),
        torch.nn.Conv2d(2, 1, 3, padding=1),
    )
    x = torch.randn(2, 2, 4, 4)
    want = decoder(x)
    decoder.to(gpu)
    got = on_gpu_only(lambda: decoder(x.to(gpu)))
    assert_matches(got.detach(), want.detach(), rtol=1e-5, atol=1e-6)
